//! Test support for the importers of this set: fixture loading, password
//! callbacks, the canonical expected accounts of the Aegis and Stratum
//! fixture sets, and a byte-mutation strategy for the no-panic proptests.

use proptest::prelude::*;
use zeroize::Zeroizing;

use super::{ImportError, Parsed};
use crate::model::{Algorithm, Entry, Kind};

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/imp1/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A password callback that always answers `password`.
pub(crate) fn pw(
    password: &'static str,
) -> impl FnMut(&str) -> Result<Zeroizing<String>, ImportError> {
    move |_| Ok(Zeroizing::new(password.to_string()))
}

/// A password callback with nothing to give.
pub(crate) fn no_pw(_: &str) -> Result<Zeroizing<String>, ImportError> {
    Err(ImportError::NeedPassword)
}

/// One expected account.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Want {
    pub issuer: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub algorithm: Algorithm,
    pub digits: u8,
    /// The period for TOTP/Steam, the counter for HOTP.
    pub step: u64,
    pub secret: &'static str,
    /// `otp::generate` at [`AT`] (TOTP, Steam) or at the counter (HOTP).
    pub code: Option<&'static str>,
}

/// The fixed time at which codes are checked.
pub(crate) const AT: u64 = 1_234_567_890;

const fn w(
    issuer: &'static str,
    name: &'static str,
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
    step: u64,
    secret: &'static str,
) -> Want {
    Want {
        issuer,
        name,
        kind,
        algorithm,
        digits,
        step,
        secret,
        code: None,
    }
}

impl Want {
    const fn with_code(self, code: &'static str) -> Want {
        Want {
            code: Some(code),
            ..self
        }
    }
}

use Algorithm::{SHA1, SHA256, SHA512};
use Kind::{Hotp, Steam, Totp};

/// aegis/canonical_entries.json, entries 1–7.
pub(crate) const AEGIS: [Want; 7] = [
    w(
        "Deno",
        "Mason",
        Totp,
        SHA1,
        6,
        30,
        "4SJHB4GSD43FZBAI7C2HLRJGPQ",
    )
    .with_code("001580"),
    w(
        "SPDX",
        "James",
        Totp,
        SHA256,
        7,
        20,
        "5OM4WOOGPLQEF6UGN3CPEOOLWU",
    )
    .with_code("8650438"),
    w(
        "Airbnb",
        "Elijah",
        Totp,
        SHA512,
        8,
        50,
        "7ELGJSGXNCCTV3O6LKJWYFV2RA",
    )
    .with_code("21994524"),
    w(
        "Issuu",
        "James",
        Hotp,
        SHA1,
        6,
        1,
        "YOOMIXWS5GN6RTBPUFFWKTW5M4",
    )
    .with_code("253717"),
    w(
        "Air Canada",
        "Benjamin",
        Hotp,
        SHA256,
        7,
        50,
        "KUVJJOM753IHTNDSZVCNKL7GII",
    )
    .with_code("4444976"),
    w(
        "WWE",
        "Mason",
        Hotp,
        SHA512,
        8,
        10300,
        "5VAML3X35THCEBVRLV24CGBKOY",
    )
    .with_code("24622277"),
    w(
        "Boeing",
        "Sophia",
        Steam,
        SHA1,
        5,
        30,
        "JRZCL47CMXVOQMNPZR2F7J4RGI",
    )
    .with_code("WR5P6"),
];

/// stratum/MANIFEST.md, S1–S7 (S7 with issuer `NoIssuer`).
/// Codes computed for this test set with Python's `hmac` (not our code).
pub(crate) const STRATUM: [Want; 7] = [
    w(
        "Long",
        "Period",
        Totp,
        SHA1,
        6,
        60,
        "JGRMXBLPPYQIFMRBFQDHNP3MPPYQYNUN",
    )
    .with_code("971319"),
    w(
        "Many",
        "Digits",
        Totp,
        SHA1,
        9,
        30,
        "WEV2GHDH4EAU7D5SZGCIQOFBNQ35EHBS",
    )
    .with_code("769508739"),
    w(
        "Sha",
        "256",
        Totp,
        SHA256,
        6,
        30,
        "RJNZJM7PAGJUBG32XHQWHFZVLYOMGIUQ",
    )
    .with_code("925028"),
    w(
        "Sha",
        "512",
        Totp,
        SHA512,
        6,
        30,
        "UW33SR5O4EKTDXNCBBS5FSPUKAYXIWOH",
    )
    .with_code("510813"),
    w(
        "Standard",
        "Hotp",
        Hotp,
        SHA1,
        6,
        10,
        "JOR2VZXMNHACFNLRAOACFFRDRYAOFMLB",
    )
    .with_code("651512"),
    w(
        "Standard",
        "Totp",
        Totp,
        SHA1,
        6,
        30,
        "54VEGZFJHM3BGDONFERMPUOKNGDJETGM",
    )
    .with_code("996016"),
    w(
        "NoIssuer",
        "NoIssuer",
        Totp,
        SHA1,
        6,
        30,
        "KY2QJPMNQLSGSZE2C5F7AYBLBVEEDHFX",
    )
    .with_code("088883"),
];

impl Want {
    pub(crate) fn with(self, issuer: &'static str, name: &'static str) -> Want {
        Want {
            issuer,
            name,
            ..self
        }
    }

    /// The same key read by an app that keeps no parameters: TOTP SHA1/6/30.
    pub(crate) fn plain_totp(self) -> Want {
        Want {
            kind: Totp,
            algorithm: SHA1,
            digits: 6,
            step: 30,
            code: None,
            ..self
        }
    }

