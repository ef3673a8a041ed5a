//! Charts as Helm's loader reads them: `Chart.yaml` (v2, and v1 with `requirements.yaml`),
//! `values.yaml` (every document merged), `values.schema.json`, `templates/`, subcharts under
//! `charts/` as folders or `.tgz` archives, every other file available to `.Files`, and
//! `.helmignore`.

use crate::fs::Fs;
use crate::values::{FileTable, OriginTable};
use std::io::Read;
use std::rc::Rc;
use vigie_gotmpl::Value;

/// Helm's limits for archives.
const MAX_ARCHIVE_BYTES: u64 = 100 << 20;
const MAX_FILE_BYTES: u64 = 5 << 20;
/// Subcharts nested deeper than this are not loaded.
const MAX_CHART_DEPTH: usize = 32;

#[derive(Debug, Clone)]
pub struct ChartFile {
    /// Path inside the chart (`templates/deployment.yaml`).
    pub name: String,
    pub data: Rc<Vec<u8>>,
    /// Index of the file in the render's file table (for locations).
    pub file_id: u16,
}

impl ChartFile {
    /// The file as text, invalid UTF-8 replaced as Go's string conversion reads it; borrowed
    /// when the file is valid UTF-8 (templates of CRD charts run to megabytes).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        // `from_utf8` checks ASCII a word at a time; the lossy reader goes byte by byte
        match std::str::from_utf8(&self.data) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(&self.data),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub import_values: Vec<Value>,
    pub alias: String,
}

#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub api_version: String,
    pub name: String,
    pub version: String,
    pub app_version: String,
    pub kube_version: String,
    pub description: String,
    pub chart_type: String,
    pub condition: String,
    pub tags: String,
    pub deprecated: bool,
    pub home: String,
    pub icon: String,
    pub sources: Vec<String>,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Value>,
    pub annotations: Vec<(String, String)>,
    pub dependencies: Vec<Dependency>,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub meta: Metadata,
    pub values: Value,
    pub schema: Option<ChartFile>,
    pub templates: Vec<ChartFile>,
    pub files: Vec<ChartFile>,
    pub deps: Vec<Chart>,
    /// Where the chart was read from, for messages (`charts/app`, `charts/app/charts/db-1.0.tgz`).
    pub location: String,
    /// File id of `Chart.yaml`.
    pub chart_file: u16,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.meta.name
    }
    pub fn is_library(&self) -> bool {
        self.meta.chart_type == "library"
    }
}

#[derive(Debug, Clone)]
pub struct LoadError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// Context shared while loading: the file and origin tables the render returns.
pub struct Loader<'a> {
    pub fs: &'a dyn Fs,
    pub files: &'a mut FileTable,
    pub origins: &'a mut OriginTable,
}

struct RawFile {
    name: String,
    data: Vec<u8>,
    display: String,
}

