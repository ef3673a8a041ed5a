//! The matching engine: one aho-corasick automaton over every rule's keywords finds where rules may
//! match; each candidate rule's regex then runs only on windows around its keyword hits, overlapping
//! windows merged. A window is exactly the range a match through the hit can cover when the rule's
//! [`Locality`] proves it (searched with the content around it visible to look-around); otherwise
//! 256 bytes before to 4096 bytes after the hit, widened to whole lines. A file with no keyword is
//! read once by the automaton and nothing else.

use crate::delta::{DeltaOf, Found, Memo};
use crate::keywords::{self, Hit, Keywords};
use crate::rules::{Allowlist, Candidate, Follow, Locality, Rule, RuleSet};
use crate::{docker, gate};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Bytes of context before a keyword hit that a rule's regex sees.
pub const WINDOW_BEFORE: usize = 256;
/// Bytes of context after a keyword hit that a rule's regex sees.
pub const WINDOW_AFTER: usize = 4096;
/// How far a window is widened to reach a line boundary: bounds the work on minified files whose
/// single line is megabytes long.
const LINE_WIDEN_LIMIT: usize = 4096;
/// Content with a NUL byte in its first 8 KB is binary and not matched (file rules still apply).
const BINARY_PROBE: usize = 8192;

/// Keyword hits kept per file: past it the rules of the keywords seen search the whole file
/// (see [`Keywords::find_bounded`]), so that memory stays bounded whatever the content.
const HIT_BUDGET: usize = 1 << 18;

/// Matches kept per file: a file with more already fails, and keeping every one of a
/// pathological file's matches would exhaust memory.
const MATCH_BUDGET: usize = 100_000;

/// Inline markers that accept a secret on their line.
pub const ALLOW_MARKERS: [&[u8]; 2] = [b"vigie:allow-secret", b"gitleaks:allow"];

/// One rule match in one file, before grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index into [`Engine::rules`].
    pub rule: usize,
    pub secret: Vec<u8>,
    /// Byte offset of the secret (0 for file rules).
    pub offset: usize,
    /// 1-based line and column (line 1 for a file rule: the whole file).
    pub line: u32,
    pub column: u32,
    /// The secret's line with the secret cut out, and its rank when that line's context repeats
    /// in the file (empty for a file rule): what its fingerprint is derived from.
    pub context: Vec<u8>,
    /// Other rules that found the same secret (an overlapping match on its line), kept as
    /// evidence of the one finding.
    pub also: Vec<usize>,
}

/// What scanning one file gave.
#[derive(Debug, Default)]
pub struct FileScan {
    pub matches: Vec<Match>,
    /// Matches accepted by `vigie:allow-secret` / `gitleaks:allow` on their line.
    pub inline_allowed: usize,
    /// Matches accepted by an allowlist.
    pub allowlisted: usize,
    /// The content looked binary and only file rules were applied.
    pub binary: bool,
}

pub struct Engine {
    pub rules: Vec<Rule>,
    global: Vec<Allowlist>,
    /// Allowlists from `vigie.toml`, applied to every rule.
    extra: Vec<Allowlist>,
    automaton: Option<Keywords>,
    /// For each automaton pattern, the rules that keyword opens.
    pattern_rules: Vec<Vec<u32>>,
    /// Content rules without keywords: they run on the whole content.
    unkeyed: Vec<u32>,
    /// Per rule: where its matches can be relative to its keywords, analysed the first time the
    /// rule has a window to search (see [`Engine::locality`]).
    locality: Vec<OnceLock<Locality>>,
    /// Per rule: the regex compiled for searching a range of the content while its look-around
    /// (`^`, `$`, `\b`) still sees the bytes outside the range. With it, a rule whose windows
    /// provably hold every match ([`Locality::exact_windows`]) is searched in exactly those
    /// windows instead of windows widened to whole lines. `None` for the other rules, and when
    /// that compilation fails (the rule then uses the widened windows). Compiled on first use.
    ranged: Vec<OnceLock<Option<regex_automata::meta::Regex>>>,
    /// Per rule: what must follow a keyword hit for a match to go through it, when the regex
    /// shows it (see [`Engine::ruled_out`]). Built on first use.
    follow: Vec<OnceLock<Option<Follow>>>,
    file_rules: Vec<u32>,
    /// Indices of the Dockerfile rules implemented in code (ENV/ARG/LABEL, COPY/ADD).
    docker_env: usize,
    docker_copy: usize,
    /// Time spent per phase and per rule, when `VIGIE_SECRETS_PROFILE` is set.
    profile: Option<Profile>,
}

/// Where a scan spends its time: the keyword automaton, and each rule's regex on its windows.
/// Enabled by the environment variable `VIGIE_SECRETS_PROFILE`; reported on stderr at the end of
/// a scan.
pub struct Profile {
    automaton_ns: AtomicU64,
    automaton_bytes: AtomicU64,
    /// Per rule: nanoseconds, bytes of windows, windows.
    rules: Vec<[AtomicU64; 3]>,
}

impl Profile {
    fn new(rules: usize) -> Profile {
        Profile {
            automaton_ns: AtomicU64::new(0),
            automaton_bytes: AtomicU64::new(0),
            rules: (0..rules).map(|_| Default::default()).collect(),
        }
    }

    fn add_automaton(&self, d: Duration, bytes: usize) {
        self.automaton_ns
            .fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
        self.automaton_bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
    }

    fn add_rule(&self, rule: usize, d: Duration, bytes: usize) {
        let r = &self.rules[rule];
        r[0].fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
        r[1].fetch_add(bytes as u64, Ordering::Relaxed);
        r[2].fetch_add(1, Ordering::Relaxed);
    }
}

