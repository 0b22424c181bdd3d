//! End-to-end tests of the vault and the everyday commands, through the
//! real binary on temporary vaults.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn init_add_code_list() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let (at, code) = SECRET_CODE_AT;
    assert_eq!(
        env.stdout(&["code", "github", "--at", at]),
        format!("{code}\n")
    );
    assert_eq!(
        env.stdout(&["code", "github", "--at", "2009-11-10T23:00:00Z"]),
        format!("{code}\n")
    );
    assert_eq!(env.stdout(&["list"]), "GitHub:alice\n");
}

#[test]
fn init_refuses_to_overwrite() {
    let env = TestEnv::with_vault();
    env.assert_refused(
        [
            "init".into(),
            "--generate-identity".into(),
            env.path("other.txt"),
        ],
        1,
        "already exists",
    );
    assert!(!env.path("other.txt").exists());
}

#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::with_vault();
    env.add("A", "b", SECRET);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&env.vault()), 0o600);
    assert_eq!(mode(&env.identity()), 0o600);
    assert_eq!(mode(env.vault().parent().unwrap()), 0o700);
}

#[test]
fn passphrase_vault_opens_with_every_passphrase_source() {
    let env = TestEnv::with_passphrase_vault("correct horse");
    assert!(env.path("data/otp/vault.identity.age").exists());
    env.bare()
        .args(["add", "me", "--issuer", "Bank", "--secret", SECRET])
        .env("OTP_PASSPHRASE", "correct horse")
        .assert()
        .success();
    let pw = env.write("pw.txt", "correct horse\nignored second line\n");
    let (at, code) = SECRET_CODE_AT;
    env.bare()
        .args(["code", "bank", "--at", at])
        .env("OTP_PASSPHRASE_FILE", &pw)
        .assert()
        .success()
        .stdout(format!("{code}\n"));
    env.bare()
        .args(["code", "bank", "--at", at, "--passphrase-file"])
        .arg(&pw)
        .assert()
        .success()
        .stdout(format!("{code}\n"));
    let cfg = env.write(
        "config/otp/config.toml",
        "passphrase_command = [\"printf\", \"correct horse\"]\n",
    );
    assert!(cfg.exists());
    env.bare()
        .args(["code", "bank", "--at", at])
        .assert()
        .success()
        .stdout(format!("{code}\n"));
    env.bare()
        .args(["status"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "passphrase (from passphrase_command)",
        ));
}

/// Commands that read the vault and then save it (a HOTP code saves its
/// counter; remove and trash purge first find what they will delete) ask
/// for the passphrase, and run scrypt, once.
#[test]
fn read_then_write_commands_ask_for_the_passphrase_once() {
    let env = TestEnv::with_passphrase_vault("pw");
    env.bare()
        .args([
            "add", "me", "--issuer", "Bank", "--hotp", "--secret", SECRET,
        ])
        .env("OTP_PASSPHRASE", "pw")
        .assert()
        .success();
    let asked = env.path("asked.log");
    env.write(
        "config/otp/config.toml",
        format!(
            "passphrase_command = [\"sh\", \"-c\", \"echo >> '{}'; printf pw\"]\n",
            asked.display()
        ),
    );
    for args in [
        &["code", "bank"][..],
        &["remove", "bank", "--yes"],
        &["trash", "purge", "--yes"],
    ] {
        let _ = std::fs::remove_file(&asked);
        env.bare().args(args).assert().success();
        let times = std::fs::read_to_string(&asked).unwrap().lines().count();
        assert_eq!(times, 1, "{args:?}: passphrase_command ran {times} times");
        if args[0] == "code" {
            // The counter was saved.
            let out = env.bare().args(["list", "--json"]).output().unwrap();
            let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(list[0]["counter"], 1, "{list}");
        }
    }
    let out = env.bare().args(["trash", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Bank"),
        "the purge went through"
    );
}

#[test]
fn no_passphrase_in_a_script_fails_fast_and_names_the_ways() {
    let env = TestEnv::with_passphrase_vault("pw");
    env.bare()
        .arg("list")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("stdin is not a terminal"))
        .stderr(predicate::str::contains("--passphrase-file"))
        .stderr(predicate::str::contains("OTP_IDENTITY"));
}