impl Loader<'_> {
    /// Load the chart in folder `dir` of the file system.
    pub fn load_dir(&mut self, dir: &str) -> Result<Chart, LoadError> {
        let ignore = self.helmignore(dir);
        let mut raw = Vec::new();
        self.walk(dir, "", &ignore, &mut raw)?;
        self.load_files(raw, dir, 0)
    }

    fn helmignore(&self, dir: &str) -> Vec<IgnoreRule> {
        let mut rules = vec![IgnoreRule::parse("templates/.?*").expect("a valid default rule")];
        if let Ok(b) = self.fs.read(&join(dir, ".helmignore")) {
            for line in String::from_utf8_lossy(&b).lines() {
                if let Some(r) = IgnoreRule::parse(line) {
                    rules.push(r);
                }
            }
        }
        rules
    }

    fn walk(
        &self,
        root: &str,
        rel: &str,
        ignore: &[IgnoreRule],
        out: &mut Vec<RawFile>,
    ) -> Result<(), LoadError> {
        let dir = join(root, rel);
        let entries = self.fs.list(&dir).map_err(|e| LoadError {
            file: dir.clone(),
            line: 0,
            message: format!("cannot read the chart folder: {e}"),
        })?;
        for (name, is_dir) in entries {
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if ignored(ignore, &path, is_dir) {
                continue;
            }
            if is_dir {
                self.walk(root, &path, ignore, out)?;
            } else {
                let display = join(root, &path);
                let data = self.fs.read(&display).map_err(|e| LoadError {
                    file: display.clone(),
                    line: 0,
                    message: format!("cannot read: {e}"),
                })?;
                out.push(RawFile {
                    name: path,
                    data,
                    display,
                });
            }
        }
        Ok(())
    }

    /// Helm's `LoadFiles`.
    fn load_files(
        &mut self,
        files: Vec<RawFile>,
        location: &str,
        depth: usize,
    ) -> Result<Chart, LoadError> {
        let chart_yaml = files
            .iter()
            .find(|f| f.name == "Chart.yaml")
            .ok_or_else(|| LoadError {
                file: join(location, "Chart.yaml"),
                line: 0,
                message: "Chart.yaml file is missing".into(),
            })?;
        let chart_file = self.files.add(&chart_yaml.display);
        let mut meta = parse_metadata(&chart_yaml.data).map_err(|(line, m)| LoadError {
            file: chart_yaml.display.clone(),
            line,
            message: format!("cannot load Chart.yaml: {m}"),
        })?;
        if meta.api_version.is_empty() {
            meta.api_version = "v1".into();
        }
        let mut chart = Chart {
            meta,
            values: Value::empty_map(),
            schema: None,
            templates: Vec::new(),
            files: Vec::new(),
            deps: Vec::new(),
            location: location.to_string(),
            chart_file,
        };
        let mut subcharts: Vec<(String, Vec<RawFile>)> = Vec::new();
        for f in files {
            let name = f.name.clone();
            match name.as_str() {
                "Chart.yaml" | "Chart.lock" | "requirements.lock" => {}
                "values.yaml" => {
                    let id = self.files.add(&f.display);
                    chart.values = crate::values::load_values_file(&f.data, id, self.origins)
                        .map_err(|(line, m)| LoadError {
                            file: f.display.clone(),
                            line,
                            message: format!("cannot load values.yaml: {m}"),
                        })?;
                }
                "values.schema.json" => {
                    let id = self.files.add(&f.display);
                    chart.schema = Some(ChartFile {
                        name,
                        data: Rc::new(f.data),
                        file_id: id,
                    });
                }
                "requirements.yaml" => {
                    if let Ok(m) = parse_metadata(&f.data) {
                        chart.meta.dependencies = m.dependencies;
                    }
                }
                n if n.starts_with("templates/") => {
                    let id = self.files.add(&f.display);
                    chart.templates.push(ChartFile {
                        name,
                        data: Rc::new(f.data),
                        file_id: id,
                    });
                }
                n if n.starts_with("charts/") && !n.ends_with(".prov") => {
                    let rest = &n["charts/".len()..];
                    let (cname, inner) = match rest.split_once('/') {
                        Some((c, i)) => (c.to_string(), i.to_string()),
                        None => (rest.to_string(), rest.to_string()),
                    };
                    let raw = RawFile {
                        name: inner,
                        data: f.data,
                        display: f.display,
                    };
                    match subcharts.iter_mut().find(|(c, _)| *c == cname) {
                        Some((_, v)) => v.push(raw),
                        None => subcharts.push((cname, vec![raw])),
                    }
                }
                _ => {
                    let id = self.files.add(&f.display);
                    chart.files.push(ChartFile {
                        name,
                        data: Rc::new(f.data),
                        file_id: id,
                    });
                }
            }
        }
        validate(&chart).map_err(|m| LoadError {
            file: join(location, "Chart.yaml"),
            line: 0,
            message: m,
        })?;
        if depth >= MAX_CHART_DEPTH {
            return Ok(chart);
        }
        subcharts.sort_by(|a, b| a.0.cmp(&b.0));
        for (cname, files) in subcharts {
            if cname.starts_with(['_', '.']) {
                continue;
            }
            let sub_location = join(location, &format!("charts/{cname}"));
            let sub = if cname.ends_with(".tgz") {
                let Some(f) = files.into_iter().find(|f| f.name == cname) else {
                    continue;
                };
                self.load_archive(&f.data, &sub_location, depth + 1)
            } else {
                // A folder holding only `.tgz` files or nothing loadable is an error, as in Helm.
                let files: Vec<RawFile> = files.into_iter().filter(|f| f.name != cname).collect();
                self.load_files(files, &sub_location, depth + 1)
            };
            match sub {
                Ok(c) => chart.deps.push(c),
                Err(e) => {
                    return Err(LoadError {
                        file: e.file,
                        line: e.line,
                        message: format!(
                            "error unpacking subchart {cname} in {}: {}",
                            chart.meta.name, e.message
                        ),
                    });
                }
            }
        }
        Ok(chart)
    }

    /// Load a chart from `.tgz` bytes (the archive's first path component is the chart's name).
    pub fn load_archive(
        &mut self,
        data: &[u8],
        location: &str,
        depth: usize,
    ) -> Result<Chart, LoadError> {
        let err = |m: String| LoadError {
            file: location.to_string(),
            line: 0,
            message: m,
        };
        let gz = flate2::read::GzDecoder::new(data);
        let mut ar = tar::Archive::new(gz.take(MAX_ARCHIVE_BYTES + 1));
        let mut files: Vec<RawFile> = Vec::new();
        let mut total: u64 = 0;
        let entries = ar
            .entries()
            .map_err(|e| err(format!("cannot read the archive: {e}")))?;
        for e in entries {
            let mut e = e.map_err(|e| err(format!("cannot read the archive: {e}")))?;
            if !e.header().entry_type().is_file() {
                continue;
            }
            let path = e
                .path()
                .map_err(|e| err(format!("bad path in the archive: {e}")))?
                .to_string_lossy()
                .replace('\\', "/");
            let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            if parts.len() < 2 {
                continue;
            }
            if parts.contains(&"..") {
                return Err(err(format!(
                    "chart illegally references a parent folder: {path}"
                )));
            }
            let size = e.size();
            if size > MAX_FILE_BYTES {
                return Err(err(format!(
                    "decompressed chart file {path} is larger than the maximum file size {MAX_FILE_BYTES}"
                )));
            }
            total += size;
            if total > MAX_ARCHIVE_BYTES {
                return Err(err(format!(
                    "decompressed chart is larger than the maximum size {MAX_ARCHIVE_BYTES}"
                )));
            }
            let mut buf = Vec::with_capacity(size as usize);
            e.read_to_end(&mut buf)
                .map_err(|e| err(format!("cannot read {path}: {e}")))?;
            let name = parts[1..].join("/");
            files.push(RawFile {
                display: format!("{location}#{}", parts.join("/")),
                name,
                data: buf,
            });
        }
        if files.is_empty() {
            return Err(err("no files in chart archive".into()));
        }
        // Helm's default ignore rule for archives' templates.
        files.retain(|f| !(f.name.starts_with("templates/.") || f.name.contains("/templates/.")));
        self.load_files(files, location, depth)
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() || a == "." {
        b.to_string()
    } else if b.is_empty() {
        a.to_string()
    } else {
        format!("{}/{}", a.trim_end_matches('/'), b)
    }
}

