//! SOV-03.1 (heuristic): SDKs and endpoints of SaaS under extra-EU jurisdiction.

use super::Ctx;
use crate::data::{self, Service};
use crate::eval::Value;
use std::collections::BTreeSet;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SOV-03.1",
    title: "No SDK or endpoint of SaaS under extra-EU jurisdiction (heuristic)",
    severity: Severity::Medium,
    applies_to: &["lockfiles", "compose", "env", "terraform"],
    what: "Heuristic, for review: package manifests and lockfiles (npm, yarn, pnpm, PyPI, Go, \
           Ruby, Composer, Cargo, Maven/Gradle) are scanned for the SDKs, and `.env` files, \
           Compose `environment` and Terraform values and providers for the endpoints, of \
           software-as-a-service vendors under extra-EU jurisdiction (error tracking, \
           analytics, monitoring, e-mail…), from vigie's list `saas.toml`. A match does not \
           prove that data leaves the EU; it lists what to review.",
    why: "Services subject to extraterritorial laws (US CLOUD Act, FISA 702) can be compelled to \
          hand over the data they receive, even when hosted in an EU region (SecNumCloud 19.6).",
    fix: "Replace the service with one under EU jurisdiction or self-hosted (e.g. GlitchTip or \
          self-hosted Sentry, Matomo, Plausible), or record why the data sent is acceptable \
          with a waiver.",
    failing: (
        "package.json",
        "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"express\": \"4.21.1\",\n    \"@sentry/node\": \"8.40.0\"\n  }\n}\n",
    ),
    passing: (
        "package.json",
        "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"express\": \"4.21.1\"\n  }\n}\n",
    ),
};

/// Files whose names are dependency manifests or lockfiles.
fn is_manifest(name: &str) -> bool {
    matches!(
        name,
        "package.json"
            | "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "requirements.txt"
            | "Pipfile"
            | "Pipfile.lock"
            | "poetry.lock"
            | "pyproject.toml"
            | "uv.lock"
            | "go.mod"
            | "Gemfile"
            | "Gemfile.lock"
            | "Cargo.toml"
            | "Cargo.lock"
            | "composer.json"
            | "composer.lock"
            | "pom.xml"
            | "build.gradle"
            | "build.gradle.kts"
    ) || (name.starts_with("requirements") && name.ends_with(".txt"))
}

fn is_env(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// A package name from a lockfile token: `node_modules/@sentry/node` → `@sentry/node`,
/// `@sentry/node@^8.0.0` → `@sentry/node`, `"sentry-sdk==2.1"` → `sentry-sdk`.
fn package_of(token: &str) -> &str {
    let t = token.trim_matches(|c: char| matches!(c, '"' | '\'' | ':' | ',' | '/' | '(' | ')'));
    let t = t.rsplit("node_modules/").next().unwrap_or(t);
    let t = match t.rfind('@') {
        Some(i) if i > 0 => &t[..i],
        _ => t,
    };
    t.split(['=', '<', '>', '~', '!', '[', ';', ' '])
        .next()
        .unwrap_or(t)
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset].bytes().filter(|b| *b == b'\n').count() as u32 + 1
}

/// Host names in a value: `https://o1.ingest.sentry.io/42` → `o1.ingest.sentry.io`.
fn hosts(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .filter(|h| h.contains('.') && h.chars().any(|c| c.is_ascii_alphabetic()))
        .map(|h| h.trim_matches('.'))
}

struct Finding {
    service: &'static Service,
    what: String,
    at: Location,
}

