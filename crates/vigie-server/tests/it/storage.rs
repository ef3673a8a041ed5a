//! The store on both engines: reports come back byte for byte, unchanged verdicts are not
//! stored twice, uploads are idempotent, concurrent uploads chain one after the other, and
//! every kind of tampering is named by the verification.

use crate::common::*;
use vigie_server::canonical;
use vigie_server::chain::GENESIS;
use vigie_server::store::{read, retention, verify};

fn each_engine(test: impl AsyncFn(Engine, vigie_server::Db)) {
    for engine in ENGINES {
        let db = TestDb::new(engine);
        runtime().block_on(async {
            let d = db.open().await;
            test(engine, d).await;
        });
    }
}

#[test]
fn a_report_comes_back_as_uploaded() {
    each_engine(async |engine, db| {
        let repo = repository(&db, "org/app").await;
        let r = with_attestation(
            report(300, 7, "a <script>alert(1)</script> é"),
            "GOV-02",
            "2030-01-01",
        );
        let stored = store(&db, repo, "abcdef1", 1_800_000_000, r.clone()).await;
        assert!(!stored.duplicate);
        assert_eq!(stored.seq, 1);
        let back = read::report_bytes(&db, stored.scan_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back, canonical::to_vec(&r), "{engine:?}");
        let typed = read::report(&db, stored.scan_id).await.unwrap().unwrap();
        assert_eq!(typed.verdicts.len(), 301);
    });
}

#[test]
fn unchanged_verdicts_are_stored_once() {
    each_engine(async |engine, db| {
        let repo = repository(&db, "org/app").await;
        store(&db, repo, "aaaaaaa", 1_800_000_000, report(500, 5, "x")).await;
        let packs_before = count(&db, "verdict_packs").await;
        let blobs_before = count(&db, "blobs").await;
        // one verdict changes: one new verdict is stored, the rest are referenced
        let mut r = report(500, 5, "x");
        r["verdicts"][10]["message"] = "changed".into();
        let s = store(&db, repo, "bbbbbbb", 1_800_000_100, r.clone()).await;
        assert_eq!(
            count(&db, "verdict_packs").await,
            packs_before + 1,
            "{engine:?}"
        );
        use sqlx::Row;
        let n: i64 = sqlx::query("SELECT n_verdicts FROM verdict_packs WHERE repository_id = $1 ORDER BY first_vid DESC LIMIT 1")
            .bind(repo)
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get("n_verdicts");
        assert_eq!(n, 1, "{engine:?}");
        // the large fields that did not change are shared
        assert!(count(&db, "blobs").await <= blobs_before + 1, "{engine:?}");
        let back = read::report_bytes(&db, s.scan_id).await.unwrap().unwrap();
        assert_eq!(back, canonical::to_vec(&r));
        // an identical report for a new commit stores no verdict at all
        store(&db, repo, "ccccccc", 1_800_000_200, r).await;
        assert_eq!(
            count(&db, "verdict_packs").await,
            packs_before + 1,
            "{engine:?}"
        );
    });
}

#[test]
fn the_same_commit_and_report_twice_is_one_scan() {
    each_engine(async |engine, db| {
        let repo = repository(&db, "org/app").await;
        let a = store(&db, repo, "abcdef1", 1_800_000_000, report(10, 1, "x")).await;
        let b = store(&db, repo, "abcdef1", 1_800_000_500, report(10, 1, "x")).await;
        assert!(b.duplicate, "{engine:?}");
        assert_eq!(
            (a.scan_id, a.seq, a.entry_hash.clone()),
            (b.scan_id, b.seq, b.entry_hash)
        );
        assert_eq!(count(&db, "scans").await, 1);
        // the same report for another commit is another scan
        let c = store(&db, repo, "abcdef2", 1_800_000_600, report(10, 1, "x")).await;
        assert_eq!(c.seq, 2);
    });
}

#[test]
fn concurrent_uploads_to_one_repository_make_one_chain() {
    for engine in ENGINES {
        let db = TestDb::new(engine);
        runtime().block_on(async {
            let d = std::sync::Arc::new(db.open().await);
            let repo = repository(&d, "org/app").await;
            let tasks: Vec<_> = (0..12)
                .map(|i| {
                    let d = d.clone();
                    tokio::spawn(async move {
                        store(
                            &d,
                            repo,
                            &format!("{i:07x}"),
                            1_800_000_000 + i,
                            report(50, i as usize % 3, &i.to_string()),
                        )
                        .await
                    })
                })
                .collect();
            let mut seqs = Vec::new();
            for t in tasks {
                seqs.push(t.await.unwrap().seq);
            }
            seqs.sort();
            assert_eq!(seqs, (1..=12).collect::<Vec<_>>(), "{engine:?}");
            let v = verify::verify(&d, None).await.unwrap();
            assert!(v.ok(), "{engine:?}: {:?}", v.altered);
            assert_eq!(v.entries, 12);
            assert_eq!(v.reports, 12);
        });
    }
}

