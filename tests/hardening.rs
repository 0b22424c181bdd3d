//! Small guarantees, each tried the way a careless user or a
//! hostile environment would: core files and children that inherit the
//! passphrase, saves that fail, closed output streams, the end of time,
//! huge imports, hostile file names, secrets in Debug output.

use crate::common::*;

const PASSPHRASE: &str = "correct horse battery staple";

/// A passphrase vault whose config asks `sh` for the passphrase; the script
/// records what it sees of its parent (`otp`) in `report`.
fn passphrase_command_env() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::with_passphrase_vault(PASSPHRASE);
    let report = env.path("report.txt");
    let script = format!(
        "grep 'Max core file size' /proc/$PPID/limits > \"$0\"; \
         echo \"env: ${{OTP_PASSPHRASE-unset}}\" >> \"$0\"; \
         echo '{PASSPHRASE}'"
    );
    let config = format!(
        "passphrase_command = [\"sh\", \"-c\", {script:?}, {:?}]\n",
        report.display().to_string()
    );
    env.write("config/otp/config.toml", config);
    (env, report)
}

#[test]
fn otp_cannot_leave_a_core_file() {
    let (env, report) = passphrase_command_env();
    env.bare().arg("list").assert().success();
    let seen = std::fs::read_to_string(&report).expect("passphrase_command ran");
    let line = seen.lines().next().unwrap_or("");
    let fields: Vec<&str> = line.split_whitespace().collect();
    // "Max core file size  0  0  bytes": soft and hard limit both 0.
    assert_eq!(fields.get(4..6), Some(&["0", "0"][..]), "{seen}");
}

#[test]
fn passphrase_command_does_not_inherit_otp_passphrase() {
    let (env, report) = passphrase_command_env();
    // An empty OTP_PASSPHRASE counts as unset, so the command runs; the
    // variable itself must not reach it.
    env.bare()
        .arg("list")
        .env("OTP_PASSPHRASE", "")
        .assert()
        .success();
    let seen = std::fs::read_to_string(&report).expect("passphrase_command ran");
    assert!(seen.contains("env: unset"), "{seen}");
}

/// The `otp` binary as a plain process, in `env`'s isolated world (the
/// same variables as `TestEnv::otp`), for tests that set up its standard
/// streams or limits themselves.
fn raw(env: &TestEnv, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    env.isolate(&mut cmd);
    cmd.env("OTP_IDENTITY", env.identity())
        .stdin(std::process::Stdio::null());
    cmd
}

/// `otp ARGS` where no file can grow (RLIMIT_FSIZE 0, SIGXFSZ ignored so
/// the write fails with EFBIG): a full disk, also for root.
fn on_a_full_disk(env: &TestEnv, args: &[&str]) -> std::process::Output {
    raw(env, "sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0 && exec \"$0\" \"$@\"")
        .arg(otp_path())
        .args(args)
        .output()
        .expect("run otp")
}

/// A pipe whose reader is already gone: every write fails with EPIPE.
fn dead_pipe() -> std::process::Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer.into()
}

#[test]
fn no_success_message_when_the_save_fails() {
    let env = TestEnv::with_vault();
    env.add("Bank", "alice", SECRET);
    env.add("Mail", "bob", HOTP_SECRET);
    env.otp()
        .args(["remove", "bob", "--yes"])
        .assert()
        .success();
    let before = env.vault_bytes();
    for args in [
        &[
            "add",
            "carol",
            "--issuer",
            "Shop",
            "--secret",
            "MFRGGZDFMZTWQ2LK",
        ][..],
        &["rename", "alice", "alicia"][..],
        &["trash", "restore", "bob"][..],
    ] {
        let out = on_a_full_disk(&env, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} saved on a full disk?");
        for word in ["Added", "Renamed", "Restored"] {
            assert!(!stderr.contains(word), "{args:?} claimed success: {stderr}");
        }
        assert_eq!(env.vault_bytes(), before, "{args:?} changed the vault");
    }
}

