//! SOV-01.1: the cloud providers in use match a SecNumCloud-qualified offer.

use super::{Ctx, Table, cannot_prove};
use crate::data::{self, Offer};
use crate::eval::{Mode, ProviderConf, RBody, Value};
use std::collections::BTreeMap;
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SOV-01.1",
    title: "Cloud providers match a SecNumCloud-qualified offer",
    severity: Severity::High,
    applies_to: &["terraform"],
    what: "Each cloud provider configuration of the Terraform code (google, aws, azurerm, ovh, \
           outscale…) is matched, by its universe domain, region, endpoints or product names, \
           against vigie's dated list of SecNumCloud-qualified offers (`vigie offers`). A pass \
           names the offer. The contract clause that states the service is qualified is an \
           attestation, not something code can show.",
    why: "SecNumCloud (Annex 2, 19.6) requires the hosting service itself to be qualified: an EU \
          region of a provider subject to extra-EU law is located in the EU but not protected \
          from that law.",
    fix: "Deploy on a qualified offer, for example S3NS PREMI3NS (google provider with \
          `universe_domain = \"s3nsapis.fr\"`, region `u-france-east1`) or 3DS Outscale \
          (`cloudgouv-eu-west-1`), and record the contract clause with `vigie attest SOV-01`.",
    failing: (
        "main.tf",
        "provider \"google\" {\n  project = \"shop\"\n  region  = \"europe-west9\"\n}\n",
    ),
    passing: (
        "main.tf",
        "provider \"google\" {\n  project         = \"shop\"\n  universe_domain = \"s3nsapis.fr\"\n  region          = \"u-france-east1\"\n}\n",
    ),
};

/// Providers that host workloads and data: judged against the offers.
pub const HOSTING: &[&str] = &[
    "google",
    "google-beta",
    "aws",
    "azurerm",
    "azapi",
    "ovh",
    "outscale",
    "scaleway",
    "numspot",
    "flexibleengine",
];

/// Providers that configure something running elsewhere, or only compute values: not judged.
pub const PLATFORM: &[&str] = &[
    "kubernetes",
    "helm",
    "vault",
    "random",
    "null",
    "local",
    "tls",
    "time",
    "archive",
    "external",
    "http",
    "template",
    "cloudinit",
    "terraform",
    "kubectl",
];

const FIX: &str = "move to a SecNumCloud-qualified offer (`vigie offers` lists them), e.g. the google provider with universe_domain = \"s3nsapis.fr\" (S3NS PREMI3NS) or outscale in cloudgouv-eu-west-1";

/// What a provider configuration says about where it runs.
struct Facts {
    universe: Option<(Value, Location)>,
    region: Option<(Value, Location)>,
    endpoints: Vec<(String, Location)>,
}

fn facts(body: &RBody) -> Facts {
    let universe = body
        .attr("universe_domain")
        .map(|a| (a.value.clone(), a.at.clone()));
    let region = body.attr("region").map(|a| (a.value.clone(), a.at.clone()));
    let mut endpoints = Vec::new();
    let mut prefix = Vec::new();
    body.walk(&mut prefix, &mut |path, a| {
        let in_endpoints = path.iter().any(|p| p.contains("endpoint"));
        if (in_endpoints || a.name.contains("endpoint"))
            && let Some(s) = a.value.as_str()
        {
            endpoints.push((s.to_string(), a.at.clone()));
        }
    });
    Facts {
        universe,
        region,
        endpoints,
    }
}

fn host_of(url: &str) -> &str {
    let s = url.split("://").nth(1).unwrap_or(url);
    let s = s.split(['/', '?']).next().unwrap_or(s);
    s.rsplit_once(':').map_or(s, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            s
        }
    })
}

