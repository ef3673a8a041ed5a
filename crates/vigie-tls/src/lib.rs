//! TLS configurations that terminate TLS in a platform (nginx, Traefik, Caddy, HAProxy,
//! ingress-nginx), read with locations and judged against the ANSSI TLS guide (CRY-01..CRY-03).

pub mod anssi;
pub mod cipher;
pub mod judge;
pub mod model;
pub mod nginx;

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

/// Read every TLS configuration of the repository.
pub fn scan(files: &dyn Files) -> model::Found {
    let (found, _) = nginx::analyze(files);
    found
}
