//! vigie-server's integration tests, one binary. Every storage test runs against SQLite and
//! PostgreSQL (127.0.0.1:5432, database `test`, or `VIGIE_TEST_POSTGRES`): each test gets its
//! own SQLite file or PostgreSQL schema, so tests run in parallel. PostgreSQL unreachable is a
//! failure, not a skip.

mod browser;
mod common;
mod http;
mod storage;
