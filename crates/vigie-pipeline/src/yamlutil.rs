//! Small helpers shared by the three lowerings.

use crate::model::{At, Command, commands};
use crate::shell::ShellMode;
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::yaml::{self, Node, Pos, Value};

pub struct Src<'a> {
    pub file: Arc<str>,
    pub text: &'a str,
    lines: Vec<&'a str>,
}

impl<'a> Src<'a> {
    pub fn new(file: &str, text: &'a str) -> Self {
        Src {
            file: Arc::from(file),
            text,
            lines: text.lines().collect(),
        }
    }

    /// The comment that ends line `line` (1-based), without its `#`: the text after the last
    /// ` #` of the line.
    pub fn comment_on(&self, line: u32) -> Option<String> {
        let text = self.lines.get(line.checked_sub(1)? as usize)?;
        let (_, c) = text.rsplit_once(" #")?;
        Some(c.trim().to_string()).filter(|c| !c.is_empty())
    }

    pub fn loc(&self, pos: Pos) -> Location {
        Location::new(self.file.clone(), pos.line.max(1), pos.col.max(1))
    }

    /// Where the content of a scalar starts: the line after `|`/`>` for block scalars.
    pub fn content_loc(&self, node: &Node) -> Location {
        let line = self
            .lines
            .get(node.pos.line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("");
        let rest: String = line
            .chars()
            .skip(node.pos.col.saturating_sub(1) as usize)
            .collect();
        if rest.starts_with('|') || rest.starts_with('>') {
            let next = self
                .lines
                .get(node.pos.line as usize)
                .copied()
                .unwrap_or("");
            let indent = next.len() - next.trim_start().len();
            Location::new(self.file.clone(), node.pos.line + 1, indent as u32 + 1)
        } else {
            let quoted = rest.starts_with('"') || rest.starts_with('\'');
            Location::new(
                self.file.clone(),
                node.pos.line.max(1),
                node.pos.col + quoted as u32,
            )
        }
    }

    pub fn at_str(&self, node: &Node) -> Option<At<String>> {
        text(node).map(|value| At {
            value,
            at: self.loc(node.pos),
        })
    }

    /// Parse the first document; problems become diagnostics.
    pub fn parse(&self, what: &str, diags: &mut Vec<Diagnostic>) -> Option<Node> {
        let s = yaml::parse(self.text);
        for w in &s.warnings {
            diags.push(Diagnostic::new(
                DiagKind::Parse,
                self.loc(w.pos),
                format!("{what}: {}", w.message),
            ));
        }
        if let Some(e) = &s.error {
            diags.push(Diagnostic::new(
                DiagKind::Parse,
                self.loc(e.pos),
                format!(
                    "{what} is not valid YAML ({}); it was not evaluated",
                    e.message
                ),
            ));
            return None;
        }
        let root = s.documents.into_iter().next()?.root;
        if root.as_map().is_none() {
            if root.is_null() {
                return None;
            }
            diags.push(Diagnostic::new(
                DiagKind::Parse,
                self.loc(root.pos),
                format!("{what} should be a mapping, not {}", root.kind_name()),
            ));
            return None;
        }
        Some(root)
    }
}

/// Join pieces into one script (so that `set +e` in one carries into the next) and map every
/// command back to its piece's location.
pub fn script_pieces(pieces: &[(String, Location)], mode: ShellMode) -> Vec<Command> {
    if pieces.len() == 1 {
        return commands(&pieces[0].0, pieces[0].1.clone(), mode);
    }
    let mut joined = String::new();
    let mut starts: Vec<u32> = Vec::new();
    let mut line = 0u32;
    for (t, _) in pieces {
        starts.push(line);
        joined.push_str(t);
        if !t.ends_with('\n') {
            joined.push('\n');
        }
        line += t.trim_end_matches('\n').matches('\n').count() as u32 + 1;
    }
    let Some(first) = pieces.first() else {
        return Vec::new();
    };
    let mut cmds = commands(&joined, Location::new(first.1.path.clone(), 0, 1), mode);
    for c in &mut cmds {
        let l = c.at.line; // 0-based line in the joined script
        let k = starts.iter().rposition(|s| *s <= l).unwrap_or(0);
        let base = &pieces[k].1;
        let off = l - starts[k];
        c.at = Location::new(
            base.path.clone(),
            base.line + off,
            if off == 0 { base.column } else { 1 },
        );
    }
    cmds
}

/// A scalar's text (numbers and booleans included).
pub fn text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Scalar { text, .. } if !node.is_null() => Some(text.clone()),
        _ => None,
    }
}

/// A scalar or a sequence of scalars.
pub fn strings(node: &Node) -> Vec<String> {
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(text).collect(),
        _ => text(node).into_iter().collect(),
    }
}

/// A short rendering of a node for conditions (`if:`, `rules:`).
pub fn render(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, .. } => text.clone(),
        _ => node.to_json().to_string(),
    }
}

/// `key: value` pairs of a mapping of scalars (`env:`, `variables:`).
pub fn pairs(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|e| {
                let v = text(&e.value).or_else(|| e.value.get("value").and_then(text))?;
                Some((e.key.clone(), v))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Deep merge `over` into `base` the way GitLab merges `extends` and includes: mappings merge
/// key by key, anything else is replaced.
pub fn deep_merge(base: &mut Node, over: &Node) {
    match (&mut base.value, &over.value) {
        (Value::Map(b), Value::Map(o)) => {
            for e in o {
                if let Some(be) = b.iter_mut().find(|x| x.key == e.key) {
                    deep_merge(&mut be.value, &e.value);
                    be.key_pos = e.key_pos;
                } else {
                    b.push(e.clone());
                }
            }
        }
        _ => *base = over.clone(),
    }
}
