//! Run the Terraform analysis alone on a folder and print what it found: for profiling the
//! parser, the resolution and the cloud checks without the rest of the scan.
//! `cargo run --release -p vigie-terraform --example tf_analyze -- PATH`

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

fn walk(root: &Path, dir: &Path, out: &mut Vec<Arc<str>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(Arc::from(rel.to_string_lossy().replace('\\', "/")));
        }
    }
}

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let root = Path::new(&root);
    let mut files = Vec::new();
    walk(root, root, &mut files);
    files.sort();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    let t = std::time::Instant::now();
    let out = vigie_terraform::analyze(&vigie_terraform::Input {
        files: &files,
        read: &read,
        compose: &[],
        objects: &[],
        settings: &vigie_terraform::Settings::default(),
        published: &vigie_terraform::published::Published::of_root(root),
    });
    let elapsed = t.elapsed();
    let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for v in &out.verdicts {
        let e = by.entry(v.check).or_default();
        if v.is_pass() { e.0 += 1 } else { e.1 += 1 }
    }
    for (c, (p, f)) in by {
        println!("{c:<10} {p:>6} pass {f:>6} fail");
    }
    println!(
        "{} diagnostics; analysis {:.3} s",
        out.diagnostics.len(),
        elapsed.as_secs_f64()
    );
}