#[test]
fn a_closed_stderr_is_not_a_panic() {
    let env = TestEnv::with_vault();
    // Success, with a note on stderr.
    let status = raw(&env, otp_path())
        .args(["add", "alice", "--issuer", "Bank", "--secret", SECRET])
        .stderr(dead_pipe())
        .status()
        .expect("run otp");
    assert_eq!(status.code(), Some(0));
    assert!(env.stdout(&["list"]).contains("Bank:alice"));
    // An error, with its message on stderr: the contract's exit code.
    let status = raw(&env, otp_path())
        .args(["code", "nobody"])
        .stdout(std::process::Stdio::null())
        .stderr(dead_pipe())
        .status()
        .expect("run otp");
    assert_eq!(status.code(), Some(3));
}

/// RFC 4226's secret and its HOTP codes at counters 0 and 1.
const HOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

#[test]
fn a_hotp_code_is_not_burnt_when_nobody_reads_it() {
    let env = TestEnv::with_vault();
    env.otp()
        .args(["add", "bank", "--hotp", "--secret", HOTP_SECRET])
        .assert()
        .success();
    let before = env.vault_bytes();
    let out = raw(&env, otp_path())
        .args(["code", "bank"])
        .stdout(dead_pipe())
        .output()
        .expect("run otp");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not advanced"), "{stderr}");
    assert_eq!(env.vault_bytes(), before, "the counter moved");
    // The code nobody saw is the next one shown.
    assert_eq!(env.stdout(&["code", "bank"]), "755224\n");
    assert_eq!(env.stdout(&["code", "bank"]), "287082\n");
}

