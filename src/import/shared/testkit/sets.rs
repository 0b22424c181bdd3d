//! The expected accounts of the Aegis and Stratum fixture sets: [`AEGIS`]
//! and [`STRATUM`] with their codes, and the same as entries.

use serde_json::Value;

use super::fixture;
use crate::model::{Algorithm, Entry, Kind, Parsed, Secret, Token};

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

use Algorithm::{SHA1, SHA256, SHA512};
use Kind::{Hotp, Steam, Totp};

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

/// Stratum's test accounts S1–S7 (tests/fixtures/imp2/README.md; S7 with issuer `NoIssuer`).
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

fn token(
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
    period: u64,
    counter: u64,
    b32: &str,
) -> Token {
    Token {
        kind,
        algorithm,
        digits,
        period,
        counter,
        secret: Secret::from_base32(b32).unwrap(),
        pin: None,
    }
}

/// Aegis's canonical entries, by their 1-based number in imp2/aegis/canonical_entries.json.
pub(crate) fn canonical(which: &[usize]) -> Vec<Entry> {
    let v: Value = serde_json::from_slice(&fixture("imp2/aegis/canonical_entries.json")).unwrap();
    let all = v["entries"].as_array().unwrap();
    which
        .iter()
        .map(|n| {
            let e = &all[n - 1];
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            let u = |k: &str| e[k].as_u64().unwrap_or(0);
            let kind: Kind = s("type").parse().unwrap();
            let t = token(
                kind,
                s("algorithm").parse().unwrap(),
                u("digits") as u8,
                u("period"),
                u("counter"),
                &s("secret_base32"),
            );
            Entry::new(s("issuer"), s("name"), t)
        })
        .collect()
}

/// The Stratum set S1–S7 as entries; S7 has no issuer here.
pub(crate) fn stratum(which: &[usize]) -> Vec<Entry> {
    which
        .iter()
        .map(|n| {
            let w = STRATUM[n - 1];
            let w = if w.issuer == "NoIssuer" {
                w.with("", w.name)
            } else {
                w
            };
            let (period, counter) = if w.kind == Hotp {
                (30, w.step)
            } else {
                (w.step, 0)
            };
            let t = token(w.kind, w.algorithm, w.digits, period, counter, w.secret);
            Entry::new(w.issuer, w.name, t)
        })
        .collect()
}

/// Checks codes against `canonical_entries.json` (computed independently)
/// for every entry whose secret and parameters are exactly a canonical
/// entry's: TOTP/Steam at the three fixed times, HOTP at the stored counter
/// and the one after. Returns how many entries were checked.
pub(crate) fn check_canonical_codes(entries: &[Entry]) -> usize {
    let v: Value = serde_json::from_slice(&fixture("imp2/aegis/canonical_entries.json")).unwrap();
    let all = v["entries"].as_array().unwrap();
    let mut checked = 0;
    for (n, c) in all.iter().enumerate() {
        let want = &canonical(&[n + 1])[0];
        let Some(got) = entries.iter().find(|e| e.token.same_generator(&want.token)) else {
            continue;
        };
        if got.token.kind == Hotp {
            if got.token.counter != want.token.counter {
                continue;
            }
            assert_eq!(
                crate::otp::generate_at_counter(&got.token, got.token.counter),
                c["code_at_counter"],
                "{}",
                got.label()
            );
            assert_eq!(
                crate::otp::generate_at_counter(&got.token, got.token.counter + 1),
                c["code_at_counter_plus_1"],
                "{}",
                got.label()
            );
        } else {
            for (t, code) in c["codes"].as_object().unwrap() {
                assert_eq!(
                    crate::otp::generate(&got.token, t.parse().unwrap()),
                    *code,
                    "{} at {t}",
                    got.label()
                );
            }
        }
        checked += 1;
    }
    checked
}
