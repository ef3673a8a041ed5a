//! SOV-02.1: every location in the Terraform code is inside the EU.

use super::{Ctx, cannot_prove, sov01_1_qualified_provider};
use crate::data;
use crate::eval::{Mode, RAttr, RBody, Value};
use std::collections::BTreeMap;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SOV-02.1",
    title: "Data and backup locations are inside the EU",
    severity: Severity::High,
    applies_to: &["terraform"],
    what: "Every location attribute of cloud resources, providers and state backends (`region`, \
           `zone`, `location`, `locations`, `node_locations`, bucket and backup locations, \
           replica and replication locations, snapshot storage locations…) names a place on \
           vigie's EU allow-list for that provider. Multi-regions such as `US` or `global`, \
           and regions in the UK or Switzerland, fail with their line. Secret Manager \
           automatic replication fails too: Google chooses where the copies go. IAM grants on \
           a resource (`*_iam_member`, `*_iam_binding`, `*_iam_policy`) are not judged: their \
           location names the resource they grant on, which is. A GKE fleet feature in \
           `global` (the one location most accept) fails with what can be done instead of a \
           region to set.",
    why: "SecNumCloud 19.2 requires the data, backups included, and the technical data of the \
          service to stay in the European Union.",
    fix: "Set the attribute to an EU region (for example `europe-west9`, `EU`, `eu-west-3`, \
          `francecentral`, `cloudgouv-eu-west-1`), and replicate only to EU locations.",
    failing: (
        "main.tf",
        "resource \"google_storage_bucket\" \"backups\" {\n  name     = \"shop-backups\"\n  location = \"US\"\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_storage_bucket\" \"backups\" {\n  name     = \"shop-backups\"\n  location = \"EU\"\n}\n",
    ),
};

/// Attribute names that place data or compute somewhere.
const LOCATION_ATTRS: &[&str] = &[
    "region",
    "zone",
    "location",
    "locations",
    "node_locations",
    "availability_zone",
    "availability_zones",
    "subregion_name",
    "backup_location",
    "storage_locations",
    "data_locations",
    "replica_location",
    "replica_locations",
    "secondary_location",
    "replication_region",
    "destination_region",
];

const FIX: &str = "set it to a region on the EU allow-list (e.g. europe-west9, EU, eu-west-3, francecentral, cloudgouv-eu-west-1)";

/// Locations outside the EU that come from one variable: judged once, where the value is
/// written (`variables.tf`, a tfvars line, a module call), naming every place it lands.
#[derive(Default)]
struct FromVariables {
    by_origin: BTreeMap<Location, (String, String, String, Vec<String>)>,
}

impl FromVariables {
    fn into_verdicts(self, out: &mut Vec<Verdict>) {
        for (at, (var, provider, outside, uses)) in self.by_origin {
            let shown = if uses.len() <= 3 {
                uses.join(", ")
            } else {
                format!("{}, and {} more", uses[..3].join(", "), uses.len() - 3)
            };
            out.push(Verdict::fail(
                &DOC,
                var.clone(),
                at,
                format!(
                    "{var} is {outside}, outside the EU allow-list for {provider}; it places {shown}"
                ),
                FIX.replacen("set it", &format!("set {var}"), 1),
            ));
        }
    }
}

fn judge_location(
    provider: &str,
    subject: &str,
    path: &[&str],
    a: &RAttr,
    vars: &mut FromVariables,
    out: &mut Vec<Verdict>,
) {
    let shown_attr = if path.is_empty() {
        a.name.clone()
    } else {
        format!("{}.{}", path.join("."), a.name)
    };
    let subject = format!("{subject} › {shown_attr}");
    let values: Vec<&Value> = match &a.value {
        Value::List(l) => l.iter().collect(),
        Value::Null => return,
        v => vec![v],
    };
    let mut outside = Vec::new();
    let mut inside = Vec::new();
    for v in values {
        match v {
            Value::Str(s) => match data::in_eu(provider, s) {
                Some(true) => inside.push(s.clone()),
                Some(false) => outside.push(match data::outside_name(s) {
                    Some(n) => format!("`{s}` ({n})"),
                    None => format!("`{s}`"),
                }),
                None => return,
            },
            other => {
                out.push(cannot_prove(
                    &DOC,
                    subject,
                    a.at.clone(),
                    &format!("the location `{shown_attr}`"),
                    other,
                    FIX,
                ));
                return;
            }
        }
    }
    if !outside.is_empty()
        && let Some((var, at)) = &a.from
    {
        let e = vars.by_origin.entry(at.clone()).or_insert_with(|| {
            (
                var.clone(),
                provider.to_string(),
                outside.join(", "),
                Vec::new(),
            )
        });
        e.3.push(subject);
    } else if !outside.is_empty() {
        out.push(Verdict::fail(
            &DOC,
            subject,
            a.at.clone(),
            format!(
                "{shown_attr} {} outside the EU allow-list for {provider}",
                if outside.len() == 1 {
                    format!("{} is", outside[0])
                } else {
                    format!("{} are", outside.join(", "))
                }
            ),
            FIX.to_string(),
        ));
    } else if !inside.is_empty() {
        out.push(Verdict::pass(
            &DOC,
            subject,
            a.at.clone(),
            format!("{shown_attr} `{}` is inside the EU", inside.join("`, `")),
        ));
    }
}

