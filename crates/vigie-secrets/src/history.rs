//! The git history and the index, read through gix.
//!
//! History: every commit reachable from any reference (branches, tags, remotes, stash, a detached
//! HEAD) is walked once; commits are visited oldest first and their trees walked, skipping trees
//! already seen, so that each distinct blob is mapped to the first commit and path that introduced
//! it. The blobs are then decoded by traversing each pack in parallel (gix's delta-tree traversal,
//! which resolves each delta chain once instead of looking objects up one by one); the blobs that
//! are not in a pack (loose objects, alternates) are looked up individually. Each blob is scanned
//! once, on the traversal's worker threads, so memory is bounded by a few blobs per thread plus the
//! blob-to-path map. A blob stored as a delta of another scanned blob reuses that blob's scan for
//! the bytes it copies (see [`crate::delta`]); the base's memo of its scan is kept only until the
//! last blob stored as a delta of it has been scanned.

use crate::delta::{DeltaOf, Memo, Piece};
use crate::engine::{Engine, FileScan};
use crate::findings::{CommitInfo, Grouper, SecretLocation};
use crate::{Note, Outcome, Scope, Tally};
use gix::ObjectId;
use gix::prelude::FindExt;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use vigie_core::DiagKind;

#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// Only commits not reachable from this revision (`REV..refs`).
    pub since: Option<String>,
    /// Only this branch (or any revision) instead of every reference.
    pub branch: Option<String>,
    pub max_size: u64,
    /// Show a progress bar on stderr when it is a terminal.
    pub progress: bool,
}

/// The largest object the pack traversal decodes (or the size limit, when larger).
const TRAVERSAL_ALLOC_LIMIT: u64 = 256 << 20;

/// Whether the repository is a partial clone, whose missing blobs are expected.
fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    config.string("extensions.partialClone").is_some()
        || config
            .sections_by_name("remote")
            .into_iter()
            .flatten()
            .any(|s| s.value("promisor").is_some_and(|v| v.as_slice() == b"true"))
}

struct CommitMeta {
    id: ObjectId,
    parents: Vec<ObjectId>,
    tree: ObjectId,
    seconds: i64,
    info: CommitInfo,
}

struct BlobEntry {
    id: ObjectId,
    path: String,
    commit: u32,
}

fn open(path: &Path) -> Result<gix::Repository, String> {
    gix::discover(path).map_err(|e| format!("{} is not a git repository ({e})", path.display()))
}

fn rfc3339(seconds: i64, offset: i32) -> String {
    let utc = time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let off = time::UtcOffset::from_whole_seconds(offset).unwrap_or(time::UtcOffset::UTC);
    utc.to_offset(off)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn read_commit(
    repo: &gix::Repository,
    id: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<(CommitMeta, Vec<ObjectId>), String> {
    let commit = repo
        .objects
        .find_commit(&id, buf)
        .map_err(|e| format!("commit {id} cannot be read ({e})"))?;
    let (seconds, offset, author) = match commit.author() {
        Ok(sig) => {
            let t = sig.time().unwrap_or_default();
            (t.seconds, t.offset, sig.name.to_string())
        }
        Err(_) => (0, 0, String::new()),
    };
    let parents: Vec<ObjectId> = commit.parents().collect();
    Ok((
        CommitMeta {
            id,
            parents: parents.clone(),
            tree: commit.tree(),
            seconds,
            info: CommitInfo {
                id: id.to_string(),
                date: rfc3339(seconds, offset),
                author,
            },
        },
        parents,
    ))
}

/// Peel a reference target to a commit id.
fn peel_to_commit(repo: &gix::Repository, id: ObjectId) -> Option<ObjectId> {
    let obj = repo.find_object(id).ok()?.peel_tags_to_end().ok()?;
    (obj.kind == gix::objs::Kind::Commit).then_some(obj.id)
}

/// The commits to scan (ids) from the tips, stopping at `excluded`.
fn walk(
    repo: &gix::Repository,
    tips: &[ObjectId],
    excluded: &HashSet<ObjectId>,
    notes: &mut Vec<Note>,
) -> (Vec<CommitMeta>, Vec<ObjectId>) {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = tips.to_vec();
    let mut out = Vec::new();
    let mut boundary = Vec::new();
    let mut buf = Vec::new();
    let mut missing = 0usize;
    let mut first_missing = None;
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if excluded.contains(&id) {
            boundary.push(id);
            continue;
        }
        match read_commit(repo, id, &mut buf) {
            Ok((meta, parents)) => {
                if !shallow.contains(&id) {
                    stack.extend(parents);
                }
                out.push(meta);
            }
            Err(_) => {
                missing += 1;
                first_missing.get_or_insert(id);
            }
        }
    }
    if missing > 0 {
        notes.push(Note::blocking(
            DiagKind::Reference,
            repo.git_dir().display().to_string(),
            format!(
                "{missing} commit(s) are missing from the object database (first: {}); the history behind them was not scanned",
                first_missing.map(|i| i.to_string()).unwrap_or_default()
            ),
        ));
    }
    (out, boundary)
}

/// Parents before children (so that a blob is attributed to the commit that introduced it even
/// when dates are equal or skewed), oldest first among unrelated commits. `commits` is sorted by date.
fn topological(commits: Vec<CommitMeta>) -> Vec<CommitMeta> {
    let pos: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut visited = vec![false; commits.len()];
    let mut order = Vec::with_capacity(commits.len());
    for root in 0..commits.len() {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (i, k) = *top;
            if let Some(p) = commits[i].parents.get(k) {
                top.1 += 1;
                if let Some(&pi) = pos.get(p)
                    && !visited[pi]
                {
                    visited[pi] = true;
                    stack.push((pi, 0));
                }
            } else {
                stack.pop();
                order.push(i);
            }
        }
    }
    let mut slots: Vec<Option<CommitMeta>> = commits.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Every commit reachable from `from` (for `--since`).
fn ancestors(repo: &gix::Repository, from: ObjectId) -> HashSet<ObjectId> {
    let mut seen = HashSet::new();
    let mut stack = vec![from];
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Ok(c) = repo.objects.find_commit(&id, &mut buf) {
            stack.extend(c.parents());
        }
    }
    seen
}