    fn matches(&self, e: &Entry) -> bool {
        let t = &e.token;
        let step = if t.kind == Hotp { t.counter } else { t.period };
        e.issuer == self.issuer
            && e.name == self.name
            && t.kind == self.kind
            && t.algorithm == self.algorithm
            && t.digits == self.digits
            && step == self.step
            && t.secret.to_base32() == self.secret
            && self
                .code
                .is_none_or(|code| crate::otp::generate(t, AT) == code)
    }
}

/// Asserts the entries are exactly `want`, in any order.
pub(crate) fn assert_entries(parsed: &Parsed, want: &[Want]) {
    let got: Vec<String> = parsed.entries.iter().map(describe).collect();
    assert_eq!(
        parsed.entries.len(),
        want.len(),
        "got {got:#?}\nwant {want:#?}"
    );
    for w in want {
        assert!(
            parsed.entries.iter().any(|e| w.matches(e)),
            "missing {w:?}\ngot {got:#?}"
        );
    }
    for e in &parsed.entries {
        e.token.validate().expect("imported tokens validate");
    }
}

fn describe(e: &Entry) -> String {
    let t = &e.token;
    format!(
        "{:?}/{:?} {:?} {:?} {} p{} c{} {}",
        e.issuer,
        e.name,
        t.kind,
        t.algorithm,
        t.digits,
        t.period,
        t.counter,
        t.secret.to_base32()
    )
}

/// Inputs derived from `seed` by flipping, deleting, inserting and
/// truncating bytes, plus fully arbitrary bytes.
pub(crate) fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len().max(1);
    let edits = prop::collection::vec((0..len, any::<u8>(), 0u8..4), 1..8);
    prop_oneof![
        4 => edits.prop_map(move |edits| {
            let mut data = seed.clone();
            for (at, byte, op) in edits {
                let at = at.min(data.len());
                match op {
                    0 if at < data.len() => data[at] = byte,
                    1 if at < data.len() => {
                        data.remove(at);
                    }
                    2 => data.insert(at, byte),
                    _ => data.truncate(at),
                }
            }
            data
        }),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

/// Arbitrary JSON values, a few levels deep, with keys the formats use.
pub(crate) fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let key = prop_oneof![
        Just("secret".to_string()),
        Just("type".to_string()),
        Just("digits".to_string()),
        Just("period".to_string()),
        Just("counter".to_string()),
        Just("algorithm".to_string()),
        Just("issuer".to_string()),
        Just("name".to_string()),
        "[a-z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(Value::from("JBSWY3DPEHPK3PXP")),
        Just(Value::from("SHA1")),
        Just(Value::from("TOTP")),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

mod detection {
    use super::fixture;
    use crate::import;

    /// Every fixture of this set is claimed by its own format when all
    /// formats are tried in `FORMATS` order.
    #[test]
    fn each_fixture_is_detected_as_its_format() {
        let cases = [
            ("aegis_plain.json", Some("aegis")),
            ("aegis_encrypted.json", Some("aegis")),
            ("aegis_plain_grouped_v2.json", Some("aegis")),
            ("stratum/aegis.unencrypted.json", Some("aegis")),
            ("stratum/aegis.encrypted.json", Some("aegis")),
            ("2fas_authenticator.json", Some("2fas")),
            ("2fas_authenticator_plain.2fas", Some("2fas")),
            ("2fas_authenticator_encrypted.2fas", Some("2fas")),
            ("2fas_authenticator_plain_v3.2fas", Some("2fas")),
            ("2fas_authenticator_encrypted_v3.2fas", Some("2fas")),
            ("2fas_authenticator_plain_v4.2fas", Some("2fas")),
            ("2fas_authenticator_encrypted_v4.2fas", Some("2fas")),
            ("2fas-demo-nopass.2fas", Some("2fas")),
            ("2fas-demo-pass.2fas", Some("2fas")),
            ("stratum/twofas.unencrypted.2fas", Some("2fas")),
            ("stratum/twofas.encrypted.2fas", Some("2fas")),
            ("andotp_plain.json", Some("andotp")),
            ("andotp_encrypted.bin", Some("andotp")),
            ("stratum/andotp.unencrypted.json", Some("andotp")),
            ("stratum/andotp.encrypted.bin", Some("andotp")),
            // The old andOTP layout has nothing to recognise: --format andotp.
            ("andotp_encrypted_old.bin", None),
            ("bitwarden.json", Some("bitwarden")),
            ("bitwarden.csv", Some("bitwarden")),
            ("stratum/bitwarden.unencrypted.json", Some("bitwarden")),
            ("stratum/bitwardenauthenticator.json", Some("bitwarden")),
            ("stratum/bitwarden.encrypted.pbkdf2.json", Some("bitwarden")),
            (
                "stratum/bitwarden.encrypted.argon2id.json",
                Some("bitwarden"),
            ),
            (
                "stratum/bitwarden.encrypted.accountrestricted.json",
                Some("bitwarden"),
            ),
            ("ente_auth.txt", Some("ente")),
            ("stratum/ente.encrypted.json", Some("ente")),
            // A plain URI list: the generic format reads it.
            ("stratum/ente.unencrypted.txt", Some("uris")),
            ("proton_authenticator.json", Some("proton")),
            ("proton_authenticator_backup.json", Some("proton")),
            (
                "proton_authenticator_backup_encrypted_1231246.json",
                Some("proton"),
            ),
        ];
        for (file, want) in cases {
            let got = import::detect(&fixture(file)).map(|f| f.name);
            assert_eq!(got, want, "{file}");
        }
    }
}
