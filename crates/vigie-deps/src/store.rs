//! The local store of OSV advisories: one file, written whole on every import.
//!
//! Layout: a 28-byte header (`VIGIEOSV`, format version, offset and length of the index), the
//! advisories one after the other as compact JSON digests, then the index: metadata and the
//! sorted list of `(ecosystem, normalised name) → advisories`. Opening reads the header and the
//! index only; a lookup is a binary search in the index and one read per advisory, so matching
//! never scans the database. A custom file rather than an embedded key-value store (redb,
//! sled): the data is written once per import and only read after, so a sorted index over an
//! immutable file is all that is needed, it stays one portable file, and it opens in one read.

use crate::Ecosystem;
use crate::osv::{self, Advisory, Skip};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"VIGIEOSV";
const FORMAT: u32 = 1;
const HEADER: u64 = 28;

/// What the store says about itself (`vigie db status`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// When the last import finished (RFC 3339, UTC).
    pub imported: String,
    /// The newest `modified` of any advisory kept.
    pub newest_modified: String,
    /// Advisories per ecosystem (an advisory affecting two ecosystems counts in both).
    pub ecosystems: BTreeMap<String, u64>,
    pub advisories: u64,
    /// The files imported, last import first.
    pub sources: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Index {
    meta: Meta,
    /// Offset and length of each advisory.
    records: Vec<(u64, u32)>,
    /// Sorted by (ecosystem, name).
    keys: Vec<(Ecosystem, String, Vec<u32>)>,
}

/// An opened store.
pub struct Store {
    path: PathBuf,
    file: File,
    index: Index,
}

/// Where the database is: `--db`, else `VIGIE_DB`, else `osv.db` in the user's data folder.
pub fn resolve_path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("VIGIE_DB").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "vigie").map(|d| d.data_dir().join("osv.db"))
}

fn corrupt(path: &Path, why: impl std::fmt::Display) -> String {
    format!(
        "{} is not a vigie vulnerability database or is damaged ({why}); re-create it with `vigie db import --db {} FILE…`",
        path.display(),
        path.display()
    )
}

