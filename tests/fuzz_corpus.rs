//! Every fuzz target's check (`fuzz/checks.rs`, included below; the body of each target in
//! `fuzz/fuzz_targets/`) over its seed corpus, as an ordinary test: the
//! corpus is exercised by every `cargo test`, with or without a nightly
//! toolchain and cargo-fuzz.
//!
//! The seeds come from `tests/fixtures/` (importer files, URIs, migration
//! links, QR images, and vaults otp writes holding the fixtures' accounts)
//! and from `fuzz/seeds/TARGET/` (hostile cases and past findings, one
//! file each). `OTP_WRITE_SEEDS=1 cargo test --test integration fuzz_corpus::` also
//! writes them to `fuzz/corpus/TARGET/`, where `cargo fuzz run` starts.

use std::path::{Path, PathBuf};

#[path = "../fuzz/checks.rs"]
mod fuzzing;

use fuzzing::TARGETS;
use otp::import::{FORMATS, ImportError};
use otp::model::Account;
use otp::model::Vault;
use time::OffsetDateTime;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files under `dir`, recursively, without READMEs, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "README.md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn fixture_files(dirs: &[&str]) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|d| files(&root().join("tests/fixtures").join(d)))
        .collect()
}

/// The lines of the fixture text files that start with `prefix`.
fn fixture_lines(prefix: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for path in fixture_files(&["uri_cases", "qr"]) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            lines.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with(prefix))
                    .map(str::to_string),
            );
        }
    }
    lines
}

/// Every `"uri"` of the URI cases fixture.
fn fixture_case_uris() -> Vec<String> {
    let path = root().join("tests/fixtures/uri_cases/otpauth_uri_cases.json");
    let cases: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(uri)) = map.get("uri") {
                    out.push(uri.clone());
                }
                map.values().for_each(|v| collect(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(&cases, &mut out);
    out
}

/// Vaults as otp writes them, holding the accounts the importers read out
/// of the fixture files (real-world labels: unicode, quotes, long names),
/// a few at a time, with and without trash, tags and recovery codes.
fn fixture_vaults() -> Vec<(String, Vec<u8>)> {
    let mut entries = Vec::new();
    for path in fixture_files(&["imp1", "imp2", "backup"]) {
        let data = std::fs::read(&path).unwrap();
        for format in FORMATS.iter().filter(|f| f.name != "qr-image") {
            let mut no_password = |_: &str| Err(ImportError::NeedPassword);
            if (format.detect)(&data)
                && let Ok(parsed) = (format.parse)(&data, &mut no_password)
            {
                entries.extend(parsed.entries);
                break;
            }
        }
    }
    assert!(
        entries.len() > 50,
        "only {} accounts in the fixtures",
        entries.len()
    );
    let mut vaults = Vec::new();
    for (n, chunk) in entries.chunks(6).enumerate() {
        let mut v = Vault::new(vec!["age1seed".into()]);
        v.changes = n as u64;
        for (i, e) in chunk.iter().enumerate() {
            let mut e = e.clone();
            if i == 1 {
                e.tags = vec!["work".into(), format!("t{n}")];
            }
            let id = format!("s{n:03}a{i:03}");
            let time =
                OffsetDateTime::from_unix_timestamp(1_700_000_000 + (i as i64) * 86_399).unwrap();
            v.accounts.push(Account::from_entry(e, id, time));
        }
        if n % 2 == 1
            && let Some(a) = v.accounts.pop()
        {
            v.trash.push(otp::model::Trashed {
                deleted: OffsetDateTime::UNIX_EPOCH,
                account: a,
            });
        }
        vaults.push((format!("fixture-vault-{n:03}"), v.to_toml().into_bytes()));
    }
    vaults
}

/// The seed corpus of a target: `(name, bytes)`.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let named = |prefix: &str, items: Vec<String>| -> Vec<(String, Vec<u8>)> {
        items
            .into_iter()
            .enumerate()
            .map(|(i, s)| (format!("{prefix}-{i:03}"), s.into_bytes()))
            .collect()
    };
    let file = |p: PathBuf| {
        let name = p
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('/', "_");
        (name, std::fs::read(&p).unwrap())
    };
    let mut out: Vec<(String, Vec<u8>)> = match target {
        "vault_fast_path" => fixture_vaults(),
        "otpauth_uri" => {
            let mut uris = fixture_case_uris();
            uris.extend(fixture_lines("otpauth://"));
            named("fixture-uri", uris)
        }
        "migration" => named("fixture-link", fixture_lines("otpauth-migration:")),
        "import" => fixture_files(&["imp1", "imp2", "imp3", "backup", "uri_cases"])
            .into_iter()
            .map(file)
            .collect(),
        // The small images (the photos are decoded by the QR tests; as seeds
        // they would only slow the fuzzer down), and codes otp draws.
        "qr" => {
            let mut images: Vec<(String, Vec<u8>)> = fixture_files(&["qr"])
                .into_iter()
                .filter(|p| p.metadata().unwrap().len() <= 64 << 10)
                .map(file)
                .collect();
            for (i, link) in fixture_case_uris().iter().take(2).enumerate() {
                images.push((format!("drawn-{i}.png"), otp::qr::to_png(link).unwrap()));
            }
            images
        }
        // Vaults as otp writes them, sealed with the check's key (they
        // verify) and with another (they do not).
        "vault_auth" => {
            let mut out = Vec::new();
            for (name, text) in fixture_vaults().into_iter().take(6) {
                let text = String::from_utf8(text).unwrap();
                let mut v = Vault::parse(&text).unwrap();
                let byte = if out.len() % 2 == 0 { 0x42 } else { 0x44 };
                v.auth_key = Some(otp::model::auth::AuthKey::from_bytes([byte; 32]));
                v.next_version("0011223344556677", [byte; 8]);
                out.push((
                    format!("{name}-sealed"),
                    v.to_sealed_toml().as_bytes().to_vec(),
                ));
            }
            out
        }
        other => panic!("no seeds for the target {other}"),
    };
    let own = root().join("fuzz/seeds").join(target);
    if own.is_dir() {
        out.extend(files(&own).into_iter().map(file));
    }
    out
}

