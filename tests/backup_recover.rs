//! Recovery scenarios, end to end through the binary: the lost laptop, a
//! restore that would clobber accounts, `--skip-existing`, and undoing a
//! change with its safety-net snapshot.

use std::path::PathBuf;

use crate::common::*;
use predicates::prelude::*;

const S2: &str = "GEZDGNBVGY3TQOJQ";
const S3: &str = "MFRGGZDFMZTWQ2LK";
const S4: &str = "KRSXG5CTMVRXEZLU";
const AT: &str = "1700000000";

fn code(env: &TestEnv, query: &str) -> String {
    env.stdout(&["code", query, "--at", AT]).trim().to_string()
}

fn backup(env: &TestEnv) -> PathBuf {
    PathBuf::from(env.stdout(&["backup"]).trim())
}

fn labels(env: &TestEnv) -> String {
    env.stdout(&["list"])
}

/// The `otp recover '…'` path printed as the undo hint on stderr.
fn undo_path(stderr: &[u8]) -> PathBuf {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| l.contains("to undo: otp recover"))
        .unwrap_or_else(|| panic!("no undo hint in: {text}"));
    let quoted = line.rsplit_once("otp recover '").unwrap().1;
    PathBuf::from(quoted.trim_end_matches('\''))
}

#[test]
fn lost_machine_with_an_identity_file() {
    let old = TestEnv::with_vault();
    old.add("GitHub", "alice", SECRET);
    old.add("GitLab", "bob", S2);
    old.otp()
        .args(["remove", "gitlab", "--yes"])
        .assert()
        .success();
    let want = code(&old, "github");
    let file = backup(&old);

    // A new machine: nothing but the backup file and the identity file.
    let new = TestEnv::new();
    let copy = new.write("usb/otp-backup.age", std::fs::read(&file).unwrap());
    let key = new.write("usb/key.txt", std::fs::read(old.identity()).unwrap());
    new.bare()
        .env("OTP_IDENTITY", &key)
        .arg("recover")
        .arg(&copy)
        .assert()
        .success()
        .stderr(predicate::str::contains("into a new vault"));
    let unlocked = |args: &[&str]| {
        let out = new
            .bare()
            .env("OTP_IDENTITY", &key)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(unlocked(&["code", "github", "--at", AT]).trim(), want);
    // The whole vault came back: the trash too.
    assert!(unlocked(&["trash", "list"]).contains("GitLab:bob"));
}

#[test]
fn lost_machine_with_only_the_passphrase() {
    let pass = "correct horse battery";
    let old = TestEnv::new();
    let run = |env: &TestEnv, args: &[&str]| {
        let out = env
            .bare()
            .env("OTP_PASSPHRASE", pass)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "otp {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&old, &["init"]);
    run(
        &old,
        &["add", "alice", "--issuer", "GitHub", "--secret", SECRET],
    );
    let out = run(&old, &["backup"]);
    let file = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let dir = file.parent().unwrap();
    assert!(
        dir.join("vault.identity.age").exists(),
        "the key file travels with the backups"
    );
    let want = String::from_utf8(run(&old, &["code", "github", "--at", AT]).stdout).unwrap();

    // `otp export` of a passphrase vault says where the key file is.
    let out = run(&old, &["export"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("vault.identity.age"));

    // The new machine gets a copy of the backup folder.
    let new = TestEnv::new();
    for f in std::fs::read_dir(dir).unwrap() {
        let f = f.unwrap();
        new.write(
            &format!("usb/{}", f.file_name().to_string_lossy()),
            std::fs::read(f.path()).unwrap(),
        );
    }
    let copy = new.path("usb").join(file.file_name().unwrap());
    // A wrong passphrase restores nothing.
    new.bare()
        .env("OTP_PASSPHRASE", "wrong")
        .arg("recover")
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong passphrase"));
    assert!(!new.vault().exists());
    run(&new, &["recover", copy.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8(run(&new, &["code", "github", "--at", AT]).stdout).unwrap(),
        want
    );
}

#[test]
fn a_backup_without_its_key_says_what_is_missing() {
    let old = TestEnv::with_vault();
    old.add("GitHub", "alice", SECRET);
    let file = backup(&old);
    let new = TestEnv::new();
    let copy = new.write("b.age", std::fs::read(file).unwrap());
    new.bare()
        .arg("recover")
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--identity"));
    assert!(!new.vault().exists());
}

/// Backup: GitHub:alice, Other:x, Work:carol. Since then alice was
/// replaced by a new secret, Other:x renamed, carol deleted.
fn diverged() -> (TestEnv, PathBuf) {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("Other", "x", S2);
    env.add("Work", "carol", S4);
    let file = backup(&env);
    env.otp()
        .args(["remove", "github", "--yes"])
        .assert()
        .success();
    env.add("GitHub", "alice", S3);
    env.otp().args(["rename", "other", "y"]).assert().success();
    env.otp()
        .args(["remove", "carol", "--yes"])
        .assert()
        .success();
    (env, file)
}

#[test]
fn restore_over_existing_accounts_is_refused_and_changes_nothing() {
    let (env, file) = diverged();
    let before = env.vault_bytes();
    let assert = env.otp().arg("recover").arg(&file).assert().code(5);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("nothing was restored"), "{err}");
    assert!(
        err.contains("GitHub:alice: an account with the same name exists"),
        "{err}"
    );
    assert!(
        err.contains("Other:x: its secret is already in Other:y"),
        "{err}"
    );
    assert!(
        err.contains("otp rename") && err.contains("--skip-existing"),
        "{err}"
    );
    assert!(
        !err.contains(SECRET) && !err.contains(S3),
        "secrets leaked: {err}"
    );
    assert_eq!(
        env.vault_bytes(),
        before,
        "vault must be byte-for-byte unchanged"
    );

    // --dry-run shows the plan and writes nothing either.
    let out = env
        .otp()
        .arg("recover")
        .arg(&file)
        .arg("--dry-run")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let plan = String::from_utf8(out.stdout).unwrap();
    assert!(plan.contains("conflict\tGitHub:alice"), "{plan}");
    assert!(plan.contains("restore\tWork:carol"), "{plan}");
    let out = env
        .otp()
        .arg("recover")
        .arg(&file)
        .args(["--dry-run", "--skip-existing"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("skip\tGitHub:alice")
    );
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn skip_existing_keeps_the_existing_secret_and_can_be_undone() {
    let (env, file) = diverged();
    let new_code = code(&env, "github");
    let before = labels(&env);
    let out = env
        .otp()
        .arg("recover")
        .arg(&file)
        .arg("--skip-existing")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(code(&env, "github"), new_code, "the existing secret stays");
    let after = labels(&env);
    assert!(after.contains("Work:carol") && after.contains("Other:y"));
    assert!(!after.contains("Other:x"));

    // One command undoes it.
    let snapshot = undo_path(&out.stderr);
    assert!(snapshot.starts_with(env.path("data/otp/backups")));
    env.otp()
        .arg("recover")
        .arg(&snapshot)
        .assert()
        .success()
        .stderr(predicate::str::contains("Undid `recover`"));
    assert_eq!(labels(&env), before);
}

#[test]
fn purge_and_import_are_undone_by_their_snapshots() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp()
        .args(["remove", "github", "--yes"])
        .assert()
        .success();
    let out = env
        .otp()
        .args(["trash", "purge", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!env.stdout(&["trash", "list"]).contains("GitHub"));
    env.otp()
        .arg("recover")
        .arg(undo_path(&out.stderr))
        .assert()
        .success();
    assert!(env.stdout(&["trash", "list"]).contains("GitHub:alice"));
    env.otp()
        .args(["trash", "restore", "github"])
        .assert()
        .success();
    assert_eq!(code(&env, "github"), code_of(SECRET));

    let uris = env.write(
        "uris.txt",
        format!("otpauth://totp/A:a?secret={S2}\notpauth://totp/B:b?secret={S3}\n"),
    );
    let out = env.otp().arg("import").arg(&uris).output().unwrap();
    assert!(out.status.success());
    assert_eq!(labels(&env).lines().count(), 3);
    env.otp()
        .arg("recover")
        .arg(undo_path(&out.stderr))
        .assert()
        .success();
    assert_eq!(labels(&env), "GitHub:alice\n");
}

fn code_of(secret: &str) -> String {
    let env = TestEnv::with_vault();
    env.add("X", "y", secret);
    code(&env, "x")
}

#[test]
fn an_old_snapshot_is_restored_like_any_backup() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp()
        .args(["remove", "github", "--yes"])
        .assert()
        .success();
    let out = env
        .otp()
        .args(["trash", "purge", "--yes"])
        .output()
        .unwrap();
    let snapshot = undo_path(&out.stderr);
    env.add("Later", "z", S2);
    // The vault moved on: no wholesale undo, only accounts that are missing.
    env.otp()
        .arg("recover")
        .arg(&snapshot)
        .assert()
        .success()
        .stderr(predicate::str::contains("changed since"));
    assert_eq!(labels(&env), "Later:z\n");
}

#[test]
fn recover_reads_json_exports_and_uri_lists() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let json = env.stdout(&["export", "--format", "json", "--plaintext"]);
    let uris = env.stdout(&["export", "--format", "uris", "--plaintext"]);
    for (name, text) in [("e.json", json), ("e.txt", uris)] {
        let new = TestEnv::with_vault();
        let f = new.write(name, &text);
        new.otp().arg("recover").arg(&f).assert().success();
        assert_eq!(code(&new, "github"), code(&env, "github"));
        // Again: now it exists, and that is a conflict.
        new.otp().arg("recover").arg(&f).assert().code(5);
    }
    // A fresh machine and a plaintext source: a new vault is created as by init.
    let new = TestEnv::new();
    let f = new.write("e.txt", format!("otpauth://totp/A:a?secret={S2}\n"));
    new.bare()
        .env("OTP_PASSPHRASE", "pw")
        .arg("recover")
        .arg(&f)
        .assert()
        .success();
    let out = new
        .bare()
        .env("OTP_PASSPHRASE", "pw")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "A:a\n");
}

#[test]
fn garbage_is_not_a_backup() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    let f = env.write("x.bin", [0u8, 159, 146, 150]);
    env.otp()
        .arg("recover")
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not an otp backup"));
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn lost_machine_with_only_the_recovery_key() {
    let old = TestEnv::new();
    let out = old
        .bare()
        .args(["init", "--recovery-key", "--generate-identity"])
        .arg(old.identity())
        .output()
        .unwrap();
    assert!(out.status.success());
    old.write("recovery.txt", out.stdout);
    old.add("GitHub", "alice", SECRET);
    let file = backup(&old);

    let new = TestEnv::new();
    let copy = new.write("b.age", std::fs::read(&file).unwrap());
    let rk = new.write("rk.txt", std::fs::read(old.path("recovery.txt")).unwrap());
    new.bare()
        .env("OTP_IDENTITY", &rk)
        .arg("recover")
        .arg(&copy)
        .assert()
        .success();
    let (at, want) = SECRET_CODE_AT;
    for key in [&rk, &old.identity()] {
        new.bare()
            .env("OTP_IDENTITY", key)
            .args(["code", "github", "--at", at])
            .assert()
            .success()
            .stdout(format!("{want}\n"));
    }
    // The recovery key is still known as the recovery key.
    let out = new
        .bare()
        .env("OTP_IDENTITY", &rk)
        .args(["status", "--json"])
        .output()
        .unwrap();
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["recovery_key"], true);
}

/// A second vault opened by the same key (a second device, or one made
/// from the same identity file), whose backup folder was copied over.
fn second_device(a: &TestEnv) -> TestEnv {
    let b = TestEnv::new();
    b.write("key.txt", std::fs::read(a.identity()).unwrap());
    b.otp().arg("init").assert().success();
    b
}

#[test]
fn a_snapshot_of_another_vault_with_the_same_key_is_no_undo() {
    let a = TestEnv::with_vault();
    let b = second_device(&a);
    // B: an older secret for GitHub:alice, then an import (which snapshots
    // B at change 1).
    b.add("GitHub", "alice", S2);
    let uris = b.write("uris.txt", format!("otpauth://totp/New:n?secret={S3}\n"));
    let out = b.otp().arg("import").arg(&uris).output().unwrap();
    assert!(out.status.success());
    let snapshot = undo_path(&out.stderr);
    // A: two changes, so its counter is the snapshot's plus one, as after
    // the command the snapshot was taken before.
    a.add("GitHub", "alice", SECRET);
    a.add("Other", "x", S4);
    let copy = a.write("copied-backups/snap.age", std::fs::read(&snapshot).unwrap());
    let before = a.vault_bytes();
    let want = code(&a, "github");
    let out = a.otp().arg("recover").arg(&copy).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another vault"), "{err}");
    assert!(
        err.contains("GitHub:alice: an account with the same name exists"),
        "{err}"
    );
    assert_eq!(a.vault_bytes(), before, "nothing replaced");
    assert_eq!(code(&a, "github"), want);
    assert_eq!(labels(&a), "GitHub:alice\nOther:x\n");
    // The same snapshot still undoes B's import on B.
    b.otp()
        .arg("recover")
        .arg(&snapshot)
        .assert()
        .success()
        .stderr(predicate::str::contains("Undid `import`"));
    assert_eq!(labels(&b), "GitHub:alice\n");
}

#[test]
fn every_vault_gets_its_own_id_carried_by_backups() {
    let a = TestEnv::with_vault();
    let b = second_device(&a);
    let id = |env: &TestEnv| {
        let text = env.plaintext();
        text.lines()
            .find(|l| l.starts_with("vault_id = "))
            .unwrap_or_else(|| panic!("no vault id in {text}"))
            .to_string()
    };
    let (ida, idb) = (id(&a), id(&b));
    assert_ne!(ida, idb);
    assert_eq!(ida.len(), "vault_id = \"\"".len() + 32, "{ida}");
    // A backup carries it, readable with `age -d`.
    let file = backup(&a);
    let plain = otp::vault::keys::decrypt(
        &std::fs::read(&file).unwrap(),
        &[Box::new(
            std::fs::read_to_string(a.identity())
                .unwrap()
                .lines()
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .unwrap()
                .parse::<age::x25519::Identity>()
                .unwrap(),
        )],
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&plain).contains(&ida));
}

