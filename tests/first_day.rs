//! The first day and the worst day, as a user lives them: a new
//! user on the default passphrase vault, and a simulated lost laptop. Each
//! test is one user session through the real binary, with the documented
//! commands.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::*;

const PASS: &str = "correct horse battery staple";
const AT: &str = "1700000000";

/// `otp ARGS` on `env` with the passphrase in the environment (a script),
/// and nothing else to unlock with.
fn with_pass(env: &TestEnv, args: &[&str]) -> Output {
    env.bare()
        .env("OTP_PASSPHRASE", PASS)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A passphrase vault (the default) with GitHub:alice.
fn passphrase_user() -> TestEnv {
    let env = TestEnv::new();
    ok(with_pass(&env, &["init"]), "init");
    ok(
        with_pass(
            &env,
            &["add", "alice", "--issuer", "GitHub", "--secret", SECRET],
        ),
        "add",
    );
    env
}

fn code(env: &TestEnv) -> String {
    text(&ok(with_pass(env, &["code", "github", "--at", AT]), "code").stdout)
}

/// A clean machine holding nothing but `file`, under `name`.
fn clean_machine_with(file: &Path, name: &str) -> (TestEnv, PathBuf) {
    let new = TestEnv::new();
    let copy = new.write(name, std::fs::read(file).unwrap());
    (new, copy)
}

// Item 1: a scripted export of a passphrase vault restores on a new machine
// with the file and the passphrase alone.
#[test]
fn a_scripted_export_restores_on_a_clean_machine_with_the_passphrase_alone() {
    let old = passphrase_user();
    let want = code(&old);
    let usb = old.path("mnt/usb");
    std::fs::create_dir_all(&usb).unwrap();
    let export = usb.join("otp-backup.age");
    let out = ok(
        with_pass(&old, &["export", "-o", export.to_str().unwrap()]),
        "export",
    );
    assert!(
        text(&out.stderr).contains("passphrase alone"),
        "{}",
        text(&out.stderr)
    );

    let (new, copy) = clean_machine_with(&export, "otp-backup.age");
    // A wrong passphrase restores nothing and creates nothing.
    let out = new
        .bare()
        .env("OTP_PASSPHRASE", "wrong")
        .arg("recover")
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!new.vault().exists());
    assert!(!new.path("data/otp/vault.identity.age").exists());

    let out = ok(
        with_pass(&new, &["recover", copy.to_str().unwrap()]),
        "recover",
    );
    assert!(text(&out.stderr).contains("into a new vault"));
    assert_eq!(code(&new), want);
    // The same passphrase keeps working: the carried key file was installed.
    assert!(new.path("data/otp/vault.identity.age").exists());
}

#[test]
fn a_backup_file_copied_alone_restores_and_drills_with_the_passphrase() {
    let old = passphrase_user();
    let want = code(&old);
    let file = PathBuf::from(text(&ok(with_pass(&old, &["backup"]), "backup").stdout).trim());
    // The drill with the passphrase proves that each backup carries its key.
    let out = ok(with_pass(&old, &["drill"]), "drill");
    assert!(
        text(&out.stderr).contains("passphrase alone"),
        "{}",
        text(&out.stderr)
    );

    let (new, copy) = clean_machine_with(&file, "only-this-file.age");
    ok(
        with_pass(&new, &["recover", copy.to_str().unwrap()]),
        "recover",
    );
    assert_eq!(code(&new), want);
}

#[test]
fn a_key_carried_by_a_foreign_backup_never_replaces_the_vaults_key_file() {
    let mine = passphrase_user();
    let key_file = mine.path("data/otp/vault.identity.age");
    let my_key = std::fs::read(&key_file).unwrap();
    let vault_before = mine.vault_bytes();

    // A stranger's backup, carrying their key sealed with the same passphrase.
    let stranger = TestEnv::new();
    ok(with_pass(&stranger, &["init"]), "init");
    ok(
        with_pass(
            &stranger,
            &[
                "add",
                "mallory",
                "--issuer",
                "Evil",
                "--secret",
                "GEZDGNBVGY3TQOJQ",
            ],
        ),
        "add",
    );
    let theirs =
        PathBuf::from(text(&ok(with_pass(&stranger, &["backup"]), "backup").stdout).trim());
    let copy = mine.write("downloads/backup.age", std::fs::read(theirs).unwrap());

    // It opens with the key it carries (the passphrase fits), and restores
    // accounts through the usual check, but the vault keeps its own key.
    let out = with_pass(&mine, &["recover", copy.to_str().unwrap()]);
    ok(out, "recover");
    assert_eq!(std::fs::read(&key_file).unwrap(), my_key);
    assert_ne!(mine.vault_bytes(), vault_before);
    assert!(code(&mine).trim().len() == 6, "my vault still opens");

    // No vault, but a key file of another vault already there: refused.
    let fresh = TestEnv::new();
    let other = fresh.write(
        "data/otp/vault.identity.age",
        b"-----BEGIN AGE ENCRYPTED FILE-----\nx\n",
    );
    let before = std::fs::read(&other).unwrap();
    let c = fresh.write("b.age", std::fs::read(&copy).unwrap());
    let out = with_pass(&fresh, &["recover", c.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&other).unwrap(), before);
    assert!(!fresh.vault().exists());
}

/// The `age` tool alone still opens a backup that carries the key file:
/// with the key file (and the passphrase), or with a recovery key.
#[test]
fn plain_age_still_opens_a_backup_that_carries_its_key() {
    if !require("age") {
        return;
    }
    let old = TestEnv::new();
    let out = ok(
        with_pass(&old, &["init", "--recovery-key"]),
        "init --recovery-key",
    );
    let rk = old.write("recovery.txt", out.stdout);
    ok(
        with_pass(
            &old,
            &["add", "alice", "--issuer", "GitHub", "--secret", SECRET],
        ),
        "add",
    );
    let file = PathBuf::from(text(&ok(with_pass(&old, &["backup"]), "backup").stdout).trim());
    assert!(age_cli_plaintext(&rk, &file).contains(SECRET));
}