/// Change the database behind the server's back, and expect the verification to name `seq`.
async fn expect_altered(db: &vigie_server::Db, statements: &[String], seq: i64) {
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let v = verify::verify(db, None).await.unwrap();
    assert_eq!(v.altered.len(), 1, "{statements:?}: {:?}", v.altered);
    assert_eq!(
        v.altered[0].seq, seq,
        "{statements:?}: {}",
        v.altered[0].reason
    );
}

/// The statements that delete entry `seq` with its summaries.
fn delete_entry(seq: i64) -> Vec<String> {
    let mut s: Vec<String> = ["scan_frameworks", "scan_controls", "scan_expiries"]
        .iter()
        .map(|t| {
            format!("DELETE FROM {t} WHERE scan_id IN (SELECT id FROM scans WHERE seq = {seq})")
        })
        .collect();
    s.push(format!("DELETE FROM scans WHERE seq = {seq}"));
    s
}

#[test]
fn tampering_is_named_at_the_first_altered_entry() {
    let one = |sql: &str| vec![sql.to_string()];
    let cases: Vec<(Vec<String>, i64)> = vec![
        // a report's small fields replaced by another's
        (
            one("UPDATE scans SET meta = (SELECT meta FROM scans WHERE seq = 1) WHERE seq = 2"),
            2,
        ),
        // a date moved
        (
            one("UPDATE scans SET scanned_at = scanned_at - 86400 WHERE seq = 3"),
            3,
        ),
        // an attestation removed from the entry
        (one("UPDATE scans SET attestations = '[]' WHERE seq = 2"), 2),
        // the verdicts first stored by the last entry rewritten in their pack
        (
            one(
                "UPDATE verdict_packs SET data = (SELECT data FROM verdict_packs p WHERE p.first_vid = 1) WHERE first_vid = (SELECT MAX(first_vid) FROM verdict_packs)",
            ),
            4,
        ),
        // an entry removed
        (delete_entry(2), 3),
        // the last entry removed
        (delete_entry(4), 4),
    ];
    for (statements, seq) in &cases {
        each_engine(async |engine, db| {
            let repo = repository(&db, "org/app").await;
            for i in 0..4 {
                let r =
                    with_attestation(report(20, i, &format!("scan {i}")), "GOV-02", "2030-01-01");
                store(
                    &db,
                    repo,
                    &format!("{i:07x}"),
                    1_800_000_000 + i as i64 * 100,
                    r,
                )
                .await;
            }
            assert!(verify::verify(&db, None).await.unwrap().ok(), "{engine:?}");
            expect_altered(&db, statements, *seq).await;
        });
    }
}

#[test]
fn retention_prunes_reports_and_keeps_the_chain_verifiable() {
    each_engine(async |engine, db| {
        let repo = repository(&db, "org/app").await;
        let now = vigie_server::db::now();
        // two scans older than the retention period, one recent
        store(
            &db,
            repo,
            "aaaaaaa",
            now - 500 * 86400,
            report(100, 2, "old"),
        )
        .await;
        store(
            &db,
            repo,
            "bbbbbbb",
            now - 450 * 86400,
            report(100, 3, "older"),
        )
        .await;
        let recent = store(&db, repo, "ccccccc", now - 86400, report(100, 1, "new")).await;
        let pruned = retention::prune(&db, 400).await.unwrap();
        assert_eq!(pruned.scans, 2, "{engine:?}");
        assert!(pruned.packs >= 1, "{engine:?}: {pruned:?}");
        let v = verify::verify(&db, None).await.unwrap();
        assert!(v.ok(), "{engine:?}: {:?}", v.altered);
        assert_eq!((v.entries, v.reports), (3, 1));
        assert!(
            read::report_bytes(&db, recent.scan_id)
                .await
                .unwrap()
                .is_some()
        );
        // a later upload still finds what it needs
        store(&db, repo, "ddddddd", now, report(100, 1, "new")).await;
        assert!(verify::verify(&db, None).await.unwrap().ok());
    });
}

#[test]
fn a_new_repository_starts_at_genesis() {
    each_engine(async |_, db| {
        let id = repository(&db, "org/app").await;
        let r = vigie_server::store::accounts::repository_by_id(&db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((r.head_seq, r.head_hash.as_str()), (0, GENESIS));
    });
}
