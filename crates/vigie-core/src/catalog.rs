//! The control catalogue: controls and frameworks, as data (`catalog/` at the repository root),
//! embedded into the binary at build time and parsed once.

use crate::glob::text_glob;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::OnceLock;

mod files {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub domain: String,
    pub mode: String,
    #[serde(default)]
    pub checks: Vec<String>,
    pub description: String,
    pub evidence: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub short: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub publisher: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "section", default)]
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "requirement", default)]
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The controls the requirement belongs to: their attestations vouch for it, and their
    /// pages explain it.
    #[serde(default)]
    pub controls: Vec<String>,
    /// The checks whose verdicts decide the requirement, and nothing else: each is a check of one
    /// of `controls`. Empty: no check can decide it, a person attests it.
    pub checks: Vec<String>,
    /// The domains of the requirement's title (`supply-chain`, `logging`…): every check it lists
    /// belongs to a control of one of them, so that a measure never borrows a neighbour's evidence.
    #[serde(deserialize_with = "one_or_many")]
    pub domain: Vec<String>,
    #[serde(default)]
    pub relation: Option<String>,
}

/// A string, or a list of strings.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageFacts {
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub nonroot: Vec<NonRootImage>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonRootImage {
    pub pattern: String,
    pub user: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug)]