#[test]
fn wrong_passphrase_or_identity_exits_1_and_changes_nothing() {
    let env = TestEnv::with_passphrase_vault("right");
    env.bare()
        .args(["add", "x", "--secret", SECRET])
        .env("OTP_PASSPHRASE", "right")
        .assert()
        .success();
    let before = env.vault_bytes();
    env.bare()
        .args(["add", "y", "--secret", SECRET])
        .env("OTP_PASSPHRASE", "wrong")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong passphrase or identity"));
    assert_eq!(env.vault_bytes(), before);

    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    let other = env.path("other.txt");
    env.otp()
        .args(["init", "--vault"])
        .arg(env.path("v2.age"))
        .arg("--generate-identity")
        .arg(&other)
        .assert()
        .success();
    env.otp()
        .args(["add", "z", "--secret", SECRET])
        .env("OTP_IDENTITY", &other)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong passphrase or identity"));
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn corrupt_or_truncated_vault_is_reported_never_overwritten() {
    let env = TestEnv::with_vault();
    env.add("A", "a", SECRET);
    let good = env.vault_bytes();
    for bad in [
        good[..good.len() - 20].to_vec(),
        b"garbage".to_vec(),
        Vec::new(),
    ] {
        std::fs::write(env.vault(), &bad).unwrap();
        env.otp()
            .args(["add", "b", "--secret", SECRET])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("damaged"));
        assert_eq!(env.vault_bytes(), bad);
    }
}

/// `otp code` reads the vault as it is decrypted: an account found in the
/// first 64 KiB chunk must still not give a code when a later chunk is
/// damaged or missing.
#[test]
fn code_refuses_a_vault_damaged_after_the_account() {
    let env = TestEnv::with_vault();
    let uris: String = (0..700)
        .map(|i| {
            let secret = data_encoding::BASE32_NOPAD.encode(format!("secret-{i:04}").as_bytes());
            format!(
                "otpauth://totp/Svc{i:03}:u@example.com?secret={secret}&issuer=Svc{i:03}
"
            )
        })
        .collect();
    let list = env.write("uris.txt", uris);
    env.otp().arg("import").arg(&list).assert().success();
    let good = env.vault_bytes();
    assert!(
        good.len() > 2 * 65536,
        "{} bytes: want three chunks",
        good.len()
    );
    env.otp().args(["code", "svc000"]).assert().success();
    let mut flipped = good.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 1;
    for bad in [flipped, good[..good.len() - 70_000].to_vec()] {
        std::fs::write(env.vault(), &bad).unwrap();
        env.otp()
            .args(["code", "svc000"])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("damaged"));
        assert_eq!(env.vault_bytes(), bad);
    }
}

/// `otp code` answers exactly as the full parse (`otp show`) does on vaults
/// otp did not write, or refuses with the same error: a label hidden in a
/// multi-line inline table (TOML 1.1) is not read as the account's, a vault
/// the full parse refuses gives no code, and a truncated vault is damage
/// (exit 1), not "no account matches" (exit 3).
#[test]
fn code_answers_as_the_full_parse_on_hand_edited_vaults() {
    let env = TestEnv::with_vault();
    env.add("Bank", "alice2", SECRET);
    env.add("Shop", "bob", "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK");
    let text = env.plaintext();
    let (at, code) = SECRET_CODE_AT;
    let in_bob = |line: &str| {
        text.replacen(
            "name = \"bob\"\n",
            &format!("name = \"bob\"\nx = {{\n{line}\n}}\n"),
            1,
        )
    };
    // B's hidden `name = "alice"` would beat A's partial match.
    env.write_sealed(&in_bob("name = \"alice\""));
    env.otp()
        .args(["code", "alice", "--at", at])
        .assert()
        .success()
        .stdout(format!("{code}\n"));
    env.otp()
        .args(["show", "alice"])
        .assert()
        .success()
        .stdout(predicate::str::contains("alice2"));
    // Vaults the full parse refuses: no code, the parse's error.
    for bad in [
        text.replacen("name = \"bob\"\n", "name = \"bob\"\nname = \"x\"\n", 1),
        text.replacen("name = \"bob\"", "name = \"\\u+041bob\"", 1),
        text.replacen("changes = ", "accounts = []\nchanges = ", 1),
        text.replacen("version = 1\n", "x = {\nversion = 1\n}\n", 1),
    ] {
        env.write_plaintext(&bad);
        env.otp()
            .args(["code", "alice2", "--at", at])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("not a valid otp vault"));
    }
    // Cut inside the last account: damage, for a hit and for a miss.
    env.write_plaintext(&text[..text.len() - 30]);
    for query in ["alice2", "nobody"] {
        env.otp()
            .args(["code", query, "--at", at])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("not a valid otp vault"));
    }
}

