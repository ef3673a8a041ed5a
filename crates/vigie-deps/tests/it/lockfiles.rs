//! Every lockfile format: names, versions, the line of each package, hashes and the graph.

use std::path::PathBuf;
use vigie_deps::lockfile::{self, Lockfile};

fn fixture(rel: &str) -> (Lockfile, String) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lockfiles")
        .join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    (lockfile::parse(rel, &text).expect("a lockfile"), text)
}

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).expect(needle) as u32 + 1
}

fn names(lf: &Lockfile) -> Vec<String> {
    let mut v: Vec<String> = lf
        .packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    v.sort();
    v
}

fn find<'a>(lf: &'a Lockfile, name: &str, version: &str) -> &'a vigie_deps::Package {
    lf.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name}@{version} in {:?}", names(lf)))
}

fn deps_of(lf: &Lockfile, name: &str, version: &str) -> Vec<String> {
    let mut v: Vec<String> = find(lf, name, version)
        .deps
        .iter()
        .map(|&d| format!("{}@{}", lf.packages[d].name, lf.packages[d].version))
        .collect();
    v.sort();
    v
}

fn roots(lf: &Lockfile) -> Vec<String> {
    let mut v: Vec<String> = lf
        .roots
        .iter()
        .map(|&d| format!("{}@{}", lf.packages[d].name, lf.packages[d].version))
        .collect();
    v.sort();
    v
}

#[test]
fn package_lock_v3_and_v2() {
    for dir in ["npm-v3", "npm-v2"] {
        let (lf, text) = fixture(&format!("{dir}/package-lock.json"));
        assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
        assert_eq!(
            names(&lf),
            [
                "@babel/core@7.24.0",
                "express@4.18.2",
                "lodash@4.17.20",
                "qs@6.11.0",
                "qs@6.5.0"
            ],
            "{dir}: links and workspace members are not packages"
        );
        let lodash = find(&lf, "lodash", "4.17.20");
        assert_eq!(lodash.line, line_of(&text, "\"node_modules/lodash\""));
        assert!(lodash.registry);
        assert_eq!(lodash.hashes[0].alg, "SHA-512");
        assert_eq!(lodash.hashes[0].hex.len(), 128);
        assert_eq!(find(&lf, "qs", "6.5.0").hashes[0].alg, "SHA-1");
        // Node resolution: express's own nested qs, not the top-level one.
        assert_eq!(deps_of(&lf, "express", "4.18.2"), ["qs@6.11.0"]);
        assert_eq!(
            roots(&lf),
            ["@babel/core@7.24.0", "express@4.18.2", "lodash@4.17.20"]
        );
        assert_eq!(lf.root, Some(("web".into(), "1.0.0".into())));
    }
}

#[test]
fn package_lock_v1() {
    let (lf, text) = fixture("npm-v1/package-lock.json");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        [
            "minimist@1.2.0",
            "minimist@1.2.5",
            "mkdirp@0.5.5",
            "my-fork@github:someone/my-fork#abc123",
            "string-width@4.2.3"
        ]
    );
    // mkdirp requires minimist: its own nested copy wins over the top-level one.
    assert_eq!(deps_of(&lf, "mkdirp", "0.5.5"), ["minimist@1.2.0"]);
    assert!(!find(&lf, "my-fork", "github:someone/my-fork#abc123").registry);
    assert!(
        find(&lf, "string-width", "4.2.3").registry,
        "npm: aliases name the real package"
    );
    assert_eq!(
        find(&lf, "minimist", "1.2.5").line,
        line_of(&text, "\"minimist\": {")
    );
}

#[test]
fn yarn_v1() {
    let (lf, text) = fixture("yarn-v1/yarn.lock");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        ["@babel/code-frame@7.22.13", "chalk@2.4.2", "lodash@4.17.19"]
    );
    assert_eq!(
        find(&lf, "lodash", "4.17.19").line,
        line_of(&text, "lodash@^4.17.15")
    );
    assert_eq!(
        deps_of(&lf, "@babel/code-frame", "7.22.13"),
        ["chalk@2.4.2"]
    );
    assert_eq!(
        find(&lf, "chalk", "2.4.2").hashes[0].alg,
        "SHA-1",
        "the resolved URL's sha1 when no integrity"
    );
    assert_eq!(find(&lf, "lodash", "4.17.19").hashes[0].alg, "SHA-512");
}

