#![no_main]
//! HCL parsing and Terraform evaluation: the input is split at NUL bytes into a root module,
//! a called module and an auto-loaded tfvars file, so module calls and locals meet.
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use vigie_terraform::eval::{TfFile, resolve};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let names = ["main.tf", "modules/m/main.tf", "terraform.tfvars", "x.tf.json"];
    let files: Vec<TfFile<'_>> = text
        .split('\0')
        .zip(names)
        .map(|(t, n)| TfFile { rel: Arc::from(n), text: t })
        .collect();
    let _ = resolve(&files);
});
