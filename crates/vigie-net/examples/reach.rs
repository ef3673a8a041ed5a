//! Reachability of a repository, for the benchmark: load, build the graph, judge, and print
//! the sizes and phase times. Usage: `cargo run --release -p vigie-net --example reach -- DIR`.

use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let t0 = Instant::now();
    let loaded = vigie_net::load::load(std::path::Path::new(&dir));
    let t1 = Instant::now();
    let g = vigie_net::build_with_files(
        &loaded.projects,
        &loaded.objects,
        &loaded.pods.iter().collect::<Vec<_>>(),
        &loaded.roles,
        &loaded.files,
    );
    let t2 = Instant::now();
    let j = vigie_net::judge(&g);
    let t3 = Instant::now();
    println!(
        "workloads {} policies {} flows {} exposures {} verdicts {} diagnostics {}",
        g.workloads.len(),
        loaded
            .objects
            .iter()
            .filter(|o| o.kind == "NetworkPolicy")
            .count(),
        g.flow_pairs(),
        g.exposures.len(),
        j.verdicts.len(),
        loaded.diagnostics.len() + g.diagnostics.len()
    );
    println!(
        "load {:.3} s  reachability {:.3} s  controls {:.3} s",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64()
    );
}
