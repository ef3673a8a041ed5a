//! The randomness and placeholder gate for generic rules (`generic = true`).
//!
//! A generic rule matches any value assigned to a secret-named key (`password: …`, `API_KEY=…`), so
//! most of what it matches in real repositories is not a secret: placeholders, template references,
//! variable names, masked values. [`plausible_secret`] keeps a value only when none of these holds:
//!
//! 1. shorter than 8 bytes;
//! 2. a reference or template: `${VAR}`, `$VAR`, `$(cmd)`, `{{ .Values.x }}`, `#{x}`, `%(x)s`, `%VAR%`,
//!    `<your-token>`, `[secret]`, `process.env.X`, `os.getenv(...)`, a call `f(...)`, a dotted identifier;
//! 3. a mask or filler: one repeated character (`xxxxxxxx`, `********`), only `x`, `*`, `.`, `#`, `-`, `_`, `0`;
//! 4. a placeholder word: `changeme`, `replace_me`, `your_…`, `example`, `placeholder`, `dummy`, `redacted`,
//!    `sample`, `todo`, `fixme`, `insert`, `none`, `null`, `undefined`, `password`, `secret`, `test`, …;
//! 5. words only: letters with at most `-`, `_`, `.` or spaces between them and no digit
//!    (`correct-horse`, `my_database_password`), which is how names and prose look;
//! 6. too little randomness: Shannon entropy below 3 bits per byte, or fewer than two classes among
//!    lower case, upper case, digits and symbols.

/// Why a value was judged not to be a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    TooShort,
    Reference,
    Filler,
    Placeholder,
    Words,
    LowEntropy,
}

/// Shannon entropy of `data` in bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "change_this",
    "replaceme",
    "replace_me",
    "replace-me",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "example",
    "placeholder",
    "dummy",
    "redacted",
    "sample",
    "todo",
    "fixme",
    "insert",
    "undefined",
    "notsecret",
    "not_a_secret",
    "not-a-secret",
    "notreal",
    "fake",
    "xxxx",
    "****",
    "....",
    "<",
    ">",
    "secret_here",
    "token_here",
    "key_here",
    "password_here",
    "enter_",
    "put_",
    "mysecret",
    "mypassword",
    "supersecret",
    "s3cr3t",
    "p@ssw0rd",
    "passw0rd",
    "password1",
    "password123",
    "admin123",
    "qwerty",
    "abcdef",
    "123456",
];

const EXACT_PLACEHOLDERS: &[&str] = &[
    "none", "null", "nil", "true", "false", "password", "secret", "token", "test", "testing",
    "required", "optional", "string", "value", "default", "empty", "unset", "hidden", "masked",
];

/// Whether `value` looks like a real secret rather than a placeholder, a reference or a word.
pub fn plausible_secret(value: &[u8]) -> Result<(), Rejection> {
    let v = trim_quotes(value);
    if v.len() < 8 {
        return Err(Rejection::TooShort);
    }
    if is_reference(v) {
        return Err(Rejection::Reference);
    }
    if v.iter().all(|&b| b == v[0])
        || v.iter().all(|&b| {
            matches!(
                b,
                b'x' | b'X' | b'*' | b'.' | b'#' | b'-' | b'_' | b'0' | b' '
            )
        })
    {
        return Err(Rejection::Filler);
    }
    let lower = v.to_ascii_lowercase();
    if let Ok(s) = std::str::from_utf8(&lower) {
        if EXACT_PLACEHOLDERS.contains(&s) {
            return Err(Rejection::Placeholder);
        }
        if PLACEHOLDER_WORDS.iter().any(|w| s.contains(w)) {
            return Err(Rejection::Placeholder);
        }
    }
    if looks_like_words(v) {
        return Err(Rejection::Words);
    }
    let mut classes = [false; 4];
    for &b in v {
        let i = if b.is_ascii_lowercase() {
            0
        } else if b.is_ascii_uppercase() {
            1
        } else if b.is_ascii_digit() {
            2
        } else {
            3
        };
        classes[i] = true;
    }
    let n_classes = classes.iter().filter(|c| **c).count();
    if shannon_entropy(v) < 3.0 || n_classes < 2 {
        return Err(Rejection::LowEntropy);
    }
    Ok(())
}

fn trim_quotes(v: &[u8]) -> &[u8] {
    let mut v = v.trim_ascii();
    while let [b'"' | b'\'' | b'`', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b'"' | b'\'' | b'`' | b',' | b';'] = v {
        v = rest;
    }
    v
}

