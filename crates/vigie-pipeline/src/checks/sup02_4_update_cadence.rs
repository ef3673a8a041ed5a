//! SUP-02.4: dependency updates are proposed at least every two weeks, by Dependabot
//! (`.github/dependabot.yml`) or Renovate (`renovate.json`, `.github/renovate.json`,
//! `.renovaterc`…). A repository review cadence is what a repository can show of a team's
//! "bi-weekly dependency review": the bot opens the update pull requests the review goes through.
//!
//! Applies where the repository declares dependencies of an ecosystem these bots update
//! (`package.json`, `requirements.txt`, `pyproject.toml`, `go.mod`, `Cargo.toml`, `Gemfile`,
//! `composer.json`, `pom.xml`); a repository without any has nothing to review.

use crate::analyze::{Analysis, Found};
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::yaml::{self, Node};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-02.4",
    title: "Dependency updates are proposed at least every two weeks",
    severity: Severity::Low,
    applies_to: &["dependabot", "renovate"],
    what: "When the repository declares dependencies (`package.json`, `requirements.txt`, \
           `pyproject.toml`, `go.mod`, `Cargo.toml`, `Gemfile`, `composer.json`, `pom.xml`), \
           Dependabot or Renovate proposes their updates at least every two weeks: every \
           `updates:` entry of `.github/dependabot.yml` has a `daily` or `weekly` interval (or a \
           cron that runs on any day of the month; an entry of a `multi-ecosystem-group` runs \
           on its group's schedule) and an entry covers each ecosystem present; a \
           Renovate configuration is not disabled and schedules no monthly or rarer run.",
    why: "Dependencies drift out of date silently, and fixes for published vulnerabilities only \
          reach the product when someone raises the versions: a bot's pull requests on a fixed \
          cadence are the review a team commits to, and its trace.",
    fix: "Add `.github/dependabot.yml` with an `updates:` entry per ecosystem and \
          `schedule: {interval: weekly}`, or a `renovate.json` without a monthly schedule.",
    failing: (
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: monthly\n",
    ),
    passing: (
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n",
    ),
};

/// Manifest file names and the Dependabot ecosystem that updates them.
const MANIFESTS: &[(&str, &str)] = &[
    ("package.json", "npm"),
    ("requirements.txt", "pip"),
    ("pyproject.toml", "pip"),
    ("go.mod", "gomod"),
    ("Cargo.toml", "cargo"),
    ("Gemfile", "bundler"),
    ("composer.json", "composer"),
    ("pom.xml", "maven"),
];

const DEPENDABOT: &[&str] = &[".github/dependabot.yml", ".github/dependabot.yaml"];

const RENOVATE: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
];

/// Words of a Renovate schedule or preset that mean a run less often than every two weeks.
const RARE: &[&str] = &["month", "quarter", "year"];

/// The ecosystems the repository declares dependencies of, each with its first manifest.
fn ecosystems<'a>(files: &[&'a str]) -> Vec<(&'static str, &'a str)> {
    let mut out: Vec<(&'static str, &'a str)> = Vec::new();
    for f in files {
        if f.split('/').any(|c| c == "node_modules" || c == "vendor") {
            continue;
        }
        let name = f.rsplit('/').next().unwrap_or(f);
        if let Some((_, eco)) = MANIFESTS.iter().find(|(m, _)| *m == name)
            && !out.iter().any(|(e, _)| e == eco)
        {
            out.push((eco, f));
        }
    }
    out
}