#[test]
fn missing_vault_says_how_to_start() {
    let env = TestEnv::new();
    env.bare()
        .args(["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("otp init"));
}

#[test]
fn query_exit_codes_and_candidates() {
    let env = TestEnv::with_vault();
    env.add("Microsoft Azure", "me@work.example", SECRET);
    env.add("Google", "alice", "GEZDGNBVGY3TQOJQ");
    env.add("Google", "bob", "MFRGGZDFMZTWQ2LK");
    env.otp().args(["code", "azure"]).assert().success();
    env.otp().args(["code", "nothing-like-it"]).assert().code(3);
    env.otp()
        .args(["code", "google"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("Google:alice ("))
        .stderr(predicate::str::contains("Google:bob ("));
    env.otp()
        .args(["code", "gogle"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("did you mean"));
    env.otp().args(["code", "google:bob"]).assert().success();
}

#[test]
fn hotp_counter_is_saved_before_the_code_is_printed() {
    let env = TestEnv::with_vault();
    // RFC 4226 secret, starting at counter 0.
    env.otp()
        .args([
            "add",
            "rfc",
            "--hotp",
            "--secret",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        ])
        .assert()
        .success();
    assert_eq!(env.stdout(&["code", "rfc"]), "755224\n");
    assert_eq!(env.stdout(&["code", "rfc"]), "287082\n");
    assert!(
        env.stdout(&["code", "rfc", "--json"])
            .contains("\"code\":\"359152\"")
    );
    let json = env.stdout(&["list", "--json"]);
    assert!(json.contains("\"counter\": 3"), "{json}");
}

#[test]
fn code_json_next_and_steam() {
    let env = TestEnv::with_vault();
    env.otp()
        .args([
            "add",
            "alice",
            "--issuer",
            "Example",
            "--secret",
            SECRET,
            "--period",
            "60",
            "--digits",
            "8",
            "--algorithm",
            "sha256",
        ])
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["code", "example", "--json", "--at", "100"])).unwrap();
    assert_eq!(json["issuer"], "Example");
    assert_eq!(json["remaining"], 20);
    assert_eq!(json["code"].as_str().unwrap().len(), 8);
    assert_eq!(
        env.stdout(&["code", "example", "--at", "160"]),
        env.stdout(&["code", "example", "--at", "100", "--next"])
    );
    env.otp()
        .args(["add", "gaben", "--steam", "--secret", SECRET])
        .assert()
        .success();
    let steam = env.stdout(&["code", "gaben"]);
    assert_eq!(steam.trim().len(), 5);
    assert!(
        steam
            .trim()
            .chars()
            .all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c))
    );
}

