//! vigie-governance: the controls a repository proves as a whole rather than file by file.
//!
//! - logging and monitoring: logs shipped off the host (LOG-01), an alert on repeated 401/403
//!   (LOG-03), metrics collected (LOG-04);
//! - cluster policy: Pod Security Admission per namespace (K8S-01), RBAC and service-account
//!   tokens (K8S-02), secrets delivered by a vault or an operator (SEC-02, on Compose too);
//! - repository governance: signed commits (SCM-01), a secret-scanning pre-commit hook (SCM-02),
//!   CODEOWNERS (SCM-03), release tags (SCM-04), runbooks (GOV-01), scheduled backups (GOV-02);
//! - attestations (`.vigie/attestations.toml`): what only a person can vouch for.
//!
//! Terraform is given a plain textual look here (hcl-edit, no variable resolution): the Cloud
//! Logging metric and alert policy of LOG-03, provider backup configuration of GOV-02, Secret
//! Manager rotation of SEC-02 and GKE logging of LOG-01.

pub mod allowed_signers;
mod analyzer;
pub mod attest;
mod checks;
mod cluster;
mod gov;
mod logging;
mod model;
pub mod promql;
pub mod scm;
mod tf;

use std::path::Path;
use std::sync::Arc;
use time::Date;
use vigie_core::catalog::Catalog;
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location, Verdict};
use vigie_parse::compose::Project;
use vigie_parse::kubernetes::Object;

pub use analyzer::{ANALYZER, Governance};
pub use cluster::keep;
pub use scm::ScmSettings;

/// The documentation of every governance check, in id order.
pub fn docs() -> &'static [&'static CheckDoc] {
    checks::DOCS
}

/// What the analysis reads of the repository.
pub struct Repo<'a> {
    pub catalog: &'a Catalog,
    /// The scanned folder.
    pub root: &'a Path,
    /// Every file, relative to the root with `/` separators, sorted.
    pub files: Vec<&'a str>,
    /// A file's text (within the root and the size limit).
    pub read: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// Compose projects, loaded and merged.
    pub compose: &'a [Project],
    pub today: Date,
    pub scm: ScmSettings,
}

/// What the analysis says.
#[derive(Default)]
pub struct Out {
    pub verdicts: Vec<Verdict>,
    pub diagnostics: Vec<Diagnostic>,
    /// Checks that could not run here (no git history), with the reason.
    pub unassessed: Vec<vigie_core::Unassessed>,
}

impl Out {
    fn not_assessed(&mut self, check: &str, reason: impl Into<String>) {
        self.unassessed.push(vigie_core::Unassessed {
            check: check.to_string(),
            reason: reason.into(),
        });
    }
}

/// Run every repository-level check over the repository and the objects [`keep`] kept.
pub fn analyze(repo: &Repo<'_>, objects: &[Object], out: &mut Out) {
    let all: Vec<std::ops::Range<usize>> = std::iter::once(0..objects.len()).collect();
    analyze_units(repo, objects, &all, out);
}

/// [`analyze`], knowing which objects each deployment unit holds (`units`: ranges of
/// `objects`): what a workload reads is looked up in its own unit, while the cluster-wide
/// policies (namespaces' Pod Security levels, RBAC) are judged over every object.
pub fn analyze_units(
    repo: &Repo<'_>,
    objects: &[Object],
    units: &[std::ops::Range<usize>],
    out: &mut Out,
) {
    if let Some(text) = (repo.read)(attest::PATH) {
        let (entries, diags) = attest::parse(attest::PATH, &text, repo.catalog);
        out.diagnostics.extend(diags);
        out.verdicts.extend(attest::verdicts(&entries, repo.today));
    }
    let model = model::Model::new(repo, objects, units);
    if !model.is_git {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Skipped,
            Location::file(Arc::from(".")),
            "not a git repository (no .git in the scanned folder): SCM-01 (signed commits) and SCM-04 (release tags) are not assessed",
        ));
    }
    for check in checks::CHECKS {
        (check.judge)(&model, out);
    }
    for v in &mut out.verdicts {
        if v.location.line == 0 && v.location.column != 0 {
            v.location.column = 0;
        }
    }
}

/// The backup tool a command line runs, if any.
pub(crate) fn backup_tool(words: &str) -> Option<&'static str> {
    const TOOLS: &[&str] = &[
        "pg_dumpall",
        "pg_dump",
        "pg_basebackup",
        "pgbackrest",
        "wal-g",
        "barman",
        "mysqldump",
        "mariadb-dump",
        "mariabackup",
        "xtrabackup",
        "mongodump",
        "velero",
        "restic",
        "borg",
        "kopia",
        "duplicity",
        "rclone",
        "etcdctl snapshot",
        "redis-cli --rdb",
        "postgres-backup",
        "mysql-backup",
    ];
    let w = words.to_ascii_lowercase();
    TOOLS.iter().copied().find(|t| {
        w.match_indices(t).any(|(i, _)| {
            let before = w[..i].chars().next_back();
            let after = w[i + t.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
    })
}

/// Whether an image is a database server whose data needs a backup.
pub(crate) fn is_database_image(image: &str) -> bool {
    let name = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .split([':', '@'])
        .next()
        .unwrap_or("");
    matches!(
        name,
        "postgres"
            | "postgresql"
            | "postgis"
            | "mysql"
            | "mariadb"
            | "mongo"
            | "mongodb"
            | "timescaledb"
            | "cockroach"
            | "elasticsearch"
            | "opensearch"
            | "couchdb"
            | "cassandra"
            | "neo4j"
            | "influxdb"
            | "clickhouse-server"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_tools_are_words() {
        assert_eq!(backup_tool("sh -c pg_dump -h db app"), Some("pg_dump"));
        assert_eq!(backup_tool("velero backup create"), Some("velero"));
        assert_eq!(backup_tool("restic-exporter serve"), None);
        assert_eq!(backup_tool("node server.js"), None);
        assert!(is_database_image(
            "docker.io/library/postgres:17.2@sha256:abc"
        ));
        assert!(!is_database_image("example/postgres-exporter:1"));
    }
}