#[test]
fn yarn_berry() {
    let (lf, text) = fixture("yarn-berry/yarn.lock");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(names(&lf), ["lodash@4.17.20", "minimist@1.2.5"]);
    assert_eq!(
        find(&lf, "minimist", "1.2.5").line,
        line_of(&text, "\"minimist@npm:1.2.5")
    );
    assert_eq!(deps_of(&lf, "minimist", "1.2.5"), ["lodash@4.17.20"]);
    assert_eq!(roots(&lf), ["lodash@4.17.20", "minimist@1.2.5"]);
    assert_eq!(lf.root.as_ref().map(|r| r.0.as_str()), Some("app"));
}

#[test]
fn pnpm_v6_and_v9() {
    let (lf, text) = fixture("pnpm-v6/pnpm-lock.yaml");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        ["@types/react@18.2.0", "csstype@3.1.2", "lodash@4.17.20"]
    );
    assert_eq!(
        find(&lf, "lodash", "4.17.20").line,
        line_of(&text, "/lodash@4.17.20:")
    );
    assert_eq!(deps_of(&lf, "@types/react", "18.2.0"), ["csstype@3.1.2"]);
    assert_eq!(roots(&lf), ["@types/react@18.2.0", "lodash@4.17.20"]);

    let (lf, text) = fixture("pnpm-v9/pnpm-lock.yaml");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        [
            "express@4.18.2",
            "qs@6.11.0",
            "react-dom@18.2.0",
            "react@18.2.0"
        ]
    );
    assert_eq!(
        find(&lf, "qs", "6.11.0").line,
        line_of(&text, "  qs@6.11.0:")
    );
    assert_eq!(deps_of(&lf, "express", "4.18.2"), ["qs@6.11.0"]);
    assert_eq!(deps_of(&lf, "react-dom", "18.2.0"), ["react@18.2.0"]);
    assert_eq!(roots(&lf), ["express@4.18.2", "react-dom@18.2.0"]);
}

#[test]
fn cargo_lock() {
    let (lf, text) = fixture("cargo/Cargo.lock");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        [
            "app@0.1.0",
            "forked@0.1.0",
            "smallvec@0.6.13",
            "smallvec@1.6.0",
            "time@0.1.45"
        ]
    );
    let t = find(&lf, "time", "0.1.45");
    assert_eq!(t.line, line_of(&text, "name = \"time\""));
    assert_eq!(t.hashes[0].alg, "SHA-256");
    assert!(t.registry);
    assert!(
        !find(&lf, "app", "0.1.0").registry,
        "workspace members are not matched"
    );
    assert!(
        !find(&lf, "forked", "0.1.0").registry,
        "git sources are not matched"
    );
    assert_eq!(
        deps_of(&lf, "app", "0.1.0"),
        ["smallvec@1.6.0", "time@0.1.45"]
    );
    assert_eq!(deps_of(&lf, "time", "0.1.45"), ["smallvec@0.6.13"]);
    assert_eq!(roots(&lf), ["smallvec@1.6.0", "time@0.1.45"]);
}

#[test]
fn poetry_lock() {
    let (lf, text) = fixture("poetry/poetry.lock");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        [
            "asgiref@3.7.2",
            "django@4.2.0",
            "internal-tools@0.1.0",
            "sqlparse@0.4.4"
        ]
    );
    let d = find(&lf, "django", "4.2.0");
    assert_eq!(d.line, line_of(&text, "name = \"django\""));
    assert_eq!(d.hashes.len(), 2);
    assert_eq!(
        deps_of(&lf, "django", "4.2.0"),
        ["asgiref@3.7.2", "sqlparse@0.4.4"]
    );
    assert!(!find(&lf, "internal-tools", "0.1.0").registry);
}

