//! Helm's engine: every template of the chart and its enabled subcharts parsed into one set (in
//! Helm's order, so the same `define` wins), each non-partial template executed with its chart's
//! context, then the manifests split, sorted by kind as `helm template` prints them, and parsed
//! into YAML trees whose positions point at the template line that wrote each field.

use crate::chart::Chart;
use crate::objects::{self, ApiVersions, Capabilities, Files, KubeVersion};
use crate::values::{FileTable, OriginTable, ValueOrigin};
use crate::{FieldOrigin, Manifest, Release, Rendered, RenderedObject};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_gotmpl::exec::{Exec, Options, Seg, TemplateSet};
use vigie_gotmpl::parse::Source;
use vigie_gotmpl::{Str, Value};
use vigie_parse::yaml::{Node, Pos};

struct Renderable {
    file: crate::chart::ChartFile,
    ctx: Value,
    base_path: String,
    /// Library charts contribute only their partials.
    library: bool,
}

fn collect(
    c: &Chart,
    parent: &Value,
    is_root: bool,
    full_path: &str,
    release: &Value,
    caps: &Value,
    out: &mut BTreeMap<String, Renderable>,
) -> Value {
    let values = if is_root {
        parent.get("Values").unwrap_or_else(Value::empty_map)
    } else {
        parent
            .get("Values")
            .and_then(|v| v.get(c.name()))
            .filter(|v| v.as_map().is_some())
            .unwrap_or_else(Value::empty_map)
    };
    let files = Files {
        files: c
            .files
            .iter()
            .map(|f| (Rc::from(f.name.as_str()), f.data.clone()))
            .collect(),
    };
    let subcharts = Value::empty_map();
    let mut m: BTreeMap<Str, Value> = BTreeMap::new();
    m.insert("Chart".into(), objects::chart_map(&c.meta, is_root));
    m.insert("Files".into(), Value::obj(Rc::new(files)));
    m.insert("Release".into(), release.clone());
    m.insert("Capabilities".into(), caps.clone());
    m.insert("Values".into(), values);
    m.insert("Subcharts".into(), subcharts.clone());
    let next = Value::map(m);
    for child in &c.deps {
        let child_path = format!("{full_path}/charts/{}", child.name());
        let v = collect(child, &next, false, &child_path, release, caps, out);
        if let Some(sm) = subcharts.as_map() {
            sm.borrow_mut().entries.insert(Rc::from(child.name()), v);
        }
    }
    for t in &c.templates {
        let name = format!("{full_path}/{}", t.name);
        out.insert(
            name,
            Renderable {
                file: t.clone(),
                ctx: next.clone(),
                base_path: format!("{full_path}/templates"),
                library: c.is_library(),
            },
        );
    }
    next
}

