//! Bitwarden exports: JSON (also Bitwarden Authenticator's), CSV, and
//! password-protected JSON. Only items with a TOTP field become accounts;
//! cards, notes and logins without one are not second factors.
//!
//! The TOTP field is an otpauth URI, `steam://SECRET` or a bare secret
//! (see `otpauth`); the item name and user name fill in the issuer and
//! account. Folders become tags.
//!
//! Password-protected exports: master key = PBKDF2-SHA256(password, salt
//! string as written, iterations) or Argon2id(password, SHA-256(salt
//! string), …); HKDF-Expand gives an encryption and a MAC key; `data` and
//! `encKeyValidation_DO_NOT_EDIT` are EncStrings `2.iv|ct|mac`
//! (AES-256-CBC, HMAC-SHA256 over iv‖ct, checked before decrypting).
//! An export encrypted with the account key instead cannot be read.

use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::shared::crypto;
use super::shared::csv;
use super::shared::entry;
use super::shared::json::{self, Shape};
use super::shared::otpauth;
use super::{Format, ImportError, Passwords};
use crate::model::{Entry, Parsed};

pub const FORMAT: Format = Format {
    name: "bitwarden",
    title: "Bitwarden",
    detect,
    parse,
};

fn detect(data: &[u8]) -> bool {
    if let Some(keys) = json::sniff_keys(data) {
        return keys.get("encrypted") == Some(Shape::Bool)
            && (keys.get("items") == Some(Shape::Array)
                || keys.get("data") == Some(Shape::String));
    }
    csv_header(data).is_some_and(|h| h.iter().any(|c| c == "login_totp"))
}

fn csv_header(data: &[u8]) -> Option<Vec<String>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let line = data.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    csv::rows(line).ok()?.first().cloned()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export<'a> {
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    password_protected: bool,
    salt: Option<String>,
    kdf_type: Option<u64>,
    kdf_iterations: Option<u32>,
    kdf_memory: Option<u32>,
    kdf_parallelism: Option<u32>,
    #[serde(rename = "encKeyValidation_DO_NOT_EDIT")]
    key_validation: Option<String>,
    data: Option<String>,
    #[serde(default)]
    folders: Vec<Folder>,
    #[serde(borrow)]
    items: Option<json::Entries<'a>>,
}

#[derive(Deserialize)]
struct Folder {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    #[serde(default)]
    name: String,
    folder_id: Option<String>,
    login: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    username: Option<String>,
    totp: Option<Zeroizing<String>>,
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    if json::sniff_keys(data).is_none() && csv_header(data).is_some() {
        return parse_csv(data);
    }
    let export: Export<'_> = json::document("Bitwarden export", data)?;
    if !export.encrypted {
        return items_of(export);
    }
    if !export.password_protected {
        return Err(ImportError::Unsupported(
            "this Bitwarden export is encrypted with the account key and only Bitwarden can open it; \
             export again choosing \"Password protected\" as the file type"
                .into(),
        ));
    }
    let plain = decrypt(&export, passwords)?;
    let inner: Export<'_> = json::document("decrypted Bitwarden export", &plain)?;
    if inner.encrypted {
        return Err(ImportError::malformed(
            "the decrypted export is itself encrypted",
        ));
    }
    items_of(inner)
}

fn items_of(export: Export<'_>) -> Result<Parsed, ImportError> {
    let raw = export
        .items
        .ok_or_else(|| ImportError::malformed("a Bitwarden export without 'items'"))?;
    Ok(items(&raw, &export.folders))
}

fn items(raw: &json::Entries<'_>, folders: &[Folder]) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, item) in json::entries::<Item>(raw).enumerate() {
        let item = match item {
            Ok(item) => item,
            Err(reason) => {
                let label = format!("item {}", index + 1);
                entry::push(&mut parsed, "", &label, Err(reason));
                continue;
            }
        };
        let Some(login) = item.login else { continue };
        let Some(totp) = login.totp.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let folder = folders
            .iter()
            .find(|f| Some(&f.id) == item.folder_id.as_ref());
        let username = login.username.unwrap_or_default();
        add(
            &mut parsed,
            &totp,
            &item.name,
            &username,
            folder.map(|f| f.name.as_str()),
        );
    }
    parsed
}

fn add(parsed: &mut Parsed, totp: &str, item: &str, username: &str, folder: Option<&str>) {
    match otpauth::totp_field(totp, item, username) {
        Ok(mut entry) => {
            tag(&mut entry, folder);
            parsed.entries.push(entry);
        }
        Err(skipped) => parsed.skipped.push(skipped),
    }
}

fn tag(entry: &mut Entry, folder: Option<&str>) {
    if let Some(folder) = folder.filter(|f| !f.is_empty()) {
        entry.tags.push(folder.to_string());
    }
}

