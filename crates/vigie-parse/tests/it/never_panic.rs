//! Property tests: no input makes a parser or the lowering panic.

use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use vigie_core::SourceFile;
use vigie_core::catalog::Catalog;
use vigie_parse::{compose, dockerfile::Dockerfile, interp, kubernetes, suppress, yaml};

/// Strings made of the characters that matter to YAML and Dockerfiles.
fn yamlish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "a",
        "b:",
        " ",
        "  ",
        "\n",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&x ",
        "*x",
        "<<: ",
        "'",
        "\"",
        "#",
        "|",
        ">",
        "---\n",
        "!reset ",
        "!!str ",
        "? ",
        "apiVersion: v1\n",
        "kind: Pod\n",
        "spec:\n",
        "containers:\n",
        "securityContext:",
        "services:\n",
        "x:\n",
        "${A:-b}",
        "é",
        "\t",
        "FROM ",
        "USER ",
        "RUN ",
        "<<EOF\n",
        "EOF\n",
        "\\\n",
        "ARG ",
        "ENV ",
        "=",
    ]);
    prop::collection::vec(atoms, 0..64).prop_map(|v| v.concat())
}

fn lower_everything(text: &str) {
    let s = yaml::parse(text);
    let docs: Vec<_> = s.documents.into_iter().map(|d| d.root).collect();
    for d in &docs {
        let _ = d.to_json();
    }
    let objs = kubernetes::objects(&Arc::from("f.yaml"), docs);
    for o in &objs {
        let _ = kubernetes::workloads(o, Catalog::embedded());
        let _ = suppress::annotation(o);
    }
    let t = text.to_string();
    let reader = move |p: &str| (p == "compose.yaml").then(|| t.clone());
    let p = compose::load(&["compose.yaml".to_string()], &reader);
    let df = Dockerfile::parse(Arc::new(SourceFile::new("Dockerfile", text.to_string())));
    let mut map = HashMap::new();
    if let Ok(d) = &df {
        map.insert("Dockerfile", d);
        for i in 0..d.stages.len() {
            let _ = d.stage_user(i, &BTreeMap::new());
            let _ = d.base_image(i, &BTreeMap::new());
        }
    }
    let _ = compose::lower(&p, &map, Catalog::embedded());
    let _ = suppress::comments(&SourceFile::new("x", text.to_string()));
    let _ = interp::substitute(text, &BTreeMap::new(), interp::Dialect::Compose);
    let _ = interp::parse_env_file(text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        lower_everything(&text);
    }

    #[test]
    fn yaml_shaped_text_never_panics(text in yamlish()) {
        lower_everything(&text);
    }
}
