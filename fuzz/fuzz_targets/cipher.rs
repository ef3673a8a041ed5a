#![no_main]
//! OpenSSL cipher strings as nginx, HAProxy and the ingress controllers write them.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = vigie_tls::cipher::expand(text);
});
