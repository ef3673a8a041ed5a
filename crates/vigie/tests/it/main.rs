//! The integration tests of vigie, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod attest;
mod ci;
mod cli;
mod common;
mod compare;
mod deps;
mod docs;
mod fail_closed;
mod graph;
mod html;
mod measures;
mod same_gap;
mod schemas;
mod secrets_cli;
mod seeds;
mod serve;
mod snapshots;
mod terraform;
mod units;
