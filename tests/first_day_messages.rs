//! The first day's messages (issue 32, item 9), as a new user meets them:
//! `otp` before any vault, `otp add --qr` naming what it added, no hint
//! about a flag the command does not have, and the recovery key written
//! straight into a private file.

use crate::tty;
use std::os::unix::fs::PermissionsExt;

use crate::common::*;

const PASS: &str = "correct horse battery staple";

/// A PNG of a QR code of `text`, 8 px a module with a quiet zone.
fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text).unwrap();
    let n = code.width() as u32;
    let colors = code.to_colors();
    let px = 8;
    let img = image::GrayImage::from_fn((n + 8) * px, (n + 8) * px, |x, y| {
        let (mx, my) = ((x / px) as i64 - 4, (y / px) as i64 - 4);
        let dark = (0..i64::from(n)).contains(&mx)
            && (0..i64::from(n)).contains(&my)
            && colors[(my * i64::from(n) + mx) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// `otp` typed before `otp init`, from a script: the first line says there
/// is no vault yet and what makes one; the usage follows (exit 2).
#[test]
fn otp_alone_before_init_says_no_vault_yet_first() {
    let env = TestEnv::new();
    let out = env.bare().output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .next()
            .is_some_and(|l| l.contains("no vault yet: `otp init`")),
        "{err}"
    );
    // With a vault, the usage alone, as before.
    let env = TestEnv::with_vault();
    let out = env.otp().output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no vault yet"));
}

/// `otp` typed before `otp init` at a terminal (the picker's path): the
/// same advice, no passphrase prompt, no picker drawn.
#[test]
fn otp_alone_at_a_terminal_before_init_says_to_run_init() {
    let env = TestEnv::new();
    let (status, shown) = tty::otp_on_tty(&env, &[], &[]);
    assert_ne!(status, 0, "{shown}");
    assert!(shown.contains("otp init"), "{shown}");
    assert!(!shown.contains("passphrase:"), "{shown}");
}

/// `otp add --qr IMAGE` names the account it added, with its id.
#[test]
fn add_qr_names_the_account_added() {
    let env = TestEnv::with_vault();
    let png = env.write(
        "github.png",
        qr_png("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"),
    );
    let out = env.otp().arg("add").arg("--qr").arg(&png).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Added GitHub:alice ("), "{err}");
    assert!(err.contains("1 added"), "{err}");
}

/// A picture that is no QR code of an account: the error has no hint about
/// `--format`, which `otp add` does not have; the vault is unchanged.
#[test]
fn add_qr_of_a_bad_picture_suggests_no_format_flag() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    for (name, data) in [
        ("text.png", b"not a picture at all".to_vec()),
        ("web.png", qr_png("https://example.com/")),
    ] {
        let file = env.write(name, data);
        let out = env
            .otp()
            .arg("add")
            .arg("--qr")
            .arg(&file)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("--format"), "{name}: {err}");
    }
    assert_eq!(env.vault_bytes(), before);
}

/// `otp recovery-key add -o FILE`: the key goes into a new file, mode 0600,
/// nothing on stdout; an existing file is refused before the vault changes
/// (as `otp export -o` does) unless --force.
#[test]
fn recovery_key_add_writes_a_private_file_and_never_overwrites_one() {
    let env = TestEnv::with_passphrase_vault(PASS);
    let old = env.write("old.txt", "my notes\n");
    let before = env.vault_bytes();
    let out = env
        .bare()
        .env("OTP_PASSPHRASE", PASS)
        .args(["recovery-key", "add", "-o"])
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "my notes\n");
    assert_eq!(env.vault_bytes(), before, "the vault changed");

    let key = env.path("recovery.txt");
    let out = env
        .bare()
        .env("OTP_PASSPHRASE", PASS)
        .args(["recovery-key", "add", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "the key went to stdout too");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(text.contains("AGE-SECRET-KEY-1"), "{text}");
    // The file opens the vault.
    env.bare()
        .arg("--identity")
        .arg(&key)
        .arg("list")
        .assert()
        .success();

    // --force replaces a file, still 0600.
    let env = TestEnv::with_passphrase_vault(PASS);
    let old = env.write("old.txt", "my notes\n");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.bare()
        .env("OTP_PASSPHRASE", PASS)
        .args(["recovery-key", "add", "--force", "-o"])
        .arg(&old)
        .assert()
        .success();
    let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(
        std::fs::read_to_string(&old)
            .unwrap()
            .contains("AGE-SECRET-KEY-1")
    );
}
