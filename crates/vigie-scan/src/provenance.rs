//! Values provenance of a rendered Helm chart: which values line set the field a finding is
//! about, so that the finding names the values key to change and the file that set it.
//!
//! Built once per unit from what the renderer recorded (each scalar read from values, with its
//! values file, line and key). A map or list the template wrote from values as one block
//! (`toYaml .Values.securityContext`) takes the values key of its entries' parent, so a field
//! missing from it is named as that key plus the missing sub-key. A verdict is matched to the
//! fields written at its location through one hash lookup.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use vigie_checks::container_field;
use vigie_core::{Location, Verdict};
use vigie_parse::yaml::{Node, Value};

/// The check that asks for images pinned by digest.
const DIGEST_CHECK: &str = "CNT-10.2";

/// Where a field's value was set in the values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    /// Dotted values key (`securityContext.runAsUser`).
    key: String,
    file: Arc<str>,
    /// Index of the file in the renderer's file table.
    src: u16,
    line: u32,
    col: u32,
    /// The template line that wrote the field.
    through: Location,
}

/// The values origins of one rendered chart, looked up by template position.
#[derive(Debug, Default)]
pub struct Provenance {
    /// Template location → the fields written there: (object, path).
    at: HashMap<Location, Vec<(u32, Arc<str>)>>,
    /// (object, path) → where its value came from in the values.
    from_values: HashMap<(u32, Arc<str>), Origin>,
    /// Fields the template wrote itself: a missing field under them is the template's to add.
    written: HashSet<(u32, Arc<str>)>,
    /// Each object's id (`Deployment/default/web`), to match a verdict's subject.
    ids: Vec<String>,
}

/// The paths of `files` as the scan shows them.
fn shown(files: &[String]) -> Vec<Arc<str>> {
    files
        .iter()
        .map(|f| Arc::from(f.strip_prefix("./").unwrap_or(f)))
        .collect()
}

impl Provenance {
    /// The lookup table of a render. `values` are the unit's values files in the order they
    /// apply: a map assembled from several files is named in the one that applies last.
    pub fn new(r: &vigie_helm::Rendered, values: &[String]) -> Self {
        let files = shown(&r.files);
        let rank = |src: u16| -> usize {
            let f = files.get(usize::from(src)).map_or("", |f| &**f);
            values
                .iter()
                .rposition(|v| {
                    let v = v.strip_prefix("./").unwrap_or(v);
                    f == v || f.ends_with(&format!("/{v}")) || v.ends_with(&format!("/{f}"))
                })
                .map_or(0, |i| i + 1)
        };
        let mut p = Provenance::default();
        if r.value_origins.is_empty() {
            return p;
        }
        for f in &r.value_origins {
            p.from_values.insert(
                (f.object as u32, Arc::from(f.path.as_str())),
                Origin {
                    key: f.origin.key.clone(),
                    file: files
                        .get(usize::from(f.origin.file))
                        .cloned()
                        .unwrap_or_else(|| Arc::from("")),
                    src: f.origin.file,
                    line: f.origin.line,
                    col: f.origin.col,
                    through: Location::new(
                        files
                            .get(usize::from(f.node.src))
                            .cloned()
                            .unwrap_or_else(|| Arc::from("")),
                        f.node.line,
                        f.node.col,
                    ),
                },
            );
        }
        // where each values key is written, for maps named by their key line
        let mut key_at: HashMap<(u16, &str), (u32, u32)> = HashMap::new();
        for e in &r.origins.entries {
            key_at.insert((e.file, e.key.as_str()), (e.line, e.col));
        }
        for (i, o) in r.objects.iter().enumerate() {
            let i = i as u32;
            let node = &o.node;
            p.ids.push(format!(
                "{}/{}/{}",
                node.get("kind").and_then(Node::as_str).unwrap_or(""),
                node.path(&["metadata", "namespace"])
                    .and_then(Node::as_str)
                    .unwrap_or("default"),
                node.path(&["metadata", "name"])
                    .and_then(Node::as_str)
                    .unwrap_or("")
            ));
            let mut path = String::new();
            p.walk(i, node, &mut path, &files, &rank, &key_at);
        }
        p
    }

