//! Terraform and OpenTofu for vigie: the files parsed with locations, what is statically
//! known resolved, and the cloud controls judged on it.

pub mod eval;
pub mod hcl;
