//! `otp backup` over time: freshness in `otp status` and after changes,
//! retention that never drops the last good backup, and `auto_backup`.

use std::path::Path;

use crate::common::*;
use predicates::prelude::*;

const S2: &str = "GEZDGNBVGY3TQOJQ";

fn config(env: &TestEnv, text: &str) {
    env.write("config/otp/config.toml", text);
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.contains("identity"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn status_json(env: &TestEnv) -> serde_json::Value {
    serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap()
}

#[test]
fn status_reports_a_stale_backup_and_changes_warn_once_each() {
    let env = TestEnv::with_vault();
    env.otp()
        .args(["add", "a", "--secret", SECRET])
        .assert()
        .success()
        .stderr(predicate::str::contains("never been backed up"));
    let s = status_json(&env);
    assert_eq!(s["last_backup"], serde_json::Value::Null);
    assert_eq!(s["backup_out_of_date"], true);

    env.otp()
        .arg("backup")
        .assert()
        .success()
        .stdout(predicate::str::contains("vault-"));
    let s = status_json(&env);
    assert_eq!(s["backup_out_of_date"], false);
    assert_eq!(s["changes_since_backup"], 0);
    assert_eq!(s["last_backup"]["accounts"], 1);
    assert!(env.stdout(&["status"]).contains("freshness:  up to date"));

    // A change after the backup: one line on stderr, and status says so.
    let out = env
        .otp()
        .args(["add", "b", "--secret", S2])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("since the last backup"))
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("1 change(s) since the last backup"), "{err}");
    let s = status_json(&env);
    assert_eq!(s["backup_out_of_date"], true);
    assert_eq!(s["changes_since_backup"], 1);
    assert!(
        env.stdout(&["status"])
            .contains("OUT OF DATE: 1 change(s) since")
    );

    // A deleted backup file is not a backup.
    let path = s["last_backup"]["path"].as_str().unwrap().to_string();
    env.otp().arg("backup").assert().success();
    let s = status_json(&env);
    std::fs::remove_file(s["last_backup"]["path"].as_str().unwrap()).unwrap();
    assert_eq!(status_json(&env)["backup_out_of_date"], true);
    assert!(env.stdout(&["status"]).contains("(missing!)"));
    let _ = path;

    // backup_warning = false silences the reminder.
    config(&env, "backup_warning = false\n");
    env.otp()
        .args(["add", "c", "--secret", "MFRGGZDFMZTWQ2LK"])
        .assert()
        .success()
        .stderr(predicate::str::contains("backup").not());
}

#[test]
fn export_to_a_file_counts_as_a_backup() {
    let env = TestEnv::with_vault();
    env.add("A", "a", SECRET);
    env.otp()
        .arg("export")
        .arg("-o")
        .arg(env.path("b.age"))
        .assert()
        .success();
    assert_eq!(status_json(&env)["backup_out_of_date"], false);
}

#[test]
fn retention_never_drops_the_last_good_backup() {
    // A vault with accounts backs up into a shared folder...
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path().join("otp-backups");
    let cfg = format!(
        "backup_dir = {:?}\nbackup_keep = 2\n",
        dir.display().to_string()
    );
    let good = TestEnv::with_vault();
    config(&good, &cfg);
    good.add("GitHub", "alice", SECRET);
    good.add("Bank", "bob", S2);
    good.otp().arg("backup").assert().success();
    let first = files(&dir);
    assert_eq!(first.len(), 1);

    // ...then a fresh, empty device writes its backups into the same
    // folder: another vault, so they never count against this one's.
    let empty = TestEnv::with_vault();
    config(&empty, &cfg);
    for _ in 0..4 {
        empty.otp().arg("backup").assert().success();
    }
    empty.otp().args(["backup", "--force"]).assert().success();
    let now = files(&dir);
    assert!(now.contains(&first[0]), "{now:?}");
    assert_eq!(now.len(), 3, "the empty vault keeps 2 of its own: {now:?}");

    // The same vault, emptied, backing up again and again: held.
    for q in ["github", "bank"] {
        good.otp().args(["remove", q, "--yes"]).assert().success();
    }
    for _ in 0..4 {
        good.otp()
            .arg("backup")
            .assert()
            .success()
            .stderr(predicate::str::contains("otp backup --force"));
    }
    let now = files(&dir);
    assert_eq!(now.len(), 7, "nothing was pruned: {now:?}");
    // Even --force keeps the newest backup that holds accounts.
    good.otp().args(["backup", "--force"]).assert().success();
    let now = files(&dir);
    assert!(now.contains(&first[0]), "{now:?}");
    assert_eq!(now.len(), 2 + 3, "{now:?}");
    // And it can still be restored from.
    let new = TestEnv::new();
    new.bare()
        .env("OTP_IDENTITY", good.identity())
        .arg("recover")
        .arg(dir.join(&first[0]))
        .assert()
        .success();
}

