//! Just enough PromQL (and LogQL, and Cloud Logging filters) to tell whether an alert watches
//! HTTP 401/403 responses over time.
//!
//! Hand-written on purpose: what LOG-03 needs is the label matchers of the series selectors
//! (`{status=~"40[13]", job="api"}`), the range functions around them and a threshold. A full
//! PromQL parser (the `promql-parser` crate) would give an AST for PromQL alone, not for the
//! LogQL rules of Loki nor for Cloud Logging filters, which LOG-03 reads too; a matcher
//! reading selectors and line filters covers all three with one small piece of code, and
//! regular-expression matchers are evaluated with the `regex` crate, anchored as Prometheus
//! anchors them.

use regex::Regex;

/// Labels that carry an HTTP status code in the usual exporters (ingress-nginx, Traefik,
/// Envoy/Istio, Spring, Go and Node clients).
const STATUS_LABELS: &[&str] = &[
    "status",
    "code",
    "status_code",
    "http_status",
    "http_status_code",
    "response_code",
    "http_code",
    "statuscode",
    "http_response_status_code",
];

/// The statuses LOG-03 is about.
const AUTH_FAILURES: [&str; 2] = ["401", "403"];

/// One label matcher of a series selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    pub label: String,
    pub op: String,
    pub value: String,
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}\"{}\"", self.label, self.op, self.value)
    }
}

/// Read a quoted string (`"…"`, `'…'` or `` `…` ``) at the start of `s`: its value and the rest.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.char_indices();
    let (_, q) = chars.next()?;
    if !matches!(q, '"' | '\'' | '`') {
        return None;
    }
    let mut out = String::new();
    let mut escaped = false;
    for (i, c) in chars {
        if escaped {
            // Prometheus strings use Go escapes; only `\\` and the quote matter here
            match c {
                '\\' | '"' | '\'' => out.push(c),
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
            escaped = false;
        } else if c == '\\' && q != '`' {
            escaped = true;
        } else if c == q {
            return Some((out, &s[i + 1..]));
        } else {
            out.push(c);
        }
    }
    None
}

/// Every label matcher of every `{…}` selector of an expression.
pub fn matchers(expr: &str) -> Vec<Matcher> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        loop {
            rest = rest.trim_start_matches([' ', '\t', '\n', '\r', ',']);
            if rest.starts_with('}') || rest.is_empty() {
                rest = rest.get(1..).unwrap_or("");
                break;
            }
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            if name_len == 0 {
                // not a selector (a `by (…)` clause or a template brace): skip a character
                rest = rest.get(1..).unwrap_or("");
                break;
            }
            let label = rest[..name_len].to_string();
            let after = rest[name_len..].trim_start();
            let op = ["=~", "!~", "!=", "="]
                .into_iter()
                .find(|op| after.starts_with(op));
            let Some(op) = op else {
                rest = after;
                break;
            };
            let Some((value, r)) = quoted(after[op.len()..].trim_start()) else {
                rest = &after[op.len()..];
                break;
            };
            out.push(Matcher {
                label,
                op: op.to_string(),
                value,
            });
            rest = r;
        }
    }
    out
}

/// Whether a matcher selects 401 or 403 responses.
fn selects_auth_failures(m: &Matcher) -> bool {
    if !STATUS_LABELS.contains(&m.label.to_ascii_lowercase().as_str()) {
        return false;
    }
    match m.op.as_str() {
        "=" => AUTH_FAILURES.contains(&m.value.as_str()),
        "=~" => Regex::new(&format!("^(?:{})$", m.value))
            .is_ok_and(|re| AUTH_FAILURES.iter().any(|s| re.is_match(s))),
        _ => false,
    }
}

