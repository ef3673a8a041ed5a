//! Bad input: each problem becomes a located diagnostic, work stays bounded, nothing panics,
//! and what can still be rendered is rendered.

use vigie_core::DiagKind;
use vigie_helm::{MemFs, Release, render};

fn chart(templates: &[(&str, &str)], values: &str) -> MemFs {
    let mut fs = MemFs::new();
    fs.add("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
    fs.add("c/values.yaml", values);
    for (name, text) in templates {
        fs.add(&format!("c/templates/{name}"), *text);
    }
    fs
}

fn failure(fs: &MemFs) -> String {
    render(fs, "c", &Release::default())
        .failure
        .expect("the render fails")
}

#[test]
fn recursion_is_stopped_at_helms_limit() {
    let fs = chart(
        &[(
            "a.yaml",
            "{{- define \"loop\" }}{{ include \"loop\" . }}{{ end }}x: {{ include \"loop\" . }}\n",
        )],
        "",
    );
    let f = failure(&fs);
    assert!(f.contains("nested reference name: loop"), "{f}");
}

#[test]
fn template_recursion_is_stopped_too() {
    let fs = chart(
        &[(
            "a.yaml",
            "{{- define \"t\" }}{{ template \"t\" . }}{{ end }}{{ template \"t\" . }}\n",
        )],
        "",
    );
    assert!(failure(&fs).contains("exceeded maximum template depth"));
}

#[test]
fn enormous_lists_and_loops_are_bounded() {
    let fs = chart(&[("a.yaml", "{{ range until 100000000 }}x{{ end }}\n")], "");
    assert!(failure(&fs).contains("larger than the limit"));
    let fs = chart(
        &[(
            "a.yaml",
            "{{ range until 20000 }}{{ range until 20000 }}{{ end }}{{ end }}\n",
        )],
        "",
    );
    assert!(failure(&fs).contains("steps"));
}

#[test]
fn output_explosions_are_bounded() {
    let fs = chart(
        &[(
            "a.yaml",
            "{{ range until 200000 }}{{ repeat 1000 \"x\" }}{{ end }}\n",
        )],
        "",
    );
    assert!(failure(&fs).contains("output"));
    let fs = chart(&[("a.yaml", "{{ repeat 1000000000 \"xx\" }}\n")], "");
    assert!(failure(&fs).contains("larger than the output limit"));
}

#[test]
fn invalid_yaml_is_located_at_the_template_line_and_other_templates_still_render() {
    let fs = chart(
        &[
            (
                "bad.yaml",
                "kind: ConfigMap\ndata:\n  a: {{ .Values.v }}\n  b: [\n",
            ),
            ("good.yaml", "kind: Secret\nmetadata:\n  name: ok\n"),
        ],
        "v: 1\n",
    );
    let r = render(&fs, "c", &Release::default());
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.message.contains("invalid YAML"))
        .expect("a diagnostic for the invalid output");
    assert!(
        d.location.path.ends_with("templates/bad.yaml"),
        "{}",
        d.location
    );
    assert!(d.location.line >= 4, "{}", d.location);
    assert_eq!(d.kind, DiagKind::Render);
    assert_eq!(r.objects.len(), 1);
    assert_eq!(r.manifests[0].kind, "Secret");
}

#[test]
fn parse_errors_are_located_and_do_not_stop_other_templates() {
    let fs = chart(
        &[
            ("a.yaml", "ok: 1\n{{ if }}\n"),
            ("b.yaml", "kind: ConfigMap\n"),
        ],
        "",
    );
    let r = render(&fs, "c", &Release::default());
    assert_eq!(
        r.failure.as_deref(),
        Some("parse error at (c/templates/a.yaml:2): missing value for if")
    );
    let d = &r.diagnostics[0];
    assert!(d.location.path.ends_with("templates/a.yaml"));
    assert_eq!(d.location.line, 2);
    assert_eq!(r.objects.len(), 1);
}

#[test]
fn required_values_fail_with_helms_message_at_the_call() {
    let fs = chart(
        &[(
            "a.yaml",
            "kind: Secret\nstringData:\n  p: {{ required \"set .Values.password\" .Values.password }}\n",
        )],
        "",
    );
    let r = render(&fs, "c", &Release::default());
    assert_eq!(
        r.failure.as_deref(),
        Some("execution error at (c/templates/a.yaml:3:8): set .Values.password")
    );
    let d = &r.diagnostics[0];
    assert_eq!((d.location.line, d.location.column), (3, 9));
    assert!(d.message.contains("set .Values.password"));
}

