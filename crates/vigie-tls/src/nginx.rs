//! nginx configurations (`nginx.conf`, `conf.d/*.conf`, `sites-*/`, `*.conf.template`): a tokenizer
//! for nginx's syntax with line and column, `include` followed within the repository (globs too),
//! `http`-level directives inherited by `server` blocks, and nginx's defaults where a directive is
//! absent. Defaults assumed: nginx 1.27 (ssl_protocols TLSv1.2 TLSv1.3, ssl_ciphers
//! HIGH:!aNULL:!MD5, ssl_session_tickets on, ssl_session_timeout 5m, ssl_early_data off,
//! ssl_stapling off, ssl_ecdh_curve auto).
//!
//! Hand-written because no maintained crate reads nginx's configuration language with source
//! positions: `nginx-config` (last released 2020) rejects directives it has no grammar for (it
//! knows a fixed list), and positions are what every verdict reports.

use crate::Files;
use crate::model::*;
use globset::GlobBuilder;
use std::collections::BTreeSet;
use std::sync::Arc;
use vigie_core::Location;

pub const DEFAULTS: &str = "nginx 1.27 default";
const MAX_INCLUDE_DEPTH: usize = 16;
const MAX_DIRECTIVES: usize = 200_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    pub name: String,
    pub args: Vec<String>,
    pub at: Location,
    pub block: Option<Vec<Directive>>,
}

impl Directive {
    fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }
    fn children(&self) -> &[Directive] {
        self.block.as_deref().unwrap_or(&[])
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String, u32, u32),
    Open(u32, u32),
    Close(u32, u32),
    Semi(u32, u32),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, (u32, u32, String)> {
    let mut out = Vec::new();
    let mut line = 1u32;
    let mut col = 1u32;
    let mut it = text.chars().peekable();
    while let Some(&c) = it.peek() {
        match c {
            '\n' => {
                it.next();
                line += 1;
                col = 1;
            }
            c if c.is_whitespace() => {
                it.next();
                col += 1;
            }
            '#' => {
                while let Some(&c) = it.peek() {
                    if c == '\n' {
                        break;
                    }
                    it.next();
                }
            }
            '{' => {
                out.push(Tok::Open(line, col));
                it.next();
                col += 1;
            }
            '}' => {
                out.push(Tok::Close(line, col));
                it.next();
                col += 1;
            }
            ';' => {
                out.push(Tok::Semi(line, col));
                it.next();
                col += 1;
            }
            '"' | '\'' => {
                let (l0, c0) = (line, col);
                let q = c;
                it.next();
                col += 1;
                let mut s = String::new();
                let mut closed = false;
                while let Some(c) = it.next() {
                    col += 1;
                    if c == '\\' {
                        if let Some(n) = it.next() {
                            col += 1;
                            if n == '\n' {
                                line += 1;
                                col = 1;
                            }
                            if n != q {
                                s.push('\\');
                            }
                            s.push(n);
                        }
                        continue;
                    }
                    if c == '\n' {
                        line += 1;
                        col = 1;
                    }
                    if c == q {
                        closed = true;
                        break;
                    }
                    s.push(c);
                }
                if !closed {
                    return Err((l0, c0, "a quoted string is never closed".into()));
                }
                out.push(Tok::Word(s, l0, c0));
            }
            _ => {
                let (l0, c0) = (line, col);
                let mut s = String::new();
                while let Some(&c) = it.peek() {
                    if c.is_whitespace() || c == ';' || c == '{' || c == '}' {
                        // `${var}` keeps its braces.
                        if c == '{' && s.ends_with('$') {
                            s.push(c);
                            it.next();
                            col += 1;
                            while let Some(&d) = it.peek() {
                                s.push(d);
                                it.next();
                                col += 1;
                                if d == '}' || d == '\n' {
                                    break;
                                }
                            }
                            continue;
                        }
                        break;
                    }
                    if c == '\\' {
                        s.push(c);
                        it.next();
                        col += 1;
                        if let Some(&n) = it.peek() {
                            s.push(n);
                            it.next();
                            col += 1;
                        }
                        continue;
                    }
                    s.push(c);
                    it.next();
                    col += 1;
                }
                out.push(Tok::Word(s, l0, c0));
            }
        }
    }
    Ok(out)
}

