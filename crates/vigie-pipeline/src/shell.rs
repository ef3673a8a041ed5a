//! Shell in `run:`/`script:` lines, read well enough to know which commands run, with which
//! words, and whether a command's failure stops the step.
//!
//! Hand-written on purpose. `shell-words` splits one command line into words but knows nothing of
//! `&&`, `||`, `|`, `;`, redirections or newlines; `conch-parser` is unmaintained and rejects much
//! of what CI scripts contain (GitHub `${{ }}` expressions, bashisms); `yash-syntax` is a full
//! POSIX parser built around an async executor, far more than deciding "is this failure
//! swallowed". What vigie needs is small and specific: words with quotes removed, the operators
//! between commands, `set -e`/`set +e`/`pipefail`, and nested `sh -c '…'` scripts. It never fails:
//! whatever it does not understand becomes words.

/// How the shell running the script treats failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellMode {
    /// `set -e`: a failing command stops the script.
    pub errexit: bool,
    /// `set -o pipefail`: a failure anywhere in a pipe fails the pipe.
    pub pipefail: bool,
}

impl ShellMode {
    /// GitHub Actions' default `bash --noprofile --norc -eo pipefail {0}`, and GitLab's runner.
    pub const STRICT: ShellMode = ShellMode {
        errexit: true,
        pipefail: true,
    };
    /// `sh -e {0}`.
    pub const ERREXIT: ShellMode = ShellMode {
        errexit: true,
        pipefail: false,
    };
    /// `bash -c '…'` without options (Cloud Build steps).
    pub const LAX: ShellMode = ShellMode {
        errexit: false,
        pipefail: false,
    };
}

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    /// Its words, quotes removed (`$VAR` and `${{ … }}` kept as written).
    pub words: Vec<String>,
    /// 0-based line within the script.
    pub line: u32,
    /// Why a failure of this command does not fail the script, if it does not.
    pub swallowed: Option<String>,
    /// Its standard output goes into a pipe or a file (so an `echo` there prints nothing).
    pub stdout_captured: bool,
    /// Index (within the returned list) of the last command that does not run when this one
    /// fails because they follow it in the same `&&` chain; equal to its own index otherwise.
    pub skips_to: usize,
    /// `VAR=value` words before the command.
    pub env: Vec<(String, String)>,
}

impl Cmd {
    pub fn name(&self) -> &str {
        self.words.first().map_or("", |w| w.as_str())
    }
    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String, u32),
    Op(&'static str, u32),
}

const OPS: &[&str] = &[
    "&&", "||", "|&", ";;", ">>", "<<-", "<<", ">&", "&>", "|", ";", "&", "(", ")", ">", "<",
];

