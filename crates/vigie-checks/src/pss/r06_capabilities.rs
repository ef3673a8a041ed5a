//! PSS-R06: All capabilities dropped, none added but NET_BIND_SERVICE.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R06",
    title: "All capabilities dropped, none added but NET_BIND_SERVICE",
    severity: Severity::High,
    applies_to: K8S,
    what: "Every container, init container and ephemeral container lists `ALL` in \
           `securityContext.capabilities.drop` and adds nothing but `NET_BIND_SERVICE`. Names \
           are compared exactly (`all` does not count). Windows pods (`spec.os.name: \
           windows`) are exempt.",
    why: "Even the runtime's default capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW on \
          some runtimes…) are more than most services need; dropping them all and adding back \
          only the ability to bind low ports leaves an intruder nothing to work with.",
    fix: "Set `capabilities: {drop: [\"ALL\"]}` on every container, with `add: \
          [\"NET_BIND_SERVICE\"]` only where a port below 1024 is bound.",
    failing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example.org/web:1.0
        securityContext:
          capabilities:
            drop: ["NET_RAW"]
            add: ["CHOWN"]
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example.org/web:1.0
        securityContext:
          capabilities:
            drop: ["ALL"]
            add: ["NET_BIND_SERVICE"]
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        if let Some(e) = pod.windows() {
            return windows_exempt(e);
        }
        for c in &pod.containers {
            let caps = field(c.sc, "capabilities");
            let capv = caps.map(|e| &e.value);
            let drops_all = sub(capv, "drop")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .any(|n| n.as_str() == Some("ALL"));
            if !drops_all {
                let at = match (field(capv, "drop"), caps) {
                    (Some(d), _) => d.key_pos,
                    (None, Some(caps)) => caps.key_pos,
                    (None, None) => c.sc_at(),
                };
                j.fail_in(
                    c,
                    at,
                    format!("{} does not drop ALL capabilities", c.who()),
                    "set securityContext.capabilities.drop: [\"ALL\"]",
                );
            }
            for cap in sub(capv, "add").map(Node::items).unwrap_or(&[]) {
                let name = cap.as_str().unwrap_or("");
                if name != "NET_BIND_SERVICE" {
                    j.fail_in(
                        c,
                        cap.pos,
                        format!("{} adds capability {name:?}", c.who()),
                        format!("remove {name:?} from securityContext.capabilities.add"),
                    );
                }
            }
        }
        (
            pod.spec.pos,
            format!(
                "every container drops ALL capabilities and adds at most NET_BIND_SERVICE ({} checked)",
                pod.count()
            ),
        )
    });
}
