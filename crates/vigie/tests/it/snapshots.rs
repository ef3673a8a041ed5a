//! The full reports of the four example platforms, held as snapshots: any change to what vigie
//! finds or how it says it shows up in review (`cargo insta review`).

use crate::common;
use common::*;

fn report(example: &str, format: &str) -> String {
    let (_, out, err) = stdout_of(
        vigie()
            .current_dir(root())
            .arg("scan")
            .arg(format!("examples/{example}"))
            .args(["--format", format, "--no-color"]),
    );
    assert!(!out.is_empty(), "{err}");
    // SARIF names the repository root by its absolute URI: the same report on every machine
    let root_uri = format!(
        "file://{}/",
        std::fs::canonicalize(root()).unwrap().display()
    );
    out.replace(&root_uri, "file:///REPOSITORY/")
}

macro_rules! snap {
    ($name:ident, $example:literal, $format:literal) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(report($example, $format));
        }
    };
}

snap!(compose_hardened_text, "compose-hardened", "text");
snap!(compose_hardened_markdown, "compose-hardened", "markdown");
snap!(compose_gaps_text, "compose-gaps", "text");
snap!(compose_gaps_markdown, "compose-gaps", "markdown");
snap!(k8s_hardened_text, "k8s-hardened", "text");
snap!(k8s_hardened_markdown, "k8s-hardened", "markdown");
snap!(k8s_gaps_text, "k8s-gaps", "text");
snap!(k8s_gaps_markdown, "k8s-gaps", "markdown");
snap!(compose_gaps_sarif, "compose-gaps", "sarif");
snap!(k8s_gaps_junit, "k8s-gaps", "junit");
snap!(
    terraform_gke_hardened_text,
    "terraform-gke-hardened",
    "text"
);
snap!(terraform_gke_gaps_text, "terraform-gke-gaps", "text");
snap!(kustomize_hardened_text, "kustomize-hardened", "text");
snap!(kustomize_gaps_text, "kustomize-gaps", "text");
snap!(kustomize_gaps_sarif, "kustomize-gaps", "sarif");