/// The undo line `otp trash purge` printed: its `otp recover '…'` command.
fn printed_undo(stderr: &[u8]) -> String {
    let t = text(stderr);
    let line = t
        .lines()
        .find(|l| l.contains("to undo: otp recover"))
        .unwrap_or_else(|| panic!("no undo line in: {t}"));
    let q = line.rsplit_once("otp recover '").unwrap().1;
    q.trim_end_matches('\'').to_string()
}

// Item 2: the undo printed by `otp trash purge` keeps working after later
// changes, and says what it put back.
#[test]
fn the_purge_undo_still_works_after_later_changes() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("Bank", "bob", "GEZDGNBVGY3TQOJQ");
    env.otp()
        .args(["remove", "bank", "--yes"])
        .assert()
        .success();
    let out = env
        .otp()
        .args(["trash", "purge", "--yes"])
        .output()
        .unwrap();
    let out = ok(out, "purge");
    let undo = printed_undo(&out.stderr);
    // The next day: another account, and a rename.
    env.add("Later", "zed", "MFRGGZDFMZTWQ2LK");
    env.otp()
        .args(["rename", "github", "GitHub:alice@work"])
        .assert()
        .success();

    let out = ok(
        env.otp().args(["recover", &undo]).output().unwrap(),
        "the printed undo",
    );
    let said = text(&out.stderr);
    assert!(
        said.contains("Bank:bob") && said.contains("otp trash restore"),
        "{said}"
    );
    assert!(env.stdout(&["trash", "list"]).contains("Bank:bob"));
    ok(
        env.otp()
            .args(["trash", "restore", "bank"])
            .output()
            .unwrap(),
        "trash restore",
    );
    let list = env.stdout(&["list"]);
    for want in ["Bank:bob", "Later:zed", "alice@work"] {
        assert!(list.contains(want), "{list}");
    }
    // Run again, it has nothing left to do and says so.
    let out = ok(
        env.otp().args(["recover", &undo]).output().unwrap(),
        "again",
    );
    assert!(
        text(&out.stderr).contains("Nothing to restore"),
        "{}",
        text(&out.stderr)
    );
}

// Item 3: right after `otp recovery-key add`, with older backups on disk, a
// drill with the new key passes; if no backup includes the key, the drill
// says so and does not advise throwing the good key away.
#[test]
fn a_drill_right_after_adding_the_recovery_key_passes() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.stdout(&["backup"]);
    let out = ok(
        env.otp().args(["recovery-key", "add"]).output().unwrap(),
        "recovery-key add",
    );
    let said = text(&out.stderr);
    assert!(
        said.contains("Wrote a backup that the recovery key opens"),
        "{said}"
    );
    let rk = env.write("recovery.txt", out.stdout);
    let out = ok(
        env.otp()
            .arg("drill")
            .arg("--recovery-key")
            .arg(&rk)
            .output()
            .unwrap(),
        "drill",
    );
    assert!(text(&out.stderr).contains("Drill passed"));

    // Without that backup (say it was deleted), the newest is from before
    // the key: the drill fails and names the real cause.
    let dir = env.path("data/otp/backups");
    let mut newest: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("vault-")
        })
        .collect();
    newest.sort();
    std::fs::remove_file(newest.last().unwrap()).unwrap();
    let out = env
        .otp()
        .arg("drill")
        .arg("--recovery-key")
        .arg(&rk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(
        said.contains("this key is good") && said.contains("otp backup"),
        "{said}"
    );
    assert!(!said.contains("make a new one with"), "{said}");
}

// Item 4: a restore with the recovery key on a new machine guides to a new
// everyday key; the recovery key is never left as the daily unlock.
#[test]
fn a_break_glass_restore_guides_to_a_new_everyday_key() {
    let old = TestEnv::new();
    let out = old
        .bare()
        .args(["init", "--recovery-key", "--generate-identity"])
        .arg(old.identity())
        .output()
        .unwrap();
    let out = ok(out, "init");
    let rk = old.write("recovery.txt", out.stdout);
    old.add("GitHub", "alice", SECRET);
    let file = PathBuf::from(old.stdout(&["backup"]).trim());

    let (new, copy) = clean_machine_with(&file, "b.age");
    let out = ok(
        new.bare()
            .arg("--identity")
            .arg(&rk)
            .arg("recover")
            .arg(&copy)
            .output()
            .unwrap(),
        "recover with the recovery key",
    );
    let said = text(&out.stderr);
    assert!(
        said.contains("break-glass") && said.contains("passwd"),
        "{said}"
    );
    assert!(said.contains("back offline"), "{said}");
    assert!(!said.contains("Unlock: identity file"), "{said}");
    // Following the guide: a new passphrase; then the passphrase alone opens it.
    let pw = new.write("new-pass.txt", "a new everyday passphrase\n");
    ok(
        new.bare()
            .arg("--identity")
            .arg(&rk)
            .args(["passwd", "--new-passphrase-file"])
            .arg(&pw)
            .output()
            .unwrap(),
        "passwd",
    );
    let out = ok(
        new.bare()
            .env("OTP_PASSPHRASE", "a new everyday passphrase")
            .args(["code", "github", "--at", AT])
            .output()
            .unwrap(),
        "code with the new passphrase",
    );
    assert_eq!(text(&out.stdout).trim().len(), 6);
}