#[test]
fn requirements() {
    let (lf, text) = fixture("pip/requirements.txt");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        ["Jinja2@2.10.1", "requests@2.19.0", "urllib3@1.24.1"]
    );
    assert_eq!(
        find(&lf, "requests", "2.19.0").line,
        line_of(&text, "requests[security]")
    );
    assert_eq!(
        find(&lf, "Jinja2", "2.10.1").hashes.len(),
        1,
        "--hash on a continuation line"
    );
    let unpinned: Vec<(&str, u32)> = lf
        .unpinned
        .iter()
        .map(|u| (u.name.as_str(), u.line))
        .collect();
    assert_eq!(
        unpinned,
        [
            ("flask", line_of(&text, "flask>=")),
            ("pyyaml", line_of(&text, "pyyaml")),
            (
                "git+https://github.com/someone/lib.git#egg=lib",
                line_of(&text, "-e git")
            )
        ]
    );
    assert!(lockfile::Kind::of("requirements-dev.txt").is_some());
    assert!(lockfile::Kind::of("requirements/prod.txt").is_some());
    assert!(lockfile::Kind::of("notes.txt").is_none());
}

#[test]
fn go_sum() {
    let (lf, text) = fixture("go/go.sum");
    assert!(lf.diagnostics.is_empty(), "{:?}", lf.diagnostics);
    assert_eq!(
        names(&lf),
        [
            "github.com/docker/docker@v20.10.0+incompatible",
            "golang.org/x/net@v0.0.0-20220225172249-27dd8689420f",
            "golang.org/x/text@v0.14.0"
        ],
        "one package per module version; versions only named by /go.mod lines are not built"
    );
    assert_eq!(
        find(&lf, "golang.org/x/text", "v0.14.0").line,
        line_of(&text, "golang.org/x/text v0.14.0 h1")
    );
}

#[test]
fn bad_input_gives_located_diagnostics_and_keeps_the_rest() {
    // Truncated JSON: the parse error is located; nothing panics.
    let lf = lockfile::parse("package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"},\n").unwrap();
    assert!(!lf.diagnostics.is_empty());
    assert!(lf.diagnostics[0].location.line >= 1);
    // An unknown lockfile version is read as the newest, with a diagnostic.
    let lf = lockfile::parse(
        "package-lock.json",
        "{\"lockfileVersion\": 7, \"packages\": {\"node_modules/a\": {\"version\": \"1.0.0\"}}}",
    )
    .unwrap();
    assert_eq!(lf.packages.len(), 1);
    assert!(
        lf.diagnostics[0].message.contains("lockfileVersion 7"),
        "{:?}",
        lf.diagnostics
    );
    // A package without a version is reported at its line; the others are kept.
    let lf = lockfile::parse("package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {\n\"node_modules/a\": {},\n\"node_modules/b\": {\"version\": \"2.0.0\"}}}").unwrap();
    assert_eq!(names(&lf), ["b@2.0.0"]);
    assert_eq!(lf.diagnostics[0].location.line, 2);
    // Broken TOML: one located diagnostic.
    let lf = lockfile::parse("Cargo.lock", "[[package]]\nname = \"a\"\nversion = \n").unwrap();
    assert_eq!(lf.diagnostics.len(), 1);
    assert_eq!(lf.diagnostics[0].location.line, 3);
    // yarn v1 garbage line, go.sum bad line.
    let lf = lockfile::parse("yarn.lock", "what is this\na@^1:\n  version \"1.0.0\"\n").unwrap();
    assert_eq!(names(&lf), ["a@1.0.0"]);
    assert_eq!(lf.diagnostics[0].location.line, 1);
    let lf = lockfile::parse("go.sum", "example.com/m v1.0.0 h1:x=\nnonsense\n").unwrap();
    assert_eq!(lf.packages.len(), 1);
    assert_eq!(lf.diagnostics[0].location.line, 2);
    // Invalid YAML in pnpm: located.
    let lf = lockfile::parse(
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {resolution: [\n",
    )
    .unwrap();
    assert!(!lf.diagnostics.is_empty());
}

#[test]
fn arbitrary_bytes_never_panic() {
    let samples = [
        "",
        "{",
        "[]",
        "null",
        "\"x\"",
        "{\"lockfileVersion\": \"x\"}",
        "{\"packages\": []}",
        "{\"dependencies\": {\"a\": 1}}",
        ":::",
        "\u{feff}",
        "packages:\n  - 1\n",
        "[[package]]\n",
        "a==",
        "==1",
        "x v h1:",
    ];
    for kind in [
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Cargo.lock",
        "poetry.lock",
        "requirements.txt",
        "go.sum",
    ] {
        for s in samples {
            let _ = lockfile::parse(kind, s);
        }
    }
}
