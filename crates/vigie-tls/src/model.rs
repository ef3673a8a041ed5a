//! What every proxy format is lowered to: TLS endpoints with their effective settings, each with
//! the location that sets it (or the block it is defaulted in, and which default was assumed), and
//! plain-HTTP listeners with their redirect.

use vigie_core::Location;

/// A value with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub at: Location,
    /// `Some("nginx 1.27 default")` when the directive is absent and the product's default applies.
    pub default: Option<&'static str>,
}

impl<T> Setting<T> {
    pub fn set(value: T, at: Location) -> Self {
        Setting {
            value,
            at,
            default: None,
        }
    }
    pub fn defaulted(value: T, at: Location, default: &'static str) -> Self {
        Setting {
            value,
            at,
            default: Some(default),
        }
    }
}

/// Protocol versions, oldest first.
pub const VERSIONS: [&str; 5] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// The set of protocol versions an endpoint accepts (indices into [`VERSIONS`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Versions(pub Vec<usize>);

impl Versions {
    pub fn range(min: usize, max: usize) -> Self {
        Versions((min..=max.min(4)).collect())
    }
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|&i| VERSIONS[i]).collect()
    }
    /// `TLSv1.2`, `tls1.2`, `VersionTLS12`, `TLS1.2`, `TLSv1_2`, `1.2`.
    pub fn parse_one(s: &str) -> Option<usize> {
        let t: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let t = t
            .trim_start_matches("version")
            .trim_start_matches("tlsv")
            .trim_start_matches("tls");
        Some(match t {
            "sslv3" | "ssl3" | "ssl30" => 0,
            "1" | "10" => 1,
            "11" => 2,
            "12" => 3,
            "13" => 4,
            _ => return None,
        })
    }
}

/// How suites are named in a configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum Ciphers {
    /// An OpenSSL cipher string (nginx, HAProxy, ingress-nginx).
    OpenSsl(String),
    /// A list of suite names (Traefik and Caddy take IANA names).
    List(Vec<String>),
    /// The value depends on a variable the repository does not set.
    Unresolved(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tickets {
    pub enabled: bool,
    /// How long a ticket (and its key) stays valid, in seconds, when known.
    pub lifetime: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hsts {
    pub max_age: Option<u64>,
    pub include_subdomains: bool,
    /// nginx: `always` (sent on error responses too).
    pub always: bool,
}

/// A TLS endpoint and what is known about it. `None` fields are not applicable to the format
/// (nothing is judged for them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Endpoint {
    /// `proxy/nginx.conf › server tarmac.example:8443`
    pub subject: String,
    pub product: &'static str,
    pub at: Option<Location>,
    pub versions: Option<Setting<Versions>>,
    pub ciphers: Option<Setting<Ciphers>>,
    /// TLS 1.3 suites (OpenSSL `Ciphersuites`).
    pub tls13: Option<Setting<Vec<String>>>,
    pub groups: Option<Setting<Vec<String>>>,
    pub tickets: Option<Setting<Tickets>>,
    pub early_data: Option<Setting<bool>>,
    pub stapling: Option<Setting<bool>>,
    /// `value: None`: no header.
    pub hsts: Option<Setting<Option<Hsts>>>,
    /// nginx `ssl_dhparam`: without it nginx never negotiates finite-field DHE suites.
    pub dhparam: Option<Setting<bool>>,
    /// Places where HSTS is lost (an nginx `location` with its own `add_header`s).
    pub hsts_lost: Vec<Location>,
    /// A Traefik TLS option: the key routers refer to it by (`default`, `modern@file`,
    /// `edge-modern@kubernetescrd`).
    pub traefik_option: Option<String>,
    /// The router that uses these settings (its label or manifest line), shown beside the
    /// settings' own location.
    pub used_by: Option<Location>,
}

/// A plain-HTTP listener next to TLS endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Plain {
    pub subject: String,
    pub at: Location,
    /// `Ok(where)`: a permanent redirect to https; `Err(why not)`.
    pub redirect: Result<Location, String>,
}

/// A scan-time problem in a TLS configuration (an include not found, an invalid cipher string,
/// a file that does not parse).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: Location,
    pub message: String,
    /// A reference not followed (`include`), rather than a parse problem.
    pub reference: bool,
}

/// A Traefik router that names a TLS option the repository does not define.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingOption {
    pub subject: String,
    pub at: Location,
    pub why: String,
}

#[derive(Debug, Default, Clone)]
pub struct Found {
    pub endpoints: Vec<Endpoint>,
    pub plain: Vec<Plain>,
    pub problems: Vec<Problem>,
    pub missing_options: Vec<MissingOption>,
}

impl Found {
    pub fn extend(&mut self, o: Found) {
        self.endpoints.extend(o.endpoints);
        self.plain.extend(o.plain);
        self.problems.extend(o.problems);
        self.missing_options.extend(o.missing_options);
    }
}

/// `1d`, `10m`, `86400`, `1h30m` (nginx time syntax) in seconds.
pub fn nginx_time(s: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut num = String::new();
    let mut any = false;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_ascii_digit() {
            num.push(c);
            i += 1;
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        let (mult, len) = match (c, b.get(i + 1).map(|x| *x as char)) {
            ('m', Some('s')) => (0, 2),
            ('y', _) => (365 * 86400, 1),
            ('M', _) => (30 * 86400, 1),
            ('w', _) => (7 * 86400, 1),
            ('d', _) => (86400, 1),
            ('h', _) => (3600, 1),
            ('m', _) => (60, 1),
            ('s', _) => (1, 1),
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(mult)?)?;
        any = true;
        i += len;
    }
    if !num.is_empty() {
        total = total.checked_add(num.parse::<u64>().ok()?)?;
        any = true;
    }
    any.then_some(total)
}

/// Go durations (`24h`, `1h30m`, `90s`) in seconds.
pub fn go_duration(s: &str) -> Option<u64> {
    nginx_time(s.trim_matches('"'))
}

/// `max-age=63072000; includeSubDomains; preload`
pub fn parse_hsts(v: &str) -> Hsts {
    let mut h = Hsts {
        max_age: None,
        include_subdomains: false,
        always: false,
    };
    for part in v.split(';') {
        let p = part.trim();
        let lower = p.to_ascii_lowercase();
        if let Some(a) = lower.strip_prefix("max-age=") {
            h.max_age = a.trim_matches('"').parse().ok();
        } else if lower == "includesubdomains" {
            h.include_subdomains = true;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(nginx_time("1d"), Some(86400));
        assert_eq!(nginx_time("10m"), Some(600));
        assert_eq!(nginx_time("1h30m"), Some(5400));
        assert_eq!(nginx_time("300"), Some(300));
        assert_eq!(nginx_time("abc"), None);
        assert_eq!(nginx_time(""), None);
    }

    #[test]
    fn versions() {
        assert_eq!(Versions::parse_one("TLSv1.2"), Some(3));
        assert_eq!(Versions::parse_one("VersionTLS13"), Some(4));
        assert_eq!(Versions::parse_one("tls1.1"), Some(2));
        assert_eq!(Versions::parse_one("TLSv1"), Some(1));
        assert_eq!(Versions::parse_one("SSLv3"), Some(0));
        assert_eq!(Versions::parse_one("TLSv9"), None);
    }

    #[test]
    fn hsts() {
        let h = parse_hsts("max-age=63072000; includeSubDomains");
        assert_eq!(h.max_age, Some(63072000));
        assert!(h.include_subdomains);
    }
}
