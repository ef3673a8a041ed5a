//! SEC-02.2: the Secrets workloads read are produced by an operator or a vault.

use crate::Out;
use crate::cluster::{is_workload, loc, ns, secret_sources};
use crate::model::Model;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SEC-02.2",
    title: "Workload secrets are delivered by a vault or an operator",
    severity: Severity::Medium,
    applies_to: &["kubernetes"],
    what: "Each Secret a workload reads (env `secretKeyRef`, `envFrom.secretRef`, `secret` \
           volumes) is produced by an ExternalSecret, a SealedSecret or a Vault operator object \
           of the repository, or by an operator that creates its own (cert-manager's \
           `Certificate` through `secretName`, Strimzi's `KafkaUser`), or the workload takes its \
           secrets from the Secrets Store CSI driver or the Vault agent injector.",
    why: "A Secret that nothing in the repository produces was created by hand: nobody knows \
          where its value lives, who can read it, or how it is rotated.",
    fix: "Declare an ExternalSecret (or SealedSecret) producing the Secret, or mount it with a \
          SecretProviderClass of the Secrets Store CSI driver.",
    failing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db-credentials\n                  key: password\n",
    ),
    passing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db-credentials\n                  key: password\n---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db-credentials\n  namespace: shop\nspec:\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: gcp-secret-manager\n  target:\n    name: db-credentials\n  data:\n    - secretKey: password\n      remoteRef:\n        key: shop-db-password\n",
    ),
};

/// Judged unit by unit: a workload's Secrets are looked up among what is applied with it
/// (see `cluster::SecretSources`).
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    for r in m.units {
        let Some(unit) = m.objects.get(r.clone()) else {
            continue;
        };
        let sources = secret_sources(unit);
        for w in unit.iter().filter(|o| is_workload(o)) {
            let vault = w.node.get("x-vault").is_some();
            let csi = w.node.get("x-csi");
            let refs = w.node.get("x-secrets").map(Node::items).unwrap_or(&[]);
            if refs.is_empty() {
                if vault || csi.is_some() {
                    out.verdicts.push(Verdict::pass(
                        &DOC,
                        w.id(),
                        csi.map_or(w.at.clone(), |n| loc(w, n.pos)),
                        format!(
                            "{} receives its secrets from {}",
                            w.id(),
                            if vault {
                                "the Vault agent injector"
                            } else {
                                "the Secrets Store CSI driver"
                            }
                        ),
                    ));
                }
                continue;
            }
            for r in refs {
                let name = r.as_str().unwrap_or_default();
                let key = (ns(w).to_string(), name.to_string());
                let subject = format!("{} › secret {name}", w.id());
                if let Some(p) = sources.produced.get(&key) {
                    out.verdicts.push(
                        Verdict::pass(
                            &DOC,
                            subject,
                            loc(w, r.pos),
                            format!("the Secret `{name}` is produced by {}", p.id()),
                        )
                        .with_related(Some(p.at.clone())),
                    );
                } else if let Some(p) = sources.plain.get(&key) {
                    out.verdicts.push(
                        Verdict::fail(
                            &DOC,
                            subject,
                            loc(w, r.pos),
                            format!("the Secret `{name}` comes from a plain manifest of the repository ({})", p.id()),
                            "produce it with an ExternalSecret from the secret manager (or a SealedSecret)",
                        )
                        .with_related(Some(p.at.clone())),
                    );
                } else {
                    out.verdicts.push(Verdict::fail(
                        &DOC,
                        subject,
                        loc(w, r.pos),
                        format!("nothing applied with this workload (its unit) produces the Secret `{name}`: it is created by hand or applied from elsewhere, outside any vault"),
                        "declare an ExternalSecret (or SealedSecret) producing it, or mount it with the Secrets Store CSI driver",
                    ));
                }
            }
        }
    }
}
