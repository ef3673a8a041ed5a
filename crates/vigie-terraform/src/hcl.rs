//! Terraform files (`*.tf` and `*.tf.json`) read into one small syntax tree with locations.
//!
//! Native syntax is parsed by `hcl-edit` (it keeps byte spans); the JSON syntax by vigie's
//! spanned YAML reader (JSON is YAML), its strings parsed as HCL templates the way Terraform
//! reads them. Both end in the same tree, so evaluation does not care which syntax a file used.

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Body as HBody, Structure};
use hcl_edit::template::{Element, Template};
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::yaml;

/// A literal value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

/// One step of a traversal: `.name`, `[expr]`, `[*]`/`.*`.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Attr(String),
    Index(Expr),
    Splat,
}

/// A piece of a string template.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Interp(Expr),
    /// `%{ if }` / `%{ for }`: not evaluated.
    Directive,
}

/// An expression, enough of Terraform's language to resolve what is statically known.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Lit),
    Template(Vec<Part>),
    Var(String),
    Traversal(Box<Expr>, Vec<Step>),
    Call(String, Vec<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Array(Vec<Expr>),
    /// Keys are expressions (an identifier key is a literal string).
    Object(Vec<(Expr, Expr)>),
    /// A `for` expression, kept as its collection: not evaluated, but computed when the
    /// collection is.
    For(Box<Expr>),
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub expr: Expr,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub at: Location,
}

#[derive(Debug, Clone, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

/// A file parsed: its top-level body, or nothing and a diagnostic.
pub fn parse_file(path: &Arc<str>, text: &str) -> Result<Body, Diagnostic> {
    if path.ends_with(".json") {
        parse_json(path, text)
    } else {
        parse_native(path, text)
    }
}

/// Native syntax (`.tf`, `.tfvars`).
pub fn parse_native(path: &Arc<str>, text: &str) -> Result<Body, Diagnostic> {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => {
            let lines = LineIndex::new(text);
            Ok(lower_body(&body, path, &lines))
        }
        Err(e) => {
            let l = e.location();
            Err(Diagnostic::new(
                DiagKind::Parse,
                Location::new(path.clone(), l.line() as u32, l.column() as u32),
                format!("invalid HCL: {}", e.message()),
            ))
        }
    }
}

/// Byte offset to line and column, without copying the text.
struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }
    fn loc(&self, path: &Arc<str>, offset: Option<usize>) -> Location {
        let Some(off) = offset else {
            return Location::file(path.clone());
        };
        let line = match self.starts.binary_search(&off) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        // columns count characters, as everywhere in vigie
        let start = self.starts[line];
        let col = self
            .text
            .get(start..off.min(self.text.len()))
            .map_or(off - start, |s| s.chars().count());
        Location::new(path.clone(), line as u32 + 1, col as u32 + 1)
    }
}

fn lower_body(body: &HBody, path: &Arc<str>, li: &LineIndex<'_>) -> Body {
    let mut out = Body::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.attrs.push(Attr {
                name: a.key.as_str().to_string(),
                expr: lower_expr(&a.value),
                at: li.loc(path, a.key.span().map(|r| r.start)),
            }),
            Structure::Block(b) => out.blocks.push(Block {
                kind: b.ident.as_str().to_string(),
                labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                body: lower_body(&b.body, path, li),
                at: li.loc(path, b.ident.span().map(|r| r.start)),
            }),
        }
    }
    out
}

fn lower_template(t: &Template) -> Vec<Part> {
    t.iter()
        .map(|e| match e {
            Element::Literal(s) => Part::Lit(s.as_str().to_string()),
            Element::Interpolation(i) => Part::Interp(lower_expr(&i.expr)),
            Element::Directive(_) => Part::Directive,
        })
        .collect()
}

