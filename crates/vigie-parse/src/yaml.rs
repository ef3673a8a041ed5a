//! YAML (and JSON, its subset) into a tree whose every node and key carries its line and column.
//!
//! Built on saphyr-parser's event stream rather than a ready-made loader because the checks need
//! four things loaders do not give together: positions on keys and values, merge keys (`<<:`)
//! resolved the way Compose and Kubernetes tooling resolve them, duplicate keys reported (a
//! classic way to hide a value from a scanner), and a bound on alias expansion and nesting so a
//! hostile file cannot exhaust memory or the stack.
//!
//! Scalars keep their text; typed readings (`as_bool`, `as_i64`) are per call, because Compose
//! and Kubernetes accept YAML 1.1 spellings (`yes`, `on`) in places.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// Nesting deeper than this is rejected.
pub const MAX_DEPTH: usize = 256;
/// Nodes one file may produce, aliases expanded included.
pub const MAX_NODES: usize = 2_000_000;
/// Bytes of text (scalars and keys) aliases may copy, beyond the file's own size times
/// [`ALIAS_BYTES_PER_INPUT_BYTE`]: few nodes can still hold a large scalar each.
pub const ALIAS_BYTES_FLOOR: usize = 16 << 20;
pub const ALIAS_BYTES_PER_INPUT_BYTE: usize = 8;

/// A `!!binary` scalar as the tools that read Compose and Kubernetes files read it into a
/// string field: base64 decoded (line breaks and spaces ignored). `None` when it is not base64
/// of UTF-8 text, and the text is then kept as written.
fn binary_text(text: &str) -> Option<String> {
    use base64::Engine;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// A position: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    /// Which file of a multi-file document (Compose overrides) the node comes from; 0 otherwise.
    pub src: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub tag: Option<String>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar with its text; `plain` when it was written without quotes.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
}

/// A problem found while reading the stream; the documents before it are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// The result of reading a stream: complete documents, and the problems met.
#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    /// A fatal error ends the stream (documents before it are kept).
    pub error: Option<YamlError>,
    /// Non-fatal problems (duplicate keys).
    pub warnings: Vec<YamlError>,
}

impl Node {
    pub fn scalar(pos: Pos, text: String, plain: bool) -> Node {
        Node {
            pos,
            tag: None,
            value: Value::Scalar { text, plain },
        }
    }

