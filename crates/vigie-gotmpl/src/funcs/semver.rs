//! Semantic versions and constraints with Masterminds/semver v3's rules (the ones `semverCompare`
//! applies): lenient versions (`v1.2`), `||` alternatives, comma- or space-separated
//! conjunctions, wildcards (`1.2.x`), hyphen ranges, `~` and `^`, and pre-release versions
//! excluded unless the constraint itself names a pre-release (`>=1.21-0`).
//!
//! Written here because the `semver` crate implements Cargo's requirement semantics, which
//! differ (pre-release matching, bare versions meaning `^`).

use super::{FuncDef, defs};
use crate::value::{Object, Value};
use std::cmp::Ordering;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemVer {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub meta: String,
    pub original: String,
}

fn ident_ok(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

impl SemVer {
    pub fn parse(s: &str) -> Option<SemVer> {
        let original = s.to_string();
        let t = s.strip_prefix('v').unwrap_or(s);
        let (rest, meta) = match t.split_once('+') {
            Some((r, m)) => (r, m.to_string()),
            None => (t, String::new()),
        };
        let (nums, pre) = match rest.split_once('-') {
            Some((n, p)) => (n, p.to_string()),
            None => (rest, String::new()),
        };
        if (!pre.is_empty() || rest.contains('-')) && !ident_ok(&pre) {
            return None;
        }
        if (!meta.is_empty() || t.contains('+')) && !ident_ok(&meta) {
            return None;
        }
        if !pre.is_empty()
            && pre
                .split('.')
                .any(|p| p.len() > 1 && p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let parts: Vec<&str> = nums.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut n = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n[i] = p.parse().ok()?;
        }
        Some(SemVer {
            major: n[0],
            minor: n[1],
            patch: n[2],
            pre,
            meta,
            original,
        })
    }

    fn cmp_pre(a: &str, b: &str) -> Ordering {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
        for (x, y) in pa.iter().zip(&pb) {
            let (nx, ny) = (x.parse::<u64>().ok(), y.parse::<u64>().ok());
            let o = match (nx, ny) {
                (Some(i), Some(j)) => i.cmp(&j),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => x.cmp(y),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        pa.len().cmp(&pb.len())
    }

    pub fn compare(&self, o: &SemVer) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| SemVer::cmp_pre(&self.pre, &o.pre))
    }

    pub fn to_go_string(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(&self.pre);
        }
        if !self.meta.is_empty() {
            s.push('+');
            s.push_str(&self.meta);
        }
        s
    }
}

#[derive(Debug)]
struct Constraint {
    op: String,
    con: SemVer,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_constraint(s: &str) -> Option<Constraint> {
    let s = s.trim();
    let op_len = s
        .bytes()
        .take_while(|b| matches!(b, b'=' | b'!' | b'<' | b'>' | b'~' | b'^'))
        .count();
    let op = &s[..op_len];
    if !matches!(
        op,
        "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
    ) {
        return None;
    }
    let ver = s[op_len..].trim();
    let ver = ver.strip_prefix('v').unwrap_or(ver);
    let (core, tail) = match ver.find(['-', '+']) {
        Some(i) => (&ver[..i], &ver[i..]),
        None => (ver, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    for p in &parts {
        if !is_x(p) && !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let text = if is_x(parts[0]) {
        dirty = true;
        "0.0.0".to_string()
    } else if parts.len() < 2 || is_x(parts[1]) {
        minor_dirty = true;
        dirty = true;
        format!("{}.0.0{}", parts[0], tail)
    } else if parts.len() < 3 || is_x(parts[2]) {
        dirty = true;
        patch_dirty = true;
        format!("{}.{}.0{}", parts[0], parts[1], tail)
    } else {
        ver.to_string()
    };
    let con = SemVer::parse(&text)?;
    let op = match op {
        "=>" => ">=",
        "=<" => "<=",
        "~>" => "~",
        "==" => "=",
        o => o,
    };
    Some(Constraint {
        op: op.to_string(),
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

impl Constraint {
    fn check(&self, v: &SemVer) -> bool {
        let c = &self.con;
        if !v.pre.is_empty() && c.pre.is_empty() && self.op != "!=" {
            return false;
        }
        match self.op.as_str() {
            "" | "=" => {
                if self.dirty {
                    return self.tilde(v);
                }
                v.compare(c) == Ordering::Equal
            }
            "!=" => {
                if !v.pre.is_empty() && c.pre.is_empty() {
                    return false;
                }
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    }
                    return false;
                }
                v.compare(c) != Ordering::Equal
            }
            ">" => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    return true;
                } else if v.major < c.major || self.minor_dirty {
                    return false;
                } else if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            "<" => v.compare(c) == Ordering::Less,
            ">=" => v.compare(c) != Ordering::Less,
            "<=" => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            "~" => self.tilde(v),
            "^" => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.major == c.major && v.minor == c.minor;
                }
                v.major == 0 && v.minor == 0 && v.patch == c.patch
            }
            _ => false,
        }
    }

    fn tilde(&self, v: &SemVer) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        if v.minor != c.minor && !self.minor_dirty {
            return false;
        }
        true
    }
}

/// Rewrite `a - b` hyphen ranges as `>= a, <= b`.
fn rewrite_ranges(c: &str) -> String {
    let toks: Vec<&str> = c.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if i + 2 < toks.len() && toks[i + 1] == "-" {
            out.push(format!(">={}, <={}", toks[i], toks[i + 2]));
            i += 3;
        } else {
            out.push(toks[i].to_string());
            i += 1;
        }
    }
    out.join(" ")
}

