//! Every integration test, as one test binary (Cargo.toml: `autotests = false`):
//! one build and one link instead of one per file, and one run that keeps both
//! cores busy to the end. Each file of tests/ is a module here; run one with
//! `cargo test --test integration FILE::` (e.g. `sync::`).

mod common;
mod tty;

mod age_interop;
mod agent;
mod backup_dests;
mod backup_export;
mod backup_keyless;
mod backup_proven;
mod backup_recover;
mod backup_retention;
mod backup_trust;
mod breakglass;
mod clipboard;
mod completion;
mod ergonomics;
mod first_day;
mod first_day_messages;
mod folder_sync;
mod fuzz_corpus;
mod generated;
mod hardening;
mod import_cli;
mod label_identity;
mod layers;
mod pick;
mod pinned_kinds;
mod prompts;
mod qr_cli;
mod qr_screen;
mod sheet;
mod sheet_print;
mod sync;
mod vault_cli;

/// With `autotests = false` cargo builds only this file: a test file left
/// out of the list above would never run. Every tests/*.rs is a module here.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let this = std::fs::read_to_string(dir.join("integration.rs")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let is_module =
            path.extension().is_some_and(|e| e == "rs") || path.join("mod.rs").is_file();
        if is_module && stem != "integration" && !this.lines().any(|l| l == format!("mod {stem};"))
        {
            missing.push(stem.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "tests/integration.rs does not declare: {missing:?}"
    );
}
