//! Runbooks (GOV-01) and scheduled backups (GOV-02).

use crate::Repo;
use std::sync::Arc;

const DOC_EXTS: &[&str] = &[".md", ".markdown", ".adoc", ".rst", ".txt"];

/// A document's headings with their line, read from Markdown (`#`), AsciiDoc (`=`) and
/// reStructuredText (a title underlined with `=`, `-`, `~`).
fn headings(text: &str) -> Vec<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if t.starts_with('#') || t.starts_with("= ") || t.starts_with("== ") {
            out.push((
                i as u32 + 1,
                t.trim_start_matches(['#', '=']).trim().to_lowercase(),
            ));
        } else if let Some(next) = lines.get(i + 1) {
            let n = next.trim();
            if !t.is_empty()
                && n.len() >= 3
                && n.chars().all(|c| matches!(c, '=' | '-' | '~'))
                && n.len() >= t.chars().count().min(3)
            {
                out.push((i as u32 + 1, t.to_lowercase()));
            }
        }
    }
    out
}

pub(crate) fn any_word(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

pub(crate) const DEPLOY_NAMES: &[&str] = &[
    "deploy",
    "déploiement",
    "deploiement",
    "runbook",
    "exploitation",
    "release",
    "mise-en-production",
    "mise_en_production",
    "operations",
];
pub(crate) const ROLLBACK: &[&str] = &[
    "rollback",
    "roll back",
    "roll-back",
    "retour arrière",
    "retour arriere",
    "retour en arrière",
    "revenir à la version",
    "revenir a la version",
    "downgrade",
    "restaurer la version",
];
pub(crate) const INCIDENT: &[&str] = &[
    "incident",
    "post-mortem",
    "postmortem",
    "post mortem",
    "crise",
    "gestion de crise",
    "on-call",
    "astreinte",
];

/// The documents of the root and `docs/` that may be runbooks (GOV-01), read once.
pub(crate) struct Runbooks<'a> {
    /// Every candidate path, read or not.
    pub(crate) candidates: Vec<&'a str>,
    /// The candidates that could be read.
    pub(crate) pages: Vec<Page<'a>>,
}

/// A candidate document and its headings.
pub(crate) struct Page<'a> {
    pub(crate) rel: &'a str,
    pub(crate) path: Arc<str>,
    /// The file name, lowercased.
    pub(crate) stem: String,
    pub(crate) headings: Vec<(u32, String)>,
}

impl Runbooks<'_> {
    /// The document a repository-wide documentation finding points at: the README, else the first.
    pub(crate) fn anchor(&self) -> &str {
        self.candidates
            .iter()
            .copied()
            .find(|c| c.to_ascii_lowercase().starts_with("readme"))
            .or_else(|| self.candidates.first().copied())
            .unwrap_or("README.md")
    }
}

/// Documentation files at the root or under `docs/`, with their headings.
pub(crate) fn runbooks<'a>(repo: &Repo<'a>) -> Runbooks<'a> {
    let candidates: Vec<&str> = repo
        .files
        .iter()
        .copied()
        .filter(|f| {
            let l = f.to_ascii_lowercase();
            DOC_EXTS.iter().any(|e| l.ends_with(e))
                && (!f.contains('/')
                    || l.starts_with("docs/")
                    || l.starts_with("doc/")
                    || l.starts_with("documentation/"))
        })
        .collect();
    let pages = candidates
        .iter()
        .filter_map(|rel| {
            let text = (repo.read)(rel)?;
            Some(Page {
                rel,
                path: Arc::from(*rel),
                stem: rel.rsplit('/').next().unwrap_or(rel).to_lowercase(),
                headings: headings(&text),
            })
        })
        .collect();
    Runbooks { candidates, pages }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_in_three_syntaxes() {
        let h = headings(
            "# Déploiement\n\ntext\n\n## Retour arrière\n```\n# not a heading\n```\nRollback\n========\n= Incident\n",
        );
        let titles: Vec<&str> = h.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            titles,
            ["déploiement", "retour arrière", "rollback", "incident"]
        );
        assert_eq!(h[1].0, 5);
    }
}