/// A stdout that was closed (`>&-`), opened only for
/// reading (writes fail with EBADF) or /dev/null takes no HOTP code: the
/// counter stays, the exit is 1, and --json is no different.
#[test]
fn a_hotp_code_is_not_burnt_into_a_closed_or_unwritable_stdout() {
    let env = TestEnv::with_vault();
    env.otp()
        .args(["add", "bank", "--hotp", "--secret", HOTP_SECRET])
        .assert()
        .success();
    let before = env.vault_bytes();
    let read_only = || {
        let f = std::fs::File::open(env.identity()).expect("open a file to read");
        std::process::Stdio::from(f)
    };
    for json in [false, true] {
        let args: &[&str] = if json {
            &["code", "bank", "--json"]
        } else {
            &["code", "bank"]
        };
        let closed = raw(&env, "sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" >&-")
            .arg(otp_path())
            .args(args)
            .output()
            .expect("run otp");
        let unreadable = raw(&env, otp_path())
            .args(args)
            .stdout(read_only())
            .output()
            .expect("run otp");
        let null = raw(&env, otp_path())
            .args(args)
            .stdout(std::process::Stdio::null())
            .output()
            .expect("run otp");
        for (what, out) in [
            ("closed", closed),
            ("read-only", unreadable),
            ("/dev/null", null),
        ] {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
            assert!(stderr.contains("not advanced"), "{what}: {stderr}");
            assert_eq!(env.vault_bytes(), before, "{what}: the counter moved");
        }
    }
    assert_eq!(env.stdout(&["code", "bank"]), "755224\n");
}

#[test]
fn a_hotp_code_that_cannot_be_written_after_the_save_is_an_error() {
    let env = TestEnv::with_vault();
    env.otp()
        .args(["add", "bank", "--hotp", "--secret", HOTP_SECRET])
        .assert()
        .success();
    // stdout is a full device: the counter is saved, then the write fails.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let out = raw(&env, otp_path())
        .args(["code", "bank"])
        .stdout(full)
        .output()
        .expect("run otp");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write the code"), "{stderr}");
    assert!(stderr.contains("already advanced"), "{stderr}");
    assert_eq!(env.stdout(&["code", "bank"]), "287082\n");
}

#[test]
fn no_code_from_1970_at_the_end_of_time() {
    let env = TestEnv::with_vault();
    env.add("Bank", "alice", SECRET);
    let last = u64::MAX.to_string();
    // The current code of the last period otp can count is fine…
    env.otp()
        .args(["code", "alice", "--at", &last])
        .assert()
        .success();
    // …but no period starts after it.
    env.otp()
        .args(["code", "alice", "--at", &last, "--next"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("no code after"));
    // --wait wants a code with 20 s left; the last one has 15.
    env.write("config/otp/config.toml", "min_remaining_seconds = 20\n");
    env.otp()
        .args(["code", "alice", "--at", &last, "--wait"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("no code after"));
    // One period earlier, both work and agree.
    let earlier = (u64::MAX - 30).to_string();
    let next = env.stdout(&["code", "alice", "--at", &earlier, "--next"]);
    let waited = env.stdout(&["code", "alice", "--at", &earlier, "--wait"]);
    assert_eq!(next, waited);
    assert_eq!(next, env.stdout(&["code", "alice", "--at", &last]));
}

/// Characters that must never reach a terminal raw from a file or a label.
fn has_raw_unsafe(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn file_names_in_messages_are_escaped() {
    let env = TestEnv::with_vault();
    // `otp import ~/Downloads/*` with a hostile name: ESC clears the screen,
    // OSC sets the title, a bidi override and a newline fake a line.
    let name = "x\x1b[2J\x1b]0;pwned\x07\u{202e}txt.exe\nerror: fake\u{9b}";
    let file = env.write(name, "not an export of anything");
    for args in [vec!["import"], vec!["import", "--dry-run"]] {
        let out = env.otp().args(&args).arg(&file).output().expect("run");
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("\\u{1b}[2J"), "{stderr}");
        assert!(!has_raw_unsafe(&stderr), "{stderr:?}");
        assert!(!stderr.contains("\nerror: fake"), "{stderr:?}");
    }
    // A file that does not exist: the error from the OS path too.
    let missing = env.path("gone\x1b[31m\u{202e}.json");
    let out = env.otp().arg("import").arg(&missing).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!has_raw_unsafe(&stderr), "{stderr:?}");
}

#[test]
fn json_output_escapes_c1_and_bidi() {
    let env = TestEnv::with_vault();
    let name = "al\u{85}ice\u{202e}moc\u{9b}31m";
    env.add("Bank", name, SECRET);
    for args in [&["list", "--json"][..], &["code", "Bank", "--json"][..]] {
        let stdout = env.stdout(args);
        assert!(!has_raw_unsafe(&stdout), "{args:?}: {stdout:?}");
        assert!(
            stdout.contains("\\u0085") && stdout.contains("\\u202e"),
            "{stdout}"
        );
        let value: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
        let got = if value.is_array() {
            &value[0]["name"]
        } else {
            &value["name"]
        };
        assert_eq!(got, name, "{args:?}");
    }
}

#[test]
fn a_uri_can_come_from_stdin_and_argv_is_warned_against() {
    let env = TestEnv::with_vault();
    let uri = format!("otpauth://totp/Bank:alice?secret={SECRET}&issuer=Bank");
    env.otp()
        .args(["add", "--uri-stdin"])
        .write_stdin(format!("\n{uri}\n\n"))
        .assert()
        .success();
    let (at, code) = SECRET_CODE_AT;
    assert_eq!(
        env.stdout(&["code", "Bank:alice", "--at", at]),
        format!("{code}\n")
    );
    // NAME and --issuer override the URI's, as with --uri.
    env.otp()
        .args(["add", "bob", "--issuer", "Mail", "--uri-stdin"])
        .write_stdin("otpauth://totp/x?secret=MFRGGZDFMZTWQ2LK")
        .assert()
        .success();
    assert!(env.stdout(&["list"]).contains("Mail:bob"));
    // Several URIs: one command adds one account; import adds them all.
    let before = env.vault_bytes();
    env.otp()
        .args(["add", "--uri-stdin"])
        .write_stdin("otpauth://totp/a?secret=MFRGGZDF\notpauth://totp/b?secret=MZTWQ2LK\n")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("otp import -"));
    env.otp()
        .args(["add", "--uri-stdin", "--digits", "8"])
        .write_stdin(uri.as_str())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--digits cannot be combined with --uri-stdin",
        ));
    assert_eq!(env.vault_bytes(), before);
    // --uri puts the secret in argv: its help says so, as --secret's does.
    let help = env.stdout(&["add", "--help"]);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = |flag: &str| {
        let start = help
            .find(flag)
            .unwrap_or_else(|| panic!("{flag} in {help}"));
        help[start..].chars().take(100).collect::<String>()
    };
    assert!(line("--uri <URI>").contains("shell history"), "{help}");
    assert!(line("--secret <S>").contains("shell history"), "{help}");
}

