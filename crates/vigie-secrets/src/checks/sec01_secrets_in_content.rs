//! SEC-01: no secret in the content of the repository (or of its history).

use crate::analyzer::{Scanned, judge_control};
use crate::rules::Control;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SEC-01",
    title: "No secret in the repository's files or history",
    severity: Severity::Critical,
    applies_to: &["repository", "git"],
    what: "Every file of the working tree (and, with `--history` or `[secrets] history = true`, every \
           blob of the git history) is scanned for secrets: cloud keys, VCS and CI tokens, private \
           keys, connection strings with passwords, and random-looking values assigned to \
           secret-named keys. Placeholders and references (`${VAR}`, `{{ .Values.x }}`, \
           `<your-token>`, `changeme`) are not secrets.",
    why: "A secret committed once is readable by everyone with access to the repository and its \
          clones, forever: deleting it in a later commit leaves it in the history.",
    fix: "Rotate the secret now, remove it from the file and load it at run time from a secret \
          store or the environment; accept a false positive with `vigie:allow-secret` on its line \
          or a baseline (`vigie secrets --write-baseline`).",
    failing: (
        "config/app.yml",
        "storage:\n  aws_access_key_id: AKIAZQ3DRSLTWUMN6HGA\n", // vigie:allow-secret
    ),
    passing: (
        "config/app.yml",
        "storage:\n  aws_access_key_id: ${AWS_ACCESS_KEY_ID}\n",
    ),
};

pub(crate) fn judge(m: &Scanned<'_>, out: &mut Vec<Verdict>) {
    judge_control(
        m,
        &DOC,
        Control::Content,
        format!("no secret found in {}", m.what),
        |f| {
            format!(
                "Rotate this {} and load it at run time from a secret store; it stays readable in the git history until rotated",
                f.description.to_lowercase()
            )
        },
        out,
    );
}
