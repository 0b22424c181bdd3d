//! Yandex.Key and mOTP accounts end to end: `otp add --yandex/--motp` with
//! the PIN from a file or stdin (never argv), codes that match the other
//! apps' test vectors, a PIN that never reaches stderr or `show`, and the
//! exports that can and cannot hold them.

use crate::common::*;
use predicates::prelude::*;

/// Aegis's YAOTPTest and Stratum's YandexOtpTest: the 26-byte form.
const YANDEX_SECRET: &str = "LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI";
const YANDEX_PIN: &str = "7586";
/// Aegis's MOTPTest.
const MOTP_SECRET: &str = "bbb1912bb5c515be";
const MOTP_PIN: &str = "9999";

fn add_yandex(env: &TestEnv) {
    let pin = env.write("pin.txt", format!("{YANDEX_PIN}\n"));
    env.otp()
        .args([
            "add",
            "alice",
            "--issuer",
            "Yandex",
            "--yandex",
            "--secret-stdin",
        ])
        .arg("--pin-file")
        .arg(&pin)
        .write_stdin(YANDEX_SECRET)
        .assert()
        .success()
        .stderr(predicate::str::contains(YANDEX_PIN).not());
}

fn add_motp(env: &TestEnv) {
    env.otp()
        .args([
            "add",
            "bob",
            "--issuer",
            "Corp",
            "--motp",
            "--pin-stdin",
            "--secret",
            MOTP_SECRET,
        ])
        .write_stdin(format!("{MOTP_PIN}\n"))
        .assert()
        .success()
        .stderr(predicate::str::contains(MOTP_PIN).not());
}

#[test]
fn codes_match_aegis_and_stratum_vectors() {
    let env = TestEnv::with_vault();
    add_yandex(&env);
    add_motp(&env);
    for (at, code) in [("1581064020", "oactmacq"), ("1581090810", "wemdwrix")] {
        assert_eq!(
            env.stdout(&["code", "Yandex:alice", "--at", at]),
            format!("{code}\n")
        );
    }
    for (at, code) in [("1659540020", "ced7b1"), ("1659539878", "1a14f8")] {
        assert_eq!(
            env.stdout(&["code", "Corp:bob", "--at", at]),
            format!("{code}\n")
        );
    }
    // --next is the code 30 s (Yandex) / 10 s (mOTP) later.
    assert_eq!(
        env.stdout(&["code", "Corp:bob", "--at", "1659539868", "--next"]),
        "1a14f8\n"
    );
    let json = env.stdout(&["code", "Yandex:alice", "--at", "1581064020", "--json"]);
    assert!(json.contains("oactmacq"), "{json}");
    let listed = env.stdout(&["list", "--codes"]);
    assert!(
        listed.contains("Yandex:alice") && listed.contains("Corp:bob"),
        "{listed}"
    );
}

#[test]
fn the_pin_is_a_secret() {
    let env = TestEnv::with_vault();
    add_yandex(&env);
    add_motp(&env);
    for q in ["Yandex:alice", "Corp:bob"] {
        let out = env.otp().args(["show", q]).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{all}");
        assert!(
            !all.contains(YANDEX_PIN) && !all.contains(MOTP_PIN),
            "{all}"
        );
    }
    // Only inside the vault, which is encrypted.
    assert!(!String::from_utf8_lossy(&env.vault_bytes()).contains(YANDEX_PIN));
    assert!(env.plaintext().contains(&format!("pin = \"{YANDEX_PIN}\"")));
}

