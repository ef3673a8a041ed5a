//! vigie-helm's integration tests, in one test binary.

mod corpus;
mod provenance;
mod robust;
mod support;
