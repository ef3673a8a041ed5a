//! TLS configurations that terminate TLS in a platform (nginx, Traefik, Caddy, HAProxy,
//! ingress-nginx), read with locations and judged against the ANSSI TLS guide (CRY-01..CRY-03).

pub mod analyzer;
pub mod anssi;
pub mod caddy;
mod checks;
pub mod cipher;
pub mod haproxy;
pub mod ingress;
pub mod judge;
pub mod kube;
pub mod model;
pub mod nginx;
pub mod routing;
pub mod traefik;

use std::sync::Arc;

/// The repository as the TLS readers see it: the sorted list of relative paths, and their text.
pub trait Files {
    fn list(&self) -> &[Arc<str>];
    fn read(&self, rel: &str) -> Option<String>;
}

/// Files held in memory (tests, fixtures).
pub struct MemFiles {
    names: Vec<Arc<str>>,
    texts: Vec<String>,
}

impl MemFiles {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let mut v: Vec<(&str, &str)> = files.to_vec();
        v.sort();
        MemFiles {
            names: v.iter().map(|(n, _)| Arc::from(*n)).collect(),
            texts: v.iter().map(|(_, t)| t.to_string()).collect(),
        }
    }
}

impl Files for MemFiles {
    fn list(&self) -> &[Arc<str>] {
        &self.names
    }
    fn read(&self, rel: &str) -> Option<String> {
        let i = self.names.iter().position(|n| n.as_ref() == rel)?;
        Some(self.texts[i].clone())
    }
}

/// Read every TLS configuration of the repository and the kept Kubernetes objects.
pub fn scan(files: &dyn Files, objects: &[vigie_parse::kubernetes::Object]) -> model::Found {
    let (mut found, _) = nginx::analyze(files);
    let mut traefik_docs: Vec<(Arc<str>, vigie_parse::yaml::Node)> = Vec::new();
    for f in files.list() {
        let rel = f.as_ref();
        let base = rel.rsplit('/').next().unwrap_or(rel);
        if caddy::looks_like(rel) {
            if let Some(t) = files.read(rel) {
                found.extend(caddy::analyze(f, &t));
            }
            continue;
        }
        if base.ends_with(".json") {
            if rel.to_ascii_lowercase().contains("caddy")
                && let Some(t) = files.read(rel)
                && caddy::json::looks_like(rel, &t)
            {
                found.extend(caddy::json::analyze(f, &t));
            }
            continue;
        }
        let yaml = base.ends_with(".yml") || base.ends_with(".yaml");
        let toml = base.ends_with(".toml");
        if base.ends_with(".cfg") || base.contains("haproxy") {
            if let Some(t) = files.read(rel)
                && haproxy::looks_like(rel, &t)
            {
                found.extend(haproxy::analyze(f, &t));
            }
            continue;
        }
        // Traefik's own files (by name or folder): reading every YAML file of a large repository
        // again would double the scan's reading; Kubernetes objects come through `objects`.
        if !(yaml || toml) || !traefik_path(rel) {
            continue;
        }
        let Some(t) = files.read(rel) else { continue };
        if !traefik::looks_like(&t) {
            continue;
        }
        if toml {
            match traefik::toml_node(&t) {
                Ok(n) => traefik_docs.push((f.clone(), n)),
                Err((l, c, m)) => found.problems.push(model::Problem {
                    at: vigie_core::Location::new(f.clone(), l, c),
                    message: format!("Traefik configuration: {m}"),
                    reference: false,
                }),
            }
        } else {
            let s = vigie_parse::yaml::parse(&t);
            // Kubernetes manifests come through `objects`; only plain configuration documents here.
            for d in s.documents {
                if d.root.get("apiVersion").is_none() {
                    traefik_docs.push((f.clone(), d.root));
                }
            }
        }
    }
    let has_default = traefik_docs
        .iter()
        .any(|(_, n)| traefik::defines_default(n))
        || objects
            .iter()
            .any(|o| o.kind == "TLSOption" && o.name == "default");
    let before = found.endpoints.len();
    for (f, n) in &traefik_docs {
        traefik::analyze_doc(f, n, &mut found, has_default);
    }
    // HSTS in Traefik comes from a `headers` middleware (`stsSeconds`); which routers use it is
    // not followed: the longest one defined stands for all.
    let sts = traefik_docs
        .iter()
        .flat_map(|(f, n)| traefik::sts_middlewares(f, n))
        .max_by_key(|(s, _)| *s);
    for e in &mut found.endpoints[before..] {
        e.hsts = Some(match &sts {
            Some((secs, at)) => model::Setting::set(
                Some(model::Hsts {
                    max_age: Some(*secs),
                    include_subdomains: false,
                    always: true,
                }),
                at.clone(),
            ),
            None => model::Setting::set(
                None,
                e.at.clone()
                    .unwrap_or_else(|| vigie_core::Location::file(Arc::from(""))),
            ),
        });
    }
    found.extend(kube::analyze(objects));
    found
}

