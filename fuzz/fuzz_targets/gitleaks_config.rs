#![no_main]
//! A `.gitleaks.toml` as `vigie secrets` reads it: rules, allowlists, `[extend]`; the rules it
//! gives then run on a line that holds a secret-looking value.
use libfuzzer_sys::fuzz_target;
use vigie_secrets::engine::Engine;
use vigie_secrets::rules::RuleSet;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let set = RuleSet::from_gitleaks(".gitleaks.toml", text);
    let engine = Engine::new(set, Vec::new());
    let _ = engine.scan(
        "app.env",
        b"API_KEY=ghp_0123456789abcdefghijABCDEFGHIJ012345\npassword = \"hunter2-correct-horse\"\n",
        None,
    );
});
