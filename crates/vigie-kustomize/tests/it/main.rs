//! Integration tests of vigie-kustomize (one binary): the corpus against Kustomize itself,
//! bad input, provenance.

mod bad_input;
mod helm_charts;
mod oracle;
mod provenance;
