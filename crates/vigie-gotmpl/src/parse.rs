//! Go `text/template` syntax: a lexer and a recursive-descent parser into an AST, following the
//! Go implementation's grammar, whitespace trimming, variable scoping and error messages (Helm
//! shows them to users, and tests compare them).
//!
//! Every node keeps the byte offset of its first token in the source; [`Tree::line_col`] turns it
//! into the `line:col` Go prints (the column is a 0-based byte offset, as in Go's messages).

use crate::value::Str;
use std::collections::HashMap;
use std::rc::Rc;

/// Nesting of parentheses and control structures deeper than this is a parse error (Go has no
/// limit but a goroutine stack that grows; ours is bounded).
pub const MAX_NESTING: usize = 200;

#[derive(Debug, Clone)]
pub struct ParseError {
    /// The file being parsed.
    pub parse_name: Str,
    pub line: u32,
    pub message: String,
}

impl ParseError {
    /// Go's text: `template: NAME:LINE: MESSAGE`.
    pub fn go_text(&self) -> String {
        format!(
            "template: {}:{}: {}",
            self.parse_name, self.line, self.message
        )
    }
}

/// A parsed template: its name (the file name, or the `define`d name) and body.
#[derive(Debug)]
pub struct Tree {
    pub name: Str,
    /// The file the template was written in.
    pub parse_name: Str,
    pub src: Rc<Source>,
    pub root: Vec<Node>,
}

/// The text of one parsed file, shared by the trees defined in it.
#[derive(Debug)]
pub struct Source {
    pub name: Str,
    pub text: String,
    /// Index of the file in the caller's file table (for provenance).
    pub file_id: u32,
    line_starts: Vec<u32>,
}

impl Source {
    pub fn new(name: Str, text: String, file_id: u32) -> Source {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1))
            .collect();
        Source {
            name,
            text,
            file_id,
            line_starts,
        }
    }

    /// 1-based line and 0-based byte column of an offset (Go's error convention).
    pub fn line_col(&self, pos: u32) -> (u32, u32) {
        let i = match self.line_starts.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (i as u32 + 1, pos - self.line_starts[i])
    }

    /// Go's `ErrorContext` location: on the first line the column is the offset itself.
    pub fn go_location(&self, pos: u32) -> String {
        let (line, col) = self.line_col(pos);
        format!("{}:{}:{}", self.name, line, col)
    }
}

#[derive(Debug)]
pub enum Node {
    Text {
        pos: u32,
        text: String,
    },
    Action {
        pos: u32,
        pipe: Pipe,
    },
    If(Box<Control>),
    With(Box<Control>),
    Range(Box<Control>),
    Template {
        pos: u32,
        name: Str,
        pipe: Option<Pipe>,
    },
    Break {
        pos: u32,
    },
    Continue {
        pos: u32,
    },
}

