#![no_main]
//! OSV records as `vigie db import` reads them, and their CVSS vectors.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = vigie_deps::osv::digest(&v);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = vigie_deps::osv::cvss_score(s);
    }
});
