//! Sprig's random strings, dates, paths and URLs.
//!
//! Random functions return deterministic strings (a fixed pseudo-random sequence) so a render is
//! reproducible, and record that Helm would have produced different bytes. Dates use the clock in
//! UTC (Helm uses the machine's zone) and are recorded the same way.

use super::conv::to_int64;
use super::{FuncDef, Ty, defs};
use crate::exec::Exec;
use crate::value::{Object, Str, V, Value};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "hello" [] => pure |_| Ok(Value::str("Hello!"));
        "randAlphaNum" [Int] => ctx |ex, a| rand_string(ex, "randAlphaNum", &a[0], b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
        "randAlpha" [Int] => ctx |ex, a| rand_string(ex, "randAlpha", &a[0], b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        "randNumeric" [Int] => ctx |ex, a| rand_string(ex, "randNumeric", &a[0], b"0123456789");
        "randAscii" [Int] => ctx |ex, a| rand_string(ex, "randAscii", &a[0], b"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");
        "randInt" [Int, Int] => ctx |ex, a| {
            ex.nondeterministic.push("randInt");
            let (lo, hi) = (to_int64(&a[0]), to_int64(&a[1]));
            if hi <= lo { return Err("invalid argument to Intn".into()); }
            Ok(Value::int(lo))
        };
        "uuidv4" [] => ctx |ex, _| { ex.nondeterministic.push("uuidv4"); Ok(Value::str("00000000-0000-4000-8000-000000000000")) };
        "shuffle" [Str] => ctx |ex, a| { ex.nondeterministic.push("shuffle"); Ok(a[0].clone()) };
        "now" [] => ctx |ex, _| { ex.nondeterministic.push("now"); Ok(now()) };
        "date" [Str, Any] => ctx |ex, a| { ex.nondeterministic.push("date"); Ok(Value::string(format_time(a[0].as_str().unwrap_or(""), time_of(&a[1])))) };
        "dateInZone" [Str, Any, Str] => ctx |ex, a| { ex.nondeterministic.push("dateInZone"); Ok(Value::string(format_time(a[0].as_str().unwrap_or(""), time_of(&a[1])))) };
        "date_in_zone" [Str, Any, Str] => ctx |ex, a| { ex.nondeterministic.push("dateInZone"); Ok(Value::string(format_time(a[0].as_str().unwrap_or(""), time_of(&a[1])))) };
        "htmlDate" [Any] => ctx |ex, a| { ex.nondeterministic.push("htmlDate"); Ok(Value::string(format_time("2006-01-02", time_of(&a[0])))) };
        "htmlDateInZone" [Any, Str] => ctx |ex, a| { ex.nondeterministic.push("htmlDateInZone"); Ok(Value::string(format_time("2006-01-02", time_of(&a[0])))) };
        "unixEpoch" [Any] => pure |a| Ok(Value::string(time_of(&a[0]).0.to_string()));
        "dateModify" [Str, Any] => ctx |ex, a| { ex.nondeterministic.push("dateModify"); Ok(a[1].clone()) };
        "date_modify" [Str, Any] => ctx |ex, a| { ex.nondeterministic.push("dateModify"); Ok(a[1].clone()) };
        "mustDateModify" [Str, Any] => ctx |ex, a| { ex.nondeterministic.push("dateModify"); Ok(a[1].clone()) };
        "must_date_modify" [Str, Any] => ctx |ex, a| { ex.nondeterministic.push("dateModify"); Ok(a[1].clone()) };
        "toDate" [Str, Str] => ctx |ex, _| { ex.nondeterministic.push("toDate"); Ok(now()) };
        "mustToDate" [Str, Str] => ctx |ex, _| { ex.nondeterministic.push("toDate"); Ok(now()) };
        "ago" [Any] => ctx |ex, _| { ex.nondeterministic.push("ago"); Ok(Value::str("0s")) };
        "duration" [Any] => pure |a| Ok(Value::string(go_duration(to_int64(&a[0]).saturating_mul(1_000_000_000))));
        "durationRound" [Any] => pure |a| Ok(Value::string(go_duration(to_int64(&a[0]).saturating_mul(1_000_000_000))));
        "base" [Str] => pure |a| Ok(Value::string(path_base(a[0].as_str().unwrap_or(""))));
        "osBase" [Str] => pure |a| Ok(Value::string(path_base(a[0].as_str().unwrap_or(""))));
        "dir" [Str] => pure |a| Ok(Value::string(path_dir(a[0].as_str().unwrap_or(""))));
        "osDir" [Str] => pure |a| Ok(Value::string(path_dir(a[0].as_str().unwrap_or(""))));
        "clean" [Str] => pure |a| Ok(Value::string(path_clean(a[0].as_str().unwrap_or(""))));
        "osClean" [Str] => pure |a| Ok(Value::string(path_clean(a[0].as_str().unwrap_or(""))));
        "ext" [Str] => pure |a| Ok(Value::string(path_ext(a[0].as_str().unwrap_or(""))));
        "osExt" [Str] => pure |a| Ok(Value::string(path_ext(a[0].as_str().unwrap_or(""))));
        "isAbs" [Str] => pure |a| Ok(Value::bool(a[0].as_str().unwrap_or("").starts_with('/')));
        "osIsAbs" [Str] => pure |a| Ok(Value::bool(a[0].as_str().unwrap_or("").starts_with('/')));
        "getHostByName" [Str] => pure |_| Ok(Value::str(""));
        "urlParse" [Str] => pure |a| Ok(url_parse(a[0].as_str().unwrap_or("")));
        "urlJoin" [Map] => pure |a| Ok(Value::string(url_join(&a[0])));
    }
}

