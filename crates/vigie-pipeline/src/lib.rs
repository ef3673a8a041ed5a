//! CI/CD pipelines (GitHub Actions, GitLab CI, Cloud Build) lowered into one model, and the
//! supply-chain checks that read it: SUP-01, SUP-02, SUP-04, SUP-05, SUP-06, SUP-07.
pub mod analyze;
pub mod analyzer;
pub mod built;
mod checks;
pub mod cloudbuild;
pub mod facts;
pub mod github;
pub mod gitlab;
pub mod model;
pub mod release;
pub mod shell;
mod yamlutil;

pub use analyzer::ANALYZER;
/// The documentation of every supply-chain check, in id order.
pub static CHECKS: &[&vigie_core::CheckDoc] = checks::DOCS;
