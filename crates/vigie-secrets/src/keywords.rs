//! The keyword prefilter: every rule keyword in one case-insensitive Aho-Corasick DFA, walked over
//! a file in several interleaved lanes.
//!
//! A DFA walk is bound by the latency of its transition-table loads: each byte's next state
//! depends on the previous one. Splitting the content into [`LANES`] stretches and advancing one
//! state per stretch in turn gives the processor independent loads to overlap; on the benchmark
//! tree this takes the walk from about 600 MB/s to about 1 GB/s per core. Each lane starts
//! `longest keyword - 1` bytes before its stretch so that a keyword straddling two stretches is
//! found, and reports only the hits that end inside its own stretch: the hits are exactly those
//! of one sequential overlapping search, in the same order.

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous;
use aho_corasick::{Anchored, MatchKind, dfa};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Interleaved lanes: two already give most of the gain on small cores, three a little more.
pub const LANES: usize = 3;
/// Below this many bytes per lane a file is walked in one lane.
const MIN_LANE: usize = 4096;

/// One keyword occurrence: the byte range and which keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub pattern: u32,
}

/// Bytes walked with the contiguous NFA before the DFA is built: building the DFA of the
/// built-in keywords takes a few milliseconds and about a megabyte, which a scan of a few files
/// (a pre-commit hook) would spend on nothing. The NFA walks the built-in keywords at about
/// 70 MB/s, so a megabyte of it costs about what building the DFA does: past that the DFA, some
/// fifteen times faster, pays for itself.
const DFA_AFTER: u64 = 1 << 20;

pub struct Keywords {
    patterns: Vec<String>,
    /// Cheap to build, slower to walk: used until [`DFA_AFTER`] bytes have been walked.
    nfa: contiguous::NFA,
    dfa: OnceLock<dfa::DFA>,
    walked: AtomicU64,
    /// Length of each keyword in bytes.
    lens: Vec<usize>,
    longest: usize,
}

impl Keywords {
    /// `None` when there is no keyword.
    pub fn new(patterns: &[String]) -> Option<Keywords> {
        if patterns.is_empty() {
            return None;
        }
        let nfa = contiguous::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .expect("keywords are plain strings and few enough for an automaton");
        let lens: Vec<usize> = patterns.iter().map(|p| p.len()).collect();
        let longest = lens.iter().copied().max().unwrap_or(1).max(1);
        Some(Keywords {
            patterns: patterns.to_vec(),
            nfa,
            dfa: OnceLock::new(),
            walked: AtomicU64::new(0),
            lens,
            longest,
        })
    }

