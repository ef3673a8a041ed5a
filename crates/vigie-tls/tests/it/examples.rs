//! The example platforms: the hardened variants pass every TLS check, the gaps variants fail
//! where their configurations say so.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_core::{Outcome, Verdict};
use vigie_tls::{Files, judge, scan};

struct Dir {
    root: PathBuf,
    names: Vec<Arc<str>>,
}

impl Files for Dir {
    fn list(&self) -> &[Arc<str>] {
        &self.names
    }
    fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(rel)).ok()
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Arc<str>>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            out.push(Arc::from(
                p.strip_prefix(root).unwrap().to_string_lossy().as_ref(),
            ));
        }
    }
}

fn example(name: &str) -> Vec<Verdict> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let mut names = Vec::new();
    walk(&root, &root, &mut names);
    names.sort();
    let dir = Dir { root, names };
    // Kubernetes objects as the scan hands them over.
    let mut objects = Vec::new();
    for n in dir.names.iter().filter(|n| n.ends_with(".yaml")) {
        let s = vigie_parse::yaml::parse(&dir.read(n).unwrap());
        let os =
            vigie_parse::kubernetes::objects(n, s.documents.into_iter().map(|d| d.root).collect());
        objects.extend(os.into_iter().filter(vigie_tls::kube::keep));
    }
    let found = scan(&dir, &objects);
    assert!(found.problems.is_empty(), "{name}: {:?}", found.problems);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    judge::judge(&found, &mut out, &mut notes);
    assert!(
        notes.is_empty(),
        "{name}: {:?}",
        notes.iter().map(|n| &n.message).collect::<Vec<_>>()
    );
    out
}

fn fails(vs: &[Verdict]) -> Vec<String> {
    vs.iter()
        .filter(|v| v.outcome == Outcome::Fail)
        .map(|v| format!("{} {} {}: {}", v.check, v.subject, v.location, v.message))
        .collect()
}

#[test]
fn hardened_variants_pass() {
    for name in ["compose-hardened", "k8s-hardened"] {
        let vs = example(name);
        assert!(vs.len() >= 8, "{name}: {} verdicts", vs.len());
        assert_eq!(fails(&vs), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn gaps_variants_fail_where_expected() {
    let vs = example("compose-gaps");
    let f = fails(&vs);
    assert!(
        f.iter()
            .any(|m| m.starts_with("CRY-01 proxy/nginx.conf") && m.contains("TLSv1, TLSv1.1")),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|m| m.starts_with("CRY-01 traefik/dynamic.yml")),
        "{f:#?}"
    );
    assert!(
        f.iter().any(|m| m.starts_with("CRY-02 traefik/dynamic.yml")
            && m.contains("TLS_RSA_WITH_3DES_EDE_CBC_SHA")),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|m| m.starts_with("CRY-03.1 traefik/traefik.yml")),
        "{f:#?}"
    );
    let vs = example("k8s-gaps");
    let f = fails(&vs);
    for c in [
        "CRY-01 ",
        "CRY-02.1 ",
        "CRY-03.2 ",
        "CRY-03.3 ",
        "CRY-03.5 ",
    ] {
        assert!(f.iter().any(|m| m.starts_with(c)), "{c}: {f:#?}");
    }
}
