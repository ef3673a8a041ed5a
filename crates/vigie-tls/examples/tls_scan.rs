//! Read and judge every TLS configuration under a folder, without the rest of `vigie scan`:
//! `cargo run --release -p vigie-tls --example tls_scan -- DIR`. Used by bench/tls.sh.

use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else if let Ok(r) = p.strip_prefix(root) {
            out.push(Arc::from(r.to_string_lossy().as_ref()));
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let mut names = Vec::new();
    walk(&root, &root, &mut names);
    names.sort();
    let dir = Dir { root, names };
    let t = std::time::Instant::now();
    let found = scan(&dir, &[]);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    judge::judge(&found, &mut out, &mut notes);
    let fails = out
        .iter()
        .filter(|v| v.outcome == vigie_core::Outcome::Fail)
        .count();
    println!(
        "files: {}\nendpoints: {}\nplain listeners: {}\nproblems: {}\nverdicts: {} ({} failing)\nelapsed: {:.3} s",
        dir.names.len(),
        found.endpoints.len(),
        found.plain.len(),
        found.problems.len() + notes.len(),
        out.len(),
        fails,
        t.elapsed().as_secs_f64()
    );
}
