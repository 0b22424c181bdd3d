//! `otp export`, end to end: every format comes back through `import` (or
//! `recover`) unchanged, the backup opens with the `age` CLI, URIs give the
//! same codes in pyotp, and plaintext is never written by accident.

use std::process::Command;

use crate::common::*;
use predicates::prelude::*;

const TIMES: [u64; 3] = [0, 1_234_567_890, 1_700_000_000];

/// A vault with one of each kind and unusual parameters.
fn varied() -> TestEnv {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    for args in [
        &[
            "add",
            "bob",
            "--issuer",
            "Bank",
            "--algorithm",
            "SHA256",
            "--digits",
            "8",
            "--period",
            "60",
        ][..],
        &[
            "add",
            "carol",
            "--issuer",
            "Counter",
            "--hotp",
            "--counter",
            "5",
            "--algorithm",
            "SHA512",
        ],
        &["add", "dave", "--issuer", "Steam", "--steam"],
    ] {
        env.otp()
            .args(args)
            .args(["--secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"])
            .assert()
            .success();
    }
    env
}

/// What must survive a round trip: label, parameters and codes.
fn fingerprint(env: &TestEnv) -> Vec<String> {
    let list: serde_json::Value = serde_json::from_str(&env.stdout(&["list", "--json"])).unwrap();
    let mut out = Vec::new();
    for a in list.as_array().unwrap() {
        let mut line = format!(
            "{}:{} {} {} {} {} {}",
            a["issuer"].as_str().unwrap(),
            a["name"].as_str().unwrap(),
            a["type"],
            a["algorithm"],
            a["digits"],
            a["period"],
            a["counter"]
        );
        if a["type"] != "hotp" {
            let q = format!(
                "{}:{}",
                a["issuer"].as_str().unwrap(),
                a["name"].as_str().unwrap()
            );
            for t in TIMES {
                line.push(' ');
                line.push_str(env.stdout(&["code", &q, "--at", &t.to_string()]).trim());
            }
        }
        out.push(line);
    }
    out.sort();
    out
}

fn import_into_fresh(text: &str, name: &str, format: Option<&str>) -> TestEnv {
    let new = TestEnv::with_vault();
    let f = new.write(name, text);
    let mut cmd = new.otp();
    cmd.arg("import").arg(&f);
    if let Some(fmt) = format {
        cmd.args(["--format", fmt]);
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "import {name}: {err}");
    new
}

#[test]
fn every_plaintext_format_round_trips_through_import() {
    let env = varied();
    let want = fingerprint(&env);
    let uris = env.stdout(&["export", "--format", "uris", "--plaintext"]);
    assert_eq!(uris.lines().count(), 4);
    let json = env.stdout(&["export", "--format", "json", "--plaintext"]);
    let aegis = env.stdout(&["export", "--format", "aegis", "--plaintext"]);
    for (text, name, format) in [
        (&uris, "uris.txt", None),
        (&json, "otp.json", None),
        (&aegis, "aegis.json", Some("aegis")),
    ] {
        let new = import_into_fresh(text, name, format);
        assert_eq!(fingerprint(&new), want, "{name}");
    }
}

#[test]
fn encrypted_aegis_export_round_trips_with_its_password() {
    let env = varied();
    let pw = env.write("pw.txt", "hunter2\n");
    let out = env
        .otp()
        .args(["export", "--format", "aegis", "--password-file"])
        .arg(&pw)
        .output()
        .unwrap();
    assert!(out.status.success(), "no --plaintext needed when encrypted");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("GEZDGNBV") && !text.contains(SECRET));
    let new = TestEnv::with_vault();
    let f = new.write("aegis.json", &text);
    let pw = new.write("pw.txt", "hunter2\n");
    let out = new
        .otp()
        .arg("import")
        .arg(&f)
        .args(["--format", "aegis", "--password-file"])
        .arg(&pw)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fingerprint(&new), fingerprint(&env));
}

