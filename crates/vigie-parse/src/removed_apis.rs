//! Kubernetes API versions no supported cluster serves any more (`apps/v1beta1` Deployments,
//! `extensions/v1beta1` Ingresses, `policy/v1beta1` PodSecurityPolicies…).
//!
//! Such an object cannot be applied: every supported API server rejects it. Judging its containers,
//! its exposure or its TLS would report on something that never runs, once per check; vigie reports
//! it once instead, with the version to migrate to, and leaves it out of every analysis.
//!
//! The table is data (`catalog/kubernetes-removed-apis.toml`, from the Kubernetes deprecation
//! guide): which kind in which API version was removed in which release, and the oldest release
//! still supported, so that updating it needs no code change.

use crate::kubernetes::Object;
use serde::Deserialize;
use std::sync::OnceLock;
use vigie_core::{DiagKind, Diagnostic};

const TABLE: &str = include_str!("../../../catalog/kubernetes-removed-apis.toml");

#[derive(Debug, Deserialize)]
struct Table {
    as_of: String,
    oldest_supported: String,
    removed: Vec<Removal>,
}

/// One API version of some kinds, removed in a release.
#[derive(Debug, Clone, Deserialize)]
pub struct Removal {
    pub api_version: String,
    pub kinds: Vec<String>,
    /// `1.16`
    pub removed_in: String,
    /// What to write instead.
    #[serde(rename = "use")]
    pub replacement: String,
}

/// `1.16` → (1, 16); `None` when it is not a `MAJOR.MINOR` release.
fn minor(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.trim().split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        // Embedded at build time and checked by this module's tests.
        toml::from_str(TABLE)
            .unwrap_or_else(|e| panic!("catalog/kubernetes-removed-apis.toml is invalid: {e}"))
    })
}

/// The removal that makes `api_version`/`kind` unavailable on every supported cluster, if any.
pub fn removal(api_version: &str, kind: &str) -> Option<&'static Removal> {
    let t = table();
    let oldest = minor(&t.oldest_supported)?;
    t.removed.iter().find(|r| {
        r.api_version == api_version
            && r.kinds.iter().any(|k| k == kind)
            && minor(&r.removed_in).is_some_and(|m| m <= oldest)
    })
}

/// Split objects into those a supported cluster accepts and one info diagnostic per object whose
/// API version was removed.
pub fn split(objects: Vec<Object>) -> (Vec<Object>, Vec<Diagnostic>) {
    let mut kept = Vec::with_capacity(objects.len());
    let mut diags = Vec::new();
    for o in objects {
        match removal(&o.api_version, &o.kind) {
            None => kept.push(o),
            Some(r) => diags.push(diagnostic(&o, r)),
        }
    }
    (kept, diags)
}

fn diagnostic(o: &Object, r: &Removal) -> Diagnostic {
    let t = table();
    Diagnostic::new(
        DiagKind::Skipped,
        o.at.clone(),
        format!(
            "{} uses {} {}, removed in Kubernetes {}: no supported cluster (oldest supported {} as of {}) accepts it, so it is not judged; migrate to {}",
            o.id(),
            r.api_version,
            o.kind,
            r.removed_in,
            t.oldest_supported,
            t.as_of,
            r.replacement
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_table_reads_and_every_release_is_a_minor() {
        let t = table();
        assert!(minor(&t.oldest_supported).is_some());
        assert!(!t.removed.is_empty());
        for r in &t.removed {
            assert!(minor(&r.removed_in).is_some(), "{r:?}");
            assert!(!r.kinds.is_empty() && !r.replacement.is_empty(), "{r:?}");
        }
    }

    #[test]
    fn removed_versions_are_found_and_served_ones_are_not() {
        assert_eq!(
            removal("apps/v1beta1", "Deployment").map(|r| r.removed_in.as_str()),
            Some("1.16")
        );
        assert!(removal("extensions/v1beta1", "Ingress").is_some());
        assert!(removal("policy/v1beta1", "PodSecurityPolicy").is_some());
        assert!(removal("batch/v1beta1", "CronJob").is_some());
        assert!(removal("apps/v1", "Deployment").is_none());
        assert!(removal("networking.k8s.io/v1", "Ingress").is_none());
        // a kind the version never removed
        assert!(removal("policy/v1beta1", "Deployment").is_none());
        // a custom resource that happens to use a v1beta1 version
        assert!(removal("networking.gke.io/v1beta1", "FrontendConfig").is_none());
    }

    #[test]
    fn split_reports_each_removed_object_once() {
        let text = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: old\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: nginx\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: new\n";
        let s = crate::yaml::parse(text);
        let objs = crate::kubernetes::objects(
            &Arc::from("d.yaml"),
            s.documents.into_iter().map(|d| d.root).collect(),
        );
        let (kept, diags) = split(objs);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].name, "new");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].location.line, 1);
        assert!(
            diags[0].message.contains("Deployment/default/old")
                && diags[0].message.contains("removed in Kubernetes 1.16")
                && diags[0].message.contains("apps/v1"),
            "{}",
            diags[0].message
        );
    }
}