    /// The node's text if it is a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain } => {
                if *plain && is_null(text) {
                    None
                } else {
                    Some(text)
                }
            }
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if is_null(text))
    }

    /// A boolean, accepting the YAML 1.1 spellings Kubernetes and Compose tooling accept.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain } => {
                let t = text.as_str();
                match t {
                    "true" | "True" | "TRUE" => Some(true),
                    "false" | "False" | "FALSE" => Some(false),
                    "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" if *plain => Some(true),
                    "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" if *plain => Some(false),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        let t = self.as_str()?.trim();
        if let Some(h) = t.strip_prefix("0x") {
            return i64::from_str_radix(h, 16).ok();
        }
        if let Some(o) = t.strip_prefix("0o") {
            return i64::from_str_radix(o, 8).ok();
        }
        t.replace('_', "").parse().ok()
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry (key and value) under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().rev().find(|e| {
            crate::work::step(1);
            e.key == key
        })
    }

    /// Follow a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }

    /// The items of a sequence, or nothing.
    pub fn items(&self) -> &[Node] {
        self.as_seq().unwrap_or(&[])
    }

    /// The entries of a mapping, or nothing.
    pub fn entries(&self) -> &[Entry] {
        self.as_map().unwrap_or(&[])
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "null",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }

    /// Mark every position of the tree as coming from file `src`.
    pub fn retag(&mut self, src: u16) {
        self.pos.src = src;
        match &mut self.value {
            Value::Scalar { .. } => {}
            Value::Seq(v) => v.iter_mut().for_each(|n| n.retag(src)),
            Value::Map(v) => v.iter_mut().for_each(|e| {
                e.key_pos.src = src;
                e.value.retag(src);
            }),
        }
    }

    /// Apply `f` to the text of every scalar value (not to keys).
    pub fn map_scalars(&mut self, f: &mut dyn FnMut(&mut String, Pos)) {
        let pos = self.pos;
        match &mut self.value {
            Value::Scalar { text, .. } => f(text, pos),
            Value::Seq(v) => v.iter_mut().for_each(|n| n.map_scalars(f)),
            Value::Map(v) => v.iter_mut().for_each(|e| e.value.map_scalars(f)),
        }
    }

    /// Bytes of text the node holds (scalars and keys), what copying it costs.
    fn text_bytes(&self) -> usize {
        match &self.value {
            Value::Scalar { text, .. } => text.len(),
            Value::Seq(v) => v.iter().map(Node::text_bytes).sum::<usize>(),
            Value::Map(v) => v
                .iter()
                .map(|e| e.key.len() + e.value.text_bytes())
                .sum::<usize>(),
        }
    }

    fn size(&self) -> usize {
        match &self.value {
            Value::Scalar { .. } => 1,
            Value::Seq(v) => 1 + v.iter().map(Node::size).sum::<usize>(),
            Value::Map(v) => 1 + v.iter().map(|e| 1 + e.value.size()).sum::<usize>(),
        }
    }

    /// Convert to JSON (for JSON Schema-like reasoning and for tests). Scalars become strings,
    /// numbers or booleans by the YAML 1.2 core schema.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Scalar { text, plain } => {
                if !*plain {
                    return serde_json::Value::String(text.clone());
                }
                if is_null(text) {
                    serde_json::Value::Null
                } else if text == "true" {
                    serde_json::Value::Bool(true)
                } else if text == "false" {
                    serde_json::Value::Bool(false)
                } else if let Ok(i) = text.parse::<i64>() {
                    serde_json::Value::from(i)
                } else if let Ok(f) = text.parse::<f64>()
                    && f.is_finite()
                {
                    serde_json::Value::from(f)
                } else {
                    serde_json::Value::String(text.clone())
                }
            }
            Value::Seq(v) => serde_json::Value::Array(v.iter().map(Node::to_json).collect()),
            Value::Map(v) => {
                let mut m = serde_json::Map::new();
                for e in v {
                    m.insert(e.key.clone(), e.value.to_json());
                }
                serde_json::Value::Object(m)
            }
        }
    }
}

fn is_null(t: &str) -> bool {
    matches!(t, "" | "~" | "null" | "Null" | "NULL")
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line() as u32,
        col: span.start.col() as u32 + 1,
        src: 0,
    }
}

enum Frame {
    Seq {
        pos: Pos,
        tag: Option<String>,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        tag: Option<String>,
        anchor: usize,
        entries: Vec<Entry>,
        merges: Vec<Node>,
        pending_key: Option<(String, Pos)>,
        keys: KeyIndex,
    },
}

/// The keys of a mapping being read, to find a duplicate without comparing each new key with
/// every earlier one (a ConfigMap of 253,000 keys took minutes). Small mappings, the usual
/// case, are searched directly; the set is built once a mapping grows past [`KeyIndex::FROM`].
#[derive(Default)]
struct KeyIndex(Option<std::collections::HashSet<String>>);

impl KeyIndex {
    const FROM: usize = 16;

    /// Where `key` already is in `entries`, noting it as seen when it is new.
    fn find(&mut self, entries: &[Entry], key: &str) -> Option<usize> {
        if self.0.is_none() && entries.len() >= Self::FROM {
            self.0 = Some(entries.iter().map(|e| e.key.clone()).collect());
        }
        let scan = |entries: &[Entry]| {
            crate::work::step(entries.len());
            entries.iter().position(|e| e.key == key)
        };
        match &mut self.0 {
            None => scan(entries),
            Some(set) => {
                crate::work::step(1);
                if set.insert(key.to_string()) {
                    None
                } else {
                    scan(entries)
                }
            }
        }
    }
}

