//! Everyday ergonomics: colour only where it belongs, per-account remaining
//! seconds in `list --codes`, `code --wait`, and ambiguity candidates the
//! user can paste back.

use crate::common::*;
use crate::tty;
use predicates::prelude::*;

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn no_escape_codes_in_pipes_unless_forced() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    // Piped, NO_COLOR unset: plain.
    let out = env
        .otp()
        .env_remove("NO_COLOR")
        .args(["list", "--codes"])
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b));
    env.otp()
        .env_remove("NO_COLOR")
        .args(["code", "nothing-like-it"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("\x1b").not());
    // --color always wins over the pipe, and over NO_COLOR.
    let out = env
        .otp()
        .args(["--color", "always", "list", "--codes"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b[1m"));
    env.otp()
        .args(["code", "nothing-like-it", "--color", "always"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("\x1b[1m\x1b[31merror:"));
}

#[test]
fn colour_on_a_terminal_unless_no_color_or_never() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let (status, out) = tty::otp_on_tty(&env, &["list", "--codes"], &[]);
    assert_eq!(status, 0);
    assert!(out.contains("\x1b[1m"), "{out:?}");
    let (_, out) = tty::otp_on_tty(&env, &["list", "--codes"], &[("NO_COLOR", "1")]);
    assert!(!out.contains('\x1b'), "{out:?}");
    let (_, out) = tty::otp_on_tty(&env, &["--color", "never", "list", "--codes"], &[]);
    assert!(!out.contains('\x1b'), "{out:?}");
}

#[test]
fn list_codes_uses_each_accounts_own_period() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp()
        .args([
            "add", "slow", "--issuer", "Slow", "--secret", SECRET, "--period", "90",
        ])
        .assert()
        .success();
    let before = unix_now();
    let text = env.stdout(&["list", "--codes"]);
    let after = unix_now();
    for (line, period) in text.lines().zip([30u64, 90]) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (code, left) = (fields[1], fields[2]);
        let left: u64 = left.trim_end_matches('s').parse().unwrap();
        // Whatever second the command read, it is one of these.
        let possible: Vec<u64> = (before..=after).collect();
        assert!(
            possible.iter().any(|t| period - t % period == left),
            "{line}: {left} s left is not possible for period {period}"
        );
        let label = fields[0];
        let at_codes: Vec<String> = possible
            .iter()
            .map(|t| env.stdout(&["code", label, "--at", &t.to_string()]))
            .collect();
        assert!(at_codes.iter().any(|c| c.trim() == code), "{line}");
    }
}

#[test]
fn wait_moves_to_the_next_period_only_when_nearly_over() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let code_at = |t: &str| env.stdout(&["code", "github", "--at", t]);
    let json =
        |args: &[&str]| -> serde_json::Value { serde_json::from_str(&env.stdout(args)).unwrap() };
    // Default min_remaining_seconds = 5. At ...000 30 s remain: no change.
    assert_eq!(
        env.stdout(&["code", "github", "--wait", "--at", "1257894000"]),
        code_at("1257894000")
    );
    // At ...025, 5 s remain: still enough.
    assert_eq!(
        env.stdout(&["code", "github", "--wait", "--at", "1257894025"]),
        code_at("1257894025")
    );
    // At ...026, 4 s remain: the next period's code, with its full 30 s.
    assert_eq!(
        env.stdout(&["code", "github", "--wait", "--at", "1257894026"]),
        code_at("1257894030")
    );
    let v = json(&["code", "github", "--wait", "--at", "1257894028", "--json"]);
    assert_eq!(v["remaining"], 30);
    // Without --wait, --at is taken as given.
    let v = json(&["code", "github", "--at", "1257894028", "--json"]);
    assert_eq!(v["remaining"], 2);
    // min_remaining_seconds = 0: never waits, even with 1 s left.
    env.write("config/otp/config.toml", "min_remaining_seconds = 0\n");
    let v = json(&["code", "github", "--wait", "--at", "1257894029", "--json"]);
    assert_eq!(v["remaining"], 1);
    assert_eq!(v["code"].as_str(), Some(code_at("1257894029").trim()));
}

#[test]
fn ambiguity_candidates_can_be_pasted_back() {
    let env = TestEnv::with_vault();
    env.add("Google", "alice", SECRET);
    env.add("Google", "bob", "GEZDGNBVGY3TQOJQ");
    let out = env.otp().args(["code", "google"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr
        .lines()
        .find(|l| l.contains("Google:bob ("))
        .expect("candidate line");
    let id = line
        .rsplit_once('(')
        .and_then(|(_, r)| r.strip_suffix(')'))
        .unwrap();
    assert_eq!(
        env.stdout(&["code", id, "--at", "0"]),
        env.stdout(&["code", "google:bob", "--at", "0"])
    );
    env.otp()
        .args(["code", "gogle:alice"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("did you mean: Google:alice"));
}

#[test]
fn color_choice_reaches_clap_help_and_errors() {
    let env = TestEnv::new();
    let has_escape = |args: &[&str], force: bool| {
        let mut cmd = env.bare();
        cmd.env_remove("NO_COLOR").args(args);
        if force {
            cmd.env("CLICOLOR_FORCE", "1");
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success() || args.contains(&"--help"));
        out.stdout.contains(&0x1b) || out.stderr.contains(&0x1b)
    };
    // Piped, clap colours only when told to; told never, not even when forced.
    assert!(has_escape(&["--color", "always", "frobnicate"], false));
    assert!(has_escape(&["--color=always", "code", "--help"], false));
    assert!(!has_escape(&["--color", "never", "frobnicate"], true));
    assert!(!has_escape(&["code", "--color=never", "--help"], true));
    assert!(
        has_escape(&["frobnicate"], true),
        "the check can see colour"
    );
}
