//! The repository's files, read on demand within the root and the size limit.
//!
//! Every analysis reads through here, so this is where a file that cannot be read is never
//! lost: each failure (too large, binary, not a regular file, I/O) and each lossy decoding
//! becomes a located diagnostic of the scan, whichever analysis asked.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use vigie_checks::FileLookup;
use vigie_core::Diagnostic;
use vigie_parse::compose;
use vigie_parse::discover::read_text;

pub(crate) struct RepoFiles {
    root: PathBuf,
    canonical_root: PathBuf,
    pub(crate) limit: u64,
    single_file: bool,
    /// What reading noted (failures, lossy decodings), for the report's diagnostics.
    pub(crate) notes: Mutex<Vec<Diagnostic>>,
}

impl RepoFiles {
    /// The files under `root`; when `root` is a file, no other file is read.
    pub(crate) fn new(root: &Path, limit: u64) -> Self {
        let single_file = root.is_file();
        let canonical_root = if single_file {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
        };
        RepoFiles {
            root: root.to_path_buf(),
            canonical_root,
            limit,
            single_file,
            notes: Default::default(),
        }
    }

    pub(crate) fn resolve(&self, rel: &str) -> Option<PathBuf> {
        if self.single_file {
            return None;
        }
        let norm = compose::join("", rel)?;
        let p = self.root.join(&norm);
        let c = p.canonicalize().ok()?;
        c.starts_with(&self.canonical_root).then_some(p)
    }
}

impl FileLookup for RepoFiles {
    fn exists(&self, path: &str) -> bool {
        self.resolve(path).is_some_and(|p| p.is_file())
    }

    fn read(&self, path: &str) -> Option<String> {
        let abs = self.resolve(path)?;
        let rel: Arc<str> = Arc::from(path);
        let mut notes = Vec::new();
        let text = match read_text(&abs, self.limit) {
            Ok(t) => Some(t.noted(&rel, &mut notes)),
            Err(e) => {
                notes.push(e.into_diagnostic(rel, self.limit));
                None
            }
        };
        if !notes.is_empty()
            && let Ok(mut g) = self.notes.lock()
        {
            g.extend(notes);
        }
        text
    }
}
