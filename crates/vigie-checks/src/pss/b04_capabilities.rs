//! PSS-B04: No capabilities added beyond the runtime's default set.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

/// The capabilities a container runtime grants by default, which baseline lets a container
/// add back (`NET_RAW` is deliberately absent).
pub const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B04",
    title: "No capabilities added beyond the runtime's default set",
    severity: Severity::High,
    applies_to: K8S,
    what: "Every name in `securityContext.capabilities.add` of every container (init and \
           ephemeral included) is one of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, \
           MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT. Names are \
           compared exactly: `sys_admin` or `CAP_SYS_ADMIN` are not in the set and fail.",
    why: "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or NET_RAW give a container \
          powers over the kernel and the node's network that make escaping or spying on \
          neighbours far easier; the default set is what ordinary software needs.",
    fix: "Remove the extra capabilities from `capabilities.add`; redesign the workload if it \
          genuinely needs kernel-level privileges.",
    failing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: vpn
spec:
  selector:
    matchLabels: {app: vpn}
  template:
    metadata:
      labels: {app: vpn}
    spec:
      containers:
      - name: vpn
        image: example.org/vpn:3
        securityContext:
          capabilities:
            add: ["NET_ADMIN", "NET_RAW"]
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: vpn
spec:
  selector:
    matchLabels: {app: vpn}
  template:
    metadata:
      labels: {app: vpn}
    spec:
      containers:
      - name: vpn
        image: example.org/vpn:3
        securityContext:
          capabilities:
            add: ["NET_BIND_SERVICE"]
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for c in &pod.containers {
            let caps = sub(c.sc, "capabilities");
            for cap in sub(caps, "add").map(Node::items).unwrap_or(&[]) {
                let name = cap.as_str().unwrap_or("");
                if !BASELINE_CAPABILITIES.contains(&name) {
                    j.fail_in(
                        c,
                        cap.pos,
                        format!(
                            "{} adds capability {name:?}, outside the baseline set",
                            c.who()
                        ),
                        format!("remove {name:?} from securityContext.capabilities.add"),
                    );
                }
            }
        }
        (
            pod.spec.pos,
            format!(
                "no container adds a capability beyond the default set ({} checked)",
                pod.count()
            ),
        )
    });
}
