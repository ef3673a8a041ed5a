//! Helm's own functions: `include`, `tpl`, `required`, `fail`, `lookup` (empty, as in `helm
//! template`), and the YAML/JSON/TOML converters, which override Sprig's of the same name.

use super::{FuncDef, defs};
use crate::exec::{HELM_ERR_END, HELM_ERR_START};
use crate::value::{V, Value};
use crate::yaml;

fn wrap(msg: &str) -> String {
    format!("{HELM_ERR_START}{msg}{HELM_ERR_END}")
}

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "include" [Str, Any] => ctx |ex, a| ex.include(a[0].as_str().unwrap_or(""), a[1].clone());
        "tpl" [Str, Any] => ctx |ex, a| ex.tpl(a[0].as_str().unwrap_or(""), a[1].clone());
        "required" [Str, Any] => pure |a| {
            match &a[1].v {
                V::Nil | V::NilIface => Err(wrap(a[0].as_str().unwrap_or(""))),
                V::Str(s) if s.is_empty() => Err(wrap(a[0].as_str().unwrap_or(""))),
                _ => Ok(a[1].clone()),
            }
        };
        "fail" [Str] => pure |a| Err(wrap(a[0].as_str().unwrap_or("")));
        "lookup" [Str, Str, Str, Str] => pure |_| Ok(Value::empty_map());
        "toYaml" [Any] => ctx |ex, a| {
            let (text, lines) = yaml::to_yaml_traced(&a[0]).unwrap_or_default();
            let v = Value::string(text);
            if let V::Str(s) = &v.v {
                ex.trace_lines(s, lines);
            }
            Ok(v)
        };
        "mustToYaml" [Any] => pure |a| yaml::to_yaml(&a[0]).map(Value::string);
        "toYamlPretty" [Any] => pure |a| Ok(Value::string(yaml::to_yaml(&a[0]).unwrap_or_default()));
        "fromYaml" [Str] => pure |a| Ok(yaml::from_yaml(a[0].as_str().unwrap_or("")));
        "fromYamlArray" [Str] => pure |a| Ok(yaml::from_yaml_array(a[0].as_str().unwrap_or("")));
        "toJson" [Any] => pure |a| Ok(Value::string(yaml::to_json(&a[0], true, None).unwrap_or_default()));
        "mustToJson" [Any] => pure |a| yaml::to_json(&a[0], true, None).map(Value::string);
        "toPrettyJson" [Any] => pure |a| Ok(Value::string(yaml::to_json(&a[0], true, Some("  ")).unwrap_or_default()));
        "mustToPrettyJson" [Any] => pure |a| yaml::to_json(&a[0], true, Some("  ")).map(Value::string);
        "toRawJson" [Any] => pure |a| yaml::to_json(&a[0], false, None).map(Value::string);
        "mustToRawJson" [Any] => pure |a| yaml::to_json(&a[0], false, None).map(Value::string);
        "fromJson" [Str] => pure |a| Ok(match yaml::parse_json(a[0].as_str().unwrap_or("")) {
            Ok(v) if matches!(v.v, V::Map(_)) => v,
            Ok(v) if v.is_nil() => Value::empty_map(),
            Ok(_) => error_map("json: cannot unmarshal value into Go value of type map[string]interface {}".into()),
            Err(e) => error_map(e),
        });
        "mustFromJson" [Str] => pure |a| yaml::parse_json(a[0].as_str().unwrap_or(""));
        "fromJsonArray" [Str] => pure |a| Ok(match yaml::parse_json(a[0].as_str().unwrap_or("")) {
            Ok(v) if matches!(v.v, V::List(_)) => v,
            Ok(v) if v.is_nil() => Value::list(Vec::new()),
            Ok(_) => Value::list(vec![Value::str("json: cannot unmarshal value into Go value of type []interface {}")]),
            Err(e) => Value::list(vec![Value::string(e)]),
        });
        "toToml" [Any] => pure |a| Ok(Value::string(crate::toml::to_toml(&a[0])));
        "mustToToml" [Any] => pure |a| Ok(Value::string(crate::toml::to_toml(&a[0])));
        "fromToml" [Str] => pure |_a| Ok(error_map("fromToml is not supported".into()));
    }
}

fn error_map(msg: String) -> Value {
    let mut m = std::collections::BTreeMap::new();
    m.insert(std::rc::Rc::from("Error"), Value::string(msg));
    Value::map(m)
}
