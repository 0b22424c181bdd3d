//! Test support for the importers: fixture loading, the expected accounts of
//! the Aegis and Stratum fixture sets, comparison, and input mutation for the
//! "never panics" property tests.

use proptest::prelude::*;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{Format, ImportError, Parsed};
use crate::model::{Algorithm, Entry, Kind, Secret, Token};

pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/imp2/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn no_password(_: &str) -> Result<Zeroizing<String>, ImportError> {
    Err(ImportError::NeedPassword)
}

/// Parses with a password source that hands out `passwords` in order.
pub(crate) fn parse_with(
    format: &Format,
    data: &[u8],
    passwords: &[&str],
) -> Result<Parsed, ImportError> {
    let mut queue = passwords.iter();
    let mut source = |_: &str| {
        queue
            .next()
            .map(|p| Zeroizing::new(p.to_string()))
            .ok_or(ImportError::NeedPassword)
    };
    (format.parse)(data, &mut source)
}

pub(crate) fn parse_ok(format: &Format, rel: &str, passwords: &[&str]) -> Parsed {
    let data = fixture(rel);
    assert!(
        (format.detect)(&data),
        "{} does not detect {rel}",
        format.name
    );
    parse_with(format, &data, passwords).unwrap_or_else(|e| panic!("{rel}: {e}"))
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
    }
}

/// Aegis's canonical entries, by their 1-based number in MANIFEST.md.
pub(crate) fn canonical(which: &[usize]) -> Vec<Entry> {
    let v: Value = serde_json::from_slice(&fixture("aegis/canonical_entries.json")).unwrap();
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

/// The Stratum set S1–S7 (stratum/MANIFEST.md); S7 has no issuer here.
pub(crate) fn stratum(which: &[usize]) -> Vec<Entry> {
    use Algorithm::*;
    use Kind::*;
    let all = [
        (
            "Long",
            "Period",
            token(Totp, SHA1, 6, 60, 0, "JGRMXBLPPYQIFMRBFQDHNP3MPPYQYNUN"),
        ),
        (
            "Many",
            "Digits",
            token(Totp, SHA1, 9, 30, 0, "WEV2GHDH4EAU7D5SZGCIQOFBNQ35EHBS"),
        ),
        (
            "Sha",
            "256",
            token(Totp, SHA256, 6, 30, 0, "RJNZJM7PAGJUBG32XHQWHFZVLYOMGIUQ"),
        ),
        (
            "Sha",
            "512",
            token(Totp, SHA512, 6, 30, 0, "UW33SR5O4EKTDXNCBBS5FSPUKAYXIWOH"),
        ),
        (
            "Standard",
            "Hotp",
            token(Hotp, SHA1, 6, 30, 10, "JOR2VZXMNHACFNLRAOACFFRDRYAOFMLB"),
        ),
        (
            "Standard",
            "Totp",
            token(Totp, SHA1, 6, 30, 0, "54VEGZFJHM3BGDONFERMPUOKNGDJETGM"),
        ),
        (
            "",
            "NoIssuer",
            token(Totp, SHA1, 6, 30, 0, "KY2QJPMNQLSGSZE2C5F7AYBLBVEEDHFX"),
        ),
    ];
    which
        .iter()
        .map(|n| {
            let (i, m, t) = &all[n - 1];
            Entry::new(*i, *m, t.clone())
        })
        .collect()
}

pub(crate) fn set_counter(want: &mut [Entry], issuer: &str, counter: u64) {
    want.iter_mut()
        .find(|e| e.issuer == issuer)
        .unwrap()
        .token
        .counter = counter;
}

/// Same accounts in any order: matched by secret, then compared field by field
/// (HOTP counters included; the period only where it is used).
pub(crate) fn assert_same(got: &[Entry], want: &[Entry]) {
    let show = |e: &Entry| {
        let t = &e.token;
        let p = if t.kind == Kind::Hotp {
            format!("counter {}", t.counter)
        } else {
            format!("period {}", t.period)
        };
        format!(
            "{} {:?} {} {} digits {p} {}",
            e.label(),
            t.kind,
            t.algorithm,
            t.digits,
            t.secret.to_base32()
        )
    };
    let mut g: Vec<String> = got.iter().map(show).collect();
    let mut w: Vec<String> = want.iter().map(show).collect();
    g.sort();
    w.sort();
    assert_eq!(g, w);
}

/// One edit of an input: flip bits, cut, insert or delete bytes.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    Xor(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Set(usize, u8),
}

#[derive(Debug, Clone)]
pub(crate) struct Mutation(Vec<Edit>);

impl Mutation {
    pub(crate) fn apply(&self, input: &[u8]) -> Vec<u8> {
        let mut d = input.to_vec();
        for e in &self.0 {
            let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
            match e {
                Edit::Xor(i, x) if !d.is_empty() => {
                    let i = at(*i, d.len());
                    d[i] ^= x.max(&1)
                }
                Edit::Set(i, x) if !d.is_empty() => {
                    let i = at(*i, d.len());
                    d[i] = *x
                }
                Edit::Truncate(i) => {
                    let i = at(*i, d.len() + 1);
                    d.truncate(i)
                }
                Edit::Insert(i, b) => {
                    let i = at(*i, d.len() + 1);
                    d.splice(i..i, b.iter().copied());
                }
                Edit::Delete(i, n) if !d.is_empty() => {
                    let i = at(*i, d.len());
                    let end = (i + n % 64).min(d.len());
                    d.drain(i..end);
                }
                _ => {}
            }
        }
        d
    }
}