/// Lines of one file that [`parse`] may indent to accept flow collections as Compose and
/// Kubernetes tooling do.
const MAX_REINDENTED_LINES: usize = 64;

/// Read a YAML stream.
///
/// The YAML specification asks the lines of a flow collection (`command: [` … `]`) to be
/// indented deeper than the key that holds it; saphyr enforces this, while the parsers Docker
/// Compose and `kubectl` use (go-yaml, libyaml) accept a closing `]` or an item at the key's
/// column — a common style in real Compose files. A file refused for that alone is read as
/// those tools read it: each offending line of an open flow collection is indented one column
/// at a time (at most [`MAX_REINDENTED_LINES`] times, each a new parse), and the positions of
/// the nodes on those lines are shifted back to where they are written.
pub fn parse(text: &str) -> Stream {
    let first = parse_strict(text);
    let refused_for_indentation = first
        .error
        .as_ref()
        .is_some_and(|e| e.message == "invalid indentation");
    if refused_for_indentation && let Some(stream) = parse_reindented(text) {
        return stream;
    }
    first
}

/// [`parse`] after indenting the lines of open flow collections the strict reading refuses;
/// `None` when the refusal is of another kind or the budget runs out.
fn parse_reindented(text: &str) -> Option<Stream> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut shifted: HashMap<u32, u32> = HashMap::new();
    for _ in 0..MAX_REINDENTED_LINES {
        let stream = parse_strict(&lines.join("\n"));
        let Some(e) = &stream.error else {
            let mut stream = stream;
            for d in &mut stream.documents {
                unshift(&mut d.root, &shifted);
            }
            return Some(stream);
        };
        let at = e.pos.line as usize;
        if e.message != "invalid indentation" || at == 0 || !in_open_flow(&lines[..at - 1]) {
            return None;
        }
        lines[at - 1].insert(0, ' ');
        *shifted.entry(e.pos.line).or_default() += 1;
    }
    None
}

/// Whether the line after `before` continues a flow collection: more `[`/`{` than `]`/`}`
/// outside quotes and comments since the last line that starts at column 0.
fn in_open_flow(before: &[String]) -> bool {
    let start = before
        .iter()
        .rposition(|l| l.starts_with(|c: char| !c.is_whitespace() && c != '#'))
        .unwrap_or(0);
    let mut depth = 0i64;
    for line in &before[start..] {
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth -= 1,
                _ => {}
            }
        }
    }
    depth > 0
}

/// Move the nodes of re-indented lines back to the columns they are written at.
fn unshift(n: &mut Node, shifted: &HashMap<u32, u32>) {
    if let Some(k) = shifted.get(&n.pos.line) {
        n.pos.col = n.pos.col.saturating_sub(*k).max(1);
    }
    match &mut n.value {
        Value::Scalar { .. } => {}
        Value::Seq(items) => items.iter_mut().for_each(|i| unshift(i, shifted)),
        Value::Map(entries) => {
            for e in entries {
                if let Some(k) = shifted.get(&e.key_pos.line) {
                    e.key_pos.col = e.key_pos.col.saturating_sub(*k).max(1);
                }
                unshift(&mut e.value, shifted);
            }
        }
    }
}

