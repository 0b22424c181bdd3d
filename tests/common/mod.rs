//! A temporary world for CLI tests: HOME, XDG dirs and the vault live in a
//! temp dir, the vault opens with a generated identity file, and nothing the
//! user has (config, vault, environment) leaks in.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub struct TestEnv {
    pub dir: TempDir,
}

pub const SECRET: &str = "JBSWY3DPEHPK3PXP";
/// TOTP of SECRET at 1257894000 (2009-11-10 23:00:00 UTC), from dim13/otpauth.
pub const SECRET_CODE_AT: (&str, &str) = ("1257894000", "528064");

impl TestEnv {
    /// An empty world with no vault.
    pub fn new() -> Self {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A world with an identity vault, initialised.
    pub fn with_vault() -> Self {
        let env = TestEnv::new();
        env.otp()
            .args(["init", "--generate-identity"])
            .arg(env.identity())
            .assert()
            .success();
        env
    }

    /// A world with a passphrase vault, initialised with `passphrase`.
    pub fn with_passphrase_vault(passphrase: &str) -> Self {
        let env = TestEnv::new();
        env.bare()
            .arg("init")
            .env("OTP_PASSPHRASE", passphrase)
            .assert()
            .success();
        env
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn vault(&self) -> PathBuf {
        self.path("data/otp/vault.age")
    }

    pub fn identity(&self) -> PathBuf {
        self.path("key.txt")
    }

    /// `otp` with an isolated environment; unlocks with the identity file
    /// once it exists.
    pub fn otp(&self) -> Command {
        let mut cmd = self.bare();
        if self.identity().exists() {
            cmd.env("OTP_IDENTITY", self.identity());
        }
        cmd
    }

    /// `otp` with an isolated environment and no unlock method at all.
    pub fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("otp").expect("binary");
        for (var, value) in self.isolation() {
            match value {
                Some(value) => cmd.env(var, value),
                None => cmd.env_remove(var),
            };
        }
        cmd
    }

    /// The one environment isolation of every CLI test: each variable set
    /// (Some) or removed (None). `bare` applies it; tests that start the
    /// binary as a plain process apply it with `isolate`.
    pub fn isolation(&self) -> Vec<(&'static str, Option<std::ffi::OsString>)> {
        let mut out: Vec<(&'static str, Option<std::ffi::OsString>)> = [
            "OTP_VAULT",
            "OTP_CONFIG",
            "OTP_IDENTITY",
            "OTP_PASSPHRASE",
            "OTP_PASSPHRASE_FILE",
            "DISPLAY",
            "WAYLAND_DISPLAY",
            // A test run inside tmux or screen must not copy into the
            // user's multiplexer.
            "TMUX",
            "TMUX_PANE",
            "STY",
        ]
        .into_iter()
        .map(|var| (var, None))
        .collect();
        for (var, value) in [
            ("HOME", self.dir.path().to_path_buf()),
            ("XDG_DATA_HOME", self.path("data")),
            ("XDG_CONFIG_HOME", self.path("config")),
            ("XDG_CACHE_HOME", self.path("cache")),
            // The agent's socket folder: never the user's own agent.
            ("XDG_RUNTIME_DIR", self.path("run")),
            ("NO_COLOR", "1".into()),
            // Passphrase key files sealed with a cheap scrypt (debug
            // builds only: src/vault/keys.rs); the shipped binary ignores it.
            ("OTP_TEST_SCRYPT_LOG_N", "12".into()),
            ("OTP_VAULT", self.vault()),
        ] {
            out.push((var, Some(value.into_os_string())));
        }
        // git (`otp sync`) sees no configuration of the machine's user, and
        // commits under a fixed name even on a fresh CI machine.
        for (var, value) in git_env() {
            out.push((var, Some(value.into())));
        }
        out
    }

    /// `isolation` applied to a plain process (no unlock method added).
    pub fn isolate(&self, cmd: &mut std::process::Command) {
        for (var, value) in self.isolation() {
            match value {
                Some(value) => cmd.env(var, value),
                None => cmd.env_remove(var),
            };
        }
    }

    /// Adds a TOTP account with the given secret.
    pub fn add(&self, issuer: &str, name: &str, secret: &str) {
        self.otp()
            .args(["add", name, "--issuer", issuer, "--secret-stdin"])
            .write_stdin(secret)
            .assert()
            .success();
    }

    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.otp().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "otp {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs `otp ARGS` (as [`TestEnv::otp`] sets it up) and checks it was
    /// refused: exit `code`, `needle` on stderr, and the vault byte for byte
    /// as it was (or still absent). Returns stderr for further checks.
    pub fn assert_refused<I, S>(&self, args: I, code: i32, needle: &str) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let before = std::fs::read(self.vault()).ok();
        let out = self.otp().args(args).output().expect("run otp");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
        assert!(
            stderr.contains(needle),
            "stderr does not say {needle:?}: {stderr}"
        );
        assert_eq!(
            std::fs::read(self.vault()).ok(),
            before,
            "the vault changed: {stderr}"
        );
        stderr
    }

