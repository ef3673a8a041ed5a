//! Discovery: one parallel walk of the repository that sees hidden folders (`.github/`), never
//! enters `.git/`, honours `.gitignore` when asked, does not follow symbolic links, and
//! classifies each file by its name (Kubernetes YAML is recognised later by its content).

use crate::compose::is_compose_name;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use vigie_core::glob::PathGlob;
use vigie_core::{DiagKind, Diagnostic, Location};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Dockerfile,
    Compose,
    /// Any other YAML or JSON file: a Kubernetes manifest if it holds `apiVersion` and `kind`.
    Manifest,
    /// Every other file: read by the repository-level analyses that want it (TLS
    /// configurations, pipelines, lockfiles, Terraform, secrets).
    Other,
}

#[derive(Debug, Clone)]
pub struct Found {
    /// Relative to the root, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    pub kind: FileKind,
    pub size: u64,
}

pub struct Options {
    pub gitignore: bool,
    pub excludes: Vec<PathGlob>,
}

pub struct Discovered {
    /// Every regular file of the walk, sorted by path; those vigie parses itself carry their
    /// kind, the rest [`FileKind::Other`].
    pub files: Vec<Found>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every regular file the walk saw, relevant or not.
    pub seen: usize,
}

/// Classify a file by its name.
pub fn classify(name: &str) -> Option<FileKind> {
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
    {
        return Some(FileKind::Dockerfile);
    }
    if is_compose_name(name) {
        return Some(FileKind::Compose);
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
        return Some(FileKind::Manifest);
    }
    None
}

fn rel_of(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Walk `root` (a folder, or a single file).
pub fn discover(root: &Path, opts: &Options) -> Discovered {
    let mut out = Discovered {
        files: Vec::new(),
        diagnostics: Vec::new(),
        seen: 0,
    };
    if root.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        out.seen = 1;
        let kind = classify(&name).unwrap_or(FileKind::Manifest);
        let size = std::fs::metadata(root).map(|m| m.len()).unwrap_or(0);
        out.files.push(Found {
            rel: name,
            abs: root.to_path_buf(),
            kind,
            size,
        });
        return out;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let found = Mutex::new((Vec::new(), Vec::new(), 0usize));
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(opts.gitignore)
        .git_global(false)
        .git_exclude(opts.gitignore)
        .ignore(false)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel();
    walker.run(|| {
        let found = &found;
        let canonical_root = &canonical_root;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => rel_of(root, path),
                        _ => String::new(),
                    };
                    if let Ok(mut g) = found.lock() {
                        g.1.push(Diagnostic::new(
                            DiagKind::Io,
                            Location::file(Arc::from(path.as_str())),
                            format!("could not be read: {err}"),
                        ));
                    }
                    return ignore::WalkState::Continue;
                }
            };
            let path = entry.path();
            let rel = rel_of(root, path);
            if opts.excludes.iter().any(|g| g.is_match(&rel)) {
                return if entry.file_type().is_some_and(|t| t.is_dir()) {
                    ignore::WalkState::Skip
                } else {
                    ignore::WalkState::Continue
                };
            }
            let Some(ft) = entry.file_type() else {
                return ignore::WalkState::Continue;
            };
            if ft.is_dir() {
                return ignore::WalkState::Continue;
            }
            let name = entry.file_name().to_string_lossy();
            let kind = classify(&name);
            if ft.is_symlink() {
                // A link is scanned through its target when the target is inside the root
                // (the walk reaches the target itself); a link leaving the root, broken, or
                // looping is reported and not followed.
                if kind.is_some() {
                    let diag = match path.canonicalize() {
                        Ok(t) if t.starts_with(canonical_root) => None,
                        Ok(t) => Some(format!(
                            "symbolic link to `{}`, outside the scanned folder: not followed",
                            t.display()
                        )),
                        Err(e) => Some(format!("broken or looping symbolic link: {e}")),
                    };
                    if let Some(m) = diag
                        && let Ok(mut g) = found.lock()
                    {
                        g.1.push(Diagnostic::new(
                            DiagKind::Link,
                            Location::file(Arc::from(rel.as_str())),
                            m,
                        ));
                    }
                }
                return ignore::WalkState::Continue;
            }
            let Ok(mut g) = found.lock() else {
                return ignore::WalkState::Quit;
            };
            g.2 += 1;
            // only regular files are read: a FIFO would block the scan, a device never end
            if let Some(what) = irregular_kind(&ft) {
                let rel = if rel.is_empty() {
                    name.to_string()
                } else {
                    rel
                };
                g.1.push(ReadError::NotRegular(what).into_diagnostic(Arc::from(rel.as_str()), 0));
                return ignore::WalkState::Continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            g.0.push(Found {
                rel,
                abs: path.to_path_buf(),
                kind: kind.unwrap_or(FileKind::Other),
                size,
            });
            ignore::WalkState::Continue
        })
    });
    let (mut files, mut diags, seen) = found.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    diags.sort_by(|a, b| a.location.cmp(&b.location));
    out.files = files;
    out.diagnostics = diags;
    out.seen = seen;
    out
}

