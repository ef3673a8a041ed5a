//! Matching alone, for the benchmark: every lockfile under a folder against a store.
//! Usage: cargo run --release -p vigie-deps --example match -- DB FOLDER

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, dir] = args.as_slice() else {
        eprintln!("usage: match DB FOLDER");
        std::process::exit(2);
    };
    let start = std::time::Instant::now();
    let lockfiles = vigie_deps::lockfile::find(&PathBuf::from(dir));
    let parsed = start.elapsed();
    let settings = vigie_deps::sup03::Settings {
        path: Some(PathBuf::from(db)),
        max_age_days: 7,
    };
    let a = vigie_deps::sup03::assess(&lockfiles, &settings, time::OffsetDateTime::now_utc());
    let packages: usize = lockfiles.iter().map(|l| l.packages.len()).sum();
    let fails = a.verdicts.iter().filter(|v| v.is_fail()).count();
    println!(
        "{} lockfiles, {packages} packages: read in {:.2}s, matched in {:.2}s; {fails} vulnerable packages, {} passing lockfiles, {} diagnostics",
        lockfiles.len(),
        parsed.as_secs_f64(),
        (start.elapsed() - parsed).as_secs_f64(),
        a.verdicts.len() - fails,
        a.diagnostics.len()
    );
}
