//! Static resolution of a Terraform tree: modules (folders), their calls with inputs, variables
//! with defaults and tfvars, locals, simple expressions and functions. What cannot be known
//! before `terraform apply` (another resource's attributes, data sources, per-instance values of
//! `for_each`/`count`, unset variables) is kept as [`Value::Computed`] or [`Value::Unknown`], never
//! guessed.

use crate::hcl::{self, BinOp, Block, Body, Expr, Lit, Part, Step};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location, Severity};

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// Set, but computed when the plan is applied: another object's attribute, a data source,
    /// a module output. Shown as the reference (`google_kms_crypto_key.disk.id`).
    Computed(String),
    /// Not known to vigie, with the reason (`variable "region" has no value`).
    Unknown(Arc<str>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s == "true" => Some(true),
            Value::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    /// Given a value that is not null or empty (a computed reference counts).
    pub fn is_set(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Unknown(_) => false,
            _ => true,
        }
    }
    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Value::Unknown(r) => Some(r),
            _ => None,
        }
    }
    /// A short rendering for messages.
    pub fn show(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => fmt_num(*n),
            Value::Str(s) => format!("`{s}`"),
            Value::List(l) => format!(
                "[{}]",
                l.iter().map(Value::show).collect::<Vec<_>>().join(", ")
            ),
            Value::Map(_) => "{…}".into(),
            Value::Computed(r) => format!("`{r}` (computed at apply)"),
            Value::Unknown(r) => format!("unknown ({r})"),
        }
    }
    fn to_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Num(n) => Some(fmt_num(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn unknown(reason: impl Into<Arc<str>>) -> Value {
    Value::Unknown(reason.into())
}

/// An attribute after resolution.
#[derive(Debug, Clone)]
pub struct RAttr {
    pub name: String,
    pub value: Value,
    pub at: Location,
    /// Where the value was written, when the attribute is a bare `var.NAME` whose value comes
    /// from a variable default, a tfvars line or a module call argument: the place to fix it.
    pub from: Option<(String, Location)>,
}

/// A nested block after resolution (dynamic blocks appear under their own name).
#[derive(Debug, Clone)]
pub struct RBlock {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: RBody,
    pub at: Location,
}

#[derive(Debug, Clone, Default)]
pub struct RBody {
    pub attrs: Vec<RAttr>,
    pub blocks: Vec<RBlock>,
}

impl RBody {
    pub fn attr(&self, name: &str) -> Option<&RAttr> {
        self.attrs.iter().find(|a| a.name == name)
    }
    pub fn block(&self, kind: &str) -> Option<&RBlock> {
        self.blocks.iter().find(|b| b.kind == kind)
    }
    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a RBlock> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
    /// An attribute by a path of block kinds then the attribute name: `["settings", "backup_configuration", "location"]`.
    pub fn path(&self, path: &[&str]) -> Option<&RAttr> {
        match path {
            [] => None,
            [a] => self.attr(a),
            [b, rest @ ..] => self
                .blocks
                .iter()
                .filter(|blk| blk.kind == *b)
                .find_map(|blk| blk.body.path(rest)),
        }
    }
    /// Every attribute, nested blocks included, with the block path that leads to it.
    pub fn walk<'a>(&'a self, prefix: &mut Vec<&'a str>, f: &mut dyn FnMut(&[&'a str], &'a RAttr)) {
        for a in &self.attrs {
            f(prefix, a);
        }
        for b in &self.blocks {
            prefix.push(&b.kind);
            b.body.walk(prefix, f);
            prefix.pop();
        }
    }
}

/// `resource` or `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}

/// One resource (or data source) of one module instance. A resource with `count` or
/// `for_each` appears once, templated: per-instance values are unknown.
#[derive(Debug, Clone)]
pub struct Resource {
    pub mode: Mode,
    pub rtype: String,
    pub name: String,
    /// `module.network.module.subnets` or empty for the root module.
    pub module: String,
    /// `module.network.google_compute_subnetwork.main[each.key]`.
    pub address: String,
    /// `count` or `for_each` when the resource is repeated.
    pub repeated: Option<&'static str>,
    /// The provider configuration it uses: `google`, `google.eu`.
    pub provider: String,
    pub body: RBody,
    pub at: Location,
    /// The folder of the module that declares it.
    pub dir: String,
}

impl Resource {
    /// `google_compute_disk.data`, the address within its module, to match references.
    pub fn local_ref(&self) -> String {
        format!("{}.{}", self.rtype, self.name)
    }
    /// The provider's local name: `google` for `google_compute_disk`.
    pub fn provider_name(&self) -> &str {
        self.provider.split('.').next().unwrap_or(&self.provider)
    }
}

/// A `provider` block of a module instance.
#[derive(Debug, Clone)]
pub struct ProviderConf {
    pub name: String,
    pub alias: Option<String>,
    pub module: String,
    pub body: RBody,
    pub at: Location,
}

impl ProviderConf {
    pub fn display(&self) -> String {
        let mut s = format!("provider {}", self.name);
        if let Some(a) = &self.alias {
            s.push('.');
            s.push_str(a);
        }
        if !self.module.is_empty() {
            s = format!("{} › {s}", self.module);
        }
        s
    }
}

/// A `required_providers` entry.
#[derive(Debug, Clone)]
pub struct Required {
    pub name: String,
    pub source: String,
    pub at: Location,
}

/// The resolved tree.
#[derive(Debug, Default)]
pub struct Model {
    pub resources: Vec<Resource>,
    pub providers: Vec<ProviderConf>,
    pub required: Vec<Required>,
    /// `terraform { backend "…" { … } }` blocks.
    pub backends: Vec<RBlock>,
    /// Module folders that were read.
    pub modules: usize,
    /// Terraform files read (`.tf`, `.tf.json`).
    pub files: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Why the configuration could not be evaluated as Terraform would (a module calling
    /// itself, a cycle, a budget exceeded): the Terraform checks are then not assessed.
    pub incomplete: Option<String>,
}

/// One module folder: its declarations.
#[derive(Debug, Default)]
struct ModuleDef {
    dir: String,
    variables: Vec<Block>,
    locals: HashMap<String, hcl::Attr>,
    resources: Vec<Block>,
    providers: Vec<Block>,
    calls: Vec<Block>,
    /// `output` blocks by name: what `module.<call>.<name>` reads in the calling module.
    outputs: HashMap<String, Block>,
    terraform: Vec<Block>,
    /// `terraform.tfvars` and `*.auto.tfvars` of the folder, in Terraform's order of precedence.
    tfvars: Vec<hcl::Attr>,
    files: usize,
}

/// Files of a repository, for [`resolve`]: each relative path with its text.
pub struct TfFile<'a> {
    pub rel: Arc<str>,
    pub text: &'a str,
}

