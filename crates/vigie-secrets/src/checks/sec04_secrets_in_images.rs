//! SEC-04: no secret baked into an image (ENV, ARG, LABEL, COPY of a Dockerfile).

use crate::analyzer::{Scanned, judge_control};
use crate::rules::Control;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SEC-04",
    title: "No secret baked into an image",
    severity: Severity::High,
    applies_to: &["dockerfile"],
    what: "Dockerfiles set no secret-named `ENV`, `ARG` or `LABEL` to a real value, and `COPY`/`ADD` \
           no key, credential or `.env` file into the image.",
    why: "Every layer of an image, `ARG` values included in its history, can be read by whoever \
          pulls it.",
    fix: "Mount build secrets for the one step that needs them with `RUN --mount=type=secret,id=…` \
          (`docker build --secret id=…`), and pass run-time secrets from the orchestrator's secret \
          store.",
    failing: (
        "Dockerfile",
        "FROM alpine:3.20\nENV API_TOKEN=Zt4qRm81pLw3Xn9kQ2vT\n", // vigie:allow-secret
    ),
    passing: (
        "Dockerfile",
        "FROM alpine:3.20\nRUN --mount=type=secret,id=api_token cat /run/secrets/api_token > /dev/null\n",
    ),
};

/// Says nothing where the repository has no Dockerfile and nothing was found.
pub(crate) fn judge(m: &Scanned<'_>, out: &mut Vec<Verdict>) {
    if m.dockerfiles == 0 && !m.outcome.findings.iter().any(|f| f.feeds(Control::Image)) {
        return;
    }
    judge_control(
        m,
        &DOC,
        Control::Image,
        format!(
            "no secret in the ENV, ARG, LABEL or COPY of {} Dockerfile(s) ({})",
            m.dockerfiles, m.what
        ),
        |_| {
            "Use RUN --mount=type=secret for build secrets and the orchestrator's secret store at run time; nothing secret in ENV, ARG, LABEL or COPY".to_string()
        },
        out,
    );
}