/// Parse one file into its directives (includes not followed).
pub fn parse(file: &Arc<str>, text: &str) -> Result<Vec<Directive>, Problem> {
    let toks = tokenize(text).map_err(|(l, c, m)| Problem {
        at: Location::new(file.clone(), l, c),
        message: m,
        reference: false,
    })?;
    let mut pos = 0;
    let mut count = 0;
    let out = parse_block(file, &toks, &mut pos, 0, &mut count)?;
    if pos < toks.len() {
        let (l, c) = tok_pos(&toks[pos]);
        return Err(Problem {
            at: Location::new(file.clone(), l, c),
            message: "unexpected `}`: no block is open here".into(),
            reference: false,
        });
    }
    Ok(out)
}

fn tok_pos(t: &Tok) -> (u32, u32) {
    match t {
        Tok::Word(_, l, c) | Tok::Open(l, c) | Tok::Close(l, c) | Tok::Semi(l, c) => (*l, *c),
    }
}

fn parse_block(
    file: &Arc<str>,
    toks: &[Tok],
    pos: &mut usize,
    depth: usize,
    count: &mut usize,
) -> Result<Vec<Directive>, Problem> {
    let err = |l: u32, c: u32, m: &str| Problem {
        at: Location::new(file.clone(), l, c),
        message: m.to_string(),
        reference: false,
    };
    if depth > 64 {
        let (l, c) = toks.get(*pos).map_or((1, 1), tok_pos);
        return Err(err(l, c, "blocks nested more than 64 deep"));
    }
    let mut out = Vec::new();
    while *pos < toks.len() {
        match &toks[*pos] {
            Tok::Close(l, c) => {
                if depth == 0 {
                    return Err(err(*l, *c, "unexpected `}`: no block is open here"));
                }
                *pos += 1;
                return Ok(out);
            }
            Tok::Open(l, c) | Tok::Semi(l, c) => {
                return Err(err(*l, *c, "a directive name is missing before this"));
            }
            Tok::Word(name, l, c) => {
                *count += 1;
                if *count > MAX_DIRECTIVES {
                    return Err(err(*l, *c, "more directives than vigie reads in one file"));
                }
                let at = Location::new(file.clone(), *l, *c);
                let name = name.clone();
                *pos += 1;
                let mut args = Vec::new();
                loop {
                    match toks.get(*pos) {
                        Some(Tok::Word(w, _, _)) => {
                            args.push(w.clone());
                            *pos += 1;
                        }
                        Some(Tok::Semi(..)) => {
                            *pos += 1;
                            out.push(Directive {
                                name,
                                args,
                                at,
                                block: None,
                            });
                            break;
                        }
                        Some(Tok::Open(..)) => {
                            *pos += 1;
                            let block = parse_block(file, toks, pos, depth + 1, count)?;
                            out.push(Directive {
                                name,
                                args,
                                at,
                                block: Some(block),
                            });
                            break;
                        }
                        Some(Tok::Close(l, c)) => {
                            return Err(err(*l, *c, &format!("`{name}` is not ended by `;`")));
                        }
                        None => {
                            return Err(err(
                                at.line,
                                at.column,
                                &format!("`{name}` is not ended by `;` before the end of the file"),
                            ));
                        }
                    }
                }
            }
        }
    }
    if depth > 0 {
        let (l, c) = toks.last().map_or((1, 1), tok_pos);
        return Err(err(
            l,
            c,
            "a block is not closed by `}` before the end of the file",
        ));
    }
    Ok(out)
}

