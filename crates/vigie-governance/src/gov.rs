//! Runbooks (GOV-01) and scheduled backups (GOV-02).

use crate::docs::*;
use crate::tf::{Terraform, blocks, unquote};
use crate::{Out, Repo, backup_tool, is_database_image};
use std::sync::Arc;
use vigie_core::{Location, Verdict};
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::Node;

const DOC_EXTS: &[&str] = &[".md", ".markdown", ".adoc", ".rst", ".txt"];

/// A document's headings with their line, read from Markdown (`#`), AsciiDoc (`=`) and
/// reStructuredText (a title underlined with `=`, `-`, `~`).
fn headings(text: &str) -> Vec<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if t.starts_with('#') || t.starts_with("= ") || t.starts_with("== ") {
            out.push((
                i as u32 + 1,
                t.trim_start_matches(['#', '=']).trim().to_lowercase(),
            ));
        } else if let Some(next) = lines.get(i + 1) {
            let n = next.trim();
            if !t.is_empty()
                && n.len() >= 3
                && n.chars().all(|c| matches!(c, '=' | '-' | '~'))
                && n.len() >= t.chars().count().min(3)
            {
                out.push((i as u32 + 1, t.to_lowercase()));
            }
        }
    }
    out
}

fn any_word(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

const DEPLOY_NAMES: &[&str] = &[
    "deploy",
    "déploiement",
    "deploiement",
    "runbook",
    "exploitation",
    "release",
    "mise-en-production",
    "mise_en_production",
    "operations",
];
const ROLLBACK: &[&str] = &[
    "rollback",
    "roll back",
    "roll-back",
    "retour arrière",
    "retour arriere",
    "retour en arrière",
    "revenir à la version",
    "revenir a la version",
    "downgrade",
    "restaurer la version",
];
const INCIDENT: &[&str] = &[
    "incident",
    "post-mortem",
    "postmortem",
    "post mortem",
    "crise",
    "gestion de crise",
    "on-call",
    "astreinte",
];

pub fn run(repo: &Repo<'_>, objects: &[Object], tf: &Terraform, out: &mut Out) {
    runbooks(repo, out);
    backups(repo, objects, tf, out);
    rotation(tf, out);
}

/// SEC-02.3: Secret Manager secrets with a rotation schedule.
fn rotation(tf: &Terraform, out: &mut Out) {
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
                        &SEC_02_3,
                        r.id(),
                        at,
                        format!("{} rotates every {p}, notifying its rotation topic", r.id()),
                    )),
                    Some(p) => out.verdicts.push(Verdict::fail(
                        &SEC_02_3,
                        r.id(),
                        at,
                        format!("{} schedules rotation every {p} but has no `topics`: nothing is told to rotate it", r.id()),
                        "add a `topics { name = … }` block whose subscriber rotates the value",
                    )),
                    None => out.verdicts.push(Verdict::fail(
                        &SEC_02_3,
                        r.id(),
                        at,
                        format!("{} has a `rotation` block without `rotation_period`", r.id()),
                        "set `rotation_period` (e.g. \"7776000s\", 90 days) and `next_rotation_time`",
                    )),
                }
            }
            None => out.verdicts.push(Verdict::fail(
                &SEC_02_3,
                r.id(),
                r.at(),
                format!("{} never rotates (no `rotation` block)", r.id()),
                "add `rotation { rotation_period = \"7776000s\" next_rotation_time = \"…\" }` and a `topics` block",
            )),
        }
    }
}