/// Where [`walk_tree`] reads trees: the object database, or the trees [`load_trees`] decoded
/// beforehand (with the object database for any tree that is not among them).
#[derive(Clone, Copy)]
enum Trees<'a> {
    Odb(&'a gix::Repository),
    Loaded(&'a gix::Repository, &'a LoadedTrees),
}

/// Trees decoded ahead of the walk: `None` for a tree that cannot be read.
type LoadedTrees = HashMap<ObjectId, Option<Box<[u8]>>>;

impl<'a> Trees<'a> {
    /// Tree `id`, decoded into `buf` when it is read from the object database.
    fn get<'b>(&self, id: &ObjectId, buf: &'b mut Vec<u8>) -> Option<gix::objs::TreeRef<'b>>
    where
        'a: 'b,
    {
        match self {
            Trees::Loaded(repo, loaded) => match loaded.get(id) {
                Some(Some(data)) => gix::objs::TreeRef::from_bytes(data, repo.object_hash()).ok(),
                Some(None) => None,
                None => repo.objects.find_tree(id, buf).ok(),
            },
            Trees::Odb(repo) => repo.objects.find_tree(id, buf).ok(),
        }
    }
}

/// Every tree reachable from `roots`, decoded in parallel, one level of the trees at a time.
///
/// Reading the trees is most of the work of mapping blobs to paths, and mostly inflating deltas;
/// done one tree at a time in the walk's order it runs on one core. Here each level (the root
/// trees, then the subtrees they name, and so on) is decoded by every core, newest commit first:
/// a pack stores older versions of a tree as deltas against newer ones, so each version's base is
/// then usually the one just decoded, still in the thread's delta cache. A tree that cannot be
/// read is kept as `None`, and the walk counts it as missing as it would have.
fn load_trees(repo: &gix::Repository, roots: impl Iterator<Item = ObjectId>) -> LoadedTrees {
    let mut loaded: LoadedTrees = HashMap::new();
    let mut level: Vec<ObjectId> = Vec::new();
    for id in roots {
        if let std::collections::hash_map::Entry::Vacant(v) = loaded.entry(id) {
            v.insert(None);
            level.push(id);
        }
    }
    let sync = repo.clone().into_sync();
    let hash = repo.object_hash();
    while !level.is_empty() {
        let decoded: Vec<Option<Vec<u8>>> = level
            .par_iter()
            .map_init(
                || sync.to_thread_local(),
                |repo, id| {
                    let mut buf = Vec::new();
                    repo.objects.find_tree(id, &mut buf).ok()?;
                    Some(buf)
                },
            )
            .collect();
        let mut next = Vec::new();
        for (id, data) in level.iter().zip(decoded) {
            let Some(data) = data else { continue };
            if let Ok(tree) = gix::objs::TreeRef::from_bytes(&data, hash) {
                for e in &tree.entries {
                    if e.mode.is_tree()
                        && let std::collections::hash_map::Entry::Vacant(v) =
                            loaded.entry(e.oid.to_owned())
                    {
                        v.insert(None);
                        next.push(e.oid.to_owned());
                    }
                }
            }
            loaded.insert(*id, Some(data.into_boxed_slice()));
        }
        level = next;
    }
    loaded
}

