//! `otp sync` against real git: two machines (two temp HOMEs) and a bare
//! repository on local disk as the remote.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{SECRET, TestEnv, git_env};
use tempfile::TempDir;

const OTHER_SECRET: &str = "GEZDGNBVGY3TQOJQ";
const THIRD_SECRET: &str = "MFRGGZDFMZTWQ2LK";
const FOURTH_SECRET: &str = "NBSWY3DPO5XXE3DE";

/// A bare repository standing in for GitHub.
struct Remote {
    dir: TempDir,
}

impl Remote {
    fn new() -> Remote {
        assert!(common::have("git"), "git must be installed (see .ci/run)");
        let remote = Remote {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = git(remote.dir.path(), &["init", "--bare", "-q", "remote.git"]);
        assert!(out.status.success());
        remote
    }

    fn url(&self) -> String {
        self.path().to_string_lossy().into_owned()
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("remote.git")
    }
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    for (k, v) in git_env() {
        cmd.env(k, v);
    }
    cmd.output().expect("run git")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn repo_dir(env: &TestEnv) -> PathBuf {
    env.vault().parent().unwrap().to_path_buf()
}

/// First machine: an identity vault pushed to `remote`.
fn first_machine(remote: &Remote) -> TestEnv {
    let a = TestEnv::with_vault();
    a.otp()
        .args(["sync", "init", &remote.url()])
        .assert()
        .success();
    a
}

/// Second machine: the same identity, the vault cloned from `remote`.
fn second_machine(a: &TestEnv, remote: &Remote) -> TestEnv {
    let b = TestEnv::new();
    std::fs::copy(a.identity(), b.identity()).unwrap();
    b.otp()
        .args(["sync", "clone", &remote.url()])
        .assert()
        .success();
    b
}

fn labels(env: &TestEnv) -> Vec<String> {
    let mut l: Vec<String> = env.stdout(&["list"]).lines().map(str::to_string).collect();
    l.sort();
    l
}

fn sync(env: &TestEnv) {
    env.otp().arg("sync").assert().success();
}

fn all_commit_messages(env: &TestEnv) -> String {
    git_ok(&repo_dir(env), &["log", "--all", "--format=%B"])
}

/// `otp sync` that must succeed; what it said on stderr.
fn sync_stderr(env: &TestEnv) -> String {
    let out = env.otp().arg("sync").output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// Two machines sharing one identity vault through a bare remote: A made
/// it and pushed it (`otp sync init`), B cloned it (`otp sync clone`).
struct TwoMachines {
    remote: Remote,
    a: TestEnv,
    b: TestEnv,
}

impl TwoMachines {
    /// Both set up, with no account yet.
    fn new() -> TwoMachines {
        TwoMachines::starting_with(|_| {})
    }

    /// A's vault with what `setup` adds, synced before B clones it.
    fn starting_with(setup: impl FnOnce(&TestEnv)) -> TwoMachines {
        let remote = Remote::new();
        let a = first_machine(&remote);
        setup(&a);
        sync(&a);
        let b = second_machine(&a, &remote);
        TwoMachines { remote, a, b }
    }

    fn both(&self) -> [&TestEnv; 2] {
        [&self.a, &self.b]
    }

    /// A syncs (pushes), B syncs (merges A's changes with its own and
    /// pushes), A syncs (takes the merge): each has the other's changes.
    fn sync_round(&self) {
        sync(&self.a);
        sync(&self.b);
        sync(&self.a);
    }

    /// Both machines hold the same vault, byte for byte, at the remote's
    /// commit, with nothing left uncommitted.
    fn assert_converged(&self) {
        assert_eq!(self.a.plaintext(), self.b.plaintext());
        assert_eq!(self.a.vault_bytes(), self.b.vault_bytes());
        let head_r = git_ok(&self.remote.path(), &["rev-parse", "main"]);
        for env in self.both() {
            assert_eq!(git_ok(&repo_dir(env), &["rev-parse", "HEAD"]), head_r);
            let status = git_ok(&repo_dir(env), &["status", "--porcelain"]);
            assert_eq!(status, "", "uncommitted or untracked files");
        }
    }
}

/// `otp` unlocking with the passphrase in the machine's `pass.txt`.
fn with_pass(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.bare();
    cmd.env("OTP_PASSPHRASE_FILE", env.path("pass.txt"));
    cmd
}

/// Two machines sharing a passphrase vault (A made it, B cloned it), each
/// with the passphrase in its `pass.txt` for [`with_pass`].
fn passphrase_machines(remote: &Remote, passphrase: &str) -> (TestEnv, TestEnv) {
    let a = TestEnv::with_passphrase_vault(passphrase);
    a.write("pass.txt", format!("{passphrase}\n"));
    with_pass(&a)
        .args(["sync", "init", &remote.url()])
        .assert()
        .success();
    let b = TestEnv::new();
    // The clone needs no key: it takes the key file from the remote.
    b.bare()
        .args(["sync", "clone", &remote.url()])
        .assert()
        .success();
    b.write("pass.txt", format!("{passphrase}\n"));
    (a, b)
}

/// A machine with an age key of its own (not A's), the vault cloned from
/// `remote`; and its public key, for `otp recipients add` on A.
fn own_key_machine(remote: &Remote) -> (TestEnv, String) {
    let b = TestEnv::new();
    let (secret, recipient) = otp::vault::keys::generate_identity();
    let text = otp::vault::keys::identity_file_text(&secret, &recipient, "2026-01-01T00:00:00Z");
    std::fs::write(b.identity(), text.as_bytes()).unwrap();
    b.otp()
        .args(["sync", "clone", &remote.url()])
        .assert()
        .success();
    (b, recipient)
}

/// `git pull` typed in a machine's vault folder (git's test environment;
/// the caller says how otp's merge driver unlocks).
fn git_pull(env: &TestEnv, args: &[&str]) -> std::process::Command {
    let mut pull = std::process::Command::new("git");
    pull.arg("-C").arg(repo_dir(env)).arg("pull").args(args);
    for (k, v) in git_env() {
        pull.env(k, v);
    }
    pull
}

#[test]
fn additions_on_both_machines_end_up_on_both() {
    let m = TwoMachines::new();
    m.a.add("GitHub", "alice", SECRET);
    m.b.add("Bank", "bob", OTHER_SECRET);
    m.sync_round();
    for env in m.both() {
        assert_eq!(labels(env), ["Bank:bob", "GitHub:alice"]);
    }
    // One merge commit with both machines' commits as parents.
    let parents = git_ok(&repo_dir(&m.b), &["log", "-1", "--format=%P"]);
    assert_eq!(parents.split_whitespace().count(), 2, "{parents}");
    // Both machines and the remote agree, and nothing is left uncommitted.
    m.assert_converged();
}

#[test]
fn history_never_names_an_account_or_holds_a_secret() {
    let m = TwoMachines::new();
    m.a.add("Secretive Issuer", "alice@private.example", SECRET);
    m.a.otp()
        .args(["rename", "secretive", "renamed-user"])
        .assert()
        .success();
    m.b.add("Hidden Bank", "bob", OTHER_SECRET);
    m.sync_round();
    let log = all_commit_messages(&m.a);
    for private in [
        "Secretive",
        "alice",
        "private.example",
        "renamed-user",
        "Hidden",
        "bob",
        SECRET,
        OTHER_SECRET,
    ] {
        assert!(!log.contains(private), "{private} in history:\n{log}");
    }
    assert!(log.contains("otp: add (change "), "{log}");
    assert!(log.contains("otp: rename (change "), "{log}");
    assert!(log.contains("otp: sync merge (change "), "{log}");
    // Only encrypted files are shared: no plaintext of a label in any blob.
    let files = git_ok(&repo_dir(&m.a), &["ls-files"]);
    let mut files: Vec<&str> = files.lines().collect();
    files.sort();
    assert_eq!(files, [".gitattributes", ".gitignore", "vault.age"]);
}

#[test]
fn a_passphrase_vault_syncs_with_its_key_file() {
    let remote = Remote::new();
    let (a, b) = passphrase_machines(&remote, "correct horse");
    assert!(b.path("data/otp/vault.identity.age").exists());
    let add = |env: &TestEnv, issuer: &str, secret: &str| {
        env.bare()
            .env("OTP_PASSPHRASE", "correct horse")
            .args(["add", "me", "--issuer", issuer, "--secret-stdin"])
            .write_stdin(secret)
            .assert()
            .success();
    };
    add(&a, "Alpha", SECRET);
    add(&b, "Beta", OTHER_SECRET);
    for env in [&a, &b, &a] {
        with_pass(env).arg("sync").assert().success();
    }
    for env in [&a, &b] {
        let out = with_pass(env).arg("list").output().unwrap();
        let mut list: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        list.sort();
        assert_eq!(list, ["Alpha:me", "Beta:me"]);
    }
    let files = git_ok(&repo_dir(&a), &["ls-files"]);
    assert!(files.contains("vault.identity.age"), "{files}");
}

#[test]
fn removed_on_one_machine_and_edited_on_the_other_is_kept() {
    let TwoMachines { a, b, .. } = &TwoMachines::starting_with(|a| {
        a.add("GitHub", "alice", SECRET);
        a.add("Bank", "bob", OTHER_SECRET);
    });
    a.otp()
        .args(["remove", "github", "--yes"])
        .assert()
        .success();
    a.otp().args(["trash", "purge", "--yes"]).assert().success();
    b.otp()
        .args(["rename", "github", "alice2"])
        .assert()
        .success();
    // And one removed on A, untouched on B: in the trash on both.
    a.otp().args(["remove", "bank", "--yes"]).assert().success();
    sync(a);
    let said = sync_stderr(b);
    assert!(
        said.contains("removed on one side but changed on the other"),
        "{said}"
    );
    sync(a);
    for env in [a, b] {
        assert_eq!(labels(env), ["GitHub:alice2"]);
        let trash = env.stdout(&["trash", "list"]);
        assert!(trash.contains("Bank:bob"), "{trash}");
    }
}

#[test]
fn a_conflicting_edit_exits_5_and_changes_nothing() {
    let TwoMachines { a, b, .. } = &TwoMachines::starting_with(|a| {
        a.add("GitHub", "alice", SECRET);
    });
    a.otp().args(["rename", "github", "one"]).assert().success();
    b.otp().args(["rename", "github", "two"]).assert().success();
    sync(a);
    let before = b.vault_bytes();
    let head = git_ok(&repo_dir(b), &["rev-parse", "HEAD"]);
    let out = b.otp().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("GitHub:two / GitHub:one"), "{said}");
    assert!(said.contains("name"), "{said}");
    assert!(said.contains("--keep-both"), "{said}");
    assert_eq!(b.vault_bytes(), before);
    assert_eq!(git_ok(&repo_dir(b), &["rev-parse", "HEAD"]), head);
    // The way out: keep both.
    b.otp().args(["sync", "--keep-both"]).assert().success();
    sync(a);
    for env in [a, b] {
        assert_eq!(labels(env), ["GitHub:one", "GitHub:two"]);
    }
}

#[test]
fn hotp_counters_take_the_maximum() {
    let m = TwoMachines::starting_with(|a| {
        a.otp()
            .args(["add", "bank", "--hotp", "--secret-stdin"])
            .write_stdin(SECRET)
            .assert()
            .success();
    });
    let (a, b) = (&m.a, &m.b);
    for _ in 0..3 {
        a.stdout(&["code", "bank"]);
    }
    let on_b = b.stdout(&["code", "bank"]);
    m.sync_round();
    // RFC 4226 test key is different; compare against A's own next code.
    let counter = |env: &TestEnv| {
        let json: serde_json::Value =
            serde_json::from_str(&env.stdout(&["list", "--json"])).unwrap();
        json[0]["counter"].as_u64().unwrap()
    };
    assert_eq!(counter(a), 3);
    assert_eq!(counter(b), 3);
    let next_a = a.stdout(&["code", "bank"]);
    assert_ne!(next_a, on_b, "a code shown on B was shown again");
}

#[test]
fn git_pull_merges_by_account_with_the_driver() {
    let TwoMachines { a, b, .. } = &TwoMachines::new();
    a.add("GitHub", "alice", SECRET);
    b.add("Bank", "bob", OTHER_SECRET);
    sync(a);
    let out = git_pull(b, &["--no-rebase", "--no-edit", "-q"])
        .env("OTP_IDENTITY", b.identity())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git pull: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(labels(b), ["Bank:bob", "GitHub:alice"]);
    assert_eq!(git_ok(&repo_dir(b), &["status", "--porcelain"]), "");
    // Without a key the driver fails cleanly and git leaves a conflict.
    a.add("Third", "c", THIRD_SECRET);
    b.add("Fourth", "d", FOURTH_SECRET);
    sync(a);
    let before = b.vault_bytes();
    let out = git_pull(b, &["--no-rebase", "--no-edit", "-q"])
        .env_remove("OTP_IDENTITY")
        .env("HOME", b.dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(b.vault_bytes(), before, "the driver wrote without a key");
    git_ok(&repo_dir(b), &["merge", "--abort"]);
    sync(b);
    assert_eq!(
        labels(b),
        ["Bank:bob", "Fourth:d", "GitHub:alice", "Third:c"]
    );
}

#[test]
fn offline_changes_commit_and_sync_later() {
    let remote = Remote::new();
    let a = first_machine(&remote);
    let away = remote.dir.path().join("away.git");
    std::fs::rename(remote.path(), &away).unwrap();
    a.add("GitHub", "alice", SECRET);
    let log = git_ok(&repo_dir(&a), &["log", "--format=%s"]);
    assert!(log.starts_with("otp: add (change "), "{log}");
    let out = a.otp().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot reach the remote"), "{said}");
    assert!(said.contains("nothing is lost"), "{said}");
    assert_eq!(labels(&a), ["GitHub:alice"]);
    std::fs::rename(&away, remote.path()).unwrap();
    sync(&a);
    let b = second_machine(&a, &remote);
    assert_eq!(labels(&b), ["GitHub:alice"]);
}

#[test]
fn a_push_rejected_because_the_remote_moved_is_merged_and_retried() {
    let TwoMachines { a, b, .. } = &TwoMachines::new();
    // A commits without pushing. B runs a `git` that, on B's push, first
    // pushes A's commit — the remote moves on between B's fetch and push.
    a.add("GitHub", "alice", SECRET);
    b.add("Bank", "bob", OTHER_SECRET);
    let real = std::process::Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let real = String::from_utf8(real.stdout).unwrap().trim().to_string();
    let bin = b.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let marker = b.path("raced");
    let wrapper = bin.join("git");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\ncase \" $* \" in *\" push \"*) if [ ! -e '{m}' ]; then touch '{m}'; '{real}' -C '{a}' push -q origin main >&2 || exit 1; fi;; esac\nexec '{real}' \"$@\"\n",
            m = marker.display(),
            a = repo_dir(a).display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    b.otp().env("PATH", path).arg("sync").assert().success();
    assert!(marker.exists(), "the wrapper did not race");
    sync(a);
    for env in [a, b] {
        assert_eq!(labels(env), ["Bank:bob", "GitHub:alice"]);
    }
}

#[test]
fn clone_refuses_a_machine_that_has_a_vault() {
    let remote = Remote::new();
    let a = first_machine(&remote);
    let b = TestEnv::with_vault();
    b.add("Mine", "x", SECRET);
    let before = b.vault_bytes();
    let out = b
        .otp()
        .args(["sync", "clone", &remote.url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("already exists"), "{said}");
    assert_eq!(b.vault_bytes(), before);
    assert!(!repo_dir(&b).join(".git").exists());
    drop(a);
}

#[test]
fn clone_of_a_bad_remote_leaves_nothing_behind() {
    let b = TestEnv::new();
    let out = b
        .otp()
        .args(["sync", "clone", "/nonexistent/otp-remote.git"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!repo_dir(&b).join(".git").exists());
    assert!(!b.vault().exists());
}

#[test]
fn without_git_the_error_says_so() {
    let a = TestEnv::with_vault();
    let empty = a.path("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let out = a
        .otp()
        .env("PATH", &empty)
        .args(["sync", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("needs git"), "{said}");
    assert!(!repo_dir(&a).join(".git").exists());
}

#[test]
fn status_shows_the_sync_state() {
    let remote = Remote::new();
    let a = TestEnv::with_vault();
    let text = a.stdout(&["status"]);
    assert!(text.contains("sync:       off"), "{text}");
    a.otp()
        .args(["sync", "init", &remote.url()])
        .assert()
        .success();
    a.add("GitHub", "alice", SECRET);
    let json: serde_json::Value = serde_json::from_str(&a.stdout(&["status", "--json"])).unwrap();
    assert_eq!(json["sync"]["ahead"], 1);
    assert_eq!(json["sync"]["behind"], 0);
    assert_eq!(json["sync"]["remote"], remote.url());
    assert!(json["sync"]["last_sync"].is_string());
    sync(&a);
    let text = a.stdout(&["status"]);
    assert!(text.contains("0 ahead, 0 behind"), "{text}");
}

/// Another machine that shares `a`'s vault through a synced folder: its
/// own HOME (data folder, writer id, record), `a`'s identity.
fn folder_peer(a: &TestEnv) -> TestEnv {
    let b = TestEnv::new();
    std::fs::copy(a.identity(), b.identity()).unwrap();
    b
}

/// `otp ARGS` on `peer`, opening `a`'s vault.
fn on_peer(peer: &TestEnv, a: &TestEnv, args: &[&str], stdin: &str) {
    peer.otp()
        .env("OTP_VAULT", a.vault())
        .args(args)
        .write_stdin(stdin)
        .assert()
        .success();
}

#[test]
fn a_syncthing_conflict_copy_is_found_and_merged() {
    let a = TestEnv::with_vault();
    a.add("GitHub", "alice", SECRET);
    let before_other = a.vault_bytes();
    // The other machine added an account; file sync kept its version as a
    // conflict copy and this machine's as the vault.
    let b = folder_peer(&a);
    on_peer(
        &b,
        &a,
        &["add", "added-there", "--issuer", "Other", "--secret-stdin"],
        OTHER_SECRET,
    );
    let copy = repo_dir(&a).join("vault.sync-conflict-20260101-120000-ABCDEFG.age");
    std::fs::write(&copy, a.vault_bytes()).unwrap();
    std::fs::write(a.vault(), &before_other).unwrap();
    a.add("Mine", "added-here", THIRD_SECRET);

    let text = a.stdout(&["status"]);
    assert!(text.contains("conflict copies: 1"), "{text}");
    assert!(text.contains("sync-conflict-20260101"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&a.stdout(&["status", "--json"])).unwrap();
    assert_eq!(json["conflict_copies"].as_array().unwrap().len(), 1);

    a.otp()
        .args(["sync", "merge"])
        .arg(&copy)
        .assert()
        .success();
    assert_eq!(
        labels(&a),
        ["GitHub:alice", "Mine:added-here", "Other:added-there"]
    );
    std::fs::remove_file(&copy).unwrap();
    assert!(!a.stdout(&["status"]).contains("conflict copies"));
}

#[test]
fn a_conflict_copy_that_differs_in_a_field_is_listed_not_written() {
    let a = TestEnv::with_vault();
    a.add("GitHub", "alice", SECRET);
    // The other machine renamed it one way (its version became the copy),
    // this machine, from the same version, another way.
    let base = a.vault_bytes();
    on_peer(&folder_peer(&a), &a, &["rename", "github", "there"], "");
    let copy = a.write("copy (conflicted copy 2026-01-01).age", a.vault_bytes());
    std::fs::write(a.vault(), &base).unwrap();
    a.otp()
        .args(["rename", "github", "here"])
        .assert()
        .success();
    let before = a.vault_bytes();
    let out = a.otp().args(["sync", "merge"]).arg(&copy).output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(a.vault_bytes(), before);
    a.otp()
        .args(["sync", "merge", "--keep-both"])
        .arg(&copy)
        .assert()
        .success();
    assert_eq!(labels(&a), ["GitHub:here", "GitHub:there"]);
}

#[test]
fn another_vault_is_never_merged_in() {
    let a = TestEnv::with_vault();
    a.add("GitHub", "alice", SECRET);
    // A second vault with the same key: same recipients, different vault id.
    let other = a.path("other/vault.age");
    a.otp()
        .env("OTP_VAULT", &other)
        .arg("init")
        .assert()
        .success();
    a.otp()
        .env("OTP_VAULT", &other)
        .args(["add", "x", "--issuer", "Other", "--secret-stdin"])
        .write_stdin(OTHER_SECRET)
        .assert()
        .success();
    let before = a.vault_bytes();
    let out = a
        .otp()
        .args(["sync", "merge"])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("two different vaults"), "{said}");
    assert_eq!(a.vault_bytes(), before);
}

#[test]
fn a_machine_with_its_own_key_joins_through_recipients_add() {
    let remote = Remote::new();
    let a = first_machine(&remote);
    a.add("GitHub", "alice", SECRET);
    sync(&a);
    // B has its own key, not A's.
    let (b, recipient) = own_key_machine(&remote);
    // Before A adds it, B's key opens nothing, and says what to do.
    let out = b.otp().arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    a.otp()
        .args(["recipients", "add", &recipient])
        .assert()
        .success();
    sync(&a);
    sync(&b);
    assert_eq!(labels(&b), ["GitHub:alice"]);
    // From then on both change and sync; A's rename reaches B and B's
    // addition reaches A.
    a.otp()
        .args(["rename", "github", "alice-renamed"])
        .assert()
        .success();
    b.add("Bank", "bob", OTHER_SECRET);
    for env in [&a, &b, &a] {
        sync(env);
    }
    for env in [&a, &b] {
        assert_eq!(labels(env), ["Bank:bob", "GitHub:alice-renamed"]);
    }
}

#[test]
fn a_removal_of_this_machines_key_on_the_other_is_refused_not_taken() {
    let remote = Remote::new();
    let a = first_machine(&remote);
    let (b, recipient) = own_key_machine(&remote);
    a.otp()
        .args(["recipients", "add", &recipient])
        .assert()
        .success();
    sync(&a);
    sync(&b);
    b.add("Bank", "bob", OTHER_SECRET);
    // A revokes B's key while B has an unsynced change.
    a.otp()
        .args(["recipients", "remove", &recipient])
        .assert()
        .success();
    sync(&a);
    let before = b.vault_bytes();
    let out = b.otp().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot open the remote's vault"), "{said}");
    assert_eq!(b.vault_bytes(), before);
    assert_eq!(labels(&b), ["Bank:bob"]);
}

#[test]
fn a_second_vault_in_a_synced_folder_is_refused() {
    let a = TestEnv::with_vault();
    a.otp().args(["sync", "init"]).assert().success();
    let other = repo_dir(&a).join("work.age");
    a.otp()
        .env("OTP_VAULT", &other)
        .arg("init")
        .assert()
        .success();
    let attributes = std::fs::read(repo_dir(&a).join(".gitattributes")).unwrap();
    let out = a
        .otp()
        .env("OTP_VAULT", &other)
        .args(["sync", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("already syncs another vault"), "{said}");
    assert_eq!(
        std::fs::read(repo_dir(&a).join(".gitattributes")).unwrap(),
        attributes
    );
}

/// Runs `otp lock` when dropped, so the agent a test started exits even
/// when the test fails.
struct Locks<'a>(&'a TestEnv);

impl Drop for Locks<'_> {
    fn drop(&mut self) {
        let _ = self.0.bare().arg("lock").output();
    }
}

#[test]
fn git_pull_on_a_passphrase_vault_merges_through_the_agent() {
    let remote = Remote::new();
    let (a, b) = passphrase_machines(&remote, "correct horse");
    with_pass(&b).arg("unlock").assert().success();
    let _locks = Locks(&b);
    with_pass(&a)
        .args(["add", "me", "--issuer", "Alpha", "--secret-stdin"])
        .write_stdin(SECRET)
        .assert()
        .success();
    with_pass(&a).arg("sync").assert().success();
    // B has no passphrase source from here on: only its agent.
    b.bare()
        .args(["add", "me", "--issuer", "Beta", "--secret-stdin"])
        .write_stdin(OTHER_SECRET)
        .assert()
        .success();
    // A plain `git pull`: the repository says how to reconcile.
    let out = git_pull(&b, &["--no-edit", "-q"])
        .env_remove("OTP_PASSPHRASE")
        .env_remove("OTP_PASSPHRASE_FILE")
        .env("XDG_RUNTIME_DIR", b.path("run"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git pull: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(labels(&b), ["Alpha:me", "Beta:me"]);
}

#[test]
fn a_damaged_or_foreign_conflict_copy_changes_nothing() {
    let a = TestEnv::with_vault();
    a.add("GitHub", "alice", SECRET);
    let before = a.vault_bytes();
    let garbage = a.write("vault.sync-conflict-x.age", b"not an age file at all");
    let out = a
        .otp()
        .args(["sync", "merge"])
        .arg(&garbage)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(a.vault_bytes(), before);
    // Encrypted to someone else's key: this machine's key cannot open it.
    let stranger = TestEnv::with_vault();
    stranger.add("Stranger", "s", OTHER_SECRET);
    let foreign = a.write("vault (conflicted copy).age", stranger.vault_bytes());
    let out = a
        .otp()
        .args(["sync", "merge"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot open"), "{said}");
    assert_eq!(a.vault_bytes(), before);
    // A copy that uses one account id twice (a hand edit gone wrong).
    let plain = a.plaintext();
    let start = plain.find("[[accounts]]").unwrap();
    let doubled = format!("{plain}\n{}", &plain[start..]);
    a.write_plaintext(&doubled);
    let twice = a.write("vault 2.age", a.vault_bytes());
    std::fs::write(a.vault(), &before).unwrap();
    let out = a
        .otp()
        .args(["sync", "merge"])
        .arg(&twice)
        .output()
        .unwrap();
    // Edited without the vault's key: not proven to come from one of the
    // user's machines (exit 6), before anything is merged.
    assert_eq!(out.status.code(), Some(6));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("forged"), "{said}");
    assert_eq!(a.vault_bytes(), before);
}

/// The ids of the live accounts, from `otp list --json`.
fn live_ids(env: &TestEnv) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&env.stdout(&["list", "--json"])).unwrap();
    let mut ids: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_same_account_added_on_both_machines_is_one_account_on_both() {
    let m = TwoMachines::new();
    let (a, b) = (&m.a, &m.b);
    // Each machine adds the account before syncing, spelt its own way.
    a.add("GitHub", "alice", SECRET);
    b.add("github", "Alice\u{a0}", SECRET);
    b.add("Bank", "bob", OTHER_SECRET);
    sync(a);
    let said = sync_stderr(b);
    assert!(said.contains("hold the same secret"), "{said}");
    assert!(!said.contains(SECRET), "{said}");
    sync(a);
    // One account, the same on both machines: a QUERY finds it.
    assert_eq!(labels(a), labels(b));
    assert_eq!(labels(a).len(), 2, "{:?}", labels(a));
    assert_eq!(live_ids(a), live_ids(b));
    for env in m.both() {
        env.otp().args(["code", "alice"]).assert().success();
        // The other copy is in the trash: nothing is lost.
        let trash = env.stdout(&["trash", "list"]);
        assert_eq!(trash.lines().count(), 1, "{trash}");
        assert!(trash.to_lowercase().contains("alice"), "{trash}");
    }
    // Both machines hold the same vault, byte for byte.
    m.assert_converged();
    // And it stays settled: syncing again changes nothing.
    let said = sync_stderr(b);
    assert!(said.contains("Already up to date"), "{said}");
}

#[test]
fn look_alike_accounts_with_different_secrets_are_both_kept_and_named() {
    let m = TwoMachines::new();
    let (a, b) = (&m.a, &m.b);
    a.add("GitHub", "alice", SECRET);
    // A hostile or careless label: a right-to-left override in it (an
    // ignorable character, so still the same label).
    b.add("github\u{202e}", "alice", OTHER_SECRET);
    sync(a);
    let said = sync_stderr(b);
    assert!(said.contains("warning:"), "{said}");
    assert!(
        said.contains("look alike but hold different secrets"),
        "{said}"
    );
    assert!(said.contains("GitHub:alice ("), "{said}");
    assert!(said.contains("otp rename "), "{said}");
    assert!(
        !said.contains('\u{202e}'),
        "raw control character on stderr: {said}"
    );
    assert!(
        !said.contains(SECRET) && !said.contains(OTHER_SECRET),
        "{said}"
    );
    sync(a);
    // Never a secret dropped: both live, on both machines.
    assert_eq!(live_ids(a), live_ids(b));
    assert_eq!(live_ids(a).len(), 2);
    for env in m.both() {
        env.otp().args(["code", "alice"]).assert().code(4);
        let status = env.stdout(&["status"]);
        assert!(status.contains("look-alike labels: 1"), "{status}");
        let json: serde_json::Value =
            serde_json::from_str(&env.stdout(&["status", "--json"])).unwrap();
        assert_eq!(
            json["look_alikes"][0].as_array().unwrap().len(),
            2,
            "{json}"
        );
    }
    // The way out the warning gives works, and the other machine takes it.
    let id = live_ids(b)[1].clone();
    b.otp()
        .args(["rename", &id, "alice-work"])
        .assert()
        .success();
    sync(b);
    sync(a);
    for env in m.both() {
        env.otp().args(["code", "GitHub:alice"]).assert().success();
        let status = env.stdout(&["status"]);
        assert!(!status.contains("look-alike"), "{status}");
    }
    m.assert_converged();
}

#[test]
fn a_conflict_copy_with_the_same_account_added_settles_it_too() {
    // File sync instead of git: the other machine added the account too,
    // and its vault is a conflict copy beside this one.
    let a = TestEnv::with_vault();
    let empty = a.vault_bytes();
    let b = folder_peer(&a);
    on_peer(
        &b,
        &a,
        &["add", "alice", "--issuer", "GitHub", "--secret-stdin"],
        SECRET,
    );
    on_peer(
        &b,
        &a,
        &["add", "bob", "--issuer", "Bank", "--secret-stdin"],
        OTHER_SECRET,
    );
    let copy = a.write(
        "vault.sync-conflict-20260101-120000-ABCDEFG.age",
        a.vault_bytes(),
    );
    std::fs::write(a.vault(), &empty).unwrap();
    a.add("GITHUB", "alice", SECRET);
    a.add("bank", "Bob", THIRD_SECRET);
    let out = a.otp().args(["sync", "merge"]).arg(&copy).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("hold the same secret"), "{said}");
    assert!(
        said.contains("warning:") && said.contains("otp rename"),
        "{said}"
    );
    // GitHub once (the other copy in the trash), Bank twice: two secrets.
    assert_eq!(live_ids(&a).len(), 3);
    assert_eq!(a.stdout(&["trash", "list"]).lines().count(), 1);
    a.otp().args(["code", "github"]).assert().success();
    a.otp().args(["code", "bank"]).assert().code(4);
}

// ---------------------------------------------------------------------
// A hostile remote. The attacker can push anything to the remote and
// holds only what it holds: every public key (the recipients line of a
// config, an SSH key on a code host), and every old ciphertext in the
// history. It cannot read any version of the vault.
// ---------------------------------------------------------------------

/// The attacker: a clone of the remote of its own, and an age key.
struct Attacker {
    dir: TempDir,
    recipient: String,
}

impl Attacker {
    fn new(remote: &Remote) -> Attacker {
        let dir = tempfile::tempdir().unwrap();
        git_ok(dir.path(), &["clone", "-q", &remote.url(), "work"]);
        let (_, recipient) = otp::vault::keys::generate_identity();
        Attacker { dir, recipient }
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// A vault plaintext encrypted to the victim's public key `to`.
    fn encrypt(text: &str, to: &str) -> Vec<u8> {
        let recipients = otp::vault::keys::parse_recipients(&[to.to_string()]).unwrap();
        otp::vault::keys::encrypt(text.as_bytes(), &recipients, false).unwrap()
    }

    /// An old ciphertext of `file` from the remote's history (`rev`).
    fn old(&self, rev: &str, file: &str) -> Vec<u8> {
        git_ok(&self.work(), &["fetch", "-q", "origin"]);
        let out = git(&self.work(), &["show", &format!("{rev}:{file}")]);
        assert!(out.status.success());
        out.stdout
    }

    /// Pushes a commit on top of the remote's branch that writes `files`.
    fn push(&self, files: &[(&str, Vec<u8>)]) -> String {
        let w = self.work();
        git_ok(&w, &["fetch", "-q", "origin"]);
        git_ok(&w, &["reset", "-q", "--hard", "origin/main"]);
        for (name, data) in files {
            std::fs::write(w.join(name), data).unwrap();
        }
        git_ok(&w, &["add", "-A"]);
        git_ok(
            &w,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "otp: add (change 99)",
            ],
        );
        git_ok(&w, &["push", "-q", "origin", "HEAD:main"]);
        git_ok(&w, &["rev-parse", "HEAD"]).trim().to_string()
    }
}

/// The victim's public key, as the attacker knows it.
fn public_key(env: &TestEnv) -> String {
    env.stdout(&["recipients", "list"])
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string()
}

/// `otp sync` that must be refused with exit 6; its stderr.
fn refused_sync(env: &TestEnv) -> String {
    let out = env.otp().arg("sync").output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    stderr
}

fn remote_head(remote: &Remote) -> String {
    git_ok(&remote.path(), &["rev-parse", "main"])
        .trim()
        .to_string()
}

#[test]
fn a_forged_vault_adding_a_recipient_is_refused_and_nothing_is_encrypted_to_it() {
    let remote = Remote::new();
    let a = first_machine(&remote);
    a.add("GitHub", "alice", SECRET);
    sync(&a);
    let attacker = Attacker::new(&remote);
    let victim = public_key(&a);
    let forged = format!(
        "version = 1\nchanges = 50\nrecipients = [\"{victim}\", \"{}\"]\naccounts = []\ntrash = []\n",
        attacker.recipient
    );
    let bad = attacker.push(&[("vault.age", Attacker::encrypt(&forged, &victim))]);
    // One unpushed local change: today this merged and pushed.
    a.add("Bank", "bob", OTHER_SECRET);
    let before = a.vault_bytes();
    let stderr = refused_sync(&a);
    assert!(stderr.contains(&bad[..12]), "names the commit: {stderr}");
    assert!(
        stderr.contains("no proof") || stderr.contains("forged"),
        "{stderr}"
    );
    assert_eq!(a.vault_bytes(), before, "the vault was rewritten");
    assert!(!a.plaintext().contains(&attacker.recipient));
    assert_eq!(remote_head(&remote), bad, "something was pushed");
    // `otp status` says so.
    let status = a.stdout(&["status"]);
    assert!(
        status.contains("REFUSED") && status.contains(&bad[..12]),
        "{status}"
    );
    // The same forgery, tagged with a key of the attacker's own making.
    let mut fake = otp::model::Vault::new(vec![victim.clone(), attacker.recipient.clone()]);
    fake.ensure_auth_key(|| [7; 32]);
    fake.next_version("ffff", [1; 8]);
    let bad2 = attacker.push(&[(
        "vault.age",
        Attacker::encrypt(&fake.to_sealed_toml(), &victim),
    )]);
    let stderr = refused_sync(&a);
    assert!(
        stderr.contains("forged") && stderr.contains(&bad2[..12]),
        "{stderr}"
    );
    assert!(!a.plaintext().contains(&attacker.recipient));
    // The way out keeps everything: this machine's vault goes back on top.
    a.otp().args(["sync", "--push-local"]).assert().success();
    assert!(!a.stdout(&["status"]).contains("REFUSED"));
    let b = second_machine(&a, &remote);
    assert_eq!(labels(&b), ["Bank:bob", "GitHub:alice"]);
    assert!(!b.plaintext().contains(&attacker.recipient));
    sync(&a);
}

#[test]
fn a_forged_vault_replacing_a_secret_is_refused_without_a_local_change() {
    let remote = Remote::new();
    let a = first_machine(&remote);
    a.add("GitHub", "alice", SECRET);
    sync(&a);
    let attacker = Attacker::new(&remote);
    let victim = public_key(&a);
    let list: serde_json::Value = serde_json::from_str(&a.stdout(&["list", "--json"])).unwrap();
    let id = list[0]["id"].as_str().unwrap();
    let forged = format!(
        "version = 1\nchanges = 50\nrecipients = [\"{victim}\"]\ntrash = []\n\n[[accounts]]\nid = \"{id}\"\nissuer = \"GitHub\"\nname = \"alice\"\nsecret = \"{THIRD_SECRET}\"\ntype = \"totp\"\nalgorithm = \"SHA1\"\ndigits = 6\nperiod = 30\ncounter = 0\ncreated = \"2026-01-01T00:00:00Z\"\nupdated = \"2026-01-01T00:00:00Z\"\n"
    );
    attacker.push(&[("vault.age", Attacker::encrypt(&forged, &victim))]);
    let before = a.vault_bytes();
    refused_sync(&a);
    assert_eq!(a.vault_bytes(), before);
    assert!(a.plaintext().contains(SECRET) && !a.plaintext().contains(THIRD_SECRET));
}

#[test]
fn a_replayed_older_vault_is_refused_as_a_rollback() {
    let remote = Remote::new();
    let a = first_machine(&remote);
    a.add("GitHub", "alice", SECRET);
    sync(&a);
    let old_rev = remote_head(&remote);
    a.add("Bank", "bob", OTHER_SECRET);
    sync(&a);
    let attacker = Attacker::new(&remote);
    let old = attacker.old(&old_rev, "vault.age");
    let bad = attacker.push(&[("vault.age", old)]);
    let before = a.vault_bytes();
    let stderr = refused_sync(&a);
    assert!(
        stderr.contains("rollback") && stderr.contains(&bad[..12]),
        "{stderr}"
    );
    assert_eq!(a.vault_bytes(), before);
    assert_eq!(labels(&a), ["Bank:bob", "GitHub:alice"]);
    // A second machine that clones afterwards and syncs is refused too once
    // it has the newer version; and --push-local repairs the remote.
    a.otp().args(["sync", "--push-local"]).assert().success();
    let b = second_machine(&a, &remote);
    assert_eq!(labels(&b), ["Bank:bob", "GitHub:alice"]);
}

#[test]
fn a_foreign_or_replayed_key_file_is_refused() {
    let remote = Remote::new();
    let (a, _b) = passphrase_machines(&remote, "correct horse");
    with_pass(&a).arg("sync").assert().success();
    let first_rev = remote_head(&remote);
    let attacker = Attacker::new(&remote);
    // A key file of the attacker's own, with a passphrase it knows.
    let (secret, recipient) = otp::vault::keys::generate_identity();
    let text = otp::vault::keys::identity_file_text(&secret, &recipient, "2026-01-01T00:00:00Z");
    let sealed = otp::vault::keys::encrypt_with_passphrase(
        text.as_bytes(),
        age::secrecy::SecretString::from("attacker".to_string()),
    )
    .unwrap();
    let bad = attacker.push(&[("vault.identity.age", sealed)]);
    let key_before = std::fs::read(a.path("data/otp/vault.identity.age")).unwrap();
    let out = with_pass(&a).arg("sync").output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("key file") && stderr.contains(&bad[..12]),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(a.path("data/otp/vault.identity.age")).unwrap(),
        key_before
    );
    with_pass(&a).arg("list").assert().success();
    with_pass(&a)
        .args(["sync", "--push-local"])
        .assert()
        .success();
    // `otp passwd`, synced; then the old key file replayed.
    a.write("new-pass.txt", "battery staple\n");
    with_pass(&a)
        .args(["passwd", "--new-passphrase-file"])
        .arg(a.path("new-pass.txt"))
        .assert()
        .success();
    a.write("pass.txt", "battery staple\n");
    with_pass(&a).arg("sync").assert().success();
    let old_key = attacker.old(&first_rev, "vault.identity.age");
    attacker.push(&[("vault.identity.age", old_key)]);
    let out = with_pass(&a).arg("sync").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The new passphrase still opens the vault; the old one does not.
    with_pass(&a).arg("list").assert().success();
    a.bare()
        .env("OTP_PASSPHRASE", "correct horse")
        .arg("list")
        .assert()
        .failure();
}

#[cfg(unix)]
#[test]
fn a_symlinked_vault_is_refused_by_sync_init() {
    let env = TestEnv::new();
    let synced = env.path("Sync/otp/vault.age");
    std::fs::create_dir_all(synced.parent().unwrap()).unwrap();
    std::fs::create_dir_all(env.vault().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&synced, env.vault()).unwrap();
    env.otp()
        .args(["init", "--generate-identity"])
        .arg(env.identity())
        .assert()
        .success();
    let remote = Remote::new();
    let out = env
        .otp()
        .args(["sync", "init", &remote.url()])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success());
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(
        !repo_dir(&env).join(".git").exists(),
        "a repository was made"
    );
    assert!(
        !git(&remote.path(), &["rev-parse", "--verify", "-q", "main"])
            .status
            .success()
    );
}

#[test]
fn an_undo_snapshot_from_another_machine_is_no_undo() {
    let m = TwoMachines::starting_with(|a| a.add("GitHub", "alice", SECRET));
    // Both machines at the same change counter: A imports (and snapshots),
    // B adds an account of its own.
    let uris = m.a.write(
        "in.txt",
        format!("otpauth://totp/Acme:carol?secret={THIRD_SECRET}\n"),
    );
    let out = m.a.otp().args(["import"]).arg(&uris).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr
        .lines()
        .find(|l| l.contains("to undo: otp recover"))
        .unwrap();
    let snapshot = PathBuf::from(
        line.rsplit("otp recover '")
            .next()
            .unwrap()
            .trim_end_matches('\''),
    );
    m.b.add("Bank", "bob", OTHER_SECRET);
    // The snapshot reaches B (a shared backup folder).
    let copy = m.b.path("snapshot.age");
    std::fs::copy(&snapshot, &copy).unwrap();
    let out = m.b.otp().args(["recover"]).arg(&copy).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains("Undid") && !stderr.contains("undone"),
        "{stderr}"
    );
    assert!(labels(&m.b).contains(&"Bank:bob".to_string()), "{stderr}");
}

// ---------------------------------------------------------------------
// Random interleavings: honest changes and syncs on three machines, with
// forged and replayed commits pushed in between. Few cases: every step
// runs otp and git.
// ---------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Step {
    /// A machine adds an account with a secret of its own.
    Add(usize),
    /// A machine moves its oldest live account to the trash.
    Remove(usize),
    /// A machine syncs.
    Sync(usize),
    /// The attacker pushes a forged vault (a recipient of its own).
    Forge,
    /// The attacker pushes the first version of the vault again.
    Replay,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (0..3usize).prop_map(Step::Add),
        1 => (0..3usize).prop_map(Step::Remove),
        4 => (0..3usize).prop_map(Step::Sync),
        1 => Just(Step::Forge),
        1 => Just(Step::Replay),
    ]
}

/// A base32 secret for the n-th added account, unique per n.
fn nth_secret(n: usize) -> String {
    let mut s = String::from("MFRGGZDF");
    let mut n = n;
    for _ in 0..8 {
        s.push((b'A' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}

/// A sync after an attack: refused (exit 6, then `--push-local`), or
/// nothing taken from the attacker. Returns whether it was refused.
fn sync_or_repair(env: &TestEnv) -> bool {
    let out = env.otp().arg("sync").output().unwrap();
    match out.status.code() {
        Some(0) => false,
        Some(6) => {
            env.otp().args(["sync", "--push-local"]).assert().success();
            true
        }
        other => panic!(
            "otp sync exited {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn random_interleavings_converge_with_nothing_lost_and_forgeries_refused() {
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config {
        cases: 3,
        max_shrink_iters: 8,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(step(), 4..10), |steps| {
            let remote = Remote::new();
            let a = first_machine(&remote);
            let first = remote_head(&remote);
            let b = second_machine(&a, &remote);
            let c = second_machine(&a, &remote);
            let machines = [&a, &b, &c];
            let attacker = Attacker::new(&remote);
            let victim = public_key(&a);
            let mut added = Vec::new();
            for s in &steps {
                match s {
                    Step::Add(m) => {
                        let secret = nth_secret(added.len());
                        machines[*m].add("Svc", &format!("n{}", added.len()), &secret);
                        added.push(secret);
                    }
                    Step::Remove(m) => {
                        let list = machines[*m].stdout(&["list"]);
                        if let Some(label) = list.lines().next() {
                            machines[*m]
                                .otp()
                                .args(["remove", label, "--yes"])
                                .assert()
                                .success();
                        }
                    }
                    Step::Sync(m) => {
                        sync_or_repair(machines[*m]);
                    }
                    Step::Forge => {
                        let forged = format!(
                            "version = 1\nchanges = 99\nrecipients = [\"{victim}\", \"{}\"]\naccounts = []\ntrash = []\n",
                            attacker.recipient
                        );
                        attacker.push(&[("vault.age", Attacker::encrypt(&forged, &victim))]);
                        // The next machine to sync refuses it.
                        assert!(sync_or_repair(machines[0]), "a forged vault was taken");
                    }
                    Step::Replay => {
                        let old = attacker.old(&first, "vault.age");
                        attacker.push(&[("vault.age", old)]);
                        sync_or_repair(machines[1]);
                    }
                }
            }
            // Settle. A replay that one machine took as its own version
            // (it was) is refused by a machine that is further on, which
            // puts its own back; after that every sync is honest.
            for m in machines {
                sync_or_repair(m);
            }
            for _ in 0..2 {
                for m in machines {
                    assert!(!sync_or_repair(m), "an honest remote was refused");
                }
            }
            let plain: Vec<String> = machines.iter().map(|m| m.plaintext()).collect();
            for m in &machines[1..] {
                assert_eq!(labels(m), labels(&a));
                assert_eq!(m.stdout(&["trash", "list"]), a.stdout(&["trash", "list"]));
            }
            for (secret, p) in added.iter().flat_map(|s| plain.iter().map(move |p| (s, p))) {
                assert!(p.contains(secret.as_str()), "an account was lost");
            }
            for p in &plain {
                assert!(!p.contains(&attacker.recipient), "encrypted to the attacker");
            }
            Ok(())
        })
        .unwrap();
}
