//! PSS-R03: Containers must run as non-root.

use super::*;
use crate::Context;
use std::collections::HashMap;
use std::sync::OnceLock;
use vigie_core::model::{UserSource, Workload};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R03",
    title: "Containers must run as non-root",
    severity: Severity::High,
    applies_to: K8S,
    what: "`runAsNonRoot` is `true` for every container: either the pod securityContext sets it \
           to `true` and no container sets it to `false`, or every container (init and \
           ephemeral included) sets it to `true`. A pod-level `false` fails even when every \
           container sets `true`. Pods in a user namespace (`hostUsers: false`) are exempt.",
    why: "With `runAsNonRoot: true` the kubelet refuses to start a container whose user would \
          be root (UID 0), whatever the image says; root in a container is root on the node's \
          kernel, one bug away from the host.",
    fix: "Set `runAsNonRoot: true` in the pod securityContext and remove any container-level \
          `runAsNonRoot: false`; give the image a non-root USER or set `runAsUser`. When the \
          image's USER is a name (`USER app`), set a numeric `runAsUser` too: the kubelet \
          cannot tell that a name is not root and refuses to start the container.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: api
    image: example.org/api:3
  - name: debug
    image: example.org/toolbox:1.4
    securityContext:
      runAsNonRoot: false
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
  - name: api
    image: example.org/api:3
  - name: debug
    image: example.org/toolbox:1.4
"#,
    ),
};

/// The user an image runs as when it is a name rather than a UID (`USER app`, a catalogue
/// image's `nonroot`), by container subject: `runAsNonRoot: true` alone would stop it.
fn named_image_users(workloads: &[Workload]) -> HashMap<&str, &str> {
    workloads
        .iter()
        .filter_map(|w| {
            let user = match &w.user {
                UserSource::Dockerfile(u) => u.value.as_str(),
                UserSource::KnownImage { user, .. } => user.as_str(),
                _ => return None,
            };
            let name = user.split(':').next().unwrap_or(user).trim();
            (!name.is_empty() && !name.bytes().all(|b| b.is_ascii_digit()))
                .then_some((w.subject.as_ref(), name))
        })
        .collect()
}

/// The fix for a container that does not get `runAsNonRoot: true`.
fn fix_for(named: Option<&str>) -> String {
    match named {
        Some(user) => format!(
            "set runAsNonRoot: true in the pod securityContext with a numeric runAsUser (the UID of `{user}`): the image's USER `{user}` is a name, which the kubelet cannot verify as non-root, so runAsNonRoot alone would stop the container from starting"
        ),
        None => "set runAsNonRoot: true in the pod securityContext".to_string(),
    }
}

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    let named: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    each_pod(cx, out, &DOC, |pod, j| {
        if let Some(e) = pod.user_namespace() {
            return (
                e.key_pos,
                "the pod runs in a user namespace (hostUsers: false), where root is not the node's root"
                    .to_string(),
            );
        }
        let mut pod_true = None;
        if let Some(e) = field(pod.sc, "runAsNonRoot") {
            if e.value.as_bool() == Some(true) {
                pod_true = Some(e.key_pos);
            } else {
                j.fail(
                    e.key_pos,
                    format!(
                        "the pod sets runAsNonRoot to {}",
                        e.value.as_str().unwrap_or("a non-boolean value")
                    ),
                    "set runAsNonRoot: true in the pod securityContext",
                );
            }
        }
        for c in &pod.containers {
            match c.sc_field("runAsNonRoot") {
                Some(e) if e.value.as_bool() == Some(true) => {}
                Some(e) => j.fail_in(
                    c,
                    e.key_pos,
                    format!(
                        "{} sets runAsNonRoot to {}",
                        c.who(),
                        e.value.as_str().unwrap_or("a non-boolean value")
                    ),
                    "remove the container's runAsNonRoot (or set it to true)",
                ),
                None if pod_true.is_none() => {
                    let subject = j.container_subject(c);
                    let user = named
                        .get_or_init(|| named_image_users(cx.workloads))
                        .get(subject.as_str())
                        .copied()
                        .filter(|_| {
                            c.sc_field("runAsUser").is_none()
                                && field(pod.sc, "runAsUser").is_none()
                        });
                    j.fail_in(
                        c,
                        c.sc_at(),
                        format!(
                            "{} does not set runAsNonRoot: true, and neither does the pod",
                            c.who()
                        ),
                        fix_for(user),
                    )
                }
                None => {}
            }
        }
        match pod_true {
            Some(at) => (
                at,
                format!(
                    "the pod sets runAsNonRoot: true and no container overrides it ({} checked)",
                    pod.count()
                ),
            ),
            None => (
                pod.spec.pos,
                format!(
                    "every container sets runAsNonRoot: true ({} checked)",
                    pod.count()
                ),
            ),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::judge;
    use crate::container::testing::Fixture;

    /// A Skaffold project building `web` from `web/Dockerfile`, whose USER is a name.
    const FILES: &[(&str, &str)] = &[
        ("web/Dockerfile", "FROM alpine:3.20\nUSER app\n"),
        (
            "skaffold.yaml",
            "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n  - image: web\n    context: web\n",
        ),
    ];

    #[test]
    fn a_named_image_user_asks_for_a_numeric_run_as_user() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: web\n    image: web\n";
        let vs = Fixture::new("kubernetes", pod, FILES).run(judge);
        assert_eq!(vs.len(), 1, "{vs:?}");
        let fix = vs[0].fix().unwrap_or_default();
        assert!(
            fix.contains("numeric runAsUser") && fix.contains("`app`"),
            "{fix}"
        );
        // an image with a numeric USER gets the plain fix
        let numeric = [
            ("web/Dockerfile", "FROM alpine:3.20\nUSER 10001\n"),
            FILES[1],
        ];
        let vs = Fixture::new("kubernetes", pod, &numeric).run(judge);
        assert_eq!(
            vs[0].fix(),
            Some("set runAsNonRoot: true in the pod securityContext")
        );
    }
}
