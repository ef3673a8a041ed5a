//! `/metrics` in the Prometheus text format: uploads and request latency counted by this
//! process, and each repository's compliance ratio per framework read from the database at
//! scrape time (so every replica reports the same).

use crate::db::Db;
use crate::store::{Result, get};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UploadLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RatioLabels {
    repository: String,
    framework: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RepositoryLabels {
    repository: String,
}

/// What this process counts.
pub struct Metrics {
    registry: Registry,
    pub uploads: Family<UploadLabels, Counter>,
    pub requests: Family<RequestLabels, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let uploads = Family::<UploadLabels, Counter>::default();
        registry.register(
            "vigie_uploads",
            "Uploads by outcome (stored, duplicate, rejected)",
            uploads.clone(),
        );
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        registry.register(
            "vigie_http_request_duration_seconds",
            "HTTP request latency by method, route and status",
            requests.clone(),
        );
        Metrics {
            registry,
            uploads,
            requests,
        }
    }
}

impl Metrics {
    pub fn upload(&self, outcome: &str) {
        self.uploads
            .get_or_create(&UploadLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The whole exposition: this process's counters, then the database's gauges.
    pub async fn render(&self, db: &Db) -> Result<String> {
        let mut gauges = Registry::default();
        let ratios = Family::<RatioLabels, Gauge<f64, AtomicU64>>::default();
        gauges.register(
            "vigie_compliance_ratio",
            "Compliant requirements over decided ones, per repository and framework, in the latest scan of the default branch",
            ratios.clone(),
        );
        let failures = Family::<RepositoryLabels, Gauge>::default();
        gauges.register(
            "vigie_failures",
            "Unwaived failures at or above fail_on in the latest scan of the default branch",
            failures.clone(),
        );
        let scans = Family::<RepositoryLabels, Gauge>::default();
        gauges.register("vigie_scans", "Scans stored per repository", scans.clone());
        for row in sqlx::query(
            "SELECT r.name, f.framework, f.compliant, f.partially_compliant, f.non_compliant \
             FROM repositories r JOIN scan_frameworks f ON f.scan_id = r.latest_scan_id",
        )
        .fetch_all(&db.pool)
        .await?
        {
            let decided: i64 = get::<i64>(&row, "compliant")?
                + get::<i64>(&row, "partially_compliant")?
                + get::<i64>(&row, "non_compliant")?;
            if decided > 0 {
                ratios
                    .get_or_create(&RatioLabels {
                        repository: get(&row, "name")?,
                        framework: get(&row, "framework")?,
                    })
                    .set(get::<i64>(&row, "compliant")? as f64 / decided as f64);
            }
        }
        for row in sqlx::query(
            "SELECT r.name, s.failures FROM repositories r JOIN scans s ON s.id = r.latest_scan_id",
        )
        .fetch_all(&db.pool)
        .await?
        {
            failures
                .get_or_create(&RepositoryLabels {
                    repository: get(&row, "name")?,
                })
                .set(get(&row, "failures")?);
        }
        for row in sqlx::query("SELECT name, head_seq FROM repositories")
            .fetch_all(&db.pool)
            .await?
        {
            scans
                .get_or_create(&RepositoryLabels {
                    repository: get(&row, "name")?,
                })
                .set(get(&row, "head_seq")?);
        }
        let mut out = String::new();
        // writing into a String cannot fail
        let _ = encode_registry(&mut out, &self.registry);
        let _ = encode_registry(&mut out, &gauges);
        let _ = encode_eof(&mut out);
        Ok(out)
    }
}
