//! vigie-gotmpl's integration tests, in one test binary: templates evaluated by the engine
//! alone, each expected output being what Helm 4.2's engine printed for the same template and
//! values (measured once with helm-python-sdk and written here).

use vigie_gotmpl::{Exec, Options, Origin, TemplateSet, Value, parse_template, yaml};

const VALUES: &str = "i: 3\nf: 1.5\nbig: 1000000\ns: str\nb: true\nn: null\nl: [1, \"a\", null]\nm: {b: 2, a: [x]}\ne: \"\"\n";

fn render(template: &str) -> Result<String, String> {
    let parsed = parse_template("t", template, 0).map_err(|e| e.go_text())?;
    let mut set = TemplateSet::default();
    set.add(parsed);
    let values = yaml::parse_yaml(VALUES, &mut |_| Origin::NONE).unwrap();
    let mut top = std::collections::BTreeMap::new();
    top.insert("Values".into(), values);
    let opts = Options::default();
    let mut ex = Exec::new(&set, &opts, "gotpl".into());
    ex.execute("t", Value::map(top)).map_err(|e| e.text)?;
    Ok(ex.out.buf.replace("<no value>", ""))
}

/// (template, what Helm printed)
const CASES: &[(&str, &str)] = &[
    (
        "{{ .Values.big }}|{{ .Values.f }}|{{ .Values.i }}|{{ 1e6 }}|{{ 100000.0 }}|{{ 0.00001 }}",
        "1e+06|1.5|3|1e+06|100000|1e-05",
    ),
    (
        "{{ .Values.m }}|{{ .Values.l }}|{{ .Values.n }}|{{ .Values.missing }}",
        "map[a:[x] b:2]|[1 a <nil>]||",
    ),
    (
        "{{ printf \"%v|%s|%d|%q|%T\" .Values.n .Values.n .Values.i .Values.s .Values.i }}",
        "<nil>|%!s(<nil>)|%!d(float64=3)|\"str\"|float64",
    ),
    (
        "{{ printf \"%5.1f|%-5d|%x|%X|%o|%b|%e|%E|%g\" 3.14159 42 255 255 8 5 123456.789 0.000123 1e21 }}",
        "  3.1|42   |ff|FF|10|101|1.234568e+05|1.230000E-04|1e+21",
    ),
    (
        "{{ printf \"%s %s\" \"a\" }}|{{ printf \"%d\" \"x\" }}|{{ printf \"%!\" }}|{{ printf \"%[2]s-%[1]s\" \"a\" \"b\" }}",
        "a %!s(MISSING)|%!d(string=x)|%!!(MISSING)|b-a",
    ),
    (
        "{{ print 1 2 \"x\" 3 \"y\" \"z\" 4.5 nil }}",
        "1 2x3yz4.5 <nil>",
    ),
    ("{{ println \"a\" 1 true }}", "a 1 true\n"),
    (
        "{{ quote .Values.n }}|{{ quote .Values.i }}|{{ squote .Values.f }}|{{ .Values.l | toString }}",
        "|\"3\"|'1.5'|[1 a <nil>]",
    ),
    (
        "{{ eq .Values.i 3.0 }}|{{ eq .Values.s \"x\" \"str\" }}|{{ eq nil nil }}|{{ ne 1 2 }}|{{ lt \"a\" \"b\" }}",
        "true|true|true|true|true",
    ),
    (
        "{{ not .Values.e }}|{{ not .Values.l }}|{{ if .Values.m }}t{{ end }}|{{ if 0.0 }}x{{ else }}f{{ end }}",
        "true|false|t|f",
    ),
    (
        "{{ range $i, $v := .Values.l }}[{{ $i }}:{{ $v }}]{{ end }}{{ range $k, $v := .Values.m }}({{ $k }}={{ $v }}){{ end }}",
        "[0:1][1:a][2:](a=[x])(b=2)",
    ),
    (
        "{{ range 3 }}{{ . }}{{ end }}|{{ range $i := 2 }}{{ $i }}{{ end }}",
        "012|01",
    ),
    (
        "{{ with $x := .Values.s }}{{ $x }}{{ end }}|{{ $y := 1 }}{{ $y = 2 }}{{ $y }}",
        "str|2",
    ),
    (
        "{{ len .Values.s }}|{{ index .Values.l 1 }}|{{ index .Values.m \"a\" 0 }}|{{ slice .Values.l 1 }}",
        "3|a|x|[a <nil>]",
    ),
    (
        "{{ toYaml .Values.l }}|{{ toJson .Values.m }}|{{ toYaml .Values.n }}|{{ toYaml 1.0 }}|{{ toYaml \"1.0\" }}",
        "- 1\n- a\n- null|{\"a\":[\"x\"],\"b\":2}|null|1|\"1.0\"",
    ),
    (
        "{{ int 3.9 }}|{{ int64 \"0x10\" }}|{{ float64 \"1e3\" }}|{{ atoi \"12a\" }}|{{ add 1.9 1.9 }}|{{ mul 1.5 2 }}",
        "3|16|1000|0|2|2",
    ),
    (
        "{{ typeOf .Values.big }}|{{ typeOf .Values.m }}|{{ typeOf .Values.l }}|{{ kindOf .Values.n }}|{{ typeOf nil }}",
        "float64|map[string]interface {}|[]interface {}|invalid|<nil>",
    ),
    (
        "{{ default \"d\" .Values.e }}|{{ default \"d\" .Values.b }}|{{ .Values.n | default \"x\" }}|{{ empty .Values.m }}|{{ coalesce .Values.n .Values.e .Values.s }}",
        "d|true|x|false|str",
    ),
    (
        "{{ trunc 3 \"abcdef\" }}|{{ trunc -2 \"abcdef\" }}|{{ substr 1 3 \"abcdef\" }}|{{ indent 2 \"a\\nb\" }}|{{ nindent 1 \"x\" }}",
        "abc|ef|bc|  a\n  b|\n x",
    ),
    (
        "{{ b64enc \"é\" }}|{{ sha256sum \"\" }}|{{ upper \"ßx\" }}|{{ title \"hello-world foo_bar\" }}",
        "w6k=|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855|ßX|Hello-World Foo_bar",
    ),
    (
        "{{ semverCompare \">=1.2.3-0\" \"1.2.3-alpha\" }}|{{ semverCompare \"1.x\" \"1.9.9\" }}|{{ semverCompare \"!=1.2.3\" \"1.2.4\" }}",
        "true|true|true",
    ),
    (
        "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}|{{ regexFindAll \"\\\\d+\" \"a1b22c333\" -1 }}|{{ regexSplit \"a\" \"banana\" 2 }}",
        "-W-xxW-|[1 22 333]|[b nana]",
    ),
    (
        "{{ dict \"b\" 1 \"a\" 2 }}|{{ list }}|{{ dict }}|{{ keys (dict \"b\" 1 \"a\" 2) | sortAlpha }}",
        "map[a:2 b:1]|[]|map[]|[a b]",
    ),
    (
        "{{ $d := dict \"a\" (dict \"x\" 1) }}{{ $_ := merge $d (dict \"a\" (dict \"y\" 2) \"b\" 3) }}{{ $d }}",
        "map[a:map[x:1 y:2] b:3]",
    ),
    (
        "{{ tpl \"{{ .Values.s }}-{{ .Values.missing }}\" . }}",
        "str-",
    ),
    (
        "{{ fromYaml \"a: [1, 2]\\nb: yes\" }}|{{ fromJson \"{\\\"a\\\": 1.5}\" }}",
        "map[a:[1 2] b:true]|map[a:1.5]",
    ),
    ("{{- /* c */ -}} x {{- \"y\" -}} z", "xyz"),
    (
        "{{ .Values.big | toString }}|{{ toJson .Values.big }}|{{ toYaml .Values.big }}",
        "1e+06|1000000|1000000",
    ),
];