fn validate(c: &Chart) -> Result<(), String> {
    let m = &c.meta;
    if !matches!(m.api_version.as_str(), "v1" | "v2") {
        return Err(format!(
            "validation: chart.metadata.apiVersion {:?} is not valid",
            m.api_version
        ));
    }
    if m.name.is_empty() {
        return Err("validation: chart.metadata.name is required".into());
    }
    if m.name.contains(['/', '\\']) || m.name == "." || m.name == ".." {
        return Err(format!(
            "validation: chart.metadata.name {:?} is invalid",
            m.name
        ));
    }
    if m.version.is_empty() {
        return Err("validation: chart.metadata.version is required".into());
    }
    if vigie_gotmpl::funcs::SemVer::parse(&m.version).is_none() {
        return Err(format!(
            "validation: chart.metadata.version {:?} is invalid",
            m.version
        ));
    }
    if !matches!(m.chart_type.as_str(), "" | "application" | "library") {
        return Err("validation: chart.metadata.type must be application or library".into());
    }
    Ok(())
}

fn s(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(|x| x.as_str().map(String::from))
        .unwrap_or_default()
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(|x| {
            x.as_list().map(|l| {
                l.items
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// `Chart.yaml` into metadata; string fields keep the text written (`1.10` stays `1.10`).
fn parse_metadata(data: &[u8]) -> Result<Metadata, (u32, String)> {
    let text = String::from_utf8_lossy(data);
    let v = vigie_gotmpl::yaml::parse_yaml_with(&text, true, &mut |_| vigie_gotmpl::Origin::NONE)
        .map_err(|e| (e.line, format!("error converting YAML to JSON: {e}")))?;
    if !v.is_nil() && v.as_map().is_none() {
        return Err((1, "Chart.yaml is not a mapping".into()));
    }
    let deps = v
        .get("dependencies")
        .and_then(|d| d.as_list().cloned())
        .map(|l| {
            l.items
                .iter()
                .map(|d| Dependency {
                    name: s(d, "name"),
                    version: s(d, "version"),
                    repository: s(d, "repository"),
                    condition: s(d, "condition"),
                    tags: strings(d, "tags"),
                    enabled: s(d, "enabled") == "true",
                    import_values: d
                        .get("import-values")
                        .and_then(|x| x.as_list().map(|l| l.items.clone()))
                        .unwrap_or_default(),
                    alias: s(d, "alias"),
                })
                .collect()
        })
        .unwrap_or_default();
    let annotations = v
        .get("annotations")
        .and_then(|a| {
            a.as_map().map(|m| {
                m.borrow()
                    .entries
                    .iter()
                    .map(|(k, x)| (k.to_string(), x.as_str().unwrap_or("").to_string()))
                    .collect()
            })
        })
        .unwrap_or_default();
    Ok(Metadata {
        api_version: s(&v, "apiVersion"),
        name: s(&v, "name"),
        version: s(&v, "version"),
        app_version: s(&v, "appVersion"),
        kube_version: s(&v, "kubeVersion"),
        description: s(&v, "description"),
        chart_type: s(&v, "type"),
        condition: s(&v, "condition"),
        tags: s(&v, "tags"),
        deprecated: s(&v, "deprecated") == "true",
        home: s(&v, "home"),
        icon: s(&v, "icon"),
        sources: strings(&v, "sources"),
        keywords: strings(&v, "keywords"),
        maintainers: v
            .get("maintainers")
            .and_then(|m| m.as_list().map(|l| l.items.clone()))
            .unwrap_or_default(),
        annotations,
        dependencies: deps,
    })
}

/// One `.helmignore` rule (Helm's `ignore` package: Go's `filepath.Match` patterns).
struct IgnoreRule {
    negate: bool,
    dir_only: bool,
    /// Match the whole path (the pattern has a `/`) or the base name.
    full_path: bool,
    pattern: String,
}

impl IgnoreRule {
    fn parse(line: &str) -> Option<IgnoreRule> {
        let mut p = line.trim();
        if p.is_empty() || p.starts_with('#') {
            return None;
        }
        let negate = p.starts_with('!');
        if negate {
            p = p[1..].trim();
        }
        let dir_only = p.ends_with('/');
        let p = p.trim_end_matches('/');
        let p = p.trim_start_matches('/');
        if p.is_empty() || p.contains("**") {
            return None;
        }
        Some(IgnoreRule {
            negate,
            dir_only,
            full_path: p.contains('/'),
            pattern: p.to_string(),
        })
    }
}

/// Go's `path.Match`: `*` (not across `/`), `?`, `[…]` classes with ranges and `^`, `\` escapes.
pub(crate) fn go_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_at(&p, &n)
}

fn match_at(p: &[char], n: &[char]) -> bool {
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, len)) = class(&p[pi..], n[ni])
                        && ok
                        && n[ni] != '/'
                    {
                        pi += len;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() && p[pi + 1] == n[ni] => {
                    pi += 2;
                    ni += 1;
                    continue;
                }
                c if c != '\\' && c != '?' && c != '[' && c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        // Backtrack: let the last `*` absorb one more character (never a `/`).
        match star {
            Some((sp, sn)) if n[sn] != '/' => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            _ => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A `[…]` class at the start of `p`: (matches `c`, length of the class).
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = p.get(i) == Some(&'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        let mut lo = p[i];
        if lo == '\\' {
            i += 1;
            lo = *p.get(i)?;
        }
        let mut hi = lo;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&x| x != ']') {
            hi = p[i + 2];
            if hi == '\\' {
                hi = *p.get(i + 3)?;
                i += 1;
            }
            i += 2;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
        i += 1;
    }
    None
}

fn ignored(rules: &[IgnoreRule], path: &str, is_dir: bool) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let mut ignore = false;
    for r in rules {
        if r.dir_only && !is_dir {
            continue;
        }
        let hit = if r.full_path {
            go_match(&r.pattern, path)
        } else {
            go_match(&r.pattern, base)
        };
        if hit {
            ignore = !r.negate;
        }
    }
    ignore
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helmignore_patterns_match_as_go_path_match() {
        assert!(go_match("*.tmp", "a.tmp"));
        assert!(!go_match("*.tmp", "dir/a.tmp"));
        assert!(go_match("templates/.?*", "templates/.hidden"));
        assert!(!go_match("templates/.?*", "templates/x.yaml"));
        assert!(go_match("[ab]c?", "bcd"));
        assert!(go_match("[^ab]c", "xc"));
        assert!(go_match("a\\*b", "a*b"));
        assert!(go_match(".git", ".git"));
        let rules: Vec<IgnoreRule> = ["*.md", "!README.md", "tests/"]
            .iter()
            .filter_map(|l| IgnoreRule::parse(l))
            .collect();
        assert!(ignored(&rules, "docs/x.md", false));
        assert!(!ignored(&rules, "README.md", false));
        assert!(ignored(&rules, "tests", true));
        assert!(!ignored(&rules, "tests", false));
    }
}
