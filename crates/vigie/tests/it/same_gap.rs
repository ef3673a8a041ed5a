//! One gap, one finding: a container whose `allowPrivilegeEscalation` is unset fails the
//! container check CNT-03 and the Pod Security check PSS-R02; every listing shows it once and
//! names the other check, while each verdict still decides its own requirements.

use crate::common::*;
use serde_json::Value;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: registry.example.org/web:1.4.2@sha256:0d3f9a1c8c2b7e6f5a4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29
        securityContext:
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        resources:
          limits: {cpu: 500m, memory: 256Mi}
";

fn scan(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(dir).args(args));
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    (code, out)
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("k8s")).unwrap();
    std::fs::write(dir.path().join("k8s/web.yaml"), DEPLOYMENT).unwrap();
    dir
}

#[test]
fn both_verdicts_are_in_the_json_report_one_naming_the_other() {
    let dir = fixture();
    let (_, out) = scan(dir.path(), &["--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let fails: Vec<&Value> = report["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| {
            v["outcome"] == "fail" && ["CNT-03", "PSS-R02"].contains(&v["check"].as_str().unwrap())
        })
        .collect();
    assert_eq!(fails.len(), 2, "{fails:#?}");
    let subject = "Deployment/shop/web › container web";
    assert!(fails.iter().all(|v| v["subject"] == subject), "{fails:#?}");
    let cnt = fails.iter().find(|v| v["check"] == "CNT-03").unwrap();
    let pss = fails.iter().find(|v| v["check"] == "PSS-R02").unwrap();
    assert_eq!(cnt["also_fails"], serde_json::json!(["PSS-R02"]));
    assert_eq!(pss["same_gap_as"], "CNT-03");
    // the Pod Security requirement is still decided by its own check's failure
    let requirement = report["framework_results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "pss-restricted")
        .flat_map(|f| f["sections"].as_array().unwrap())
        .flat_map(|s| s["requirements"].as_array().unwrap())
        .find(|r| r["checks"] == serde_json::json!(["PSS-R02"]))
        .expect("the restricted Pod Security framework is reported");
    assert_eq!(requirement["status"], "non_compliant", "{requirement}");
    assert_eq!(requirement["failed"], 1, "{requirement}");
}

#[test]
fn text_sarif_and_junit_list_the_gap_once() {
    let dir = fixture();
    let (code, text) = scan(dir.path(), &["--no-color"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("[CNT-03 high]"), "{text}");
    assert!(!text.contains("[PSS-R02"), "{text}");
    assert!(text.contains("the same gap also fails PSS-R02"), "{text}");

    let (_, sarif) = scan(dir.path(), &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(ids.contains(&"CNT-03"), "{ids:?}");
    assert!(!ids.contains(&"PSS-R02"), "{ids:?}");
    let cnt = results.iter().find(|r| r["ruleId"] == "CNT-03").unwrap();
    assert_eq!(
        cnt["properties"]["alsoFails"],
        serde_json::json!(["PSS-R02"])
    );

    let (_, junit) = scan(dir.path(), &["--format", "junit"]);
    let case_start = junit
        .find("Deployment/shop/web › container web")
        .expect("a case for the container");
    let case = &junit[case_start..];
    let case = &case[..case.find("</testcase>").unwrap_or(case.len())];
    assert!(
        case.contains("CNT-03") && !case.contains("PSS-R02 high"),
        "{case}"
    );
}

#[test]
fn a_pod_security_report_alone_lists_the_pod_security_failure() {
    let dir = fixture();
    let (_, text) = scan(dir.path(), &["--no-color", "--framework", "pss-restricted"]);
    assert!(text.contains("[PSS-R02 high]"), "{text}");
    assert!(!text.contains("also fails"), "{text}");
}