#[test]
fn templates_print_what_helm_prints() {
    let mut bad = Vec::new();
    for (t, want) in CASES {
        match render(t) {
            Ok(got) if got == *want => {}
            Ok(got) => bad.push(format!("{t}\n  want {want:?}\n  got  {got:?}")),
            Err(e) => bad.push(format!("{t}\n  want {want:?}\n  error {e}")),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn errors_carry_gos_messages() {
    let e = render("{{ and }}").unwrap_err();
    assert!(
        e.contains("wrong number of args for and: want at least 1 got 0"),
        "{e}"
    );
    let e = render("{{ .Values.n.x }}").unwrap_err();
    assert!(e.ends_with("nil pointer evaluating interface {}.x"), "{e}");
    let e = render("{{ trunc .Values.f \"x\" }}").unwrap_err();
    assert!(
        e.contains("wrong type for value; expected int; got float64"),
        "{e}"
    );
    let e = render("{{ trunc \"x\" \"y\" }}").unwrap_err();
    assert!(e.contains("expected integer; found \"x\""), "{e}");
    let e = render("{{ eq .Values.i 3 }}").unwrap_err();
    assert!(
        e.contains("incompatible types for comparison: float64 and int"),
        "{e}"
    );
    // Measured with Helm's engine: a nil read from a map only fits an interface{} parameter,
    // indexes one past the end are reflect's panic, arity errors name the function, a bad piped
    // value is reported at the last argument.
    for (t, want) in [
        (
            "{{ hasKey .Values.missing \"x\" }}",
            "at <.Values.missing>: wrong type for value; expected map[string]interface {}; got interface {}",
        ),
        (
            "{{ index \"\" 0 }}",
            "error calling index: reflect: string index out of range",
        ),
        (
            "{{ index .Values.l 3 }}",
            "error calling index: reflect: slice index out of range",
        ),
        (
            "{{ index .Values.l 4 }}",
            "error calling index: index out of range: 4",
        ),
        (
            "{{ len .Values.missing }}",
            "error calling len: len of nil pointer",
        ),
        (
            "{{ $m := .Values.missing }}{{ len $m }}",
            "error calling len: reflect: call of reflect.Value.Type on zero Value",
        ),
        (
            "{{ include \"x\" }}",
            "at <include>: wrong number of args for include: want 2 got 1",
        ),
        (
            "{{ .Values.l | trunc 5 }}",
            "at <5>: wrong type for value; expected string; got []interface {}",
        ),
    ] {
        let e = render(t).unwrap_err();
        assert!(e.ends_with(want), "{t}: {e}");
    }
    let e = render("{{ nope }}").unwrap_err();
    assert_eq!(e, "template: t:1: function \"nope\" not defined");
}

#[test]
fn limits_stop_runaway_templates() {
    let opts = Options {
        strict: false,
        limits: vigie_gotmpl::Limits {
            steps: 10_000,
            ..Default::default()
        },
    };
    let mut set = TemplateSet::default();
    set.add(parse_template("t", "{{ range until 100000 }}x{{ end }}", 0).unwrap());
    let mut ex = Exec::new(&set, &opts, "gotpl".into());
    let e = ex.execute("t", Value::nil()).unwrap_err();
    assert!(e.text.contains("steps"), "{}", e.text);
}