fn parse_strict(text: &str) -> Stream {
    let mut out = Stream::default();
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut nodes = 0usize;
    let mut alias_bytes = 0usize;
    let max_alias_bytes =
        ALIAS_BYTES_FLOOR.saturating_add(text.len().saturating_mul(ALIAS_BYTES_PER_INPUT_BYTE));
    let mut doc_root: Option<Node> = None;

    macro_rules! fail {
        ($pos:expr, $($arg:tt)*) => {{
            out.error = Some(YamlError { pos: $pos, message: format!($($arg)*) });
            return out;
        }};
    }

    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let m = e.marker();
                fail!(
                    Pos {
                        line: m.line() as u32,
                        col: m.col() as u32 + 1,
                        src: 0,
                    },
                    "{}",
                    e.info()
                );
            }
        };
        let pos = pos_of(&span);
        let finished: Option<(Node, usize)> = match event {
            Event::StreamStart | Event::Nothing => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                doc_root = None;
                anchors.clear();
                None
            }
            Event::DocumentEnd => {
                if let Some(root) = doc_root.take() {
                    out.documents.push(Document { root });
                }
                None
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => {
                    let size = n.size();
                    nodes += size;
                    if nodes > MAX_NODES {
                        fail!(
                            pos,
                            "alias expansion exceeds {MAX_NODES} nodes (an alias bomb?); the file was not evaluated"
                        );
                    }
                    alias_bytes = alias_bytes.saturating_add(n.text_bytes());
                    if alias_bytes > max_alias_bytes {
                        fail!(
                            pos,
                            "alias expansion too large: aliases copy more than {max_alias_bytes} bytes of text (an alias bomb?); the file was not evaluated"
                        );
                    }
                    let mut n = n.clone();
                    n.pos = pos;
                    Some((n, 0))
                }
                None => fail!(pos, "alias to an unknown anchor"),
            },
            Event::Scalar(text, style, anchor, tag) => {
                nodes += 1;
                let plain = matches!(style, ScalarStyle::Plain);
                let text = match &tag {
                    Some(t) if t.is_yaml_core_schema() && t.suffix == "binary" => {
                        binary_text(&text).unwrap_or_else(|| text.into_owned())
                    }
                    _ => text.into_owned(),
                };
                let mut n = Node::scalar(pos, text, plain);
                n.tag = tag.map(|t| t.to_string());
                Some((n, anchor))
            }
            Event::SequenceStart(anchor, tag) => {
                if stack.len() >= MAX_DEPTH {
                    fail!(
                        pos,
                        "nesting deeper than {MAX_DEPTH} levels; the file was not evaluated"
                    );
                }
                stack.push(Frame::Seq {
                    pos,
                    tag: tag.map(|t| t.to_string()),
                    anchor,
                    items: Vec::new(),
                });
                None
            }
            Event::MappingStart(anchor, tag) => {
                if stack.len() >= MAX_DEPTH {
                    fail!(
                        pos,
                        "nesting deeper than {MAX_DEPTH} levels; the file was not evaluated"
                    );
                }
                stack.push(Frame::Map {
                    pos,
                    tag: tag.map(|t| t.to_string()),
                    anchor,
                    entries: Vec::new(),
                    merges: Vec::new(),
                    pending_key: None,
                    keys: KeyIndex::default(),
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    pos,
                    tag,
                    anchor,
                    items,
                }) => {
                    nodes += 1;
                    Some((
                        Node {
                            pos,
                            tag,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ))
                }
                _ => fail!(pos, "unbalanced sequence"),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    pos,
                    tag,
                    anchor,
                    mut entries,
                    merges,
                    ..
                }) => {
                    nodes += 1;
                    apply_merges(&mut entries, merges);
                    Some((
                        Node {
                            pos,
                            tag,
                            value: Value::Map(entries),
                        },
                        anchor,
                    ))
                }
                _ => fail!(pos, "unbalanced mapping"),
            },
        };
        if nodes > MAX_NODES {
            fail!(
                pos,
                "more than {MAX_NODES} nodes; the file was not evaluated"
            );
        }
        let Some((node, anchor)) = finished else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => doc_root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                merges,
                pending_key,
                keys,
                ..
            }) => match pending_key.take() {
                None => {
                    let pos = node.pos;
                    let key = match node.value {
                        Value::Scalar { text, .. } => text,
                        _ => format!("<{} key>", node.kind_name()),
                    };
                    *pending_key = Some((key, pos));
                }
                Some((key, key_pos)) => {
                    if key == "<<" && node.tag.is_none() {
                        merges.push(node);
                    } else {
                        if let Some(i) = keys.find(entries, &key) {
                            let first = entries[i].key_pos;
                            out.warnings.push(YamlError {
                                pos: key_pos,
                                message: format!(
                                    "duplicate key `{key}` (first at line {}); the last value is used, as most runtimes do, but tools disagree",
                                    first.line
                                ),
                            });
                            entries.remove(i);
                        }
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                    }
                }
            },
        }
    }
    if let Some(root) = doc_root.take() {
        out.documents.push(Document { root });
    }
    out
}

