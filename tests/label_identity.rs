//! Label identity under attack: a label that only looks different from an
//! existing one (another Unicode form, a no-break or zero-width space, stray
//! spaces, fullwidth letters, case folding, the issuer-less `Bank:alice`)
//! is the same label for `add`, `import`, `recover` and QUERY; and a file
//! that holds one label twice with two secrets is refused by `recover` as
//! by `import`. Every refusal leaves the vault byte for byte as it was.

use crate::common;
use crate::common::{SECRET, TestEnv};
use predicates::prelude::*;

/// Another secret than `SECRET`.
const OTHER: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// One class of look-alike: the label in the vault, a label that only looks
/// different, and the look-alike written as a QUERY.
struct Class {
    what: &'static str,
    existing: (&'static str, &'static str),
    look_alike: (&'static str, &'static str),
    query: &'static str,
}

const CLASSES: &[Class] = &[
    Class {
        what: "NFD against NFC",
        existing: ("B\u{e4}nk", "j\u{f6}rg"),
        look_alike: ("Ba\u{308}nk", "jo\u{308}rg"),
        query: "ba\u{308}nk:jo\u{308}rg",
    },
    Class {
        what: "a no-break space",
        existing: ("My Bank", "alice"),
        look_alike: ("My\u{a0}Bank", "alice"),
        query: "my\u{a0}bank:alice",
    },
    Class {
        what: "leading, trailing and doubled spaces",
        existing: ("My Bank", "alice"),
        look_alike: ("  My   Bank ", " alice  "),
        query: " my   bank :  alice ",
    },
    Class {
        what: "zero-width and bidi characters",
        existing: ("GitHub", "alice"),
        look_alike: ("Git\u{200b}Hub", "\u{200e}al\u{200d}ice\u{feff}"),
        query: "git\u{200b}hub:ali\u{2060}ce",
    },
    Class {
        what: "fullwidth forms",
        existing: ("GitHub", "alice"),
        look_alike: (
            "\u{ff27}\u{ff49}\u{ff54}\u{ff28}\u{ff55}\u{ff42}",
            "\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}",
        ),
        query: "\u{ff27}\u{ff49}\u{ff54}\u{ff28}\u{ff55}\u{ff42}\u{ff1a}\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}",
    },
    Class {
        what: "full case folding (sharp s, final sigma)",
        existing: (
            "Stra\u{df}e",
            "\u{3c3}\u{3af}\u{3c3}\u{3c5}\u{3c6}\u{3bf}\u{3c2}",
        ),
        look_alike: (
            "STRASSE",
            "\u{3a3}\u{38a}\u{3a3}\u{3a5}\u{3a6}\u{39f}\u{3a3}",
        ),
        query: "strasse:\u{3a3}\u{38a}\u{3a3}\u{3a5}\u{3a6}\u{39f}\u{3a3}",
    },
    Class {
        what: "an issuer-less Bank:alice",
        existing: ("Bank", "alice"),
        look_alike: ("", "Bank:alice"),
        query: "BANK: ALICE",
    },
];

/// A vault holding `class.existing` with `SECRET`, plus an unrelated account.
fn vault_with(class: &Class) -> TestEnv {
    let env = TestEnv::with_vault();
    env.add(class.existing.0, class.existing.1, SECRET);
    env.add("Unrelated", "zed", OTHER);
    env
}

/// `otp add` of an account, with `--issuer` only when it has one.
fn add(env: &TestEnv, (issuer, name): (&str, &str), secret: &str) -> assert_cmd::assert::Assert {
    let mut cmd = env.otp();
    cmd.arg("add").arg(name);
    if !issuer.is_empty() {
        cmd.args(["--issuer", issuer]);
    }
    cmd.arg("--secret-stdin").write_stdin(secret).assert()
}

