//! The integration tests of vigie-scan, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod analyzer_examples;
mod analyzers;
mod catalog;
mod removed_apis;
mod terraform_parse;