#[allow(unused_assignments)]
fn lex(src: &str) -> Vec<Tok> {
    let b: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 0u32;
    let mut cur = String::new();
    let mut in_word = false;
    let mut word_line = 0u32;
    let mut pending_heredocs: Vec<(String, bool)> = Vec::new();
    macro_rules! flush {
        () => {
            if in_word {
                out.push(Tok::Word(std::mem::take(&mut cur), word_line));
                in_word = false;
            }
        };
    }
    macro_rules! start {
        () => {
            if !in_word {
                in_word = true;
                word_line = line;
            }
        };
    }
    while i < b.len() {
        let c = b[i];
        match c {
            '\\' if b.get(i + 1) == Some(&'\n') => {
                // line continuation
                i += 2;
                line += 1;
            }
            '\\' => {
                start!();
                if let Some(&n) = b.get(i + 1) {
                    cur.push(n);
                }
                i += 2;
            }
            ' ' | '\t' | '\r' => {
                flush!();
                i += 1;
            }
            '\n' => {
                flush!();
                out.push(Tok::Op("\n", line));
                line += 1;
                i += 1;
                // heredoc bodies start on the next line: skip them
                for (delim, _strip) in std::mem::take(&mut pending_heredocs) {
                    loop {
                        if i >= b.len() {
                            break;
                        }
                        let end = b[i..]
                            .iter()
                            .position(|&x| x == '\n')
                            .map_or(b.len(), |p| i + p);
                        let text: String = b[i..end].iter().collect();
                        i = (end + 1).min(b.len());
                        line += 1;
                        if text.trim() == delim {
                            break;
                        }
                    }
                }
            }
            '#' if !in_word => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                start!();
                i += 1;
                while i < b.len() && b[i] != '\'' {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    cur.push(b[i]);
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                start!();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\'
                        && i + 1 < b.len()
                        && matches!(b[i + 1], '"' | '\\' | '$' | '`' | '\n')
                    {
                        if b[i + 1] == '\n' {
                            line += 1;
                        } else {
                            cur.push(b[i + 1]);
                        }
                        i += 2;
                        continue;
                    }
                    if b[i] == '$' && b.get(i + 1) == Some(&'(') {
                        i = read_balanced(&b, i, &mut cur, &mut line);
                        continue;
                    }
                    if b[i] == '\n' {
                        line += 1;
                    }
                    cur.push(b[i]);
                    i += 1;
                }
                i += 1;
            }
            '$' if b.get(i + 1) == Some(&'{') && b.get(i + 2) == Some(&'{') => {
                // a GitHub Actions expression: one word whatever its spaces
                start!();
                let close =
                    (i + 3..b.len().saturating_sub(1)).find(|&k| b[k] == '}' && b[k + 1] == '}');
                let end = close.map_or(b.len(), |k| k + 2);
                cur.extend(&b[i..end]);
                i = end;
            }
            '$' if b.get(i + 1) == Some(&'(') => {
                start!();
                i = read_balanced(&b, i, &mut cur, &mut line);
            }
            '`' => {
                start!();
                cur.push('`');
                i += 1;
                while i < b.len() && b[i] != '`' {
                    cur.push(b[i]);
                    i += 1;
                }
                cur.push('`');
                i += 1;
            }
            _ => {
                // an operator? (a redirection may be preceded by a file descriptor number)
                let rest: String = b[i..(i + 3).min(b.len())].iter().collect();
                if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
                    let fd_redirect = matches!(*op, ">" | ">>" | ">&" | "<" | "<<" | "<<-")
                        && in_word
                        && !cur.is_empty()
                        && cur.chars().all(|c| c.is_ascii_digit());
                    let fd = if fd_redirect {
                        std::mem::take(&mut cur)
                    } else {
                        String::new()
                    };
                    if fd_redirect {
                        in_word = false;
                    }
                    flush!();
                    i += op.len();
                    if matches!(*op, "<<" | "<<-") {
                        // the delimiter word follows
                        while i < b.len() && (b[i] == ' ' || b[i] == '\t') {
                            i += 1;
                        }
                        let mut d = String::new();
                        while i < b.len() && !b[i].is_whitespace() && !";&|".contains(b[i]) {
                            if !matches!(b[i], '\'' | '"') {
                                d.push(b[i]);
                            }
                            i += 1;
                        }
                        if !d.is_empty() {
                            pending_heredocs.push((d, *op == "<<-"));
                        }
                        out.push(Tok::Op("<<", line));
                        out.push(Tok::Word(String::new(), line));
                        continue;
                    }
                    let op: &'static str = match (fd.as_str(), *op) {
                        ("2", ">" | ">>") => "2>",
                        (_, ">&") if b.get(i) == Some(&'1') => ">&1",
                        _ => op,
                    };
                    out.push(Tok::Op(op, line));
                    continue;
                }
                start!();
                cur.push(c);
                i += 1;
            }
        }
    }
    flush!();
    out
}

/// Copy a `$( … )` with its nesting into `cur`; returns the index after it.
fn read_balanced(b: &[char], mut i: usize, cur: &mut String, line: &mut u32) -> usize {
    let mut depth = 0i32;
    while i < b.len() {
        let c = b[i];
        cur.push(c);
        i += 1;
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            '\n' => *line += 1,
            _ => {}
        }
    }
    i
}

#[derive(Debug, Default)]
struct RawCmd {
    words: Vec<String>,
    line: u32,
    stdout_redirect: bool,
    negated: bool,
    condition: bool,
}

#[derive(Debug, Default)]
struct Pipe {
    cmds: Vec<RawCmd>,
}

#[derive(Debug, Default)]
struct List {
    pipes: Vec<Pipe>,
    /// operators between pipes: "&&" or "||"
    ops: Vec<&'static str>,
    background: bool,
}