impl Store {
    /// Opens a store; a missing or damaged file is an error that says how to import one.
    pub fn open(path: &Path) -> Result<Store, String> {
        let mut file = File::open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "no vulnerability database at {}; import OSV advisories with `vigie db import all.zip…` (exports at https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip)",
                    path.display()
                )
            } else {
                format!("cannot read {}: {e}", path.display())
            }
        })?;
        let mut head = [0u8; HEADER as usize];
        file.read_exact(&mut head).map_err(|e| corrupt(path, e))?;
        if &head[..8] != MAGIC {
            return Err(corrupt(path, "wrong magic number"));
        }
        let u32_at = |i: usize| u32::from_le_bytes(head[i..i + 4].try_into().unwrap_or([0; 4]));
        let u64_at = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().unwrap_or([0; 8]));
        if u32_at(8) != FORMAT {
            return Err(corrupt(
                path,
                format!("format {} is not {FORMAT}", u32_at(8)),
            ));
        }
        let (off, len) = (u64_at(12), u64_at(20));
        let size = file.metadata().map_err(|e| corrupt(path, e))?.len();
        if off < HEADER || off.checked_add(len) != Some(size) {
            return Err(corrupt(path, "the index is not where the header says"));
        }
        let mut buf = vec![0u8; len as usize];
        file.seek(SeekFrom::Start(off))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|e| corrupt(path, e))?;
        let index: Index = serde_json::from_slice(&buf).map_err(|e| corrupt(path, e))?;
        if index
            .records
            .iter()
            .any(|&(o, l)| o < HEADER || o + l as u64 > off)
        {
            return Err(corrupt(path, "a record lies outside the data"));
        }
        Ok(Store {
            path: path.to_path_buf(),
            file,
            index,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn meta(&self) -> &Meta {
        &self.index.meta
    }

    fn read(&self, i: u32) -> Result<Advisory, String> {
        let &(off, len) = self
            .index
            .records
            .get(i as usize)
            .ok_or_else(|| corrupt(&self.path, "an index entry names no record"))?;
        let mut buf = vec![0u8; len as usize];
        let mut f = &self.file;
        f.seek(SeekFrom::Start(off))
            .and_then(|_| f.read_exact(&mut buf))
            .map_err(|e| corrupt(&self.path, e))?;
        serde_json::from_slice(&buf).map_err(|e| corrupt(&self.path, e))
    }

    /// The advisories that name a package (the name as the lockfile writes it).
    pub fn lookup(&self, eco: Ecosystem, name: &str) -> Result<Vec<Advisory>, String> {
        let name = eco.normalise(name);
        let keys = &self.index.keys;
        let Ok(at) = keys.binary_search_by(|(e, n, _)| (*e, n.as_str()).cmp(&(eco, name.as_str())))
        else {
            return Ok(Vec::new());
        };
        keys[at].2.iter().map(|&i| self.read(i)).collect()
    }

    /// Every advisory, for a re-import.
    fn all(&self) -> Result<Vec<Advisory>, String> {
        (0..self.index.records.len() as u32)
            .map(|i| self.read(i))
            .collect()
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportReport {
    pub read: u64,
    pub added: u64,
    pub replaced: u64,
    /// Records older than or as old as the copy already stored.
    pub unchanged: u64,
    pub withdrawn: u64,
    /// Records all of whose affected packages are of ecosystems vigie does not read, by ecosystem.
    pub unknown_ecosystems: BTreeMap<String, u64>,
    pub malformed: u64,
    /// GIT ranges left out (vigie matches versions, not commits).
    pub git_ranges: u64,
    /// The first problems met, with where (file, archive entry, line:column).
    pub problems: Vec<String>,
    pub total: u64,
    /// The existing database could not be read (why): it was replaced by this import alone.
    pub damaged: Option<String>,
}

const MAX_PROBLEMS: usize = 50;

struct Raw {
    origin: String,
    bytes: Vec<u8>,
}

enum Digested {
    Ok(Box<Advisory>, osv::Notes),
    Skip(Skip),
    Bad(String),
}

fn digest_raw(raw: &Raw) -> Vec<Digested> {
    let v: serde_json::Value = match serde_json::from_slice(&raw.bytes) {
        Ok(v) => v,
        Err(e) => {
            return vec![Digested::Bad(format!(
                "{}:{}:{}: not JSON: {e}",
                raw.origin,
                e.line(),
                e.column()
            ))];
        }
    };
    // A file may hold one record, a list of records, or an API answer `{"vulns": [...]}`.
    let list: Vec<&serde_json::Value> = match &v {
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Object(o) if o.get("id").is_none() && o.contains_key("vulns") => o
            .get("vulns")
            .and_then(|x| x.as_array())
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        other => vec![other],
    };
    list.into_iter()
        .map(|r| match osv::digest(r) {
            Ok((a, n)) => Digested::Ok(Box::new(a), n),
            Err(Skip::Malformed(m)) => Digested::Bad(format!("{}: {m}", raw.origin)),
            Err(s) => Digested::Skip(s),
        })
        .collect()
}

struct Builder {
    /// id → (advisory, whether it came from this import).
    map: HashMap<String, (Advisory, bool)>,
    report: ImportReport,
}

impl Builder {
    fn take(&mut self, batch: &mut Vec<Raw>) {
        let results: Vec<Vec<Digested>> = batch.par_iter().map(digest_raw).collect();
        batch.clear();
        for d in results.into_iter().flatten() {
            self.report.read += 1;
            match d {
                Digested::Ok(a, n) => {
                    self.report.git_ranges += n.git_ranges as u64;
                    match self.map.get(&a.id) {
                        Some((old, _)) if old.modified > a.modified => self.report.unchanged += 1,
                        Some((old, _)) if old.modified == a.modified && *old == *a => {
                            self.report.unchanged += 1
                        }
                        Some(_) => {
                            self.report.replaced += 1;
                            self.map.insert(a.id.clone(), (*a, true));
                        }
                        None => {
                            self.report.added += 1;
                            self.map.insert(a.id.clone(), (*a, true));
                        }
                    }
                }
                Digested::Skip(Skip::Withdrawn) => self.report.withdrawn += 1,
                Digested::Skip(Skip::UnknownEcosystem(e)) => {
                    // `Debian:12` and `Debian:11` are one ecosystem for the count.
                    let base = e.split(':').next().unwrap_or("").to_string();
                    *self.report.unknown_ecosystems.entry(base).or_default() += 1;
                }
                Digested::Skip(Skip::Malformed(m)) | Digested::Bad(m) => {
                    self.report.malformed += 1;
                    if self.report.problems.len() < MAX_PROBLEMS {
                        self.report.problems.push(m);
                    }
                }
            }
        }
    }
}

const BATCH: usize = 4096;
/// Bytes of raw records held before they are digested: many large records must not be held
/// together (4,096 records of a megabyte would be 4 GB).
const BATCH_BYTES: usize = 64 << 20;

/// Whether the records read so far are to be digested now. The batch's bytes are summed
/// from its end, so the cost stays linear: a batch of small records stops at [`BATCH`] first.
fn batch_full(batch: &[Raw]) -> bool {
    if batch.len() >= BATCH {
        return true;
    }
    let last = batch.last().map_or(0, |r| r.bytes.len());
    // cheap test first: only a large last record can tip a short batch over
    last >= BATCH_BYTES / BATCH && batch.iter().map(|r| r.bytes.len()).sum::<usize>() >= BATCH_BYTES
}

/// Largest OSV record read (the largest published records are a few hundred kilobytes).
const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Bytes an archive may inflate to, per byte of the archive, beyond [`INFLATE_FLOOR`]: OSV
/// exports inflate about tenfold; a zip bomb, a thousandfold.
const INFLATE_RATIO: u64 = 64;
const INFLATE_FLOOR: u64 = 256 << 20;

/// Members of one archive read at most (the largest OSV export has about 200,000).
const MAX_MEMBERS: usize = 2_000_000;

/// One record file, read only if it is a regular file within [`MAX_RECORD_BYTES`].
fn read_record(path: &Path) -> Result<Vec<u8>, String> {
    use vigie_parse::discover::{ReadError, read_bounded};
    read_bounded(path, MAX_RECORD_BYTES).map_err(|e| {
        let why = match e {
            ReadError::TooLarge(n) => {
                format!("{n} bytes, larger than the {MAX_RECORD_BYTES}-byte limit of one record")
            }
            ReadError::NotRegular(what) => format!("not a regular file ({what})"),
            ReadError::Binary => "binary content".into(),
            ReadError::Io(e) => e,
        };
        format!("{}: {why}", path.display())
    })
}

fn read_input(path: &Path, b: &mut Builder) -> Result<(), String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut batch = Vec::with_capacity(BATCH);
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files.sort();
        for f in files {
            match read_record(&f) {
                Ok(bytes) => batch.push(Raw {
                    origin: f.display().to_string(),
                    bytes,
                }),
                Err(e) => {
                    b.report.malformed += 1;
                    if b.report.problems.len() < MAX_PROBLEMS {
                        b.report.problems.push(e);
                    }
                }
            }
            if batch_full(&batch) {
                b.take(&mut batch);
            }
        }
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| format!("{} is not a readable zip archive: {e}", path.display()))?;
        // what the archive may inflate to, all members together: a bomb is cut short with a
        // problem naming it, and what was read before it is kept
        let mut inflate_left = meta
            .len()
            .saturating_mul(INFLATE_RATIO)
            .saturating_add(INFLATE_FLOOR);
        if zip.len() > MAX_MEMBERS {
            b.report.problems.push(format!(
                "{}: {} members, more than the {MAX_MEMBERS} read: the rest are not imported",
                path.display(),
                zip.len()
            ));
        }
        for i in 0..zip.len().min(MAX_MEMBERS) {
            let entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    b.report.malformed += 1;
                    b.report
                        .problems
                        .push(format!("{}: entry {i}: {e}", path.display()));
                    continue;
                }
            };
            if entry.is_dir() || !entry.name().ends_with(".json") {
                continue;
            }
            let origin = format!("{}!{}", path.display(), entry.name());
            // the sizes an archive declares are not trusted: reading stops one byte past the
            // limit whatever the header says
            let limit = MAX_RECORD_BYTES.min(inflate_left);
            let mut bytes = Vec::with_capacity(entry.size().min(limit) as usize);
            if let Err(e) = entry.take(limit + 1).read_to_end(&mut bytes) {
                b.report.malformed += 1;
                if b.report.problems.len() < MAX_PROBLEMS {
                    b.report.problems.push(format!("{origin}: {e}"));
                }
                continue;
            }
            inflate_left = inflate_left.saturating_sub(bytes.len() as u64);
            if bytes.len() as u64 > limit {
                b.report.malformed += 1;
                if limit < MAX_RECORD_BYTES {
                    b.report.problems.push(format!(
                        "{}: inflates to more than {INFLATE_RATIO} times its size (a zip bomb?): stopped at {origin}, the rest is not imported",
                        path.display()
                    ));
                    break;
                }
                if b.report.problems.len() < MAX_PROBLEMS {
                    b.report.problems.push(format!(
                        "{origin}: larger than the {MAX_RECORD_BYTES}-byte limit of one record: not imported"
                    ));
                }
                continue;
            }
            batch.push(Raw { origin, bytes });
            if batch_full(&batch) {
                b.take(&mut batch);
            }
        }
    } else {
        let bytes = read_record(path).map_err(|e| format!("cannot read {e}"))?;
        batch.push(Raw {
            origin: path.display().to_string(),
            bytes,
        });
    }
    b.take(&mut batch);
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for e in rd.flatten() {
        let p = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            walk(&p, out)?;
        } else if t.is_file() && p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Imports OSV advisories into the store at `db` (created if missing). Advisories already
