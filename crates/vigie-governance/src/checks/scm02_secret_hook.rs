//! SCM-02: a pre-commit hook runs a secret scanner.

use crate::Out;
use crate::model::Model;
use std::sync::Arc;
use vigie_core::{CheckDoc, Severity};
use vigie_core::{Location, Verdict};
use vigie_parse::yaml::{self, Node};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SCM-02",
    title: "A secret-scanning pre-commit hook is configured",
    severity: Severity::Medium,
    applies_to: &["pre-commit", "husky", "lefthook"],
    what: "`.pre-commit-config.yaml` runs a secret scanner (vigie, gitleaks, trufflehog, \
           detect-secrets, git-secrets, ggshield), or a husky or lefthook pre-commit hook does.",
    why: "A secret caught before the commit never reaches the history, where it would have to \
          be rotated and purged.",
    fix: "Add the gitleaks (or trufflehog, detect-secrets) hook to `.pre-commit-config.yaml` and \
          have every developer run `pre-commit install`.",
    failing: (
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: trailing-whitespace\n",
    ),
    passing: (
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.21.2\n    hooks:\n      - id: gitleaks\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (repo, is_git) = (m.repo, m.is_git);
    let mut seen = false;
    for rel in repo.files.iter().copied() {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let kind = if rel == ".pre-commit-config.yaml" || rel == ".pre-commit-config.yml" {
            "pre-commit"
        } else if rel.starts_with(".husky/") && !name.starts_with('_') && !name.contains('.') {
            "husky"
        } else if !rel.contains('/')
            && matches!(
                name,
                "lefthook.yml"
                    | ".lefthook.yml"
                    | "lefthook.yaml"
                    | ".lefthook.yaml"
                    | "lefthook-local.yml"
            )
        {
            "lefthook"
        } else {
            continue;
        };
        let Some(text) = (repo.read)(rel) else {
            continue;
        };
        seen = true;
        let path: Arc<str> = Arc::from(rel);
        let mut hit: Option<(String, Location)> = None;
        match kind {
            "pre-commit" => {
                let stream = yaml::parse(&text);
                for d in &stream.documents {
                    for r in d.root.get("repos").map(Node::items).unwrap_or(&[]) {
                        let url = r.get("repo").and_then(Node::as_str).unwrap_or("");
                        for h in r.get("hooks").map(Node::items).unwrap_or(&[]) {
                            let id = h.get("id");
                            let words = format!(
                                "{url} {} {}",
                                id.and_then(Node::as_str).unwrap_or(""),
                                h.get("entry").and_then(Node::as_str).unwrap_or("")
                            );
                            if hit.is_none()
                                && let Some(s) = scanner_in(&words)
                            {
                                let p = id.map_or(h.pos, |n| n.pos);
                                hit = Some((
                                    s.to_string(),
                                    Location::new(path.clone(), p.line, p.col),
                                ));
                            }
                        }
                    }
                }
            }
            "lefthook" => {
                let stream = yaml::parse(&text);
                for d in &stream.documents {
                    for stage in ["pre-commit", "pre-push"] {
                        for c in d
                            .root
                            .path(&[stage, "commands"])
                            .map(Node::entries)
                            .unwrap_or(&[])
                        {
                            let run = c.value.get("run");
                            if hit.is_none()
                                && let Some(s) = run.and_then(Node::as_str).and_then(scanner_in)
                            {
                                let p = run.map_or(c.key_pos, |n| n.pos);
                                hit = Some((
                                    s.to_string(),
                                    Location::new(path.clone(), p.line, p.col),
                                ));
                            }
                        }
                    }
                }
            }
            _ => {
                for (i, l) in text.lines().enumerate() {
                    if l.trim_start().starts_with('#') {
                        continue;
                    }
                    if let Some(s) = scanner_in(l) {
                        hit = Some((s.to_string(), Location::new(path.clone(), i as u32 + 1, 1)));
                        break;
                    }
                }
            }
        }
        match hit {
            Some((s, at)) => out.verdicts.push(Verdict::pass(
                &DOC,
                rel.to_string(),
                at,
                format!("the {kind} hook runs {s} before each commit"),
            )),
            None => out.verdicts.push(Verdict::fail(
                &DOC,
                rel.to_string(),
                Location::file(path),
                format!("the {kind} configuration runs no secret scanner"),
                "add a gitleaks (or trufflehog, detect-secrets) hook",
            )),
        }
    }
    if !seen && is_git {
        out.verdicts.push(Verdict::fail(
            &DOC,
            "repository",
            Location::file(Arc::from(".pre-commit-config.yaml")),
            "no pre-commit, husky or lefthook configuration: nothing scans for secrets before a commit",
            "add `.pre-commit-config.yaml` with the gitleaks hook, and have developers run `pre-commit install`",
        ));
    }
}

/// Secret scanners a hook may run.
const SCANNERS: &[&str] = &[
    "gitleaks",
    "trufflehog",
    "detect-secrets",
    "git-secrets",
    "ggshield",
    "vigie",
    "secretlint",
    "talisman",
    "ripsecrets",
    "noseyparker",
    "kingfisher",
];

fn scanner_in(s: &str) -> Option<&'static str> {
    let l = s.to_ascii_lowercase();
    SCANNERS.iter().copied().find(|k| l.contains(k))
}
