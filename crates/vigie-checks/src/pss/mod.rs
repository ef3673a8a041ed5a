//! Kubernetes Pod Security Standards (placeholder until the module lands).
use crate::CheckDef;
pub static CHECKS: &[CheckDef] = &[];
