//! Integration tests of vigie-kustomize (one binary): the corpus against Kustomize itself,
//! bad input, provenance.

mod bad_input;
mod oracle;
mod provenance;
