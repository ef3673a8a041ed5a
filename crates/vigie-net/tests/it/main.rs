//! The integration tests of vigie-net, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod common;
mod compose_cases;
mod graphs;
mod k8s_cases;
mod roles_controls;
