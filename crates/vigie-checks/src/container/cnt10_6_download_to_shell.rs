//! CNT-10.6: no download piped into a shell.

use super::DOCKERFILE;
use super::shell::download_into_interpreter;
use crate::Context;
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::dockerfile::{Dockerfile, InstrKind};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.6",
    title: "No download piped into a shell",
    severity: Severity::Medium,
    applies_to: DOCKERFILE,
    what: "No `RUN` command (heredocs included) feeds what `curl` or `wget` downloads straight \
           into an interpreter: `| sh`, `| sudo bash -s --`, `| python3 -`, `bash <(curl …)`, \
           `sh -c \"$(curl …)\"`, `eval \"$(wget -O- …)\"`. Piping into a program that only \
           reads data (`tar`, `gpg`, `python -m json.tool`) is fine.",
    why: "The script runs as soon as it arrives, unverified, as root in the build: whoever \
          controls the server, the DNS or the network path decides what goes into the image, \
          and a download cut short can execute half a script. Nothing records what was run.",
    fix: "Download to a file, check it against a pinned checksum or signature, then run it — or \
          install the tool from a package repository or a verified release archive.",
    failing: (
        "dockerfile",
        "FROM debian:12.8-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\\n && curl -fsSL https://get.example.org/install.sh | sh\n",
    ),
    passing: (
        "dockerfile",
        "FROM debian:12.8-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\\n && curl -fsSLo /tmp/install.sh https://get.example.org/v2.3.1/install.sh \\\n && echo \"9b1f0c3e4d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c  /tmp/install.sh\" | sha256sum -c - \\\n && sh /tmp/install.sh && rm /tmp/install.sh\n",
    ),
};

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
            let hit = download_into_interpreter(command)
                .or_else(|| heredocs.iter().find_map(|h| download_into_interpreter(h)));
            if let Some(excerpt) = hit {
                found = true;
                out.push(Verdict::fail(
                    &DOC,
                    d.path.to_string(),
                    ins.at.clone(),
                    format!("a download is run unverified: `{excerpt}`"),
                    "download to a file, verify it (sha256sum -c or a signature), then run it",
                ));
            }
        }
    }
    if !found {
        out.push(Verdict::pass(
            &DOC,
            d.path.to_string(),
            Location::file(d.path.clone()),
            "no RUN pipes a download into a shell or interpreter",
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
        let vs = Fixture::new(DOC.failing.0, DOC.failing.1, &[]).run(run);
        assert_eq!(
            &*vs[0].message,
            "a download is run unverified: `curl -fsSL https://get.example.org/install.sh | sh`"
        );
        assert_eq!(vs[0].location.line, 2);
    }

    #[test]
    fn heredocs_and_exec_form() {
        let d = "FROM alpine:3.20\nRUN <<EOF\nset -e\nwget -qO- https://x.example/i | ash\nEOF\nRUN [\"/bin/sh\", \"-c\", \"curl -s https://x | bash\"]\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(false, 2), (false, 6)]
        );
    }

    #[test]
    fn the_second_heredoc_of_a_run_is_read() {
        let d = "FROM alpine:3.20\nRUN <<A cat > /a && <<-'B' sh\necho fine\nA\n\tcurl -fsSL https://x.example/i | sh\n\tB\nUSER app\n";
        let vs = Fixture::new("dockerfile", d, &[]).run(run);
        let s = summary(&vs);
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(false, 2)]
        );
        assert_eq!(
            &*vs[0].message,
            "a download is run unverified: `curl -fsSL https://x.example/i | sh`"
        );
    }
}
