//! The Secret a workload reads is looked up in the workload's own deployment unit: two
//! independent samples that both name a Secret `token` do not produce each other's.

const READER: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n          env:\n            - name: TOKEN\n              valueFrom:\n                secretKeyRef: {name: token, key: value}\n";
const PLAIN: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  value: not-a-real-token\n";
const EXTERNAL: &str = "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: token\nspec:\n  secretStoreRef: {kind: ClusterSecretStore, name: vault}\n  target: {name: token}\n";

#[test]
fn a_workload_secret_is_matched_within_its_unit() {
    // each sample's Deployment has its own name, so that no two files are copies of each other
    let (alone, plain, vault) = (
        READER.replace("web", "alone"),
        READER.replace("web", "plain"),
        READER.replace("web", "vault"),
    );
    let r = crate::scan_files(&[
        // reads `token`, produced nowhere in its unit
        ("samples/alone/web.yaml", &alone),
        // an unrelated sample with a plain Secret of the same name and namespace
        ("samples/plain/web.yaml", &plain),
        ("samples/plain/secret.yaml", PLAIN),
        // another one whose Secret comes from an ExternalSecret
        ("samples/vault/web.yaml", &vault),
        ("samples/vault/secret.yaml", EXTERNAL),
    ]);
    let of = |path: &str| {
        r.verdicts
            .iter()
            .filter(|v| v.check == "SEC-02.2" && v.location.path.as_ref() == path)
            .collect::<Vec<_>>()
    };
    let alone = of("samples/alone/web.yaml");
    assert_eq!(alone.len(), 1, "{alone:#?}");
    assert!(alone[0].is_fail());
    assert!(
        alone[0]
            .message
            .contains("nothing applied with this workload (its unit) produces"),
        "{}",
        alone[0].message
    );
    assert!(
        alone[0].related().is_empty(),
        "no Secret of another sample is named: {:?}",
        alone[0].related()
    );
    let plain = of("samples/plain/web.yaml");
    assert_eq!(plain.len(), 1, "{plain:#?}");
    assert!(plain[0].is_fail());
    assert!(
        plain[0].message.contains("plain manifest"),
        "{}",
        plain[0].message
    );
    assert_eq!(
        plain[0].related()[0].path.as_ref(),
        "samples/plain/secret.yaml"
    );
    let vault = of("samples/vault/web.yaml");
    assert_eq!(vault.len(), 1, "{vault:#?}");
    assert!(vault[0].is_pass(), "{:?}", vault[0]);
}

#[test]
fn operators_that_create_their_own_secret_produce_it() {
    let kafka_user = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaUser\nmetadata:\n  name: token\n  labels: {strimzi.io/cluster: events}\nspec:\n  authentication: {type: scram-sha-512}\n";
    let certificate = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web-cert\nspec:\n  secretName: token\n  dnsNames: [web.example.org]\n  issuerRef: {name: letsencrypt, kind: ClusterIssuer}\n";
    // the same kinds from another API group produce nothing
    let other = "apiVersion: example.org/v1\nkind: Certificate\nmetadata:\n  name: web-cert\nspec:\n  secretName: token\n";
    for (producer, produced) in [(kafka_user, true), (certificate, true), (other, false)] {
        let r = crate::scan_files(&[("app/web.yaml", READER), ("app/producer.yaml", producer)]);
        let v: Vec<_> = r
            .verdicts
            .iter()
            .filter(|v| v.check == "SEC-02.2" && &*v.location.path == "app/web.yaml")
            .collect();
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(
            v[0].message
                .contains("nothing applied with this workload (its unit) produces"),
            !produced,
            "{producer}: {v:#?}"
        );
    }
}