fn sup02_cadence(files: &[&str], read: &dyn Fn(&str) -> Option<String>, out: &mut Vec<Verdict>) {
    let ecos = ecosystems(files);
    let has_config = DEPENDABOT.iter().chain(RENOVATE).any(|p| files.contains(p));
    // a bot configuration is judged on its own schedule even where no manifest is in the scan
    if ecos.is_empty() && !has_config {
        return;
    }
    let mut configured = false;
    for path in DEPENDABOT.iter().filter(|p| files.contains(p)) {
        configured = true;
        if let Some(text) = read(path) {
            dependabot(path, &text, &ecos, out);
        }
    }
    for path in RENOVATE.iter().filter(|p| files.contains(p)) {
        configured = true;
        if let Some(text) = read(path) {
            renovate(path, &text, out);
        }
    }
    if !configured
        && let Some(text) = files
            .contains(&"package.json")
            .then(|| read("package.json"))
            .flatten()
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(cfg) = json.get("renovate")
    {
        configured = true;
        renovate_json("package.json", cfg, out);
    }
    if !configured {
        let (eco, first) = ecos[0];
        out.push(Verdict::fail(
            &DOC,
            "dependency updates",
            Location::file(first.into()),
            format!(
                "no Dependabot or Renovate configuration proposes updates of the {} dependencies declared here",
                ecos.iter().map(|(e, _)| *e).collect::<Vec<_>>().join(", ")
            ),
            format!("add `.github/dependabot.yml` with `package-ecosystem: {eco}` and `schedule: {{interval: weekly}}`"),
        ));
    }
}

/// Judge each `updates:` entry's interval, and report the ecosystems no entry covers.
fn dependabot(path: &str, text: &str, ecos: &[(&str, &str)], out: &mut Vec<Verdict>) {
    let stream = yaml::parse(text);
    let Some(root) = stream.documents.first().map(|d| &d.root) else {
        return;
    };
    let at = |n: &Node| Location::new(path.into(), n.pos.line.max(1), n.pos.col.max(1));
    let mut covered: Vec<String> = Vec::new();
    for u in root.get("updates").map(Node::items).unwrap_or(&[]) {
        let eco = u
            .get("package-ecosystem")
            .and_then(Node::as_str)
            .unwrap_or("?");
        let dir = directories(u);
        covered.push(eco.to_string());
        let subject = format!("{path} › {eco} {dir}");
        let schedule = u.get("schedule").or_else(|| group_schedule(root, u));
        let interval = schedule.and_then(|s| s.get("interval"));
        match interval.and_then(Node::as_str) {
            Some(i @ ("daily" | "weekly")) => out.push(Verdict::pass(
                &DOC,
                subject,
                at(interval.unwrap_or(u)),
                format!("Dependabot proposes {eco} updates {i}"),
            )),
            Some("cron") => {
                let cron = schedule
                    .and_then(|s| s.get("cronjob"))
                    .and_then(Node::as_str)
                    .unwrap_or("");
                let day_of_month = cron.split_whitespace().nth(2).unwrap_or("");
                if day_of_month == "*" {
                    out.push(Verdict::pass(
                        &DOC,
                        subject,
                        at(interval.unwrap_or(u)),
                        format!("Dependabot proposes {eco} updates on the cron `{cron}`, on any day of the month"),
                    ));
                } else {
                    out.push(Verdict::fail(
                        &DOC,
                        subject,
                        at(interval.unwrap_or(u)),
                        format!("the cron `{cron}` runs on fixed days of the month only"),
                        "use `interval: weekly`",
                    ));
                }
            }
            Some(i) => out.push(Verdict::fail(
                &DOC,
                subject,
                at(interval.unwrap_or(u)),
                format!("Dependabot proposes {eco} updates `{i}`, less often than every two weeks"),
                "set `schedule: {interval: weekly}`",
            )),
            None => out.push(Verdict::fail(
                &DOC,
                subject,
                at(u),
                "this `updates:` entry has no `schedule.interval`, so Dependabot rejects it",
                "set `schedule: {interval: weekly}`",
            )),
        }
    }
    for (eco, manifest) in ecos {
        if !covered.iter().any(|c| c == eco) {
            out.push(Verdict::fail(
                &DOC,
                format!("{path} › {eco}"),
                Location::file((*manifest).into()),
                format!("`{manifest}` declares {eco} dependencies that no `updates:` entry of `{path}` covers"),
                format!("add an `updates:` entry with `package-ecosystem: {eco}` and `schedule: {{interval: weekly}}`"),
            ));
        }
    }
}

