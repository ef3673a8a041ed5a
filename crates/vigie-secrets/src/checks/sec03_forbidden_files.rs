//! SEC-03: no file that only ever holds secrets (keys, keystores, credentials) in the repository.

use crate::analyzer::{Scanned, judge_control};
use crate::rules::Control;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SEC-03",
    title: "No private key, key store, kubeconfig, Terraform state or .env file committed",
    severity: Severity::High,
    applies_to: &["repository", "git"],
    what: "No file that grants access by itself is committed: SSH private keys (`id_rsa`…), PEM files \
           holding a private key, PKCS#12 and Java key stores, kubeconfigs with a client key or \
           token, Terraform state, `.env` files with secret values.",
    why: "These files are credentials in their own right; a Terraform state records every secret of \
          the resources it manages.",
    fix: "Remove the file from the repository (and its history), rotate what it holds, add it to \
          `.gitignore`; keep Terraform state in a remote backend and commit a `.env.example` with \
          placeholders instead of `.env`.",
    failing: ("deploy/.env", "DB_HOST=db\nDB_PASSWORD=Tq8vLz2Wp5kXm1Rq\n"), // vigie:allow-secret
    passing: ("deploy/.env", "DB_HOST=db\nDB_PASSWORD=${DB_PASSWORD}\n"),
};

pub(crate) fn judge(m: &Scanned<'_>, out: &mut Vec<Verdict>) {
    judge_control(
        m,
        &DOC,
        Control::ForbiddenFile,
        format!("no forbidden file found in {}", m.what),
        |_| {
            "Remove the file from the repository and its history, rotate what it holds, and list it in .gitignore".to_string()
        },
        out,
    );
}
