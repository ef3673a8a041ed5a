//! GOV-01.2: an incident-response document exists.

use crate::Out;
use crate::gov::{INCIDENT, any_word};
use crate::model::Model;
use std::sync::Arc;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "GOV-01.2",
    title: "An incident-response procedure exists",
    severity: Severity::Low,
    applies_to: &["docs"],
    what: "A document at the root or in `docs/` is about incident response (`incident*.md`, \
           `SECURITY.md` with an incident heading, `réponse-incident.md`, `gestion-des-incidents.md`, \
           or a heading such as `Incident response`, `Gestion des incidents`, `Post-mortem`). \
           Writing the root cause within 48 h is an attestation.",
    why: "Who is called, who decides, how evidence is kept and when a post-mortem is written \
          must be settled before the incident, not during it.",
    fix: "Write `docs/incident-response.md`: contacts, severity levels, first actions, evidence \
          preservation, and the post-mortem with its root cause within 48 hours.",
    failing: (
        "docs/deployment.md",
        "# Deployment\n\n## Steps\n\nMerge to main.\n\n## Rollback\n\n`kubectl rollout undo deployment/web`.\n",
    ),
    passing: (
        "docs/incident-response.md",
        "# Incident response\n\n## Contacts\n\nOn call: ops@example.org.\n\n## Post-mortem\n\nRoot cause written within 48 hours.\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let r = &m.runbooks;
    if r.candidates.is_empty() {
        return;
    }
    let mut incident_found = false;
    for page in &r.pages {
        let rel = page.rel;
        let incident = page
            .headings
            .iter()
            .find(|(_, h)| any_word(h, INCIDENT))
            .map(|(l, h)| (*l, h.clone()));
        let incident = incident.or_else(|| {
            any_word(
                &page.stem,
                &["incident", "postmortem", "post-mortem", "crise"],
            )
            .then(|| (page.headings.first().map_or(1, |h| h.0), page.stem.clone()))
        });
        if let Some((line, h)) = incident {
            incident_found = true;
            out.verdicts.push(Verdict::pass(
                &DOC,
                rel.to_string(),
                Location::new(page.path.clone(), line, 1),
                format!("`{rel}` sets out incident response (“{h}”)"),
            ));
        }
    }
    if !incident_found {
        out.verdicts.push(Verdict::fail(
            &DOC,
            "repository",
            Location::file(Arc::from(r.anchor())),
            "no incident-response document in the repository (root, docs/)",
            "write `docs/incident-response.md`: contacts, severity levels, first actions, evidence, post-mortem within 48 h",
        ));
    }
}
