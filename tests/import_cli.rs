//! `otp import` end to end: real app exports through the binary, with the
//! contract's password, duplicate, conflict and dry-run rules.

use crate::common::*;
use predicates::prelude::*;

const AEGIS_PLAIN: &str = "imp1/aegis_plain.json";
const AEGIS_ENCRYPTED: &str = "imp1/aegis_encrypted.json";

/// The canonical Aegis entries and their codes at unix 1234567890.
const CANONICAL_CODES: &[(&str, &str)] = &[
    ("Deno:Mason", "001580"),
    ("SPDX:James", "8650438"),
    ("Airbnb:Elijah", "21994524"),
];

#[test]
fn encrypted_aegis_export_with_password_file_and_codes_match() {
    let env = TestEnv::with_vault();
    let pw = env.write("pw.txt", "test\n");
    env.otp()
        .arg("import")
        .arg(fixture(AEGIS_ENCRYPTED))
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .success()
        .stderr(predicate::str::contains("7 added, 0 duplicates"));
    for (label, code) in CANONICAL_CODES {
        assert_eq!(
            env.stdout(&["code", label, "--at", "1234567890"]),
            format!("{code}\n"),
            "{label}"
        );
    }
    // HOTP counters come across: Issuu at counter 1 gives 253717.
    assert_eq!(env.stdout(&["code", "issuu"]), "253717\n");
    assert!(env.stdout(&["list"]).contains("Boeing:Sophia"));
}

#[test]
fn wrong_or_missing_password_exits_1_and_writes_nothing() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    let pw = env.write("pw.txt", "not-the-password\n");
    env.otp()
        .arg("import")
        .arg(fixture(AEGIS_ENCRYPTED))
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong password"));
    env.otp()
        .arg("import")
        .arg(fixture(AEGIS_ENCRYPTED))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--password-file"));
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn duplicates_are_skipped_and_counted() {
    let env = TestEnv::with_vault();
    env.otp()
        .arg("import")
        .arg(fixture(AEGIS_PLAIN))
        .assert()
        .success();
    let before = env.vault_bytes();
    env.otp()
        .arg("import")
        .arg(fixture(AEGIS_PLAIN))
        .assert()
        .success()
        .stderr(predicate::str::contains("0 added, 7 duplicates"));
    assert_eq!(
        env.vault_bytes(),
        before,
        "nothing to add: the vault is not rewritten"
    );
}

