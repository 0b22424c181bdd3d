//! Issue 13's small guarantees, each tried the way a careless user or a
//! hostile environment would: core files and children that inherit the
//! passphrase, saves that fail, closed output streams, the end of time,
//! huge imports, hostile file names, secrets in Debug output.

mod common;

use common::*;

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