/// there are kept; one with the same id is replaced when the imported copy is newer
/// (`modified`). The file is rewritten beside and renamed into place, so a failed import leaves
/// the previous database intact, and the whole import holds the database's lock, so parallel
/// imports each keep what the others added ([`vigie_core::atomic`]). A damaged database is
/// replaced by what is imported (as its error message suggests), and the report says so.
pub fn import(
    db: &Path,
    inputs: &[PathBuf],
    now: time::OffsetDateTime,
) -> Result<ImportReport, String> {
    let mut b = Builder {
        map: HashMap::new(),
        report: ImportReport::default(),
    };
    let mut sources: Vec<String> = Vec::new();
    let _lock = vigie_core::atomic::lock(db)?;
    let mut damaged = None;
    if db.exists() {
        match Store::open(db).and_then(|old| Ok((old.all()?, old.meta().sources.clone()))) {
            Ok((all, old_sources)) => {
                for a in all {
                    b.map.insert(a.id.clone(), (a, false));
                }
                sources = old_sources;
            }
            Err(e) => damaged = Some(e),
        }
    }
    for input in inputs {
        read_input(input, &mut b)?;
    }
    let mut new_sources: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    for s in sources {
        if !new_sources.contains(&s) {
            new_sources.push(s);
        }
    }
    new_sources.truncate(100);
    let mut report = b.report;
    report.damaged = damaged;
    let mut advisories: Vec<Advisory> = b.map.into_values().map(|(a, _)| a).collect();
    advisories.sort_by(|x, y| x.id.cmp(&y.id));
    report.total = advisories.len() as u64;
    write(db, &advisories, new_sources, now)?;
    Ok(report)
}

