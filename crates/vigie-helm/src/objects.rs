//! The Go objects Helm puts in a template's context: `.Files` (with `Get`, `GetBytes`, `Glob`,
//! `Lines`, `AsConfig`, `AsSecrets`) and `.Capabilities` (`KubeVersion`, `APIVersions.Has`,
//! `HelmVersion`), printed and marshalled as Go prints them.

use base64::Engine as _;
use std::collections::BTreeMap;
use std::rc::Rc;
use vigie_gotmpl::funcs::Ty;
use vigie_gotmpl::value::ListTy;
use vigie_gotmpl::{Object, Str, Value};

/// Helm's `files` type: `map[string][]byte`.
#[derive(Debug)]
pub struct Files {
    pub files: BTreeMap<Str, Rc<Vec<u8>>>,
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn bytes_value(b: &[u8]) -> Value {
    Value::typed_list(
        b.iter().map(|&x| Value::int(x as i64)).collect(),
        ListTy::Bytes,
    )
}

impl Files {
    fn get(&self, name: &str) -> String {
        self.files
            .get(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    fn glob(&self, pattern: &str) -> Files {
        let files = match glob_matcher(pattern) {
            Ok(m) => self
                .files
                .iter()
                .filter(|(k, _)| m.is_match(&***k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            Err(_) => BTreeMap::new(),
        };
        Files { files }
    }

    fn as_map(&self, f: &dyn Fn(&[u8]) -> String) -> Value {
        let mut m = BTreeMap::new();
        for (k, v) in &self.files {
            m.insert(Rc::from(base(k)), Value::string(f(v)));
        }
        Value::str_map(m)
    }
}

/// Compiled `Files.Glob` patterns, shared by every render of the process.
fn glob_matcher(pattern: &str) -> Result<globset::GlobMatcher, ()> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Option<globset::GlobMatcher>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(c) = cache.lock()
        && let Some(m) = c.get(pattern)
    {
        return m.clone().ok_or(());
    }
    let m = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher());
    if let Ok(mut c) = cache.lock()
        && c.len() < 10_000
    {
        c.insert(pattern.to_string(), m.clone());
    }
    m.ok_or(())
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind(&self) -> &'static str {
        "map"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        // Go looks a map key up when no method matches: files are keyed by path.
        None
    }
    fn method_sig(&self, name: &str) -> Option<&'static [Ty]> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(&[Ty::Str]),
            "AsConfig" | "AsSecrets" => Some(&[]),
            _ => None,
        }
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let a = || args.first().and_then(|v| v.as_str()).unwrap_or("");
        Ok(match name {
            "Get" => Value::string(self.get(a())),
            "GetBytes" => match self.files.get(a()) {
                Some(b) => bytes_value(b),
                None => Value::typed_list(Vec::new(), ListTy::Bytes),
            },
            "Glob" => Value::obj(Rc::new(self.glob(a()))),
            "Lines" => match self.files.get(a()) {
                None => Value::str_list(Vec::new()),
                Some(b) => {
                    let mut s = String::from_utf8_lossy(b).into_owned();
                    if s.ends_with('\n') {
                        s.pop();
                    }
                    Value::str_list(s.split('\n').map(String::from).collect())
                }
            },
            // Helm's files map is never nil, so an empty glob is `{}`.
            "AsConfig" => {
                let m = self.as_map(&|b| String::from_utf8_lossy(b).into_owned());
                Value::string(vigie_gotmpl::yaml::to_yaml(&m).unwrap_or_default())
            }
            "AsSecrets" => {
                let m = self.as_map(&|b| base64::engine::general_purpose::STANDARD.encode(b));
                Value::string(vigie_gotmpl::yaml::to_yaml(&m).unwrap_or_default())
            }
            _ => return Err(format!("no method {name}")),
        })
    }
    fn fmt_v(&self, out: &mut String) {
        out.push_str("map[");
        for (i, (k, v)) in self.files.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(k);
            out.push(':');
            vigie_gotmpl::gofmt::write_v(&bytes_value(v), out);
        }
        out.push(']');
    }
    fn map_entries(&self) -> Option<Vec<(Str, Value)>> {
        Some(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), bytes_value(v)))
                .collect(),
        )
    }
    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        for (k, v) in &self.files {
            m.insert(
                k.clone(),
                Value::string(base64::engine::general_purpose::STANDARD.encode(&***v)),
            );
        }
        Value::map(m)
    }
}