#[derive(Debug)]
pub struct Control {
    pub pos: u32,
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub struct Pipe {
    pub pos: u32,
    pub is_assign: bool,
    pub decl: Vec<Str>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub struct Cmd {
    pub pos: u32,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone, Copy)]
pub struct Number {
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
    /// `1.5`, `1e3`: a float constant when untyped (not `0x1p3`-style hex ints).
    pub float_syntax: bool,
}

#[derive(Debug)]
pub enum Arg {
    Field {
        pos: u32,
        idents: Vec<Str>,
    },
    Variable {
        pos: u32,
        name: Str,
        idents: Vec<Str>,
    },
    Chain {
        pos: u32,
        node: Box<Arg>,
        fields: Vec<Str>,
    },
    Ident {
        pos: u32,
        name: Str,
    },
    Dot {
        pos: u32,
    },
    Nil {
        pos: u32,
    },
    Bool {
        pos: u32,
        val: bool,
    },
    Number {
        pos: u32,
        text: Str,
        num: Number,
    },
    String {
        pos: u32,
        quoted: Str,
        text: Str,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> u32 {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

// ---------------------------------------------------------------- printing (Go's Node.String)

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Variable { name, idents, .. } => {
                write!(f, "{name}")?;
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Chain { node, fields, .. } => {
                if matches!(**node, Arg::Pipe(_)) {
                    write!(f, "({node})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for i in fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Ident { name, .. } => write!(f, "{name}"),
            Arg::Dot { .. } => write!(f, "."),
            Arg::Nil { .. } => write!(f, "nil"),
            Arg::Bool { val, .. } => write!(f, "{val}"),
            Arg::Number { text, .. } => write!(f, "{text}"),
            Arg::String { quoted, .. } => write!(f, "{quoted}"),
            Arg::Pipe(p) => write!(f, "({p})"),
        }
    }
}

impl std::fmt::Display for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            if let Arg::Pipe(p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{}", self.decl.join(", "))?;
            write!(f, " {} ", if self.is_assign { "=" } else { ":=" })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Error,
    Bool,
    Char,
    CharConstant,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // keywords
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

#[derive(Debug, Clone)]
struct Item {
    k: K,
    pos: u32,
    /// For text items, the text after trimming; otherwise the token's source text.
    val: Rc<str>,
    line: u32,
}

fn keyword(w: &str) -> Option<K> {
    Some(match w {
        "block" => K::Block,
        "break" => K::Break,
        "continue" => K::Continue,
        "define" => K::Define,
        "else" => K::Else,
        "end" => K::End,
        "if" => K::If,
        "range" => K::Range,
        "nil" => K::Nil,
        "template" => K::Template,
        "with" => K::With,
        _ => return None,
    })
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Lex the whole input at once (Go lexes lazily; the result is the same).
fn lex(text: &str) -> Vec<Item> {
    let mut lx = Lexer {
        s: text,
        b: text.as_bytes(),
        pos: 0,
        start: 0,
        items: Vec::new(),
        paren_depth: 0,
        line: 1,
        start_line: 1,
    };
    lx.run();
    lx.items
}

struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    start: usize,
    items: Vec<Item>,
    paren_depth: i32,
    line: u32,
    start_line: u32,
}

const LD: &str = "{{";
const RD: &str = "}}";

fn has_left_trim(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && is_space(s[1])
}
fn has_right_trim(s: &[u8]) -> bool {
    s.len() >= 2 && is_space(s[0]) && s[1] == b'-'
}

impl Lexer<'_> {
    fn emit(&mut self, k: K) {
        let val: Rc<str> = Rc::from(&self.s[self.start..self.pos]);
        self.items.push(Item {
            k,
            pos: self.start as u32,
            val,
            line: self.start_line,
        });
        self.ignore();
    }
    fn ignore(&mut self) {
        self.line += self.s[self.start..self.pos]
            .bytes()
            .filter(|&b| b == b'\n')
            .count() as u32;
        self.start = self.pos;
        self.start_line = self.line;
    }
    fn error(&mut self, msg: String) {
        self.items.push(Item {
            k: K::Error,
            pos: self.start as u32,
            val: Rc::from(msg.as_str()),
            line: self.start_line,
        });
    }
    fn peek_char(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }
    fn next_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn run(&mut self) {
        loop {
            if !self.lex_text() {
                return;
            }
            if !self.lex_action() {
                return;
            }
        }
    }

    /// Text up to the next left delimiter; false at EOF.
    fn lex_text(&mut self) -> bool {
        match self.s[self.pos..].find(LD) {
            Some(x) => {
                let x = self.pos + x;
                let trim = has_left_trim(&self.b[x + LD.len()..]);
                let mut end = x;
                if trim {
                    while end > self.pos && is_space(self.b[end - 1]) {
                        end -= 1;
                    }
                }
                self.pos = end;
                if self.pos > self.start {
                    let line = self.start_line;
                    let val: Rc<str> = Rc::from(&self.s[self.start..self.pos]);
                    self.items.push(Item {
                        k: K::Text,
                        pos: self.start as u32,
                        val,
                        line,
                    });
                }
                self.pos = x;
                self.ignore();
                true
            }
            None => {
                self.pos = self.s.len();
                if self.pos > self.start {
                    self.emit(K::Text);
                }
                self.items.push(Item {
                    k: K::Eof,
                    pos: self.pos as u32,
                    val: Rc::from(""),
                    line: self.line,
                });
                false
            }
        }
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.b[self.pos..];
        if has_right_trim(rest) && rest[2..].starts_with(RD.as_bytes()) {
            return (true, true);
        }
        (rest.starts_with(RD.as_bytes()), false)
    }

    /// From a left delimiter to the matching right delimiter; false when lexing must stop.
    fn lex_action(&mut self) -> bool {
        let after = &self.b[self.pos + LD.len()..];
        let trim = has_left_trim(after);
        let marker = if trim { 2 } else { 0 };
        if after[marker..].starts_with(b"/*") {
            self.pos += LD.len() + marker;
            self.ignore();
            return self.lex_comment();
        }
        self.pos += LD.len();
        self.emit(K::LeftDelim);
        self.pos += marker;
        self.ignore();
        self.paren_depth = 0;
        self.lex_inside()
    }

    fn lex_comment(&mut self) -> bool {
        let Some(x) = self.s[self.pos..].find("*/") else {
            self.error("unclosed comment".into());
            return false;
        };
        self.pos += x + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            self.error("comment ends before closing delimiter".into());
            return false;
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RD.len();
        if trim {
            while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                self.pos += 1;
            }
        }
        self.ignore();
        true
    }

    fn lex_right_delim(&mut self, trim: bool) {
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RD.len();
        self.emit(K::RightDelim);
        if trim {
            while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                self.pos += 1;
            }
            self.ignore();
        }
    }

    fn lex_inside(&mut self) -> bool {
        loop {
            let (delim, trim) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    self.lex_right_delim(trim);
                    return true;
                }
                self.error("unclosed left paren".into());
                return false;
            }
            let Some(c) = self.next_char() else {
                self.error("unclosed action".into());
                return false;
            };
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    self.pos -= 1;
                    let mut n = 0;
                    while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                        self.pos += 1;
                        n += 1;
                    }
                    let rest = &self.b[self.pos - 1..];
                    if has_right_trim(rest) && rest[2..].starts_with(RD.as_bytes()) {
                        // The last space belongs to the ` -}}` marker.
                        self.pos -= 1;
                        if n == 1 {
                            continue;
                        }
                    }
                    self.emit(K::Space);
                }
                '=' => self.emit(K::Assign),
                ':' => {
                    if self.peek_char() != Some('=') {
                        self.error("expected :=".into());
                        return false;
                    }
                    self.pos += 1;
                    self.emit(K::Declare);
                }
                '|' => self.emit(K::Pipe),
                '"' => {
                    if !self.lex_quote() {
                        return false;
                    }
                }
                '`' => {
                    let Some(x) = self.s[self.pos..].find('`') else {
                        self.error("unterminated raw quoted string".into());
                        return false;
                    };
                    self.pos += x + 1;
                    self.emit(K::RawString);
                }
                '$' => {
                    if !self.lex_field_or_var(K::Variable) {
                        return false;
                    }
                }
                '\'' => {
                    if !self.lex_char() {
                        return false;
                    }
                }
                '.' => {
                    if self.peek_char().is_some_and(|c| c.is_ascii_digit()) {
                        self.pos -= 1;
                        if !self.lex_number() {
                            return false;
                        }
                    } else if !self.lex_field_or_var(K::Field) {
                        return false;
                    }
                }
                '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    if !self.lex_number() {
                        return false;
                    }
                }
                c if is_alnum(c) => {
                    self.pos -= c.len_utf8();
                    if !self.lex_identifier() {
                        return false;
                    }
                }
                '(' => {
                    self.emit(K::LeftParen);
                    self.paren_depth += 1;
                }
                ')' => {
                    self.emit(K::RightParen);
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        self.error("unexpected right paren".into());
                        return false;
                    }
                }
                c if c.is_ascii() && !c.is_ascii_control() => self.emit(K::Char),
                c => {
                    self.error(format!(
                        "unrecognized character in action: {}",
                        go_sharp_u(c)
                    ));
                    return false;
                }
            }
        }
    }

    fn at_terminator(&self) -> bool {
        let Some(c) = self.peek_char() else {
            return true;
        };
        if matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '('
        ) {
            return true;
        }
        self.s[self.pos..].starts_with(RD)
    }

    fn lex_identifier(&mut self) -> bool {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or(' ');
            self.error(format!("bad character {}", go_sharp_u(c)));
            return false;
        }
        let word = &self.s[self.start..self.pos];
        let k = if let Some(k) = keyword(word) {
            k
        } else if word == "true" || word == "false" {
            K::Bool
        } else {
            K::Identifier
        };
        self.emit(k);
        true
    }

    fn lex_field_or_var(&mut self, k: K) -> bool {
        if self.at_terminator() {
            self.emit(if k == K::Variable {
                K::Variable
            } else {
                K::Dot
            });
            return true;
        }
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or(' ');
            self.error(format!("bad character {}", go_sharp_u(c)));
            return false;
        }
        self.emit(k);
        true
    }

    fn lex_quote(&mut self) -> bool {
        loop {
            match self.next_char() {
                Some('\\') => {
                    if let Some(c) = self.next_char()
                        && c != '\n'
                    {
                        continue;
                    }
                    self.error("unterminated quoted string".into());
                    return false;
                }
                None | Some('\n') => {
                    self.error("unterminated quoted string".into());
                    return false;
                }
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(K::String);
        true
    }

    fn lex_char(&mut self) -> bool {
        loop {
            match self.next_char() {
                Some('\\') => {
                    if let Some(c) = self.next_char()
                        && c != '\n'
                    {
                        continue;
                    }
                    self.error("unterminated character constant".into());
                    return false;
                }
                None | Some('\n') => {
                    self.error("unterminated character constant".into());
                    return false;
                }
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(K::CharConstant);
        true
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek_char()
            && valid.contains(c)
        {
            self.pos += c.len_utf8();
            return true;
        }
        false
    }
    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn lex_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 10 + 1 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 16 + 6 + 1 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek_char().is_some_and(is_alnum) {
            self.next_char();
            let t = self.s[self.start..self.pos].to_string();
            self.error(format!("bad number syntax: {t:?}"));
            return false;
        }
        self.emit(K::Number);
        true
    }
}

/// Go's `%#U`: `U+0041 'A'`.
fn go_sharp_u(c: char) -> String {
    format!("U+{:04X} '{}'", c as u32, c)
}

// ---------------------------------------------------------------- number and string literals

/// Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` literals.
pub fn unquote(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 2 {
        return None;
    }
    let q = b[0];
    if b[b.len() - 1] != q {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    match q {
        b'`' => Some(inner.replace('\r', "")),
        b'"' | b'\'' => {
            let mut out = String::new();
            let mut chars = inner.chars().peekable();
            let mut count = 0;
            while let Some(c) = chars.next() {
                count += 1;
                if c == q as char || c == '\n' {
                    return None;
                }
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                let e = chars.next()?;
                match e {
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\x0b'),
                    '\\' => out.push('\\'),
                    '\'' if q == b'\'' => out.push('\''),
                    '"' if q == b'"' => out.push('"'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v: u32 = 0;
                        for _ in 0..n {
                            v = v * 16 + chars.next()?.to_digit(16)?;
                        }
                        if e == 'x' {
                            if q == b'\'' {
                                out.push(char::from_u32(v)?);
                            } else {
                                // A byte; keep it valid UTF-8 when it is ASCII.
                                out.push(char::from_u32(v)?);
                            }
                        } else {
                            out.push(char::from_u32(v)?);
                        }
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.to_digit(8)?;
                        }
                        if v > 255 {
                            return None;
                        }
                        out.push(char::from_u32(v)?);
                    }
                    _ => return None,
                }
            }
            if q == b'\'' && (count == 0 || out.chars().count() != 1) {
                return None;
            }
            Some(out)
        }
        _ => None,
    }
}

fn parse_go_int(text: &str) -> Option<(bool, u64)> {
    let (neg, t) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let t = t.replace('_', "");
    let (radix, digits) = if let Some(r) = t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        (16, r.to_string())
    } else if let Some(r) = t.strip_prefix("0o").or(t.strip_prefix("0O")) {
        (8, r.to_string())
    } else if let Some(r) = t.strip_prefix("0b").or(t.strip_prefix("0B")) {
        (2, r.to_string())
    } else if t.len() > 1 && t.starts_with('0') {
        (8, t[1..].to_string())
    } else {
        (10, t)
    };
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok().map(|v| (neg, v))
}

/// Go's `parse.NumberNode` classification of a number literal.
pub fn classify_number(text: &str, is_char: bool) -> Result<Number, String> {
    let mut n = Number {
        is_int: false,
        is_uint: false,
        is_float: false,
        int: 0,
        uint: 0,
        float: 0.0,
        float_syntax: false,
    };
    if is_char {
        let s = unquote(text).ok_or_else(|| format!("malformed character constant: {text}"))?;
        let c = s.chars().next().unwrap_or('\0') as i64;
        n.is_int = true;
        n.int = c;
        n.is_uint = true;
        n.uint = c as u64;
        n.is_float = true;
        n.float = c as f64;
        return Ok(n);
    }
    if text.ends_with('i') {
        return Err(format!("complex numbers are not supported: {text}"));
    }
    if let Some((neg, u)) = parse_go_int(text) {
        if neg {
            if u <= i64::MAX as u64 + 1 {
                n.is_int = true;
                n.int = (u as i64).wrapping_neg();
            }
        } else {
            n.is_uint = true;
            n.uint = u;
            if u <= i64::MAX as u64 {
                n.is_int = true;
                n.int = u as i64;
            }
        }
        if n.is_int {
            n.is_float = true;
            n.float = n.int as f64;
        } else if n.is_uint {
            n.is_float = true;
            n.float = n.uint as f64;
        }
    } else {
        let is_hex = text.trim_start_matches(['+', '-']).starts_with("0x")
            || text.trim_start_matches(['+', '-']).starts_with("0X");
        let f = if is_hex {
            parse_hex_float(text)
        } else {
            text.replace('_', "").parse::<f64>().ok()
        };
        match f {
            Some(f) if f.is_finite() => {
                if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                    return Err(format!("integer overflow: {text:?}"));
                }
                n.is_float = true;
                n.float = f;
                if f == (f as i64) as f64 {
                    n.is_int = true;
                    n.int = f as i64;
                }
                if f >= 0.0 && f == (f as u64) as f64 {
                    n.is_uint = true;
                    n.uint = f as u64;
                }
            }
            _ => return Err(format!("illegal number syntax: {text:?}")),
        }
    }
    let hex_int = {
        let t = text.trim_start_matches(['+', '-']);
        t.len() > 2 && (t.starts_with("0x") || t.starts_with("0X")) && !t.contains(['p', 'P'])
    };
    n.float_syntax = n.is_float && !hex_int && text.contains(['.', 'e', 'E', 'p', 'P']);
    Ok(n)
}

