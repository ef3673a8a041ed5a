//! `cargo run -p vigie-kustomize --example kustomize-build -- DIR`: print what vigie builds
//! from a kustomization (as `kubectl kustomize DIR` prints it), diagnostics on stderr.

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: kustomize-build DIR");
        std::process::exit(2);
    };
    let built = vigie_kustomize::build(std::path::Path::new(&dir));
    print!("{}", vigie_kustomize::to_yaml(&built));
    for d in &built.diagnostics {
        eprintln!("{}: {}: {}", d.location, d.code, d.message);
    }
    if let Some(f) = &built.failure {
        eprintln!("Error: {f}");
        std::process::exit(1);
    }
}