/// Mostly small edits of a real file (which reach deep into the parser),
/// with a few structural tokens inserted (quotes, brackets, tags, magic bytes).
pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"{".to_vec()),
        Just(b"]".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"99999999999999999999".to_vec()),
        Just(b"&#0;".to_vec()),
        Just(b"<".to_vec()),
        Just(vec![0x71, 0, 0x7E, 0, 0]),
        Just(vec![0xFF; 4]),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    let edit = prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Edit::Xor(i, x)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Edit::Set(i, x)),
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), interesting).prop_map(|(i, b)| Edit::Insert(i, b)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Edit::Delete(i, n)),
    ];
    proptest::collection::vec(edit, 1..4).prop_map(Mutation)
}

/// Checks codes against `canonical_entries.json` (computed independently)
/// for every entry whose secret and parameters are exactly a canonical
/// entry's: TOTP/Steam at the three fixed times, HOTP at the stored counter
/// and the one after. Returns how many entries were checked.
pub(crate) fn check_canonical_codes(entries: &[Entry]) -> usize {
    let v: Value = serde_json::from_slice(&fixture("aegis/canonical_entries.json")).unwrap();
    let all = v["entries"].as_array().unwrap();
    let mut checked = 0;
    for (n, c) in all.iter().enumerate() {
        let want = &canonical(&[n + 1])[0];
        let Some(got) = entries.iter().find(|e| e.token.same_generator(&want.token)) else {
            continue;
        };
        if got.token.kind == Kind::Hotp {
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

/// Auto-detection over the whole format list picks the right importer for
/// every fixture here (order and sniffs together), and claims no file wrongly.
#[test]
fn detection_picks_the_right_format_for_every_fixture() {
    let cases: &[(&str, Option<&str>)] = &[
        ("aegis/authenticator_plus.zip", Some("authenticator-plus")),
        ("aegis/authy_encrypted.xml", Some("authy")),
        ("aegis/authy_plain.xml", Some("authy")),
        ("aegis/battle_net_authenticator.xml", Some("battle-net")),
        ("aegis/duo.json", Some("duo")),
        ("aegis/freeotp.xml", Some("freeotp")),
        ("aegis/freeotp_plus.json", Some("freeotp-plus")),
        ("aegis/freeotp_plus_internal.xml", Some("freeotp")),
        ("aegis/freeotp_v2_api23.xml", Some("freeotp")),
        ("aegis/freeotp_v2_api25.xml", Some("freeotp")),
        ("aegis/freeotp_v2_api27.xml", Some("freeotp")),
        ("aegis/freeotp_v2_api34.xml", Some("freeotp")),
        ("aegis/freeotp_v2_null_algo.xml", Some("freeotp")),
        (
            "aegis/google_authenticator.sqlite",
            Some("google-authenticator-db"),
        ),
        (
            "aegis/microsoft_authenticator.sqlite",
            Some("microsoft-authenticator"),
        ),
        ("aegis/plain.txt", Some("uris")),
        ("aegis/steam.json", Some("steam")),
        ("aegis/steam_old.json", Some("steam")),
        ("aegis/stratum_encrypted.bin", Some("stratum")),
        ("aegis/stratum_encrypted_legacy.bin", Some("stratum")),
        ("aegis/stratum_internal.db", Some("stratum")),
        ("aegis/stratum_plain.json", Some("stratum")),
        ("aegis/totp_authenticator.bin", Some("totp-authenticator")),
        (
            "aegis/totp_authenticator_internal.xml",
            Some("totp-authenticator"),
        ),
        ("cotp/PhoneFactor", Some("microsoft-authenticator")),
        ("cotp/authy.xml", Some("authy")),
        ("cotp/freeotp.xml", Some("freeotp")),
        ("cotp/freeotp_plus.json", Some("freeotp-plus")),
        ("cotp/freeotp_plus_example1.json", Some("freeotp-plus")),
        ("cotp/gauth.sqlite3", Some("google-authenticator-db")),
        ("stratum/authplus.db", None),
        ("stratum/backup.legacy.authpro", Some("stratum")),
        ("stratum/backup.strong.authpro", Some("stratum")),
        ("stratum/backup.unencrypted.authpro", Some("stratum")),
        ("stratum/demo.authpro", Some("stratum")),
        ("stratum/demo.encrypted.authpro", Some("stratum")),
        ("stratum/freeotp.bin", Some("freeotp")),
        ("stratum/freeotpplus.json", Some("freeotp-plus")),
        (
            "stratum/totpauthenticator.encrypted.bin",
            Some("totp-authenticator"),
        ),
        ("stratum/winauth.invalid.zip", None),
        ("stratum/winauth.zip", Some("winauth")),
    ];
    for (file, want) in cases {
        let got = super::detect(&fixture(file)).map(|f| f.name);
        assert_eq!(got, *want, "{file}");
    }
}
