//! SUP-02.2: a lockfile beside every `package.json`.

use crate::analyze::{Analysis, Found};
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-02.2",
    title: "A lockfile is committed beside every package.json",
    severity: Severity::Medium,
    applies_to: &["package.json"],
    what: "Every `package.json` that declares dependencies has a lockfile beside it \
           (`package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lock`), \
           or belongs to a workspace whose root has one.",
    why: "Without a lockfile every install resolves version ranges anew: what is built is not \
          what was reviewed, and a compromised new release is picked up silently.",
    fix: "Run `npm install` once locally and commit the `package-lock.json` it writes.",
    failing: (
        "package.json",
        "{\n  \"name\": \"api\",\n  \"dependencies\": {\n    \"express\": \"^4.19.2\"\n  }\n}\n",
    ),
    passing: (
        "package.json",
        "{\n  \"name\": \"tools\",\n  \"private\": true\n}\n",
    ),
};

const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

/// SUP-02.2: a lockfile beside every package.json.
fn sup02_lockfiles(files: &[&str], read: &dyn Fn(&str) -> Option<String>, out: &mut Vec<Verdict>) {
    let set: std::collections::HashSet<&str> = files.iter().copied().collect();
    let dir_of = |f: &str| {
        f.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    };
    let join = |d: &str, n: &str| {
        if d.is_empty() {
            n.to_string()
        } else {
            format!("{d}/{n}")
        }
    };
    let lock_in = |d: &str| {
        LOCKFILES
            .iter()
            .map(|l| join(d, l))
            .find(|p| set.contains(p.as_str()))
    };
    for f in files {
        if !(*f == "package.json" || f.ends_with("/package.json"))
            || f.split('/').any(|c| c == "node_modules")
        {
            continue;
        }
        let Some(text) = read(f) else { continue };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let deps = ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| {
                json.get(k)
                    .and_then(|v| v.as_object())
                    .is_some_and(|m| !m.is_empty())
            });
        let at = Location::new((*f).into(), 1, 1);
        let dir = dir_of(f);
        if let Some(l) = lock_in(&dir) {
            out.push(Verdict::pass(
                &DOC,
                *f,
                Location::file(l.as_str().into()),
                format!("`{l}` is committed beside it"),
            ));
            continue;
        }
        if !deps {
            out.push(Verdict::pass(
                &DOC,
                *f,
                at,
                "it declares no dependencies: there is nothing to lock",
            ));
            continue;
        }
        // a workspace member: the root of the workspace holds the lockfile
        let mut d = dir.clone();
        let mut found = None;
        while !d.is_empty() {
            d = dir_of(&d);
            let pj = join(&d, "package.json");
            if set.contains(pj.as_str())
                && let Some(l) = lock_in(&d)
            {
                found = Some(l);
                break;
            }
        }
        match found {
            Some(l) => out.push(Verdict::pass(
                &DOC,
                *f,
                Location::file(l.as_str().into()),
                format!("the workspace lockfile `{l}` covers it"),
            )),
            None => out.push(Verdict::fail(
                &DOC,
                *f,
                at,
                "it declares dependencies but no lockfile is committed beside it",
                "run `npm install` and commit `package-lock.json`",
            )),
        }
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    let read = |p: &str| m.read(p);
    sup02_lockfiles(&m.repo.files, &read, &mut out.verdicts);
}