/// Why a file's text could not be had.
pub enum ReadError {
    TooLarge(u64),
    Binary,
    /// A FIFO, a device, a socket: reading it could block forever or never end.
    NotRegular(&'static str),
    Io(String),
}

impl ReadError {
    pub fn into_diagnostic(self, path: Arc<str>, limit: u64) -> Diagnostic {
        let loc = Location::file(path);
        match self {
            ReadError::TooLarge(n) => Diagnostic::new(
                DiagKind::TooLarge,
                loc,
                format!(
                    "{n} bytes, over the {limit}-byte limit (max_file_size in vigie.toml, --max-file-size)"
                ),
            ),
            ReadError::Binary => Diagnostic::new(
                DiagKind::Binary,
                loc,
                "binary content (NUL bytes); not read",
            ),
            ReadError::NotRegular(what) => Diagnostic::new(
                DiagKind::Io,
                loc,
                format!("not a regular file ({what}); not read"),
            ),
            ReadError::Io(e) => {
                Diagnostic::new(DiagKind::Io, loc, format!("could not be read: {e}"))
            }
        }
    }
}

/// A file's text as vigie judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// Offset of the first byte that is not UTF-8, when the file was decoded with replacement
    /// characters: its configuration is still judged, and the scan says so.
    pub lossy_at: Option<usize>,
}

impl Text {
    /// The text, with the note saying it was decoded lossily pushed to `diagnostics`.
    pub fn noted(self, path: &Arc<str>, diagnostics: &mut Vec<Diagnostic>) -> String {
        if let Some(d) = self.note(path) {
            diagnostics.push(d);
        }
        self.text
    }

    /// The located note for a lossily decoded file, if it was.
    pub fn note(&self, path: &Arc<str>) -> Option<Diagnostic> {
        self.lossy_at.map(|at| {
            Diagnostic::new(
                DiagKind::Encoding,
                Location::file(path.clone()),
                format!(
                    "not valid UTF-8 (first invalid byte at offset {at}): read with replacement characters and judged"
                ),
            )
        })
    }
}

/// What a file system entry is, when it is not a regular file.
fn irregular_kind(ft: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO");
        }
        if ft.is_char_device() {
            return Some("a character device");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    if ft.is_dir() {
        return Some("a folder");
    }
    (!ft.is_file()).then_some("not a regular file")
}

/// Open a file for reading only if it is a regular file. On Unix the file is opened without
/// blocking (a FIFO would otherwise wait for a writer) and its type checked on the open handle,
/// so nothing can swap it between the check and the read.
fn open_regular(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if let Some(what) = irregular_kind(&meta.file_type()) {
        return Err(ReadError::NotRegular(what));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| ReadError::Io(e.to_string()))?;
    let meta = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    if let Some(what) = irregular_kind(&meta.file_type()) {
        return Err(ReadError::NotRegular(what));
    }
    Ok((file, meta.len()))
}

