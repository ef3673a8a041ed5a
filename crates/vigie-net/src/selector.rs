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
            .all(|(k, v)| labels.get(k).is_some_and(|x| x == v))
            && self.exprs.iter().all(|(k, op)| match op {
                Op::In(vs) => labels.get(k).is_some_and(|x| vs.contains(x)),
                Op::NotIn(vs) => labels.get(k).is_none_or(|x| !vs.contains(x)),
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

/// A fixed-size set of small integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    pub fn new(n: usize) -> Self {
        BitSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    pub fn full(n: usize) -> Self {
        let mut b = BitSet::new(n);
        for i in 0..n {
            b.insert(i);
        }
        b
    }

    pub fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn union_with(&mut self, o: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&o.words) {
            *a |= b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(i * 64 + t)
            })
        })
    }
}

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
    }
}