fn parse_hex_float(text: &str) -> Option<f64> {
    let (neg, t) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let t = t.get(2..)?.replace('_', "");
    let (mant, exp) = match t.find(['p', 'P']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i32>().ok()?),
        None => return None,
    };
    let (ip, fp) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

// ---------------------------------------------------------------- parser

/// The result of parsing one file: its own tree and the templates it `define`s, in order.
pub struct Parsed {
    pub main: Tree,
    pub defines: Vec<Tree>,
}

/// Parse `text` (file `name`). `is_func` says whether an identifier names a function, as Go checks
/// at parse time.
pub fn parse(
    name: &str,
    text: &str,
    file_id: u32,
    is_func: &dyn Fn(&str) -> bool,
) -> Result<Parsed, ParseError> {
    let name: Str = Rc::from(name);
    let src = Rc::new(Source::new(name.clone(), text.to_string(), file_id));
    let items = lex(text);
    let mut p = Parser {
        items,
        i: 0,
        vars: vec![Rc::from("$")],
        range_depth: 0,
        depth: 0,
        is_func,
        name: name.clone(),
        defines: Vec::new(),
        define_names: HashMap::new(),
        src: src.clone(),
    };
    let root = p.parse_top()?;
    Ok(Parsed {
        main: Tree {
            name: name.clone(),
            parse_name: name,
            src,
            root,
        },
        defines: p.defines,
    })
}

