use proptest::prelude::*;
use serde_json::Value;

use super::*;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qr/");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}{name}")).unwrap()
}

fn cases() -> Vec<Value> {
    let v: Value = serde_json::from_str(&fixture("expected.json")).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn case(id: &str) -> Batch {
    let c = cases().into_iter().find(|c| c["id"] == id).unwrap();
    parse(c["uri"].as_str().unwrap()).unwrap()
}

#[test]
fn every_fixture_case_decodes_as_expected() {
    let cases = cases();
    assert_eq!(cases.len(), 22);
    // The txt file holds the same URIs as the json.
    let lines: Vec<String> = fixture("migration_uris.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), cases.len());
    for (c, line) in cases.iter().zip(&lines) {
        let id = c["id"].as_str().unwrap();
        assert_eq!(c["uri"].as_str().unwrap(), line, "{id}");
        let got = parse(line);
        if c["expect"] == "error" {
            assert!(got.is_err(), "{id} should fail");
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{id}: {e}"));
        let exp = &c["expected"];
        let want = exp["entries"].as_array().unwrap();
        assert!(got.parsed.skipped.is_empty(), "{id}");
        assert_eq!(got.parsed.entries.len(), want.len(), "{id}");
        for (e, w) in got.parsed.entries.iter().zip(want) {
            assert_eq!(
                e.token.secret.to_base32(),
                w["secret_b32"].as_str().unwrap(),
                "{id}"
            );
            let (issuer, name) =
                split_label(w["issuer"].as_str().unwrap(), w["name"].as_str().unwrap());
            assert_eq!((&e.issuer, &e.name), (&issuer, &name), "{id}");
            assert_eq!(e.token.kind, Kind::Totp, "{id}");
            assert_eq!(e.token.algorithm, Algorithm::SHA1, "{id}");
            assert_eq!(e.token.digits, 6, "{id}");
            assert_eq!(e.token.period, 30, "{id}");
        }
        for (field, value) in [
            ("version", got.version),
            ("batch_size", got.batch_size),
            ("batch_index", got.batch_index),
            ("batch_id", got.batch_id),
        ] {
            assert_eq!(
                exp[field].as_i64().unwrap_or(0),
                i64::from(value),
                "{id} {field}"
            );
        }
    }
}

#[test]
fn issuer_is_split_from_the_name() {
    let b = case("dim13_basic");
    let e = &b.parsed.entries[0];
    assert_eq!(
        (e.issuer.as_str(), e.name.as_str()),
        ("Example", "alice@google.com")
    );
    assert_eq!(e.token.secret.to_base32(), "JBSWY3DPEHPK3PXP");
    let b = case("jc_single_no_batch_fields");
    assert_eq!(b.parsed.entries[0].issuer, "");
    assert_eq!(b.parsed.entries[0].name, "My Test Account");
    assert_eq!(
        split_label("", "GitHub: alice"),
        ("GitHub".into(), "alice".into())
    );
    assert_eq!(
        split_label("Deno", "Mason"),
        ("Deno".into(), "Mason".into())
    );
    assert_eq!(split_label("a:b", "a:b:c"), ("a:b".into(), "c".into()));
}

#[test]
fn three_part_batch_groups_and_reports_a_missing_part() {
    let parts = || ["jc_batch_1_of_3", "jc_batch_2_of_3", "jc_batch_3_of_3"].map(case);
    let [a, b, c] = parts();
    let all = group(vec![c, a, b]).unwrap();
    assert_eq!(all.entries.len(), 22);
    assert_eq!(all.entries[0].name, "one@example.com");
    assert_eq!(all.entries[21].name, "twenty-two@example.com");

    let [a, _, c] = parts();
    let err = group(vec![a, c]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "part 2 of 3 of batch 251676888 is missing: import all QR codes of the export together"
    );
    let [_, b, _] = parts();
    let err = group(vec![b]).unwrap_err().to_string();
    assert!(
        err.starts_with("parts 1, 3 of 3 of batch 251676888 are missing"),
        "{err}"
    );

    let [a, _, c] = parts();
    let partial = group_partial(vec![a, c]);
    assert_eq!(partial.entries.len(), 12);
    assert_eq!(partial.skipped.len(), 1);
    assert_eq!(
        partial.skipped[0].label,
        "Google Authenticator export, batch 251676888"
    );
    assert_eq!(
        partial.skipped[0].reason,
        "part 2 of 3 was not given, so the accounts in it are missing; parts 1, 3 were read (12 entries in them). Import all QR codes of the export together"
    );
    let [a, _, _] = parts();
    let partial = group_partial(vec![a]);
    assert_eq!(partial.entries.len(), 10);
    assert_eq!(
        partial.skipped[0].reason,
        "parts 2, 3 of 3 were not given, so the accounts in them are missing; part 1 was read (10 entries in it). Import all QR codes of the export together"
    );
    let [mut a, _, _] = parts();
    a.batch_size = i32::MAX;
    let reason = &group_partial(vec![a]).skipped[0].reason;
    assert!(
        reason.starts_with("parts 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … of 2147483647 were not given"),
        "{reason}"
    );

    // A hostile batch size is not enumerated.
    let [mut a, _, _] = parts();
    a.batch_size = i32::MAX;
    let err = group(vec![a]).unwrap_err().to_string();
    assert!(
        err.starts_with("parts 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … of 2147483647"),
        "{err}"
    );

    // The same code scanned twice counts once; the unescaped copy is the same code.
    let [a, b, c] = parts();
    let again = case("jc_batch_1_of_3_partially_unescaped");
    assert_eq!(group(vec![a, b, c, again]).unwrap().entries.len(), 22);
}

#[test]
fn example_export_text_gives_six_entries_with_hotp_counter() {
    let batches: Vec<Batch> = fixture("example_export.txt")
        .lines()
        .filter(|l| is_migration_uri(l))
        .map(|l| parse(l).unwrap())
        .collect();
    assert_eq!(batches.len(), 5);
    let all = group(batches).unwrap();
    let labels: Vec<String> = all.entries.iter().map(|e| e.label()).collect();
    assert_eq!(
        labels,
        [
            "raspberrypi:pi@raspberrypi",
            "pi@raspberrypi",
            "pi@raspberrypi",
            "raspberrypi:pi@raspberrypi",
            "hotp demo",
            "encoding:¿äÄéÉ? (demo)",
        ]
    );
    for e in &all.entries {
        assert_eq!(e.token.secret.to_base32(), "7KSQL2JTUDIS5EF65KLMRQIIGY");
    }
    assert_eq!(all.entries[4].token.kind, Kind::Hotp);
    assert_eq!(all.entries[4].token.counter, 4);
}

#[test]
fn raw_plus_signs_are_data_not_spaces() {
    let b = parse(fixture("test_plus_problem_export.txt").trim()).unwrap();
    let got: Vec<(String, String)> = b
        .parsed
        .entries
        .iter()
        .map(|e| (e.label(), e.token.secret.to_base32()))
        .collect();
    let want = [
        (
            "SerenityLabs:test1@serenitylabs.co.uk",
            "A4RFDYMF4GSLUIBQV4ZP67OJEZ2XUQVM",
        ),
        (
            "SerenityLabs:test2@serenitylabs.co.uk",
            "SCDDZ7PW5MOZLE3PQCAZM7L4S35K3UDX",
        ),
        (
            "SerenityLabs:test3@serenitylabs.co.uk",
            "TR76272RVYO6EAEY2FX7W7R7KUDEGPJ4",
        ),
        (
            "SerenityLabs:test4@serenitylabs.co.uk",
            "N2ILWSXSJUQUB7S6NONPJSC62NPG7EXN",
        ),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
}

#[test]
fn bad_inputs_are_clean_errors() {
    assert_eq!(
        parse(fixture("test_export_wrong_data.txt").trim()).unwrap_err(),
        MigrationError::BadPayload
    );
    assert_eq!(
        parse(fixture("test_export_wrong_prefix.txt").trim()).unwrap_err(),
        MigrationError::NotMigrationUri
    );
    assert_eq!(
        parse("otpauth-migration://offline").unwrap_err(),
        MigrationError::MissingData
    );
    assert_eq!(
        parse("otpauth-migration://offline?data=").unwrap_err(),
        MigrationError::EmptyData
    );
    assert_eq!(
        parse("otpauth-migration://offline?data=%%%").unwrap_err(),
        MigrationError::BadBase64
    );
    assert_eq!(
        parse("otpauth://totp/x?secret=AAAA").unwrap_err(),
        MigrationError::NotMigrationUri
    );
    // URL-safe alphabet and a different scheme case are accepted.
    let url_safe = "OTPAUTH-MIGRATION://offline?data=CjsKFBHMQnKu_odWlB_zUy-dfiRIaHj0EhhFeGFtcGxlOmFsaWNlQGdvb2dsZS5jb20aB0V4YW1wbGUwAg";
    let b = parse(url_safe).unwrap();
    assert_eq!(
        b.parsed.entries[0].token.secret.to_base32(),
        "CHGEE4VO72DVNFA76NJS7HL6EREGQ6HU"
    );
}

fn params(algorithm: i32, digits: i32, kind: i32, counter: i64) -> proto::OtpParameters {
    proto::OtpParameters {
        secret: b"12345678901234567890".to_vec(),
        name: b"Svc:bob".to_vec(),
        issuer: b"Svc".to_vec(),
        algorithm,
        digits,
        kind,
        counter,
    }
}

fn uri_of(otp_parameters: Vec<proto::OtpParameters>) -> String {
    let p = proto::MigrationPayload {
        otp_parameters,
        version: 1,
        batch_size: 1,
        batch_index: 0,
        batch_id: 7,
    };
    let b64 = crate::base64::encode(&p.encode_to_vec());
    format!(
        "otpauth-migration://offline?data={}",
        utf8_percent_encode(&b64, NON_ALPHANUMERIC)
    )
}

#[test]
fn unsupported_accounts_are_skipped_with_a_reason() {
    let uri = uri_of(vec![
        params(4, 1, 2, 0),
        params(9, 1, 2, 0),
        params(1, 3, 2, 0),
        params(1, 1, 0, 0),
        params(1, 1, 1, -1),
        {
            let mut p = params(1, 1, 2, 0);
            p.secret.clear();
            p
        },
        params(3, 2, 1, 42),
    ]);
    let b = parse(&uri).unwrap();
    let reasons: Vec<&str> = b.parsed.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 6, "{reasons:?}");
    assert!(reasons[0].contains("MD5"));
    assert!(reasons[3].contains("TOTP or HOTP"));
    assert_eq!(b.parsed.skipped[0].label, "Svc:bob");
    let e = &b.parsed.entries[0];
    assert_eq!(
        (
            e.token.kind,
            e.token.algorithm,
            e.token.digits,
            e.token.counter
        ),
        (Kind::Hotp, Algorithm::SHA512, 8, 42)
    );
}

fn entry(issuer: &str, name: &str, kind: Kind, digits: u8, period: u64) -> Entry {
    let mut t = Token::totp(Secret::new(b"secret-bytes-01".to_vec()));
    t.kind = kind;
    t.digits = digits;
    t.period = period;
    if kind == Kind::Hotp {
        t.counter = 5;
    }
    Entry::new(issuer, name, t)
}

#[test]
fn encode_leaves_out_what_google_cannot_hold() {
    let entries = [
        entry("A", "ok", Kind::Totp, 6, 30),
        entry("B", "p60", Kind::Totp, 6, 60),
        entry("C", "d7", Kind::Totp, 7, 30),
        entry("Steam", "s", Kind::Steam, 5, 30),
        entry("", "h8", Kind::Hotp, 8, 99),
    ];
    let (uris, warnings) = encode(&entries, 10, 99);
    assert_eq!(uris.len(), 1);
    let labels: Vec<&str> = warnings.iter().map(|w| w.label.as_str()).collect();
    assert_eq!(labels, ["B:p60", "C:d7", "Steam:s"]);
    assert!(warnings[0].message.contains("60 s"));
    let b = parse(&uris[0]).unwrap();
    assert_eq!(b.parsed.entries.len(), 2);
    assert_eq!(b.parsed.entries[1].token.counter, 5);
    for w in &warnings {
        assert!(!w.message.contains("secret-bytes"));
    }
}

#[test]
fn encode_splits_into_a_batch_that_groups_back() {
    let entries: Vec<Entry> = (0..23)
        .map(|i| entry("Svc", &format!("user{i}"), Kind::Totp, 6, 30))
        .collect();
    let (uris, warnings) = encode(&entries, 10, -5);
    assert!(warnings.is_empty());
    assert_eq!(uris.len(), 3);
    let batches: Vec<Batch> = uris.iter().rev().map(|u| parse(u).unwrap()).collect();
    assert_eq!(
        (
            batches[0].batch_size,
            batches[0].batch_index,
            batches[0].batch_id
        ),
        (3, 2, -5)
    );
    assert_eq!(group(batches).unwrap().entries, entries);
    assert!(encode(&[], 10, 1).0.is_empty());
}

fn arb_entry() -> impl Strategy<Value = Entry> {
    (
        "[A-Za-z0-9 .@_-]{0,12}",
        "[A-Za-z0-9 .@_-]{0,12}",
        prop::collection::vec(any::<u8>(), 1..40),
        prop_oneof![Just(Kind::Totp), Just(Kind::Hotp)],
        prop_oneof![
            Just(Algorithm::SHA1),
            Just(Algorithm::SHA256),
            Just(Algorithm::SHA512)
        ],
        prop_oneof![Just(6u8), Just(8u8)],
        0u64..1 << 40,
    )
        .prop_map(|(issuer, name, secret, kind, algorithm, digits, counter)| {
            let mut t = Token::totp(Secret::new(secret));
            t.kind = kind;
            t.algorithm = algorithm;
            t.digits = digits;
            t.counter = if kind == Kind::Hotp { counter } else { 0 };
            Entry::new(issuer.trim(), name.trim(), t)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_never_panics_on_strings(s in ".{0,200}") {
        let _ = parse(&s);
        let _ = parse(&format!("otpauth-migration://offline?data={s}"));
    }

    #[test]
    fn parse_never_panics_on_payload_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let b64 = crate::base64::encode(&bytes);
        if let Ok(b) = parse(&format!("otpauth-migration://offline?data={b64}")) {
            for e in &b.parsed.entries {
                prop_assert!(e.token.validate().is_ok());
            }
        }
    }

    #[test]
    fn parse_never_panics_on_mutated_exports(idx in 0usize..2000, byte in any::<u8>()) {
        let text = fixture("migration_uris.txt");
        let mut raw = text.into_bytes();
        let i = idx % raw.len();
        raw[i] = byte;
        for line in String::from_utf8_lossy(&raw).lines() {
            let _ = parse(line);
        }
    }

    #[test]
    fn encode_then_parse_round_trips(entries in prop::collection::vec(arb_entry(), 0..30), per in 1usize..12, id in any::<i32>()) {
        let (uris, warnings) = encode(&entries, per, id);
        prop_assert!(warnings.is_empty());
        let batches: Vec<Batch> = uris.iter().map(|u| parse(u).unwrap()).collect();
        let back = group(batches).unwrap();
        prop_assert!(back.skipped.is_empty());
        prop_assert_eq!(back.entries, entries);
    }
}
