//! vigie-helm: Helm charts rendered in-process, as `helm template` renders them, without the
//! `helm` binary — and every field of every object traced to the template line that wrote it
//! and, when it came from values, to the values file line.
//!
//! [`render`] loads a chart (folder or `.tgz` subcharts), computes its values exactly as Helm
//! does (defaults, values files, `--set`, subchart conditions, tags, aliases, import-values,
//! globals, schema validation), renders its templates with [`vigie_gotmpl`], and returns:
//! the raw output per template (what Helm's engine returns), the manifests in `helm template`
//! order, the objects parsed into [`vigie_parse::yaml::Node`] trees positioned at template
//! lines, and diagnostics for everything that failed — located, bounded, never a panic.

mod chart;
mod deps;
pub mod fs;
mod objects;
mod render;
pub mod values;

pub use chart::{Chart, ChartFile, Dependency, LoadError, Metadata};
pub use fs::{DirFs, Fs, MemFs};
pub use values::{FileTable, OriginTable, ValueOrigin};
pub use vigie_gotmpl::Limits;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_gotmpl::{Origin, Value};
use vigie_parse::yaml::{Node, Pos};

/// How to render: the release options `helm template` takes.
#[derive(Debug, Clone)]
pub struct Release {
    /// `--release-name`; Helm's default for `helm template` is `release-name`.
    pub name: String,
    /// `--namespace`; `default` when not given.
    pub namespace: String,
    /// `-f` values files, paths in the file system, merged in order.
    pub values_files: Vec<String>,
    /// `--set` expressions, applied after the files in order.
    pub set: Vec<String>,
    /// `--kube-version` (`v1.30.0`); Helm's built-in version when absent.
    pub kube_version: Option<String>,
    /// `--api-versions` added to the built-in list.
    pub api_versions: Vec<String>,
    /// `--strict`: a missing map key is an error.
    pub strict: bool,
    pub is_upgrade: bool,
    pub revision: i64,
    pub limits: Limits,
}

impl Default for Release {
    fn default() -> Release {
        Release {
            name: "release-name".into(),
            namespace: "default".into(),
            values_files: Vec::new(),
            set: Vec::new(),
            kube_version: None,
            api_versions: Vec::new(),
            strict: false,
            is_upgrade: false,
            revision: 1,
            limits: Limits::default(),
        }
    }
}

/// One YAML document of the output.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The template that produced it, as Helm names it (`chart/templates/deployment.yaml`).
    pub source: String,
    pub content: String,
    pub kind: String,
    pub name: String,
    /// A Helm hook (printed after the other manifests).
    pub hook: bool,
}

/// An object of the output, positions pointing at template lines (`Pos::src` indexes
/// [`Rendered::files`]).
#[derive(Debug, Clone)]
pub struct RenderedObject {
    /// Index in [`Rendered::manifests`].
    pub manifest: usize,
    pub node: Node,
}

/// A field whose value was read from values: the object, the field's path (`spec/replicas`,
/// list items by index), its template position, and the values line.
#[derive(Debug, Clone)]
pub struct FieldOrigin {
    pub object: usize,
    pub path: String,
    pub node: Pos,
    pub origin: ValueOrigin,
}

#[derive(Debug, Default)]
pub struct Rendered {
    /// The chart's name.
    pub chart: String,
    /// Each template's output by Helm's template path, as Helm's engine returns it (partials
    /// excluded, `NOTES.txt` included).
    pub templates: BTreeMap<String, String>,
    /// Manifests in `helm template` order (install order by kind, hooks last).
    pub manifests: Vec<Manifest>,
    /// Documents of the `crds/` folders of the chart and its enabled subcharts (not templated;
    /// `helm template --include-crds` prints them first).
    pub crds: Vec<Manifest>,
    pub objects: Vec<RenderedObject>,
    /// Paths of the files read (templates, values, `Chart.yaml`), indexed by `Pos::src`.
    pub files: Vec<String>,
    pub value_origins: Vec<FieldOrigin>,
    pub origins: OriginTable,
    pub diagnostics: Vec<Diagnostic>,
    /// Helm's error message when Helm would refuse to render the chart (the first error in
    /// Helm's order); what could be rendered is still returned.
    pub failure: Option<String>,
    /// Functions whose output Helm would generate anew at each render (random, dates, keys).
    pub nondeterministic: Vec<String>,
    pending_origins: Vec<Vec<(String, Pos, ValueOrigin)>>,
}

impl Rendered {
    /// The output of `helm template`.
    pub fn helm_template_output(&self) -> String {
        let mut s = String::new();
        for m in self.manifests.iter().filter(|m| !m.hook) {
            s.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
        }
        let mut out = format!("{}\n", s.trim());
        for m in self.manifests.iter().filter(|m| m.hook) {
            out.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
        }
        if self.manifests.is_empty() {
            return String::new();
        }
        out
    }

    /// The values line a field came from, if any (the object's index and the field's path).
    pub fn value_origin(&self, object: usize, path: &str) -> Option<&ValueOrigin> {
        self.value_origins
            .iter()
            .find(|f| f.object == object && f.path == path)
            .map(|f| &f.origin)
    }
}

