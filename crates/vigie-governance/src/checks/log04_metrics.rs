//! LOG-04: metrics are collected (scrape targets, a ServiceMonitor or PodMonitor, a Grafana data source).

use crate::Out;
use crate::logging::*;
use crate::model::Model;
use vigie_core::Verdict;
use vigie_core::{CheckDoc, Severity};
use vigie_parse::yaml::{self, Node};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "LOG-04",
    title: "Metrics are collected",
    severity: Severity::Low,
    applies_to: &["prometheus", "kubernetes", "grafana"],
    what: "A Prometheus configuration scrapes at least one target (`scrape_configs`), a \
           ServiceMonitor or PodMonitor selects the workloads, or Grafana is provisioned with a \
           data source.",
    why: "CPU, memory, latency and error-rate metrics are how a team sees an incident coming and \
          measures its impact; a Prometheus without targets collects nothing.",
    fix: "Add a `scrape_configs` job (or a ServiceMonitor) for each service exposing metrics, and \
          provision Grafana's data source from the repository.",
    failing: (
        "prometheus/prometheus.yml",
        "global:\n  scrape_interval: 30s\nrule_files:\n  - rules/*.yml\n",
    ),
    passing: (
        "prometheus/prometheus.yml",
        "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: [\"api:9100\"]\n",
    ),
};

/// LOG-04: scrape configurations, ServiceMonitors/PodMonitors, Grafana data sources.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (repo, objects, docs) = (m.repo, m.objects, &m.logging);
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
                    &DOC,
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
                    &DOC,
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
                    &DOC,
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
                    &DOC,
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
            &DOC,
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
            &DOC,
            "repository",
            at,
            "nothing in the repository collects metrics (no Prometheus scrape configuration, ServiceMonitor or PodMonitor, no Grafana data source)",
            "add Prometheus with a `scrape_configs` job per service (or ServiceMonitors), and Grafana provisioned from the repository",
        ));
    }
}
