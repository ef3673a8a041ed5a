//! Render charts as `helm template` does: `helm-render CHART [-f VALUES]… [--set K=V]…
//! [--release-name N] [--namespace NS] [--json]`. Several charts may be given, separated by
//! `--` (used by bench/helm.sh); `--json` prints each template's output as JSON instead, with
//! each render's time in milliseconds.

use std::collections::BTreeMap;
use vigie_helm::{DirFs, Release};

// The vigie binary allocates with mimalloc: the benchmark renders with it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut json = false;
    let mut jobs: Vec<(String, Release)> = Vec::new();
    let mut cur: Option<(String, Release)> = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--" => {
                if let Some(j) = cur.take() {
                    jobs.push(j);
                }
            }
            "-f" | "--values" => {
                if let (Some((_, r)), Some(v)) = (cur.as_mut(), it.next()) {
                    r.values_files.push(v);
                }
            }
            "--set" => {
                if let (Some((_, r)), Some(v)) = (cur.as_mut(), it.next()) {
                    r.set.push(v);
                }
            }
            "--release-name" => {
                if let (Some((_, r)), Some(v)) = (cur.as_mut(), it.next()) {
                    r.name = v;
                }
            }
            "--namespace" => {
                if let (Some((_, r)), Some(v)) = (cur.as_mut(), it.next()) {
                    r.namespace = v;
                }
            }
            chart => {
                if let Some(j) = cur.take() {
                    jobs.push(j);
                }
                cur = Some((chart.to_string(), Release::default()));
            }
        }
    }
    if let Some(j) = cur.take() {
        jobs.push(j);
    }
    let mut results: Vec<serde_json::Value> = Vec::new();
    let mut failed = false;
    for (chart, release) in jobs {
        let fs = DirFs::new(".");
        let t0 = std::time::Instant::now();
        let r = vigie_helm::render(&fs, &chart, &release);
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        if json {
            let t: BTreeMap<&String, &String> = r.templates.iter().collect();
            results.push(serde_json::json!({
                "chart": chart,
                "ms": ms,
                "templates": t,
                "failure": r.failure,
                "nondeterministic": r.nondeterministic,
                "diagnostics": r.diagnostics.iter().map(|d| format!("{}: {}", d.location, d.message)).collect::<Vec<_>>(),
            }));
        } else {
            for d in &r.diagnostics {
                eprintln!("{}: {}: {}", d.code, d.location, d.message);
            }
            if let Some(f) = &r.failure {
                eprintln!("Error: {f}");
                failed = true;
            }
            print!("{}", r.helm_template_output());
        }
    }
    if json {
        println!("{}", serde_json::Value::Array(results));
    }
    if failed {
        std::process::exit(1);
    }
}
