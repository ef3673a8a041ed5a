//! CNT-10.3: images declare a health check.

use super::{DOCKERFILE, short};
use crate::Context;
use vigie_core::model::Workload;
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::dockerfile::{Dockerfile, InstrKind};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.3",
    title: "Images declare a health check",
    severity: Severity::Low,
    applies_to: DOCKERFILE,
    what: "The final stage of each Dockerfile has a `HEALTHCHECK` (other than `HEALTHCHECK \
           NONE`), set in the stage itself or in the stage it is built `FROM`. A Dockerfile \
           built by Compose services also passes when every such service declares a \
           `healthcheck:`, and fails when one of them disables it.",
    why: "Without a health check the engine only knows whether the process exists, not whether \
          it answers: a hung or half-started service keeps receiving traffic, dependants start \
          too early, and nobody restarts it.",
    fix: "Add a `HEALTHCHECK CMD …` to the final stage that exercises the service cheaply (an \
          HTTP status endpoint, a client ping), using a tool present in the image.",
    failing: (
        "dockerfile",
        "FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\n",
    ),
    passing: (
        "dockerfile",
        "FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\nHEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1/ || exit 1\n",
    ),
};

/// The health check in effect in a stage: its last `HEALTHCHECK`, else its base stage's.
fn effective(d: &Dockerfile, idx: usize) -> Option<(&Location, bool)> {
    let mut i = Some(idx);
    for _ in 0..=d.stages.len() {
        let s = d.stages.get(i?)?;
        let found = s.instructions.iter().rev().find_map(|ins| match ins.kind {
            InstrKind::Healthcheck { none } => Some((&ins.at, none)),
            _ => None,
        });
        if found.is_some() {
            return found;
        }
        i = s.base_stage.filter(|b| *b < s.index);
    }
    None
}

fn judge(cx: &Context<'_>, d: &Dockerfile, out: &mut Vec<Verdict>) {
    let Some(last) = d.target_stage(None) else {
        return;
    };
    let Some(stage) = d.stages.get(last) else {
        return;
    };
    let subject = d.path.to_string();
    let services: Vec<&Workload> = cx
        .workloads
        .iter()
        .filter(|w| w.build.as_ref().is_some_and(|b| *b.dockerfile == *d.path))
        .collect();
    if let Some((w, h)) = services
        .iter()
        .find_map(|w| w.healthcheck.as_ref().filter(|h| !h.value).map(|h| (w, h)))
    {
        out.push(
            Verdict::fail(
                &DOC,
                subject,
                h.at.clone(),
                format!("the service `{}` disables the health check", w.name),
                "remove \"disable: true\" (or test: NONE) from the service's healthcheck",
            )
            .with_related(Some(stage.from_at.clone())),
        );
        return;
    }
    let in_file = effective(d, last);
    if let Some((at, false)) = in_file {
        out.push(Verdict::pass(
            &DOC,
            subject,
            at.clone(),
            format!("the final stage has a HEALTHCHECK ({})", short(at)),
        ));
        return;
    }
    let declared: Vec<&Workload> = services
        .iter()
        .copied()
        .filter(|w| w.healthcheck.as_ref().is_some_and(|h| h.value))
        .collect();
    if !services.is_empty() && declared.len() == services.len() {
        let names: Vec<&str> = declared.iter().map(|w| w.name.as_str()).collect();
        let at = declared
            .first()
            .and_then(|w| w.healthcheck.as_ref())
            .map_or_else(|| stage.from_at.clone(), |h| h.at.clone());
        out.push(
            Verdict::pass(
                &DOC,
                subject,
                at,
                format!(
                    "no HEALTHCHECK in the Dockerfile, but the Compose service{} {} declare{} one",
                    if names.len() > 1 { "s" } else { "" },
                    names.join(", "),
                    if names.len() > 1 { "" } else { "s" }
                ),
            )
            .with_related(Some(stage.from_at.clone())),
        );
        return;
    }
    match in_file {
        Some((at, _)) => out.push(Verdict::fail(
            &DOC,
            subject,
            at.clone(),
            "HEALTHCHECK NONE disables the health check of the final stage",
            "replace HEALTHCHECK NONE with \"HEALTHCHECK CMD <probe>\"",
        )),
        None => out.push(Verdict::fail(
            &DOC,
            subject,
            stage.from_at.clone(),
            "the final stage has no HEALTHCHECK",
            "add \"HEALTHCHECK CMD <probe> || exit 1\" to the final stage",
        )),
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for d in cx.dockerfiles {
        judge(cx, d, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples, summary};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
    }

    #[test]
    fn inherited_none_and_multi_stage() {
        let d = "FROM node:22 AS base\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\nFROM base AS app\nRUN true\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert_eq!(
            s,
            vec![(
                true,
                2,
                "the final stage has a HEALTHCHECK (Dockerfile:2)".into()
            )]
        );
        let d =
            "FROM node:22 AS build\nHEALTHCHECK CMD true\nFROM node:22-slim\nHEALTHCHECK NONE\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert!(!s[0].0);
        assert_eq!(s[0].1, 4);
        let d = "FROM node:22 AS build\nHEALTHCHECK CMD true\nFROM node:22-slim\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert_eq!(
            s,
            vec![(false, 3, "the final stage has no HEALTHCHECK".into())]
        );
    }

    #[test]
    fn compose_healthchecks() {
        let df = ("api/Dockerfile", "FROM node:22\nUSER node\n");
        let c = "services:\n  api:\n    build: ./api\n    healthcheck:\n      test: [\"CMD\", \"node\", \"probe.js\"]\n";
        let s = summary(&Fixture::new("compose", c, &[df]).run(run));
        assert_eq!(
            s,
            vec![(
                true,
                4,
                "no HEALTHCHECK in the Dockerfile, but the Compose service api declares one".into()
            )]
        );
        let c = "services:\n  api:\n    build: ./api\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n  worker:\n    build: ./api\n";
        let s = summary(&Fixture::new("compose", c, &[df]).run(run));
        assert_eq!(
            s,
            vec![(false, 1, "the final stage has no HEALTHCHECK".into())]
        );
        let df2 = ("api/Dockerfile", "FROM node:22\nHEALTHCHECK CMD true\n");
        let c = "services:\n  api:\n    build: ./api\n    healthcheck:\n      disable: true\n";
        let s = summary(&Fixture::new("compose", c, &[df2]).run(run));
        assert_eq!(
            s,
            vec![(
                false,
                4,
                "the service `api` disables the health check".into()
            )]
        );
    }
}
