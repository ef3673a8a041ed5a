//! The integration tests of vigie-report, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod common;
mod compare;
mod mapping;
mod render;