#[test]
fn missing_subcharts_are_reported_and_the_chart_still_renders() {
    let mut fs = chart(&[("a.yaml", "kind: ConfigMap\n")], "");
    fs.add(
        "c/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: db\n  version: 1.0.0\n",
    );
    let r = render(&fs, "c", &Release::default());
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("\"db\"") && d.location.path.ends_with("Chart.yaml"))
    );
    assert_eq!(r.objects.len(), 1);
}

#[test]
fn schema_violations_point_at_the_values_line() {
    let mut fs = chart(
        &[("a.yaml", "kind: ConfigMap\n")],
        "a: 1\nreplicas: three\n",
    );
    fs.add(
        "c/values.schema.json",
        r#"{"type": "object", "properties": {"replicas": {"type": "integer"}}}"#,
    );
    let r = render(&fs, "c", &Release::default());
    let f = r.failure.expect("a schema failure");
    assert!(
        f.starts_with("values don't meet the specifications of the schema(s)"),
        "{f}"
    );
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.message.contains("schema"))
        .unwrap();
    assert!(d.location.path.ends_with("values.yaml"));
    assert_eq!(d.location.line, 2);
}

#[test]
fn broken_chart_files_are_diagnostics_not_panics() {
    let mut fs = MemFs::new();
    fs.add("c/Chart.yaml", "name: [unclosed\n");
    let r = render(&fs, "c", &Release::default());
    assert!(r.failure.is_some() && !r.diagnostics.is_empty());
    let mut fs = chart(&[("a.yaml", "x: 1\n")], "a: [1, 2\n");
    fs.add("c/x", "");
    let r = render(&fs, "c", &Release::default());
    assert!(r.diagnostics[0].location.path.ends_with("values.yaml"));
    let r = render(&MemFs::new(), "nowhere", &Release::default());
    assert!(r.failure.is_some());
}

#[test]
fn hostile_templates_never_panic() {
    let mut seed: u64 = 0x2545F4914F6CDD1D;
    let pieces = [
        "{{", "}}", "{{-", "-}}", " ", "(", ")", "|", ".Values", ".a", "$x", ":=", "=", "if",
        "else", "end", "range", "with", "define", "\"s\"", "`r`", "1", "1.5", "nil", "include",
        "tpl", "toYaml", "printf", "\"%d\"", "break", "continue", "block", "template", "/*", "*/",
        "\n", "dict", "list", "index", "$", ",", "'c'", "len", "and", "or", "not",
    ];
    for _ in 0..400 {
        let mut t = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            t.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        let fs = chart(&[("a.yaml", &t)], "a: {b: [1, 2]}\n");
        let _ = render(&fs, "c", &Release::default());
    }
    let deep = format!("{{{{ {} 1 {} }}}}", "(".repeat(5000), ")".repeat(5000));
    let fs = chart(&[("a.yaml", &deep)], "");
    assert!(failure(&fs).contains("nesting"));
}

#[test]
fn crds_are_listed_untemplated() {
    let mut fs = chart(&[("a.yaml", "kind: ConfigMap\n")], "");
    fs.add(
        "c/crds/w.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w.example.com\n",
    );
    let r = render(&fs, "c", &Release::default());
    assert_eq!(r.crds.len(), 1);
    assert_eq!(r.crds[0].name, "w.example.com");
    assert!(r.crds[0].source.ends_with("crds/w.yaml"));
    assert_eq!(r.objects.len(), 1, "CRDs are not templates");
}

#[test]
fn a_map_holding_itself_does_not_crash() {
    let fs = chart(
        &[(
            "a.yaml",
            "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"self\" $d }}x: {{ len (toYaml $d) }}\ny: {{ $d | toJson | len }}\nz: {{ deepCopy $d | len }}\nw: {{ eq (len (printf \"%v\" $d)) 0 }}\n",
        )],
        "",
    );
    let r = render(&fs, "c", &Release::default());
    assert!(
        r.templates
            .values()
            .next()
            .is_some_and(|t| t.contains("x: 0")),
        "{:?}",
        r.templates
    );
}
