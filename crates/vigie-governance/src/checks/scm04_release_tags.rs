//! SCM-04: releases are tagged.

use crate::Out;
use crate::model::Model;
use crate::scm::*;
use std::sync::Arc;
use time::OffsetDateTime;
use vigie_core::{CheckDoc, Severity};
use vigie_core::{DiagKind, Diagnostic, Location, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SCM-04",
    title: "Releases are tagged v*",
    severity: Severity::Low,
    applies_to: &["git"],
    what: "The repository has tags matching `v*`; the latest one is reported with the commit it \
           names.",
    why: "A tagged release is what a rollback returns to: without tags, nobody can say which \
          commit is in production or redeploy the previous one.",
    fix: "Tag each release (`git tag -s v1.4.0 && git push --tags`), ideally from the release \
          pipeline.",
    failing: (
        "vigie.toml",
        "# a git repository without any v* tag\n[scm]\n",
    ),
    passing: (
        "vigie.toml",
        "# a git repository with a v1.0.0 tag\n[scm]\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    if !m.is_git {
        out.not_assessed(
            DOC.id,
            "the scanned folder is not a git repository: scan the clone itself",
        );
        return;
    }
    let git_loc = || Location::file(Arc::from(".git"));
    match release_tags(m.repo.root) {
        Err(e) => {
            out.diagnostics.push(Diagnostic::new(
                DiagKind::Io,
                git_loc(),
                format!("the tags could not be read ({e}): SCM-04 not assessed"),
            ));
            out.not_assessed(DOC.id, format!("the tags could not be read ({e})"));
        }
        Ok((0, _)) => out.verdicts.push(Verdict::fail(
            &DOC,
            "git › tags",
            git_loc(),
            "no release tag matching `v*`",
            "tag each release (`git tag -s v1.0.0`) from the release pipeline",
        )),
        Ok((n, latest)) => {
            let latest = latest.map_or(String::new(), |(name, id, t)| {
                let date = OffsetDateTime::from_unix_timestamp(t)
                    .map(|d| d.date().to_string())
                    .unwrap_or_default();
                format!("; latest {name} at {id} ({date})")
            });
            out.verdicts.push(Verdict::pass(
                &DOC,
                "git › tags",
                git_loc(),
                format!("{n} release tag(s) matching `v*`{latest}"),
            ));
        }
    }
}
