//! LOG-03: an alert on repeated 401/403 responses, in Prometheus rules or a Cloud Logging metric and alert policy.

use crate::Out;
use crate::logging::*;
use crate::model::Model;
use crate::promql::{counts_over_time, status_condition};
use crate::tf::{blocks, unquote};
use vigie_core::{CheckDoc, Severity};
use vigie_core::{Location, Verdict};
use vigie_parse::yaml::{self, Node};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "LOG-03",
    title: "An alert fires on repeated 401/403 responses",
    severity: Severity::Medium,
    applies_to: &["prometheus", "kubernetes", "terraform"],
    what: "A Prometheus alerting rule (rule file or PrometheusRule) counts responses with status \
           401 or 403 over time (`rate`/`increase`/`count_over_time` of a series selected with a \
           status-code label matcher) against a threshold, or a Cloud Logging log-based metric \
           filtering on those statuses feeds a monitoring alert policy.",
    why: "Bursts of refused authentications are the first sign of credential stuffing, token \
          theft or a probing attacker; without an alert they are only found after the fact.",
    fix: "Add an alerting rule such as `sum(rate(http_requests_total{status=~\"401|403\"}[5m])) > 1` \
          with a `for:` duration, routed by Alertmanager to the on-call receiver.",
    failing: (
        "prometheus/rules/alerts.yml",
        "groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1\n        for: 10m\n",
    ),
    passing: (
        "prometheus/rules/alerts.yml",
        "groups:\n  - name: api\n    rules:\n      - alert: RepeatedAuthFailures\n        expr: sum by (service) (rate(http_requests_total{status=~\"401|403\"}[5m])) > 1\n        for: 5m\n        labels:\n          severity: page\n",
    ),
};

/// LOG-03: alerting rules on 401/403, in Prometheus and in Terraform.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (repo, objects, docs, tf) = (m.repo, m.objects, &m.logging, &m.tf);
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
                        &DOC,
                        format!("alert {}", r.name),
                        r.at.clone(),
                        format!("the alert `{}` counts responses matching `{cond}` over time against a threshold", r.name),
                    ));
                } else {
                    found = true;
                    out.verdicts.push(Verdict::fail(
                        &DOC,
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
                &DOC,
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
            &DOC,
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
            &DOC,
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
            &DOC,
            "repository",
            at,
            "no alerting rule of the repository watches 401/403 responses",
            fix,
        ));
    }
}