/// Files the nginx images ship that a repository does not carry.
fn image_file(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    matches!(
        base,
        "mime.types"
            | "fastcgi_params"
            | "fastcgi.conf"
            | "scgi_params"
            | "uwsgi_params"
            | "koi-utf"
            | "koi-win"
            | "win-utf"
            | "proxy_params"
            | "snakeoil.conf"
            | "options-ssl-nginx.conf"
    ) || path.contains("modules-enabled/")
        || path.starts_with("/usr/share/nginx/modules")
        || path.starts_with("/etc/letsencrypt/")
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Where an `include` pattern points in the repository: the patterns tried, in order.
fn include_candidates(pattern: &str, main_dir: &str, cur_dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(abs) = pattern.strip_prefix('/') {
        // /etc/nginx/conf.d/*.conf: the main file stands for /etc/nginx/nginx.conf.
        for prefix in [
            "etc/nginx/",
            "usr/local/nginx/conf/",
            "usr/local/etc/nginx/",
            "opt/nginx/conf/",
        ] {
            if let Some(rest) = abs.strip_prefix(prefix) {
                out.push(join(main_dir, rest));
            }
        }
        // Else the path's last two components beside the main file, or anywhere in the repository.
        let comps: Vec<&str> = abs.split('/').collect();
        let tail = comps[comps.len().saturating_sub(2)..].join("/");
        out.push(join(main_dir, &tail));
        out.push(format!("**/{tail}"));
    } else {
        out.push(join(main_dir, pattern));
        if cur_dir != main_dir {
            out.push(join(cur_dir, pattern));
        }
    }
    out.dedup();
    out
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Files one main configuration may include, all levels together: files that each include
/// the same glob (`include conf.d/*.conf;` in every one of them) would otherwise be expanded
/// along every order of them — nine files, 362,880 chains.
const MAX_INCLUSIONS: usize = 1024;

struct Loader<'a> {
    files: &'a dyn Files,
    problems: Vec<Problem>,
    included: BTreeSet<Arc<str>>,
    main_dir: String,
    /// Files included so far, against [`MAX_INCLUSIONS`].
    inclusions: usize,
}

impl Loader<'_> {
    fn expand(
        &mut self,
        dirs: Vec<Directive>,
        cur: &str,
        stack: &mut Vec<Arc<str>>,
    ) -> Vec<Directive> {
        let mut out = Vec::with_capacity(dirs.len());
        for mut d in dirs {
            if d.name == "include" && d.block.is_none() {
                let Some(pattern) = d.arg(0).map(str::to_string) else {
                    continue;
                };
                out.extend(self.include(&pattern, &d.at, cur, stack));
                continue;
            }
            if let Some(b) = d.block.take() {
                d.block = Some(self.expand(b, cur, stack));
            }
            out.push(d);
        }
        out
    }

    fn include(
        &mut self,
        pattern: &str,
        at: &Location,
        cur: &str,
        stack: &mut Vec<Arc<str>>,
    ) -> Vec<Directive> {
        if pattern.contains('$') {
            self.problems.push(Problem {
                at: at.clone(),
                message: format!("`include {pattern}` names a variable: not followed"),
                reference: true,
            });
            return Vec::new();
        }
        if image_file(pattern) {
            return Vec::new();
        }
        let cands = include_candidates(pattern, &self.main_dir, dir_of(cur));
        let mut matched: Vec<Arc<str>> = Vec::new();
        for c in &cands {
            if has_glob(c) {
                let Ok(g) = GlobBuilder::new(c).literal_separator(true).build() else {
                    continue;
                };
                let m = g.compile_matcher();
                matched.extend(
                    self.files
                        .list()
                        .iter()
                        .filter(|f| m.is_match(f.as_ref()))
                        .cloned(),
                );
            } else if let Some(f) = self.files.list().iter().find(|f| f.as_ref() == c) {
                matched.push(f.clone());
            }
            if !matched.is_empty() {
                break;
            }
        }
        matched.sort();
        matched.dedup();
        if matched.is_empty() {
            if !has_glob(pattern) {
                self.problems.push(Problem {
                    at: at.clone(),
                    message: format!(
                        "`include {pattern}`: no such file in the repository (looked for {}); what it holds is not judged",
                        cands.join(", ")
                    ),
                    reference: true,
                });
            }
            return Vec::new();
        }
        let mut out = Vec::new();
        for f in matched {
            if stack.contains(&f) || stack.len() >= MAX_INCLUDE_DEPTH {
                self.problems.push(Problem {
                    at: at.clone(),
                    message: format!(
                        "`include {pattern}` includes {f} again (a loop): not followed"
                    ),
                    reference: true,
                });
                continue;
            }
            self.inclusions += 1;
            if self.inclusions > MAX_INCLUSIONS {
                if self.inclusions == MAX_INCLUSIONS + 1 {
                    self.problems.push(Problem {
                        at: at.clone(),
                        message: format!(
                            "too many includes: more than {MAX_INCLUSIONS} files included from one main configuration (files including each other?); the rest are not followed"
                        ),
                        reference: true,
                    });
                }
                break;
            }
            let Some(text) = self.files.read(&f) else {
                continue;
            };
            self.included.insert(f.clone());
            match parse(&f, &text) {
                Ok(ds) => {
                    stack.push(f.clone());
                    out.extend(self.expand(ds, &f, stack));
                    stack.pop();
                }
                Err(p) => self.problems.push(p),
            }
        }
        out
    }
}