fn rand_string(
    ex: &mut Exec<'_>,
    what: &'static str,
    n: &Value,
    alphabet: &[u8],
) -> Result<Value, String> {
    ex.nondeterministic.push(what);
    let n = to_int64(n);
    if n < 0 {
        return Ok(Value::str(""));
    }
    ex.charge(n as u64)?;
    // A fixed linear congruential sequence: reproducible, visibly not a secret.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ n as u64;
    let s: String = (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[((x >> 33) % alphabet.len() as u64) as usize] as char
        })
        .collect();
    Ok(Value::string(s))
}

/// A Go `time.Time` in UTC: seconds and nanoseconds since the epoch.
#[derive(Debug)]
struct Time(i64, u32);

impl Object for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Unix" => Some(Value::i64(self.0)),
            "UTC" | "Local" => Some(Value::obj(Rc::new(Time(self.0, self.1)))),
            "Year" => Some(Value::int(civil(self.0).0)),
            _ => None,
        }
    }
    fn method_sig(&self, name: &str) -> Option<&'static [Ty]> {
        (name == "Format").then_some(&[Ty::Str])
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match name {
            "Format" => Ok(Value::string(format_time(
                args[0].as_str().unwrap_or(""),
                (self.0, self.1),
            ))),
            _ => Err("no such method".into()),
        }
    }
    fn fmt_v(&self, out: &mut String) {
        out.push_str(&format_time(
            "2006-01-02 15:04:05.999999999 -0700 MST",
            (self.0, self.1),
        ));
    }
}

fn now() -> Value {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Value::obj(Rc::new(Time(d.as_secs() as i64, d.subsec_nanos())))
}

fn time_of(v: &Value) -> (i64, u32) {
    match &v.v {
        V::Obj(o) if o.type_name() == "time.Time" => {
            let u = o.field("Unix").map(|x| to_int64(&x)).unwrap_or(0);
            (u, 0)
        }
        V::Int(i) | V::I64(i) => (*i, 0),
        _ => {
            let d = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            (d.as_secs() as i64, d.subsec_nanos())
        }
    }
}

