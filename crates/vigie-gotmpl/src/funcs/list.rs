//! Sprig's list functions. They accept any slice type and return `[]interface{}`; Go panics (a
//! template error) on other kinds, with Sprig's messages.

use super::conv::{empty, to_int64};
use super::{FuncDef, defs};
use crate::value::{List, ListTy, V, Value};
use std::rc::Rc;

fn kind_of(v: &Value) -> Result<&'static str, String> {
    if v.is_nil() {
        return Err("runtime error: invalid memory address or nil pointer dereference".into());
    }
    Ok(v.kind_name())
}

fn items<'a>(v: &'a Value, what: &str) -> Result<&'a Rc<List>, String> {
    let k = kind_of(v)?;
    match &v.v {
        V::List(l) => Ok(l),
        _ => Err(format!("Cannot {what} type {k}")),
    }
}

fn elems(l: &List) -> Vec<Value> {
    l.items.iter().map(|x| x.clone().unwrap_iface()).collect()
}

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "list" [] ...Any => pure |a| Ok(Value::list(a.to_vec()));
        "tuple" [] ...Any => pure |a| Ok(Value::list(a.to_vec()));
        "append" [Any, Any] => pure |a| push(a, "push on");
        "push" [Any, Any] => pure |a| push(a, "push on");
        "mustAppend" [Any, Any] => pure |a| push(a, "push on");
        "mustPush" [Any, Any] => pure |a| push(a, "push on");
        "prepend" [Any, Any] => pure prepend;
        "mustPrepend" [Any, Any] => pure prepend;
        "first" [Any] => pure |a| first_last(&a[0], true, "find first on");
        "mustFirst" [Any] => pure |a| first_last(&a[0], true, "find first on");
        "last" [Any] => pure |a| first_last(&a[0], false, "find last on");
        "mustLast" [Any] => pure |a| first_last(&a[0], false, "find last on");
        "rest" [Any] => pure |a| rest_initial(&a[0], true, "find rest on");
        "mustRest" [Any] => pure |a| rest_initial(&a[0], true, "find rest on");
        "initial" [Any] => pure |a| rest_initial(&a[0], false, "find initial on");
        "mustInitial" [Any] => pure |a| rest_initial(&a[0], false, "find initial on");
        "reverse" [Any] => pure |a| { let l = items(&a[0], "find reverse on")?; let mut v = elems(l); v.reverse(); Ok(Value::list(v)) };
        "mustReverse" [Any] => pure |a| { let l = items(&a[0], "find reverse on")?; let mut v = elems(l); v.reverse(); Ok(Value::list(v)) };
        "compact" [Any] => pure |a| { let l = items(&a[0], "compact on")?; Ok(Value::list(elems(l).into_iter().filter(|x| !empty(x)).collect())) };
        "mustCompact" [Any] => pure |a| { let l = items(&a[0], "compact on")?; Ok(Value::list(elems(l).into_iter().filter(|x| !empty(x)).collect())) };
        "uniq" [Any] => pure uniq;
        "mustUniq" [Any] => pure uniq;
        "without" [Any] ...Any => pure without;
        "mustWithout" [Any] ...Any => pure without;
        "has" [Any, Any] => pure has;
        "mustHas" [Any, Any] => pure has;
        "slice" [Any] ...Any => pure slice;
        "mustSlice" [Any] ...Any => pure slice;
        "concat" [] ...Any => pure concat;
        "chunk" [Int, Any] => pure chunk;
        "mustChunk" [Int, Any] => pure chunk;
        "until" [Int] => ctx |ex, a| {
            let n = to_int64(&a[0]);
            until_step(ex, 0, n, if n < 0 { -1 } else { 1 })
        };
        "untilStep" [Int, Int, Int] => ctx |ex, a| until_step(ex, to_int64(&a[0]), to_int64(&a[1]), to_int64(&a[2]));
    }
}

fn push(a: &[Value], what: &str) -> Result<Value, String> {
    let l = items(&a[0], what)?;
    let mut v = elems(l);
    v.push(a[1].clone());
    Ok(Value::list(v))
}