/// Helm's `sortTemplates`: deepest paths first, then reverse lexical order.
fn sort_templates(keys: &mut [String]) {
    keys.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Remove `<no value>` as Helm does, shifting the output ranges that follow.
fn strip_no_value(buf: String, segs: &mut [Seg]) -> String {
    const NV: &str = "<no value>";
    if memchr::memmem::find(buf.as_bytes(), NV.as_bytes()).is_none() {
        return buf;
    }
    let mut out = String::with_capacity(buf.len());
    let mut removed: Vec<usize> = Vec::new();
    let mut last = 0;
    for (i, _) in buf.match_indices(NV) {
        out.push_str(&buf[last..i]);
        removed.push(i);
        last = i + NV.len();
    }
    out.push_str(&buf[last..]);
    for s in segs.iter_mut() {
        let before = removed.partition_point(|&r| r < s.out as usize);
        let mut off = s.out as usize - before * NV.len();
        // A range starting inside a removed marker starts where the marker was.
        if before > 0 {
            let r = removed[before - 1];
            if (s.out as usize) < r + NV.len() {
                off = r - (before - 1) * NV.len();
            }
        }
        s.out = off as u32;
    }
    out
}

/// Helm's message for an execution error: `execution error at (LOC): MSG` for `fail` and
/// `required`; otherwise Helm's "traceable" layout when every wrapped error is a template error,
/// and Go's text as is when a function's own error ends the chain (as Helm does).
pub fn helm_exec_message(text: &str, user: Option<&str>) -> String {
    let parts: Vec<&str> = text.splitn(3, ": ").collect();
    if let Some(msg) = user
        && parts.len() == 3
    {
        return format!("execution error at ({}): {msg}", parts[1]);
    }
    let mut levels: Vec<String> = Vec::new();
    let mut rest = text;
    loop {
        let Some(remainder) = rest.strip_prefix("template: ") else {
            return text.to_string();
        };
        if remainder.starts_with("no template ") {
            levels.push(format!("{rest}\n"));
            break;
        }
        let Some((loc, after)) = remainder.split_once(": executing \"") else {
            return text.to_string();
        };
        let Some((func, after)) = after.split_once("\" at <") else {
            return text.to_string();
        };
        let Some((ctx, msg)) = after.split_once(">: ") else {
            return text.to_string();
        };
        let head = format!("{loc}\n  executing \"{func}\" at <{ctx}>:\n    ");
        if let Some(inner) = msg.strip_prefix("error calling include: ") {
            levels.push(format!("{head}error calling include:\n"));
            rest = inner;
            continue;
        }
        if msg.starts_with("error calling ") {
            return text.to_string();
        }
        levels.push(format!("{head}{msg}\n"));
        break;
    }
    let mut out = String::new();
    for l in levels {
        out.push_str(&l);
    }
    out.trim().to_string()
}

pub(crate) struct Engine<'a> {
    pub files: &'a FileTable,
    pub release: &'a Release,
}