const KEYWORDS_STRIP: &[&str] = &["then", "do", "else", "{", "time"];
const KEYWORDS_COND: &[&str] = &["if", "elif", "while", "until"];
const KEYWORDS_END: &[&str] = &["fi", "done", "esac", "}", ";;"];

fn parse_lists(toks: Vec<Tok>) -> Vec<List> {
    let mut lists: Vec<List> = Vec::new();
    let mut list = List::default();
    let mut pipe = Pipe::default();
    let mut cmd = RawCmd::default();
    let mut redirect_next: Option<bool> = None; // Some(is_stdout)
    let mut skip_words = false; // inside `for … ;` or `case … esac` heads
    let mut connector = false; // after `|`, `&&`, `||`: a newline continues the command
    let end_cmd = |cmd: &mut RawCmd, pipe: &mut Pipe| {
        let c = std::mem::take(cmd);
        if !c.words.is_empty() {
            pipe.cmds.push(c);
        }
    };
    let end_pipe = |pipe: &mut Pipe, list: &mut List| {
        let p = std::mem::take(pipe);
        if !p.cmds.is_empty() {
            list.pipes.push(p);
        } else if list.ops.len() >= list.pipes.len() && !list.ops.is_empty() {
            list.ops.pop();
        }
    };
    for t in toks {
        match t {
            Tok::Word(w, line) => {
                if let Some(stdout) = redirect_next.take() {
                    if stdout && w != "/dev/stderr" {
                        cmd.stdout_redirect = true;
                    }
                    continue;
                }
                if skip_words {
                    continue;
                }
                connector = false;
                if cmd.words.is_empty() {
                    if cmd.line == 0 && !cmd.condition && !cmd.negated {
                        cmd.line = line;
                    }
                    if KEYWORDS_STRIP.contains(&w.as_str()) {
                        continue;
                    }
                    if KEYWORDS_COND.contains(&w.as_str()) {
                        cmd.condition = true;
                        cmd.line = line;
                        continue;
                    }
                    if w == "!" {
                        cmd.negated = true;
                        continue;
                    }
                    if KEYWORDS_END.contains(&w.as_str()) {
                        continue;
                    }
                    if w == "for" || w == "case" || w == "select" || w == "function" {
                        skip_words = true;
                        continue;
                    }
                    cmd.line = line;
                }
                cmd.words.push(w);
            }
            Tok::Op(op, _) => match op {
                ">" | ">>" | "&>" | ">&1" => redirect_next = Some(op != ">&1"),
                ">&" | "2>" | "<" | "<<" => redirect_next = Some(false),
                "|" | "|&" => {
                    end_cmd(&mut cmd, &mut pipe);
                    connector = true;
                }
                "&&" | "||" => {
                    end_cmd(&mut cmd, &mut pipe);
                    end_pipe(&mut pipe, &mut list);
                    if !list.pipes.is_empty() {
                        list.ops.push(op);
                    }
                    connector = true;
                }
                "(" | ")" => {
                    end_cmd(&mut cmd, &mut pipe);
                }
                _ => {
                    // ; ;; & newline
                    if op == ";" || op == "\n" || op == ";;" {
                        skip_words = false;
                    }
                    // a newline right after `|`, `&&` or `||` continues the list
                    if op == "\n" && connector {
                        continue;
                    }
                    connector = false;
                    end_cmd(&mut cmd, &mut pipe);
                    end_pipe(&mut pipe, &mut list);
                    if op == "&" {
                        list.background = true;
                    }
                    let l = std::mem::take(&mut list);
                    if !l.pipes.is_empty() {
                        lists.push(l);
                    }
                }
            },
        }
    }
    end_cmd(&mut cmd, &mut pipe);
    end_pipe(&mut pipe, &mut list);
    if !list.pipes.is_empty() {
        lists.push(list);
    }
    for l in &mut lists {
        l.ops.truncate(l.pipes.len().saturating_sub(1));
    }
    lists
}

