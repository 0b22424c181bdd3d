//! completions/, man/, the command reference in docs/cli.md and the
//! snapshots in tests/snapshots/ (every command's `--help`, the main error
//! messages with their exit codes) are the binary's own output, committed.
//! These tests fail when they drift from the CLI; regenerate them all with
//! `OTP_UPDATE_GENERATED=1 cargo test --test integration generated::` and review the diff.

use std::path::Path;

use crate::common::*;
use clap::CommandFactory;

use otp::cli::Shell;
use otp::docs;

fn updating() -> bool {
    std::env::var_os("OTP_UPDATE_GENERATED").is_some()
}

fn check(path: &Path, expected: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("OTP_UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
    } else if std::fs::read(path).ok().as_deref() != Some(expected) {
        stale.push(path.display().to_string());
    }
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::Powershell,
    ] {
        let path = root.join("completions").join(docs::completion_file(shell));
        check(&path, docs::completions(shell).as_bytes(), &mut stale);
    }
    let pages = docs::man_pages();
    for (name, page) in &pages {
        check(&root.join("man").join(name), page, &mut stale);
    }
    // No page for a command that no longer exists.
    let expected: std::collections::BTreeSet<_> = pages.iter().map(|(n, _)| n.clone()).collect();
    for entry in std::fs::read_dir(root.join("man")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !expected.contains(&name) {
            stale.push(format!("man/{name} (no such command)"));
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale: {stale:?}\nrun: OTP_UPDATE_GENERATED=1 cargo test --test integration generated::"
    );
}

#[test]
fn one_man_page_per_subcommand() {
    let names: Vec<String> = docs::man_pages().into_iter().map(|(n, _)| n).collect();
    for sub in [
        "otp.1",
        "otp-code.1",
        "otp-import.1",
        "otp-trash-restore.1",
        "otp-recovery-key-add.1",
    ] {
        assert!(names.iter().any(|n| n == sub), "missing {sub} in {names:?}");
    }
}

const REGEN: &str =
    "run: OTP_UPDATE_GENERATED=1 cargo test --test integration generated:: (then review the diff)";

#[test]
fn docs_cli_md_command_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- commands -->\n", "<!-- /commands -->");
    let a = text.find(start).expect("docs/cli.md has <!-- commands -->") + start.len();
    let b = text.find(end).expect("docs/cli.md has <!-- /commands -->");
    let want = format!("{}{}{}", &text[..a], docs::cli_reference(), &text[b..]);
    let mut stale = Vec::new();
    check(&path, want.as_bytes(), &mut stale);
    assert!(
        stale.is_empty(),
        "docs/cli.md's command reference is stale\n{REGEN}"
    );
}

/// Every visible command path: `["code"]`, `["trash", "restore"]`, ….
fn command_paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        out.push(path.clone());
        command_paths(sub, &path, out);
    }
}

/// Runs `otp ARGS` in `env`; the snapshot text: the command, exit code,
/// stdout and stderr, with the temp dir written as [TMP].
/// Account ids (random) are written as [ID].
fn transcript(env: &TestEnv, args: &[&str], stdin: &str) -> String {
    let out = env
        .otp()
        .env("COLUMNS", "100")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let tmp = env.dir.path().display().to_string();
    let ids: Vec<String> = if env.vault().exists() {
        let list = env.stdout(&["list", "--json"]);
        let list: serde_json::Value = serde_json::from_str(&list).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    } else {
        Vec::new()
    };
    let clean = |text: &str| {
        ids.iter()
            .fold(text.replace(&tmp, "[TMP]"), |t, id| t.replace(id, "[ID]"))
    };
    format!(
        "$ otp {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        clean(&args.join(" ")),
        out.status.code().map_or("signal".into(), |c| c.to_string()),
        clean(&String::from_utf8_lossy(&out.stdout)),
        clean(&String::from_utf8_lossy(&out.stderr))
    )
}

fn check_snapshots(dir: &str, snapshots: Vec<(String, String)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(dir);
    let mut stale = Vec::new();
    for (name, text) in &snapshots {
        check(&root.join(name), text.as_bytes(), &mut stale);
    }
    let names: std::collections::BTreeSet<_> = snapshots.iter().map(|(n, _)| n.clone()).collect();
    for entry in std::fs::read_dir(&root).into_iter().flatten() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !names.contains(&name) {
            if updating() {
                std::fs::remove_file(root.join(&name)).unwrap();
            } else {
                stale.push(format!("{dir}/{name} (no such snapshot)"));
            }
        }
    }
    assert!(stale.is_empty(), "snapshots differ: {stale:?}\n{REGEN}");
}

#[test]
fn every_commands_help_matches_its_snapshot() {
    let env = TestEnv::new();
    let mut paths = vec![Vec::new()];
    command_paths(&otp::cli::Cli::command(), &[], &mut paths);
    let snapshots = paths
        .iter()
        .map(|path| {
            let name = std::iter::once("otp")
                .chain(path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("-");
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push("--help");
            (format!("{name}.txt"), transcript(&env, &args, ""))
        })
        .collect();
    check_snapshots("help", snapshots);
}

#[test]
fn main_error_messages_match_their_snapshots() {
    let empty = TestEnv::new();
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("GitHub", "bob", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    let other_key = env.write("other-key.txt", "");
    std::fs::remove_file(&other_key).unwrap();
    TestEnv::new()
        .otp()
        .args(["init", "--generate-identity"])
        .arg(&other_key)
        .env("OTP_VAULT", env.path("other.age"))
        .assert()
        .success();
    let conflict = env.write(
        "conflict.txt",
        "otpauth://totp/GitHub:alice?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub\n",
    );
    let conflict = conflict.to_str().unwrap();
    let other_key = other_key.to_str().unwrap();
    let cases: Vec<(&str, &TestEnv, Vec<&str>, &str)> = vec![
        ("usage-unknown-command", &empty, vec!["frobnicate"], ""),
        ("usage-missing-query", &empty, vec!["code"], ""),
        ("no-vault", &empty, vec!["list"], ""),
        ("init-exists", &env, vec!["init"], ""),
        ("no-match", &env, vec!["code", "gitlab"], ""),
        ("ambiguous", &env, vec!["code", "github"], ""),
        (
            "bad-secret",
            &env,
            vec!["add", "x", "--secret-stdin"],
            "not base32!",
        ),
        (
            "plaintext-needs-flag",
            &env,
            vec!["export", "--format", "uris"],
            "",
        ),
        ("import-conflict", &env, vec!["import", conflict], ""),
        (
            "wrong-identity",
            &env,
            vec!["--identity", other_key, "list"],
            "",
        ),
    ];
    let snapshots = cases
        .into_iter()
        .map(|(name, world, args, stdin)| (format!("{name}.txt"), transcript(world, &args, stdin)))
        .collect();
    check_snapshots("errors", snapshots);
}

#[test]
fn docs_cli_md_lists_every_config_key() {
    // serde names every known key when it refuses an unknown one.
    let err = otp::config::Config::parse("no_such_key = 1")
        .unwrap_err()
        .to_string();
    let known = err
        .split("expected one of")
        .nth(1)
        .expect("serde lists the keys");
    let keys: Vec<&str> = known.split('`').skip(1).step_by(2).collect();
    assert!(keys.contains(&"backup_keep"), "{err}");
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md")).unwrap();
    let missing: Vec<_> = keys
        .iter()
        .filter(|k| !docs.contains(&format!("- `{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/cli.md, \"Configuration keys\", lacks {missing:?}: add a line for each"
    );
}