impl Engine<'_> {
    fn top_values(&self, chart: &Chart, vals: &Value) -> (Value, Value, Value) {
        let r = self.release;
        let mut rel: BTreeMap<Str, Value> = BTreeMap::new();
        rel.insert("Name".into(), Value::str(&r.name));
        rel.insert("Namespace".into(), Value::str(&r.namespace));
        rel.insert("IsUpgrade".into(), Value::bool(r.is_upgrade));
        rel.insert("IsInstall".into(), Value::bool(!r.is_upgrade));
        rel.insert("Revision".into(), Value::int(r.revision));
        rel.insert("Service".into(), Value::str("Helm"));
        let release = Value::map(rel);
        let kube = r
            .kube_version
            .as_deref()
            .and_then(KubeVersion::parse)
            .or_else(|| KubeVersion::parse(objects::DEFAULT_KUBE_VERSION))
            .expect("the default Kubernetes version parses");
        let mut apis: Vec<String> = objects::DEFAULT_API_VERSIONS
            .iter()
            .map(|s| s.to_string())
            .collect();
        apis.extend(r.api_versions.iter().cloned());
        let caps = Value::obj(Rc::new(Capabilities {
            kube,
            apis: Rc::new(ApiVersions(apis)),
        }));
        let mut top: BTreeMap<Str, Value> = BTreeMap::new();
        top.insert("Values".into(), vals.clone());
        let _ = chart;
        (Value::map(top), release, caps)
    }

    /// Parse and execute every template; the outputs by template path, plus problems met.
    pub fn render(
        &self,
        chart: &Chart,
        vals: &Value,
        out: &mut Rendered,
    ) -> (BTreeMap<String, Vec<Seg>>, HashMap<u32, Rc<Source>>) {
        let (top, release, caps) = self.top_values(chart, vals);
        let mut tpls: BTreeMap<String, Renderable> = BTreeMap::new();
        collect(chart, &top, true, chart.name(), &release, &caps, &mut tpls);
        let mut keys: Vec<String> = tpls
            .iter()
            .filter(|(k, r)| !r.library || base_name(k).starts_with('_'))
            .map(|(k, _)| k.clone())
            .collect();
        sort_templates(&mut keys);
        let mut set = TemplateSet::default();
        let mut sources: HashMap<u32, Rc<Source>> = HashMap::new();
        let mut unparsed: Vec<String> = Vec::new();
        for k in &keys {
            let r = &tpls[k];
            match vigie_gotmpl::parse_template(k, &r.file.text(), r.file.file_id as u32) {
                Ok(p) => {
                    sources.insert(r.file.file_id as u32, p.main.src.clone());
                    set.add(p);
                }
                Err(e) => {
                    let msg = format!(
                        "parse error at ({}:{}): {}",
                        e.parse_name, e.line, e.message
                    );
                    out.diagnostics.push(Diagnostic::new(
                        DiagKind::Render,
                        Location::new(self.files.path(r.file.file_id).into(), e.line, 1),
                        format!("the template cannot be parsed: {msg}"),
                    ));
                    if out.failure.is_none() {
                        out.failure = Some(msg);
                    }
                    unparsed.push(k.clone());
                }
            }
        }
        let opts = Options {
            strict: self.release.strict,
            limits: self.release.limits,
        };
        let mut outputs = BTreeMap::new();
        for k in &keys {
            if base_name(k).starts_with('_') || unparsed.contains(k) {
                continue;
            }
            let r = &tpls[k];
            let mut tmeta: BTreeMap<Str, Value> = BTreeMap::new();
            tmeta.insert("Name".into(), Value::str(k));
            tmeta.insert("BasePath".into(), Value::str(&r.base_path));
            if let Some(m) = r.ctx.as_map() {
                m.borrow_mut()
                    .entries
                    .insert("Template".into(), Value::map(tmeta));
            }
            let mut ex = Exec::new(&set, &opts, Rc::from("gotpl"));
            ex.tpl_file_id = u32::MAX;
            let res = ex.execute(k, r.ctx.clone());
            for n in ex.nondeterministic.drain(..) {
                if !out.nondeterministic.iter().any(|x| x == n) {
                    out.nondeterministic.push(n.to_string());
                }
            }
            match res {
                Ok(()) => {
                    let mut segs = std::mem::take(&mut ex.out.segs);
                    let text = strip_no_value(std::mem::take(&mut ex.out.buf), &mut segs);
                    out.templates.insert(k.clone(), text);
                    outputs.insert(k.clone(), segs);
                }
                Err(e) => {
                    let msg = helm_exec_message(&e.text, e.user_message());
                    let path = if e.file_id == u32::MAX {
                        self.files.path(r.file.file_id).to_string()
                    } else {
                        self.files.path(e.file_id as u16).to_string()
                    };
                    let what = match e.user_message() {
                        Some(u) => format!("the chart refuses to render: {u}"),
                        None => format!("the template fails: {msg}"),
                    };
                    out.diagnostics.push(Diagnostic::new(
                        DiagKind::Render,
                        Location::new(path.into(), e.line.max(1), e.col + 1),
                        what,
                    ));
                    if out.failure.is_none() {
                        out.failure = Some(msg);
                    }
                }
            }
        }
        (outputs, sources)
    }
}

// ---------------------------------------------------------------- manifests and objects

const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

fn kind_less(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (ia, ib) = (
        INSTALL_ORDER.iter().position(|k| *k == a),
        INSTALL_ORDER.iter().position(|k| *k == b),
    );
    match (ia, ib) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Helm's `SplitManifests`: documents at `^---` lines, leading blanks trimmed; (start, text).
fn split_manifests(text: &str) -> Vec<(usize, &str)> {
    let lead = text.len()
        - text
            .trim_start_matches(vigie_gotmpl::parse::go_is_space)
            .len();
    let mut docs = Vec::new();
    let mut starts: Vec<(usize, usize)> = Vec::new(); // (separator start, separator end)
    let body = &text[lead..];
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        if line.starts_with("---") {
            let mut end = 3;
            let b = line.as_bytes();
            while end < b.len() && (b[end] == b' ' || b[end] == b'\t') {
                end += 1;
            }
            starts.push((line_start, line_start + end));
        }
        line_start += line.len();
    }
    let mut prev = 0;
    let mut pieces = Vec::new();
    for (s, e) in &starts {
        pieces.push((prev, *s));
        prev = *e;
    }
    pieces.push((prev, body.len()));
    for (s, e) in pieces {
        let d = &body[s..e];
        if d.trim_matches(vigie_gotmpl::parse::go_is_space).is_empty() {
            continue;
        }
        let trimmed = d.trim_start_matches(vigie_gotmpl::parse::go_is_space);
        let start = lead + s + (d.len() - trimmed.len());
        docs.push((start, trimmed));
    }
    docs
}

