#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let s = vigie_parse::yaml::parse(text);
        let objs = vigie_parse::kubernetes::objects(
            &Arc::from("f.yaml"),
            s.documents.into_iter().map(|d| d.root).collect(),
        );
        for o in &objs {
            let _ = vigie_parse::kubernetes::workloads(o, vigie_core::catalog::Catalog::embedded());
        }
    }
});
