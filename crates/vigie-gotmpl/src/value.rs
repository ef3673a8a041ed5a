//! The values templates compute with, modelled on the Go types Helm hands to `text/template`.
//!
//! Helm's values are `map[string]interface{}` trees whose numbers are `float64` (its YAML loader
//! goes through JSON); template literals are Go `int`s; Sprig returns `int64`, `[]string`,
//! `map[string]string`… The Go type matters for printing (`%T`, `%d` of a float), for comparisons
//! (`eq` of an `int` and a `float64` is an error) and for typed function parameters, so each
//! [`V`] variant is one Go type family.
//!
//! Maps are shared and mutable (`Rc<RefCell<…>>`) because Go maps are references: `set` and
//! `merge` change the map every holder sees, and charts rely on it (`$_ := set . "x" 1`).
//! Every value carries an [`Origin`]: where it was read from (a values file line), so a rendered
//! field can be traced back to the values key that produced it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

pub type Str = Rc<str>;

/// Where a value came from: an index into the caller's origin table; 0 means "computed".
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Origin(pub u32);

impl Origin {
    pub const NONE: Origin = Origin(0);
    pub fn is_some(self) -> bool {
        self.0 != 0
    }
}

/// Element type of a Go slice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ListTy {
    /// `[]interface {}`
    Any,
    /// `[]string`
    Str,
    /// `[]int`
    Int,
    /// `[]uint8` (bytes)
    Bytes,
}

/// Value type of a Go map with string keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MapTy {
    /// `map[string]interface {}`
    Any,
    /// `map[string]string`
    Str,
}

#[derive(Debug)]
pub struct List {
    pub items: Vec<Value>,
    pub ty: ListTy,
}

#[derive(Debug)]
pub struct MapData {
    pub entries: BTreeMap<Str, Value>,
    pub ty: MapTy,
}

pub type MapRef = Rc<RefCell<MapData>>;

/// A Go struct, pointer or named type the template engine cannot see through by itself: Helm's
/// `.Files`, `.Capabilities`, a parsed semantic version, a certificate…
pub trait Object: fmt::Debug {
    /// Go's `%T` of the value.
    fn type_name(&self) -> &str;
    /// A field or zero-argument method, `None` when there is none.
    fn field(&self, name: &str) -> Option<Value>;
    /// A method taking arguments: its parameter types, `None` when there is no such method.
    fn method_sig(&self, _name: &str) -> Option<&'static [crate::funcs::Ty]> {
        None
    }
    /// Call a method found by [`Object::method_sig`].
    fn call(&self, _name: &str, _args: &[Value]) -> Result<Value, String> {
        Err("no such method".into())
    }
    /// `%v` of the value.
    fn fmt_v(&self, out: &mut String);
    /// Go's `reflect.Kind` name (`struct`, `map`, `ptr`).
    fn kind(&self) -> &'static str {
        "struct"
    }
    /// Entries when the object is a Go map (Helm's `Files`), for `range`, `len` and `keys`.
    fn map_entries(&self) -> Option<Vec<(Str, Value)>> {
        None
    }
    /// Truth for `if`: structs are always true, maps when not empty.
    fn truth(&self) -> bool {
        self.map_entries().is_none_or(|m| !m.is_empty())
    }
    /// The object as data, for `toYaml`/`toJson` (Go marshals exported fields).
    fn to_data(&self) -> Value {
        Value::nil()
    }
}

#[derive(Clone, Debug)]
pub enum V {
    /// An untyped nil (Go's invalid `reflect.Value`).
    Nil,
    /// A nil read from a map or slice element: typed `interface{}` nil. Walking a field through
    /// it is Helm's "nil pointer evaluating interface {}.x" error.
    NilIface,
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `int64`.
    I64(i64),
    /// Go `uint64` (rare: `until` of an unsigned, Sprig's `adler32sum` is a string).
    U64(u64),
    Float(f64),
    Str(Str),
    List(Rc<List>),
    Map(MapRef),
    Obj(Rc<dyn Object>),
}

#[derive(Clone, Debug)]
pub struct Value {
    pub v: V,
    pub origin: Origin,
}

