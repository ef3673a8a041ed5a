//! The catalogue data and the check registry agree with each other and with the control
//! catalogue and seed documents in ../shared.

use std::collections::BTreeSet;
use std::path::PathBuf;
use vigie_core::catalog::Catalog;

fn shared(rel: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_control_of_the_shared_catalogue_is_present_in_order() {
    let text = shared("controls.md");
    let ids: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .map(str::trim)
        .filter(|id| {
            id.len() >= 6
                && id.as_bytes()[3] == b'-'
                && id[..3]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .map(str::to_string)
        .collect();
    assert!(
        ids.len() >= 45,
        "read {} control ids from controls.md",
        ids.len()
    );
    let ours: Vec<String> = Catalog::embedded()
        .controls
        .iter()
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(ours, ids);
}

/// Every per-file check is named by a control. (That every check a control names exists,
/// per-file or from a repository-level analysis, is tested in vigie-scan, which knows both.)
#[test]
fn every_registered_check_is_named_by_a_control() {
    let cat = Catalog::embedded();
    let registered: BTreeSet<&str> = vigie_checks::registry().iter().map(|c| c.doc.id).collect();
    let named: BTreeSet<&str> = cat
        .controls
        .iter()
        .flat_map(|c| c.checks.iter().map(String::as_str))
        .collect();
    let unnamed: Vec<_> = registered.difference(&named).collect();
    assert!(
        unnamed.is_empty(),
        "implemented but no control names them: {unnamed:?}"
    );
    let mut ids: Vec<&str> = vigie_checks::registry().iter().map(|c| c.doc.id).collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "check ids are unique");
}

#[test]
fn frameworks_reference_existing_controls_and_their_own_checks() {
    let cat = Catalog::embedded();
    for fw in &cat.frameworks {
        let mut seen = BTreeSet::new();
        for s in &fw.sections {
            for r in &s.requirements {
                assert!(seen.insert(&r.id), "{}: requirement {} twice", fw.id, r.id);
                for c in &r.controls {
                    assert!(
                        cat.control(c).is_some(),
                        "{} {}: unknown control {c}",
                        fw.id,
                        r.id
                    );
                }
                {
                    let narrow = &r.checks;
                    let all: BTreeSet<&str> = r
                        .controls
                        .iter()
                        .filter_map(|c| cat.control(c))
                        .flat_map(|c| c.checks.iter().map(String::as_str))
                        .collect();
                    for k in narrow {
                        assert!(
                            all.contains(k.as_str()),
                            "{} {}: check {k} is not one of its controls'",
                            fw.id,
                            r.id
                        );
                    }
                }
            }
        }
    }
    let ids: Vec<&str> = cat.frameworks.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "roadmap",
            "devsecops",
            "anssi-docker",
            "secnumcloud",
            "anssi-tls",
            "cis-docker",
            "pss-baseline",
            "pss-restricted"
        ]
    );
}

#[test]
fn the_seed_documents_sections_are_all_there() {
    let cat = Catalog::embedded();
    for (fw, seed, n) in [
        ("roadmap", "seeds/000_424c62c90c943fcd.txt", 6),
        ("devsecops", "seeds/002_d6d3d92def0d3f59.txt", 7),
    ] {
        let text = shared(seed);
        let titles: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(|t| t.split_once(". ").map(|(_, t)| t).unwrap_or(t).to_string())
            .collect();
        assert_eq!(titles.len(), n);
        let f = cat.framework(fw).unwrap();
        assert!(f.document);
        assert_eq!(f.sections.len(), n);
        for (s, t) in f.sections.iter().zip(&titles) {
            // the seed's titles may carry an explanation in parentheses
            let core = t.split(" (").next().unwrap_or(t);
            assert!(
                s.title.starts_with(core) || t.starts_with(&s.title),
                "{fw}: `{}` vs seed `{t}`",
                s.title
            );
            assert!(!s.requirements.is_empty(), "{fw} §{} has measures", s.id);
        }
    }
    // every checkbox measure of the roadmap seed is a requirement
    let text = shared("seeds/000_424c62c90c943fcd.txt");
    let measures: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- [").map(|_| l))
        .filter_map(|l| l.split("**").nth(1))
        .collect();
    let roadmap = cat.framework("roadmap").unwrap();
    let titles: Vec<&str> = roadmap
        .sections
        .iter()
        .flat_map(|s| s.requirements.iter().map(|r| r.title.as_str()))
        .collect();
    for m in measures {
        let m = m.trim_end_matches(':');
        assert!(
            titles.iter().any(|t| t.starts_with(m)),
            "roadmap measure `{m}` missing from {titles:?}"
        );
    }
}

#[test]
fn nonroot_image_facts() {
    let cat = Catalog::embedded();
    assert!(
        cat.nonroot_image("gcr.io/distroless/static:nonroot")
            .is_some()
    );
    assert!(
        cat.nonroot_image("gcr.io/distroless/static:nonroot@sha256:abc")
            .is_some()
    );
    assert!(cat.nonroot_image("postgres:16").is_none());
    assert!(cat.nonroot_image("nginx:1.27").is_none());
    // the Cloud SQL Auth Proxy: every v2 variant, v1 from 1.17 on, not the older v1 images
    for nonroot in [
        "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0-alpine@sha256:bd14f0",
        "us.gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.3.0-alpine",
        "gcr.io/cloudsql-docker/gce-proxy:1.37.10",
        "gcr.io/cloudsql-docker/gce-proxy:1.17",
    ] {
        assert_eq!(
            cat.nonroot_image(nonroot).map(|i| i.user.as_str()),
            Some("65532"),
            "{nonroot}"
        );
    }
    // Confluent's kcat: UBI builds from 6.0 on, not the Debian-based 5.x
    for nonroot in [
        "confluentinc/cp-kcat:7.4.0",
        "confluentinc/cp-kafkacat:6.1.1",
    ] {
        assert_eq!(
            cat.nonroot_image(nonroot).map(|i| i.user.as_str()),
            Some("appuser"),
            "{nonroot}"
        );
    }
    assert!(
        cat.nonroot_image("confluentinc/cp-kafkacat:5.5.0")
            .is_none()
    );
    for root in [
        "gcr.io/cloudsql-docker/gce-proxy:1.11",
        "gcr.io/cloudsql-docker/gce-proxy:1.16",
    ] {
        assert!(cat.nonroot_image(root).is_none(), "{root}");
    }
}
