//! The data the cloud controls read, shipped with vigie and embedded at build time:
//! SecNumCloud-qualified offers (`data/offers.toml`), EU locations per provider
//! (`data/eu_locations.toml`) and SaaS under extra-EU jurisdiction (`data/saas.toml`).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const OFFERS: &str = include_str!("../data/offers.toml");
const EU: &str = include_str!("../data/eu_locations.toml");
const SAAS: &str = include_str!("../data/saas.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offers {
    pub source: String,
    pub as_of: String,
    pub offers: Vec<Offer>,
    pub not_qualified: Vec<NotQualified>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub kind: String,
    #[serde(default)]
    pub qualified: Option<String>,
    /// `low` when the offer is cited but not confirmed on ANSSI's list.
    #[serde(default)]
    pub confidence: Option<String>,
    #[serde(default, rename = "match")]
    pub matches: Vec<Match>,
}

impl Offer {
    pub fn confirmed(&self) -> bool {
        self.confidence.as_deref() != Some("low")
    }
}

/// What identifies an offer in infrastructure code; every key given must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    pub provider: String,
    #[serde(default)]
    pub universe_domain: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub endpoint_suffix: Option<String>,
    #[serde(default)]
    pub product_contains: Option<String>,
}

impl Match {
    /// How the match reads in `vigie offers`.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("provider \"{}\"", self.provider)];
        if let Some(u) = &self.universe_domain {
            parts.push(format!("universe_domain = \"{u}\""));
        }
        if let Some(r) = &self.region {
            parts.push(format!("region {r}"));
        }
        if let Some(e) = &self.endpoint_suffix {
            parts.push(format!("endpoint *{e}"));
        }
        if let Some(p) = &self.product_contains {
            parts.push(format!("a resource naming \"{p}\""));
        }
        parts.join(", ")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotQualified {
    pub name: String,
    pub providers: Vec<String>,
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EuLocations {
    pub as_of: String,
    pub providers: BTreeMap<String, ProviderLocations>,
    pub outside: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderLocations {
    pub regions: Vec<String>,
    #[serde(default)]
    pub numbered: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saas {
    pub as_of: String,
    pub services: Vec<Service>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    pub what: String,
    pub jurisdiction: String,
    #[serde(default)]
    pub packages: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub providers: Vec<String>,
}

impl Service {
    /// Whether a package name is one of this service's SDKs (`@sentry/*` matches by prefix).
    pub fn has_package(&self, name: &str) -> bool {
        self.packages.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix) && name.len() > prefix.len(),
            None => p == name,
        })
    }
    /// Whether a host name is this service's, or a subdomain of it.
    pub fn has_host(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| {
            host == h
                || (host.len() > h.len()
                    && host.ends_with(h.as_str())
                    && host.as_bytes()[host.len() - h.len() - 1] == b'.')
        })
    }
}

fn load<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| format!("vigie's data file {name} is malformed: {e}"))
}

pub fn offers() -> Result<&'static Offers, &'static str> {
    static C: OnceLock<Result<Offers, String>> = OnceLock::new();
    C.get_or_init(|| load("offers.toml", OFFERS))
        .as_ref()
        .map_err(String::as_str)
}

pub fn eu_locations() -> Result<&'static EuLocations, &'static str> {
    static C: OnceLock<Result<EuLocations, String>> = OnceLock::new();
    C.get_or_init(|| load("eu_locations.toml", EU))
        .as_ref()
        .map_err(String::as_str)
}

pub fn saas() -> Result<&'static Saas, &'static str> {
    static C: OnceLock<Result<Saas, String>> = OnceLock::new();
    C.get_or_init(|| load("saas.toml", SAAS))
        .as_ref()
        .map_err(String::as_str)
}

/// The provider family whose location list applies (`google-beta` reads `google`'s).
pub fn location_family(provider: &str) -> &str {
    match provider {
        "google-beta" => "google",
        "azapi" => "azurerm",
        p => p,
    }
}