/// `.Capabilities.KubeVersion`.
#[derive(Debug, Clone)]
pub struct KubeVersion {
    pub version: String,
    pub normalized: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `ParseKubeVersion`: `1.30`, `v1.30.2-gke.100`…
    pub fn parse(v: &str) -> Option<KubeVersion> {
        let t = v.strip_prefix('v').unwrap_or(v);
        let core: String = t
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let parts: Vec<&str> = core.split('.').filter(|p| !p.is_empty()).collect();
        if parts.len() < 2 {
            return None;
        }
        let nums: Vec<u64> = parts
            .iter()
            .take(3)
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let git = if v.starts_with('v') {
            v.to_string()
        } else {
            format!("v{v}")
        };
        Some(KubeVersion {
            version: git,
            normalized: format!(
                "v{}.{}.{}",
                nums[0],
                nums[1],
                nums.get(2).copied().unwrap_or(0)
            ),
            major: nums[0].to_string(),
            minor: nums[1].to_string(),
        })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Version" | "GitVersion" => Value::str(&self.version),
            "Major" => Value::str(&self.major),
            "Minor" => Value::str(&self.minor),
            "String" => Value::str(&self.normalized),
            _ => return None,
        })
    }
    fn fmt_v(&self, out: &mut String) {
        out.push_str(&self.normalized);
    }
    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert(Rc::from("Version"), Value::str(&self.version));
        m.insert(Rc::from("Major"), Value::str(&self.major));
        m.insert(Rc::from("Minor"), Value::str(&self.minor));
        Value::map(m)
    }
}

/// `.Capabilities.APIVersions`.
#[derive(Debug)]
pub struct ApiVersions(pub Vec<String>);

impl Object for ApiVersions {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind(&self) -> &'static str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method_sig(&self, name: &str) -> Option<&'static [Ty]> {
        (name == "Has").then_some(&[Ty::Str])
    }
    fn call(&self, _name: &str, args: &[Value]) -> Result<Value, String> {
        let a = args.first().and_then(|v| v.as_str()).unwrap_or("");
        Ok(Value::bool(self.0.iter().any(|v| v == a)))
    }
    fn fmt_v(&self, out: &mut String) {
        out.push('[');
        out.push_str(&self.0.join(" "));
        out.push(']');
    }
    fn truth(&self) -> bool {
        !self.0.is_empty()
    }
    fn to_data(&self) -> Value {
        Value::str_list(self.0.clone())
    }
}

/// `.Capabilities.HelmVersion`.
#[derive(Debug)]
pub struct HelmVersion;

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Version" => Value::str(HELM_VERSION),
            "GitCommit" | "GitTreeState" => Value::str(""),
            "GoVersion" => Value::str(GO_VERSION),
            "KubeClientVersion" => Value::str(KUBE_CLIENT_VERSION),
            _ => return None,
        })
    }
    fn fmt_v(&self, out: &mut String) {
        out.push_str(&format!(
            "{{{HELM_VERSION}   {GO_VERSION} {KUBE_CLIENT_VERSION}}}"
        ));
    }
    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert(Rc::from("version"), Value::str(HELM_VERSION));
        m.insert(Rc::from("go_version"), Value::str(GO_VERSION));
        m.insert(
            Rc::from("kube_client_version"),
            Value::str(KUBE_CLIENT_VERSION),
        );
        Value::map(m)
    }
}