/// Walk a tree, skipping trees in `seen_trees`, calling `on_blob(id, path)` for each blob entry.
fn walk_tree(
    trees: Trees<'_>,
    root: ObjectId,
    seen_trees: &mut HashSet<ObjectId>,
    buf: &mut Vec<u8>,
    on_blob: &mut dyn FnMut(ObjectId, String),
    submodules: &mut Vec<String>,
    missing: &mut usize,
) {
    let mut stack = vec![(root, String::new())];
    while let Some((tid, prefix)) = stack.pop() {
        if !seen_trees.insert(tid) {
            continue;
        }
        let Some(tree) = trees.get(&tid, buf) else {
            *missing += 1;
            continue;
        };
        for e in &tree.entries {
            let name = String::from_utf8_lossy(e.filename);
            let path = if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            };
            if e.mode.is_tree() {
                stack.push((e.oid.to_owned(), path));
            } else if e.mode.is_commit() {
                submodules.push(path);
            } else if e.mode.is_blob() {
                on_blob(e.oid.to_owned(), path);
            }
        }
    }
}

/// Check the pack's trailing checksum against its content. A SHA-1 pack is hashed with the
/// `sha1` crate, which uses the processor's SHA instructions when it has them (several times
/// faster than the collision-detecting SHA-1 gix verifies with; the trailer guards against damage,
/// not against a forger, who could write a matching trailer anyway); other hashes through gix.
fn verify_pack(pack: &gix::odb::pack::data::File) -> Result<(), String> {
    if pack.object_hash() != gix::hash::Kind::Sha1 {
        return pack
            .verify_checksum(&mut gix::progress::Discard, &AtomicBool::new(false))
            .map(|_| ())
            .map_err(|e| e.to_string());
    }
    use sha1::Digest;
    let data = pack
        .entry_slice(0..pack.pack_end() as u64)
        .ok_or("the pack is shorter than its checksum")?;
    let actual = sha1::Sha1::digest(data);
    let expected = pack.checksum();
    if actual.as_slice() == expected.as_bytes() {
        Ok(())
    } else {
        Err(format!(
            "its checksum is {expected} but its content hashes to {}",
            gix::ObjectId::from_bytes_or_panic(actual.as_slice())
        ))
    }
}

/// How many entries of the pack are stored as deltas of each entry (by pack offset).
fn delta_children(bundle: &gix::odb::pack::Bundle) -> HashMap<u64, u32> {
    let mut children: HashMap<u64, u32> = HashMap::new();
    for e in bundle.index.iter() {
        if let Some(base) = delta_base(bundle, e.pack_offset) {
            *children.entry(base).or_default() += 1;
        }
    }
    children
}

/// The pack offset of the entry at `offset`'s delta base, when it is a delta of an entry of the
/// same pack.
fn delta_base(bundle: &gix::odb::pack::Bundle, offset: u64) -> Option<u64> {
    use gix::odb::pack::data::entry::Header;
    let entry = bundle.pack.entry(offset).ok()?;
    match entry.header {
        Header::OfsDelta { base_distance } => entry.checked_base_pack_offset(base_distance),
        Header::RefDelta { base_id } => bundle
            .index
            .lookup(base_id)
            .map(|i| bundle.index.pack_offset_at_index(i)),
        _ => None,
    }
}

/// The memos of the blobs scanned so far that other blobs of the pack are deltas of, each with
/// the number of those deltas not yet scanned: a memo is dropped once its last delta is.
#[derive(Default)]
struct Memos(Mutex<HashMap<u64, (u32, Arc<Memo>)>>);

impl Memos {
    fn keep(&self, offset: u64, pending: u32, memo: Memo) {
        self.0
            .lock()
            .expect("not poisoned")
            .insert(offset, (pending, Arc::new(memo)));
    }

    /// The memo of the blob at `offset`, counting one of its deltas as scanned.
    fn take_one(&self, offset: u64) -> Option<Arc<Memo>> {
        let mut map = self.0.lock().expect("not poisoned");
        let (pending, memo) = map.get_mut(&offset)?;
        let memo = Arc::clone(memo);
        *pending = pending.saturating_sub(1);
        if *pending == 0 {
            map.remove(&offset);
        }
        Some(memo)
    }
}

/// Reads a delta's instructions from the pack, on one traversal thread (cloned empty for each).
#[derive(Default)]
struct DeltaReader {
    inflate: gix::zlib::Inflate,
    buf: Vec<u8>,
    pieces: Vec<Piece>,
}

impl Clone for DeltaReader {
    fn clone(&self) -> Self {
        DeltaReader::default()
    }
}

