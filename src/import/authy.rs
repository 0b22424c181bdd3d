//! Authy for Android: `shared_prefs/com.authy.storage.tokens.authenticator.xml`.
//!
//! The preference `com.authy.storage.tokens.authenticator.key` holds a JSON
//! array of tokens. Older files have the secret in clear (`decryptedSecret`,
//! base32); backed-up ones only have `encryptedSecret` (base64) and a `salt`:
//! key = PBKDF2-HMAC-SHA1(backup password, UTF-8 salt string, 1000 rounds,
//! 32 bytes), AES-256-CBC with a zero IV and PKCS#7, plaintext the base32
//! secret. Authy keeps only the digits: the algorithm is SHA1, the period 30 s.
//! Authy's own managed tokens (`…tokens.authy.key`) are listed as skipped.

use zeroize::Zeroizing;

use super::shared::crypto::{Hash, aes_cbc_pkcs7, check_rounds, pbkdf2};
use super::shared::entry::{Collector, Params, base32, base64, digits, split_label};
use super::shared::json::{Object, array, object, opt_i64, opt_str, opt_uint, parse_str, req_str};
use super::shared::prefs::{self, looks_like_prefs};
use super::{Format, ImportError, Passwords};
use crate::model::{Parsed, label};

pub const FORMAT: Format = Format {
    name: "authy",
    title: "Authy (Android shared preferences)",
    detect,
    parse,
};

const TOKENS_KEY: &str = "com.authy.storage.tokens.authenticator.key";
const AUTHY_KEY: &str = "com.authy.storage.tokens.authy.key";
const WHAT: &str = "Authy tokens file";

fn detect(data: &[u8]) -> bool {
    looks_like_prefs(data) && prefs::parse(data).is_ok_and(|p| prefs::get(&p, TOKENS_KEY).is_some())
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let bad = |m: String| ImportError::malformed(format!("{WHAT}: {m}"));
    let prefs = prefs::parse(data).map_err(bad)?;
    let json =
        prefs::get(&prefs, TOKENS_KEY).ok_or_else(|| bad(format!("no '{TOKENS_KEY}' entry")))?;
    let tokens = parse_str(json, "the token list").map_err(bad)?;
    let tokens = array(&tokens, "the token list").map_err(bad)?;

    let mut out = Collector::new();
    let mut password: Option<Zeroizing<String>> = None;
    let mut decrypted_any = false;
    for (i, t) in tokens.iter().enumerate() {
        let Ok(o) = object(t, "token") else {
            out.skip(format!("token #{}", i + 1), "not a JSON object");
            continue;
        };
        let (issuer, name) = names(o);
        let shown = label(&issuer, &name);
        let secret = match opt_str(o, "decryptedSecret") {
            Ok(Some(s)) if !s.trim().is_empty() => base32(s),
            Ok(_) => {
                if password.is_none() {
                    password = Some(passwords("Authy backup")?);
                }
                let pw = password
                    .as_deref()
                    .map(String::as_bytes)
                    .unwrap_or_default();
                match decrypt(o, pw) {
                    Ok(Some(s)) => {
                        decrypted_any = true;
                        Ok(s)
                    }
                    // The first secret that does not decrypt, before any that
                    // did, means the password is wrong: stop, import nothing.
                    Ok(None) if !decrypted_any => return Err(ImportError::WrongPassword),
                    Ok(None) => Err("the secret does not decrypt with this password".into()),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        let entry = secret.and_then(|s| {
            let mut p = Params::totp();
            if let Some(d) = opt_i64(o, "digits")? {
                p.digits = digits(d)?;
            }
            p.entry(&issuer, &name, s)
        });
        out.push(shown, entry);
    }
    skip_authy_managed(&prefs, &mut out);
    Ok(out.finish())
}

/// Issuer and name: the label the token was added with (`originalName`,
/// "Issuer:Name"), else the display name; `originalIssuer` wins when set.
fn names(o: &Object) -> (String, String) {
    let s = |k| {
        opt_str(o, k)
            .ok()
            .flatten()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let source = Some(s("originalName"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| s("name"));
    let (mut issuer, name) = split_label(&source);
    let original_issuer = s("originalIssuer");
    if !original_issuer.is_empty() {
        issuer = &original_issuer;
    }
    (issuer.to_string(), name.to_string())
}

/// `Ok(None)` when the password does not fit; `Err` when the entry is unreadable.
fn decrypt(o: &Object, password: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let ct = base64(req_str(o, "encryptedSecret")?)?;
    let salt = req_str(o, "salt")?;
    let rounds: u32 = opt_uint(o, "key_derivation_iterations")?.unwrap_or(1000);
    check_rounds(rounds)?;
    let key = pbkdf2(Hash::Sha1, password, salt.as_bytes(), rounds, 32);
    let Some(plain) = aes_cbc_pkcs7(&key, &[0; 16], &ct) else {
        return Ok(None);
    };
    // A wrong key passes the padding check now and then; the plaintext must
    // also be a base32 secret.
    Ok(std::str::from_utf8(&plain)
        .ok()
        .and_then(|t| base32(t).ok()))
}

fn skip_authy_managed(prefs: &[prefs::Pref], out: &mut Collector) {
    let Some(json) = prefs::get(prefs, AUTHY_KEY) else {
        return;
    };
    let Ok(v) = parse_str(json, "") else { return };
    for t in v.as_array().into_iter().flatten() {
        let name = t
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or("Authy token");
        out.skip(
            name.to_string(),
            "Authy-managed tokens (not added from a QR code) cannot be exported",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    /// Authy keeps digits only: SHA1 and 30 s whatever the original said.
    fn expected() -> Vec<crate::model::Entry> {
        let mut want = canonical(&[1, 2, 3]);
        for e in &mut want {
            e.token.algorithm = crate::model::Algorithm::SHA1;
            e.token.period = 30;
        }
        want
    }

    #[test]
    fn plain_and_encrypted() {
        for (f, pw) in [
            ("imp2/aegis/authy_plain.xml", None),
            ("imp2/aegis/authy_encrypted.xml", Some("testtest")),
        ] {
            let p = parse_ok(&FORMAT, f, pw.as_slice());
            assert_same(&p.entries, &expected());
            // Deno is SHA1/6/30 in the original too, so its codes must match.
            assert_eq!(check_canonical_codes(&p.entries), 1);
        }
    }

    #[test]
    fn wrong_or_missing_password() {
        assert_password_errors(&FORMAT, "imp2/aegis/authy_encrypted.xml", "test");
    }

    #[test]
    fn cotp_sample_uses_the_clear_secret() {
        let p = parse_ok(&FORMAT, "imp2/cotp/authy.xml", &[]);
        assert_eq!(p.entries.len(), 1);
        let e = &p.entries[0];
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str(), e.token.digits),
            ("", "Test", 6)
        );
        assert_eq!(
            e.token.secret.to_base32(),
            "TLQEUBNC4ENYRDMLM2ZMQPN7PE272AW7"
        );
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/authy_plain.xml")));
        assert!(!detect(&fixture("imp2/aegis/freeotp.xml")));
        assert!(!detect(&fixture("imp2/aegis/battle_net_authenticator.xml")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/authy_encrypted.xml"));
            let _ = detect(&data);
            let _ = parse_with(&FORMAT, &data, &["testtest"]);
            let data = m.apply(&fixture("imp2/aegis/authy_plain.xml"));
            let _ = parse(&data, &mut no_password);
        }
    }
}