/// Does this look like an nginx configuration (by name, then by content)?
pub fn candidate(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    let in_nginx_dir = rel.split('/').any(|c| {
        matches!(
            c,
            "conf.d" | "sites-available" | "sites-enabled" | "nginx" | "templates" | "snippets"
        )
    });
    base == "nginx.conf"
        || base.ends_with(".nginx")
        || base.starts_with("nginx") && (base.ends_with(".conf") || base.ends_with(".template"))
        || (in_nginx_dir
            && (base.ends_with(".conf") || base.ends_with(".conf.template") || !base.contains('.')))
}

pub fn looks_like_nginx(text: &str) -> bool {
    (text.contains("server")
        && text.contains('{')
        && (text.contains("listen") || text.contains("ssl_")))
        || text.contains("http {")
        || text.contains("http{")
}

/// Read the configurations: every candidate not included by another is a main file.
pub fn analyze(files: &dyn Files) -> (Found, BTreeSet<Arc<str>>) {
    let mut found = Found::default();
    let cands: Vec<Arc<str>> = files
        .list()
        .iter()
        .filter(|f| candidate(f))
        .cloned()
        .collect();
    let mut parsed = Vec::new();
    let mut included_all: BTreeSet<Arc<str>> = BTreeSet::new();
    for f in &cands {
        let Some(text) = files.read(f) else { continue };
        if !looks_like_nginx(&text) {
            continue;
        }
        match parse(f, &text) {
            Ok(ds) => {
                let mut loader = Loader {
                    files,
                    problems: Vec::new(),
                    included: BTreeSet::new(),
                    main_dir: dir_of(f).to_string(),
                    inclusions: 0,
                };
                let mut stack = vec![f.clone()];
                let ds = loader.expand(ds, f, &mut stack);
                included_all.extend(loader.included.iter().cloned());
                parsed.push((f.clone(), ds, loader.problems));
            }
            Err(p) => found.problems.push(p),
        }
    }
    for (f, ds, problems) in parsed {
        if included_all.contains(&f) {
            continue;
        }
        found.problems.extend(problems);
        found.extend(judge_tree(&f, &ds));
    }
    (found, included_all)
}

fn find<'a>(levels: &[&'a [Directive]], name: &str) -> Option<&'a Directive> {
    levels
        .iter()
        .find_map(|l| l.iter().find(|d| d.name == name))
}

/// The level's directives of a kind, or the nearest enclosing level's (nginx's inheritance of
/// array directives such as `add_header` and `ssl_conf_command`: all or nothing).
fn find_all<'a>(levels: &[&'a [Directive]], name: &str) -> Vec<&'a Directive> {
    for l in levels {
        let v: Vec<&Directive> = l.iter().filter(|d| d.name == name).collect();
        if !v.is_empty() {
            return v;
        }
    }
    Vec::new()
}

struct Listen {
    ssl: bool,
    local: bool,
    port: String,
}

fn listens(server: &[Directive]) -> Vec<Listen> {
    let ssl_on = server
        .iter()
        .any(|d| d.name == "ssl" && d.arg(0) == Some("on"));
    let mut out: Vec<Listen> = server
        .iter()
        .filter(|d| d.name == "listen")
        .filter_map(|d| {
            let addr = d.arg(0)?;
            if addr.starts_with("unix:") {
                return None;
            }
            let ssl = ssl_on || d.args.iter().skip(1).any(|a| a == "ssl" || a == "quic");
            let (host, port) = match addr.rsplit_once(':') {
                Some((h, p)) if !p.contains(']') => (h, p),
                _ if addr.chars().all(|c| c.is_ascii_digit()) => ("*", addr),
                _ => (addr, "80"),
            };
            let local = host.starts_with("127.") || host == "[::1]" || host == "localhost";
            Some(Listen {
                ssl,
                local,
                port: port.to_string(),
            })
        })
        .collect();
    if out.is_empty() && !server.iter().any(|d| d.name == "listen") {
        out.push(Listen {
            ssl: ssl_on,
            local: false,
            port: "80".into(),
        });
    }
    out
}

