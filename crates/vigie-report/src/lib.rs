//! vigie-report
