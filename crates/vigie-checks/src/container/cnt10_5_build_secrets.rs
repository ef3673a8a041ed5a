//! CNT-10.5: no secrets in ENV, ARG or LABEL.

use super::DOCKERFILE;
use crate::Context;
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::dockerfile::{Dockerfile, InstrKind};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.5",
    title: "No secrets in ENV, ARG or LABEL",
    severity: Severity::High,
    applies_to: DOCKERFILE,
    what: "No `ENV`, `ARG` default or `LABEL` gives a literal value to a name that says it \
           holds a secret (containing PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, APIKEY, \
           PRIVATE_KEY, ACCESS_KEY or CREDENTIAL, in any case). A reference to another variable \
           (`$VAR`, `${VAR}`) and obvious placeholders (`changeme`, `<…>`, `xxx`, `***`) are not \
           literals; the value is never shown in full in the report.",
    why: "Whatever `ENV`, `ARG` and `LABEL` hold is stored in the image's configuration and \
          history: anyone who can pull the image can read it with `docker history` or \
          `docker inspect`, long after the Dockerfile was fixed. The secret also sits in the \
          repository for every clone to copy.",
    fix: "Remove the value and rotate the secret. Pass build-time secrets with \
          `RUN --mount=type=secret,id=<name>` (`docker build --secret`), and runtime ones \
          through the platform's secrets (Compose `secrets:`, Kubernetes Secrets from a vault).",
    failing: (
        "dockerfile",
        "FROM python:3.12.7-slim\nENV APP_ENV=production \\\n    DB_PASSWORD=Summer2024!\nRUN pip install --no-cache-dir -r requirements.txt\n",
    ),
    passing: (
        "dockerfile",
        "FROM python:3.12.7-slim\nENV APP_ENV=production\nRUN --mount=type=secret,id=pip_token \\\n    PIP_INDEX_URL=\"https://ci:$(cat /run/secrets/pip_token)@pypi.example.org/simple\" \\\n    pip install --no-cache-dir -r requirements.txt\n",
    ),
};

const MARKERS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

/// Whether a variable or label name says it holds a secret (and not where to find one).
pub fn secret_name(key: &str) -> bool {
    let k: String = key
        .trim()
        .chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    let pointer = ["_FILE", "_PATH", "_DIR", "_LOCATION"]
        .iter()
        .any(|s| k.ends_with(s));
    !pointer && MARKERS.iter().any(|m| k.contains(m))
}

fn is_var_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

/// Whether a value is nothing but a reference to another variable (`$VAR`, `${VAR}`, or
/// `${VAR:-default}` whose default is itself no literal).
fn reference_only(v: &str) -> bool {
    if let Some(name) = v.strip_prefix('$')
        && is_var_name(name)
    {
        return true;
    }
    let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) else {
        return false;
    };
    let end = inner
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(end);
    if !is_var_name(name) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    for op in [":-", ":+", ":?", "-", "+", "?"] {
        if let Some(default) = rest.strip_prefix(op) {
            // `${X:?msg}` only fails the build; other operators may produce their argument
            return op.ends_with('?') || !is_literal(default);
        }
    }
    false
}