#[test]
fn careless_input_is_refused_and_the_vault_unchanged() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    let pin = env.write("pin.txt", "1234\n");
    // One mistyped character: the checksum catches it, naming neither secret nor PIN.
    let typo = YANDEX_SECRET.replacen('L', "M", 1);
    env.otp()
        .args(["add", "x", "--yandex", "--secret-stdin", "--pin-file"])
        .arg(&pin)
        .write_stdin(typo.clone())
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("checksum").and(predicate::str::contains(&typo[..8]).not()),
        );
    // No PIN and no terminal to ask on.
    env.otp()
        .args(["add", "x", "--motp", "--secret", MOTP_SECRET])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--pin-file"));
    // A PIN for a kind that has none, parameters the scheme fixes, an empty PIN.
    env.otp()
        .args(["add", "x", "--secret", "JBSWY3DPEHPK3PXP", "--pin-file"])
        .arg(&pin)
        .assert()
        .code(2);
    env.otp()
        .args([
            "add",
            "x",
            "--motp",
            "--digits",
            "8",
            "--secret",
            MOTP_SECRET,
            "--pin-file",
        ])
        .arg(&pin)
        .assert()
        .code(2);
    env.otp()
        .args(["add", "x", "--motp", "--pin-stdin", "--secret", MOTP_SECRET])
        .write_stdin("\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("PIN is empty"));
    env.otp()
        .args(["add", "x", "--motp", "--secret", "not-hex", "--pin-file"])
        .arg(&pin)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("hexadecimal"));
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn exports_carry_them_or_say_why_not() {
    let env = TestEnv::with_vault();
    add_yandex(&env);
    add_motp(&env);
    // otp's JSON keeps the PIN and comes back whole into another vault.
    let json = env.stdout(&["export", "--format", "json", "--plaintext"]);
    assert!(
        json.contains("\"type\": \"yandex\"") || json.contains("\"type\":\"yandex\""),
        "{json}"
    );
    let other = TestEnv::with_vault();
    let file = other.write("export.json", &json);
    other.otp().arg("import").arg(&file).assert().success();
    assert_eq!(
        other.stdout(&["code", "Yandex:alice", "--at", "1581090810"]),
        "wemdwrix\n"
    );
    assert_eq!(
        other.stdout(&["code", "Corp:bob", "--at", "1659540020"]),
        "ced7b1\n"
    );
    // URIs in Aegis's forms.
    let uris = env.stdout(&["export", "--format", "uris", "--plaintext"]);
    assert!(uris.contains("otpauth://yaotp/Yandex:alice?"), "{uris}");
    assert!(
        uris.contains(&format!("motp://Corp:bob?secret={MOTP_SECRET}")),
        "{uris}"
    );
    // Google Authenticator's migration QR cannot hold them: named, not dropped.
    let out = env
        .otp()
        .args(["export", "--format", "google-qr", "--plaintext", "-o"])
        .arg(env.path("g.png"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("Yandex:alice") && err.contains("Corp:bob"),
        "{err}"
    );
}

#[test]
fn aegis_export_writes_them_as_aegis_does() {
    let env = TestEnv::with_vault();
    add_yandex(&env);
    add_motp(&env);
    let text = env.stdout(&["export", "--format", "aegis", "--plaintext"]);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entries = doc["db"]["entries"].as_array().unwrap();
    let by_type = |t: &str| {
        entries
            .iter()
            .find(|e| e["type"] == t)
            .unwrap_or_else(|| panic!("{t} in {text}"))
    };
    let y = &by_type("yandex")["info"];
    assert_eq!(
        (
            y["algo"].as_str(),
            y["digits"].as_u64(),
            y["period"].as_u64()
        ),
        (Some("SHA256"), Some(8), Some(30))
    );
    assert_eq!(y["pin"], YANDEX_PIN);
    // The 16-byte key (Aegis keeps the key without Yandex's checksum).
    assert_eq!(y["secret"], &YANDEX_SECRET[..26]);
    let m = &by_type("motp")["info"];
    assert_eq!(
        (
            m["algo"].as_str(),
            m["digits"].as_u64(),
            m["period"].as_u64()
        ),
        (Some("MD5"), Some(6), Some(10))
    );
    assert_eq!(m["pin"], MOTP_PIN);
    // And back: otp reads Aegis's form of both.
    let other = TestEnv::with_vault();
    let file = other.write("aegis.json", &text);
    other.otp().arg("import").arg(&file).assert().success();
    assert_eq!(
        other.stdout(&["code", "Yandex:alice", "--at", "1581064020"]),
        "oactmacq\n"
    );
    assert_eq!(
        other.stdout(&["code", "Corp:bob", "--at", "1659539870"]),
        "1a14f8\n"
    );
}

/// mOTP's hash is MD5. A vault written before it was named so holds
/// `algorithm = "SHA1"` on its mOTP accounts (a value no code ever used):
/// such a vault opens, gives the same codes, says MD5, and is written back
/// with MD5 at its next change.
#[test]
fn an_old_vault_with_sha1_on_an_motp_account_still_opens() {
    let env = TestEnv::with_vault();
    add_motp(&env);
    let text = env.plaintext();
    assert_eq!(text.matches("algorithm = \"MD5\"").count(), 1, "{text}");
    assert!(!text.contains("SHA1"), "{text}");
    env.write_sealed(&text.replace("algorithm = \"MD5\"", "algorithm = \"SHA1\""));
    assert_eq!(
        env.stdout(&["code", "Corp:bob", "--at", "1659540020"]),
        "ced7b1\n"
    );
    let list: serde_json::Value = serde_json::from_str(&env.stdout(&["list", "--json"])).unwrap();
    assert_eq!(list[0]["algorithm"], "MD5", "{list}");
    assert!(env.stdout(&["show", "Corp:bob"]).contains("MD5"));
    env.add("Other", "carol", "JBSWY3DPEHPK3PXP");
    let text = env.plaintext();
    assert_eq!(text.matches("algorithm = \"MD5\"").count(), 1, "{text}");
    assert_eq!(text.matches("algorithm = \"SHA1\"").count(), 1, "{text}");
}

/// `otp export --format uris` and back: every account, with its PIN, gives
/// the same codes in another vault, through `otp import` and `otp add --uri-stdin`.
#[test]
fn their_uris_come_back_with_the_same_codes() {
    let env = TestEnv::with_vault();
    add_yandex(&env);
    add_motp(&env);
    let uris = env.stdout(&["export", "--format", "uris", "--plaintext"]);
    let check = |other: &TestEnv| {
        for (q, at, code) in [
            ("Yandex:alice", "1581090810", "wemdwrix"),
            ("Corp:bob", "1659539870", "1a14f8"),
        ] {
            assert_eq!(other.stdout(&["code", q, "--at", at]), format!("{code}\n"));
        }
    };
    let imported = TestEnv::with_vault();
    let file = imported.write("uris.txt", &uris);
    imported.otp().arg("import").arg(&file).assert().success();
    check(&imported);
    let added = TestEnv::with_vault();
    for line in uris.lines() {
        added
            .otp()
            .args(["add", "--uri-stdin"])
            .write_stdin(line)
            .assert()
            .success()
            .stderr(predicate::str::contains(MOTP_PIN).not());
    }
    check(&added);
}

/// Stratum, andOTP, cotp (and Yandex's own QR codes) write these URIs
/// without the PIN: `otp add --uri` takes it from --pin-file or --pin-stdin;
/// without one, or with one the URI does not need, nothing is added.
#[test]
fn a_uri_without_its_pin_is_added_with_one_given() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    let stratum =
        format!("otpauth://yaotp/Yandex%3Aalice?secret={YANDEX_SECRET}&issuer=Yandex&pin_length=4");
    let aegis = format!("motp:/Corp%3Abob?secret={MOTP_SECRET}&issuer=Corp");
    // No PIN, and no terminal to ask on.
    let err = env.assert_refused(["add", "--uri", &stratum], 1, "--pin-file");
    assert!(!err.contains(YANDEX_SECRET), "{err}");
    // A PIN for a URI that needs none.
    let pin = env.write("pin.txt", format!("{YANDEX_PIN}\n"));
    env.assert_refused(
        [
            "add",
            "--uri",
            "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP",
            "--pin-file",
            pin.to_str().unwrap(),
        ],
        2,
        "Yandex.Key and mOTP",
    );
    // A pinless link in a list is left out, named, with exit 7; the rest is imported.
    let list = env.write(
        "list.txt",
        format!("{stratum}\notpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n"),
    );
    env.otp()
        .arg("import")
        .arg(&list)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("Yandex:alice").and(predicate::str::contains("no PIN")));
    assert_ne!(env.vault_bytes(), before);
    env.otp()
        .args(["add", "--uri-stdin", "--pin-file"])
        .arg(&pin)
        .write_stdin(stratum)
        .assert()
        .success();
    env.otp()
        .args(["add", "--uri", &aegis, "--pin-stdin"])
        .write_stdin(format!("{MOTP_PIN}\n"))
        .assert()
        .success();
    assert_eq!(
        env.stdout(&["code", "Yandex:alice", "--at", "1581064020"]),
        "oactmacq\n"
    );
    assert_eq!(
        env.stdout(&["code", "Corp:bob", "--at", "1659540020"]),
        "ced7b1\n"
    );
}

