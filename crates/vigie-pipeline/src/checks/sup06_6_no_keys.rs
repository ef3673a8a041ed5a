//! SUP-06.6: no service-account key in pipelines or in the repository.

use crate::analyze::{Analysis, Found};
use crate::facts::{self, tool};
use crate::model::Pipeline;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.6",
    title: "No long-lived service-account keys",
    severity: Severity::High,
    applies_to: &["json", "terraform", "github-actions", "gitlab-ci"],
    what: "The repository holds no Google service-account key file (JSON with `\"type\": \
           \"service_account\"` and a `private_key`), creates no `google_service_account_key` in \
           Terraform, and pipelines authenticate to Google Cloud with Workload Identity Federation \
           (`google-github-actions/auth` with `workload_identity_provider`), not `credentials_json` \
           or `--key-file`.",
    why: "A key file never expires and works from anywhere; once copied from a repository, a log or \
          a CI variable it gives the attacker the service account until someone notices.",
    fix: "Delete the key (and revoke it in IAM), and configure Workload Identity Federation for the \
          CI provider.",
    failing: (
        "deploy/sa.json",
        "{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme\",\n  \"private_key_id\": \"0000\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEv...\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"ci@acme.iam.gserviceaccount.com\"\n}\n",
    ),
    passing: (
        ".github/workflows/deploy.yml",
        "on: push\npermissions:\n  contents: read\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: google-github-actions/auth@6fc4af4b145ae7821d527454aa9bd537d1f2dc5f # v2.1.7\n        with:\n          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/ci/providers/github\n          service_account: deployer@acme.iam.gserviceaccount.com\n",
    ),
};

/// Service-account keys in pipelines: `credentials_json`, `--key-file`; passes for Workload Identity.
fn keys_in_pipeline(p: &Pipeline, out: &mut Vec<Verdict>) {
    for (j, job) in p.jobs.iter().enumerate() {
        for (s, st) in job.steps.iter().enumerate() {
            if let Some(a) = &st.action
                && a.repo() == "google-github-actions/auth"
            {
                if let Some(c) = a.input("credentials_json") {
                    out.push(Verdict::fail(
                        &DOC,
                        p.subject(j, Some(s)),
                        c.at.clone(),
                        "`google-github-actions/auth` authenticates with a service-account key (`credentials_json`)",
                        "use `workload_identity_provider` (Workload Identity Federation) and delete the key",
                    ));
                } else if let Some(w) = a.input("workload_identity_provider") {
                    out.push(Verdict::pass(&DOC, p.subject(j, Some(s)), w.at.clone(), "Google Cloud is reached through Workload Identity Federation, without a key"));
                }
            }
            for c in &st.commands {
                let (t, a) = tool(c);
                if t == "gcloud"
                    && a.iter().any(|w| w == "activate-service-account")
                    && facts::has_flag(&a, &["--key-file"])
                {
                    out.push(Verdict::fail(
                        &DOC,
                        p.subject(j, Some(s)),
                        c.at.clone(),
                        "`gcloud auth activate-service-account --key-file` authenticates with a long-lived key",
                        "use Workload Identity Federation (GitLab `id_tokens`, GitHub OIDC) instead of a key file",
                    ));
                }
            }
        }
    }
}

/// Key files and `google_service_account_key` resources in the repository.
fn keys_in_files(files: &[&str], read: &dyn Fn(&str) -> Option<String>, out: &mut Vec<Verdict>) {
    for f in files {
        if f.ends_with(".json") {
            let Some(t) = read(f) else { continue };
            if !(t.contains("service_account") && t.contains("private_key")) {
                continue;
            }
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&t) else {
                continue;
            };
            if v.get("type").and_then(|x| x.as_str()) == Some("service_account")
                && v.get("private_key").is_some()
            {
                let line = t
                    .lines()
                    .position(|l| l.contains("\"private_key\""))
                    .map_or(1, |i| i as u32 + 1);
                let email = v
                    .get("client_email")
                    .and_then(|x| x.as_str())
                    .unwrap_or("?");
                out.push(Verdict::fail(
                    &DOC,
                    *f,
                    Location::new((*f).into(), line, 1),
                    format!("a Google service-account key for `{email}` is committed (its private key is not shown)"),
                    "revoke the key in IAM, delete the file (and purge it from history), and use Workload Identity Federation",
                ));
            }
        } else if f.ends_with(".tf") {
            let Some(t) = read(f) else { continue };
            for (i, l) in t.lines().enumerate() {
                let l = l.trim();
                if l.starts_with("resource") && l.contains("\"google_service_account_key\"") {
                    let name = l.split('"').nth(3).unwrap_or("?");
                    out.push(Verdict::fail(
                        &DOC,
                        format!("{f} › google_service_account_key.{name}"),
                        Location::new((*f).into(), i as u32 + 1, 1),
                        "Terraform creates a long-lived service-account key (and stores it in the state)",
                        "remove the key resource and grant access through Workload Identity (GKE) or Workload Identity Federation (CI)",
                    ));
                }
            }
        }
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in &m.pipelines {
        keys_in_pipeline(&l.pipeline, &mut out.verdicts);
    }
    let read = |p: &str| m.read(p);
    keys_in_files(&m.repo.files, &read, &mut out.verdicts);
}
