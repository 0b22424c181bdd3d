//! Aegis Authenticator vaults and JSON exports, plain or password-encrypted.
//!
//! The file is `{version, header: {slots, params}, db}`. In a plain file
//! `db` is the database object; in an encrypted one it is base64 of the
//! database's AES-256-GCM encryption under a master key, which every
//! password slot holds wrapped: scrypt(password, slot salt) opens the slot
//! key with AES-256-GCM. Groups (db v2's `group` name, v3's `groups` uuid
//! list) become tags; mOTP and Yandex entries are reported as skipped.

use serde::Deserialize;
use serde_json::Value;

use super::shared::crypto;
use super::shared::entry::{self, RawParams};
use super::shared::json;
use super::{Format, ImportError, Passwords};
use crate::model::{Entry, Kind, Parsed, Secret, Token};

pub const FORMAT: Format = Format {
    name: "aegis",
    title: "Aegis Authenticator",
    detect,
    parse,
};

/// Aegis slot type of a password slot (0 is a raw key, 2 biometric).
const PASSWORD_SLOT: u64 = 1;

/// Aegis writes one password slot per password (the vault's, and a separate
/// backup password if set); a file with more is not Aegis's, and each slot
/// may cost seconds of scrypt.
const MAX_PASSWORD_SLOTS: usize = 4;

/// The most scrypt work (N·r·p summed over the password slots) spent on one
/// file before any of it runs: four slots at N = 2^20, r = 8, p = 1, about
/// 10 s here. Aegis itself uses N = 2^15, r = 8, p = 1 (1/32 of a slot's share).
const MAX_SCRYPT_WORK: u64 = MAX_PASSWORD_SLOTS as u64 * (1 << 20) * 8;

fn detect(data: &[u8]) -> bool {
    json::sniff_object(data).is_some_and(|map| {
        map.contains_key("db")
            && map
                .get("header")
                .and_then(Value::as_object)
                .is_some_and(|h| h.contains_key("slots"))
    })
}

#[derive(Deserialize)]
struct Vault {
    version: u64,
    header: Header,
    db: Value,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<Vec<Value>>,
    params: Option<CipherParams>,
}

