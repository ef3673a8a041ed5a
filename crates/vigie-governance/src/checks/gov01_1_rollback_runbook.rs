//! GOV-01.1: a deployment runbook says how to roll back.

use crate::Out;
use crate::gov::{DEPLOY_NAMES, ROLLBACK, any_word};
use crate::model::Model;
use std::sync::Arc;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "GOV-01.1",
    title: "A deployment and rollback runbook exists",
    severity: Severity::Low,
    applies_to: &["docs"],
    what: "A document at the root or in `docs/` (`deployment.md`, `runbook.md`, \
           `déploiement.md`, `exploitation.md`…) describes how to deploy and has a heading on \
           rolling back (`Rollback`, `Roll back`, `Retour arrière`, `Revenir à la version \
           précédente`).",
    why: "During an incident there is no time to rediscover how to redeploy the previous \
          release; a written, reviewed procedure is what makes rollback quick and safe.",
    fix: "Write `docs/deployment.md` with the deploy steps and a `## Rollback` section naming \
          the command and the tag to return to.",
    failing: (
        "docs/deployment.md",
        "# Deployment\n\n## Steps\n\n1. Merge to main.\n2. The pipeline builds and deploys.\n",
    ),
    passing: (
        "docs/deployment.md",
        "# Deployment\n\n## Steps\n\n1. Merge to main.\n2. The pipeline builds and deploys.\n\n## Rollback\n\nRedeploy the previous tag: `kubectl rollout undo deployment/web`.\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let r = &m.runbooks;
    if r.candidates.is_empty() {
        return;
    }
    let mut deploy_found = false;
    let mut deploy_without_rollback = Vec::new();
    for page in &r.pages {
        let rel = page.rel;
        let is_deploy = any_word(&page.stem, DEPLOY_NAMES)
            || page.headings.iter().take(1).any(|(_, h)| {
                any_word(
                    h,
                    &["deploy", "déploiement", "mise en production", "runbook"],
                )
            });
        let rollback = page.headings.iter().find(|(_, h)| any_word(h, ROLLBACK));
        if let Some((line, h)) = rollback {
            deploy_found = true;
            out.verdicts.push(Verdict::pass(
                &DOC,
                rel.to_string(),
                Location::new(page.path.clone(), *line, 1),
                format!("`{rel}` documents rolling back (section “{h}”)"),
            ));
        } else if is_deploy {
            deploy_without_rollback.push(page.path.clone());
        }
    }
    if deploy_found {
        return;
    }
    for p in &deploy_without_rollback {
        out.verdicts.push(Verdict::fail(
            &DOC,
            p.to_string(),
            Location::file(p.clone()),
            format!("`{p}` describes deploying but has no rollback section"),
            "add a `## Rollback` section: the command, the tag to return to, and how to check the result",
        ));
    }
    if deploy_without_rollback.is_empty() {
        out.verdicts.push(Verdict::fail(
            &DOC,
            "repository",
            Location::file(Arc::from(r.anchor())),
            "no deployment or rollback runbook in the repository (root, docs/)",
            "write `docs/deployment.md` with the deploy steps and a `## Rollback` section",
        ));
    }
}