fn redirect_of(d: &Directive) -> Option<Result<(), String>> {
    match d.name.as_str() {
        "return" => {
            let (code, url) = match (d.arg(0), d.arg(1)) {
                (Some(c), Some(u)) => (c, u),
                (Some(u), None) => ("302", u),
                _ => return None,
            };
            if !url.starts_with("https://") {
                return None;
            }
            Some(match code {
                "301" | "308" => Ok(()),
                c => Err(format!(
                    "the redirect to https is temporary (`return {c}`): browsers do not remember it; use 301 or 308"
                )),
            })
        }
        "rewrite" => {
            let url = d.arg(1)?;
            if !url.starts_with("https://") {
                return None;
            }
            Some(match d.arg(2) {
                Some("permanent") => Ok(()),
                _ => Err("the rewrite to https is not `permanent`: use `return 301 https://$host$request_uri`".into()),
            })
        }
        "if" => d.children().iter().find_map(redirect_of),
        _ => None,
    }
}

fn plain_redirect(server: &Directive) -> Result<Location, String> {
    for d in server.children() {
        if let Some(r) = redirect_of(d) {
            return r.map(|()| d.at.clone());
        }
    }
    // `location / { return 301 https://… }`
    for d in server.children() {
        if d.name == "location" && d.args.last().map(String::as_str) == Some("/") {
            for c in d.children() {
                if let Some(r) = redirect_of(c) {
                    return r.map(|()| c.at.clone());
                }
            }
            return Err(format!(
                "`location /` at {} serves plain HTTP instead of redirecting to https",
                d.at
            ));
        }
    }
    Err("the server answers plain HTTP without a permanent redirect to https".into())
}

fn server_name(server: &Directive) -> String {
    server
        .children()
        .iter()
        .find(|d| d.name == "server_name")
        .and_then(|d| d.arg(0))
        .filter(|n| *n != "_" && !n.is_empty())
        .unwrap_or("default")
        .to_string()
}

fn joined(d: &Directive) -> String {
    d.args.join(" ")
}

fn has_var(s: &str) -> bool {
    s.contains("${")
}

