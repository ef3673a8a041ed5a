//! Executing parsed templates with Go's semantics: field lookup through maps and objects (with
//! Helm's `missingkey=zero`, or `error` in strict mode), typed function arguments, short-circuit
//! `and`/`or`, `range` over lists, maps (sorted keys) and integers, `break`/`continue`, variables
//! scoped to their control structure, and Go's error messages.
//!
//! Execution is bounded: a step budget (enormous loops), an output size limit, a nesting limit for
//! `template`/`include` recursion. Each output byte range remembers the template position and,
//! when it printed a value read from values, the value's origin.

use crate::funcs::{self, FuncDef, Ty};
use crate::gofmt;
use crate::parse::{Arg, Cmd, Node, Pipe, Tree};
use crate::value::{ListTy, MapTy, Origin, Str, V, Value};
use memchr::memchr;
use std::collections::HashMap;
use std::rc::Rc;

/// Limits that keep a hostile or broken chart bounded in time and memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Evaluation steps (nodes walked, commands evaluated, loop iterations) for one render.
    pub steps: u64,
    /// Bytes one template may output (and one string may reach).
    pub output_bytes: usize,
    /// Nested `include`s of one template name (Helm stops after 1,000).
    pub depth: usize,
    /// Nested `template`/`include`/`tpl` calls in all (Go allows 100,000 `template` levels on
    /// its growable stack; a native stack needs a lower bound).
    pub nesting: usize,
    /// Elements `until`/`untilStep`/`seq` may produce.
    pub list_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            steps: 50_000_000,
            output_bytes: 64 << 20,
            depth: 1_000,
            nesting: 5_000,
            list_len: 1_000_000,
        }
    }
}

/// Execution options: Helm's `--strict` makes missing keys errors.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub strict: bool,
    pub limits: Limits,
}

/// A set of named templates, as Go's `template.Template` associations.
#[derive(Default)]
pub struct TemplateSet {
    pub trees: HashMap<Str, Rc<Tree>>,
}

impl TemplateSet {
    /// Add a parsed file: its main tree and its definitions, with Go's rule that an empty
    /// definition does not replace a non-empty one.
    pub fn add(&mut self, parsed: crate::parse::Parsed) {
        let mut all = vec![parsed.main];
        all.extend(parsed.defines);
        for t in all {
            if let Some(old) = self.trees.get(&t.name)
                && crate::parse::is_empty_tree(&t.root)
                && !crate::parse::is_empty_tree(&old.root)
            {
                continue;
            }
            self.trees.insert(t.name.clone(), Rc::new(t));
        }
    }
}

/// One byte range of the output and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Seg {
    /// Offset in the output where the range starts.
    pub out: u32,
    /// File id of the template that wrote it.
    pub file: u32,
    /// Byte offset in that template: where the text starts, or the action.
    pub pos: u32,
    /// The printed value's origin (actions only).
    pub origin: Origin,
    /// True for template text (offsets inside map one to one), false for an action's output.
    pub text: bool,
}

#[derive(Default, Debug)]
pub struct Out {
    pub buf: String,
    pub segs: Vec<Seg>,
}

/// A template execution error, with Go's text and the location of the outermost action.
#[derive(Debug, Clone)]
pub struct ExecError {
    /// Go's error text (`template: NAME:LINE:COL: executing "NAME" at <...>: ...`).
    pub text: String,
    pub file: Str,
    pub file_id: u32,
    pub line: u32,
    pub col: u32,
}

impl ExecError {
    /// The message a `fail` or `required` call gave, if that is what stopped execution.
    pub fn user_message(&self) -> Option<&str> {
        let s = self.text.find(HELM_ERR_START)? + HELM_ERR_START.len();
        let e = self.text.rfind(HELM_ERR_END)?;
        (e >= s).then(|| &self.text[s..e])
    }
}

pub const HELM_ERR_START: &str = "HELM_ERR_START";
pub const HELM_ERR_END: &str = "HELM_ERR_END";

enum Flow {
    Normal,
    Break,
    Continue,
}

/// Errors inside execution: a finished Go error, or a function's error still to be located.
type R<T> = Result<T, ExecError>;

