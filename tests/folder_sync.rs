//! The vault kept in a folder others can write (Syncthing, Dropbox,
//! Nextcloud): two machines (two HOMEs, each with its own data folder)
//! share one folder, and an attacker who can write that folder knows only
//! public keys and old ciphertexts. docs/trust.md, "The vault at its own
//! path".

use std::path::PathBuf;

use assert_cmd::Command;
use tempfile::TempDir;

use crate::common::{SECRET, TestEnv};

const OTHER_SECRET: &str = "GEZDGNBVGY3TQOJQ";
const THIRD_SECRET: &str = "MFRGGZDFMZTWQ2LK";
const EVIL_SECRET: &str = "KRUGKIDBORZGCY3LMVZA";

/// The synced folder both machines keep their vault in.
struct Folder {
    dir: TempDir,
}

impl Folder {
    fn new() -> Folder {
        Folder {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.age")
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.vault()).unwrap()
    }

    fn put(&self, data: &[u8]) {
        std::fs::write(self.vault(), data).unwrap();
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// One machine: its own HOME and data folder, the vault in the folder.
struct Machine {
    env: TestEnv,
    vault: PathBuf,
}

impl Machine {
    fn otp(&self) -> Command {
        let mut cmd = self.env.otp();
        cmd.env("OTP_VAULT", &self.vault);
        cmd
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.otp().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "otp {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn add(&self, issuer: &str, name: &str, secret: &str) {
        self.otp()
            .args(["add", name, "--issuer", issuer, "--secret-stdin"])
            .write_stdin(secret)
            .assert()
            .success();
    }

    /// `otp ARGS` is refused with `code`, says `needle`, prints nothing on
    /// stdout, and the vault in the folder is byte for byte as it was.
    fn refused(&self, args: &[&str], stdin: &str, code: i32, needle: &str) -> String {
        let before = std::fs::read(&self.vault).unwrap();
        let out = self.otp().args(args).write_stdin(stdin).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "otp {args:?}: {stderr}");
        assert!(stderr.contains(needle), "otp {args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "otp {args:?} printed something");
        assert_eq!(std::fs::read(&self.vault).unwrap(), before, "otp {args:?}");
        stderr
    }

    fn labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = self.ok(&["list"]).lines().map(String::from).collect();
        labels.sort();
        labels
    }

    /// This machine's records of vaults (its data folder).
    fn records(&self) -> Vec<PathBuf> {
        let dir = self.env.path("data/otp");
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "trust"))
            .collect()
    }
}

/// Machine A made the vault in the folder (one account); machine B opens it
/// with the same identity, and has seen it once.
fn two_machines() -> (Folder, Machine, Machine) {
    let folder = Folder::new();
    let a = Machine {
        env: TestEnv::new(),
        vault: folder.vault(),
    };
    a.otp()
        .args(["init", "--generate-identity"])
        .arg(a.env.identity())
        .assert()
        .success();
    a.add("GitHub", "alice", SECRET);
    let b = Machine {
        env: TestEnv::new(),
        vault: folder.vault(),
    };
    std::fs::copy(a.env.identity(), b.env.identity()).unwrap();
    let out = b.otp().arg("list").output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("trust on first use"), "{said}");
    (folder, a, b)
}

/// A vault the attacker made with `otp` itself, encrypted to the victim's
/// public key and the attacker's own: it opens with the victim's key.
fn forged_for(victim_public: &str) -> Vec<u8> {
    let evil = TestEnv::with_vault();
    evil.otp()
        .args(["recipients", "add", victim_public])
        .assert()
        .success();
    evil.add("GitHub", "alice", EVIL_SECRET);
    evil.add("Evil", "planted", EVIL_SECRET);
    evil.vault_bytes()
}

fn public_key(m: &Machine) -> String {
    m.ok(&["recipients", "list"])
        .lines()
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("age1")))
        .expect("an age recipient")
        .to_string()
}

fn code_of(m: &Machine, query: &str) -> std::process::Output {
    m.otp()
        .args(["code", query, "--at", "1257894000"])
        .output()
        .unwrap()
}

