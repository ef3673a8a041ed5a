#![no_main]
//! Arbitrary text as a Helm template (and as the values it reads): parsing and execution must
//! end with output or a diagnostic, never a panic, a hang or an unbounded allocation.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, values) = text.split_once("\n---values---\n").unwrap_or((text, "a: {b: [1, x]}\n"));
    // The engine alone.
    if let Ok(p) = vigie_gotmpl::parse_template("t", template, 0) {
        let mut set = vigie_gotmpl::TemplateSet::default();
        set.add(p);
        let opts = vigie_gotmpl::Options {
            strict: false,
            limits: vigie_gotmpl::Limits {
                steps: 200_000,
                output_bytes: 1 << 20,
                depth: 50,
                nesting: 50,
                list_len: 10_000,
            },
        };
        let dot = vigie_gotmpl::yaml::parse_yaml(values, &mut |_| vigie_gotmpl::Origin::NONE)
            .unwrap_or_else(|_| vigie_gotmpl::Value::nil());
        let mut ex = vigie_gotmpl::Exec::new(&set, &opts, "gotpl".into());
        let _ = ex.execute("t", dot);
    }
    // The whole chart pipeline.
    let mut fs = vigie_helm::MemFs::new();
    fs.add("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
    fs.add("c/values.yaml", values);
    fs.add("c/templates/t.yaml", template);
    let release = vigie_helm::Release {
        limits: vigie_gotmpl::Limits {
            steps: 200_000,
            output_bytes: 1 << 20,
            depth: 50,
            nesting: 50,
            list_len: 10_000,
        },
        ..vigie_helm::Release::default()
    };
    let _ = vigie_helm::render(&fs, "c", &release);
});
