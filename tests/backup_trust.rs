//! A backup folder is untrusted storage (docs/trust.md): an attacker who
//! knows only the vault's public key (and can read file names, and copy
//! old files) writes files into it. Retention, `otp backup --verify`,
//! `otp drill`, `otp status` and `otp recover` must never take such a file
//! for a backup of this vault.

use std::path::{Path, PathBuf};

use crate::common::*;
use predicates::prelude::*;

const S2: &str = "GEZDGNBVGY3TQOJQ";
const EVIL: &str = "MFRGGZDFMZTWQ2LK";

fn config(env: &TestEnv, text: &str) {
    env.write("config/otp/config.toml", text);
}

fn backup_dir(env: &TestEnv) -> PathBuf {
    env.path("data/otp/backups")
}

fn backups(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains("identity"))
        .collect();
    v.sort();
    v
}

/// The victim's public key, as anyone may know it.
fn public_key(env: &TestEnv) -> String {
    env.stdout(&["recipients", "list"])
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string()
}

fn encrypt_to(text: &str, to: &str) -> Vec<u8> {
    let recipients = otp::vault::keys::parse_recipients(&[to.to_string()]).unwrap();
    otp::vault::keys::encrypt(text.as_bytes(), &recipients, true).unwrap()
}

fn decrypt(env: &TestEnv, file: &Path) -> String {
    let identity: age::x25519::Identity = std::fs::read_to_string(env.identity())
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .parse()
        .unwrap();
    let plain =
        otp::vault::keys::decrypt(&std::fs::read(file).unwrap(), &[Box::new(identity)]).unwrap();
    String::from_utf8(plain.to_vec()).unwrap()
}

/// The vault tag in the victim's backup file names (public: anyone who
/// can list the folder sees it).
fn name_tag(file: &str) -> String {
    let v = file
        .trim_end_matches(".age")
        .split('-')
        .find(|p| p.starts_with('v') && p.len() == 17)
        .unwrap();
    v[1..].to_string()
}

/// An attacker's backup: written with otp by the attacker on their own
/// vault (one account of theirs), then dressed as the victim's: the victim's
/// vault tag (from a file name) and public key, the attacker's key as a
/// second recipient, encrypted to the victim's key.
struct Attacker {
    env: TestEnv,
    text: String,
}

impl Attacker {
    fn new(victim: &TestEnv, tag: &str) -> Attacker {
        let env = TestEnv::with_vault();
        env.add("Bank", "victim", EVIL);
        let out = env.stdout(&["backup"]);
        let own = decrypt(&env, Path::new(out.trim()));
        let mine = public_key(&env);
        let theirs = public_key(victim);
        let text = own
            .lines()
            .map(|l| {
                if l.starts_with("vault_id = ") {
                    format!("vault_id = \"{tag}0123456789abcdef\"")
                } else if l.starts_with("recipients = ") {
                    format!("recipients = [\"{theirs}\", \"{mine}\"]")
                } else {
                    l.to_string()
                }
            })
            .map(|l| l + "\n")
            .collect();
        Attacker { env, text }
    }

    /// Drops `n` forged backups named newer than any real one.
    fn plant(&self, victim: &TestEnv, tag: &str, n: usize) -> Vec<String> {
        let to = public_key(victim);
        (0..n)
            .map(|i| {
                let name = format!("vault-20990101T0000{i:02}Z-c999-a1-v{tag}.age");
                std::fs::write(backup_dir(victim).join(&name), encrypt_to(&self.text, &to))
                    .unwrap();
                name
            })
            .collect()
    }
}

/// A vault with two accounts and three real backups, keeping three.
fn victim() -> (TestEnv, Vec<String>) {
    let env = TestEnv::with_vault();
    config(&env, "backup_keep = 3\n");
    env.add("GitHub", "alice", SECRET);
    env.add("GitLab", "bob", S2);
    for _ in 0..3 {
        env.otp().arg("backup").assert().success();
    }
    let mut real = backups(&backup_dir(&env));
    assert_eq!(real.len(), 3, "{real:?}");
    // Oldest first: by time, then by the `-N` of backups of one second.
    real.sort_by_key(|f| {
        let stamp = f.split('-').nth(1).unwrap().to_string();
        let rest = f.strip_suffix(".age").unwrap();
        let seq: u32 = rest
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        (stamp, seq)
    });
    (env, real)
}

#[test]
fn twenty_forged_newer_backups_push_no_real_backup_out() {
    let (env, real) = victim();
    let tag = name_tag(&real[0]);
    let attacker = Attacker::new(&env, &tag);
    let forged = attacker.plant(&env, &tag, 20);
    let out = env.otp().arg("backup").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("20 file(s)") && stderr.contains("not counted or removed"),
        "{stderr}"
    );
    let after = backups(&backup_dir(&env));
    // Retention ran among the real backups only: the newest three are kept
    // (the oldest real one makes room for the new one, as without an
    // attacker), and not one forged file counted or was removed.
    for f in &forged {
        assert!(after.contains(f), "a forged file was removed: {f}");
    }
    for f in &real[1..] {
        assert!(
            after.contains(f),
            "a real backup was pruned: {f}\n{after:?}"
        );
    }
    assert_eq!(after.len(), 20 + 3, "{after:?}");
    assert!(!after.contains(&real[0]));
    drop(attacker.env);
}