/// The state of one execution (one top-level template, and what it includes).
pub struct Exec<'a> {
    pub set: &'a TemplateSet,
    /// Templates `define`d inside `tpl` strings, visible while that `tpl` runs.
    overlays: Vec<HashMap<Str, Rc<Tree>>>,
    vars: Vec<(Str, Value)>,
    depth: usize,
    pub opts: &'a Options,
    steps: u64,
    pub out: Out,
    include_counts: HashMap<Str, usize>,
    /// Helm's `.Capabilities`-independent context for Helm functions (`lookup`, `tpl` name).
    pub root_name: Str,
    /// Functions that produced output that cannot be reproduced (random, time, keys).
    pub nondeterministic: Vec<&'static str>,
    /// Number of templates parsed by `tpl` so far, for unique file ids.
    pub tpl_parses: u32,
    /// Parse `tpl` strings with this file id (provenance of text coming from values).
    pub tpl_file_id: u32,
    /// Strings whose lines come from traced values (`toYaml` output, and what `indent` and
    /// `nindent` make of it), keyed by the string's address; the string is kept alive here so
    /// the address is not reused.
    traced: HashMap<usize, (Str, Rc<LineOrigins>)>,
}

/// Origins of the lines of a string: (line index, origin of the value written from there on).
type LineOrigins = Vec<(u32, Origin)>;

fn str_key(s: &Str) -> usize {
    s.as_ptr() as usize
}

fn go_type_of_ty(t: Ty) -> &'static str {
    match t {
        Ty::Any => "interface {}",
        Ty::Str => "string",
        Ty::Int => "int",
        Ty::I64 => "int64",
        Ty::U32 => "uint32",
        Ty::Float => "float64",
        Ty::Bool => "bool",
        Ty::List => "[]interface {}",
        Ty::StrList => "[]string",
        Ty::Map => "map[string]interface {}",
        Ty::Refl => "reflect.Value",
    }
}

fn can_be_nil(t: Ty) -> bool {
    matches!(t, Ty::Any | Ty::List | Ty::StrList | Ty::Map | Ty::Refl)
}

fn assignable(v: &Value, t: Ty) -> bool {
    match (t, &v.v) {
        (Ty::Any | Ty::Refl, _) => true,
        (Ty::Str, V::Str(_)) => true,
        (Ty::Int, V::Int(_)) => true,
        (Ty::I64, V::I64(_)) => true,
        (Ty::Float, V::Float(_)) => true,
        (Ty::Bool, V::Bool(_)) => true,
        (Ty::List, V::List(l)) => l.ty == ListTy::Any,
        (Ty::StrList, V::List(l)) => l.ty == ListTy::Str,
        (Ty::Map, V::Map(m)) => m.borrow().ty == MapTy::Any,
        _ => false,
    }
}