#[test]
fn debug_output_of_parsed_arguments_has_no_secret() {
    use clap::Parser;
    let uri = format!("otpauth://totp/Bank:alice?secret={SECRET}");
    for (args, secret) in [
        (vec!["otp", "add", "alice", "--secret", SECRET], SECRET),
        (vec!["otp", "add", "--uri", &uri], SECRET),
        (
            vec![
                "otp",
                "export",
                "--format",
                "aegis",
                "--password",
                "hunter2-pw",
            ],
            "hunter2-pw",
        ),
        (
            vec!["otp", "recovery-codes", "use", "bank", "wxyz-9876"],
            "wxyz-9876",
        ),
    ] {
        let cli = otp::cli::Cli::try_parse_from(&args).expect("parses");
        let shown = format!("{cli:?}");
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}

/// Format characters (general category Cf: soft hyphen, tags, …) and the
/// line and paragraph separators are invisible or break lines: escaped in
/// messages and in JSON like the other invisible characters.
#[test]
fn format_characters_and_separators_in_labels_are_escaped() {
    let env = TestEnv::with_vault();
    let name = "a\u{2028}b\u{2029}c\u{ad}d\u{e0041}\u{e007f}e\u{180e}";
    env.otp()
        .args(["add", name, "--issuer", "Bank", "--secret-stdin"])
        .write_stdin(SECRET)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "a\\u{2028}b\\u{2029}c\\u{ad}d\\u{e0041}\\u{e007f}e\\u{180e}",
        ));
    let json = env.stdout(&["list", "--json"]);
    for c in ['\u{2028}', '\u{2029}', '\u{ad}', '\u{e0041}', '\u{180e}'] {
        assert!(!json.contains(c), "{c:?} raw in {json:?}");
    }
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(value[0]["name"], name);
    // A QUERY that does not match names the label escaped too.
    env.otp()
        .args(["code", "Bank", "--json"])
        .assert()
        .success()
        .stdout(predicates::str::contains("\\u2028"));
}

/// A change counter at u64::MAX (a restored backup said so) saturates at
/// the next change: never wraps to 0, never panics.
#[test]
fn a_change_counter_at_its_maximum_saturates() {
    let env = TestEnv::with_vault();
    let id = std::fs::read_to_string(env.identity()).unwrap();
    let identity = || -> Box<dyn age::Identity> {
        Box::new(
            id.lines()
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .unwrap()
                .parse::<age::x25519::Identity>()
                .unwrap(),
        )
    };
    let plaintext = || {
        let plain = otp::vault::keys::decrypt(&env.vault_bytes(), &[identity()]).unwrap();
        String::from_utf8(plain.to_vec()).unwrap()
    };
    let text = plaintext();
    let start = text.find("changes = ").expect("a change counter");
    let end = start + text[start..].find('\n').unwrap();
    env.write_sealed(&format!(
        "{}changes = 18446744073709551615{}",
        &text[..start],
        &text[end..]
    ));
    env.add("Bank", "alice", SECRET);
    env.add("Bank", "bob", SECRET);
    let text = plaintext();
    assert!(text.contains("changes = 18446744073709551615\n"), "{text}");
    assert_eq!(env.stdout(&["list"]), "Bank:alice\nBank:bob\n");
}

/// A FIFO at `path` (no writer: reading it would never end).
fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success());
}

/// A name that sorts as this vault's newest backup: the real backup's
/// name, dated 2099.
fn newer_backup_name(backup: &std::path::Path) -> std::path::PathBuf {
    let name = backup.file_name().unwrap().to_str().unwrap();
    let (stem, rest) = name.split_once('-').unwrap();
    backup.with_file_name(format!("{stem}-2099{}", &rest[4..]))
}