#[test]
fn strict_validation_of_added_accounts() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    for (args, msg) in [
        (
            vec!["add", "x", "--secret", "not base32!"],
            "not valid base32",
        ),
        (
            vec!["add", "x", "--secret", SECRET, "--digits", "11"],
            "out of range",
        ),
        (
            vec!["add", "x", "--secret", SECRET, "--digits", "5"],
            "out of range",
        ),
        (
            vec!["add", "x", "--secret", SECRET, "--period", "0"],
            "period",
        ),
        (
            vec![
                "add",
                "x",
                "--uri",
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
            ],
            "algorithm",
        ),
        (
            vec![
                "add",
                "x",
                "--uri",
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=12",
            ],
            "digits",
        ),
        (vec!["add", "x", "--uri", "https://example.com"], "otpauth"),
    ] {
        let out = env.otp().args(&args).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{args:?} was accepted");
        let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(!err.contains("jbswy3dp"), "secret leaked in error: {err}");
    }
    env.otp()
        .args(["add", "x", "--secret", SECRET, "--algorithm", "MD5"])
        .assert()
        .code(2);
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn add_from_uri_and_conflicts() {
    let env = TestEnv::with_vault();
    let uri = format!(
        "otpauth://totp/ACME%20Co:john.doe@email.com?secret={SECRET}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
    );
    env.otp().args(["add", "--uri", &uri]).assert().success();
    assert_eq!(env.stdout(&["list"]), "ACME Co:john.doe@email.com\n");
    // The same account again: a duplicate, nothing added.
    env.otp()
        .args(["add", "--uri", &uri])
        .assert()
        .success()
        .stderr(predicate::str::contains("Already in the vault"));
    // Same name, other secret: refused with exit 5.
    env.assert_refused(
        [
            "add",
            "john.doe@email.com",
            "--issuer",
            "ACME Co",
            "--secret",
            "GEZDGNBVGY3TQOJQ",
        ],
        5,
        "already exists",
    );
    // --digits with --uri would be silently ignored: an error instead.
    env.otp()
        .args(["add", "--uri", &uri, "--digits", "8"])
        .assert()
        .code(2);
}

#[test]
fn show_rename_remove_trash() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("GitLab", "alice", "GEZDGNBVGY3TQOJQ");
    let show = env.stdout(&["show", "github"]);
    assert!(
        show.contains("issuer:    GitHub") && !show.contains(SECRET),
        "{show}"
    );
    assert!(
        env.stdout(&["show", "github", "--uri"])
            .contains(&format!("secret={SECRET}"))
    );

    env.otp()
        .args(["rename", "github", "bob"])
        .assert()
        .success();
    env.otp()
        .args(["rename", "github", "alice", "--issuer", "GitLab"])
        .assert()
        .code(5);
    env.otp()
        .args(["remove", "gitlab", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("locked out"));
    assert_eq!(env.stdout(&["list"]), "GitHub:bob\n");
    assert!(env.stdout(&["trash"]).contains("GitLab:alice"));
    env.otp()
        .args(["trash", "restore", "gitlab"])
        .assert()
        .success();
    assert_eq!(env.stdout(&["list"]), "GitHub:bob\nGitLab:alice\n");
    env.otp()
        .args(["remove", "gitlab", "--yes"])
        .assert()
        .success();
    env.otp()
        .args(["trash", "purge", "--older-than", "1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Nothing to purge"));
    env.otp()
        .args(["trash", "purge", "--yes"])
        .assert()
        .success();
    assert_eq!(env.stdout(&["trash", "list"]), "");
}

#[test]
fn list_codes_and_json_never_show_secrets() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp()
        .args(["add", "slow", "--secret", SECRET, "--period", "90"])
        .assert()
        .success();
    let codes = env.stdout(&["list", "--codes"]);
    assert_eq!(codes.lines().count(), 2);
    let json = env.stdout(&["list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in [
        "id",
        "issuer",
        "name",
        "type",
        "algorithm",
        "digits",
        "period",
        "counter",
    ] {
        assert!(v[0].get(key).is_some(), "missing {key}");
    }
    assert!(!json.contains(SECRET) && !codes.contains(SECRET));
    assert_eq!(v[1]["period"], 90);
}

#[test]
fn names_from_files_are_sanitised_on_the_terminal() {
    let env = TestEnv::with_vault();
    env.otp()
        .args([
            "add",
            "evil\u{202e}gpj.exe",
            "--issuer",
            "X\x1b[2J",
            "--secret",
            SECRET,
        ])
        .assert()
        .success();
    let list = env.stdout(&["list"]);
    assert!(
        !list.contains('\u{202e}') && !list.contains('\x1b'),
        "{list:?}"
    );
    assert!(list.contains("\\u{202e}"));
}

