//! Aegis vault JSON (`otp export --format aegis`), the file Aegis
//! Authenticator imports on a phone: plain, or encrypted with a password.
//!
//! Written from Aegis' published vault format: `{"version": 1, "header":
//! {"slots", "params"}, "db"}`. Plain: `slots` and `params` are null and
//! `db` is `{"version": 1, "entries": [...]}` (db version 1 is the one every
//! Aegis release reads; tags have no place in it and are left out).
//! Encrypted: a random 256-bit master key encrypts the db JSON with
//! AES-256-GCM (`db` is the Base64 ciphertext, `params` its hex nonce and
//! tag); one password slot (type 1) holds the master key, AES-256-GCM
//! wrapped under scrypt(password, 32-byte salt, N=32768, r=8, p=1).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use data_encoding::HEXLOWER;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::Fail;
use crate::model::{Account, Kind};

/// scrypt parameters Aegis itself uses for password slots.
pub const SCRYPT_LOG_N: u8 = 15;
pub const SCRYPT_R: u32 = 8;
pub const SCRYPT_P: u32 = 1;

/// Fills a buffer with random bytes (the caller's OS randomness).
pub type Fill<'a> = &'a mut dyn FnMut(&mut [u8]);

/// A version 4 UUID from 16 random bytes.
fn uuid(fill: Fill<'_>) -> String {
    let mut b = [0u8; 16];
    fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = HEXLOWER.encode(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[derive(Serialize)]
struct Info {
    /// Base32; wiped when dropped.
    secret: Zeroizing<String>,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
    /// Yandex.Key and mOTP, as Aegis's `YandexInfo`/`MotpInfo` write it;
    /// wiped when dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pin: Option<Zeroizing<String>>,
}

#[derive(Serialize)]
struct AegisEntry {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: String,
    issuer: String,
    note: String,
    favorite: bool,
    icon: Option<()>,
    info: Info,
}

#[derive(Serialize)]
struct Db {
    version: u32,
    entries: Vec<AegisEntry>,
}

#[derive(Serialize)]
struct Params {
    nonce: String,
    tag: String,
}

#[derive(Serialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u8,
    uuid: String,
    key: String,
    key_params: Params,
    n: u32,
    r: u32,
    p: u32,
    salt: String,
    repaired: bool,
}

#[derive(Serialize)]
struct Header {
    slots: Option<Vec<Slot>>,
    params: Option<Params>,
}

#[derive(Serialize)]
struct File<D> {
    version: u32,
    header: Header,
    db: D,
}

fn entry(a: &Account, fill: Fill<'_>) -> AegisEntry {
    let hotp = a.kind == Kind::Hotp;
    AegisEntry {
        kind: a.kind.as_str(),
        uuid: uuid(fill),
        name: a.name.clone(),
        issuer: a.issuer.clone(),
        note: a.note.clone().unwrap_or_default(),
        favorite: false,
        icon: None,
        info: Info {
            secret: Zeroizing::new(a.secret.to_base32()),
            // mOTP's is MD5, as Aegis names it too.
            algo: a.algorithm.as_str(),
            digits: a.digits,
            period: (!hotp).then_some(a.period),
            counter: hotp.then_some(a.counter),
            pin: a
                .pin
                .as_ref()
                .map(|p| Zeroizing::new(p.as_str().to_string())),
        },
    }
}

fn db(accounts: &[Account], fill: Fill<'_>) -> Db {
    Db {
        version: 1,
        entries: accounts.iter().map(|a| entry(a, &mut *fill)).collect(),
    }
}

fn pretty<T: Serialize>(v: &T) -> Zeroizing<String> {
    let mut text =
        Zeroizing::new(serde_json::to_string_pretty(v).expect("the Aegis model serializes"));
    text.push('\n');
    text
}

/// A plain (unencrypted) Aegis vault.
pub fn plain(accounts: &[Account], fill: Fill<'_>) -> Zeroizing<String> {
    pretty(&File {
        version: 1,
        header: Header {
            slots: None,
            params: None,
        },
        db: db(accounts, fill),
    })
}

/// AES-256-GCM with a 12-byte nonce: (ciphertext, tag).
fn seal(key: &[u8; 32], nonce: &[u8; 12], data: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cipher = Aes256Gcm::new(key.into());
    let mut out = cipher
        .encrypt(Nonce::from_slice(nonce), data)
        .expect("AES-GCM encrypts any input under 64 GiB");
    let tag = out.split_off(out.len() - 16);
    (out, tag)
}

/// An Aegis vault encrypted with `password` (one password slot).
pub fn encrypted(accounts: &[Account], password: &[u8], fill: Fill<'_>) -> Result<String, Fail> {
    if password.is_empty() {
        return Err(Fail::error("the Aegis export password is empty"));
    }
    let plain_db = Zeroizing::new(
        serde_json::to_vec(&db(accounts, &mut *fill)).expect("the Aegis model serializes"),
    );
    let mut master = Zeroizing::new([0u8; 32]);
    fill(&mut master[..]);
    let mut db_nonce = [0u8; 12];
    fill(&mut db_nonce);
    let (db_ct, db_tag) = seal(&master, &db_nonce, &plain_db);

    let mut salt = [0u8; 32];
    fill(&mut salt);
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
        .map_err(|_| Fail::error("invalid scrypt parameters"))?;
    let mut kek = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, &salt, &params, &mut kek[..])
        .map_err(|_| Fail::error("scrypt failed"))?;
    let mut slot_nonce = [0u8; 12];
    fill(&mut slot_nonce);
    let (wrapped, slot_tag) = seal(&kek, &slot_nonce, &master[..]);

    let slot = Slot {
        kind: 1,
        uuid: uuid(&mut *fill),
        key: HEXLOWER.encode(&wrapped),
        key_params: Params {
            nonce: HEXLOWER.encode(&slot_nonce),
            tag: HEXLOWER.encode(&slot_tag),
        },
        n: 1 << SCRYPT_LOG_N,
        r: SCRYPT_R,
        p: SCRYPT_P,
        salt: HEXLOWER.encode(&salt),
        repaired: true,
    };
    let file = File {
        version: 1,
        header: Header {
            slots: Some(vec![slot]),
            params: Some(Params {
                nonce: HEXLOWER.encode(&db_nonce),
                tag: HEXLOWER.encode(&db_tag),
            }),
        },
        db: crate::base64::encode(&db_ct),
    };
    Ok(pretty(&file).to_string())
}