/// Read at most `limit` bytes of a regular file: the bytes, or why not. Every file vigie reads
/// by path (the scanned tree, `--config`, baselines) goes through here, so a device or a FIFO
/// given by name can neither hang a run nor fill its memory.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let (file, len) = open_regular(path)?;
    if len > limit {
        return Err(ReadError::TooLarge(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Decode bytes as vigie judges text: a byte-order mark is dropped, and bytes that are not
/// UTF-8 become replacement characters (with [`Text::lossy_at`] saying where the first was).
pub fn decode(bytes: Vec<u8>) -> Text {
    let (mut text, lossy_at) = match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Text { text, lossy_at }
}

/// Read a text file with the scan's limits: a regular file, within the size limit, without NUL
/// bytes; text that is not UTF-8 is decoded lossily, never dropped (see [`Text`]).
pub fn read_text(path: &Path, limit: u64) -> Result<Text, ReadError> {
    let bytes = read_bounded(path, limit)?;
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return Err(ReadError::Binary);
    }
    Ok(decode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "Dockerfile",
            "Dockerfile.prod",
            "api.Dockerfile",
            "Containerfile",
        ] {
            assert_eq!(classify(n), Some(FileKind::Dockerfile), "{n}");
        }
        for n in [
            "compose.yaml",
            "docker-compose.yml",
            "docker-compose.prod.yaml",
            "compose.override.yml",
        ] {
            assert_eq!(classify(n), Some(FileKind::Compose), "{n}");
        }
        for n in ["deploy.yaml", "x.yml", "list.json"] {
            assert_eq!(classify(n), Some(FileKind::Manifest), "{n}");
        }
        assert_eq!(classify("README.md"), None);
        assert_eq!(classify("composer.json"), Some(FileKind::Manifest));
    }

    #[test]
    fn walk_sees_hidden_skips_git_honours_gitignore_and_excludes() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join(".github/workflows")).unwrap();
        std::fs::create_dir_all(r.join(".git")).unwrap();
        std::fs::create_dir_all(r.join("vendor")).unwrap();
        std::fs::write(r.join(".github/workflows/ci.yml"), "on: push\n").unwrap();
        std::fs::write(r.join(".git/config.yml"), "x: 1\n").unwrap();
        std::fs::write(r.join("vendor/k.yaml"), "x: 1\n").unwrap();
        std::fs::write(r.join("ignored.yaml"), "x: 1\n").unwrap();
        std::fs::write(r.join(".gitignore"), "ignored.yaml\n").unwrap();
        std::fs::write(r.join("Dockerfile"), "FROM x\n").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", r.join("out.yaml")).unwrap();
            std::os::unix::fs::symlink(r.join("loop.yaml"), r.join("loop.yaml")).unwrap();
        }
        let opts = Options {
            gitignore: true,
            excludes: vec![PathGlob::new("vendor").unwrap()],
        };
        let found = discover(r, &opts);
        let rels: Vec<&str> = found.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(
            rels,
            [".github/workflows/ci.yml", ".gitignore", "Dockerfile"]
        );
        let kinds: Vec<FileKind> = found.files.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [FileKind::Manifest, FileKind::Other, FileKind::Dockerfile]
        );
        #[cfg(unix)]
        assert_eq!(found.diagnostics.len(), 2, "{:?}", found.diagnostics);
        let opts = Options {
            gitignore: false,
            excludes: vec![],
        };
        let found = discover(r, &opts);
        assert!(found.files.iter().any(|f| f.rel == "ignored.yaml"));
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("z.yaml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        std::fs::write(d.path().join("a.yaml"), "x: 1\n").unwrap();
        let found = discover(
            d.path(),
            &Options {
                gitignore: false,
                excludes: vec![],
            },
        );
        let rels: Vec<&str> = found.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.yaml"]);
        assert_eq!(found.diagnostics.len(), 1);
        let diag = &found.diagnostics[0];
        assert_eq!(&*diag.location.path, "z.yaml");
        assert!(diag.message.contains("FIFO"), "{}", diag.message);
        // read by name: refused at once, never waiting for a writer
        assert!(matches!(
            read_text(&fifo, 100),
            Err(ReadError::NotRegular("a FIFO"))
        ));
        assert!(matches!(
            read_bounded(std::path::Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular("a character device"))
        ));
        // a FIFO given as the root itself
        let found = discover(
            &fifo,
            &Options {
                gitignore: false,
                excludes: vec![],
            },
        );
        assert!(found.files.is_empty());
        assert_eq!(found.diagnostics.len(), 1, "{:?}", found.diagnostics);
    }

    #[test]
    fn read_limits() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a");
        std::fs::write(&p, b"abc\x00def").unwrap();
        assert!(matches!(read_text(&p, 100), Err(ReadError::Binary)));
        std::fs::write(&p, b"abc\xffdef").unwrap();
        let t = read_text(&p, 100).ok().unwrap();
        assert_eq!((t.text.as_str(), t.lossy_at), ("abc\u{fffd}def", Some(3)));
        std::fs::write(&p, b"0123456789").unwrap();
        assert!(matches!(read_text(&p, 5), Err(ReadError::TooLarge(10))));
        std::fs::write(&p, "\u{feff}ok").unwrap();
        let t = read_text(&p, 100).ok().unwrap();
        assert_eq!((t.text.as_str(), t.lossy_at), ("ok", None));
    }
}
