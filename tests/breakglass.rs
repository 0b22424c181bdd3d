//! Break-glass paths, end to end through the binary: the recovery key,
//! `passwd`, other devices' recipients and the services' recovery codes.
//! Passphrase tests cost ~0.7 s per scrypt: only the first two use one.

use crate::common::*;
use age::secrecy::ExposeSecret;
use predicates::prelude::*;

/// `init --recovery-key` on an identity vault; the printed key saved as
/// `recovery.txt`.
fn vault_with_recovery_key() -> TestEnv {
    let env = TestEnv::new();
    let out = env
        .bare()
        .args(["init", "--recovery-key", "--generate-identity"])
        .arg(env.identity())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap();
    assert!(key.starts_with("# otp recovery key for "), "{key}");
    assert_eq!(
        key.lines()
            .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .count(),
        1
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("shown only now"));
    env.write("recovery.txt", key);
    env
}

/// A device key made the way `age-keygen` would: (file, recipient).
fn device_key(env: &TestEnv, name: &str) -> (std::path::PathBuf, String) {
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    let path = env.write(name, format!("{}\n", id.to_string().expose_secret()));
    (path, recipient)
}

fn code_at(env: &TestEnv, cmd: &mut assert_cmd::Command) {
    let (at, code) = SECRET_CODE_AT;
    let _ = env;
    cmd.args(["code", "github", "--at", at])
        .assert()
        .success()
        .stdout(format!("{code}\n"));
}

#[test]
fn forgotten_passphrase_recovery_key_then_new_passphrase() {
    let env = TestEnv::new();
    let out = env
        .bare()
        .args(["init", "--recovery-key"])
        .env("OTP_PASSPHRASE", "old forgotten words")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recovery = env.write("recovery.txt", &out.stdout);
    let with_recovery = || {
        let mut cmd = env.bare();
        cmd.env("OTP_IDENTITY", &recovery);
        cmd
    };
    with_recovery()
        .args(["add", "alice", "--issuer", "GitHub", "--secret", SECRET])
        .assert()
        .success();

    // The passphrase is forgotten: the recovery key sets a new one.
    let new = env.write("new-pass.txt", "brand new words\n");
    with_recovery()
        .arg("passwd")
        .arg("--new-passphrase-file")
        .arg(&new)
        .assert()
        .success()
        .stderr(predicate::str::contains("New passphrase set"));
    code_at(&env, env.bare().env("OTP_PASSPHRASE", "brand new words"));
    // The old key file's recipient was replaced, so even a copy of the old
    // key file no longer opens the vault: two recipients, recovery and new.
    let list = String::from_utf8(
        with_recovery()
            .args(["recipients", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.contains("\tpassphrase key file\n"), "{list}");
    assert!(list.contains("\trecovery key, opened it now\n"), "{list}");
}

#[test]
fn passwd_reseals_the_key_file_and_keeps_every_account() {
    let env = TestEnv::with_passphrase_vault("first words");
    let vault = env.vault_bytes();
    let listed = |pass: &str| {
        env.bare()
            .args(["list", "--json"])
            .env("OTP_PASSPHRASE", pass)
            .output()
            .unwrap()
            .stdout
    };
    let accounts = listed("first words");
    let key_file = env.path("data/otp/vault.identity.age");
    let new = env.write("new-pass.txt", "second words\n");
    let before = std::fs::read(&key_file).unwrap();
    env.bare()
        .args(["passwd", "--new-passphrase-file"])
        .arg(&new)
        .env("OTP_PASSPHRASE", "first words")
        .assert()
        .success()
        .stderr(predicate::str::contains("Passphrase changed"));
    // The vault is saved once more, naming the new key file (so a sync
    // remote cannot hand back the old one), with the same accounts.
    assert_ne!(env.vault_bytes(), vault);
    assert_ne!(std::fs::read(&key_file).unwrap(), before);
    assert_eq!(listed("second words"), accounts);
}

/// A key file that is not this vault's (copied from another vault): passwd
/// refuses to re-seal it under a new passphrase, and changes nothing.
#[test]
fn passwd_with_a_key_file_that_does_not_open_the_vault_changes_nothing() {
    let env = TestEnv::with_passphrase_vault("first words");
    let other = TestEnv::with_passphrase_vault("other words");
    let key_file = env.path("data/otp/vault.identity.age");
    std::fs::copy(other.path("data/otp/vault.identity.age"), &key_file).unwrap();
    let (vault, key) = (env.vault_bytes(), std::fs::read(&key_file).unwrap());
    let new = env.write("new-pass.txt", "second words\n");
    env.bare()
        .args(["passwd", "--new-passphrase-file"])
        .arg(&new)
        .env("OTP_PASSPHRASE", "other words")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "does not open this vault; nothing was changed",
        ))
        .stderr(predicate::str::contains("--identity FILE passwd"))
        .stderr(predicate::str::contains("words").not());
    assert_eq!(env.vault_bytes(), vault);
    assert_eq!(std::fs::read(&key_file).unwrap(), key);
}

