//! SUP-06.7: the service account Cloud Build runs as holds only what a build needs — writing to
//! Artifact Registry and deploying to one cluster — in the IAM bindings of the Terraform code.
//!
//! The build's service accounts are those a `google_cloudbuild_trigger` names in
//! `service_account`, and the default Cloud Build account (`…@cloudbuild.gserviceaccount.com`)
//! wherever a binding names it. A trigger without `service_account` runs as that default
//! account, whose project-wide Editor-like role is the failure itself.

use super::Ctx;
use crate::eval::{Mode, Resource, Value};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.7",
    title: "The Cloud Build service account reaches Artifact Registry and one cluster only",
    severity: Severity::High,
    applies_to: &["terraform"],
    what: "Every IAM binding of the Terraform code that grants a role to the service account of a \
           `google_cloudbuild_trigger` (or to the default Cloud Build service account) grants one \
           a build needs: Artifact Registry writing or reading (on a repository, or on the \
           project), `roles/logging.logWriter`, `roles/container.developer` or \
           `roles/container.clusterViewer` when the project holds one cluster, or a role on a \
           single bucket, secret or service account. A trigger without `service_account` runs \
           as the default Cloud Build account and fails.",
    why: "Every step of every build runs with this account's rights: a compromised dependency or \
          build step with `roles/editor` or a project-wide admin role can rewrite the project, \
          read every secret and deploy anywhere.",
    fix: "Grant the build's dedicated service account `roles/artifactregistry.writer` on its \
          repository (`google_artifact_registry_repository_iam_member`) and \
          `roles/container.developer` in the project of its one cluster, and nothing else.",
    failing: (
        "main.tf",
        "resource \"google_service_account\" \"builder\" {\n  account_id = \"builder\"\n}\n\nresource \"google_cloudbuild_trigger\" \"api\" {\n  name            = \"api\"\n  filename        = \"cloudbuild.yaml\"\n  service_account = google_service_account.builder.id\n}\n\nresource \"google_project_iam_member\" \"builder\" {\n  project = \"acme\"\n  role    = \"roles/editor\"\n  member  = \"serviceAccount:${google_service_account.builder.email}\"\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_service_account\" \"builder\" {\n  account_id = \"builder\"\n}\n\nresource \"google_cloudbuild_trigger\" \"api\" {\n  name            = \"api\"\n  filename        = \"cloudbuild.yaml\"\n  service_account = google_service_account.builder.id\n}\n\nresource \"google_artifact_registry_repository_iam_member\" \"builder\" {\n  repository = \"apps\"\n  location   = \"europe-west9\"\n  role       = \"roles/artifactregistry.writer\"\n  member     = \"serviceAccount:${google_service_account.builder.email}\"\n}\n\nresource \"google_project_iam_member\" \"deploy\" {\n  project = \"acme\"\n  role    = \"roles/container.developer\"\n  member  = \"serviceAccount:${google_service_account.builder.email}\"\n}\n",
    ),
};

/// Roles a build needs wherever they are granted.
const BUILD_ROLES: &[&str] = &[
    "roles/artifactregistry.writer",
    "roles/artifactregistry.reader",
    "roles/artifactregistry.createOnPushWriter",
    "roles/logging.logWriter",
];

/// Roles that reach every cluster of the project: fine while it holds one.
const CLUSTER_ROLES: &[&str] = &["roles/container.developer", "roles/container.clusterViewer"];

/// IAM resources granting a role on the whole project, folder or organisation.
const WIDE: &[&str] = &[
    "google_project_iam_member",
    "google_project_iam_binding",
    "google_folder_iam_member",
    "google_folder_iam_binding",
    "google_organization_iam_member",
    "google_organization_iam_binding",
];

/// IAM resources granting a role on one resource (a repository, a bucket, a secret…).
fn is_scoped_iam(rtype: &str) -> bool {
    rtype.starts_with("google_")
        && (rtype.ends_with("_iam_member") || rtype.ends_with("_iam_binding"))
        && !WIDE.contains(&rtype)
}

/// How a binding's member text names a build account: `google_service_account.X` of a
/// trigger, its literal email, or the default Cloud Build account.
struct BuildAccounts {
    refs: Vec<String>,
    emails: Vec<String>,
}