fn walk_body(
    provider: &str,
    subject: &str,
    body: &RBody,
    vars: &mut FromVariables,
    out: &mut Vec<Verdict>,
) {
    let mut prefix = Vec::new();
    body.walk(&mut prefix, &mut |path, a| {
        if LOCATION_ATTRS.contains(&a.name.as_str())
            && !path.iter().any(|p| *p == "labels" || *p == "tags")
        {
            judge_location(provider, subject, path, a, vars, out);
        }
    });
}

/// An IAM grant on a resource (`google_artifact_registry_repository_iam_member`,
/// `google_storage_bucket_iam_binding`…) stores nothing: its `location` names where the
/// resource it grants on lives, and that resource is judged on its own.
fn binds_access_only(rtype: &str) -> bool {
    ["_iam_member", "_iam_binding", "_iam_policy"]
        .iter()
        .any(|s| rtype.ends_with(s))
}

/// Where a GKE fleet feature (`google_gke_hub_feature`, `google_gke_hub_feature_membership`)
/// is set in `global`, the one location most features accept: the generic "set an EU region"
/// cannot be followed, so the finding says what can be done instead.
fn fleet_feature_in_global(rtype: &str, body: &RBody) -> Option<Location> {
    if !rtype.starts_with("google_gke_hub_feature") {
        return None;
    }
    let a = body.attr("location")?;
    (a.value.as_str() == Some("global")).then(|| a.at.clone())
}

fn judge_into(cx: &Ctx<'_>, out: &mut Vec<Verdict>) {
    let m = cx.model;
    let mut vars = FromVariables::default();
    for p in &m.providers {
        if sov01_1_qualified_provider::HOSTING.contains(&p.name.as_str()) {
            walk_body(&p.name, &p.display(), &p.body, &mut vars, out);
        }
    }
    for b in &m.backends {
        let provider = match b.labels.first().map(String::as_str) {
            Some("s3") => "aws",
            Some("azurerm") => "azurerm",
            Some("gcs") => "google",
            Some("oss") | Some("cos") | None => continue,
            Some(other) => other,
        };
        let subject = format!("terraform backend {}", b.labels.first().map_or("", |s| s));
        walk_body(provider, &subject, &b.body, &mut vars, out);
    }
    for r in &m.resources {
        if r.mode != Mode::Managed
            || !sov01_1_qualified_provider::HOSTING.contains(&r.provider_name())
        {
            continue;
        }
        if let Some(at) = fleet_feature_in_global(&r.rtype, &r.body) {
            out.push(Verdict::fail(
                &DOC,
                format!("{} › location", r.address),
                at,
                "GKE fleet features exist only in `global`: Google keeps this fleet configuration outside any EU region",
                "configure the cluster itself instead of through a fleet feature (install Config Sync or Policy Controller on the cluster), or record the fleet's global metadata as an accepted exception with a waiver",
            ));
        } else if !binds_access_only(&r.rtype) {
            walk_body(r.provider_name(), &r.address, &r.body, &mut vars, out);
        }
        // Secret Manager automatic replication: Google chooses the places
        if r.rtype == "google_secret_manager_secret"
            && let Some(rep) = r.body.block("replication")
            && (rep.body.block("auto").is_some()
                || rep.body.attr("automatic").and_then(|a| a.value.as_bool()) == Some(true))
        {
            out.push(Verdict::fail(
                &DOC,
                format!("{} › replication", r.address),
                rep.at.clone(),
                "automatic replication lets Google place the secret's copies in any region, outside the EU included",
                "use replication { user_managed { replicas { location = \"europe-west9\" } } } with EU locations only",
            ));
        }
    }
    vars.into_verdicts(out);
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut crate::Output) {
    judge_into(cx, &mut out.verdicts);
}
