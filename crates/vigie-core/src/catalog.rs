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
    #[serde(default)]
    pub controls: Vec<String>,
    /// When set, only these checks of the controls evidence the requirement.
    #[serde(default)]
    pub checks: Option<Vec<String>>,
    #[serde(default)]
    pub relation: Option<String>,
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
        Ok(Catalog {
            controls: controls.control,
            frameworks: fws,
            images,
            nonroot,
        })
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

    /// The checks that evidence a requirement.
    pub fn requirement_checks<'a>(&'a self, r: &'a Requirement) -> BTreeSet<&'a str> {
        let mut all: BTreeSet<&str> = BTreeSet::new();
        for cid in &r.controls {
            if let Some(c) = self.control(cid) {
                all.extend(c.checks.iter().map(String::as_str));
            }
        }
        match &r.checks {
            Some(narrow) => narrow
                .iter()
                .map(String::as_str)
                .filter(|k| all.contains(k))
                .collect(),
            None => all,
        }
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
        "cis-docker" => 4,
        "pss-baseline" => 5,
        "pss-restricted" => 6,
        _ => 9,
    }
}
