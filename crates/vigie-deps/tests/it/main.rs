//! The integration tests of vigie-deps, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod lockfiles;
mod matching;
mod sbom;
