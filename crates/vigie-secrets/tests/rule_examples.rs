//! Every embedded rule (all of `rules/*.toml`, whoever wrote them) runs its own positive and
//! negative examples through the real engine with every other rule loaded.

use vigie_secrets::engine::Engine;
use vigie_secrets::rules::RuleSet;

#[test]
fn every_builtin_rule_finds_its_positives_and_not_its_negatives() {
    let set = RuleSet::builtin();
    assert!(set.problems.is_empty(), "rule problems: {:#?}", set.problems);
    assert!(!set.rules.is_empty());
    let rules = set.rules.clone();
    let engine = Engine::new(set, Vec::new());
    let mut failures = Vec::new();
    for rule in &rules {
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
                match &rule.example_path {
                    Some(p) => (p.clone(), example.as_bytes()),
                    None => {
                        return Err(format!(
                            "{}: a rule with `path` and `regex` needs `examplePath`",
                            rule.id
                        ));
                    }
                }
            } else {
                ("example.txt".to_string(), example.as_bytes())
            };
            let scan = engine.scan(&path, content, None);
            Ok(scan.matches.iter().any(|m| engine.rules[m.rule].id == rule.id))
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
        assert!(!rule.description.is_empty(), "{} has no description", rule.id);
    }
}