impl Value {
    pub const fn nil() -> Value {
        Value {
            v: V::Nil,
            origin: Origin::NONE,
        }
    }
    pub fn new(v: V) -> Value {
        Value {
            v,
            origin: Origin::NONE,
        }
    }
    pub fn with_origin(mut self, o: Origin) -> Value {
        self.origin = o;
        self
    }
    pub fn bool(b: bool) -> Value {
        Value::new(V::Bool(b))
    }
    pub fn int(i: i64) -> Value {
        Value::new(V::Int(i))
    }
    pub fn i64(i: i64) -> Value {
        Value::new(V::I64(i))
    }
    pub fn float(f: f64) -> Value {
        Value::new(V::Float(f))
    }
    pub fn str(s: &str) -> Value {
        Value::new(V::Str(Rc::from(s)))
    }
    pub fn string(s: String) -> Value {
        Value::new(V::Str(Rc::from(s)))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::new(V::List(Rc::new(List {
            items,
            ty: ListTy::Any,
        })))
    }
    pub fn typed_list(items: Vec<Value>, ty: ListTy) -> Value {
        Value::new(V::List(Rc::new(List { items, ty })))
    }
    pub fn str_list(items: Vec<String>) -> Value {
        Value::typed_list(items.into_iter().map(Value::string).collect(), ListTy::Str)
    }
    pub fn map(entries: BTreeMap<Str, Value>) -> Value {
        Value::new(V::Map(Rc::new(RefCell::new(MapData {
            entries,
            ty: MapTy::Any,
        }))))
    }
    pub fn str_map(entries: BTreeMap<Str, Value>) -> Value {
        Value::new(V::Map(Rc::new(RefCell::new(MapData {
            entries,
            ty: MapTy::Str,
        }))))
    }
    pub fn empty_map() -> Value {
        Value::map(BTreeMap::new())
    }
    pub fn obj(o: Rc<dyn Object>) -> Value {
        Value::new(V::Obj(o))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self.v, V::Nil | V::NilIface)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&MapRef> {
        match &self.v {
            V::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&Rc<List>> {
        match &self.v {
            V::List(l) => Some(l),
            _ => None,
        }
    }

    /// A nil typed as `interface{}` (a map or slice element) becomes an untyped nil, as the
    /// template engine does after each pipeline command.
    pub fn unwrap_iface(self) -> Value {
        match self.v {
            V::NilIface => Value {
                v: V::Nil,
                origin: self.origin,
            },
            _ => self,
        }
    }

    /// An element read from a map or slice: nil becomes a typed nil.
    pub fn as_element(&self) -> Value {
        match self.v {
            V::Nil => Value {
                v: V::NilIface,
                origin: self.origin,
            },
            _ => self.clone(),
        }
    }

    /// Go's truth (`if`, `and`, `or`, `not`, `default`'s emptiness is close but not equal).
    pub fn truth(&self) -> bool {
        match &self.v {
            V::Nil | V::NilIface => false,
            V::Bool(b) => *b,
            V::Int(i) | V::I64(i) => *i != 0,
            V::U64(u) => *u != 0,
            V::Float(f) => *f != 0.0,
            V::Str(s) => !s.is_empty(),
            V::List(l) => !l.items.is_empty(),
            V::Map(m) => !m.borrow().entries.is_empty(),
            V::Obj(o) => o.truth(),
        }
    }

    /// Go's `%T`.
    pub fn type_name(&self) -> String {
        match &self.v {
            V::Nil | V::NilIface => "<nil>".into(),
            V::Bool(_) => "bool".into(),
            V::Int(_) => "int".into(),
            V::I64(_) => "int64".into(),
            V::U64(_) => "uint64".into(),
            V::Float(_) => "float64".into(),
            V::Str(_) => "string".into(),
            V::List(l) => match l.ty {
                ListTy::Any => "[]interface {}".into(),
                ListTy::Str => "[]string".into(),
                ListTy::Int => "[]int".into(),
                ListTy::Bytes => "[]uint8".into(),
            },
            V::Map(m) => match m.borrow().ty {
                MapTy::Any => "map[string]interface {}".into(),
                MapTy::Str => "map[string]string".into(),
            },
            V::Obj(o) => o.type_name().into(),
        }
    }

    /// Go's `reflect.Kind` name, as Sprig's `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match &self.v {
            V::Nil | V::NilIface => "invalid",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::I64(_) => "int64",
            V::U64(_) => "uint64",
            V::Float(_) => "float64",
            V::Str(_) => "string",
            V::List(_) => "slice",
            V::Map(_) => "map",
            V::Obj(o) => o.kind(),
        }
    }