    /// Index the node at `path` and its descendants; say whether its value came from values.
    fn walk(
        &mut self,
        obj: u32,
        n: &Node,
        path: &mut String,
        files: &[Arc<str>],
        rank: &dyn Fn(u16) -> usize,
        key_at: &HashMap<(u16, &str), (u32, u32)>,
    ) -> bool {
        let here: Arc<str> = Arc::from(path.as_str());
        let at = Location::new(
            files
                .get(usize::from(n.pos.src))
                .cloned()
                .unwrap_or_else(|| Arc::from("")),
            n.pos.line,
            n.pos.col,
        );
        self.at
            .entry(at.clone())
            .or_default()
            .push((obj, here.clone()));
        let len = path.len();
        let mut children: Vec<(String, bool, bool, bool)> = Vec::new();
        match &n.value {
            Value::Scalar { .. } => {}
            Value::Seq(items) => {
                for (k, it) in items.iter().enumerate() {
                    let seg = k.to_string();
                    push_seg(path, &seg);
                    let v = self.walk(obj, it, path, files, rank, key_at);
                    path.truncate(len);
                    children.push((seg, v, true, true));
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    push_seg(path, &e.key);
                    // a verdict on a field may point at its key
                    if e.key_pos != e.value.pos {
                        let key_at = Location::new(
                            files
                                .get(usize::from(e.key_pos.src))
                                .cloned()
                                .unwrap_or_else(|| Arc::from("")),
                            e.key_pos.line,
                            e.key_pos.col,
                        );
                        self.at
                            .entry(key_at)
                            .or_default()
                            .push((obj, Arc::from(path.as_str())));
                    }
                    let v = self.walk(obj, &e.value, path, files, rank, key_at);
                    path.truncate(len);
                    children.push((e.key.clone(), v, e.key_pos == e.value.pos, false));
                }
            }
        }
        let key = (obj, here);
        if self.from_values.contains_key(&key) {
            return true;
        }
        // a map or list is from values when the template wrote all of it from one values key
        let mut parent: Option<Origin> = None;
        let whole = !children.is_empty()
            && children.iter().all(|(seg, from_values, one_block, item)| {
                let child = format!("{}{}{seg}", key.1, if key.1.is_empty() { "" } else { "/" });
                let Some(o) = self.from_values.get(&(obj, Arc::from(child.as_str()))) else {
                    return false;
                };
                // values keys name maps' entries, not list items: an item has its list's key
                let k = if *item {
                    Some(o.key.as_str())
                } else {
                    o.key
                        .strip_suffix(seg.as_str())
                        .and_then(|k| k.strip_suffix('.'))
                };
                let Some(k) = k else {
                    return false;
                };
                if !*from_values || !*one_block {
                    return false;
                }
                match &mut parent {
                    None => {
                        parent = Some(Origin {
                            key: k.to_string(),
                            through: at.clone(),
                            ..o.clone()
                        });
                        true
                    }
                    Some(p) if p.key == k => {
                        if rank(o.src) > rank(p.src) {
                            p.file = o.file.clone();
                            p.src = o.src;
                            p.line = o.line;
                            p.col = o.col;
                        }
                        true
                    }
                    Some(_) => false,
                }
            });
        match parent {
            Some(mut o) if whole => {
                if let Some(&(line, col)) = key_at.get(&(o.src, o.key.as_str())) {
                    (o.line, o.col) = (line, col);
                }
                self.from_values.insert(key, o);
                true
            }
            _ => {
                self.written.insert(key);
                false
            }
        }
    }

