//! FreeOTP: the 1.x `tokens.xml` (also FreeOTP+'s internal file) and the
//! 2.x encrypted backup.
//!
//! 1.x keeps Android shared preferences: one `<string>` per token holding
//! FreeOTP's token JSON, plus `tokenOrder`. 2.x backups are a Java-serialized
//! `HashMap<String,String>` (whatever the file is called): `masterKey` holds
//! a PBKDF2 salt and an AES-GCM-wrapped master key; for every token `<uuid>`
//! holds `{"key": "<AES-GCM-encrypted secret, as JSON>"}` and `<uuid>-token`
//! the token JSON without the secret. The GCM nonce sits in DER
//! `GCMParameters` (`mParameters`); the AAD is the `mToken` string.

use zeroize::Zeroizing;

use super::shared::crypto::{Hash, aes_gcm, check_rounds, pbkdf2};
use super::shared::entry::Collector;
use super::shared::freeotp_token::token_entry;
use super::shared::javaser::{is_java_serialized, read_string_map};
use super::shared::json::{Object, object, opt_uint, parse_str, req_str, signed_bytes};
use super::shared::prefs::{self, looks_like_prefs};
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "freeotp",
    title: "FreeOTP (1.x tokens.xml or 2.x backup)",
    detect,
    parse,
};

fn detect(data: &[u8]) -> bool {
    if is_java_serialized(data) {
        return read_string_map(data).is_ok_and(|m| m.iter().any(|(k, _)| k == "masterKey"));
    }
    looks_like_prefs(data)
        && prefs::parse(data).is_ok_and(|p| prefs::get(&p, "tokenOrder").is_some())
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    if is_java_serialized(data) {
        parse_backup(data, passwords)
    } else {
        parse_xml(data)
    }
}

fn parse_xml(data: &[u8]) -> Result<Parsed, ImportError> {
    let prefs = prefs::parse(data)
        .map_err(|m| ImportError::malformed(format!("FreeOTP tokens.xml: {m}")))?;
    let mut out = Collector::new();
    for p in prefs
        .iter()
        .filter(|p| p.kind == "string" && p.name != "tokenOrder")
    {
        match parse_str(&p.value, "token").and_then(|v| object(&v, "token").cloned()) {
            Ok(o) => {
                let (label, entry) = token_entry(&o, None);
                out.push(label, entry);
            }
            Err(e) => out.skip(p.name.clone(), e),
        }
    }
    Ok(out.finish())
}

fn parse_backup(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let map = read_string_map(data).map_err(bad)?;
    let key = master_key(&map, passwords)?;
    Ok(read_tokens(&map, &key))
}

fn bad(m: String) -> ImportError {
    ImportError::malformed(format!("FreeOTP backup: {m}"))
}

type Map = [(String, String)];

fn lookup<'a>(map: &'a Map, k: &str) -> Option<&'a str> {
    map.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.as_str())
}

/// Asks for the password and unwraps the master key.
fn master_key(map: &Map, passwords: &mut Passwords<'_>) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let master = lookup(map, "masterKey").ok_or_else(|| bad("it has no masterKey".into()))?;
    let master = json_object(master, "masterKey").map_err(bad)?;
    let (hash, rounds, salt, wrapped) = master_params(&master).map_err(bad)?;
    let password = passwords("FreeOTP backup")?;
    let kek = pbkdf2(hash, password.as_bytes(), &salt, rounds, 32);
    decrypt(&kek, &wrapped)
        .map_err(bad)?
        .ok_or(ImportError::WrongPassword)
}

fn read_tokens(map: &Map, key: &[u8]) -> Parsed {
    let mut out = Collector::new();
    for (name, meta) in map {
        let Some(uuid) = name.strip_suffix("-token") else {
            continue;
        };
        let meta = match json_object(meta, "token") {
            Ok(m) => m,
            Err(e) => {
                out.skip(uuid.to_string(), e);
                continue;
            }
        };
        let secret = lookup(map, uuid)
            .ok_or_else(|| "the token has no key entry".to_string())
            .and_then(|k| token_secret(k, key));
        match secret {
            Ok(secret) => {
                let (label, entry) = token_entry(&meta, Some(secret.to_vec()));
                out.push(label, entry);
            }
            Err(e) => {
                let (issuer, name) = super::shared::freeotp_token::display_label(&meta);
                out.skip(crate::model::label(&issuer, &name), e);
            }
        }
    }
    out.finish()
}