/// Whether a location is inside the EU for a provider: `Some(true)` on the list, `Some(false)`
/// not on it, `None` when vigie has no list for that provider.
pub fn in_eu(provider: &str, location: &str) -> Option<bool> {
    let data = eu_locations().ok()?;
    let list = data.providers.get(location_family(provider))?;
    let norm: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let on = |s: &str| list.regions.iter().any(|r| r == s);
    if on(&norm) {
        return Some(true);
    }
    // a zone of a listed region: `europe-west9-a`, `eu-west-3a`, `cloudgouv-eu-west-1b`
    if let Some((region, zone)) = norm.rsplit_once('-')
        && zone.len() == 1
        && zone.chars().all(|c| c.is_ascii_lowercase())
        && on(region)
    {
        return Some(true);
    }
    if norm.len() > 1 {
        let (head, last) = norm.split_at(norm.len() - 1);
        if last.chars().all(|c| c.is_ascii_lowercase())
            && head.ends_with(|c: char| c.is_ascii_digit())
            && on(head)
        {
            return Some(true);
        }
    }
    if list.numbered {
        let letters = norm.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        if !letters.is_empty() && letters.len() < norm.len() && on(letters) {
            return Some(true);
        }
    }
    Some(false)
}

/// A precise description of a well-known place outside the EU (`US`: the United States multi-region).
pub fn outside_name(location: &str) -> Option<&'static str> {
    let data = eu_locations().ok()?;
    data.outside
        .get(&location.to_ascii_lowercase())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_parses_and_is_dated() {
        let o = offers().unwrap();
        assert!(o.source.contains("ANSSI"));
        assert!(time_like(&o.as_of));
        assert!(o.offers.iter().any(|x| x.id == "s3ns-premi3ns"));
        assert!(time_like(&eu_locations().unwrap().as_of));
        assert!(saas().unwrap().services.iter().any(|s| s.name == "Sentry"));
    }

    fn time_like(s: &str) -> bool {
        s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-'
    }

    #[test]
    fn eu_allow_list() {
        assert_eq!(in_eu("google", "europe-west9"), Some(true));
        assert_eq!(in_eu("google", "europe-west9-b"), Some(true));
        assert_eq!(in_eu("google", "EU"), Some(true));
        assert_eq!(in_eu("google", "US"), Some(false));
        assert_eq!(in_eu("google", "us-central1"), Some(false));
        assert_eq!(
            in_eu("google", "europe-west2"),
            Some(false),
            "London is not in the EU"
        );
        assert_eq!(
            in_eu("google", "europe-west6-a"),
            Some(false),
            "Zurich is not in the EU"
        );
        assert_eq!(in_eu("google-beta", "u-france-east1"), Some(true));
        assert_eq!(in_eu("aws", "eu-west-3a"), Some(true));
        assert_eq!(in_eu("aws", "eu-west-2"), Some(false), "London");
        assert_eq!(
            in_eu("outscale", "eu-west-2"),
            Some(true),
            "Outscale's eu-west-2 is in France"
        );
        assert_eq!(in_eu("outscale", "cloudgouv-eu-west-1a"), Some(true));
        assert_eq!(in_eu("azurerm", "France Central"), Some(true));
        assert_eq!(in_eu("azurerm", "uksouth"), Some(false));
        assert_eq!(in_eu("ovh", "GRA11"), Some(true));
        assert_eq!(in_eu("ovh", "BHS5"), Some(false));
        assert_eq!(in_eu("ovh", "UK1"), Some(false));
        assert_eq!(in_eu("kubernetes", "anything"), None);
        assert_eq!(outside_name("US"), Some("the United States multi-region"));
    }

    #[test]
    fn saas_matching() {
        let s = saas().unwrap();
        let sentry = s.services.iter().find(|x| x.name == "Sentry").unwrap();
        assert!(sentry.has_package("@sentry/node"));
        assert!(!sentry.has_package("@sentry/"));
        assert!(!sentry.has_package("sentry-like"));
        assert!(sentry.has_host("o123.ingest.sentry.io"));
        assert!(!sentry.has_host("notsentry.io"));
    }
}