/// The offer a configuration matches, and what matched.
fn matching<'o>(
    provider: &str,
    f: &Facts,
    products: &[String],
    offers: &'o [Offer],
) -> Option<(&'o Offer, String)> {
    for o in offers {
        for m in &o.matches {
            if !m.provider.eq_ignore_ascii_case(provider) {
                continue;
            }
            let mut why = Vec::new();
            if let Some(u) = &m.universe_domain {
                match f.universe.as_ref().and_then(|(v, _)| v.as_str()) {
                    Some(x) if x.eq_ignore_ascii_case(u) => {
                        why.push(format!("universe_domain = \"{x}\""))
                    }
                    _ => continue,
                }
            }
            if let Some(r) = &m.region {
                match f.region.as_ref().and_then(|(v, _)| v.as_str()) {
                    Some(x) if x.eq_ignore_ascii_case(r) => why.push(format!("region {x}")),
                    _ => continue,
                }
            }
            if let Some(e) = &m.endpoint_suffix {
                match f.endpoints.iter().find(|(url, _)| {
                    host_of(url)
                        .to_ascii_lowercase()
                        .ends_with(&e.to_ascii_lowercase())
                }) {
                    Some((url, _)) => why.push(format!("endpoint {url}")),
                    None => continue,
                }
            }
            if let Some(p) = &m.product_contains {
                let p = p.to_ascii_lowercase();
                match products
                    .iter()
                    .find(|s| s.to_ascii_lowercase().contains(&p))
                {
                    Some(s) => why.push(format!("product \"{s}\"")),
                    None => continue,
                }
            }
            return Some((o, why.join(", ")));
        }
    }
    None
}

