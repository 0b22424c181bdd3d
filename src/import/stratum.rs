//! Stratum (formerly Authenticator Pro) backups and its internal database.
//!
//! Backups are JSON `{"Authenticators": [{Type, Issuer, Username, Secret,
//! Algorithm, Digits, Period, Counter, …}], …}`, stored plain, or encrypted:
//! "strong" (`AUTHENTICATORPRO`, 16-byte salt, 12-byte IV, AES-256-GCM under
//! Argon2id t=3 m=64 MiB p=4) or "legacy" (`AuthenticatorPro`, 20-byte salt,
//! 16-byte IV, AES-256-CBC under PBKDF2-HMAC-SHA1 with 64000 rounds). The app's
//! SQLite database has the same fields in its `authenticator` table.
//! Type: 1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex; Algorithm: 0 SHA1,
//! 1 SHA256, 2 SHA512.
//!
//! mOTP and Yandex.Key accounts keep their PIN in `Pin` (the database's
//! `pin` column), the mOTP key as the hex text the user typed (its codes
//! hash that text: it must be lower-case hex, see `Secret::from_motp_hex`),
//! the Yandex key in base32. Stratum fixes their digits and ignores their
//! `Algorithm` and `Period` (its mOTP shows the same codes, refreshed every
//! 30 s); only the digits are checked, and otp gives the scheme's codes.

use zeroize::Zeroizing;

use super::shared::crypto::{Hash, aes_cbc_pkcs7, aes_gcm, pbkdf2};
use super::shared::entry::{self, Collector, Params, RawParams, base32, digits, period};
use super::shared::json::{self, Object, array, object, opt_i64, opt_str};
use super::shared::sqlite::{self, damaged, int, text};
use super::{Format, ImportError, Passwords};
use crate::model::{Algorithm, Entry, Kind, Parsed, label};

pub const FORMAT: Format = Format {
    name: "stratum",
    title: "Stratum / Authenticator Pro backup or database",
    detect,
    parse,
};

const STRONG: &[u8] = b"AUTHENTICATORPRO";
const LEGACY: &[u8] = b"AuthenticatorPro";
const WHAT: &str = "Stratum backup";
const DB_COLUMNS: &[&str] = &[
    "type",
    "issuer",
    "username",
    "secret",
    "algorithm",
    "digits",
    "period",
    "counter",
];

fn detect(data: &[u8]) -> bool {
    if data.starts_with(STRONG) || data.starts_with(LEGACY) {
        return true;
    }
    if sqlite::is_sqlite(data) {
        return sqlite::has_table(data, "authenticator", DB_COLUMNS);
    }
    json::sniff(data).is_some_and(|v| v.get("Authenticators").is_some_and(|a| a.is_array()))
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    if let Some(rest) = data.strip_prefix(STRONG) {
        let plain = decrypt_strong(rest, passwords)?;
        return from_json(&plain).map_err(|_| ImportError::WrongPassword);
    }
    if let Some(rest) = data.strip_prefix(LEGACY) {
        let plain = decrypt_legacy(rest, passwords)?;
        // CBC padding checks only the last byte; bad JSON also means a wrong key.
        return from_json(&plain).map_err(|_| ImportError::WrongPassword);
    }
    if sqlite::is_sqlite(data) {
        return from_db(data);
    }
    from_json(data)
}

fn decrypt_strong(
    rest: &[u8],
    passwords: &mut Passwords<'_>,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let (salt, rest) = rest.split_at_checked(16).ok_or_else(short)?;
    let (iv, ct) = rest.split_at_checked(12).ok_or_else(short)?;
    let password = passwords(WHAT)?;
    let params = argon2::Params::new(65536, 3, 4, Some(32)).map_err(|_| short())?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(password.as_bytes(), salt, key.as_mut())
        .map_err(|_| short())?;
    aes_gcm(key.as_ref(), iv, b"", ct).ok_or(ImportError::WrongPassword)
}

