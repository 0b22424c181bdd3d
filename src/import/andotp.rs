//! andOTP backups: the plain JSON array, and the encrypted `.bin` files.
//!
//! Two encrypted layouts exist, neither with a magic number:
//! - current: iterations (u32 big-endian) ‖ salt (12) ‖ nonce (12) ‖
//!   AES-256-GCM ciphertext‖tag, key = PBKDF2-HMAC-SHA1(password, salt);
//! - old: nonce (12) ‖ ciphertext‖tag, key = SHA-256(password).
//!
//! Detection: the plain JSON is recognised by its entry fields. Of the
//! binary files only the current layout is recognised, by its iteration
//! count: andOTP draws it between 140,000 and 160,000, so a random first
//! word falls there with odds of about 1 in 200,000. Old-layout files are
//! indistinguishable from random bytes and need `--format andotp`; the
//! parser then tries the current layout (when the first word is a
//! plausible count) and the old one with the same password.
//!
//! Old andOTP had no issuer field and wrote labels as `Issuer - Label`;
//! that prefix becomes the issuer.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::shared::crypto;
use super::shared::entry::{self, RawParams};
use super::shared::json;
use super::{Format, ImportError, Passwords};
use crate::model::{Entry, Kind, Parsed};

pub const FORMAT: Format = Format {
    name: "andotp",
    title: "andOTP",
    detect,
    parse,
};

/// The range andOTP draws its PBKDF2 iteration count from.
const SNIFF_ITERATIONS: std::ops::RangeInclusive<u32> = 140_000..=160_000;
/// Above this, the first word is taken for an old-layout nonce, not a count.
const MAX_ITERATIONS: u32 = 1_000_000;
const HEADER: usize = 4 + 12 + 12;
const TAG: usize = 16;

fn detect(data: &[u8]) -> bool {
    detect_json(data) || detect_binary(data)
}

fn detect_binary(data: &[u8]) -> bool {
    data.len() > HEADER + TAG && iterations(data).is_some_and(|i| SNIFF_ITERATIONS.contains(&i))
}

fn iterations(data: &[u8]) -> Option<u32> {
    let word: [u8; 4] = data.get(..4)?.try_into().ok()?;
    Some(u32::from_be_bytes(word))
}

fn detect_json(data: &[u8]) -> bool {
    let data = json::trim_start(data);
    if data.first() != Some(&b'[') {
        return false;
    }
    match serde_json::from_slice::<Vec<json::Keys>>(data) {
        Ok(items) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|o| o.has("secret") && o.has("type") && o.has("label"))
        }
        Err(_) => false,
    }
}

#[derive(Deserialize)]
struct RawEntry {
    secret: json::SecretField,
    #[serde(default)]
    label: String,
    issuer: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    algorithm: Option<String>,
    digits: Option<u64>,
    period: Option<u64>,
    counter: Option<u64>,
    #[serde(default)]
    tags: Vec<String>,
    /// Only cotp writes this key (its andOTP export and its own backups,
    /// see `cotp`): `null`, or the PIN of a YANDEX or MOTP entry. andOTP
    /// itself never keeps an mOTP PIN (it asks for it at every code).
    #[serde(default, deserialize_with = "present")]
    pin: Option<Option<Zeroizing<String>>>,
}

/// A key that is present (`Some`), even as `null` (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<Zeroizing<String>>>, D::Error> {
    Option::<String>::deserialize(d).map(|p| Some(p.map(Zeroizing::new)))
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    // Ciphertext is never valid UTF-8 for long, so text is the plain
    // format (or not andOTP at all) even when a nonce happens to start
    // with '['.
    if std::str::from_utf8(data).is_ok() {
        return match json::trim_start(data).first() {
            Some(b'[') => Ok(entries(&json::document("andOTP backup", data)?)),
            _ => Err(ImportError::malformed(
                "text that is not an andOTP JSON array",
            )),
        };
    }
    if data.len() < 12 + TAG {
        return Err(ImportError::malformed("too short for an andOTP backup"));
    }
    let password = passwords("andOTP backup")?;
    let plain = match decrypt_current(data, password.as_bytes())? {
        Some(plain) => plain,
        None => decrypt_old(data, password.as_bytes())?.ok_or(ImportError::WrongPassword)?,
    };
    Ok(entries(&json::document("decrypted andOTP backup", &plain)?))
}