#[test]
fn passwd_on_an_identity_vault_explains() {
    let env = TestEnv::with_vault();
    env.otp()
        .arg("passwd")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no passphrase"))
        .stderr(predicate::str::contains("--new-passphrase-file"));
    env.bare()
        .arg("passwd")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no passphrase"));
    assert!(!env.path("data/otp/vault.identity.age").exists());
}

#[test]
fn age_cli_decrypts_the_vault_with_the_recovery_key() {
    if !require("age") {
        return;
    }
    let env = vault_with_recovery_key();
    env.add("GitHub", "alice", SECRET);
    let recovery = env.path("recovery.txt");
    let text = age_cli_plaintext(&recovery, &env.vault());
    assert!(text.contains(&format!("secret = \"{SECRET}\"")), "{text}");
    // Revoked: the next save no longer opens with it.
    env.otp()
        .args(["recovery-key", "remove"])
        .assert()
        .success();
    assert!(!age_cli_decrypt(&recovery, &env.vault()).status.success());
}

#[test]
fn recovery_key_add_remove_and_status() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    assert!(env.stdout(&["status"]).contains("recovery key: none"));
    let out = env
        .otp()
        .args(["recovery-key", "add", "--qr"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains('▀') || text.contains('▄'),
        "a QR code is drawn"
    );
    // The text part alone is an identity file.
    let key: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
    let recovery = env.write("recovery.txt", key);
    code_at(&env, env.bare().env("OTP_IDENTITY", &recovery));
    assert!(env.stdout(&["status"]).contains("recovery key: yes"));

    // One at a time.
    let before = env.vault_bytes();
    env.otp()
        .args(["recovery-key", "add"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("already has a recovery key"));
    assert_eq!(env.vault_bytes(), before);

    // Revoking it while unlocked with it would lock this user out.
    env.bare()
        .env("OTP_IDENTITY", &recovery)
        .args(["recovery-key", "remove"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("could no longer open"));
    env.otp()
        .args(["recovery-key", "remove"])
        .assert()
        .success();
    env.bare()
        .env("OTP_IDENTITY", &recovery)
        .args(["list"])
        .assert()
        .code(1);
    let status = env.stdout(&["status"]);
    assert!(status.contains("revoked on"), "{status}");
    assert!(status.contains("still open with it"), "{status}");
}

#[test]
fn second_device_recipient_opens_a_copied_vault() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let (device, recipient) = device_key(&env, "laptop2.txt");
    env.otp()
        .args(["recipients", "add", &recipient])
        .assert()
        .success();
    // The vault synced to the other laptop opens there with its own key.
    let other = TestEnv::new();
    std::fs::create_dir_all(other.vault().parent().unwrap()).unwrap();
    std::fs::copy(env.vault(), other.vault()).unwrap();
    code_at(&other, other.bare().env("OTP_IDENTITY", &device));
    let list = env.stdout(&["recipients", "list"]);
    assert_eq!(list.lines().count(), 2);
    assert!(list.contains(&format!("{recipient}\tdevice\n")), "{list}");

    // Adding it again changes nothing.
    let before = env.vault_bytes();
    env.otp()
        .args(["recipients", "add", &recipient])
        .assert()
        .success()
        .stderr(predicate::str::contains("already a recipient"));
    assert_eq!(env.vault_bytes(), before);

    // The key this command unlocked with cannot be removed...
    let own = list
        .lines()
        .find(|l| l.contains("opened it now"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    env.otp()
        .args(["recipients", "remove", &own])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("could no longer open"));
    assert_eq!(env.vault_bytes(), before);
    // ...but from the other device it can, and the first laptop is out.
    env.bare()
        .env("OTP_IDENTITY", &device)
        .args(["recipients", "remove", &own])
        .assert()
        .success();
    env.otp().arg("list").assert().code(1);
    // The last recipient never goes.
    env.bare()
        .env("OTP_IDENTITY", &device)
        .args(["recipients", "remove", &recipient])
        .assert()
        .code(1);
}

#[test]
fn ssh_public_keys_are_recipients() {
    if !require("ssh-keygen") {
        return;
    }
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let key = env.path("id_ed25519");
    let ok = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(ok.success());
    // A .pub file works as the argument.
    env.otp()
        .args(["recipients", "add"])
        .arg(env.path("id_ed25519.pub"))
        .assert()
        .success();
    code_at(&env, env.bare().env("OTP_IDENTITY", &key));
    assert!(env.stdout(&["recipients", "list"]).contains("ssh-ed25519 "));
}

#[test]
fn bad_recipients_are_refused_clearly() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    env.otp()
        .args(["recipients", "add", "hello-world"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a recipient"));
    let secret = age::x25519::Identity::generate();
    let secret = secret.to_string();
    env.otp()
        .args(["recipients", "add", secret.expose_secret()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("secret key"))
        .stderr(predicate::str::contains(&secret.expose_secret()[20..]).not());
    // A plugin recipient whose plugin is not installed.
    env.otp()
        .args([
            "recipients",
            "add",
            "age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e",
        ])
        .env("PATH", "/nonexistent")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("age-plugin-tag"));
    env.otp()
        .args(["recipients", "remove", "age1notthere"])
        .assert()
        .code(1);
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn recovery_codes_add_show_use() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("Bank", "bob", "GEZDGNBVGY3TQOJQ");
    env.otp()
        .args(["recovery-codes", "add", "github"])
        .write_stdin("aaaa-1111\n\n  bbbb-2222  \naaaa-1111\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("Added 2 recovery codes"))
        .stderr(predicate::str::contains("1 already stored"));
    let file = env.write("codes.txt", "cccc-3333\nbbbb-2222\n");
    env.otp()
        .args(["recovery-codes", "add", "github", "--from"])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("Added 1 recovery code "));
    assert_eq!(
        env.stdout(&["recovery-codes", "show", "github"]),
        "aaaa-1111\nbbbb-2222\ncccc-3333\n"
    );
    // Typed the way a person types it.
    env.otp()
        .args(["recovery-codes", "use", "github", "BBBB 2222"])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 unused recovery codes left"));
    let shown = env.stdout(&["recovery-codes", "show", "github"]);
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert!(
        shown.contains(&format!("bbbb-2222\tused {today}\n")),
        "{shown}"
    );
    env.otp()
        .args(["recovery-codes", "use", "github", "bbbb-2222"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("already used on {today}")));
    env.otp()
        .args(["recovery-codes", "use", "github", "zzzz-9999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not one of"))
        .stderr(predicate::str::contains("zzzz").not());
    env.otp()
        .args(["recovery-codes", "add", "github"])
        .write_stdin("\n\n")
        .assert()
        .code(1);
    env.otp()
        .args(["recovery-codes", "show", "nothing-like-it"])
        .assert()
        .code(3);
    // The codes live in the encrypted vault, nowhere else.
    assert!(!String::from_utf8_lossy(&env.vault_bytes()).contains("aaaa-1111"));

    // Bank has no codes and the vault opens on one device only.
    let status = env.stdout(&["status"]);
    assert!(status.contains("at risk of lockout: 1"), "{status}");
    assert!(status.contains("  Bank:bob\n"), "{status}");
    assert!(!status.contains("GitHub:alice"), "{status}");
    env.otp()
        .args(["remove", "bank", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("only copy"));
    env.otp()
        .args(["remove", "github", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("only copy").not());
}

#[test]
fn a_second_device_means_no_account_is_at_risk() {
    let env = TestEnv::with_vault();
    env.add("Bank", "bob", SECRET);
    let json: serde_json::Value = serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap();
    assert_eq!(json["at_risk"], serde_json::json!(["Bank:bob"]));
    let (_, recipient) = device_key(&env, "laptop2.txt");
    env.otp()
        .args(["recipients", "add", &recipient])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap();
    assert_eq!(json["at_risk"], serde_json::json!([]));
    assert_eq!(json["devices"], 2);
}

/// Needs `otp export` and `otp recover` (the backup work); skips itself
/// until they are in this build.
#[test]
fn lost_laptop_recover_on_a_fresh_home_with_only_the_recovery_key() {
    let env = vault_with_recovery_key();
    env.add("GitHub", "alice", SECRET);
    env.otp()
        .args(["recovery-codes", "add", "github"])
        .write_stdin("aaaa-1111\nbbbb-2222\n")
        .assert()
        .success();
    let backup = env.path("otp-backup.age");
    let export = env
        .otp()
        .args(["export", "-o"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );

    // A new machine: nothing but the backup and the recovery key.
    let fresh = TestEnv::new();
    let backup_there = fresh.write("otp-backup.age", std::fs::read(&backup).unwrap());
    let key_there = fresh.write(
        "recovery.txt",
        std::fs::read(env.path("recovery.txt")).unwrap(),
    );
    let with_key = || {
        let mut cmd = fresh.bare();
        cmd.env("OTP_IDENTITY", &key_there);
        cmd
    };
    with_key()
        .arg("recover")
        .arg(&backup_there)
        .assert()
        .success();
    code_at(&fresh, &mut with_key());
    with_key()
        .args(["recovery-codes", "show", "github"])
        .assert()
        .success()
        .stdout("aaaa-1111\nbbbb-2222\n");
}

/// A vault whose `recipients` were edited by hand so the key that unlocks
/// it is gone (only the recovery key and another device stay): the next
/// saving command must refuse instead of locking this user out.
#[test]
fn a_hand_edit_dropping_the_own_key_is_not_saved() {
    let env = vault_with_recovery_key();
    env.add("GitHub", "alice", SECRET);
    let (_, other) = device_key(&env, "other.txt");
    let own = env
        .stdout(&["recipients", "list"])
        .lines()
        .find(|l| l.contains("opened it now"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    let plain = env.plaintext();
    let edited = plain.replace(&format!("\"{own}\""), &format!("\"{other}\""));
    assert_ne!(edited, plain, "the own recipient is in the plaintext");
    env.write_sealed(&edited);
    let before = env.vault_bytes();

    // `passwd` (unlocked with an identity: a new key file) first saves the
    // vault with the new key added: that save too must keep the own key.
    let pw = env.write("new-pass.txt", "new words\n");
    let pw = pw.to_str().unwrap();
    for args in [
        &["add", "bob", "--issuer", "Bank", "--secret-stdin"][..],
        &["rename", "github", "carol"][..],
        &["recipients", "remove", &other][..],
        &["passwd", "--new-passphrase-file", pw][..],
    ] {
        env.otp()
            .args(args)
            .write_stdin("GEZDGNBVGY3TQOJQ")
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("could no longer open"))
            .stderr(predicate::str::contains("otp recipients add"));
        assert_eq!(
            env.vault_bytes(),
            before,
            "otp {args:?} left the vault as it was"
        );
    }
    assert!(
        !env.path("data/otp/vault.identity.age").exists(),
        "passwd wrote no key file"
    );
    // Still opens, and putting the key back is the way out.
    code_at(&env, &mut env.otp());
    env.otp()
        .args(["recipients", "add", &own])
        .assert()
        .success();
    env.add("Bank", "bob", "GEZDGNBVGY3TQOJQ");
    code_at(&env, &mut env.otp());
}
