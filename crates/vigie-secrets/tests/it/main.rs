//! The integration tests of vigie-secrets, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod corpus_precision;
mod fail_closed;
mod history;
mod recall;
mod rule_examples;