#[test]
fn backup_round_trips_through_recover() {
    let env = varied();
    let file = env.path("out/backup.age");
    env.otp()
        .arg("export")
        .arg("-o")
        .arg(&file)
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    let new = TestEnv::new();
    new.bare()
        .env("OTP_IDENTITY", env.identity())
        .arg("recover")
        .arg(&file)
        .assert()
        .success();
    let out = |args: &[&str]| {
        let o = new
            .bare()
            .env("OTP_IDENTITY", env.identity())
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    assert_eq!(out(&["list"]), env.stdout(&["list"]));
    assert_eq!(
        out(&["code", "bank", "--at", "1234567890"]),
        env.stdout(&["code", "bank", "--at", "1234567890"])
    );
}

#[test]
fn backup_opens_with_the_age_cli() {
    if !require("age") {
        return;
    }
    let env = varied();
    let file = env.path("b.age");
    env.otp()
        .arg("export")
        .arg("-o")
        .arg(&file)
        .assert()
        .success();
    let text = age_cli_plaintext(&env.identity(), &file);
    let doc: toml::Value = toml::from_str(&text).expect("readable TOML");
    let meta = &doc["backup"];
    assert_eq!(meta["format"].as_integer(), Some(1));
    assert_eq!(meta["accounts"].as_integer(), Some(4));
    assert!(meta["changes"].as_integer().unwrap() >= 4);
    assert!(meta["tool"].as_str().unwrap().starts_with("otp "));
    assert!(meta["created"].as_str().is_some());
    assert_eq!(doc["accounts"].as_array().unwrap().len(), 4);
    assert!(text.contains(SECRET));

    // Timestamped backups from `otp backup` open the same way.
    let path = env.stdout(&["backup"]);
    let text = age_cli_plaintext(&env.identity(), std::path::Path::new(path.trim()));
    assert!(text.contains("[backup]"));
}

fn have_pyotp() -> bool {
    if !require("python3") {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import pyotp"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "pyotp must be installed in CI (see .ci/run)"
    );
    if !ok {
        eprintln!("skipping: pyotp is not installed");
    }
    ok
}

#[test]
fn uris_give_the_same_codes_in_pyotp() {
    if !have_pyotp() {
        return;
    }
    let env = TestEnv::with_vault();
    // pyotp refuses secrets under 112 bits (SECRET has 80).
    env.add("GitHub", "alice", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    for args in [
        &[
            "add",
            "bob",
            "--issuer",
            "Bank & Co",
            "--algorithm",
            "SHA256",
            "--digits",
            "8",
            "--period",
            "60",
        ][..],
        &[
            "add",
            "eve@example.com",
            "--issuer",
            "Ünïcode",
            "--algorithm",
            "SHA512",
            "--digits",
            "7",
        ],
        &[
            "add",
            "carol",
            "--issuer",
            "Counter",
            "--hotp",
            "--counter",
            "5",
        ],
    ] {
        env.otp()
            .args(args)
            .args(["--secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"])
            .assert()
            .success();
    }
    let uris = env.stdout(&["export", "--format", "uris", "--plaintext"]);
    let script = r#"
import sys, pyotp
for line in sys.stdin:
    o = pyotp.parse_uri(line.strip())
    if isinstance(o, pyotp.HOTP):
        print(o.name, "hotp", o.at(0))
    else:
        print(o.name, "totp", " ".join(o.at(int(t)) for t in sys.argv[1:]))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .args(TIMES.map(|t| t.to_string()))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(uris.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pyotp failed on:\n{uris}");
    let py = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = py.lines().collect();
    assert_eq!(lines.len(), 4, "{py}");
    for (line, query) in lines.iter().zip(["github", "bank", "ünïcode", "counter"]) {
        let mut want = String::new();
        if line.contains(" hotp ") {
            want.push_str(env.stdout(&["code", query]).trim());
        } else {
            let codes: Vec<String> = TIMES
                .iter()
                .map(|t| {
                    env.stdout(&["code", query, "--at", &t.to_string()])
                        .trim()
                        .to_string()
                })
                .collect();
            want = codes.join(" ");
        }
        assert!(line.ends_with(&want), "pyotp: {line}, otp: {want}");
    }
}

#[test]
fn plaintext_needs_consent_and_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = varied();
    for format in ["uris", "json", "aegis", "google-qr"] {
        env.otp()
            .args(["export", "--format", format])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("--plaintext"));
    }
    env.otp()
        .args(["export", "--format", "json", "--password", "x"])
        .assert()
        .code(2);
    let f = env.path("exports/all.json");
    env.otp()
        .args(["export", "--format", "json", "--plaintext", "-o"])
        .arg(&f)
        .assert()
        .success()
        .stdout("");
    assert_eq!(
        std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // -o replaces only with --force, and then atomically.
    env.otp()
        .args(["export", "--format", "uris", "--plaintext", "-o"])
        .arg(&f)
        .assert()
        .code(1);
    assert!(std::fs::read_to_string(&f).unwrap().starts_with('{'));
    env.otp()
        .args(["export", "--format", "uris", "--plaintext", "--force", "-o"])
        .arg(&f)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&f)
            .unwrap()
            .starts_with("otpauth://")
    );
}

