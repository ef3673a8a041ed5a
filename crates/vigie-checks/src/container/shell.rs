//! Just enough shell reading for `RUN` commands: lists of pipelines, the command word of each
//! pipeline stage, and the downloaders and interpreters the image checks look for.
//!
//! Quotes are deliberately not honoured when splitting: `sh -c "curl … | sh"` still pipes a
//! download into a shell, and the over-approximation costs nothing on real Dockerfiles.

/// Join continuation lines (`\` then a line break) into one line.
pub fn join_continuations(s: &str) -> String {
    s.replace("\\\r\n", " ").replace("\\\n", " ")
}

fn end_pipeline<'a>(cur: &mut Vec<&'a str>, out: &mut Vec<Vec<&'a str>>) {
    let p: Vec<&str> = std::mem::take(cur)
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if !p.is_empty() {
        out.push(p);
    }
}

/// A command text split into pipelines (separated by line breaks, `;`, `&&`, `||`, `&`), each
/// a list of stages (separated by `|` or `|&`). Empty stages are dropped.
pub fn pipelines(s: &str) -> Vec<Vec<&str>> {
    let b = s.as_bytes();
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        match b[i] {
            b'\n' | b';' => {
                cur.push(&s[start..i]);
                end_pipeline(&mut cur, &mut out);
                i += 1;
                start = i;
            }
            b'&' if next == Some(b'&') => {
                cur.push(&s[start..i]);
                end_pipeline(&mut cur, &mut out);
                i += 2;
                start = i;
            }
            // redirections: 2>&1, &>file, >&2
            b'&' if (i > 0 && b[i - 1] == b'>') || next == Some(b'>') => i += 1,
            b'&' => {
                cur.push(&s[start..i]);
                end_pipeline(&mut cur, &mut out);
                i += 1;
                start = i;
            }
            b'|' if next == Some(b'|') => {
                cur.push(&s[start..i]);
                end_pipeline(&mut cur, &mut out);
                i += 2;
                start = i;
            }
            b'|' => {
                cur.push(&s[start..i]);
                i += 1;
                if b.get(i) == Some(&b'&') {
                    i += 1;
                }
                start = i;
            }
            _ => i += 1,
        }
    }
    cur.push(&s[start..]);
    end_pipeline(&mut cur, &mut out);
    out
}

fn clean(word: &str) -> &str {
    word.trim_start_matches(['(', '{', '$', '`', '"', '\'', '!'])
        .trim_end_matches([')', '}', '`', '"', '\''])
}

/// The base name of a command word (`/usr/bin/curl` → `curl`), quotes and grouping removed.
pub fn base_name(word: &str) -> &str {
    let w = clean(word);
    w.rsplit('/').next().unwrap_or(w)
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit()
        }
        None => false,
    }
}

/// The words of a pipeline stage from its command word on: variable assignments, grouping and
/// wrappers (`sudo`, `env`, `exec`, `nohup`, `time`, `command`, shell keywords) skipped.
pub fn command_words(stage: &str) -> Vec<&str> {
    let words: Vec<&str> = stage.split_whitespace().collect();
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let c = clean(w);
        let name = base_name(w);
        if c.is_empty() || is_assignment(c) {
            i += 1;
        } else if matches!(
            name,
            "sudo"
                | "doas"
                | "env"
                | "exec"
                | "nohup"
                | "time"
                | "command"
                | "then"
                | "do"
                | "else"
                | "elif"
                | "if"
                | "while"
                | "until"
        ) {
            i += 1;
            // the wrapper's options (`sudo -E`, `env -i`, `sudo -u app`)
            while let Some(o) = words.get(i) {
                if o.starts_with('-') {
                    let takes_value = matches!(*o, "-u" | "-g" | "-C" | "-h" | "-p" | "-U");
                    i += if takes_value { 2 } else { 1 };
                } else {
                    break;
                }
            }
        } else {
            break;
        }
    }
    words.get(i..).map(<[&str]>::to_vec).unwrap_or_default()
}

/// The command a pipeline stage runs (its base name).
pub fn command_name(stage: &str) -> Option<&str> {
    let words = command_words(stage);
    let first = base_name(words.first()?);
    if first == "busybox" {
        return words.get(1).map(|w| base_name(w));
    }
    Some(first)
}

/// Whether a command name is a shell or a scripting interpreter.
pub fn is_interpreter(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "zsh" | "ash" | "dash" | "ksh" | "mksh" | "perl" | "ruby" | "python"
    ) || name
        .strip_prefix("python")
        .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// Whether an interpreter stage runs its standard input as a program: not when it is given its
/// program another way (`sh -c '…'`, `python -m json.tool`, `perl -ne '…'`), then the input is
/// data.
fn runs_stdin(stage: &str) -> bool {
    let words = command_words(stage);
    let Some(name) = words.first().map(|w| base_name(w)) else {
        return false;
    };
    let name = if name == "busybox" {
        words.get(1).map_or("", |w| base_name(w))
    } else {
        name
    };
    let opts = words.iter().skip(1).take_while(|w| w.starts_with('-'));
    for o in opts {
        if *o == "--" || *o == "-" {
            break;
        }
        let letters = o.trim_start_matches('-');
        let program_given = match name {
            "perl" | "ruby" => letters.contains('e') || letters.contains('E'),
            n if n.starts_with("python") => letters.starts_with('c') || letters.starts_with('m'),
            _ => !o.starts_with("--") && letters.contains('c'),
        };
        if program_given {
            return false;
        }
    }
    true
}

