//! A passphrase vault backed up on a schedule without its passphrase
//! stored anywhere (docs/backup.md, "key-less copies"): the documented
//! crontab line run as written on two days, `otp status` while locked, the
//! copies proven the next time the key is at hand, a copy restored alone on
//! a clean machine, and hostile files in the backup folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;

const PASS: &str = "correct horse battery staple";
const S2: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// A user's HOME with otp at ~/.cargo/bin/otp and the default places.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let home = Home {
            dir: tempfile::tempdir().unwrap(),
        };
        let bin = home.path(".cargo/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(otp_path(), bin.join("otp")).unwrap();
        home
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// cron's environment: HOME, SHELL, PATH=/usr/bin:/bin; no passphrase,
    /// no terminal (stdin is /dev/null); the agent's folder is this HOME's.
    fn cron_env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("SHELL", "/bin/sh")
            .env("PATH", "/usr/bin:/bin")
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .stdin(std::process::Stdio::null());
        for (k, v) in git_env() {
            cmd.env(k, v);
        }
    }

    /// `otp ARGS` with no key at hand.
    fn locked(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.path(".cargo/bin/otp"));
        self.cron_env(&mut cmd);
        cmd.args(args).output().unwrap()
    }

    /// `otp ARGS` with the passphrase at hand.
    fn unlocked(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.path(".cargo/bin/otp"));
        self.cron_env(&mut cmd);
        cmd.env("OTP_PASSPHRASE", PASS).args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.unlocked(args);
        assert!(out.status.success(), "{args:?}: {}", err(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    /// The crontab line of docs/backup.md for a passphrase vault, through
    /// `sh -c` as cron runs it.
    fn cron(&self, line: &str) -> Output {
        let mut cmd = Command::new("/bin/sh");
        self.cron_env(&mut cmd);
        cmd.arg("-c").arg(line).output().unwrap()
    }

    fn backups_dir(&self) -> PathBuf {
        self.path(".local/share/otp/backups")
    }

    fn vault(&self) -> PathBuf {
        self.path(".local/share/otp/vault.age")
    }

    /// (regular backups, key-less copies) in the backup folder, sorted.
    fn files(&self) -> (Vec<String>, Vec<String>) {
        let mut names: Vec<String> = std::fs::read_dir(self.backups_dir())
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("vault-"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.into_iter().partition(|n| !n.contains("-keyless"))
    }
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The crontab line docs/backup.md gives for a passphrase vault.
fn documented_line() -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/backup.md"))
        .unwrap();
    doc.lines()
        .find(|l| l.starts_with("23 3 * * * "))
        .expect("docs/backup.md shows the passphrase vault's crontab line")
        .splitn(6, ' ')
        .nth(5)
        .unwrap()
        .to_string()
}

/// A passphrase vault made as a user makes one, with one account.
fn set_up() -> Home {
    let home = Home::new();
    home.ok(&["init"]);
    home.ok(&["add", "alice", "--issuer", "Example", "--secret", SECRET]);
    home
}

#[test]
fn a_scheduled_backup_of_a_passphrase_vault_needs_no_stored_passphrase_and_is_proven_later() {
    let line = documented_line();
    assert!(
        !line.contains("PASSPHRASE"),
        "the line stores no passphrase: {line}"
    );
    let home = set_up();

    // Day one, 03:23: no key anywhere. A copy, said to be unverified.
    let out = home.cron(&line);
    assert!(out.status.success(), "day one: {}", err(&out));
    assert!(err(&out).contains("UNVERIFIED"), "{}", err(&out));
    let (regular, keyless) = home.files();
    assert!(regular.is_empty(), "{regular:?}");
    assert_eq!(keyless.len(), 1, "{keyless:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        home.backups_dir().join(&keyless[0]).display().to_string()
    );
    // The copy is the vault file, byte for byte; its key file is beside it.
    assert_eq!(
        std::fs::read(home.backups_dir().join(&keyless[0])).unwrap(),
        std::fs::read(home.vault()).unwrap()
    );
    assert!(home.backups_dir().join("vault.identity.age").exists());

    // Later that day, still no key: status says what it can, exit 7.
    let status = home.locked(&["status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert_eq!(status.status.code(), Some(7), "{text}{}", err(&status));
    assert!(text.contains("LOCKED"), "{text}");
    assert!(text.contains("UNVERIFIED since"), "{text}");
    assert!(text.contains(&keyless[0]), "{text}");
    assert!(text.contains("locked:     accounts"), "{text}");
    // Running it again with nothing changed copies nothing new.
    let again = home.cron(&line);
    assert!(again.status.success(), "{}", err(&again));
    assert!(err(&again).contains("has not changed"), "{}", err(&again));
    assert_eq!(home.files().1.len(), 1);

    // The user adds an account at a terminal (the key is at hand): the
    // day-one copy is proven and becomes a regular backup of what it held.
    let added = home.unlocked(&["add", "bob", "--issuer", "Bank", "--secret", S2]);
    assert!(added.status.success(), "{}", err(&added));
    assert!(
        err(&added).contains("Verified the key-less copy"),
        "{}",
        err(&added)
    );
    let (regular, keyless) = home.files();
    assert!(keyless.is_empty(), "{keyless:?}");
    assert_eq!(regular.len(), 1, "{regular:?}");
    assert!(
        regular[0].contains("-a1-"),
        "it holds day one's vault: {regular:?}"
    );
    assert!(!home.path(".local/share/otp/vault.age.keyless").exists());

    // Day two: the vault changed, so a new copy.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = home.cron(&line);
    assert!(out.status.success(), "day two: {}", err(&out));
    let (regular, keyless) = home.files();
    assert_eq!(
        (regular.len(), keyless.len()),
        (1, 1),
        "{regular:?} {keyless:?}"
    );
    let day_two = home.backups_dir().join(&keyless[0]);

    // The laptop is lost: the day-two copy alone, on a clean machine, with
    // the passphrase, restores both accounts (the vault file carries its
    // sealed key file).
    let clean = Home::new();
    let usb = clean.path("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let alone = usb.join(&keyless[0]);
    std::fs::copy(&day_two, &alone).unwrap();
    let restored = clean.unlocked(&["recover", alone.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", err(&restored));
    assert_eq!(clean.ok(&["list"]), "Example:alice\nBank:bob\n");

    // `otp backup --verify` with the key proves the day-two copy too, and
    // then finds the folder's newest backup current.
    let verify = home.unlocked(&["backup", "--verify"]);
    assert!(verify.status.success(), "{}", err(&verify));
    let (regular, keyless) = home.files();
    assert_eq!((regular.len(), keyless.len()), (2, 0), "{regular:?}");
    assert!(regular.iter().any(|n| n.contains("-a2-")), "{regular:?}");
    let status = home.unlocked(&["status"]);
    assert!(status.status.success(), "{}", err(&status));
    assert!(!String::from_utf8_lossy(&status.stdout).contains("UNVERIFIED"));
    // And without a key, --verify says it needs one.
    let out = home.locked(&["backup", "--verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("needs the vault's key"), "{}", err(&out));
}

/// A backup folder is untrusted storage: a recorded copy replaced by
/// another (even a genuine older vault file) is not proven and not counted;
/// files named like key-less copies that otp never made are never counted
/// and never removed; retention with backup_keep = 1 removes proven
/// backups only for proven backups, never because of key-less files.
#[test]
fn a_replaced_copy_is_not_proven_and_planted_copies_never_count_or_push_a_backup_out() {
    let home = set_up();
    std::fs::create_dir_all(home.path(".config/otp")).unwrap();
    std::fs::write(home.path(".config/otp/config.toml"), "backup_keep = 1\n").unwrap();
    let old_vault = std::fs::read(home.vault()).unwrap();
    home.ok(&["backup"]);
    let (proven, _) = home.files();
    assert_eq!(proven.len(), 1);
    home.ok(&["add", "bob", "--issuer", "Bank", "--secret", S2]);

    // A key-less copy of today's vault, then swapped for the older vault
    // file (which opens, and carries a genuine tag of this vault).
    let out = home.locked(&["backup"]);
    assert!(out.status.success(), "{}", err(&out));
    let (_, keyless) = home.files();
    let copy = home.backups_dir().join(&keyless[0]);
    std::fs::write(&copy, &old_vault).unwrap();
    // Planted: files named as key-less copies, and one as garbage.
    let planted = [
        "vault-29990101T000000Z-keyless.age",
        "vault-29990102T000000Z-keyless.age",
    ];
    for name in planted {
        std::fs::write(home.backups_dir().join(name), &old_vault).unwrap();
    }

    let out = home.unlocked(&["backup"]);
    assert!(out.status.success(), "{}", err(&out));
    let said = err(&out);
    assert!(said.contains("changed since it was copied"), "{said}");
    assert!(!said.contains("Verified the key-less copy"), "{said}");
    // The replaced copy and the planted files are where they were; the
    // record no longer lists the copy.
    assert!(copy.exists());
    for name in planted {
        assert!(home.backups_dir().join(name).exists(), "{name} was removed");
    }
    assert!(!home.path(".local/share/otp/vault.age.keyless").exists());
    // Retention kept exactly the newest proven backup (keep 1), which
    // holds both accounts.
    let (proven, _) = home.files();
    assert_eq!(proven.len(), 1, "{proven:?}");
    assert!(proven[0].contains("-a2-"), "{proven:?}");
    let verify = home.unlocked(&["backup", "--verify"]);
    assert!(verify.status.success(), "{}", err(&verify));
}

/// `otp status` of a passphrase vault with no key at hand (a status bar, a
/// script): what the files say — the last backup and whether the vault
/// was written since, sync, the agent, conflict copies — the rest marked
/// locked, exit 7; never a prompt, never an error. With the key, the full
/// status, exit 0.
#[test]
fn status_on_a_locked_vault_shows_what_the_files_say_and_marks_the_rest_locked() {
    let home = set_up();
    home.ok(&["backup"]);
    let out = home.locked(&["status"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(7), "{text}{}", err(&out));
    for part in [
        "unlock:     passphrase: LOCKED",
        "agent:      not running",
        "backup:     ",
        "freshness:  the vault file has not been written since this backup",
        "verified:   ",
        "sync:       off",
        "locked:     accounts, trash, changes, recipients, recovery key",
    ] {
        assert!(text.contains(part), "{part:?} not in:\n{text}");
    }
    assert!(!text.contains("accounts:   "), "{text}");
    assert!(err(&out).contains("the vault is locked"), "{}", err(&out));
    assert!(
        !err(&out).contains("passphrase:"),
        "no prompt: {}",
        err(&out)
    );

    // A change, the vault in git, a folder-sync conflict copy beside it.
    home.ok(&["add", "bob", "--issuer", "Bank", "--secret", S2]);
    home.ok(&["sync", "init"]);
    std::fs::copy(
        home.vault(),
        home.path(".local/share/otp/vault.sync-conflict-20260101-120000-ABCDEFG.age"),
    )
    .unwrap();
    let out = home.locked(&["status", "--json"]);
    assert_eq!(out.status.code(), Some(7), "{}", err(&out));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["locked"], true);
    assert!(s["locked_fields"].as_array().unwrap().len() > 5);
    assert_eq!(s["vault_written_since_backup"], true, "{s}");
    assert!(s["last_backup"]["path"].as_str().unwrap().contains("-a1-"));
    assert!(s["sync"]["repository"].is_string(), "{s}");
    assert_eq!(s["conflict_copies"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["agent"]["holds_key"], false, "{s}");
    assert!(s.get("accounts").is_none(), "{s}");
    let text = String::from_utf8_lossy(&home.locked(&["status"]).stdout).into_owned();
    assert!(text.contains("the vault file was written since"), "{text}");
    assert!(text.contains("sync:       git in"), "{text}");
    assert!(text.contains("conflict copies: 1"), "{text}");

    // With the key: the whole status, exit 0.
    let out = home.unlocked(&["status"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("accounts:   2"));
}
