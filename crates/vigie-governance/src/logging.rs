//! Logging and monitoring: logs shipped off the host (LOG-01), an alert on repeated 401/403
//! (LOG-03), metrics collected (LOG-04), failed builds watched (LOG-04.1).

use crate::Repo;
use std::sync::Arc;
use vigie_core::{Location, SourceFile};
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::{self, Node};

/// Words in a path that make a file worth reading for logging and monitoring configuration.
const PATH_WORDS: &[&str] = &[
    "prometheus",
    "rule",
    "alert",
    "grafana",
    "promtail",
    "fluent",
    "vector",
    "loki",
    "monitoring",
    "td-agent",
    "logging",
    "observability",
];

/// Markers of logging or monitoring configuration embedded in a ConfigMap.
const MARKERS: &[&str] = &[
    "[OUTPUT]",
    "<match",
    "scrape_configs",
    "groups:",
    "[sinks",
    "sinks:",
    "clients:",
    "outputs:",
    "exporters:",
];

pub fn interesting_config_map(o: &Object) -> bool {
    o.node.get("data").is_some_and(|d| {
        d.entries().iter().any(|e| {
            e.value
                .as_str()
                .is_some_and(|v| MARKERS.iter().any(|m| v.contains(m)))
        })
    })
}

/// A text to look at: a file, or a value of a ConfigMap (positions shifted to the file).
pub(crate) struct Doc {
    /// `prometheus/rules.yml`, or `k8s/cm.yaml › ConfigMap/ns/name › rules.yml`.
    pub(crate) name: String,
    /// The file's path name (for the file name heuristics).
    pub(crate) key: String,
    pub(crate) src: SourceFile,
    /// Line of the text's first line in the file, minus one.
    pub(crate) line_offset: u32,
}

impl Doc {
    pub(crate) fn at(&self, line: u32, col: u32) -> Location {
        Location::new(self.src.path.clone(), line + self.line_offset, col)
    }
    pub(crate) fn at_offset(&self, offset: usize) -> Location {
        let l = self.src.location(offset);
        self.at(l.line, l.column)
    }
}

/// The logging and monitoring documents: files whose path names a logging or monitoring tool,
/// and every value of a ConfigMap.
pub(crate) fn docs(repo: &Repo<'_>, objects: &[Object]) -> Vec<Doc> {
    let mut out = Vec::new();
    for rel in &repo.files {
        let lower = rel.to_ascii_lowercase();
        let ext_ok = [".yml", ".yaml", ".conf", ".toml"]
            .iter()
            .any(|e| lower.ends_with(e));
        if !ext_ok || !PATH_WORDS.iter().any(|w| lower.contains(w)) {
            continue;
        }
        if let Some(text) = (repo.read)(rel) {
            out.push(Doc {
                name: rel.to_string(),
                key: lower,
                src: SourceFile::new(Arc::<str>::from(*rel), text),
                line_offset: 0,
            });
        }
    }
    for o in objects.iter().filter(|o| o.kind == "ConfigMap") {
        for e in o.node.get("data").map(Node::entries).unwrap_or(&[]) {
            if let Some(v) = e.value.as_str() {
                // a block scalar starts on the line after its key
                let offset = if v.contains('\n') {
                    e.value.pos.line
                } else {
                    e.value.pos.line.saturating_sub(1)
                };
                out.push(Doc {
                    name: format!("{} › {}", o.id(), e.key),
                    key: e.key.to_ascii_lowercase(),
                    src: SourceFile::new(o.file.clone(), v.to_string()),
                    line_offset: offset,
                });
            }
        }
    }
    out
}

/// A log collector's output.
pub(crate) struct Output {
    pub(crate) collector: &'static str,
    pub(crate) plugin: String,
    pub(crate) remote: bool,
    pub(crate) at: Location,
    pub(crate) doc: String,
}