/// A plaintext JSON export holding just the look-alike, with `secret`
/// (made by otp itself in a scratch vault).
fn export_of(class: &Class, secret: &str) -> String {
    let scratch = TestEnv::with_vault();
    add(&scratch, class.look_alike, secret).success();
    scratch.stdout(&["export", "--format", "json", "--plaintext"])
}

#[test]
fn add_refuses_a_look_alike_of_an_existing_label() {
    for class in CLASSES {
        let env = vault_with(class);
        let before = env.vault_bytes();
        add(&env, class.look_alike, "MFRGGZDFMZTWQ2LK")
            .code(5)
            .stderr(predicate::str::contains("already exists"));
        assert_eq!(env.vault_bytes(), before, "{}", class.what);
    }
}

#[test]
fn import_refuses_a_look_alike_with_another_secret() {
    for class in CLASSES {
        let env = vault_with(class);
        let file = env.write("look-alike.json", export_of(class, "MFRGGZDFMZTWQ2LK"));
        env.assert_refused([&"import".into(), &file], 5, "conflicts with");
    }
}

#[test]
fn import_refuses_two_look_alikes_in_one_file() {
    for class in CLASSES {
        let env = TestEnv::with_vault();
        env.add("Unrelated", "zed", OTHER);
        // One file: the existing form with one secret, the look-alike with another.
        let scratch = TestEnv::with_vault();
        add(&scratch, class.existing, SECRET).success();
        let first = scratch.stdout(&["export", "--format", "uris", "--plaintext"]);
        let second = TestEnv::with_vault();
        add(&second, class.look_alike, "MFRGGZDFMZTWQ2LK").success();
        let json = second.stdout(&["export", "--format", "json", "--plaintext"]);
        let a = env.write("a.txt", first);
        let b = env.write("b.json", json);
        env.assert_refused([&"import".into(), &a, &b], 5, "earlier in the same import");
    }
}

#[test]
fn recover_finds_the_existing_account_behind_a_look_alike() {
    for class in CLASSES {
        let env = vault_with(class);
        let file = env.write("look-alike.json", export_of(class, "MFRGGZDFMZTWQ2LK"));
        let before = env.vault_bytes();
        env.otp()
            .arg("recover")
            .arg(&file)
            .assert()
            .code(5)
            .stderr(predicate::str::contains(
                "an account with the same name exists",
            ));
        assert_eq!(env.vault_bytes(), before, "{}", class.what);
        // --skip-existing leaves it out: nothing to restore.
        env.otp()
            .args(["recover", "--skip-existing"])
            .arg(&file)
            .assert()
            .success()
            .stderr(predicate::str::contains("Nothing to restore"));
        assert_eq!(env.vault_bytes(), before, "{}", class.what);
    }
}

#[test]
fn a_query_written_as_a_look_alike_finds_the_account() {
    for class in CLASSES {
        let env = vault_with(class);
        let at = ["--at", common::SECRET_CODE_AT.0];
        // `otp code` (its fast path) and `otp show` (the full parse).
        env.otp()
            .args(["code", class.query])
            .args(at)
            .assert()
            .success()
            .stdout(format!("{}\n", common::SECRET_CODE_AT.1));
        let shown = env.stdout(&["show", class.query]);
        assert!(shown.contains(class.existing.1), "{}: {shown}", class.what);
        // A part of the label, written as a look-alike too.
        let listed = env.stdout(&["list", class.query]);
        assert_eq!(listed.lines().count(), 1, "{}: {listed}", class.what);
    }
}

#[test]
fn a_query_finds_look_alikes_on_a_hand_edited_vault_too() {
    // A vault in another layout (keys reordered) takes the full parse in
    // `otp code`: it must answer alike.
    let class = &CLASSES[3];
    let env = vault_with(class);
    let text = env.plaintext().replace("changes = ", "#\nchanges = ");
    env.write_sealed(&text);
    env.otp()
        .args(["code", class.query, "--at", common::SECRET_CODE_AT.0])
        .assert()
        .success()
        .stdout(format!("{}\n", common::SECRET_CODE_AT.1));
}