/// Merge keys: the keys of the merged mappings are added where the mapping does not set them;
/// with a sequence of mappings, earlier ones win.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    if merges.is_empty() {
        return;
    }
    // keys already there (own keys win, then earlier merges): a set, so a large merged map
    // costs its size, not its size times the mapping's
    let mut present: std::collections::HashSet<String> =
        entries.iter().map(|e| e.key.clone()).collect();
    for m in merges {
        let sources: Vec<Node> = match m.value {
            Value::Map(_) => vec![m],
            Value::Seq(items) => items,
            _ => Vec::new(),
        };
        for src in sources {
            if let Value::Map(src_entries) = src.value {
                for e in src_entries {
                    crate::work::step(1);
                    if present.insert(e.key.clone()) {
                        entries.push(e);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let s = parse(text);
        assert!(s.error.is_none(), "{:?}", s.error);
        s.documents.into_iter().next().expect("a document").root
    }

    #[test]
    fn positions_of_keys_and_values_are_one_based() {
        let n = one("a:\n  b: 1\n  c: [x, y]\n");
        let b = n.path(&["a", "b"]).unwrap();
        assert_eq!(
            b.pos,
            Pos {
                line: 2,
                col: 6,
                src: 0
            }
        );
        let e = n.get("a").unwrap().entry("c").unwrap();
        assert_eq!(
            e.key_pos,
            Pos {
                line: 3,
                col: 3,
                src: 0
            }
        );
        assert_eq!(
            e.value.items()[1].pos,
            Pos {
                line: 3,
                col: 10,
                src: 0
            }
        );
    }

    #[test]
    fn merge_keys_do_not_override_explicit_keys_in_any_order() {
        let n = one("x: &x {a: 1, b: 2}\ny:\n  b: 3\n  <<: *x\n");
        let y = n.get("y").unwrap();
        assert_eq!(y.get("a").unwrap().as_str(), Some("1"));
        assert_eq!(y.get("b").unwrap().as_str(), Some("3"));
        let n = one("p: &p {a: 1}\nq: &q {a: 2, b: 2}\nr:\n  <<: [*p, *q]\n");
        let r = n.get("r").unwrap();
        assert_eq!(r.get("a").unwrap().as_str(), Some("1"));
        assert_eq!(r.get("b").unwrap().as_str(), Some("2"));
    }

    #[test]
    fn duplicate_keys_warn_and_keep_the_last() {
        let s = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(s.warnings.len(), 1);
        assert_eq!(s.warnings[0].pos.line, 3);
        assert_eq!(s.documents[0].root.get("a").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn mappings_with_many_keys_cost_linear_work() {
        // one large mapping, merged into another (`<<: *m`)
        let map = |n: usize| {
            let mut y = String::from("base: &m\n");
            for i in 0..n {
                y.push_str(&format!("  k{i}: v\n"));
            }
            y.push_str("merged:\n  own: 1\n  <<: *m\n");
            y
        };
        let (small, large) = (map(20_000), map(40_000));
        let (b1, s1) = crate::work::measure(|| parse(&small));
        let (b2, s2) = crate::work::measure(|| parse(&large));
        // linear: twice the keys, about twice the work (quadratic would be four times)
        for (what, w1, w2) in [("bytes", b1, b2), ("key comparisons", s1, s2)] {
            let ratio = w2 as f64 / w1 as f64;
            assert!(
                (1.5..2.8).contains(&ratio),
                "{what}: ratio {ratio} ({w1} → {w2})"
            );
        }
        let s = parse(&small);
        assert!(s.error.is_none() && s.warnings.is_empty(), "{:?}", s.error);
        let dup = parse(
            "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: 8\ni: 9\nj: 10\nk: 11\nl: 12\nm: 13\nn: 14\no: 15\np: 16\nq: 17\na: 18\n",
        );
        assert_eq!(
            dup.warnings.len(),
            1,
            "a duplicate past the index threshold is found"
        );
    }

    #[test]
    fn binary_scalars_are_read_decoded() {
        let s = parse("user: !!binary cm9vdA==\nraw: !!binary not-base64\n");
        let root = &s.documents[0].root;
        assert_eq!(root.get("user").and_then(Node::as_str), Some("root"));
        assert_eq!(root.get("raw").and_then(Node::as_str), Some("not-base64"));
    }

    #[test]
    fn aliases_of_large_scalars_are_bounded_by_bytes_not_only_nodes() {
        // 100 aliases of a 1 MB scalar: few nodes, 100 MB of text
        let big = "A".repeat(1 << 20);
        let mut y = format!("a: &a {big}\nl:\n");
        for _ in 0..100 {
            y.push_str("  - *a\n");
        }
        let s = parse(&y);
        let e = s.error.expect("refused");
        assert!(e.message.contains("too large"), "{}", e.message);
        // within the budget, aliases still work
        let s = parse("a: &a x\nb: *a\n");
        assert!(s.error.is_none());
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut t = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in "bcdefghij".chars() {
            t.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        let s = parse(&t);
        let e = s.error.expect("an error");
        assert!(e.message.contains("alias"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_stopped() {
        let t = "[".repeat(10_000);
        let s = parse(&t);
        assert!(s.error.is_some());
        let t = "a:\n  ".to_string() + &"- ".repeat(5000) + "x\n";
        let s = parse(&t);
        assert!(s.error.is_some());
    }

    #[test]
    fn flow_collections_closed_at_the_key_column_are_read_as_compose_reads_them() {
        let t = "services:\n  a:\n    image: x:1\n    command: [\n      \"start\",\n    \"--uri\"\n    ]\n    ports:\n      - \"80\"\n";
        let s = parse(t);
        assert!(s.error.is_none(), "{:?}", s.error);
        let a = s.documents[0].root.path(&["services", "a"]).unwrap();
        let cmd = a.get("command").unwrap().items();
        assert_eq!(cmd.len(), 2);
        // positions are where the text is written, not where the retry moved it
        assert_eq!((cmd[1].pos.line, cmd[1].pos.col), (6, 5));
        assert_eq!(a.get("ports").unwrap().items()[0].as_str(), Some("80"));
        // a block mapping indented wrongly is still refused
        let bad = "a:\n  b: 1\n c: 2\n";
        assert!(parse(bad).error.is_some());
    }

    #[test]
    fn documents_before_an_error_are_kept() {
        let s = parse("a: 1\n---\nb: 2\n---\nc: [\n");
        assert_eq!(s.documents.len(), 2);
        let e = s.error.unwrap();
        assert!(e.pos.line >= 5, "{e:?}");
    }

    #[test]
    fn booleans_and_nulls() {
        let n = one("a: yes\nb: 'yes'\nc: ~\nd: False\ne:\n");
        assert_eq!(n.get("a").unwrap().as_bool(), Some(true));
        assert_eq!(n.get("b").unwrap().as_bool(), None);
        assert!(n.get("c").unwrap().is_null());
        assert_eq!(n.get("d").unwrap().as_bool(), Some(false));
        assert!(n.get("e").unwrap().is_null());
    }

    #[test]
    fn json_is_yaml() {
        let n = one("{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"a\"}]}}");
        assert_eq!(n.get("kind").unwrap().as_str(), Some("Pod"));
        assert_eq!(n.path(&["spec", "containers"]).unwrap().items().len(), 1);
    }
}
