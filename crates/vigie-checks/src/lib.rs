//! vigie-checks
