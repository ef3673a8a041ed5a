//! The integration tests of vigie-checks, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod catalog;
mod container_examples;
mod container_precedence;
mod pss_common;
mod pss_fixtures;
mod pss_oracle;
