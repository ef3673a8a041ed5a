//! The keyword prefilter: every rule keyword in one case-insensitive Aho-Corasick automaton, made
//! a flat DFA table ([`Table`]) once a scan has read a megabyte, walked over a file in several
//! interleaved lanes.
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
use aho_corasick::{Anchored, MatchKind};
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

/// Bytes walked with the contiguous NFA before the DFA table is built: building it for the
/// built-in keywords takes milliseconds and half a megabyte, which a scan of a few files (a
/// pre-commit hook) would spend on nothing. The NFA walks the built-in keywords at about
/// 70 MB/s, so a megabyte of it costs about what building the table does: past that the table,
/// over ten times faster, pays for itself.
const DFA_AFTER: u64 = 1 << 20;

pub struct Keywords {
    patterns: Vec<String>,
    /// Cheap to build, slower to walk: used until [`DFA_AFTER`] bytes have been walked, and the
    /// source of the table.
    nfa: contiguous::NFA,
    dfa: OnceLock<Table>,
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
    fn dfa(&self, len: usize) -> Option<&Table> {
        if let Some(d) = self.dfa.get() {
            return Some(d);
        }
        let walked = self.walked.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
        (walked >= DFA_AFTER).then(|| {
            self.dfa
                .get_or_init(|| Table::new(&self.nfa, &self.patterns))
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

    fn walk_with<A: Walk>(
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
    fn walk<const L: usize, A: Walk>(
        &self,
        d: &A,
        data: &[u8],
        out: &mut Vec<Hit>,
        lane_budget: usize,
    ) -> Option<Vec<bool>> {
        let start = d.start();
        let n = data.len();
        // Lane i owns the hits ending in (from[i], to[i]]; it reads from `from - longest + 1`.
        let from: [usize; L] = std::array::from_fn(|i| i * n / L);
        let to: [usize; L] = std::array::from_fn(|i| (i + 1) * n / L);
        let mut pos: [usize; L] = std::array::from_fn(|i| from[i].saturating_sub(self.longest - 1));
        let mut sid = [start; L];
        let mut lanes: [Vec<Hit>; L] = std::array::from_fn(|_| Vec::new());
        let mut seen: Option<Vec<bool>> = None;
        let mut record = |lane: &mut Vec<Hit>, s, end: usize| {
            d.each_match(s, |p| {
                if lane.len() >= lane_budget {
                    seen.get_or_insert_with(|| vec![false; self.lens.len()])[p as usize] = true;
                    return;
                }
                lane.push(Hit {
                    start: end - self.lens[p as usize],
                    end,
                    pattern: p,
                });
            });
        };
        // All lanes together for as long as the shortest has bytes, then each to its end.
        let steps = (0..L).map(|i| to[i] - pos[i]).min().unwrap_or(0);
        let stretch: [&[u8]; L] = std::array::from_fn(|i| &data[pos[i]..pos[i] + steps]);
        for j in 0..steps {
            for i in 0..L {
                let s = d.next(sid[i], stretch[i][j]);
                sid[i] = s;
                if d.is_match(s) {
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
                let s = d.next(sid[i], b);
                sid[i] = s;
                if d.is_match(s) {
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

/// One step at a time through a keyword automaton, as [`Keywords::walk`] needs it.
trait Walk {
    type State: Copy;
    fn start(&self) -> Self::State;
    fn next(&self, s: Self::State, byte: u8) -> Self::State;
    fn is_match(&self, s: Self::State) -> bool;
    /// The keyword ids ending at a match state.
    fn each_match(&self, s: Self::State, f: impl FnMut(u32));
}

impl Walk for contiguous::NFA {
    type State = aho_corasick::automaton::StateID;

    fn start(&self) -> Self::State {
        self.start_state(Anchored::No)
            .expect("an unanchored automaton has an unanchored start state")
    }

    #[inline(always)]
    fn next(&self, s: Self::State, byte: u8) -> Self::State {
        self.next_state(Anchored::No, s, byte)
    }

    #[inline(always)]
    fn is_match(&self, s: Self::State) -> bool {
        self.is_special(s) && Automaton::is_match(self, s)
    }

    fn each_match(&self, s: Self::State, mut f: impl FnMut(u32)) {
        for k in 0..self.match_len(s) {
            f(self.match_pattern(s, k).as_u32());
        }
    }
}

/// The keyword automaton as one flat transition table: a state is its row's offset, a byte is
/// read through its class, and the states with matches come last, so that a step is two loads
/// and a match test one comparison (the generic automaton's step costs about three times the
/// instructions).
///
/// The classes need no analysis: the automaton is ASCII case-insensitive, so a letter and its
/// other case step alike, and a byte in no keyword leads every state back to the start, so all
/// such bytes are one class.
struct Table {
    classes: [u8; 256],
    trans: Vec<u32>,
    start: u32,
    /// Rows from this offset on are match states.
    first_match: u32,
    stride: u32,
    /// Per match state (from `first_match`), its range of `match_ids`.
    match_ranges: Vec<(u32, u32)>,
    match_ids: Vec<u32>,
}

impl Table {
    /// The states of `nfa` reachable from its unanchored start, as a table.
    fn new(nfa: &contiguous::NFA, patterns: &[String]) -> Table {
        use aho_corasick::automaton::StateID;
        use std::collections::HashMap;
        let mut classes = [0u8; 256];
        let mut reps: Vec<u8> = vec![0];
        let mut lowered: Vec<u8> = patterns
            .iter()
            .flat_map(|p| p.bytes())
            .map(|b| b.to_ascii_lowercase())
            .collect();
        lowered.sort_unstable();
        lowered.dedup();
        // A byte in no keyword: class 0 (represented by a byte outside every keyword, if any).
        if let Some(other) =
            (0..=255u8).find(|b| lowered.binary_search(&b.to_ascii_lowercase()).is_err())
        {
            reps[0] = other;
        }
        for &b in &lowered {
            classes[b as usize] = reps.len() as u8;
            classes[b.to_ascii_uppercase() as usize] = reps.len() as u8;
            reps.push(b);
        }
        let stride = reps.len();
        // Breadth-first from the start; then match states moved last.
        let start = Walk::start(nfa);
        let mut order: Vec<StateID> = vec![start];
        let mut index: HashMap<StateID, usize> = HashMap::from([(start, 0)]);
        let mut next_of: Vec<StateID> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let s = order[i];
            for &r in &reps {
                let n = nfa.next_state(Anchored::No, s, r);
                next_of.push(n);
                if let std::collections::hash_map::Entry::Vacant(e) = index.entry(n) {
                    e.insert(order.len());
                    order.push(n);
                }
            }
            i += 1;
        }
        let is_match = |s: StateID| Walk::is_match(nfa, s);
        let mut rank: Vec<usize> = (0..order.len()).collect();
        rank.sort_by_key(|&k| (is_match(order[k]), k));
        // rank[new] = old; position[old] = new.
        let mut position = vec![0usize; order.len()];
        for (new, &old) in rank.iter().enumerate() {
            position[old] = new;
        }
        let mut trans = vec![0u32; order.len() * stride];
        for (old, row) in next_of.chunks(stride).enumerate() {
            let at = position[old] * stride;
            for (c, n) in row.iter().enumerate() {
                trans[at + c] = (position[index[n]] * stride) as u32;
            }
        }
        let first = rank
            .iter()
            .position(|&k| is_match(order[k]))
            .unwrap_or(order.len());
        let mut match_ranges = Vec::new();
        let mut match_ids = Vec::new();
        for &old in &rank[first..] {
            let from = match_ids.len() as u32;
            nfa.each_match(order[old], |p| match_ids.push(p));
            match_ranges.push((from, match_ids.len() as u32));
        }
        Table {
            classes,
            trans,
            start: (position[0] * stride) as u32,
            first_match: (first * stride) as u32,
            stride: stride as u32,
            match_ranges,
            match_ids,
        }
    }
}

impl Walk for Table {
    type State = u32;

    fn start(&self) -> u32 {
        self.start
    }

    #[inline(always)]
    fn next(&self, s: u32, byte: u8) -> u32 {
        self.trans[s as usize + self.classes[byte as usize] as usize]
    }

    #[inline(always)]
    fn is_match(&self, s: u32) -> bool {
        s >= self.first_match
    }

    fn each_match(&self, s: u32, mut f: impl FnMut(u32)) {
        let (from, to) = self.match_ranges[((s - self.first_match) / self.stride) as usize];
        for &p in &self.match_ids[from as usize..to as usize] {
            f(p);
        }
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
        let table = Table::new(&kw.nfa, &patterns);
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
                b"x\xe9Z",
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
            // The flat table finds the same, in the same order.
            got.clear();
            kw.walk_with(&table, data, &mut got, usize::MAX);
            assert_eq!(got, want, "length {len}, table");
        }
    }
}
