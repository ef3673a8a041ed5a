//! Scanning a blob stored in a pack as a delta of another blob by reusing the other blob's scan.
//!
//! Most versions of a file in a history differ from the version they are stored against by a few
//! lines, and a git delta says exactly which bytes are copied from that base and which are new.
//! What a scan computes from bytes alone is carried over for the copied bytes instead of being
//! computed again:
//!
//! - a keyword occurrence lying inside one copied piece is the base's occurrence, moved; only the
//!   new bytes and the seams between pieces (with a keyword's length of context either side) are
//!   walked by the automaton;
//! - a rule's regex window whose bytes, and the byte either side its look-around may read, lie
//!   inside one copied piece has the matches the base's same window had, moved.
//!
//! Everything else (which windows there are, judging, grouping, line numbers, Dockerfile
//! instructions) is computed on the blob itself as for any other file, so the findings are those
//! of scanning the blob from scratch.

use crate::keywords::{Hit, Keywords};

/// One instruction of a git delta, placed in the blob it rebuilds: `len` bytes at `dst`, copied
/// from `src` in the base, or inserted by the delta when `src` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub dst: usize,
    pub len: usize,
    pub src: Option<usize>,
}

/// A raw match of one rule's regex: rule, secret start and end, whole match start and end.
pub(crate) type Found = (usize, usize, usize, usize, usize);

/// What a blob's scan leaves for the blobs stored as deltas of it: its keyword occurrences and
/// the matches of each regex window it searched.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Memo {
    /// Length of the blob.
    pub(crate) len: usize,
    /// Keyword occurrences, by increasing start.
    pub(crate) hits: Vec<Hit>,
    /// Each searched window `(rule, start, end)` with the range of `found` it gave, sorted.
    pub(crate) windows: Vec<(u32, usize, usize, u32, u32)>,
    pub(crate) found: Vec<Found>,
}

/// A blob's delta against a base whose [`Memo`] is known.
#[derive(Clone, Copy)]
pub struct DeltaOf<'a> {
    pub memo: &'a Memo,
    pub pieces: &'a [Piece],
}

/// The pieces of a decompressed git delta (the format of git's `patch-delta.c`), checked against
/// the base's length; `None` for a delta that is malformed or does not apply to a base of
/// `base_len` bytes. gix applies deltas but does not expose their instructions, hence this reader.
pub fn pieces(delta: &[u8], base_len: usize) -> Option<Vec<Piece>> {
    let mut i = 0;
    let (declared_base, n) = varint(delta)?;
    i += n;
    let (result_len, n) = varint(&delta[i..])?;
    i += n;
    if declared_base != base_len as u64 {
        return None;
    }
    let mut out = Vec::new();
    let mut dst = 0usize;
    while let Some(&cmd) = delta.get(i) {
        i += 1;
        let piece = if cmd & 0x80 != 0 {
            let mut field = |bits: u8, shifts: &[u32]| -> Option<usize> {
                let mut v = 0usize;
                for (k, &shift) in shifts.iter().enumerate() {
                    if cmd & (bits << k) != 0 {
                        v |= usize::from(*delta.get(i)?) << shift;
                        i += 1;
                    }
                }
                Some(v)
            };
            let ofs = field(0x01, &[0, 8, 16, 24])?;
            let size = match field(0x10, &[0, 8, 16])? {
                0 => 0x10000,
                s => s,
            };
            if ofs.checked_add(size)? > base_len {
                return None;
            }
            Piece {
                dst,
                len: size,
                src: Some(ofs),
            }
        } else if cmd == 0 {
            return None;
        } else {
            let len = usize::from(cmd);
            if i + len > delta.len() {
                return None;
            }
            i += len;
            Piece {
                dst,
                len,
                src: None,
            }
        };
        dst += piece.len;
        out.push(piece);
    }
    (dst as u64 == result_len).then_some(out)
}

/// A delta header size: little-endian groups of 7 bits, the high bit saying another follows.
fn varint(d: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (k, &b) in d.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * k);
        if b & 0x80 == 0 {
            return Some((v, k + 1));
        }
    }
    None
}