fn judge_into(
    cx: &Ctx<'_>,
    out: &mut Vec<Verdict>,
    diags: &mut Vec<Diagnostic>,
    tables: &mut Vec<Table>,
) {
    let offers = match data::offers() {
        Ok(o) => o,
        Err(e) => {
            diags.push(Diagnostic::new(
                DiagKind::Config,
                Location::file("offers.toml".into()),
                e,
            ));
            return;
        }
    };
    let model = cx.model;
    // every provider in use: where it is first seen, and its source when declared
    let mut used: BTreeMap<String, (Location, Option<String>)> = BTreeMap::new();
    for r in &model.required {
        used.entry(r.name.clone()).or_insert((r.at.clone(), None)).1 = Some(r.source.clone());
    }
    for p in &model.providers {
        used.entry(p.name.clone()).or_insert((p.at.clone(), None));
    }
    for r in &model.resources {
        used.entry(r.provider_name().to_string())
            .or_insert((r.at.clone(), None));
    }
    let saas = data::saas().ok();
    let mut rows = Vec::new();
    for (name, (at, source)) in &used {
        let known_saas = saas.is_some_and(|s| {
            s.services
                .iter()
                .any(|x| x.providers.iter().any(|p| p == name))
        });
        let family = if HOSTING.contains(&name.as_str()) {
            "cloud"
        } else if PLATFORM.contains(&name.as_str()) {
            "platform (not a host)"
        } else if known_saas {
            "SaaS (see SOV-03)"
        } else {
            let mut d = Diagnostic::new(
                DiagKind::Skipped,
                at.clone(),
                format!(
                    "provider \"{name}\" is not one vigie understands: its resources are not assessed"
                ),
            );
            d.severity = Severity::Info;
            diags.push(d);
            "unknown to vigie"
        };
        if family != "cloud" {
            rows.push(vec![
                name.clone(),
                source.clone().unwrap_or_default(),
                at.to_string(),
                String::new(),
                String::new(),
                family.to_string(),
            ]);
            continue;
        }
        let products: Vec<String> = model
            .resources
            .iter()
            .filter(|r| r.mode == Mode::Managed && r.provider_name() == name)
            .flat_map(|r| {
                let mut v = Vec::new();
                let mut p = Vec::new();
                r.body.walk(&mut p, &mut |_, a| {
                    if let Some(s) = a.value.as_str() {
                        v.push(s.to_string());
                    }
                });
                v
            })
            .collect();
        let confs: Vec<&ProviderConf> =
            model.providers.iter().filter(|p| &p.name == name).collect();
        if confs.is_empty() {
            let subject = format!("provider {name}");
            let mut v = Verdict::fail(
                &DOC,
                subject,
                at.clone(),
                format!(
                    "cannot be proven: provider {name} has no provider block, so its universe domain, region and endpoints come from the environment"
                ),
                format!(
                    "declare provider \"{name}\" with its region (and universe_domain/endpoints) in the code"
                ),
            );
            v.severity = Severity::Low;
            out.push(v);
            rows.push(vec![
                name.clone(),
                source.clone().unwrap_or_default(),
                at.to_string(),
                String::new(),
                String::new(),
                "not proven (no provider block)".into(),
            ]);
            continue;
        }
        for conf in confs {
            let f = facts(&conf.body);
            let subject = conf.display();
            let region_s = f.region.as_ref().map(|(v, _)| v.show()).unwrap_or_default();
            let where_s = f
                .universe
                .as_ref()
                .map(|(v, _)| format!("universe {}", v.show()))
                .into_iter()
                .chain(f.endpoints.iter().map(|(e, _)| e.clone()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut row = vec![
                name.clone(),
                source.clone().unwrap_or_default(),
                conf.at.to_string(),
                region_s,
                where_s,
                String::new(),
            ];
            // a value that decides the match and is unknown
            let undecided = [f.universe.as_ref(), f.region.as_ref()]
                .into_iter()
                .flatten()
                .find(|(v, _)| matches!(v, Value::Unknown(_) | Value::Computed(_)));
            match matching(name, &f, &products, &offers.offers) {
                Some((o, why)) if o.confirmed() => {
                    out.push(Verdict::pass(
                        &DOC,
                        subject,
                        conf.at.clone(),
                        format!(
                            "{subject_name} runs on {offer}, SecNumCloud-qualified ({why}; ANSSI list as of {as_of}); the contract clause stating it must be attested (vigie attest SOV-01)",
                            subject_name = conf.display(),
                            offer = o.name,
                            as_of = offers.as_of
                        ),
                    ));
                    row[5] = o.name.clone();
                }
                Some((o, why)) => {
                    let mut v = Verdict::fail(
                        &DOC,
                        subject,
                        conf.at.clone(),
                        format!(
                            "{why} matches {}, cited as qualified but not confirmed on ANSSI's list (as of {}): confirm the qualification, then attest it",
                            o.name, offers.as_of
                        ),
                        "check the offer on ANSSI's list of qualified services and record an attestation (vigie attest SOV-01), or move to a confirmed offer".to_string(),
                    );
                    v.severity = Severity::Low;
                    out.push(v);
                    row[5] = format!("{} (unconfirmed)", o.name);
                }
                None if undecided.is_some() => {
                    let (val, loc) = undecided
                        .map(|(v, l)| (v.clone(), l.clone()))
                        .unwrap_or((Value::Null, conf.at.clone()));
                    out.push(cannot_prove(
                        &DOC,
                        subject,
                        loc,
                        "the universe domain or region",
                        &val,
                        FIX,
                    ));
                    row[5] = "not proven (unknown value)".into();
                }
                None => {
                    let nq = offers
                        .not_qualified
                        .iter()
                        .find(|n| n.providers.iter().any(|p| p == name));
                    let what = match nq {
                        Some(n) => format!("{}: {}", n.name, n.note),
                        None => format!("provider {name}"),
                    };
                    let loc = f
                        .region
                        .as_ref()
                        .map(|(_, l)| l.clone())
                        .unwrap_or_else(|| conf.at.clone());
                    out.push(Verdict::fail(
                        &DOC,
                        subject,
                        loc,
                        format!(
                            "{what}; no SecNumCloud-qualified offer matches this configuration{} (ANSSI list as of {})",
                            f.region.as_ref().map(|(v, _)| format!(" (region {})", v.show())).unwrap_or_default(),
                            offers.as_of
                        ),
                        FIX.to_string(),
                    ));
                    row[5] = "not qualified".into();
                }
            }
            rows.push(row);
        }
    }
    if !rows.is_empty() {
        tables.push(Table {
            control: "SOV-01".into(),
            title: format!(
                "Terraform providers in use (qualified offers as of {})",
                offers.as_of
            ),
            columns: [
                "provider",
                "source",
                "configured at",
                "region",
                "universe / endpoints",
                "offer",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
}

/// `vigie offers`: the data file, readable.
pub fn offers_text() -> Result<String, String> {
    let o = data::offers()?;
    let mut s = String::new();
    s.push_str("SecNumCloud-qualified offers known to vigie\n");
    s.push_str(&format!("source: {}\nas of:  {}\n\n", o.source, o.as_of));
    for offer in &o.offers {
        s.push_str(&format!("{} ({}), {}", offer.name, offer.id, offer.kind));
        if let Some(q) = &offer.qualified {
            s.push_str(&format!(", qualified {q}"));
        }
        if !offer.confirmed() {
            s.push_str(", NOT CONFIRMED on ANSSI's list");
        }
        s.push('\n');
        if offer.matches.is_empty() {
            s.push_str("    recognised in code: no (record the contract as an attestation)\n");
        }
        for m in &offer.matches {
            s.push_str(&format!("    recognised by: {}\n", m.describe()));
        }
    }
    s.push_str("\nNot qualified:\n");
    for n in &o.not_qualified {
        s.push_str(&format!("  {}: {}\n", n.name, n.note));
    }
    Ok(s)
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut crate::Output) {
    judge_into(cx, &mut out.verdicts, &mut out.diagnostics, &mut out.tables);
}