/// Judge one main file with its includes expanded.
pub fn judge_tree(file: &Arc<str>, ds: &[Directive]) -> Found {
    let mut found = Found::default();
    let (http_level, servers): (&[Directive], Vec<&Directive>) =
        match ds.iter().find(|d| d.name == "http" && d.block.is_some()) {
            Some(h) => (
                h.children(),
                h.children().iter().filter(|d| d.name == "server").collect(),
            ),
            None => (
                ds,
                ds.iter()
                    .filter(|d| d.name == "server" && d.block.is_some())
                    .collect(),
            ),
        };
    let mut tls_servers = Vec::new();
    let mut plain_servers = Vec::new();
    for s in servers {
        let ls = listens(s.children());
        if ls.iter().any(|l| l.ssl) {
            tls_servers.push((s, ls));
        } else if ls.iter().any(|l| !l.local) {
            plain_servers.push((s, ls));
        }
    }
    if tls_servers.is_empty() {
        return found;
    }
    for (s, ls) in &tls_servers {
        let port = ls.iter().find(|l| l.ssl).map_or("443", |l| l.port.as_str());
        let subject = format!("{file} › server {}:{port}", server_name(s));
        let levels: [&[Directive]; 2] = [s.children(), http_level];
        let at = s.at.clone();
        let mut e = Endpoint {
            subject,
            product: "nginx",
            at: Some(at.clone()),
            ..Endpoint::default()
        };
        e.versions = match find(&levels, "ssl_protocols") {
            Some(d) if d.args.iter().any(|a| has_var(a)) => {
                found.problems.push(Problem {
                    at: d.at.clone(),
                    message: format!("`ssl_protocols {}` depends on a variable set when the template is rendered: the versions are not judged", joined(d)),
                    reference: true,
                });
                None
            }
            Some(d) => {
                let mut v: Vec<usize> = d
                    .args
                    .iter()
                    .filter_map(|a| Versions::parse_one(a))
                    .collect();
                v.sort_unstable();
                v.dedup();
                Some(Setting::set(Versions(v), d.at.clone()))
            }
            None => Some(Setting::defaulted(
                Versions(vec![3, 4]),
                at.clone(),
                DEFAULTS,
            )),
        };
        e.ciphers = Some(match find(&levels, "ssl_ciphers") {
            Some(d) if d.args.iter().any(|a| has_var(a)) => {
                Setting::set(Ciphers::Unresolved(joined(d)), d.at.clone())
            }
            Some(d) => Setting::set(Ciphers::OpenSsl(joined(d)), d.at.clone()),
            None => Setting::defaulted(
                Ciphers::OpenSsl("HIGH:!aNULL:!MD5".into()),
                at.clone(),
                DEFAULTS,
            ),
        });
        let confs = find_all(&levels, "ssl_conf_command");
        e.tls13 = Some(
            match confs.iter().find(|d| {
                d.arg(0)
                    .is_some_and(|a| a.eq_ignore_ascii_case("Ciphersuites"))
            }) {
                Some(d) => Setting::set(
                    d.arg(1)
                        .unwrap_or("")
                        .split(':')
                        .map(str::to_string)
                        .collect(),
                    d.at.clone(),
                ),
                None => Setting::defaulted(
                    crate::cipher::TLS13_DEFAULT
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    at.clone(),
                    "OpenSSL 3 default",
                ),
            },
        );
        e.dhparam = Some(match find(&levels, "ssl_dhparam") {
            Some(d) => Setting::set(true, d.at.clone()),
            None => Setting::defaulted(false, at.clone(), DEFAULTS),
        });
        e.groups = Some(match find(&levels, "ssl_ecdh_curve") {
            Some(d) => Setting::set(
                d.arg(0)
                    .unwrap_or("")
                    .split(':')
                    .map(str::to_string)
                    .collect(),
                d.at.clone(),
            ),
            None => Setting::defaulted(vec!["auto".into()], at.clone(), DEFAULTS),
        });
        let timeout = find(&levels, "ssl_session_timeout");
        let lifetime = timeout
            .and_then(|d| d.arg(0))
            .and_then(nginx_time)
            .unwrap_or(300);
        e.tickets = Some(match find(&levels, "ssl_session_tickets") {
            Some(d) => Setting::set(
                Tickets {
                    enabled: d.arg(0) != Some("off"),
                    lifetime: Some(lifetime),
                },
                timeout
                    .filter(|_| d.arg(0) != Some("off"))
                    .map_or(d.at.clone(), |t| t.at.clone()),
            ),
            None => match timeout {
                Some(t) => Setting::set(
                    Tickets {
                        enabled: true,
                        lifetime: Some(lifetime),
                    },
                    t.at.clone(),
                ),
                None => Setting::defaulted(
                    Tickets {
                        enabled: true,
                        lifetime: Some(300),
                    },
                    at.clone(),
                    DEFAULTS,
                ),
            },
        });
        e.early_data = Some(match find(&levels, "ssl_early_data") {
            Some(d) => Setting::set(d.arg(0) == Some("on"), d.at.clone()),
            None => Setting::defaulted(false, at.clone(), DEFAULTS),
        });
        e.stapling = Some(match find(&levels, "ssl_stapling") {
            Some(d) => Setting::set(d.arg(0) == Some("on"), d.at.clone()),
            None => Setting::defaulted(false, at.clone(), DEFAULTS),
        });
        // HSTS: the server's add_headers, or the http level's when the server has none.
        let headers = find_all(&levels, "add_header");
        let hsts = headers.iter().find(|d| {
            d.arg(0)
                .is_some_and(|n| n.eq_ignore_ascii_case("Strict-Transport-Security"))
        });
        let more = find_all(&levels, "more_set_headers")
            .into_iter()
            .find_map(|d| {
                d.args.iter().find_map(|a| {
                    let (n, v) = a.split_once(':')?;
                    n.trim()
                        .eq_ignore_ascii_case("Strict-Transport-Security")
                        .then(|| (d, v.trim().to_string()))
                })
            });
        e.hsts = Some(match (hsts, more) {
            (Some(d), _) => {
                let mut h = parse_hsts(d.arg(1).unwrap_or(""));
                h.always = d.arg(2) == Some("always");
                Setting::set(Some(h), d.at.clone())
            }
            (None, Some((d, v))) => {
                let mut h = parse_hsts(&v);
                h.always = true;
                Setting::set(Some(h), d.at.clone())
            }
            (None, None) => Setting::set(None, at.clone()),
        });
        if hsts.is_some() {
            lost_in_locations(s.children(), &mut e.hsts_lost);
        }
        found.endpoints.push(e);
    }
    for (s, ls) in plain_servers {
        let port = ls
            .iter()
            .find(|l| !l.local)
            .map_or("80", |l| l.port.as_str());
        found.plain.push(Plain {
            subject: format!("{file} › server {}:{port}", server_name(s)),
            at: s.at.clone(),
            redirect: plain_redirect(s),
        });
    }
    found
}

