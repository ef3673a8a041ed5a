//! How a report is kept compact: compressed blobs, and a scan's verdicts as a list of numbers.
//!
//! A scan's verdicts are stored as the numbers its repository gave them (the first time a
//! verdict was seen) in report order, as zigzag deltas in LEB128 varints, compressed: an
//! unchanged run of verdicts costs about a byte each before compression and almost nothing
//! after. The varint code is a dozen lines, written here rather than taken from a crate.

/// Compress with zstd at its default level.
pub fn compress(bytes: &[u8]) -> Vec<u8> {
    // compressing into memory fails only on allocation failure
    zstd::bulk::compress(bytes, 3).unwrap_or_default()
}

/// Decompress what [`compress`] wrote.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>, String> {
    zstd::stream::decode_all(bytes).map_err(|e| format!("corrupt compressed data: {e}"))
}

/// Encode a list of numbers as zigzag deltas in LEB128 varints.
pub fn encode_ids(ids: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() + 8);
    let mut prev = 0i64;
    for &id in ids {
        let delta = id.wrapping_sub(prev);
        prev = id;
        let mut z = ((delta << 1) ^ (delta >> 63)) as u64;
        loop {
            let byte = (z & 0x7f) as u8;
            z >>= 7;
            if z == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

/// Decode what [`encode_ids`] wrote.
pub fn decode_ids(bytes: &[u8]) -> Result<Vec<i64>, String> {
    let mut ids = Vec::new();
    let (mut prev, mut z, mut shift) = (0i64, 0u64, 0u32);
    for &b in bytes {
        if shift > 63 {
            return Err("corrupt verdict list: varint too long".into());
        }
        z |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            let delta = ((z >> 1) as i64) ^ -((z & 1) as i64);
            prev = prev.wrapping_add(delta);
            ids.push(prev);
            z = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    if shift != 0 {
        return Err("corrupt verdict list: truncated varint".into());
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let ids = vec![1, 2, 3, 1000, 4, -5, i64::MAX, 0, 7];
        assert_eq!(decode_ids(&encode_ids(&ids)).unwrap(), ids);
        assert!(decode_ids(&[0x80]).is_err());
    }

    #[test]
    fn a_run_costs_a_byte_each() {
        let ids: Vec<i64> = (1..=2000).collect();
        assert_eq!(encode_ids(&ids).len(), 2000);
        assert!(compress(&encode_ids(&ids)).len() < 64);
    }

    #[test]
    fn compression_round_trips() {
        let data = b"verdict\n".repeat(100);
        assert_eq!(decompress(&compress(&data)).unwrap(), data);
        assert!(decompress(b"not zstd").is_err());
    }
}
