//! SEC-02.3: Secret Manager secrets have a rotation schedule.

use crate::Out;
use crate::model::Model;
use crate::tf::{blocks, unquote};
use vigie_core::Verdict;
use vigie_core::{CheckDoc, Severity};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SEC-02.3",
    title: "Secret Manager secrets rotate",
    severity: Severity::Low,
    applies_to: &["terraform"],
    what: "Each `google_secret_manager_secret` has a `rotation` block (a `rotation_period`, \
           with the `topics` that notify the rotation job).",
    why: "A secret that never changes stays valid for whoever copied it once; scheduled \
          rotation bounds how long a leak is useful.",
    fix: "Add `rotation { rotation_period = \"7776000s\" next_rotation_time = \"…\" }` and a \
          `topics` entry whose subscriber rotates the value.",
    failing: (
        "main.tf",
        "resource \"google_secret_manager_secret\" \"db\" {\n  secret_id = \"db-password\"\n  replication {\n    auto {}\n  }\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_secret_manager_secret\" \"db\" {\n  secret_id = \"db-password\"\n  replication {\n    auto {}\n  }\n  topics {\n    name = google_pubsub_topic.rotation.id\n  }\n  rotation {\n    rotation_period    = \"7776000s\"\n    next_rotation_time = \"2027-01-01T00:00:00Z\"\n  }\n}\n",
    ),
};

/// SEC-02.3: Secret Manager secrets with a rotation schedule.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let tf = &m.tf;
    for r in tf.resources("google_secret_manager_secret") {
        match blocks(&r.block.body, "rotation").next() {
            Some(b) => {
                let period = r
                    .file
                    .attr(&b.body, "rotation_period")
                    .map(|(v, _)| unquote(&v).to_string());
                let topics = blocks(&r.block.body, "topics").next().is_some();
                let at = r.file.at(hcl_edit::Span::span(b));
                match period {
                    Some(p) if topics => out.verdicts.push(Verdict::pass(
                        &DOC,
                        r.id(),
                        at,
                        format!("{} rotates every {p}, notifying its rotation topic", r.id()),
                    )),
                    Some(p) => out.verdicts.push(Verdict::fail(
                        &DOC,
                        r.id(),
                        at,
                        format!("{} schedules rotation every {p} but has no `topics`: nothing is told to rotate it", r.id()),
                        "add a `topics { name = … }` block whose subscriber rotates the value",
                    )),
                    None => out.verdicts.push(Verdict::fail(
                        &DOC,
                        r.id(),
                        at,
                        format!("{} has a `rotation` block without `rotation_period`", r.id()),
                        "set `rotation_period` (e.g. \"7776000s\", 90 days) and `next_rotation_time`",
                    )),
                }
            }
            None => out.verdicts.push(Verdict::fail(
                &DOC,
                r.id(),
                r.at(),
                format!("{} never rotates (no `rotation` block)", r.id()),
                "add `rotation { rotation_period = \"7776000s\" next_rotation_time = \"…\" }` and a `topics` block",
            )),
        }
    }
}
