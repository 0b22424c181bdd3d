//! `otp backup` over time: freshness in `otp status` and after changes,
//! retention that never drops the last good backup, and `auto_backup`.

mod common;

use std::path::Path;

use common::*;
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

    // ...then a fresh, empty device writes its backups into the same folder.
    let empty = TestEnv::with_vault();
    config(&empty, &cfg);
    for _ in 0..4 {
        empty
            .otp()
            .arg("backup")
            .assert()
            .success()
            .stderr(predicate::str::contains("otp backup --force"));
    }
    let now = files(&dir);
    assert_eq!(now.len(), 5, "nothing was pruned: {now:?}");
    assert!(now.contains(&first[0]));

    // Even --force keeps the newest backup that holds accounts.
    empty.otp().args(["backup", "--force"]).assert().success();
    let now = files(&dir);
    assert!(now.contains(&first[0]), "{now:?}");
    assert_eq!(now.len(), 3, "{now:?}");
    // And it can still be restored from.
    let new = TestEnv::new();
    new.bare()
        .env("OTP_IDENTITY", good.identity())
        .arg("recover")
        .arg(dir.join(&first[0]))
        .assert()
        .success();
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