#[test]
fn conflicts_refuse_the_whole_import_with_exit_5() {
    let env = TestEnv::with_vault();
    // Same issuer:name as an Aegis entry, different secret.
    env.add("Deno", "Mason", SECRET);
    let stderr = env.assert_refused(
        [&"import".into(), &fixture(AEGIS_PLAIN)],
        5,
        "Deno:Mason conflicts with Deno:Mason",
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let env = TestEnv::with_vault();
    env.otp()
        .args([
            "add",
            "--uri",
            "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno",
        ])
        .assert()
        .success();
    let before = env.vault_bytes();
    let out = env
        .otp()
        .arg("import")
        .arg(fixture(AEGIS_PLAIN))
        .arg("--dry-run")
        .output()
        .unwrap();
    assert!(out.status.success());
    let plan = String::from_utf8(out.stdout).unwrap();
    assert!(plan.contains("skip\tDeno:Mason"), "{plan}");
    assert!(plan.contains("add\tSPDX:James"), "{plan}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("6 would be added, 1 duplicates"));
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn uri_list_from_stdin_with_comments() {
    let env = TestEnv::with_vault();
    let list = format!(
        "# my accounts\n\notpauth://totp/GitHub:alice?secret={SECRET}&issuer=GitHub\n  otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&counter=4\n"
    );
    env.otp()
        .args(["import", "-"])
        .write_stdin(list)
        .assert()
        .success()
        .stderr(predicate::str::contains("2 added"));
    assert_eq!(env.stdout(&["list"]), "GitHub:alice\nBank:bob\n");
}

#[test]
fn a_bad_line_is_left_out_naming_its_number_not_its_secret_exit_7() {
    let env = TestEnv::with_vault();
    let list = "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\notpauth://totp/B:b?secret=JBSWY3DPEHPK3PXP&digits=99\n";
    env.otp()
        .args(["import", "-"])
        .write_stdin(list)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("1 added, 0 duplicates, 1 skipped"))
        .stderr(predicate::str::contains("line 2: "))
        .stderr(predicate::str::contains("JBSWY3DPEHPK3PXP").not());
    assert_eq!(env.stdout(&["list"]), "A:a\n");
}

/// The one rule for every format: an app export with entries otp cannot
/// import imports the rest, lists each entry left out with its reason and
/// exits 7, so that `otp import FILE && rm FILE` cannot lose an account.
#[test]
fn an_export_with_entries_left_out_exits_7_listing_each() {
    // Stratum's andOTP backup holds an mOTP entry, which the andOTP reader
    // leaves out: andOTP keeps no mOTP PIN (Aegis, Stratum and cotp exports
    // bring them: tests/pinned_kinds.rs).
    let env = TestEnv::with_vault();
    let import = || {
        let mut cmd = env.otp();
        cmd.arg("import")
            .arg(fixture("imp1/stratum/andotp.unencrypted.json"));
        cmd
    };
    // The dry run shows the same, on stdout, and writes nothing.
    let before = env.vault_bytes();
    let out = import().arg("--dry-run").output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    let plan = String::from_utf8(out.stdout).unwrap();
    assert!(
        plan.contains("left-out\tMotp:motp\t(andOTP keeps no mOTP PIN"),
        "{plan}"
    );
    assert!(plan.contains("add\t"), "{plan}");
    assert_eq!(env.vault_bytes(), before);

    let out = import().output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("8 added, 0 duplicates, 1 skipped"), "{err}");
    assert!(
        err.contains("1 entry of the input was not imported")
            || err.contains("1 entries of the input were not imported"),
        "{err}"
    );
    assert!(
        err.contains("  Motp:motp: andOTP keeps no mOTP PIN"),
        "{err}"
    );
    let list = env.stdout(&["list"]);
    assert_eq!(list.lines().count(), 8, "{list}");
    // Again: the accounts are duplicates now, but one entry is still not
    // in the vault: still exit 7.
    import()
        .assert()
        .code(7)
        .stderr(predicate::str::contains("0 added, 8 duplicates, 1 skipped"));
}

#[test]
fn an_aegis_export_brings_its_yandex_and_motp_entries() {
    let env = TestEnv::with_vault();
    let pw = env.write("pw.txt", "test\n");
    env.otp()
        .arg("import")
        .arg(fixture("imp1/stratum/aegis.encrypted.json"))
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .success()
        .stderr(predicate::str::contains("11 added, 0 duplicates"));
    assert_eq!(
        env.stdout(&["code", "Yandex:Yandex", "--at", "1581064020"]),
        "oactmacq\n"
    );
    assert_eq!(
        env.stdout(&["code", "Motp:Motp", "--at", "1234567890"]),
        "705db7\n"
    );
}

#[test]
fn unknown_files_and_formats_get_clear_errors() {
    let env = TestEnv::with_vault();
    let junk = env.write("junk.bin", b"\x00\x01 definitely not an export");
    env.otp()
        .arg("import")
        .arg(&junk)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--format"));
    env.otp()
        .arg("import")
        .arg(&junk)
        .args(["--format", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("aegis"));
    env.otp()
        .arg("import")
        .arg(env.path("missing.json"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot read").and(predicate::str::contains("missing.json")),
        )
        .stderr(predicate::str::contains("No such file"));
}

#[test]
fn every_app_fixture_imports_through_the_binary() {
    // One file per importer, auto-detected (or forced where the format has no
    // marker), each must add accounts.
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        (
            "imp1/2fas_authenticator_encrypted_v4.2fas",
            None,
            Some("test"),
        ),
        ("imp1/andotp_plain.json", None, None),
        ("imp1/bitwarden.csv", None, None),
        (
            "imp1/proton_authenticator_backup_encrypted_1231246.json",
            None,
            Some("1231246"),
        ),
        ("imp2/aegis/freeotp_plus.json", None, None),
        ("imp2/aegis/authy_encrypted.xml", None, Some("testtest")),
        ("imp2/aegis/steam.json", None, None),
        ("imp2/aegis/google_authenticator.sqlite", None, None),
        ("imp2/aegis/microsoft_authenticator.sqlite", None, None),
        ("imp2/aegis/stratum_plain.json", None, None),
        ("imp2/aegis/battle_net_authenticator.xml", None, None),
        ("imp2/aegis/duo.json", None, None),
    ];
    for (file, format, password) in cases {
        let env = TestEnv::with_vault();
        let mut cmd = env.otp();
        cmd.arg("import").arg(fixture(file));
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        if let Some(p) = password {
            cmd.arg("--password-file").arg(env.write("pw.txt", p));
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{file}: {err}");
        assert!(
            !err.lines().any(|l| l.starts_with("0 added")),
            "{file}: {err}"
        );
        assert!(!env.stdout(&["list"]).is_empty(), "{file}");
    }
}

/// A Bitwarden CSV export (the fixture's columns) with `rows` after the
/// header, joined by `eol`.
fn bitwarden_csv(rows: &[&str], eol: &str) -> String {
    let mut text = String::from(
        "folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp",
    );
    for row in rows {
        text.push_str(eol);
        text.push_str(row);
    }
    text.push_str(eol);
    text
}

const BW_SECRET: &str = "4SJHB4GSD43FZBAI7C2HLRJGPQ";

/// An otpauth URI for `name`; `n` varies the secret (an import skips
/// duplicates).
fn bw_totp(name: &str, n: usize) -> String {
    let secret = BW_SECRET.replacen('4', &(n + 2).to_string(), 1);
    format!("otpauth://totp/Deno:{name}?secret={secret}&issuer=Deno")
}

#[test]
fn malformed_bitwarden_csv_is_refused_with_where_and_the_vault_is_unchanged() {
    let env = TestEnv::with_vault();
    env.add("Existing", "me", "JBSWY3DPEHPK3PXP");
    let before = env.vault_bytes();
    let (a, b) = (bw_totp("a", 0), bw_totp("b", 0));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            // The csv crate alone would read the rest of the file into one
            // field and import only what came before.
            "unclosed quote",
            bitwarden_csv(
                &[
                    &format!(",,login,A,,,,,,{a}"),
                    &format!(",,login,\"B,,,,,,{b}"),
                    &format!(",,login,C,,,,,,{a}"),
                ],
                "\n",
            ),
            "line 3, field 4",
        ),
        (
            "stray quote",
            bitwarden_csv(&[&format!(",,login,B\"x,,,,,,{b}")], "\n"),
            "line 2, field 4",
        ),
        (
            "text after a closing quote",
            bitwarden_csv(&[&format!(",,login,\"B\"x,,,,,,{b}")], "\r\n"),
            "line 2, field 4",
        ),
        (
            // An unquoted comma shifts the columns: login_totp would be read
            // from the wrong one.
            "ragged row",
            bitwarden_csv(
                &[
                    &format!(",,login,A,,,,,,{a}"),
                    &format!(",,login,Acme, Inc,,,,,pw,{b}"),
                ],
                "\n",
            ),
            "line 3",
        ),
        ("short row", bitwarden_csv(&[",,login,A,,"], "\n"), "line 2"),
        (
            "NUL byte",
            bitwarden_csv(&[&format!(",,login,A\0,,,,,,{a}")], "\n"),
            "line 2, field 4",
        ),
    ];
    for (what, text, place) in cases {
        let file = env.write("bitwarden.csv", &text);
        let out = env.otp().arg("import").arg(&file).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert!(
            err.contains("Bitwarden") && err.contains(place),
            "{what}: {err}"
        );
        assert!(
            !err.contains(&BW_SECRET[1..]),
            "{what}: a secret on stderr: {err}"
        );
        assert_eq!(env.vault_bytes(), before, "{what}: the vault changed");
    }
}

#[test]
fn bitwarden_csv_with_bom_crlf_and_line_breaks_in_quotes_imports() {
    let env = TestEnv::with_vault();
    let text = format!(
        "\u{feff}{}",
        bitwarden_csv(
            &[
                &format!(
                    ",,login,\"Two\r\nlines, \"\"quoted\"\"\",\"a note\nover lines\",,,,,{}",
                    bw_totp("a", 0)
                ),
                "",
                &format!("Work,,login,B,,,,,,\"{}\"", bw_totp("b", 1)),
            ],
            "\r\n",
        )
    );
    let file = env.write("bitwarden.csv", text);
    env.otp()
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("2 added"));
    let list = env.stdout(&["list"]);
    assert!(list.contains("Deno:a") && list.contains("Deno:b"), "{list}");
}