fn parse_csv(data: &[u8]) -> Result<Parsed, ImportError> {
    let text = std::str::from_utf8(data)
        .map_err(|_| ImportError::malformed("the Bitwarden CSV export is not UTF-8 text"))?;
    let rows = csv::rows(text).map_err(ImportError::malformed)?;
    let Some((header, rows)) = rows.split_first() else {
        return Err(ImportError::malformed("the CSV has no login_totp column"));
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let totp = column("login_totp")
        .ok_or_else(|| ImportError::malformed("the CSV has no login_totp column"))?;
    let (name, username, folder) = (column("name"), column("login_username"), column("folder"));
    let cell = |row: &[String], at: Option<usize>| -> String {
        at.and_then(|i| row.get(i)).cloned().unwrap_or_default()
    };
    let mut parsed = Parsed::default();
    for row in rows {
        let Some(field) = row.get(totp).filter(|f| !f.trim().is_empty()) else {
            continue;
        };
        let folder = cell(row, folder);
        add(
            &mut parsed,
            field,
            &cell(row, name),
            &cell(row, username),
            Some(&folder),
        );
    }
    Ok(parsed)
}

/// The two keys stretched from the master key.
struct Keys {
    enc: crypto::Key32,
    mac: crypto::Key32,
}

fn decrypt(
    export: &Export<'_>,
    passwords: &mut Passwords<'_>,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let missing =
        |what: &str| ImportError::malformed(format!("password-protected export without {what}"));
    let salt = export.salt.as_deref().ok_or_else(|| missing("salt"))?;
    let validation = export
        .key_validation
        .as_deref()
        .ok_or_else(|| missing("its key check"))?;
    let validation = EncString::parse("encKeyValidation_DO_NOT_EDIT", validation)?;
    let data = EncString::parse(
        "data",
        export.data.as_deref().ok_or_else(|| missing("data"))?,
    )?;
    let iterations = export
        .kdf_iterations
        .ok_or_else(|| missing("kdfIterations"))?;
    let password = passwords("Bitwarden export")?;
    let master = match export.kdf_type {
        Some(0) => crypto::pbkdf2_sha256(password.as_bytes(), salt.as_bytes(), iterations)?,
        Some(1) => {
            let memory_mib = export.kdf_memory.ok_or_else(|| missing("kdfMemory"))?;
            let lanes = export
                .kdf_parallelism
                .ok_or_else(|| missing("kdfParallelism"))?;
            let memory_kib = memory_mib.checked_mul(1024).ok_or_else(|| {
                ImportError::Unsupported(format!("Argon2 with {memory_mib} MiB of memory"))
            })?;
            let salt = Sha256::digest(salt.as_bytes());
            crypto::argon2id(password.as_bytes(), &salt, iterations, memory_kib, lanes)?
        }
        Some(other) => {
            return Err(ImportError::Unsupported(format!(
                "Bitwarden KDF type {other}"
            )));
        }
        None => return Err(missing("kdfType")),
    };
    let keys = stretch(&master)?;
    if !validation.authentic(&keys) {
        return Err(ImportError::WrongPassword);
    }
    if !data.authentic(&keys) {
        return Err(ImportError::malformed(
            "the data fails its integrity check: damaged file",
        ));
    }
    data.decrypt(&keys)
}

fn stretch(master: &crypto::Key32) -> Result<Keys, ImportError> {
    let hkdf = hkdf::Hkdf::<Sha256>::from_prk(master.as_ref())
        .map_err(|_| ImportError::malformed("master key too short"))?;
    let mut keys = Keys {
        enc: Zeroizing::new([0; 32]),
        mac: Zeroizing::new([0; 32]),
    };
    hkdf.expand(b"enc", keys.enc.as_mut())
        .and_then(|()| hkdf.expand(b"mac", keys.mac.as_mut()))
        .map_err(|_| ImportError::malformed("key stretching failed"))?;
    Ok(keys)
}

/// A Bitwarden `2.iv|ct|mac` string (AES-256-CBC with HMAC-SHA256).
struct EncString {
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    mac: Vec<u8>,
}

impl EncString {
    fn parse(field: &str, text: &str) -> Result<EncString, ImportError> {
        let body = text.strip_prefix("2.").ok_or_else(|| {
            ImportError::Unsupported(format!(
                "{field} is not a type-2 (AES-CBC + HMAC) EncString"
            ))
        })?;
        let mut parts = body.split('|');
        let (Some(iv), Some(ct), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ImportError::malformed(format!(
                "{field} is not 'iv|data|mac'"
            )));
        };
        let iv = crypto::base64(field, iv)?;
        let mac = crypto::base64(field, mac)?;
        crypto::exact_len(&format!("{field} iv"), &iv, 16)?;
        crypto::exact_len(&format!("{field} mac"), &mac, 32)?;
        Ok(EncString {
            iv,
            ciphertext: crypto::base64(field, ct)?,
            mac,
        })
    }

    fn authentic(&self, keys: &Keys) -> bool {
        let Ok(mut hmac) = Hmac::<Sha256>::new_from_slice(keys.mac.as_ref()) else {
            return false;
        };
        hmac.update(&self.iv);
        hmac.update(&self.ciphertext);
        hmac.verify_slice(&self.mac).is_ok()
    }

    fn decrypt(&self, keys: &Keys) -> Result<Zeroizing<Vec<u8>>, ImportError> {
        let cipher = cbc::Decryptor::<aes::Aes256>::new_from_slices(keys.enc.as_ref(), &self.iv)
            .map_err(|_| ImportError::malformed("bad AES-CBC key or iv length"))?;
        cipher
            .decrypt_padded_vec_mut::<Pkcs7>(&self.ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| ImportError::malformed("the data has bad padding: damaged file"))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit::*;
    use crate::model::Kind;

    const PASSWORD: &str = "rud9^5S6$^Ewmr%d";

    fn stratum_expected() -> Vec<Want> {
        let s = STRATUM;
        let mut want = vec![s[0], s[1], s[6], s[2], s[3], s[5]];
        want.push(Want {
            issuer: "Secret",
            name: "Only",
            secret: "JOR2VZXMNHACFNLRAOACFFRDRYAOFMLB",
            code: Some("022267"),
            ..s[5]
        });
        want.push(Want {
            issuer: "Steam",
            name: "john@example.com",
            kind: Kind::Steam,
            digits: 5,
            secret: "GJD4ZX3RQMLCAXKCT7GGQ4U27VN4FPK6",
            code: Some("XQ9MR"),
            ..s[5]
        });
        want
    }

    fn check_stratum(parsed: &Parsed) {
        assert_entries(parsed, &stratum_expected());
        assert!(parsed.skipped.is_empty());
        let tagged: Vec<_> = parsed
            .entries
            .iter()
            .filter(|e| e.tags == ["My Folder"])
            .map(|e| e.issuer.as_str())
            .collect();
        assert_eq!(tagged, ["Long", "Many", "NoIssuer"]);
    }

    #[test]
    fn json_and_csv_exports_read_uris_and_steam_secrets() {
        let steam = |issuer| Want {
            issuer,
            name: "",
            ..AEGIS[6]
        };
        for (file, item) in [
            ("imp1/bitwarden.json", "Test Steam"),
            ("imp1/bitwarden.csv", "Test 4"),
        ] {
            let data = fixture(file);
            assert!(detect(&data), "{file}");
            let parsed = parse(&data, &mut no_password).unwrap();
            assert_entries(&parsed, &[AEGIS[0], AEGIS[1], AEGIS[2], steam(item)]);
        }
    }

    #[test]
    fn stratum_export_reads_bare_secrets_and_folders_and_skips_cards() {
        check_stratum(
            &parse(
                &fixture("imp1/stratum/bitwarden.unencrypted.json"),
                &mut no_password,
            )
            .unwrap(),
        );
    }

    #[test]
    fn bitwarden_authenticator_export() {
        let data = fixture("imp1/stratum/bitwardenauthenticator.json");
        assert!(detect(&data));
        let s = STRATUM;
        let want = [s[5], s[6], s[2], s[3], s[1], s[0]];
        assert_entries(&parse(&data, &mut no_password).unwrap(), &want);
    }

    #[test]
    fn password_protected_pbkdf2_export() {
        // 600,000 PBKDF2 rounds: about 10 s in a debug build.
        let data = fixture("imp1/stratum/bitwarden.encrypted.pbkdf2.json");
        assert!(detect(&data));
        check_stratum(&parse(&data, &mut pw(PASSWORD)).unwrap());
    }

    #[test]
    fn password_protected_argon2id_export() {
        let data = fixture("imp1/stratum/bitwarden.encrypted.argon2id.json");
        assert!(detect(&data));
        check_stratum(&parse(&data, &mut pw(PASSWORD)).unwrap());
        assert!(matches!(
            parse(&data, &mut pw("rud9^5S6$^Ewmr%D")),
            Err(ImportError::WrongPassword)
        ));
        assert!(matches!(
            parse(&data, &mut no_password),
            Err(ImportError::NeedPassword)
        ));
    }

    #[test]
    fn account_restricted_export_is_refused_clearly() {
        let data = fixture("imp1/stratum/bitwarden.encrypted.accountrestricted.json");
        assert!(detect(&data));
        match parse(&data, &mut pw(PASSWORD)) {
            Err(ImportError::Unsupported(m)) => assert!(m.contains("account key"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_json_is_not_an_empty_export() {
        assert_malformed(&FORMAT, b"{}");
        assert_malformed(&FORMAT, &fixture("imp1/aegis_plain.json"));
    }

    #[test]
    fn detection_is_specific() {
        assert!(!detect(&fixture("imp1/aegis_plain.json")));
        assert!(!detect(&fixture("imp1/proton_authenticator.json")));
        assert!(!detect(b"name,login_uri\nx,y\n"));
        assert!(!detect(b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn mutated_json_never_panics(data in mutated(fixture("imp1/stratum/bitwarden.unencrypted.json"))) {
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_csv_never_panics(data in mutated(fixture("imp1/bitwarden.csv"))) {
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_protected_exports_never_panic(
            data in mutated(fixture("imp1/stratum/bitwarden.encrypted.argon2id.json"))
        ) {
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn arbitrary_items_never_panic(raw in prop::collection::vec(arbitrary_json(), 0..6)) {
            let text = serde_json::to_string(&raw).unwrap();
            let _ = items(&serde_json::from_str(&text).unwrap(), &[]);
        }
    }
}
