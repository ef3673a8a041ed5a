//! GOV-02: databases are backed up on a schedule.

use crate::Out;
use crate::model::Model;
use crate::tf::{blocks, unquote};
use crate::{backup_tool, is_database_image};
use vigie_core::Verdict;
use vigie_core::{CheckDoc, Severity};
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "GOV-02",
    title: "Backups are scheduled",
    severity: Severity::Medium,
    applies_to: &["kubernetes", "compose", "terraform"],
    what: "The data stores of the repository are backed up on a schedule: a CronJob (or a \
           Compose service) running a backup tool (pg_dump, mysqldump, mongodump, velero, \
           restic, borg, kopia, barman, pgbackrest, wal-g), a Velero `Schedule`, or provider \
           backup configuration in Terraform (Cloud SQL `backup_configuration`, GKE Backup \
           plans). Restore tests are an attestation.",
    why: "Without a scheduled backup, a bad migration, ransomware or a deleted volume loses the \
          data for good.",
    fix: "Schedule a backup (Velero Schedule, a pg_dump CronJob to object storage, or \
          `backup_configuration { enabled = true }`) and record restore tests with `vigie attest \
          GOV-02`.",
    failing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:17.2\n    volumes:\n      - db-data:/var/lib/postgresql/data\nvolumes:\n  db-data: {}\n",
    ),
    passing: (
        "k8s/backup.yaml",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: db-backup\n  namespace: shop\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n            - name: dump\n              image: postgres:17.2\n              command: [\"sh\", \"-c\", \"pg_dump -h db -U app app | gzip > /backup/app.sql.gz\"]\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (repo, objects, tf) = (m.repo, m.objects, &m.tf);
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
                &DOC,
                r.id(),
                at,
                format!("{} has automated backups enabled", r.id()),
            )),
            Some((v, at)) => tf_verdicts.push(Verdict::fail(
                &DOC,
                r.id(),
                at,
                format!("{} has `backup_configuration.enabled = {v}`", r.id()),
                "set `settings { backup_configuration { enabled = true point_in_time_recovery_enabled = true } }`",
            )),
            None => tf_verdicts.push(Verdict::fail(
                &DOC,
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
                    &DOC,
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
            &DOC,
            subject.clone(),
            at.clone(),
            format!("backups are scheduled: {what}"),
        ));
    }
    if evidence.is_empty() {
        for (subject, at) in databases {
            out.verdicts.push(Verdict::fail(
                &DOC,
                subject.clone(),
                at,
                format!("{subject} holds data and nothing in the repository schedules its backup"),
                "schedule a backup (a CronJob running pg_dump to object storage, a Velero Schedule, or the provider's automated backups) and attest restore tests",
            ));
        }
    }
}