/// Stratum's and cotp's exports bring both kinds with their PIN; an entry
/// that cannot give the service's codes is left out, named, with exit 7,
/// and no secret or PIN is printed.
#[test]
fn stratum_and_cotp_exports_bring_them_with_their_pin() {
    for f in [
        "imp3/stratum/pinned.authpro",
        "imp3/stratum/pinned.db",
        "imp3/cotp/pinned.cotp",
    ] {
        let env = TestEnv::with_vault();
        let out = env.otp().arg("import").arg(fixture(f)).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(7), "{f}: {err}");
        assert!(
            err.contains("Corp:no-pin") && err.contains("Corp:upper"),
            "{f}: {err}"
        );
        for secret in ["bbb1912", "BBB1912", "A2V6K", YANDEX_PIN, MOTP_PIN] {
            assert!(!err.contains(secret), "{f}: {err}");
        }
        assert_eq!(
            env.stdout(&["code", "Yandex:alice", "--at", "1581064020"]),
            "oactmacq\n",
            "{f}"
        );
        assert_eq!(
            env.stdout(&["code", "Corp:bob", "--at", "1659540020"]),
            "ced7b1\n",
            "{f}"
        );
    }
}

/// Yandex's own QR code holds no PIN: `otp add --qr` leaves it out, named,
/// saying what to do; with --pin-file it adds the account.
#[test]
fn a_qr_code_without_its_pin_is_added_with_one_given() {
    let env = TestEnv::with_vault();
    let uri = format!(
        "otpauth://yaotp/alice?secret={}&name=alice&pin_length=4",
        &YANDEX_SECRET[..26]
    );
    let image = env.write("yandex.png", otp::qr::to_png(&uri).unwrap());
    env.otp()
        .arg("add")
        .arg("--qr")
        .arg(&image)
        .assert()
        .code(7)
        .stderr(
            predicate::str::contains("alice")
                .and(predicate::str::contains("--qr IMAGE --pin-file")),
        );
    let pin = env.write("pin.txt", format!("{YANDEX_PIN}\n"));
    env.otp()
        .args(["add", "--issuer", "Yandex", "--qr"])
        .arg(&image)
        .arg("--pin-file")
        .arg(&pin)
        .assert()
        .success();
    assert_eq!(
        env.stdout(&["code", "Yandex:alice", "--at", "1581064020"]),
        "oactmacq\n"
    );
}
