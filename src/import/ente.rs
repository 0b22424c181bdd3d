//! ente Auth exports: the plain text export and the encrypted JSON one.
//!
//! Plain: one `otpauth://` URI per line, each with ente's own
//! `codeDisplay` parameter (URL-encoded JSON: tags, trashed, note, …).
//! That parameter is what tells this format from a generic URI list, so
//! only files carrying it are detected as ente; a list without it is read
//! by the `uris` format, which yields the same accounts (minus ente's tags).
//! Entries in ente's trash are reported as skipped.
//!
//! Encrypted: `{"version":1,"kdfParams":{"memLimit","opsLimit","salt"},
//! "encryptedData","encryptionNonce"}`. Key = libsodium `crypto_pwhash`
//! (Argon2id v1.3, t = opsLimit, m = memLimit bytes, 1 lane); the data is
//! one message of libsodium's `crypto_secretstream_xchacha20poly1305` with
//! `encryptionNonce` as the stream header. The plaintext is the plain export.
//! ente's "sensitive" setting asks for 1 GiB of memory: that much is allowed.

use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::shared::crypto;
use super::shared::json;
use super::shared::otpauth;
use super::{Format, ImportError, Passwords};
use crate::model::{Parsed, Skipped};

pub const FORMAT: Format = Format {
    name: "ente",
    title: "ente Auth",
    detect,
    parse,
};

