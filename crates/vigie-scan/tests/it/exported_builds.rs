//! A Dockerfile the repository builds only to export files (`docker build --output=.` copying
//! an app bundle out of a build stage) never runs as a container: the checks of a running
//! image do not judge it, and a note says why; built as an image elsewhere, it is judged.

const ANDROID: &str = "FROM node:22 AS builder\nRUN npm ci && npm run bundle\nFROM scratch\nCOPY --from=builder /src/app.apk /app.apk\n";

fn runtime_checks(files: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let r = crate::scan_files(files);
    let verdicts = r
        .verdicts
        .iter()
        .filter(|v| {
            (v.check == "CNT-01" || v.check == "CNT-10.3")
                && v.location.path.as_ref() == "app/android.Dockerfile"
        })
        .map(|v| v.check.to_string())
        .collect();
    let notes = r
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("built only to export files"))
        .map(|d| format!("{}: {}", d.location.path, d.message))
        .collect();
    (verdicts, notes)
}

#[test]
fn a_dockerfile_built_only_to_export_files_is_not_judged_as_a_running_image() {
    let make = "DOCKER_CMD ?= docker\n\napk:\n\t$(DOCKER_CMD) build -f app/android.Dockerfile --output=. app\n";
    let (verdicts, notes) =
        runtime_checks(&[("Makefile", make), ("app/android.Dockerfile", ANDROID)]);
    assert!(verdicts.is_empty(), "{verdicts:?}");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("Makefile:4"), "{notes:?}");
    // the same Dockerfile built as an image by another command is judged as one
    let both = "apk:\n\tdocker build -f app/android.Dockerfile --output=. app\nimage:\n\tdocker build -f app/android.Dockerfile -t app app\n";
    let workflow = "on: push\njobs:\n  b:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -f app/android.Dockerfile -t ghcr.io/acme/app:1 app && docker push ghcr.io/acme/app:1\n";
    let (verdicts, notes) = runtime_checks(&[
        ("Makefile", both),
        (".github/workflows/b.yml", workflow),
        ("app/android.Dockerfile", ANDROID),
    ]);
    assert!(notes.is_empty(), "{notes:?}");
    assert!(verdicts.contains(&"CNT-01".to_string()), "{verdicts:?}");
}
