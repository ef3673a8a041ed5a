//! SUP-07: Prisma schema changes come with a migration.
//!
//! Statically, every `schema.prisma` needs a `migrations/` folder beside it. With `--since REV`,
//! the trees of REV and HEAD are diffed with gix (no checkout, no `git` process), and every
//! changed `schema.prisma` needs a new folder under its `migrations/` in the same range.

use crate::analyze::{Analysis, Found};
use std::path::Path;
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-07",
    title: "Prisma schema changes come with a migration",
    severity: Severity::Medium,
    applies_to: &["prisma", "git"],
    what: "Every `schema.prisma` has a `migrations/` folder beside it (Prisma Migrate, not \
           `db push`), and with `vigie scan --since REV`, every change to a `schema.prisma` between \
           REV and HEAD comes with a new folder under its `migrations/`.",
    why: "A schema change without its migration is applied by hand or by `db push`, differently in \
          each environment and without review; the next deployment then drifts or loses data.",
    fix: "Run `npx prisma migrate dev --name <change>` and commit the folder it writes under \
          `prisma/migrations/` with the schema change.",
    failing: (
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n",
    ),
    passing: (
        "prisma/migrations/20250101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"email\" TEXT NOT NULL);\n",
    ),
};

fn dir_of(f: &str) -> &str {
    f.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(d: &str, n: &str) -> String {
    if d.is_empty() {
        n.to_string()
    } else {
        format!("{d}/{n}")
    }
}

fn is_schema(f: &str) -> bool {
    (f == "schema.prisma" || f.ends_with("/schema.prisma"))
        && !f.split('/').any(|c| c == "node_modules")
}

fn uses_mongodb(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("provider") && l.contains("\"mongodb\"")
    })
}

/// The static half: a migrations folder with at least one migration beside every schema.
fn sup07_static(files: &[&str], read: &dyn Fn(&str) -> Option<String>, out: &mut Vec<Verdict>) {
    for f in files.iter().filter(|f| is_schema(f)) {
        if read(f).is_some_and(|t| uses_mongodb(&t)) {
            continue; // Prisma Migrate does not apply to MongoDB
        }
        let mig = join(dir_of(f), "migrations/");
        let first = files
            .iter()
            .find(|x| x.starts_with(&mig) && x[mig.len()..].contains('/'));
        match first {
            Some(m) => out.push(Verdict::pass(
                &DOC,
                *f,
                Location::file((*m).into()),
                format!("the schema is migrated with Prisma Migrate (`{}` holds its migrations)", mig.trim_end_matches('/')),
            )),
            None => out.push(Verdict::fail(
                &DOC,
                *f,
                Location::new((*f).into(), 1, 1),
                format!("no migration under `{}`: schema changes are applied without a reviewed migration (`prisma db push`)", mig.trim_end_matches('/')),
                "run `npx prisma migrate dev --name init` and commit the `migrations/` folder",
            )),
        }
    }
}

/// What changed between two commits, for the paths that matter.
#[derive(Debug, Default)]
pub struct Range {
    pub from: String,
    pub to: String,
    /// Changed (added or modified) schema files, relative to the repository.
    pub schemas: Vec<String>,
    /// Paths added in the range, relative to the repository.
    pub added: Vec<String>,
    /// The scanned root relative to the repository's work tree (`""` at the top).
    pub prefix: String,
}

fn diff_range(root: &Path, since: &str) -> Result<Range, String> {
    let repo = gix::discover(root)
        .map_err(|e| format!("{} is not in a git repository ({e})", root.display()))?;
    let from = repo
        .rev_parse_single(since)
        .map_err(|e| format!("`{since}` does not name a commit of this repository ({e})"))?;
    let from_commit = from
        .object()
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| format!("`{since}` is not a commit ({e})"))?;
    let head = repo
        .head_commit()
        .map_err(|e| format!("HEAD has no commit ({e})"))?;
    let ta = from_commit.tree().map_err(|e| e.to_string())?;
    let tb = head.tree().map_err(|e| e.to_string())?;
    let mut rec = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&ta.data, repo.object_hash()),
        gix::objs::TreeRefIter::from_bytes(&tb.data, repo.object_hash()),
        gix::diff::tree::State::default(),
        &repo.objects,
        &mut rec,
    )
    .map_err(|e| format!("the trees of {since} and HEAD could not be compared ({e})"))?;
    let mut r = Range {
        from: from_commit.id().shorten_or_id().to_string(),
        to: head.id().shorten_or_id().to_string(),
        ..Range::default()
    };
    if let Some(wd) = repo.workdir()
        && let (Ok(a), Ok(b)) = (root.canonicalize(), wd.canonicalize())
        && let Ok(rel) = a.strip_prefix(&b)
    {
        r.prefix = rel.to_string_lossy().replace('\\', "/");
    }
    use gix::diff::tree::recorder::Change;
    for c in rec.records {
        match c {
            Change::Addition {
                path, entry_mode, ..
            } => {
                let p = path.to_string();
                if is_schema(&p) && entry_mode.is_blob() {
                    r.schemas.push(p.clone());
                }
                r.added.push(p);
            }
            Change::Modification {
                path, entry_mode, ..
            } => {
                let p = path.to_string();
                if is_schema(&p) && entry_mode.is_blob() {
                    r.schemas.push(p);
                }
            }
            Change::Deletion { .. } => {}
        }
    }
    Ok(r)
}

fn sup07_since(root: &Path, since: &str, out: &mut Vec<Verdict>, diags: &mut Vec<Diagnostic>) {
    let r = match diff_range(root, since) {
        Ok(r) => r,
        Err(e) => {
            diags.push(Diagnostic::new(
                DiagKind::Reference,
                Location::file("".into()),
                format!("--since: {e}; schema changes were not checked against migrations"),
            ));
            return;
        }
    };
    let range = format!("{}..{}", r.from, r.to);
    let strip = |p: &str| -> Option<String> {
        if r.prefix.is_empty() {
            Some(p.to_string())
        } else {
            p.strip_prefix(&format!("{}/", r.prefix))
                .map(str::to_string)
        }
    };
    for s in &r.schemas {
        let Some(rel) = strip(s) else { continue };
        let mig = join(dir_of(s), "migrations/");
        // a new folder under migrations/: an added path with a folder component after it
        let new = r
            .added
            .iter()
            .find(|a| a.starts_with(&mig) && a[mig.len()..].contains('/'));
        let subject = format!("{rel} › {range}");
        match new {
            Some(m) => {
                let folder = m[mig.len()..].split('/').next().unwrap_or("");
                out.push(Verdict::pass(
                    &DOC,
                    subject,
                    Location::file(strip(m).unwrap_or_else(|| m.clone()).into()),
                    format!("the schema changed in {range} together with the new migration `{folder}`"),
                ));
            }
            None => out.push(Verdict::fail(
                &DOC,
                subject,
                Location::new(rel.as_str().into(), 1, 1),
                format!("`{rel}` changed in {range} without a new folder under `{}`", mig.trim_end_matches('/')),
                "run `npx prisma migrate dev --name <change>` and commit the migration with the schema change",
            )),
        }
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    let read = |p: &str| m.read(p);
    sup07_static(&m.repo.files, &read, &mut out.verdicts);
    if let Some(since) = m.repo.since {
        sup07_since(m.repo.root, since, &mut out.verdicts, &mut out.diagnostics);
    }
}
