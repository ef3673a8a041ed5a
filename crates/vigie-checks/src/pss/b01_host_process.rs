//! PSS-B01: No Windows HostProcess containers.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::{Entry, Node};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B01",
    title: "No Windows HostProcess containers",
    severity: Severity::Critical,
    applies_to: K8S,
    what: "Neither the pod securityContext nor the securityContext of any container, init \
           container or ephemeral container sets `windowsOptions.hostProcess: true`.",
    why: "A HostProcess container runs directly on the Windows node, outside any container \
          isolation, with access to the host's processes, network and file system: it is the \
          Windows equivalent of a privileged container in the host namespaces.",
    fix: "Remove `windowsOptions.hostProcess` (or set it to `false`). Node administration tasks \
          belong to a dedicated, separately governed namespace, not to application workloads.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  securityContext:
    windowsOptions:
      hostProcess: true
      runAsUserName: "NT AUTHORITY\\SYSTEM"
  hostNetwork: true
  containers:
  - name: agent
    image: example.org/agent:1.0
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  os:
    name: windows
  containers:
  - name: agent
    image: example.org/agent:1.0
    securityContext:
      windowsOptions:
        runAsUserName: ContainerUser
"#,
    ),
};

fn host_process_set(sc: Option<&Node>) -> Option<&Entry> {
    sub(sc, "windowsOptions")
        .and_then(|w| w.entry("hostProcess"))
        .filter(|e| e.value.as_bool() == Some(true))
}

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for (who, sc) in pod.setters() {
            if let Some(e) = host_process_set(sc) {
                j.fail(
                    e.key_pos,
                    format!("{who} sets securityContext.windowsOptions.hostProcess: true"),
                    "remove windowsOptions.hostProcess (or set it to false)",
                );
            }
        }
        (
            pod.sc_at(),
            format!(
                "neither the pod nor its containers set windowsOptions.hostProcess: true ({} checked)",
                pod.count()
            ),
        )
    });
}