fn is_downloader(word: &str) -> bool {
    matches!(base_name(word), "curl" | "wget")
}

fn snippet(s: &str) -> String {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 80 {
        let head: String = t.chars().take(77).collect();
        format!("{head}…")
    } else {
        t
    }
}

/// The first place a command pipes a download into an interpreter (`curl … | sh`,
/// `wget -qO- … | sudo bash -s --`), or runs one from a substitution (`bash <(curl …)`,
/// `sh -c "$(curl …)"`, `eval "$(wget -O- …)"`), as a short excerpt.
/// The longest command word looked at after `$(`, `<(` or a backtick: a downloader's name or
/// path is short, and looking further at every one of 300,000 backticks made the check
/// quadratic.
const MAX_COMMAND_WORD: usize = 256;

/// The first word of `s`, looked for within its first [`MAX_COMMAND_WORD`] bytes.
fn leading_word(s: &str) -> Option<&str> {
    let mut end = s.len().min(MAX_COMMAND_WORD);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].split_whitespace().next()
}

pub fn download_into_interpreter(text: &str) -> Option<String> {
    // no downloader named at all: nothing to look for (and no cost per backtick)
    if !text.contains("curl") && !text.contains("wget") {
        return None;
    }
    let text = join_continuations(text);
    for p in pipelines(&text) {
        let Some(first) = p
            .iter()
            .position(|s| s.split_whitespace().any(is_downloader))
        else {
            continue;
        };
        for (j, stage) in p.iter().enumerate().skip(first + 1) {
            if command_name(stage).is_some_and(is_interpreter) && runs_stdin(stage) {
                return Some(snippet(&p[first..=j].join(" | ")));
            }
        }
    }
    for pat in ["$(", "<(", "`"] {
        for (idx, _) in text.match_indices(pat) {
            let after = &text[idx + pat.len()..];
            let Some(w) = leading_word(after) else {
                continue;
            };
            if !is_downloader(w) {
                continue;
            }
            let before = &text[..idx];
            let seg_start = before.rfind(['\n', ';', '|', '&']).map_or(0, |i| i + 1);
            let seg = &before[seg_start..];
            if command_name(seg)
                .is_some_and(|n| is_interpreter(n) || matches!(n, "eval" | "source" | "."))
            {
                let end = after.find([')', '`', '\n']).map_or(after.len(), |e| e + 1);
                return Some(snippet(&format!(
                    "{}{pat}{}",
                    seg.trim_start(),
                    &after[..end]
                )));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_backticks_is_read_in_linear_time() {
        // each backtick used to rescan the rest of the line: 300,000 ran for minutes
        let text = format!("echo {}", "`".repeat(300_000));
        assert_eq!(download_into_interpreter(&text), None);
        assert!(
            download_into_interpreter("sh -c \"`curl -fsSL https://x.example/i.sh`\"").is_some()
        );
    }

    #[test]
    fn pipelines_split_on_separators_not_redirections() {
        let p = pipelines("a 2>&1 | b && c; d || e & f |& g\nh");
        assert_eq!(
            p,
            vec![
                vec!["a 2>&1", "b"],
                vec!["c"],
                vec!["d"],
                vec!["e"],
                vec!["f", "g"],
                vec!["h"]
            ]
        );
    }

    #[test]
    fn command_words_skip_wrappers_and_assignments() {
        assert_eq!(command_name("sudo -E sh -s"), Some("sh"));
        assert_eq!(
            command_name("DEBIAN_FRONTEND=noninteractive apt-get update"),
            Some("apt-get")
        );
        assert_eq!(command_name("env -i FOO=1 /bin/bash"), Some("bash"));
        assert_eq!(command_name("sudo -u app python3"), Some("python3"));
        assert_eq!(command_name("busybox sh"), Some("sh"));
        assert_eq!(command_name("  "), None);
    }

    #[test]
    fn downloads_into_interpreters() {
        for bad in [
            "curl -fsSL https://x.example/install.sh | sh",
            "curl -fsSL https://x.example/i.sh|sh",
            "wget -qO- https://x.example/i | sudo bash -s -- --yes",
            "set -eux; curl -sL https://x | tee /tmp/i | bash",
            "bash <(curl -fsSL https://x.example/i.sh)",
            "sh -c \"$(curl -fsSL https://x.example/i.sh)\"",
            "eval \"$(wget -qO- https://x)\"",
            "curl https://x \\\n  | python3 -",
            "curl -s https://x | /usr/bin/env perl",
            "apt-get install -y curl && curl -L https://x | zsh",
        ] {
            assert!(download_into_interpreter(bad).is_some(), "{bad}");
        }
        for good in [
            "curl -fsSLo /tmp/i.sh https://x && sha256sum -c sums && sh /tmp/i.sh",
            "curl -s https://api | python3 -m json.tool",
            "curl -s https://api | python -c 'import sys'",
            "curl -s https://x | perl -ne 'print if /v/'",
            "curl -fsSL https://x | tar -xz -C /opt",
            "VERSION=$(curl -s https://api/latest) && echo $VERSION",
            "curl -fsSL https://key | gpg --dearmor -o /usr/share/keyrings/k.gpg",
            "sh ./install.sh",
        ] {
            assert_eq!(download_into_interpreter(good), None, "{good}");
        }
    }
}
