//! Terraform and the cloud controls from the command line: `vigie offers`, and scans of the
//! Terraform+GKE examples.

use crate::common;
use common::*;

#[test]
fn offers_prints_the_dated_list_with_its_source() {
    let (code, out, err) = stdout_of(vigie().arg("offers"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("source: ANSSI"), "{out}");
    assert!(out.contains("as of:  20"), "{out}");
    assert!(out.contains("S3NS PREMI3NS"), "{out}");
    assert!(out.contains("universe_domain = \"s3nsapis.fr\""), "{out}");
    assert!(out.contains("3DS Outscale IaaS"), "{out}");
    assert!(out.contains("Not qualified:"), "{out}");
}

#[test]
fn terraform_examples_gate_as_their_names_say() {
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("terraform-gke-hardened"))
            .arg("--no-color"),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("terraform-gke-gaps"))
            .arg("--no-color"),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("SOV-02.1"), "{out}");
}
