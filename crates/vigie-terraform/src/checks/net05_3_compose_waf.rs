//! NET-05.3: a WAF or intrusion detection guards Compose platforms that publish ports.

use super::Ctx;
use crate::Output;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-05.3",
    title: "A WAF or intrusion detection guards Compose platforms that publish ports",
    severity: Severity::Medium,
    applies_to: &["compose"],
    what: "Heuristic: a Compose project that publishes ports has a WAF or intrusion detection \
           configured in the repository: a service running CrowdSec, Fail2Ban, ModSecurity \
           (OWASP CRS, BunkerWeb) or Coraza, found by image, or their configuration files \
           (`acquis.yaml`, `jail.local`, `jail.d/`, `modsecurity.conf`, `crs-setup.conf`, \
           `coraza.conf`, nginx `modsecurity on;`).",
    why: "Exposed services are probed constantly; a WAF blocks known attack patterns and an \
          IDS bans the sources (SecNumCloud 13.2.d and 13.3.a).",
    fix: "Run CrowdSec (with a bouncer on the reverse proxy) or ModSecurity/Coraza with the OWASP \
          Core Rule Set in front of the published services.",
    failing: (
        "compose.yaml",
        "services:\n  proxy:\n    image: nginx:1.27\n    ports:\n      - \"443:443\"\n",
    ),
    passing: (
        "compose.yaml",
        "services:\n  proxy:\n    image: nginx:1.27\n    ports:\n      - \"443:443\"\n  crowdsec:\n    image: crowdsecurity/crowdsec:v1.6.4\n",
    ),
};

/// Image names of WAF and IDS tools (matched as a path segment of the repository name).
const WAF_IMAGES: &[(&str, &str)] = &[
    ("crowdsec", "CrowdSec"),
    ("fail2ban", "Fail2Ban"),
    ("modsecurity", "ModSecurity"),
    ("modsecurity-crs", "ModSecurity with the OWASP CRS"),
    ("coraza", "Coraza"),
    ("coraza-caddy", "Coraza"),
    ("bunkerweb", "BunkerWeb (ModSecurity)"),
    ("cs-traefik-bouncer", "CrowdSec bouncer"),
    ("cs-firewall-bouncer", "CrowdSec bouncer"),
];

/// Configuration files of WAF and IDS tools.
fn waf_file(rel: &str) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = rel.to_ascii_lowercase();
    match name {
        "acquis.yaml" | "acquis.yml" if lower.contains("crowdsec") => Some("CrowdSec"),
        "jail.local" | "jail.conf" => Some("Fail2Ban"),
        "modsecurity.conf" | "crs-setup.conf" | "modsec.conf" => Some("ModSecurity"),
        "coraza.conf" => Some("Coraza"),
        _ if lower.contains("fail2ban/jail.d/") => Some("Fail2Ban"),
        _ if lower.contains("crowdsec/") && (name.ends_with(".yaml") || name.ends_with(".yml")) => {
            Some("CrowdSec")
        }
        _ => None,
    }
}

fn compose(cx: &Ctx<'_>, out: &mut Vec<Verdict>) {
    if cx.compose.is_empty() {
        return;
    }
    let files: Vec<(&str, &'static str)> = cx
        .files
        .iter()
        .filter_map(|f| waf_file(f).map(|t| (f.as_ref(), t)))
        .collect();
    let nginx_modsec: Vec<&str> = cx
        .files
        .iter()
        .filter(|f| f.ends_with(".conf") && f.to_ascii_lowercase().contains("nginx"))
        .filter(|f| {
            (cx.read)(f).is_some_and(|t| {
                t.lines()
                    .any(|l| l.trim_start().starts_with("modsecurity on"))
            })
        })
        .map(|f| f.as_ref())
        .collect();
    for p in cx.compose {
        let Some(services) = p.merged.as_ref().and_then(|m| m.get("services")) else {
            continue;
        };
        let mut exposed: Option<Location> = None;
        let mut found: Option<(String, Location)> = None;
        for e in services.entries() {
            if let Some(ports) = e.value.get("ports")
                && !ports.items().is_empty()
                && exposed.is_none()
            {
                exposed = Some(p.loc(ports.pos));
            }
            if let Some(img) = e.value.get("image").and_then(|n| n.as_str()) {
                let repo = img.split('@').next().unwrap_or(img);
                let repo = repo
                    .rsplit_once(':')
                    .map_or(repo, |(r, t)| if t.contains('/') { repo } else { r });
                let last = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
                if let Some((_, tool)) = WAF_IMAGES.iter().find(|(n, _)| {
                    last == *n
                        || last.starts_with(&format!("{n}-"))
                        || repo.to_ascii_lowercase().contains(&format!("{n}/"))
                }) {
                    found.get_or_insert((
                        format!("the service `{}` runs {tool} (image {img})", e.key),
                        p.loc(e.key_pos),
                    ));
                }
            }
        }
        let Some(exposed_at) = exposed else {
            continue;
        };
        let subject = p.name.clone();
        if found.is_none()
            && let Some((f, tool)) = files.first()
        {
            found = Some((
                format!("{tool} is configured in the repository ({f})"),
                Location::file((*f).into()),
            ));
        }
        if found.is_none()
            && let Some(f) = nginx_modsec.first()
        {
            found = Some((
                format!("ModSecurity is switched on in {f}"),
                Location::file((*f).into()),
            ));
        }
        match found {
            Some((what, at)) => out.push(Verdict::pass(&DOC, subject, at, format!("heuristic: {what}"))),
            None => out.push(Verdict::fail(&DOC, subject, exposed_at, "heuristic: the project publishes ports but no WAF or intrusion detection (CrowdSec, Fail2Ban, ModSecurity, Coraza) is configured in the repository", "run CrowdSec with a bouncer, or ModSecurity/Coraza with the OWASP CRS, in front of the published services")),
        }
    }
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    compose(cx, &mut out.verdicts);
}
