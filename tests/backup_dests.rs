//! Backups in more than one place (`backup_dirs`), read back
//! when written, checked on demand (`otp backup --verify`), and the
//! recovery drill (`otp drill`).

use std::path::{Path, PathBuf};

use crate::common::*;
use predicates::prelude::*;

const S2: &str = "GEZDGNBVGY3TQOJQ";
const S3: &str = "MFRGGZDFMZTWQ2LK";

fn config(env: &TestEnv, text: &str) {
    env.write("config/otp/config.toml", text);
}

/// This vault's backups in `dir` (not the key file), sorted.
fn backups(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("vault-"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn status_json(env: &TestEnv) -> serde_json::Value {
    serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap()
}

/// A vault with two accounts and two backup folders (a second one that
/// must exist: `usb` is created here, as a user would once).
fn two_folders() -> (TestEnv, PathBuf, PathBuf) {
    let env = TestEnv::with_vault();
    let local = env.path("backups-local");
    let usb = env.path("usb/otp");
    std::fs::create_dir_all(&usb).unwrap();
    config(
        &env,
        &format!(
            "backup_dir = {:?}\nbackup_dirs = [{:?}]\nbackup_keep = 2\n",
            local.display().to_string(),
            usb.display().to_string()
        ),
    );
    env.add("GitHub", "alice", SECRET);
    env.add("Bank", "bob", S2);
    (env, local, usb)
}

#[test]
fn every_destination_is_written_and_pruned_on_its_own() {
    let (env, local, usb) = two_folders();
    let out = env.stdout(&["backup"]);
    let written: Vec<&str> = out.lines().collect();
    assert_eq!(written.len(), 2, "{out}");
    assert!(written[0].starts_with(local.to_str().unwrap()));
    assert!(written[1].starts_with(usb.to_str().unwrap()));
    for _ in 0..3 {
        env.otp().arg("backup").assert().success();
    }
    assert_eq!(backups(&local).len(), 2);
    assert_eq!(backups(&usb).len(), 2);
    // The old single `backup_dir` alone still works as before.
    let one = TestEnv::with_vault();
    config(&one, "backup_dir = \"elsewhere\"\n");
    one.otp()
        .current_dir(one.path(""))
        .arg("backup")
        .assert()
        .success();
    assert_eq!(backups(&one.path("elsewhere")).len(), 1);
}

#[test]
fn an_unplugged_destination_is_a_warning_not_a_failure() {
    let (env, local, usb) = two_folders();
    // The stick is unplugged: its mount point is there, the folder is not.
    std::fs::remove_dir_all(&usb).unwrap();
    env.otp()
        .arg("backup")
        .assert()
        .success()
        .stderr(predicate::str::contains(usb.to_str().unwrap()))
        .stderr(predicate::str::contains("does not exist"));
    assert_eq!(backups(&local).len(), 1);
    assert!(!usb.exists(), "an unplugged disk's folder is never created");
    let s = status_json(&env);
    let dirs = s["backup_destinations"].as_array().unwrap();
    assert_eq!(dirs.len(), 2);
    assert_eq!(dirs[0]["reachable"], true);
    assert_eq!(dirs[0]["changes_behind"], 0);
    assert_eq!(dirs[1]["reachable"], false);
    assert!(env.stdout(&["status"]).contains("UNREACHABLE"));
    // A read-only one too (unless this runs as root, which ignores modes).
    std::fs::create_dir_all(&usb).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&usb, std::fs::Permissions::from_mode(0o500)).unwrap();
        if std::fs::write(usb.join("probe"), b"x").is_err() {
            env.otp()
                .arg("backup")
                .assert()
                .success()
                .stderr(predicate::str::contains(usb.to_str().unwrap()));
            assert_eq!(backups(&local).len(), 2);
        }
        std::fs::set_permissions(&usb, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    // Every destination gone: that is a failure.
    std::fs::remove_dir_all(&usb).unwrap();
    config(
        &env,
        &format!("backup_dirs = [{:?}]\n", usb.display().to_string()),
    );
    env.otp()
        .arg("backup")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn status_warns_when_every_backup_sits_on_the_vaults_disk() {
    let (env, _, _) = two_folders();
    env.otp().arg("backup").assert().success();
    env.add("Mail", "carol", S3);
    let text = env.stdout(&["status"]);
    assert!(text.contains("these backups die with this disk"), "{text}");
    assert!(text.contains("1 change(s) behind"), "{text}");
    let s = status_json(&env);
    assert_eq!(s["backups_only_on_vault_disk"], true);
    assert_eq!(
        s["backup_destinations"][1]["same_filesystem_as_vault"],
        true
    );
    assert_eq!(s["backup_destinations"][1]["changes_behind"], 1);
    // A folder on another filesystem (tmpfs) lifts the warning.
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        let other = tempfile::tempdir_in(shm).unwrap();
        let same = {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(other.path()).unwrap().dev()
                == std::fs::metadata(env.vault()).unwrap().dev()
        };
        if !same {
            config(
                &env,
                &format!("backup_dirs = [{:?}]\n", other.path().display().to_string()),
            );
            env.otp().arg("backup").assert().success();
            assert_eq!(status_json(&env)["backups_only_on_vault_disk"], false);
        }
    }
}

fn verify(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let out = env
        .otp()
        .args(["backup", "--verify"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn verify_finds_a_truncated_backup_and_names_it() {
    let (env, local, usb) = two_folders();
    let (code, _, err) = verify(&env, &[]);
    assert_eq!(code, 1, "no backup yet is not good: {err}");
    assert_eq!(status_json(&env)["last_verify"]["ok"], false);
    env.otp().arg("backup").assert().success();
    let before = env.vault_bytes();
    let (code, out, err) = verify(&env, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok\t")).count(),
        2,
        "{out}"
    );
    assert_eq!(
        env.vault_bytes(),
        before,
        "--verify writes nothing to the vault"
    );
    let s = status_json(&env);
    assert_eq!(s["last_verify"]["ok"], true);
    assert_eq!(s["last_verify"]["checked"], 2);
    assert!(env.stdout(&["status"]).contains("verified:   "));
    // The stick's copy gets cut short.
    let file = usb.join(&backups(&usb)[0]);
    let data = std::fs::read(&file).unwrap();
    std::fs::write(&file, &data[..data.len() / 2]).unwrap();
    let (code, out, _) = verify(&env, &[]);
    assert_eq!(code, 1);
    let bad: Vec<&str> = out.lines().filter(|l| l.starts_with("BAD\t")).collect();
    assert_eq!(bad.len(), 1, "{out}");
    assert!(
        bad[0].contains(file.to_str().unwrap()) && bad[0].contains("damaged"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("ok\t") && l.contains(local.to_str().unwrap()))
    );
    assert_eq!(status_json(&env)["last_verify"]["ok"], false);
    assert!(env.stdout(&["status"]).contains("FAILED"));
}

#[test]
fn verify_says_what_the_newest_backup_misses() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp().arg("backup").assert().success();
    env.add("Bank", "bob", S2);
    let (code, out, err) = verify(&env, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("missing from the backup: Bank:bob"), "{out}");
    // --all checks every one kept: the older one is whole, so it is ok.
    env.otp().arg("backup").assert().success();
    let (code, out, _) = verify(&env, &["--all"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok\t")).count(),
        2,
        "{out}"
    );
    // An older one damaged: named, though the newest decides the exit code.
    let dir = env.path("data/otp/backups");
    let oldest = dir.join(&backups(&dir)[0]);
    std::fs::write(&oldest, b"-----BEGIN AGE ENCRYPTED FILE-----\ngarbage\n").unwrap();
    let (code, out, _) = verify(&env, &["--all"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("BAD\t") && l.contains(oldest.to_str().unwrap())),
        "{out}"
    );
}

/// A backup that is merely older than the vault is
/// STALE (run `otp backup`), not BAD (damaged: check the disk); and the
/// read-back `otp backup` makes of what it wrote is the check `otp status`
/// shows, not "never".
#[test]
fn verify_tells_a_stale_backup_from_a_damaged_one_and_status_keeps_the_check_made_at_write() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp().arg("backup").assert().success();
    let s = status_json(&env);
    assert_eq!(s["last_verify"]["ok"], true, "{s}");
    assert_eq!(s["last_verify"]["at_write"], true, "{s}");
    assert_eq!(s["last_verify"]["checked"], 1, "{s}");
    let text = env.stdout(&["status"]);
    let verified = text.lines().find(|l| l.starts_with("verified:")).unwrap();
    assert!(!verified.contains("never"), "{text}");
    assert!(
        verified.contains("ok, 1 backup(s) read back when `otp backup` wrote them"),
        "{text}"
    );

    env.add("Bank", "bob", S2);
    let (code, out, err) = verify(&env, &[]);
    assert_eq!(code, 1, "{err}");
    let line = out.lines().find(|l| l.starts_with("STALE\t")).expect(&out);
    assert!(
        line.contains("older than the vault") && line.contains("Bank:bob"),
        "{out}"
    );
    assert!(!out.contains("BAD\t"), "{out}");
    assert!(
        err.contains("run `otp backup`") && err.contains("nothing is damaged"),
        "{err}"
    );
    assert!(!err.contains("check the disk"), "{err}");
    let s = status_json(&env);
    assert_eq!(s["last_verify"]["ok"], false);
    assert_eq!(s["last_verify"]["at_write"], false);

    // The same folder with its newest backup cut short: damaged, BAD.
    env.otp().arg("backup").assert().success();
    let dir = env.path("data/otp/backups");
    let mut names = backups(&dir);
    names.sort();
    let newest = names
        .iter()
        .map(|n| dir.join(n))
        .max_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap())
        .unwrap();
    let data = std::fs::read(&newest).unwrap();
    std::fs::write(&newest, &data[..data.len() / 2]).unwrap();
    let (code, out, err) = verify(&env, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(out.lines().any(|l| l.starts_with("BAD\t")), "{out}");
    assert!(err.contains("check the disk"), "{err}");
}

#[test]
fn a_backup_from_another_vault_in_the_same_folder() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path().join("otp");
    let cfg = format!("backup_dir = {:?}\n", dir.display().to_string());
    let a = TestEnv::with_vault();
    config(&a, &cfg);
    a.add("GitHub", "alice", SECRET);
    a.otp().arg("backup").assert().success();
    // Another vault with the same key writes newer backups there.
    let b = TestEnv::new();
    b.write("key.txt", std::fs::read(a.identity()).unwrap());
    b.otp().arg("init").assert().success();
    config(&b, &cfg);
    b.add("Bank", "bob", S2);
    b.otp().arg("backup").assert().success();
    // A checks its own newest backup, not B's newer one.
    let (code, out, err) = verify(&a, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("other vaults"), "{err}");
    // B's backup under A's name (copied, renamed): found out.
    let a_file = {
        let (_, out, _) = verify(&a, &[]);
        PathBuf::from(out.lines().next().unwrap().split('\t').nth(1).unwrap())
    };
    let b_newest = {
        let (_, out, _) = verify(&b, &[]);
        PathBuf::from(out.lines().next().unwrap().split('\t').nth(1).unwrap())
    };
    std::fs::copy(&b_newest, &a_file).unwrap();
    let (code, out, _) = verify(&a, &[]);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("FORGED"), "{out}");
}

/// A vault with a recovery key (kept in `recovery.txt`) and one account.
fn with_recovery_key() -> TestEnv {
    let env = TestEnv::new();
    let out = env
        .bare()
        .args(["init", "--recovery-key", "--generate-identity"])
        .arg(env.identity())
        .output()
        .unwrap();
    assert!(out.status.success());
    env.write("recovery.txt", out.stdout);
    env.add("GitHub", "alice", SECRET);
    env
}

#[test]
fn a_drill_with_the_right_key_passes_and_is_recorded() {
    let env = with_recovery_key();
    let s = status_json(&env);
    assert_eq!(s["last_drill"], serde_json::Value::Null);
    assert_eq!(s["drill_due"], true);
    assert_eq!(s["drill_interval_days"], 90);
    assert!(env.stdout(&["status"]).contains("a recovery drill is due"));
    env.otp().arg("backup").assert().success();
    let changes = s["changes"].clone();
    env.otp()
        .args(["drill", "--recovery-key"])
        .arg(env.path("recovery.txt"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok\t"))
        .stderr(predicate::str::contains("Drill passed"));
    let s = status_json(&env);
    assert_eq!(s["last_drill"]["result"], "passed");
    assert_eq!(s["last_drill"]["age_days"], 0);
    assert_eq!(s["drill_due"], false);
    // Recorded in the vault without counting as a change.
    assert_eq!(s["changes"], changes);
    assert_eq!(s["backup_out_of_date"], false);
    assert!(env.plaintext().contains("last_drill = "));
    let text = env.stdout(&["status"]);
    assert!(
        text.contains("last drill: less than a minute ago"),
        "{text}"
    );
    assert!(!text.contains("drill is due"), "{text}");
    // Pasted (piped) works too.
    env.otp()
        .args(["drill", "--recovery-key", "-"])
        .write_stdin(std::fs::read(env.path("recovery.txt")).unwrap())
        .assert()
        .success();
    // drill_interval_days = 0: always due.
    config(&env, "drill_interval_days = 0\n");
    assert_eq!(status_json(&env)["drill_due"], true);
}

#[test]
fn a_drill_with_a_wrong_key_fails() {
    let env = with_recovery_key();
    env.otp().arg("backup").assert().success();
    // Another vault's recovery key: opens nothing here.
    let other = with_recovery_key();
    let before = env.plaintext();
    env.otp()
        .args(["drill", "--recovery-key"])
        .arg(other.path("recovery.txt"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("the key does not open"))
        .stderr(predicate::str::contains("recovery-key add"));
    let s = status_json(&env);
    assert!(
        s["last_drill"]["result"]
            .as_str()
            .unwrap()
            .starts_with("failed"),
        "{s}"
    );
    assert_eq!(s["drill_due"], false, "a failed drill was still a drill");
    // Accounts untouched.
    let after = env.plaintext();
    let accounts = |t: &str| t[t.find("[[accounts]]").unwrap()..].to_string();
    assert_eq!(accounts(&after), accounts(&before));
}

#[test]
fn a_drill_fails_when_the_backup_misses_an_account_added_since() {
    let env = with_recovery_key();
    env.otp().arg("backup").assert().success();
    env.add("Bank", "bob", S2);
    env.otp()
        .args(["drill", "--recovery-key"])
        .arg(env.path("recovery.txt"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "missing from the backup: Bank:bob",
        ))
        .stderr(predicate::str::contains("run `otp backup`"));
    // After a backup it passes; without the recovery key it passes too, and
    // says that proves less.
    env.otp().arg("backup").assert().success();
    env.otp()
        .arg("drill")
        .assert()
        .success()
        .stderr(predicate::str::contains("proves less"));
    assert_eq!(
        status_json(&env)["last_drill"]["result"],
        "passed with the vault's own key"
    );
    // No backup anywhere: a failed drill.
    let bare = TestEnv::with_vault();
    bare.otp().arg("drill").assert().code(1);
}

/// A backup that does not read back as the vault — here encrypted to a
/// stale recipients list (a hand edit) that the unlocking key is not on —
/// is set aside, never counted or recorded, and fails the command.
#[test]
fn a_backup_that_does_not_read_back_is_set_aside() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp().arg("backup").assert().success();
    let dir = env.path("data/otp/backups");
    let good = backups(&dir);
    let recorded = status_json(&env)["last_backup"]["path"].clone();
    let stranger = TestEnv::with_vault();
    let text = env.plaintext();
    let theirs = stranger
        .plaintext()
        .lines()
        .find(|l| l.starts_with("recipients = "))
        .unwrap()
        .to_string();
    let edited: String = text
        .lines()
        .map(|l| {
            if l.starts_with("recipients = ") {
                theirs.clone()
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect();
    env.write_sealed(&edited);
    let out = env.otp().arg("backup").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not read back"), "{err}");
    assert!(err.contains("kept aside"), "{err}");
    let now = backups(&dir);
    assert!(
        good.iter().all(|g| now.contains(g)),
        "nothing older removed"
    );
    let aside: Vec<_> = now
        .iter()
        .filter(|f| f.ends_with("-unverified.age"))
        .collect();
    assert_eq!(aside.len(), 1, "{now:?}");
    assert_eq!(now.len(), good.len() + 1, "{now:?}");
    // Not the last good backup.
    let s = status_json(&env);
    assert_eq!(s["last_backup"]["path"], recorded);
    assert_eq!(
        s["backup_destinations"][0]["newest"]["file"],
        good[0].as_str()
    );
}

/// A drill with the vault's everyday key given as the
/// recovery key fails and says which key it was, on a vault with no
/// recovery key and on one with one; no passed drill is recorded.
#[test]
fn a_drill_with_the_everyday_key_as_the_recovery_key_fails_and_says_so() {
    for with_rk in [false, true] {
        let env = if with_rk {
            with_recovery_key()
        } else {
            let env = TestEnv::with_vault();
            env.add("GitHub", "alice", SECRET);
            env
        };
        env.otp().arg("backup").assert().success();
        let out = env
            .otp()
            .args(["drill", "--recovery-key"])
            .arg(env.identity())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(!stderr.contains("Drill passed"), "{stderr}");
        assert!(stderr.contains("everyday key"), "{stderr}");
        let first = if with_rk {
            "not this vault's recovery key"
        } else {
            "this vault has no recovery key"
        };
        assert!(stderr.contains(first), "{stderr}");
        assert!(stderr.contains("recovery-key add"), "{stderr}");
        let s = status_json(&env);
        let result = s["last_drill"]["result"].as_str().unwrap();
        assert!(result.starts_with("failed"), "{result}");
    }
}

/// The scheduled backups docs/backup.md shows, run as written: cron's
/// line through `sh -c` with cron's environment (HOME, SHELL, a PATH of
/// /usr/bin:/bin and nothing else), the systemd unit's Environment= and
/// ExecStart= lines in order with `%h` as systemd expands it. Each runs on
/// two days (a change to the vault between them), and both days' backups
/// are there and verified.
#[test]
fn the_documented_scheduled_backups_run_as_written_two_days_running() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/backup.md"))
        .unwrap();
    let cron = doc
        .lines()
        .find(|l| l.starts_with("17 3 * * * "))
        .expect("docs/backup.md shows a crontab line")
        .splitn(6, ' ')
        .nth(5)
        .unwrap()
        .to_string();
    let unit = doc
        .split("# otp-backup.service")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/backup.md shows otp-backup.service");
    let env_lines: Vec<(String, String)> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("Environment="))
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let exec: Vec<String> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("ExecStart="))
        .map(str::to_string)
        .collect();
    assert!(!exec.is_empty());

    for scheduler in ["cron", "systemd"] {
        let home = tempfile::tempdir().unwrap();
        let home = home.path();
        let bin = home.join(".cargo/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("otp"), bin.join("otp")).unwrap();
        let otp = bin.join("otp");
        let key = home.join(".config/otp/key.txt");
        // Set up as a user does, with the default places under HOME.
        let run = |args: &[&str]| {
            let out = std::process::Command::new(&otp)
                .env_clear()
                .env("HOME", home)
                .env("PATH", "/usr/bin:/bin")
                .env("OTP_IDENTITY", &key)
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        std::fs::create_dir_all(key.parent().unwrap()).unwrap();
        run(&["init", "--generate-identity", key.to_str().unwrap()]);
        run(&["add", "alice", "--issuer", "Example", "--secret", SECRET]);
        for day in 1..=2 {
            if day == 2 {
                run(&["add", "bob", "--issuer", "Bank", "--secret", S2]);
                // Backup names carry the second they were made in.
                std::thread::sleep(std::time::Duration::from_millis(1100));
            }
            let commands: Vec<(Vec<(String, String)>, String)> = match scheduler {
                "cron" => vec![(vec![], cron.clone())],
                _ => exec
                    .iter()
                    .map(|line| {
                        let expand = |s: &str| s.replace("%h", home.to_str().unwrap());
                        let env = env_lines
                            .iter()
                            .map(|(k, v)| (k.clone(), expand(v)))
                            .collect();
                        (env, expand(line))
                    })
                    .collect(),
            };
            for (env, line) in commands {
                let mut cmd = match scheduler {
                    "cron" => {
                        let mut c = std::process::Command::new("/bin/sh");
                        c.arg("-c").arg(&line);
                        c
                    }
                    // systemd runs ExecStart= without a shell.
                    _ => {
                        let words: Vec<&str> = line.split_whitespace().collect();
                        let mut c = std::process::Command::new(words[0]);
                        c.args(&words[1..]);
                        c
                    }
                };
                let out = cmd
                    .env_clear()
                    .env("HOME", home)
                    .env("SHELL", "/bin/sh")
                    .env("PATH", "/usr/bin:/bin")
                    .envs(env)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{scheduler}, day {day}: {line}\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let dir = home.join(".local/share/otp/backups");
            assert_eq!(
                backups(&dir).len(),
                day,
                "{scheduler}, day {day}: {:?}",
                backups(&dir)
            );
        }
    }
}
