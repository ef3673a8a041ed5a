#![no_main]
//! Traefik static and dynamic configuration, YAML and TOML, through the TLS scan.
use libfuzzer_sys::fuzz_target;
use vigie_tls::MemFiles;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let files = MemFiles::new(&[("traefik.yml", text), ("traefik/dynamic.toml", text)]);
    let _ = vigie_tls::scan(&files, &[]);
});