impl BuildAccounts {
    fn names(&self, member: &str) -> bool {
        member.contains("@cloudbuild.gserviceaccount.com")
            || self.refs.iter().any(|r| member.contains(&format!("{r}.")))
            || self.emails.iter().any(|e| member.contains(e.as_str()))
    }
}

fn text_of(v: &Value) -> Vec<String> {
    match v {
        Value::Str(s) | Value::Computed(s) => vec![s.clone()],
        Value::List(l) => l.iter().flat_map(text_of).collect(),
        _ => Vec::new(),
    }
}

fn judge_into(cx: &Ctx<'_>, out: &mut Vec<Verdict>) {
    let managed: Vec<&Resource> = cx
        .model
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Managed)
        .collect();
    let triggers: Vec<&&Resource> = managed
        .iter()
        .filter(|r| r.rtype == "google_cloudbuild_trigger")
        .collect();
    let mut accounts = BuildAccounts {
        refs: Vec::new(),
        emails: Vec::new(),
    };
    for t in &triggers {
        match t.body.attr("service_account") {
            Some(a) => {
                for s in text_of(&a.value) {
                    if let Some(i) = s.find("google_service_account.") {
                        let rest = &s[i..];
                        let name: String = rest["google_service_account.".len()..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                            .collect();
                        accounts.refs.push(format!("google_service_account.{name}"));
                    } else if let Some(email) = s.rsplit('/').next().filter(|e| e.contains('@')) {
                        accounts.emails.push(email.to_string());
                    }
                }
            }
            None => out.push(Verdict::fail(
                &DOC,
                t.address.clone(),
                t.at.clone(),
                "the trigger sets no `service_account`: its builds run as the default Cloud Build service account, with broad project roles",
                "set `service_account` to a dedicated service account granted only Artifact Registry writing and deployment to one cluster",
            )),
        }
    }
    let clusters = managed
        .iter()
        .filter(|r| r.rtype == "google_container_cluster")
        .count();
    let mut judged = false;
    for r in managed
        .iter()
        .filter(|r| WIDE.contains(&r.rtype.as_str()) || is_scoped_iam(&r.rtype))
    {
        let members: Vec<String> = ["member", "members"]
            .iter()
            .filter_map(|k| r.body.attr(k))
            .flat_map(|a| text_of(&a.value))
            .collect();
        if !members.iter().any(|m| accounts.names(m)) {
            continue;
        }
        let Some(role) = r.body.attr("role") else {
            continue;
        };
        let Some(role_name) = role.value.as_str() else {
            out.push(super::cannot_prove(
                &DOC,
                r.address.clone(),
                role.at.clone(),
                "the role granted to the build's service account",
                &role.value,
                "grant a literal role",
            ));
            judged = true;
            continue;
        };
        judged = true;
        let wide = WIDE.contains(&r.rtype.as_str());
        let verdict = if BUILD_ROLES.contains(&role_name) {
            Ok(format!(
                "the build's service account is granted `{role_name}`, which a build needs"
            ))
        } else if CLUSTER_ROLES.contains(&role_name) {
            if clusters > 1 {
                Err(format!(
                    "`{role_name}` on the project reaches all {clusters} clusters it declares, not one"
                ))
            } else {
                Ok(format!(
                    "`{role_name}` lets the build deploy to the project's cluster"
                ))
            }
        } else if !wide {
            Ok(format!(
                "`{role_name}` is granted on one resource only ({})",
                r.rtype
            ))
        } else {
            Err(format!(
                "`{role_name}` is granted to the build's service account on the whole {}",
                r.rtype
                    .trim_start_matches("google_")
                    .split('_')
                    .next()
                    .unwrap_or("project")
            ))
        };
        match verdict {
            Ok(m) => out.push(Verdict::pass(&DOC, r.address.clone(), role.at.clone(), m)),
            Err(m) => out.push(Verdict::fail(&DOC, r.address.clone(), role.at.clone(), m, "grant only `roles/artifactregistry.writer` on the image repository and `roles/container.developer` for the one cluster")),
        }
    }
    if !judged
        && !accounts.refs.is_empty()
        && let Some(t) = triggers.first()
    {
        out.push(Verdict::pass(
            &DOC,
            t.address.clone(),
            t.at.clone(),
            "the Terraform code grants the build's service account no IAM role beyond its own",
        ));
    }
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut crate::Output) {
    judge_into(cx, &mut out.verdicts);
}
