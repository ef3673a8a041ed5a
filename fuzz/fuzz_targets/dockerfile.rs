#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let src = Arc::new(vigie_core::SourceFile::new("Dockerfile", text.to_string()));
        if let Ok(d) = vigie_parse::dockerfile::Dockerfile::parse(src) {
            for i in 0..d.stages.len() {
                let _ = d.stage_user(i, &BTreeMap::new());
                let _ = d.base_image(i, &BTreeMap::new());
            }
        }
    }
});