/// Two vaults (both `vault.age`, same key even) share one backup folder:
/// B's retention never deletes A's backups, nor backups without a vault id
/// (written by an older otp).
#[test]
fn retention_prunes_only_its_own_vaults_backups() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path().join("otp-backups");
    let cfg = format!(
        "backup_dir = {:?}\nbackup_keep = 2\n",
        dir.display().to_string()
    );
    let a = TestEnv::with_vault();
    config(&a, &cfg);
    a.add("GitHub", "alice", SECRET);
    a.otp().arg("backup").assert().success();
    let a_backups = files(&dir);
    assert_eq!(a_backups.len(), 1);
    // An old otp's backup: no vault id in it or its name.
    let legacy = "vault-20200101T000000Z-c1-a1.age";
    std::fs::copy(dir.join(&a_backups[0]), dir.join(legacy)).unwrap();

    let b = TestEnv::new();
    b.write("key.txt", std::fs::read(a.identity()).unwrap());
    b.otp().arg("init").assert().success();
    config(&b, &cfg);
    b.add("Bank", "bob", S2);
    b.add("Mail", "carol", "MFRGGZDFMZTWQ2LK");
    for _ in 0..5 {
        b.otp().arg("backup").assert().success();
    }
    let now = files(&dir);
    assert!(
        now.contains(&a_backups[0]),
        "A's only backup survives: {now:?}"
    );
    assert!(now.iter().any(|f| f == legacy), "{now:?}");
    assert_eq!(now.len(), 2 + 2, "B keeps its newest 2: {now:?}");
    // A's own retention still works on A's backups, and leaves B's alone.
    for _ in 0..3 {
        a.otp().arg("backup").assert().success();
    }
    let after = files(&dir);
    assert!(!after.contains(&a_backups[0]), "{after:?}");
    assert_eq!(after.len(), 2 + 2 + 1, "{after:?}");
    let b_now: Vec<_> = now.iter().filter(|f| after.contains(f)).collect();
    assert_eq!(b_now.len(), 3, "B's two and the legacy file: {after:?}");
}

#[test]
fn a_vault_that_shrank_by_more_than_half_needs_force_to_prune() {
    let env = TestEnv::with_vault();
    config(&env, "backup_keep = 2\n");
    let dir = env.path("data/otp/backups");
    for (i, s) in [SECRET, S2, "MFRGGZDFMZTWQ2LK", "KRSXG5CTMVRXEZLU"]
        .iter()
        .enumerate()
    {
        env.add("Svc", &format!("user{i}"), s);
    }
    env.otp().arg("backup").assert().success();
    env.otp().arg("backup").assert().success();
    for i in 1..4 {
        env.otp()
            .args(["remove", &format!("user{i}"), "--yes"])
            .assert()
            .success();
    }
    env.otp()
        .arg("backup")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 account(s), but an earlier backup has 4",
        ));
    assert_eq!(files(&dir).len(), 3);
    env.otp().args(["backup", "--force"]).assert().success();
    let now = files(&dir);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.iter().any(|f| f.contains("-forced")), "{now:?}");
    assert!(now.iter().all(|f| f.contains("-a1")), "{now:?}");
}

#[test]
fn auto_backup_writes_a_backup_on_every_change() {
    let env = TestEnv::with_vault();
    config(&env, "auto_backup = true\nbackup_keep = 3\n");
    let dir = env.path("data/otp/backups");
    for (i, s) in [SECRET, S2, "MFRGGZDFMZTWQ2LK", "KRSXG5CTMVRXEZLU"]
        .iter()
        .enumerate()
    {
        env.otp()
            .args(["add", &format!("u{i}"), "--secret", s])
            .assert()
            .success()
            .stderr(predicate::str::contains("backed up").not());
    }
    let now = files(&dir);
    assert_eq!(now.len(), 3, "{now:?}");
    assert!(now.last().unwrap().contains("-a4"), "{now:?}");
    assert_eq!(status_json(&env)["backup_out_of_date"], false);
}

#[test]
fn a_vault_from_before_ids_gets_one_when_backed_up() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let old: String = env
        .plaintext()
        .lines()
        .filter(|l| !l.starts_with("vault_id = "))
        .map(|l| format!("{l}\n"))
        .collect();
    env.write_sealed(&old);
    let path = env.stdout(&["backup"]);
    let text = env.plaintext();
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("vault_id = \""))
        .expect("an id now")
        .trim_end_matches('"')
        .to_string();
    assert!(path.contains(&format!("-v{}", &id[..16])), "{path}");
}
