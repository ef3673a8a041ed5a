//! Fail closed: a configuration the engine cannot read, a damaged object database or a
//! pathological input never turns into a scan that passes or exhausts the machine.

use std::path::Path;
use std::process::Command;
use vigie_core::DiagKind;
use vigie_secrets::engine::Engine;
use vigie_secrets::history::{HistoryOptions, scan_history};
use vigie_secrets::rules::RuleSet;

const KEY: &str = "AKIAZQ3DRSLTWUMN6HGA";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn repo_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["config", "user.email", "dev@example.org"]);
    git(d.path(), &["config", "user.name", "Dev"]);
    git(d.path(), &["config", "commit.gpgsign", "false"]);
    for (name, content) in files {
        std::fs::write(d.path().join(name), content).unwrap();
        git(d.path(), &["add", name]);
    }
    git(d.path(), &["commit", "-q", "-m", "init"]);
    d
}

fn opts(max_size: u64) -> HistoryOptions {
    HistoryOptions {
        since: None,
        branch: None,
        max_size,
        progress: false,
    }
}

#[test]
fn a_malformed_gitleaks_configuration_is_a_blocking_located_error() {
    for (text, line) in [
        ("x [", 1),
        ("[[rules]]\nid = \"a\"\nregex = '''a'''\n\n[oops\n", 5),
    ] {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(".gitleaks.toml"), text).unwrap();
        let setup = vigie_secrets::setup(d.path(), None, Default::default());
        let n = setup
            .notes
            .iter()
            .find(|n| n.blocking)
            .unwrap_or_else(|| panic!("{text:?}: {:?}", setup.notes));
        assert!(n.path.ends_with(".gitleaks.toml"), "{n:?}");
        assert_eq!(n.line, line, "{n:?}");
        assert_eq!(n.kind, DiagKind::Config);
    }
    // A configuration with no usable rule is no better than none.
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(".gitleaks.toml"), "[[rule]]\nid = \"typo\"\n").unwrap();
    let setup = vigie_secrets::setup(d.path(), None, Default::default());
    assert!(setup.notes.iter().any(|n| n.blocking), "{:?}", setup.notes);
    // An unreadable one named explicitly.
    let setup = vigie_secrets::setup(
        d.path(),
        Some(&d.path().join("missing.toml")),
        Default::default(),
    );
    assert!(setup.notes.iter().any(|n| n.blocking), "{:?}", setup.notes);
}

#[test]
fn a_regex_of_200k_alternatives_is_refused_quickly() {
    let words: Vec<String> = (0..200_000).map(|i| format!("w{i:06}")).collect();
    let text = format!(
        "[[rules]]\nid = \"huge\"\nregex = '''(?:{})'''\n[[rules]]\nid = \"small\"\nregex = '''tok_[a-z]{{8}}'''\n",
        words.join("|")
    );
    let set = RuleSet::from_gitleaks("gitleaks.toml", &text);
    assert_eq!(set.rules.len(), 1);
    assert!(
        set.problems
            .iter()
            .any(|p| p.rule == "huge" && p.message.contains("byte limit")),
        "{:?}",
        set.problems
    );
}

#[test]
fn fifty_megabytes_of_a_keyword_run_are_scanned_with_bounded_hits() {
    let e = Engine::new(RuleSet::builtin(), Vec::new());
    let mut data = vec![b'A'; 50 << 20];
    // A real key after the run is still found.
    data.extend_from_slice(format!("\nkey = {KEY}\n").as_bytes());
    let s = e.scan("big.txt", &data, None);
    assert!(
        s.matches.iter().any(|m| m.secret == KEY.as_bytes()),
        "{:?}",
        s.matches
            .iter()
            .map(|m| &e.rules[m.rule].id)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_corrupted_pack_closes_the_gate() {
    let big: Vec<u8> = (0..200_000u32)
        .flat_map(|i| format!("line {i} {}\n", i.wrapping_mul(2654435761)).into_bytes())
        .collect();
    let d = repo_with(&[
        ("a.txt", &big),
        ("b.env", format!("KEY={KEY}\n").as_bytes()),
    ]);
    git(d.path(), &["gc", "-q", "--aggressive"]);
    let pack_dir = d.path().join(".git/objects/pack");
    let pack = std::fs::read_dir(&pack_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .expect("a pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    // Damage the middle of the pack, where the large blob's compressed data lies.
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let mut perm = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&pack, perm).unwrap();
    std::fs::write(&pack, &bytes).unwrap();
    let e = Engine::new(RuleSet::builtin(), Vec::new());
    let out = scan_history(&e, d.path(), &opts(50 << 20)).expect("the repository opens");
    let blocking = out
        .blocking_note()
        .unwrap_or_else(|| panic!("{:?}", out.notes));
    assert!(
        blocking.path.ends_with(".pack") && blocking.message.contains("not assessed"),
        "{blocking:?}"
    );
}

#[test]
fn a_blob_over_the_limit_is_too_large_not_missing() {
    let big = vec![b'x'; 3 << 20];
    let d = repo_with(&[
        ("big.bin", &big),
        ("b.env", format!("KEY={KEY}\n").as_bytes()),
    ]);
    let e = Engine::new(RuleSet::builtin(), Vec::new());
    // Loose objects: looked up one by one, their size read before they are inflated.
    let out = scan_history(&e, d.path(), &opts(1 << 20)).unwrap();
    assert!(out.blocking_note().is_none(), "{:?}", out.notes);
    let n = out
        .notes
        .iter()
        .find(|n| n.kind == DiagKind::TooLarge)
        .unwrap_or_else(|| panic!("{:?}", out.notes));
    assert_eq!(n.path, "big.bin");
    assert_eq!(out.stats.skipped_large, 1);
    assert_eq!(out.findings.len(), 1);
    // Packed: the same.
    git(d.path(), &["gc", "-q"]);
    let out = scan_history(&e, d.path(), &opts(1 << 20)).unwrap();
    assert!(out.blocking_note().is_none(), "{:?}", out.notes);
    assert_eq!(out.stats.skipped_large, 1, "{:?}", out.notes);
}

#[test]
fn a_staged_file_over_the_limit_is_too_large() {
    let d = repo_with(&[("a.txt", b"hello\n")]);
    std::fs::write(d.path().join("big.bin"), vec![b'x'; 2 << 20]).unwrap();
    git(d.path(), &["add", "big.bin"]);
    let e = Engine::new(RuleSet::builtin(), Vec::new());
    let out = vigie_secrets::history::scan_staged(&e, d.path(), 1 << 20).unwrap();
    assert!(out.blocking_note().is_none(), "{:?}", out.notes);
    assert!(
        out.notes
            .iter()
            .any(|n| n.kind == DiagKind::TooLarge && n.path == "big.bin"),
        "{:?}",
        out.notes
    );
    assert_eq!(out.stats.skipped_large, 1);
}
