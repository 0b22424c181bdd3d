//! QR codes through the binary: accounts in from screenshots and Google
//! Authenticator exports (one image or several), accounts out to a phone.

mod common;

use common::*;
use predicates::prelude::*;

fn qr(name: &str) -> std::path::PathBuf {
    fixture(&format!("qr/{name}"))
}

/// The n-th line after the `# id` comment in migration_uris.txt.
fn migration_uri(id: &str) -> String {
    let text = std::fs::read_to_string(qr("migration_uris.txt")).unwrap();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if l.starts_with(&format!("# {id} ")) {
            return lines.next().unwrap().trim().to_string();
        }
    }
    panic!("no {id}");
}

#[test]
fn add_qr_reads_a_screenshot() {
    let env = TestEnv::with_vault();
    env.otp()
        .arg("add")
        .arg("--qr")
        .arg(qr("dim13_example.png"))
        .assert()
        .success();
    assert_eq!(env.stdout(&["list"]), "Example:alice@google.com\n");
    let (at, code) = SECRET_CODE_AT;
    assert_eq!(
        env.stdout(&["code", "example", "--at", at]),
        format!("{code}\n")
    );
}

#[test]
fn import_google_authenticator_export_images() {
    let env = TestEnv::with_vault();
    env.otp()
        .arg("import")
        .arg(qr("example_export.png"))
        .assert()
        .success()
        .stderr(predicate::str::contains("3 added"));
    // zbarimg cannot read this downscaled export; it holds two codes of one batch.
    let env = TestEnv::with_vault();
    env.otp()
        .arg("import")
        .arg(qr("Exported-QR-codes_300px.webp"))
        .assert()
        .success()
        .stderr(predicate::str::is_match(r"(?m)^[1-9]\d* added").unwrap());
}

#[test]
fn a_batch_split_over_files_is_grouped_and_a_missing_part_is_named() {
    let env = TestEnv::with_vault();
    let parts: Vec<_> = (1..=3)
        .map(|i| {
            env.write(
                &format!("part{i}.txt"),
                migration_uri(&format!("jc_batch_{i}_of_3")) + "\n",
            )
        })
        .collect();
    env.otp()
        .arg("import")
        .args(&parts)
        .assert()
        .success()
        .stderr(predicate::str::contains("22 added"));

    let env = TestEnv::with_vault();
    let parts: Vec<_> = [1, 3]
        .iter()
        .map(|i| {
            env.write(
                &format!("part{i}.txt"),
                migration_uri(&format!("jc_batch_{i}_of_3")) + "\n",
            )
        })
        .collect();
    env.otp()
        .arg("import")
        .args(&parts)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("12 added"))
        .stderr(predicate::str::contains(
            "part 2 of 3 was not given, so the accounts in it are missing; parts 1, 3 were read",
        ));
}

/// Part 1 of 3 alone: its accounts are imported, and the message says so
/// and which parts were not given; exit 7, as for any entry left out.
#[test]
fn one_part_of_a_batch_imports_its_accounts_and_exits_7_naming_the_parts_not_given() {
    let env = TestEnv::with_vault();
    let part = env.write("part1.txt", migration_uri("jc_batch_1_of_3") + "\n");
    env.otp()
        .arg("import")
        .arg(&part)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("10 added, 0 duplicates, 1 skipped"))
        .stderr(predicate::str::contains(
            "Google Authenticator export, batch 251676888: parts 2, 3 of 3 were not given, so the accounts in them are missing; part 1 was read (10 entries in it)",
        ));
    assert_eq!(env.stdout(&["list"]).lines().count(), 10);
}

#[test]
fn images_without_an_otp_code_get_clear_errors_naming_the_file() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    for (file, says) in [
        (
            "Transfer-accounts-option-in-the-Google-Authenticator.webp",
            "no QR code",
        ),
        ("qr_but_without_otp.png", "otpauth"),
        (
            "text_masquerading_as_image.jpeg",
            "text_masquerading_as_image.jpeg",
        ),
    ] {
        let out = env.otp().arg("import").arg(qr(file)).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {err}");
        assert!(err.contains(file), "{file}: {err}");
        assert!(
            err.to_lowercase().contains(&says.to_lowercase()),
            "{file}: {err}"
        );
    }
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn export_google_qr_png_round_trips_and_scans() {
    let env = TestEnv::with_vault();
    for i in 0..12 {
        env.otp()
            .args([
                "add",
                &format!("user{i}"),
                "--issuer",
                "Svc",
                "--secret",
                &format!(
                    "JBSWY3DPEHPK3P{}",
                    [
                        "XP", "XQ", "XR", "XS", "XT", "XU", "XV", "XW", "XX", "XY", "XZ", "X2"
                    ][i]
                ),
            ])
            .assert()
            .success();
    }
    // Google's format cannot carry a 45-second period: warned and left out.
    env.otp()
        .args([
            "add",
            "odd",
            "--issuer",
            "Svc",
            "--secret",
            "GEZDGNBVGY3TQOJQ",
            "--period",
            "45",
        ])
        .assert()
        .success();
    let dir = env.path("qr-out");
    env.otp()
        .args(["export", "--format", "google-qr"])
        .arg("-o")
        .arg(&dir)
        .assert()
        .code(2);
    let out = env
        .otp()
        .args(["export", "--format", "google-qr", "--plaintext"])
        .arg("-o")
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Svc:odd"), "{err}");
    let pngs: Vec<_> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(std::path::PathBuf::from)
        .collect();
    assert_eq!(pngs.len(), 2, "12 accounts, 10 per code");
    // Again into the same folder: refused, the PNGs untouched, unless --force.
    let first = std::fs::read(&pngs[0]).unwrap();
    env.otp()
        .args(["export", "--format", "google-qr", "--plaintext"])
        .arg("-o")
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("already exists"));
    assert_eq!(std::fs::read(&pngs[0]).unwrap(), first);
    env.otp()
        .args(["export", "--format", "google-qr", "--plaintext", "--force"])
        .arg("-o")
        .arg(&dir)
        .assert()
        .success();

    let fresh = TestEnv::with_vault();
    fresh
        .otp()
        .arg("import")
        .args(&pngs)
        .assert()
        .success()
        .stderr(predicate::str::contains("12 added"));
    let (at, code) = SECRET_CODE_AT;
    assert_eq!(
        fresh.stdout(&["code", "svc:user0", "--at", at]),
        format!("{code}\n")
    );

    if require("zbarimg") {
        let scanned = std::process::Command::new("zbarimg")
            .args(["--raw", "-q"])
            .args(&pngs)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&scanned.stdout);
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("otpauth-migration://offline?data="))
                .count(),
            2,
            "{text}"
        );
    }
}

#[test]
fn show_qr_draws_half_blocks_or_plain_text() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let drawing = env
        .otp()
        .args(["show", "github", "--qr"])
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(drawing.status.success());
    let text = String::from_utf8(drawing.stdout).unwrap();
    assert!(
        text.contains('▀') || text.contains('▄'),
        "half blocks on a UTF-8 terminal"
    );
    let ascii = env
        .otp()
        .args(["show", "github", "--qr"])
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env("LANG", "C")
        .output()
        .unwrap();
    assert!(ascii.status.success());
    let ascii = String::from_utf8(ascii.stdout).unwrap();
    assert!(ascii.is_ascii(), "plain fallback without a UTF-8 locale");
}
