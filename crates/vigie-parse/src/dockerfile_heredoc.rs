//! Here-documents of a Dockerfile, found the way the Dockerfile frontend of BuildKit finds them.
//!
//! `parse-dockerfile` reads one here-document per `RUN`, and only when `<<` opens the command;
//! BuildKit reads every word of a `RUN`, `COPY` or `ADD` line (continuations joined, exec form
//! excepted) that has the shape `[fd]<<[-]WORD`, and takes their bodies one after the other from
//! the lines that follow, each up to its own terminator (`<<-` strips leading tabs before
//! comparing; a quoted terminator is compared unquoted). This pass does that over the text, then
//! hands the crate the same text with the bodies of `RUN` here-documents and their `<<` blanked
//! (same byte length, so every position the crate reports is still right): the crate reads the
//! instructions, and the `RUN` bodies come from here. `COPY` and `ADD` bodies are left to the
//! crate, which reads several of them; they are only stepped over here.

/// The here-documents of one `RUN`.
#[derive(Debug)]
pub struct RunHeredocs {
    /// Offset of the `RUN` keyword.
    pub keyword: usize,
    /// Bodies in order, each line ending in `\n`, leading tabs removed for `<<-`.
    pub bodies: Vec<String>,
}

/// An unterminated here-document, with its 1-based position.
#[derive(Debug)]
pub struct HeredocError {
    pub line: u32,
    pub message: String,
}

pub struct Scanned {
    /// The text to hand to the instruction parser, or `None` when nothing was blanked.
    pub masked: Option<String>,
    pub runs: Vec<RunHeredocs>,
}

/// Physical lines: (start offset, text without the line break).
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let body = piece.strip_suffix('\n').unwrap_or(piece);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push((start, body));
        start += piece.len();
    }
    out
}

/// The escape character set by a parser directive at the top of the file (`\` by default).
fn escape_char(ls: &[(usize, &str)]) -> u8 {
    for (_, l) in ls {
        let Some(rest) = l.trim_start().strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = rest.split_once('=') else {
            break;
        };
        let k = k.trim();
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            break;
        }
        if k.eq_ignore_ascii_case("escape")
            && let Some(c @ (b'`' | b'\\')) = v.trim().bytes().next()
        {
            return c;
        }
    }
    b'\\'
}

/// Words of a logical line with quotes and escapes kept, each with its byte index in the line.
fn raw_words(line: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < line.len() {
        let c = line[i];
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(b'\''), _) => {}
            (_, b'\\') => {
                start.get_or_insert(i);
                i += 1;
            }
            (None, b'"' | b'\'') => {
                start.get_or_insert(i);
                quote = Some(c);
            }
            (None, b' ' | b'\t' | b'\n' | b'\r') => {
                if let Some(s) = start.take() {
                    out.push((s, i));
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
        i += 1;
    }
    if let Some(s) = start {
        out.push((s, line.len().min(i)));
    }
    out
}

/// `[digits]<<[-]REST` with no `<` in REST and REST one shell word: (offset of `<<`, chomp, name).
fn heredoc_word(word: &[u8]) -> Option<(usize, bool, String)> {
    let digits = word.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = word[digits..].strip_prefix(b"<<")?;
    let (chomp, rest) = match rest.strip_prefix(b"-") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains(&b'<') {
        return None;
    }
    let rest = std::str::from_utf8(rest).ok()?;
    let mut words = crate::dockerfile::shell_words(rest);
    if words.len() != 1 {
        return None;
    }
    Some((digits, chomp, words.remove(0)))
}

/// Whether the arguments after the keyword (flags skipped) are an exec-form JSON array.
fn exec_form(args: &[u8]) -> bool {
    let mut rest = args;
    loop {
        let t = rest.trim_ascii_start();
        if t.starts_with(b"--") {
            let end = t
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(t.len());
            rest = &t[end..];
        } else {
            rest = t;
            break;
        }
    }
    rest.starts_with(b"[") && serde_json::from_slice::<Vec<String>>(rest.trim_ascii_end()).is_ok()
}

pub fn scan(text: &str) -> Result<Scanned, HeredocError> {
    let ls = lines(text);
    let escape = escape_char(&ls);
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        let (start, l) = ls[i];
        let t = l.trim_start();
        i += 1;
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let first_line = i;
        // the logical line: continuations joined, comment and empty lines inside skipped
        let mut logical: Vec<u8> = Vec::new();
        let mut orig: Vec<usize> = Vec::new();
        let mut piece = (start + (l.len() - t.len()), t);
        loop {
            let (off, p) = piece;
            let trimmed = p.trim_end_matches([' ', '\t']);
            let continued = trimmed.as_bytes().last() == Some(&escape);
            let keep = if continued {
                &trimmed[..trimmed.len() - 1]
            } else {
                p
            };
            logical.extend_from_slice(keep.as_bytes());
            orig.extend(off..off + keep.len());
            if !continued {
                break;
            }
            let mut next = None;
            while i < ls.len() {
                let (o, n) = ls[i];
                i += 1;
                let nt = n.trim_start();
                if nt.is_empty() || nt.starts_with('#') {
                    continue;
                }
                next = Some((o, n));
                break;
            }
            match next {
                Some(n) => piece = n,
                None => break,
            }
        }
        let kw_end = logical
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(logical.len());
        let kw = &logical[..kw_end];
        let is_run = kw.eq_ignore_ascii_case(b"RUN");
        if !(is_run || kw.eq_ignore_ascii_case(b"COPY") || kw.eq_ignore_ascii_case(b"ADD"))
            || memchr::memmem::find(&logical, b"<<").is_none()
            || exec_form(&logical[kw_end..])
        {
            continue;
        }
        let mut bodies = Vec::new();
        for (ws, we) in raw_words(&logical) {
            let Some((at, chomp, name)) = heredoc_word(&logical[ws..we]) else {
                continue;
            };
            if is_run {
                let lt = ws + at;
                blank.push((orig[lt], orig[lt] + 1));
                blank.push((orig[lt + 1], orig[lt + 1] + 1));
            }
            let mut body = String::new();
            let mut closed = false;
            while i < ls.len() {
                let (o, n) = ls[i];
                i += 1;
                if is_run {
                    blank.push((o, o + n.len()));
                }
                let cmp = if chomp { n.trim_start_matches('\t') } else { n };
                if cmp == name {
                    closed = true;
                    break;
                }
                body.push_str(cmp);
                body.push('\n');
            }
            if !closed {
                return Err(HeredocError {
                    line: first_line as u32,
                    message: format!("unterminated heredoc: no line `{name}` closes it"),
                });
            }
            bodies.push(body);
        }
        if is_run && !bodies.is_empty() {
            runs.push(RunHeredocs {
                keyword: orig[0],
                bodies,
            });
        }
    }
    let masked = (!blank.is_empty()).then(|| {
        let mut bytes = text.as_bytes().to_vec();
        for (s, e) in blank {
            for b in &mut bytes[s..e] {
                *b = b' ';
            }
        }
        // only ASCII and whole lines were replaced by spaces
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    });
    Ok(Scanned { masked, runs })
}