#[test]
fn a_vault_from_before_ids_gets_one_on_its_next_save_only() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let text = env.plaintext();
    let old: String = text
        .lines()
        .filter(|l| !l.starts_with("vault_id = "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(old, text);
    env.write_sealed(&old);
    let before = env.vault_bytes();
    // Reading saves nothing.
    env.stdout(&["list"]);
    env.stdout(&["code", "github"]);
    assert_eq!(env.vault_bytes(), before);
    let out = env
        .otp()
        .args(["rename", "github", "bob"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env.plaintext().contains("vault_id = "));
    // Its next change took a snapshot carrying the new id, which undoes it.
    let uris = env.write("u.txt", format!("otpauth://totp/New:n?secret={S3}\n"));
    let out = env.otp().arg("import").arg(&uris).output().unwrap();
    assert!(out.status.success());
    env.otp()
        .arg("recover")
        .arg(undo_path(&out.stderr))
        .assert()
        .success()
        .stderr(predicate::str::contains("Undid `import`"));
    assert_eq!(labels(&env), "GitHub:bob\n");

    // A snapshot without an id (as an older otp wrote them; editing it
    // also breaks its tag) is no undo, even of this very vault: nothing
    // proves which vault it is of.
    let out = env.otp().arg("import").arg(&uris).output().unwrap();
    assert!(out.status.success());
    let snapshot = undo_path(&out.stderr);
    let identity: age::x25519::Identity = std::fs::read_to_string(env.identity())
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .parse()
        .unwrap();
    let plain = otp::vault::keys::decrypt(
        &std::fs::read(&snapshot).unwrap(),
        &[Box::new(identity.clone())],
    )
    .unwrap();
    let legacy: String = String::from_utf8_lossy(&plain)
        .lines()
        .filter(|l| !l.starts_with("vault_id = "))
        .map(|l| format!("{l}\n"))
        .collect();
    let sealed =
        otp::vault::keys::encrypt(legacy.as_bytes(), &[Box::new(identity.to_public())], true)
            .unwrap();
    let legacy_file = env.write("legacy-snapshot.age", sealed);
    let before = env.vault_bytes();
    env.otp()
        .arg("recover")
        .arg(&legacy_file)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("it is not undone"));
    assert_eq!(env.vault_bytes(), before);
}