#[derive(Deserialize)]
struct CipherParams {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct Slot {
    key: String,
    key_params: CipherParams,
    n: Option<u64>,
    r: Option<u32>,
    p: Option<u32>,
    salt: Option<String>,
}

#[derive(Deserialize)]
struct Db {
    version: u64,
    entries: Vec<Value>,
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    uuid: String,
    name: String,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    info: serde_json::Map<String, Value>,
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let vault: Vault = json::document("Aegis vault", data)?;
    if vault.version != 1 {
        return Err(ImportError::Unsupported(format!(
            "Aegis vault version {} (this reader knows version 1)",
            vault.version
        )));
    }
    let db = match (vault.header.slots, vault.db) {
        (None, db @ Value::Object(_)) => db,
        (Some(slots), Value::String(sealed)) => {
            let params = vault.header.params.ok_or_else(|| {
                ImportError::malformed("encrypted Aegis vault without header.params")
            })?;
            decrypt(&slots, &params, &sealed, passwords)?
        }
        _ => {
            return Err(ImportError::malformed(
                "Aegis header and db disagree about encryption",
            ));
        }
    };
    entries(db)
}

/// Opens the database with the first password slot the password unlocks.
fn decrypt(
    slots: &[Value],
    params: &CipherParams,
    sealed: &str,
    passwords: &mut Passwords<'_>,
) -> Result<Value, ImportError> {
    let slots: Vec<Slot> = slots
        .iter()
        .filter(|s| s.get("type").and_then(Value::as_u64) == Some(PASSWORD_SLOT))
        .map(|s| {
            Slot::deserialize(s)
                .map_err(|e| ImportError::malformed(format!("password slot: {}", json::reason(&e))))
        })
        .collect::<Result<_, _>>()?;
    if slots.is_empty() {
        return Err(ImportError::Unsupported(
            "this Aegis vault has no password slot (only biometric or raw keys)".into(),
        ));
    }
    if slots.len() > MAX_PASSWORD_SLOTS {
        return Err(ImportError::Unsupported(format!(
            "this Aegis vault has {} password slots; Aegis writes one per password, and otp tries at most {MAX_PASSWORD_SLOTS}",
            slots.len()
        )));
    }
    let work = slots.iter().fold(0u64, |sum, slot| {
        let one = slot
            .n
            .unwrap_or(0)
            .saturating_mul(u64::from(slot.r.unwrap_or(0)))
            .saturating_mul(u64::from(slot.p.unwrap_or(0)));
        sum.saturating_add(one)
    });
    if work > MAX_SCRYPT_WORK {
        return Err(ImportError::Unsupported(format!(
            "this Aegis vault's password slots ask for more scrypt work than otp spends on one file \
             (N·r·p = {work} in all; at most {MAX_SCRYPT_WORK}, 32 times what Aegis uses per slot)"
        )));
    }
    let ciphertext = crypto::base64("db", sealed)?;
    let nonce = crypto::hex("header.params.nonce", &params.nonce)?;
    let tag = crypto::hex("header.params.tag", &params.tag)?;
    crypto::exact_len("header.params.tag", &tag, 16)?;
    let password = passwords("Aegis vault")?;
    let master = slots
        .iter()
        .try_fold(None, |found, slot| match found {
            Some(key) => Ok(Some(key)),
            None => open_slot(slot, password.as_bytes()),
        })?
        .ok_or(ImportError::WrongPassword)?;
    let mut sealed = ciphertext;
    sealed.extend_from_slice(&tag);
    let plain = crypto::aes256_gcm_open(&master, &nonce, b"", &sealed)?.ok_or_else(|| {
        ImportError::malformed(
            "the vault key opens but the database does not decrypt: damaged file",
        )
    })?;
    json::document("decrypted Aegis database", &plain)
}

fn open_slot(slot: &Slot, password: &[u8]) -> Result<Option<crypto::Key32>, ImportError> {
    let (Some(n), Some(r), Some(p), Some(salt)) = (slot.n, slot.r, slot.p, slot.salt.as_deref())
    else {
        return Err(ImportError::malformed(
            "password slot without scrypt parameters",
        ));
    };
    let salt = crypto::hex("slot salt", salt)?;
    let mut wrapped = crypto::hex("slot key", &slot.key)?;
    let nonce = crypto::hex("slot nonce", &slot.key_params.nonce)?;
    let tag = crypto::hex("slot tag", &slot.key_params.tag)?;
    crypto::exact_len("slot tag", &tag, 16)?;
    wrapped.extend_from_slice(&tag);
    let slot_key = crypto::scrypt(password, &salt, n, r, p)?;
    match crypto::aes256_gcm_open(&slot_key, &nonce, b"", &wrapped)? {
        Some(master) => Ok(Some(crypto::key32("the master key", &master)?)),
        None => Ok(None),
    }
}

/// Reads the (decrypted) database object.
fn entries(db: Value) -> Result<Parsed, ImportError> {
    let db = Db::deserialize(db)
        .map_err(|e| ImportError::malformed(format!("Aegis database: {}", json::reason(&e))))?;
    if !(1..=3).contains(&db.version) {
        return Err(ImportError::Unsupported(format!(
            "Aegis database version {} (this reader knows versions 1 to 3)",
            db.version
        )));
    }
    let mut parsed = Parsed::default();
    for (index, raw) in db.entries.into_iter().enumerate() {
        let raw = match RawEntry::deserialize(raw) {
            Ok(raw) => raw,
            Err(e) => {
                let label = format!("entry {}", index + 1);
                entry::push(&mut parsed, "", &label, Err(json::reason(&e)));
                continue;
            }
        };
        let result = entry(&raw, &db.groups);
        entry::push(&mut parsed, &raw.issuer, &raw.name, result);
    }
    Ok(parsed)
}

fn entry(raw: &RawEntry, groups: &[Group]) -> Result<Entry, String> {
    let kind = match raw.kind.as_str() {
        "totp" => Kind::Totp,
        "hotp" => Kind::Hotp,
        "steam" => Kind::Steam,
        "motp" => Kind::Motp,
        "yandex" => Kind::Yandex,
        other => return Err(entry::unsupported_kind(&format!("'{other}'"))),
    };
    let info = &raw.info;
    let number = |key: &str| -> Result<Option<u64>, String> {
        match info.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("'{key}' is not a whole number")),
        }
    };
    let algorithm = match info.get("algo") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err("'algo' is not a string".into()),
    };
    let params = RawParams {
        algorithm,
        digits: number("digits")?,
        period: number("period")?,
        counter: number("counter")?,
    };
    let secret = entry::secret_value(info.get("secret"))?;
    let token = if kind.has_pin() {
        pinned(kind, &params, secret, info.get("pin"))?
    } else {
        entry::token(kind, &params, secret)?
    };
    let mut entry = Entry::new(raw.issuer.clone(), raw.name.clone(), token);
    entry.note = raw.note.clone().filter(|n| !n.is_empty());
    if let Some(group) = raw.group.as_ref().filter(|g| !g.is_empty()) {
        entry.tags.push(group.clone());
    }
    for uuid in &raw.groups {
        let name = groups.iter().find(|g| &g.uuid == uuid).map(|g| &g.name);
        if let Some(name) = name.filter(|n| !entry.tags.contains(n)) {
            entry.tags.push(name.clone());
        }
    }
    Ok(entry)
}

