//! Logging and monitoring: logs shipped off the host (LOG-01), an alert on repeated 401/403
//! (LOG-03), metrics collected (LOG-04), failed builds watched (LOG-04.1).

use crate::docs::*;
use crate::promql::{counts_over_time, status_condition};
use crate::tf::{Terraform, blocks, unquote};
use crate::{Out, Repo};
use std::sync::Arc;
use vigie_core::{Location, SourceFile, Verdict};
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
struct Doc {
    /// `prometheus/rules.yml`, or `k8s/cm.yaml › ConfigMap/ns/name › rules.yml`.
    name: String,
    /// The file's path name (for the file name heuristics).
    key: String,
    src: SourceFile,
    /// Line of the text's first line in the file, minus one.
    line_offset: u32,
}

impl Doc {
    fn at(&self, line: u32, col: u32) -> Location {
        Location::new(self.src.path.clone(), line + self.line_offset, col)
    }
    fn at_offset(&self, offset: usize) -> Location {
        let l = self.src.location(offset);
        self.at(l.line, l.column)
    }
}

fn docs(repo: &Repo<'_>, objects: &[Object]) -> Vec<Doc> {
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
struct Output {
    collector: &'static str,
    plugin: String,
    remote: bool,
    at: Location,
    doc: String,
}

fn is_local_host(h: &str) -> bool {
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

fn outputs(d: &Doc, out: &mut Vec<Output>) {
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

/// Compose logging drivers that send logs off the host by themselves.
const SHIPPING_DRIVERS: &[&str] = &[
    "gelf",
    "awslogs",
    "gcplogs",
    "splunk",
    "logentries",
    "loki",
    "grafana/loki-docker-driver",
    "etwlogs",
];

pub fn run(repo: &Repo<'_>, objects: &[Object], tf: &Terraform, out: &mut Out) {
    let docs = docs(repo, objects);
    log_shipping(repo, &docs, tf, out);
    alerts(repo, objects, &docs, tf, out);
    metrics(repo, objects, &docs, out);
    failed_builds(repo, objects, &docs, tf, out);
}

fn log_shipping(repo: &Repo<'_>, docs: &[Doc], tf: &Terraform, out: &mut Out) {
    let mut outs = Vec::new();
    for d in docs {
        outputs(d, &mut outs);
    }
    // one verdict per collector configuration
    let mut by_doc: Vec<(&str, Vec<&Output>)> = Vec::new();
    for o in &outs {
        match by_doc.iter_mut().find(|(d, _)| *d == o.doc) {
            Some((_, l)) => l.push(o),
            None => by_doc.push((&o.doc, vec![o])),
        }
    }
    let mut shipping: Option<&Output> = None;
    for (doc, list) in &by_doc {
        match list.iter().find(|o| o.remote) {
            Some(o) => {
                shipping = shipping.or(Some(o));
                out.verdicts.push(Verdict::pass(
                    &LOG_01,
                    *doc,
                    o.at.clone(),
                    format!("{} ships logs off the host (output `{}`)", o.collector, o.plugin),
                ));
            }
            None => out.verdicts.push(Verdict::fail(
                &LOG_01,
                *doc,
                list[0].at.clone(),
                format!(
                    "{} only writes logs locally (outputs: {})",
                    list[0].collector,
                    list.iter()
                        .map(|o| format!("`{}`", o.plugin))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "add an output to a central store (Loki, Elasticsearch/OpenSearch, Cloud Logging, a remote syslog)",
            )),
        }
    }
    // Compose services
    for p in repo.compose {
        let Some(merged) = &p.merged else { continue };
        for s in merged.get("services").map(Node::entries).unwrap_or(&[]) {
            let subject = format!("{} › services.{}", p.name, s.key);
            let logging = s.value.get("logging");
            let driver_node = logging.and_then(|l| l.get("driver"));
            let driver = driver_node.and_then(Node::as_str).unwrap_or("json-file");
            let opts = logging.and_then(|l| l.get("options"));
            let opt = |k: &str| opts.and_then(|o| o.get(k)).and_then(Node::as_str);
            let at = p.loc(driver_node.map_or(s.key_pos, |n| n.pos));
            let remote = match driver {
                d if SHIPPING_DRIVERS.contains(&d) || d.starts_with("grafana/loki") => true,
                "syslog" => opt("syslog-address")
                    .is_some_and(|a| !is_local_host(a) && !a.starts_with("unix")),
                "fluentd" => {
                    opt("fluentd-address").is_some_and(|a| !is_local_host(a)) || shipping.is_some()
                }
                _ => false,
            };
            if remote {
                out.verdicts.push(Verdict::pass(
                    &LOG_01,
                    subject,
                    at,
                    format!(
                        "the `{driver}` logging driver sends the logs of `{}` off the host",
                        s.key
                    ),
                ));
            } else if driver != "none"
                && let Some(c) = shipping
            {
                out.verdicts.push(
                    Verdict::pass(
                        &LOG_01,
                        subject,
                        at,
                        format!(
                            "`{}` logs through `{driver}`, collected by {} which ships them off the host",
                            s.key, c.collector
                        ),
                    )
                    .with_related(Some(c.at.clone())),
                );
            } else {
                out.verdicts.push(Verdict::fail(
                    &LOG_01,
                    subject,
                    at,
                    format!(
                        "`{}` logs with the `{driver}` driver{}, which keeps them on the host, and no collector of the repository ships them",
                        s.key,
                        if driver_node.is_none() { " (the default)" } else { "" }
                    ),
                    "set `logging: {driver: gelf, options: {gelf-address: \"udp://logs.example.org:12201\"}}` (or fluentd/syslog to a remote address), or add a collector (Fluent Bit, Vector, Promtail) shipping to a central store",
                ));
            }
        }
    }
    // GKE clusters
    for r in tf.resources("google_container_cluster") {
        let f = r.file;
        let body = &r.block.body;
        if let Some((v, at)) = f.attr(body, "logging_service") {
            let v = unquote(&v);
            if v == "none" {
                out.verdicts.push(Verdict::fail(
                    &LOG_01,
                    r.id(),
                    at,
                    format!(
                        "{} turns Cloud Logging off (`logging_service = \"none\"`)",
                        r.id()
                    ),
                    "remove `logging_service` or set it to `logging.googleapis.com/kubernetes`",
                ));
            } else {
                out.verdicts.push(Verdict::pass(
                    &LOG_01,
                    r.id(),
                    at,
                    format!("{} sends its logs to Cloud Logging (`{v}`)", r.id()),
                ));
            }
            continue;
        }
        if let Some(lc) = blocks(body, "logging_config").next()
            && let Some((v, at)) = f.attr(&lc.body, "enable_components")
        {
            if v.contains("WORKLOADS") {
                out.verdicts.push(Verdict::pass(
                    &LOG_01,
                    r.id(),
                    at,
                    format!("{} sends workload logs to Cloud Logging ({v})", r.id()),
                ));
            } else {
                out.verdicts.push(Verdict::fail(
                    &LOG_01,
                    r.id(),
                    at,
                    format!(
                        "{} does not collect workload logs (`enable_components = {v}`)",
                        r.id()
                    ),
                    "set `enable_components = [\"SYSTEM_COMPONENTS\", \"WORKLOADS\"]`",
                ));
            }
            continue;
        }
        out.verdicts.push(Verdict::pass(
            &LOG_01,
            r.id(),
            r.at(),
            format!(
                "{} keeps GKE's default Cloud Logging of system and workload logs",
                r.id()
            ),
        ));
    }
}

/// An alerting rule read from a rule file or a PrometheusRule.
struct Rule {
    name: String,
    expr: String,
    at: Location,
}

fn rules_of(root: &Node, at: &dyn Fn(&Node) -> Location, out: &mut Vec<Rule>) {
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

/// LOG-03: alerting rules on 401/403, in Prometheus and in Terraform.
fn alerts(repo: &Repo<'_>, objects: &[Object], docs: &[Doc], tf: &Terraform, out: &mut Out) {
    // (source, rules)
    let mut sources: Vec<(String, Location, Vec<Rule>)> = Vec::new();
    for d in docs {
        if !(d.key.ends_with(".yml") || d.key.ends_with(".yaml")) || !d.src.text.contains("groups")
        {
            continue;
        }
        let stream = yaml::parse(&d.src.text);
        let mut rules = Vec::new();
        for doc in &stream.documents {
            rules_of(
                &doc.root,
                &|n: &Node| d.at(n.pos.line, n.pos.col),
                &mut rules,
            );
        }
        if !rules.is_empty() {
            sources.push((d.name.clone(), d.at(1, 1), rules));
        }
    }
    for o in objects.iter().filter(|o| o.kind == "PrometheusRule") {
        let mut rules = Vec::new();
        if let Some(spec) = o.node.get("spec") {
            rules_of(spec, &|n: &Node| o.loc(n.pos), &mut rules);
        }
        sources.push((o.id(), o.at.clone(), rules));
    }
    let mut found = false;
    for (_, _, rules) in &sources {
        for r in rules {
            if let Some(cond) = status_condition(&r.expr) {
                if counts_over_time(&r.expr) {
                    found = true;
                    out.verdicts.push(Verdict::pass(
                        &LOG_03,
                        format!("alert {}", r.name),
                        r.at.clone(),
                        format!("the alert `{}` counts responses matching `{cond}` over time against a threshold", r.name),
                    ));
                } else {
                    found = true;
                    out.verdicts.push(Verdict::fail(
                        &LOG_03,
                        format!("alert {}", r.name),
                        r.at.clone(),
                        format!("the alert `{}` watches `{cond}` but fires on any single response, not on repeated ones", r.name),
                        "count over a window with a threshold: `sum(rate(…{status=~\"401|403\"}[5m])) > N`",
                    ));
                }
            }
        }
    }
    // Terraform: a log-based metric on 401/403 and an alert policy on it, or a log-match alert
    let mut tf_sources = 0;
    let mut metrics: Vec<(String, String, Location)> = Vec::new();
    for r in tf.resources("google_logging_metric") {
        tf_sources += 1;
        if let Some((filter, at)) = r.file.attr(&r.block.body, "filter")
            && let Some(cond) = status_condition(&filter)
        {
            let name = r
                .file
                .attr(&r.block.body, "name")
                .map(|(n, _)| unquote(&n).to_string())
                .unwrap_or_default();
            metrics.push((r.id(), name, at.clone()));
            let _ = cond;
        }
    }
    for r in tf.resources("google_monitoring_alert_policy") {
        tf_sources += 1;
        let mut hit = None;
        for c in blocks(&r.block.body, "conditions") {
            for t in blocks(&c.body, "condition_threshold") {
                if let Some((filter, at)) = r.file.attr(&t.body, "filter") {
                    for (id, name, _) in &metrics {
                        if filter.contains(id.as_str())
                            || (!name.is_empty()
                                && filter.contains(&format!("logging.googleapis.com/user/{name}")))
                        {
                            hit = Some((at.clone(), format!("the log-based metric {id}")));
                        }
                    }
                }
            }
            for t in blocks(&c.body, "condition_matched_log") {
                if let Some((filter, at)) = r.file.attr(&t.body, "filter")
                    && let Some(cond) = status_condition(&filter)
                {
                    hit = Some((at, format!("log entries matching `{cond}`")));
                }
            }
        }
        if let Some((at, what)) = hit {
            found = true;
            out.verdicts.push(Verdict::pass(
                &LOG_03,
                r.id(),
                at,
                format!("{} alerts on {what}", r.id()),
            ));
        }
    }
    if found {
        return;
    }
    for (id, _, at) in &metrics {
        found = true;
        out.verdicts.push(Verdict::fail(
            &LOG_03,
            id.clone(),
            at.clone(),
            format!("{id} counts 401/403 responses but no alert policy of the repository watches it"),
            "add a google_monitoring_alert_policy whose condition_threshold filter is `metric.type=\"logging.googleapis.com/user/<name>\"`",
        ));
    }
    if found {
        return;
    }
    let fix = "add an alerting rule on `sum(rate(http_requests_total{status=~\"401|403\"}[5m])) > N` (or a Cloud Logging metric on httpRequest.status and an alert policy on it)";
    if let Some((name, at, rules)) = sources.first() {
        out.verdicts.push(Verdict::fail(
            &LOG_03,
            name.clone(),
            at.clone(),
            format!(
                "{} alerting rule(s) in {} source(s), none on repeated 401/403 responses",
                sources
                    .iter()
                    .map(|s| s.2.len())
                    .sum::<usize>()
                    .max(rules.len()),
                sources.len()
            ),
            fix,
        ));
        return;
    }
    if tf_sources > 0 {
        return;
    }
    if let Some(at) = platform_anchor(repo, objects) {
        out.verdicts.push(Verdict::fail(
            &LOG_03,
            "repository",
            at,
            "no alerting rule of the repository watches 401/403 responses",
            fix,
        ));
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

/// LOG-04: scrape configurations, ServiceMonitors/PodMonitors, Grafana data sources.
fn metrics(repo: &Repo<'_>, objects: &[Object], docs: &[Doc], out: &mut Out) {
    let mut any = false;
    for d in docs {
        if !(d.key.ends_with(".yml") || d.key.ends_with(".yaml")) {
            continue;
        }
        let has_scrape = d.src.text.contains("scrape_configs");
        let prom_name = d
            .key
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("prometheus"));
        let datasources = d.key.contains("datasources") || d.src.text.contains("datasources:");
        let otel = d.src.text.contains("pipelines");
        if !(has_scrape || prom_name || datasources || otel) {
            continue;
        }
        let stream = yaml::parse(&d.src.text);
        for doc in &stream.documents {
            let root = &doc.root;
            if let Some(ds) = root.get("datasources").and_then(Node::as_seq)
                && !ds.is_empty()
            {
                any = true;
                let kinds: Vec<&str> = ds
                    .iter()
                    .filter_map(|x| x.get("type").and_then(Node::as_str))
                    .collect();
                out.verdicts.push(Verdict::pass(
                    &LOG_04,
                    d.name.clone(),
                    d.at(ds[0].pos.line, ds[0].pos.col),
                    format!(
                        "Grafana is provisioned with data source(s) {}",
                        kinds.join(", ")
                    ),
                ));
                continue;
            }
            if let Some(p) = root.path(&["service", "pipelines"])
                && let Some(e) = p.entries().iter().find(|e| e.key.starts_with("metrics"))
            {
                any = true;
                let receivers: Vec<&str> = e
                    .value
                    .get("receivers")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Node::as_str)
                    .collect();
                out.verdicts.push(Verdict::pass(
                    &LOG_04,
                    d.name.clone(),
                    d.at(e.key_pos.line, e.key_pos.col),
                    format!(
                        "an OpenTelemetry Collector metrics pipeline collects from {}",
                        receivers.join(", ")
                    ),
                ));
                continue;
            }
            let is_prometheus = root.get("scrape_configs").is_some()
                || (prom_name
                    && (root.get("global").is_some() || root.get("rule_files").is_some()));
            if !is_prometheus {
                continue;
            }
            any = true;
            let jobs: Vec<&str> = root
                .get("scrape_configs")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(|j| j.get("job_name").and_then(Node::as_str))
                .collect();
            if jobs.is_empty() {
                out.verdicts.push(Verdict::fail(
                    &LOG_04,
                    d.name.clone(),
                    d.at(root.pos.line, root.pos.col),
                    "this Prometheus configuration scrapes no target (no `scrape_configs` job)",
                    "add a `scrape_configs` job for each service exposing metrics (node, cAdvisor, the API)",
                ));
            } else {
                let at = root
                    .entry("scrape_configs")
                    .map_or(d.at(1, 1), |e| d.at(e.key_pos.line, e.key_pos.col));
                out.verdicts.push(Verdict::pass(
                    &LOG_04,
                    d.name.clone(),
                    at,
                    format!(
                        "Prometheus scrapes {} job(s): {}",
                        jobs.len(),
                        jobs.join(", ")
                    ),
                ));
            }
        }
    }
    for o in objects
        .iter()
        .filter(|o| o.kind == "ServiceMonitor" || o.kind == "PodMonitor")
    {
        any = true;
        out.verdicts.push(Verdict::pass(
            &LOG_04,
            o.id(),
            o.at.clone(),
            format!(
                "{} has the Prometheus operator scrape the selected workloads",
                o.id()
            ),
        ));
    }
    if !any && let Some(at) = platform_anchor(repo, objects) {
        out.verdicts.push(Verdict::fail(
            &LOG_04,
            "repository",
            at,
            "nothing in the repository collects metrics (no Prometheus scrape configuration, ServiceMonitor or PodMonitor, no Grafana data source)",
            "add Prometheus with a `scrape_configs` job per service (or ServiceMonitors), and Grafana provisioned from the repository",
        ));
    }
}

/// The build pipelines of the repository: GitHub workflows, GitLab CI, Cloud Build files.
fn pipeline_files<'a>(repo: &Repo<'a>) -> Vec<&'a str> {
    repo.files
        .iter()
        .copied()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            (f.starts_with(".github/workflows/")
                && (name.ends_with(".yml") || name.ends_with(".yaml")))
                || name == ".gitlab-ci.yml"
                || (name.starts_with("cloudbuild")
                    && (name.ends_with(".yml")
                        || name.ends_with(".yaml")
                        || name.ends_with(".json")))
        })
        .collect()
}

/// A Cloud Logging filter that selects failed Cloud Build builds.
fn selects_failed_builds(filter: &str) -> bool {
    let f = filter.to_ascii_lowercase().replace([' ', '\\'], "");
    (f.contains("resource.type=\"build\"") || f.contains("cloudbuild") || f.contains("cloud_build"))
        && ["failure", "timeout", "internal_error"]
            .iter()
            .any(|w| f.contains(w))
}

/// A PromQL expression over a failed-build, failed-pipeline or failed-workflow series.
fn watches_failed_builds(expr: &str) -> bool {
    let e = expr.to_ascii_lowercase();
    ["build", "pipeline", "workflow"]
        .iter()
        .any(|w| e.contains(w))
        && ["fail", "error"].iter().any(|w| e.contains(w))
}

/// LOG-04.1: something counts or alerts on failed builds, where the repository has pipelines.
fn failed_builds(repo: &Repo<'_>, objects: &[Object], docs: &[Doc], tf: &Terraform, out: &mut Out) {
    let pipelines = pipeline_files(repo);
    let triggers: Vec<_> = tf.resources("google_cloudbuild_trigger").collect();
    if pipelines.is_empty() && triggers.is_empty() {
        return;
    }
    let before = out.verdicts.len();
    for r in tf.resources("google_logging_metric") {
        if let Some((filter, at)) = r.file.attr(&r.block.body, "filter")
            && selects_failed_builds(&filter)
        {
            out.verdicts.push(Verdict::pass(
                &LOG_04_1,
                r.id(),
                at,
                format!("{} counts failed Cloud Build builds", r.id()),
            ));
        }
    }
    for r in tf.resources("google_monitoring_alert_policy") {
        for c in blocks(&r.block.body, "conditions") {
            for t in blocks(&c.body, "condition_matched_log") {
                if let Some((filter, at)) = r.file.attr(&t.body, "filter")
                    && selects_failed_builds(&filter)
                {
                    out.verdicts.push(Verdict::pass(
                        &LOG_04_1,
                        r.id(),
                        at,
                        format!("{} alerts on failed Cloud Build builds", r.id()),
                    ));
                }
            }
        }
    }
    let mut rules = Vec::new();
    for d in docs {
        if (d.key.ends_with(".yml") || d.key.ends_with(".yaml")) && d.src.text.contains("groups") {
            for doc in &yaml::parse(&d.src.text).documents {
                rules_of(
                    &doc.root,
                    &|n: &Node| d.at(n.pos.line, n.pos.col),
                    &mut rules,
                );
            }
        }
    }
    for o in objects.iter().filter(|o| o.kind == "PrometheusRule") {
        if let Some(spec) = o.node.get("spec") {
            rules_of(spec, &|n: &Node| o.loc(n.pos), &mut rules);
        }
    }
    for r in rules.iter().filter(|r| watches_failed_builds(&r.expr)) {
        out.verdicts.push(Verdict::pass(
            &LOG_04_1,
            format!("alert {}", r.name),
            r.at.clone(),
            format!(
                "the alert `{}` watches failed builds: `{}`",
                r.name,
                r.expr.trim()
            ),
        ));
    }
    for f in pipelines
        .iter()
        .filter(|f| f.starts_with(".github/workflows/"))
    {
        let Some(text) = (repo.read)(f) else { continue };
        if text.contains("workflow_run") && text.contains("conclusion") && text.contains("failure")
        {
            out.verdicts.push(Verdict::pass(
                &LOG_04_1,
                *f,
                Location::file(Arc::from(*f)),
                "this workflow runs on `workflow_run` and acts on failed runs",
            ));
        }
    }
    if out.verdicts.len() > before {
        return;
    }
    let at = pipelines
        .first()
        .map(|f| Location::file(Arc::from(*f)))
        .or_else(|| triggers.first().map(|t| t.at()))
        .unwrap_or_else(|| Location::file(Arc::from("")));
    out.verdicts.push(Verdict::fail(
        &LOG_04_1,
        "failed builds",
        at,
        "nothing in the repository counts or alerts on failed builds (no log-based metric or alert policy on Cloud Build failures, no alerting rule on a failed-pipeline series, no `workflow_run` notification)",
        "add a `google_logging_metric` on `resource.type=\"build\" AND jsonPayload.status=\"FAILURE\"` with an alert policy, or an alerting rule on your CI exporter's failed-pipeline series",
    ));
}
