//! SEC-02.1: no Secret of the repository carries its values in clear.

use crate::Out;
use crate::cluster::{loc, produced_secret, secret_values};
use crate::model::Model;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::kubernetes::Object;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SEC-02.1",
    title: "No plain Kubernetes Secret carries data in the repository",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "No `kind: Secret` manifest has `data` or `stringData`; secrets reach the cluster \
           encrypted (SealedSecret) or from a store (ExternalSecret, Secrets Store CSI driver, \
           Vault).",
    why: "Base64 is an encoding, not encryption: a Secret manifest in Git is a secret published \
          to everyone who can read the repository, forever, in its history.",
    fix: "Remove the Secret (and rotate what it held), then deliver it with an ExternalSecret \
          from the secret manager or commit a SealedSecret instead.",
    failing: (
        "k8s/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: shop\ntype: Opaque\nstringData:\n  password: not-a-real-password\n",
    ),
    passing: (
        "k8s/secret.yaml",
        "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db-credentials\n  namespace: shop\nspec:\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: gcp-secret-manager\n  target:\n    name: db-credentials\n  data:\n    - secretKey: password\n      remoteRef:\n        key: shop-db-password\n",
    ),
};

/// Judged unit by unit, as the scan reads them: a Secret applied by two units is judged in each.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    for r in m.units {
        let Some(unit) = m.objects.get(r.clone()) else {
            continue;
        };
        for o in unit {
            if o.kind == "Secret" {
                secret(o, out);
            } else if produced_secret(o).is_some() {
                out.verdicts.push(Verdict::pass(
                    &DOC,
                    o.id(),
                    o.at.clone(),
                    format!(
                        "{} delivers its secret without writing it in the repository",
                        o.id()
                    ),
                ));
            }
        }
    }
}

fn secret(o: &Object, out: &mut Out) {
    let keys = secret_values(o);
    let at = ["stringData", "data"]
        .iter()
        .find_map(|f| o.node.entry(f))
        .map_or(o.at.clone(), |e| loc(o, e.key_pos));
    if keys > 0 {
        out.verdicts.push(Verdict::fail(
            &DOC,
            o.id(),
            at,
            format!(
                "{} carries {keys} value(s) in clear (base64 is not encryption) in the repository",
                o.id()
            ),
            "remove it, rotate its values, and deliver them with an ExternalSecret or a SealedSecret",
        ));
    } else {
        out.verdicts.push(Verdict::pass(
            &DOC,
            o.id(),
            o.at.clone(),
            format!("{} carries no data", o.id()),
        ));
    }
}
