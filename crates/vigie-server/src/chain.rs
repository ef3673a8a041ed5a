//! The tamper-evident history: every stored scan is an entry of its repository's hash chain.
//!
//! An entry names the repository, its position, the branch and commit scanned, the pipeline,
//! when it was scanned and received, the digest of the report (its canonical form, see
//! [`crate::canonical`]), the attestations in force in that report, and the hash of the entry
//! before it. Its hash is the SHA-256 of the entry's canonical JSON. Changing anything stored
//! — a report, an attestation, a date — breaks the hash of that entry or the link of the next
//! one, and [`Verifier`] names the first entry where that happens. What a chain cannot show
//! alone is a history rewritten whole, hashes recomputed: the head hash each upload returns
//! (printed in the CI log) and the head of an export are the anchors to compare against.
//!
//! The same verifier checks the server's database (`vigie verify --server`, the admin
//! endpoint) and an auditor's export offline (`vigie verify-export`), so both say the same.

use crate::canonical;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `prev` of a repository's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The name of this chain format, hashed into every entry.
const CHAIN_FORMAT: &str = "vigie-chain/1";

/// One entry of a repository's chain: what its hash covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub repository: String,
    pub seq: i64,
    pub branch: String,
    pub commit: String,
    pub pipeline_url: Option<String>,
    /// RFC 3339, UTC, as the uploader said.
    pub scanned_at: String,
    /// RFC 3339, UTC, when the server stored it.
    pub received_at: String,
    /// SHA-256 of the report's canonical form, hex.
    pub report_digest: String,
    /// The attestation records in force in the report (outcome `attested`), sorted.
    pub attestations: Value,
    /// The hash of the entry before, or [`GENESIS`].
    pub prev: String,
}

impl Entry {
    /// The entry's hash: SHA-256 of its canonical JSON with the chain format's name.
    pub fn hash(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut v {
            map.insert("chain".into(), Value::String(CHAIN_FORMAT.into()));
        }
        canonical::sha256_hex(&canonical::to_vec(&v))
    }
}

/// The attestation records in force in a report: the `attestation` of every `ATTEST` verdict
/// whose outcome is `attested`, in canonical order.
pub fn attestations_in_force(report: &Value) -> Value {
    let mut found: Vec<(Vec<u8>, Value)> = report
        .get("verdicts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| {
            v.get("check").and_then(Value::as_str) == Some("ATTEST")
                && v.get("outcome").and_then(Value::as_str) == Some("attested")
        })
        .filter_map(|v| v.get("attestation").cloned())
        .map(|a| (canonical::to_vec(&a), a))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    Value::Array(found.into_iter().map(|(_, a)| a).collect())
}

/// Why an entry does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Altered {
    pub repository: String,
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for Altered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} entry {}: {}", self.repository, self.seq, self.reason)
    }
}

/// Walks one repository's entries in order and stops at the first that does not hold.
pub struct Verifier {
    repository: String,
    expected_prev: String,
    expected_seq: Option<i64>,
    pub checked: u64,
    pub reports_checked: u64,
}

impl Verifier {
    /// A verifier for a chain that starts after `prev` (at [`GENESIS`] for a whole chain) and,
    /// when known, at position `first_seq`.
    pub fn new(repository: &str, prev: &str, first_seq: Option<i64>) -> Self {
        Verifier {
            repository: repository.to_string(),
            expected_prev: prev.to_string(),
            expected_seq: first_seq,
            checked: 0,
            reports_checked: 0,
        }
    }

    /// The hash the next entry must link to.
    pub fn head(&self) -> &str {
        &self.expected_prev
    }

    fn altered(&self, seq: i64, reason: String) -> Altered {
        Altered {
            repository: self.repository.clone(),
            seq,
            reason,
        }
    }

