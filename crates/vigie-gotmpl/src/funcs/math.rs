//! Sprig's arithmetic: integer functions return `int64` after `cast.ToInt64` of each argument;
//! the `…f` functions compute in decimal (as Sprig's `shopspring/decimal` does, so `mulf 0.1 3`
//! is `0.3`) and return `float64`.

use super::conv::{to_float64, to_int64};
use super::{FuncDef, defs};
use crate::value::Value;

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "add" [] ...Any => pure |a| Ok(Value::i64(a.iter().map(to_int64).fold(0i64, i64::wrapping_add)));
        "add1" [Any] => pure |a| Ok(Value::i64(to_int64(&a[0]).wrapping_add(1)));
        "sub" [Any, Any] => pure |a| Ok(Value::i64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))));
        "mul" [Any] ...Any => pure |a| Ok(Value::i64(a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::wrapping_mul)));
        "div" [Any, Any] => pure |a| {
            let d = to_int64(&a[1]);
            if d == 0 { return Err("runtime error: integer divide by zero".into()); }
            Ok(Value::i64(to_int64(&a[0]).wrapping_div(d)))
        };
        "mod" [Any, Any] => pure |a| {
            let d = to_int64(&a[1]);
            if d == 0 { return Err("runtime error: integer divide by zero".into()); }
            Ok(Value::i64(to_int64(&a[0]).wrapping_rem(d)))
        };
        "max" [Any] ...Any => pure |a| Ok(Value::i64(a.iter().map(to_int64).max().unwrap_or(0)));
        "biggest" [Any] ...Any => pure |a| Ok(Value::i64(a.iter().map(to_int64).max().unwrap_or(0)));
        "min" [Any] ...Any => pure |a| Ok(Value::i64(a.iter().map(to_int64).min().unwrap_or(0)));
        "maxf" [Any] ...Any => pure |a| Ok(Value::float(a[1..].iter().map(to_float64).fold(to_float64(&a[0]), go_max)));
        "minf" [Any] ...Any => pure |a| Ok(Value::float(a[1..].iter().map(to_float64).fold(to_float64(&a[0]), go_min)));
        "floor" [Any] => pure |a| Ok(Value::float(to_float64(&a[0]).floor()));
        "ceil" [Any] => pure |a| Ok(Value::float(to_float64(&a[0]).ceil()));
        "round" [Any, Int] ...Float => pure round;
        "addf" [] ...Any => pure |a| Ok(Value::float(decimal_op(0.0, a, Op::Add)));
        "add1f" [Any] => pure |a| Ok(Value::float(decimal_op(to_float64(&a[0]), &[Value::float(1.0)], Op::Add)));
        "subf" [Any] ...Any => pure |a| Ok(Value::float(decimal_op(to_float64(&a[0]), &a[1..], Op::Sub)));
        "mulf" [Any] ...Any => pure |a| Ok(Value::float(decimal_op(to_float64(&a[0]), &a[1..], Op::Mul)));
        "divf" [Any] ...Any => pure |a| Ok(Value::float(decimal_op(to_float64(&a[0]), &a[1..], Op::Div)));
    }
}

fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    a.max(b)
}
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    a.min(b)
}

fn round(a: &[Value]) -> Result<Value, String> {
    let round_on = a.get(2).map(to_float64).unwrap_or(0.5);
    let val = to_float64(&a[0]);
    let pow = 10f64.powf(to_int64(&a[1]) as f64);
    let digit = pow * val;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::float(r / pow))
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A decimal number: `mant` × 10^-`scale`.
#[derive(Clone, Copy)]
struct Dec {
    mant: i128,
    scale: u32,
}

fn to_dec(f: f64) -> Option<Dec> {
    if !f.is_finite() {
        return None;
    }
    let s = format!("{f:e}");
    let (m, e) = s.split_once('e')?;
    let exp: i32 = e.parse().ok()?;
    let neg = m.starts_with('-');
    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
    let frac_len = m.split_once('.').map(|(_, f)| f.len()).unwrap_or(0) as i32;
    let mut mant: i128 = digits.parse().ok()?;
    let mut scale = frac_len - exp;
    if scale < 0 {
        mant = mant.checked_mul(10i128.checked_pow((-scale) as u32)?)?;
        scale = 0;
    }
    Some(Dec {
        mant: if neg { -mant } else { mant },
        scale: scale as u32,
    })
}

fn align(a: Dec, b: Dec) -> Option<(i128, i128, u32)> {
    let s = a.scale.max(b.scale);
    let am = a.mant.checked_mul(10i128.checked_pow(s - a.scale)?)?;
    let bm = b.mant.checked_mul(10i128.checked_pow(s - b.scale)?)?;
    Some((am, bm, s))
}

fn dec_to_f64(d: Dec) -> f64 {
    format!("{}e-{}", d.mant, d.scale)
        .parse()
        .unwrap_or(f64::NAN)
}

fn apply(a: Dec, b: Dec, op: Op) -> Option<Dec> {
    match op {
        Op::Add | Op::Sub => {
            let (x, y, s) = align(a, b)?;
            let m = if matches!(op, Op::Add) {
                x.checked_add(y)?
            } else {
                x.checked_sub(y)?
            };
            Some(Dec { mant: m, scale: s })
        }
        Op::Mul => Some(Dec {
            mant: a.mant.checked_mul(b.mant)?,
            scale: a.scale + b.scale,
        }),
        Op::Div => {
            if b.mant == 0 {
                return None;
            }
            // 16 fractional digits, rounded half away from zero (shopspring's DivRound).
            let (x, y, _) = align(a, b)?;
            let prec = 16u32;
            let num = x.checked_mul(10i128.checked_pow(prec + 1)?)?;
            let q = num / y;
            let r = if q % 10 >= 5 || q % 10 <= -5 {
                q / 10 + q.signum()
            } else {
                q / 10
            };
            Some(Dec {
                mant: r,
                scale: prec,
            })
        }
    }
}

fn decimal_op(first: f64, rest: &[Value], op: Op) -> f64 {
    let mut acc_f = first;
    let mut acc = to_dec(first);
    for x in rest {
        let xf = to_float64(x);
        acc = match (acc, to_dec(xf)) {
            (Some(a), Some(b)) => apply(a, b, op),
            _ => None,
        };
        acc_f = match op {
            Op::Add => acc_f + xf,
            Op::Sub => acc_f - xf,
            Op::Mul => acc_f * xf,
            Op::Div => acc_f / xf,
        };
        if acc.is_none() {
            return acc_f;
        }
    }
    acc.map(dec_to_f64).unwrap_or(acc_f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arithmetic_like_sprig() {
        assert_eq!(decimal_op(0.1, &[Value::float(3.0)], Op::Mul), 0.3);
        assert_eq!(decimal_op(0.1, &[Value::float(0.2)], Op::Add), 0.3);
        assert_eq!(
            decimal_op(1.0, &[Value::float(3.0)], Op::Div),
            0.3333333333333333
        );
        assert_eq!(decimal_op(1.5, &[Value::float(0.5)], Op::Sub), 1.0);
    }
}
