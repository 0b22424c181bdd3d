//! Prompts as a user meets them at a terminal (issue 32, items 5 and 6):
//! every session runs `otp` on a real pseudo-terminal (tests/tty) and types
//! at its prompts.

use crate::common::*;
use crate::tty;
use crate::tty::Tty;

const PASS: &str = "correct horse battery staple";
const AT: &str = "1700000000";

/// A passphrase vault with no account; the agent off (a passphrase typed at
/// the prompt would otherwise start one), plus `config` lines.
fn passphrase_vault(config: &str) -> TestEnv {
    let env = TestEnv::with_passphrase_vault(PASS);
    env.write(
        "config/otp/config.toml",
        format!("agent = \"off\"\n{config}"),
    );
    env
}

/// The code of `query` at AT, unlocked by the passphrase in the environment.
fn code(env: &TestEnv, query: &str) -> std::process::Output {
    env.bare()
        .env("OTP_PASSPHRASE", PASS)
        .args(["code", query, "--at", AT])
        .output()
        .unwrap()
}

/// `echo SECRET | otp add … --secret-stdin` at a terminal: with
/// prompt_from_tty the passphrase is asked on the terminal; a typo is asked
/// again and the piped secret is not lost.
#[test]
fn a_piped_secret_survives_a_mistyped_passphrase_asked_on_the_terminal() {
    let env = passphrase_vault("prompt_from_tty = true\n");
    let mut tty = Tty::otp(
        &env,
        &["add", "alice", "--issuer", "GitHub", "--secret-stdin"],
        Some(format!("{SECRET}\n").as_bytes()),
    );
    tty.expect("vault passphrase: ");
    tty.line("correct horse battery stable");
    tty.expect("wrong passphrase; try again (2 of 3)");
    tty.expect("vault passphrase: ");
    tty.line(PASS);
    let (status, shown) = tty.finish();
    assert_eq!(status, 0, "{shown}");
    assert!(shown.contains("Added GitHub:alice"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    let out = code(&env, "github");
    assert!(out.status.success(), "{out:?}");
}

/// Three wrong passphrases end the command (exit 1) with the vault as it
/// was; a fourth is never asked for.
#[test]
fn three_wrong_passphrases_end_the_command_and_change_nothing() {
    let env = passphrase_vault("prompt_from_tty = true\n");
    let before = env.vault_bytes();
    let mut tty = Tty::otp(
        &env,
        &["add", "alice", "--issuer", "GitHub", "--secret-stdin"],
        Some(SECRET.as_bytes()),
    );
    for (i, wrong) in ["one", "two", "three"].iter().enumerate() {
        tty.expect("vault passphrase: ");
        tty.line(wrong);
        if i < 2 {
            tty.expect(&format!("try again ({} of 3)", i + 2));
        }
    }
    let (status, shown) = tty.finish();
    assert_eq!(status, 1, "{shown}");
    assert!(shown.contains("wrong passphrase or identity"), "{shown}");
    assert_eq!(shown.matches("vault passphrase: ").count(), 3, "{shown}");
    assert_eq!(env.vault_bytes(), before);
}

/// The same typo with the passphrase typed on stdin's own terminal (no
/// pipe, no setting needed): asked again, and the secret typed at the
/// prompt before it is kept.
#[test]
fn a_secret_typed_at_the_prompt_survives_a_mistyped_passphrase() {
    let env = passphrase_vault("");
    let mut tty = Tty::otp(&env, &["add", "alice", "--issuer", "GitHub"], None);
    tty.expect("Secret (base32): ");
    tty.line(SECRET);
    tty.expect("vault passphrase: ");
    tty.line("not it");
    tty.expect("try again (2 of 3)");
    tty.line(PASS);
    let (status, shown) = tty.finish();
    assert_eq!(status, 0, "{shown}");
    assert!(shown.contains("Added GitHub:alice"), "{shown}");
    assert!(code(&env, "github").status.success());
}

/// Without the setting, a pipe on stdin never prompts (the contract: a
/// script never hangs), even with a terminal at hand; the error names the
/// setting, and the vault is unchanged.
#[test]
fn without_the_setting_a_pipe_is_refused_and_names_prompt_from_tty() {
    let env = passphrase_vault("");
    let before = env.vault_bytes();
    let tty = Tty::otp(
        &env,
        &["add", "alice", "--issuer", "GitHub", "--secret-stdin"],
        Some(SECRET.as_bytes()),
    );
    let (status, shown) = tty.finish();
    assert_eq!(status, 1, "{shown}");
    assert!(shown.contains("stdin is not a terminal"), "{shown}");
    assert!(shown.contains("prompt_from_tty = true"), "{shown}");
    assert!(!shown.contains("passphrase: "), "{shown}");
    assert_eq!(env.vault_bytes(), before);
}

/// With the setting but no controlling terminal (cron, a service), nothing
/// waits: the same refusal at once.
#[test]
fn with_the_setting_and_no_terminal_nothing_waits() {
    let env = passphrase_vault("prompt_from_tty = true\n");
    let Some(out) = tty::otp_without_tty(&env, &["list"]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stdin is not a terminal"));
}

/// `otp init` at a terminal: an empty passphrase is refused at once, a weak
/// one is named and needs a yes, and the vault is made with the next good
/// one, confirmed.
#[test]
fn init_refuses_empty_at_once_and_asks_before_keeping_a_weak_passphrase() {
    let env = TestEnv::new();
    let mut tty = Tty::otp(&env, &["init"], None);
    tty.expect("new vault passphrase: ");
    tty.line("");
    tty.expect("the passphrase is empty; type one");
    tty.expect("new vault passphrase: ");
    tty.line("hunter2");
    tty.expect("this passphrase is weak");
    tty.expect("Use it anyway? [y/N] ");
    tty.line("n");
    tty.expect("new vault passphrase: ");
    tty.line(PASS);
    tty.expect("new vault passphrase (again): ");
    tty.line(PASS);
    let (status, shown) = tty.finish();
    assert_eq!(status, 0, "{shown}");
    assert!(shown.contains("Created an empty vault"), "{shown}");
    let list = env
        .bare()
        .env("OTP_PASSPHRASE", PASS)
        .arg("list")
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
}

/// A mismatch asks again instead of ending `otp init`; a weak passphrase
/// the user says yes to is kept.
#[test]
fn init_asks_again_on_a_mismatch_and_keeps_a_weak_passphrase_on_yes() {
    let env = TestEnv::new();
    let mut tty = Tty::otp(&env, &["init"], None);
    tty.expect("new vault passphrase: ");
    tty.line(PASS);
    tty.expect("new vault passphrase (again): ");
    tty.line("correct horse battery stapler");
    tty.expect("the passphrases do not match; type it again");
    tty.expect("new vault passphrase: ");
    tty.line("hunter2");
    tty.expect("Use it anyway? [y/N] ");
    tty.line("y");
    tty.expect("new vault passphrase (again): ");
    tty.line("hunter2");
    let (status, shown) = tty.finish();
    assert_eq!(status, 0, "{shown}");
    let list = env
        .bare()
        .env("OTP_PASSPHRASE", "hunter2")
        .arg("list")
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
}

/// Scripts are never blocked: a weak passphrase from the environment or a
/// file makes the vault, with a warning on stderr.
#[test]
fn a_scripted_weak_passphrase_is_warned_about_never_blocked() {
    let env = TestEnv::new();
    let out = env
        .bare()
        .env("OTP_PASSPHRASE", "hunter2")
        .arg("init")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("this passphrase is weak"), "{err}");
    assert!(err.contains("it was used as given"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    let other = TestEnv::new();
    let file = other.write("pass.txt", "hunter2\n");
    let out = other
        .bare()
        .arg("--passphrase-file")
        .arg(&file)
        .arg("init")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // A strong one says nothing about strength.
    let quiet = TestEnv::new();
    let out = quiet
        .bare()
        .env("OTP_PASSPHRASE", PASS)
        .arg("init")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("weak"));
}

/// An identity vault whose identity file is sealed with a passphrase
/// (`age -p key.txt`): the file's passphrase typed wrong at the terminal is
/// asked again, as the vault passphrase is, and what was typed before it
/// (the secret of `otp add`) is kept; three wrong ones end the command
/// with the vault unchanged; from a file it is tried once.
#[test]
fn a_protected_identity_file_gets_three_tries_at_the_terminal() {
    let env = TestEnv::new();
    let (secret, recipient) = otp::vault::keys::generate_identity();
    let text = otp::vault::keys::identity_file_text(&secret, &recipient, "2026-01-01T00:00:00Z");
    let sealed = otp::vault::keys::encrypt_with_passphrase(
        text.as_bytes(),
        age::secrecy::SecretString::from(PASS.to_string()),
    )
    .unwrap();
    let key = env.write("key.age", sealed);
    let key = key.to_str().unwrap();
    let init = env
        .bare()
        .env("OTP_PASSPHRASE", PASS)
        .args(["--identity", key, "init"])
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");

    let mut tty = Tty::otp(
        &env,
        &["--identity", key, "add", "alice", "--issuer", "GitHub"],
        None,
    );
    tty.expect("Secret (base32): ");
    tty.line(SECRET);
    tty.expect("passphrase for ");
    tty.line("correct horse battery stable");
    tty.expect("wrong passphrase; try again (2 of 3)");
    tty.expect("passphrase for ");
    tty.line(PASS);
    let (status, shown) = tty.finish();
    assert_eq!(status, 0, "{shown}");
    assert!(shown.contains("Added GitHub:alice"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    let listed = env
        .bare()
        .env("OTP_PASSPHRASE", PASS)
        .args(["--identity", key, "list"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "GitHub:alice\n");

    let before = env.vault_bytes();
    let mut tty = Tty::otp(
        &env,
        &["--identity", key, "remove", "github", "--yes"],
        None,
    );
    for (i, wrong) in ["one", "two", "three"].iter().enumerate() {
        tty.expect("passphrase for ");
        tty.line(wrong);
        if i < 2 {
            tty.expect(&format!("try again ({} of 3)", i + 2));
        }
    }
    let (status, shown) = tty.finish();
    assert_eq!(status, 1, "{shown}");
    assert_eq!(shown.matches("passphrase for ").count(), 3, "{shown}");
    assert_eq!(env.vault_bytes(), before);

    // A passphrase file is a script's: one try, no prompt.
    let wrong = env.write("wrong.txt", "not it\n");
    let out = env
        .bare()
        .arg("--passphrase-file")
        .arg(&wrong)
        .args(["--identity", key, "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("try again"));
}
