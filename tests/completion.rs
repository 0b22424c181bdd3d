//! Dynamic completion of account names through clap_complete's environment
//! protocol (`COMPLETE=<shell> otp -- WORDS`), including a real bash
//! running the registered completion function.

use crate::tty;
use std::process::Command;
use std::time::Duration;

use crate::common::*;

fn world() -> TestEnv {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("GitHub", "bob", "GEZDGNBVGY3TQOJQ");
    env.add("Microsoft Azure", "me@work.example", "MFRGGZDFMZTWQ2LK");
    env
}

/// The bash answers for `words`, completing the last one.
fn bash_answers(cmd: &mut assert_cmd::Command, words: &[&str]) -> Vec<String> {
    // Completion gives up after 4 s, which one scrypt on a loaded 2-core
    // machine can exceed: the tests give it 2 minutes. A completion that
    // blocks (on a prompt, say) is killed at 3 minutes and fails here.
    let out = cmd
        .timeout(Duration::from_secs(180))
        .env("OTP_COMPLETE_SECONDS", "120")
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('-'))
        .map(str::to_string)
        .collect()
}

#[test]
fn code_offers_account_labels() {
    let env = world();
    assert_eq!(
        bash_answers(&mut env.otp(), &["otp", "code", ""]),
        [
            "GitHub:alice",
            "GitHub:bob",
            r"Microsoft\ Azure:me@work.example"
        ]
    );
    // Ignoring case, then by substring; after a colon, bash wants the rest.
    assert_eq!(
        bash_answers(&mut env.otp(), &["otp", "code", "git"]),
        ["GitHub:alice", "GitHub:bob"]
    );
    assert_eq!(
        bash_answers(&mut env.otp(), &["otp", "code", "azure"]),
        [r"Microsoft\ Azure:me@work.example"]
    );
    assert_eq!(
        bash_answers(&mut env.otp(), &["otp", "code", "GitHub:b"]),
        ["bob"]
    );
    // The other QUERY arguments too.
    for words in [
        &["otp", "show", "git"][..],
        &["otp", "rename", "git"],
        &["otp", "remove", "git"],
        &["otp", "list", "git"],
        &["otp", "recovery-codes", "show", "git"],
    ] {
        assert_eq!(bash_answers(&mut env.otp(), words).len(), 2, "{words:?}");
    }
}

#[test]
fn unlock_options_on_the_line_are_used() {
    let env = world();
    let key = env.identity().display().to_string();
    // No OTP_IDENTITY in the environment: only the typed --identity opens it.
    assert!(bash_answers(&mut env.bare(), &["otp", "code", "git"]).is_empty());
    assert_eq!(
        bash_answers(&mut env.bare(), &["otp", "--identity", &key, "code", "git"]).len(),
        2
    );
    assert_eq!(
        bash_answers(&mut env.bare(), &["otp", "code", "-i", &key, "git"]).len(),
        2
    );
}

#[test]
fn trash_restore_offers_trashed_accounts() {
    let env = world();
    env.otp()
        .args(["remove", "bob", "--yes"])
        .assert()
        .success();
    assert_eq!(
        bash_answers(&mut env.otp(), &["otp", "trash", "restore", ""]),
        ["GitHub:bob"]
    );
    assert_eq!(
        bash_answers(&mut env.otp(), &["otp", "code", "git"]),
        ["GitHub:alice"]
    );
}

#[test]
fn zsh_and_fish_get_labels_with_ids() {
    let env = world();
    let out = env
        .otp()
        .env("COMPLETE", "zsh")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .args(["--", "otp", "code", "GitHub:a"])
        .output()
        .unwrap();
    let zsh = String::from_utf8(out.stdout).unwrap();
    assert!(zsh.starts_with(r"GitHub\:alice:"), "{zsh}");
    let out = env
        .otp()
        .env("COMPLETE", "fish")
        .args(["--", "otp", "code", "micro"])
        .output()
        .unwrap();
    let fish = String::from_utf8(out.stdout).unwrap();
    assert!(
        fish.starts_with("Microsoft Azure:me@work.example\t"),
        "{fish}"
    );
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = env.otp().env("COMPLETE", shell).output().unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
}

