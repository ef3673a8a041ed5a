//! The repository's own modules, called by the address it publishes them under.
//!
//! A module repository (`terraform-google-kubernetes-engine`) keeps its modules at the root and
//! under `modules/`, and its examples call them the way users do: by the registry address
//! (`terraform-google-modules/kubernetes-engine/google//modules/private-cluster`) or the git URL.
//! Read literally, the examples call something outside the repository, and the modules, which
//! nothing in the repository seems to call, are judged as root configurations with their
//! defaults — settings nobody deploys. Such a call is a call to the local folder: the modules
//! are judged through the examples that call them, with the examples' inputs.
//!
//! The repository's names are its folder's name and the last path segment of its git remotes
//! (`.git/config`). A registry address `NAMESPACE/NAME/PROVIDER` is this repository when one of
//! those names is `terraform-PROVIDER-NAME` (the registry's naming rule for module
//! repositories); a git address when its repository name is one of them.

use std::path::Path;

/// The names the scanned repository is known by.
#[derive(Debug, Clone, Default)]
pub struct Published {
    names: Vec<String>,
}

/// Larger `.git/config` files are not read.
const MAX_GIT_CONFIG: u64 = 256 * 1024;

impl Published {
    /// The names of the repository at `root`: its folder's name and its git remotes' names.
    pub fn of_root(root: &Path) -> Published {
        let mut names = Vec::new();
        if let Some(n) = std::fs::canonicalize(root)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        {
            names.push(n);
        }
        let config = root.join(".git").join("config");
        if std::fs::metadata(&config).is_ok_and(|m| m.len() <= MAX_GIT_CONFIG)
            && let Ok(text) = std::fs::read_to_string(&config)
        {
            names.extend(remote_names(&text));
        }
        Published::named(names)
    }

    pub fn named(names: Vec<String>) -> Published {
        let mut names: Vec<String> = names
            .into_iter()
            .map(|n| n.trim_end_matches(".git").to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        names.sort();
        names.dedup();
        Published { names }
    }

    /// The repository folder (`""` for the root) a module `source` designates when it is one
    /// of the repository's own addresses.
    pub fn local_folder(&self, source: &str) -> Option<String> {
        if self.names.is_empty() {
            return None;
        }
        let no_query = source.split('?').next().unwrap_or(source);
        let no_scheme = no_query
            .trim_start_matches("git::")
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("ssh://")
            .trim_start_matches("git@");
        let (repo, sub) = match no_scheme.split_once("//") {
            Some((r, s)) => (r, s.trim_matches('/')),
            None => (no_scheme, ""),
        };
        let segments: Vec<&str> = repo.split(['/', ':']).filter(|s| !s.is_empty()).collect();
        let git_name = segments
            .last()
            .map(|s| s.trim_end_matches(".git").to_ascii_lowercase());
        // NAMESPACE/NAME/PROVIDER, with or without the registry's host
        let registry_name = match segments.as_slice() {
            [_, name, provider] | [_, _, name, provider] if !repo.ends_with(".git") => {
                Some(format!("terraform-{provider}-{name}").to_ascii_lowercase())
            }
            _ => None,
        };
        let ours = |n: &Option<String>| n.as_ref().is_some_and(|n| self.names.contains(n));
        (ours(&registry_name) || (segments.len() >= 2 && ours(&git_name))).then(|| sub.to_string())
    }
}

/// The repository names of the `url = …` lines of a git configuration.
fn remote_names(config: &str) -> Vec<String> {
    config
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "url").then(|| v.trim())
        })
        .filter_map(|url| {
            url.trim_end_matches('/')
                .rsplit(['/', ':'])
                .next()
                .map(str::to_string)
        })
        .collect()
}

/// The relative path from the folder `from` to the folder `to` (`./x`, `../../modules/x`).
pub fn relative(from: &str, to: &str) -> String {
    let f: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let t: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let ups = f.len() - common;
    let rest = t[common..].join("/");
    let mut out = if ups == 0 {
        ".".to_string()
    } else {
        vec![".."; ups].join("/")
    };
    if !rest.is_empty() {
        out.push('/');
        out.push_str(&rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_and_git_addresses_of_the_repository() {
        let p = Published::named(vec!["terraform-google-kubernetes-engine".into()]);
        assert_eq!(
            p.local_folder(
                "terraform-google-modules/kubernetes-engine/google//modules/private-cluster"
            )
            .as_deref(),
            Some("modules/private-cluster")
        );
        assert_eq!(
            p.local_folder("terraform-google-modules/kubernetes-engine/google")
                .as_deref(),
            Some("")
        );
        assert_eq!(
            p.local_folder("registry.terraform.io/terraform-google-modules/kubernetes-engine/google//modules/auth")
                .as_deref(),
            Some("modules/auth")
        );
        assert_eq!(
            p.local_folder("git::https://github.com/terraform-google-modules/terraform-google-kubernetes-engine.git//modules/gke-node-pool?ref=v35.0.0")
                .as_deref(),
            Some("modules/gke-node-pool")
        );
        assert_eq!(
            p.local_folder("github.com/acme/terraform-google-kubernetes-engine//modules/x")
                .as_deref(),
            Some("modules/x")
        );
        // another module of the registry
        assert_eq!(
            p.local_folder("terraform-google-modules/network/google"),
            None
        );
        assert_eq!(
            Published::default().local_folder("terraform-google-modules/kubernetes-engine/google"),
            None
        );
    }

    #[test]
    fn git_remotes_name_the_repository() {
        let names = remote_names(
            "[remote \"origin\"]\n\turl = git@github.com:acme/terraform-aws-vpc.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[remote \"up\"]\n\turl = https://gitlab.com/x/infra/\n",
        );
        assert_eq!(names, vec!["terraform-aws-vpc.git", "infra"]);
        let p = Published::named(names);
        assert_eq!(p.local_folder("acme/vpc/aws").as_deref(), Some(""));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative("examples/a", "modules/b"), "../../modules/b");
        assert_eq!(relative("examples/a", ""), "../..");
        assert_eq!(relative("", "modules/b"), "./modules/b");
        assert_eq!(relative("modules", "modules/b"), "./b");
    }
}
