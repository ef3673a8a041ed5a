//! Patch targets: which objects a `target:` selects (group, version, kind exactly; name and
//! namespace as anchored regular expressions against the current or original value; label and
//! annotation selectors in Kubernetes' selector syntax), as Kustomize's `Select` does.

use crate::accumulate::Obj;
use vigie_parse::yaml::Node;

pub(crate) struct Target {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    name: Option<regex::Regex>,
    namespace: Option<regex::Regex>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

fn anchored(s: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&format!("^(?:{s})$"))
        .map_err(|e| format!("invalid regular expression {s:?}: {e}"))
}

impl Target {
    /// The kind a target selects when it selects every object of that kind (no name,
    /// namespace, label or annotation), `None` otherwise.
    pub(crate) fn kind_only(&self) -> Option<&str> {
        let narrowed = self.name.is_some()
            || self.namespace.is_some()
            || !self.labels.is_empty()
            || !self.annotations.is_empty();
        if narrowed { None } else { self.kind.as_deref() }
    }

    /// Read a `target:` mapping.
    pub fn parse(n: &Node) -> Result<Target, String> {
        let text = |k: &str| {
            n.get(k)
                .and_then(Node::as_str)
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        Ok(Target {
            group: text("group"),
            version: text("version"),
            kind: text("kind"),
            name: text("name").map(|s| anchored(&s)).transpose()?,
            namespace: text("namespace").map(|s| anchored(&s)).transpose()?,
            labels: parse_selector(&text("labelSelector").unwrap_or_default())?,
            annotations: parse_selector(&text("annotationSelector").unwrap_or_default())?,
        })
    }

    pub fn matches(&self, o: &Obj) -> bool {
        if self.group.as_deref().is_some_and(|g| g != o.group())
            || self.version.as_deref().is_some_and(|v| v != o.version())
            || self.kind.as_deref().is_some_and(|k| k != o.kind())
        {
            return false;
        }
        if let Some(re) = &self.name
            && !re.is_match(o.name())
            && !re.is_match(o.original_name())
        {
            return false;
        }
        if let Some(re) = &self.namespace {
            let ok = re.is_match(o.namespace()) || o.old_namespaces.iter().any(|n| re.is_match(n));
            if !ok {
                return false;
            }
        }
        let labels = o.node.path(&["metadata", "labels"]);
        let annotations = o.node.path(&["metadata", "annotations"]);
        self.labels.iter().all(|r| r.holds(labels))
            && self.annotations.iter().all(|r| r.holds(annotations))
    }
}

impl Requirement {
    fn holds(&self, m: Option<&Node>) -> bool {
        let get = |k: &str| m.and_then(|m| m.get(k)).and_then(Node::as_str);
        match self {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Requirement::Exists(k) => get(k).is_some() || m.and_then(|m| m.get(k)).is_some(),
            Requirement::NotExists(k) => m.and_then(|m| m.get(k)).is_none(),
        }
    }
}

/// Kubernetes selector syntax: `a=b, c!=d, e in (x, y), f notin (z), g, !h`.
fn parse_selector(s: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for part in split_top(s) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        if let Some(k) = p.strip_prefix('!') {
            out.push(Requirement::NotExists(k.trim().into()));
        } else if let Some((k, v)) = p.split_once("!=") {
            out.push(Requirement::NotEquals(k.trim().into(), v.trim().into()));
        } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
            out.push(Requirement::Equals(k.trim().into(), v.trim().into()));
        } else if let Some((k, vs)) = set_requirement(p, " notin ") {
            out.push(Requirement::NotIn(k, vs));
        } else if let Some((k, vs)) = set_requirement(p, " in ") {
            out.push(Requirement::In(k, vs));
        } else if p.chars().all(|c| c.is_alphanumeric() || "-_./".contains(c)) {
            out.push(Requirement::Exists(p.into()));
        } else {
            return Err(format!("invalid selector {s:?} near {p:?}"));
        }
    }
    Ok(out)
}

fn set_requirement(p: &str, op: &str) -> Option<(String, Vec<String>)> {
    let (k, rest) = p.split_once(op)?;
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some((
        k.trim().to_string(),
        inner.split(',').map(|v| v.trim().to_string()).collect(),
    ))
}

/// Split at commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}
