//! PSS-B10: Seccomp is not disabled.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) fn seccomp_type_allowed(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B10",
    title: "Seccomp is not disabled",
    severity: Severity::High,
    applies_to: K8S,
    what: "`seccompProfile.type`, when the pod securityContext or a container's sets it, is \
           `RuntimeDefault` or `Localhost`: `Unconfined` fails, and so does a \
           `seccompProfile` without a type. Leaving seccomp unset is allowed at this level (the \
           restricted level requires it, PSS-R05). The old `seccomp.security.alpha` \
           annotations are not read.",
    why: "Seccomp filters the system calls a container may make; without it, the whole kernel \
          attack surface is reachable, including calls behind most container escapes.",
    fix: "Set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a reviewed profile) \
          instead of `Unconfined`.",
    failing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      securityContext:
        seccompProfile:
          type: Unconfined
      containers:
      - name: migrate
        image: example.org/migrate:1.2
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      securityContext:
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: migrate
        image: example.org/migrate:1.2
"#,
    ),
};

/// Fail every place (the pod, a container) that sets a seccomp profile type other than
/// RuntimeDefault or Localhost.
pub(crate) fn judge_seccomp_types(pod: &Pod<'_>, j: &mut Judge<'_>) {
    for (who, sc) in pod.setters() {
        let Some(e) = field(sc, "seccompProfile") else {
            continue;
        };
        let t = text(Some(&e.value), "type");
        if !seccomp_type_allowed(t) {
            let at = e.value.entry("type").map_or(e.key_pos, |t| t.key_pos);
            j.fail(
                at,
                format!("{who} sets seccompProfile.type to {t:?}"),
                "set seccompProfile.type: RuntimeDefault (or Localhost)",
            );
        }
    }
}

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        judge_seccomp_types(pod, j);
        (
            pod.sc_field_at("seccompProfile"),
            format!(
                "neither the pod nor its containers disable seccomp ({} checked)",
                pod.count()
            ),
        )
    });
}
