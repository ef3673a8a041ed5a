//! Every file vigie rewrites in place (`.vigie/attestations.toml`, the vulnerability
//! database, a secrets baseline, a git hook) goes through here, so that two runs at once never
//! lose one's update and a failed write never leaves a half-written file:
//!
//! - an exclusive lock on a companion file `NAME.lock` is held from the read of the current
//!   content to the rename of the new one (the lock is on the companion, not on the file
//!   itself, whose inode the rename replaces);
//! - the new content goes to a temporary file of its own in the same folder, is flushed to
//!   disk (`fsync`), then renamed over the old one, and the folder is synced: a reader sees the
//!   old file or the new, never a mix, and a crash leaves the old one intact.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Read, change and replace `path` under its lock. `change` gets the current bytes (`None`
/// when the file does not exist) and returns the new ones, or an error that leaves the file
/// as it was. The new file keeps the old one's permissions.
pub fn update<T>(
    path: &Path,
    change: impl FnOnce(Option<Vec<u8>>) -> Result<(Vec<u8>, T), String>,
) -> Result<T, String> {
    let _lock = lock(path)?;
    let current = match File::open(path) {
        Ok(mut f) => {
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).map_err(|e| io(path, e))?;
            Some(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(path, e)),
    };
    let (bytes, out) = change(current)?;
    replace_locked(path, |f| f.write_all(&bytes))?;
    Ok(out)
}

/// Replace `path` with what `write` writes, under its lock: the caller's lock, held while it
/// read what it builds on. `write` gets a new, empty file in the same folder.
pub fn replace_locked(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), String> {
    let dir = folder_of(path);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let tmp = temp_beside(path);
    let result = write_and_rename(path, &dir, &tmp, write);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Write `tmp` with `write`, with `path`'s permissions, flush it to disk and rename it over
/// `path`, then sync the folder so the rename itself is durable.
fn write_and_rename(
    path: &Path,
    dir: &Path,
    tmp: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), String> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(|e| io(tmp, e))?;
    write(&mut f).map_err(|e| io(tmp, e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        f.set_permissions(meta.permissions())
            .map_err(|e| io(tmp, e))?;
    }
    f.sync_all().map_err(|e| io(tmp, e))?;
    drop(f);
    std::fs::rename(tmp, path).map_err(|e| io(path, e))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The exclusive lock of `path`, released when dropped. It blocks while another run holds it.
pub fn lock(path: &Path) -> Result<File, String> {
    let dir = folder_of(path);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let lock_path = with_suffix(path, ".lock");
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| io(&lock_path, e))?;
    f.lock().map_err(|e| io(&lock_path, e))?;
    Ok(f)
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// A temporary name no other writer uses: the process id and a counter.
fn temp_beside(path: &Path) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    with_suffix(path, &format!(".{}.{n}.tmp", std::process::id()))
}

fn io(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_updates_lose_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("counter.txt");
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    update(&p, |old| {
                        let mut text = String::from_utf8(old.unwrap_or_default()).unwrap();
                        text.push('x');
                        Ok((text.into_bytes(), ()))
                    })
                    .unwrap();
                });
            }
        });
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "x".repeat(16));
        let left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_failed_change_leaves_the_file_as_it_was() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.toml");
        std::fs::write(&p, "old").unwrap();
        let r: Result<(), String> = update(&p, |_| Err("refused".into()));
        assert_eq!(r, Err("refused".into()));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        let r = replace_locked(&p, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("hook");
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        update(&p, |_| Ok((b"#!/bin/sh\nexit 0\n".to_vec(), ()))).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
    }
}
