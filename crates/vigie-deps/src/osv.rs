//! OSV advisories (https://ossf.github.io/osv-schema/): read record by record from JSON into
//! the digest vigie keeps (what matching and reports need, nothing else), and the evaluation of
//! affected ranges against a version.

use crate::Ecosystem;
use crate::version::Version;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::str::FromStr;
use vigie_core::Severity;

/// One advisory as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// RFC 3339, as OSV writes it; compared as text (OSV timestamps are UTC with `Z`).
    pub modified: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Rating>,
    pub affected: Vec<Affected>,
}

/// A severity with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub level: Severity,
    /// The CVSS base score computed from the vector, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The CVSS vector, or `database_specific`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    pub ecosystem: Ecosystem,
    /// Normalised as the ecosystem compares names.
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Rating>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER` or `ECOSYSTEM` (GIT ranges are dropped on import).
    pub kind: String,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// What reading one record found besides the advisory.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Notes {
    /// GIT ranges left out (vigie matches released versions, not commits).
    pub git_ranges: u32,
    /// Affected entries of ecosystems vigie does not read.
    pub unknown_ecosystem: u32,
}

/// Why a record is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Withdrawn,
    /// Every affected entry is of an ecosystem vigie does not read (the first one named).
    UnknownEcosystem(String),
    Malformed(String),
}

/// Reads one OSV record.
pub fn digest(v: &Value) -> Result<(Advisory, Notes), Skip> {
    let obj = v
        .as_object()
        .ok_or_else(|| Skip::Malformed("the record is not a JSON object".into()))?;
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Skip::Malformed("the record has no `id`".into()))?;
    let modified = obj
        .get("modified")
        .and_then(Value::as_str)
        .ok_or_else(|| Skip::Malformed(format!("{id}: no `modified` timestamp")))?;
    if obj.get("withdrawn").is_some_and(|w| !w.is_null()) {
        return Err(Skip::Withdrawn);
    }
    let strings = |key: &str| -> Vec<String> {
        obj.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut notes = Notes::default();
    let mut affected = Vec::new();
    let mut first_unknown = None;
    let Some(list) = obj.get("affected").and_then(Value::as_array) else {
        return Err(Skip::Malformed(format!("{id}: no `affected` list")));
    };
    for a in list {
        let Some(pkg) = a.get("package") else {
            continue;
        };
        let eco_name = pkg.get("ecosystem").and_then(Value::as_str).unwrap_or("");
        let Some(eco) = Ecosystem::from_osv(eco_name) else {
            notes.unknown_ecosystem += 1;
            first_unknown.get_or_insert_with(|| eco_name.to_string());
            continue;
        };
        let Some(name) = pkg.get("name").and_then(Value::as_str) else {
            return Err(Skip::Malformed(format!(
                "{id}: an affected package has no name"
            )));
        };
        let mut ranges = Vec::new();
        for r in a
            .get("ranges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = r.get("type").and_then(Value::as_str).unwrap_or("");
            match kind {
                "SEMVER" | "ECOSYSTEM" => {}
                "GIT" => {
                    notes.git_ranges += 1;
                    continue;
                }
                other => {
                    return Err(Skip::Malformed(format!(
                        "{id}: unknown range type `{other}`"
                    )));
                }
            }
            let mut events = Vec::new();
            for e in r
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(eo) = e.as_object() else { continue };
                for (k, val) in eo {
                    let Some(s) = val.as_str() else {
                        return Err(Skip::Malformed(format!(
                            "{id}: the `{k}` event is not a string"
                        )));
                    };
                    let s = s.to_string();
                    events.push(match k.as_str() {
                        "introduced" => Event::Introduced(s),
                        "fixed" => Event::Fixed(s),
                        "last_affected" => Event::LastAffected(s),
                        "limit" => Event::Limit(s),
                        other => {
                            return Err(Skip::Malformed(format!(
                                "{id}: unknown range event `{other}`"
                            )));
                        }
                    });
                }
            }
            ranges.push(Range {
                kind: kind.to_string(),
                events,
            });
        }
        let versions = a
            .get("versions")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let severity = rating_of(a.get("severity"))
            .or_else(|| db_specific(a.get("database_specific")))
            .or_else(|| db_specific(a.get("ecosystem_specific")));
        affected.push(Affected {
            ecosystem: eco,
            name: eco.normalise(name),
            ranges,
            versions,
            severity,
        });
    }
    if affected.is_empty() {
        return match first_unknown {
            Some(e) => Err(Skip::UnknownEcosystem(e)),
            None => Err(Skip::Malformed(format!("{id}: no affected package"))),
        };
    }
    let summary = obj
        .get("summary")
        .and_then(Value::as_str)
        .map(|s| truncate(s, 200))
        .unwrap_or_default();
    Ok((
        Advisory {
            id: id.to_string(),
            aliases: strings("aliases"),
            modified: modified.to_string(),
            summary,
            severity: rating_of(obj.get("severity"))
                .or_else(|| db_specific(obj.get("database_specific"))),
            affected,
        },
        notes,
    ))
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The highest rating of an OSV `severity` list whose CVSS vector vigie can score
/// (CVSS v3.0, v3.1 and v4.0, with the `cvss` crate).
fn rating_of(v: Option<&Value>) -> Option<Rating> {
    let mut best: Option<Rating> = None;
    for s in v?.as_array()? {
        let Some(vector) = s.get("score").and_then(Value::as_str) else {
            continue;
        };
        let Some(score) = cvss_score(vector) else {
            continue;
        };
        let r = Rating {
            level: level_of_score(score),
            score: Some(score),
            source: vector.to_string(),
        };
        if best.as_ref().is_none_or(|b| b.score < r.score) {
            best = Some(r);
        }
    }
    best
}

/// The CVSS base score of a vector (`CVSS:3.1/…`, `CVSS:4.0/…`).
pub fn cvss_score(vector: &str) -> Option<f64> {
    if vector.starts_with("CVSS:4.0/") {
        cvss::v4::Vector::from_str(vector)
            .ok()
            .map(|v| v.score().value())
    } else if vector.starts_with("CVSS:3.") {
        cvss::v3::Base::from_str(vector)
            .ok()
            .map(|b| b.score().value())
    } else {
        None
    }
}

/// CVSS qualitative ratings (the same bands in v3 and v4).
pub fn level_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// `database_specific.severity` as GitHub and others write it (`CRITICAL`, `HIGH`,
/// `MODERATE`, `MEDIUM`, `LOW`).
fn db_specific(v: Option<&Value>) -> Option<Rating> {
    let s = v?.get("severity")?.as_str()?;
    let level = match s.to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" | "IMPORTANT" => Severity::High,
        "MODERATE" | "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => return None,
    };
    Some(Rating {
        level,
        score: None,
        source: "database_specific".into(),
    })
}

/// Why an affected entry matched a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The version that fixes it, when the range names one above the matched version.
    pub fixed: Option<String>,
    /// The last affected version, when the range names one instead of a fix.
    pub last_affected: Option<String>,
}

impl Affected {
    /// Whether `version` (as the lockfile writes it) is affected. `unevaluated` counts ranges
    /// whose events are not versions of the ecosystem (they are left out, not guessed).
    pub fn affects(&self, version: &str, unevaluated: &mut u32) -> Option<Hit> {
        let parsed = Version::parse(self.ecosystem, version);
        let mut hit = None;
        if self.versions.iter().any(|v| {
            v == version || (parsed.is_some() && Version::parse(self.ecosystem, v) == parsed)
        }) {
            hit = Some(Hit {
                fixed: None,
                last_affected: None,
            });
        }
        let Some(v) = parsed else {
            return hit;
        };
        for r in &self.ranges {
            match eval_range(self.ecosystem, r, &v) {
                Ok(Some(h)) => {
                    let better = match &hit {
                        None => true,
                        Some(old) => old.fixed.is_none() && h.fixed.is_some(),
                    };
                    if better {
                        hit = Some(h);
                    }
                }
                Ok(None) => {}
                Err(()) => *unevaluated += 1,
            }
        }
        hit
    }
}

/// The OSV evaluation: events sorted by version, `introduced` opens, `fixed` closes at the
/// version, `last_affected` closes after it; `limit` bounds the whole range.
fn eval_range(eco: Ecosystem, r: &Range, v: &Version) -> Result<Option<Hit>, ()> {
    // (version, order-key, event); `None` stands for introduced "0", below every version.
    let mut evs: Vec<(Option<Version>, &Event)> = Vec::with_capacity(r.events.len());
    let mut limits = Vec::new();
    for e in &r.events {
        let s = match e {
            Event::Introduced(s) | Event::Fixed(s) | Event::LastAffected(s) | Event::Limit(s) => s,
        };
        if let Event::Limit(_) = e {
            if s != "*" {
                limits.push(Version::parse(eco, s).ok_or(())?);
            }
            continue;
        }
        if matches!(e, Event::Introduced(_)) && Version::is_zero_marker(s) {
            evs.push((None, e));
            continue;
        }
        evs.push((Some(Version::parse(eco, s).ok_or(())?), e));
    }
    if limits.iter().any(|l| v >= l) {
        return Ok(None);
    }
    evs.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
    });
    let mut affected = false;
    let mut at = 0;
    for (i, (ev, e)) in evs.iter().enumerate() {
        let reached = match ev {
            None => true,
            Some(x) => match e {
                Event::LastAffected(_) => v > x,
                _ => v >= x,
            },
        };
        if !reached {
            break;
        }
        at = i + 1;
        affected = matches!(e, Event::Introduced(_));
    }
    if !affected {
        return Ok(None);
    }
    // The next closing event above the version says what fixes it.
    let mut hit = Hit {
        fixed: None,
        last_affected: None,
    };
    for (_, e) in &evs[at..] {
        match e {
            Event::Fixed(s) => {
                hit.fixed = Some(s.clone());
                break;
            }
            Event::LastAffected(s) => {
                hit.last_affected = Some(s.clone());
                break;
            }
            _ => {}
        }
    }
    Ok(Some(hit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn adv(v: Value) -> Advisory {
        digest(&v).expect("digest").0
    }

    fn affects(a: &Advisory, version: &str) -> Option<Hit> {
        let mut n = 0;
        a.affected[0].affects(version, &mut n)
    }

    #[test]
    fn introduced_fixed() {
        let a = adv(
            json!({"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"lodash"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}),
        );
        assert_eq!(
            affects(&a, "4.17.20").unwrap().fixed.as_deref(),
            Some("4.17.21")
        );
        assert!(affects(&a, "4.17.21").is_none());
        assert!(affects(&a, "4.17.21-rc.1").is_some());
        assert!(affects(&a, "5.0.0").is_none());
    }

    #[test]
    fn several_intervals_last_affected_and_limit() {
        let a = adv(
            json!({"id":"X-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"Foo"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.2.0"},{"introduced":"2.0.0"},{"last_affected":"2.3.1"}]},
                      {"type":"ECOSYSTEM","events":[{"introduced":"3.0.0"},{"limit":"3.5.0"}]}]}]}),
        );
        assert_eq!(a.affected[0].name, "foo");
        assert!(affects(&a, "0.9.0").is_none());
        assert_eq!(
            affects(&a, "1.1.9").unwrap().fixed.as_deref(),
            Some("1.2.0")
        );
        assert!(affects(&a, "1.2.0").is_none());
        let h = affects(&a, "2.3.1").unwrap();
        assert_eq!((h.fixed, h.last_affected.as_deref()), (None, Some("2.3.1")));
        assert!(affects(&a, "2.3.2").is_none());
        assert!(affects(&a, "3.4.0").is_some());
        assert!(affects(&a, "3.5.0").is_none());
    }

    #[test]
    fn versions_list_and_pep440() {
        let a = adv(
            json!({"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"Django_Thing"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.0.post1"}]}],
            "versions":["0.9rc1"]}]}),
        );
        assert_eq!(a.affected[0].name, "django-thing");
        assert!(affects(&a, "0.9rc1").is_some());
        assert!(affects(&a, "0.9").is_none());
        assert!(affects(&a, "1.0.0").is_some());
        assert!(affects(&a, "1.0.post1").is_none());
    }

    #[test]
    fn unparsable_events_are_counted_not_guessed() {
        let a = adv(
            json!({"id":"X-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"not a version"}]}]}]}),
        );
        let mut n = 0;
        assert!(a.affected[0].affects("1.0.0", &mut n).is_none());
        assert_eq!(n, 1);
    }

    #[test]
    fn skipped_records() {
        assert_eq!(
            digest(
                &json!({"id":"W","modified":"x","withdrawn":"2024-01-01T00:00:00Z","affected":[]})
            )
            .err(),
            Some(Skip::Withdrawn)
        );
        assert_eq!(
            digest(&json!({"id":"D","modified":"x","affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"}}]})).err(),
            Some(Skip::UnknownEcosystem("Debian:12".into()))
        );
        assert!(matches!(
            digest(&json!({"modified":"x"})),
            Err(Skip::Malformed(_))
        ));
        assert!(matches!(digest(&json!([1])), Err(Skip::Malformed(_))));
        let (a, n) = digest(&json!({"id":"G","modified":"x","affected":[{"package":{"ecosystem":"Go","name":"example.com/m"},
            "ranges":[{"type":"GIT","repo":"https://x","events":[{"introduced":"0"}]}]},
            {"package":{"ecosystem":"Maven","name":"a:b"}}]})).unwrap();
        assert_eq!((n.git_ranges, n.unknown_ecosystem), (1, 1));
        assert_eq!(a.affected.len(), 1);
    }

    #[test]
    fn cvss_scores() {
        assert_eq!(
            cvss_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(
            cvss_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(9.3)
        );
        assert_eq!(cvss_score("garbage"), None);
        let a = adv(
            json!({"id":"S","modified":"x","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
            "affected":[{"package":{"ecosystem":"npm","name":"a"},"versions":["1.0.0"]}]}),
        );
        let r = a.severity.unwrap();
        assert_eq!((r.level, r.score), (Severity::Medium, Some(5.9)));
        let a = adv(
            json!({"id":"S2","modified":"x","database_specific":{"severity":"MODERATE"},
            "affected":[{"package":{"ecosystem":"npm","name":"a"},"versions":["1.0.0"]}]}),
        );
        assert_eq!(a.severity.unwrap().level, Severity::Medium);
    }
}