#[test]
fn parallel_adds_all_land() {
    let env = TestEnv::with_vault();
    let children: Vec<_> = (0..16)
        .map(|i| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("otp"));
            env.isolate(&mut cmd);
            cmd.args([
                "add",
                &format!("user{i}"),
                "--issuer",
                "Par",
                "--secret-stdin",
            ])
            .env("OTP_IDENTITY", env.identity())
            .env("OTP_CONFIG", env.path("none.toml"))
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            use std::io::Write;
            // Distinct secrets so none is a duplicate of another.
            let secret = data_encoding_secret(i);
            child
                .stdin
                .take()
                .unwrap()
                .write_all(secret.as_bytes())
                .unwrap();
            child
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(env.stdout(&["list"]).lines().count(), 16);
}

fn data_encoding_secret(i: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    (0..16)
        .map(|k| A[(i * 7 + k * 3 + i * k) % 32] as char)
        .collect()
}

#[test]
fn sigkilled_writers_never_corrupt_or_lose_acknowledged_accounts() {
    let env = TestEnv::with_vault();
    let mut acknowledged = Vec::new();
    for round in 0..24u64 {
        let name = format!("k{round}");
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("otp"));
        env.isolate(&mut cmd);
        let mut child = cmd
            .args([
                "add",
                &name,
                "--secret",
                &data_encoding_secret(round as usize + 100),
            ])
            .env("OTP_IDENTITY", env.identity())
            .env("OTP_CONFIG", env.path("none.toml"))
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a different moment each round: from before start-up to after the save.
        std::thread::sleep(std::time::Duration::from_micros(round * 700));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if status.success() {
            acknowledged.push(name);
        }
        let list = env.stdout(&["list"]);
        for a in &acknowledged {
            assert!(
                list.lines().any(|l| l == a),
                "lost acknowledged account {a}"
            );
        }
    }
    // No temp files are mistaken for vaults, and the vault still reads.
    env.otp().arg("status").assert().success();
}

