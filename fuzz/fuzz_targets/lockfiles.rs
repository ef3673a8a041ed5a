#![no_main]
//! Every lockfile format vigie reads, each fed the same bytes.
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Cargo.lock",
    "go.sum",
    "poetry.lock",
    "requirements.txt",
    "Pipfile.lock",
    "uv.lock",
    "composer.lock",
    "Gemfile.lock",
    "gradle.lockfile",
    "packages.lock.json",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for n in NAMES {
        let _ = vigie_deps::lockfile::parse(n, text);
    }
});
