//! Proton Authenticator exports, plain or password-encrypted.
//!
//! Plain: `{"version":1,"entries":[{"content":{"uri","entry_type","name"},
//! "note"}]}`, each entry an `otpauth://` URI (or `steam://SECRET`).
//! Encrypted: `{"version":1,"salt","content"}` where `content` is base64 of
//! nonce (12) ‖ AES-256-GCM ciphertext‖tag with the AAD
//! `proton.authenticator.export.v1`, keyed by Argon2id (t=2, m=19 MiB,
//! p=1) over the password and the 16-byte salt; the plaintext is the plain
//! export.

use serde::Deserialize;
use serde_json::Value;

use super::shared::crypto;
use super::shared::entry;
use super::shared::json;
use super::shared::otpauth;
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "proton",
    title: "Proton Authenticator",
    detect,
    parse,
};

const AAD: &[u8] = b"proton.authenticator.export.v1";
const ARGON2_PASSES: u32 = 2;
const ARGON2_MEMORY_KIB: u32 = 19 * 1024;

fn detect(data: &[u8]) -> bool {
    json::sniff_object(data).is_some_and(|map| {
        let plain = map
            .get("entries")
            .and_then(Value::as_array)
            .is_some_and(|entries| {
                entries
                    .iter()
                    .all(|e| e.get("content").and_then(|c| c.get("uri")).is_some())
            });
        let encrypted = map.len() == 3
            && map.get("salt").is_some_and(Value::is_string)
            && map.get("content").is_some_and(Value::is_string);
        map.contains_key("version") && (plain || encrypted)
    })
}

#[derive(Deserialize)]
struct Export {
    version: u64,
    entries: Option<Vec<Value>>,
    salt: Option<String>,
    content: Option<String>,
}

#[derive(Deserialize)]
struct RawEntry {
    content: Content,
    note: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    uri: String,
    #[serde(default)]
    name: String,
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let export: Export = json::document("Proton Authenticator export", data)?;
    check_version(export.version)?;
    match (export.entries, export.salt, export.content) {
        (Some(entries), None, _) => Ok(entries_of(entries)),
        (None, Some(salt), Some(content)) => {
            let plain = decrypt(&salt, &content, passwords)?;
            let inner: Export = json::document("decrypted Proton export", &plain)?;
            check_version(inner.version)?;
            let entries = inner
                .entries
                .ok_or_else(|| ImportError::malformed("the decrypted export has no entries"))?;
            Ok(entries_of(entries))
        }
        _ => Err(ImportError::malformed(
            "neither 'entries' nor 'salt' and 'content' in a Proton export",
        )),
    }
}

fn check_version(version: u64) -> Result<(), ImportError> {
    if version == 1 {
        Ok(())
    } else {
        Err(ImportError::Unsupported(format!(
            "Proton Authenticator export version {version} (this reader knows version 1)"
        )))
    }
}

fn decrypt(
    salt: &str,
    content: &str,
    passwords: &mut Passwords<'_>,
) -> Result<zeroize::Zeroizing<Vec<u8>>, ImportError> {
    let salt = crypto::base64("salt", salt)?;
    let content = crypto::base64("content", content)?;
    let (Some(nonce), Some(sealed)) = (content.get(..12), content.get(12..)) else {
        return Err(ImportError::malformed("content is shorter than its nonce"));
    };
    let password = passwords("Proton Authenticator export")?;
    let key = crypto::argon2id(
        password.as_bytes(),
        &salt,
        ARGON2_PASSES,
        ARGON2_MEMORY_KIB,
        1,
    )?;
    crypto::aes256_gcm_open(&key, nonce, AAD, sealed)?.ok_or(ImportError::WrongPassword)
}

fn entries_of(items: Vec<Value>) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, raw) in items.into_iter().enumerate() {
        match RawEntry::deserialize(raw) {
            Ok(raw) => match otpauth::totp_field(&raw.content.uri, "", &raw.content.name) {
                Ok(mut entry) => {
                    entry.note = raw.note.filter(|n| !n.is_empty());
                    parsed.entries.push(entry);
                }
                Err(skipped) => parsed.skipped.push(skipped),
            },
            Err(e) => {
                let label = format!("entry {}", index + 1);
                entry::push(&mut parsed, "", &label, Err(json::reason(&e)));
            }
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit::*;

    fn ente_expected() -> [Want; 4] {
        let base = Want {
            code: None,
            ..STRATUM[5]
        };
        [
            Want {
                issuer: ".env",
                name: "example@ente.io",
                secret: "MI4GCOJSGIZTKLJSGMZWKLJUGEZDQLJYG5STILJSMUYDIYTCMQ3TSOJRGI",
                code: Some("042982"),
                ..base
            },
            Want {
                issuer: "/e/",
                name: "cool@ente.com",
                secret: "554VBDOGJRLDG2JV",
                code: Some("968933"),
                ..base
            },
            Want {
                issuer: "ente",
                name: "simple@ente.sh",
                secret: "PIBTGMBYQYVSLN5PVZYQUTKYHOBRYYT7",
                code: Some("331616"),
                ..base
            },
            Want {
                issuer: "reddit",
                name: "r@ente.com",
                secret: "J4YFC3TZKVYWCVCNIVBWIV2GHFAXUNDF",
                code: Some("166599"),
                ..base
            },
        ]
    }

    #[test]
    fn plain_exports_import_their_uris() {
        let data = fixture("imp1/proton_authenticator.json");
        assert!(detect(&data));
        assert_entries(&parse(&data, &mut no_password).unwrap(), &AEGIS[..3]);
        let data = fixture("imp1/proton_authenticator_backup.json");
        assert!(detect(&data));
        assert_entries(&parse(&data, &mut no_password).unwrap(), &ente_expected());
    }

    #[test]
    fn encrypted_export_opens_with_its_password() {
        let data = fixture("imp1/proton_authenticator_backup_encrypted_1231246.json");
        assert!(detect(&data));
        assert_entries(&parse(&data, &mut pw("1231246")).unwrap(), &ente_expected());
        assert!(matches!(
            parse(&data, &mut pw("1231245")),
            Err(ImportError::WrongPassword)
        ));
        assert!(matches!(
            parse(&data, &mut no_password),
            Err(ImportError::NeedPassword)
        ));
    }

    #[test]
    fn detection_is_specific() {
        assert!(!detect(&fixture("imp1/aegis_plain.json")));
        assert!(!detect(&fixture("imp1/bitwarden.json")));
        assert!(!detect(&fixture("imp1/stratum/ente.encrypted.json")));
        assert!(!detect(b"{\"version\":1}"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn mutated_exports_never_panic(data in mutated(fixture("imp1/proton_authenticator_backup.json"))) {
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_encrypted_exports_never_panic(
            data in mutated(fixture("imp1/proton_authenticator_backup_encrypted_1231246.json"))
        ) {
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn arbitrary_entries_never_panic(items in prop::collection::vec(arbitrary_json(), 0..6)) {
            let _ = entries_of(items);
        }
    }
}