/// A FIFO (whose read never ends) or a link to
/// /dev/zero (whose read never ends and fills memory) named like the
/// newest backup is reported BAD with what it is, never read: `backup
/// --verify` and `drill` end at once, with a non-zero exit.
#[test]
fn a_fifo_or_a_device_named_like_the_newest_backup_is_reported_not_read() {
    let limit = std::time::Duration::from_secs(60);
    for (what, make) in [
        ("FIFO", mkfifo as fn(&std::path::Path)),
        ("character device", |p: &std::path::Path| {
            std::os::unix::fs::symlink("/dev/zero", p).unwrap()
        }),
    ] {
        let env = TestEnv::with_vault();
        env.add("Bank", "alice", SECRET);
        let out = env.stdout(&["backup"]);
        let real = std::path::PathBuf::from(out.trim());
        let trap = newer_backup_name(&real);
        make(&trap);
        let shown = trap.file_name().unwrap().to_str().unwrap().to_string();
        let out = env
            .otp()
            .args(["backup", "--verify"])
            .timeout(limit)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{what}: {stdout}");
        let line = stdout
            .lines()
            .find(|l| l.contains(&shown))
            .unwrap_or_else(|| panic!("{what}: not reported: {stdout}"));
        assert!(line.starts_with("BAD\t"), "{what}: {line}");
        assert!(line.contains(what), "{what}: {line}");
        assert!(line.contains("not a regular file"), "{what}: {line}");

        let out = env.otp().arg("drill").timeout(limit).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {stdout}{stderr}");
        assert!(stdout.contains(what), "{what}: {stdout}");
        // Not mistaken for a key that does not open the backup.
        assert!(!stdout.contains("does not open"), "{what}: {stdout}");
        assert!(
            !stderr.contains("not the one your backups"),
            "{what}: {stderr}"
        );
    }
}

/// `otp import` and `otp recover` of a device, a FIFO
/// with no writer or a folder end at once with what the file is, and
/// change nothing.
#[test]
fn import_and_recover_refuse_what_is_not_a_regular_file() {
    let env = TestEnv::with_vault();
    env.add("Bank", "alice", SECRET);
    let before = env.vault_bytes();
    let fifo = env.path("export.json");
    mkfifo(&fifo);
    let folder = env.path("folder.json");
    std::fs::create_dir(&folder).unwrap();
    for (path, what) in [
        (std::path::PathBuf::from("/dev/zero"), "character device"),
        (fifo, "FIFO"),
        (folder, "folder"),
    ] {
        for command in ["import", "recover"] {
            let out = env
                .otp()
                .arg(command)
                .arg(&path)
                .timeout(std::time::Duration::from_secs(60))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{command} {what}: {stderr}");
            assert!(stderr.contains(what), "{command} {what}: {stderr}");
            assert!(stderr.contains("not a regular file"), "{stderr}");
            assert_eq!(env.vault_bytes(), before, "{command} {what}");
        }
    }
}

/// An import larger than its cap is refused by its size,
/// before it is read.
#[test]
fn an_import_over_its_cap_is_refused_by_its_size() {
    let env = TestEnv::with_vault();
    let big = env.path("big.txt");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len((64 << 20) + 1).unwrap();
    env.otp()
        .arg("import")
        .arg(&big)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("larger than 64 MiB"));
}

/// The temporary files an otp killed mid-save leaves
/// beside the vault (`kill -9` left 12 in 250 runs) are removed by the next
/// save; a fresh one (another otp may be writing it) and any file that is
/// not exactly otp's pattern stay.
#[test]
fn the_next_save_removes_stale_temp_files_of_a_killed_otp() {
    let env = TestEnv::with_vault();
    let dir = env.vault().parent().unwrap().to_path_buf();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let make = |name: &str, old: bool| {
        let p = dir.join(name);
        let f = std::fs::File::create(&p).unwrap();
        if old {
            f.set_modified(hour_ago).unwrap();
        }
        p
    };
    let stale: Vec<_> = ["x8Kq2Z", "AAAAAA", "a1b2c3"]
        .iter()
        .map(|r| make(&format!(".otp-tmp-{r}"), true))
        .collect();
    let kept = [
        make(".otp-tmp-Fresh1", false),
        make(".otp-tmp-my-notes", true),
        make("otp-tmp-x8Kq2Z", true),
    ];
    // A listing or a code changes nothing and removes nothing.
    env.otp().arg("list").assert().success();
    assert!(stale.iter().all(|p| p.exists()));
    env.add("Bank", "alice", SECRET);
    for p in &stale {
        assert!(!p.exists(), "{} is still there", p.display());
    }
    for p in &kept {
        assert!(p.exists(), "{} was removed", p.display());
    }
}
