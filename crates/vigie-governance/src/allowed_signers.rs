//! SSH commit signatures verified against an allowed-signers file (git's
//! `gpg.ssh.allowedSignersFile`, read as `ssh-keygen -Y verify` reads it).
//!
//! Each line is `principals [options] keytype base64-key [comment]`: principals are a
//! comma-separated list (quoted when it holds spaces), options a comma-separated list of
//! `namespaces="git,…"`, `valid-after=`/`valid-before=` (`YYYYMMDD[HHMM[SS]][Z]`, read as UTC)
//! and `cert-authority`. A commit's signature counts as verified when it is an SSH signature in
//! the `git` namespace, made by a key listed for that namespace and valid at the commit time,
//! over the commit object without its `gpgsig` header.

use ssh_key::{Algorithm, PublicKey, SshSig};
use time::{Date, Month, PrimitiveDateTime, Time};

/// One usable line of the file.
#[derive(Debug, Clone)]
pub struct Signer {
    /// The principals as written (e.g. `dev@example.org,ops@example.org`).
    pub principals: String,
    /// `namespaces="…"`: None allows every namespace.
    pub namespaces: Option<Vec<String>>,
    /// Unix seconds.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
    pub key: PublicKey,
    /// 1-based line in the file.
    pub line: u32,
}

/// The keys an allowed-signers file trusts.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    pub signers: Vec<Signer>,
}

/// What one commit's signature is found to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Verified: the principals of the line that trusts the key.
    Verified(String),
    /// Signed by a key no line lists.
    UnknownKey,
    /// Not a valid signature of this commit by a trusted key: why.
    Bad(String),
    /// An OpenPGP or X.509 signature, which an SSH allowed-signers file cannot verify.
    NotSsh,
}

