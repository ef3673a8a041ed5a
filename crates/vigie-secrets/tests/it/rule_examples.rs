//! Every embedded rule (all of `rules/*.toml`, whoever wrote them) runs its own positive and
//! negative examples through the real engine.

use vigie_secrets::engine::Engine;
use vigie_secrets::rules::RuleSet;

/// Paths tried, in order, for a rule with `path` and `regex` and no `examplePath`.
const CANDIDATE_PATHS: &[&str] = &[
    "Dockerfile",
    ".env",
    ".kube/config",
    "kubeconfig",
    "terraform.tfstate",
    "tls/server.pem",
    "tls/server.key",
    "service-account.json",
    ".pypirc",
    ".npmrc",
    ".docker/config.json",
    ".htpasswd",
    "config/settings.yaml",
    "config/settings.xml",
    "example.txt",
];

#[test]
fn every_builtin_rule_finds_its_positives_and_not_its_negatives() {
    let set = RuleSet::builtin();
    assert!(
        set.problems.is_empty(),
        "rule problems: {:#?}",
        set.problems
    );
    assert!(!set.rules.is_empty());
    let rules = set.rules.clone();
    let mut failures = Vec::new();
    for rule in &rules {
        // Each rule alone (with the global allowlists): when several rules match the same secret
        // the engine keeps one, so another rule must not hide this one's result.
        let engine = Engine::new(
            RuleSet {
                rules: vec![rule.clone()],
                global: set.global.clone(),
                problems: Vec::new(),
            },
            Vec::new(),
        );
        if rule.positive.len() < 2 || rule.negative.len() < 2 {
            failures.push(format!(
                "{} ({}): needs at least 2 positive and 2 negative examples",
                rule.id, rule.origin
            ));
        }
        let finds = |example: &str| -> Result<bool, String> {
            let (path, content): (String, &[u8]) = if rule.is_file_rule() {
                (example.to_string(), b"content")
            } else if rule.path.is_some() {
                let re = rule.path.as_ref().expect("checked");
                match rule.example_path.clone().or_else(|| {
                    CANDIDATE_PATHS
                        .iter()
                        .find(|p| re.is_match(p.as_bytes()))
                        .map(|p| p.to_string())
                }) {
                    Some(p) => (p, example.as_bytes()),
                    None => {
                        return Err(format!(
                            "{}: no example path matches its `path`; set `examplePath`",
                            rule.id
                        ));
                    }
                }
            } else {
                ("example.txt".to_string(), example.as_bytes())
            };
            let scan = engine.scan(&path, content, None);
            Ok(scan
                .matches
                .iter()
                .any(|m| engine.rules[m.rule].id == rule.id))
        };
        for p in &rule.positive {
            match finds(p) {
                Ok(true) => {}
                Ok(false) => failures.push(format!("{}: positive not found: {p:?}", rule.id)),
                Err(e) => {
                    failures.push(e);
                    break;
                }
            }
        }
        for n in &rule.negative {
            match finds(n) {
                Ok(false) => {}
                Ok(true) => failures.push(format!("{}: negative found: {n:?}", rule.id)),
                Err(e) => {
                    failures.push(e);
                    break;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn ids_are_kebab_case_and_rules_described() {
    for rule in RuleSet::builtin().rules {
        assert!(
            rule.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{} is not kebab-case",
            rule.id
        );
        assert!(
            !rule.description.is_empty(),
            "{} has no description",
            rule.id
        );
    }
}
