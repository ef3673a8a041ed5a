//! K8S-02.1: no RBAC role grants wildcards or cluster-admin.

use crate::Out;
use crate::cluster::*;
use crate::model::Model;
use std::collections::BTreeMap;
use vigie_core::Verdict;
use vigie_core::{CheckDoc, Severity};
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "K8S-02.1",
    title: "No workload is bound to cluster-admin or wildcard RBAC",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "No RoleBinding or ClusterRoleBinding grants a service account (or all service \
           accounts) `cluster-admin`, `admin`, or a Role/ClusterRole whose rules use `*` for \
           verbs, resources or API groups.",
    why: "A pod's service account token is readable by anything that runs in the pod: a \
          wildcard grant turns one compromised container into control of the cluster.",
    fix: "Bind the service account to a Role listing the verbs and resources it needs, in its \
          own namespace.",
    failing: (
        "k8s/rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: deployer\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: deployer\n    namespace: ci\n",
    ),
    passing: (
        "k8s/rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: read-config\n  namespace: shop\nrules:\n  - apiGroups: [\"\"]\n    resources: [\"configmaps\"]\n    verbs: [\"get\", \"list\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: web-read-config\n  namespace: shop\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: read-config\nsubjects:\n  - kind: ServiceAccount\n    name: web\n    namespace: shop\n",
    ),
};

/// K8S-02.1: bindings of service accounts to cluster-admin or wildcard roles.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let objects = m.objects;
    let roles: BTreeMap<(&str, &str, &str), &Object> = objects
        .iter()
        .filter(|o| o.kind == "Role" || o.kind == "ClusterRole")
        .map(|o| {
            let n = if o.kind == "Role" { ns(o) } else { "" };
            ((o.kind.as_str(), n, o.name.as_str()), o)
        })
        .collect();
    for b in objects
        .iter()
        .filter(|o| o.kind == "RoleBinding" || o.kind == "ClusterRoleBinding")
    {
        let sas: Vec<String> = b
            .node
            .get("subjects")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|s| {
                let kind = s.get("kind").and_then(Node::as_str)?;
                let name = s.get("name").and_then(Node::as_str)?;
                match kind {
                    "ServiceAccount" => Some(format!(
                        "ServiceAccount {}/{name}",
                        s.get("namespace")
                            .and_then(Node::as_str)
                            .unwrap_or_else(|| ns(b))
                    )),
                    "Group" if name.starts_with("system:serviceaccounts") => {
                        Some(format!("group {name}"))
                    }
                    _ => None,
                }
            })
            .collect();
        if sas.is_empty() {
            continue;
        }
        let role_ref = b.node.get("roleRef");
        let rkind = role_ref
            .and_then(|r| r.get("kind"))
            .and_then(Node::as_str)
            .unwrap_or("ClusterRole");
        let rname_node = role_ref.and_then(|r| r.get("name"));
        let rname = rname_node.and_then(Node::as_str).unwrap_or("");
        let at = rname_node.map_or(b.at.clone(), |n| loc(b, n.pos));
        let who = sas.join(", ");
        let fix =
            "bind the service account to a Role listing only the verbs and resources it needs";
        if rkind == "ClusterRole" && rname == "cluster-admin" {
            out.verdicts.push(Verdict::fail(
                &DOC,
                b.id(),
                at,
                format!(
                    "{who} is bound to `cluster-admin`: the pod's token controls the whole cluster"
                ),
                fix,
            ));
            continue;
        }
        let rns = if rkind == "Role" { ns(b) } else { "" };
        match roles.get(&(rkind, rns, rname)) {
            Some(r) => match has_wildcard(r) {
                Some(p) => out.verdicts.push(
                    Verdict::fail(
                        &DOC,
                        b.id(),
                        at,
                        format!("{who} is bound to {rkind} `{rname}`, whose rules grant `*`"),
                        fix,
                    )
                    .with_related(Some(loc(r, p))),
                ),
                None => out.verdicts.push(Verdict::pass(
                    &DOC,
                    b.id(),
                    at,
                    format!("{who} is bound to {rkind} `{rname}`, which lists its verbs and resources"),
                )),
            },
            None => out.verdicts.push(Verdict::pass(
                &DOC,
                b.id(),
                at,
                format!("{who} is bound to {rkind} `{rname}` (not defined in the repository; not cluster-admin)"),
            )),
        }
    }
}