fn placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    let all = |c: char| v.chars().all(|x| x.eq_ignore_ascii_case(&c));
    matches!(
        l.as_str(),
        "changeme"
            | "change_me"
            | "change-me"
            | "changeit"
            | "placeholder"
            | "dummy"
            | "redacted"
            | "todo"
            | "none"
            | "null"
            | "nil"
            | "undefined"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "enabled"
            | "disabled"
    ) || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || (v.len() >= 3 && (all('x') || all('*') || all('.') || all('#')))
        || (v.len() <= 4 && v.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a value is a literal that could be a secret.
pub fn is_literal(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']).trim();
    !v.is_empty() && !reference_only(v) && !placeholder(v)
}

/// A value shown without giving it away: a few leading characters, then its length.
pub fn redact(value: &str) -> String {
    let n = value.chars().count();
    let keep = if n >= 8 { 4 } else { n / 4 };
    let shown: String = value.chars().take(keep).collect();
    format!("{shown}… ({n} character{})", if n == 1 { "" } else { "s" })
}

/// Where a global `ARG` (before the first `FROM`) is written: global arguments keep no location.
fn global_arg_at(d: &Dockerfile, key: &str) -> Option<Location> {
    let last = d.stages.first().map_or(u32::MAX, |s| s.from_at.line);
    (1..last.min(d.source.line_count().saturating_add(1))).find_map(|line| {
        let t = d.source.line_text(line)?.trim_start();
        t.get(..4).filter(|h| h.eq_ignore_ascii_case("ARG "))?;
        let name = t.get(4..)?.trim_start();
        let matches = name
            .strip_prefix(key)
            .is_some_and(|r| r.starts_with('=') || r.trim().is_empty());
        matches.then(|| Location::new(d.path.clone(), line, 1))
    })
}

fn judge(d: &Dockerfile, out: &mut Vec<Verdict>) {
    let mut found = false;
    for stage in &d.stages {
        for ins in &stage.instructions {
            let (what, pairs): (&str, Vec<(&str, &str)>) = match &ins.kind {
                InstrKind::Env(p) => (
                    "ENV",
                    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
                ),
                InstrKind::Label(p) => (
                    "LABEL",
                    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
                ),
                InstrKind::Arg(k, Some(v)) => ("ARG", vec![(k.as_str(), v.as_str())]),
                _ => continue,
            };
            for (key, value) in pairs {
                if !secret_name(key) || !is_literal(value) {
                    continue;
                }
                found = true;
                out.push(Verdict::fail(
                    &DOC,
                    d.path.to_string(),
                    ins.at.clone(),
                    format!(
                        "{what} gives `{key}` a literal value ({}): it is stored in the image",
                        redact(value.trim())
                    ),
                    format!(
                        "remove the value and rotate it; pass it with RUN --mount=type=secret,id={} or as a runtime secret",
                        key.to_ascii_lowercase()
                    ),
                ));
            }
        }
    }
    for (key, value) in &d.global_args {
        if let Some(v) = value
            && secret_name(key)
            && is_literal(v)
        {
            found = true;
            let at = global_arg_at(d, key)
                .or_else(|| d.stages.first().map(|s| s.from_at.clone()))
                .unwrap_or_else(|| Location::file(d.path.clone()));
            out.push(Verdict::fail(
                &DOC,
                d.path.to_string(),
                at,
                format!(
                    "a global ARG gives `{key}` a literal default ({}): it is stored in the build history",
                    redact(v.trim())
                ),
                format!(
                    "remove the default and rotate it; pass it with RUN --mount=type=secret,id={}",
                    key.to_ascii_lowercase()
                ),
            ));
        }
    }
    if !found {
        out.push(Verdict::pass(
            &DOC,
            d.path.to_string(),
            Location::file(d.path.clone()),
            "no ENV, ARG or LABEL holds a literal secret",
        ));
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for d in cx.dockerfiles {
        judge(d, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
        let vs = Fixture::new(DOC.failing.0, DOC.failing.1, &[]).run(run);
        assert_eq!(vs.len(), 1);
        assert_eq!(
            &*vs[0].message,
            "ENV gives `DB_PASSWORD` a literal value (Summ… (11 characters)): it is stored in the image"
        );
        assert!(!vs[0].message.contains("Summer2024!"));
        assert_eq!(vs[0].location.line, 2);
    }

    #[test]
    fn names_values_and_redaction() {
        for k in [
            "DB_PASSWORD",
            "github-token",
            "aws.access_key_id",
            "ApiKey",
            "GIT_CREDENTIALS",
            "jwtSecret",
        ] {
            assert!(secret_name(k), "{k}");
        }
        for k in [
            "PASSWORD_FILE",
            "TOKEN_PATH",
            "HOME",
            "NODE_ENV",
            "SECRETS_DIR",
        ] {
            assert!(!secret_name(k), "{k}");
        }
        for v in ["hunter2", "${X:-hunter2}", "abc$X", "'s3cr3t'"] {
            assert!(is_literal(v), "{v}");
        }
        for v in [
            "",
            "$TOKEN",
            "${TOKEN}",
            "${TOKEN:-}",
            "${T:?required}",
            "changeme",
            "<your token>",
            "xxxx",
            "****",
            "\"\"",
            "12",
            "true",
        ] {
            assert!(!is_literal(v), "{v}");
        }
        assert_eq!(redact("ab"), "… (2 characters)");
        assert_eq!(redact("abcdefg"), "a… (7 characters)");
        assert_eq!(redact("abcdefghijklmnop"), "abcd… (16 characters)");
        for v in ["a", "abc", "abcd", "abcdefgh"] {
            let r = redact(v);
            let head = r.split('…').next().unwrap_or_default();
            assert!(head.len() < v.len(), "{v}: {r}");
        }
        assert_eq!(redact("a"), "… (1 character)");
    }

    #[test]
    fn arg_defaults_labels_and_globals() {
        let d = "ARG NPM_TOKEN=npm_0123456789abcdef\nFROM node:22\nARG GH_TOKEN\nARG API_KEY=${API_KEY}\nLABEL com.example.secret=\"s3cr3t-value\"\nENV PASSWORD_FILE=/run/secrets/db\n";
        let vs = Fixture::new("dockerfile", d, &[]).run(run);
        let lines: Vec<u32> = vs.iter().map(|v| v.location.line).collect();
        assert_eq!(lines, [5, 1], "{vs:#?}");
        assert!(
            vs.iter()
                .all(|v| !v.message.contains("0123456789") && !v.message.contains("s3cr3t"))
        );
    }
}