    pub fn vault_bytes(&self) -> Vec<u8> {
        std::fs::read(self.vault()).expect("vault exists")
    }

    /// The vault's plaintext, decrypted with the identity file.
    pub fn plaintext(&self) -> String {
        let identity = self.age_identity();
        let plain = otp::vault::keys::decrypt(&self.vault_bytes(), &[Box::new(identity)])
            .expect("decrypt the vault");
        String::from_utf8(plain.to_vec()).expect("utf-8 plaintext")
    }

    /// Replaces the vault with `text`, encrypted to the identity file: a
    /// hand edit, another TOML writer, or damage inside the encryption,
    /// made without the vault's authentication key (otp refuses it unless
    /// it is untagged and keyless on a machine with no record).
    pub fn write_plaintext(&self, text: &str) {
        let recipient = self.age_identity().to_public();
        let data = otp::vault::keys::encrypt(text.as_bytes(), &[Box::new(recipient)], false)
            .expect("encrypt the vault");
        std::fs::write(self.vault(), data).expect("write the vault");
    }

    /// Replaces the vault with `text` as otp itself would have written it
    /// on this machine: tagged with the authentication key the text holds
    /// (if any), and recorded in this machine's data folder as the version
    /// it last wrote (src/model/record.rs). For tests of layouts and old
    /// vaults that otp reads; [`TestEnv::write_plaintext`] is the hand edit
    /// otp refuses.
    pub fn write_sealed(&self, text: &str) {
        use otp::model::auth;
        use otp::model::record::{How, Record};
        let body = auth::split(text).map_or(text, |(_, body)| body);
        let key = body.lines().find_map(|l| {
            let hex = l.strip_prefix("auth_key = \"")?.strip_suffix('"')?;
            let bytes: [u8; 32] = data_encoding::HEXLOWER
                .decode(hex.as_bytes())
                .ok()?
                .try_into()
                .ok()?;
            Some(auth::AuthKey::from_bytes(bytes))
        });
        let sealed = match &key {
            Some(key) => auth::seal(key, body).to_string(),
            None => body.to_string(),
        };
        self.write_plaintext(&sealed);
        let vault = otp::model::Vault::parse(&sealed).expect("a vault otp reads");
        for entry in std::fs::read_dir(self.path("data/otp")).expect("a data folder") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "trust") {
                let old = Record::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let record = Record::of(&vault, &old.vault, How::Written, old.at);
                std::fs::write(&path, record.to_toml()).unwrap();
            }
        }
    }

    fn age_identity(&self) -> age::x25519::Identity {
        let file = std::fs::read_to_string(self.identity()).expect("identity file");
        let line = file
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .expect("an age identity");
        line.parse().expect("a valid identity")
    }

    pub fn write(&self, rel: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, data).unwrap();
        p
    }
}

/// The environment git runs in under tests: no system or user config, a
/// fixed author and committer.
pub fn git_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
        ("GIT_TERMINAL_PROMPT", "0"),
    ]
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// True when a command-line tool is on PATH.
pub fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Interop tools must exist in CI (.ci/run installs them); locally a missing
/// tool skips the test with a note.
/// The otp binary under test: `CARGO_BIN_EXE_otp` as the test process
/// finds it when it runs (so `.ci/run` can point every test file at the
/// shipped static binary), else the one cargo built. A test that starts otp
/// through another program (tmux, setsid) names it with this, never with
/// `env!("CARGO_BIN_EXE_otp")`, which is fixed when the test is compiled.
pub fn otp_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("otp")
}

pub fn require(tool: &str) -> bool {
    if have(tool) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{tool} must be installed in CI (see .ci/run)"
    );
    eprintln!("skipping: {tool} is not installed");
    false
}

/// `age -d -i IDENTITY FILE` with the Debian `age` CLI.
pub fn age_cli_decrypt(identity: &Path, file: &Path) -> std::process::Output {
    std::process::Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .output()
        .expect("run age")
}

/// The plaintext `age -d -i IDENTITY FILE` gives; fails the test if age fails.
pub fn age_cli_plaintext(identity: &Path, file: &Path) -> String {
    let out = age_cli_decrypt(identity, file);
    assert!(
        out.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 plaintext")
}

/// Starts a private X server (`Xvfb -displayfd`, so it picks a free display)
/// with one screen of `geometry` (e.g. "1280x800x24"); returns the server and
/// its DISPLAY (":N"). The caller kills the server.
///
/// `-noreset`: by default an X server resets when its last client
/// disconnects, and a client connecting during that reset fails with
/// "unable to open X server". The tests poll with short-lived clients
/// (`xwininfo`, `otp … --screen`, `xclip`) while a slow program (`display`)
/// is still starting, so without it a test failed now and then (about one
/// run of tests/qr_screen.rs in four on a busy machine).
pub fn start_xvfb(geometry: &str, wait: std::time::Duration) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut server = std::process::Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-noreset",
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            geometry,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb");
    let stdout = server.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let number = rx.recv_timeout(wait).expect("Xvfb reports its display");
    let number = number.trim();
    assert!(!number.is_empty(), "Xvfb did not start");
    let display = format!(":{number}");
    (server, display)
}