impl DeltaReader {
    /// The instructions of the delta stored at `offset`, against a base of `base_len` bytes.
    fn pieces(
        &mut self,
        bundle: &gix::odb::pack::Bundle,
        offset: u64,
        base_len: usize,
    ) -> Option<&[Piece]> {
        let entry = bundle.pack.entry(offset).ok()?;
        self.buf
            .resize(usize::try_from(entry.decompressed_size).ok()?, 0);
        bundle
            .pack
            .decompress_entry(&entry, &mut self.inflate, &mut self.buf)
            .ok()?;
        self.pieces = crate::delta::pieces(&self.buf, base_len)?;
        Some(&self.pieces)
    }
}

fn progress_bar(total: u64, enabled: bool) -> indicatif::ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {wide_bar} {pos}/{len} blobs {msg} {elapsed_precise}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb
}

/// Scan every blob reachable from the references of the repository at `path`.
pub fn scan_history(
    engine: &Engine,
    path: &Path,
    opts: &HistoryOptions,
) -> Result<Outcome, String> {
    let start = std::time::Instant::now();
    let mut repo = open(path)?;
    repo.object_cache_size_if_unset(4 << 20);
    let mut notes = Vec::new();
    let git_dir = repo.git_dir().display().to_string();
    let partial = is_partial_clone(&repo);
    if repo.is_shallow().unwrap_or(false) {
        notes.push(Note::new(
            DiagKind::Skipped,
            &git_dir,
            "shallow clone: only the fetched commits are scanned; secrets in older commits cannot be seen",
        ));
    }
    // The tips.
    let mut tips = Vec::new();
    if let Some(b) = &opts.branch {
        let id = repo
            .rev_parse_single(b.as_str())
            .map_err(|e| format!("--branch {b}: {e}"))?;
        match peel_to_commit(&repo, id.detach()) {
            Some(c) => tips.push(c),
            None => return Err(format!("--branch {b} does not name a commit")),
        }
    } else {
        match repo
            .references()
            .and_then(|p| p.all().map(|it| it.collect::<Vec<_>>()))
        {
            Ok(refs) => {
                for r in refs {
                    let Ok(mut r) = r else { continue };
                    match r.peel_to_id() {
                        Ok(id) => {
                            if let Some(c) = peel_to_commit(&repo, id.detach()) {
                                tips.push(c);
                            }
                        }
                        Err(e) => notes.push(Note::new(
                            DiagKind::Reference,
                            &git_dir,
                            format!("reference {} cannot be resolved ({e})", r.name().as_bstr()),
                        )),
                    }
                }
            }
            Err(e) => notes.push(Note::new(
                DiagKind::Reference,
                &git_dir,
                format!("references cannot be listed ({e})"),
            )),
        }
        match repo.head() {
            Ok(h) if h.is_detached() => {
                if let Some(id) = h.id() {
                    notes.push(Note::new(
                        DiagKind::Skipped,
                        &git_dir,
                        format!("HEAD is detached at {}; its commits are scanned too", id),
                    ));
                    tips.push(id.detach());
                }
            }
            _ => {}
        }
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        notes.push(Note::new(
            DiagKind::Skipped,
            &git_dir,
            "the repository has no commits: there is no history to scan",
        ));
        let mut stats = crate::Stats {
            rules: engine.rules.len(),
            ..Default::default()
        };
        stats.elapsed = start.elapsed();
        return Ok(Outcome {
            scope: Scope::History,
            findings: Vec::new(),
            notes,
            stats,
        });
    }
    let excluded = match &opts.since {
        Some(rev) => {
            let id = repo
                .rev_parse_single(rev.as_str())
                .map_err(|e| format!("--since {rev}: {e}"))?;
            let c = peel_to_commit(&repo, id.detach())
                .ok_or_else(|| format!("--since {rev} does not name a commit"))?;
            ancestors(&repo, c)
        }
        None => HashSet::new(),
    };
    let (mut commits, boundary) = walk(&repo, &tips, &excluded, &mut notes);
    commits.sort_by_key(|c| (c.seconds, c.id));
    let commits = topological(commits);

    // Map each blob to the first commit and path that introduced it.
    let mut seen_trees: HashSet<ObjectId> = HashSet::new();
    let mut known: HashSet<ObjectId> = HashSet::new();
    let mut index: HashMap<ObjectId, u32> = HashMap::new();
    let mut blobs: Vec<BlobEntry> = Vec::new();
    let mut buf = Vec::new();
    let mut submodules = Vec::new();
    let mut missing_trees = 0usize;
    let mut tree_buf = Vec::new();
    let boundary_trees: Vec<ObjectId> = boundary
        .iter()
        .filter_map(|b| read_commit(&repo, *b, &mut buf).ok().map(|(m, _)| m.tree))
        .collect();
    // Every tree decoded first, on every core; the walk below then reads them from memory.
    let loaded = load_trees(
        &repo,
        commits
            .iter()
            .rev()
            .map(|c| c.tree)
            .chain(boundary_trees.iter().copied()),
    );
    let trees = Trees::Loaded(&repo, &loaded);
    for tree in boundary_trees {
        walk_tree(
            trees,
            tree,
            &mut seen_trees,
            &mut tree_buf,
            &mut |id, _| {
                known.insert(id);
            },
            &mut submodules,
            &mut missing_trees,
        );
    }
    submodules.clear();
    for (ci, c) in commits.iter().enumerate() {
        walk_tree(
            trees,
            c.tree,
            &mut seen_trees,
            &mut tree_buf,
            &mut |id, path| {
                if known.contains(&id) {
                    return;
                }
                if let std::collections::hash_map::Entry::Vacant(v) = index.entry(id) {
                    v.insert(blobs.len() as u32);
                    blobs.push(BlobEntry {
                        id,
                        path,
                        commit: ci as u32,
                    });
                }
            },
            &mut submodules,
            &mut missing_trees,
        );
    }
    drop(known);
    drop(seen_trees);
    submodules.sort();
    submodules.dedup();
    if !submodules.is_empty() {
        notes.push(Note::new(
            DiagKind::Skipped,
            &git_dir,
            format!(
                "{} submodule path(s) ({}) are other repositories and were not scanned; scan them on their own",
                submodules.len(),
                submodules.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if missing_trees > 0 {
        notes.push(Note::blocking(
            DiagKind::Reference,
            &git_dir,
            format!("{missing_trees} tree(s) cannot be read from the object database (broken pack or partial clone); their files were not scanned"),
        ));
    }

    // Blobs in HEAD's tree, for "still present at HEAD".
    let mut head_blobs: HashSet<ObjectId> = HashSet::new();
    if let Ok(head) = repo.head_commit()
        && let Ok(tree) = head.tree_id()
    {
        let mut seen = HashSet::new();
        let mut sm = Vec::new();
        let mut miss = 0;
        walk_tree(
            trees,
            tree.detach(),
            &mut seen,
            &mut tree_buf,
            &mut |id, _| {
                head_blobs.insert(id);
            },
            &mut sm,
            &mut miss,
        );
    }
    drop(loaded);

    // Decode and scan.
    let tally = Tally::default();
    let done: Vec<AtomicBool> = (0..blobs.len()).map(|_| AtomicBool::new(false)).collect();
    let results: Mutex<Vec<(u32, FileScan)>> = Mutex::new(Vec::new());
    let pb = progress_bar(blobs.len() as u64, opts.progress);
    let large: Mutex<Vec<(u32, u64)>> = Mutex::new(Vec::new());
    let too_large = |i: u32, size: u64| {
        let b = &blobs[i as usize];
        tally.large.fetch_add(1, Ordering::Relaxed);
        large.lock().expect("not poisoned").push((i, size));
        let s = engine.scan(&b.path, &[0], None);
        if !s.matches.is_empty() {
            results.lock().expect("not poisoned").push((i, s));
        }
    };
    // Blob `i`, stored as a delta of a blob whose scan left a memo when `base` is given; its own
    // memo is kept when `keep` (other blobs are stored as deltas of it).
    let scan_one = |i: u32, data: &[u8], base: Option<DeltaOf<'_>>, keep: bool| -> Option<Memo> {
        let b = &blobs[i as usize];
        let mut memo = None;
        if data.len() as u64 > opts.max_size {
            too_large(i, data.len() as u64);
        } else {
            let commit = &commits[b.commit as usize].info.id;
            let (s, m) = engine.scan_blob(&b.path, data, Some(commit), base, keep);
            memo = m;
            tally.count(&s, data.len());
            if !s.matches.is_empty() {
                results.lock().expect("not poisoned").push((i, s));
            }
        }
        pb.inc(1);
        let pos = pb.position();
        if pos.is_multiple_of(1024) {
            let secs = start.elapsed().as_secs_f64().max(0.001);
            pb.set_message(format!(
                "{:.0} MB/s",
                tally.bytes.load(Ordering::Relaxed) as f64 / secs / 1e6
            ));
        }
        memo
    };
    let pack_dir = repo.common_dir().join("objects").join("pack");
    let mut idx_files: Vec<_> = std::fs::read_dir(&pack_dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect()
        })
        .unwrap_or_default();
    idx_files.sort();
    let interrupt = AtomicBool::new(false);
    if !blobs.is_empty() {
        for idx in &idx_files {
            let bundle = match gix::odb::pack::Bundle::at(idx, repo.object_hash()) {
                Ok(b) => b,
                Err(e) => {
                    notes.push(Note::new(
                        DiagKind::Io,
                        idx.display().to_string(),
                        format!(
                            "pack cannot be opened ({e}); its objects are looked up one by one"
                        ),
                    ));
                    continue;
                }
            };
            let children = &delta_children(&bundle);
            let memos = &Memos::default();
            let (pack, index, done, scan_one) = (&bundle, &index, &done, &scan_one);
            let mut reader = DeltaReader::default();
            let processor = move |kind: gix::objs::Kind,
                                  data: &[u8],
                                  entry: &gix::odb::pack::index::Entry,
                                  _: &dyn gix::Progress|
                  -> gix::error::Result<()> {
                if kind != gix::objs::Kind::Blob {
                    return Ok(());
                }
                // Taken even when this blob is not scanned: it is one delta fewer to keep it for.
                let base = delta_base(pack, entry.pack_offset).and_then(|b| memos.take_one(b));
                if let Some(&i) = index.get(&entry.oid)
                    && !done[i as usize].swap(true, Ordering::AcqRel)
                {
                    let pending = children.get(&entry.pack_offset).copied().unwrap_or(0);
                    let base = base.as_deref().and_then(|memo| {
                        reader
                            .pieces(pack, entry.pack_offset, memo.len)
                            .map(|pieces| DeltaOf { memo, pieces })
                    });
                    if let Some(memo) = scan_one(i, data, base, pending > 0) {
                        memos.keep(entry.pack_offset, pending, memo);
                    }
                }
                Ok(())
            };
            // The pack's checksum is computed beside the traversal: a damaged pack can inflate to
            // wrong bytes without a decode error, and its checksum says whether what was read can
            // be trusted.
            let (res, checksum) = std::thread::scope(|s| {
                let check = s.spawn(|| verify_pack(&bundle.pack));
                let res = bundle.index.traverse(
                    &bundle.pack,
                    &mut gix::progress::Discard,
                    &interrupt,
                    processor,
                    gix::odb::pack::index::traverse::Options {
                        traversal: gix::odb::pack::index::traverse::Algorithm::DeltaTreeLookup,
                        thread_limit: None,
                        check: gix::odb::pack::index::traverse::SafetyCheck::SkipFileAndObjectChecksumVerificationAndNoAbortOnDecodeError,
                        // Bounds the memory one object takes: a larger one stops the traversal and
                        // the blobs left are looked up one by one, their size read first.
                        alloc_limit_bytes: Some(
                            usize::try_from(opts.max_size.max(TRAVERSAL_ALLOC_LIMIT))
                                .unwrap_or(usize::MAX),
                        ),
                        make_pack_lookup_cache: || gix::odb::pack::cache::Never,
                    },
                );
                let checksum = check
                    .join()
                    .unwrap_or_else(|_| Err("the checksum could not be computed".to_string()));
                (res, checksum)
            });
            if let Err(e) = checksum {
                notes.push(Note::blocking(
                    DiagKind::Io,
                    bundle.pack.path().display().to_string(),
                    format!(
                        "pack is damaged ({e}): objects read from it may be corrupt or missing, so the history is not assessed; `git fsck` names them"
                    ),
                ));
            }
            if let Err(e) = res {
                notes.push(Note::new(
                    DiagKind::Io,
                    idx.display().to_string(),
                    format!(
                        "pack traversal stopped ({e}); the blobs not read are looked up one by one"
                    ),
                ));
            }
        }
    }
    // Loose objects, alternates, and whatever a broken pack did not yield.
    let rest: Vec<u32> = (0..blobs.len() as u32)
        .filter(|&i| !done[i as usize].load(Ordering::Acquire))
        .collect();
    let missing = Mutex::new(Vec::new());
    if !rest.is_empty() {
        let sync = repo.clone().into_sync();
        rest.par_iter().for_each_init(
            || (sync.to_thread_local(), Vec::new()),
            |(repo, buf), &i| {
                let b = &blobs[i as usize];
                // The header gives the size without inflating the blob: one over the limit is
                // "too large" and never decoded (a 4 GB blob must not be read to be skipped).
                match repo.try_find_header(b.id) {
                    Ok(Some(h)) if h.size() > opts.max_size => {
                        too_large(i, h.size());
                        return;
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        missing.lock().expect("not poisoned").push((i, None));
                        return;
                    }
                    Err(e) => {
                        missing
                            .lock()
                            .expect("not poisoned")
                            .push((i, Some(e.to_string())));
                        return;
                    }
                }
                match repo.objects.find_blob(&b.id, buf) {
                    Ok(blob) => {
                        scan_one(i, blob.data, None, false);
                    }
                    Err(e) => missing
                        .lock()
                        .expect("not poisoned")
                        .push((i, Some(e.to_string()))),
                }
            },
        );
    }
    pb.finish_and_clear();
    let mut missing = missing.into_inner().expect("not poisoned");
    missing.sort_by_key(|m| m.0);
    if let Some((first, why)) = missing.first() {
        let first = &blobs[*first as usize];
        let message = format!(
            "{} blob(s) cannot be read from the object database{}, first {} at {}{}; they were not scanned",
            missing.len(),
            if partial {
                " (partial clone: not fetched)"
            } else {
                ""
            },
            first.id,
            first.path,
            why.as_ref().map(|w| format!(" ({w})")).unwrap_or_default()
        );
        // A partial clone leaves blobs out on purpose; anything else is a damaged repository whose
        // unread blobs may hold a secret.
        notes.push(if partial {
            Note::new(DiagKind::Reference, &git_dir, message)
        } else {
            Note::blocking(DiagKind::Reference, &git_dir, message)
        });
    }
    let mut large = large.into_inner().expect("not poisoned");
    large.sort_by_key(|l| l.0);
    for (i, size) in large {
        notes.push(Note::new(
            DiagKind::TooLarge,
            blobs[i as usize].path.clone(),
            format!(
                "blob {} is {size} bytes, over the {} byte limit: only its name was checked",
                blobs[i as usize].id, opts.max_size
            ),
        ));
    }

    let mut g = Grouper::default();
    for (i, s) in results.into_inner().expect("not poisoned") {
        let b = &blobs[i as usize];
        let c = &commits[b.commit as usize];
        for m in s.matches {
            let also: Vec<&crate::rules::Rule> = m.also.iter().map(|&r| &engine.rules[r]).collect();
            g.add_with(
                &engine.rules[m.rule],
                &also,
                &m.secret,
                &m.context,
                SecretLocation {
                    path: b.path.clone(),
                    line: m.line,
                    column: m.column,
                    commit: Some(c.info.clone()),
                    at_head: Some(head_blobs.contains(&b.id)),
                    fingerprint: String::new(),
                },
            );
        }
    }
    if let Some(p) = engine.profile_report() {
        eprint!("{p}");
    }
    let mut stats = tally.into_stats(engine.rules.len());
    stats.commits = commits.len() as u64;
    stats.elapsed = start.elapsed();
    Ok(Outcome {
        scope: Scope::History,
        findings: g.finish(),
        notes,
        stats,
    })
}

/// Scan what is staged: index entries whose content differs from HEAD's (all of them when there
/// is no commit yet). Lines refer to the staged content.
pub fn scan_staged(engine: &Engine, path: &Path, max_size: u64) -> Result<Outcome, String> {
    let start = std::time::Instant::now();
    let repo = open(path)?;
    let mut notes = Vec::new();
    let index = repo
        .open_index()
        .map_err(|e| format!("the index cannot be read ({e})"))?;
    let mut head: HashMap<String, ObjectId> = HashMap::new();
    if let Ok(commit) = repo.head_commit()
        && let Ok(tree) = commit.tree_id()
    {
        let mut seen = HashSet::new();
        let mut sm = Vec::new();
        let mut miss = 0;
        let mut buf = Vec::new();
        walk_tree(
            Trees::Odb(&repo),
            tree.detach(),
            &mut seen,
            &mut buf,
            &mut |id, p| {
                head.insert(p, id);
            },
            &mut sm,
            &mut miss,
        );
    }
    let tally = Tally::default();
    let mut g = Grouper::default();
    let mut buf = Vec::new();
    for e in index.entries() {
        use gix::index::entry::Mode;
        if !(e.mode == Mode::FILE || e.mode == Mode::FILE_EXECUTABLE) {
            continue;
        }
        let p = e.path(&index).to_string();
        if head.get(&p) == Some(&e.id) {
            continue;
        }
        // The size first, from the object's header: a staged file over the limit is not inflated.
        if let Ok(Some(h)) = repo.try_find_header(e.id)
            && h.size() > max_size
        {
            tally.large.fetch_add(1, Ordering::Relaxed);
            notes.push(Note::new(
                DiagKind::TooLarge,
                &p,
                format!(
                    "{} bytes, over the {max_size} byte limit: only its name was checked",
                    h.size()
                ),
            ));
            let s = engine.scan(&p, &[0], None);
            for m in s.matches {
                g.add(
                    &engine.rules[m.rule],
                    &m.secret,
                    &m.context,
                    SecretLocation::in_file(p.clone(), m.line, m.column),
                );
            }
            continue;
        }
        let data = match repo.objects.find_blob(&e.id, &mut buf) {
            Ok(b) => b.data,
            Err(err) => {
                notes.push(Note::blocking(
                    DiagKind::Io,
                    &p,
                    format!("staged content cannot be read ({err}): not scanned"),
                ));
                continue;
            }
        };
        let s = if data.len() as u64 > max_size {
            tally.large.fetch_add(1, Ordering::Relaxed);
            engine.scan(&p, &[0], None)
        } else {
            let s = engine.scan(&p, data, None);
            tally.count(&s, data.len());
            s
        };
        for m in s.matches {
            let also: Vec<&crate::rules::Rule> = m.also.iter().map(|&r| &engine.rules[r]).collect();
            g.add_with(
                &engine.rules[m.rule],
                &also,
                &m.secret,
                &m.context,
                SecretLocation::in_file(p.clone(), m.line, m.column),
            );
        }
    }
    let mut stats = tally.into_stats(engine.rules.len());
    stats.elapsed = start.elapsed();
    Ok(Outcome {
        scope: Scope::Staged,
        findings: g.finish(),
        notes,
        stats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.org")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.org")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The blobs (id and path, in walk order) and missing trees of walking every commit's tree,
    /// oldest first, skipping trees already seen, as `scan_history` does.
    fn walk_all(trees: Trees<'_>, roots: &[ObjectId]) -> (Vec<(ObjectId, String)>, usize, usize) {
        let mut seen = HashSet::new();
        let mut buf = Vec::new();
        let mut out = Vec::new();
        let mut submodules = Vec::new();
        let mut missing = 0;
        for r in roots {
            walk_tree(
                trees,
                *r,
                &mut seen,
                &mut buf,
                &mut |id, path| out.push((id, path)),
                &mut submodules,
                &mut missing,
            );
        }
        (out, missing, seen.len())
    }

    /// The trees decoded ahead of the walk give the walk exactly what reading each tree from the
    /// object database gives: same blobs, same paths, same order, and a tree that cannot be read
    /// still counted as missing.
    #[test]
    fn preloaded_trees_walk_as_the_object_database_does() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        git(dir, &["init", "-q", "-b", "main"]);
        git(dir, &["config", "commit.gpgsign", "false"]);
        // An empty first commit: its tree is the empty tree, which is in no pack.
        git(dir, &["commit", "-q", "--allow-empty", "-m", "empty"]);
        for i in 0..12 {
            for (f, n) in [
                ("a/b/c.txt", i),
                ("a/d.yaml", i / 2),
                ("e/f/g/h.env", i / 3),
            ] {
                let p = dir.join(f);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, format!("{f} version {n}\n").repeat(50)).unwrap();
            }
            git(dir, &["add", "-A"]);
            git(
                dir,
                &["commit", "-q", "--allow-empty", "-m", &format!("c{i}")],
            );
            if i == 6 {
                // Half the history in a pack with deltas, half loose.
                git(dir, &["gc", "-q", "--aggressive"]);
            }
        }
        let repo = gix::open(dir).unwrap();
        let roots: Vec<ObjectId> = git(dir, &["log", "--reverse", "--format=%T"])
            .lines()
            .map(|l| ObjectId::from_hex(l.as_bytes()).unwrap())
            .collect();
        assert_eq!(roots.len(), 13);
        // One root that names no object in the repository.
        let mut with_missing = roots.clone();
        with_missing.insert(5, ObjectId::from_hex(&[b'7'; 40]).unwrap());
        let want = walk_all(Trees::Odb(&repo), &with_missing);
        let loaded = load_trees(&repo, with_missing.iter().rev().copied());
        assert_eq!(loaded.values().filter(|t| t.is_none()).count(), 1);
        // Every tree the walk visits was decoded ahead of it.
        assert_eq!(loaded.len(), want.2);
        let got = walk_all(Trees::Loaded(&repo, &loaded), &with_missing);
        assert_eq!(want.1, 1);
        assert!(want.0.len() >= 22, "{}", want.0.len());
        assert_eq!(got, want);
        // A tree left out of the preloaded ones is read from the object database.
        let partial = load_trees(&repo, roots[..3].iter().copied());
        assert_eq!(
            walk_all(Trees::Loaded(&repo, &partial), &with_missing),
            want
        );
    }

    /// The pack checksum is recomputed: an intact pack passes, one damaged byte fails.
    #[test]
    fn a_pack_whose_bytes_differ_from_its_checksum_is_damaged() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        git(dir, &["init", "-q", "-b", "main"]);
        git(dir, &["config", "commit.gpgsign", "false"]);
        std::fs::write(dir.join("a.txt"), "some content\n".repeat(100)).unwrap();
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "one"]);
        git(dir, &["gc", "-q"]);
        let pack_dir = dir.join(".git/objects/pack");
        let pack = std::fs::read_dir(&pack_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "pack"))
            .unwrap();
        let open = |p: &Path| gix::odb::pack::data::File::at(p, gix::hash::Kind::Sha1).unwrap();
        assert_eq!(verify_pack(&open(pack.as_path())), Ok(()));
        let mut bytes = std::fs::read(&pack).unwrap();
        bytes[20] ^= 0x40;
        let damaged = dir.join("damaged.pack");
        std::fs::write(&damaged, &bytes).unwrap();
        let err = verify_pack(&open(damaged.as_path())).unwrap_err();
        assert!(err.contains("checksum"), "{err}");
    }
}