fn decrypt_current(
    data: &[u8],
    password: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    let Some(iterations) = iterations(data).filter(|i| (1..=MAX_ITERATIONS).contains(i)) else {
        return Ok(None);
    };
    let (Some(salt), Some(nonce), Some(sealed)) =
        (data.get(4..16), data.get(16..HEADER), data.get(HEADER..))
    else {
        return Ok(None);
    };
    if sealed.len() < TAG {
        return Ok(None);
    }
    let key = crypto::pbkdf2_sha1(password, salt, iterations)?;
    crypto::aes256_gcm_open(&key, nonce, b"", sealed)
}

fn decrypt_old(data: &[u8], password: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    let (Some(nonce), Some(sealed)) = (data.get(..12), data.get(12..)) else {
        return Ok(None);
    };
    let key: crypto::Key32 = Zeroizing::new(Sha256::digest(password).into());
    crypto::aes256_gcm_open(&key, nonce, b"", sealed)
}

/// The entries of an andOTP backup, or of cotp's, which share their shape.
pub(super) fn entries(items: &json::Entries<'_>) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, raw) in json::entries::<RawEntry>(items).enumerate() {
        match raw {
            Ok(raw) => {
                let (issuer, name) = names(&raw);
                let result = entry(&raw, issuer.clone(), name.clone());
                entry::push(&mut parsed, &issuer, &name, result);
            }
            Err(reason) => {
                let label = format!("entry {}", index + 1);
                entry::push(&mut parsed, "", &label, Err(reason));
            }
        }
    }
    parsed
}

fn names(raw: &RawEntry) -> (String, String) {
    match &raw.issuer {
        Some(issuer) => (issuer.clone(), raw.label.clone()),
        None => match raw.label.split_once(" - ") {
            Some((issuer, name)) => (issuer.to_string(), name.to_string()),
            None => (String::new(), raw.label.clone()),
        },
    }
}

fn entry(raw: &RawEntry, issuer: String, name: String) -> Result<Entry, String> {
    let kind = match raw.kind.as_str() {
        "TOTP" => Kind::Totp,
        "HOTP" => Kind::Hotp,
        "STEAM" => Kind::Steam,
        "MOTP" | "YANDEX" => return pinned(raw, issuer, name),
        other => return Err(entry::unsupported_kind(&format!("'{other}'"))),
    };
    let params = RawParams {
        algorithm: raw.algorithm.as_deref(),
        digits: raw.digits,
        period: raw.period,
        counter: raw.counter,
    };
    let secret = entry::secret_text(raw.secret.text()?)?;
    let mut entry = Entry::new(issuer, name, entry::token(kind, &params, secret)?);
    entry.tags = raw.tags.clone();
    Ok(entry)
}