fn is_reference(v: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(v, needle).is_some();
    if has(b"${") || has(b"{{") || has(b"}}") || has(b"#{") || has(b"$(") || has(b"%(") {
        return true;
    }
    if v[0] == b'$' && v.len() > 1 && (v[1].is_ascii_alphabetic() || v[1] == b'_') {
        return true;
    }
    if v[0] == b'%' && v[v.len() - 1] == b'%' {
        return true;
    }
    if (v[0] == b'<' && v[v.len() - 1] == b'>') || (v[0] == b'[' && v[v.len() - 1] == b']') {
        return true;
    }
    let s = String::from_utf8_lossy(v).to_ascii_lowercase();
    if s.contains("process.env")
        || s.contains("getenv")
        || s.contains("environ")
        || s.contains("env(")
        || s.contains("secrets.")
        || s.contains("vault:")
        || s.contains("valuefrom")
    {
        return true;
    }
    // A dotted identifier or a call: `config.db.password`, `settings.SECRET`, `get_token()`.
    let ident = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !p.as_bytes()[0].is_ascii_digit()
    };
    let body = s.strip_suffix("()").unwrap_or(&s);
    if body.contains('.') && body.split('.').all(ident) {
        return true;
    }
    if let Some(open) = s.find('(')
        && s.ends_with(')')
        && s[..open].split('.').all(ident)
    {
        return true;
    }
    false
}

fn looks_like_words(v: &[u8]) -> bool {
    v.iter()
        .all(|&b| b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.' | b' '))
        && {
            // Mixed case in the middle of a segment (`aBcDeFgH`) is how random strings look;
            // names are lower case, UPPER case or CamelCase with few capitals.
            let upper = v.iter().filter(|b| b.is_ascii_uppercase()).count();
            let letters = v.iter().filter(|b| b.is_ascii_alphabetic()).count();
            upper == 0 || upper == letters || upper * 4 <= letters
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_references_are_rejected() {
        for v in [
            "changeme",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{{ .Values.db.password }}",
            "<your-token>",
            "xxxxxxxx",
            "********",
            "***",
            "REPLACE_ME",
            "aaaaaaaaaaaa",
            "correct-horse-battery",
            "my_database_password",
            "short",
            "process.env.API_TOKEN",
            "os.getenv(\"TOKEN\")",
            "settings.SECRET_KEY",
            "get_password()",
            "your_api_key_here",
            "%DB_PASS%",
            "EXAMPLE_1234567890",
            "12345678",
        ] {
            assert!(
                plausible_secret(v.as_bytes()).is_err(),
                "{v} passed the gate"
            );
        }
    }

    #[test]
    fn random_values_pass() {
        for v in [
            "hJ8s9dK2lQ0wX7zP",
            "9f8e7d6c5b4a3f2e1d0c",
            "Zt4q-Rm81_pLw3Xn",
            "\"kQ8vN2xR7pL4mZ9t\"",
        ] {
            assert_eq!(plausible_secret(v.as_bytes()), Ok(()), "{v}");
        }
    }

    #[test]
    fn entropy_of_uniform_bytes() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}

/// Placeholder words a configuration template puts where a secret goes, compared with the value
/// lower-cased and stripped of everything but letters and digits (`!ChangeMe!`, `REPLACE_ME`,
/// `<your-password>`).
const TEMPLATE_PLACEHOLDERS: &[&str] = &[
    "changeme",
    "changethis",
    "replaceme",
    "replacethis",
    "password",
    "secret",
    "placeholder",
    "redacted",
    "yourpassword",
    "yoursecret",
    "yourtoken",
    "yourapikey",
    "yourkey",
    "todo",
    "fixme",
    "none",
    "null",
    "nil",
    "undefined",
    "empty",
    "example",
];

/// Whether `secret` is a placeholder or a reference rather than a value, for every rule (generic
/// or not): a template placeholder word, a mask (`****`, `xxxx`), or a reference to a value held
/// elsewhere (`${VAR}`, `$VAR`, `$(cmd)`, `{{ … }}`, `%(name)s`, `#{…}`, `<…>`). Unlike
/// [`plausible_secret`] it never judges randomness: a weak password in a `.pgpass` is a secret.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let s = secret.trim_ascii();
    let starts = |p: &[u8]| s.starts_with(p);
    if starts(b"${") || starts(b"$(") || starts(b"{{") || starts(b"%(") || starts(b"#{") {
        return true;
    }
    if s.first() == Some(&b'<') && s.last() == Some(&b'>') {
        return true;
    }
    if s.len() > 1
        && s[0] == b'$'
        && (s[1].is_ascii_alphabetic() || s[1] == b'_')
        && s[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return true;
    }
    let norm: Vec<u8> = s
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase())
        .collect();
    if norm.is_empty() {
        // Only punctuation: a mask such as `****`.
        return s.len() >= 3;
    }
    norm.iter().all(|&b| b == b'x')
        || TEMPLATE_PLACEHOLDERS
            .iter()
            .any(|p| norm.as_slice() == p.as_bytes())
}

#[cfg(test)]
mod placeholder_tests {
    use super::is_placeholder;

    #[test]
    fn placeholders_and_references_are_not_values() {
        for p in [
            "!ChangeMe!",
            "REPLACEME",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{{ .Values.x }}",
            "<your-password>",
            "********",
            "xxxxxxxx",
            "%(password)s",
            "null",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for v in [
            "hunter2",
            "$2b$12$abcdefgh",
            "$argon2id$v=19$m=1",
            "Tiger1603$",
            "*0123456789ABCDEF",
        ] {
            assert!(!is_placeholder(v.as_bytes()), "{v}");
        }
    }
}