struct Parser<'a> {
    items: Vec<Item>,
    i: usize,
    vars: Vec<Str>,
    range_depth: usize,
    depth: usize,
    is_func: &'a dyn Fn(&str) -> bool,
    name: Str,
    defines: Vec<Tree>,
    define_names: HashMap<Str, usize>,
    src: Rc<Source>,
}

enum Parsed1 {
    Node(Node),
    End,
    Else,
}

type PResult<T> = Result<T, ParseError>;

fn item_desc(it: &Item) -> String {
    match it.k {
        K::Eof => "EOF".into(),
        K::Error => it.val.to_string(),
        K::Block
        | K::Break
        | K::Continue
        | K::Define
        | K::Else
        | K::End
        | K::If
        | K::Nil
        | K::Range
        | K::Template
        | K::With => format!("<{}>", it.val),
        _ => {
            if it.val.chars().count() > 10 {
                let short: String = it.val.chars().take(10).collect();
                format!("{}...", crate::gofmt::go_quote(&short))
            } else {
                crate::gofmt::go_quote(&it.val)
            }
        }
    }
}

impl Parser<'_> {
    fn err<T>(&self, line: u32, msg: String) -> PResult<T> {
        Err(ParseError {
            parse_name: self.name.clone(),
            line,
            message: msg,
        })
    }
    fn cur_line(&self) -> u32 {
        self.items
            .get(self.i.saturating_sub(1))
            .map(|t| t.line)
            .unwrap_or(1)
    }
    fn errorf<T>(&self, msg: String) -> PResult<T> {
        self.err(self.cur_line(), msg)
    }

    fn next(&mut self) -> PResult<Item> {
        let it = self
            .items
            .get(self.i)
            .cloned()
            .unwrap_or_else(|| self.items[self.items.len() - 1].clone());
        if self.i < self.items.len() {
            self.i += 1;
        }
        if it.k == K::Error {
            return self.err(it.line, it.val.to_string());
        }
        Ok(it)
    }
    fn backup(&mut self) {
        self.i -= 1;
    }
    fn peek(&self) -> PResult<Item> {
        let it = self
            .items
            .get(self.i)
            .cloned()
            .unwrap_or_else(|| self.items[self.items.len() - 1].clone());
        if it.k == K::Error {
            return self.err(it.line, it.val.to_string());
        }
        Ok(it)
    }
    fn next_non_space(&mut self) -> PResult<Item> {
        loop {
            let it = self.next()?;
            if it.k != K::Space {
                return Ok(it);
            }
        }
    }
    fn peek_non_space(&mut self) -> PResult<Item> {
        let it = self.next_non_space()?;
        self.backup();
        Ok(it)
    }
    fn expect(&mut self, k: K, context: &str) -> PResult<Item> {
        let it = self.next_non_space()?;
        if it.k != k {
            return self.unexpected(&it, context);
        }
        Ok(it)
    }
    fn unexpected<T>(&self, it: &Item, context: &str) -> PResult<T> {
        if it.k == K::Error {
            return self.err(it.line, it.val.to_string());
        }
        self.err(
            it.line,
            format!("unexpected {} in {}", item_desc(it), context),
        )
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.errorf(format!("nesting deeper than {MAX_NESTING} levels"));
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        loop {
            let it = self.peek()?;
            if it.k == K::Eof {
                break;
            }
            if it.k == K::LeftDelim {
                let save = self.i;
                self.next()?;
                if self.next_non_space()?.k == K::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Parsed1::Node(n) => root.push(n),
                Parsed1::End => return self.errorf("unexpected {{end}}".into()),
                Parsed1::Else => return self.errorf("unexpected {{else}}".into()),
            }
        }
        Ok(root)
    }

    fn add_define(&mut self, name: Str, root: Vec<Node>) -> PResult<()> {
        let tree = Tree {
            name: name.clone(),
            parse_name: self.name.clone(),
            src: self.src.clone(),
            root,
        };
        if let Some(&i) = self.define_names.get(&name) {
            if is_empty_tree(&self.defines[i].root) {
                self.defines[i] = tree;
                return Ok(());
            }
            if !is_empty_tree(&tree.root) {
                return self.errorf(format!(
                    "template: multiple definition of template {name:?}"
                ));
            }
            return Ok(());
        }
        self.define_names.insert(name, self.defines.len());
        self.defines.push(tree);
        Ok(())
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let it = self.next_non_space()?;
        if it.k != K::String && it.k != K::RawString {
            return self.unexpected(&it, context);
        }
        let name: Str = Rc::from(unquote(&it.val).unwrap_or_default().as_str());
        self.expect(K::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![Rc::from("$")]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if !matches!(end, Parsed1::End) {
            return self.errorf(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_define(name, list)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, Parsed1)> {
        let mut list = Vec::new();
        loop {
            if self.peek_non_space()?.k == K::Eof {
                return self.errorf("unexpected EOF".into());
            }
            match self.text_or_action()? {
                Parsed1::Node(n) => list.push(n),
                other => return Ok((list, other)),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Parsed1> {
        let it = self.next_non_space()?;
        match it.k {
            K::Text => Ok(Parsed1::Node(Node::Text {
                pos: it.pos,
                text: it.val.to_string(),
            })),
            K::LeftDelim => self.action(it.pos),
            _ => self.unexpected(&it, "input"),
        }
    }

    fn action(&mut self, _delim_pos: u32) -> PResult<Parsed1> {
        let it = self.next_non_space()?;
        match it.k {
            K::Block => return self.block_control().map(Parsed1::Node),
            K::Break | K::Continue => {
                let t = self.next_non_space()?;
                let what = if it.k == K::Break {
                    "break"
                } else {
                    "continue"
                };
                if t.k != K::RightDelim {
                    return self.unexpected(&t, &format!("{{{{{what}}}}}"));
                }
                if self.range_depth == 0 {
                    return self.errorf(format!("{{{{{what}}}}} outside {{{{range}}}}"));
                }
                return Ok(Parsed1::Node(if it.k == K::Break {
                    Node::Break { pos: it.pos }
                } else {
                    Node::Continue { pos: it.pos }
                }));
            }
            K::Else => {
                let p = self.peek_non_space()?;
                if p.k == K::If || p.k == K::With {
                    return Ok(Parsed1::Else);
                }
                let t = self.expect(K::RightDelim, "else")?;
                let _ = t;
                return Ok(Parsed1::Else);
            }
            K::End => {
                let t = self.expect(K::RightDelim, "end")?;
                let _ = t;
                return Ok(Parsed1::End);
            }
            K::If => return self.control("if").map(|c| Parsed1::Node(Node::If(c))),
            K::Range => return self.control("range").map(|c| Parsed1::Node(Node::Range(c))),
            K::With => return self.control("with").map(|c| Parsed1::Node(Node::With(c))),
            K::Template => return self.template_control().map(Parsed1::Node),
            _ => {}
        }
        self.backup();
        let pos = self.peek()?.pos;
        let pipe = self.pipeline("command", K::RightDelim)?;
        Ok(Parsed1::Node(Node::Action { pos, pipe }))
    }

    fn control(&mut self, context: &str) -> PResult<Box<Control>> {
        self.enter()?;
        let mark = self.vars.len();
        let pipe = self.pipeline(context, K::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        match next {
            Parsed1::End => {}
            Parsed1::Else => {
                let p = self.peek()?;
                if context == "if" && p.k == K::If {
                    self.next()?;
                    let c = self.control("if")?;
                    else_list = Some(vec![Node::If(c)]);
                } else if context == "with" && p.k == K::With {
                    self.next()?;
                    let c = self.control("with")?;
                    else_list = Some(vec![Node::With(c)]);
                } else {
                    let (l, next) = self.item_list()?;
                    if !matches!(next, Parsed1::End) {
                        return self.errorf("expected end; found {{else}}".into());
                    }
                    else_list = Some(l);
                }
            }
            Parsed1::Node(_) => unreachable!("item_list returns only at end or else"),
        }
        self.vars.truncate(mark);
        self.depth -= 1;
        Ok(Box::new(Control {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        }))
    }

    fn template_name(&mut self, it: &Item, context: &str) -> PResult<Str> {
        match it.k {
            K::String | K::RawString => match unquote(&it.val) {
                Some(s) => Ok(Rc::from(s.as_str())),
                None => self.err(it.line, "invalid syntax".into()),
            },
            _ => self.unexpected(it, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let it = self.next_non_space()?;
        let name = self.template_name(&it, context)?;
        let pipe = if self.next_non_space()?.k != K::RightDelim {
            self.backup();
            Some(self.pipeline(context, K::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template {
            pos: it.pos,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let it = self.next_non_space()?;
        let name = self.template_name(&it, context)?;
        let pipe = self.pipeline(context, K::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![Rc::from("$")]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if !matches!(end, Parsed1::End) {
            return self.errorf(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_define(name.clone(), list)?;
        Ok(Node::Template {
            pos: it.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn pipeline(&mut self, context: &str, end: K) -> PResult<Pipe> {
        self.enter()?;
        let pos = self.peek_non_space()?.pos;
        let mut pipe = Pipe {
            pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space()?;
            if v.k != K::Variable {
                break;
            }
            let save = self.i;
            self.next_non_space()?;
            let next = self.peek_non_space()?;
            match next.k {
                K::Assign | K::Declare => {
                    pipe.is_assign = next.k == K::Assign;
                    self.next_non_space()?;
                    let name: Str = v.val.clone();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    break 'decls;
                }
                K::Char if &*next.val == "," => {
                    self.next_non_space()?;
                    let name: Str = v.val.clone();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space()?.k {
                            K::Variable | K::RightDelim | K::RightParen => continue 'decls,
                            _ => return self.errorf("range can only initialize variables".into()),
                        }
                    }
                    return self.errorf(format!("too many declarations in {context}"));
                }
                _ => {
                    self.i = save;
                    break 'decls;
                }
            }
        }
        loop {
            let it = self.next_non_space()?;
            if it.k == end {
                self.check_pipeline(&pipe, context)?;
                self.depth -= 1;
                return Ok(pipe);
            }
            match it.k {
                K::Bool
                | K::CharConstant
                | K::Dot
                | K::Field
                | K::Identifier
                | K::Number
                | K::Nil
                | K::RawString
                | K::String
                | K::Variable
                | K::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&it, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool { .. }
                    | Arg::Dot { .. }
                    | Arg::Nil { .. }
                    | Arg::Number { .. }
                    | Arg::String { .. }
            ) {
                return self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Cmd> {
        let pos = self.peek_non_space()?.pos;
        let mut cmd = Cmd {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space()?;
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let it = self.next()?;
            match it.k {
                K::Space => continue,
                K::RightDelim | K::RightParen => self.backup(),
                K::Pipe => {}
                _ => return self.unexpected(&it, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.errorf("empty command".into());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek()?.k != K::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek()?.pos;
        let mut fields: Vec<Str> = Vec::new();
        while self.peek()?.k == K::Field {
            let f = self.next()?;
            fields.push(Rc::from(&f.val[1..]));
        }
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Variable {
                name, mut idents, ..
            } => {
                idents.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    name,
                    idents,
                }
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number { .. }
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                return self.errorf(format!("unexpected . after term {:?}", node.to_string()));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let it = self.next_non_space()?;
        Ok(Some(match it.k {
            K::Identifier => {
                if !(self.is_func)(&it.val) {
                    return self.err(it.line, format!("function {:?} not defined", it.val));
                }
                Arg::Ident {
                    pos: it.pos,
                    name: it.val.clone(),
                }
            }
            K::Dot => Arg::Dot { pos: it.pos },
            K::Nil => Arg::Nil { pos: it.pos },
            K::Variable => {
                let mut parts = it.val.split('.');
                let name: Str = Rc::from(parts.next().unwrap_or("$"));
                let idents: Vec<Str> = parts.map(Rc::from).collect();
                if !self.vars.contains(&name) {
                    return self.err(it.line, format!("undefined variable {:?}", &*name));
                }
                Arg::Variable {
                    pos: it.pos,
                    name,
                    idents,
                }
            }
            K::Field => Arg::Field {
                pos: it.pos,
                idents: vec![Rc::from(&it.val[1..])],
            },
            K::Bool => Arg::Bool {
                pos: it.pos,
                val: &*it.val == "true",
            },
            K::Number | K::CharConstant => {
                let num = match classify_number(&it.val, it.k == K::CharConstant) {
                    Ok(n) => n,
                    Err(e) => return self.err(it.line, e),
                };
                Arg::Number {
                    pos: it.pos,
                    text: it.val.clone(),
                    num,
                }
            }
            K::LeftParen => {
                let p = self.pipeline("parenthesized pipeline", K::RightParen)?;
                Arg::Pipe(Box::new(p))
            }
            K::String | K::RawString => {
                let Some(s) = unquote(&it.val) else {
                    return self.err(it.line, "invalid syntax".into());
                };
                Arg::String {
                    pos: it.pos,
                    quoted: it.val.clone(),
                    text: Rc::from(s.as_str()),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// Go's `parse.IsEmptyTree`: only whitespace text (and comments).
pub fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text { text, .. } => text.trim_matches(go_is_space).is_empty(),
        _ => false,
    })
}

/// Go's `unicode.IsSpace` (what `bytes.TrimSpace` trims).
pub fn go_is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c > '\u{ff}' && c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Result<Parsed, ParseError> {
        parse("t", t, 0, &|n| matches!(n, "printf" | "include" | "and"))
    }

    #[test]
    fn trims_and_comments() {
        let r = p("a  {{- 1 -}}  b {{/* c */}} d {{- /* e */ -}} f").unwrap();
        let texts: Vec<&str> = r
            .main
            .root
            .iter()
            .filter_map(|n| match n {
                Node::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, vec!["a", "b ", " d", "f"]);
    }

    #[test]
    fn errors_like_go() {
        let e = p("{{ foo }}").err().unwrap();
        assert_eq!(e.go_text(), "template: t:1: function \"foo\" not defined");
        let e = p("a\n{{ $x }}").err().unwrap();
        assert_eq!(e.go_text(), "template: t:2: undefined variable \"$x\"");
        let e = p("{{ if 1 }}").err().unwrap();
        assert_eq!(e.go_text(), "template: t:1: unexpected EOF");
        let e = p("{{ break }}").err().unwrap();
        assert_eq!(e.go_text(), "template: t:1: {{break}} outside {{range}}");
    }

    #[test]
    fn numbers() {
        let n = classify_number("1.0", false).unwrap();
        assert!(n.is_int && n.is_float && n.float_syntax);
        let n = classify_number("0x10", false).unwrap();
        assert!(n.is_int && n.int == 16 && !n.float_syntax);
        let n = classify_number("'a'", true).unwrap();
        assert_eq!(n.int, 97);
        assert!(classify_number("99999999999999999999", false).is_err());
    }

    #[test]
    fn field_chain_position_is_the_second_field() {
        let r = p("{{ .Values.a }}").unwrap();
        match &r.main.root[0] {
            Node::Action { pipe, .. } => match &pipe.cmds[0].args[0] {
                Arg::Field { pos, idents } => {
                    assert_eq!(*pos, 10);
                    assert_eq!(idents.len(), 2);
                }
                a => panic!("{a:?}"),
            },
            n => panic!("{n:?}"),
        }
    }
}
