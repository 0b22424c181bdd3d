//! The vault is a standard age file: the Debian `age` CLI must read it with
//! the same identity, or with the same passphrase through the key file.

use crate::common::*;
use crate::tty;

#[test]
fn age_cli_decrypts_an_identity_vault() {
    if !require("age") {
        return;
    }
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let text = age_cli_plaintext(&env.identity(), &env.vault());
    // A sealed vault opens with its authentication tag, then the body.
    let mut lines = text.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with("tag = \"")));
    assert_eq!(lines.next(), Some("version = 1"));
    assert!(text.contains(&format!("secret = \"{SECRET}\"")));
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(parsed["accounts"][0]["issuer"].as_str(), Some("GitHub"));
}

#[test]
fn age_cli_decrypts_a_passphrase_vault_through_its_key_file() {
    if !require("age") {
        return;
    }
    let env = TestEnv::with_passphrase_vault("hunter2 hunter2");
    env.bare()
        .args(["add", "bob", "--issuer", "Bank", "--secret", SECRET])
        .env("OTP_PASSPHRASE", "hunter2 hunter2")
        .assert()
        .success();
    // age reads passphrases only from a terminal: drive it through a pty.
    let mut cmd = std::process::Command::new("age");
    cmd.arg("-d")
        .arg("-i")
        .arg(env.path("data/otp/vault.identity.age"))
        .arg(env.vault());
    let mut tty = tty::Tty::spawn(cmd, None, std::time::Duration::from_secs(60));
    tty.expect("assphrase");
    tty.line("hunter2 hunter2");
    let (status, text) = tty.finish();
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("issuer = \"Bank\""), "{text}");
}

#[test]
fn ssh_ed25519_identity_vault() {
    if !require("ssh-keygen") {
        return;
    }
    let env = TestEnv::new();
    let key = env.path("id_ed25519");
    let ok = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(ok.success());
    env.bare()
        .arg("init")
        .env("OTP_IDENTITY", &key)
        .assert()
        .success();
    env.bare()
        .args(["add", "x", "--secret", SECRET])
        .env("OTP_IDENTITY", &key)
        .assert()
        .success();
    let (at, code) = SECRET_CODE_AT;
    env.bare()
        .args(["code", "x", "--at", at])
        .env("OTP_IDENTITY", &key)
        .assert()
        .success()
        .stdout(format!("{code}\n"));
    if require("age") {
        age_cli_plaintext(&key, &env.vault());
    }
}