/// An hotp URI without counter= and a label with an extra path segment or
/// a trailing '/' would give wrong codes or a wrong name: errors naming the
/// problem, never the secret (left out of a list, exit 7; refused by add).
#[test]
fn hotp_without_counter_and_labels_with_a_slash_are_refused_naming_the_problem() {
    let env = TestEnv::with_vault();
    let list = format!(
        "otpauth://hotp/Bank:bob?secret={SECRET}\notpauth://totp/Example:alice@google.com/?secret={SECRET}&issuer=Example\notpauth://totp/A/b?secret={SECRET}\notpauth://hotp/Ok:c?secret=GEZDGNBVGY3TQOJQ&counter=3\n"
    );
    env.otp()
        .args(["import", "-"])
        .write_stdin(list)
        .assert()
        .code(7)
        .stderr(predicate::str::contains(
            "line 1: the hotp URI has no counter= parameter",
        ))
        .stderr(predicate::str::contains("line 2: the label holds a '/'"))
        .stderr(predicate::str::contains("line 3: the label holds a '/'"))
        .stderr(predicate::str::contains(SECRET).not());
    assert_eq!(env.stdout(&["list"]), "Ok:c\n");
    let before = env.vault_bytes();
    for uri in [
        format!("otpauth://hotp/Bank:bob?secret={SECRET}"),
        format!("otpauth://totp/Example:alice@google.com/?secret={SECRET}"),
    ] {
        env.otp()
            .args(["add", "--uri", &uri])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("counter=").or(predicate::str::contains("'/'")))
            .stderr(predicate::str::contains(SECRET).not());
    }
    assert_eq!(env.vault_bytes(), before);
}