fn write(
    db: &Path,
    advisories: &[Advisory],
    sources: Vec<String>,
    now: time::OffsetDateTime,
) -> Result<(), String> {
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    vigie_core::atomic::replace_locked(db, |file| write_records(file, advisories, sources, now))
}

/// The database's bytes: a header, the records, and the index, then the header filled in.
fn write_records(
    file: &mut File,
    advisories: &[Advisory],
    sources: Vec<String>,
    now: time::OffsetDateTime,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, file);
    w.write_all(&[0u8; HEADER as usize])?;
    let mut meta = Meta {
        imported: now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        sources,
        advisories: advisories.len() as u64,
        ..Meta::default()
    };
    let mut records = Vec::with_capacity(advisories.len());
    let mut keys: BTreeMap<(Ecosystem, &str), Vec<u32>> = BTreeMap::new();
    let mut off = HEADER;
    for (i, a) in advisories.iter().enumerate() {
        let bytes = serde_json::to_vec(a)?;
        w.write_all(&bytes)?;
        records.push((off, bytes.len() as u32));
        off += bytes.len() as u64;
        if a.modified > meta.newest_modified {
            meta.newest_modified = a.modified.clone();
        }
        let mut ecos: Vec<Ecosystem> = Vec::new();
        for af in &a.affected {
            let list = keys.entry((af.ecosystem, af.name.as_str())).or_default();
            if list.last() != Some(&(i as u32)) {
                list.push(i as u32);
            }
            if !ecos.contains(&af.ecosystem) {
                ecos.push(af.ecosystem);
            }
        }
        for e in ecos {
            *meta.ecosystems.entry(e.osv().to_string()).or_default() += 1;
        }
    }
    let index = Index {
        meta,
        records,
        keys: keys
            .into_iter()
            .map(|((e, n), l)| (e, n.to_string(), l))
            .collect(),
    };
    let ibytes = serde_json::to_vec(&index)?;
    w.write_all(&ibytes)?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    let mut head = Vec::with_capacity(HEADER as usize);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&FORMAT.to_le_bytes());
    head.extend_from_slice(&off.to_le_bytes());
    head.extend_from_slice(&(ibytes.len() as u64).to_le_bytes());
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&head)
}

/// Whole days between the last import and `now`.
pub fn age_days(meta: &Meta, now: time::OffsetDateTime) -> Option<i64> {
    let t = time::OffsetDateTime::parse(
        &meta.imported,
        &time::format_description::well_known::Rfc3339,
    )
    .ok()?;
    Some((now - t).whole_days())
}
