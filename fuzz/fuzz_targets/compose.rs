#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let t = text.to_string();
        let reader = move |p: &str| (p == "compose.yaml").then(|| t.clone());
        let p = vigie_parse::compose::load(&["compose.yaml".to_string()], &reader);
        let _ = vigie_parse::compose::lower(&p, &HashMap::new(), vigie_core::catalog::Catalog::embedded());
    }
});