pub(crate) fn is_local_host(h: &str) -> bool {
    let h = h.trim().trim_matches('"').to_ascii_lowercase();
    h.is_empty()
        || h == "localhost"
        || h.starts_with("127.")
        || h == "::1"
        || h.contains("://localhost")
        || h.contains("://127.")
}

const LOCAL_PLUGINS: &[&str] = &[
    "stdout",
    "file",
    "null",
    "counter",
    "console",
    "blackhole",
    "exit",
    "flowcounter",
];

pub(crate) fn outputs(d: &Doc, out: &mut Vec<Output>) {
    let text = &d.src.text;
    // Fluent Bit, classic format: [OUTPUT] sections with Name and Host
    if text.contains("[OUTPUT]") {
        let mut section: Option<(usize, String, Option<String>)> = None;
        let flush = |s: Option<(usize, String, Option<String>)>, out: &mut Vec<Output>| {
            if let Some((off, name, host)) = s {
                let local = LOCAL_PLUGINS.contains(&name.as_str())
                    || host.as_deref().is_some_and(is_local_host);
                out.push(Output {
                    collector: "Fluent Bit",
                    plugin: name,
                    remote: !local,
                    at: d.at_offset(off),
                    doc: d.name.clone(),
                });
            }
        };
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with('[') {
                flush(section.take(), out);
                if t.eq_ignore_ascii_case("[OUTPUT]") {
                    section = Some((offset, String::new(), None));
                }
            } else if let Some((_, name, host)) = section.as_mut() {
                let mut kv = t.splitn(2, char::is_whitespace);
                let k = kv.next().unwrap_or("").to_ascii_lowercase();
                let v = kv.next().unwrap_or("").trim().to_string();
                match k.as_str() {
                    "name" => *name = v.to_ascii_lowercase(),
                    "host" => *host = Some(v),
                    _ => {}
                }
            }
            offset += line.len();
        }
        flush(section.take(), out);
        return;
    }
    // Fluentd: <match …> @type X, host Y </match>
    if text.contains("<match") {
        let mut offset = 0;
        let mut current: Option<(usize, String, Option<String>)> = None;
        for line in text.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with("<match") {
                current = Some((offset, String::new(), None));
            } else if t.starts_with("</match") {
                if let Some((off, plugin, host)) = current.take() {
                    let local = LOCAL_PLUGINS.contains(&plugin.as_str())
                        || host.as_deref().is_some_and(is_local_host);
                    out.push(Output {
                        collector: "Fluentd",
                        plugin,
                        remote: !local,
                        at: d.at_offset(off),
                        doc: d.name.clone(),
                    });
                }
            } else if let Some((_, plugin, host)) = current.as_mut() {
                if let Some(v) = t.strip_prefix("@type") {
                    if plugin.is_empty() {
                        *plugin = v.trim().to_string();
                    }
                } else if let Some(v) = t.strip_prefix("host ") {
                    *host = Some(v.trim().to_string());
                }
            }
            offset += line.len();
        }
        return;
    }
    // Vector, TOML: [sinks.name] type = "…"
    if d.key.ends_with(".toml") {
        if let Ok(v) = text.parse::<toml::Table>()
            && let Some(sinks) = v.get("sinks").and_then(|s| s.as_table())
        {
            for (name, s) in sinks {
                let plugin = s
                    .get("type")
                    .and_then(|t| t.as_str())
                    .unwrap_or("")
                    .to_string();
                let endpoint = s
                    .get("endpoint")
                    .or_else(|| s.get("address"))
                    .and_then(|t| t.as_str());
                let off = text.find(&format!("sinks.{name}")).unwrap_or(0);
                out.push(Output {
                    collector: "Vector",
                    remote: !LOCAL_PLUGINS.contains(&plugin.as_str())
                        && !endpoint.is_some_and(is_local_host),
                    plugin,
                    at: d.at_offset(off),
                    doc: d.name.clone(),
                });
            }
        }
        return;
    }
    if !(d.key.ends_with(".yml") || d.key.ends_with(".yaml")) {
        return;
    }
    let stream = yaml::parse(text);
    for doc in &stream.documents {
        let root = &doc.root;
        // Vector, YAML
        for e in root.get("sinks").map(Node::entries).unwrap_or(&[]) {
            let plugin = e
                .value
                .get("type")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            let endpoint = e
                .value
                .get("endpoint")
                .or_else(|| e.value.get("address"))
                .and_then(Node::as_str);
            out.push(Output {
                collector: "Vector",
                remote: !LOCAL_PLUGINS.contains(&plugin.as_str())
                    && !endpoint.is_some_and(is_local_host),
                plugin,
                at: d.at(e.key_pos.line, e.key_pos.col),
                doc: d.name.clone(),
            });
        }
        // OpenTelemetry Collector: a logs pipeline and its exporters
        if let Some(p) = root.path(&["service", "pipelines"]) {
            for e in p.entries().iter().filter(|e| e.key.starts_with("logs")) {
                let exporters: Vec<&str> = e
                    .value
                    .get("exporters")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Node::as_str)
                    .collect();
                let remote = exporters.iter().any(|x| {
                    let kind = x.split('/').next().unwrap_or(x);
                    !matches!(kind, "debug" | "logging" | "file" | "nop")
                });
                out.push(Output {
                    collector: "OpenTelemetry Collector",
                    plugin: exporters.join(", "),
                    remote,
                    at: d.at(e.key_pos.line, e.key_pos.col),
                    doc: d.name.clone(),
                });
            }
        }
        // Promtail: clients[].url
        for c in root.get("clients").map(Node::items).unwrap_or(&[]) {
            if let Some(u) = c.get("url") {
                let url = u.as_str().unwrap_or("");
                out.push(Output {
                    collector: "Promtail",
                    plugin: format!("loki {url}"),
                    remote: !is_local_host(url),
                    at: d.at(u.pos.line, u.pos.col),
                    doc: d.name.clone(),
                });
            }
        }
        // Fluent Bit, YAML: pipeline.outputs[].name
        for o in root
            .path(&["pipeline", "outputs"])
            .map(Node::items)
            .unwrap_or(&[])
        {
            if let Some(n) = o.get("name") {
                let plugin = n.as_str().unwrap_or("").to_ascii_lowercase();
                let host = o.get("host").and_then(Node::as_str);
                out.push(Output {
                    collector: "Fluent Bit",
                    remote: !LOCAL_PLUGINS.contains(&plugin.as_str())
                        && !host.is_some_and(is_local_host),
                    plugin,
                    at: d.at(n.pos.line, n.pos.col),
                    doc: d.name.clone(),
                });
            }
        }
    }
}

/// An alerting rule read from a rule file or a PrometheusRule.
pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) expr: String,
    pub(crate) at: Location,
}

pub(crate) fn rules_of(root: &Node, at: &dyn Fn(&Node) -> Location, out: &mut Vec<Rule>) {
    for g in root.get("groups").map(Node::items).unwrap_or(&[]) {
        for r in g.get("rules").map(Node::items).unwrap_or(&[]) {
            let (Some(name), Some(expr)) = (r.get("alert").and_then(Node::as_str), r.get("expr"))
            else {
                continue;
            };
            out.push(Rule {
                name: name.to_string(),
                expr: expr.as_str().unwrap_or("").to_string(),
                at: at(expr),
            });
        }
    }
}

/// Where a repository-wide failure is shown: the first Compose file, else the first workload.
pub(crate) fn platform_anchor(repo: &Repo<'_>, objects: &[Object]) -> Option<Location> {
    repo.compose
        .iter()
        .find(|p| p.merged.is_some())
        .and_then(|p| p.files.first())
        .map(|f| Location::file(f.clone()))
        .or_else(|| {
            objects
                .iter()
                .filter(|o| o.node.get("x-pss").is_some())
                .map(|o| Location::file(o.file.clone()))
                .min()
        })
}
