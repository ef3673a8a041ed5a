use crate::CheckDef;
pub static CHECKS: &[CheckDef] = &[];
