//! `cargo run -p vigie-kustomize --example kustomize-build -- DIR...`: print what vigie builds
//! from each kustomization (as `kubectl kustomize DIR` prints it), diagnostics on stderr; exits
//! 1 when Kustomize would refuse one of them. Several folders are built in one process (for
//! bench/kustomize.sh).

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: kustomize-build DIR...");
        std::process::exit(2);
    }
    let mut failed = false;
    let mut objects = 0;
    for dir in &dirs {
        let built = vigie_kustomize::build(std::path::Path::new(dir));
        objects += built.objects.len();
        print!("{}", vigie_kustomize::to_yaml(&built));
        for d in &built.diagnostics {
            eprintln!("{}: {}: {}", d.location, d.code, d.message);
        }
        if let Some(f) = &built.failure {
            eprintln!("Error: {f}");
            failed = true;
        }
    }
    if dirs.len() > 1 {
        eprintln!("{} kustomizations built, {objects} objects", dirs.len());
    }
    if failed {
        std::process::exit(1);
    }
}