fn runbooks(repo: &Repo<'_>, out: &mut Out) {
    let candidates: Vec<&str> = repo
        .files
        .iter()
        .copied()
        .filter(|f| {
            let l = f.to_ascii_lowercase();
            DOC_EXTS.iter().any(|e| l.ends_with(e))
                && (!f.contains('/')
                    || l.starts_with("docs/")
                    || l.starts_with("doc/")
                    || l.starts_with("documentation/"))
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    let mut deploy_found = false;
    let mut incident_found = false;
    let mut deploy_without_rollback = Vec::new();
    for rel in &candidates {
        let Some(text) = (repo.read)(rel) else {
            continue;
        };
        let stem = rel.rsplit('/').next().unwrap_or(rel).to_lowercase();
        let hs = headings(&text);
        let path: Arc<str> = Arc::from(*rel);
        let is_deploy = any_word(&stem, DEPLOY_NAMES)
            || hs.iter().take(1).any(|(_, h)| {
                any_word(
                    h,
                    &["deploy", "déploiement", "mise en production", "runbook"],
                )
            });
        let rollback = hs.iter().find(|(_, h)| any_word(h, ROLLBACK));
        if let Some((line, h)) = rollback {
            deploy_found = true;
            out.verdicts.push(Verdict::pass(
                &GOV_01_1,
                rel.to_string(),
                Location::new(path.clone(), *line, 1),
                format!("`{rel}` documents rolling back (section “{h}”)"),
            ));
        } else if is_deploy {
            deploy_without_rollback.push(path.clone());
        }
        let incident = hs
            .iter()
            .find(|(_, h)| any_word(h, INCIDENT))
            .map(|(l, h)| (*l, h.clone()));
        let incident = incident.or_else(|| {
            any_word(&stem, &["incident", "postmortem", "post-mortem", "crise"])
                .then(|| (hs.first().map_or(1, |h| h.0), stem.clone()))
        });
        if let Some((line, h)) = incident {
            incident_found = true;
            out.verdicts.push(Verdict::pass(
                &GOV_01_2,
                rel.to_string(),
                Location::new(path, line, 1),
                format!("`{rel}` sets out incident response (“{h}”)"),
            ));
        }
    }
    if !deploy_found {
        for p in &deploy_without_rollback {
            out.verdicts.push(Verdict::fail(
                &GOV_01_1,
                p.to_string(),
                Location::file(p.clone()),
                format!("`{p}` describes deploying but has no rollback section"),
                "add a `## Rollback` section: the command, the tag to return to, and how to check the result",
            ));
        }
        if deploy_without_rollback.is_empty() {
            let anchor = anchor(&candidates);
            out.verdicts.push(Verdict::fail(
                &GOV_01_1,
                "repository",
                Location::file(Arc::from(anchor)),
                "no deployment or rollback runbook in the repository (root, docs/)",
                "write `docs/deployment.md` with the deploy steps and a `## Rollback` section",
            ));
        }
    }
    if !incident_found {
        let anchor = anchor(&candidates);
        out.verdicts.push(Verdict::fail(
            &GOV_01_2,
            "repository",
            Location::file(Arc::from(anchor)),
            "no incident-response document in the repository (root, docs/)",
            "write `docs/incident-response.md`: contacts, severity levels, first actions, evidence, post-mortem within 48 h",
        ));
    }
}

/// The document a repository-wide documentation finding points at: the README, else the first.
fn anchor<'a>(candidates: &[&'a str]) -> &'a str {
    candidates
        .iter()
        .copied()
        .find(|c| c.to_ascii_lowercase().starts_with("readme"))
        .or_else(|| candidates.first().copied())
        .unwrap_or("README.md")
}

