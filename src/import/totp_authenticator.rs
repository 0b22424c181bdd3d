//! TOTP Authenticator (BinaryBoo, `com.authenticator.authservice2`).
//!
//! Backups (`.bin`/`.encrypt`) are base64 text of AES-256-CBC (zero IV,
//! PKCS#7) with key = SHA-256(password); the app's default password is
//! `TotpAuthenticator`, tried before asking. The plaintext is a JSON object
//! whose single *key* is the JSON array of accounts (the value is a
//! timestamp). The app's own preferences file keeps the same array in the
//! `STATIC_TOTP_CODES_LIST` string. Accounts: `issuer`, `name`, `key`,
//! `base` (16, 32 or 64: the key's encoding), `digits` and `period` as
//! strings ("" for the defaults 6 and 30); the algorithm is always SHA1.

use super::shared::crypto::{aes_cbc_pkcs7, sha256};
use super::shared::entry::{Collector, Params, base32, base64, digits, hex, period};
use super::shared::json::{Object, array, object, opt_i64, opt_str, parse_str, req_str};
use super::shared::prefs::{self, looks_like_prefs};
use super::{Format, ImportError, Passwords};
use crate::model::{Entry, Parsed, label};

pub const FORMAT: Format = Format {
    name: "totp-authenticator",
    title: "TOTP Authenticator backup or preferences",
    detect,
    parse,
};

const PREF: &str = "STATIC_TOTP_CODES_LIST";
const DEFAULT_PASSWORD: &str = "TotpAuthenticator";
const WHAT: &str = "TOTP Authenticator backup";

fn detect(data: &[u8]) -> bool {
    if looks_like_prefs(data) {
        return prefs::parse(data).is_ok_and(|p| prefs::get(&p, PREF).is_some());
    }
    // Nothing but base64 whose payload is whole AES blocks.
    ciphertext(data).is_some_and(|c| c.len() >= 32 && c.len() % 16 == 0)
}

fn ciphertext(data: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(data).ok()?;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64(&compact).ok()
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let bad = |m: String| ImportError::malformed(format!("{WHAT}: {m}"));
    if looks_like_prefs(data) {
        let prefs = prefs::parse(data).map_err(bad)?;
        let list = prefs::get(&prefs, PREF).ok_or_else(|| bad(format!("no {PREF} entry")))?;
        return accounts(list).map_err(bad);
    }
    let ct = ciphertext(data).ok_or_else(|| bad("not base64 text".into()))?;
    if let Some(p) = decrypt(&ct, DEFAULT_PASSWORD) {
        return Ok(p);
    }
    let password = passwords(WHAT)?;
    decrypt(&ct, &password).ok_or(ImportError::WrongPassword)
}

/// `None` when the key is wrong (padding or JSON fails to come out).
fn decrypt(ct: &[u8], password: &str) -> Option<Parsed> {
    let key = sha256(password.as_bytes());
    from_plaintext(&aes_cbc_pkcs7(&key, &[0; 16], ct)?)
}

fn from_plaintext(plain: &[u8]) -> Option<Parsed> {
    let root = parse_str(std::str::from_utf8(plain).ok()?, "").ok()?;
    let list = root
        .as_object()?
        .keys()
        .find(|k| k.trim_start().starts_with('['))?;
    accounts(list).ok()
}

fn accounts(list: &str) -> Result<Parsed, String> {
    let v = parse_str(list, "the account list")?;
    let mut out = Collector::new();
    for (i, a) in array(&v, "the account list")?.iter().enumerate() {
        match object(a, "account") {
            Ok(o) => {
                let shown = label(
                    opt_str(o, "issuer").ok().flatten().unwrap_or(""),
                    opt_str(o, "name").ok().flatten().unwrap_or(""),
                );
                out.push(shown, account(o));
            }
            Err(e) => out.skip(format!("account #{}", i + 1), e),
        }
    }
    Ok(out.finish())
}

fn account(o: &Object) -> Result<Entry, String> {
    let key = req_str(o, "key")?;
    let secret = match opt_i64(o, "base")?.unwrap_or(16) {
        16 => hex(key)?,
        32 => base32(key)?,
        64 => base64(key)?,
        b => return Err(format!("secrets in base {b} are not supported")),
    };
    let mut p = Params::totp();
    // Stored as strings; "" means the default.
    if let Some(d) = opt_str(o, "digits")?.filter(|d| !d.trim().is_empty()) {
        p.digits = digits(
            d.trim()
                .parse()
                .map_err(|_| "digits is not a number".to_string())?,
        )?;
    }
    if let Some(s) = opt_str(o, "period")?.filter(|s| !s.trim().is_empty()) {
        p.period = period(
            s.trim()
                .parse()
                .map_err(|_| "period is not a number".to_string())?,
        )?;
    }
    p.entry(
        opt_str(o, "issuer")?.unwrap_or(""),
        opt_str(o, "name")?.unwrap_or(""),
        secret,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    /// Canonical 1–3 with names as the app lower-cased them and SHA1 (the
    /// app has no algorithm setting). Digits and period are the stored ones.
    fn expected() -> Vec<Entry> {
        let mut want = canonical(&[1, 2, 3]);
        for e in &mut want {
            e.name = e.name.to_lowercase();
            e.token.algorithm = crate::model::Algorithm::SHA1;
        }
        want
    }

    #[test]
    fn backup_and_preferences() {
        for (f, pw) in [
            ("imp2/aegis/totp_authenticator.bin", Some("Testtest1")),
            ("imp2/aegis/totp_authenticator_internal.xml", None),
        ] {
            let p = parse_ok(&FORMAT, f, pw.as_slice());
            assert_same(&p.entries, &expected());
            assert_eq!(check_canonical_codes(&p.entries), 1);
        }
    }

    #[test]
    fn stratum_backup_empty_strings_mean_defaults() {
        let p = parse_ok(
            &FORMAT,
            "imp2/stratum/totpauthenticator.encrypted.bin",
            &["Testtest1"],
        );
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| {
                (
                    e.label(),
                    e.token.digits,
                    e.token.period,
                    e.token.secret.to_base32(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Totp:standard".to_string(),
                    6,
                    30,
                    "AAAAAAAAAAAAAAAA".to_string()
                ),
                (
                    "Unknown:noissuer".to_string(),
                    6,
                    30,
                    "BBBBBBBBBBBBBBBB".to_string()
                )
            ]
        );
    }

    #[test]
    fn wrong_password() {
        assert_password_errors(
            &FORMAT,
            "imp2/stratum/totpauthenticator.encrypted.bin",
            "test",
        );
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/totp_authenticator.bin")));
        assert!(detect(&fixture(
            "imp2/aegis/totp_authenticator_internal.xml"
        )));
        assert!(!detect(&fixture("imp2/aegis/authy_plain.xml")));
        assert!(!detect(&fixture("imp2/aegis/plain.txt")));
        assert!(!detect(b"QUJD"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/totp_authenticator.bin"));
            let _ = detect(&data);
            let _ = parse_with(&FORMAT, &data, &["Testtest1"]);
            let data = m.apply(&fixture("imp2/aegis/totp_authenticator_internal.xml"));
            let _ = parse(&data, &mut no_password);
            let ct = ciphertext(&fixture("imp2/aegis/totp_authenticator.bin")).unwrap();
            let plain = aes_cbc_pkcs7(&sha256(b"Testtest1"), &[0; 16], &ct).unwrap();
            let _ = from_plaintext(&m.apply(&plain));
        }
    }
}