#[test]
fn copies_of_an_old_real_backup_named_newer_push_nothing_out() {
    // A replay: the attacker cannot write a backup, but can copy an old one
    // under newer names. It is authentic, but counts once, at its own time.
    let (env, real) = victim();
    let tag = name_tag(&real[0]);
    let dir = backup_dir(&env);
    let old = std::fs::read(dir.join(&real[0])).unwrap();
    for i in 0..10 {
        std::fs::write(
            dir.join(format!("vault-20990101T0000{i:02}Z-c999-a2-v{tag}.age")),
            &old,
        )
        .unwrap();
    }
    env.add("Bank", "carol", "KRSXG5CTMVRXEZLU");
    env.otp().arg("backup").assert().success();
    let after = backups(&dir);
    for f in &real[1..] {
        assert!(
            after.contains(f),
            "a real backup was pruned: {f}\n{after:?}"
        );
    }
    // The newest backup is the one just written, whatever the names say.
    let s: serde_json::Value = serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap();
    let newest = s["backup_destinations"][0]["newest"]["file"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!newest.starts_with("vault-2099"), "{newest}");
    assert_eq!(s["backup_destinations"][0]["newest"]["accounts"], 3);
}

#[test]
fn verify_drill_and_status_name_forged_backups_and_count_only_real_ones() {
    let (env, real) = victim();
    let tag = name_tag(&real[0]);
    let attacker = Attacker::new(&env, &tag);
    let forged = attacker.plant(&env, &tag, 2);
    // --verify: the forged files are named, with why; the real newest is
    // checked and good; exit 6.
    let out = env.otp().args(["backup", "--verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stdout}{stderr}");
    for f in &forged {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("FORGED\t") && l.contains(f.as_str())),
            "{stdout}"
        );
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ok\t") && l.contains(real[2].as_str())),
        "{stdout}"
    );
    assert!(stderr.contains("forged"), "{stderr}");
    // status: the newest backup is the real one; the forged are listed.
    let s: serde_json::Value = serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap();
    let d = &s["backup_destinations"][0];
    assert_eq!(d["newest"]["file"], real[2].as_str(), "{d}");
    assert_eq!(d["not_counted"].as_array().unwrap().len(), 2, "{d}");
    assert_eq!(s["last_verify"]["ok"], false, "{s}");
    let text = env.stdout(&["status"]);
    assert!(
        text.contains("not counted") && text.contains("FORGED"),
        "{text}"
    );
    // drill: fails with exit 6, naming them.
    let out = env.otp().arg("drill").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(6), "{stdout}");
    assert!(stdout.contains("FORGED"), "{stdout}");
    // Once they are gone, all is well again.
    for f in &forged {
        std::fs::remove_file(backup_dir(&env).join(f)).unwrap();
    }
    env.otp().args(["backup", "--verify"]).assert().success();
    env.otp().arg("drill").assert().success();
}

#[test]
fn a_backup_without_a_tag_is_never_counted_nor_pruned() {
    // What an older otp wrote (or anyone, to the public key): no tag.
    let (env, real) = victim();
    let dir = backup_dir(&env);
    let text = decrypt(&env, &dir.join(&real[0]));
    let untagged: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    assert!(untagged.starts_with("# otp backup"), "{untagged}");
    let tag = name_tag(&real[0]);
    let legacy = format!("vault-20010101T000000Z-c1-a2-v{tag}.age");
    std::fs::write(dir.join(&legacy), encrypt_to(&untagged, &public_key(&env))).unwrap();
    config(&env, "backup_keep = 1\n");
    env.otp().arg("backup").assert().success();
    let after = backups(&dir);
    assert!(after.contains(&legacy), "{after:?}");
    let out = env
        .otp()
        .args(["backup", "--verify", "--all"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("BAD\t") && l.contains(&legacy) && l.contains("UNPROVEN")),
        "{stdout}"
    );
}

#[test]
fn recover_of_a_forged_backup_takes_accounts_only_and_says_so() {
    let (env, real) = victim();
    let tag = name_tag(&real[0]);
    let attacker = Attacker::new(&env, &tag);
    let forged = attacker.plant(&env, &tag, 1);
    let file = backup_dir(&env).join(&forged[0]);
    let before = env.plaintext();
    let recipients_before: String = before
        .lines()
        .filter(|l| l.starts_with("recipients"))
        .collect();
    env.otp()
        .arg("recover")
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "could not be proven to come from one of your machines",
        ));
    let after = env.plaintext();
    let recipients_after: String = after
        .lines()
        .filter(|l| l.starts_with("recipients"))
        .collect();
    assert_eq!(recipients_after, recipients_before);
    assert!(!after.contains(&public_key(&attacker.env)));
}

#[test]
fn recover_on_a_new_machine_says_nothing_is_proven_and_names_every_key_it_brings() {
    let (env, real) = victim();
    let tag = name_tag(&real[0]);
    let attacker = Attacker::new(&env, &tag);
    let forged = attacker.plant(&env, &tag, 1);
    let new = TestEnv::new();
    let copy = new.write(
        "usb/backup.age",
        std::fs::read(backup_dir(&env).join(&forged[0])).unwrap(),
    );
    let key = new.write("usb/key.txt", std::fs::read(env.identity()).unwrap());
    let evil = public_key(&attacker.env);
    new.bare()
        .env("OTP_IDENTITY", &key)
        .arg("recover")
        .arg(&copy)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "nothing on a new machine can prove",
        ))
        .stderr(predicate::str::contains(format!(
            "otp recipients remove {evil}"
        )));
    // A real backup restores as before, and says the same about proof.
    let newer = TestEnv::new();
    let copy = newer.write(
        "usb/backup.age",
        std::fs::read(backup_dir(&env).join(&real[2])).unwrap(),
    );
    let key = newer.write("usb/key.txt", std::fs::read(env.identity()).unwrap());
    newer
        .bare()
        .env("OTP_IDENTITY", &key)
        .arg("recover")
        .arg(&copy)
        .assert()
        .success()
        .stderr(predicate::str::contains("into a new vault"))
        .stderr(predicate::str::contains(
            "nothing on a new machine can prove",
        ));
}
