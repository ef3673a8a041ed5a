#![no_main]
//! nginx: parsing, `include` (globs, loops) and judging; NUL splits the input into files.
use libfuzzer_sys::fuzz_target;
use vigie_tls::{MemFiles, nginx};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let names = ["nginx.conf", "conf.d/a.conf", "conf.d/b.conf", "snippets/tls"];
    let files: Vec<(&str, &str)> = text.split('\0').zip(names).map(|(t, n)| (n, t)).collect();
    let _ = nginx::analyze(&MemFiles::new(&files));
});
