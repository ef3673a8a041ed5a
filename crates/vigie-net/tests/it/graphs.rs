//! The pictures of the four example platforms, held as snapshots, and the SVG/HTML checked as
//! well-formed XML.

use std::path::PathBuf;
use vigie_net::render::{self, View};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn pictures(name: &str) -> (String, String, String, String, usize) {
    let loaded = vigie_net::load::load(&example(name));
    let g = vigie_net::build_with_files(
        &loaded.projects,
        &loaded.objects,
        &loaded.pods.iter().collect::<Vec<_>>(),
        &loaded.roles,
        &loaded.files,
    );
    let j = vigie_net::judge(&g);
    let v = View::new(&g, &j);
    (
        render::dot(&v),
        render::mermaid(&v),
        render::svg(&v),
        render::html(&v, &j, name),
        g.workloads.len(),
    )
}

/// Parse with quick-xml to the end; count the elements with `class="node"`.
fn well_formed(xml: &str) -> usize {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut nodes = 0;
    let mut depth: i64 = 0;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                depth += 1;
                if e.attributes()
                    .flatten()
                    .any(|a| a.key.as_ref() == b"class" && a.value.as_ref() == b"node")
                {
                    nodes += 1;
                }
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", r.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unbalanced elements");
    nodes
}

macro_rules! graph_snapshots {
    ($name:ident, $example:literal) => {
        #[test]
        fn $name() {
            let (dot, mermaid, svg, html, n) = pictures($example);
            insta::assert_snapshot!(concat!(stringify!($name), "_dot"), dot);
            insta::assert_snapshot!(concat!(stringify!($name), "_mermaid"), mermaid);
            // every workload and the outside world are drawn
            assert_eq!(well_formed(&svg), n + 1);
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            // the page is self-contained: no external resource
            assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
            let start = html.find("<svg").unwrap();
            let end = html.find("</svg>").unwrap() + 6;
            assert_eq!(well_formed(&html[start..end]), n + 1);
        }
    };
}

graph_snapshots!(compose_hardened, "compose-hardened");
graph_snapshots!(compose_gaps, "compose-gaps");
graph_snapshots!(k8s_hardened, "k8s-hardened");
graph_snapshots!(k8s_gaps, "k8s-gaps");

#[test]
fn svg_escapes_hostile_names() {
    let ps = {
        let text = "services:\n  \"a<b&c\":\n    image: \"x/\\\"q'\"\n    ports: [\"80:80\"]\n";
        let reader = move |p: &str| (p == "docker-compose.yml").then(|| text.to_string());
        vec![vigie_parse::compose::load(
            &["docker-compose.yml".to_string()],
            &reader,
        )]
    };
    let g = vigie_net::build(&ps, &[], &vigie_net::DeclaredRoles::default());
    let j = vigie_net::judge(&g);
    let svg = render::svg(&View::new(&g, &j));
    assert_eq!(well_formed(&svg), 2);
    assert!(svg.contains("a&lt;b&amp;c"));
}

/// The `x`, `y`, `width`, `height` of every edge label's background in an SVG picture.
fn label_boxes(svg: &str) -> Vec<(f64, f64, f64, f64)> {
    let attr = |s: &str, name: &str| -> f64 {
        let k = format!(" {name}=\"");
        let i = s.find(&k).unwrap() + k.len();
        s[i..i + s[i..].find('"').unwrap()].parse().unwrap()
    };
    svg.lines()
        .filter(|l| l.starts_with("<g class=\"edge\"") && l.contains("<rect"))
        .map(|l| {
            let r = &l[l.find("<rect").unwrap()..];
            (
                attr(r, "x"),
                attr(r, "y"),
                attr(r, "width"),
                attr(r, "height"),
            )
        })
        .collect()
}

#[test]
fn svg_labels_do_not_overlap_and_the_legend_is_complete() {
    for name in [
        "compose-gaps",
        "compose-hardened",
        "k8s-gaps",
        "k8s-hardened",
    ] {
        let (_, _, svg, _, _) = pictures(name);
        let b = label_boxes(&svg);
        assert!(!b.is_empty(), "{name}: no edge label");
        for (i, a) in b.iter().enumerate() {
            for c in &b[i + 1..] {
                let overlap =
                    a.0 < c.0 + c.2 && c.0 < a.0 + a.2 && a.1 < c.1 + c.3 && c.1 < a.1 + a.3;
                assert!(!overlap, "{name}: labels at {a:?} and {c:?} overlap");
            }
        }
        for item in [
            "passes its NET checks",
            "fails a NET check",
            "no NET check applies",
            "database",
            "allowed flow",
            "exposure",
            "flow or exposure that breaks a control",
        ] {
            assert!(
                svg.contains(&format!(">{item}</text>")),
                "{name}: legend lacks {item}"
            );
        }
    }
}