impl Engine {
    pub fn new(mut set: RuleSet, extra: Vec<Allowlist>) -> Engine {
        use crate::rules::Control;
        use vigie_core::Severity;
        let docker_env = set.rules.len();
        set.rules.push(Rule::builtin_code(
            docker::ENV_RULE,
            "Secret written into an image by a Dockerfile ENV, ARG or LABEL",
            Control::Image,
            Severity::High,
            false,
        ));
        let docker_copy = set.rules.len();
        set.rules.push(Rule::builtin_code(
            docker::COPY_RULE,
            "Key, credential or .env file copied into an image by a Dockerfile COPY or ADD",
            Control::Image,
            Severity::High,
            true,
        ));
        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
        let mut unkeyed = Vec::new();
        let mut file_rules = Vec::new();
        for (i, rule) in set.rules.iter().enumerate() {
            if rule.is_file_rule() {
                file_rules.push(i as u32);
                continue;
            }
            if rule.regex.is_none() {
                continue;
            }
            let kws: Vec<&String> = rule.keywords.iter().filter(|k| !k.is_empty()).collect();
            if kws.is_empty() {
                unkeyed.push(i as u32);
                continue;
            }
            for k in kws {
                let idx = *keyword_index.entry(k.clone()).or_insert_with(|| {
                    patterns.push(k.clone());
                    pattern_rules.push(Vec::new());
                    patterns.len() - 1
                });
                if !pattern_rules[idx].contains(&(i as u32)) {
                    pattern_rules[idx].push(i as u32);
                }
            }
        }
        // A rule's analysis and compiled regexes are made when a file first needs them: a scan
        // of a few files pays only for the rules whose keywords occur in them.
        let locality = set.rules.iter().map(|_| OnceLock::new()).collect();
        let ranged = set.rules.iter().map(|_| OnceLock::new()).collect();
        let follow = set.rules.iter().map(|_| OnceLock::new()).collect();
        let automaton = Keywords::new(&patterns);
        let profile =
            std::env::var_os("VIGIE_SECRETS_PROFILE").map(|_| Profile::new(set.rules.len()));
        Engine {
            rules: set.rules,
            global: set.global,
            extra,
            automaton,
            pattern_rules,
            unkeyed,
            locality,
            ranged,
            follow,
            file_rules,
            docker_env,
            docker_copy,
            profile,
        }
    }

    /// The profile gathered so far (`VIGIE_SECRETS_PROFILE`): the automaton's time and the 15
    /// rules that took longest, CPU time summed over threads.
    pub fn profile_report(&self) -> Option<String> {
        let p = self.profile.as_ref()?;
        let ms = |ns: u64| ns as f64 / 1e6;
        let mut s = format!(
            "profile: automaton {:.0} ms CPU over {:.0} MB\n",
            ms(p.automaton_ns.load(Ordering::Relaxed)),
            p.automaton_bytes.load(Ordering::Relaxed) as f64 / 1e6
        );
        let mut rows: Vec<(u64, u64, u64, &str)> = p
            .rules
            .iter()
            .zip(&self.rules)
            .map(|(c, r)| {
                (
                    c[0].load(Ordering::Relaxed),
                    c[1].load(Ordering::Relaxed),
                    c[2].load(Ordering::Relaxed),
                    r.id.as_str(),
                )
            })
            .filter(|r| r.2 > 0)
            .collect();
        let total: u64 = rows.iter().map(|r| r.0).sum();
        let _ = writeln!(s, "profile: regexes {:.0} ms CPU", ms(total));
        rows.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (ns, bytes, n, id) in rows.iter().take(15) {
            let _ = writeln!(
                s,
                "  {:>8.1} ms {:>9.1} MB {:>8} windows  {id}",
                ms(*ns),
                *bytes as f64 / 1e6,
                n
            );
        }
        Some(s)
    }

    /// Scan one file (or blob) named `path`, from `commit` when it comes from history.
    pub fn scan(&self, path: &str, data: &[u8], commit: Option<&str>) -> FileScan {
        self.scan_blob(path, data, commit, None, false).0
    }

    /// As [`Engine::scan`], for a blob stored as a delta of a base whose scan left a [`Memo`]
    /// (what the base's scan found is reused for the bytes the delta copies: the findings are
    /// the same as [`Engine::scan`]'s), and with this blob's own memo when `keep` is set (and the
    /// scan could make one: not for binary content, nor for one with too many keyword hits or
    /// matches to keep).
    pub(crate) fn scan_blob(
        &self,
        path: &str,
        data: &[u8],
        commit: Option<&str>,
        base: Option<DeltaOf<'_>>,
        keep: bool,
    ) -> (FileScan, Option<Memo>) {
        let mut memo = keep.then(Memo::default);
        let mut out = self.scan_content(path, data, commit, base, &mut memo);
        rank_contexts(&mut out.matches);
        (out, memo)
    }

    /// Two rules' matches of overlapping text on one line are one secret (a URL's password and
    /// the URL, a key's value and its `key = value`): the specific rule's, else the longer, is
    /// kept, the other rule recorded in its `also`.
    fn drop_overlapping(&self, matches: &mut Vec<Match>) {
        if matches.len() < 2 {
            return;
        }
        let end = |m: &Match| m.offset + m.secret.len();
        let mut order: Vec<usize> = (0..matches.len()).collect();
        order.sort_by_key(|&i| {
            let m = &matches[i];
            (
                self.rules[m.rule].generic,
                std::cmp::Reverse(m.secret.len()),
                m.offset,
            )
        });
        let mut kept: Vec<usize> = Vec::with_capacity(matches.len());
        for i in order {
            let m = &matches[i];
            let host = kept.iter().copied().find(|&k| {
                let x = &matches[k];
                x.line == m.line && x.offset < end(m) && m.offset < end(x)
            });
            match host {
                Some(k) => {
                    let (r, also) = (m.rule, m.also.clone());
                    let x = &mut matches[k];
                    for r in std::iter::once(r).chain(also) {
                        if r != x.rule && !x.also.contains(&r) {
                            x.also.push(r);
                        }
                    }
                }
                None => kept.push(i),
            }
        }
        kept.sort_unstable();
        let mut k = kept.into_iter().peekable();
        let mut i = 0;
        matches.retain(|_| {
            let keep = k.peek() == Some(&i);
            if keep {
                k.next();
            }
            i += 1;
            keep
        });
    }