fn dir_of(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

fn file_name(rel: &str) -> &str {
    rel.rfind('/').map_or(rel, |i| &rel[i + 1..])
}

/// Whether a path is a Terraform file vigie reads.
pub fn is_tf(rel: &str) -> bool {
    let n = file_name(rel);
    n.ends_with(".tf") || n.ends_with(".tf.json") || is_tfvars(rel)
}

fn is_tfvars(rel: &str) -> bool {
    let n = file_name(rel);
    n.ends_with(".tfvars") || n.ends_with(".tfvars.json")
}

/// Terraform loads these without `-var-file`.
fn auto_loaded(rel: &str) -> bool {
    let n = file_name(rel);
    n == "terraform.tfvars"
        || n == "terraform.tfvars.json"
        || n.ends_with(".auto.tfvars")
        || n.ends_with(".auto.tfvars.json")
}

/// One element of a collection: its key (an index for a list) and its value.
type Element = (Value, Value);

/// Largest known collection a `dynamic` block is expanded over, element by element.
const MAX_EXPANDED: usize = 64;

/// Deepest chain of module calls followed (a call cycle stops there).
const MAX_DEPTH: usize = 16;

/// Module instances evaluated in one run, all roots together: calls fanning out level after
/// level would otherwise multiply without end (ten calls per level, sixteen levels).
const MAX_INSTANCES: usize = 20_000;

/// Largest value a local may hold, in bytes of text plus one per element: locals that double
/// each other (`a1 = "${local.a0}${local.a0}"`) would otherwise grow exponentially.
const MAX_VALUE_WEIGHT: usize = 1 << 20;

/// What one evaluation may spend, shared by every module instance; what exceeded it is
/// reported as a located "too many / too large" diagnostic and reads as unknown.
#[derive(Default)]
struct Budget {
    instances: std::cell::Cell<usize>,
    notes: RefCell<Vec<Diagnostic>>,
    exceeded: RefCell<Option<String>>,
}

impl Budget {
    /// Count one more module instance; `false` (reported once, at `at`) when over the budget.
    fn take_instance(&self, at: &Location) -> bool {
        let n = self.instances.get() + 1;
        self.instances.set(n);
        if n <= MAX_INSTANCES {
            return true;
        }
        if n == MAX_INSTANCES + 1 {
            self.exceed(
                at,
                format!(
                    "too many module instances: more than {MAX_INSTANCES} (calls fanning out level after level); the rest are not evaluated"
                ),
            );
        }
        false
    }

    fn exceed(&self, at: &Location, message: String) {
        let mut d = Diagnostic::new(DiagKind::TooLarge, at.clone(), message.clone());
        d.severity = Severity::High;
        self.notes.borrow_mut().push(d);
        self.exceeded.borrow_mut().get_or_insert(message);
    }
}

/// Whether a value weighs more than `budget` (bytes of text plus one per element), looking at
/// no more of it than that.
fn heavier_than(v: &Value, budget: &mut usize) -> bool {
    let own = match v {
        Value::Str(s) | Value::Computed(s) => s.len() + 1,
        _ => 1,
    };
    if own > *budget {
        return true;
    }
    *budget -= own;
    match v {
        Value::List(l) => l.iter().any(|x| heavier_than(x, budget)),
        Value::Map(m) => m.iter().any(|(k, x)| {
            if k.len() > *budget {
                return true;
            }
            *budget -= k.len();
            heavier_than(x, budget)
        }),
        _ => false,
    }
}

/// Parse every Terraform file, group them into modules by folder, and resolve each root module
/// (a folder no other module calls) with its calls into local modules.
pub fn resolve(files: &[TfFile<'_>]) -> Model {
    resolve_with(files, &[])
}

/// [`resolve`], with variable files given as `-var-file` would be (`[terraform] var_files`):
/// each applies to the root module of its folder, else of the nearest folder above it, after
/// the automatically loaded tfvars, later files winning.
pub fn resolve_with(files: &[TfFile<'_>], var_files: &[TfFile<'_>]) -> Model {
    resolve_published(files, var_files, &crate::published::Published::default())
}

/// [`resolve_with`], calls to the repository's own published addresses followed into its
/// folders (see [`crate::published`]).
pub fn resolve_published(
    files: &[TfFile<'_>],
    var_files: &[TfFile<'_>],
    published: &crate::published::Published,
) -> Model {
    let mut model = Model::default();
    let mut defs: BTreeMap<String, ModuleDef> = BTreeMap::new();
    let mut other_tfvars: HashMap<String, Vec<String>> = HashMap::new();
    use rayon::prelude::*;
    let results: Vec<(Arc<str>, Result<Body, Diagnostic>)> = files
        .par_iter()
        .filter(|f| is_tf(&f.rel))
        .map(|f| (f.rel.clone(), hcl::parse_file(&f.rel, f.text)))
        .collect();
    let mut parsed: Vec<(Arc<str>, Body, bool)> = Vec::new();
    for (rel, r) in results {
        match r {
            Ok(body) => {
                let tfvars = is_tfvars(&rel);
                parsed.push((rel, body, tfvars));
            }
            Err(d) => model.diagnostics.push(d),
        }
    }
    // tfvars in Terraform's order: terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars
    // in lexical order; later files win.
    parsed.sort_by_key(|(rel, _, tfvars)| {
        let n = file_name(rel);
        let rank = if !tfvars {
            0
        } else if n.starts_with("terraform.tfvars") {
            1
        } else {
            2
        };
        (rank, rel.clone())
    });
    let mut overrides: Vec<(Arc<str>, Body)> = Vec::new();
    for (rel, body, tfvars) in parsed {
        let dir = dir_of(&rel).to_string();
        if !tfvars && crate::overrides::is_override(&rel) {
            overrides.push((rel, body));
            continue;
        }
        if tfvars {
            if auto_loaded(&rel) {
                let d = defs.entry(dir.clone()).or_default();
                d.tfvars.extend(body.attrs);
            } else {
                other_tfvars
                    .entry(dir)
                    .or_default()
                    .push(file_name(&rel).to_string());
            }
            continue;
        }
        let d = defs.entry(dir.clone()).or_default();
        d.dir = dir;
        d.files += 1;
        model.files += 1;
        for b in body.blocks {
            match b.kind.as_str() {
                "variable" => d.variables.push(b),
                "locals" => {
                    for a in b.body.attrs {
                        d.locals.insert(a.name.clone(), a);
                    }
                }
                "resource" | "data" => d.resources.push(b),
                "provider" => d.providers.push(b),
                "module" => d.calls.push(b),
                "output" => {
                    if let Some(name) = b.labels.first() {
                        d.outputs.insert(name.clone(), b);
                    }
                }
                "terraform" => d.terraform.push(b),
                _ => {}
            }
        }
    }
    // override files, after every other file of their folder, in lexical order of their names
    overrides.sort_by(|a, b| (dir_of(&a.0), file_name(&a.0)).cmp(&(dir_of(&b.0), file_name(&b.0))));
    for (rel, body) in overrides {
        model.files += 1;
        match defs.get_mut(dir_of(&rel)).filter(|d| d.files > 0) {
            Some(d) => apply_override(d, body, &mut model.diagnostics),
            None => model.diagnostics.push(Diagnostic::new(
                DiagKind::Reference,
                Location::file(rel.clone()),
                format!(
                    "{rel} is an override file, but its folder has no other configuration to override: it is not read"
                ),
            )),
        }
    }
    // only folders with configuration are modules (a folder of tfvars alone is not)
    defs.retain(|_, d| d.files > 0);
    model.modules = defs.len();
    call_own_modules_locally(&mut defs, published);

    let roots = roots_of(&defs, &mut model);
    let budget = Budget::default();
    let mut given: HashMap<&str, Vec<hcl::Attr>> = HashMap::new();
    for vf in var_files {
        let body = match hcl::parse_file(&vf.rel, vf.text) {
            Ok(b) => b,
            Err(d) => {
                model.diagnostics.push(d);
                continue;
            }
        };
        let mut dir = Some(dir_of(&vf.rel));
        let root = loop {
            match dir {
                None => break None,
                Some(d) => {
                    if let Some(r) = roots.iter().find(|r| r.dir == d) {
                        break Some(r.dir.as_str());
                    }
                    dir = (!d.is_empty()).then(|| dir_of(d));
                }
            }
        };
        match root {
            Some(r) => given.entry(r).or_default().extend(body.attrs),
            None => model.diagnostics.push(Diagnostic::new(
                DiagKind::Config,
                Location::file(vf.rel.clone()),
                format!(
                    "`[terraform] var_files`: no root module in the folder of {} or above it; its values are not used",
                    vf.rel
                ),
            )),
        }
    }
    for root in roots.iter().copied() {
        // values from tfvars, then -var-file files, then defaults
        let mut inputs: HashMap<String, (Value, Location)> = HashMap::new();
        let scope0 = Scope::new(&defs, root, String::new(), HashMap::new(), 0, &budget);
        for a in root
            .tfvars
            .iter()
            .chain(given.get(root.dir.as_str()).into_iter().flatten())
        {
            inputs.insert(a.name.clone(), (scope0.eval(&a.expr), a.at.clone()));
        }
        let mut vars = HashMap::new();
        let mut origins: HashMap<String, (String, Location)> = HashMap::new();
        for v in &root.variables {
            let Some(name) = v.labels.first() else {
                continue;
            };
            let value = if let Some((val, at)) = inputs.get(name) {
                origins.insert(name.clone(), (format!("var.{name}"), at.clone()));
                val.clone()
            } else if let Some(def) = v.body.attr("default") {
                origins.insert(name.clone(), (format!("var.{name}"), def.at.clone()));
                scope0.eval(&def.expr)
            } else {
                let mut reason = format!(
                    "variable \"{name}\" has no default and no value in terraform.tfvars or *.auto.tfvars"
                );
                // variable files in the root's folder, or in a folder below it that is not a
                // module of its own (`envs/prod.tfvars`)
                let mut others: Vec<String> = Vec::new();
                for (dir, names) in &other_tfvars {
                    let below = root.dir.is_empty() || dir.starts_with(&format!("{}/", root.dir));
                    if *dir == root.dir || (below && !defs.contains_key(dir)) {
                        others.extend(names.iter().map(|n| {
                            match dir
                                .strip_prefix(&root.dir)
                                .map(|d| d.trim_start_matches('/'))
                            {
                                Some("") | None => n.clone(),
                                Some(d) => format!("{d}/{n}"),
                            }
                        }));
                    }
                }
                others.sort();
                if !others.is_empty() {
                    reason.push_str(&format!(
                        " ({} are read only with -var-file: list them in `[terraform] var_files`)",
                        others.join(", ")
                    ));
                }
                let mut d = Diagnostic::new(
                    DiagKind::Reference,
                    v.at.clone(),
                    format!("{reason}: the attributes that use it are not assessed"),
                );
                d.severity = Severity::Low;
                model.diagnostics.push(d);
                unknown(format!("variable \"{name}\" has no value"))
            };
            vars.insert(name.clone(), value);
        }
        let vars = Inputs {
            values: vars,
            origins,
        };
        instantiate(&defs, root, String::new(), vars, 0, &budget, &mut model);
    }
    model.diagnostics.append(&mut budget.notes.borrow_mut());
    if let Some(m) = budget.exceeded.take() {
        model.incomplete.get_or_insert(m);
    }
    model
}

/// The root modules: folders no other module calls. A module that calls its own folder, or a
/// ring of modules calling each other with no caller outside the ring, would otherwise leave no
/// root and the whole configuration would silently vanish: Terraform refuses such a
/// configuration, so vigie reports it as a located error, marks the Terraform checks not
/// assessed, and still evaluates each such folder as a root so nothing in it goes unjudged.
fn roots_of<'d>(defs: &'d BTreeMap<String, ModuleDef>, model: &mut Model) -> Vec<&'d ModuleDef> {
    let mut callees: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for d in defs.values() {
        for c in &d.calls {
            let Some(target) = local_source(c).and_then(|src| join(&d.dir, &src)) else {
                continue;
            };
            if target == d.dir {
                let name = c.labels.first().map(String::as_str).unwrap_or("?");
                let at = c
                    .body
                    .attr("source")
                    .map_or_else(|| c.at.clone(), |a| a.at.clone());
                model.diagnostics.push(Diagnostic::new(
                    DiagKind::Reference,
                    at,
                    format!(
                        "module \"{name}\" calls its own folder: Terraform refuses a module that calls itself; the Terraform checks are not assessed"
                    ),
                ));
                model.incomplete = Some(format!("module \"{name}\" calls its own folder"));
                continue;
            }
            callees.entry(d.dir.as_str()).or_default().push(target);
        }
    }
    let called: std::collections::HashSet<&str> =
        callees.values().flatten().map(String::as_str).collect();
    let mut roots: Vec<&ModuleDef> = defs
        .values()
        .filter(|d| !called.contains(d.dir.as_str()))
        .collect();
    // folders no root reaches are in a ring of calls
    let mut reached: std::collections::HashSet<&str> = Default::default();
    let mut todo: Vec<&str> = roots.iter().map(|d| d.dir.as_str()).collect();
    while let Some(dir) = todo.pop() {
        if reached.insert(dir) {
            todo.extend(callees.get(dir).into_iter().flatten().map(String::as_str));
        }
    }
    for d in defs.values() {
        if reached.contains(d.dir.as_str()) {
            continue;
        }
        let shown = if d.dir.is_empty() {
            "."
        } else {
            d.dir.as_str()
        };
        let at = d
            .calls
            .first()
            .map_or_else(|| Location::file(Arc::from(shown)), |c| c.at.clone());
        model.diagnostics.push(Diagnostic::new(
            DiagKind::Reference,
            at,
            format!(
                "module folder `{shown}` is only called from a ring of modules calling each other: Terraform refuses the cycle; the Terraform checks are not assessed"
            ),
        ));
        model.incomplete = Some(format!("modules in `{shown}` call each other in a cycle"));
        // mark the whole ring reached, with this folder as its root
        let mut todo = vec![d.dir.as_str()];
        while let Some(dir) = todo.pop() {
            if reached.insert(dir) {
                todo.extend(callees.get(dir).into_iter().flatten().map(String::as_str));
            }
        }
        roots.push(d);
    }
    roots
}

/// A call to the repository's own registry or git address becomes a call to its local folder.
fn call_own_modules_locally(
    defs: &mut BTreeMap<String, ModuleDef>,
    published: &crate::published::Published,
) {
    let folders: std::collections::HashSet<String> = defs.keys().cloned().collect();
    for d in defs.values_mut() {
        for call in &mut d.calls {
            if local_source(call).is_some() {
                continue;
            }
            let Some(src) = call.body.attrs.iter_mut().find(|a| a.name == "source") else {
                continue;
            };
            let Expr::Lit(Lit::Str(address)) = &src.expr else {
                continue;
            };
            let Some(folder) = published.local_folder(address) else {
                continue;
            };
            if folders.contains(&folder) && folder != d.dir {
                src.expr = Expr::Lit(Lit::Str(crate::published::relative(&d.dir, &folder)));
            }
        }
    }
}

/// Merge one override file's blocks into its module folder (see [`crate::overrides`]).
fn apply_override(d: &mut ModuleDef, body: Body, diags: &mut Vec<Diagnostic>) {
    use crate::overrides::{merge, same_block};
    for b in body.blocks {
        let base = match b.kind.as_str() {
            "resource" | "data" => d.resources.iter_mut().find(|x| same_block(x, &b)),
            "variable" => d.variables.iter_mut().find(|x| same_block(x, &b)),
            "module" => d.calls.iter_mut().find(|x| same_block(x, &b)),
            "provider" => d.providers.iter_mut().find(|x| same_block(x, &b)),
            "output" => b.labels.first().and_then(|n| d.outputs.get_mut(n)),
            "locals" => {
                for a in b.body.attrs {
                    d.locals.insert(a.name.clone(), a);
                }
                continue;
            }
            "terraform" => {
                if b.body.blocks("backend").next().is_some() {
                    for t in &mut d.terraform {
                        t.body.blocks.retain(|x| x.kind != "backend");
                    }
                }
                d.terraform.push(b);
                continue;
            }
            _ => continue,
        };
        match base {
            Some(base) => merge(base, &b),
            None => diags.push(Diagnostic::new(
                DiagKind::Reference,
                b.at.clone(),
                format!(
                    "this override of {} {} has no base block in its folder: Terraform refuses it, and vigie does not read it",
                    b.kind,
                    b.labels.join(".")
                ),
            )),
        }
    }
}

/// The folder a `module` block calls, when it is a local path.
fn local_source(call: &Block) -> Option<String> {
    let a = call.body.attr("source")?;
    match &a.expr {
        Expr::Lit(Lit::Str(s)) if s.starts_with("./") || s.starts_with("../") => Some(s.clone()),
        _ => None,
    }
}

/// Normalise `dir/rel`; `None` when it leaves the root.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn instantiate(
    defs: &BTreeMap<String, ModuleDef>,
    def: &ModuleDef,
    path: String,
    vars: Inputs,
    depth: usize,
    budget: &Budget,
    model: &mut Model,
) {
    let scope =
        Scope::new(defs, def, path.clone(), vars.values, depth, budget).with_origins(vars.origins);
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    };
    for t in &def.terraform {
        for rp in t.body.blocks("required_providers") {
            for a in &rp.body.attrs {
                let source = match scope.eval(&a.expr) {
                    Value::Map(m) => m
                        .get("source")
                        .and_then(|s| s.as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("hashicorp/{}", a.name)),
                    _ => format!("hashicorp/{}", a.name),
                };
                model.required.push(Required {
                    name: a.name.clone(),
                    source,
                    at: a.at.clone(),
                });
            }
        }
        for b in t.body.blocks("backend") {
            model.backends.push(RBlock {
                kind: "backend".into(),
                labels: b.labels.clone(),
                body: scope.eval_body(&b.body),
                at: b.at.clone(),
            });
        }
    }
    for p in &def.providers {
        let Some(name) = p.labels.first() else {
            continue;
        };
        let body = scope.eval_body(&p.body);
        let alias = body
            .attr("alias")
            .and_then(|a| a.value.as_str())
            .map(str::to_string);
        model.providers.push(ProviderConf {
            name: name.clone(),
            alias,
            module: path.clone(),
            body,
            at: p.at.clone(),
        });
    }
    for r in &def.resources {
        let (Some(rtype), Some(name)) = (r.labels.first(), r.labels.get(1)) else {
            continue;
        };
        let mode = if r.kind == "data" {
            Mode::Data
        } else {
            Mode::Managed
        };
        if provably_empty(&scope, &r.body) {
            continue;
        }
        let (repeated, key) = if r.body.attr("count").is_some() {
            (Some("count"), "[count.index]")
        } else if r.body.attr("for_each").is_some() {
            (Some("for_each"), "[each.key]")
        } else {
            (None, "")
        };
        let data = if mode == Mode::Data { "data." } else { "" };
        let provider = r
            .body
            .attr("provider")
            .map(|a| expr_text(&a.expr))
            .unwrap_or_else(|| rtype.split('_').next().unwrap_or(rtype).to_string());
        model.resources.push(Resource {
            mode,
            rtype: rtype.clone(),
            name: name.clone(),
            module: path.clone(),
            address: format!("{prefix}{data}{rtype}.{name}{key}"),
            repeated,
            provider,
            body: scope.eval_body(&r.body),
            at: r.at.clone(),
            dir: def.dir.clone(),
        });
    }
    for call in &def.calls {
        let Some(cname) = call.labels.first() else {
            continue;
        };
        let Some(src_attr) = call.body.attr("source") else {
            continue;
        };
        let Some(src) = local_source(call) else {
            let shown = match &src_attr.expr {
                Expr::Lit(Lit::Str(s)) => s.clone(),
                _ => "(an expression)".into(),
            };
            let mut d = Diagnostic::new(
                DiagKind::Skipped,
                src_attr.at.clone(),
                format!(
                    "module \"{cname}\" comes from {shown}, outside the repository: its resources are not assessed"
                ),
            );
            d.severity = Severity::Info;
            model.diagnostics.push(d);
            continue;
        };
        let target = join(&def.dir, &src);
        if target.as_deref() == Some(def.dir.as_str()) {
            // reported once by `roots_of`
            continue;
        }
        let Some(child) = target.as_ref().and_then(|t| defs.get(t)) else {
            model.diagnostics.push(Diagnostic::new(
                DiagKind::Reference,
                src_attr.at.clone(),
                format!(
                    "module \"{cname}\" calls `{src}`, which is not a folder of Terraform files in the repository"
                ),
            ));
            continue;
        };
        if depth >= MAX_DEPTH {
            model.diagnostics.push(Diagnostic::new(
                DiagKind::Reference,
                src_attr.at.clone(),
                format!(
                    "module \"{cname}\": calls nested deeper than {MAX_DEPTH} (a cycle?) are not followed"
                ),
            ));
            continue;
        }
        if provably_empty(&scope, &call.body) {
            // `count = 0`, `for_each = {}`: the module is not instantiated
            continue;
        }
        let mut repeated = "";
        if call.body.attr("count").is_some() {
            repeated = "[count.index]";
        } else if call.body.attr("for_each").is_some() {
            repeated = "[each.key]";
        }
        if !budget.take_instance(&src_attr.at) {
            continue;
        }
        let child_path = format!("{prefix}module.{cname}{repeated}");
        let vars = call_inputs(defs, &scope, call, child, &child_path, depth + 1);
        instantiate(defs, child, child_path, vars, depth + 1, budget, model);
    }
}