#[test]
fn without_an_unlock_method_nothing_is_offered_and_nothing_prompts() {
    let env = TestEnv::with_passphrase_vault("correct horse");
    env.bare()
        .args(["add", "alice", "--issuer", "GitHub", "--secret", SECRET])
        .env("OTP_PASSPHRASE", "correct horse")
        .assert()
        .success();
    assert!(bash_answers(&mut env.bare(), &["otp", "code", "git"]).is_empty());
    // On a terminal, where a normal run would prompt, completion does not.
    let (status, out) = tty::otp_on_tty(
        &env,
        &["--", "otp", "code", "git"],
        &[
            ("COMPLETE", "bash"),
            ("_CLAP_COMPLETE_INDEX", "2"),
            ("PTY_TIMEOUT", "60"),
        ],
    );
    assert_eq!(status, 0, "completion blocked or failed: {out:?}");
    assert!(
        !out.contains("GitHub") && !out.contains("assphrase"),
        "{out:?}"
    );
    // A passphrase file is an unlock method that needs no prompt.
    let file = env.write("pass.txt", "correct horse\n");
    assert_eq!(
        bash_answers(
            env.bare().env("OTP_PASSPHRASE_FILE", &file),
            &["otp", "code", "git"]
        ),
        ["GitHub:alice"]
    );
}

#[test]
fn real_bash_completes_through_colons_and_spaces() {
    if !require("bash") {
        return;
    }
    let env = world();
    let bin = assert_cmd::cargo::cargo_bin("otp");
    // COMP_WORDS as bash splits them: at spaces, and at ':' and '='.
    let script = format!(
        r#"
source <(COMPLETE=bash '{bin}')
try() {{
    COMP_LINE=$1; COMP_POINT=${{#COMP_LINE}}; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
    _otp_complete otp "${{COMP_WORDS[COMP_CWORD]}}" ""
    printf '%s|' "${{COMPREPLY[@]}}"; echo
}}
try 'otp code gi' otp code gi
try 'otp code GitHub:' otp code GitHub :
try 'otp code GitHub:a' otp code GitHub : a
try 'otp code micro' otp code micro
try 'otp code Microsoft\ Azure:m' otp code 'Microsoft\ Azure' : m
"#,
        bin = bin.display()
    );
    let mut bash = Command::new("bash");
    env.isolate(&mut bash);
    let out = bash
        .arg("-c")
        .arg(script)
        .env("OTP_IDENTITY", env.identity())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "GitHub:alice|GitHub:bob|",
            "alice|bob|",
            "alice|",
            r"Microsoft\ Azure:me@work.example|",
            "me@work.example|",
        ],
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Generating completions reads no config: a typo in config.toml must not
/// keep a shell from getting its completion script.
#[test]
fn completions_are_generated_whatever_the_config_says() {
    let env = TestEnv::with_vault();
    env.write("config/otp/config.toml", "clipbaord = \"auto\"\n");
    // Other commands refuse the config, naming the key.
    env.otp()
        .arg("list")
        .assert()
        .code(1)
        .stderr(predicates::str::contains("clipbaord"));
    for shell in ["bash", "zsh", "fish"] {
        env.otp()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicates::str::contains("otp"));
    }
}

/// A vault that decrypts to bytes that are not UTF-8: completion offers
/// nothing, and does not fail the shell.
#[test]
fn a_vault_that_is_not_utf8_completes_nothing() {
    let env = TestEnv::with_vault();
    let recipient = std::fs::read_to_string(env.identity())
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .parse::<age::x25519::Identity>()
        .unwrap()
        .to_public();
    let data = otp::vault::keys::encrypt(
        b"[[accounts]]\nname = \"\xff\"\n",
        &[Box::new(recipient)],
        false,
    )
    .unwrap();
    std::fs::write(env.vault(), data).unwrap();
    assert!(bash_answers(&mut env.otp(), &["otp", "code", ""]).is_empty());
    env.otp()
        .arg("list")
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not UTF-8"));
}