#[cfg(test)]
mod tests {
    //! The decryptor here is an independent reading of the same format
    //! description; it must open a real Aegis file (the fixture) before its
    //! verdict on our output counts.
    use super::*;
    use crate::model::{Algorithm, Entry, Secret, Token};
    use serde_json::Value;
    use time::OffsetDateTime;

    #[test]
    fn the_entry_struct_wipes_its_secret() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        let t = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        let a = Account::from_entry(
            Entry::new("G", "a", t),
            "id".into(),
            OffsetDateTime::UNIX_EPOCH,
        );
        let e = entry(&a, &mut |b: &mut [u8]| b.fill(7));
        wiped_on_drop(&e.info.secret);
    }

    fn hex(v: &Value) -> Vec<u8> {
        HEXLOWER.decode(v.as_str().unwrap().as_bytes()).unwrap()
    }

    fn open(key: &[u8], nonce: &[u8], ct: &[u8], tag: &[u8]) -> Option<Vec<u8>> {
        let cipher = Aes256Gcm::new_from_slice(key).unwrap();
        let mut data = ct.to_vec();
        data.extend_from_slice(tag);
        cipher.decrypt(Nonce::from_slice(nonce), &data[..]).ok()
    }

    /// Decrypts an Aegis vault with a password slot; returns the db JSON.
    fn decrypt(text: &str, password: &str) -> Option<Value> {
        let doc: Value = serde_json::from_str(text).unwrap();
        let header = &doc["header"];
        for slot in header["slots"].as_array().unwrap() {
            if slot["type"] != 1 {
                continue;
            }
            let n = slot["n"].as_u64().unwrap();
            let params = scrypt::Params::new(
                n.trailing_zeros() as u8,
                slot["r"].as_u64().unwrap() as u32,
                slot["p"].as_u64().unwrap() as u32,
                32,
            )
            .unwrap();
            let mut kek = [0u8; 32];
            scrypt::scrypt(password.as_bytes(), &hex(&slot["salt"]), &params, &mut kek).unwrap();
            let kp = &slot["key_params"];
            let Some(master) = open(
                &kek,
                &hex(&kp["nonce"]),
                &hex(&slot["key"]),
                &hex(&kp["tag"]),
            ) else {
                continue;
            };
            let ct = crate::base64::decode(doc["db"].as_str().unwrap().as_bytes()).unwrap();
            let p = &header["params"];
            let db = open(&master, &hex(&p["nonce"]), &ct, &hex(&p["tag"]))?;
            return serde_json::from_slice(&db).ok();
        }
        None
    }

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/backup/aegis_encrypted.json"
    ));

    #[test]
    fn the_test_decryptor_opens_a_real_aegis_vault() {
        let db = decrypt(FIXTURE, "test").expect("fixture opens with its password");
        let entries = db["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 7);
        assert_eq!(entries[0]["issuer"], "Deno");
        assert_eq!(entries[0]["info"]["secret"], "4SJHB4GSD43FZBAI7C2HLRJGPQ");
        assert!(decrypt(FIXTURE, "wrong").is_none());
    }

    fn accounts() -> Vec<Account> {
        let mut out = Vec::new();
        for (kind, algo, digits) in [
            (Kind::Totp, Algorithm::SHA256, 7),
            (Kind::Hotp, Algorithm::SHA512, 8),
            (Kind::Steam, Algorithm::SHA1, 5),
        ] {
            let mut t = Token::totp(Secret::from_base32("4SJHB4GSD43FZBAI7C2HLRJGPQ").unwrap());
            t.kind = kind;
            t.algorithm = algo;
            t.digits = digits;
            t.counter = 10300;
            let mut e = Entry::new("Issuer", kind.as_str(), t);
            e.note = Some("a note".into());
            out.push(Account::from_entry(
                e,
                "x".into(),
                OffsetDateTime::UNIX_EPOCH,
            ));
        }
        out
    }

    fn counter_fill() -> impl FnMut(&mut [u8]) {
        let mut n = 0u8;
        move |buf: &mut [u8]| {
            for b in buf {
                n = n.wrapping_add(37);
                *b = n;
            }
        }
    }

    fn check_db(db: &Value) {
        assert_eq!(db["version"], 1);
        let e = db["entries"].as_array().unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0]["type"], "totp");
        assert_eq!(e[0]["info"]["algo"], "SHA256");
        assert_eq!(e[0]["info"]["digits"], 7);
        assert_eq!(e[0]["info"]["period"], 30);
        assert_eq!(e[0]["note"], "a note");
        assert_eq!(e[1]["type"], "hotp");
        assert_eq!(e[1]["info"]["counter"], 10300);
        assert!(e[1]["info"].get("period").is_none());
        assert_eq!(e[2]["type"], "steam");
        assert_eq!(e[2]["info"]["digits"], 5);
        let uuid = e[0]["uuid"].as_str().unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
    }

    #[test]
    fn plain_vault_has_null_header_and_entries() {
        let mut fill = counter_fill();
        let doc: Value = serde_json::from_str(&plain(&accounts(), &mut fill)).unwrap();
        assert_eq!(doc["version"], 1);
        assert!(doc["header"]["slots"].is_null() && doc["header"]["params"].is_null());
        check_db(&doc["db"]);
    }

    #[test]
    fn encrypted_vault_opens_with_the_password_only() {
        let mut fill = counter_fill();
        let text = encrypted(&accounts(), b"hunter2", &mut fill).unwrap();
        assert!(!text.contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"));
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["header"]["slots"][0]["n"], 32768);
        assert_eq!(doc["header"]["slots"][0]["repaired"], true);
        check_db(&decrypt(&text, "hunter2").expect("opens"));
        assert!(decrypt(&text, "hunter3").is_none());
        assert!(encrypted(&accounts(), b"", &mut fill).is_err());
    }
}