/// Parse a constraint string into OR-groups of AND-ed constraints.
fn parse_constraints(c: &str) -> Result<Vec<Vec<Constraint>>, String> {
    let c = rewrite_ranges(c);
    let mut ors = Vec::new();
    for group in c.split("||") {
        let mut and = Vec::new();
        // Join an operator separated from its version by spaces ("> 1.2").
        let mut toks: Vec<String> = Vec::new();
        for t in group.split([',', ' ']).filter(|t| !t.is_empty()) {
            if let Some(last) = toks.last_mut()
                && !last.is_empty()
                && last
                    .bytes()
                    .all(|b| matches!(b, b'=' | b'!' | b'<' | b'>' | b'~' | b'^'))
            {
                last.push_str(t);
                continue;
            }
            toks.push(t.to_string());
        }
        if toks.is_empty() {
            return Err(format!("improper constraint: {group}"));
        }
        for t in toks {
            and.push(parse_constraint(&t).ok_or_else(|| format!("improper constraint: {group}"))?);
        }
        ors.push(and);
    }
    Ok(ors)
}

/// Sprig's `semverCompare CONSTRAINT VERSION`.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let groups = parse_constraints(constraint)?;
    let v = SemVer::parse(version).ok_or_else(|| "Invalid Semantic Version".to_string())?;
    Ok(groups.iter().any(|g| g.iter().all(|c| c.check(&v))))
}

#[derive(Debug)]
struct VersionObj(SemVer);

impl Object for VersionObj {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn kind(&self) -> &'static str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.0;
        Some(match name {
            "Major" => Value::new(crate::value::V::U64(v.major)),
            "Minor" => Value::new(crate::value::V::U64(v.minor)),
            "Patch" => Value::new(crate::value::V::U64(v.patch)),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.meta),
            "Original" => Value::str(&v.original),
            "String" => Value::string(v.to_go_string()),
            _ => return None,
        })
    }
    fn fmt_v(&self, out: &mut String) {
        out.push_str(&self.0.to_go_string());
    }
}

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "semverCompare" [Str, Str] => pure |a| semver_compare(a[0].as_str().unwrap_or(""), a[1].as_str().unwrap_or("")).map(Value::bool);
        "semver" [Str] => pure |a| {
            let v = SemVer::parse(a[0].as_str().unwrap_or("")).ok_or_else(|| "Invalid Semantic Version".to_string())?;
            Ok(Value::obj(Rc::new(VersionObj(v))))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_like_masterminds() {
        let t = |c: &str, v: &str| semver_compare(c, v).unwrap();
        assert!(t(">=1.21-0", "v1.25.3-gke.100"));
        assert!(!t(">=1.21", "v1.25.3-gke.100"));
        assert!(t(">=1.19", "v1.36.0"));
        assert!(t("<1.19", "1.18.9"));
        assert!(!t("<1.19", "1.19.0"));
        assert!(t("~1.2.3", "1.2.9"));
        assert!(!t("~1.2.3", "1.3.0"));
        assert!(t("^1.2", "1.9.0"));
        assert!(t("1.2.x", "1.2.7"));
        assert!(t(">= 1.2, < 2.0", "1.5.0"));
        assert!(t("<1.0 || >=2.0", "2.1.0"));
        assert!(t("1.1 - 1.3", "1.2.0"));
        assert!(semver_compare(">=1.2", "not-a-version").is_err());
    }
}