fn prepend(a: &[Value]) -> Result<Value, String> {
    let l = items(&a[0], "prepend on")?;
    let mut v = vec![a[1].clone()];
    v.extend(elems(l));
    Ok(Value::list(v))
}

fn first_last(v: &Value, first: bool, what: &str) -> Result<Value, String> {
    let l = items(v, what)?;
    let x = if first {
        l.items.first()
    } else {
        l.items.last()
    };
    Ok(x.cloned()
        .map(Value::unwrap_iface)
        .unwrap_or_else(Value::nil))
}

fn rest_initial(v: &Value, rest: bool, what: &str) -> Result<Value, String> {
    let l = items(v, what)?;
    if l.items.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    let e = elems(l);
    Ok(Value::list(if rest {
        e[1..].to_vec()
    } else {
        e[..e.len() - 1].to_vec()
    }))
}

fn uniq(a: &[Value]) -> Result<Value, String> {
    let l = items(&a[0], "find uniq on")?;
    let mut out: Vec<Value> = Vec::new();
    for x in elems(l) {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok(Value::list(out))
}

fn without(a: &[Value]) -> Result<Value, String> {
    let l = items(&a[0], "find without on")?;
    let omit = &a[1..];
    Ok(Value::list(
        elems(l).into_iter().filter(|x| !omit.contains(x)).collect(),
    ))
}

fn has(a: &[Value]) -> Result<Value, String> {
    if a[1].is_nil() {
        return Ok(Value::bool(false));
    }
    let l = items(&a[1], "find has on")?;
    Ok(Value::bool(elems(l).contains(&a[0])))
}

fn slice(a: &[Value]) -> Result<Value, String> {
    let k = kind_of(&a[0])?;
    let V::List(l) = &a[0].v else {
        return Err(format!("list should be type of slice or array but {k}"));
    };
    let n = l.items.len();
    if n == 0 {
        return Ok(Value::nil());
    }
    let start = a.get(1).map(to_int64).unwrap_or(0);
    let end = if a.len() < 3 {
        n as i64
    } else {
        to_int64(&a[2])
    };
    if start < 0 || end < start || end as usize > n {
        return Err("reflect.Value.Slice: slice index out of bounds".into());
    }
    Ok(Value::typed_list(
        l.items[start as usize..end as usize].to_vec(),
        l.ty,
    ))
}

fn concat(a: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for x in a {
        let k = kind_of(x)?;
        match &x.v {
            V::List(l) => out.extend(elems(l)),
            _ => return Err(format!("Cannot concat type {k} as list")),
        }
    }
    Ok(Value::list(out))
}

fn chunk(a: &[Value]) -> Result<Value, String> {
    let size = to_int64(&a[0]);
    let l = items(&a[1], "chunk type")?;
    if size <= 0 {
        return Err("runtime error: integer divide by zero".into());
    }
    let e = elems(l);
    Ok(Value::typed_list(
        e.chunks(size as usize)
            .map(|c| Value::list(c.to_vec()))
            .collect(),
        ListTy::Any,
    ))
}

fn until_step(
    ex: &mut crate::exec::Exec<'_>,
    start: i64,
    stop: i64,
    step: i64,
) -> Result<Value, String> {
    let count = if stop < start {
        if step >= 0 {
            0
        } else {
            ((start - stop) as u128).div_ceil(step.unsigned_abs() as u128)
        }
    } else if step <= 0 {
        0
    } else {
        ((stop - start) as u128).div_ceil(step as u128)
    };
    if count > ex.opts.limits.list_len as u128 {
        return Err(format!(
            "a list of {count} elements is larger than the limit of {}",
            ex.opts.limits.list_len
        ));
    }
    ex.charge(count as u64)?;
    let mut v = Vec::with_capacity(count as usize);
    let mut x = start;
    for _ in 0..count {
        v.push(Value::int(x));
        x += step;
    }
    Ok(Value::typed_list(v, ListTy::Int))
}
