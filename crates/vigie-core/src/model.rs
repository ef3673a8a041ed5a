//! The platform model: one [`Workload`] per container as it will run, whatever file declared it.
//!
//! Lowering (in vigie-parse) fills it by the runtime's own precedence rules, so the checks
//! never re-implement them. Every field keeps the location it came from.

use crate::Location;
use std::sync::Arc;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub at: Location,
}

impl<T> At<T> {
    pub fn new(value: T, at: Location) -> Self {
        At { value, at }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    Compose,
    Kubernetes,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Compose => "compose",
            Platform::Kubernetes => "kubernetes",
        }
    }
}

/// Where the effective user of a container comes from, after precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserSource {
    /// Set on the container itself: Compose `user:`, Kubernetes `runAsUser` (container or pod).
    Runtime(At<String>),
    /// The `USER` instruction of the Dockerfile stage the image is built from.
    Dockerfile(At<String>),
    /// No `USER` anywhere; the base image is known to run as this user.
    KnownImage { image: At<String>, user: String },
    /// No `USER` in the Dockerfile built from, and its base image is not known to be non-root:
    /// the container runs as root.
    DockerfileDefault { from: At<String> },
    /// An image the repository does not build, not known to be non-root.
    UnknownImage(Option<At<String>>),
}

/// A seccomp or AppArmor profile setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    Unconfined,
    RuntimeDefault,
    /// A profile on the node (Kubernetes `Localhost`, AppArmor profile name).
    Localhost(String),
    /// A profile file named by path (Compose `seccomp=./profile.json`), relative to the root.
    File(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountKind {
    /// A host path (Compose bind, Kubernetes hostPath).
    Host,
    /// A named or anonymous volume, or a Kubernetes volume backed by storage.
    Volume,
    /// Memory-backed scratch (tmpfs, emptyDir).
    Scratch,
    /// Configuration projected by the platform (ConfigMap, Secret, projected, downwardAPI).
    Projected,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path (for `Host`) or volume name.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    pub at: Location,
}

/// Host namespaces a container can share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Namespace {
    Network,
    Pid,
    Ipc,
    Uts,
    User,
}

impl Namespace {
    pub fn as_str(self) -> &'static str {
        match self {
            Namespace::Network => "network",
            Namespace::Pid => "PID",
            Namespace::Ipc => "IPC",
            Namespace::Uts => "UTS",
            Namespace::User => "user",
        }
    }
}

/// What the container's image is built from, when the repository builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRef {
    pub dockerfile: Arc<str>,
    pub target: Option<String>,
    pub at: Location,
}

/// An image a pipeline of the repository builds from one of its Dockerfiles and pushes under a
/// name (`docker build -t NAME -f FILE CONTEXT`, `docker/build-push-action`, Kaniko, Cloud
/// Build). A container that pulls that name runs what the Dockerfile builds; unlike a Skaffold
/// artifact, the reference the manifest writes is deployed as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltImage {
    /// The image name, without tag or digest, as the build writes it.
    pub name: String,
    /// The Dockerfile, relative to the root.
    pub dockerfile: Arc<str>,
    /// The stage built (`--target`).
    pub target: Option<String>,
    /// Where the build names the image.
    pub at: Location,
}

/// One container as it will run.
#[derive(Debug, Clone)]
pub struct Workload {
    pub platform: Platform,
    /// `docker-compose.yml › services.api`, `Deployment/prod/web › container api`.
    pub subject: Arc<str>,
    /// The short name: the service or container name.
    pub name: String,
    /// Where the container is declared (the service key, the container's `name:`).
    pub origin: Location,
    /// Kubernetes: the namespace; Compose: the project.
    pub group: String,
    /// Kubernetes: `container`, `initContainer` or `ephemeralContainer`; Compose: `service`.
    pub role: &'static str,
    pub image: Option<At<String>>,
    pub build: Option<BuildRef>,
    pub user: UserSource,
    /// Kubernetes `runAsNonRoot`, after pod/container precedence.
    pub run_as_non_root: Option<At<bool>>,
    pub privileged: Option<At<bool>>,
    /// `true` when privilege escalation is prevented (Compose `no-new-privileges`,
    /// Kubernetes `allowPrivilegeEscalation: false`).
    pub no_new_privileges: Option<At<bool>>,
    pub cap_add: Vec<At<String>>,
    pub cap_drop: Vec<At<String>>,
    pub read_only_rootfs: Option<At<bool>>,
    pub seccomp: Option<At<Profile>>,
    pub apparmor: Option<At<Profile>>,
    /// Host namespaces shared, each with the line that shares it.
    pub host_namespaces: Vec<(Namespace, Location)>,
    pub devices: Vec<At<String>>,
    pub mounts: Vec<Mount>,
    pub memory_limit: Option<At<String>>,
    pub cpu_limit: Option<At<String>>,
    pub pids_limit: Option<At<String>>,
    pub cgroup_parent: Option<At<String>>,
    /// Whether the platform can limit PIDs per container (Compose can; Kubernetes sets it per node).
    pub pids_limit_applies: bool,
    /// Health check declared at runtime (`healthcheck:`, probes).
    pub healthcheck: Option<At<bool>>,
    /// Where the container declares the first port it listens on (Kubernetes `ports`, Compose
    /// `ports`/`expose`); `None` for a client, a worker, a batch task.
    pub listens: Option<Location>,
    /// Kubernetes: the repository's own build of the image, when a Skaffold artifact names it
    /// (the artifact's `image` and where it is written). The deploy replaces the reference
    /// written in the manifest with the image it built; [`Workload::build`] is set too when the
    /// artifact is built from a Dockerfile of the repository.
    pub built_by: Option<At<String>>,
}

impl Workload {
    pub fn new(
        platform: Platform,
        subject: impl Into<Arc<str>>,
        name: String,
        origin: Location,
        group: String,
        role: &'static str,
    ) -> Self {
        Workload {
            platform,
            subject: subject.into(),
            name,
            origin,
            group,
            role,
            image: None,
            build: None,
            user: UserSource::UnknownImage(None),
            run_as_non_root: None,
            privileged: None,
            no_new_privileges: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            read_only_rootfs: None,
            seccomp: None,
            apparmor: None,
            host_namespaces: Vec::new(),
            devices: Vec::new(),
            mounts: Vec::new(),
            memory_limit: None,
            cpu_limit: None,
            pids_limit: None,
            cgroup_parent: None,
            pids_limit_applies: platform == Platform::Compose,
            healthcheck: None,
            listens: None,
            built_by: None,
        }
    }
}

/// Whether a user specification (`root`, `0`, `0:0`, `node`, `1000:1000`) names root.
/// `None` when it cannot be told (an unresolved variable).
pub fn user_is_root(user: &str) -> Option<bool> {
    let u = user.trim();
    if u.is_empty() {
        return Some(true);
    }
    if u.contains('$') {
        return None;
    }
    let name = u.split(':').next().unwrap_or(u).trim();
    Some(name == "root" || name.parse::<u64>().is_ok_and(|n| n == 0) || name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::user_is_root;

    #[test]
    fn root_users() {
        for u in ["root", "0", "0:0", "root:root", "0:1000", ""] {
            assert_eq!(user_is_root(u), Some(true), "{u}");
        }
        for u in [
            "node",
            "1000",
            "1000:1000",
            "65532",
            "nobody",
            "root2",
            "70:70",
        ] {
            assert_eq!(user_is_root(u), Some(false), "{u}");
        }
        assert_eq!(user_is_root("${UID}"), None);
    }
}