fn node_str<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    n.path(path).and_then(Node::as_str)
}

/// Maps output offsets of one template to template positions and value origins.
struct Mapper<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    segs: &'a [Seg],
    /// Parsed templates by file id.
    sources: &'a [Option<&'a Source>],
}

/// Where a document starts in a template's output: its byte offset and the 0-based index of
/// the output line holding it.
#[derive(Clone, Copy)]
struct DocStart {
    start: usize,
    line: usize,
}

impl Mapper<'_> {
    fn new<'a>(text: &'a str, segs: &'a [Seg], sources: &'a [Option<&'a Source>]) -> Mapper<'a> {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Mapper {
            text,
            line_starts,
            segs,
            sources,
        }
    }

    fn doc_start(&self, start: usize) -> DocStart {
        DocStart {
            start,
            line: self.line_starts.partition_point(|&s| s <= start) - 1,
        }
    }

    /// Byte offset in the output of a 1-based (line, char column) position of a document; a
    /// column past the line's end is the line's end.
    fn offset(&self, doc: DocStart, pos: Pos) -> usize {
        let line = doc.line + pos.line.max(1) as usize - 1;
        let Some(&ls) = self.line_starts.get(line) else {
            return self.text.len();
        };
        let ls = if line == doc.line { doc.start } else { ls };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line_text = &self.text[ls.min(end)..end];
        let col = pos.col.max(1) as usize - 1;
        let ascii_run = &line_text.as_bytes()[..col.min(line_text.len())];
        if ascii_run.is_ascii() {
            // the usual case: characters are bytes
            return ls + ascii_run.len();
        }
        line_text
            .char_indices()
            .nth(col)
            .map_or(end, |(b, _)| ls + b)
    }

    fn seg_at(&self, off: usize) -> Option<&Seg> {
        let i = self.segs.partition_point(|s| s.out as usize <= off);
        if i == 0 {
            return None;
        }
        self.segs.get(i - 1)
    }

    /// The template position that wrote output byte `off`.
    fn template_pos(&self, off: usize) -> Option<Pos> {
        let s = self.seg_at(off)?;
        let src = self.sources.get(s.file as usize).copied().flatten()?;
        let tpos = if s.text {
            s.pos as usize + (off - s.out as usize)
        } else {
            s.pos as usize
        };
        let mut tpos = tpos.min(src.text.len());
        while !src.text.is_char_boundary(tpos) {
            tpos -= 1;
        }
        let (line, byte_col) = src.line_col(tpos as u32);
        let line_start = tpos - byte_col as usize;
        let col = src.text[line_start..tpos].chars().count() as u32 + 1;
        Some(Pos {
            line,
            col,
            src: s.file.min(u16::MAX as u32) as u16,
        })
    }

    fn origin_at(&self, off: usize) -> Option<vigie_gotmpl::Origin> {
        let s = self.seg_at(off)?;
        (!s.text && s.origin.is_some()).then_some(s.origin)
    }

    /// The origin of a plain scalar of `len` bytes at `off`: the value that wrote all of it;
    /// for one the template assembled from several pieces (`{{ .Values.repo }}/web:{{ .Values.tag
    /// | default .Chart.AppVersion }}`), the value that wrote its last piece, the part that pins
    /// it (an image's tag), and none when that piece is template text or no value's (the
    /// chart's `appVersion`): the template line is then where the field is set.
    fn plain_origin(&self, off: usize, len: usize) -> Option<vigie_gotmpl::Origin> {
        let first = self.segs.partition_point(|s| s.out as usize <= off);
        let end = off + len;
        let pieces = &self.segs[first.saturating_sub(1)..];
        let last = pieces
            .iter()
            .take_while(|s| (s.out as usize) < end)
            .last()?;
        (!last.text && last.origin.is_some()).then_some(last.origin)
    }

    /// The origin of a quoted scalar starting at `off` that the template assembled from text
    /// and values (`"{{ .Values.image.repository }}:{{ .Values.image.tag }}"`): the last value
    /// written inside the quotes, the part that pins it (the tag of an image).
    fn quoted_origin(&self, off: usize) -> Option<vigie_gotmpl::Origin> {
        let rest = self.text.get(off..)?;
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let mut end = None;
        let mut escaped = false;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                '\n' => break,
                '\\' if quote == '"' && !escaped => escaped = true,
                c if c == quote && !escaped => {
                    end = Some(off + i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let end = end?;
        let first = self.segs.partition_point(|s| s.out as usize <= off);
        self.segs[first.saturating_sub(1)..]
            .iter()
            .take_while(|s| (s.out as usize) < end)
            .filter(|s| !s.text && s.origin.is_some())
            .map(|s| s.origin)
            .last()
    }
}

struct Remap<'a, 'b> {
    m: &'a Mapper<'b>,
    doc: DocStart,
    origins: &'a OriginTable,
    found: Vec<(String, Pos, ValueOrigin)>,
}

impl Remap<'_, '_> {
    /// The template position of output byte `off` (line 0 when no template wrote it).
    fn pos_at(&self, off: usize, src: u16) -> Pos {
        self.m.template_pos(off).unwrap_or(Pos {
            line: 0,
            col: 0,
            src,
        })
    }

    /// Re-position `n` and its descendants; `path` is the field path of `n` (`spec/replicas`).
    fn node(&mut self, n: &mut Node, path: &mut String) {
        let off = self.m.offset(self.doc, n.pos);
        n.pos = self.pos_at(off, n.pos.src);
        if let vigie_parse::yaml::Value::Scalar { plain, text } = &n.value
            && let Some(o) = if *plain {
                self.m.plain_origin(off, text.len())
            } else {
                self.m.origin_at(off).or_else(|| self.m.quoted_origin(off))
            }
            && let Some(vo) = self.origins.get(o)
        {
            self.found.push((path.clone(), n.pos, vo.clone()));
        }
        match &mut n.value {
            vigie_parse::yaml::Value::Scalar { .. } => {}
            vigie_parse::yaml::Value::Seq(items) => {
                for (i, it) in items.iter_mut().enumerate() {
                    let len = push_step(path, format_args!("{i}"));
                    self.node(it, path);
                    path.truncate(len);
                }
            }
            vigie_parse::yaml::Value::Map(entries) => {
                for e in entries.iter_mut() {
                    let off = self.m.offset(self.doc, e.key_pos);
                    e.key_pos = self.pos_at(off, e.key_pos.src);
                    let len = push_step(path, format_args!("{}", e.key));
                    self.node(&mut e.value, path);
                    path.truncate(len);
                }
            }
        }
    }
}

/// Append a step to a field path (`/`-separated); the length to truncate back to.
fn push_step(path: &mut String, step: std::fmt::Arguments) -> usize {
    use std::fmt::Write;
    let len = path.len();
    if len > 0 {
        path.push('/');
    }
    let _ = path.write_fmt(step);
    len
}

/// Each document's YAML tree, read in parallel: on a chart of large CRDs, reading the output
/// is most of the render.
fn parse_documents(docs: &[(usize, usize, &str)]) -> Vec<vigie_parse::yaml::Stream> {
    use rayon::prelude::*;
    docs.par_iter()
        .map(|(_, _, doc)| vigie_parse::yaml::parse(doc))
        .collect()
}

/// Split, sort and parse the rendered templates into manifests and objects.
pub(crate) fn manifests(
    outputs: &BTreeMap<String, Vec<Seg>>,
    sources: &HashMap<u32, Rc<Source>>,
    files: &FileTable,
    template_files: &HashMap<String, u16>,
    origins: &OriginTable,
    out: &mut Rendered,
) {
    let mut generic: Vec<(Manifest, Option<Node>, String, usize)> = Vec::new();
    let mut hooks: Vec<(Manifest, Option<Node>, String, usize)> = Vec::new();
    let templates = std::mem::take(&mut out.templates);
    let mut by_file: Vec<Option<&Source>> = Vec::new();
    for (&id, src) in sources {
        let id = id as usize;
        if by_file.len() <= id {
            by_file.resize(id + 1, None);
        }
        by_file[id] = Some(&**src);
    }
    let rendered: Vec<(&String, &str, Mapper)> = outputs
        .iter()
        .filter(|(path, _)| !path.ends_with("NOTES.txt") && !base_name(path).starts_with('_'))
        .filter_map(|(path, segs)| {
            let text = templates.get(path)?;
            let blank = text
                .trim_matches(vigie_gotmpl::parse::go_is_space)
                .is_empty();
            (!blank).then(|| (path, text.as_str(), Mapper::new(text, segs, &by_file)))
        })
        .collect();
    let docs: Vec<(usize, usize, &str)> = rendered
        .iter()
        .enumerate()
        .flat_map(|(i, (_, text, _))| {
            split_manifests(text)
                .into_iter()
                .map(move |(start, doc)| (i, start, doc))
        })
        .collect();
    let streams = parse_documents(&docs);
    for (&(i, start, doc), stream) in docs.iter().zip(streams) {
        let (path, _, mapper) = &rendered[i];
        let path: &String = path;
        let doc_start = mapper.doc_start(start);
        if let Some(e) = &stream.error {
            let off = mapper.offset(doc_start, e.pos);
            let tpos = mapper.template_pos(off);
            let (file, line) = match tpos {
                Some(p) => (files.path(p.src).to_string(), p.line),
                None => (
                    template_files
                        .get(path)
                        .map(|&id| files.path(id).to_string())
                        .unwrap_or_else(|| path.clone()),
                    0,
                ),
            };
            let msg = format!(
                "YAML parse error on {path}: error converting YAML to JSON: yaml: line {}: {}",
                e.pos.line, e.message
            );
            out.diagnostics.push(Diagnostic::new(
                DiagKind::Render,
                Location::new(file.into(), line, 1),
                format!("the template produces invalid YAML: {msg}"),
            ));
            if out.failure.is_none() {
                out.failure = Some(msg);
            }
            continue;
        }
        let root = stream.documents.into_iter().next().map(|d| d.root);
        let kind = root
            .as_ref()
            .and_then(|r| node_str(r, &["kind"]))
            .unwrap_or("")
            .to_string();
        let name = root
            .as_ref()
            .and_then(|r| node_str(r, &["metadata", "name"]))
            .unwrap_or("")
            .to_string();
        let hook_ann = root
            .as_ref()
            .and_then(|r| node_str(r, &["metadata", "annotations", "helm.sh/hook"]))
            .map(String::from);
        let is_hook = hook_ann.is_some();
        if let Some(h) = &hook_ann
            && h.split(',')
                .any(|t| !HOOK_EVENTS.contains(&t.trim().to_lowercase().as_str()))
        {
            continue;
        }
        let mut root = root;
        let mut found = Vec::new();
        if let Some(r) = root.as_mut() {
            let mut rm = Remap {
                m: mapper,
                doc: doc_start,
                origins,
                found: Vec::new(),
            };
            rm.node(r, &mut String::new());
            found = rm.found;
        }
        let m = Manifest {
            source: path.clone(),
            content: doc.to_string(),
            kind,
            name,
            hook: is_hook,
        };
        let entry = (m, root, String::new(), generic.len() + hooks.len());
        let _ = &entry.2;
        if is_hook {
            hooks.push(entry);
        } else {
            generic.push(entry);
        }
        out.pending_origins.push(found);
    }
    out.templates = templates;
    generic.sort_by(|a, b| kind_less(&a.0.kind, &b.0.kind));
    hooks.sort_by(|a, b| kind_less(&a.0.kind, &b.0.kind));
    let pending = std::mem::take(&mut out.pending_origins);
    for (m, root, _, seq) in generic.into_iter().chain(hooks) {
        let idx = out.manifests.len();
        out.manifests.push(m);
        if let Some(node) = root {
            let obj = out.objects.len();
            out.objects.push(RenderedObject {
                manifest: idx,
                node,
            });
            if let Some(found) = pending.get(seq) {
                for (path, pos, origin) in found {
                    out.value_origins.push(FieldOrigin {
                        object: obj,
                        path: path.clone(),
                        node: *pos,
                        origin: origin.clone(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_errors_read_as_helm_prints_them() {
        let nested = "template: a/templates/x.yaml:3:5: executing \"a/templates/x.yaml\" at <include \"h\" .>: error calling include: template: a/templates/_h.tpl:2:9: executing \"h\" at <.Values.x.y>: nil pointer evaluating interface {}.y";
        assert_eq!(
            helm_exec_message(nested, None),
            "a/templates/x.yaml:3:5\n  executing \"a/templates/x.yaml\" at <include \"h\" .>:\n    error calling include:\na/templates/_h.tpl:2:9\n  executing \"h\" at <.Values.x.y>:\n    nil pointer evaluating interface {}.y"
        );
        // A function's own error ends the chain: Helm shows Go's text as is.
        let f = "template: a/t.yaml:1:2: executing \"a/t.yaml\" at <index .l 5>: error calling index: index out of range: 5";
        assert_eq!(helm_exec_message(f, None), f);
        let r = "template: a/t.yaml:1:6: executing \"a/t.yaml\" at <required \"x\" .v>: error calling required: HELM_ERR_STARTxHELM_ERR_END";
        assert_eq!(
            helm_exec_message(r, Some("x")),
            "execution error at (a/t.yaml:1:6): x"
        );
    }

    #[test]
    fn output_columns_count_characters_not_bytes() {
        let text = "x\n  k: v\né: ü: w\nlast";
        let m = Mapper::new(text, &[], &[]);
        let doc = m.doc_start(4); // "k: v", the document starting mid-line
        let at = |line, col| m.offset(doc, Pos { line, col, src: 0 });
        assert_eq!(&text[at(1, 1)..at(1, 2)], "k");
        assert_eq!(at(1, 4), 7); // "v", columns counted from the document's start
        assert_eq!(&text[at(2, 4)..], "ü: w\nlast");
        assert_eq!(&text[at(2, 7)..], "w\nlast");
        assert_eq!(at(2, 50), text.find("\nlast").unwrap()); // past the end: the line's end
        assert_eq!(at(3, 9), text.len());
        assert_eq!(at(9, 1), text.len());
    }

    #[test]
    fn manifests_split_as_helm_splits_them() {
        let t = "\n\n---\na: 1\n---   \n# only a comment\n---\n\nb: 2\n---\n";
        let docs: Vec<&str> = split_manifests(t).into_iter().map(|(_, d)| d).collect();
        assert_eq!(docs, vec!["a: 1\n", "# only a comment\n", "b: 2\n"]);
        assert_eq!(kind_less("Service", "Deployment"), std::cmp::Ordering::Less);
        assert_eq!(
            kind_less("Zebra", "Deployment"),
            std::cmp::Ordering::Greater
        );
    }
}