/// The folders an entry covers: `directory`, or the `directories` list (globs included).
fn directories(u: &Node) -> String {
    match u.get("directories").map(Node::items) {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter_map(Node::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        _ => u
            .get("directory")
            .and_then(Node::as_str)
            .unwrap_or("/")
            .to_string(),
    }
}

/// An entry of a multi-ecosystem group runs on the group's schedule
/// (`multi-ecosystem-groups.<name>.schedule`), which it names with `multi-ecosystem-group`.
fn group_schedule<'a>(root: &'a Node, u: &Node) -> Option<&'a Node> {
    let group = u.get("multi-ecosystem-group")?.as_str()?;
    root.path(&["multi-ecosystem-groups", group, "schedule"])
}

/// A Renovate file: JSON is read as such; JSON5 (comments, unquoted keys) only by its text.
fn renovate(path: &str, text: &str, out: &mut Vec<Verdict>) {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => renovate_json(path, &v, out),
        Err(_) => {
            let lower = text.to_ascii_lowercase();
            let rare = lower.contains("\"schedule") && RARE.iter().any(|w| lower.contains(w));
            let disabled = lower.contains("enabled: false") || lower.contains("\"enabled\": false");
            renovate_verdict(path, rare, disabled, out);
        }
    }
}

fn renovate_json(path: &str, v: &serde_json::Value, out: &mut Vec<Verdict>) {
    let strings = |key: &str| -> Vec<String> {
        match v.get(key) {
            Some(serde_json::Value::String(s)) => vec![s.to_ascii_lowercase()],
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                .collect(),
            _ => Vec::new(),
        }
    };
    let schedule = strings("schedule");
    let presets: Vec<String> = strings("extends")
        .into_iter()
        .filter(|e| e.starts_with("schedule:"))
        .collect();
    let rare = schedule
        .iter()
        .chain(&presets)
        .any(|s| RARE.iter().any(|w| s.contains(w)));
    let disabled = v.get("enabled") == Some(&serde_json::Value::Bool(false));
    renovate_verdict(path, rare, disabled, out);
}

fn renovate_verdict(path: &str, rare: bool, disabled: bool, out: &mut Vec<Verdict>) {
    let at = Location::file(path.into());
    let subject = format!("{path} › renovate");
    if disabled {
        out.push(Verdict::fail(
            &DOC,
            subject,
            at,
            "Renovate is disabled (`enabled: false`)",
            "remove `enabled: false`",
        ));
    } else if rare {
        out.push(Verdict::fail(
            &DOC,
            subject,
            at,
            "Renovate is scheduled monthly or less often",
            "use a weekly schedule (`schedule:weekly`) or none",
        ));
    } else {
        out.push(Verdict::pass(
            &DOC,
            subject,
            at,
            "Renovate proposes updates at least weekly (no monthly or rarer schedule)",
        ));
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    let read = |p: &str| m.read(p);
    sup02_cadence(&m.repo.files, &read, &mut out.verdicts);
}

#[cfg(test)]
mod tests {
    #[test]
    fn multi_ecosystem_groups_lend_their_schedule() {
        let text = "version: 2\nmulti-ecosystem-groups:\n  app:\n    schedule:\n      interval: weekly\n  slow:\n    schedule:\n      interval: monthly\nupdates:\n  - package-ecosystem: npm\n    directories: [\"/web/**\", \"/api\"]\n    patterns: [\"*\"]\n    multi-ecosystem-group: app\n  - package-ecosystem: docker\n    directories: [\"/web/**\"]\n    patterns: [\"*\"]\n    multi-ecosystem-group: slow\n";
        let mut out = Vec::new();
        super::dependabot(".github/dependabot.yml", text, &[], &mut out);
        let got: Vec<(bool, String)> = out
            .iter()
            .map(|v| (v.is_pass(), v.subject.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    true,
                    ".github/dependabot.yml › npm /web/**, /api".to_string()
                ),
                (false, ".github/dependabot.yml › docker /web/**".to_string()),
            ]
        );
        assert!(out[1].message.contains("`monthly`"), "{}", out[1].message);
    }
}
