//! vigie-gotmpl: Go's `text/template` with the functions Helm gives charts (Sprig v3 and Helm's
//! own), producing the bytes `helm template` produces.
//!
//! Written for vigie rather than taken from crates.io: the only Rust implementation of Go
//! templates, `gtmpl` (last release 0.7.1, 2021), has no `break`/`continue`, evaluates
//! `and`/`or` eagerly (Go short-circuits since 1.18), has no typed function parameters (so none
//! of Go's argument errors), no Sprig library, and no way to carry where a value came from.
//! Rendering Helm charts exactly needs all of those, and vigie's findings need the last one: each
//! value remembers its origin (a values file line), and each output byte range remembers the
//! template line and value that produced it.
//!
//! - [`parse`]: lexer and parser (Go's grammar, trim markers, comments, error messages).
//! - [`exec`]: evaluation (Go's field, nil, truth and typing rules; limits on steps, output
//!   size and recursion).
//! - [`funcs`]: the function library; [`gofmt`]: Go's `fmt` rules; [`yaml`]: Helm's YAML/JSON.

pub mod exec;
pub mod funcs;
pub mod gofmt;
pub mod parse;
mod toml;
pub mod value;
pub mod yaml;

pub use exec::{Exec, ExecError, Limits, Options, Out, Seg, TemplateSet};
pub use parse::{ParseError, Parsed, parse};
pub use value::{Object, Origin, Str, V, Value};

/// Parse a template file with Helm's function set.
pub fn parse_template(name: &str, text: &str, file_id: u32) -> Result<Parsed, ParseError> {
    parse::parse(name, text, file_id, &|f| funcs::lookup(f).is_some())
}