/// A Yandex.Key or mOTP token as Aegis's `YandexInfo`/`MotpInfo` write it:
/// the key in base32 (Yandex: either form, the checksum checked), the PIN
/// in `pin`, and the scheme's own fixed digits, period and hash, which must
/// be what the file says when it says anything.
fn pinned(
    kind: Kind,
    params: &RawParams<'_>,
    secret: Secret,
    pin: Option<&Value>,
) -> Result<Token, String> {
    let pin = match pin {
        Some(Value::String(p)) => Some(p.as_str()),
        _ => None,
    };
    entry::pinned(kind, secret, pin, params)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn yandex_and_motp_entries_come_with_their_pin() {
        let db = |entries: &str| {
            format!(
                r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":3,"entries":[{entries}]}}}}"#
            )
        };
        let e = |t: &str, info: &str| {
            format!(
                r#"{{"type":"{t}","uuid":"u","name":"n","issuer":"{t}","note":"","favorite":false,"icon":null,"info":{info}}}"#
            )
        };
        let good = db(&[
            e("yandex", r#"{"secret":"LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI","algo":"SHA256","digits":8,"period":30,"pin":"7586"}"#),
            e("motp", r#"{"secret":"XOYZCK5VYUK34","algo":"MD5","digits":6,"period":10,"pin":"9999"}"#),
            e("yandex", r#"{"secret":"MA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI","algo":"SHA256","digits":8,"period":30,"pin":"7586"}"#),
            e("motp", r#"{"secret":"XOYZCK5VYUK34","algo":"MD5","digits":6,"period":10}"#),
            e("motp", r#"{"secret":"XOYZCK5VYUK34","algo":"MD5","digits":8,"period":10,"pin":"1"}"#),
        ].join(","));
        let p = parse(good.as_bytes(), &mut no_password).unwrap();
        assert_eq!(p.entries.len(), 2, "{:?}", p.skipped);
        assert_eq!(
            crate::otp::generate(&p.entries[0].token, 1581064020),
            "oactmacq"
        );
        assert_eq!(
            crate::otp::generate(&p.entries[1].token, 1659540020),
            "ced7b1"
        );
        let reasons: Vec<&str> = p.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert!(reasons[0].contains("checksum"), "{reasons:?}");
        assert!(reasons[1].contains("PIN"), "{reasons:?}");
        assert!(reasons[2].contains("parameters"), "{reasons:?}");
        assert!(
            !reasons
                .iter()
                .any(|r| r.contains("7586") || r.contains("LA2V"))
        );
    }

    #[test]
    fn plain_vault_imports_the_canonical_entries() {
        let parsed = parse(&fixture("imp1/aegis_plain.json"), &mut no_password).unwrap();
        assert_entries(&parsed, &AEGIS);
        assert!(parsed.skipped.is_empty());
    }

    #[test]
    fn encrypted_vault_opens_with_its_password() {
        let data = fixture("imp1/aegis_encrypted.json");
        assert!(detect(&data));
        let parsed = parse(&data, &mut pw("test")).unwrap();
        assert_entries(&parsed, &AEGIS);
    }

    #[test]
    fn wrong_or_missing_password_is_reported() {
        assert_password_errors(&FORMAT, "imp1/stratum/aegis.encrypted.json", "test1");
    }

    #[test]
    fn grouped_v2_vault_turns_groups_into_tags() {
        let parsed = parse(
            &fixture("imp1/aegis_plain_grouped_v2.json"),
            &mut no_password,
        )
        .unwrap();
        assert_entries(&parsed, &AEGIS);
        let tags = |issuer: &str| {
            parsed
                .entries
                .iter()
                .find(|e| e.issuer == issuer)
                .map(|e| e.tags.clone())
                .unwrap()
        };
        assert_eq!(tags("Deno"), ["group1"]);
        assert_eq!(tags("Airbnb"), ["group1"]);
        assert_eq!(tags("Issuu"), ["group2"]);
        let untagged = parsed.entries.iter().filter(|e| e.tags.is_empty()).count();
        assert_eq!(untagged, 4);
    }

    fn stratum_expected() -> Vec<Want> {
        let mut want = STRATUM.to_vec();
        want.push(Want {
            issuer: "",
            name: "Username",
            secret: "BBBBBBBBBBBBBBBBBBBBBBBB",
            code: None,
            ..STRATUM[5]
        });
        want.push(Want {
            issuer: "Steam",
            name: "Steam",
            kind: Kind::Steam,
            digits: 5,
            secret: "CCCCCCCCCCCCCCCCCCCCCCCCCCCCC",
            code: None,
            ..STRATUM[5]
        });
        want
    }

    #[test]
    fn stratum_vaults_bring_motp_and_yandex_with_their_pin() {
        let plain = parse(
            &fixture("imp1/stratum/aegis.unencrypted.json"),
            &mut no_password,
        )
        .unwrap();
        let encrypted = parse(
            &fixture("imp1/stratum/aegis.encrypted.json"),
            &mut pw("test"),
        )
        .unwrap();
        for mut parsed in [plain, encrypted] {
            assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
            // Stratum's mOTP and Yandex entries, with codes from our Python
            // (tests/fixtures/otp/vectors.py) and Aegis's YAOTPTest.
            let (pinned, rest): (Vec<Entry>, Vec<Entry>) = parsed
                .entries
                .into_iter()
                .partition(|e| e.token.kind.has_pin());
            parsed.entries = rest;
            let code = |issuer: &str, at: u64| {
                let e = pinned.iter().find(|e| e.issuer == issuer).unwrap();
                crate::otp::generate(&e.token, at)
            };
            assert_eq!(pinned.len(), 2);
            assert_eq!(code("Motp", 1_234_567_890), "705db7");
            assert_eq!(code("Yandex", 1_581_064_020), "oactmacq");
            // CCCC… is 29 base32 characters: 18 bytes, with non-zero trailing bits.
            let mut want = stratum_expected();
            let steam = parsed.entries.iter().find(|e| e.issuer == "Steam").unwrap();
            want[8].secret = Box::leak(steam.token.secret.to_base32().into_boxed_str());
            assert_eq!(steam.token.secret.bytes().len(), 18);
            assert_entries(&parsed, &want);
            let grouped = parsed
                .entries
                .iter()
                .filter(|e| e.tags == ["Group"])
                .count();
            assert_eq!(grouped, 2);
        }
    }

    #[test]
    fn bad_entries_are_skipped_and_bad_documents_rejected() {
        let doc = br#"{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[
            {"type":"totp","name":"a","issuer":"b","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"MD5","digits":6,"period":30}},
            {"type":"totp","name":"c","issuer":"d","info":{"secret":"JBSWY3DPEHPK3PXP","digits":6,"period":0}},
            {"type":"hotp","name":"e","issuer":"f","info":{"secret":"not base32!","digits":6,"counter":3}},
            {"type":"totp","name":"g","issuer":"h","info":{"secret":"JBSWY3DPEHPK3PXP","digits":12,"period":30}}]}}"#;
        let parsed = parse(doc, &mut no_password).unwrap();
        assert!(parsed.entries.is_empty());
        assert_eq!(parsed.skipped.len(), 4);
        for s in &parsed.skipped {
            assert!(!s.reason.contains("JBSW"), "{}", s.reason);
        }
        assert!(matches!(
            parse(b"{}", &mut no_password),
            Err(ImportError::Malformed(_))
        ));
        let v9 = br#"{"version":1,"header":{"slots":null},"db":{"version":9,"entries":[]}}"#;
        assert!(matches!(
            parse(v9, &mut no_password),
            Err(ImportError::Unsupported(_))
        ));
    }

    #[test]
    fn detection_is_specific() {
        assert!(detect(&fixture("imp1/aegis_plain.json")));
        assert!(!detect(&fixture("imp1/andotp_plain.json")));
        assert!(!detect(&fixture("imp1/2fas_authenticator_plain.2fas")));
        assert!(!detect(b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"));
    }

    /// An encrypted vault with a cheap scrypt (N = 1024), for wrong
    /// passwords and mutations.
    fn cheap_vault(password: &str) -> Vec<u8> {
        use aes_gcm::aead::Aead;
        use aes_gcm::{Aes256Gcm, KeyInit};
        let seal = |key: &[u8; 32], nonce: &[u8; 12], plain: &[u8]| {
            let mut sealed = Aes256Gcm::new(key.into())
                .encrypt(nonce.into(), plain)
                .unwrap();
            let tag = sealed.split_off(sealed.len() - 16);
            (sealed, tag)
        };
        let hex = |b: &[u8]| data_encoding::HEXLOWER.encode(b);
        let b64 = |b: &[u8]| crate::base64::encode(b);
        let plain: Value = serde_json::from_slice(&fixture("imp1/aegis_plain.json")).unwrap();
        let master = [1u8; 32];
        let (db, db_tag) = seal(&master, &[2; 12], plain["db"].to_string().as_bytes());
        let slot_key = crypto::scrypt(password.as_bytes(), &[3; 32], 1024, 8, 1).unwrap();
        let (key, key_tag) = seal(&slot_key, &[4; 12], &master);
        serde_json::json!({
            "version": 1,
            "header": {
                "slots": [
                    {"type": 2, "uuid": "x", "key": hex(&[0; 32]), "key_params": {"nonce": "", "tag": ""}},
                    {"type": 1, "uuid": "y", "key": hex(&key), "n": 1024, "r": 8, "p": 1,
                     "salt": hex(&[3; 32]), "key_params": {"nonce": hex(&[4; 12]), "tag": hex(&key_tag)}}
                ],
                "params": {"nonce": hex(&[2; 12]), "tag": hex(&db_tag)}
            },
            "db": b64(&db)
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn biometric_slots_are_passed_over_and_wrong_passwords_refused() {
        let data = cheap_vault("right");
        assert_entries(&parse(&data, &mut pw("right")).unwrap(), &AEGIS);
        assert!(matches!(
            parse(&data, &mut pw("wrong")),
            Err(ImportError::WrongPassword)
        ));
    }

    /// `cheap_vault` with its password slot repeated `copies` times and
    /// scrypt parameters `(n, r, p)`.
    fn vault_with_slots(copies: usize, (n, r, p): (u64, u32, u32)) -> Vec<u8> {
        let mut v: Value = serde_json::from_slice(&cheap_vault("pw")).unwrap();
        let mut slot = v["header"]["slots"][1].clone();
        slot["n"] = n.into();
        slot["r"] = r.into();
        slot["p"] = p.into();
        v["header"]["slots"] = Value::Array(vec![slot; copies]);
        v.to_string().into_bytes()
    }

    #[test]
    fn slot_count_and_scrypt_work_are_bounded_before_any_scrypt_runs() {
        // Five cheap slots: more than Aegis ever writes.
        let err = parse(&vault_with_slots(5, (1024, 8, 1)), &mut pw("pw")).unwrap_err();
        assert!(
            matches!(&err, ImportError::Unsupported(m) if m.contains("5 password slots")),
            "{err}"
        );
        // Two slots at the per-slot cap (1 GiB, p = 16): minutes of scrypt.
        let err = parse(&vault_with_slots(2, (1 << 20, 8, 16)), &mut pw("pw")).unwrap_err();
        assert!(
            matches!(&err, ImportError::Unsupported(m) if m.contains("scrypt work")),
            "{err}"
        );
        // As many slots as allowed, at a cheap N: all tried.
        let aegis = vault_with_slots(MAX_PASSWORD_SLOTS, (1024, 8, 1));
        assert!(parse(&aegis, &mut pw("pw")).is_ok());
        assert!(matches!(
            parse(&aegis, &mut pw("wrong")),
            Err(ImportError::WrongPassword)
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn mutated_vaults_never_panic(data in mutated(fixture("imp1/aegis_plain.json"))) {
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_encrypted_vaults_never_panic(data in mutated(fixture("imp1/aegis_encrypted.json"))) {
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_cheap_vaults_never_panic(data in mutated(cheap_vault("pw"))) {
            // Mutations may raise scrypt's cost; only cheap ones get the password.
            let cheap = serde_json::from_slice::<Value>(&data).is_ok_and(|v| {
                v["header"]["slots"].as_array().is_some_and(|slots| {
                    slots.iter().all(|s| s["n"].as_u64().is_none_or(|n| n <= 2048))
                })
            });
            if cheap {
                let _ = parse(&data, &mut pw("pw"));
            }
        }

        #[test]
        fn arbitrary_databases_never_panic(db in arbitrary_json()) {
            let _ = entries(db);
        }
    }
}