/// Split a line into words; double quotes group spaces and commas into one word (and stay in
/// the word, to be stripped by the reader of that word).
fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if let Some(s) = start.take() {
                out.push(&line[s..i]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

/// Split an option list on the commas outside quotes.
fn options(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// `YYYYMMDD[HHMM[SS]][Z]`, as UTC unix seconds.
fn timestamp(text: &str) -> Option<i64> {
    let t = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    if !t.bytes().all(|b| b.is_ascii_digit()) || !matches!(t.len(), 8 | 12 | 14) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
    let month = Month::try_from(n(4..6)? as u8).ok()?;
    let date = Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8).ok()?;
    let (h, m, s) = match t.len() {
        8 => (0, 0, 0),
        12 => (n(8..10)?, n(10..12)?, 0),
        _ => (n(8..10)?, n(10..12)?, n(12..14)?),
    };
    let time = Time::from_hms(h as u8, m as u8, s as u8).ok()?;
    Some(
        PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

fn is_key_type(word: &str) -> bool {
    Algorithm::new(word).is_ok()
}

/// Read an allowed-signers file: the usable lines, and for each line that is not, its number
/// and why (such a line trusts nothing).
pub fn parse(text: &str) -> (AllowedSigners, Vec<(u32, String)>) {
    let mut signers = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let w = words(l);
        let principals = unquote(w[0]).to_string();
        let (opts, key_at) = match w.get(1) {
            Some(k) if is_key_type(k) => (None, 1),
            Some(o) => (Some(*o), 2),
            None => {
                errors.push((line, "a principal without a key".into()));
                continue;
            }
        };
        let (Some(kind), Some(b64)) = (w.get(key_at), w.get(key_at + 1)) else {
            errors.push((line, "no key after the principals and options".into()));
            continue;
        };
        if !is_key_type(kind) {
            errors.push((line, format!("`{kind}` is not an SSH key type")));
            continue;
        }
        let key = match PublicKey::from_openssh(&format!("{kind} {b64}")) {
            Ok(k) => k,
            Err(e) => {
                errors.push((line, format!("the {kind} key cannot be read ({e})")));
                continue;
            }
        };
        let mut s = Signer {
            principals,
            namespaces: None,
            valid_after: None,
            valid_before: None,
            key,
            line,
        };
        let mut bad = None;
        for o in opts.map(options).unwrap_or_default() {
            let (name, value) = match o.split_once('=') {
                Some((n, v)) => (n.to_ascii_lowercase(), Some(unquote(v))),
                None => (o.to_ascii_lowercase(), None),
            };
            match (name.as_str(), value) {
                ("namespaces", Some(v)) => {
                    s.namespaces = Some(v.split(',').map(|n| n.trim().to_string()).collect())
                }
                ("valid-after", Some(v)) => match timestamp(v) {
                    Some(t) => s.valid_after = Some(t),
                    None => bad = Some(format!("valid-after `{v}` is not YYYYMMDD[HHMM[SS]]")),
                },
                ("valid-before", Some(v)) => match timestamp(v) {
                    Some(t) => s.valid_before = Some(t),
                    None => bad = Some(format!("valid-before `{v}` is not YYYYMMDD[HHMM[SS]]")),
                },
                ("cert-authority", None) => bad = Some(
                    "cert-authority lines (certificates signed by a CA) are not verified by vigie"
                        .into(),
                ),
                _ => bad = Some(format!("unknown option `{o}`")),
            }
        }
        match bad {
            Some(m) => errors.push((line, m)),
            None => signers.push(s),
        }
    }
    (AllowedSigners { signers }, errors)
}

/// ssh's pattern lists: `*` and `?` wildcards, `!` negates.
fn namespace_allowed(list: &[String], ns: &str) -> bool {
    fn wild(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => wild(&p[1..], s) || (!s.is_empty() && wild(p, &s[1..])),
            (Some(b'?'), Some(_)) => wild(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => wild(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let mut ok = false;
    for p in list {
        match p.strip_prefix('!') {
            Some(neg) if wild(neg.as_bytes(), ns.as_bytes()) => return false,
            Some(_) => {}
            None => ok |= wild(p.as_bytes(), ns.as_bytes()),
        }
    }
    ok
}

impl AllowedSigners {
    /// Check a commit's signature (`signature`, the `gpgsig` header's value) over `payload`
    /// (the commit object without that header), made at `time` (committer time, unix seconds).
    pub fn check(&self, signature: &[u8], payload: &[u8], time: i64) -> Check {
        if !signature
            .windows(b"BEGIN SSH SIGNATURE".len())
            .any(|w| w == b"BEGIN SSH SIGNATURE")
        {
            return Check::NotSsh;
        }
        let sig = match SshSig::from_pem(signature) {
            Ok(s) => s,
            Err(e) => return Check::Bad(format!("unreadable SSH signature ({e})")),
        };
        if sig.namespace() != "git" {
            return Check::Bad(format!(
                "signed for namespace `{}`, not `git`",
                sig.namespace()
            ));
        }
        let listed: Vec<&Signer> = self
            .signers
            .iter()
            .filter(|s| s.key.key_data() == sig.public_key())
            .collect();
        if listed.is_empty() {
            return Check::UnknownKey;
        }
        let usable: Vec<&&Signer> = listed
            .iter()
            .filter(|s| {
                s.namespaces
                    .as_deref()
                    .is_none_or(|n| namespace_allowed(n, "git"))
            })
            .collect();
        let Some(first) = usable.first() else {
            return Check::Bad(format!(
                "the key (line {}) is not allowed for the `git` namespace",
                listed[0].line
            ));
        };
        // the key is the same on every line that lists it: one verification says it
        if first.key.verify("git", payload, &sig).is_err() {
            return Check::Bad(
                "the signature does not match the commit (altered after signing)".into(),
            );
        }
        match usable.iter().find(|s| {
            s.valid_after.is_none_or(|a| time >= a) && s.valid_before.is_none_or(|b| time < b)
        }) {
            Some(s) => Check::Verified(s.principals.clone()),
            None => Check::Bad(format!(
                "the key (line {}) is not valid at the commit's date",
                first.line
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssh_key::private::{Ed25519Keypair, PrivateKey};
    use ssh_key::{HashAlg, LineEnding};

    fn key(seed: u8) -> PrivateKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
    }

    fn public(seed: u8) -> String {
        key(seed).public_key().to_openssh().unwrap()
    }

    fn sign(seed: u8, ns: &str, msg: &[u8]) -> String {
        key(seed)
            .sign(ns, HashAlg::Sha512, msg)
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap()
    }

    #[test]
    fn lines_with_principals_options_and_comments() {
        let text = format!(
            "# team keys\n\ndev@example.org {}\n\"a@x.org,b@x.org\" namespaces=\"git,file\",valid-after=20260101 {} laptop\nops@x.org cert-authority {}\nbroken@x.org ssh-ed25519 AAAA\nnokey@x.org\n",
            public(1),
            public(2),
            public(3)
        );
        let (a, errors) = parse(&text);
        assert_eq!(a.signers.len(), 2, "{errors:?}");
        assert_eq!(a.signers[1].principals, "a@x.org,b@x.org");
        assert_eq!(
            a.signers[1].namespaces.as_deref(),
            Some(&["git".to_string(), "file".to_string()][..])
        );
        assert_eq!(a.signers[1].valid_after, Some(1767225600));
        let lines: Vec<u32> = errors.iter().map(|e| e.0).collect();
        assert_eq!(lines, vec![5, 6, 7], "{errors:?}");
        assert!(errors[0].1.contains("cert-authority"));
    }

    #[test]
    fn signatures_are_verified_by_key_namespace_and_date() {
        let payload = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor T <t@x> 1 +0000\ncommitter T <t@x> 1 +0000\n\nmsg\n";
        let good = sign(1, "git", payload);
        let (a, _) = parse(&format!("dev@example.org {}\n", public(1)));
        assert_eq!(
            a.check(good.as_bytes(), payload, 1),
            Check::Verified("dev@example.org".into())
        );
        assert!(matches!(
            a.check(good.as_bytes(), b"tree 0\n\nother\n", 1),
            Check::Bad(m) if m.contains("does not match")
        ));
        let (other, _) = parse(&format!("dev@example.org {}\n", public(2)));
        assert_eq!(other.check(good.as_bytes(), payload, 1), Check::UnknownKey);
        let file_ns = sign(1, "file", payload);
        assert!(
            matches!(a.check(file_ns.as_bytes(), payload, 1), Check::Bad(m) if m.contains("namespace `file`"))
        );
        let (only_file, _) = parse(&format!("dev@x namespaces=\"file\" {}\n", public(1)));
        assert!(
            matches!(only_file.check(good.as_bytes(), payload, 1), Check::Bad(m) if m.contains("not allowed"))
        );
        let (later, _) = parse(&format!("dev@x valid-after=\"20260101\" {}\n", public(1)));
        assert!(
            matches!(later.check(good.as_bytes(), payload, 1), Check::Bad(m) if m.contains("not valid at"))
        );
        assert_eq!(
            later.check(good.as_bytes(), payload, 1_800_000_000),
            Check::Verified("dev@x".into())
        );
        assert_eq!(
            a.check(b"-----BEGIN PGP SIGNATURE-----\n", payload, 1),
            Check::NotSsh
        );
        assert!(matches!(
            a.check(b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n", payload, 1),
            Check::Bad(m) if m.contains("unreadable")
        ));
    }

    #[test]
    fn namespace_patterns() {
        let l = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        assert!(namespace_allowed(&l("git"), "git"));
        assert!(namespace_allowed(&l("file,g*"), "git"));
        assert!(!namespace_allowed(&l("*,!git"), "git"));
        assert!(!namespace_allowed(&l("file"), "git"));
    }
}
