//! The local record of proven backups (src/cmd/backup/proven.rs) makes
//! `otp backup` skip opening files it already proved: it must never change
//! what retention counts. Differential: after each hostile change to the
//! folder, retention with the record deletes and names exactly what
//! retention without it (a fresh copy of the folder) does. Attack: a
//! record planted or altered by someone without the vault's key makes no
//! forged file count.

use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::common::*;

const S2: &str = "GEZDGNBVGY3TQOJQ";

fn backup_dir(env: &TestEnv) -> PathBuf {
    env.path("data/otp/backups")
}

fn record(env: &TestEnv) -> PathBuf {
    env.path("data/otp/vault.age.proven")
}

fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains("identity"))
        .collect()
}

fn public_key(env: &TestEnv) -> String {
    let list = env.stdout(&["recipients", "list"]);
    list.split('\t').next().unwrap().trim().to_string()
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

/// A real backup's text with its tag made by another key: what someone
/// who read one backup but does not hold the vault's key can write.
fn forged_from(env: &TestEnv, real: &Path) -> Vec<u8> {
    let text = decrypt(env, real);
    let (_, body) = otp::model::auth::split(&text).unwrap();
    let wrong = otp::model::auth::AuthKey::from_bytes([7; 32]);
    let sealed = otp::model::auth::seal_in(otp::model::auth::BACKUP_DOMAIN, &wrong, body);
    let to = otp::vault::keys::parse_recipients(&[public_key(env)]).unwrap();
    otp::vault::keys::encrypt(sealed.as_bytes(), &to, true).unwrap()
}

/// The vault tag in a backup file name.
fn name_tag(file: &str) -> String {
    let v = file
        .trim_end_matches(".age")
        .split('-')
        .find(|p| p.starts_with('v') && p.len() == 17)
        .unwrap();
    v[1..].to_string()
}

/// Runs `otp backup` into `dir`; returns the files it deleted and the
/// files its warning names as unproven.
fn retention(env: &TestEnv, dir: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let before = files(dir);
    let out = env
        .otp()
        .arg("backup")
        .arg("--dir")
        .arg(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let after = files(dir);
    let deleted = before.difference(&after).cloned().collect();
    let named = stderr
        .split("could not be proven to be (forged, or not written by your machines): ")
        .nth(1)
        .map(|rest| {
            rest.split(". They were not counted")
                .next()
                .unwrap()
                .split(", ")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    (deleted, named)
}

/// A fresh copy of `dir` (the record knows nothing of it).
fn twin(env: &TestEnv, dir: &Path, n: usize) -> PathBuf {
    let to = env.path(&format!("twin{n}"));
    std::fs::create_dir(&to).unwrap();
    for f in files(dir) {
        std::fs::copy(dir.join(&f), to.join(&f)).unwrap();
    }
    to
}

/// Retention in `dir` (with the record) and in a fresh copy of it
/// (without) delete and name the same files.
fn same_answer(env: &TestEnv, dir: &Path, n: usize) {
    let copy = twin(env, dir, n);
    let cold = retention(env, &copy);
    let warm = retention(env, dir);
    assert_eq!(
        warm, cold,
        "step {n}: the record changed retention's answer"
    );
}

/// A vault with two accounts and three real backups (keeping three), so
/// that the record holds them.
fn victim() -> TestEnv {
    let env = TestEnv::with_vault();
    env.write("config/otp/config.toml", "backup_keep = 3\n");
    env.add("GitHub", "alice", SECRET);
    env.add("GitLab", "bob", S2);
    for _ in 0..4 {
        env.otp().arg("backup").assert().success();
    }
    env
}

fn oldest_first(dir: &Path) -> Vec<String> {
    files(dir).into_iter().collect()
}

#[test]
fn retention_with_the_record_answers_as_retention_without_it() {
    let env = victim();
    let dir = backup_dir(&env);
    let record_text = std::fs::read_to_string(record(&env)).unwrap();
    // The record holds the real backups: otherwise this test compares
    // nothing.
    let held = |text: &str| -> Vec<String> {
        files(&dir)
            .into_iter()
            .filter(|f| text.contains(f.as_str()))
            .collect()
    };
    assert!(held(&record_text).len() >= 2, "{record_text}");
    same_answer(&env, &dir, 1);

    // Forged files named newer than any real one, one without a tag, and
    // a damaged one.
    let real = oldest_first(&dir);
    let tag = name_tag(&real[0]);
    let forged = forged_from(&env, &dir.join(&real[0]));
    for i in 0..3 {
        std::fs::write(
            dir.join(format!("vault-20990101T0000{i:02}Z-c999-a1-v{tag}.age")),
            &forged,
        )
        .unwrap();
    }
    let untagged = {
        let text = decrypt(&env, &dir.join(&real[0]));
        let (_, body) = otp::model::auth::split(&text).unwrap();
        let to = otp::vault::keys::parse_recipients(&[public_key(&env)]).unwrap();
        otp::vault::keys::encrypt(body.as_bytes(), &to, true).unwrap()
    };
    std::fs::write(
        dir.join(format!("vault-20990102T000000Z-c999-a1-v{tag}.age")),
        untagged,
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("vault-20990103T000000Z-c999-a1-v{tag}.age")),
        b"damaged",
    )
    .unwrap();
    same_answer(&env, &dir, 2);

    // A real, proven backup overwritten in place by a forged one, its
    // mtime set back: the record must not vouch for it.
    let proven = held(&std::fs::read_to_string(record(&env)).unwrap());
    let replaced = proven[0].clone();
    let victim_file = dir.join(&replaced);
    let mtime = std::fs::metadata(&victim_file).unwrap().modified().unwrap();
    let forged = forged_from(&env, &victim_file);
    std::fs::write(&victim_file, &forged).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&victim_file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let (_, named) = retention(&env, &twin(&env, &dir, 30));
    assert!(named.contains(&replaced), "{named:?}");
    same_answer(&env, &dir, 3);

    // Copies of an old real backup under newer names (a replay).
    let real: Vec<String> = oldest_first(&dir)
        .into_iter()
        .filter(|f| !f.starts_with("vault-2099") && *f != replaced)
        .collect();
    for i in 0..3 {
        std::fs::copy(
            dir.join(&real[0]),
            dir.join(format!("vault-20980101T0000{i:02}Z-c999-a2-v{tag}.age")),
        )
        .unwrap();
    }
    same_answer(&env, &dir, 4);

    // The record damaged: it is ignored, and the answer is the same.
    let mut bytes = std::fs::read(record(&env)).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(record(&env), bytes).unwrap();
    same_answer(&env, &dir, 5);
}

#[test]
fn a_planted_record_vouching_for_forged_files_makes_none_count() {
    let env = victim();
    let dir = backup_dir(&env);
    let real = oldest_first(&dir);
    let tag = name_tag(&real[0]);
    let forged = forged_from(&env, &dir.join(&real[0]));
    let names: Vec<String> = (0..3)
        .map(|i| format!("vault-20990101T0000{i:02}Z-c999-a1-v{tag}.age"))
        .collect();
    for n in &names {
        std::fs::write(dir.join(n), &forged).unwrap();
    }
    // The attacker writes a record (it can read this machine's record, and
    // see every file's stamp) that lists the forged files as proven, with
    // their exact stamps, sealed with a key of its own.
    let text = std::fs::read_to_string(record(&env)).unwrap();
    let (_, body) = otp::model::auth::split(&text).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(body).unwrap();
    let folder = json["folders"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let template = json["folders"][&folder]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    for n in &names {
        let m = std::fs::symlink_metadata(dir.join(n)).unwrap();
        let mut e = template.clone();
        e["stamp"] = serde_json::json!({
            "size": m.size(), "mtime": m.mtime(), "mtime_ns": m.mtime_nsec(),
            "ctime": m.ctime(), "ctime_ns": m.ctime_nsec(), "ino": m.ino(), "dev": m.dev(),
        });
        e["created_ns"] = serde_json::json!(4_102_444_800_000_000_000i64);
        json["folders"][&folder][n] = e;
    }
    let wrong = otp::model::auth::AuthKey::from_bytes([7; 32]);
    let planted = otp::model::auth::seal_in(
        otp::model::auth::PROVEN_DOMAIN,
        &wrong,
        &serde_json::to_string(&json).unwrap(),
    );
    std::fs::write(record(&env), planted.as_bytes()).unwrap();

    let (deleted, named) = retention(&env, &dir);
    let named_expected: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(named, named_expected);
    // One real backup made room, as with no attacker; no forged file
    // counted, none removed.
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    assert!(real.iter().any(|f| deleted.contains(f)), "{deleted:?}");
}
