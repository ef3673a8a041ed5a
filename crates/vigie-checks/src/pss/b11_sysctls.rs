//! PSS-B11: Only safe sysctls.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

/// The sysctls baseline allows in v1.37: namespaced, and isolated from other pods.
pub const SAFE_SYSCTLS: [&str; 14] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B11",
    title: "Only safe sysctls",
    severity: Severity::Medium,
    applies_to: K8S,
    what: "Every name in `spec.securityContext.sysctls` is one of the safe set of Kubernetes \
           v1.37: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, \
           net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, \
           net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, \
           net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, \
           net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem, \
           net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat.",
    why: "Other sysctls are either not namespaced (they change the whole node's kernel) or not \
          isolated between pods; some disable kernel protections outright.",
    fix: "Remove the sysctl from the pod, or tune the node itself through its own, reviewed \
          configuration.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  securityContext:
    sysctls:
    - name: kernel.shm_rmid_forced
      value: "1"
    - name: kernel.msgmax
      value: "65536"
  containers:
  - name: db
    image: example.org/db:16
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  securityContext:
    sysctls:
    - name: kernel.shm_rmid_forced
      value: "1"
    - name: net.ipv4.tcp_keepalive_time
      value: "600"
  containers:
  - name: db
    image: example.org/db:16
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for s in sub(pod.sc, "sysctls").map(Node::items).unwrap_or(&[]) {
            let name = text(Some(s), "name");
            if !SAFE_SYSCTLS.contains(&name) {
                let at = s.entry("name").map_or(s.pos, |e| e.value.pos);
                j.fail(
                    at,
                    format!("the pod sets sysctl {name:?}, outside the safe set"),
                    format!("remove {name:?} from securityContext.sysctls"),
                );
            }
        }
        (
            pod.sc_field_at("sysctls"),
            "the pod sets only safe sysctls".to_string(),
        )
    });
}
