//! SEC-02.4: on a Compose platform, services take their secrets from Compose `secrets:` (files
//! under `/run/secrets/`, fed from a vault by the deployment) or a vault agent, not from
//! secret-named variables in `environment:` or in `env_file:` files, whose values sit in
//! `.env` files, the Compose file itself or the shell of whoever deploys.
//!
//! A secret-named variable is recognised by its name, as CNT-10.5 and SEC-04 do for images;
//! a `…_FILE` variable names a file holding the secret, which is the intended pattern.

use crate::model::Model;
use crate::{Out, Repo};
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::compose::Project;
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SEC-02.4",
    title: "Compose services take their secrets from Compose secrets or a vault, not variables",
    severity: Severity::Medium,
    applies_to: &["compose"],
    what: "No Compose service sets a secret-named variable (containing PASSWORD, PASSWD, SECRET, \
           TOKEN, API_KEY, APIKEY, PRIVATE_KEY, ACCESS_KEY or CREDENTIAL) in `environment:` or \
           in one of its `env_file:` files; services read secrets from files delivered by \
           Compose `secrets:` (`…_FILE: /run/secrets/…`) or by a vault agent. A service with \
           `secrets:` and no such variable passes.",
    why: "A variable's value sits in the Compose file, a `.env` file or the shell of whoever \
          deploys: copied to every host, readable by `docker inspect`, inherited by every child \
          process, and never rotated by a secret store.",
    fix: "Declare the secret under top-level `secrets:` (fed from your vault at deployment), grant \
          it to the service with `secrets:`, and point the image at the file (`POSTGRES_PASSWORD_FILE: \
          /run/secrets/db_password`).",
    failing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:17.2\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:17.2\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\nsecrets:\n  db_password:\n    environment: DB_PASSWORD\n",
    ),
};

/// Parts of a variable name that say it holds a secret.
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

fn secret_named(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    MARKERS.iter().any(|m| up.contains(m)) && !up.ends_with("_FILE")
}

/// `(name, value)` of a service's `environment:`, in its map or list form.
fn environment(service: &Node) -> Vec<(String, &Node)> {
    let Some(env) = service.get("environment") else {
        return Vec::new();
    };
    if let Some(map) = env.as_map() {
        return map.iter().map(|e| (e.key.clone(), &e.value)).collect();
    }
    env.items()
        .iter()
        .filter_map(|n| {
            let s = n.as_str()?;
            let name = s.split('=').next().unwrap_or(s);
            Some((name.to_string(), n))
        })
        .collect()
}

/// The paths of a service's `env_file:` (string, list of strings, or list of `{path: …}`).
fn env_files(service: &Node) -> Vec<&Node> {
    match service.get("env_file") {
        None => Vec::new(),
        Some(n) if n.as_str().is_some() => vec![n],
        Some(n) => n
            .items()
            .iter()
            .map(|i| i.get("path").unwrap_or(i))
            .collect(),
    }
}

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    for p in m.repo.compose {
        project(m.repo, p, out);
    }
}

fn project(repo: &Repo<'_>, p: &Project, out: &mut Out) {
    let Some(merged) = &p.merged else { return };
    for e in merged.get("services").map(Node::entries).unwrap_or(&[]) {
        let service = &e.value;
        let mut found = false;
        for (name, value) in environment(service) {
            if secret_named(&name) {
                found = true;
                out.verdicts.push(Verdict::fail(
                    &DOC,
                    format!("{} › {name}", e.key),
                    p.loc(value.pos),
                    format!(
                        "`{name}` is set in `environment:`: its value lives in the Compose file, a `.env` file or the deploying shell, not in a secret store"
                    ),
                    format!("declare a Compose secret fed from your vault and read it from `/run/secrets/` (`{name}_FILE`)"),
                ));
            }
        }
        for f in env_files(service) {
            let Some(path) = f.as_str() else { continue };
            let Some(rel) = vigie_parse::compose::join(&p.dir, path) else {
                continue;
            };
            let Some(text) = (repo.read)(&rel) else {
                continue;
            };
            for line in text.lines() {
                let line = line.trim_start();
                let line = line.strip_prefix("export ").unwrap_or(line);
                if line.starts_with('#') {
                    continue;
                }
                let Some((name, _)) = line.split_once('=') else {
                    continue;
                };
                let name = name.trim();
                if secret_named(name) {
                    found = true;
                    out.verdicts.push(Verdict::fail(
                        &DOC,
                        format!("{} › {name}", e.key),
                        p.loc(f.pos),
                        format!("`{name}` comes from the env_file `{rel}`, a file of secrets beside the deployment"),
                        format!("declare a Compose secret fed from your vault and read it from `/run/secrets/` (`{name}_FILE`)"),
                    ));
                }
            }
        }
        let secrets: Vec<&str> = service
            .get("secrets")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|s| {
                s.as_str()
                    .or_else(|| s.get("source").and_then(Node::as_str))
            })
            .collect();
        if !found && !secrets.is_empty() {
            out.verdicts.push(Verdict::pass(
                &DOC,
                e.key.clone(),
                p.loc(service.get("secrets").map_or(service.pos, |n| n.pos)),
                format!(
                    "`{}` receives its secrets as Compose secrets ({}), and no secret-named variable",
                    e.key,
                    secrets.join(", ")
                ),
            ));
        }
    }
}