/// An mOTP or Yandex.Key entry. andOTP writes mOTP entries with the key's
/// text (the hex digits the user typed) in base32 and no PIN, which it
/// never keeps: those are left out, saying so. cotp writes both kinds with
/// a `pin` key: mOTP's key as its lower-case hex text, Yandex's in base32.
/// cotp's mOTP codes ignore the entry's algorithm, so only its digits and
/// period are checked.
fn pinned(raw: &RawEntry, issuer: String, name: String) -> Result<Entry, String> {
    let Some(pin) = &raw.pin else {
        return Err(
            "andOTP keeps no mOTP PIN (it asks for it at every code): add this account with `otp add --motp`, its secret from andOTP and your PIN"
                .into(),
        );
    };
    let yandex = raw.kind == "YANDEX";
    let params = RawParams {
        algorithm: raw.algorithm.as_deref().filter(|_| yandex),
        digits: raw.digits,
        period: raw.period,
        counter: None,
    };
    let text = raw.secret.text()?;
    let (kind, secret) = if yandex {
        (Kind::Yandex, entry::secret_text(text)?)
    } else {
        (Kind::Motp, entry::motp_hex(text)?)
    };
    let token = entry::pinned(kind, secret, pin.as_deref().map(|p| p.as_str()), &params)?;
    let mut entry = Entry::new(issuer, name, token);
    entry.tags = raw.tags.clone();
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn plain_backup_imports_padded_secrets() {
        let data = fixture("imp1/andotp_plain.json");
        assert!((FORMAT.detect)(&data));
        let parsed = parse(&data, &mut no_password).unwrap();
        assert_entries(&parsed, &AEGIS);
    }

    #[test]
    fn current_layout_decrypts_and_is_detected() {
        let data = fixture("imp1/andotp_encrypted.bin");
        assert!((FORMAT.detect)(&data));
        assert_entries(&parse(&data, &mut pw("test")).unwrap(), &AEGIS);
        assert!(matches!(
            parse(&data, &mut no_password),
            Err(ImportError::NeedPassword)
        ));
    }

    /// A current-layout file with few iterations, so that wrong passwords
    /// and mutations cost little.
    fn cheap_current_layout(password: &str, plain: &[u8]) -> Vec<u8> {
        use aes_gcm::aead::Aead;
        use aes_gcm::{Aes256Gcm, KeyInit};
        let (iterations, salt, nonce) = (1u32, [5u8; 12], [9u8; 12]);
        let key = crypto::pbkdf2_sha1(password.as_bytes(), &salt, iterations).unwrap();
        let sealed = Aes256Gcm::new((&*key).into())
            .encrypt((&nonce).into(), plain)
            .unwrap();
        [&iterations.to_be_bytes()[..], &salt, &nonce, &sealed].concat()
    }

    #[test]
    fn wrong_password_on_the_current_layout() {
        let data = cheap_current_layout("right", &fixture("imp1/andotp_plain.json"));
        assert_entries(&parse(&data, &mut pw("right")).unwrap(), &AEGIS);
        assert!(matches!(
            parse(&data, &mut pw("wrong")),
            Err(ImportError::WrongPassword)
        ));
    }

    #[test]
    fn old_layout_decrypts_and_takes_the_issuer_from_the_label() {
        let data = fixture("imp1/andotp_encrypted_old.bin");
        assert!(
            !(FORMAT.detect)(&data),
            "the old layout has nothing to recognise"
        );
        let want: Vec<Want> = AEGIS[..6]
            .iter()
            .map(|w| Want {
                name: Box::leak(format!("{}:{}", w.issuer, w.name).into_boxed_str()),
                ..*w
            })
            .collect();
        assert_entries(&parse(&data, &mut pw("test")).unwrap(), &want);
        assert!(matches!(
            parse(&data, &mut pw("wrong")),
            Err(ImportError::WrongPassword)
        ));
    }

    #[test]
    fn stratum_backups_skip_motp_and_keep_tags() {
        let mut want = STRATUM.to_vec();
        want[6] = want[6].with("", "NoIssuer");
        want.push(Want {
            issuer: "Steam",
            name: "Steam",
            kind: Kind::Steam,
            digits: 5,
            secret: "BBBBBBBBBBBBBBBBBA",
            code: None,
            ..STRATUM[5]
        });
        let plain = parse(
            &fixture("imp1/stratum/andotp.unencrypted.json"),
            &mut no_password,
        )
        .unwrap();
        let data = fixture("imp1/stratum/andotp.encrypted.bin");
        assert!((FORMAT.detect)(&data));
        let encrypted = parse(&data, &mut pw("testtest")).unwrap();
        // (A wrong password costs another 3 s of PBKDF2 in debug builds: see
        // `wrong_password_on_the_current_layout` for that case, made cheap.)
        for parsed in [plain, encrypted] {
            assert_entries(&parsed, &want);
            assert_eq!(parsed.skipped.len(), 1);
            assert_eq!(parsed.skipped[0].label, "Motp:motp");
            assert!(
                parsed.skipped[0]
                    .reason
                    .contains("andOTP keeps no mOTP PIN"),
                "{:?}",
                parsed.skipped[0]
            );
            let tagged: Vec<_> = parsed
                .entries
                .iter()
                .filter(|e| e.tags == ["Tag"])
                .map(|e| e.label())
                .collect();
            assert_eq!(tagged, ["NoIssuer", "Steam:Steam"]);
        }
    }

    /// cotp's andOTP export is its elements as a list: Yandex.Key and mOTP
    /// entries with their PIN read as from cotp's own backup.
    #[test]
    fn cotp_s_andotp_export_brings_yandex_and_motp() {
        let doc: serde_json::Value =
            serde_json::from_slice(&fixture("imp3/cotp/pinned.cotp")).unwrap();
        let list = serde_json::to_vec(&doc["elements"]).unwrap();
        assert!((FORMAT.detect)(&list));
        let as_andotp = parse(&list, &mut no_password).unwrap();
        let as_cotp = parse_ok(&crate::import::cotp::FORMAT, "imp3/cotp/pinned.cotp", &[]);
        assert_same(&as_andotp.entries, &as_cotp.entries);
        assert_eq!(as_andotp.entries.len(), 2);
        assert_eq!(as_andotp.skipped, as_cotp.skipped);
    }

    #[test]
    fn text_is_never_taken_for_ciphertext_and_vice_versa() {
        let aegis = fixture("imp1/aegis_plain.json");
        assert!(matches!(
            parse(&aegis, &mut no_password),
            Err(ImportError::Malformed(_))
        ));
        // An old-layout file whose nonce starts with '[' is still ciphertext.
        let mut old = fixture("imp1/andotp_encrypted_old.bin");
        old[0] = b'[';
        assert!(matches!(
            parse(&old, &mut pw("test")),
            Err(ImportError::WrongPassword)
        ));
    }

    #[test]
    fn detection_is_specific() {
        assert!(!(FORMAT.detect)(&fixture("imp1/aegis_plain.json")));
        assert!(!(FORMAT.detect)(&fixture("imp1/bitwarden.json")));
        assert!(!(FORMAT.detect)(b"[]"));
        assert!(!(FORMAT.detect)(b"[{\"name\":\"x\"}]"));
        assert!(!(FORMAT.detect)(b"[[\"secret\", \"type\", \"label\"]]"));
        assert!((FORMAT.detect)(
            b"[{\"secret\": 5, \"type\": [], \"label\": {}}]"
        ));
    }

    /// Entries that do not read are skipped, each with what is wrong and
    /// never the value (the secrets are read straight into wiped memory).
    #[test]
    fn bad_entries_are_skipped_with_their_reason() {
        let data = br#"[
            {"secret": 5, "type": "TOTP", "label": "A - number"},
            {"secret": null, "type": "TOTP", "label": "B - null"},
            {"secret": ["JBSWY3DPEHPK3PXP"], "type": "TOTP", "label": "C - list"},
            {"type": "TOTP", "label": "D - missing"},
            {"secret": "JBSWY3DPEHPK3PXP", "type": "TOTP", "label": "E - good", "digits": "x"},
            {"secret": "JBSWY3DPEHPK3PXP", "type": "TOTP", "label": "F - good"}
        ]"#;
        let parsed = parse(data, &mut no_password).unwrap();
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(parsed.entries[0].label(), "F:good");
        let skipped: Vec<_> = parsed
            .skipped
            .iter()
            .map(|s| (s.label.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("A:number", "the secret is not a string"),
                ("B:null", "the entry has no secret"),
                ("C:list", "the secret is not a string"),
                ("entry 4", "a field has the wrong type or value"),
                ("entry 5", "a field has the wrong type or value"),
            ]
        );
        assert!(!(FORMAT.detect)(&[0, 2, 0x39, 0x70]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn mutated_plain_backups_never_panic(data in mutated(fixture("imp1/andotp_plain.json"))) {
            let _ = (FORMAT.detect)(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_binary_backups_never_panic(data in mutated(fixture("imp1/andotp_encrypted_old.bin"))) {
            let _ = (FORMAT.detect)(&data);
            // The old layout costs one SHA-256; the current one is tried only
            // for plausible iteration counts, so this stays fast.
            let _ = parse(&data, &mut pw("test"));
        }

        #[test]
        fn mutated_cheap_current_layout_never_panics(
            body in mutated(cheap_current_layout("pw", &fixture("imp1/andotp_plain.json"))[4..].to_vec())
        ) {
            // The iteration count stays fixed so that no case costs seconds.
            let data = [&1u32.to_be_bytes()[..], &body].concat();
            let _ = parse(&data, &mut pw("pw"));
        }

        #[test]
        fn arbitrary_entries_never_panic(items in prop::collection::vec(arbitrary_json(), 0..6)) {
            let text = serde_json::to_string(&items).unwrap();
            let _ = entries(&serde_json::from_str(&text).unwrap());
        }
    }
}