/// Runs a target's check over its seeds; with `OTP_WRITE_SEEDS` set, also
/// writes them where `cargo fuzz run TARGET` starts.
fn run(target: &str) {
    let (_, check) = TARGETS.iter().find(|(t, _)| *t == target).unwrap();
    let seeds = seeds(target);
    assert!(seeds.len() >= 5, "{target}: {} seeds", seeds.len());
    let write = std::env::var_os("OTP_WRITE_SEEDS").is_some();
    let corpus = root().join("fuzz/corpus").join(target);
    if write {
        std::fs::create_dir_all(&corpus).unwrap();
    }
    for (name, data) in &seeds {
        eprintln!("{target}: {name}");
        check(data);
        if write {
            std::fs::write(corpus.join(name), data).unwrap();
        }
    }
    eprintln!("{target}: {} seeds", seeds.len());
}

#[test]
fn vault_fast_path() {
    run("vault_fast_path");
    // The differential needs vaults the fast path reads: otp's own output
    // with the fixtures' labels (those it writes with escapes or on
    // several lines go down the full parse).
    let vaults = fixture_vaults();
    let read = vaults
        .iter()
        .filter(|(_, text)| otp::vault::index::scan(std::str::from_utf8(text).unwrap()).is_some())
        .count();
    eprintln!(
        "{read} of {} fixture vaults take the fast path",
        vaults.len()
    );
    assert!(read * 3 >= vaults.len() * 2, "{read} of {}", vaults.len());
    for seed in ["canonical.toml", "trash.toml"] {
        let text = std::fs::read_to_string(root().join("fuzz/seeds/vault_fast_path").join(seed));
        let text = text.unwrap();
        assert!(
            otp::vault::index::scan(&text).is_some(),
            "{seed}: not read by the fast path"
        );
    }
}

#[test]
fn otpauth_uri() {
    run("otpauth_uri");
}

#[test]
fn migration() {
    run("migration");
}

#[test]
fn import() {
    run("import");
}

#[test]
fn qr() {
    run("qr");
}

#[test]
fn vault_auth() {
    run("vault_auth");
}

/// Every target in fuzz/ has its check and a test above, and calls it.
#[test]
fn every_fuzz_target_is_exercised() {
    let mut on_disk: Vec<String> = files(&root().join("fuzz/fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut checks: Vec<String> = TARGETS.iter().map(|(t, _)| t.to_string()).collect();
    checks.sort();
    assert_eq!(on_disk, checks);
    let this = std::fs::read_to_string(root().join("tests/fuzz_corpus.rs")).unwrap();
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    for target in &checks {
        let body =
            std::fs::read_to_string(root().join(format!("fuzz/fuzz_targets/{target}.rs"))).unwrap();
        assert!(
            body.contains(&format!("otp_fuzz::{target}(data)")),
            "{target}"
        );
        assert!(
            this.contains(&format!("run(\"{target}\")")),
            "{target}: no test"
        );
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "{target}: not in fuzz/Cargo.toml"
        );
    }
}
