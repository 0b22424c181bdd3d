//! The paper emergency sheet through the binary, without a printer:
//! `otp export --format sheet` keeps the export rules (plaintext only on
//! request, no overwrite, mode 0600, never to a terminal), prints only the
//! vault's own recovery key, and `otp drill --sheet` proves pictures of
//! codes against the vault and records the result for `otp status`.
//! tests/sheet_print.rs prints real pages and reads them back.

use crate::common::*;
use crate::tty;
use predicates::prelude::*;

fn vault() -> TestEnv {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add(
        "<script>alert(1)</script>",
        "bob",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    );
    env.otp()
        .args(["add", "gamer", "--issuer", "Steam", "--steam"])
        .args(["--secret", "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ"])
        .assert()
        .success();
    env
}

#[test]
fn the_sheet_needs_plaintext_and_never_replaces_a_file() {
    let env = vault();
    let before = env.vault_bytes();
    env.otp()
        .args(["export", "--format", "sheet", "-o"])
        .arg(env.path("sheet.html"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --plaintext"));
    assert!(!env.path("sheet.html").exists());
    let existing = env.write("sheet.html", "keep me");
    env.otp()
        .args(["export", "--format", "sheet", "--plaintext", "-o"])
        .arg(&existing)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    assert_eq!(env.vault_bytes(), before);
    env.otp()
        .args(["export", "--format", "sheet", "--plaintext", "--force", "-o"])
        .arg(&existing)
        .assert()
        .success()
        .stderr(predicate::str::contains("otp drill --sheet"))
        .stderr(predicate::str::contains(
            "not in the sheet's Google Authenticator codes (it has its own code on the sheet): Steam:gamer",
        ));
    let html = std::fs::read_to_string(&existing).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&existing).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(html.contains("JBSW Y3DP EHPK 3PXP"));
    assert!(html.contains("<tr><th>Accounts</th><td>3</td></tr>"));
    assert!(
        html.contains(
            "<li>Google Authenticator cannot hold Steam Guard accounts: Steam:gamer</li>"
        )
    );
    // `--with-recovery-key` belongs to the sheet.
    env.otp()
        .args([
            "export",
            "--format",
            "uris",
            "--plaintext",
            "--with-recovery-key",
            "k.txt",
        ])
        .assert()
        .code(2);
}

#[test]
fn the_sheet_goes_to_a_file_or_a_pipe_never_to_a_terminal() {
    let env = vault();
    let piped = env.stdout(&["export", "--format", "sheet", "--plaintext"]);
    assert!(piped.starts_with("<!DOCTYPE html>"));
    let (code, shown) = tty::otp_on_tty(&env, &["export", "--format", "sheet", "--plaintext"], &[]);
    assert_eq!(code, 2, "{shown}");
    assert!(shown.contains("not for the terminal"), "{shown}");
    assert!(!shown.contains("JBSW"), "{shown}");
}

#[test]
fn only_the_vaults_own_recovery_key_goes_on_the_sheet() {
    let env = TestEnv::new();
    let out = env
        .bare()
        .args(["init", "--recovery-key", "--generate-identity"])
        .arg(env.identity())
        .output()
        .unwrap();
    assert!(out.status.success());
    let key = env.write("recovery.txt", &out.stdout);
    env.add("GitHub", "alice", SECRET);
    let line = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .to_string();
    let html = env.stdout(&[
        "export",
        "--format",
        "sheet",
        "--plaintext",
        "--with-recovery-key",
        key.to_str().unwrap(),
    ]);
    assert!(html.contains(&format!("<pre class=\"mono\">{line}</pre>")));
    assert!(html.contains("Break-glass recovery key"));
    // The vault's own identity is not its recovery key: refused, nothing written.
    env.otp()
        .args([
            "export",
            "--format",
            "sheet",
            "--plaintext",
            "--with-recovery-key",
        ])
        .arg(env.identity())
        .arg("-o")
        .arg(env.path("sheet.html"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not this vault's recovery key"));
    assert!(!env.path("sheet.html").exists());
    // A vault without a recovery key has none to print.
    let other = vault();
    other
        .otp()
        .args([
            "export",
            "--format",
            "sheet",
            "--plaintext",
            "--with-recovery-key",
        ])
        .arg(&key)
        .assert()
        .failure()
        .stderr(predicate::str::contains("this vault has no recovery key"));
}

/// Google Authenticator PNG codes of `env`'s vault (each one picture).
fn google_pngs(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let dir = env.path("codes");
    let listing = env.stdout(&[
        "export",
        "--format",
        "google-qr",
        "--plaintext",
        "-o",
        dir.to_str().unwrap(),
    ]);
    listing.lines().map(std::path::PathBuf::from).collect()
}

/// Each account's own code as a PNG, as a sheet draws it.
fn own_pngs(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let uris = env.stdout(&["export", "--format", "uris", "--plaintext"]);
    uris.lines()
        .enumerate()
        .map(|(i, uri)| env.write(&format!("own/{i}.png"), otp::qr::to_png(uri).unwrap()))
        .collect()
}

#[test]
fn the_sheet_drill_proves_pictures_and_names_what_is_missing() {
    let env = TestEnv::with_vault();
    // 12 accounts: two Google Authenticator codes of 10 and 2.
    for i in 0..12u8 {
        let secret = format!("JBSWY3DPEHPK3P{}A", (b'A' + i) as char);
        env.add("Service", &format!("user{i}"), &secret);
    }
    let status = env.stdout(&["status"]);
    assert!(
        status.contains("emergency sheet: none printed or proven"),
        "{status}"
    );
    let google = google_pngs(&env);
    assert_eq!(google.len(), 2);
    let own = own_pngs(&env);
    let all: Vec<_> = own.iter().chain(&google).cloned().collect();
    let out = env
        .otp()
        .args(["drill", "--sheet"])
        .args(&all)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok\t")).count(),
        12,
        "{stdout}"
    );
    let status = env.stdout(&["status"]);
    assert!(
        status.contains("emergency sheet: last proven less than a minute ago"),
        "{status}"
    );
    assert!(
        status.contains("passed: 12 of 12 accounts on 14 picture(s)"),
        "{status}"
    );
    let json: serde_json::Value = serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap();
    assert_eq!(json["sheet"]["added_since"], 0);

    // Two accounts' own codes left out: named, though a Google code still
    // holds them; exit non-zero; recorded; no secret shown.
    let before = env.stdout(&["list"]);
    env.otp()
        .args(["drill", "--sheet"])
        .args(&own[..10])
        .args(&google)
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "FAIL\tService:user10\tits own code is not on the pictures\n",
        ))
        .stdout(predicate::str::contains(
            "FAIL\tService:user11\tits own code is not on the pictures\n",
        ))
        .stdout(predicate::str::contains("ok\tService:user9\n"))
        .stderr(predicate::str::contains(
            "2 of 12 accounts not on the pictures (Service:user10, Service:user11)",
        ))
        .stdout(predicate::str::contains("JBSW").not())
        .stderr(predicate::str::contains("JBSW").not());
    assert_eq!(
        env.stdout(&["list"]),
        before,
        "the drill changes no account"
    );
    let status = env.stdout(&["status"]);
    assert!(
        status.contains("failed: 2 of 12 accounts not on the pictures"),
        "{status}"
    );
    // A Google code left out: the missing part is named.
    env.otp()
        .args(["drill", "--sheet"])
        .args(&own)
        .arg(&google[0])
        .assert()
        .failure()
        .stdout(predicate::str::contains("part 2 of 2"))
        .stdout(predicate::str::contains("ok\tService:user11\n"));

    // An account added since: named, and `status` reminds.
    env.otp()
        .args(["drill", "--sheet"])
        .args(&all)
        .assert()
        .success();
    // Times are whole seconds: an account of the drill's second counts as proven.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    env.add("New", "carol", "MFRGGZDFMZTWQ2LK");
    let status = env.stdout(&["status"]);
    assert!(
        status.contains("warning: 1 account(s) added and 0 changed since then"),
        "{status}"
    );
    env.otp()
        .args(["drill", "--sheet"])
        .args(&all)
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "FAIL\tNew:carol\tits own code is not on the pictures\n",
        ));
}

#[test]
fn the_sheet_drill_names_an_account_whose_secret_differs_and_a_picture_without_codes() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("Bank", "bob", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    let pngs: Vec<_> = own_pngs(&env)
        .into_iter()
        .chain(google_pngs(&env))
        .collect();
    // Same labels, another secret for alice: another vault.
    let other = TestEnv::with_vault();
    other.add("GitHub", "alice", "MFRGGZDFMZTWQ2LK");
    other.add("Bank", "bob", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    let blank = other.write("blank.png", png_without_code());
    other
        .otp()
        .args(["drill", "--sheet"])
        .args(&pngs)
        .arg(&blank)
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "FAIL\tGitHub:alice\tdiffers: the secret\n",
        ))
        .stdout(predicate::str::contains("ok\tBank:bob\n"))
        .stdout(predicate::str::contains("blank.png\tno QR code found"))
        .stdout(predicate::str::contains("MFRG").not())
        .stdout(predicate::str::contains("JBSW").not());
}

/// A white PNG.
fn png_without_code() -> Vec<u8> {
    let img = image::GrayImage::from_pixel(64, 64, image::Luma([255]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}
