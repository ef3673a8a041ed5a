#![no_main]
//! Caddyfile (snippets, imports, sites) and Caddy's JSON configuration.
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = vigie_tls::caddy::analyze(&Arc::from("Caddyfile"), text);
    let _ = vigie_tls::caddy::json::analyze(&Arc::from("caddy.json"), text);
});
