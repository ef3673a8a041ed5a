//! Label selectors (`matchLabels`, `matchExpressions`) and a small bit set over pods.

use std::collections::BTreeMap;
use vigie_parse::yaml::Node;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
}

/// Marks a label value a controller generates (a CronJob's job names, a StatefulSet's pod
/// names, a Job's uid): the rest of the value is the prefix every generated value has, and a
/// selector value with that prefix matches it.
pub const GENERATED: char = '\u{1}';

/// Whether a pod's label value `have` is the selector's `want`.
fn value_matches(have: &str, want: &str) -> bool {
    match have.strip_prefix(GENERATED) {
        Some(prefix) => want.len() > prefix.len() && want.starts_with(prefix),
        None => have == want,
    }
}

/// A label selector. The empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Selector {
    pub labels: Vec<(String, String)>,
    pub exprs: Vec<(String, Op)>,
}

impl Selector {
    /// A `{matchLabels, matchExpressions}` selector. Errors name the faulty part.
    pub fn parse(n: &Node) -> Result<Selector, String> {
        let mut s = Selector::default();
        for e in n.get("matchLabels").map(Node::entries).unwrap_or(&[]) {
            s.labels.push((
                e.key.clone(),
                e.value.as_str().unwrap_or_default().to_string(),
            ));
        }
        for x in n.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
            let key = x
                .get("key")
                .and_then(Node::as_str)
                .ok_or("a matchExpressions entry has no key")?
                .to_string();
            let values: Vec<String> = x
                .get("values")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let op = match x.get("operator").and_then(Node::as_str) {
                Some("In") => Op::In(values),
                Some("NotIn") => Op::NotIn(values),
                Some("Exists") => Op::Exists,
                Some("DoesNotExist") => Op::DoesNotExist,
                Some(o) => return Err(format!("unknown matchExpressions operator `{o}`")),
                None => return Err("a matchExpressions entry has no operator".into()),
            };
            s.exprs.push((key, op));
        }
        s.labels.sort();
        s.exprs.sort();
        Ok(s)
    }

    /// A Service's `selector:` (a plain map).
    pub fn from_map(n: &Node) -> Selector {
        let mut s = Selector::default();
        for e in n.entries() {
            s.labels.push((
                e.key.clone(),
                e.value.as_str().unwrap_or_default().to_string(),
            ));
        }
        s.labels.sort();
        s
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.exprs.is_empty()
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|x| value_matches(x, v)))
            && self.exprs.iter().all(|(k, op)| match op {
                Op::In(vs) => labels
                    .get(k)
                    .is_some_and(|x| vs.iter().any(|v| value_matches(x, v))),
                Op::NotIn(vs) => labels
                    .get(k)
                    .is_none_or(|x| !vs.iter().any(|v| value_matches(x, v))),
                Op::Exists => labels.contains_key(k),
                Op::DoesNotExist => !labels.contains_key(k),
            })
    }

    pub fn show(&self) -> String {
        if self.is_empty() {
            return "{} (every pod)".into();
        }
        let mut parts: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for (k, op) in &self.exprs {
            parts.push(match op {
                Op::In(v) => format!("{k} in ({})", v.join(",")),
                Op::NotIn(v) => format!("{k} notin ({})", v.join(",")),
                Op::Exists => k.clone(),
                Op::DoesNotExist => format!("!{k}"),
            });
        }
        parts.join(",")
    }
}

/// A set of pod indices. Only the words between the lowest and the highest member are stored:
/// the pods a selector picks sit in one namespace, and a namespace's pods have neighbouring
/// indices, so a Service's or a policy's set costs a few words, not one bit per pod of the whole
/// platform (with 33,000 pods that was 4 KB per Service and per policy rule).
#[derive(Debug, Clone, Default)]
pub struct BitSet {
    /// Index of the first stored word.
    base: usize,
    words: Vec<u64>,
}

impl BitSet {
    /// An empty set (the size is only a hint: members may be any index).
    pub fn new(_n: usize) -> Self {
        BitSet::default()
    }

    pub fn full(n: usize) -> Self {
        let mut words = vec![u64::MAX; n / 64];
        if !n.is_multiple_of(64) {
            words.push((1u64 << (n % 64)) - 1);
        }
        BitSet { base: 0, words }
    }

    /// Store the words `lo..=hi` (zero where new).
    fn cover(&mut self, lo: usize, hi: usize) {
        if self.words.is_empty() {
            self.base = lo;
            self.words = vec![0; hi - lo + 1];
            return;
        }
        if lo < self.base {
            let grow = self.base - lo;
            self.words.splice(0..0, std::iter::repeat_n(0, grow));
            self.base = lo;
        }
        if hi >= self.base + self.words.len() {
            self.words.resize(hi - self.base + 1, 0);
        }
    }

    pub fn insert(&mut self, i: usize) {
        let w = i / 64;
        self.cover(w, w);
        self.words[w - self.base] |= 1 << (i % 64);
    }

    pub fn contains(&self, i: usize) -> bool {
        (i / 64)
            .checked_sub(self.base)
            .and_then(|w| self.words.get(w))
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn union_with(&mut self, o: &BitSet) {
        if o.words.is_empty() {
            return;
        }
        self.cover(o.base, o.base + o.words.len() - 1);
        let off = o.base - self.base;
        for (a, b) in self.words[off..].iter_mut().zip(&o.words) {
            *a |= b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let base = self.base;
        self.words.iter().enumerate().flat_map(move |(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros() as usize;
                w &= w - 1;
                Some((base + i) * 64 + t)
            })
        })
    }
}

/// Equal when the members are, whatever words are stored.
impl PartialEq for BitSet {
    fn eq(&self, o: &BitSet) -> bool {
        self.iter().eq(o.iter())
    }
}

impl Eq for BitSet {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset() {
        let mut b = BitSet::new(130);
        b.insert(0);
        b.insert(64);
        b.insert(129);
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![0, 64, 129]);
        assert!(b.contains(64) && !b.contains(1));
        assert_eq!(BitSet::full(70).iter().count(), 70);
        assert_eq!(BitSet::full(128).iter().count(), 128);
    }

    #[test]
    fn bitset_stores_only_the_span_of_its_members() {
        let mut b = BitSet::new(100_000);
        b.insert(70_001);
        b.insert(70_050);
        assert_eq!(b.words.len(), 2);
        // Growing downwards and upwards keeps the members.
        b.insert(64_000);
        b.insert(90_000);
        assert_eq!(
            b.iter().collect::<Vec<_>>(),
            vec![64_000, 70_001, 70_050, 90_000]
        );
        assert!(
            b.contains(70_050) && !b.contains(70_051) && !b.contains(5) && !b.contains(200_000)
        );
        let mut u = BitSet::new(0);
        u.union_with(&b);
        let mut low = BitSet::new(0);
        low.insert(3);
        u.union_with(&low);
        assert_eq!(
            u.iter().collect::<Vec<_>>(),
            vec![3, 64_000, 70_001, 70_050, 90_000]
        );
        u.union_with(&BitSet::new(0));
        assert_eq!(u.iter().count(), 5);
        // Equality is by members.
        let mut a = BitSet::new(0);
        a.insert(3);
        let mut c = BitSet::full(10);
        c.words[0] = 1 << 3;
        assert_eq!(a, c);
        assert!(BitSet::new(5).is_empty() && BitSet::new(5) == BitSet::default());
    }
}
