//! History, staged and bare-repository scans on temporary git repositories made with `git`.

use std::path::Path;
use std::process::Command;
use vigie_secrets::engine::Engine;
use vigie_secrets::history::{HistoryOptions, scan_history, scan_staged};
use vigie_secrets::rules::RuleSet;

const KEY_A: &str = "AKIAZQ3DRSLTWUMN6HGA";
const KEY_B: &str = "AKIAY34FZKBOKMUTVV7B";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
        .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["config", "user.email", "dev@example.org"]);
    git(d.path(), &["config", "user.name", "Dev"]);
    git(d.path(), &["config", "commit.gpgsign", "false"]);
    d
}

fn commit(dir: &Path, file: &str, content: Option<&str>, msg: &str) -> String {
    let p = dir.join(file);
    match content {
        Some(c) => {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(&p, c).unwrap();
            git(dir, &["add", file]);
        }
        None => {
            git(dir, &["rm", "-q", file]);
        }
    }
    git(dir, &["commit", "-q", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

fn engine() -> Engine {
    Engine::new(RuleSet::builtin(), Vec::new())
}

fn opts() -> HistoryOptions {
    HistoryOptions {
        max_size: 50 << 20,
        ..HistoryOptions::default()
    }
}

#[test]
fn secret_added_then_removed_is_found_in_history_only() {
    let d = repo();
    let c1 = commit(
        d.path(),
        "config/app.yml",
        Some(&format!("aws_key: {KEY_A}\n")),
        "add config",
    );
    commit(d.path(), "config/app.yml", None, "remove config");
    commit(d.path(), "README.md", Some("hello\n"), "readme");
    let e = engine();
    let wt = vigie_secrets::scan_worktree(&e, d.path(), false, 50 << 20);
    assert!(wt.findings.is_empty());
    let h = scan_history(&e, d.path(), &opts()).unwrap();
    assert_eq!(h.findings.len(), 1, "{:#?}", h.findings);
    let f = &h.findings[0];
    assert!(f.rule_id.contains("aws-access-key"), "{}", f.rule_id);
    assert_eq!(f.locations.len(), 1);
    let l = &f.locations[0];
    assert_eq!(l.path, "config/app.yml");
    assert_eq!((l.line, l.column), (1, 10));
    assert_eq!(l.commit.as_ref().unwrap().id, c1);
    assert_eq!(l.commit.as_ref().unwrap().date, "2024-01-02T03:04:05Z");
    assert_eq!(f.present_at_head(), Some(false));
    assert_eq!(h.stats.commits, 3);
}

#[test]
fn same_secret_in_two_commits_is_one_finding_with_two_locations_packed() {
    let d = repo();
    let c1 = commit(
        d.path(),
        "a.env.yml",
        Some(&format!("key: {KEY_A}\n")),
        "one",
    );
    let c2 = commit(
        d.path(),
        "b/settings.yml",
        Some(&format!("# other\nkey: {KEY_A}\n")),
        "two",
    );
    // Packs are traversed rather than looked up object by object.
    git(d.path(), &["gc", "-q", "--aggressive"]);
    let h = scan_history(&engine(), d.path(), &opts()).unwrap();
    assert_eq!(h.findings.len(), 1, "{:#?}", h.findings);
    let f = &h.findings[0];
    assert_eq!(f.locations.len(), 2);
    let commits: Vec<_> = f
        .locations
        .iter()
        .map(|l| l.commit.clone().unwrap().id)
        .collect();
    assert!(commits.contains(&c1) && commits.contains(&c2));
    assert_eq!(f.present_at_head(), Some(true));
    assert!(
        f.locations
            .iter()
            .any(|l| l.path == "b/settings.yml" && l.line == 2)
    );
}

#[test]
fn since_limits_to_later_commits_and_branch_to_one_branch() {
    let d = repo();
    commit(d.path(), "old.yml", Some(&format!("k: {KEY_A}\n")), "old");
    let mid = commit(d.path(), "notes.txt", Some("nothing\n"), "mid");
    commit(d.path(), "new.yml", Some(&format!("k: {KEY_B}\n")), "new");
    let h = scan_history(
        &engine(),
        d.path(),
        &HistoryOptions {
            since: Some(mid.clone()),
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(h.findings.len(), 1, "{:#?}", h.findings);
    assert_eq!(h.findings[0].secret, KEY_B.as_bytes());

    // A secret only on another branch: found with every ref, not with --branch main.
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    commit(
        d.path(),
        "feat.yml",
        Some("k: AKIAQWERTYUIOPASDFG2\n"),
        "feature",
    );
    git(d.path(), &["checkout", "-q", "main"]);
    let all = scan_history(&engine(), d.path(), &opts()).unwrap();
    assert_eq!(all.findings.len(), 3);
    let main = scan_history(
        &engine(),
        d.path(),
        &HistoryOptions {
            branch: Some("main".into()),
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(main.findings.len(), 2);
}

#[test]
fn staged_scans_only_staged_changes() {
    let d = repo();
    commit(
        d.path(),
        "committed.yml",
        Some(&format!("k: {KEY_A}\n")),
        "c",
    );
    std::fs::write(d.path().join("staged.yml"), format!("k: {KEY_B}\n")).unwrap();
    git(d.path(), &["add", "staged.yml"]);
    std::fs::write(d.path().join("unstaged.yml"), "k: AKIAQWERTYUIOPASDFG2\n").unwrap();
    let s = scan_staged(&engine(), d.path(), 50 << 20).unwrap();
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
    assert_eq!(s.findings[0].locations[0].path, "staged.yml");
}

#[test]
fn bare_mirror_stash_and_tags_are_scanned() {
    let d = repo();
    commit(d.path(), "a.txt", Some("hello\n"), "a");
    git(d.path(), &["tag", "-a", "v1", "-m", "v1"]);
    std::fs::write(d.path().join("a.txt"), format!("k: {KEY_B}\n")).unwrap();
    git(d.path(), &["stash", "-q"]);
    let h = scan_history(&engine(), d.path(), &opts()).unwrap();
    assert_eq!(
        h.findings.len(),
        1,
        "stash content is scanned: {:#?}",
        h.findings
    );

    let m = tempfile::tempdir().unwrap();
    let bare = m.path().join("mirror.git");
    commit(d.path(), "b.txt", Some(&format!("k: {KEY_A}\n")), "b");
    let out = Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(d.path())
        .arg(&bare)
        .output()
        .unwrap();
    assert!(out.status.success());
    let h = scan_history(&engine(), &bare, &opts()).unwrap();
    assert!(h.findings.iter().any(|f| f.secret == KEY_A.as_bytes()));
}

#[test]
fn empty_repository_and_detached_head_give_notes() {
    let d = repo();
    let h = scan_history(&engine(), d.path(), &opts()).unwrap();
    assert!(h.findings.is_empty());
    assert!(
        h.notes.iter().any(|n| n.message.contains("no commits")),
        "{:?}",
        h.notes
    );

    let c1 = commit(d.path(), "a.yml", Some(&format!("k: {KEY_A}\n")), "a");
    commit(d.path(), "b.txt", Some("b\n"), "b");
    git(d.path(), &["checkout", "-q", &c1]);
    let h = scan_history(&engine(), d.path(), &opts()).unwrap();
    assert_eq!(h.findings.len(), 1);
    assert!(
        h.notes.iter().any(|n| n.message.contains("detached")),
        "{:?}",
        h.notes
    );
}

#[test]
fn shallow_clone_is_noted_and_scanned() {
    let d = repo();
    commit(d.path(), "a.yml", Some(&format!("k: {KEY_A}\n")), "a");
    commit(d.path(), "b.yml", Some(&format!("k: {KEY_B}\n")), "b");
    let m = tempfile::tempdir().unwrap();
    let shallow = m.path().join("shallow");
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", d.path().display()))
        .arg(&shallow)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h = scan_history(&engine(), &shallow, &opts()).unwrap();
    assert!(
        h.notes.iter().any(|n| n.message.contains("shallow")),
        "{:?}",
        h.notes
    );
    // Both files are in the one fetched commit's tree.
    assert_eq!(h.findings.len(), 2);
}

#[test]
fn not_a_repository_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    assert!(scan_history(&engine(), d.path(), &opts()).is_err());
}

/// Versions of a file that the pack stores as deltas of one another are scanned as the whole
/// files they are: each version's secrets at its own lines and columns, in the commit that made
/// the version, exactly as scanning every version from scratch finds them.
#[test]
fn versions_stored_as_deltas_are_scanned_as_whole_files() {
    let d = repo();
    let mut seed = 5u64;
    let mut key = || {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let tail: String = (0..16)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                alphabet[(seed >> 33) as usize % alphabet.len()] as char
            })
            .collect();
        format!("AKIA{tail}")
    };
    let mut lines: Vec<String> = (0..300)
        .map(|i| format!("  setting_{i}: value {i}, env {i}, see https://example.org/{i}\n"))
        .collect();
    for v in 0..12 {
        let at = (v * 23 + 7) % lines.len();
        lines.insert(at, format!("  aws_key_{v}: {}\n", key()));
        lines[(v * 41) % 300] = format!("  setting_changed_{v}: {}\n", key());
        lines.remove((v * 17 + 100) % lines.len());
        commit(
            d.path(),
            "values.yaml",
            Some(&lines.concat()),
            &format!("v{v}"),
        );
    }
    git(d.path(), &["gc", "-q", "--aggressive"]);
    let pack = std::fs::read_dir(d.path().join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let listing = git(d.path(), &["verify-pack", "-v", pack.to_str().unwrap()]);
    let deltas = listing
        .lines()
        .filter(|l| {
            l.split_whitespace().nth(1) == Some("blob") && l.split_whitespace().count() == 7
        })
        .count();
    assert!(deltas >= 8, "{listing}");

    let e = engine();
    let mut want = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in git(d.path(), &["log", "--reverse", "--format=%H"]).lines() {
        let blob = git(d.path(), &["rev-parse", &format!("{c}:values.yaml")]);
        if !seen.insert(blob.clone()) {
            continue;
        }
        // Read as bytes: `git` trims its output.
        let content = Command::new("git")
            .arg("-C")
            .arg(d.path())
            .args(["cat-file", "blob", &blob])
            .output()
            .unwrap()
            .stdout;
        for m in e.scan("values.yaml", &content, Some(c)).matches {
            want.push((m.secret, m.line, m.column, c.to_string()));
        }
    }
    let out = scan_history(&e, d.path(), &opts()).unwrap();
    let mut got: Vec<_> = out
        .findings
        .iter()
        .flat_map(|f| {
            f.locations.iter().map(|l| {
                (
                    f.secret.clone(),
                    l.line,
                    l.column,
                    l.commit.as_ref().unwrap().id.clone(),
                )
            })
        })
        .collect();
    got.sort();
    want.sort();
    assert!(want.len() >= 24, "{}", want.len());
    assert_eq!(got, want);
}
