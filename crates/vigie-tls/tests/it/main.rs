//! The integration tests of vigie-tls, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod cipher_vs_openssl;
mod examples;
mod no_panic;
mod routers;
mod verdicts;
