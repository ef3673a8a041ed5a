//! The function library: Go's builtins, Sprig (v3, as Helm ships it) and Helm's own functions.
//!
//! Each function declares its Go parameter types ([`Ty`]) because the template engine checks
//! arguments against them before the call (`wrong type for value; expected int; got float64` is
//! an error charts really hit), and converts literals by them (`trunc 63` is an `int`).

mod builtin;
mod conv;
mod crypto;
mod dict;
mod helm;
mod list;
mod math;
mod misc;
mod regex;
mod semver;
mod strings;

use crate::exec::Exec;
use crate::value::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

pub use conv::{parse_int_base0, strval, to_float64, to_int64};
pub use semver::{SemVer, semver_compare};

/// A Go parameter type, as far as the engine's argument checks distinguish them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `interface{}`
    Any,
    Str,
    /// Go `int`
    Int,
    I64,
    U32,
    Float,
    Bool,
    /// `[]interface{}`
    List,
    /// `[]string`
    StrList,
    /// `map[string]interface{}`
    Map,
    /// `reflect.Value` (Go's builtins `len`, `index`…): the value as it is, typed nils included.
    Refl,
}

pub type PureFn = fn(&[Value]) -> Result<Value, String>;
pub type CtxFn = fn(&mut Exec<'_>, &[Value]) -> Result<Value, String>;

#[derive(Clone, Copy)]
pub enum Imp {
    Pure(PureFn),
    Ctx(CtxFn),
    /// Builtin `and`/`or`: evaluated lazily by the engine.
    And,
    Or,
}

pub struct FuncDef {
    pub name: &'static str,
    pub params: &'static [Ty],
    pub variadic: Option<Ty>,
    pub imp: Imp,
}

/// Declare functions: `name(params) -> imp` and `name(params, ...variadic) -> imp`.
macro_rules! defs {
    ($($name:literal [$($p:ident),*] $(... $v:ident)? => $kind:ident $f:expr;)*) => {
        vec![$($crate::funcs::FuncDef {
            name: $name,
            params: &[$($crate::funcs::Ty::$p),*],
            variadic: defs!(@v $($v)?),
            imp: defs!(@imp $kind $f),
        }),*]
    };
    (@v) => { None };
    (@v $v:ident) => { Some($crate::funcs::Ty::$v) };
    (@imp pure $f:expr) => { $crate::funcs::Imp::Pure($f) };
    (@imp ctx $f:expr) => { $crate::funcs::Imp::Ctx($f) };
    (@imp special $f:expr) => { $f };
}
pub(crate) use defs;

struct Table {
    defs: Vec<FuncDef>,
    by_name: HashMap<&'static str, usize, foldhash::fast::RandomState>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut defs = Vec::new();
        // Later groups override earlier ones, as Helm's map overrides Sprig's and Sprig's
        // overrides Go's builtins.
        defs.extend(builtin::defs());
        defs.extend(strings::defs());
        defs.extend(conv::defs());
        defs.extend(math::defs());
        defs.extend(list::defs());
        defs.extend(dict::defs());
        defs.extend(regex::defs());
        defs.extend(semver::defs());
        defs.extend(crypto::defs());
        defs.extend(misc::defs());
        defs.extend(helm::defs());
        let mut by_name = HashMap::with_hasher(foldhash::fast::RandomState::default());
        for (i, d) in defs.iter().enumerate() {
            by_name.insert(d.name, i);
        }
        Table { defs, by_name }
    })
}

/// The function called `name`, if Helm's engine knows it.
pub fn lookup(name: &str) -> Option<&'static FuncDef> {
    let t = table();
    t.by_name.get(name).map(|&i| &t.defs[i])
}

/// Every function name, for tests and documentation.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = table().by_name.keys().copied().collect();
    v.sort_unstable();
    v
}

/// Go's panic message for a failed type assertion, as Sprig functions raise it.
pub(crate) fn conversion_panic(v: &Value, want: &str) -> String {
    if v.is_nil() {
        format!("interface conversion: interface {{}} is nil, not {want}")
    } else {
        format!(
            "interface conversion: interface {{}} is {}, not {want}",
            v.type_name()
        )
    }
}
