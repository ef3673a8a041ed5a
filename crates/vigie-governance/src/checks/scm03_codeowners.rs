//! SCM-03: CODEOWNERS names an owner for what matters.

use crate::Out;
use crate::model::Model;
use crate::scm::*;
use std::sync::Arc;
use vigie_core::{CheckDoc, Severity};
use vigie_core::{DiagKind, Diagnostic, Location, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SCM-03",
    title: "CODEOWNERS covers the infrastructure and CI paths",
    severity: Severity::Low,
    applies_to: &["codeowners"],
    what: "A CODEOWNERS file (root, `.github/`, `.gitlab/` or `docs/`) exists and names owners \
           for every file that changes what is deployed or how: CI pipelines, Dockerfiles, \
           Compose files, Kubernetes manifests, Terraform, the CODEOWNERS file itself and vigie's \
           own configuration. Branch protection, being server-side, is an attestation.",
    why: "With owners on these paths, a change to the pipeline or the infrastructure cannot be \
          merged without review by the people accountable for it.",
    fix: "Add lines such as `/.github/ @org/platform`, `*.tf @org/platform`, `/k8s/ @org/platform` \
          (later lines win), and require code-owner review in branch protection.",
    failing: ("CODEOWNERS", "/docs/ @example/writers\n"),
    passing: (
        "CODEOWNERS",
        "* @example/platform\n/docs/ @example/writers\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (repo, is_git) = (m.repo, m.is_git);
    // GitHub's order: .github/, the root, docs/ (GitLab also reads .gitlab/)
    let file = [
        ".github/CODEOWNERS",
        "CODEOWNERS",
        "docs/CODEOWNERS",
        ".gitlab/CODEOWNERS",
    ]
    .into_iter()
    .find(|f| repo.files.contains(f));
    let Some(file) = file else {
        if is_git {
            out.verdicts.push(Verdict::fail(
                &DOC,
                "repository",
                Location::file(Arc::from("CODEOWNERS")),
                "no CODEOWNERS file: changes to the pipeline and the infrastructure need no designated reviewer",
                "add `.github/CODEOWNERS` naming owners for CI, Dockerfiles, manifests and Terraform",
            ));
        }
        return;
    };
    let Some(text) = (repo.read)(file) else {
        return;
    };
    let path: Arc<str> = Arc::from(file);
    let mut rules = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.split(" #").next().unwrap_or(l).trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with('[') || t.starts_with("^[") {
            continue;
        }
        let mut parts = t.split_whitespace();
        let Some(pattern) = parts.next() else {
            continue;
        };
        let owners: Vec<String> = parts.map(str::to_string).collect();
        match rule(pattern, i as u32 + 1, owners) {
            Some(r) => rules.push(r),
            None => out.diagnostics.push(Diagnostic::new(
                DiagKind::Parse,
                Location::new(path.clone(), i as u32 + 1, 1),
                format!(
                    "CODEOWNERS: `{pattern}` is not a pattern vigie can read; the line is ignored"
                ),
            )),
        }
    }
    for rel in repo.files.iter().copied().filter(|f| matters(f)) {
        let last = rules
            .iter()
            .rev()
            .find(|r| r.globs.iter().any(|g| g.is_match(rel)));
        match last {
            Some(r) if !r.owners.is_empty() => out.verdicts.push(Verdict::pass(
                &DOC,
                rel.to_string(),
                Location::new(path.clone(), r.line, 1),
                format!(
                    "`{rel}` is owned by {} (`{}`)",
                    r.owners.join(" "),
                    r.pattern
                ),
            )),
            Some(r) => out.verdicts.push(Verdict::fail(
                &DOC,
                rel.to_string(),
                Location::new(path.clone(), r.line, 1),
                format!(
                    "`{rel}` is explicitly left without owner by `{}`",
                    r.pattern
                ),
                "name an owner for it (later lines win)",
            )),
            None => out.verdicts.push(Verdict::fail(
                &DOC,
                rel.to_string(),
                Location::file(path.clone()),
                format!("no CODEOWNERS rule covers `{rel}`"),
                format!("add a line such as `/{rel} @org/platform` (or a folder or `*` rule)"),
            )),
        }
    }
}
