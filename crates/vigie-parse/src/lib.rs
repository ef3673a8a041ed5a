//! vigie-parse: discovery of the repository's files, one parser per format, and the lowering of
//! Compose and Kubernetes into the platform model.

pub mod compose;
pub mod discover;
pub mod dockerfile;
mod dockerfile_heredoc;
pub mod interp;
pub mod kubernetes;
pub mod removed_apis;
pub mod skaffold;
pub mod suppress;
pub(crate) mod work;
pub mod yaml;