fn lost_in_locations(ds: &[Directive], out: &mut Vec<Location>) {
    for d in ds.iter().filter(|d| d.name == "location" || d.name == "if") {
        let hs: Vec<&Directive> = d
            .children()
            .iter()
            .filter(|c| c.name == "add_header")
            .collect();
        let has = hs.iter().any(|c| {
            c.arg(0)
                .is_some_and(|n| n.eq_ignore_ascii_case("Strict-Transport-Security"))
        });
        if !hs.is_empty() && !has {
            out.push(d.at.clone());
        } else if hs.is_empty() {
            lost_in_locations(d.children(), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemFiles;

    fn f(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    #[test]
    fn tokenizer_positions_quotes_and_variables() {
        let ds = parse(
            &f("n.conf"),
            "http {\n  # c\n  add_header X \"a; b\" always;\n  server { listen ${PORT} ssl; }\n}\n",
        )
        .unwrap();
        let h = &ds[0];
        assert_eq!(h.children()[0].args, vec!["X", "a; b", "always"]);
        assert_eq!(h.children()[0].at.line, 3);
        assert_eq!(h.children()[1].children()[0].args, vec!["${PORT}", "ssl"]);
    }

    #[test]
    fn syntax_errors_have_locations() {
        let e = parse(&f("n.conf"), "http {\n server {\n listen 80\n }\n}\n").unwrap_err();
        assert_eq!(e.at.line, 4);
        assert!(e.message.contains("`listen` is not ended"), "{}", e.message);
        let e = parse(&f("n.conf"), "http {\n").unwrap_err();
        assert!(e.message.contains("not closed"));
        let e = parse(&f("n.conf"), "}\n").unwrap_err();
        assert!(e.message.contains("unexpected `}`"));
        let e = parse(&f("n.conf"), "a \"b;\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn http_level_inherited_and_server_overrides() {
        let files = MemFiles::new(&[(
            "proxy/nginx.conf",
            "http {\n ssl_protocols TLSv1 TLSv1.2;\n ssl_ciphers HIGH;\n server { listen 443 ssl; server_name a; }\n server { listen 8443 ssl; ssl_protocols TLSv1.3; }\n}\n",
        )]);
        let (found, _) = analyze(&files);
        assert_eq!(found.endpoints.len(), 2);
        let a = &found.endpoints[0];
        assert_eq!(a.subject, "proxy/nginx.conf › server a:443");
        let v = a.versions.as_ref().unwrap();
        assert_eq!(v.value.names(), vec!["TLSv1", "TLSv1.2"]);
        assert_eq!(v.at.line, 2);
        let b = &found.endpoints[1];
        assert_eq!(b.versions.as_ref().unwrap().value.names(), vec!["TLSv1.3"]);
        assert_eq!(b.versions.as_ref().unwrap().at.line, 5);
        // Defaults where nothing is said, located at the server block.
        let st = b.stapling.as_ref().unwrap();
        assert_eq!(
            (st.value, st.default, st.at.line),
            (false, Some(DEFAULTS), 5)
        );
    }

    #[test]
    fn includes_followed_with_globs_and_missing_ones_reported() {
        let files = MemFiles::new(&[
            (
                "nginx/nginx.conf",
                "http {\n include /etc/nginx/mime.types;\n include /etc/nginx/conf.d/*.conf;\n include /etc/nginx/tls.conf;\n}\n",
            ),
            (
                "nginx/conf.d/site.conf",
                "server {\n listen 443 ssl;\n ssl_protocols TLSv1.2;\n}\n",
            ),
            (
                "nginx/conf.d/other.conf",
                "server {\n listen 80;\n return 301 https://$host$request_uri;\n}\n",
            ),
        ]);
        let (found, included) = analyze(&files);
        assert!(included.contains("nginx/conf.d/site.conf"));
        assert_eq!(found.endpoints.len(), 1, "{:?}", found.endpoints);
        assert_eq!(
            found.endpoints[0]
                .versions
                .as_ref()
                .unwrap()
                .at
                .path
                .as_ref(),
            "nginx/conf.d/site.conf"
        );
        assert_eq!(found.plain.len(), 1);
        assert!(found.plain[0].redirect.is_ok());
        assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
        assert!(found.problems[0].message.contains("/etc/nginx/tls.conf"));
        assert_eq!(found.problems[0].at.line, 4);
    }

    #[test]
    fn files_including_each_other_by_glob_stay_bounded() {
        // every file includes the glob that matches all of them
        let mut files: Vec<(String, String)> = (0..9)
            .map(|i| {
                (
                    format!("conf.d/f{i}.conf"),
                    format!("include conf.d/*.conf;\nserver {{ listen 44{i} ssl; }}\n"),
                )
            })
            .collect();
        files.push((
            "nginx.conf".into(),
            "http { include conf.d/*.conf; }\n".into(),
        ));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let files = MemFiles::new(&refs);
        let (found, _) = analyze(&files);
        assert!(
            found
                .problems
                .iter()
                .any(|p| p.message.contains("too many includes")),
            "{:?}",
            found
                .problems
                .iter()
                .map(|p| &p.message)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn include_loops_stop() {
        let files = MemFiles::new(&[
            (
                "nginx.conf",
                "http { include a.conf; server { listen 443 ssl; } }\n",
            ),
            ("a.conf", "include nginx.conf;\n"),
        ]);
        let (found, _) = analyze(&files);
        assert!(
            found.problems.iter().any(|p| p.message.contains("loop")),
            "{:?}",
            found.problems
        );
    }

    #[test]
    fn add_header_inheritance() {
        let files = MemFiles::new(&[(
            "nginx.conf",
            "http {\n add_header Strict-Transport-Security \"max-age=63072000\" always;\n server {\n  listen 443 ssl;\n  add_header X-Frame-Options DENY;\n }\n server {\n  listen 8443 ssl;\n  location /a { add_header X-A 1; }\n }\n}\n",
        )]);
        let (found, _) = analyze(&files);
        // The first server has its own add_header: the http-level HSTS is not inherited.
        assert_eq!(found.endpoints[0].hsts.as_ref().unwrap().value, None);
        let h = found.endpoints[1].hsts.as_ref().unwrap();
        assert_eq!(h.value.as_ref().unwrap().max_age, Some(63072000));
        assert_eq!(h.at.line, 2);
        assert_eq!(found.endpoints[1].hsts_lost[0].line, 9);
    }

    #[test]
    fn redirects() {
        let files = MemFiles::new(&[(
            "nginx.conf",
            "http {\n server { listen 443 ssl; }\n server { listen 80; location / { return 302 https://x; } }\n server { listen 8080; location / { proxy_pass http://app; } }\n server { listen 127.0.0.1:9000; }\n server { listen 81; rewrite ^ https://$host$request_uri permanent; }\n}\n",
        )]);
        let (found, _) = analyze(&files);
        assert_eq!(found.plain.len(), 3);
        assert!(
            found.plain[0]
                .redirect
                .as_ref()
                .unwrap_err()
                .contains("temporary")
        );
        assert!(
            found.plain[1]
                .redirect
                .as_ref()
                .unwrap_err()
                .contains("serves plain HTTP")
        );
        assert_eq!(found.plain[2].redirect.as_ref().unwrap().line, 6);
    }

    #[test]
    fn files_without_tls_servers_are_not_endpoints() {
        let files = MemFiles::new(&[(
            "web/nginx.conf",
            "server { listen 8080; location / { root /usr/share/nginx/html; } }\n",
        )]);
        let (found, _) = analyze(&files);
        assert!(found.endpoints.is_empty() && found.plain.is_empty());
    }
}
