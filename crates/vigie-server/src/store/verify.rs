//! Verifying the stored history: every repository's chain is walked from its first entry,
//! each report read back and digested, and the first entry that does not hold is named.

use super::pages::chain_entries;
use super::read::report_bytes;
use super::{Result, accounts};
use crate::chain::{Altered, GENESIS, Verifier};
use crate::db::Db;
use serde::Serialize;

/// What a verification found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub repositories: u64,
    pub entries: u64,
    pub reports: u64,
    /// The first entry that does not hold, per repository where one does not.
    pub altered: Vec<Altered>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.altered.is_empty()
    }
}

/// Verify one repository's chain, or every repository's.
pub async fn verify(db: &Db, only: Option<&str>) -> Result<Verification> {
    let mut out = Verification {
        repositories: 0,
        entries: 0,
        reports: 0,
        altered: Vec::new(),
    };
    for repo in accounts::repositories(db).await? {
        if only.is_some_and(|o| o != repo.name) {
            continue;
        }
        out.repositories += 1;
        let mut v = Verifier::new(&repo.name, GENESIS, Some(1));
        let mut failed = None;
        for row in chain_entries(db, repo.id, 1).await? {
            let report = if row.pruned {
                None
            } else {
                match report_bytes(db, row.scan_id).await {
                    Ok(Some(bytes)) => match serde_json::from_slice(&bytes) {
                        Ok(value) => Some(value),
                        Err(e) => {
                            failed = Some(altered(
                                &repo.name,
                                row.seq,
                                format!("its report does not parse: {e}"),
                            ));
                            break;
                        }
                    },
                    Ok(None) => {
                        failed = Some(altered(&repo.name, row.seq, "its report is missing".into()));
                        break;
                    }
                    Err(e) => {
                        failed = Some(altered(
                            &repo.name,
                            row.seq,
                            format!("its report cannot be read: {e}"),
                        ));
                        break;
                    }
                }
            };
            if let Err(a) = v.check(&row.entry(&repo.name), &row.entry_hash, report.as_ref()) {
                failed = Some(a);
                break;
            }
        }
        if failed.is_none() && v.head() != repo.head_hash {
            failed = Some(altered(
                &repo.name,
                repo.head_seq,
                "the repository's head does not match its last entry (the last entries were removed)".into(),
            ));
        }
        out.entries += v.checked;
        out.reports += v.reports_checked;
        out.altered.extend(failed);
    }
    Ok(out)
}

fn altered(repository: &str, seq: i64, reason: String) -> Altered {
    Altered {
        repository: repository.to_string(),
        seq,
        reason,
    }
}