fn json_object(text: &str, what: &str) -> Result<Object, String> {
    parse_str(text, what).and_then(|v| object(&v, what).cloned())
}

/// An AES-GCM blob as FreeOTP writes it (`mCipher`, `mCipherText`,
/// `mParameters`, `mToken`).
struct Sealed {
    ciphertext: Vec<u8>,
    nonce: Vec<u8>,
    aad: String,
}

fn sealed(o: &Object) -> Result<Sealed, String> {
    let cipher = req_str(o, "mCipher")?;
    if !cipher.eq_ignore_ascii_case("AES/GCM/NoPadding") {
        return Err(format!("cipher '{cipher}' is not supported"));
    }
    let nonce = gcm_nonce(&signed_bytes(o, "mParameters")?)?.to_vec();
    Ok(Sealed {
        ciphertext: signed_bytes(o, "mCipherText")?,
        nonce,
        aad: req_str(o, "mToken")?.to_string(),
    })
}

/// `Ok(None)` when authentication fails (wrong key).
fn decrypt(key: &[u8], s: &Sealed) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
    Ok(aes_gcm(key, &s.nonce, s.aad.as_bytes(), &s.ciphertext))
}

fn master_params(o: &Object) -> Result<(Hash, u32, Vec<u8>, Sealed), String> {
    let alg = req_str(o, "mAlgorithm")?;
    let hash = match alg.to_ascii_uppercase().as_str() {
        "PBKDF2WITHHMACSHA1" => Hash::Sha1,
        "PBKDF2WITHHMACSHA256" => Hash::Sha256,
        "PBKDF2WITHHMACSHA512" => Hash::Sha512,
        _ => return Err(format!("key derivation '{alg}' is not supported")),
    };
    let rounds: u32 = opt_uint(o, "mIterations")?.ok_or("mIterations is missing")?;
    check_rounds(rounds)?;
    let wrapped = o.get("mEncryptedKey").ok_or("mEncryptedKey is missing")?;
    Ok((
        hash,
        rounds,
        signed_bytes(o, "mSalt")?,
        sealed(object(wrapped, "mEncryptedKey")?)?,
    ))
}

fn token_secret(entry: &str, key: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
    let outer = json_object(entry, "token key")?;
    let inner = json_object(req_str(&outer, "key")?, "token key")?;
    decrypt(key, &sealed(&inner)?)?.ok_or_else(|| "the token's secret does not decrypt".to_string())
}

