//! CNT-05.3: a declared seccomp profile file exists and is a seccomp profile.

use super::short;
use crate::Context;
use vigie_core::model::{Profile, Workload};
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-05.3",
    title: "Declared seccomp profile files exist and are valid",
    severity: Severity::High,
    applies_to: &["compose"],
    what: "For every service naming a seccomp profile file (`security_opt: \
           [\"seccomp=<file>\"]`), the file is in the repository and holds a JSON object with a \
           `defaultAction`, as a Docker seccomp profile must. Services that name no file get no \
           verdict from this check.",
    why: "A profile path that is missing, mistyped or malformed stops the container from \
          starting on a careful engine, and on a careless deployment invites someone to \
          'fix' it by switching seccomp off. Checking the file where it is declared keeps the \
          hardening real rather than nominal.",
    fix: "Commit the profile at the path the service names (relative to the Compose file), as \
          a JSON object with `defaultAction` (usually `SCMP_ACT_ERRNO`) and the `syscalls` the \
          service needs.",
    failing: (
        "compose",
        "# security/seccomp-api.json is not committed\nservices:\n  api:\n    image: registry.example.org/api:1.8.0\n    security_opt:\n      - seccomp=./security/seccomp-api.json\n",
    ),
    passing: (
        "compose",
        "# security/seccomp-api.json holds {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [...]}\nservices:\n  api:\n    image: registry.example.org/api:1.8.0\n    security_opt:\n      - seccomp=./security/seccomp-api.json\n",
    ),
};

/// What is wrong with a profile's text, if anything; else its default action.
pub fn validate(text: &str) -> Result<String, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("is not valid JSON ({e})"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| "is not a JSON object".to_string())?;
    match obj.get("defaultAction") {
        Some(serde_json::Value::String(a)) if !a.trim().is_empty() => Ok(a.clone()),
        Some(_) => Err("has a `defaultAction` that is not an action name".to_string()),
        None => Err("has no `defaultAction`: it is not a seccomp profile".to_string()),
    }
}

const FIX: &str = "commit the profile at that path (a JSON object with \"defaultAction\": \"SCMP_ACT_ERRNO\" and the allowed \"syscalls\")";

fn judge(cx: &Context<'_>, w: &Workload, out: &mut Vec<Verdict>) {
    let Some(p) = &w.seccomp else {
        return;
    };
    let Profile::File(path) = &p.value else {
        return;
    };
    if !cx.files.exists(path) {
        out.push(Verdict::fail(
            &DOC,
            &w.subject,
            p.at.clone(),
            format!("the seccomp profile `{path}` is not in the repository"),
            FIX,
        ));
        return;
    }
    let verdict = match cx.files.read(path) {
        None => Err("could not be read".to_string()),
        Some(text) => validate(&text),
    };
    match verdict {
        Ok(action) => out.push(
            Verdict::pass(
                &DOC,
                &w.subject,
                p.at.clone(),
                format!(
                    "the seccomp profile `{path}` (named at {}) exists, default action {action}",
                    short(&p.at)
                ),
            )
            .with_related(Some(vigie_core::Location::file(path.as_str().into()))),
        ),
        Err(why) => out.push(
            Verdict::fail(
                &DOC,
                &w.subject,
                p.at.clone(),
                format!("the seccomp profile `{path}` {why}"),
                "fix the profile: a JSON object with \"defaultAction\" and \"syscalls\"",
            )
            .with_related(Some(vigie_core::Location::file(path.as_str().into()))),
        ),
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for w in cx.workloads {
        judge(cx, w, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples, summary};

    const PROFILE: &str = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[("security/seccomp-api.json", PROFILE)]);
    }

    #[test]
    fn invalid_files_and_folders() {
        let c = "services:\n  a:\n    image: x:1\n    security_opt: [\"seccomp=./deploy/../sec/p.json\"]\n  b:\n    image: x:1\n    security_opt: [\"seccomp=./bad.json\"]\n  c:\n    image: x:1\n    security_opt: [\"seccomp=./list.json\"]\n  d:\n    image: x:1\n";
        let f = Fixture::new(
            "compose",
            c,
            &[
                ("sec/p.json", PROFILE),
                ("bad.json", "{defaultAction"),
                ("list.json", "[]"),
            ],
        );
        let vs = f.run(run);
        let s = summary(&vs);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].0 && s[0].2.contains("`sec/p.json`"), "{s:?}");
        assert!(!s[1].0 && s[1].2.contains("not valid JSON"), "{s:?}");
        assert!(!s[2].0 && s[2].2.contains("not a JSON object"), "{s:?}");
    }
}