impl<'a> Exec<'a> {
    pub fn new(set: &'a TemplateSet, opts: &'a Options, root_name: Str) -> Exec<'a> {
        Exec {
            set,
            overlays: Vec::new(),
            vars: Vec::new(),
            depth: 0,
            opts,
            steps: 0,
            out: Out::default(),
            include_counts: HashMap::new(),
            root_name,
            nondeterministic: Vec::new(),
            tpl_parses: 0,
            tpl_file_id: u32::MAX,
            traced: HashMap::new(),
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Rc<Tree>> {
        for o in self.overlays.iter().rev() {
            if let Some(t) = o.get(name) {
                return Some(t.clone());
            }
        }
        self.set.trees.get(name).cloned()
    }

    /// Execute the template `name` with `dot`, appending to this execution's output.
    pub fn execute(&mut self, name: &str, dot: Value) -> R<()> {
        let Some(tree) = self.lookup(name) else {
            return Err(self.plain_error(format!(
                "template: no template {:?} associated with template {:?}",
                name, &*self.root_name
            )));
        };
        self.run_tree(&tree, dot)
    }

    fn run_tree(&mut self, tree: &Rc<Tree>, dot: Value) -> R<()> {
        let saved = std::mem::replace(&mut self.vars, vec![(Rc::from("$"), dot.clone())]);
        let r = self.walk_list(&dot, &tree.root, tree);
        self.vars = saved;
        r.map(|_| ())
    }

    /// Execute a template into a fresh string (for `include` and `tpl`).
    pub fn execute_to_string(&mut self, tree: &Rc<Tree>, dot: Value) -> R<String> {
        if self.depth >= self.opts.limits.nesting {
            return Err(self.plain_error(format!(
                "template: {}: exceeded maximum template depth ({})",
                tree.name, self.opts.limits.nesting
            )));
        }
        self.depth += 1;
        let saved = std::mem::take(&mut self.out);
        let r = self.run_tree(tree, dot);
        let out = std::mem::replace(&mut self.out, saved);
        self.depth -= 1;
        r.map(|_| out.buf)
    }

    fn plain_error(&self, text: String) -> ExecError {
        ExecError {
            text,
            file: self.root_name.clone(),
            file_id: u32::MAX,
            line: 0,
            col: 0,
        }
    }

    /// Go's `state.errorf` at a node: `template: LOC: executing "NAME" at <CTX>: MSG`.
    fn errorf(&self, tree: &Tree, pos: u32, ctx: &dyn std::fmt::Display, msg: String) -> ExecError {
        let (line, col) = tree.src.line_col(pos);
        let c = ctx.to_string();
        ExecError {
            text: format!(
                "template: {}:{}:{}: executing {:?} at <{}>: {}",
                tree.parse_name, line, col, &*tree.name, c, msg
            ),
            file: tree.parse_name.clone(),
            file_id: tree.src.file_id,
            line,
            col,
        }
    }

    fn step(&mut self, tree: &Tree, pos: u32) -> R<()> {
        self.steps += 1;
        if self.steps > self.opts.limits.steps {
            return Err(self.errorf(
                tree,
                pos,
                &"",
                format!(
                    "evaluation stopped after {} steps (an enormous loop?)",
                    self.opts.limits.steps
                ),
            ));
        }
        Ok(())
    }

    /// Count work done inside a function (elements produced), against the same budget.
    pub fn charge(&mut self, n: u64) -> Result<(), String> {
        self.steps += n;
        if self.steps > self.opts.limits.steps {
            return Err(format!(
                "evaluation stopped after {} steps (an enormous loop?)",
                self.opts.limits.steps
            ));
        }
        Ok(())
    }

    fn write_text(&mut self, tree: &Tree, pos: u32, text: &str) -> R<()> {
        self.out.segs.push(Seg {
            out: self.out.buf.len() as u32,
            file: tree.src.file_id,
            pos,
            origin: Origin::NONE,
            text: true,
        });
        self.out.buf.push_str(text);
        self.check_size(tree, pos)
    }

    fn check_size(&self, tree: &Tree, pos: u32) -> R<()> {
        if self.out.buf.len() > self.opts.limits.output_bytes {
            return Err(self.errorf(
                tree,
                pos,
                &"",
                format!(
                    "output larger than {} bytes (an output explosion?)",
                    self.opts.limits.output_bytes
                ),
            ));
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &Value, nodes: &[Node], tree: &Rc<Tree>) -> R<Flow> {
        for n in nodes {
            match self.walk(dot, n, tree)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &Node, tree: &Rc<Tree>) -> R<Flow> {
        match node {
            Node::Text { pos, text } => {
                self.step(tree, *pos)?;
                self.write_text(tree, *pos, text)?;
            }
            Node::Action { pos, pipe } => {
                self.step(tree, *pos)?;
                let v = self.eval_pipeline(dot, pipe, tree)?;
                if pipe.decl.is_empty() {
                    self.print_value(&v, tree, *pos)?;
                }
            }
            Node::If(c) | Node::With(c) => {
                self.step(tree, c.pos)?;
                let mark = self.vars.len();
                let val = self.eval_pipeline(dot, &c.pipe, tree)?;
                let r = if val.truth() {
                    if matches!(node, Node::With(_)) {
                        self.walk_list(&val, &c.list, tree)
                    } else {
                        self.walk_list(dot, &c.list, tree)
                    }
                } else if let Some(e) = &c.else_list {
                    self.walk_list(dot, e, tree)
                } else {
                    Ok(Flow::Normal)
                };
                self.vars.truncate(mark);
                return r;
            }
            Node::Range(c) => {
                self.step(tree, c.pos)?;
                let mark = self.vars.len();
                let r = self.walk_range(dot, c, tree);
                self.vars.truncate(mark);
                return r;
            }
            Node::Template { pos, name, pipe } => {
                self.step(tree, *pos)?;
                let ctx = match pipe {
                    Some(p) => format!("{{{{template {name:?} {p}}}}}"),
                    None => format!("{{{{template {name:?}}}}}"),
                };
                let Some(t) = self.lookup(name) else {
                    return Err(self.errorf(
                        tree,
                        *pos,
                        &ctx,
                        format!("template {name:?} not defined"),
                    ));
                };
                if self.depth >= self.opts.limits.nesting {
                    return Err(self.errorf(
                        tree,
                        *pos,
                        &ctx,
                        format!(
                            "exceeded maximum template depth ({})",
                            self.opts.limits.nesting
                        ),
                    ));
                }
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p, tree)?,
                    None => Value::nil(),
                };
                self.depth += 1;
                let r = self.run_tree(&t, new_dot);
                self.depth -= 1;
                r?;
            }
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_range(&mut self, dot: &Value, c: &crate::parse::Control, tree: &Rc<Tree>) -> R<Flow> {
        let val = self.eval_pipeline(dot, &c.pipe, tree)?;
        let mark = self.vars.len();
        let ndecl = c.pipe.decl.len();
        let mut iterated = false;
        // (index, element) pairs, produced lazily for integers.
        let items: Vec<(Value, Value)> = match &val.v {
            V::List(l) => l
                .items
                .iter()
                .enumerate()
                .map(|(i, x)| (Value::int(i as i64), x.as_element()))
                .collect(),
            V::Map(m) => m
                .borrow()
                .entries
                .iter()
                .map(|(k, x)| (Value::new(V::Str(k.clone())), x.as_element()))
                .collect(),
            V::Obj(o) => match o.map_entries() {
                Some(e) => e
                    .into_iter()
                    .map(|(k, x)| (Value::new(V::Str(k)), x))
                    .collect(),
                None => {
                    return Err(self.errorf(
                        tree,
                        c.pos,
                        &c.pipe,
                        format!("range can't iterate over {}", gofmt::to_v(&val)),
                    ));
                }
            },
            V::Int(n) | V::I64(n) => {
                if ndecl > 1 {
                    return Err(self.errorf(
                        tree,
                        c.pos,
                        &c.pipe,
                        format!(
                            "can't use {} to iterate over more than one variable",
                            gofmt::to_v(&val)
                        ),
                    ));
                }
                let n = *n;
                let is_int = matches!(val.v, V::Int(_));
                for i in 0..n.max(0) {
                    iterated = true;
                    let e = if is_int { Value::int(i) } else { Value::i64(i) };
                    match self.range_iteration(c, tree, mark, Value::int(i), e)? {
                        Flow::Break => break,
                        _ => continue,
                    }
                }
                if !iterated && let Some(e) = &c.else_list {
                    return self.walk_list(dot, e, tree);
                }
                return Ok(Flow::Normal);
            }
            V::Nil | V::NilIface => Vec::new(),
            _ => {
                return Err(self.errorf(
                    tree,
                    c.pos,
                    &c.pipe,
                    format!("range can't iterate over {}", gofmt::to_v(&val)),
                ));
            }
        };
        for (k, e) in items {
            iterated = true;
            if let Flow::Break = self.range_iteration(c, tree, mark, k, e)? {
                break;
            }
        }
        if !iterated && let Some(e) = &c.else_list {
            return self.walk_list(dot, e, tree);
        }
        Ok(Flow::Normal)
    }

    fn range_iteration(
        &mut self,
        c: &crate::parse::Control,
        tree: &Rc<Tree>,
        mark: usize,
        index: Value,
        elem: Value,
    ) -> R<Flow> {
        self.step(tree, c.pos)?;
        let n = c.pipe.decl.len();
        if n > 0 {
            // The last declared variable gets the element, the one before it the index.
            let l = self.vars.len();
            if l >= 1 {
                self.vars[l - 1].1 = elem.clone();
            }
            if n > 1 && l >= 2 {
                self.vars[l - 2].1 = index;
            }
        }
        let f = self.walk_list(&elem, &c.list, tree)?;
        self.vars.truncate(mark);
        Ok(f)
    }

    fn print_value(&mut self, v: &Value, tree: &Tree, pos: u32) -> R<()> {
        let start = self.out.buf.len();
        self.out.segs.push(Seg {
            out: start as u32,
            file: tree.src.file_id,
            pos,
            origin: v.origin,
            text: false,
        });
        match &v.v {
            V::Nil => self.out.buf.push_str("<no value>"),
            _ => gofmt::write_v(v, &mut self.out.buf),
        }
        if let V::Str(s) = &v.v
            && let Some((_, lines)) = self.traced.get(&str_key(s))
        {
            let lines = lines.clone();
            let mut line = 0u32;
            let mut off = 0usize;
            let bytes = s.as_bytes();
            for (l, o) in lines.iter() {
                while line < *l {
                    match memchr(b'\n', &bytes[off..]) {
                        Some(i) => off += i + 1,
                        None => break,
                    }
                    line += 1;
                }
                if line != *l {
                    break;
                }
                self.out.segs.push(Seg {
                    out: (start + off) as u32,
                    file: tree.src.file_id,
                    pos,
                    origin: *o,
                    text: false,
                });
            }
        }
        self.check_size(tree, pos)
    }

    /// Remember which lines of a string come from which traced values.
    pub fn trace_lines(&mut self, s: &Str, lines: Vec<(u32, Origin)>) {
        if !lines.is_empty() && self.traced.len() < 100_000 {
            self.traced.insert(str_key(s), (s.clone(), Rc::new(lines)));
        }
    }

    /// `indent`/`nindent` of a traced string: the same lines, one further down for `nindent`.
    fn carry_trace(&mut self, name: &str, argv: &[Value], result: &Value) {
        let (Some(V::Str(arg)), V::Str(res)) = (argv.get(1).map(|a| &a.v), &result.v) else {
            return;
        };
        let Some((_, lines)) = self.traced.get(&str_key(arg)) else {
            return;
        };
        let shift = u32::from(name == "nindent");
        let lines: Vec<(u32, Origin)> = lines.iter().map(|(l, o)| (l + shift, *o)).collect();
        let res = res.clone();
        self.trace_lines(&res, lines);
    }

    pub fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe, tree: &Rc<Tree>) -> R<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take(), tree)?;
            value = Some(v.unwrap_iface());
        }
        let value = value.unwrap_or_else(Value::nil);
        for name in &pipe.decl {
            if pipe.is_assign {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = value.clone(),
                    None => {
                        return Err(self.errorf(
                            tree,
                            pipe.pos,
                            pipe,
                            format!("undefined variable: {name}"),
                        ));
                    }
                }
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, cmd: &Cmd, fin: &Option<Value>, tree: &Tree) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            return Err(self.errorf(
                tree,
                cmd.args[0].pos(),
                &cmd.args[0],
                format!("can't give argument to non-function {}", cmd.args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &Value,
        cmd: &Cmd,
        fin: Option<Value>,
        tree: &Rc<Tree>,
    ) -> R<Value> {
        self.step(tree, cmd.pos)?;
        let first = &cmd.args[0];
        match first {
            Arg::Field { pos, idents } => {
                return self.eval_field_chain(
                    dot,
                    dot.clone(),
                    first,
                    *pos,
                    idents,
                    &cmd.args,
                    fin,
                    tree,
                );
            }
            Arg::Chain { pos, node, fields } => {
                let recv = self.eval_arg(dot, Ty::Any, node, tree)?;
                let recv = match recv.v {
                    V::NilIface => Value::nil(),
                    _ => recv,
                };
                return self.eval_field_chain(dot, recv, first, *pos, fields, &cmd.args, fin, tree);
            }
            Arg::Ident { pos, name } => {
                return self.eval_function(dot, name, *pos, cmd, &cmd.args, fin, tree);
            }
            Arg::Pipe(p) => {
                self.not_a_function(cmd, &fin, tree)?;
                return self.eval_pipeline(dot, p, tree);
            }
            Arg::Variable { pos, name, idents } => {
                let v = self.var_value(name, tree, *pos)?;
                if idents.is_empty() {
                    self.not_a_function(cmd, &fin, tree)?;
                    return Ok(v);
                }
                return self.eval_field_chain(dot, v, first, *pos, idents, &cmd.args, fin, tree);
            }
            _ => {}
        }
        self.not_a_function(cmd, &fin, tree)?;
        match first {
            Arg::Bool { val, .. } => Ok(Value::bool(*val)),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { pos } => Err(self.errorf(tree, *pos, first, "nil is not a command".into())),
            Arg::Number { pos, text, num } => self.ideal_constant(*pos, text, num, tree),
            Arg::String { text, .. } => Ok(Value::new(V::Str(text.clone()))),
            _ => Err(self.errorf(
                tree,
                first.pos(),
                first,
                format!("can't evaluate command {:?}", first.to_string()),
            )),
        }
    }

    fn ideal_constant(
        &self,
        pos: u32,
        text: &str,
        n: &crate::parse::Number,
        tree: &Tree,
    ) -> R<Value> {
        if n.float_syntax {
            return Ok(Value::float(n.float));
        }
        if n.is_int {
            return Ok(Value::int(n.int));
        }
        if n.is_uint {
            return Err(self.errorf(tree, pos, &text, format!("{text} overflows int")));
        }
        Ok(Value::nil())
    }

    fn var_value(&self, name: &str, tree: &Tree, pos: u32) -> R<Value> {
        match self.vars.iter().rev().find(|(n, _)| &**n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.errorf(tree, pos, &name, format!("undefined variable: {name}"))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Value,
        mut recv: Value,
        node: &Arg,
        pos: u32,
        idents: &[Str],
        args: &[Arg],
        fin: Option<Value>,
        tree: &Rc<Tree>,
    ) -> R<Value> {
        let n = idents.len();
        let mut iface = false;
        for ident in &idents[..n - 1] {
            recv = self.eval_field(dot, ident, node, pos, &[], None, recv, iface, tree)?;
            iface = true;
        }
        self.eval_field(dot, &idents[n - 1], node, pos, args, fin, recv, iface, tree)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: &Arg,
        pos: u32,
        args: &[Arg],
        fin: Option<Value>,
        recv: Value,
        iface: bool,
        tree: &Rc<Tree>,
    ) -> R<Value> {
        let has_args = args.len() > 1 || fin.is_some();
        match &recv.v {
            V::Nil => {
                if self.opts.strict {
                    return Err(self.errorf(
                        tree,
                        pos,
                        node,
                        format!("nil data; no entry for key {name:?}"),
                    ));
                }
                Ok(Value::nil())
            }
            V::NilIface => Err(self.errorf(
                tree,
                pos,
                node,
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            V::Map(m) => {
                if has_args {
                    return Err(self.errorf(
                        tree,
                        pos,
                        node,
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                let m = m.borrow();
                match m.entries.get(name) {
                    Some(v) => Ok(v.as_element()),
                    None => {
                        if self.opts.strict {
                            return Err(self.errorf(
                                tree,
                                pos,
                                node,
                                format!("map has no entry for key {name:?}"),
                            ));
                        }
                        Ok(match m.ty {
                            MapTy::Any => Value::new(V::NilIface),
                            MapTy::Str => Value::str(""),
                        })
                    }
                }
            }
            V::Obj(o) => {
                if let Some(params) = o.method_sig(name) {
                    let o = o.clone();
                    let def = FuncDef {
                        name: "",
                        params,
                        variadic: None,
                        imp: funcs::Imp::Pure(|_| Ok(Value::nil())),
                    };
                    let argv = self.eval_args(dot, &def, name, pos, node, args, fin, tree)?;
                    return o.call(name, &argv).map_err(|e| {
                        self.errorf(tree, pos, node, format!("error calling {name}: {e}"))
                    });
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(self.errorf(
                                tree,
                                pos,
                                node,
                                format!("{name} has arguments but cannot be invoked as function"),
                            ));
                        }
                        Ok(v)
                    }
                    None => Err(self.errorf(
                        tree,
                        pos,
                        node,
                        format!("can't evaluate field {name} in type {}", o.type_name()),
                    )),
                }
            }
            _ => {
                let ty = if iface {
                    "interface {}".to_string()
                } else {
                    recv.type_name()
                };
                Err(self.errorf(
                    tree,
                    pos,
                    node,
                    format!("can't evaluate field {name} in type {ty}"),
                ))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        dot: &Value,
        name: &str,
        pos: u32,
        cmd: &dyn std::fmt::Display,
        args: &[Arg],
        fin: Option<Value>,
        tree: &Rc<Tree>,
    ) -> R<Value> {
        let Some(def) = funcs::lookup(name) else {
            return Err(self.errorf(
                tree,
                pos,
                &name,
                format!("{name:?} is not a defined function"),
            ));
        };
        // Short-circuit and/or (Go 1.18).
        if matches!(def.imp, funcs::Imp::And | funcs::Imp::Or) {
            let is_or = matches!(def.imp, funcs::Imp::Or);
            let nargs = args.len() - 1 + usize::from(fin.is_some());
            if nargs < 1 {
                return Err(self.errorf(
                    tree,
                    pos,
                    cmd,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            let mut v = Value::nil();
            for a in &args[1..] {
                v = self.eval_arg(dot, Ty::Any, a, tree)?.unwrap_iface();
                if v.truth() == is_or {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f.unwrap_iface();
            }
            return Ok(v);
        }
        let argv = self.eval_args(dot, def, name, pos, cmd, args, fin, tree)?;
        let r = match def.imp {
            funcs::Imp::Pure(f) => f(&argv),
            funcs::Imp::Ctx(f) => f(self, &argv),
            funcs::Imp::And | funcs::Imp::Or => unreachable!(),
        };
        let mut v =
            r.map_err(|e| self.errorf(tree, pos, cmd, format!("error calling {name}: {e}")))?;
        if let V::Str(s) = &v.v
            && s.len() > self.opts.limits.output_bytes
        {
            return Err(self.errorf(
                tree,
                pos,
                cmd,
                format!(
                    "error calling {name}: result larger than {} bytes (an output explosion?)",
                    self.opts.limits.output_bytes
                ),
            ));
        }
        if matches!(name, "indent" | "nindent") && !self.traced.is_empty() {
            self.carry_trace(name, &argv, &v);
        }
        // A value computed from exactly one traced value keeps its origin.
        if !v.origin.is_some() && !matches!(v.v, V::Map(_) | V::List(_) | V::Nil) {
            let mut origins = argv.iter().filter(|a| a.origin.is_some()).map(|a| a.origin);
            if let Some(o) = origins.next()
                && origins.all(|x| x == o)
            {
                v.origin = o;
            }
        }
        Ok(v)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_args(
        &mut self,
        dot: &Value,
        def: &FuncDef,
        name: &str,
        pos: u32,
        cmd: &dyn std::fmt::Display,
        args: &[Arg],
        fin: Option<Value>,
        tree: &Rc<Tree>,
    ) -> R<Vec<Value>> {
        let args = if args.is_empty() { args } else { &args[1..] };
        let num_in = args.len() + usize::from(fin.is_some());
        let num_fixed = def.params.len();
        let _ = cmd;
        if def.variadic.is_some() {
            if num_in < num_fixed {
                return Err(self.errorf(
                    tree,
                    pos,
                    &name,
                    format!(
                        "wrong number of args for {name}: want at least {} got {}",
                        num_fixed,
                        args.len()
                    ),
                ));
            }
        } else if num_in != num_fixed {
            return Err(self.errorf(
                tree,
                pos,
                &name,
                format!("wrong number of args for {name}: want {num_fixed} got {num_in}"),
            ));
        }
        let mut argv = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(self.eval_arg(dot, def.params[i], &args[i], tree)?);
            i += 1;
        }
        if let Some(vt) = def.variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, vt, &args[i], tree)?);
                i += 1;
            }
        }
        if let Some(f) = fin {
            let t = if num_in - 1 < num_fixed {
                def.params[num_in - 1]
            } else {
                def.variadic.unwrap_or(Ty::Any)
            };
            // Go reports a bad piped value at the last node it evaluated.
            let v = match args.last() {
                Some(last) => self.validate_type(f, t, tree, last.pos(), last)?,
                None => self.validate_type(f, t, tree, pos, &name)?,
            };
            argv.push(v);
        }
        Ok(argv)
    }

    fn validate_type(
        &self,
        v: Value,
        t: Ty,
        tree: &Tree,
        pos: u32,
        node: &dyn std::fmt::Display,
    ) -> R<Value> {
        if matches!(v.v, V::Nil) {
            if can_be_nil(t) {
                return Ok(v);
            }
            return Err(self.errorf(
                tree,
                pos,
                node,
                format!("invalid value; expected {}", go_type_of_ty(t)),
            ));
        }
        if matches!(v.v, V::NilIface) {
            // A nil read from a map is an `interface{}`: only an `interface{}` parameter takes it.
            if t == Ty::Refl {
                return Ok(v);
            }
            if t == Ty::Any {
                return Ok(v.unwrap_iface());
            }
            return Err(self.errorf(
                tree,
                pos,
                node,
                format!(
                    "wrong type for value; expected {}; got interface {{}}",
                    go_type_of_ty(t)
                ),
            ));
        }
        if assignable(&v, t) {
            return Ok(v);
        }
        Err(self.errorf(
            tree,
            pos,
            node,
            format!(
                "wrong type for value; expected {}; got {}",
                go_type_of_ty(t),
                v.type_name()
            ),
        ))
    }

    fn eval_arg(&mut self, dot: &Value, t: Ty, a: &Arg, tree: &Rc<Tree>) -> R<Value> {
        let pos = a.pos();
        match a {
            Arg::Dot { .. } => return self.validate_type(dot.clone(), t, tree, pos, a),
            Arg::Nil { .. } => {
                if can_be_nil(t) {
                    return Ok(Value::nil());
                }
                return Err(self.errorf(
                    tree,
                    pos,
                    a,
                    format!("cannot assign nil to {}", go_type_of_ty(t)),
                ));
            }
            Arg::Field { idents, .. } => {
                let v = self.eval_field_chain(
                    dot,
                    dot.clone(),
                    a,
                    pos,
                    idents,
                    std::slice::from_ref(a),
                    None,
                    tree,
                )?;
                return self.validate_type(v, t, tree, pos, a);
            }
            Arg::Variable { name, idents, .. } => {
                let v = self.var_value(name, tree, pos)?;
                let v = if idents.is_empty() {
                    v
                } else {
                    self.eval_field_chain(dot, v, a, pos, idents, &[], None, tree)?
                };
                return self.validate_type(v, t, tree, pos, a);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, p, tree)?;
                return self.validate_type(v, t, tree, pos, a);
            }
            Arg::Ident { name, .. } => {
                let v =
                    self.eval_function(dot, name, pos, a, std::slice::from_ref(a), None, tree)?;
                return self.validate_type(v, t, tree, pos, a);
            }
            Arg::Chain { node, fields, .. } => {
                let recv = self.eval_arg(dot, Ty::Any, node, tree)?.unwrap_iface();
                let v = self.eval_field_chain(dot, recv, a, pos, fields, &[], None, tree)?;
                return self.validate_type(v, t, tree, pos, a);
            }
            _ => {}
        }
        match t {
            Ty::Bool => match a {
                Arg::Bool { val, .. } => Ok(Value::bool(*val)),
                _ => Err(self.errorf(tree, pos, a, format!("expected bool; found {a}"))),
            },
            Ty::Float => match a {
                Arg::Number { num, .. } if num.is_float => Ok(Value::float(num.float)),
                _ => Err(self.errorf(tree, pos, a, format!("expected float; found {a}"))),
            },
            Ty::Int | Ty::I64 => match a {
                Arg::Number { num, .. } if num.is_int => Ok(if t == Ty::Int {
                    Value::int(num.int)
                } else {
                    Value::i64(num.int)
                }),
                _ => Err(self.errorf(tree, pos, a, format!("expected integer; found {a}"))),
            },
            Ty::U32 => match a {
                Arg::Number { num, .. } if num.is_uint => Ok(Value::new(V::U64(num.uint))),
                _ => Err(self.errorf(
                    tree,
                    pos,
                    a,
                    format!("expected unsigned integer; found {a}"),
                )),
            },
            Ty::Str => match a {
                Arg::String { text, .. } => Ok(Value::new(V::Str(text.clone()))),
                _ => Err(self.errorf(tree, pos, a, format!("expected string; found {a}"))),
            },
            Ty::Any | Ty::Refl => match a {
                Arg::Bool { val, .. } => Ok(Value::bool(*val)),
                Arg::Number { text, num, .. } => self.ideal_constant(pos, text, num, tree),
                Arg::String { text, .. } => Ok(Value::new(V::Str(text.clone()))),
                _ => Err(self.errorf(
                    tree,
                    pos,
                    a,
                    format!("can't handle assignment of {a} to empty interface argument"),
                )),
            },
            Ty::List | Ty::StrList | Ty::Map => Err(self.errorf(
                tree,
                pos,
                a,
                format!("can't handle {a} for arg of type {}", go_type_of_ty(t)),
            )),
        }
    }

    // ------------------------------------------------------------ Helm's include and tpl

    /// `include NAME DATA`: execute a named template into a string, with Helm's recursion limit.
    pub fn include(&mut self, name: &str, data: Value) -> Result<Value, String> {
        let Some(tree) = self.lookup(name) else {
            return Err(format!(
                "template: no template {:?} associated with template {:?}",
                name, &*self.root_name
            ));
        };
        let count = self.include_counts.entry(Rc::from(name)).or_insert(0);
        if *count > self.opts.limits.depth {
            return Err(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            ));
        }
        *count += 1;
        let r = self.execute_to_string(&tree, data.unwrap_iface());
        if let Some(c) = self.include_counts.get_mut(name) {
            *c -= 1;
        }
        r.map(Value::string).map_err(|e| e.text)
    }

    /// `tpl TEXT DATA`: parse a template from a string and execute it with the templates known.
    pub fn tpl(&mut self, text: &str, data: Value) -> Result<Value, String> {
        let name = self.root_name.clone();
        let parsed = match crate::parse::parse(&name, text, self.tpl_file_id, &|f| {
            funcs::lookup(f).is_some()
        }) {
            Ok(p) => p,
            Err(e) => return Err(format!("cannot parse template {text:?}: {}", e.go_text())),
        };
        self.tpl_parses += 1;
        let mut overlay: HashMap<Str, Rc<Tree>> = HashMap::new();
        for d in parsed.defines {
            overlay.insert(d.name.clone(), Rc::new(d));
        }
        let main = Rc::new(parsed.main);
        self.overlays.push(overlay);
        let r = self.execute_to_string(&main, data.unwrap_iface());
        self.overlays.pop();
        match r {
            Ok(s) => Ok(Value::string(s.replace("<no value>", ""))),
            Err(e) => Err(format!(
                "error during tpl function execution for {text:?}: {}",
                e.text
            )),
        }
    }
}