/// [`scan`], and the Traefik routers of Compose labels and Kubernetes objects judged against the
/// TLS options and entry points they use.
pub fn scan_platform(
    files: &dyn Files,
    objects: &[vigie_parse::kubernetes::Object],
    projects: &[vigie_parse::compose::Project],
) -> model::Found {
    let mut found = scan(files, objects);
    compose_traefik(projects, files, &mut found);
    kube_traefik(objects, &mut found);
    found
}

/// Traefik run from Compose: its static configuration (a mounted file, else the `command`
/// flags), and the routers of the services' labels.
fn compose_traefik(
    projects: &[vigie_parse::compose::Project],
    files: &dyn Files,
    found: &mut crate::model::Found,
) {
    use crate::routing;
    for p in projects {
        let Some(services) = p.merged.as_ref().and_then(|m| m.get("services")) else {
            continue;
        };
        let (mut setup, mounted) = routing::compose_setup(p, &Borrowed(files));
        // Mounted files whose path does not say Traefik were not read by the scan.
        for f in mounted.iter().filter(|f| !crate::traefik_path(f)) {
            let Some(t) = crate::Files::read(files, f) else {
                continue;
            };
            let file: Arc<str> = Arc::from(f.as_str());
            for d in routing::config_docs(f, &t) {
                crate::traefik::analyze_doc(&file, &d, found, true);
            }
        }
        let from_flags = setup.from_flags;
        for svc in services.entries() {
            let image = svc
                .value
                .get("image")
                .and_then(|i| i.as_str())
                .unwrap_or("");
            let flags = routing::command_flags(&svc.value);
            if !from_flags
                || (!image.contains("traefik")
                    && !flags.iter().any(|(f, _)| f.starts_with("--entrypoints.")))
            {
                continue;
            }
            let Some(node) = crate::traefik::flags_node(&flags, svc.key_pos) else {
                continue;
            };
            let file = p.loc(svc.key_pos).path;
            let has_default = found
                .endpoints
                .iter()
                .any(|e| e.traefik_option.as_deref() == Some("default"));
            let mut f = crate::model::Found::default();
            crate::traefik::analyze_doc(&file, &node, &mut f, has_default);
            for e in &mut f.endpoints {
                e.subject = format!("{} › services.{} (Traefik flags)", p.name, svc.key);
            }
            for pl in &mut f.plain {
                pl.subject = format!(
                    "{} › services.{} › {}",
                    p.name,
                    svc.key,
                    pl.subject.rsplit(" › ").next().unwrap_or("")
                );
            }
            found.extend(f);
        }
        // Routers of every service; redirect middlewares declared on any service serve all.
        let mut routers = Vec::new();
        for svc in services.entries() {
            let labels = routing::labels_of(&svc.value, p);
            let (rs, mws) =
                routing::label_routers(&format!("{} › services.{}", p.name, svc.key), &labels);
            routers.extend(rs);
            setup.redirects.extend(mws);
        }
        routing::judge_routers(found, &routers, &setup);
    }
}

/// Routers of Traefik's Kubernetes objects; Kubernetes keeps Traefik's static configuration in
/// its Helm values or arguments, so entry points are judged by name.
fn kube_traefik(objects: &[vigie_parse::kubernetes::Object], found: &mut crate::model::Found) {
    use crate::routing;
    let routers: Vec<routing::Router> = routing::kube_routers(objects)
        .into_iter()
        .map(|k| k.router)
        .collect();
    let setup = routing::Setup {
        redirects: routing::kube_redirects(objects),
        ..routing::Setup::default()
    };
    routing::judge_routers(found, &routers, &setup);
}

/// A borrowed [`Files`], usable where [`routing::Mounts`] is asked for.
struct Borrowed<'a>(&'a dyn Files);

impl Files for Borrowed<'_> {
    fn list(&self) -> &[Arc<str>] {
        self.0.list()
    }
    fn read(&self, rel: &str) -> Option<String> {
        self.0.read(rel)
    }
}

/// A path where Traefik's static or dynamic configuration is kept.
pub fn traefik_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    let stem = base.split('.').next().unwrap_or(base);
    lower.contains("traefik")
        || matches!(
            stem,
            "dynamic" | "tls" | "tls-options" | "middlewares" | "routers" | "entrypoints"
        )
        || lower.split('/').any(|c| c == "dynamic")
}