#[test]
fn a_forged_vault_with_another_recipient_is_refused_everywhere() {
    let (folder, a, _b) = two_machines();
    let mine = folder.bytes();
    folder.put(&forged_for(&public_key(&a)));
    let forged = folder.bytes();
    // Nothing is re-encrypted to the attacker's key, no forged code shown.
    a.refused(
        &["add", "bob", "--issuer", "Bank", "--secret-stdin"],
        OTHER_SECRET,
        6,
        "forged",
    );
    a.refused(&["code", "github", "--at", "1257894000"], "", 6, "forged");
    a.refused(&["list"], "", 6, "forged");
    a.refused(&["recipients", "list"], "", 6, "forged");
    a.refused(&["backup"], "", 6, "forged");
    let said = a.refused(&["code", "github"], "", 6, "forged");
    assert!(said.contains("otp sync accept"), "{said}");
    assert!(said.contains("otp recover"), "{said}");
    assert_eq!(folder.bytes(), forged);
    // The way out that keeps everything: the real vault back, the forged
    // file's accounts offered through recover (nothing taken over mine).
    std::fs::rename(folder.vault(), folder.dir.path().join("refused.age")).unwrap();
    folder.put(&mine);
    assert_eq!(a.labels(), ["GitHub:alice"]);
    let out = a
        .otp()
        .args(["recover", "--skip-existing"])
        .arg(folder.dir.path().join("refused.age"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("prove"), "{said}");
    assert_eq!(a.labels(), ["Evil:planted", "GitHub:alice"]);
    assert_eq!(
        String::from_utf8_lossy(&code_of(&a, "github").stdout),
        "528064\n"
    );
}

#[test]
fn an_older_version_copied_back_is_refused_as_a_rollback() {
    let (folder, a, b) = two_machines();
    let old = folder.bytes();
    a.add("Bank", "bob", OTHER_SECRET);
    let new = folder.bytes();
    folder.put(&old);
    let said = a.refused(&["code", "bob"], "", 6, "rolled back");
    assert!(said.contains("otp sync accept"), "{said}");
    a.refused(
        &["code", "github", "--at", "1257894000"],
        "",
        6,
        "rolled back",
    );
    a.refused(
        &["add", "carol", "--secret-stdin"],
        THIRD_SECRET,
        6,
        "rolled back",
    );
    // B saw the newer one through the folder, then the old one came back.
    folder.put(&new);
    assert_eq!(b.labels(), ["Bank:bob", "GitHub:alice"]);
    folder.put(&old);
    b.refused(&["list"], "", 6, "rolled back");
    // Put back on purpose: `otp sync accept` takes it, as a version newer
    // than everything this machine saw, and the other machine takes it too.
    let out = a.otp().args(["sync", "accept"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(a.labels(), ["GitHub:alice"]);
    assert_eq!(b.labels(), ["GitHub:alice"]);
    a.add("Bank", "dave", THIRD_SECRET);
    assert_eq!(b.labels(), ["Bank:dave", "GitHub:alice"]);
}

#[test]
fn a_newer_version_from_the_other_machine_is_accepted() {
    let (folder, a, b) = two_machines();
    b.add("Bank", "bob", OTHER_SECRET);
    // A's next open takes it (fast path declines, the full path moves the
    // record), and A's changes continue from it.
    let out = code_of(&a, "bob");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = a.ok(&["status"]);
    assert!(
        status.contains("trusted:    written by another of your machines, accepted"),
        "{status}"
    );
    a.add("Shop", "carol", THIRD_SECRET);
    assert!(a.ok(&["status"]).contains("trusted:    written here"));
    assert_eq!(b.labels(), ["Bank:bob", "GitHub:alice", "Shop:carol"]);
    // The records are in each machine's own data folder, never in the
    // synced folder.
    assert_eq!(a.records().len(), 1);
    assert_eq!(b.records().len(), 1);
    assert!(
        folder
            .names()
            .iter()
            .all(|n| n == "vault.age" || n == "vault.age.lock"),
        "{:?}",
        folder.names()
    );
}

#[test]
fn a_diverged_version_is_read_but_not_written_over_until_this_machines_is_merged() {
    let (folder, a, b) = two_machines();
    let base = folder.bytes();
    // Both machines change the vault between two syncs of the folder.
    a.add("Mine", "here", OTHER_SECRET);
    let a_version = folder.bytes();
    folder.put(&base);
    b.add("Theirs", "there", THIRD_SECRET);
    // The folder-sync tool kept B's version and put A's in a conflict copy.
    let copy = folder
        .dir
        .path()
        .join("vault.sync-conflict-20260101-120000-ABCDEFG.age");
    std::fs::write(&copy, &a_version).unwrap();

    // Reading works, and says that this machine's version is elsewhere.
    let out = code_of(&a, "github");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "528064\n");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("another machine's version"), "{said}");
    assert!(said.contains("conflict copy"), "{said}");
    // A change would bury this machine's version: refused, nothing written.
    let said = a.refused(
        &["add", "eve", "--secret-stdin"],
        SECRET,
        5,
        "another machine's version",
    );
    assert!(said.contains("otp sync merge"), "{said}");
    let status = a.ok(&["status"]);
    assert!(status.contains("sync-conflict-20260101"), "{status}");
    // Merging the copy mends it: everything from both, on both machines.
    a.otp()
        .args(["sync", "merge"])
        .arg(&copy)
        .assert()
        .success();
    assert_eq!(a.labels(), ["GitHub:alice", "Mine:here", "Theirs:there"]);
    a.add("Shop", "eve", SECRET);
    assert_eq!(
        b.labels(),
        ["GitHub:alice", "Mine:here", "Shop:eve", "Theirs:there"]
    );
}

#[test]
fn without_a_record_the_vault_is_trusted_on_first_use_and_written_down() {
    let (folder, a, _b) = two_machines();
    let old = folder.bytes();
    a.add("Bank", "bob", OTHER_SECRET);
    for record in a.records() {
        std::fs::remove_file(record).unwrap();
    }
    let out = code_of(&a, "github");
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("trust on first use"), "{said}");
    let records = a.records();
    assert_eq!(records.len(), 1);
    let text = std::fs::read_to_string(&records[0]).unwrap();
    assert!(text.contains("how = \"first-use\""), "{text}");
    assert!(
        text.contains(&folder.vault().display().to_string()),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&a.ok(&["status", "--json"])).unwrap();
    assert_eq!(json["trusted"]["how"], "trusted on first use");
    // From then on it is checked: the older version is refused.
    folder.put(&old);
    a.refused(&["list"], "", 6, "rolled back");
}

