#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let s = vigie_parse::yaml::parse(text);
        for d in &s.documents {
            let _ = d.root.to_json();
        }
    }
});