/// Whether a block's `count` or `for_each` is known to create no instance: `count = 0` (a
/// known condition off), `for_each` over an empty collection (`{}`, `toset([])`, a `for` over
/// an empty list).
fn provably_empty(scope: &Scope<'_>, body: &Body) -> bool {
    if let Some(c) = body.attr("count") {
        return scope.eval(&c.expr).as_num() == Some(0.0);
    }
    if let Some(f) = body.attr("for_each") {
        return is_empty_collection(&scope.eval(&f.expr));
    }
    false
}

fn is_empty_collection(v: &Value) -> bool {
    match v {
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// A module instance's variables and where each value was written.
struct Inputs {
    values: HashMap<String, Value>,
    origins: HashMap<String, (String, Location)>,
}

/// The variables of a called module: the call's arguments evaluated in the caller, else the
/// variable's default, else unknown. An argument that passes the caller's own variable on keeps
/// that variable's origin: the place to change the value is where it was written.
fn call_inputs(
    defs: &BTreeMap<String, ModuleDef>,
    caller: &Scope<'_>,
    call: &Block,
    child: &ModuleDef,
    child_path: &str,
    depth: usize,
) -> Inputs {
    let cname = call.labels.first().map_or("", String::as_str);
    let mut vars = HashMap::new();
    let mut origins = HashMap::new();
    let child_scope0 = Scope::new(
        defs,
        child,
        child_path.to_string(),
        HashMap::new(),
        depth,
        caller.budget,
    );
    for v in &child.variables {
        let Some(vname) = v.labels.first() else {
            continue;
        };
        let address = || format!("{child_path}.var.{vname}");
        let value = if let Some(a) = call.body.attr(vname) {
            let origin = caller
                .origin_of(&a.expr)
                .unwrap_or_else(|| (address(), a.at.clone()));
            origins.insert(vname.clone(), origin);
            caller.eval(&a.expr)
        } else if let Some(def) = v.body.attr("default") {
            origins.insert(vname.clone(), (address(), def.at.clone()));
            child_scope0.eval(&def.expr)
        } else {
            unknown(format!(
                "variable \"{vname}\" of module \"{cname}\" is not given a value"
            ))
        };
        vars.insert(vname.clone(), value);
    }
    Inputs {
        values: vars,
        origins,
    }
}

/// The text of a reference expression (`google.eu`, `var.x`), for messages and provider names.
pub fn expr_text(e: &Expr) -> String {
    match e {
        Expr::Var(v) => v.clone(),
        Expr::Traversal(head, steps) => {
            let mut s = expr_text(head);
            for st in steps {
                match st {
                    Step::Attr(a) => {
                        s.push('.');
                        s.push_str(a);
                    }
                    Step::Index(Expr::Lit(Lit::Str(k))) => s.push_str(&format!("[\"{k}\"]")),
                    Step::Index(Expr::Lit(Lit::Num(n))) => {
                        s.push_str(&format!("[{}]", fmt_num(*n)))
                    }
                    Step::Index(i) => s.push_str(&format!("[{}]", expr_text(i))),
                    Step::Splat => s.push_str("[*]"),
                }
            }
            s
        }
        Expr::Lit(Lit::Str(s)) => s.clone(),
        Expr::Call(n, _) => format!("{n}(…)"),
        _ => "…".into(),
    }
}

/// Evaluation of one module instance.
struct Scope<'m> {
    defs: &'m BTreeMap<String, ModuleDef>,
    def: &'m ModuleDef,
    path: String,
    /// How deep in module calls this instance is (output lookups stop at [`MAX_DEPTH`]).
    depth: usize,
    /// Called modules' instances, made when one of their outputs is first read; `None` while
    /// being made (a cycle of outputs reads as unknown).
    children: RefCell<HashMap<String, Option<Rc<Scope<'m>>>>>,
    vars: HashMap<String, Value>,
    /// Where each variable's value was written (default, tfvars line, call argument), with the
    /// address of the variable whose value it is (`var.region`, `module.db.var.region`).
    origins: HashMap<String, (String, Location)>,
    locals: RefCell<HashMap<String, Option<Value>>>,
    budget: &'m Budget,
    /// Dynamic block iterators in scope, innermost last: the name, and the element's key and
    /// value when the block is expanded over a known collection.
    iterators: RefCell<Vec<(String, Option<Element>)>>,
}

impl<'m> Scope<'m> {
    fn new(
        defs: &'m BTreeMap<String, ModuleDef>,
        def: &'m ModuleDef,
        path: String,
        vars: HashMap<String, Value>,
        depth: usize,
        budget: &'m Budget,
    ) -> Self {
        Scope {
            budget,
            defs,
            def,
            path,
            depth,
            children: RefCell::new(HashMap::new()),
            vars,
            origins: HashMap::new(),
            locals: RefCell::new(HashMap::new()),
            iterators: RefCell::new(Vec::new()),
        }
    }

    fn with_origins(mut self, origins: HashMap<String, (String, Location)>) -> Self {
        self.origins = origins;
        self
    }

    /// `var.NAME` written alone: the variable and where its value was written.
    fn origin_of(&self, e: &Expr) -> Option<(String, Location)> {
        let Expr::Traversal(head, steps) = e else {
            return None;
        };
        match (&**head, steps.as_slice()) {
            (Expr::Var(v), [Step::Attr(name)]) if v == "var" => self.origins.get(name).cloned(),
            _ => None,
        }
    }

    fn local(&self, name: &str) -> Value {
        if let Some(state) = self.locals.borrow().get(name) {
            return state
                .clone()
                .unwrap_or_else(|| unknown(format!("local.{name} refers to itself")));
        }
        let Some(attr) = self.def.locals.get(name) else {
            return unknown(format!("local.{name} is not declared"));
        };
        // mark in progress: a cycle reads as unknown
        self.locals.borrow_mut().insert(name.to_string(), None);
        let mut v = self.eval(&attr.expr);
        let mut budget = MAX_VALUE_WEIGHT;
        if heavier_than(&v, &mut budget) {
            let m = format!(
                "local.{name} is larger than {MAX_VALUE_WEIGHT} bytes once evaluated (locals doubling each other?): it is not evaluated"
            );
            self.budget.exceed(&attr.at, m.clone());
            v = unknown(m);
        }
        self.locals
            .borrow_mut()
            .insert(name.to_string(), Some(v.clone()));
        v
    }

    fn eval_body(&self, body: &Body) -> RBody {
        let mut out = RBody::default();
        for a in &body.attrs {
            if matches!(
                a.name.as_str(),
                "count" | "for_each" | "depends_on" | "provider" | "providers"
            ) {
                continue;
            }
            out.attrs.push(RAttr {
                name: a.name.clone(),
                value: self.eval(&a.expr),
                at: a.at.clone(),
                from: self.origin_of(&a.expr),
            });
        }
        for b in &body.blocks {
            match b.kind.as_str() {
                "lifecycle" | "provisioner" | "connection" => continue,
                "dynamic" => {
                    let Some(name) = b.labels.first() else {
                        continue;
                    };
                    let iter = b
                        .body
                        .attr("iterator")
                        .map(|a| expr_text(&a.expr))
                        .unwrap_or_else(|| name.clone());
                    // expanded once per element when the collection is known (none when it is
                    // empty), else once with the iterator unknown
                    let elements: Vec<Option<Element>> =
                        match b.body.attr("for_each").map(|f| self.eval(&f.expr)) {
                            Some(Value::List(l)) if l.len() <= MAX_EXPANDED => l
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| Some((Value::Num(i as f64), v)))
                                .collect(),
                            Some(Value::Map(m)) if m.len() <= MAX_EXPANDED => m
                                .into_iter()
                                .map(|(k, v)| Some((Value::Str(k), v)))
                                .collect(),
                            _ => vec![None],
                        };
                    for element in elements {
                        self.iterators.borrow_mut().push((iter.clone(), element));
                        for c in b.body.blocks("content") {
                            out.blocks.push(RBlock {
                                kind: name.clone(),
                                labels: Vec::new(),
                                body: self.eval_body(&c.body),
                                at: b.at.clone(),
                            });
                        }
                        self.iterators.borrow_mut().pop();
                    }
                }
                _ => out.blocks.push(RBlock {
                    kind: b.kind.clone(),
                    labels: b.labels.clone(),
                    body: self.eval_body(&b.body),
                    at: b.at.clone(),
                }),
            }
        }
        out
    }

    fn eval(&self, e: &Expr) -> Value {
        match e {
            Expr::Lit(Lit::Null) => Value::Null,
            Expr::Lit(Lit::Bool(b)) => Value::Bool(*b),
            Expr::Lit(Lit::Num(n)) => Value::Num(*n),
            Expr::Lit(Lit::Str(s)) => Value::Str(s.clone()),
            Expr::Template(parts) => self.template(parts),
            Expr::Var(name) => self.head(name, &[]),
            Expr::Traversal(head, steps) => match &**head {
                Expr::Var(name) => self.head(name, steps),
                other => apply_steps(self, self.eval(other), steps, &expr_text(e)),
            },
            Expr::Call(name, args) => self.call(name, args),
            Expr::Cond(c, t, f) => match self.eval(c) {
                Value::Bool(true) => self.eval(t),
                Value::Bool(false) => self.eval(f),
                Value::Unknown(r) => Value::Unknown(r),
                Value::Computed(r) => unknown(format!("the condition depends on {r}")),
                _ => unknown("a condition is not a boolean"),
            },
            Expr::Bin(op, l, r) => binop(*op, self.eval(l), self.eval(r)),
            Expr::Not(x) => match self.eval(x) {
                Value::Bool(b) => Value::Bool(!b),
                u @ Value::Unknown(_) => u,
                _ => unknown("`!` on a value that is not a boolean"),
            },
            Expr::Neg(x) => match self.eval(x) {
                Value::Num(n) => Value::Num(-n),
                u @ Value::Unknown(_) => u,
                _ => unknown("`-` on a value that is not a number"),
            },
            Expr::Array(items) => Value::List(items.iter().map(|i| self.eval(i)).collect()),
            Expr::Object(entries) => {
                let mut m = BTreeMap::new();
                for (k, v) in entries {
                    let key = match k {
                        // an identifier key written as a bare word is a literal
                        Expr::Var(name) => Value::Str(name.clone()),
                        k => self.eval(k),
                    };
                    match key.to_text() {
                        Some(k) => {
                            m.insert(k, self.eval(v));
                        }
                        None => return unknown("an object key is not known"),
                    }
                }
                Value::Map(m)
            }
            // over another object's attributes, the result is computed at apply like them
            Expr::For(collection) => match self.eval(collection) {
                Value::Computed(r) => Value::Computed(format!("[for … in {r}]")),
                u @ Value::Unknown(_) => u,
                // over nothing, a `for` yields nothing, whatever it would compute per element
                v if is_empty_collection(&v) => Value::List(Vec::new()),
                _ => unknown("`for` expressions are not evaluated"),
            },
        }
    }

    fn head(&self, name: &str, steps: &[Step]) -> Value {
        let text = expr_text(&Expr::Traversal(
            Box::new(Expr::Var(name.to_string())),
            steps.to_vec(),
        ));
        let first = match steps.first() {
            Some(Step::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        let bound = self
            .iterators
            .borrow()
            .iter()
            .rev()
            .find(|(i, _)| i == name)
            .map(|(_, e)| e.clone());
        if let Some(element) = bound {
            return match (element, first) {
                (Some((_, v)), Some("value")) => apply_steps(self, v, &steps[1..], &text),
                (Some((k, _)), Some("key")) => apply_steps(self, k, &steps[1..], &text),
                _ => unknown(format!("`{text}` varies per element of a dynamic block")),
            };
        }
        match (name, first) {
            ("var", Some(v)) => match self.vars.get(v) {
                Some(val) => apply_steps(self, val.clone(), &steps[1..], &text),
                None => unknown(format!("variable \"{v}\" is not declared")),
            },
            ("local", Some(l)) => apply_steps(self, self.local(l), &steps[1..], &text),
            ("each", _) | ("count", _) => unknown(format!(
                "`{text}` varies per instance of the templated resource"
            )),
            ("path", Some("module")) => Value::Str(if self.def.dir.is_empty() {
                ".".into()
            } else {
                self.def.dir.clone()
            }),
            ("path", Some("root")) | ("path", Some("cwd")) => Value::Str(".".into()),
            ("terraform", Some("workspace")) => {
                unknown("terraform.workspace is chosen when Terraform runs")
            }
            ("module", Some(call)) => self.module_output(call, steps, &text),
            ("module", _) | ("data", _) | ("self", _) => Value::Computed(text),
            (n, _) if n.contains('_') => Value::Computed(text),
            _ => unknown(format!("`{text}` is not a reference vigie resolves")),
        }
    }

    /// `module.<call>.<output>…`: the output's `value` evaluated in the called local module with
    /// the call's inputs. A registry or git module's output is computed (set, value unseen); a
    /// missing call or output, a repeated call, or a chain too deep is unknown.
    fn module_output(&self, call_name: &str, steps: &[Step], text: &str) -> Value {
        let Some(call) = self
            .def
            .calls
            .iter()
            .find(|c| c.labels.first().is_some_and(|l| l == call_name))
        else {
            return unknown(format!(
                "`{text}`: no module \"{call_name}\" is called here"
            ));
        };
        let Some(src) = local_source(call) else {
            return Value::Computed(text.to_string());
        };
        if call.body.attr("count").is_some() || call.body.attr("for_each").is_some() {
            return unknown(format!(
                "`{text}` varies per instance of module \"{call_name}\""
            ));
        }
        let Some(child) = join(&self.def.dir, &src).and_then(|t| self.defs.get(&t)) else {
            return unknown(format!(
                "`{text}`: module \"{call_name}\" calls `{src}`, which is not in the repository"
            ));
        };
        let Some(Step::Attr(output)) = steps.get(1) else {
            return unknown(format!(
                "`{text}`: the module's outputs are read one by one"
            ));
        };
        let Some(out) = child.outputs.get(output) else {
            return unknown(format!(
                "`{text}`: module \"{call_name}\" has no output \"{output}\""
            ));
        };
        let Some(value) = out.body.attr("value") else {
            return unknown(format!("`{text}`: the output has no value"));
        };
        if self.depth + 1 >= MAX_DEPTH {
            return unknown(format!("`{text}`: module calls nested too deep"));
        }
        let state = self.children.borrow().get(call_name).cloned();
        let child_scope = match state {
            Some(Some(c)) => c,
            Some(None) => {
                return unknown(format!(
                    "`{text}`: the module's inputs depend on its own outputs"
                ));
            }
            None => {
                self.children
                    .borrow_mut()
                    .insert(call_name.to_string(), None);
                let prefix = if self.path.is_empty() {
                    String::new()
                } else {
                    format!("{}.", self.path)
                };
                let path = format!("{prefix}module.{call_name}");
                if !self.budget.take_instance(&call.at) {
                    return unknown(format!("`{text}`: too many module instances"));
                }
                let vars = call_inputs(self.defs, self, call, child, &path, self.depth + 1);
                let c = Rc::new(
                    Scope::new(
                        self.defs,
                        child,
                        path,
                        vars.values,
                        self.depth + 1,
                        self.budget,
                    )
                    .with_origins(vars.origins),
                );
                self.children
                    .borrow_mut()
                    .insert(call_name.to_string(), Some(c.clone()));
                c
            }
        };
        let v = match child_scope.eval(&value.expr) {
            // a reference inside the module reads better with the module's path
            Value::Computed(r) if !r.contains("${") && !r.contains(' ') => {
                Value::Computed(format!("{}.{r}", child_scope.path))
            }
            v => v,
        };
        apply_steps(self, v, &steps[2..], text)
    }

    fn template(&self, parts: &[Part]) -> Value {
        let mut s = String::new();
        let mut computed = false;
        for p in parts {
            match p {
                Part::Lit(l) => s.push_str(l),
                Part::Interp(e) => match self.eval(e) {
                    Value::Unknown(r) => return Value::Unknown(r),
                    Value::Computed(r) => {
                        computed = true;
                        s.push_str("${");
                        s.push_str(&r);
                        s.push('}');
                    }
                    Value::Null => {}
                    v => match v.to_text() {
                        Some(t) => s.push_str(&t),
                        None => return unknown("a list or object interpolated in a string"),
                    },
                },
                Part::Directive => return unknown("template directives are not evaluated"),
            }
        }
        if computed {
            Value::Computed(s)
        } else {
            Value::Str(s)
        }
    }

    fn call(&self, name: &str, args: &[Expr]) -> Value {
        // `try` and `coalesce` look at their arguments one by one
        if name == "try" {
            for a in args {
                match self.eval(a) {
                    Value::Unknown(_) => continue,
                    v => return v,
                }
            }
            return unknown("no argument of try() is known");
        }
        let vals: Vec<Value> = args.iter().map(|a| self.eval(a)).collect();
        if let Some(u) = vals.iter().find(|v| matches!(v, Value::Unknown(_))) {
            return u.clone();
        }
        let _ = &self.path;
        func(name, vals)
    }
}

fn apply_steps(scope: &Scope<'_>, mut v: Value, steps: &[Step], text: &str) -> Value {
    for st in steps {
        v = match (v, st) {
            (u @ Value::Unknown(_), _) => return u,
            (Value::Computed(_), _) => return Value::Computed(text.to_string()),
            (Value::Map(mut m), Step::Attr(a)) => match m.remove(a) {
                Some(x) => x,
                None => return unknown(format!("`{text}`: no key \"{a}\"")),
            },
            (Value::Map(mut m), Step::Index(i)) => {
                let k = scope.eval(i);
                match k.to_text() {
                    Some(k) => match m.remove(&k) {
                        Some(x) => x,
                        None => return unknown(format!("`{text}`: no key \"{k}\"")),
                    },
                    None => return unknown(format!("`{text}`: the key is not known")),
                }
            }
            (Value::List(l), Step::Index(i)) => match scope.eval(i).as_num() {
                Some(n) if n >= 0.0 && (n as usize) < l.len() => l[n as usize].clone(),
                _ => return unknown(format!("`{text}`: the index is not known")),
            },
            (Value::List(l), Step::Splat) => Value::List(l),
            _ => return unknown(format!("`{text}` cannot be followed")),
        };
    }
    v
}

fn binop(op: BinOp, l: Value, r: Value) -> Value {
    if let Value::Unknown(x) = &l {
        return Value::Unknown(x.clone());
    }
    if let Value::Unknown(x) = &r {
        return Value::Unknown(x.clone());
    }
    if matches!(l, Value::Computed(_)) || matches!(r, Value::Computed(_)) {
        return unknown("an operation on a value computed at apply");
    }
    let num = |f: fn(f64, f64) -> f64| match (l.as_num(), r.as_num()) {
        (Some(a), Some(b)) => Value::Num(f(a, b)),
        _ => unknown("arithmetic on a value that is not a number"),
    };
    let cmp = |f: fn(f64, f64) -> bool| match (l.as_num(), r.as_num()) {
        (Some(a), Some(b)) => Value::Bool(f(a, b)),
        _ => unknown("a comparison of values that are not numbers"),
    };
    match op {
        BinOp::Eq => Value::Bool(l == r),
        BinOp::Ne => Value::Bool(l != r),
        BinOp::Lt => cmp(|a, b| a < b),
        BinOp::Le => cmp(|a, b| a <= b),
        BinOp::Gt => cmp(|a, b| a > b),
        BinOp::Ge => cmp(|a, b| a >= b),
        BinOp::Add => num(|a, b| a + b),
        BinOp::Sub => num(|a, b| a - b),
        BinOp::Mul => num(|a, b| a * b),
        BinOp::Div => num(|a, b| a / b),
        BinOp::Mod => num(|a, b| a % b),
        BinOp::And | BinOp::Or => match (l.as_bool(), r.as_bool()) {
            (Some(a), Some(b)) => Value::Bool(if op == BinOp::And { a && b } else { a || b }),
            _ => unknown("a logical operation on values that are not booleans"),
        },
    }
}

/// The functions vigie evaluates; the others are unknown. All arguments are known here.
fn func(name: &str, mut a: Vec<Value>) -> Value {
    let s0 = a.first().and_then(|v| v.to_text());
    match (name, a.len()) {
        ("lower", 1) => s0.map_or_else(
            || unknown("lower() of a non-string"),
            |s| Value::Str(s.to_lowercase()),
        ),
        ("upper", 1) => s0.map_or_else(
            || unknown("upper() of a non-string"),
            |s| Value::Str(s.to_uppercase()),
        ),
        ("trimspace", 1) => s0.map_or_else(
            || unknown("trimspace() of a non-string"),
            |s| Value::Str(s.trim().into()),
        ),
        ("tostring", 1) => s0.map_or_else(|| unknown("tostring() of a non-string"), Value::Str),
        ("tonumber", 1) => a[0]
            .as_num()
            .map_or_else(|| unknown("tonumber() of a non-number"), Value::Num),
        ("tobool", 1) => a[0]
            .as_bool()
            .map_or_else(|| unknown("tobool() of a non-boolean"), Value::Bool),
        ("tolist" | "toset", 1) => a.swap_remove(0),
        ("tomap", 1) => a.swap_remove(0),
        ("length", 1) => match &a[0] {
            Value::List(l) => Value::Num(l.len() as f64),
            Value::Map(m) => Value::Num(m.len() as f64),
            Value::Str(s) => Value::Num(s.chars().count() as f64),
            _ => unknown("length() of a computed value"),
        },
        ("keys", 1) => match &a[0] {
            Value::Map(m) => Value::List(m.keys().map(|k| Value::Str(k.clone())).collect()),
            _ => unknown("keys() of a computed value"),
        },
        ("values", 1) => match &a[0] {
            Value::Map(m) => Value::List(m.values().cloned().collect()),
            _ => unknown("values() of a computed value"),
        },
        ("zipmap", 2) => match (&a[0], &a[1]) {
            (Value::List(k), Value::List(v)) if k.len() == v.len() => {
                let keys: Option<Vec<String>> = k.iter().map(Value::to_text).collect();
                keys.map_or_else(
                    || unknown("zipmap() of computed keys"),
                    |ks| Value::Map(ks.into_iter().zip(v.iter().cloned()).collect()),
                )
            }
            _ => unknown("zipmap() of computed values"),
        },
        ("flatten", 1) => match &a[0] {
            Value::List(l) => {
                let mut out = Vec::new();
                for v in l {
                    match v {
                        Value::List(inner) => out.extend(inner.iter().cloned()),
                        Value::Computed(_) | Value::Unknown(_) => {
                            return unknown("flatten() of computed values");
                        }
                        v => out.push(v.clone()),
                    }
                }
                Value::List(out)
            }
            _ => unknown("flatten() of a computed value"),
        },
        ("distinct", 1) => match &a[0] {
            Value::List(l) => {
                let mut out: Vec<Value> = Vec::new();
                for v in l {
                    if !out.contains(v) {
                        out.push(v.clone());
                    }
                }
                Value::List(out)
            }
            _ => unknown("distinct() of a computed value"),
        },
        ("sort", 1) => match &a[0] {
            Value::List(l) => {
                let texts: Option<Vec<String>> = l.iter().map(Value::to_text).collect();
                texts.map_or_else(
                    || unknown("sort() of computed values"),
                    |mut t| {
                        t.sort();
                        Value::List(t.into_iter().map(Value::Str).collect())
                    },
                )
            }
            _ => unknown("sort() of a computed value"),
        },
        ("compact", 1) => match &a[0] {
            Value::List(l) if l.iter().all(|v| matches!(v, Value::Str(_) | Value::Null)) => {
                Value::List(
                    l.iter()
                        .filter(|v| matches!(v, Value::Str(s) if !s.is_empty()))
                        .cloned()
                        .collect(),
                )
            }
            _ => unknown("compact() of computed values"),
        },
        ("coalesce", _) => a
            .into_iter()
            .find(|v| v.is_set() || matches!(v, Value::Computed(_)))
            .unwrap_or_else(|| unknown("coalesce() with no non-empty argument")),
        ("concat", _) => {
            let mut out = Vec::new();
            for v in a {
                match v {
                    Value::List(l) => out.extend(l),
                    _ => return unknown("concat() of a non-list"),
                }
            }
            Value::List(out)
        }
        ("merge", _) => {
            let mut out = BTreeMap::new();
            for v in a {
                match v {
                    Value::Map(m) => out.extend(m),
                    Value::Null => {}
                    _ => return unknown("merge() of a non-object"),
                }
            }
            Value::Map(out)
        }
        ("lookup", 2 | 3) => {
            let key = a[1].to_text();
            match (&a[0], key) {
                (Value::Map(m), Some(k)) => match m.get(&k) {
                    Some(v) => v.clone(),
                    None if a.len() == 3 => a[2].clone(),
                    None => unknown(format!("lookup(): no key \"{k}\"")),
                },
                _ => unknown("lookup() of a computed value"),
            }
        }
        ("element", 2) => match (&a[0], a[1].as_num()) {
            (Value::List(l), Some(n)) if !l.is_empty() && n >= 0.0 => {
                l[n as usize % l.len()].clone()
            }
            _ => unknown("element() of a computed value"),
        },
        ("join", 2) => match (&a[0], &a[1]) {
            (Value::Str(sep), Value::List(l)) => {
                let parts: Option<Vec<String>> = l.iter().map(Value::to_text).collect();
                parts.map_or_else(
                    || unknown("join() of computed values"),
                    |p| Value::Str(p.join(sep)),
                )
            }
            _ => unknown("join() of a computed value"),
        },
        ("contains", 2) => match &a[0] {
            Value::List(l) => Value::Bool(l.contains(&a[1])),
            _ => unknown("contains() of a computed value"),
        },
        ("replace", 3) => match (s0, a[1].to_text(), a[2].to_text()) {
            (Some(s), Some(from), Some(to)) if !(from.starts_with('/') && from.ends_with('/')) => {
                Value::Str(s.replace(&from, &to))
            }
            _ => unknown("replace() with a pattern is not evaluated"),
        },
        ("format", _) if s0.is_some() => format_fn(&s0.unwrap_or_default(), &a[1..]),
        _ => unknown(format!("the function {name}() is not evaluated")),
    }
}

/// `format()` with `%s`, `%d`, `%v` and `%%`.
fn format_fn(spec: &str, args: &[Value]) -> Value {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'd' | 'v') => match it.next().and_then(Value::to_text) {
                Some(t) => out.push_str(&t),
                None => return unknown("format() of a computed value"),
            },
            _ => return unknown("format() verbs other than %s, %d, %v are not evaluated"),
        }
    }
    Value::Str(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(files: &[(&str, &str)]) -> Model {
        let fs: Vec<TfFile<'_>> = files
            .iter()
            .map(|(r, t)| TfFile {
                rel: Arc::from(*r),
                text: t,
            })
            .collect();
        resolve(&fs)
    }

    #[test]
    fn a_module_calling_itself_is_an_error_not_an_empty_configuration() {
        let m = model(&[(
            "main.tf",
            "module \"me\" {\n  source = \"./\"\n}\nresource \"google_storage_bucket\" \"b\" {\n  location = \"US\"\n}\n",
        )]);
        assert_eq!(m.resources.len(), 1, "the root is still evaluated");
        assert!(m.incomplete.is_some());
        let d = m
            .diagnostics
            .iter()
            .find(|d| d.message.contains("calls its own folder"))
            .expect("located error");
        assert_eq!((d.location.line, d.severity), (2, Severity::High));
    }

    #[test]
    fn a_ring_of_modules_is_reported_and_still_read() {
        let m = model(&[
            (
                "a/main.tf",
                "module \"b\" {\n  source = \"../b\"\n}\nresource \"google_storage_bucket\" \"x\" {\n  location = \"US\"\n}\n",
            ),
            ("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
        ]);
        assert!(!m.resources.is_empty());
        assert!(m.incomplete.is_some());
        assert!(
            m.diagnostics.iter().any(|d| d.message.contains("cycle")),
            "{:?}",
            m.diagnostics
        );
    }

    #[test]
    fn doubling_locals_are_cut_at_the_budget() {
        let mut t = String::from("locals {\n  a0 = \"xxxxxxxxxxxxxxxx\"\n");
        for i in 1..=40 {
            t.push_str(&format!(
                "  a{i} = \"${{local.a{}}}${{local.a{}}}\"\n",
                i - 1,
                i - 1
            ));
        }
        t.push_str("}\nresource \"google_storage_bucket\" \"b\" {\n  location = local.a40\n}\n");
        let m = model(&[("main.tf", &t)]);
        assert!(
            attr(&m, "google_storage_bucket.b", "location")
                .unknown_reason()
                .is_some()
        );
        let d = m
            .diagnostics
            .iter()
            .find(|d| d.code == "VG-TOO-LARGE")
            .expect("a located too-large diagnostic");
        assert!(d.message.contains("local.a"), "{}", d.message);
        assert!(m.incomplete.is_some());
    }

    #[test]
    fn module_fan_out_is_cut_at_the_budget() {
        // ten calls per level, eight levels: 10^8 instances unbounded
        let mut files = Vec::new();
        for level in 0..8 {
            let mut t = String::new();
            for c in 0..10 {
                t.push_str(&format!(
                    "module \"c{c}\" {{\n  source = \"../l{}\"\n}}\n",
                    level + 1
                ));
            }
            files.push((format!("l{level}/main.tf"), t));
        }
        files.push((
            "l8/main.tf".into(),
            "resource \"google_storage_bucket\" \"b\" {\n  location = \"EU\"\n}\n".into(),
        ));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let m = model(&refs);
        assert!(m.resources.len() <= MAX_INSTANCES, "{}", m.resources.len());
        assert!(
            m.diagnostics
                .iter()
                .any(|d| d.message.contains("too many module instances")),
            "{:?}",
            m.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    fn attr<'a>(m: &'a Model, addr: &str, name: &str) -> &'a Value {
        let r = m
            .resources
            .iter()
            .find(|r| r.address == addr)
            .unwrap_or_else(|| {
                panic!(
                    "no {addr} in {:?}",
                    m.resources.iter().map(|r| &r.address).collect::<Vec<_>>()
                )
            });
        &r.body.attr(name).unwrap().value
    }

    #[test]
    fn variables_defaults_tfvars_and_locals() {
        let m = model(&[
            (
                "main.tf",
                r#"
variable "region" { default = "us-central1" }
variable "zone_suffix" { default = "a" }
variable "env" {}
locals {
  zone = "${var.region}-${var.zone_suffix}"
  name = lower("DATA-${local.zone}")
  size = 10 * 2
}
resource "google_compute_disk" "d" {
  zone = local.zone
  name = local.name
  size = local.size
  labels = { env = var.env }
}
"#,
            ),
            ("terraform.tfvars", "region = \"europe-west9\"\n"),
            ("prod.auto.tfvars", "zone_suffix = \"b\"\n"),
        ]);
        assert_eq!(
            attr(&m, "google_compute_disk.d", "zone"),
            &Value::Str("europe-west9-b".into())
        );
        assert_eq!(
            attr(&m, "google_compute_disk.d", "name"),
            &Value::Str("data-europe-west9-b".into())
        );
        assert_eq!(attr(&m, "google_compute_disk.d", "size"), &Value::Num(20.0));
        // an unset variable is unknown, with its reason, and a diagnostic names its line
        match attr(&m, "google_compute_disk.d", "labels") {
            Value::Map(l) => {
                assert!(matches!(&l["env"], Value::Unknown(r) if r.contains("\"env\"")))
            }
            v => panic!("{v:?}"),
        }
        let d = m
            .diagnostics
            .iter()
            .find(|d| d.message.contains("\"env\""))
            .unwrap();
        assert_eq!(d.location.line, 4);
    }

    #[test]
    fn later_auto_tfvars_win_over_terraform_tfvars() {
        let m = model(&[
            (
                "main.tf",
                "variable \"r\" {}\nresource \"google_storage_bucket\" \"b\" { location = var.r }\n",
            ),
            ("b.auto.tfvars", "r = \"EU\"\n"),
            ("terraform.tfvars", "r = \"US\"\n"),
        ]);
        assert_eq!(
            attr(&m, "google_storage_bucket.b", "location"),
            &Value::Str("EU".into())
        );
    }

    #[test]
    fn modules_receive_their_inputs_and_defaults() {
        let m = model(&[
            (
                "main.tf",
                r#"
variable "region" { default = "europe-west9" }
module "storage" {
  source = "./modules/storage"
  location = upper(var.region)
}
module "remote" {
  source = "terraform-google-modules/network/google"
}
module "missing" {
  source = "./modules/nope"
}
"#,
            ),
            (
                "modules/storage/main.tf",
                r#"
variable "location" {}
variable "class" { default = "STANDARD" }
resource "google_storage_bucket" "b" {
  location = var.location
  storage_class = var.class
  encryption { default_kms_key_name = google_kms_crypto_key.k.id }
}
"#,
            ),
        ]);
        let r = m
            .resources
            .iter()
            .find(|r| r.address == "module.storage.google_storage_bucket.b")
            .unwrap();
        assert_eq!(
            r.body.attr("location").unwrap().value,
            Value::Str("EUROPE-WEST9".into())
        );
        assert_eq!(
            r.body.attr("storage_class").unwrap().value,
            Value::Str("STANDARD".into())
        );
        assert_eq!(r.at.path.as_ref(), "modules/storage/main.tf");
        assert_eq!(
            r.body
                .path(&["encryption", "default_kms_key_name"])
                .unwrap()
                .value,
            Value::Computed("google_kms_crypto_key.k.id".into())
        );
        // the called folder is not also read as a root of its own
        assert_eq!(m.resources.len(), 1);
        assert!(
            m.diagnostics
                .iter()
                .any(|d| d.kind == DiagKind::Skipped
                    && d.message.contains("terraform-google-modules"))
        );
        assert!(
            m.diagnostics
                .iter()
                .any(|d| d.kind == DiagKind::Reference && d.message.contains("./modules/nope"))
        );
    }

    #[test]
    fn count_and_for_each_are_one_templated_resource() {
        let m = model(&[(
            "main.tf",
            r#"
variable "zones" { default = ["europe-west9-a", "europe-west9-b"] }
variable "enabled" { default = false }
resource "google_compute_disk" "d" {
  for_each = toset(var.zones)
  zone = each.value
  type = "pd-ssd"
}
resource "google_compute_disk" "c" {
  count = 3
  name = "disk-${count.index}"
}
resource "google_compute_disk" "off" {
  count = var.enabled ? 1 : 0
}
"#,
        )]);
        let d = m.resources.iter().find(|r| r.name == "d").unwrap();
        assert_eq!(d.address, "google_compute_disk.d[each.key]");
        assert_eq!(d.repeated, Some("for_each"));
        assert!(
            matches!(&d.body.attr("zone").unwrap().value, Value::Unknown(r) if r.contains("each.value"))
        );
        assert_eq!(
            d.body.attr("type").unwrap().value,
            Value::Str("pd-ssd".into())
        );
        assert_eq!(
            m.resources.iter().find(|r| r.name == "c").unwrap().address,
            "google_compute_disk.c[count.index]"
        );
        assert!(
            !m.resources.iter().any(|r| r.name == "off"),
            "count = 0 creates nothing"
        );
    }

    #[test]
    fn unknowns_are_never_guessed() {
        let m = model(&[(
            "main.tf",
            r#"
locals {
  a = local.b
  b = local.a
}
resource "google_storage_bucket" "b" {
  location = data.google_client_config.c.region
  name = "x-${random_id.r.hex}"
  project = local.a
  labels = { for k in ["a"] : k => k }
  storage_class = cidrsubnet("10.0.0.0/8", 8, 1)
  dynamic "lifecycle_rule" {
    for_each = data.x.rules
    content {
      condition { age = lifecycle_rule.value }
    }
  }
}
"#,
        )]);
        assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
        let b = &m.resources[0].body;
        assert_eq!(
            b.attr("location").unwrap().value,
            Value::Computed("data.google_client_config.c.region".into())
        );
        assert_eq!(
            b.attr("name").unwrap().value,
            Value::Computed("x-${random_id.r.hex}".into())
        );
        assert!(
            matches!(&b.attr("project").unwrap().value, Value::Unknown(r) if r.contains("itself"))
        );
        assert!(matches!(
            &b.attr("labels").unwrap().value,
            Value::Unknown(_)
        ));
        assert!(
            matches!(&b.attr("storage_class").unwrap().value, Value::Unknown(r) if r.contains("cidrsubnet"))
        );
        let age = b.path(&["lifecycle_rule", "condition", "age"]).unwrap();
        assert!(matches!(&age.value, Value::Unknown(r) if r.contains("dynamic")));
    }

    #[test]
    fn module_outputs_resolve_through_the_call_inputs() {
        let m = model(&[
            (
                "main.tf",
                r#"
module "net" {
  source = "./modules/net"
  region = "europe-west9"
}
module "remote" {
  source = "terraform-google-modules/network/google"
}
module "many" {
  source   = "./modules/net"
  for_each = toset(["a"])
  region   = "europe-west1"
}
resource "google_compute_disk" "d" {
  zone        = "${module.net.subnet_region}-a"
  description = module.net.settings.tier
  snapshot    = module.net.subnet_id
  image       = module.remote.network_name
  type        = module.net.missing
  labels      = { many = module.many.subnet_region }
  size        = module.net.unset_project
  name        = module.net.inner_region
}
"#,
            ),
            (
                "modules/net/main.tf",
                r#"
variable "region" {}
variable "project" {}
locals { tier = "standard" }
resource "google_compute_subnetwork" "s" { region = var.region }
module "inner" {
  source = "../inner"
  where  = var.region
}
output "subnet_region" { value = var.region }
output "settings" { value = { tier = local.tier } }
output "subnet_id" { value = google_compute_subnetwork.s.id }
output "unset_project" { value = var.project }
output "inner_region" { value = module.inner.echo }
"#,
            ),
            (
                "modules/inner/main.tf",
                "variable \"where\" {}\noutput \"echo\" { value = upper(var.where) }\n",
            ),
        ]);
        let d = "google_compute_disk.d";
        assert_eq!(attr(&m, d, "zone"), &Value::Str("europe-west9-a".into()));
        assert_eq!(attr(&m, d, "description"), &Value::Str("standard".into()));
        assert_eq!(attr(&m, d, "name"), &Value::Str("EUROPE-WEST9".into()));
        assert_eq!(
            attr(&m, d, "snapshot"),
            &Value::Computed("module.net.google_compute_subnetwork.s.id".into())
        );
        assert_eq!(
            attr(&m, d, "image"),
            &Value::Computed("module.remote.network_name".into())
        );
        assert!(
            matches!(attr(&m, d, "type"), Value::Unknown(r) if r.contains("no output \"missing\"")),
            "{:?}",
            attr(&m, d, "type")
        );
        assert!(
            matches!(attr(&m, d, "size"), Value::Unknown(r) if r.contains("\"project\"")),
            "{:?}",
            attr(&m, d, "size")
        );
        match attr(&m, d, "labels") {
            Value::Map(l) => assert!(
                matches!(&l["many"], Value::Unknown(r) if r.contains("per instance")),
                "{l:?}"
            ),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn module_outputs_that_feed_their_own_inputs_are_unknown() {
        let m = model(&[
            (
                "main.tf",
                "module \"a\" {\n  source = \"./a\"\n  x = module.a.y\n}\nresource \"google_compute_disk\" \"d\" { zone = module.a.y }\n",
            ),
            (
                "a/main.tf",
                "variable \"x\" {}\noutput \"y\" { value = var.x }\n",
            ),
        ]);
        assert!(
            matches!(attr(&m, "google_compute_disk.d", "zone"), Value::Unknown(r) if r.contains("own outputs")),
            "{:?}",
            attr(&m, "google_compute_disk.d", "zone")
        );
    }

    #[test]
    fn module_call_cycles_stop() {
        let m = model(&[
            ("main.tf", "module \"a\" { source = \"./a\" }\n"),
            (
                "a/main.tf",
                "module \"b\" { source = \"../b\" }\nresource \"null_resource\" \"x\" {}\n",
            ),
            ("b/main.tf", "module \"a\" { source = \"../a\" }\n"),
        ]);
        assert!(m.diagnostics.iter().any(|d| d.message.contains("deeper")));
        assert!(m.resources.len() <= MAX_DEPTH + 1);
    }

    #[test]
    fn providers_and_required_providers() {
        let m = model(&[(
            "main.tf",
            r#"
terraform {
  required_providers {
    google = { source = "hashicorp/google", version = "~> 6.0" }
  }
  backend "gcs" { bucket = "state" }
}
variable "ud" { default = "s3nsapis.fr" }
provider "google" {
  universe_domain = var.ud
  region = "u-france-east1"
}
provider "google" {
  alias = "eu"
  region = "europe-west9"
}
resource "google_compute_disk" "d" { provider = google.eu }
"#,
        )]);
        assert_eq!(m.required[0].source, "hashicorp/google");
        assert_eq!(m.providers.len(), 2);
        assert_eq!(
            m.providers[0].body.attr("universe_domain").unwrap().value,
            Value::Str("s3nsapis.fr".into())
        );
        assert_eq!(m.providers[1].alias.as_deref(), Some("eu"));
        assert_eq!(m.resources[0].provider, "google.eu");
        assert_eq!(m.backends[0].labels, ["gcs"]);
    }
}