/// The condition of an expression that selects 401/403 responses: a label matcher, a LogQL
/// line filter, or a Cloud Logging comparison on the status.
pub fn status_condition(expr: &str) -> Option<String> {
    if let Some(m) = matchers(expr).into_iter().find(selects_auth_failures) {
        return Some(m.to_string());
    }
    // LogQL line filters: |= "401", |~ "40[13]"
    for op in ["|=", "|~"] {
        let mut rest = expr;
        while let Some(i) = rest.find(op) {
            rest = &rest[i + op.len()..];
            if let Some((v, r)) = quoted(rest.trim_start()) {
                let hit = if op == "|=" {
                    AUTH_FAILURES.iter().any(|s| v.contains(s))
                } else {
                    Regex::new(&v).is_ok_and(|re| AUTH_FAILURES.iter().any(|s| re.is_match(s)))
                };
                if hit {
                    return Some(format!("{op} \"{v}\""));
                }
                rest = r;
            }
        }
    }
    // Cloud Logging filters: httpRequest.status=403, jsonPayload.status_code = 401,
    // httpRequest.status>=400 AND httpRequest.status<404
    static FILTER: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = FILTER.get_or_init(|| {
        Regex::new(r#"(?i)([a-z_.]*(?:status|code)[a-z_]*)\s*(=|:|>=|>)\s*"?(\d{3})"?"#)
            .expect("a valid pattern")
    });
    for c in re.captures_iter(expr) {
        let n: u32 = c[3].parse().unwrap_or(0);
        let hit = match &c[2] {
            "=" | ":" => n == 401 || n == 403,
            ">=" => (400..=401).contains(&n),
            ">" => (399..=400).contains(&n),
            _ => false,
        };
        if hit {
            return Some(c[0].to_string());
        }
    }
    None
}

/// Whether an expression counts over time against a threshold (`rate(…[5m]) > 1`), rather
/// than firing on a single response.
pub fn counts_over_time(expr: &str) -> bool {
    static RANGE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = RANGE.get_or_init(|| {
        Regex::new(r"\b(rate|irate|increase|count_over_time|sum_over_time|bytes_rate|delta)\s*\(")
            .expect("a valid pattern")
    });
    let threshold = expr.contains('>');
    re.is_match(expr) && threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_label_matchers() {
        let m = matchers(
            r#"sum by (job) (rate(http_requests_total{job="api", status=~"40[13]"}[5m])) > 1"#,
        );
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].to_string(), r#"status=~"40[13]""#);
        let m = matchers(r#"x{code!="200",le='0.5'}"#);
        assert_eq!(m[0].op, "!=");
        assert_eq!(m[1].value, "0.5");
    }

    #[test]
    fn recognises_401_403_conditions() {
        for e in [
            r#"rate(http_requests_total{status=~"401|403"}[5m]) > 1"#,
            r#"increase(nginx_ingress_controller_requests{status="403"}[10m]) > 20"#,
            r#"sum(rate(traefik_service_requests_total{code=~"4.."}[5m])) > 5"#,
            r#"sum(count_over_time({app="api"} |= " 401 " [5m])) > 10"#,
            r#"httpRequest.status=403"#,
            r#"resource.type="http_load_balancer" AND httpRequest.status>=400"#,
        ] {
            assert!(status_condition(e).is_some(), "{e}");
        }
        for e in [
            r#"rate(http_requests_total{status=~"5.."}[5m]) > 1"#,
            r#"rate(http_requests_total{status!="401"}[5m]) > 1"#,
            r#"rate(http_requests_total{method="401"}[5m]) > 1"#,
            r#"httpRequest.status>=500"#,
            r#"up == 0"#,
        ] {
            assert!(status_condition(e).is_none(), "{e}");
        }
    }

    #[test]
    fn tells_repeated_from_single() {
        assert!(counts_over_time(r#"rate(x{status="401"}[5m]) > 1"#));
        assert!(!counts_over_time(r#"x{status="401"} > 0"#));
        assert!(!counts_over_time(r#"rate(x{status="401"}[5m])"#));
    }
}
