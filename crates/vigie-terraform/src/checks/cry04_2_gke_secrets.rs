//! CRY-04.2: GKE encrypts Kubernetes Secrets with a customer-managed key.

use super::Ctx;
use super::cannot_prove;
use crate::Output;
use crate::eval::{Resource, Value};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-04.2",
    title: "GKE encrypts Kubernetes Secrets with a customer-managed key",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Each `google_container_cluster` has `database_encryption { state = \"ENCRYPTED\", \
           key_name = … }`: application-layer encryption of Secrets in etcd with a Cloud KMS key.",
    why: "Without it, Secrets are only protected by the storage encryption of the control plane; \
          with it, reading them from etcd or a backup needs the customer's key.",
    fix: "Add `database_encryption { state = \"ENCRYPTED\"  key_name = google_kms_crypto_key.etcd.id }` \
          to the cluster (the GKE service agent needs encrypter/decrypter on the key).",
    failing: (
        "main.tf",
        "resource \"google_container_cluster\" \"main\" {\n  name     = \"main\"\n  location = \"europe-west9\"\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_container_cluster\" \"main\" {\n  name     = \"main\"\n  location = \"europe-west9\"\n  database_encryption {\n    state    = \"ENCRYPTED\"\n    key_name = google_kms_crypto_key.etcd.id\n  }\n}\n",
    ),
};

fn gke_secrets(r: &Resource, out: &mut Vec<Verdict>) {
    let fix = "add database_encryption { state = \"ENCRYPTED\"  key_name = google_kms_crypto_key.etcd.id }";
    let Some(de) = r.body.block("database_encryption") else {
        out.push(Verdict::fail(&DOC, r.address.clone(), r.at.clone(), "Kubernetes Secrets are not encrypted at the application layer (no database_encryption block)", fix));
        return;
    };
    let state = de.body.attr("state");
    match state.map(|a| &a.value) {
        Some(Value::Str(s)) if s == "ENCRYPTED" => {}
        Some(Value::Str(s)) => {
            out.push(Verdict::fail(&DOC, r.address.clone(), state.map_or(de.at.clone(), |a| a.at.clone()), format!("database_encryption state is `{s}`: Secrets are not encrypted with a customer-managed key"), fix));
            return;
        }
        Some(v) => {
            out.push(cannot_prove(
                &DOC,
                r.address.clone(),
                state.map_or(de.at.clone(), |a| a.at.clone()),
                "database_encryption.state",
                v,
                fix,
            ));
            return;
        }
        None => {
            out.push(Verdict::fail(
                &DOC,
                r.address.clone(),
                de.at.clone(),
                "database_encryption has no state = \"ENCRYPTED\"",
                fix,
            ));
            return;
        }
    }
    match de.body.attr("key_name") {
        Some(a) if a.value.is_set() => out.push(Verdict::pass(
            &DOC,
            r.address.clone(),
            a.at.clone(),
            format!(
                "Kubernetes Secrets are encrypted at the application layer with {}",
                a.value.show()
            ),
        )),
        Some(a) if matches!(a.value, Value::Unknown(_)) => out.push(cannot_prove(
            &DOC,
            r.address.clone(),
            a.at.clone(),
            "database_encryption.key_name",
            &a.value,
            fix,
        )),
        _ => out.push(Verdict::fail(
            &DOC,
            r.address.clone(),
            de.at.clone(),
            "database_encryption is ENCRYPTED but names no key_name",
            fix,
        )),
    }
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    for r in cx
        .managed()
        .filter(|r| r.rtype == "google_container_cluster")
    {
        gke_secrets(r, &mut out.verdicts);
    }
}