fn decrypt_legacy(
    rest: &[u8],
    passwords: &mut Passwords<'_>,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let (salt, rest) = rest.split_at_checked(20).ok_or_else(short)?;
    let (iv, ct) = rest.split_at_checked(16).ok_or_else(short)?;
    let password = passwords(WHAT)?;
    let key = pbkdf2(Hash::Sha1, password.as_bytes(), salt, 64000, 32);
    aes_cbc_pkcs7(&key, iv, ct).ok_or(ImportError::WrongPassword)
}

fn short() -> ImportError {
    ImportError::malformed(format!("{WHAT}: the file is too short"))
}

fn from_json(data: &[u8]) -> Result<Parsed, ImportError> {
    let bad = |m: String| ImportError::malformed(format!("{WHAT}: {m}"));
    let root = json::parse(data, WHAT)?;
    let list = object(&root, "the backup")
        .and_then(|o| {
            array(
                o.get("Authenticators")
                    .ok_or("it has no 'Authenticators' list")?,
                "'Authenticators'",
            )
        })
        .map_err(bad)?;
    let mut out = Collector::new();
    for (i, a) in list.iter().enumerate() {
        match object(a, "an authenticator").and_then(Row::from_json) {
            Ok(row) => row.push_to(&mut out),
            Err(e) => out.skip(format!("authenticator #{}", i + 1), e),
        }
    }
    Ok(out.finish())
}

fn from_db(data: &[u8]) -> Result<Parsed, ImportError> {
    let what = "Stratum database";
    let conn = sqlite::open(data, what)?;
    match sqlite::columns(&conn, "authenticator").map_err(damaged(what))? {
        Some(cols)
            if DB_COLUMNS
                .iter()
                .all(|c| cols.iter().any(|k| k.eq_ignore_ascii_case(c))) => {}
        _ => {
            return Err(ImportError::malformed(format!(
                "{what}: no authenticator table"
            )));
        }
    }
    // Databases of versions before mOTP and Yandex.Key have no `pin`.
    let has_pin = sqlite::columns(&conn, "authenticator")
        .map_err(damaged(what))?
        .is_some_and(|cols| cols.iter().any(|k| k.eq_ignore_ascii_case("pin")));
    let pin = if has_pin { "pin" } else { "NULL AS pin" };
    let select = format!(
        "SELECT type, issuer, username, secret, algorithm, digits, period, counter, {pin} FROM authenticator"
    );
    let mut stmt = conn
        .prepare(&format!("{select} ORDER BY ranking"))
        .or_else(|_| conn.prepare(&select))
        .map_err(damaged(what))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Row {
                kind: int(r, "type")?,
                issuer: text(r, "issuer")?.unwrap_or_default(),
                username: text(r, "username")?.unwrap_or_default(),
                secret: Zeroizing::new(text(r, "secret")?.unwrap_or_default()),
                algorithm: int(r, "algorithm")?,
                digits: int(r, "digits")?,
                period: int(r, "period")?,
                counter: int(r, "counter")?,
                pin: text(r, "pin")?.map(Zeroizing::new),
            })
        })
        .map_err(damaged(what))?;
    let mut out = Collector::new();
    for row in rows {
        row.map_err(damaged(what))?.push_to(&mut out);
    }
    Ok(out.finish())
}

/// One authenticator as either source stores it.
struct Row {
    kind: Option<i64>,
    issuer: String,
    username: String,
    secret: Zeroizing<String>,
    algorithm: Option<i64>,
    digits: Option<i64>,
    period: Option<i64>,
    counter: Option<i64>,
    pin: Option<Zeroizing<String>>,
}

impl Row {
    fn from_json(o: &Object) -> Result<Row, String> {
        Ok(Row {
            kind: opt_i64(o, "Type")?,
            issuer: opt_str(o, "Issuer")?.unwrap_or_default().to_string(),
            username: opt_str(o, "Username")?.unwrap_or_default().to_string(),
            secret: Zeroizing::new(opt_str(o, "Secret")?.unwrap_or_default().to_string()),
            algorithm: opt_i64(o, "Algorithm")?,
            digits: opt_i64(o, "Digits")?,
            period: opt_i64(o, "Period")?,
            counter: opt_i64(o, "Counter")?,
            pin: opt_str(o, "Pin")?.map(|p| Zeroizing::new(p.to_string())),
        })
    }