#[test]
fn a_deleted_account_comes_back_from_the_trash() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let (at, code) = SECRET_CODE_AT;
    env.otp()
        .args(["remove", "github", "--yes"])
        .assert()
        .success();
    env.otp().args(["code", "github"]).assert().code(3);
    assert!(env.stdout(&["trash", "list"]).contains("GitHub:alice"));
    env.otp()
        .args(["trash", "restore", "github"])
        .assert()
        .success();
    assert_eq!(
        env.stdout(&["code", "github", "--at", at]),
        format!("{code}\n")
    );
}

/// The lockout story: a good backup overwritten by an empty vault's export.
#[test]
fn export_never_overwrites_a_file_without_force() {
    let good = varied();
    let file = good.path("usb/otp-backup.age");
    good.otp()
        .arg("export")
        .arg("-o")
        .arg(&file)
        .assert()
        .success();
    let backup = std::fs::read(&file).unwrap();
    // An empty vault (a new laptop) exports to the same place, in every format.
    let empty = TestEnv::with_vault();
    let formats: [&[&str]; 5] = [
        &[],
        &["--format", "uris", "--plaintext"],
        &["--format", "json", "--plaintext"],
        &["--format", "aegis", "--plaintext"],
        &["--format", "aegis", "--password", "pw"],
    ];
    for args in formats {
        empty
            .otp()
            .arg("export")
            .args(args)
            .arg("-o")
            .arg(&file)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("already exists"))
            .stderr(predicate::str::contains("--force"));
        assert_eq!(std::fs::read(&file).unwrap(), backup, "{args:?}");
    }
    // A dangling symlink is a file that exists, too (its target is not created).
    #[cfg(unix)]
    {
        let link = empty.path("link.age");
        std::os::unix::fs::symlink(empty.path("nowhere.age"), &link).unwrap();
        empty
            .otp()
            .arg("export")
            .arg("-o")
            .arg(&link)
            .assert()
            .code(1);
        assert!(!empty.path("nowhere.age").exists());
    }
    // The refusal is not an export: nothing is recorded as a backup.
    let status: serde_json::Value =
        serde_json::from_str(&empty.stdout(&["status", "--json"])).unwrap();
    assert_eq!(status["last_backup"], serde_json::Value::Null);
    // The backup still restores.
    let new = TestEnv::new();
    new.bare()
        .env("OTP_IDENTITY", good.identity())
        .arg("recover")
        .arg(&file)
        .assert()
        .success();
    // --force replaces it, deliberately.
    empty
        .otp()
        .args(["export", "--force", "-o"])
        .arg(&file)
        .assert()
        .success();
    assert_ne!(std::fs::read(&file).unwrap(), backup);
    // --force means nothing without -o.
    empty.otp().args(["export", "--force"]).assert().code(2);
}