    /// Check the next entry: its links, its hash, and, when the report is at hand (not pruned
    /// by retention), that the report and its attestations are the ones the entry covers.
    pub fn check(
        &mut self,
        entry: &Entry,
        stored_hash: &str,
        report: Option<&Value>,
    ) -> Result<(), Altered> {
        let seq = entry.seq;
        if entry.repository != self.repository {
            return Err(self.altered(seq, format!("names repository `{}`", entry.repository)));
        }
        if let Some(expected) = self.expected_seq
            && seq != expected
        {
            return Err(self.altered(
                seq,
                format!("comes where entry {expected} should (an entry was removed or inserted)"),
            ));
        }
        if entry.prev != self.expected_prev {
            return Err(self.altered(
                seq,
                "does not link to the entry before it (an entry before it was removed, inserted or rewritten)".into(),
            ));
        }
        let hash = entry.hash();
        if hash != stored_hash {
            return Err(self.altered(
                seq,
                "its fields no longer match its hash (branch, commit, dates, digest or attestations were changed)".into(),
            ));
        }
        if let Some(report) = report {
            let digest = canonical::sha256_hex(&canonical::to_vec(report));
            if digest != entry.report_digest {
                return Err(self.altered(
                    seq,
                    format!(
                        "the report stored is not the one recorded (digest {} instead of {})",
                        short(&digest),
                        short(&entry.report_digest)
                    ),
                ));
            }
            if attestations_in_force(report) != entry.attestations {
                return Err(self.altered(
                    seq,
                    "the attestations in force differ from the report's".into(),
                ));
            }
            self.reports_checked += 1;
        }
        self.expected_prev = hash;
        self.expected_seq = Some(seq + 1);
        self.checked += 1;
        Ok(())
    }
}

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// The first line of an export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportHeader {
    pub format: String,
    pub repository: String,
    /// The dates asked for (inclusive), `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub exported_at: String,
    /// The hash the first exported entry links to.
    pub first_prev: String,
    /// The repository's chain head when exported: compare with the hash an upload printed.
    pub head_seq: i64,
    pub head_hash: String,
}

/// One exported entry: the entry, its hash, and its report (absent when retention pruned it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportLine {
    pub entry: Entry,
    pub hash: String,
    pub report: Option<Value>,
}

/// The last line of an export: a truncated export is not a valid one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportEnd {
    pub entries: u64,
    pub last_hash: String,
}

pub const EXPORT_FORMAT: &str = "vigie-export/1";

/// What an export proves once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub repository: String,
    pub entries: u64,
    pub reports: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    pub last_hash: String,
    pub head_seq: i64,
    pub head_hash: String,
}