pub struct Catalog {
    pub controls: Vec<Control>,
    pub frameworks: Vec<Framework>,
    pub images: ImageFacts,
    nonroot: Vec<(globset::GlobMatcher, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlsFile {
    #[serde(rename = "control", default)]
    control: Vec<Control>,
}

impl Catalog {
    /// The catalogue embedded in this binary.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            // The embedded data is part of the build and validated by the catalogue tests.
            Catalog::from_sources(
                files::CONTROLS_TOML,
                files::FRAMEWORK_FILES,
                files::IMAGES_TOML,
            )
            .unwrap_or_else(|e| panic!("the embedded catalogue is invalid: {e}"))
        })
    }

    /// Parse a catalogue from its files' text.
    pub fn from_sources(
        controls: &str,
        frameworks: &[(&str, &str)],
        images: &str,
    ) -> Result<Catalog, String> {
        let controls: ControlsFile =
            toml::from_str(controls).map_err(|e| format!("catalog/controls.toml: {e}"))?;
        let mut fws = Vec::new();
        for (name, text) in frameworks {
            let fw: Framework =
                toml::from_str(text).map_err(|e| format!("catalog/frameworks/{name}: {e}"))?;
            fws.push(fw);
        }
        let images: ImageFacts = if images.trim().is_empty() {
            ImageFacts {
                as_of: String::new(),
                source: String::new(),
                nonroot: Vec::new(),
            }
        } else {
            toml::from_str(images).map_err(|e| format!("catalog/images.toml: {e}"))?
        };
        let mut nonroot = Vec::new();
        for (i, img) in images.nonroot.iter().enumerate() {
            nonroot.push((text_glob(&img.pattern)?, i));
        }
        // Frameworks in a fixed, meaningful order: the documents first, then by id.
        fws.sort_by(|a, b| {
            (!a.document, framework_rank(&a.id), &a.id).cmp(&(
                !b.document,
                framework_rank(&b.id),
                &b.id,
            ))
        });
        let catalog = Catalog {
            controls: controls.control,
            frameworks: fws,
            images,
            nonroot,
        };
        catalog.check_mappings()?;
        Ok(catalog)
    }

    /// Every requirement's checks belong to one of its controls, and every such control to one
    /// of the requirement's domains: the mapping a reviewer reads in the framework files is the
    /// one reports use.
    fn check_mappings(&self) -> Result<(), String> {
        let mut errors = Vec::new();
        for fw in &self.frameworks {
            for r in fw.sections.iter().flat_map(|s| &s.requirements) {
                let at = format!("catalog/frameworks/{}.toml: requirement {}", fw.id, r.id);
                for c in &r.controls {
                    if self.control(c).is_none() {
                        errors.push(format!("{at} names the unknown control {c}"));
                    }
                }
                for check in &r.checks {
                    let owners: Vec<&Control> = r
                        .controls
                        .iter()
                        .filter_map(|c| self.control(c))
                        .filter(|c| c.checks.contains(check))
                        .collect();
                    if owners.is_empty() {
                        errors.push(format!(
                            "{at} lists the check {check}, which none of its controls {:?} holds",
                            r.controls
                        ));
                    }
                    for c in owners {
                        if !r.domain.contains(&c.domain) {
                            errors.push(format!(
                                "{at} ({:?}) lists {check} of {} in the domain {}",
                                r.domain, c.id, c.domain
                            ));
                        }
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }

    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id.eq_ignore_ascii_case(id))
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks
            .iter()
            .find(|f| f.id.eq_ignore_ascii_case(id))
    }

    /// The controls a check evidences.
    pub fn controls_of_check<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Control> {
        self.controls
            .iter()
            .filter(move |c| c.checks.iter().any(|k| k == check))
    }

    /// The framework requirements a check evidences, as `(framework, requirement)`.
    pub fn requirements_of_check<'a>(
        &'a self,
        check: &'a str,
    ) -> Vec<(&'a Framework, &'a Requirement)> {
        let mut out = Vec::new();
        for fw in &self.frameworks {
            for s in &fw.sections {
                for r in &s.requirements {
                    if self.requirement_checks(r).contains(check) {
                        out.push((fw, r));
                    }
                }
            }
        }
        out
    }

    /// The checks that decide a requirement: those it lists, never the rest of its controls'.
    pub fn requirement_checks<'a>(&'a self, r: &'a Requirement) -> BTreeSet<&'a str> {
        r.checks.iter().map(String::as_str).collect()
    }

    /// The controls a framework covers, in the framework's order, without repeats.
    pub fn framework_controls<'a>(&'a self, fw: &'a Framework) -> Vec<&'a Control> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for s in &fw.sections {
            for r in &s.requirements {
                for cid in &r.controls {
                    if seen.insert(cid.as_str())
                        && let Some(c) = self.control(cid)
                    {
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// Label of a requirement in reports: `FT-082 R7`, `CIS 4.1`, `SNC 13.2.b`.
    pub fn label(fw: &Framework, r: &Requirement) -> String {
        format!("{} {}", fw.short, r.id)
    }

    /// The non-root user a well-known image runs as, if the catalogue knows it.
    pub fn nonroot_image(&self, reference: &str) -> Option<&NonRootImage> {
        let without_digest = reference.split('@').next().unwrap_or(reference);
        self.nonroot
            .iter()
            .find(|(g, _)| g.is_match(without_digest))
            .map(|(_, i)| &self.images.nonroot[*i])
    }
}

fn framework_rank(id: &str) -> u8 {
    match id {
        "roadmap" => 0,
        "devsecops" => 1,
        "anssi-docker" => 2,
        "secnumcloud" => 3,
        "anssi-tls" => 4,
        "cis-docker" => 5,
        "pss-baseline" => 6,
        "pss-restricted" => 7,
        _ => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTROLS: &str = r#"
[[control]]
id = "CNT-01"
title = "t"
domain = "container"
mode = "auto"
checks = ["CNT-01"]
description = ""
evidence = ""

[[control]]
id = "SUP-06"
title = "t"
domain = "supply-chain"
mode = "auto"
checks = ["SUP-06.1", "SUP-06.6"]
description = ""
evidence = ""
"#;

    fn framework(requirement: &str) -> String {
        format!(
            "id = \"f\"\ntitle = \"f\"\nshort = \"F\"\n[[section]]\nid = \"1\"\ntitle = \"s\"\n[[section.requirement]]\nid = \"1.1\"\ntitle = \"Service-account keys rotated\"\n{requirement}\n"
        )
    }

    fn load(requirement: &str) -> Result<Catalog, String> {
        let fw = framework(requirement);
        Catalog::from_sources(CONTROLS, &[("f.toml", fw.as_str())], "")
    }

    #[test]
    fn a_requirement_is_decided_by_the_checks_it_lists_only() {
        let cat =
            load("controls = [\"SUP-06\"]\nchecks = [\"SUP-06.6\"]\ndomain = \"supply-chain\"")
                .unwrap();
        let r = &cat.frameworks[0].sections[0].requirements[0];
        assert_eq!(
            cat.requirement_checks(r).into_iter().collect::<Vec<_>>(),
            ["SUP-06.6"]
        );
        assert_eq!(cat.requirements_of_check("SUP-06.1").len(), 0);
    }

    #[test]
    fn mappings_that_borrow_evidence_are_refused() {
        // no `checks`: the mapping must be written out
        let e = load("controls = [\"SUP-06\"]\ndomain = \"supply-chain\"").unwrap_err();
        assert!(e.contains("checks"), "{e}");
        // a check none of its controls holds
        let e = load("controls = [\"SUP-06\"]\nchecks = [\"CNT-01\"]\ndomain = \"supply-chain\"")
            .unwrap_err();
        assert!(e.contains("none of its controls"), "{e}");
        // a check of another domain than the requirement's
        let e = load(
            "controls = [\"SUP-06\", \"CNT-01\"]\nchecks = [\"SUP-06.6\", \"CNT-01\"]\ndomain = \"supply-chain\"",
        )
        .unwrap_err();
        assert!(e.contains("in the domain container"), "{e}");
        // an unknown control
        let e =
            load("controls = [\"NOPE-01\"]\nchecks = []\ndomain = \"supply-chain\"").unwrap_err();
        assert!(e.contains("unknown control"), "{e}");
        // two domains when the title names two
        load("controls = [\"SUP-06\", \"CNT-01\"]\nchecks = [\"SUP-06.6\", \"CNT-01\"]\ndomain = [\"supply-chain\", \"container\"]")
            .unwrap();
    }

    /// The embedded frameworks, requirement by requirement: each lists its checks (or none, to
    /// be attested), and each check belongs to one of its controls, of the requirement's domain.
    #[test]
    fn every_requirement_of_every_framework_names_its_own_checks() {
        let cat = Catalog::embedded();
        let mut requirements = 0;
        for fw in &cat.frameworks {
            for r in fw.sections.iter().flat_map(|s| &s.requirements) {
                requirements += 1;
                assert!(!r.domain.is_empty(), "{} {}", fw.id, r.id);
                for check in &r.checks {
                    let domains: Vec<&str> = cat
                        .controls_of_check(check)
                        .filter(|c| r.controls.contains(&c.id))
                        .map(|c| c.domain.as_str())
                        .collect();
                    assert!(!domains.is_empty(), "{} {}: {check}", fw.id, r.id);
                    assert!(
                        domains.iter().all(|d| r.domain.iter().any(|x| x == d)),
                        "{} {} ({:?}) lists {check} of {domains:?}",
                        fw.id,
                        r.id,
                        r.domain
                    );
                }
                if r.checks.is_empty() {
                    assert!(
                        !r.controls.is_empty(),
                        "{} {}: a requirement no check decides needs a control to attest it",
                        fw.id,
                        r.id
                    );
                }
            }
        }
        assert!(requirements > 150, "{requirements}");
    }
}