/// The same secret under different labels (a phone showed four names for
/// one secret): every label stays, as its own account, and a QUERY finds
/// each; only the same label with the same secret is one account.
#[test]
fn one_secret_under_several_labels_keeps_every_label() {
    let env = TestEnv::with_vault();
    let list: String = (1..=4)
        .map(|i| format!("otpauth://totp/test{i}?secret={SECRET}\n"))
        .collect();
    env.otp()
        .args(["import", "-"])
        .write_stdin(list.clone())
        .assert()
        .success()
        .stderr(predicate::str::contains("4 added, 0 duplicates, 0 skipped"));
    assert_eq!(env.stdout(&["list"]), "test1\ntest2\ntest3\ntest4\n");
    let (at, code) = SECRET_CODE_AT;
    for i in 1..=4 {
        assert_eq!(
            env.stdout(&["code", &format!("test{i}"), "--at", at]),
            format!("{code}\n")
        );
    }
    // Again: each is the same label with the same secret, a duplicate.
    env.otp()
        .args(["import", "-"])
        .write_stdin(list)
        .assert()
        .success()
        .stderr(predicate::str::contains("0 added, 4 duplicates"));
    // `add` follows the same rule.
    env.otp()
        .args([
            "add",
            "--uri",
            &format!("otpauth://totp/test5?secret={SECRET}"),
        ])
        .assert()
        .success();
    assert_eq!(env.stdout(&["list"]).lines().count(), 5);
}

#[test]
fn lastpass_export_imports_with_its_codes_and_a_bad_one_changes_nothing() {
    let env = TestEnv::with_vault();
    env.otp()
        .arg("import")
        .arg(fixture("imp3/lastpass.json"))
        .assert()
        .success()
        .stderr(predicate::str::contains("6 added, 0 duplicates"));
    // Stratum's expected codes for the same keys at 1234567890.
    for (label, code) in [
        ("Standard:Totp", "996016"),
        ("Many:Digits", "769508739"),
        ("NoIssuer", "088883"),
        ("Sha:256", "925028"),
    ] {
        assert_eq!(
            env.stdout(&["code", label, "--at", "1234567890"]),
            format!("{code}\n"),
            "{label}"
        );
    }
    for (text, says) in [
        (
            r#"{"version":2,"deviceName":"x","accounts":[]}"#,
            "version 2",
        ),
        (
            r#"{"version":3,"deviceName":"x","localDeviceId":"y","encryptedData":"QUJD"}"#,
            "without a password",
        ),
        (
            r#"{"version":3,"deviceName":"x","accounts":{}}"#,
            "accounts",
        ),
    ] {
        let file = env.write("lastpass.json", text);
        let stderr = env.assert_refused([&"import".into(), &file], 1, says);
        assert!(stderr.contains("LastPass"), "{text}: {stderr}");
    }
    // A password-protected export that is not JSON at all: named as such
    // with --format lastpass, with what to do, and nothing imported.
    let file = env.write("lastpass.bin", b"\x00\x9f\x13 ciphertext \xff");
    let stderr = env.assert_refused(
        [
            std::ffi::OsStr::new("import"),
            "--format".as_ref(),
            "lastpass".as_ref(),
            file.as_os_str(),
        ],
        1,
        "password-protected LastPass Authenticator export",
    );
    assert!(
        stderr.contains("export again from LastPass Authenticator without a password"),
        "{stderr}"
    );
}
