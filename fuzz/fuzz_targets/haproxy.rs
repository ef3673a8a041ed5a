#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = vigie_tls::haproxy::analyze(&Arc::from("haproxy.cfg"), text);
});
