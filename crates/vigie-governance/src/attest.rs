//! Attestations: what only a person can say about a control (the hosting contract, branch
//! protection on the server, restore tests, root cause within 48 h), recorded in
//! `.vigie/attestations.toml` with an owner, a date, an expiry and an evidence link.
//!
//! ```toml
//! [[attestation]]
//! control = "GOV-02"
//! statement = "A restore of the production database is tested every quarter"
//! owner = "ops@example.org"
//! date = 2026-11-02
//! expires = 2027-02-02
//! evidence = "https://wiki.example.org/restore-tests/2026-q4"
//! ```
//!
//! A malformed entry is a diagnostic naming its line; the other entries still count.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::Date;
use vigie_core::catalog::Catalog;
use vigie_core::verdict::Attestation;
use vigie_core::{DiagKind, Diagnostic, Location, SourceFile, Verdict};

/// Where attestations are kept, relative to the repository root.
pub const PATH: &str = ".vigie/attestations.toml";

/// One entry as read, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub attestation: Attestation,
    pub expires: Date,
    pub location: Location,
}

impl Entry {
    /// Expired once its expiry date has passed (it holds on the day it expires).
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires < today
    }
}

type Fields = BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>;

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    attestation: Vec<toml::Spanned<Fields>>,
}

const KNOWN: [&str; 6] = [
    "control",
    "statement",
    "owner",
    "date",
    "expires",
    "evidence",
];

/// A date written as a TOML date (`2027-06-30`) or a string (`"2027-06-30"`).
fn date_of(v: &toml::Value) -> Result<Date, String> {
    let text = match v {
        toml::Value::Datetime(d) => {
            if d.time.is_some() || d.offset.is_some() {
                return Err(format!("expected a date such as 2027-06-30, found {d}"));
            }
            d.to_string()
        }
        toml::Value::String(s) => s.clone(),
        other => {
            return Err(format!(
                "expected a date such as 2027-06-30, found a {}",
                other.type_str()
            ));
        }
    };
    parse_date(&text)
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &fmt).map_err(|_| {
        format!(
            "expected a date such as 2027-06-30, found `{}`",
            text.trim()
        )
    })
}

/// Parse the attestations file: the valid entries, and a diagnostic per problem.
pub fn parse(path: &str, text: &str, catalog: &Catalog) -> (Vec<Entry>, Vec<Diagnostic>) {
    let file: Arc<str> = Arc::from(path);
    let src = SourceFile::new(file.clone(), text.to_string());
    let mut entries = Vec::new();
    let mut diags = Vec::new();
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let at = e
                .span()
                .map(|s| src.location(s.start))
                .unwrap_or_else(|| Location::file(file.clone()));
            diags.push(Diagnostic::new(
                DiagKind::Config,
                at,
                format!("malformed attestations file: {}", e.message().trim_end()),
            ));
            return (entries, diags);
        }
    };
    for table in raw.attestation {
        let at = src.location(table.span().start);
        let fields = table.into_inner();
        let mut bad = false;
        let mut complain = |loc: Location, msg: String| {
            diags.push(Diagnostic::new(
                DiagKind::Config,
                loc,
                format!("attestation: {msg}"),
            ));
        };
        for k in fields.keys() {
            if !KNOWN.contains(&k.get_ref().as_str()) {
                complain(
                    src.location(k.span().start),
                    format!(
                        "unknown field `{}` (expected one of {})",
                        k.get_ref(),
                        KNOWN.join(", ")
                    ),
                );
                bad = true;
            }
        }
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k.get_ref() == name)
                .map(|(_, v)| v)
        };
        let mut text_field = |name: &str, required: bool| -> Option<String> {
            match get(name) {
                Some(v) => match v.get_ref() {
                    toml::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    _ => {
                        complain(
                            src.location(v.span().start),
                            format!("`{name}` must be a non-empty string"),
                        );
                        bad = true;
                        None
                    }
                },
                None => {
                    if required {
                        complain(at.clone(), format!("`{name}` is missing"));
                        bad = true;
                    }
                    None
                }
            }
        };
        let control = text_field("control", true);
        let statement = text_field("statement", true);
        let owner = text_field("owner", true);
        let evidence = text_field("evidence", false);
        let mut date_field = |name: &str, required: bool| -> Option<Date> {
            match get(name) {
                Some(v) => match date_of(v.get_ref()) {
                    Ok(d) => Some(d),
                    Err(m) => {
                        complain(src.location(v.span().start), format!("`{name}`: {m}"));
                        bad = true;
                        None
                    }
                },
                None => {
                    if required {
                        complain(at.clone(), format!("`{name}` is missing"));
                        bad = true;
                    }
                    None
                }
            }
        };
        let date = date_field("date", false);
        let expires = date_field("expires", true);
        if let Some(c) = &control
            && catalog.control(c).is_none()
        {
            let loc = get("control").map_or(at.clone(), |v| src.location(v.span().start));
            diags.push(Diagnostic::new(
                DiagKind::Config,
                loc,
                format!("attestation: `{c}` is no control of the catalogue (`vigie controls` lists them)"),
            ));
            bad = true;
        }
        if let (Some(d), Some(e)) = (date, expires)
            && e < d
        {
            diags.push(Diagnostic::new(
                DiagKind::Config,
                at.clone(),
                format!("attestation: expires ({e}) before its date ({d})"),
            ));
            bad = true;
        }
        if bad {
            continue;
        }
        let (Some(control), Some(statement), Some(owner), Some(expires)) =
            (control, statement, owner, expires)
        else {
            continue;
        };
        entries.push(Entry {
            attestation: Attestation {
                control: catalog
                    .control(&control)
                    .map_or(control.clone(), |c| c.id.clone()),
                statement,
                owner,
                date: date.map(|d| d.to_string()),
                expires: expires.to_string(),
                evidence,
            },
            expires,
            location: at,
        });
    }
    (entries, diags)
}