/// The 12-byte nonce from DER `GCMParameters ::= SEQUENCE { OCTET STRING,
/// INTEGER tagLen DEFAULT 12 }`; older Android writes the bare OCTET STRING.
fn gcm_nonce(p: &[u8]) -> Result<&[u8], String> {
    let inner = match p {
        [0x30, len, rest @ ..] if usize::from(*len) == rest.len() => rest,
        _ => p,
    };
    match inner {
        [0x04, 12, rest @ ..] if rest.len() >= 12 => {
            let (nonce, tail) = rest.split_at(12);
            match tail {
                [] | [0x02, 0x01, 16] => Ok(nonce),
                _ => Err("only 128-bit GCM tags are supported".into()),
            }
        }
        _ => Err("the GCM parameters are unreadable".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    fn v2_expected() -> Vec<crate::model::Entry> {
        canonical(&[1, 2, 3, 4, 5, 6])
    }

    #[test]
    fn v1_xml_aegis() {
        let p = parse_ok(&FORMAT, "imp2/aegis/freeotp.xml", &[]);
        let mut want = canonical(&[1, 3, 4, 6]);
        set_counter(&mut want, "WWE", 10299);
        set_counter(&mut want, "Issuu", 0);
        assert_same(&p.entries, &want);

        let p = parse_ok(&FORMAT, "imp2/aegis/freeotp_plus_internal.xml", &[]);
        let mut want = canonical(&[1, 2, 3, 4, 5, 6]);
        set_counter(&mut want, "WWE", 10299);
        set_counter(&mut want, "Air Canada", 49);
        set_counter(&mut want, "Issuu", 0);
        assert_same(&p.entries, &want);
    }

    #[test]
    fn v1_xml_cotp() {
        use crate::model::{Algorithm::*, Kind::*};
        let p = parse_ok(&FORMAT, "imp2/cotp/freeotp.xml", &[]);
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| {
                (
                    e.name.as_str(),
                    e.token.kind,
                    e.token.algorithm,
                    e.token.digits,
                    e.token.counter,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("TOTP512", Totp, SHA512, 6, 0),
                ("TOTP256", Totp, SHA256, 8, 0),
                ("HOTP1", Hotp, SHA1, 8, 1),
                ("Test3", Totp, SHA256, 8, 0),
                ("TOTP1", Totp, SHA1, 8, 0)
            ]
        );
        assert_eq!(
            p.entries[3].token.secret.to_base32(),
            "XHRHVLZKO5YARFKEH65RFC7NVOOQCZXNHSCB2Y32OCV32ITSQOVV3DSD"
        );
    }

    #[test]
    fn v2_backups_all_android_versions() {
        for f in ["api23", "api25", "api27", "api34"] {
            let p = parse_ok(
                &FORMAT,
                &format!("imp2/aegis/freeotp_v2_{f}.xml"),
                &["test"],
            );
            assert!(p.skipped.is_empty(), "{f}");
            assert_same(&p.entries, &v2_expected());
            assert_eq!(check_canonical_codes(&p.entries), 6);
        }
    }

    #[test]
    fn v2_missing_fields_take_defaults() {
        let p = parse_ok(&FORMAT, "imp2/aegis/freeotp_v2_null_algo.xml", &["test"]);
        assert_same(&p.entries, &canonical(&[1]));
        assert_eq!(check_canonical_codes(&p.entries), 1);
    }

    #[test]
    fn v2_stratum_has_nine_digits_and_sixty_seconds() {
        let p = parse_ok(&FORMAT, "imp2/stratum/freeotp.bin", &["test"]);
        assert_same(&p.entries, &stratum(&[1, 2, 3, 4, 5, 6, 7]));
    }

    #[test]
    fn v2_wrong_or_no_password() {
        assert_password_errors(&FORMAT, "imp2/stratum/freeotp.bin", "test1");
    }

    #[test]
    fn gcm_parameter_forms() {
        let n: Vec<u8> = (1..=12).collect();
        let der = [&[0x30, 17, 4, 12][..], &n, &[2, 1, 16]].concat();
        assert_eq!(gcm_nonce(&der).unwrap(), n.as_slice());
        assert_eq!(
            gcm_nonce(&[&[4, 12][..], &n].concat()).unwrap(),
            n.as_slice()
        );
        assert!(gcm_nonce(&[&[0x30, 17, 4, 12][..], &n, &[2, 1, 12]].concat()).is_err());
        assert!(gcm_nonce(&[4, 12, 1]).is_err());
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/freeotp_v2_api23.xml")));
        assert!(detect(&fixture("imp2/aegis/freeotp.xml")));
        assert!(!detect(&fixture("imp2/aegis/authy_plain.xml")));
        assert!(!detect(&fixture("imp2/aegis/freeotp_plus.json")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_on_xml(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/freeotp.xml"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn never_panics_on_backups(m in mutation()) {
            // Without a password the parse stops before the slow key
            // derivation, after the Java stream and JSON have been read.
            let data = m.apply(&fixture("imp2/aegis/freeotp_v2_api23.xml"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }

    /// The api23 fixture's master key, derived once (PBKDF2 is slow in debug builds).
    fn api23_key() -> &'static [u8] {
        static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        KEY.get_or_init(|| {
            let map = read_string_map(&fixture("imp2/aegis/freeotp_v2_api23.xml")).unwrap();
            let mut pw = |_: &str| Ok(Zeroizing::new("test".to_string()));
            master_key(&map, &mut pw).unwrap().to_vec()
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_on_decrypted_tokens(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/freeotp_v2_api23.xml"));
            if let Ok(map) = read_string_map(&data) {
                let _ = read_tokens(&map, api23_key());
            }
        }
    }
}