/// Verify an export (JSON Lines: header, entries, end) read line by line.
pub fn verify_export(
    lines: impl Iterator<Item = std::io::Result<String>>,
) -> Result<ExportSummary, String> {
    let mut lines = lines.enumerate().map(|(i, l)| (i + 1, l));
    let (_, first) = lines.next().ok_or("the export is empty")?;
    let first = first.map_err(|e| format!("line 1: {e}"))?;
    let header: ExportHeader =
        serde_json::from_str(&first).map_err(|e| format!("line 1: not an export header: {e}"))?;
    if header.format != EXPORT_FORMAT {
        return Err(format!(
            "line 1: format `{}`, expected `{EXPORT_FORMAT}`",
            header.format
        ));
    }
    let mut verifier = Verifier::new(&header.repository, &header.first_prev, None);
    let (mut first_seq, mut last_seq) = (None, None);
    let mut end: Option<ExportEnd> = None;
    for (n, line) in lines {
        let line = line.map_err(|e| format!("line {n}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        if end.is_some() {
            return Err(format!("line {n}: content after the end of the export"));
        }
        let value: Value =
            serde_json::from_str(&line).map_err(|e| format!("line {n}: not JSON: {e}"))?;
        if let Some(e) = value.get("end") {
            end = Some(
                serde_json::from_value(e.clone())
                    .map_err(|e| format!("line {n}: malformed end: {e}"))?,
            );
            continue;
        }
        let entry: ExportLine =
            serde_json::from_value(value).map_err(|e| format!("line {n}: malformed entry: {e}"))?;
        verifier
            .check(&entry.entry, &entry.hash, entry.report.as_ref())
            .map_err(|a| format!("line {n}: first altered entry: {a}"))?;
        first_seq.get_or_insert(entry.entry.seq);
        last_seq = Some(entry.entry.seq);
    }
    let end = end.ok_or("the export is truncated: its end line is missing")?;
    if end.entries != verifier.checked || end.last_hash != verifier.head() {
        return Err(format!(
            "the end line says {} entries ending at {}, the export holds {} ending at {}",
            end.entries,
            short(&end.last_hash),
            verifier.checked,
            short(verifier.head())
        ));
    }
    if last_seq == Some(header.head_seq) && verifier.head() != header.head_hash {
        return Err("the last entry is the head, but its hash is not the head's".into());
    }
    Ok(ExportSummary {
        repository: header.repository,
        entries: verifier.checked,
        reports: verifier.reports_checked,
        first_seq,
        last_seq,
        last_hash: verifier.head().to_string(),
        head_seq: header.head_seq,
        head_hash: header.head_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(n: u32) -> Value {
        json!({"verdicts": [
            {"check": "ATTEST", "outcome": "attested", "attestation": {"control": "GOV-02", "statement": "s", "owner": "o", "expires": "2030-01-01"}},
            {"check": "ATTEST", "outcome": "todo", "attestation": {"control": "GOV-01", "statement": "old", "owner": "o", "expires": "2020-01-01"}},
            {"check": "CNT-04", "outcome": "fail", "n": n}
        ]})
    }

    fn chain(n: i64) -> Vec<(Entry, String, Value)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let r = report(seq as u32);
                let e = Entry {
                    repository: "org/app".into(),
                    seq,
                    branch: "main".into(),
                    commit: format!("{seq:040x}"),
                    pipeline_url: None,
                    scanned_at: "2026-01-01T00:00:00Z".into(),
                    received_at: "2026-01-01T00:00:01Z".into(),
                    report_digest: canonical::sha256_hex(&canonical::to_vec(&r)),
                    attestations: attestations_in_force(&r),
                    prev: prev.clone(),
                };
                let h = e.hash();
                prev = h.clone();
                (e, h, r)
            })
            .collect()
    }

    fn verify(c: &[(Entry, String, Value)]) -> Result<(), Altered> {
        let mut v = Verifier::new("org/app", GENESIS, Some(1));
        for (e, h, r) in c {
            v.check(e, h, Some(r))?;
        }
        Ok(())
    }

    #[test]
    fn only_valid_attestations_are_in_force() {
        let a = attestations_in_force(&report(1));
        assert_eq!(a.as_array().unwrap().len(), 1);
        assert_eq!(a[0]["control"], "GOV-02");
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
    }

    #[test]
    fn each_kind_of_change_names_the_entry() {
        let mut c = chain(5);
        c[2].2["verdicts"][2]["outcome"] = json!("pass");
        assert_eq!(verify(&c).unwrap_err().seq, 3);

        let mut c = chain(5);
        c[3].0.commit = "f".repeat(40);
        let err = verify(&c).unwrap_err();
        assert_eq!(err.seq, 4, "{err}");

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c).unwrap_err().seq, 3);

        // an entry rewritten with its own hash recomputed breaks the next link
        let mut c = chain(5);
        c[1].0.branch = "other".into();
        c[1].1 = c[1].0.hash();
        assert_eq!(verify(&c).unwrap_err().seq, 3);

        // attestations removed from the entry (hash recomputed) no longer match the report
        let mut c = chain(1);
        c[0].0.attestations = json!([]);
        c[0].1 = c[0].0.hash();
        let err = verify(&c).unwrap_err();
        assert!(err.reason.contains("attestations"), "{err}");
    }
}