    fn scan_content(
        &self,
        path: &str,
        data: &[u8],
        commit: Option<&str>,
        base: Option<DeltaOf<'_>>,
        memo: &mut Option<Memo>,
    ) -> FileScan {
        let mut out = FileScan::default();
        for &r in &self.file_rules {
            let rule = &self.rules[r as usize];
            if rule
                .path
                .as_ref()
                .is_some_and(|p| p.is_match(path.as_bytes()))
            {
                let cand = Candidate {
                    path,
                    commit,
                    secret: path.as_bytes(),
                    matched: path.as_bytes(),
                    line: path.as_bytes(),
                };
                if self.allowlisted(rule, &cand) {
                    out.allowlisted += 1;
                } else {
                    out.matches.push(Match {
                        rule: r as usize,
                        secret: path.as_bytes().to_vec(),
                        offset: 0,
                        line: 1,
                        column: 1,
                        context: Vec::new(),
                        also: Vec::new(),
                    });
                }
            }
        }
        let probe = &data[..data.len().min(BINARY_PROBE)];
        if memchr::memchr(0, probe).is_some() {
            out.binary = true;
            *memo = None;
            return out;
        }
        let dockerfile = docker::is_dockerfile(path);
        let t0 = self.profile.as_ref().map(|_| std::time::Instant::now());
        // Whether each rule's `path` admits this file: 0 not known yet, 1 yes, 2 no.
        let mut path_ok = vec![0u8; self.rules.len()];
        let applies = |r: usize, path_ok: &mut [u8]| -> bool {
            if path_ok[r] == 0 {
                let ok = self.rules[r]
                    .path
                    .as_ref()
                    .is_none_or(|p| p.is_match(path.as_bytes()));
                path_ok[r] = if ok { 1 } else { 2 };
            }
            path_ok[r] == 1
        };
        // Windows per rule, merged as the keyword hits come (hits come by increasing end, so a
        // rule's next window either overlaps its open one or starts after it).
        let mut open: Vec<(usize, usize)> = vec![(usize::MAX, 0); self.rules.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut windows: Vec<(u32, usize, usize)> = Vec::new();
        if let Some(kw) = &self.automaton {
            let mut hits: Vec<Hit> = Vec::new();
            // Under a lane's budget no lane of a whole walk would have overflowed either.
            let carried =
                base.is_some_and(|b| b.hits(kw, data, &mut hits, HIT_BUDGET / keywords::LANES));
            let overflow = if carried {
                None
            } else {
                kw.find_bounded(data, &mut hits, HIT_BUDGET)
            };
            if let Some(seen) = overflow {
                *memo = None;
                // Too many keyword hits to window one by one: the rules of the keywords seen
                // search the whole content instead (a superset of their windows).
                for (p, _) in seen.iter().enumerate().filter(|(_, s)| **s) {
                    for &r in &self.pattern_rules[p] {
                        if applies(r as usize, &mut path_ok) {
                            windows.push((r, 0, data.len()));
                        }
                    }
                }
            }
            let mut whole = WholeLine::default();
            for &hit in &hits {
                let start = hit.start.saturating_sub(WINDOW_BEFORE);
                let end = (hit.end + WINDOW_AFTER).min(data.len());
                for &r in &self.pattern_rules[hit.pattern as usize] {
                    let ri = r as usize;
                    if !applies(ri, &mut path_ok) {
                        continue;
                    }
                    // A rule whose every match holds one of its keywords only needs the text a
                    // match through this hit can cover: the hit's line for a single-line regex,
                    // its longest match either side otherwise.
                    let loc = self.locality(ri);
                    // A hit that no match can go through opens no window (see `ruled_out`).
                    let (start, end) = if !loc.keyword_in_match {
                        (start, end)
                    } else if loc.single_line {
                        if self.ruled_out(ri, data, hit, None, &mut whole) {
                            continue;
                        }
                        (hit.start, hit.end)
                    } else if let Some(l) = loc.max_len {
                        match loc.lead {
                            // A match starts at most `lead` bytes before a keyword it holds.
                            Some(b) if self.exact(ri) => {
                                if self.ruled_out(ri, data, hit, Some(b), &mut whole) {
                                    continue;
                                }
                                (
                                    hit.start.saturating_sub(b),
                                    hit.start.saturating_add(l).min(data.len()),
                                )
                            }
                            _ => (
                                start.max(hit.end.saturating_sub(l)),
                                end.min(hit.start.saturating_add(l)),
                            ),
                        }
                    } else {
                        (start, end)
                    };
                    let w = &mut open[ri];
                    if w.0 == usize::MAX {
                        touched.push(r);
                        *w = (start, end);
                    } else if start <= w.1 {
                        w.0 = w.0.min(start);
                        w.1 = w.1.max(end);
                    } else {
                        windows.push((r, w.0, w.1));
                        *w = (start, end);
                    }
                }
            }
            if let Some(m) = memo.as_mut() {
                hits.sort_unstable_by_key(|h| (h.start, h.end, h.pattern));
                m.hits = hits;
            }
        }
        if let Some(m) = memo.as_mut() {
            m.len = data.len();
        }
        for &r in &touched {
            let (s, e) = open[r as usize];
            windows.push((r, s, e));
        }
        for &r in &self.unkeyed {
            if applies(r as usize, &mut path_ok) {
                windows.push((r, 0, data.len()));
            }
        }
        if let (Some(p), Some(t0)) = (&self.profile, t0) {
            p.add_automaton(t0.elapsed(), data.len());
        }
        if windows.is_empty() {
            if dockerfile {
                self.scan_dockerfile(path, data, commit, &mut out);
            }
            return out;
        }
        // A rule's windows are searched as they are when they provably hold every match through
        // their hits; otherwise they are widened to whole lines, where they may overlap again.
        windows.sort_unstable();
        let mut merged: Vec<(u32, usize, usize)> = Vec::with_capacity(windows.len());
        for (r, s, e) in windows {
            let (s, e) = if self.exact(r as usize) {
                (s, e)
            } else {
                widen(data, s, e)
            };
            match merged.last_mut() {
                Some((lr, _, le)) if *lr == r && s <= *le => *le = (*le).max(e),
                _ => merged.push((r, s, e)),
            }
        }
        let mut found: Vec<Found> = Vec::new(); // rule, secret s/e, match s/e
        for (r, s, e) in merged {
            let rule = &self.rules[r as usize];
            let Some(re) = &rule.regex else { continue };
            let first = found.len() as u32;
            if let Some((carried, src)) = base.and_then(|b| b.window(r, s, e, data.len())) {
                for &(fr, ss, se, ms, me) in carried {
                    if found.len() < MATCH_BUDGET {
                        found.push((fr, ss - src + s, se - src + s, ms - src + s, me - src + s));
                    }
                }
                if let Some(m) = memo.as_mut() {
                    m.windows.push((r, s, e, first, found.len() as u32));
                }
                continue;
            }
            let t = self.profile.as_ref().map(|_| std::time::Instant::now());
            let group = rule
                .secret_group
                .unwrap_or(if re.captures_len() > 1 { 1 } else { 0 });
            let mut push = |whole: (usize, usize), secret: Option<(usize, usize)>| {
                let secret = secret.unwrap_or(whole);
                if secret.0 < secret.1 && found.len() < MATCH_BUDGET {
                    found.push((r as usize, secret.0, secret.1, whole.0, whole.1));
                }
            };
            if let Some(b) = self.locality(r as usize).required_byte
                && memchr::memchr(b, &data[s..e]).is_none()
            {
                if let (Some(p), Some(t)) = (&self.profile, t) {
                    p.add_rule(r as usize, t.elapsed(), e - s);
                }
                if let Some(m) = memo.as_mut() {
                    m.windows.push((r, s, e, first, first));
                }
                continue;
            }
            // Most windows hold no match: a plain search answers that without building
            // captures; only a window that matches pays for them.
            if let Some(m) = self.ranged(r as usize) {
                let input = regex_automata::Input::new(data).range(s..e);
                if m.is_match(input.clone()) {
                    for caps in m.captures_iter(input) {
                        let span = |g: usize| caps.get_group(g).map(|x| (x.start, x.end));
                        if let Some(whole) = span(0) {
                            push(whole, span(group));
                        }
                    }
                }
            } else {
                let window = &data[s..e];
                if re.is_match(window) {
                    for caps in re.captures_iter(window) {
                        let span = |g: usize| caps.get(g).map(|x| (s + x.start(), s + x.end()));
                        if let Some(whole) = span(0) {
                            push(whole, span(group));
                        }
                    }
                }
            }
            if let (Some(p), Some(t)) = (&self.profile, t) {
                p.add_rule(r as usize, t.elapsed(), e - s);
            }
            if let Some(m) = memo.as_mut() {
                m.windows.push((r, s, e, first, found.len() as u32));
            }
        }
        if found.len() >= MATCH_BUDGET {
            // Some match may have been left out: a delta of this blob could not rely on it.
            *memo = None;
        }
        if let Some(m) = memo.as_mut() {
            m.windows.sort_unstable();
            m.found = found.clone();
        }
        found.sort_unstable();
        found.dedup();
        // Each rule's match is judged on its own first (entropy, randomness gate, inline marker,
        // allowlists), so that a rule whose match is accepted never hides another rule's finding
        // of the same secret.
        let mut judged: Vec<(usize, usize, usize, Judged)> = Vec::with_capacity(found.len());
        for (r, ss, se, ms, me) in found {
            let rule = &self.rules[r];
            let secret = &data[ss..se];
            let verdict = if rule
                .entropy
                .is_some_and(|min| gate::shannon_entropy(secret) < min)
                || (rule.generic && gate::plausible_secret(secret).is_err())
                || (!rule.literal && gate::is_placeholder(secret))
            {
                Judged::NotASecret
            } else {
                let (ls, le) = line_bounds(data, ms, me);
                let line = &data[ls..le];
                let cand = Candidate {
                    path,
                    commit,
                    secret,
                    matched: &data[ms..me],
                    line,
                };
                if ALLOW_MARKERS
                    .iter()
                    .any(|m| memchr::memmem::find(line, m).is_some())
                {
                    Judged::InlineAllowed
                } else if self.allowlisted(rule, &cand) {
                    Judged::Allowlisted
                } else {
                    Judged::Report
                }
            };
            judged.push((r, ss, se, verdict));
        }
        // Several rules finding the very same secret make one finding per control: a specific
        // rule wins over a generic one, a rule restricted to some paths over one that is not,
        // then the first defined; and a generic rule's finding gives way to any specific rule's
        // (a password in Terraform state is that state's finding, not also a generic one).
        judged.sort_by_key(|f| {
            let r = &self.rules[f.0];
            (f.1, f.2, r.control, r.generic, r.path.is_none(), f.0)
        });
        let mut lines = LineIndex::new(data);
        for group in judged.chunk_by(|a, b| (a.1, a.2) == (b.1, b.2)) {
            let reported: Vec<usize> = group
                .iter()
                .filter(|f| f.3 == Judged::Report)
                .map(|f| f.0)
                .collect();
            if reported.is_empty() {
                if group.iter().any(|f| f.3 == Judged::InlineAllowed) {
                    out.inline_allowed += 1;
                } else if group.iter().any(|f| f.3 == Judged::Allowlisted) {
                    out.allowlisted += 1;
                }
                continue;
            }
            let specific = reported.iter().any(|&r| !self.rules[r].generic);
            let (ss, se) = (group[0].1, group[0].2);
            let mut controls = Vec::new();
            let first = out.matches.len();
            for r in reported {
                let rule = &self.rules[r];
                if (specific && rule.generic) || controls.contains(&rule.control) {
                    // The same secret: this rule is evidence of the finding already made.
                    if let Some(m) = out.matches.get_mut(first) {
                        m.also.push(r);
                    }
                    continue;
                }
                controls.push(rule.control);
                let (line_no, column) = lines.position(ss);
                out.matches.push(Match {
                    rule: r,
                    secret: data[ss..se].to_vec(),
                    offset: ss,
                    line: line_no,
                    column,
                    context: context_of(data, ss, se),
                    also: Vec::new(),
                });
            }
        }
        self.drop_overlapping(&mut out.matches);
        if dockerfile {
            self.scan_dockerfile(path, data, commit, &mut out);
            self.drop_generic_image_doubles(&mut out);
        }
        out
    }

    /// In a Dockerfile, a value an image rule (SEC-04) reports is the same secret a generic
    /// content rule finds in the `ENV`/`ARG`/`LABEL` line: one finding, the image one.
    fn drop_generic_image_doubles(&self, out: &mut FileScan) {
        use crate::rules::Control;
        let image: Vec<Vec<u8>> = out
            .matches
            .iter()
            .filter(|m| self.rules[m.rule].control == Control::Image)
            .map(|m| m.secret.clone())
            .collect();
        if image.is_empty() {
            return;
        }
        out.matches.retain(|m| {
            let r = &self.rules[m.rule];
            !(r.generic && r.control == Control::Content && image.contains(&m.secret))
        });
    }

    fn scan_dockerfile(&self, path: &str, data: &[u8], commit: Option<&str>, out: &mut FileScan) {
        let text = String::from_utf8_lossy(data);
        // A Dockerfile that does not parse is reported by the Dockerfile checks; here it only
        // means no SEC-04 finding.
        let Ok(found) = docker::analyse(path, &text) else {
            return;
        };
        let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        for m in found {
            let r = if m.rule == docker::ENV_RULE {
                self.docker_env
            } else {
                self.docker_copy
            };
            let line = lines
                .get((m.line as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default();
            if ALLOW_MARKERS
                .iter()
                .any(|mk| memchr::memmem::find(line, mk).is_some())
            {
                out.inline_allowed += 1;
                continue;
            }
            // A rule file already reported this value, or an image secret on this instruction's
            // lines (which continuation lines can make several).
            let last = instruction_end(&lines, m.line);
            // (A generic content rule's match of the same value gives way to this one instead.)
            if out.matches.iter().any(|x| {
                let xr = &self.rules[x.rule];
                (x.secret == m.value.as_bytes()
                    && !(xr.generic && xr.control == crate::rules::Control::Content))
                    || (xr.control == crate::rules::Control::Image
                        && (m.line..=last).contains(&x.line))
            }) {
                continue;
            }
            let cand = Candidate {
                path,
                commit,
                secret: m.value.as_bytes(),
                matched: m.value.as_bytes(),
                line,
            };
            if self.allowlisted(&self.rules[r], &cand) {
                out.allowlisted += 1;
                continue;
            }
            let context = match memchr::memmem::find(line, m.value.as_bytes()) {
                Some(i) => context_of(line, i, i + m.value.len()),
                None => line.trim_ascii().to_vec(),
            };
            out.matches.push(Match {
                rule: r,
                secret: m.value.into_bytes(),
                offset: 0,
                line: m.line,
                column: m.column,
                context,
                also: Vec::new(),
            });
        }
    }

    /// Whether keyword `hit` can be left without a window for rule `r`, whose every match holds
    /// a keyword: the rule's [`Follow`] matches nothing from the hit's end, so no match holds the
    /// hit as the occurrence its `Follow` is about, and every match's own such occurrence opens
    /// a window holding the whole match. For a rule searched by range (`lead` given), that
    /// window starts `lead` bytes before the occurrence, so the `Follow`'s bound must be within
    /// it; for a one-line rule, that window is the occurrence's whole line, so the hit's line
    /// must be whole within the widening limits (each hit of such a line opens the same window).
    fn ruled_out(
        &self,
        r: usize,
        data: &[u8],
        hit: Hit,
        lead: Option<usize>,
        whole: &mut WholeLine,
    ) -> bool {
        let follow = self.follow[r].get_or_init(|| {
            let rule = &self.rules[r];
            crate::rules::follow(rule.regex.as_ref()?.as_str(), &rule.keywords)
        });
        let Some(f) = follow else { return false };
        let fits = match lead {
            Some(b) => f.lead.is_some_and(|a| a <= b),
            None => true,
        };
        if !fits || f.matches_at(data, hit.end) {
            return false;
        }
        lead.is_some() || whole.holds(data, hit.start, hit.end)
    }

    /// Whether rule `r`'s windows hold every match through their hits and are searched as they
    /// are, by its range regex (look-around seeing the whole content, as over a whole file).
    fn exact(&self, r: usize) -> bool {
        self.ranged(r).is_some()
    }

    /// Rule `r`'s [`Locality`], analysed on first use.
    fn locality(&self, r: usize) -> &Locality {
        self.locality[r].get_or_init(|| match &self.rules[r].regex {
            Some(re) => crate::rules::locality(re.as_str(), &self.rules[r].keywords),
            None => Locality::default(),
        })
    }

    /// Rule `r`'s regex for searching a range, when its windows are exact (only those rules are
    /// searched by range: the others keep one compiled regex). Compiled on first use.
    fn ranged(&self, r: usize) -> Option<&regex_automata::meta::Regex> {
        self.ranged[r]
            .get_or_init(|| {
                self.rules[r]
                    .regex
                    .as_ref()
                    .filter(|_| self.locality(r).exact_windows())
                    .and_then(|re| ranged_regex(re.as_str()))
            })
            .as_ref()
    }

    fn allowlisted(&self, rule: &Rule, c: &Candidate<'_>) -> bool {
        rule.allowlists.iter().any(|a| a.allows(c))
            || self
                .global
                .iter()
                .filter(|a| a.target_rules.is_empty() || a.target_rules.contains(&rule.id))
                .any(|a| a.allows(c))
            || self.extra.iter().any(|a| a.allows(c))
    }
}

/// The last line (1-based) of the Dockerfile instruction starting on `first`: lines ending with a
/// backslash continue it.
fn instruction_end(lines: &[&[u8]], first: u32) -> u32 {
    let mut n = first.max(1);
    while let Some(l) = lines.get(n as usize - 1) {
        if l.trim_ascii_end().ends_with(b"\\") {
            n += 1;
        } else {
            break;
        }
    }
    n
}

/// What the filters say of one rule's match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    Report,
    /// Below the rule's entropy, or a placeholder for a generic rule.
    NotASecret,
    InlineAllowed,
    Allowlisted,
}

/// `pattern` compiled as [`crate::rules::compile`] compiles it (bytes, ASCII classes, the same
/// size limit), for searches over a range of the content.
fn ranged_regex(pattern: &str) -> Option<regex_automata::meta::Regex> {
    use regex_automata::{meta, util::syntax};
    meta::Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(64 << 20),
        )
        .build(pattern)
        .ok()
}

/// Whether the line holding `[s, e)` lies whole within [`widen`]'s limits, remembering the last
/// such line: the hits of a line come together, and each of its rules asks.
#[derive(Default)]
struct WholeLine(Option<(usize, usize)>);

impl WholeLine {
    fn holds(&mut self, data: &[u8], s: usize, e: usize) -> bool {
        if let Some((ls, le)) = self.0
            && ls <= s
            && e <= le
        {
            return true;
        }
        let (ls, le) = widen(data, s, e);
        let whole = (ls == 0 || data[ls - 1] == b'\n') && (le == data.len() || data[le] == b'\n');
        if whole {
            self.0 = Some((ls, le));
        }
        whole
    }
}

/// Widen `[s, e)` to the enclosing line boundaries, at most [`LINE_WIDEN_LIMIT`] bytes each way.
fn widen(data: &[u8], s: usize, e: usize) -> (usize, usize) {
    let lo = s.saturating_sub(LINE_WIDEN_LIMIT);
    let s = match memchr::memrchr(b'\n', &data[lo..s]) {
        Some(i) => lo + i + 1,
        None => lo,
    };
    let hi = (e + LINE_WIDEN_LIMIT).min(data.len());
    let e = match memchr::memchr(b'\n', &data[e..hi]) {
        Some(i) => e + i,
        None => hi,
    };
    (s, e)
}

/// Context bytes kept on each side of a secret for its fingerprint.
const CONTEXT_LIMIT: usize = 120;

/// The line holding the secret `[s, e)` with the secret cut out (at most [`CONTEXT_LIMIT`] bytes
/// each side, white space trimmed): what stays when the value changes or the line moves.
fn context_of(data: &[u8], s: usize, e: usize) -> Vec<u8> {
    let (ls, le) = line_bounds(data, s, e);
    let before = data[ls.max(s.saturating_sub(CONTEXT_LIMIT))..s].trim_ascii_start();
    let after = data[e..le.min(e + CONTEXT_LIMIT)].trim_ascii_end();
    let mut c = Vec::with_capacity(before.len() + after.len() + 1);
    c.extend_from_slice(before);
    c.push(0);
    c.extend_from_slice(after);
    c
}

/// Tell apart matches of one rule whose contexts are the same in one file (two `"auth": "…"`
/// of a Docker configuration): each gets its rank in the file appended.
fn rank_contexts(matches: &mut [Match]) {
    let mut seen: HashMap<(usize, Vec<u8>), u32> = HashMap::new();
    let mut order: Vec<usize> = (0..matches.len()).collect();
    order.sort_by_key(|&i| (matches[i].line, matches[i].column));
    for i in order {
        let m = &mut matches[i];
        let n = seen.entry((m.rule, m.context.clone())).or_insert(0);
        if *n > 0 {
            m.context.extend_from_slice(format!("#{n}").as_bytes());
        }
        *n += 1;
    }
}

/// The line (without its newline) holding `[s, e)`, bounded as [`widen`] is.
fn line_bounds(data: &[u8], s: usize, e: usize) -> (usize, usize) {
    widen(data, s, e)
}

/// Turns increasing byte offsets into 1-based line and column (columns count characters).
struct LineIndex<'a> {
    data: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
}