    /// The DFA once enough bytes have been walked to make building it worth it.
    fn dfa(&self, len: usize) -> Option<&dfa::DFA> {
        if let Some(d) = self.dfa.get() {
            return Some(d);
        }
        let walked = self.walked.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
        (walked >= DFA_AFTER).then(|| {
            self.dfa.get_or_init(|| {
                dfa::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&self.patterns)
                    .expect("keywords are plain strings and few enough for a DFA")
            })
        })
    }

    /// Every keyword occurrence in `data` (overlapping ones included), by increasing end, into
    /// `out` (cleared first).
    #[cfg(test)]
    pub fn find_all(&self, data: &[u8], out: &mut Vec<Hit>) {
        let overflow = self.find_bounded(data, out, usize::MAX);
        debug_assert!(overflow.is_none());
    }

    /// As `find_all`, keeping at most about `budget` hits: past it (a file that is one long run of
    /// a keyword, such as 50 MB of `A` against a keyword of `a`s), the walk goes on only noting
    /// which keywords occur, and returns them (`seen[pattern]`). The caller then searches those
    /// keywords' rules over the whole content: the work stays linear and the memory bounded.
    pub fn find_bounded(
        &self,
        data: &[u8],
        out: &mut Vec<Hit>,
        budget: usize,
    ) -> Option<Vec<bool>> {
        out.clear();
        match self.dfa(data.len()) {
            Some(d) => self.walk_with(d, data, out, budget),
            None => self.walk_with(&self.nfa, data, out, budget),
        }
    }

    /// Length in bytes of the longest keyword.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// Every keyword occurrence lying entirely inside `data[range]`, appended to `out` by
    /// increasing end, offsets counted from the start of `data`.
    pub fn find_in(&self, data: &[u8], range: std::ops::Range<usize>, out: &mut Vec<Hit>) {
        let part = &data[range.clone()];
        let mut found = Vec::new();
        match self.dfa(part.len()) {
            Some(d) => self.walk::<1, _>(d, part, &mut found, usize::MAX),
            None => self.walk::<1, _>(&self.nfa, part, &mut found, usize::MAX),
        };
        out.extend(found.into_iter().map(|h| Hit {
            start: h.start + range.start,
            end: h.end + range.start,
            pattern: h.pattern,
        }));
    }

    fn walk_with<A: Automaton>(
        &self,
        d: &A,
        data: &[u8],
        out: &mut Vec<Hit>,
        budget: usize,
    ) -> Option<Vec<bool>> {
        if data.len() < MIN_LANE * LANES {
            self.walk::<1, A>(d, data, out, budget)
        } else {
            self.walk::<LANES, A>(d, data, out, budget / LANES)
        }
    }

    // The loops index the lanes on purpose: one byte of each lane per round is the point.
    #[allow(clippy::needless_range_loop)]
    fn walk<const L: usize, A: Automaton>(
        &self,
        d: &A,
        data: &[u8],
        out: &mut Vec<Hit>,
        lane_budget: usize,
    ) -> Option<Vec<bool>> {
        let start = d
            .start_state(Anchored::No)
            .expect("an unanchored automaton has an unanchored start state");
        let n = data.len();
        // Lane i owns the hits ending in (from[i], to[i]]; it reads from `from - longest + 1`.
        let from: [usize; L] = std::array::from_fn(|i| i * n / L);
        let to: [usize; L] = std::array::from_fn(|i| (i + 1) * n / L);
        let mut pos: [usize; L] = std::array::from_fn(|i| from[i].saturating_sub(self.longest - 1));
        let mut sid = [start; L];
        let mut lanes: [Vec<Hit>; L] = std::array::from_fn(|_| Vec::new());
        let mut seen: Option<Vec<bool>> = None;
        let mut record = |lane: &mut Vec<Hit>, s, end: usize| {
            for k in 0..d.match_len(s) {
                let p = d.match_pattern(s, k).as_u32();
                if lane.len() >= lane_budget {
                    seen.get_or_insert_with(|| vec![false; self.lens.len()])[p as usize] = true;
                    continue;
                }
                lane.push(Hit {
                    start: end - self.lens[p as usize],
                    end,
                    pattern: p,
                });
            }
        };
        // All lanes together for as long as the shortest has bytes, then each to its end.
        let steps = (0..L).map(|i| to[i] - pos[i]).min().unwrap_or(0);
        let stretch: [&[u8]; L] = std::array::from_fn(|i| &data[pos[i]..pos[i] + steps]);
        for j in 0..steps {
            for i in 0..L {
                let s = d.next_state(Anchored::No, sid[i], stretch[i][j]);
                sid[i] = s;
                if d.is_special(s) && d.is_match(s) {
                    let end = pos[i] + j + 1;
                    if end > from[i] {
                        record(&mut lanes[i], s, end);
                    }
                }
            }
        }
        for i in 0..L {
            pos[i] += steps;
            for (j, &b) in data[pos[i]..to[i]].iter().enumerate() {
                let s = d.next_state(Anchored::No, sid[i], b);
                sid[i] = s;
                if d.is_special(s) && d.is_match(s) {
                    let end = pos[i] + j + 1;
                    if end > from[i] {
                        record(&mut lanes[i], s, end);
                    }
                }
            }
            if L == 1 {
                std::mem::swap(out, &mut lanes[i]);
            } else {
                out.append(&mut lanes[i]);
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_a_keyword_is_bounded() {
        let kw = Keywords::new(&["aaaa".to_string(), "zz".to_string()]).unwrap();
        let data = vec![b'A'; 1 << 20];
        let mut out = Vec::new();
        let seen = kw.find_bounded(&data, &mut out, 1000).expect("over budget");
        assert!(out.len() <= 1000, "{}", out.len());
        assert_eq!(seen, vec![true, false]);
        // Under the budget: every hit, no overflow.
        assert!(kw.find_bounded(b"xx aaaa zz", &mut out, 1000).is_none());
        assert_eq!(out.len(), 2);
    }
    use aho_corasick::AhoCorasickBuilder;

    /// The lanes find exactly what one sequential overlapping search finds, in its order,
    /// keywords straddling lane boundaries included.
    #[test]
    fn lanes_agree_with_a_sequential_search() {
        let patterns: Vec<String> = ["pass", "password", "://", "AKIA", "ghp_", "secret", "s"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let kw = Keywords::new(&patterns).unwrap();
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .unwrap();
        let mut text = Vec::new();
        let mut seed = 7u64;
        for _ in 0..60_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let words: [&[u8]; 8] = [
                b"PassWord",
                b" ",
                b"https://",
                b"akia",
                b"x",
                b"\n",
                b"SECRET",
                b"ghp_",
            ];
            text.extend_from_slice(words[(seed >> 33) as usize % words.len()]);
        }
        for len in [0, 1, 5, 100, 4096 * 3 - 1, 4096 * 3, 20_000, text.len()] {
            let data = &text[..len];
            let want: Vec<Hit> = ac
                .find_overlapping_iter(data)
                .map(|m| Hit {
                    start: m.start(),
                    end: m.end(),
                    pattern: m.pattern().as_u32(),
                })
                .collect();
            let mut got = Vec::new();
            kw.find_all(data, &mut got);
            assert_eq!(got, want, "length {len}");
        }
    }
}
