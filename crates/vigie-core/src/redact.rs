//! Credentials in URLs are never printed: `https://user:pass@host`, `git::https://oauth2:TOKEN@…`,
//! `git+https://…`, `docker://…` — whatever the scheme, the password part of a URL's user
//! information is replaced by `***`, and so is a user name that looks like a token (a
//! `https://ghp_…@github.com` clone URL).
//!
//! Checks quote what they judge (a module `source`, an `ADD` URL, a `uses:` reference), so a
//! credential can reach any message. Rather than trusting each check to remember, every report
//! passes through [`ScanReport::redact_credentials`] once it is built, and the command line
//! passes what it prints on stderr through [`credentials`]: every output format and every
//! message is covered by these two calls.
//!
//! Written by hand rather than with a regex: one `memmem` search for `://` decides for almost
//! every string, and a million verdicts are scanned without allocating.

use crate::ScanReport;
use std::sync::Arc;

const MASK: &str = "***";

/// `s` with the credentials of every URL in it masked, or `None` when it holds none.
pub fn credentials(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let finder = memchr::memmem::Finder::new(b"://");
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(i) = finder.find(&bytes[from..]) {
        let start = from + i + 3;
        let end = bytes[start..]
            .iter()
            .position(|&b| ends_authority(b))
            .map_or(bytes.len(), |n| start + n);
        from = end.max(start);
        let authority = &s[start..end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        let masked = match userinfo.split_once(':') {
            Some((user, pass)) if !pass.is_empty() => format!("{user}:{MASK}"),
            Some(_) => continue,
            None if looks_like_token(userinfo) => MASK.to_string(),
            None => continue,
        };
        let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
        o.push_str(&s[copied..start]);
        o.push_str(&masked);
        copied = start + at;
    }
    let mut o = out?;
    o.push_str(&s[copied..]);
    Some(o)
}

/// The end of a URL's authority part (and of a URL quoted in prose).
fn ends_authority(b: u8) -> bool {
    matches!(
        b,
        b'/' | b'?'
            | b'#'
            | b'"'
            | b'\''
            | b'`'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b','
            | b';'
            | b'\\'
    ) || b.is_ascii_whitespace()
}

/// A user name alone is kept (`git@`, `deploy@`) unless it looks like a token: long, or mixing
/// digits into letters.
fn looks_like_token(user: &str) -> bool {
    !user.is_empty()
        && (user.len() >= 20
            || (user.bytes().any(|b| b.is_ascii_digit())
                && user.bytes().any(|b| b.is_ascii_alphabetic())
                && user.len() >= 8))
}

fn redact_arc(s: &mut Arc<str>) {
    if let Some(r) = credentials(s) {
        *s = Arc::from(r);
    }
}

fn redact_string(s: &mut String) {
    if let Some(r) = credentials(s) {
        *s = r;
    }
}

impl ScanReport {
    /// Mask credentials in every text of the report: verdicts (subject, message, fix,
    /// waiver, attestation), diagnostics, evidence tables, the reasons checks were not
    /// assessed, and the scanned root.
    pub fn redact_credentials(&mut self) {
        redact_string(&mut self.root);
        for v in &mut self.verdicts {
            redact_arc(&mut v.subject);
            redact_arc(&mut v.message);
            v.redact_detail(&mut redact_string, &mut redact_arc);
        }
        for d in &mut self.diagnostics {
            redact_string(&mut d.message);
        }
        for t in &mut self.tables {
            for row in &mut t.rows {
                row.iter_mut().for_each(redact_string);
            }
        }
        for u in &mut self.unassessed {
            redact_string(&mut u.reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_and_tokens_in_every_scheme() {
        let cases = [
            (
                "module source git::https://oauth2:glpat-SECRET1234@gitlab.example/x.git?ref=v1",
                "module source git::https://oauth2:***@gitlab.example/x.git?ref=v1",
            ),
            (
                "ADD https://user:p4ss@host/f.tgz /f",
                "ADD https://user:***@host/f.tgz /f",
            ),
            (
                "`git+https://deploy:tok@github.com/o/r.git`",
                "`git+https://deploy:***@github.com/o/r.git`",
            ),
            (
                "uses: docker://u:pw@registry.example/img:1",
                "uses: docker://u:***@registry.example/img:1",
            ),
            (
                "https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r",
                "https://***@github.com/o/r",
            ),
            (
                "two: https://a:b@x and https://c:d@y",
                "two: https://a:***@x and https://c:***@y",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(credentials(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn leaves_urls_without_credentials_alone() {
        for s in [
            "ssh://git@github.com/o/r.git",
            "https://example.org/a@b",
            "mailto:me@example.org",
            "no url here",
            "https://host:8443/path",
            "trailing ://",
        ] {
            assert_eq!(credentials(s), None, "{s}");
        }
    }
}
