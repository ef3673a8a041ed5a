#![no_main]
//! The secrets engine on arbitrary content, under every built-in rule: keyword automaton,
//! windows, regexes, entropy and grouping must end on any bytes.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use vigie_secrets::engine::Engine;
use vigie_secrets::rules::RuleSet;

fuzz_target!(|data: &[u8]| {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| Engine::new(RuleSet::builtin(), Vec::new()));
    let _ = engine.scan("fuzzed.env", data, None);
});