    /// The values key a verdict's field was set by, with the sub-keys missing under it.
    fn resolve(&self, v: &Verdict) -> Option<(&Origin, Vec<String>)> {
        let candidates = self.at.get(&v.location)?;
        let subject_is = |obj: u32| {
            self.ids.get(obj as usize).is_some_and(|id| {
                v.subject
                    .strip_prefix(id.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
            })
        };
        let mut pool: Vec<&(u32, Arc<str>)> =
            candidates.iter().filter(|c| subject_is(c.0)).collect();
        if pool.is_empty() {
            pool = candidates.iter().collect();
        }
        // a block written by one action puts all its fields at one position: the check's own
        // field when it is among them
        if let Some(field) = container_field(v.check) {
            let tail = format!("/{field}");
            if pool.iter().any(|c| c.1.ends_with(&tail)) {
                pool.retain(|c| c.1.ends_with(&tail));
            }
        }
        // otherwise the enclosing field, the shallowest
        pool.sort_by_key(|c| c.1.matches('/').count());
        let depth = pool.first()?.1.matches('/').count();
        pool.retain(|c| c.1.matches('/').count() == depth);
        let mut found: Option<(&Origin, Vec<String>)> = None;
        for (obj, path) in pool {
            let target = self.target(v.check, path);
            let Some(r) = self.lookup(*obj, &target) else {
                continue;
            };
            // fields of several objects at one line, from different values: say none
            if found.as_ref().is_some_and(|f| *f != r) {
                return None;
            }
            found = Some(r);
        }
        found
    }

    /// The field a check's verdict at `path` is about: the container's field when the verdict
    /// points at the container (its `name`) or at a field enclosing the check's own, the node
    /// itself otherwise.
    fn target(&self, check: &str, path: &str) -> String {
        let Some(field) = container_field(check) else {
            return path.to_string();
        };
        let segs: Vec<&str> = path.split('/').collect();
        let Some(i) = segs.iter().rposition(|s| s.ends_with("ontainers")) else {
            return path.to_string();
        };
        if segs.len() < i + 2 {
            return path.to_string();
        }
        let container = segs[..i + 2].join("/");
        let rel = segs[i + 2..].join("/");
        if rel.is_empty() || rel == "name" || field.starts_with(&format!("{rel}/")) {
            return format!("{container}/{field}");
        }
        path.to_string()
    }

    /// The nearest field at or above `path` whose value came from values, and the keys
    /// missing below it; nothing when a field on the way was written by the template.
    fn lookup(&self, obj: u32, path: &str) -> Option<(&Origin, Vec<String>)> {
        let mut missing: Vec<String> = Vec::new();
        let mut p = path;
        loop {
            let key = (obj, Arc::from(p));
            if let Some(o) = self.from_values.get(&key) {
                missing.reverse();
                return Some((o, missing));
            }
            if self.written.contains(&key) {
                return None;
            }
            let (up, seg) = p.rsplit_once('/')?;
            missing.push(seg.to_string());
            p = up;
        }
    }

    /// How many container images of the chart read the values line `o` sets.
    fn images_reading(&self, o: &Origin) -> usize {
        self.from_values
            .iter()
            .filter(|((_, path), x)| {
                path.ends_with("/image") && x.key == o.key && x.file == o.file && x.line == o.line
            })
            .count()
    }

    /// Name the values key and line behind a failure: the key to change in the fix, the values
    /// line as a related location, and both lines in the message.
    pub fn annotate(&self, mut v: Verdict) -> Verdict {
        if !v.is_fail() || self.from_values.is_empty() {
            return v;
        }
        let Some((o, missing)) = self.resolve(&v) else {
            return v;
        };
        let mut full = o.key.clone();
        for m in &missing {
            full.push('.');
            full.push_str(m);
        }
        let through = format!("{}:{}", o.through.path, o.through.line);
        v.message = Arc::from(format!(
            "{} (`{}` from {}:{} through {through})",
            v.message, o.key, o.file, o.line
        ));
        let under = if missing.is_empty() {
            String::new()
        } else {
            format!(", under `{}`", o.key)
        };
        // a digest pins one image: a tag value every image of the chart reads cannot hold one
        // for each, the template has to take a digest per image
        let sharing = self.images_reading(o);
        if v.check == DIGEST_CHECK && sharing > 1 {
            if let Some(fix) = v.fix_mut() {
                *fix = Arc::from(format!(
                    "pin each image by digest in the template ({through}): `{}` ({}:{}) is read by {sharing} images and cannot hold a digest for each; add a digest value per image (`image@sha256:<digest>`)",
                    o.key, o.file, o.line
                ));
            }
        } else if let Some(fix) = v.fix_mut() {
            *fix = Arc::from(format!(
                "set `{full}` in {} (line {}{under}), the values {through} reads: {fix}",
                o.file, o.line
            ));
        }
        let related = Location::new(o.file.clone(), o.line, o.col);
        v.with_related(Some(related))
    }
}

fn push_seg(path: &mut String, seg: &str) {
    if !path.is_empty() {
        path.push('/');
    }
    path.push_str(seg);
}
