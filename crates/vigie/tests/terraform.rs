//! Terraform and the cloud controls from the command line: `vigie offers`, and scans of the
//! Terraform+GKE examples.

mod common;
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
