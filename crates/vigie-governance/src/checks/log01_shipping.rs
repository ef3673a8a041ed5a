//! LOG-01: logs leave the host, through a Compose logging driver, a collector's output or GKE's Cloud Logging.

use crate::Out;
use crate::logging::*;
use crate::model::Model;
use crate::tf::{blocks, unquote};
use vigie_core::Verdict;
use vigie_core::{CheckDoc, Severity};
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "LOG-01",
    title: "Logs are shipped off the host",
    severity: Severity::Medium,
    applies_to: &["compose", "kubernetes", "logging", "terraform"],
    what: "Every Compose service sends its logs to a central store (a `logging:` driver that leaves \
           the host: gelf, syslog or fluentd to a remote address, awslogs, gcplogs, splunk, loki), \
           or a collector of the repository (Fluent Bit, Vector, Promtail, Fluentd) has an output \
           that leaves the host; a GKE cluster keeps Cloud Logging on.",
    why: "Logs kept on the machine that produced them disappear with it and can be altered by \
          whoever compromises it; centralised logs survive the host and feed detection.",
    fix: "Set a shipping `logging:` driver on each service (or an `x-logging` anchor merged into \
          all), or deploy a collector whose output is a remote store (Loki, Elasticsearch, \
          Cloud Logging, a syslog server).",
    failing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1.4\n    logging:\n      driver: json-file\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1.4\n    logging:\n      driver: gelf\n      options:\n        gelf-address: \"udp://graylog.internal.example.org:12201\"\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (repo, docs, tf) = (m.repo, &m.logging, &m.tf);
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
                    &DOC,
                    *doc,
                    o.at.clone(),
                    format!("{} ships logs off the host (output `{}`)", o.collector, o.plugin),
                ));
            }
            None => out.verdicts.push(Verdict::fail(
                &DOC,
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
                    &DOC,
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
                        &DOC,
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
                    &DOC,
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
                    &DOC,
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
                    &DOC,
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
                    &DOC,
                    r.id(),
                    at,
                    format!("{} sends workload logs to Cloud Logging ({v})", r.id()),
                ));
            } else {
                out.verdicts.push(Verdict::fail(
                    &DOC,
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
            &DOC,
            r.id(),
            r.at(),
            format!(
                "{} keeps GKE's default Cloud Logging of system and workload logs",
                r.id()
            ),
        ));
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