    /// A deep copy: maps and lists are copied, so later mutation of one does not show in the other.
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_depth(0)
    }

    fn deep_copy_depth(&self, depth: usize) -> Value {
        if depth > 1_000 {
            // A map holding itself: copy no deeper.
            return Value::nil();
        }
        match &self.v {
            V::List(l) => Value {
                v: V::List(Rc::new(List {
                    items: l
                        .items
                        .iter()
                        .map(|x| x.deep_copy_depth(depth + 1))
                        .collect(),
                    ty: l.ty,
                })),
                origin: self.origin,
            },
            V::Map(m) => {
                let m = m.borrow();
                Value {
                    v: V::Map(Rc::new(RefCell::new(MapData {
                        entries: m
                            .entries
                            .iter()
                            .map(|(k, v)| (k.clone(), v.deep_copy_depth(depth + 1)))
                            .collect(),
                        ty: m.ty,
                    }))),
                    origin: self.origin,
                }
            }
            _ => self.clone(),
        }
    }

    /// Look a key up in a map value.
    pub fn get(&self, key: &str) -> Option<Value> {
        match &self.v {
            V::Map(m) => m.borrow().entries.get(key).cloned(),
            _ => None,
        }
    }

    /// Follow a path of map keys.
    pub fn path(&self, keys: &[&str]) -> Option<Value> {
        let mut cur = self.clone();
        for k in keys {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// Convert to JSON (numbers stay numbers), for tests and schema validation.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.v {
            V::Nil | V::NilIface => serde_json::Value::Null,
            V::Bool(b) => serde_json::Value::Bool(*b),
            V::Int(i) | V::I64(i) => serde_json::Value::from(*i),
            V::U64(u) => serde_json::Value::from(*u),
            V::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            V::Str(s) => serde_json::Value::String(s.to_string()),
            V::List(l) => serde_json::Value::Array(l.items.iter().map(Value::to_json).collect()),
            V::Map(m) => serde_json::Value::Object(
                m.borrow()
                    .entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
            V::Obj(o) => o.to_data().to_json(),
        }
    }

    /// From JSON the way Go's `encoding/json` decodes into `interface{}`: every number a `float64`.
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::nil(),
            serde_json::Value::Bool(b) => Value::bool(*b),
            serde_json::Value::Number(n) => Value::float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (Rc::from(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl PartialEq for Value {
    /// Structural equality (Go's `reflect.DeepEqual` on data), used by Sprig's `has`, `uniq`…
    fn eq(&self, other: &Value) -> bool {
        deep_equal(self, other)
    }
}

pub fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_depth(a, b, 0)
}

fn deep_equal_depth(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > 1_000 {
        return false;
    }
    match (&a.v, &b.v) {
        (V::Nil | V::NilIface, V::Nil | V::NilIface) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Int(x), V::Int(y)) | (V::I64(x), V::I64(y)) => x == y,
        (V::U64(x), V::U64(y)) => x == y,
        (V::Float(x), V::Float(y)) => x == y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::List(x), V::List(y)) => {
            x.ty == y.ty
                && x.items.len() == y.items.len()
                && x.items
                    .iter()
                    .zip(&y.items)
                    .all(|(a, b)| deep_equal_depth(a, b, depth + 1))
        }
        (V::Map(x), V::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.ty == y.ty
                && x.entries.len() == y.entries.len()
                && x.entries
                    .iter()
                    .zip(y.entries.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && deep_equal_depth(va, vb, depth + 1))
        }
        (V::Obj(x), V::Obj(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}