fn backups(repo: &Repo<'_>, objects: &[Object], tf: &Terraform, out: &mut Out) {
    let (mut evidence, mut databases) = crate::cluster::backups(objects);
    // Compose: a service running a backup tool, and database services
    for p in repo.compose {
        let Some(merged) = &p.merged else { continue };
        for s in merged.get("services").map(Node::entries).unwrap_or(&[]) {
            let image = s.value.get("image").and_then(Node::as_str).unwrap_or("");
            let mut words = image.to_string();
            for f in ["command", "entrypoint"] {
                if let Some(n) = s.value.get(f) {
                    match n.as_seq() {
                        Some(items) => {
                            for i in items {
                                words.push(' ');
                                words.push_str(i.as_str().unwrap_or(""));
                            }
                        }
                        None => {
                            words.push(' ');
                            words.push_str(n.as_str().unwrap_or(""));
                        }
                    }
                }
            }
            let subject = format!("{} › services.{}", p.name, s.key);
            let image_name = image.rsplit('/').next().unwrap_or(image);
            if let Some(tool) = backup_tool(&words).or_else(|| {
                image_name
                    .split([':', '@'])
                    .next()
                    .filter(|n| n.contains("backup"))
                    .map(|_| "a backup image")
            }) {
                evidence.push((
                    subject,
                    p.loc(s.key_pos),
                    format!("Compose service running {tool}"),
                ));
            } else if is_database_image(image) {
                let at = s.value.get("image").map_or(s.key_pos, |n| n.pos);
                databases.push((subject, p.loc(at)));
            }
        }
    }
    // Terraform: provider backup configuration
    let mut tf_verdicts = Vec::new();
    for r in tf.resources("google_sql_database_instance") {
        let bc = blocks(&r.block.body, "settings")
            .flat_map(|s| blocks(&s.body, "backup_configuration"))
            .next();
        match bc.and_then(|b| r.file.attr(&b.body, "enabled")) {
            Some((v, at)) if v == "true" => tf_verdicts.push(Verdict::pass(
                &GOV_02,
                r.id(),
                at,
                format!("{} has automated backups enabled", r.id()),
            )),
            Some((v, at)) => tf_verdicts.push(Verdict::fail(
                &GOV_02,
                r.id(),
                at,
                format!("{} has `backup_configuration.enabled = {v}`", r.id()),
                "set `settings { backup_configuration { enabled = true point_in_time_recovery_enabled = true } }`",
            )),
            None => tf_verdicts.push(Verdict::fail(
                &GOV_02,
                r.id(),
                r.at(),
                format!("{} has no `backup_configuration` enabling automated backups", r.id()),
                "add `settings { backup_configuration { enabled = true } }`",
            )),
        }
    }
    for (kind, what) in [
        ("google_gke_backup_backup_plan", "a Backup for GKE plan"),
        ("aws_backup_plan", "an AWS Backup plan"),
        ("google_compute_resource_policy", "a disk snapshot schedule"),
    ] {
        for r in tf.resources(kind) {
            let scheduled = match kind {
                "google_gke_backup_backup_plan" => {
                    blocks(&r.block.body, "backup_schedule").next().is_some()
                }
                "google_compute_resource_policy" => {
                    blocks(&r.block.body, "snapshot_schedule_policy")
                        .next()
                        .is_some()
                }
                _ => true,
            };
            if scheduled {
                evidence.push((r.id(), r.at(), what.to_string()));
            }
        }
    }
    for r in tf.resources("aws_db_instance") {
        match r.file.attr(&r.block.body, "backup_retention_period") {
            Some((v, at)) if unquote(&v).parse::<u32>().is_ok_and(|n| n > 0) => {
                tf_verdicts.push(Verdict::pass(
                    &GOV_02,
                    r.id(),
                    at,
                    format!("{} keeps automated backups for {v} day(s)", r.id()),
                ))
            }
            _ => databases.push((r.id(), r.at())),
        }
    }
    out.verdicts.extend(tf_verdicts);
    for (subject, at, what) in &evidence {
        out.verdicts.push(Verdict::pass(
            &GOV_02,
            subject.clone(),
            at.clone(),
            format!("backups are scheduled: {what}"),
        ));
    }
    if evidence.is_empty() {
        for (subject, at) in databases {
            out.verdicts.push(Verdict::fail(
                &GOV_02,
                subject.clone(),
                at,
                format!("{subject} holds data and nothing in the repository schedules its backup"),
                "schedule a backup (a CronJob running pg_dump to object storage, a Velero Schedule, or the provider's automated backups) and attest restore tests",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_in_three_syntaxes() {
        let h = headings(
            "# Déploiement\n\ntext\n\n## Retour arrière\n```\n# not a heading\n```\nRollback\n========\n= Incident\n",
        );
        let titles: Vec<&str> = h.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            titles,
            ["déploiement", "retour arrière", "rollback", "incident"]
        );
        assert_eq!(h[1].0, 5);
    }
}
