//! Override files (`override.tf`, `*_override.tf` and their `.tf.json` forms), merged into the
//! blocks they override the way Terraform merges them, instead of being read as blocks of their
//! own: an `override.tf` that sets one argument of a cluster is that cluster with one argument
//! changed, not a second cluster with nothing else set.
//!
//! Terraform's rules, per module folder, override files taken after every other file and in
//! lexical order of their names:
//! - a `resource`, `data`, `module`, `variable`, `output` or `provider` block (a provider by its
//!   name and `alias`) merges into the block of the same type and labels: each argument of the
//!   override replaces the base's, and each nested block type the override writes (a `dynamic`
//!   block counting as its label's type) replaces every base block of that type; `lifecycle`
//!   merges argument by argument. A block with no base is an error for Terraform: a diagnostic;
//! - each value of a `locals` block replaces the base's value of that name;
//! - a `terraform` block's `backend` replaces the base's; its other settings are added.

use crate::hcl::{Attr, Block, Expr, Lit};

/// Whether Terraform reads a file as an override file.
pub fn is_override(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"));
    stem.is_some_and(|s| s == "override" || s.ends_with("_override"))
}

/// The type a nested block fills: its kind, or the label of a `dynamic` block.
fn nested_type(b: &Block) -> &str {
    if b.kind == "dynamic" {
        b.labels.first().map_or("", String::as_str)
    } else {
        &b.kind
    }
}

fn replace_attrs(base: &mut Vec<Attr>, over: &[Attr]) {
    for a in over {
        match base.iter_mut().find(|b| b.name == a.name) {
            Some(b) => *b = a.clone(),
            None => base.push(a.clone()),
        }
    }
}

/// Merge an override block into its base (same type and labels).
pub fn merge(base: &mut Block, over: &Block) {
    replace_attrs(&mut base.body.attrs, &over.body.attrs);
    let written: Vec<&str> = over
        .body
        .blocks
        .iter()
        .filter(|b| b.kind != "lifecycle")
        .map(nested_type)
        .collect();
    base.body
        .blocks
        .retain(|b| !written.contains(&nested_type(b)));
    for b in &over.body.blocks {
        if b.kind == "lifecycle"
            && let Some(l) = base.body.blocks.iter_mut().find(|x| x.kind == "lifecycle")
        {
            replace_attrs(&mut l.body.attrs, &b.body.attrs);
        } else {
            base.body.blocks.push(b.clone());
        }
    }
}

/// A provider block's alias, when written as a literal.
pub fn provider_alias(b: &Block) -> Option<&str> {
    match &b.body.attr("alias")?.expr {
        Expr::Lit(Lit::Str(s)) => Some(s),
        _ => None,
    }
}

/// Whether an override block designates this base block.
pub fn same_block(base: &Block, over: &Block) -> bool {
    base.kind == over.kind
        && if base.kind == "provider" {
            base.labels == over.labels && provider_alias(base) == provider_alias(over)
        } else {
            base.labels == over.labels
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn block(text: &str) -> Block {
        crate::hcl::parse_file(&Arc::from("x.tf"), text)
            .unwrap()
            .blocks
            .remove(0)
    }

    #[test]
    fn override_names() {
        for n in [
            "override.tf",
            "m/override.tf.json",
            "gke_override.tf",
            "a/b/x_override.tf.json",
        ] {
            assert!(is_override(n), "{n}");
        }
        for n in [
            "overrides.tf",
            "override.tfvars",
            "my-override.tf",
            "main.tf",
        ] {
            assert!(!is_override(n), "{n}");
        }
    }

    #[test]
    fn arguments_and_nested_block_types_are_replaced() {
        let mut base = block(
            "resource \"google_container_cluster\" \"c\" {\n  name = \"a\"\n  location = \"europe-west9\"\n  node_config {\n    machine_type = \"e2\"\n  }\n  addons_config {\n    http_load_balancing { disabled = true }\n  }\n  dynamic \"workload_identity_config\" {\n    for_each = []\n    content { workload_pool = \"x\" }\n  }\n  lifecycle {\n    ignore_changes = [node_config]\n    prevent_destroy = true\n  }\n}\n",
        );
        let over = block(
            "resource \"google_container_cluster\" \"c\" {\n  name = \"b\"\n  addons_config {\n    gke_backup_agent_config { enabled = true }\n  }\n  workload_identity_config {\n    workload_pool = \"p.svc.id.goog\"\n  }\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n",
        );
        assert!(same_block(&base, &over));
        merge(&mut base, &over);
        let names: Vec<&str> = base.body.attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["name", "location"]);
        assert_eq!(
            base.body.attr("name").unwrap().expr,
            Expr::Lit(Lit::Str("b".into()))
        );
        assert_eq!(base.body.attr("name").unwrap().at.line, 2);
        let kinds: Vec<&str> = base.body.blocks.iter().map(|b| b.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "node_config",
                "lifecycle",
                "addons_config",
                "workload_identity_config"
            ]
        );
        // the nested block is the override's, whole: not merged into the base's
        let addons = base.body.blocks("addons_config").next().unwrap();
        assert_eq!(addons.body.blocks[0].kind, "gke_backup_agent_config");
        let life = base.body.blocks("lifecycle").next().unwrap();
        assert_eq!(life.body.attrs.len(), 2);
        assert_eq!(
            life.body.attr("prevent_destroy").unwrap().expr,
            Expr::Lit(Lit::Bool(false))
        );
    }

    #[test]
    fn providers_match_by_alias() {
        let base =
            block("provider \"google\" {\n  alias = \"eu\"\n  region = \"europe-west9\"\n}\n");
        let other = block("provider \"google\" {\n  region = \"us-east1\"\n}\n");
        let over =
            block("provider \"google\" {\n  alias = \"eu\"\n  region = \"europe-west1\"\n}\n");
        assert!(same_block(&base, &over));
        assert!(!same_block(&other, &over));
    }
}
