//! The integration tests of vigie-parse, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod never_panic;