    fn push_to(self, out: &mut Collector) {
        let shown = label(&self.issuer, &self.username);
        let kind = match self.kind {
            Some(1) => Kind::Hotp,
            Some(2) => Kind::Totp,
            Some(4) => Kind::Steam,
            Some(3) => Kind::Motp,
            Some(5) => Kind::Yandex,
            Some(t) => return out.skip(shown, format!("unknown authenticator type {t}")),
            None => return out.skip(shown, "the authenticator type is missing"),
        };
        if kind.has_pin() {
            let entry = (|| {
                let params = RawParams {
                    digits: self.digits.map(|d| u64::try_from(d).unwrap_or(u64::MAX)),
                    ..RawParams::default()
                };
                let secret = match kind {
                    Kind::Motp => entry::motp_hex(&self.secret)?,
                    _ => entry::secret_text(&self.secret)?,
                };
                let token = entry::pinned(
                    kind,
                    secret,
                    self.pin.as_deref().map(|p| p.as_str()),
                    &params,
                )?;
                Ok(Entry::new(self.issuer.trim(), self.username.trim(), token))
            })();
            return out.push(shown, entry);
        }
        let entry = (|| {
            let mut p = if kind == Kind::Steam {
                Params::steam()
            } else {
                Params {
                    kind,
                    ..Params::totp()
                }
            };
            p.algorithm = match self.algorithm.unwrap_or(0) {
                0 => Algorithm::SHA1,
                1 => Algorithm::SHA256,
                2 => Algorithm::SHA512,
                a => return Err(format!("unknown algorithm {a}")),
            };
            if let Some(d) = self.digits {
                p.digits = digits(d)?;
            }
            if let (true, Some(s)) = (kind != Kind::Hotp, self.period) {
                p.period = period(s)?;
            }
            if let Some(c) = self.counter {
                p.counter =
                    u64::try_from(c).map_err(|_| "the HOTP counter is negative".to_string())?;
            }
            p.entry(&self.issuer, &self.username, base32(&self.secret)?)
        })();
        out.push(shown, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn aegis_plain_encrypted_and_database() {
        let want = canonical(&[1, 2, 3, 4, 5, 6, 7]);
        for (f, pw) in [
            ("imp2/aegis/stratum_plain.json", None),
            ("imp2/aegis/stratum_encrypted.bin", Some("test")),
            ("imp2/aegis/stratum_encrypted_legacy.bin", Some("test")),
            ("imp2/aegis/stratum_internal.db", None),
        ] {
            let p = parse_ok(&FORMAT, f, pw.as_slice());
            assert_same(&p.entries, &want);
            assert_eq!(check_canonical_codes(&p.entries), 7, "{f}");
        }
    }

    #[test]
    fn stratum_backups() {
        let mut want = stratum(&[1, 2, 3, 4, 5, 6, 7]);
        want[6].issuer = "NoIssuer".into();
        want[6].name = String::new();
        assert_same(
            &parse_ok(&FORMAT, "imp2/stratum/backup.strong.authpro", &["test"]).entries,
            &want,
        );
        assert_same(
            &parse_ok(&FORMAT, "imp2/stratum/backup.legacy.authpro", &["test"]).entries,
            &want,
        );
    }

    #[test]
    fn wrong_password() {
        for f in [
            "imp2/stratum/backup.strong.authpro",
            "imp2/stratum/backup.legacy.authpro",
        ] {
            let r = parse_with(&FORMAT, &fixture(f), &["testing1"]);
            assert!(matches!(r, Err(ImportError::WrongPassword)), "{f}");
            assert!(matches!(
                parse_with(&FORMAT, &fixture(f), &[]),
                Err(ImportError::NeedPassword)
            ));
        }
    }

    /// The demo backups hold junk secrets and an mOTP entry: each is either
    /// imported or listed as skipped with a reason, never dropped.
    #[test]
    fn demo_backups_skip_what_cannot_be_used() {
        let plain = parse_ok(&FORMAT, "imp2/stratum/demo.authpro", &[]);
        let enc = parse_ok(&FORMAT, "imp2/stratum/demo.encrypted.authpro", &["demo"]);
        let junk = parse_ok(&FORMAT, "imp2/stratum/backup.unencrypted.authpro", &[]);
        for p in [&plain, &enc, &junk] {
            assert_eq!(p.entries.len() + p.skipped.len(), 15);
            let skipped: Vec<_> = p.skipped.iter().map(|s| s.label.as_str()).collect();
            assert_eq!(
                skipped,
                [
                    "Epic Games:john@example.com",
                    "Company VPN:john@example.com",
                    "Blizzard:example"
                ]
            );
            assert!(p.skipped[1].reason.contains("mOTP"));
            assert!(
                p.skipped
                    .iter()
                    .all(|s| !s.reason.contains("POAKSPDOASKDOS"))
            );
        }
        assert_same(&plain.entries, &enc.entries);
        let steam = plain.entries.iter().find(|e| e.issuer == "Steam").unwrap();
        assert_eq!((steam.token.kind, steam.token.digits), (Kind::Steam, 5));
    }

    /// A backup and a database made from Stratum's format (its test data
    /// holds no such accounts with their PIN): each account comes with the
    /// codes of Aegis's and Stratum's vectors, or is left out, named, with
    /// why, and never the secret or PIN.
    #[test]
    fn yandex_and_motp_come_with_their_pin() {
        for f in ["imp3/stratum/pinned.authpro", "imp3/stratum/pinned.db"] {
            let p = parse_ok(&FORMAT, f, &[]);
            let codes: Vec<_> = p
                .entries
                .iter()
                .map(|e| {
                    let at = match e.token.kind {
                        Kind::Yandex => 1_581_064_020,
                        _ => 1_659_540_020,
                    };
                    (e.label(), crate::otp::generate(&e.token, at))
                })
                .collect();
            assert_eq!(
                codes,
                [
                    ("Yandex:alice".to_string(), "oactmacq".to_string()),
                    ("Corp:bob".to_string(), "ced7b1".to_string()),
                    (
                        "Plain:totp".to_string(),
                        crate::otp::generate(&p.entries[2].token, 1_659_540_020)
                    ),
                ],
                "{f}"
            );
            assert_eq!(
                p.entries[1].token.period, 10,
                "the scheme's, not Stratum's 30"
            );
            let skipped: Vec<_> = p
                .skipped
                .iter()
                .map(|s| (s.label.as_str(), s.reason.as_str()))
                .collect();
            assert_eq!(skipped.len(), 3, "{f}: {skipped:?}");
            assert_eq!(skipped[0].0, "Corp:no-pin");
            assert!(skipped[0].1.contains("no PIN"), "{}", skipped[0].1);
            assert_eq!(skipped[1].0, "Yandex:typo");
            assert!(skipped[1].1.contains("checksum"), "{}", skipped[1].1);
            assert_eq!(skipped[2].0, "Corp:upper");
            assert!(skipped[2].1.contains("lower-case"), "{}", skipped[2].1);
            for s in &p.skipped {
                for secret in ["bbb1912", "BBB1912", "A2V6K", "7586", "9999", "7ac61d"] {
                    assert!(!s.reason.contains(secret), "{s:?}");
                }
            }
        }
        assert!(detect(&fixture("imp3/stratum/pinned.db")));
        assert!(detect(&fixture("imp3/stratum/pinned.authpro")));
    }

    #[test]
    fn detection() {
        for f in [
            "imp2/aegis/stratum_plain.json",
            "imp2/aegis/stratum_encrypted.bin",
            "imp2/aegis/stratum_internal.db",
        ] {
            assert!(detect(&fixture(f)), "{f}");
        }
        assert!(!detect(&fixture("imp2/aegis/google_authenticator.sqlite")));
        assert!(!detect(&fixture("imp2/aegis/freeotp_plus.json")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/stratum_plain.json"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn never_panics_on_databases(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/stratum_internal.db"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn never_panics_on_encrypted_headers(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/stratum_encrypted_legacy.bin")[..60]);
            let _ = parse(&data, &mut no_password);
        }
    }
}