impl<'a> LineIndex<'a> {
    fn new(data: &'a [u8]) -> Self {
        LineIndex {
            data,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn position(&mut self, offset: usize) -> (u32, u32) {
        if offset < self.pos {
            *self = LineIndex::new(self.data);
        }
        for i in memchr::memchr_iter(b'\n', &self.data[self.pos..offset]) {
            self.line += 1;
            self.line_start = self.pos + i + 1;
        }
        self.pos = offset;
        let col = self.data[self.line_start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count() as u32
            + 1;
        (self.line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(toml: &str) -> Engine {
        let mut set = RuleSet::default();
        set.add_file("test.toml", toml);
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        Engine::new(set, Vec::new())
    }

    /// The ids of the rules behind a scan's matches, in order.
    fn rule_ids<'a>(e: &'a Engine, s: &FileScan) -> Vec<&'a str> {
        s.matches
            .iter()
            .map(|m| e.rules[m.rule].id.as_str())
            .collect()
    }

    const AWS: &str = r#"
[[rules]]
id = "aws"
regex = '''\b((?:AKIA|ASIA)[A-Z2-7]{16})\b'''
keywords = ["akia", "asia"]
"#;

    #[test]
    fn finds_line_and_column_of_the_secret() {
        let e = engine(AWS);
        let text = b"first line\n  key = \"AKIAQWERTYUIOPASDFGH\"\n";
        let s = e.scan("a.txt", text, None);
        assert_eq!(s.matches.len(), 1);
        assert_eq!(s.matches[0].secret, b"AKIAQWERTYUIOPASDFGH");
        assert_eq!((s.matches[0].line, s.matches[0].column), (2, 10));
    }

    #[test]
    fn an_accepted_match_does_not_hide_another_rules_finding() {
        // The path-restricted rule would win the tie, but its allowlist accepts the value: the
        // token rule still reports it.
        let e = engine(
            r#"
[[rules]]
id = "token"
regex = '''\b(tok-[a-z0-9]{12})\b'''
keywords = ["tok-"]

[[rules]]
id = "rc-password"
regex = '''password = (\S+)'''
keywords = ["password"]
path = '''\.rc$'''
[[rules.allowlists]]
regexes = ['''^tok-''']
"#,
        );
        let s = e.scan("x.rc", b"password = tok-a1b2c3d4e5f6\n", None);
        assert_eq!(rule_ids(&e, &s), ["token"]);
        assert_eq!(s.allowlisted, 0);
        // Accepted by every rule that finds it: counted once.
        let s = e.scan(
            "x.rc",
            b"password = tok-a1b2c3d4e5f6 # vigie:allow-secret\n",
            None,
        );
        assert!(s.matches.is_empty());
        assert_eq!(s.inline_allowed, 1);
    }

    #[test]
    fn a_generic_finding_gives_way_to_a_specific_one_of_another_control() {
        let e = engine(
            r#"
[[rules]]
id = "generic-password"
regex = '''"password": "([^"]{8,})"'''
keywords = ["password"]
generic = true

[[rules]]
id = "state-secret"
regex = '''"password": "([^"]{8,})"'''
keywords = ["password"]
path = '''\.tfstate$'''
control = "SEC-03"
"#,
        );
        let text = b"{\"password\": \"iuIgldKkmns4X0yIJNsS\"}\n";
        let s = e.scan("terraform.tfstate", text, None);
        assert_eq!(rule_ids(&e, &s), ["state-secret"]);
        // Elsewhere the generic rule reports it.
        let s = e.scan("config.json", text, None);
        assert_eq!(rule_ids(&e, &s), ["generic-password"]);
    }

    #[test]
    fn keyword_is_needed_near_the_match() {
        let e = engine(
            r#"
[[rules]]
id = "tok"
regex = '''[0-9a-f]{32}'''
keywords = ["mytoken"]
"#,
        );
        let hex = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            e.scan("a", format!("mytoken={hex}").as_bytes(), None)
                .matches
                .len(),
            1
        );
        assert_eq!(
            e.scan("a", format!("other={hex}").as_bytes(), None)
                .matches
                .len(),
            0
        );
        // Far beyond the window (and on another line): not matched.
        let far = format!("MYTOKEN\n{}\n{hex}\n", "a\n".repeat(5000));
        assert_eq!(e.scan("a", far.as_bytes(), None).matches.len(), 0);
    }

    /// Every file under `dir`, with its path relative to `root`.
    fn files_under(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut Vec<(String, Vec<u8>)>,
    ) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                files_under(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }

    #[test]
    fn hits_no_match_goes_through_change_no_finding() {
        let mut ruling = Engine::new(RuleSet::builtin(), Vec::new());
        ruling.profile = Some(Profile::new(ruling.rules.len()));
        let mut every = Engine::new(RuleSet::builtin(), Vec::new());
        every.follow = every.rules.iter().map(|_| OnceLock::from(None)).collect();
        every.profile = Some(Profile::new(every.rules.len()));
        let mut files = Vec::new();
        for dir in ["tests/corpus", "tests/recall"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            files_under(&root, &root, &mut files);
        }
        // Prose full of keywords, and assignments a match goes through.
        let prose = "the password of the token is a secret kept by the key server\n".repeat(200);
        files.push(("notes.md".into(), prose.clone().into_bytes()));
        let mixed = format!(
            "{prose}db_password = \"Tq8vLz2Wp5kXm1Rq\"\nAPI_TOKEN=9lqPh9w9OVgHFq5HXeiMrSWc\n{prose}"
        );
        files.push(("app/settings.py".into(), mixed.into_bytes()));
        // Lines longer than the widening limit, keywords at their ends and in their middle.
        let long = format!(
            "password of the key {} token is secret db_password = \"Tq8vLz2Wp5kXm1Rq\" {} secret\n{prose}",
            "x ".repeat(3000),
            "y ".repeat(3000)
        );
        files.push(("long.txt".into(), long.into_bytes()));
        assert!(files.len() > 100);
        let mut found = 0;
        for (path, data) in &files {
            let a = ruling.scan(path, data, None);
            let b = every.scan(path, data, None);
            assert_eq!(a.matches, b.matches, "{path}");
            assert_eq!(
                (a.inline_allowed, a.allowlisted),
                (b.inline_allowed, b.allowlisted),
                "{path}"
            );
            found += a.matches.len();
        }
        assert!(found > 100, "{found}");
        let windows = |e: &Engine| -> u64 {
            e.profile
                .as_ref()
                .unwrap()
                .rules
                .iter()
                .map(|r| r[2].load(Ordering::Relaxed))
                .sum()
        };
        assert!(
            windows(&ruling) * 2 < windows(&every),
            "{} {}",
            windows(&ruling),
            windows(&every)
        );
    }

    #[test]
    fn inline_markers_allow() {
        let e = engine(AWS);
        let s = e.scan(
            "a",
            b"k = AKIAQWERTYUIOPASDFGH # vigie:allow-secret\nj = AKIAQWERTYUIOPASDFGJ // gitleaks:allow\n",
            None,
        );
        assert!(s.matches.is_empty());
        assert_eq!(s.inline_allowed, 2);
    }

    #[test]
    fn binary_and_non_utf8_content() {
        let e = engine(AWS);
        let mut bin = b"AKIAQWERTYUIOPASDFGH".to_vec();
        bin.insert(0, 0);
        let s = e.scan("a", &bin, None);
        assert!(s.binary && s.matches.is_empty());
        let latin1 = b"caf\xe9 \xff AKIAQWERTYUIOPASDFGH\n";
        assert_eq!(e.scan("a", latin1, None).matches.len(), 1);
    }

    #[test]
    fn entropy_and_generic_gate_filter() {
        let e = engine(
            r#"
[[rules]]
id = "generic-password"
regex = '''(?i)password\s*[:=]\s*["']?([^\s"']+)'''
keywords = ["password"]
generic = true
entropy = 3.0
"#,
        );
        let found = |t: &str| e.scan("a", t.as_bytes(), None).matches.len();
        assert_eq!(found("password: changeme"), 0);
        assert_eq!(found("password: ${DB_PASSWORD}"), 0);
        assert_eq!(found("password = \"{{ .Values.password }}\""), 0);
        assert_eq!(found("password: Zt4qRm81pLw3Xn9k"), 1);
    }

    #[test]
    fn file_rules_apply_to_binary_files() {
        let e = engine(
            r#"
[[rules]]
id = "pkcs12"
path = '''(?i)\.(p12|pfx)$'''
"#,
        );
        let s = e.scan("certs/client.p12", b"\0\x01\x02", None);
        assert_eq!(s.matches.len(), 1);
        assert_eq!(s.matches[0].line, 1);
    }

    #[test]
    fn huge_single_line_is_bounded() {
        let e = engine(AWS);
        let mut line = "x".repeat(3_000_000);
        line.push_str(" AKIAQWERTYUIOPASDFGH ");
        line.push_str(&"y".repeat(3_000_000));
        let s = e.scan("min.js", line.as_bytes(), None);
        assert_eq!(s.matches.len(), 1);
        assert_eq!(s.matches[0].line, 1);
    }

    #[test]
    fn rule_allowlists_with_targets() {
        let e = engine(
            r#"
[[rules]]
id = "aws"
regex = '''\b((?:AKIA|ASIA)[A-Z2-7]{16})\b'''
keywords = ["akia"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''fixture''']
[[rules.allowlists]]
paths = ['''^docs/''']
"#,
        );
        assert_eq!(
            e.scan("a", b"AKIAQWERTYUIOPASDFGH fixture", None)
                .allowlisted,
            1
        );
        assert_eq!(
            e.scan("docs/x.md", b"AKIAQWERTYUIOPASDFGH", None)
                .allowlisted,
            1
        );
        assert_eq!(
            e.scan("src/x", b"AKIAQWERTYUIOPASDFGH", None).matches.len(),
            1
        );
    }

    #[test]
    fn only_the_rules_a_file_needs_are_compiled() {
        let e = Engine::new(RuleSet::builtin(), Vec::new());
        let s = e.scan(
            "config/app.ini",
            b"aws_access_key_id = AKIAZQ3DRSLTWUMN6HGA\n",
            None,
        );
        assert!(!s.matches.is_empty());
        let compiled = e
            .rules
            .iter()
            .filter(|r| r.regex.as_ref().is_some_and(|p| p.is_compiled()))
            .count();
        let analysed = e.locality.iter().filter(|l| l.get().is_some()).count();
        assert!(compiled <= 20, "{compiled} regexes compiled");
        assert!(analysed <= 40, "{analysed} rules analysed");
    }

    #[test]
    fn a_dockerfile_secret_is_one_finding() {
        let e = Engine::new(RuleSet::builtin(), Vec::new());
        let text = "FROM alpine:3.20\nENV API_KEY=\"hJ8s9dK2lQ0wX7zPa1\"\nENV DB_PASSWORD=Tq8vLz2Wp5kXm1Rq\nARG NPM_TOKEN=npm_Zt4qRm81pLw3Xn9kQ2\nENV A=1 \\\n    SECRET_KEY=kQ8vN2xR7pL4mZ9tWq\nLABEL deploy.api_key=\"oUyJrJJkLaWMs0ywlZ6qKcnhKJnU\"\n";
        let s = e.scan("Dockerfile", text.as_bytes(), None);
        let mut per_secret: HashMap<Vec<u8>, Vec<&str>> = HashMap::new();
        for m in &s.matches {
            per_secret
                .entry(m.secret.clone())
                .or_default()
                .push(e.rules[m.rule].id.as_str());
        }
        for secret in [
            "hJ8s9dK2lQ0wX7zPa1",
            "Tq8vLz2Wp5kXm1Rq",
            "npm_Zt4qRm81pLw3Xn9kQ2",
            "kQ8vN2xR7pL4mZ9tWq",
            "oUyJrJJkLaWMs0ywlZ6qKcnhKJnU",
        ] {
            let rules = per_secret
                .get(secret.as_bytes())
                .cloned()
                .unwrap_or_default();
            assert_eq!(rules.len(), 1, "{secret}: {rules:?}");
            let rule = e.rules.iter().find(|r| r.id == rules[0]).unwrap();
            assert_eq!(
                rule.control,
                crate::rules::Control::Image,
                "{secret}: {rules:?}"
            );
        }
    }
}