/// (year, month, day, hour, minute, second, weekday 0=Sunday, yday) of a Unix time in UTC.
fn civil(t: i64) -> (i64, u32, u32, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wd = (days + 4).rem_euclid(7) as u32;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yday = cum[(m - 1) as usize] + d + u32::from(leap && m > 2);
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60, wd, yday)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Go's `time.Format` for the layout elements charts use, in UTC.
fn format_time(layout: &str, (t, nanos): (i64, u32)) -> String {
    let (y, mo, d, h, mi, s, wd, yday) = civil(t);
    let mut out = String::new();
    let mut rest = layout;
    let tokens: &[&str] = &[
        "January",
        "Jan",
        "Monday",
        "Mon",
        "MST",
        "2006",
        "-07:00:00",
        "-07:00",
        "-0700",
        "-07",
        "Z07:00:00",
        "Z07:00",
        "Z0700",
        "Z07",
        "002",
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "_2",
        "15",
        "PM",
        "pm",
        ".000000000",
        ".000000",
        ".000",
        ".999999999",
        ".999999",
        ".999",
        "1",
        "2",
        "3",
        "4",
        "5",
    ];
    while !rest.is_empty() {
        let Some(tok) = tokens.iter().find(|t| rest.starts_with(**t)) else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        };
        let h12 = if h % 12 == 0 { 12 } else { h % 12 };
        match *tok {
            "January" => out.push_str(MONTHS[mo as usize - 1]),
            "Jan" => out.push_str(&MONTHS[mo as usize - 1][..3]),
            "Monday" => out.push_str(DAYS[wd as usize]),
            "Mon" => out.push_str(&DAYS[wd as usize][..3]),
            "MST" => out.push_str("UTC"),
            "2006" => out.push_str(&format!("{y:04}")),
            "06" => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            "-07:00:00" => out.push_str("+00:00:00"),
            "-07:00" => out.push_str("+00:00"),
            "-0700" => out.push_str("+0000"),
            "-07" => out.push_str("+00"),
            "Z07:00:00" | "Z07:00" | "Z0700" | "Z07" => out.push('Z'),
            "002" => out.push_str(&format!("{yday:03}")),
            "01" => out.push_str(&format!("{mo:02}")),
            "02" => out.push_str(&format!("{d:02}")),
            "_2" => out.push_str(&format!("{d:>2}")),
            "03" => out.push_str(&format!("{h12:02}")),
            "04" => out.push_str(&format!("{mi:02}")),
            "05" => out.push_str(&format!("{s:02}")),
            "15" => out.push_str(&format!("{h:02}")),
            "PM" => out.push_str(if h >= 12 { "PM" } else { "AM" }),
            "pm" => out.push_str(if h >= 12 { "pm" } else { "am" }),
            "1" => out.push_str(&mo.to_string()),
            "2" => out.push_str(&d.to_string()),
            "3" => out.push_str(&h12.to_string()),
            "4" => out.push_str(&mi.to_string()),
            "5" => out.push_str(&s.to_string()),
            frac => {
                let digits = frac.len() - 1;
                let n = format!("{nanos:09}");
                if frac.as_bytes()[1] == b'0' {
                    out.push('.');
                    out.push_str(&n[..digits]);
                } else {
                    let t = n[..digits].trim_end_matches('0');
                    if !t.is_empty() {
                        out.push('.');
                        out.push_str(t);
                    }
                }
            }
        }
        rest = &rest[tok.len()..];
    }
    out
}

/// Go's `time.Duration.String`.
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let neg = nanos < 0;
    let u = nanos.unsigned_abs();
    let mut s = String::new();
    if u < 1_000_000_000 {
        // Sub-second: ms/µs/ns.
        let (v, unit) = if u < 1_000 {
            (u as f64, "ns")
        } else if u < 1_000_000 {
            (u as f64 / 1e3, "µs")
        } else {
            (u as f64 / 1e6, "ms")
        };
        s.push_str(&crate::gofmt::float_v(v));
        s.push_str(unit);
    } else {
        let secs = u / 1_000_000_000;
        let frac = u % 1_000_000_000;
        let (h, m, sec) = (secs / 3600, secs / 60 % 60, secs % 60);
        if h > 0 {
            s.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            s.push_str(&format!("{m}m"));
        }
        s.push_str(&sec.to_string());
        if frac > 0 {
            let f = format!("{frac:09}");
            s.push('.');
            s.push_str(f.trim_end_matches('0'));
        }
        s.push('s');
    }
    if neg {
        s.insert(0, '-');
    }
    s
}

/// Go's `path.Clean`.
pub(crate) fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let j = parts.join("/");
    match (rooted, j.is_empty()) {
        (true, _) => format!("/{j}"),
        (false, true) => ".".into(),
        (false, false) => j,
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    path_clean(&p[..i])
}

fn path_ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

fn url_parse(s: &str) -> Value {
    let mut m: BTreeMap<Str, Value> = BTreeMap::new();
    let (scheme, rest) = match s.find("://") {
        Some(i) => (&s[..i], &s[i + 3..]),
        None => ("", s),
    };
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (auth, path) = if scheme.is_empty() {
        ("", rest)
    } else {
        match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let (userinfo, host) = match auth.rfind('@') {
        Some(i) => (&auth[..i], &auth[i + 1..]),
        None => ("", auth),
    };
    for (k, v) in [
        ("scheme", scheme),
        ("host", host),
        ("hostname", host.split(':').next().unwrap_or("")),
        ("path", path),
        ("query", query),
        ("opaque", ""),
        ("fragment", fragment),
        ("userinfo", userinfo),
    ] {
        m.insert(Rc::from(k), Value::str(v));
    }
    Value::map(m)
}

fn url_join(d: &Value) -> String {
    let g = |k: &str| {
        d.get(k)
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    };
    let mut s = String::new();
    if !g("scheme").is_empty() {
        s.push_str(&g("scheme"));
        s.push_str("://");
    }
    if !g("userinfo").is_empty() {
        s.push_str(&g("userinfo"));
        s.push('@');
    }
    s.push_str(&g("host"));
    s.push_str(&g("path"));
    if !g("query").is_empty() {
        s.push('?');
        s.push_str(&g("query"));
    }
    if !g("fragment").is_empty() {
        s.push('#');
        s.push_str(&g("fragment"));
    }
    s
}