pub const HELM_VERSION: &str = "v4.2";
const GO_VERSION: &str = "go1.26.6";
const KUBE_CLIENT_VERSION: &str = "v1.36";
/// The Kubernetes version `helm template` assumes when none is given (Helm 4.2's client-go).
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// The API versions Helm 4.2 knows without a cluster (its client-go scheme).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities`.
#[derive(Debug)]
pub struct Capabilities {
    pub kube: KubeVersion,
    pub apis: Rc<ApiVersions>,
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn kind(&self) -> &'static str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "KubeVersion" => Value::obj(Rc::new(self.kube.clone())),
            "APIVersions" => Value::obj(self.apis.clone()),
            "HelmVersion" => Value::obj(Rc::new(HelmVersion)),
            _ => return None,
        })
    }
    fn fmt_v(&self, out: &mut String) {
        out.push_str("&{");
        out.push_str(&self.kube.normalized);
        out.push(' ');
        self.apis.fmt_v(out);
        out.push(' ');
        HelmVersion.fmt_v(out);
        out.push('}');
    }
    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert(Rc::from("KubeVersion"), self.kube.to_data());
        m.insert(Rc::from("APIVersions"), self.apis.to_data());
        m.insert(Rc::from("HelmVersion"), HelmVersion.to_data());
        Value::map(m)
    }
}

/// A metadata map as Helm 4 builds `.Chart` (struct field names as keys).
pub fn chart_map(m: &crate::chart::Metadata, is_root: bool) -> Value {
    let mut e: BTreeMap<Str, Value> = BTreeMap::new();
    let s = |x: &str| Value::str(x);
    e.insert("Name".into(), s(&m.name));
    e.insert("Home".into(), s(&m.home));
    e.insert("Sources".into(), Value::str_list(m.sources.clone()));
    e.insert("Version".into(), s(&m.version));
    e.insert("Description".into(), s(&m.description));
    e.insert("Keywords".into(), Value::str_list(m.keywords.clone()));
    e.insert(
        "Maintainers".into(),
        Value::list(
            m.maintainers
                .iter()
                .map(|x| {
                    let mut mm = BTreeMap::new();
                    for (k, key) in [("Name", "name"), ("Email", "email"), ("URL", "url")] {
                        mm.insert(
                            Rc::from(k),
                            Value::str(
                                x.get(key)
                                    .and_then(|v| v.as_str().map(String::from))
                                    .unwrap_or_default()
                                    .as_str(),
                            ),
                        );
                    }
                    Value::map(mm)
                })
                .collect(),
        ),
    );
    e.insert("Icon".into(), s(&m.icon));
    e.insert("APIVersion".into(), s(&m.api_version));
    e.insert("Condition".into(), s(&m.condition));
    e.insert("Tags".into(), s(&m.tags));
    e.insert("AppVersion".into(), s(&m.app_version));
    e.insert("Deprecated".into(), Value::bool(m.deprecated));
    e.insert(
        "Annotations".into(),
        Value::str_map(
            m.annotations
                .iter()
                .map(|(k, v)| (Rc::from(k.as_str()), Value::str(v)))
                .collect(),
        ),
    );
    e.insert("KubeVersion".into(), s(&m.kube_version));
    e.insert(
        "Dependencies".into(),
        Value::list(
            m.dependencies
                .iter()
                .map(|d| {
                    let mut mm: BTreeMap<Str, Value> = BTreeMap::new();
                    mm.insert("Name".into(), s(&d.name));
                    mm.insert("Version".into(), s(&d.version));
                    mm.insert("Repository".into(), s(&d.repository));
                    mm.insert("Condition".into(), s(&d.condition));
                    mm.insert("Tags".into(), Value::str_list(d.tags.clone()));
                    mm.insert("Enabled".into(), Value::bool(d.enabled));
                    mm.insert("ImportValues".into(), Value::list(d.import_values.clone()));
                    mm.insert("Alias".into(), s(&d.alias));
                    Value::map(mm)
                })
                .collect(),
        ),
    );
    e.insert("Type".into(), s(&m.chart_type));
    e.insert("IsRoot".into(), Value::bool(is_root));
    Value::map(e)
}