fn fail(out: &mut Rendered, kind: DiagKind, file: &str, line: u32, message: String) {
    out.diagnostics.push(Diagnostic::new(
        kind,
        Location::new(file.into(), line, if line > 0 { 1 } else { 0 }),
        message.clone(),
    ));
    if out.failure.is_none() {
        out.failure = Some(message);
    }
}

/// Stack for the rendering threads: templates may nest `include`s a thousand deep, as Helm allows.
const RENDER_STACK_BYTES: usize = 512 << 20;

/// The threads charts render on, created once per process with deep stacks. A thread per render
/// cost about a millisecond (mapping and unmapping its stack), more than a small chart takes to
/// render; the pool pays it once and lets a scan's parallel renders share it.
fn render_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(RENDER_STACK_BYTES)
            .thread_name(|i| format!("helm-render-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Render the chart in folder `chart_dir` of `fs` for `release`.
pub fn render(fs: &dyn Fs, chart_dir: &str, release: &Release) -> Rendered {
    let Some(pool) = render_pool() else {
        return render_here(fs, chart_dir, release);
    };
    let run = || pool.install(|| render_here(fs, chart_dir, release));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        let mut out = Rendered::default();
        fail(
            &mut out,
            DiagKind::Render,
            chart_dir,
            0,
            "the renderer stopped unexpectedly; the chart was not evaluated".into(),
        );
        out
    })
}

fn render_here(fs: &dyn Fs, chart_dir: &str, release: &Release) -> Rendered {
    let mut out = Rendered::default();
    let mut files = FileTable::default();
    let mut origins = OriginTable::default();
    let loaded = {
        let mut loader = chart::Loader {
            fs,
            files: &mut files,
            origins: &mut origins,
        };
        loader.load_dir(chart_dir)
    };
    let mut chart = match loaded {
        Ok(c) => c,
        Err(e) => {
            out.files = files.paths;
            fail(&mut out, DiagKind::Render, &e.file, e.line, e.message);
            return out;
        }
    };
    out.chart = chart.name().to_string();
    let user = user_values(fs, release, &mut files, &mut origins, &mut out);
    report_missing_dependencies(&chart, &files, &mut out);
    if let Err(e) = deps::process_enabled(&mut chart, &user, "") {
        let f = files.path(chart.chart_file).to_string();
        fail(&mut out, DiagKind::Render, &f, 0, e);
    }
    if let Err(e) = deps::process_import_values_tree(&mut chart) {
        let f = files.path(chart.chart_file).to_string();
        fail(&mut out, DiagKind::Render, &f, 0, e);
    }
    let vals = match values::coalesce_values_of(&chart, &user, false) {
        Ok(v) => v,
        Err(e) => {
            let f = files.path(chart.chart_file).to_string();
            fail(&mut out, DiagKind::Render, &f, 0, e);
            Value::empty_map()
        }
    };
    validate_schemas(&chart, &vals, &files, &origins, &mut out);
    let engine = render::Engine {
        files: &files,
        release,
    };
    let (outputs, sources) = engine.render(&chart, &vals, &mut out);
    collect_crds(&chart, &files, &mut out);
    let mut template_files = HashMap::new();
    collect_template_files(&chart, chart.name(), &mut template_files);
    render::manifests(
        &outputs,
        &sources,
        &files,
        &template_files,
        &origins,
        &mut out,
    );
    out.files = files.paths;
    out.origins = origins;
    out
}

fn collect_crds(c: &Chart, files: &FileTable, out: &mut Rendered) {
    for f in c.files.iter().filter(|f| f.name.starts_with("crds/")) {
        let text = f.text();
        for doc in text.split("\n---") {
            let doc = doc.trim_start_matches("---").trim();
            if doc.is_empty() {
                continue;
            }
            let stream = vigie_parse::yaml::parse(doc);
            let root = stream.documents.first().map(|d| &d.root);
            let get = |k: &[&str]| {
                root.and_then(|r| r.path(k))
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            out.crds.push(Manifest {
                source: files.path(f.file_id).to_string(),
                content: format!("{doc}\n"),
                kind: get(&["kind"]),
                name: get(&["metadata", "name"]),
                hook: false,
            });
        }
    }
    for d in &c.deps {
        collect_crds(d, files, out);
    }
}

fn collect_template_files(c: &Chart, full: &str, out: &mut HashMap<String, u16>) {
    for t in &c.templates {
        out.insert(format!("{full}/{}", t.name), t.file_id);
    }
    for d in &c.deps {
        collect_template_files(d, &format!("{full}/charts/{}", d.name()), out);
    }
}

/// The values files and `--set` expressions of the release, merged.
fn user_values(
    fs: &dyn Fs,
    release: &Release,
    files: &mut FileTable,
    origins: &mut OriginTable,
    out: &mut Rendered,
) -> Value {
    let mut user = Value::empty_map();
    for f in &release.values_files {
        let id = files.add(f);
        match fs.read(f) {
            Ok(data) => match values::load_values_file(&data, id, origins) {
                Ok(v) => user = values::merge_maps(&user, &v),
                Err((line, m)) => fail(out, DiagKind::Parse, f, line, format!("{f}: {m}")),
            },
            Err(e) => fail(
                out,
                DiagKind::Io,
                f,
                0,
                format!("cannot read values file {f}: {e}"),
            ),
        }
    }
    if !release.set.is_empty() {
        let id = files.add("--set");
        for (i, expr) in release.set.iter().enumerate() {
            let key = expr.split('=').next().unwrap_or("").to_string();
            let o: Origin = origins.add(ValueOrigin {
                file: id,
                line: i as u32 + 1,
                col: 1,
                key,
            });
            if let Err(e) = values::parse_set(expr, &user, o) {
                fail(
                    out,
                    DiagKind::Config,
                    "--set",
                    0,
                    format!("failed parsing --set data: {e}"),
                );
            }
        }
    }
    user
}

fn report_missing_dependencies(c: &Chart, files: &FileTable, out: &mut Rendered) {
    for d in deps::missing(c) {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Reference,
            Location::new(files.path(c.chart_file).into(), 0, 0),
            format!(
                "dependency {:?} is declared in Chart.yaml but missing in the charts/ folder (`helm dependency build` fetches it); the chart was rendered without it",
                d.name
            ),
        ));
    }
    for s in &c.deps {
        report_missing_dependencies(s, files, out);
    }
}