pub(crate) fn lower_expr(e: &Expression) -> Expr {
    match e {
        Expression::Null(_) => Expr::Lit(Lit::Null),
        Expression::Bool(b) => Expr::Lit(Lit::Bool(*b.value())),
        Expression::Number(n) => Expr::Lit(Lit::Num(n.value().as_f64().unwrap_or(f64::NAN))),
        Expression::String(s) => Expr::Lit(Lit::Str(s.value().to_string())),
        Expression::Array(a) => Expr::Array(a.iter().map(lower_expr).collect()),
        Expression::Object(o) => Expr::Object(
            o.iter()
                .map(|(k, v)| {
                    let k = match k {
                        ObjectKey::Ident(i) => Expr::Lit(Lit::Str(i.as_str().to_string())),
                        ObjectKey::Expression(e) => lower_expr(e),
                    };
                    (k, lower_expr(v.expr()))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => Expr::Template(lower_template(t)),
        Expression::HeredocTemplate(h) => {
            let mut h = (**h).clone();
            h.dedent();
            Expr::Template(lower_template(&h.template))
        }
        Expression::Parenthesis(p) => lower_expr(p.inner()),
        Expression::Variable(v) => Expr::Var(v.as_str().to_string()),
        Expression::Conditional(c) => Expr::Cond(
            Box::new(lower_expr(&c.cond_expr)),
            Box::new(lower_expr(&c.true_expr)),
            Box::new(lower_expr(&c.false_expr)),
        ),
        Expression::FuncCall(f) => {
            let mut name = String::new();
            for ns in &f.name.namespace {
                name.push_str(ns.as_str());
                name.push_str("::");
            }
            name.push_str(f.name.name.as_str());
            Expr::Call(name, f.args.iter().map(lower_expr).collect())
        }
        Expression::Traversal(t) => Expr::Traversal(
            Box::new(lower_expr(&t.expr)),
            t.operators
                .iter()
                .map(|op| match op.value() {
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        Step::Splat
                    }
                    TraversalOperator::GetAttr(i) => Step::Attr(i.as_str().to_string()),
                    TraversalOperator::Index(e) => Step::Index(lower_expr(e)),
                    TraversalOperator::LegacyIndex(n) => {
                        Step::Index(Expr::Lit(Lit::Num(*n.value() as f64)))
                    }
                })
                .collect(),
        ),
        Expression::UnaryOp(u) => match u.operator.value() {
            UnaryOperator::Neg => Expr::Neg(Box::new(lower_expr(&u.expr))),
            UnaryOperator::Not => Expr::Not(Box::new(lower_expr(&u.expr))),
        },
        Expression::BinaryOp(b) => {
            let op = match b.operator.value() {
                BinaryOperator::Eq => BinOp::Eq,
                BinaryOperator::NotEq => BinOp::Ne,
                BinaryOperator::LessEq => BinOp::Le,
                BinaryOperator::GreaterEq => BinOp::Ge,
                BinaryOperator::Less => BinOp::Lt,
                BinaryOperator::Greater => BinOp::Gt,
                BinaryOperator::Plus => BinOp::Add,
                BinaryOperator::Minus => BinOp::Sub,
                BinaryOperator::Mul => BinOp::Mul,
                BinaryOperator::Div => BinOp::Div,
                BinaryOperator::Mod => BinOp::Mod,
                BinaryOperator::And => BinOp::And,
                BinaryOperator::Or => BinOp::Or,
            };
            Expr::Bin(
                op,
                Box::new(lower_expr(&b.lhs_expr)),
                Box::new(lower_expr(&b.rhs_expr)),
            )
        }
        Expression::ForExpr(f) => Expr::For(Box::new(lower_expr(&f.intro.collection_expr))),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON syntax

/// Block kinds whose JSON form nests labels as object keys, with how many labels they take.
fn json_labels(kind: &str) -> Option<usize> {
    Some(match kind {
        "resource" | "data" => 2,
        "variable" | "output" | "module" | "provider" => 1,
        "locals" | "terraform" => 0,
        _ => return None,
    })
}

fn json_loc(path: &Arc<str>, pos: yaml::Pos) -> Location {
    Location::new(path.clone(), pos.line, pos.col)
}

/// JSON syntax (`.tf.json`, `.tfvars.json`).
pub fn parse_json(path: &Arc<str>, text: &str) -> Result<Body, Diagnostic> {
    let stream = yaml::parse(text);
    if let Some(e) = stream.error {
        return Err(Diagnostic::new(
            DiagKind::Parse,
            json_loc(path, e.pos),
            format!("invalid Terraform JSON: {}", e.message),
        ));
    }
    let Some(doc) = stream.documents.into_iter().next() else {
        return Ok(Body::default());
    };
    let Some(entries) = doc.root.as_map() else {
        return Err(Diagnostic::new(
            DiagKind::Parse,
            json_loc(path, doc.root.pos),
            "invalid Terraform JSON: the top level is not an object",
        ));
    };
    let mut out = Body::default();
    for e in entries {
        match json_labels(&e.key) {
            Some(n) => json_blocks(path, &e.key, n, &e.value, Vec::new(), &mut out),
            None => out.attrs.push(Attr {
                name: e.key.clone(),
                expr: json_expr(&e.value),
                at: json_loc(path, e.key_pos),
            }),
        }
    }
    Ok(out)
}

fn json_blocks(
    path: &Arc<str>,
    kind: &str,
    labels_left: usize,
    node: &yaml::Node,
    labels: Vec<String>,
    out: &mut Body,
) {
    if labels_left > 0 {
        for e in node.entries() {
            let mut l = labels.clone();
            l.push(e.key.clone());
            json_blocks(path, kind, labels_left - 1, &e.value, l, out);
        }
        return;
    }
    // a block may be given as an array of bodies
    let bodies: Vec<&yaml::Node> = match node.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    for b in bodies {
        out.blocks.push(Block {
            kind: kind.to_string(),
            labels: labels.clone(),
            body: json_body(path, b),
            at: json_loc(path, b.pos),
        });
    }
}

/// A block body in JSON: an object member whose value is an object (or an array of objects)
/// is read as a nested block, the rest as attributes. Terraform decides with the provider's
/// schema; without it, nested objects of attributes (`tags`, `labels`) read as blocks too,
/// which the checks treat alike.
fn json_body(path: &Arc<str>, node: &yaml::Node) -> Body {
    let mut out = Body::default();
    for e in node.entries() {
        let is_block = match &e.value.value {
            yaml::Value::Map(_) => true,
            yaml::Value::Seq(items) => {
                !items.is_empty() && items.iter().all(|i| matches!(i.value, yaml::Value::Map(_)))
            }
            _ => false,
        };
        if is_block && !matches!(e.key.as_str(), "tags" | "labels" | "default") {
            if e.key == "dynamic" {
                // "dynamic": {"name": {"for_each": …, "content": {…}}}
                for d in e.value.entries() {
                    out.blocks.push(Block {
                        kind: "dynamic".into(),
                        labels: vec![d.key.clone()],
                        body: json_body(path, &d.value),
                        at: json_loc(path, d.key_pos),
                    });
                }
                continue;
            }
            let items: Vec<&yaml::Node> = match e.value.as_seq() {
                Some(s) => s.iter().collect(),
                None => vec![&e.value],
            };
            for i in items {
                out.blocks.push(Block {
                    kind: e.key.clone(),
                    labels: Vec::new(),
                    body: json_body(path, i),
                    at: json_loc(path, e.key_pos),
                });
            }
        } else {
            out.attrs.push(Attr {
                name: e.key.clone(),
                expr: json_expr(&e.value),
                at: json_loc(path, e.key_pos),
            });
        }
    }
    out
}

fn json_expr(node: &yaml::Node) -> Expr {
    match &node.value {
        yaml::Value::Scalar { text, plain } => {
            if *plain {
                match text.as_str() {
                    "null" | "~" | "" => return Expr::Lit(Lit::Null),
                    "true" => return Expr::Lit(Lit::Bool(true)),
                    "false" => return Expr::Lit(Lit::Bool(false)),
                    _ => {
                        if let Ok(n) = text.parse::<f64>() {
                            return Expr::Lit(Lit::Num(n));
                        }
                    }
                }
            }
            json_string(text)
        }
        yaml::Value::Seq(items) => Expr::Array(items.iter().map(json_expr).collect()),
        yaml::Value::Map(entries) => Expr::Object(
            entries
                .iter()
                .map(|e| (Expr::Lit(Lit::Str(e.key.clone())), json_expr(&e.value)))
                .collect(),
        ),
    }
}

/// A JSON string is a template: `"${var.region}"`.
fn json_string(s: &str) -> Expr {
    if !s.contains("${") && !s.contains("%{") {
        return Expr::Lit(Lit::Str(s.to_string()));
    }
    match hcl_edit::parser::parse_template(s) {
        Ok(t) => {
            let parts = lower_template(&t);
            // "${expr}" alone keeps the expression's own type
            if let [Part::Interp(e)] = parts.as_slice() {
                return e.clone();
            }
            Expr::Template(parts)
        }
        Err(_) => Expr::Lit(Lit::Str(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Body {
        parse_native(&Arc::from("main.tf"), text).unwrap()
    }

    #[test]
    fn native_blocks_and_attributes_keep_their_lines() {
        let b = p(
            "# c\nresource \"google_compute_disk\" \"d\" {\n  zone = \"europe-west9-a\"\n  disk_encryption_key {\n    kms_key_name = var.k\n  }\n}\n",
        );
        let r = &b.blocks[0];
        assert_eq!(r.kind, "resource");
        assert_eq!(r.labels, ["google_compute_disk", "d"]);
        assert_eq!(r.at.line, 2);
        let z = r.body.attr("zone").unwrap();
        assert_eq!((z.at.line, z.at.column), (3, 3));
        assert_eq!(z.expr, Expr::Lit(Lit::Str("europe-west9-a".into())));
        let k = &r.body.blocks[0].body.attrs[0];
        assert_eq!(k.at.line, 5);
        assert!(
            matches!(&k.expr, Expr::Traversal(b, s) if **b == Expr::Var("var".into()) && s == &[Step::Attr("k".into())])
        );
    }

    #[test]
    fn columns_count_characters() {
        let b = p("resource \"x\" \"é€\" { zone = \"us\" }\n");
        let z = b.blocks[0].body.attr("zone").unwrap();
        assert_eq!((z.at.line, z.at.column), (1, 21));
    }

    #[test]
    fn invalid_hcl_is_a_diagnostic_with_its_line() {
        let d =
            parse_native(&Arc::from("bad.tf"), "resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert_eq!(d.kind, DiagKind::Parse);
        assert_eq!(d.location.path.as_ref(), "bad.tf");
        assert!(d.location.line >= 2, "{:?}", d.location);
    }

    #[test]
    fn json_syntax_nests_labels_and_reads_templates() {
        let text = r#"{
  "variable": {"region": {"default": "europe-west9"}},
  "resource": {
    "google_storage_bucket": {
      "logs": {
        "location": "${var.region}",
        "name": "logs-${var.region}",
        "retention_policy": {"retention_period": 100, "is_locked": true}
      }
    }
  }
}"#;
        let b = parse_json(&Arc::from("main.tf.json"), text).unwrap();
        let v = b.blocks.iter().find(|b| b.kind == "variable").unwrap();
        assert_eq!(v.labels, ["region"]);
        assert!(v.body.attr("default").is_some());
        let r = b.blocks.iter().find(|b| b.kind == "resource").unwrap();
        assert_eq!(r.labels, ["google_storage_bucket", "logs"]);
        let loc = r.body.attr("location").unwrap();
        assert_eq!(loc.at.line, 6);
        assert!(matches!(loc.expr, Expr::Traversal(..)));
        assert!(matches!(
            r.body.attr("name").unwrap().expr,
            Expr::Template(_)
        ));
        assert_eq!(r.body.blocks[0].kind, "retention_policy");
    }

    #[test]
    fn invalid_json_is_a_diagnostic() {
        let d = parse_json(&Arc::from("x.tf.json"), "{\"resource\": [1,\n").unwrap_err();
        assert_eq!(d.kind, DiagKind::Parse);
    }
}