/// A URI list with the same label twice (as look-alikes), two secrets.
fn twice() -> String {
    format!(
        "otpauth://totp/Bank:alice?secret={SECRET}&issuer=Bank\n\
         otpauth://totp/Other:x?secret=MFRGGZDFMZTWQ2LK&issuer=Other\n\
         otpauth://totp/BANK:%C2%A0Alice?secret={OTHER}&issuer=BANK\n"
    )
}

#[test]
fn recover_refuses_a_file_with_one_label_twice_and_two_secrets() {
    // Into an existing vault, with or without --skip-existing.
    let env = TestEnv::with_vault();
    env.add("Unrelated", "zed", "MZXW6YTBOI======");
    let file = env.write("twice.txt", twice());
    let before = env.vault_bytes();
    for extra in [&[][..], &["--skip-existing"], &["--dry-run"]] {
        env.otp()
            .arg("recover")
            .args(extra)
            .arg(&file)
            .assert()
            .code(5)
            .stderr(predicate::str::contains("twice with different secrets"))
            .stderr(predicate::str::contains("nothing was restored"));
        assert_eq!(env.vault_bytes(), before, "{extra:?}");
    }
    // import refuses the same file the same way.
    env.otp().arg("import").arg(&file).assert().code(5);
    assert_eq!(env.vault_bytes(), before);
    // Onto a new machine: no vault is created.
    let new = TestEnv::new();
    let file = new.write("twice.txt", twice());
    new.bare()
        .env("OTP_PASSPHRASE", "pw")
        .arg("recover")
        .arg(&file)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("twice with different secrets"));
    assert!(!new.vault().exists());
    // The same label twice with the same secret is a repeat, restored once.
    let once = new.write(
        "repeat.txt",
        format!(
            "otpauth://totp/Bank:alice?secret={SECRET}&issuer=Bank\n\
             otpauth://totp/bank:ALICE?secret={SECRET}&issuer=bank\n"
        ),
    );
    new.bare()
        .env("OTP_PASSPHRASE", "pw")
        .arg("recover")
        .arg(&once)
        .assert()
        .success();
    let out = new
        .bare()
        .env("OTP_PASSPHRASE", "pw")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Bank:alice\n");
}

#[test]
fn rename_refuses_a_look_alike_of_another_account() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.add("GitHub", "bob", OTHER);
    let before = env.vault_bytes();
    env.otp()
        .args([
            "rename",
            "bob",
            "al\u{200b}ICE",
            "--issuer",
            "\u{ff27}ithub",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("already called GitHub:alice"));
    assert_eq!(env.vault_bytes(), before);
    // Its own label in another form is no conflict.
    env.otp()
        .args(["rename", "github:bob", "BOB"])
        .assert()
        .success();
    assert_eq!(env.stdout(&["list"]), "GitHub:alice\nGitHub:BOB\n");
    // A vault written before the label identity may hold two look-alikes:
    // renaming one to its own label must still see the other.
    let text = env
        .plaintext()
        .replace("name = \"BOB\"", "name = \"ALICE\"");
    env.write_sealed(&text);
    let id = |line: &str| {
        line.rsplit_once('(')
            .unwrap()
            .1
            .trim_end_matches(')')
            .to_string()
    };
    let out = env.otp().args(["code", "github:alice"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "two look-alikes are ambiguous");
    let stderr = String::from_utf8(out.stderr).unwrap();
    // The first of the two: a first-match lookup finds itself and misses
    // the other.
    let first = stderr
        .lines()
        .find(|l| l.contains("GitHub:alice ("))
        .map(id)
        .unwrap();
    let before = env.vault_bytes();
    env.otp().args(["rename", &first, "Alice"]).assert().code(5);
    assert_eq!(env.vault_bytes(), before);
}