/// The verdicts of the entries as of `today`: attested while valid, to do once expired.
pub fn verdicts(entries: &[Entry], today: Date) -> Vec<Verdict> {
    entries
        .iter()
        .map(|e| {
            Verdict::attestation(
                e.attestation.clone(),
                e.location.clone(),
                e.is_expired(today),
            )
        })
        .collect()
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The text of one `[[attestation]]` entry.
pub fn render_entry(a: &Attestation) -> String {
    let mut s = String::from("[[attestation]]\n");
    s.push_str(&format!("control = {}\n", quoted(&a.control)));
    s.push_str(&format!("statement = {}\n", quoted(&a.statement)));
    s.push_str(&format!("owner = {}\n", quoted(&a.owner)));
    if let Some(d) = &a.date {
        s.push_str(&format!("date = {d}\n"));
    }
    s.push_str(&format!("expires = {}\n", a.expires));
    if let Some(e) = &a.evidence {
        s.push_str(&format!("evidence = {}\n", quoted(e)));
    }
    s
}

/// The new text of the attestations file once `a` is appended to `existing` (None: a new file).
pub fn append(existing: Option<&str>, a: &Attestation) -> String {
    match existing {
        None => format!(
            "# Attestations: what only a person can vouch for, per control. Written by `vigie attest`,\n\
             # read by `vigie scan`; an expired attestation is listed as to do with its owner.\n\n{}",
            render_entry(a)
        ),
        Some(t) => {
            let mut s = t.to_string();
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str(&render_entry(a));
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cat() -> &'static Catalog {
        Catalog::embedded()
    }

    const GOOD: &str = "[[attestation]]\ncontrol = \"GOV-02\"\nstatement = \"restore tested\"\nowner = \"ops@example.org\"\ndate = 2026-11-02\nexpires = 2027-02-02\nevidence = \"https://wiki.example.org/r\"\n";

    #[test]
    fn parses_entries_with_their_line() {
        let text = format!(
            "# header\n\n{GOOD}\n[[attestation]]\ncontrol = \"scm-03\"\nstatement = \"branch protection on main\"\nowner = \"lead@example.org\"\nexpires = \"2026-12-31\"\n"
        );
        let (e, d) = parse(PATH, &text, cat());
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].location.line, 3);
        assert_eq!(e[0].attestation.control, "GOV-02");
        assert_eq!(e[0].attestation.date.as_deref(), Some("2026-11-02"));
        assert_eq!(e[1].attestation.control, "SCM-03", "ids are normalised");
        assert_eq!(e[1].location.line, 11);
        assert!(!e[1].is_expired(date!(2026 - 12 - 31)));
        assert!(e[1].is_expired(date!(2027 - 01 - 01)));
    }

    #[test]
    fn expiry_decides_the_outcome() {
        let (e, _) = parse(PATH, GOOD, cat());
        let v = verdicts(&e, date!(2027 - 01 - 01));
        assert_eq!(v[0].outcome, vigie_core::Outcome::Attested);
        assert_eq!(&*v[0].subject, "GOV-02");
        let v = verdicts(&e, date!(2027 - 02 - 03));
        assert_eq!(v[0].outcome, vigie_core::Outcome::Todo);
        assert!(
            v[0].message.contains("expired on 2027-02-02"),
            "{}",
            v[0].message
        );
    }

    #[test]
    fn a_malformed_entry_names_its_line_and_the_rest_counts() {
        let text = format!(
            "{GOOD}\n[[attestation]]\ncontrol = \"GOV-01\"\nowner = \"x\"\nexpires = \"soon\"\n\n[[attestation]]\ncontrol = \"NOPE-9\"\nstatement = \"s\"\nowner = \"o\"\nexpires = 2027-01-01\ncolour = 1\n"
        );
        let (e, d) = parse(PATH, &text, cat());
        assert_eq!(e.len(), 1, "the good entry still counts");
        let msgs: Vec<String> = d
            .iter()
            .map(|d| format!("{} {}", d.location, d.message))
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains(":12:") && m.contains("`expires`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains(":9:") && m.contains("`statement` is missing")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("NOPE-9")), "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains(":19:") && m.contains("unknown field `colour`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn a_file_that_is_not_toml_is_one_diagnostic_with_its_line() {
        let (e, d) = parse(
            PATH,
            "[[attestation]]\ncontrol = \"GOV-01\nowner = 1\n",
            cat(),
        );
        assert!(e.is_empty());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].location.line, 2, "{:?}", d[0]);
        assert!(d[0].message.contains("malformed attestations file"));
    }

    #[test]
    fn appended_entries_read_back() {
        let a = Attestation {
            control: "SOV-01".into(),
            statement: "The contract states the \"service\" is qualified".into(),
            owner: "dpo@example.org".into(),
            date: Some("2026-12-01".into()),
            expires: "2027-12-01".into(),
            evidence: Some("https://contracts.example.org/42".into()),
        };
        let first = append(None, &a);
        let second = append(Some(&first), &a);
        let (e, d) = parse(PATH, &second, cat());
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].attestation, a);
    }
}