/// Does running this pipeline after `||` keep the failure a failure?
fn propagates(p: &Pipe) -> bool {
    let Some(c) = p.cmds.last() else {
        return false;
    };
    match c.words.first().map(String::as_str) {
        Some("false") => true,
        Some("exit") | Some("return") => match c.words.get(1).map(String::as_str) {
            None => true, // `exit` alone exits with the failing status
            Some("0") => false,
            Some(_) => true,
        },
        _ => false,
    }
}

fn describe(p: &Pipe) -> String {
    p.cmds
        .iter()
        .map(|c| c.words.join(" "))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Parse a script run with `mode`, and decide for each command whether its failure is swallowed.
pub fn parse(script: &str, mode: ShellMode) -> Vec<Cmd> {
    let lists = parse_lists(lex(script));
    let mut out: Vec<Cmd> = Vec::new();
    let mut mode = mode;
    let nlists = lists.len();
    for (li, list) in lists.iter().enumerate() {
        let last_list = li + 1 == nlists;
        // global index of the first command of each pipe in this list
        let mut first_idx = Vec::with_capacity(list.pipes.len());
        let mut n = out.len();
        for p in &list.pipes {
            first_idx.push(n);
            n += p.cmds.len();
        }
        for (pi, pipe) in list.pipes.iter().enumerate() {
            let or_at = list.ops[pi.min(list.ops.len())..]
                .iter()
                .position(|o| *o == "||")
                .map(|k| k + pi);
            // commands skipped when this pipe fails: the rest of the && chain
            let skips_to = match or_at {
                Some(k) => first_idx[k + 1] - 1,
                None => n - 1,
            };
            let nc = pipe.cmds.len();
            for (ci, c) in pipe.cmds.iter().enumerate() {
                let mut swallowed: Option<String> = None;
                if c.condition {
                    swallowed = Some("it is the condition of an `if`/`while`".into());
                } else if c.negated {
                    swallowed = Some("its status is negated with `!`".into());
                } else if ci + 1 < nc && !mode.pipefail {
                    swallowed = Some(format!(
                        "it pipes into `{}` without `set -o pipefail`, which masks its status",
                        pipe.cmds[nc - 1].words.first().map_or("", |w| w.as_str())
                    ));
                } else if let Some(k) = or_at {
                    let rhs = &list.pipes[k + 1];
                    if !propagates(rhs) {
                        swallowed = Some(format!(
                            "`|| {}` runs on failure and succeeds",
                            describe(rhs)
                        ));
                    }
                } else if list.background {
                    swallowed = Some("it runs in the background (`&`)".into());
                }
                if swallowed.is_none() && or_at.is_none() && !last_list {
                    if !mode.errexit {
                        swallowed = Some(
                            "the script goes on after it fails (no `set -e`), so the later commands decide the result"
                                .into(),
                        );
                    } else if pi + 1 < list.pipes.len() {
                        swallowed = Some(
                            "a failure before `&&` does not stop a `set -e` script; only the rest of its `&&` chain is skipped"
                                .into(),
                        );
                    }
                }
                let idx = out.len();
                // `VAR=value cmd …`: the assignments are the command's environment
                let skip = c.words.iter().take_while(|w| is_assignment(w)).count();
                let words = if skip < c.words.len() {
                    c.words[skip..].to_vec()
                } else {
                    c.words.clone()
                };
                let env = c.words[..skip.min(c.words.len().saturating_sub(1))]
                    .iter()
                    .filter_map(|w| {
                        w.split_once('=')
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                    })
                    .collect();
                out.push(Cmd {
                    env,
                    words,
                    line: c.line,
                    swallowed,
                    stdout_captured: ci + 1 < nc || c.stdout_redirect,
                    skips_to: if pi + 1 < list.pipes.len() {
                        skips_to.max(idx)
                    } else {
                        idx
                    },
                });
                if c.words.first().map(String::as_str) == Some("set") {
                    apply_set(&c.words[1..], &mut mode);
                }
            }
        }
    }
    expand_nested(out, mode)
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

fn apply_set(args: &[String], mode: &mut ShellMode) {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (on, flags) = if let Some(f) = a.strip_prefix('-') {
            (true, f)
        } else if let Some(f) = a.strip_prefix('+') {
            (false, f)
        } else {
            i += 1;
            continue;
        };
        for ch in flags.chars() {
            match ch {
                'e' => mode.errexit = on,
                'o' => {
                    if let Some(name) = args.get(i + 1) {
                        match name.as_str() {
                            "pipefail" => mode.pipefail = on,
                            "errexit" => mode.errexit = on,
                            _ => {}
                        }
                        i += 1;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
}

/// `sh -c '…'`, `bash -ec "…"`: the inner script's commands take the outer command's place.
fn expand_nested(cmds: Vec<Cmd>, _mode: ShellMode) -> Vec<Cmd> {
    if !cmds.iter().any(|c| inner_script(&c.words).is_some()) {
        return cmds;
    }
    let mut out = Vec::with_capacity(cmds.len());
    for c in cmds {
        match inner_script(&c.words) {
            Some((script, inner_mode)) => {
                let base = out.len();
                let inner = parse(&script, inner_mode);
                for ic in inner {
                    out.push(Cmd {
                        swallowed: ic.swallowed.or_else(|| c.swallowed.clone()),
                        line: c.line + ic.line,
                        skips_to: ic.skips_to + base,
                        stdout_captured: ic.stdout_captured || c.stdout_captured,
                        words: ic.words,
                        env: ic.env,
                    });
                }
            }
            None => out.push(c),
        }
    }
    // skips_to of outer commands referred to the old numbering: clamp to own index
    for (i, c) in out.iter_mut().enumerate() {
        if c.skips_to < i {
            c.skips_to = i;
        }
    }
    out
}

/// The script and mode of `bash -c SCRIPT` / `sh -ec SCRIPT`.
pub fn inner_script(words: &[String]) -> Option<(String, ShellMode)> {
    let name = words.first()?;
    let base = name.rsplit('/').next().unwrap_or(name);
    if !matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh") {
        return None;
    }
    let mut mode = ShellMode::LAX;
    let mut i = 1;
    while i < words.len() {
        let w = &words[i];
        if w == "-o" || w == "+o" {
            if words.get(i + 1).map(String::as_str) == Some("pipefail") {
                mode.pipefail = w == "-o";
            }
            i += 2;
            continue;
        }
        if let Some(f) = w.strip_prefix('-')
            && !f.starts_with('-')
        {
            if f.contains('e') {
                mode.errexit = true;
            }
            if f.contains('c') {
                return words.get(i + 1).map(|s| (s.clone(), mode));
            }
            i += 1;
            continue;
        }
        break;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(cmds: &[Cmd]) -> Vec<String> {
        cmds.iter().map(|c| c.words.join(" ")).collect()
    }

    fn find<'a>(cmds: &'a [Cmd], first: &str) -> &'a Cmd {
        cmds.iter()
            .find(|c| c.name() == first)
            .unwrap_or_else(|| panic!("no {first} in {:?}", names(cmds)))
    }

    #[test]
    fn words_quotes_and_continuations() {
        let c = parse(
            "trivy image \\\n  --severity 'CRITICAL,HIGH' \\\n  --exit-code=1 \"$IMAGE:${TAG}\"\n",
            ShellMode::STRICT,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].words,
            [
                "trivy",
                "image",
                "--severity",
                "CRITICAL,HIGH",
                "--exit-code=1",
                "$IMAGE:${TAG}"
            ]
        );
        assert_eq!(c[0].swallowed, None);
    }

    #[test]
    fn or_true_swallows_and_or_exit_does_not() {
        let c = parse("trivy image x || true\ndocker push x\n", ShellMode::STRICT);
        assert!(
            find(&c, "trivy")
                .swallowed
                .as_deref()
                .unwrap()
                .contains("|| true")
        );
        let c = parse(
            "trivy image x || exit 1\ndocker push x\n",
            ShellMode::STRICT,
        );
        assert_eq!(find(&c, "trivy").swallowed, None);
        let c = parse("npm audit || echo 'audit failed'\n", ShellMode::STRICT);
        assert!(find(&c, "npm").swallowed.is_some());
    }

    #[test]
    fn semicolon_true_swallows_without_errexit_only() {
        let c = parse("trivy image x; true", ShellMode::LAX);
        assert!(find(&c, "trivy").swallowed.is_some());
        let c = parse("trivy image x; true", ShellMode::STRICT);
        assert_eq!(find(&c, "trivy").swallowed, None);
    }

    #[test]
    fn set_plus_e_turns_errexit_off() {
        let c = parse("set +e\ntrivy image x\necho done\n", ShellMode::STRICT);
        assert!(find(&c, "trivy").swallowed.is_some());
        let c = parse(
            "set +e\nset -eo pipefail\ntrivy image x\necho done\n",
            ShellMode::STRICT,
        );
        assert_eq!(find(&c, "trivy").swallowed, None);
    }

    #[test]
    fn pipes_mask_without_pipefail() {
        let c = parse(
            "trivy image x | tee report.txt\necho ok",
            ShellMode::ERREXIT,
        );
        assert!(
            find(&c, "trivy")
                .swallowed
                .as_deref()
                .unwrap()
                .contains("pipefail")
        );
        assert!(find(&c, "trivy").stdout_captured);
        let c = parse("trivy image x | tee report.txt\necho ok", ShellMode::STRICT);
        assert_eq!(find(&c, "trivy").swallowed, None);
    }

    #[test]
    fn and_chains_and_the_last_command() {
        // the last list decides the script's status even without set -e
        let c = parse("echo start; trivy image x && docker push x", ShellMode::LAX);
        let t = find(&c, "trivy");
        assert_eq!(t.swallowed, None);
        let push = c.iter().position(|c| c.name() == "docker").unwrap();
        assert_eq!(t.skips_to, push);
        // not last, set -e: the failure skips the push but the script goes on
        let c = parse(
            "trivy image x && docker push x\necho done",
            ShellMode::STRICT,
        );
        let t = find(&c, "trivy");
        assert!(t.swallowed.is_some());
        assert_eq!(t.skips_to, 1);
    }

    #[test]
    fn conditions_background_and_negation() {
        let c = parse(
            "if trivy image x; then echo ok; fi\nexit 0",
            ShellMode::STRICT,
        );
        assert!(
            find(&c, "trivy")
                .swallowed
                .as_deref()
                .unwrap()
                .contains("condition")
        );
        assert_eq!(names(&c), ["trivy image x", "echo ok", "exit 0"]);
        let c = parse("trivy image x &\nwait", ShellMode::STRICT);
        assert!(find(&c, "trivy").swallowed.is_some());
        let c = parse("! trivy image x\necho", ShellMode::STRICT);
        assert!(find(&c, "trivy").swallowed.is_some());
    }

    #[test]
    fn nested_shells() {
        let c = parse("bash -c 'trivy image x; docker push x'", ShellMode::STRICT);
        assert_eq!(names(&c), ["trivy image x", "docker push x"]);
        assert!(find(&c, "trivy").swallowed.is_some());
        let c = parse("sh -ec 'trivy image x; docker push x'", ShellMode::STRICT);
        assert_eq!(find(&c, "trivy").swallowed, None);
    }

    #[test]
    fn github_expressions_comments_heredocs_and_redirects() {
        let c = parse(
            "# scan\necho ${{ secrets.TOKEN }} > token.txt\ncat <<EOF\nnpm install\nEOF\necho \"$(date +%s)\" 2>/dev/null\n",
            ShellMode::STRICT,
        );
        assert_eq!(
            names(&c),
            ["echo ${{ secrets.TOKEN }}", "cat", "echo $(date +%s)"]
        );
        assert!(c[0].stdout_captured);
        assert!(!c[2].stdout_captured);
        assert_eq!(c[2].line, 5);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "'unterminated",
            "\"open",
            "$(",
            "a && ",
            "|| b",
            "<<",
            "${{ x",
            "\\",
            "a |",
            ";;;",
            "if",
            "2>",
        ] {
            let _ = parse(s, ShellMode::STRICT);
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics_and_indices_stay_in_range(s in "[a-z &|;'\"\\\\$(){}<>\n#!=-]{0,80}") {
            for mode in [ShellMode::STRICT, ShellMode::LAX] {
                let cmds = parse(&s, mode);
                for (i, c) in cmds.iter().enumerate() {
                    prop_assert!(c.skips_to >= i && c.skips_to < cmds.len().max(1));
                    prop_assert!(!c.words.is_empty());
                }
            }
        }
    }
}
