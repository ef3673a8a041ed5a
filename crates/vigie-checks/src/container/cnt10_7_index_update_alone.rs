//! CNT-10.7: a package index update is not left alone in its RUN.

use super::DOCKERFILE;
use super::shell::{base_name, command_words, join_continuations, pipelines};
use crate::Context;
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::dockerfile::{Dockerfile, InstrKind};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.7",
    title: "Package index updates share their RUN with the install",
    severity: Severity::Low,
    applies_to: DOCKERFILE,
    what: "No `RUN` refreshes a package index (`apt-get update`, `apt update`, `apk update`, \
           `yum`/`dnf makecache`, `zypper refresh`) without installing or upgrading packages in \
           the same instruction.",
    why: "The builder caches each instruction separately. An update alone in its layer is \
          reused as is by later builds, so the install that follows reads a stale index: it \
          misses security fixes, or fails once the old package versions leave the mirror.",
    fix: "Update and install in one `RUN` and clean up after: `RUN apt-get update && apt-get \
          install -y --no-install-recommends <pkgs> && rm -rf /var/lib/apt/lists/*`, or `apk \
          add --no-cache <pkgs>`, which needs no separate update.",
    failing: (
        "dockerfile",
        "FROM ubuntu:24.04\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends ca-certificates\n",
    ),
    passing: (
        "dockerfile",
        "FROM ubuntu:24.04\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends ca-certificates \\\n && rm -rf /var/lib/apt/lists/*\n",
    ),
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Refresh,
    Install,
}

/// What one command does to packages, if anything.
fn package_step(stage: &str) -> Option<(Step, String)> {
    let words = command_words(stage);
    let tool = base_name(words.first()?);
    let (refresh, install): (&[&str], &[&str]) = match tool {
        "apt-get" | "apt" | "aptitude" => (
            &["update"],
            &[
                "install",
                "upgrade",
                "dist-upgrade",
                "full-upgrade",
                "reinstall",
                "build-dep",
            ],
        ),
        "apk" => (&["update"], &["add", "upgrade", "fix"]),
        "yum" | "dnf" | "microdnf" | "tdnf" => (
            &["makecache", "check-update"],
            &[
                "install",
                "update",
                "upgrade",
                "reinstall",
                "groupinstall",
                "localinstall",
                "distro-sync",
            ],
        ),
        "zypper" => (
            &["refresh", "ref"],
            &[
                "install",
                "in",
                "update",
                "up",
                "dist-upgrade",
                "dup",
                "patch",
            ],
        ),
        _ => return None,
    };
    words.iter().skip(1).find_map(|w| {
        let w = base_name(w);
        if refresh.contains(&w) {
            Some((Step::Refresh, format!("{tool} {w}")))
        } else if install.contains(&w) {
            Some((Step::Install, format!("{tool} {w}")))
        } else {
            None
        }
    })
}

/// The refresh a command text runs without any install, if so.
pub fn lone_refresh(text: &str) -> Option<String> {
    let text = join_continuations(text);
    let mut refresh = None;
    for p in pipelines(&text) {
        for stage in p {
            match package_step(stage) {
                Some((Step::Install, _)) => return None,
                Some((Step::Refresh, what)) => {
                    refresh.get_or_insert(what);
                }
                None => {}
            }
        }
    }
    refresh
}

fn judge(d: &Dockerfile, out: &mut Vec<Verdict>) {
    let mut found = false;
    for stage in &d.stages {
        for ins in &stage.instructions {
            let InstrKind::Run {
                command, heredocs, ..
            } = &ins.kind
            else {
                continue;
            };
            let mut all = command.clone();
            for h in heredocs {
                all.push('\n');
                all.push_str(h);
            }
            if let Some(what) = lone_refresh(&all) {
                found = true;
                let fix = if what.starts_with("apk") {
                    "drop the update and install with \"apk add --no-cache <packages>\""
                } else {
                    "update and install in the same RUN (… update && … install -y <packages>)"
                };
                out.push(Verdict::fail(
                    &DOC,
                    d.path.to_string(),
                    ins.at.clone(),
                    format!("`{what}` runs alone: its cached layer goes stale for later installs"),
                    fix,
                ));
            }
        }
    }
    if !found {
        out.push(Verdict::pass(
            &DOC,
            d.path.to_string(),
            Location::file(d.path.clone()),
            "no RUN refreshes a package index without installing in the same step",
        ));
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for d in cx.dockerfiles {
        judge(d, out);
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
    fn refreshes() {
        for bad in [
            "apt-get update",
            "apt-get -qq update",
            "DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=3 update -y",
            "apk update",
            "dnf makecache",
            "zypper --non-interactive refresh",
            "sudo apt update && echo done",
        ] {
            assert!(lone_refresh(bad).is_some(), "{bad}");
        }
        for good in [
            "apt-get update && apt-get install -y curl",
            "apt-get update \\\n && apt-get -y upgrade",
            "apk update && apk add curl",
            "apk add --update curl",
            "yum update -y",
            "echo apt-get update",
            "apt-get install -y update-notifier",
        ] {
            assert_eq!(lone_refresh(good), None, "{good}");
        }
    }

    #[test]
    fn the_second_heredoc_of_a_run_is_read() {
        let d = "FROM debian:12.8-slim\nRUN <<A sh && <<B sh\necho first\nA\napt-get update\nB\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(false, 2)]
        );
        // installed in the same RUN's other body: not alone
        let d = "FROM debian:12.8-slim\nRUN <<A sh && <<B sh\napt-get install -y curl\nA\napt-get update\nB\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert!(s.iter().all(|x| x.0), "{s:?}");
    }
}
