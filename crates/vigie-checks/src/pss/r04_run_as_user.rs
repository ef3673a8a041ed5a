//! PSS-R04: No container runs as UID 0.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R04",
    title: "No container runs as UID 0",
    severity: Severity::High,
    applies_to: K8S,
    what: "Neither the pod securityContext nor any container's (init and ephemeral included) \
           sets `runAsUser: 0`. Unset is allowed (PSS-R03 covers the image's default user). \
           Pods in a user namespace (`hostUsers: false`) are exempt.",
    why: "`runAsUser: 0` runs the container as root explicitly, overriding the image's USER; \
          root in a container is root on the node's kernel.",
    fix: "Remove `runAsUser: 0` or set a non-zero UID (for example 10001).",
    failing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: example.org/backup:2
            securityContext:
              runAsUser: 0
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: example.org/backup:2
            securityContext:
              runAsUser: 10001
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        if let Some(e) = pod.user_namespace() {
            return (
                e.key_pos,
                "the pod runs in a user namespace (hostUsers: false), where UID 0 is not the node's root"
                    .to_string(),
            );
        }
        for (who, sc) in pod.setters() {
            if let Some(e) = field(sc, "runAsUser")
                && e.value.as_i64() == Some(0)
            {
                j.fail(
                    e.key_pos,
                    format!("{who} sets runAsUser: 0 (root)"),
                    "remove runAsUser: 0 or set a non-zero UID",
                );
            }
        }
        (
            pod.sc_field_at("runAsUser"),
            format!(
                "neither the pod nor its containers set runAsUser: 0 ({} checked)",
                pod.count()
            ),
        )
    });
}