#[test]
fn a_vault_changed_without_its_key_is_refused_until_accepted() {
    let a = TestEnv::with_vault();
    a.add("GitHub", "alice", SECRET);
    // The tag line kept, the content changed (a hand edit, or a forger who
    // kept the old tag).
    let text = a
        .plaintext()
        .replace("name = \"alice\"", "name = \"mallory\"");
    a.write_plaintext(&text);
    a.assert_refused(["code", "mallory"], 6, "authentication tag");
    a.assert_refused(["list"], 6, "authentication tag");
    a.assert_refused(["rename", "mallory", "x"], 6, "authentication tag");
    // The tag line dropped too: still refused (the key is recorded).
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    a.write_plaintext(&body);
    a.assert_refused(["list"], 6, "authentication tag");
    let stripped: String = body
        .lines()
        .filter(|l| !l.starts_with("auth_key = "))
        .map(|l| format!("{l}\n"))
        .collect();
    a.write_plaintext(&stripped);
    a.assert_refused(["list"], 6, "no authentication key");
    // The user made that edit on purpose: accepted, sealed anew, and read
    // by the fast path again.
    a.write_plaintext(&text);
    let out = a.otp().args(["sync", "accept"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(a.stdout(&["list"]), "GitHub:mallory\n");
    let out = a.otp().args(["code", "mallory"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    let out = a.otp().args(["sync", "accept"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to accept"));
}

#[test]
fn accepting_a_forged_vault_names_every_key_it_is_encrypted_to() {
    let (folder, a, _b) = two_machines();
    folder.put(&forged_for(&public_key(&a)));
    let out = a.otp().args(["sync", "accept"]).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("otp recipients remove age1"), "{said}");
    assert_eq!(a.labels(), ["Evil:planted", "GitHub:alice"]);
}

/// Two vaults of one name in two folders have a record each.
#[test]
fn two_vaults_of_one_name_keep_a_record_each() {
    let env = TestEnv::with_vault();
    let other = env.path("elsewhere/vault.age");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    env.otp()
        .env("OTP_VAULT", &other)
        .arg("init")
        .assert()
        .success();
    env.add("GitHub", "alice", SECRET);
    env.otp()
        .env("OTP_VAULT", &other)
        .args(["add", "bob", "--secret-stdin"])
        .write_stdin(OTHER_SECRET)
        .assert()
        .success();
    assert_eq!(env.stdout(&["list"]), "GitHub:alice\n");
    let out = env
        .otp()
        .env("OTP_VAULT", &other)
        .arg("list")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bob\n");
}

/// Diverged with no conflict copy left (deleted, or never made): `otp sync
/// accept` takes the other machine's version, without this machine's last
/// change — the user's explicit choice — and both machines go on from it.
#[test]
fn a_diverged_version_without_its_copy_is_taken_only_when_accepted() {
    let (folder, a, b) = two_machines();
    let base = folder.bytes();
    a.add("Mine", "here", OTHER_SECRET);
    folder.put(&base);
    b.add("Theirs", "there", THIRD_SECRET);
    a.refused(
        &["remove", "github", "--yes"],
        "",
        5,
        "another machine's version",
    );
    let out = a.otp().args(["sync", "accept"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("without this machine's last one"), "{said}");
    a.add("Shop", "eve", SECRET);
    assert_eq!(b.labels(), ["GitHub:alice", "Shop:eve", "Theirs:there"]);
}
