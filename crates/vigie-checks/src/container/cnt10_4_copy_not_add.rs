//! CNT-10.4: COPY rather than ADD.

use super::{DOCKERFILE, instruction_text};
use crate::Context;
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::dockerfile::{Dockerfile, InstrKind};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.4",
    title: "Files are added with COPY, not ADD",
    severity: Severity::Low,
    applies_to: DOCKERFILE,
    what: "No Dockerfile stage uses `ADD`, except to fetch a remote file whose content is \
           verified with `--checksum=`.",
    why: "`ADD` does more than copy: it fetches URLs without verifying what it received and \
          silently unpacks local archives, so what lands in the image depends on a server or on \
          an archive's contents rather than on the reviewed source tree. `COPY` does only what \
          it says.",
    fix: "Replace `ADD` with `COPY`. For a download, either add `--checksum=sha256:<digest>` \
          to the `ADD`, or fetch and verify the file in a `RUN` step; unpack archives \
          explicitly with `tar`.",
    failing: (
        "dockerfile",
        "FROM debian:12.8-slim\nADD config/ /etc/app/\nADD https://example.org/releases/tool-1.4.2.tar.gz /opt/\n",
    ),
    passing: (
        "dockerfile",
        "FROM debian:12.8-slim\nCOPY config/ /etc/app/\nADD --checksum=sha256:5c1f0a6b2e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b https://example.org/releases/tool-1.4.2.tar.gz /opt/\n",
    ),
};

fn is_remote(src: &str) -> bool {
    let s = src.trim().to_ascii_lowercase();
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("git@")
}

fn judge(d: &Dockerfile, out: &mut Vec<Verdict>) {
    let mut failed = false;
    let mut verified = 0;
    for stage in &d.stages {
        for ins in &stage.instructions {
            let InstrKind::Add { sources } = &ins.kind else {
                continue;
            };
            let text = instruction_text(d, &ins.at);
            let checksum = text
                .split_whitespace()
                .any(|w| w.starts_with("--checksum="));
            let remote: Vec<&String> = sources.iter().filter(|s| is_remote(s)).collect();
            let local: Vec<&String> = sources.iter().filter(|s| !is_remote(s)).collect();
            if !local.is_empty() {
                failed = true;
                out.push(Verdict::fail(
                    &DOC,
                    d.path.to_string(),
                    ins.at.clone(),
                    format!(
                        "ADD copies {} where COPY would do (ADD also unpacks archives)",
                        local
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "replace ADD with COPY (unpack archives explicitly with tar in a RUN)",
                ));
            } else if !remote.is_empty() && !checksum {
                failed = true;
                out.push(Verdict::fail(
                    &DOC,
                    d.path.to_string(),
                    ins.at.clone(),
                    format!(
                        "ADD downloads {} without --checksum: the content is not verified",
                        remote
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "add --checksum=sha256:<digest> to the ADD, or download and verify in a RUN",
                ));
            } else {
                verified += 1;
            }
        }
    }
    if !failed {
        out.push(Verdict::pass(
            &DOC,
            d.path.to_string(),
            Location::file(d.path.clone()),
            if verified == 0 {
                "no ADD instruction".to_string()
            } else {
                "ADD only fetches downloads verified with --checksum".to_string()
            },
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
        let s = summary(&Fixture::new(DOC.failing.0, DOC.failing.1, &[]).run(run));
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(false, 2), (false, 3)]
        );
    }

    #[test]
    fn checksum_on_a_continuation_line() {
        let d = "FROM alpine:3.20\nADD \\\n  --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\\n  https://example.org/x.tgz /x.tgz\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert_eq!(
            s,
            vec![(
                true,
                0,
                "ADD only fetches downloads verified with --checksum".into()
            )]
        );
    }
}