fn detect(data: &[u8]) -> bool {
    if let Some(map) = json::sniff_object(data) {
        return map.contains_key("kdfParams")
            && map.contains_key("encryptedData")
            && map.contains_key("encryptionNonce");
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let mut lines = content_lines(text).peekable();
    lines.peek().is_some()
        && lines.all(|(_, line)| {
            line.get(..10)
                .is_some_and(|p| p.eq_ignore_ascii_case("otpauth://"))
                && line.contains("codeDisplay=")
        })
}

fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Encrypted {
    version: u64,
    kdf_params: KdfParams,
    encrypted_data: String,
    encryption_nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KdfParams {
    mem_limit: u64,
    ops_limit: u64,
    salt: String,
}

/// The part of `codeDisplay` that matters here.
#[derive(Deserialize, Default)]
struct Display {
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    trashed: bool,
    note: Option<String>,
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    if json::sniff_object(data).is_some() {
        let file: Encrypted = json::document("ente encrypted export", data)?;
        let plain = decrypt(&file, passwords)?;
        return plain_export(&plain);
    }
    plain_export(data)
}

fn decrypt(
    file: &Encrypted,
    passwords: &mut Passwords<'_>,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    use crypto_secretstream::{Header, Key, PullStream};
    if file.version != 1 {
        return Err(ImportError::Unsupported(format!(
            "ente export version {} (this reader knows version 1)",
            file.version
        )));
    }
    let params = &file.kdf_params;
    let salt = crypto::base64("kdfParams.salt", &params.salt)?;
    crypto::exact_len("kdfParams.salt", &salt, 16)?;
    let header = crypto::base64("encryptionNonce", &file.encryption_nonce)?;
    let header = Header::try_from(header.as_slice())
        .map_err(|_| ImportError::malformed("encryptionNonce is not a 24-byte stream header"))?;
    let mut buffer = crypto::base64("encryptedData", &file.encrypted_data)?;
    let too_big = |what: &str| ImportError::Unsupported(format!("ente {what} out of range"));
    let memory_kib = u32::try_from(params.mem_limit / 1024).map_err(|_| too_big("memLimit"))?;
    let passes = u32::try_from(params.ops_limit).map_err(|_| too_big("opsLimit"))?;
    let password = passwords("ente Auth export")?;
    let key = crypto::argon2id(password.as_bytes(), &salt, passes, memory_kib, 1)?;
    let mut stream = PullStream::init(header, &Key::from(*key));
    let pulled = stream.pull(&mut buffer, b"");
    let plain = Zeroizing::new(buffer);
    pulled.map_err(|_| ImportError::WrongPassword)?;
    Ok(plain)
}

fn plain_export(data: &[u8]) -> Result<Parsed, ImportError> {
    let text = std::str::from_utf8(data)
        .map_err(|_| ImportError::malformed("the export is not UTF-8 text"))?;
    let mut parsed = Parsed::default();
    for (number, line) in content_lines(text) {
        let uri_like = ["otpauth://", "motp://"].iter().any(|p| {
            line.get(..p.len())
                .is_some_and(|l| l.eq_ignore_ascii_case(p))
        });
        if !uri_like {
            // Never quote the line: it may hold a secret.
            return Err(ImportError::malformed(format!(
                "line {number} is not an otpauth:// URI"
            )));
        }
        let display = code_display(line);
        match otpauth::totp_field(line, "", "") {
            Ok(entry) if display.trashed => parsed.skipped.push(Skipped {
                label: entry.label(),
                reason: "in ente's trash (deleted there)".into(),
            }),
            Ok(mut entry) => {
                entry.tags = display.tags;
                entry.note = display.note.filter(|n| !n.is_empty());
                parsed.entries.push(entry);
            }
            Err(mut skipped) => {
                if skipped.label.is_empty() {
                    skipped.label = format!("line {number}");
                }
                parsed.skipped.push(skipped);
            }
        }
    }
    Ok(parsed)
}

/// ente's `codeDisplay` parameter; absent or unreadable means no extras.
fn code_display(uri: &str) -> Display {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("codeDisplay="))
        .and_then(|value| percent_decode_str(value).decode_utf8().ok())
        .and_then(|json| serde_json::from_str::<Value>(&json).ok())
        .and_then(|value| Display::deserialize(value).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crypto_secretstream::{Key, PushStream, Tag};
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit::*;
    use crate::model::Kind;

    /// An encrypted export with a cheap KDF (64 KiB, 1 pass), for the
    /// wrong-password and mutation cases.
    fn cheap_export(password: &str, plain: &[u8]) -> Vec<u8> {
        let salt = [3u8; 16];
        let key = crypto::argon2id(password.as_bytes(), &salt, 1, 64, 1).unwrap();
        let (header, mut stream) =
            PushStream::init(crypto_secretstream::aead::OsRng, &Key::from(*key));
        let mut data = plain.to_vec();
        stream.push(&mut data, b"", Tag::Message).unwrap();
        let b64 = |b: &[u8]| crate::base64::encode(b);
        serde_json::json!({
            "version": 1,
            "kdfParams": {"memLimit": 65536, "opsLimit": 1, "salt": b64(&salt)},
            "encryptedData": b64(&data),
            "encryptionNonce": b64(header.as_ref()),
        })
        .to_string()
        .into_bytes()
    }

    fn stratum_expected() -> Vec<Want> {
        let mut want = STRATUM.to_vec();
        want[6] = want[6].with("NoIssuer", "NoIssuer");
        want
    }

    #[test]
    fn plain_export_keeps_odd_uris_and_tags() {
        let data = fixture("imp1/ente_auth.txt");
        assert!(detect(&data));
        let parsed = parse(&data, &mut no_password).unwrap();
        assert_entries(&parsed, &AEGIS);
        assert!(parsed.skipped.is_empty());
        let tagged = b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7B%22tags%22%3A%5B%22work%22%5D%2C%22note%22%3A%22n%22%7D\n\
            otpauth://totp/C:d?secret=JBSWY3DPEHPK3PXQ&codeDisplay=%7B%22trashed%22%3Atrue%7D\n";
        let parsed = parse(tagged, &mut no_password).unwrap();
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(parsed.entries[0].tags, ["work"]);
        assert_eq!(parsed.entries[0].note.as_deref(), Some("n"));
        assert_eq!(parsed.skipped[0].label, "C:d");
    }

    #[test]
    fn lines_that_are_not_uris_fail_the_file_and_bad_uris_are_skipped() {
        let err = parse(
            b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\nJBSWY3DPEHPK3PXP\n",
            &mut no_password,
        );
        match err {
            Err(ImportError::Malformed(m)) => assert!(m.contains("line 2") && !m.contains("JBSW")),
            other => panic!("{other:?}"),
        }
        let parsed = parse(
            b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=12\n",
            &mut no_password,
        )
        .unwrap();
        assert_eq!(parsed.skipped.len(), 1);
        assert!(!parsed.skipped[0].reason.contains("JBSW"));
    }

    #[test]
    fn a_uri_list_without_code_display_is_left_to_the_uri_format() {
        let data = fixture("imp1/stratum/ente.unencrypted.txt");
        assert!(!detect(&data));
        // Forced with --format ente, it still reads.
        assert_entries(
            &parse(&data, &mut no_password).unwrap(),
            &stratum_expected(),
        );
    }

    /// The real file: Argon2id with 1 GiB and 4 passes. About 3–5 s with
    /// argon2 built at opt-level 3 (see Cargo.toml), and 1 GiB of memory.
    #[test]
    fn encrypted_export_with_libsodium_sensitive_limits() {
        let data = fixture("imp1/stratum/ente.encrypted.json");
        assert!(detect(&data));
        assert_entries(&parse(&data, &mut pw("test")).unwrap(), &stratum_expected());
    }

    #[test]
    fn wrong_or_missing_password_is_reported() {
        let data = cheap_export("right", &fixture("imp1/ente_auth.txt"));
        assert_entries(&parse(&data, &mut pw("right")).unwrap(), &AEGIS);
        assert!(matches!(
            parse(&data, &mut pw("wrong")),
            Err(ImportError::WrongPassword)
        ));
        let real = fixture("imp1/stratum/ente.encrypted.json");
        assert!(matches!(
            parse(&real, &mut no_password),
            Err(ImportError::NeedPassword)
        ));
    }

    #[test]
    fn hostile_kdf_parameters_are_refused_before_any_work() {
        let data = br#"{"version":1,"kdfParams":{"memLimit":1099511627776,"opsLimit":4,"salt":"oSNHLO3BMxAocxngndY9bw=="},
            "encryptedData":"AAAAAAAAAAAAAAAAAAAAAAAA","encryptionNonce":"5vxijBdZGPSYdpgcKNI3S6I0kL1Mh48T"}"#;
        assert!(matches!(
            parse(data, &mut pw("x")),
            Err(ImportError::Unsupported(_))
        ));
    }

    #[test]
    fn detection_is_specific() {
        assert!(!detect(&fixture("imp1/bitwarden.json")));
        assert!(!detect(b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n"));
        assert!(!detect(b""));
        let steam = parse(&fixture("imp1/ente_auth.txt"), &mut no_password).unwrap();
        assert!(steam.entries.iter().any(|e| e.token.kind == Kind::Steam));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn mutated_plain_exports_never_panic(data in mutated(fixture("imp1/ente_auth.txt"))) {
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_encrypted_exports_never_panic(data in mutated(fixture("imp1/stratum/ente.encrypted.json"))) {
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_cheap_exports_never_panic(
            data in mutated(cheap_export("pw", &fixture("imp1/ente_auth.txt")))
        ) {
            // A mutation can raise memLimit or opsLimit: stay cheap by refusing
            // any file that asks for more than the original.
            let cheap = serde_json::from_slice::<Encrypted>(&data)
                .is_ok_and(|f| f.kdf_params.mem_limit <= 65536 * 2 && f.kdf_params.ops_limit <= 2);
            let _ = parse(&data, &mut if cheap { Box::new(pw("pw")) as Box<Passwords<'_>> } else { Box::new(no_password) });
        }
    }
}
