//! Phase timings for profiling a scan: set `VIGIE_TIMINGS=1` and each phase prints, on stderr,
//! its wall time since the previous mark and the process's peak resident memory so far.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("VIGIE_TIMINGS").is_some_and(|v| v != "0"))
}

/// Mark the end of a phase.
pub fn mark(phase: &str) {
    if !enabled() {
        return;
    }
    static LAST: Mutex<Option<Instant>> = Mutex::new(None);
    let now = Instant::now();
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    let secs = last.map_or(0.0, |l| (now - l).as_secs_f64());
    *last = Some(now);
    eprintln!(
        "vigie: timing {phase:<24} {secs:7.3} s  peak RSS {}",
        peak_rss()
    );
}

/// A note printed among the timings (what a phase kept, how many), only when timings are on.
pub fn note(text: impl FnOnce() -> String) {
    if enabled() {
        eprintln!("vigie: timing   {}", text());
    }
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
