//! A job's token scope that a script of the repository uses, run by one of its steps, is used
//! by the job.

#[test]
fn a_write_scope_a_repository_script_uses_is_used() {
    let wf = "on: push\npermissions:\n  contents: read\njobs:\n  release:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./hack/make-release.sh\n";
    let script = "#!/usr/bin/env bash\nset -e\ngit tag \"v$VERSION\"\ngit push --tags\n";
    let sup06 = |r: &vigie_core::ScanReport| -> Vec<vigie_core::Verdict> {
        r.verdicts
            .iter()
            .filter(|v| v.check == "SUP-06.1")
            .cloned()
            .collect()
    };
    let with = crate::scan_files(&[
        (".github/workflows/release.yml", wf),
        ("hack/make-release.sh", script),
    ]);
    let v = sup06(&with);
    assert!(v.len() == 1 && v[0].is_pass(), "{v:#?}");
    // the same step without the script in the repository: nothing shows the scope used
    let without = crate::scan_files(&[(".github/workflows/release.yml", wf)]);
    let v = sup06(&without);
    assert!(
        v.len() == 1 && v[0].is_fail() && v[0].message.contains("`contents: write`"),
        "{v:#?}"
    );
}
