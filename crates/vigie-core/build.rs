//! Embeds the catalogue (`catalog/` at the workspace root) into the binary: every
//! `catalog/frameworks/*.toml` is listed here, so adding a framework needs no code change.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let catalog = manifest.join("../../catalog");
    println!("cargo:rerun-if-changed={}", catalog.display());
    println!(
        "cargo:rerun-if-changed={}",
        catalog.join("frameworks").display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(catalog.join("frameworks"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut out = String::from("pub(crate) static FRAMEWORK_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = f.canonicalize().expect("framework file readable");
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .expect("write to string");
    }
    out.push_str("];\n");
    for (konst, file) in [
        ("CONTROLS_TOML", "controls.toml"),
        ("IMAGES_TOML", "images.toml"),
    ] {
        let p = catalog.join(file);
        println!("cargo:rerun-if-changed={}", p.display());
        if p.exists() {
            let abs = p.canonicalize().expect("catalog file readable");
            writeln!(
                out,
                "pub(crate) static {konst}: &str = include_str!({:?});",
                abs.display().to_string()
            )
            .expect("write");
        } else {
            writeln!(out, "pub(crate) static {konst}: &str = \"\";").expect("write");
        }
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("catalog_files.rs");
    std::fs::write(dest, out).expect("write catalog_files.rs");
}
