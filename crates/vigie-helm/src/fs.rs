//! The file system a chart is read from: a folder on disk, or anything else that can list and
//! read files by `/`-separated relative paths (a test's in-memory tree, a git object store).

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

/// Read-only access to files by relative `/`-separated path.
pub trait Fs: Sync {
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
    /// Entries of a folder: (name, is_dir). Symbolic links are not followed.
    fn list(&self, dir: &str) -> io::Result<Vec<(String, bool)>>;
}

/// Files under a root folder on disk.
pub struct DirFs {
    root: PathBuf,
}

impl DirFs {
    pub fn new(root: impl Into<PathBuf>) -> DirFs {
        DirFs { root: root.into() }
    }
    fn path(&self, p: &str) -> PathBuf {
        if p.starts_with('/') {
            return PathBuf::from(p);
        }
        let mut r = self.root.clone();
        for part in p.split('/').filter(|s| !s.is_empty() && *s != ".") {
            r.push(part);
        }
        r
    }
}

impl Fs for DirFs {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(path))
    }
    fn list(&self, dir: &str) -> io::Result<Vec<(String, bool)>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.path(dir))? {
            let e = e?;
            let ft = e.file_type()?;
            if ft.is_symlink() {
                continue;
            }
            out.push((e.file_name().to_string_lossy().into_owned(), ft.is_dir()));
        }
        out.sort();
        Ok(out)
    }
}

/// Files held in memory (tests, fuzzing).
#[derive(Default)]
pub struct MemFs {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MemFs {
    pub fn new() -> MemFs {
        MemFs::default()
    }
    pub fn add(&mut self, path: &str, data: impl Into<Vec<u8>>) -> &mut MemFs {
        self.files
            .insert(path.trim_start_matches('/').to_string(), data.into());
        self
    }
}

impl Fs for MemFs {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        self.files
            .get(path.trim_start_matches("./"))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, path.to_string()))
    }
    fn list(&self, dir: &str) -> io::Result<Vec<(String, bool)>> {
        let prefix = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        let mut out: BTreeMap<String, bool> = BTreeMap::new();
        for k in self.files.keys() {
            if let Some(rest) = k.strip_prefix(&prefix) {
                match rest.split_once('/') {
                    Some((d, _)) => {
                        out.insert(d.to_string(), true);
                    }
                    None => {
                        out.insert(rest.to_string(), false);
                    }
                }
            }
        }
        if out.is_empty() && !prefix.is_empty() {
            return Err(io::Error::new(io::ErrorKind::NotFound, dir.to_string()));
        }
        Ok(out.into_iter().collect())
    }
}