impl<'a> DeltaOf<'a> {
    /// The piece holding byte `pos` of the blob.
    fn piece_at(&self, pos: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.dst + p.len <= pos);
        self.pieces.get(i)
    }

    /// The base offset of `[start, end)` when those bytes lie inside one copied piece.
    fn copied(&self, start: usize, end: usize) -> Option<usize> {
        let p = self.piece_at(start)?;
        let src = p.src?;
        (end <= p.dst + p.len).then(|| src + (start - p.dst))
    }

    /// Every keyword occurrence of the blob `data` into `out` (cleared first), as a walk of the
    /// whole blob finds them: the base's inside copied pieces, the automaton's elsewhere. `false`
    /// (and `out` unusable) when there are `limit` or more.
    pub fn hits(&self, kw: &Keywords, data: &[u8], out: &mut Vec<Hit>, limit: usize) -> bool {
        out.clear();
        for p in self.pieces {
            let Some(src) = p.src else { continue };
            let base = &self.memo.hits;
            let from = base.partition_point(|h| h.start < src);
            for h in base[from..].iter().take_while(|h| h.start < src + p.len) {
                if h.end <= src + p.len {
                    out.push(Hit {
                        start: h.start - src + p.dst,
                        end: h.end - src + p.dst,
                        pattern: h.pattern,
                    });
                }
            }
            if out.len() >= limit {
                return false;
            }
        }
        // An occurrence not inside one copied piece holds an inserted byte or crosses from one
        // piece into the next: it lies within a keyword's length of either.
        let reach = kw.longest().saturating_sub(1);
        let mut regions: Vec<(usize, usize)> = Vec::new();
        for (k, p) in self.pieces.iter().enumerate() {
            let around = match p.src {
                None => (p.dst.saturating_sub(reach), p.dst + p.len + reach),
                Some(_) if k > 0 => (p.dst.saturating_sub(reach), p.dst + reach),
                Some(_) => continue,
            };
            let around = (around.0, around.1.min(data.len()));
            match regions.last_mut() {
                Some(last) if around.0 <= last.1 => last.1 = last.1.max(around.1),
                _ => regions.push(around),
            }
        }
        let mut found = Vec::new();
        for (s, e) in regions {
            found.clear();
            kw.find_in(data, s..e, &mut found);
            out.extend(
                found
                    .iter()
                    .filter(|h| self.copied(h.start, h.end).is_none()),
            );
            if out.len() >= limit {
                return false;
            }
        }
        out.sort_unstable_by_key(|h| (h.end, h.start, h.pattern));
        true
    }

    /// The base's matches of rule `rule` in the window `[start, end)` of a blob of `len` bytes,
    /// and the base offset of the window, when the window (and the byte either side of it, which
    /// `^`, `$` and `\b` read) lies in one copied piece and the base searched that same window.
    pub fn window(
        &self,
        rule: u32,
        start: usize,
        end: usize,
        len: usize,
    ) -> Option<(&'a [Found], usize)> {
        let src =
            self.copied(start.saturating_sub(1), (end + 1).min(len))? + usize::from(start > 0);
        let src_end = src + (end - start);
        // The ends of the content are look-around too.
        if (start == 0) != (src == 0) || (end == len) != (src_end == self.memo.len) {
            return None;
        }
        let w = &self.memo.windows;
        let i = w.partition_point(|x| (x.0, x.1, x.2) < (rule, src, src_end));
        let x = w
            .get(i)
            .filter(|x| (x.0, x.1, x.2) == (rule, src, src_end))?;
        Some((&self.memo.found[x.3 as usize..x.4 as usize], src))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::Engine;
    use crate::rules::RuleSet;

    /// Pieces rebuilding `child` from `base` line by line: a line the base has is copied from its
    /// first occurrence (runs of such lines in one piece), any other is inserted, 127 bytes at
    /// most per piece as in a git delta.
    fn line_pieces(base: &[u8], child: &[u8]) -> Vec<Piece> {
        let mut at: std::collections::HashMap<&[u8], usize> = std::collections::HashMap::new();
        let mut pos = 0;
        for line in base.split_inclusive(|&b| b == b'\n') {
            at.entry(line).or_insert(pos);
            pos += line.len();
        }
        let mut out: Vec<Piece> = Vec::new();
        let mut dst = 0;
        for line in child.split_inclusive(|&b| b == b'\n') {
            match at.get(line) {
                Some(&src) => match out.last_mut() {
                    Some(p)
                        if p.src == Some(src.wrapping_sub(p.len))
                            && p.len + line.len() <= 0x10000 =>
                    {
                        p.len += line.len()
                    }
                    _ => out.push(Piece {
                        dst,
                        len: line.len(),
                        src: Some(src),
                    }),
                },
                None => {
                    for (k, chunk) in line.chunks(127).enumerate() {
                        out.push(Piece {
                            dst: dst + k * 127,
                            len: chunk.len(),
                            src: None,
                        });
                    }
                }
            }
            dst += line.len();
        }
        out
    }

    /// Pieces rebuilding `child` from `base` as a copy of their common start, the rest of `child`
    /// inserted, and a copy of their common end: the seams fall inside lines.
    fn ends_pieces(base: &[u8], child: &[u8]) -> Vec<Piece> {
        let head = base.iter().zip(child).take_while(|(a, b)| a == b).count();
        let tail = base[head..]
            .iter()
            .rev()
            .zip(child[head..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let mut out = Vec::new();
        if head > 0 {
            out.push(Piece {
                dst: 0,
                len: head,
                src: Some(0),
            });
        }
        let middle = child.len() - head - tail;
        for k in (0..middle).step_by(127) {
            out.push(Piece {
                dst: head + k,
                len: (middle - k).min(127),
                src: None,
            });
        }
        if tail > 0 {
            out.push(Piece {
                dst: child.len() - tail,
                len: tail,
                src: Some(base.len() - tail),
            });
        }
        out
    }

    /// Each copied piece cut in two at a random point now and then: seams inside copied text.
    fn split_copies(pieces: Vec<Piece>, seed: &mut u64) -> Vec<Piece> {
        let mut out = Vec::new();
        for p in pieces {
            match p.src {
                Some(src) if p.len > 1 && next(seed).is_multiple_of(2) => {
                    let k = 1 + next(seed) % (p.len - 1);
                    out.push(Piece {
                        dst: p.dst,
                        len: k,
                        src: Some(src),
                    });
                    out.push(Piece {
                        dst: p.dst + k,
                        len: p.len - k,
                        src: Some(src + k),
                    });
                }
                _ => out.push(p),
            }
        }
        out
    }

    /// A pseudo-random sequence for the edits.
    fn next(seed: &mut u64) -> usize {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 33) as usize
    }

    /// Scanning a blob from its base's memo and its delta gives exactly what scanning it from
    /// scratch gives (matches, counts, and the memo left for its own deltas), whatever the edits:
    /// lines inserted, removed, moved, secrets changed inside copied text, keywords cut at seams.
    #[test]
    fn a_delta_scan_finds_what_a_full_scan_finds() {
        let engine = Engine::new(RuleSet::builtin(), Vec::new());
        let lines: Vec<String> = vec![
            "apiVersion: v1".into(),
            "kind: Secret".into(),
            "env:".into(),
            "  - name: AWS_ACCESS_KEY_ID".into(),
            "    value: AKIAZQ3DRSLTWUMN6HGA".into(),
            "  - name: DB_PASSWORD".into(),
            "    value: \"Zt4qRm81pLw3Xn9kQ2vB\"".into(),
            "url: https://admin:hJ8s9dK2lQ0wX7zPa1@db.internal.example.org:5432/app".into(),
            "github_pat: ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dF3gH6".into(),
            "token: glpat-Xk9vTq2LmN8pR4sW7yZb".into(),
            "password = 'changeme' # vigie:allow-secret".into(),
            "  image: registry.example.org/app:1.2.3".into(),
            "slack: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx".into(),
            "# a comment mentioning a password and an api key but no value".into(),
            "  resources: {}".into(),
        ];
        let mut seed = 11u64;
        let mut base: Vec<String> = (0..400).map(|i| lines[i % lines.len()].clone()).collect();
        for round in 0..40 {
            let base_text = base.join("\n") + "\n";
            let (full, memo) =
                engine.scan_blob("values.yaml", base_text.as_bytes(), None, None, true);
            let memo = memo.expect("a text blob leaves a memo");
            assert!(!full.matches.is_empty());
            let mut child = base.clone();
            for _ in 0..1 + next(&mut seed) % 6 {
                let at = next(&mut seed) % child.len();
                match next(&mut seed) % 5 {
                    0 => {
                        child.remove(at);
                    }
                    1 => child.insert(at, lines[next(&mut seed) % lines.len()].clone()),
                    2 => {
                        let moved = child.remove(at);
                        child.insert(next(&mut seed) % child.len(), moved);
                    }
                    3 => {
                        // One character changed: inside a secret, a keyword or plain text.
                        let mut l = child[at].clone().into_bytes();
                        if !l.is_empty() {
                            let k = next(&mut seed) % l.len();
                            l[k] = b"aZ9:/_-x"[next(&mut seed) % 8];
                        }
                        child[at] = String::from_utf8_lossy(&l).into_owned();
                    }
                    _ => {
                        // A line cut in two.
                        let l = child[at].clone();
                        let k = next(&mut seed) % (l.len() + 1);
                        child[at] = format!("{}\n{}", &l[..k], &l[k..]);
                    }
                }
            }
            let child_text = child.join("\n") + "\n";
            let (b, c) = (base_text.as_bytes(), child_text.as_bytes());
            let pieces = if round % 2 == 0 {
                line_pieces(b, c)
            } else {
                ends_pieces(b, c)
            };
            let pieces = split_copies(pieces, &mut seed);
            let delta = DeltaOf {
                memo: &memo,
                pieces: &pieces,
            };
            let (want, want_memo) =
                engine.scan_blob("values.yaml", child_text.as_bytes(), None, None, true);
            let (got, got_memo) = engine.scan_blob(
                "values.yaml",
                child_text.as_bytes(),
                None,
                Some(delta),
                true,
            );
            assert_eq!(got.matches, want.matches, "round {round}");
            assert_eq!(
                (got.inline_allowed, got.allowlisted, got.binary),
                (want.inline_allowed, want.allowlisted, want.binary),
                "round {round}"
            );
            assert_eq!(got_memo, want_memo, "round {round}");
            // Some of the child's windows are the base's, found without searching them again.
            let child_memo = want_memo.expect("a text blob leaves a memo");
            assert!(
                child_memo
                    .windows
                    .iter()
                    .any(|w| delta.window(w.0, w.1, w.2, child_text.len()).is_some()),
                "round {round}"
            );
            base = child;
        }
    }

    /// A delta rebuilding `target` from `base`: header, then copy and insert instructions.
    fn delta(base_len: usize, target_len: usize, ops: &[(Option<usize>, &[u8], usize)]) -> Vec<u8> {
        fn size(mut n: usize, out: &mut Vec<u8>) {
            loop {
                let b = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    out.push(b);
                    return;
                }
                out.push(b | 0x80);
            }
        }
        let mut d = Vec::new();
        size(base_len, &mut d);
        size(target_len, &mut d);
        for &(src, insert, len) in ops {
            match src {
                Some(ofs) => {
                    let mut cmd = 0x80u8;
                    let mut args = Vec::new();
                    for k in 0..4 {
                        let b = (ofs >> (8 * k)) as u8;
                        if b != 0 {
                            cmd |= 1 << k;
                            args.push(b);
                        }
                    }
                    let l = if len == 0x10000 { 0 } else { len };
                    for k in 0..3 {
                        let b = (l >> (8 * k)) as u8;
                        if b != 0 {
                            cmd |= 0x10 << k;
                            args.push(b);
                        }
                    }
                    d.push(cmd);
                    d.extend(args);
                }
                None => {
                    d.push(insert.len() as u8);
                    d.extend_from_slice(insert);
                }
            }
        }
        d
    }

    #[test]
    fn a_delta_reads_as_its_pieces() {
        let d = delta(
            70_000,
            10 + 3 + 0x10000 + 3,
            &[
                (Some(5), b"", 10),
                (None, b"abc", 0),
                (Some(0), b"", 0x10000),
                (Some(65_536), b"", 3),
            ],
        );
        let p = pieces(&d, 70_000).expect("well-formed");
        assert_eq!(
            p,
            [
                Piece {
                    dst: 0,
                    len: 10,
                    src: Some(5)
                },
                Piece {
                    dst: 10,
                    len: 3,
                    src: None
                },
                Piece {
                    dst: 13,
                    len: 0x10000,
                    src: Some(0)
                },
                Piece {
                    dst: 13 + 0x10000,
                    len: 3,
                    src: Some(65_536)
                },
            ]
        );
        // Another base length, a copy beyond the base, a truncated insert, the reserved command.
        assert_eq!(pieces(&d, 69_999), None);
        assert_eq!(pieces(&delta(4, 10, &[(Some(0), b"", 10)]), 4), None);
        let mut cut = delta(4, 3, &[(None, b"abc", 0)]);
        cut.pop();
        assert_eq!(pieces(&cut, 4), None);
        assert_eq!(pieces(&[4, 1, 0], 4), None);
        // A result length the pieces do not add up to.
        assert_eq!(pieces(&delta(4, 5, &[(Some(0), b"", 4)]), 4), None);
    }
}