/// The kill lands mid-write, by construction: the debug binary stops
/// between the flushed temporary file and the rename when
/// OTP_TEST_PAUSE_BEFORE_RENAME names a marker (src/vault/store.rs), and is
/// killed only once the marker says the new vault sits beside the old one.
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the pause hook exists only in debug builds"
)]
fn a_kill_between_the_write_and_the_rename_leaves_the_old_vault() {
    // .ci/run also runs this file against the shipped (release) binary,
    // which has no pause hook: the proof is made with the debug build.
    if otp_path() != std::path::Path::new(env!("CARGO_BIN_EXE_otp")) {
        eprintln!("skipping: the pause hook exists only in the debug build");
        return;
    }
    let env = TestEnv::with_vault();
    env.add("Kept", "k", SECRET);
    let before = env.vault_bytes();
    let marker = env.path("paused");
    let mut cmd = std::process::Command::new(otp_path());
    env.isolate(&mut cmd);
    let mut child = cmd
        .args(["add", "Lost", "--secret", &data_encoding_secret(7)])
        .env("OTP_IDENTITY", env.identity())
        .env("OTP_TEST_PAUSE_BEFORE_RENAME", &marker)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let tmp = loop {
        if let Ok(text) = std::fs::read_to_string(&marker)
            && !text.is_empty()
        {
            break std::path::PathBuf::from(text);
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(50),
            "otp never reached the rename"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "otp ended before the rename"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Mid-write: the whole new vault is on disk beside the old one, and the
    // vault itself is still the old one.
    assert_eq!(tmp.parent(), env.vault().parent());
    assert!(std::fs::metadata(&tmp).unwrap().len() > 0);
    assert_eq!(env.vault_bytes(), before);
    child.kill().unwrap(); // SIGKILL
    assert!(!child.wait().unwrap().success());
    assert_eq!(env.vault_bytes(), before, "the kill changed the vault");
    assert!(
        tmp.exists(),
        "the killed write's temporary file is left, not the vault"
    );
    let list = env.stdout(&["list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains("Kept") && !list.contains("Lost"), "{list}");
}

#[test]
fn status_reports_path_count_and_method() {
    let env = TestEnv::with_vault();
    env.add("A", "a", SECRET);
    let status = env.stdout(&["status"]);
    assert!(status.contains(&env.vault().display().to_string()));
    assert!(status.contains("accounts:   1"));
    assert!(status.contains("identity file"));
    let json: serde_json::Value = serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap();
    assert_eq!(json["accounts"], 1);
}

#[test]
fn broken_pipe_is_not_an_error() {
    let env = TestEnv::with_vault();
    for i in 0..50 {
        env.otp()
            .args([
                "add",
                &format!("n{i}"),
                "--secret",
                &data_encoding_secret(i + 300),
            ])
            .assert()
            .success();
    }
    let mut sh = std::process::Command::new("sh");
    env.isolate(&mut sh);
    let out = sh
        .arg("-c")
        .arg(format!(
            "{} completions bash | head -1; {} list | head -1",
            assert_cmd::cargo::cargo_bin("otp").display(),
            assert_cmd::cargo::cargo_bin("otp").display()
        ))
        .env("OTP_IDENTITY", env.identity())
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A vault in a synced folder, linked from the data dir: saves change the
/// target and keep the link (they used to replace it with a regular file,
/// leaving the real vault silently stale).
#[cfg(unix)]
#[test]
fn a_symlinked_vault_stays_a_link_and_its_target_is_saved() {
    let env = TestEnv::new();
    let synced = env.path("Sync/otp/vault.age");
    std::fs::create_dir_all(synced.parent().unwrap()).unwrap();
    std::fs::create_dir_all(env.vault().parent().unwrap()).unwrap();
    // A relative link to a file that does not exist yet: init creates it.
    std::os::unix::fs::symlink("../../Sync/otp/vault.age", env.vault()).unwrap();
    env.otp()
        .args(["init", "--generate-identity"])
        .arg(env.identity())
        .assert()
        .success();
    let is_link = || {
        std::fs::symlink_metadata(env.vault())
            .unwrap()
            .file_type()
            .is_symlink()
    };
    assert!(is_link());
    assert!(synced.is_file());
    env.add("GitHub", "alice", SECRET);
    env.add("Bank", "bob", "GEZDGNBVGY3TQOJQ");
    env.otp()
        .args(["rename", "bob", "robert"])
        .assert()
        .success();
    assert!(is_link(), "the link was replaced by a file");
    // The target holds every change; nothing else was left beside the link.
    let plain = env.plaintext();
    assert!(plain.contains("alice") && plain.contains("robert"));
    let mut beside: Vec<String> = std::fs::read_dir(env.vault().parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vault.age"))
        .collect();
    beside.sort();
    // Beside the link: only the link, this machine's writer id and its
    // record of the vault (never shared, so they stay on this side of the
    // link).
    assert_eq!(beside.len(), 3, "{beside:?}");
    assert_eq!(
        [&beside[0], &beside[2]],
        ["vault.age", "vault.age.writer"],
        "{beside:?}"
    );
    assert!(beside[1].ends_with(".trust"), "{beside:?}");
    assert!(
        std::fs::read_dir(synced.parent().unwrap())
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".trust")),
        "a record in the synced folder"
    );
    assert!(!env.path("Sync/otp/vault.age.writer").exists());
    assert!(env.path("Sync/otp/vault.age.lock").exists());
    // Opening the target directly sees the same vault.
    env.otp()
        .env("OTP_VAULT", &synced)
        .arg("list")
        .assert()
        .success()
        .stdout("GitHub:alice\nBank:robert\n");
    // A change through the target is seen through the link.
    env.otp()
        .env("OTP_VAULT", &synced)
        .args(["remove", "github", "--yes"])
        .assert()
        .success();
    assert_eq!(env.stdout(&["list"]), "Bank:robert\n");
    assert!(is_link());
}

/// A change is found by comparing the vault's values before and after:
/// one deep inside an account is saved (and counted once), and a command
/// that changes nothing leaves the file byte for byte as it was (age
/// encryption is randomised, so any rewrite would show).
#[test]
fn changes_are_saved_and_no_ops_write_nothing() {
    let env = TestEnv::with_vault();
    env.add("Acme", "alice", SECRET);
    env.otp()
        .args(["recovery-codes", "add", "alice"])
        .write_stdin("AAAA 1111\nBBBB 2222\n")
        .assert()
        .success();
    let changes = |text: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix("changes = "))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no change counter in {text}"))
    };
    // A vault from before vault ids: it gets one with its next change only.
    let old: String = env
        .plaintext()
        .lines()
        .filter(|l| !l.starts_with("vault_id = "))
        .map(|l| format!("{l}\n"))
        .collect();
    env.write_sealed(&old);
    let bytes = env.vault_bytes();
    for no_op in [
        &["recovery-codes", "add", "alice"][..],
        &["import", "-", "--format", "uris"],
    ] {
        let stdin = if no_op[0] == "import" {
            format!("otpauth://totp/Acme:alice?secret={SECRET}\n")
        } else {
            "AAAA 1111\n".to_string()
        };
        env.otp().args(no_op).write_stdin(stdin).assert().success();
        assert_eq!(env.vault_bytes(), bytes, "{no_op:?} rewrote the vault");
    }
    // Only one code's `used` date changes.
    env.otp()
        .args(["recovery-codes", "use", "alice", "BBBB 2222"])
        .assert()
        .success();
    let after = env.plaintext();
    assert_eq!(changes(&after), changes(&old) + 1, "{after}");
    assert!(after.contains("used = "), "{after}");
    assert!(after.contains("vault_id = "), "{after}");
    let without_used: Vec<&str> = after
        .lines()
        .filter(|l| !l.starts_with("used = ") && !l.starts_with("vault_id = "))
        .filter(|l| !l.starts_with("changes = "))
        // What makes each version a new, authenticated one.
        .filter(|l| {
            ![
                "tag = ",
                "auth_key = ",
                "change_id = ",
                "previous_change = ",
                "versions = ",
            ]
            .iter()
            .any(|p| l.starts_with(p))
        })
        .collect();
    let old_lines: Vec<&str> = old
        .lines()
        .filter(|l| !l.starts_with("changes = "))
        .filter(|l| {
            ![
                "tag = ",
                "auth_key = ",
                "change_id = ",
                "previous_change = ",
                "versions = ",
            ]
            .iter()
            .any(|p| l.starts_with(p))
        })
        .collect();
    assert_eq!(without_used, old_lines);
}

/// The scrypt work factor of the passphrase key file `otp init` wrote.
fn key_file_log_n(env: &TestEnv) -> u8 {
    let armored = std::fs::read_to_string(env.path("data/otp/vault.identity.age")).unwrap();
    let b64: String = armored
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let binary = data_encoding::BASE64.decode(b64.as_bytes()).unwrap();
    let header = String::from_utf8_lossy(&binary);
    let stanza = header
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .unwrap();
    stanza.rsplit(' ').next().unwrap().parse().unwrap()
}

/// The tests' cheap scrypt (OTP_TEST_SCRYPT_LOG_N, set by tests/common) is
/// a debug-build hook: the shipped binary (`.ci/run` runs this file against
/// the static dist build) seals key files at age's default, 18, whatever
/// the environment says.
#[test]
fn only_a_debug_build_seals_key_files_with_the_tests_cheap_scrypt() {
    let shipped = otp_path().components().any(|c| c.as_os_str() == "dist");
    let env = TestEnv::with_passphrase_vault("correct horse battery staple");
    assert_eq!(key_file_log_n(&env), if shipped { 18 } else { 12 });
    let plain = TestEnv::new();
    plain
        .bare()
        .arg("init")
        .env("OTP_PASSPHRASE", "correct horse battery staple")
        .env_remove("OTP_TEST_SCRYPT_LOG_N")
        .assert()
        .success();
    assert_eq!(key_file_log_n(&plain), 18);
}