fn scan_packages(rel: &str, text: &str, services: &'static [Service], found: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    let mut offset = 0;
    for token in text.split(|c: char| c.is_whitespace() || c == ',' || c == '{' || c == '}') {
        let start = offset;
        offset += token.len() + 1;
        if token.is_empty() {
            continue;
        }
        let start = start + token.len() - token.trim_start_matches(['"', '\'']).len();
        let name = package_of(token);
        if name.is_empty() {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        for s in services {
            if s.has_package(&lower) || s.has_package(name) {
                if seen.insert((s.name.as_str(), name.to_string())) {
                    found.push(Finding {
                        service: s,
                        what: format!("the dependency `{name}`"),
                        at: Location::new(rel.into(), line_of(text, start.min(text.len())), 1),
                    });
                }
                break;
            }
        }
    }
}

fn scan_value(value: &str, services: &'static [Service]) -> Option<(&'static Service, String)> {
    for h in hosts(value) {
        let h = h.to_ascii_lowercase();
        if let Some(s) = services.iter().find(|s| s.has_host(&h)) {
            return Some((s, h));
        }
    }
    None
}

fn verdict(subject: String, f: &Finding) -> Verdict {
    Verdict::fail(
        &DOC,
        subject,
        f.at.clone(),
        format!(
            "heuristic, for review: {} is {} ({}, {} jurisdiction): check what data it receives",
            f.what, f.service.name, f.service.what, f.service.jurisdiction
        ),
        format!(
            "replace {} with a service under EU jurisdiction or self-hosted, or waive with the reason the data sent is acceptable",
            f.service.name
        ),
    )
}

fn judge_into(cx: &Ctx<'_>, out: &mut Vec<Verdict>) {
    let Ok(saas) = data::saas() else {
        return;
    };
    let services: &'static [Service] = &saas.services;
    let n = services.len();
    // manifests, lockfiles and .env files
    for rel in cx.files {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let manifest = is_manifest(name);
        let env = is_env(name);
        if !manifest && !env {
            continue;
        }
        let Some(text) = (cx.read)(rel) else {
            continue;
        };
        let mut found = Vec::new();
        if manifest {
            scan_packages(rel, &text, services, &mut found);
        } else {
            for (i, line) in text.lines().enumerate() {
                let Some((k, v)) = line.split_once('=') else {
                    continue;
                };
                if k.trim_start().starts_with('#') {
                    continue;
                }
                if let Some((s, h)) = scan_value(v, services) {
                    found.push(Finding {
                        service: s,
                        what: format!("`{}` points at {h}", k.trim()),
                        at: Location::new(rel.clone(), i as u32 + 1, 1),
                    });
                }
            }
        }
        if found.is_empty() {
            out.push(Verdict::pass(
                &DOC,
                rel.to_string(),
                Location::file(rel.clone()),
                format!("heuristic: no SDK or endpoint of the {n} listed extra-EU SaaS in {name}"),
            ));
        }
        for f in &found {
            out.push(verdict(rel.to_string(), f));
        }
    }
    // Compose environment
    for p in cx.compose {
        let Some(services_node) = p.merged.as_ref().and_then(|m| m.get("services")) else {
            continue;
        };
        let mut any = false;
        let mut checked = false;
        for svc in services_node.entries() {
            let Some(envn) = svc.value.get("environment") else {
                continue;
            };
            checked = true;
            let pairs: Vec<(String, String, vigie_parse::yaml::Pos)> = if envn.as_map().is_some() {
                envn.entries()
                    .iter()
                    .map(|e| {
                        (
                            e.key.clone(),
                            e.value.as_str().unwrap_or_default().to_string(),
                            e.key_pos,
                        )
                    })
                    .collect()
            } else {
                envn.items()
                    .iter()
                    .filter_map(|i| {
                        i.as_str().map(|s| {
                            let (k, v) = s.split_once('=').unwrap_or((s, ""));
                            (k.to_string(), v.to_string(), i.pos)
                        })
                    })
                    .collect()
            };
            for (k, v, pos) in pairs {
                if let Some((s, h)) = scan_value(&v, services) {
                    any = true;
                    let f = Finding {
                        service: s,
                        what: format!("`{k}` points at {h}"),
                        at: p.loc(pos),
                    };
                    out.push(verdict(format!("{} › services.{}", p.name, svc.key), &f));
                }
            }
        }
        if checked && !any {
            out.push(Verdict::pass(&DOC, p.name.clone(), Location::file(p.files.first().cloned().unwrap_or_else(|| p.name.as_str().into())), format!("heuristic: no endpoint of the {n} listed extra-EU SaaS in the services' environment")));
        }
    }
    // Terraform: SaaS providers and endpoints in values
    let m = cx.model;
    if m.files == 0 {
        return;
    }
    let mut any = false;
    for r in &m.required {
        if let Some(s) = services.iter().find(|s| s.providers.contains(&r.name)) {
            any = true;
            out.push(verdict(
                format!("provider {}", r.name),
                &Finding {
                    service: s,
                    what: format!("the Terraform provider `{}`", r.source),
                    at: r.at.clone(),
                },
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for r in &m.resources {
        let mut prefix = Vec::new();
        r.body.walk(&mut prefix, &mut |_, a| {
            let text = match &a.value {
                Value::Str(s) | Value::Computed(s) => s,
                _ => return,
            };
            if let Some((s, h)) = scan_value(text, services)
                && seen.insert((r.address.clone(), a.name.clone()))
            {
                any = true;
                out.push(verdict(
                    r.address.clone(),
                    &Finding {
                        service: s,
                        what: format!("`{}` points at {h}", a.name),
                        at: a.at.clone(),
                    },
                ));
            }
        });
    }
    if !any && let Some(first) = m.resources.first() {
        out.push(Verdict::pass(&DOC, "terraform", first.at.clone(), format!("heuristic: no provider or endpoint of the {n} listed extra-EU SaaS in the Terraform code")));
    }
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut crate::Output) {
    judge_into(cx, &mut out.verdicts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_tokens_become_package_names() {
        assert_eq!(package_of("\"node_modules/@sentry/node\":"), "@sentry/node");
        assert_eq!(package_of("\"@sentry/node@^8.0.0\":"), "@sentry/node");
        assert_eq!(package_of("sentry-sdk==2.1.0"), "sentry-sdk");
        assert_eq!(
            package_of("/@amplitude/analytics-browser@2.0.0:"),
            "@amplitude/analytics-browser"
        );
    }

    #[test]
    fn hosts_in_values() {
        let h: Vec<_> = hosts("https://abc@o1.ingest.sentry.io/42").collect();
        assert!(h.contains(&"o1.ingest.sentry.io"), "{h:?}");
    }
}