fn json_for_schema(v: &Value) -> serde_json::Value {
    match &v.v {
        vigie_gotmpl::V::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            serde_json::Value::from(*f as i64)
        }
        vigie_gotmpl::V::List(l) => {
            serde_json::Value::Array(l.items.iter().map(json_for_schema).collect())
        }
        vigie_gotmpl::V::Map(m) => serde_json::Value::Object(
            m.borrow()
                .entries
                .iter()
                .map(|(k, x)| (k.to_string(), json_for_schema(x)))
                .collect(),
        ),
        _ => v.to_json(),
    }
}

/// `values.schema.json` of the chart and of each subchart, against their values.
fn validate_schemas(
    c: &Chart,
    vals: &Value,
    files: &FileTable,
    origins: &OriginTable,
    out: &mut Rendered,
) {
    let mut problems: Vec<String> = Vec::new();
    schema_problems(c, vals, files, origins, out, &mut problems);
    if !problems.is_empty() && out.failure.is_none() {
        out.failure = Some(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{}",
            problems.join("\n")
        ));
    }
}

fn schema_problems(
    c: &Chart,
    vals: &Value,
    files: &FileTable,
    origins: &OriginTable,
    out: &mut Rendered,
    problems: &mut Vec<String>,
) {
    if let Some(s) = &c.schema {
        let schema_path = files.path(s.file_id).to_string();
        match serde_json::from_slice::<serde_json::Value>(&s.data) {
            Err(e) => {
                out.diagnostics.push(Diagnostic::new(
                    DiagKind::Parse,
                    Location::new(
                        schema_path.clone().into(),
                        e.line() as u32,
                        e.column() as u32,
                    ),
                    format!("values.schema.json is not valid JSON: {e}"),
                ));
                problems.push(format!("{}:\nschema is not valid JSON: {e}", c.name()));
            }
            Ok(schema) => match jsonschema::validator_for(&schema) {
                Err(e) => {
                    out.diagnostics.push(Diagnostic::new(
                        DiagKind::Parse,
                        Location::file(schema_path.clone().into()),
                        format!("values.schema.json is not a valid JSON Schema: {e}"),
                    ));
                }
                Ok(validator) => {
                    let inst = json_for_schema(vals);
                    let mut lines = Vec::new();
                    for err in validator.iter_errors(&inst) {
                        let ptr = err.instance_path().to_string();
                        let msg = format!(
                            "- at '{}': {}",
                            if ptr.is_empty() { "/" } else { &ptr },
                            err
                        );
                        let keys: Vec<&str> = ptr.split('/').filter(|s| !s.is_empty()).collect();
                        let origin = vals
                            .path(&keys)
                            .and_then(|v| origins.get(v.origin).cloned());
                        let loc = match &origin {
                            Some(o) => Location::new(files.path(o.file).into(), o.line, o.col),
                            None => Location::file(schema_path.clone().into()),
                        };
                        out.diagnostics.push(Diagnostic::new(
                            DiagKind::Render,
                            loc,
                            format!(
                                "values of chart {} do not meet its values.schema.json: {msg}",
                                c.name()
                            ),
                        ));
                        lines.push(msg);
                        if lines.len() >= 50 {
                            break;
                        }
                    }
                    if !lines.is_empty() {
                        problems.push(format!("{}:\n{}", c.name(), lines.join("\n")));
                    }
                }
            },
        }
    }
    for sub in &c.deps {
        let sv = vals.get(sub.name()).unwrap_or_else(Value::empty_map);
        schema_problems(sub, &sv, files, origins, out, problems);
    }
}
