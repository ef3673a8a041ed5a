//! The expansion of cipher strings against what the machine's OpenSSL printed for them
//! (`tests/fixtures/openssl_ciphers.txt`, made by `tests/fixtures/gen_openssl_ciphers.sh`).

use vigie_tls::cipher::{expand, table_version};

const FIXTURE: &str = include_str!("../fixtures/openssl_ciphers.txt");

fn cases() -> Vec<(String, Option<Vec<String>>)> {
    let mut out: Vec<(String, Option<Vec<String>>)> = Vec::new();
    for line in FIXTURE.lines() {
        if let Some(s) = line.strip_prefix("== ") {
            out.push((s.to_string(), Some(Vec::new())));
        } else if line == "!error" {
            out.last_mut().unwrap().1 = None;
        } else if !line.starts_with('#') && !line.is_empty() {
            out.last_mut()
                .unwrap()
                .1
                .as_mut()
                .unwrap()
                .push(line.to_string());
        }
    }
    out
}

#[test]
fn same_openssl_version_as_the_suite_table() {
    let fixture_version = FIXTURE.lines().next().unwrap().trim_start_matches("# ");
    assert!(
        table_version().starts_with(
            fixture_version
                .split(' ')
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
                .as_str()
        ),
        "suite table from {} but fixture from {fixture_version}",
        table_version()
    );
}

#[test]
fn expansion_matches_openssl() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (s, expected) in &cases {
        let e = expand(s);
        match expected {
            None => {
                if !e.rejected {
                    failures.push(format!(
                        "{s}: OpenSSL rejects it, vigie expands it to {:?}",
                        e.names()
                    ));
                }
            }
            Some(want) => {
                let got: Vec<String> = e.names().into_iter().map(String::from).collect();
                if e.rejected || &got != want {
                    failures.push(format!(
                        "{s}:\n  openssl: {want:?}\n  vigie:   {got:?} (rejected: {})",
                        e.rejected
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
