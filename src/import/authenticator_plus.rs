//! Authenticator Plus: its export zip and its encrypted backup database.
//!
//! The export is a zip (ZipCrypto, with the app's password) holding
//! `Accounts.txt`, one form-encoded `otpauth://` URI per line. The backup
//! (`authplus.db`) is a SQLCipher 3 database, decrypted here with the
//! RustCrypto primitives (see `sqlcipher`) and read like Google
//! Authenticator's: `accounts(email, secret, counter, type, issuer,
//! original_name, …)` with type 0 TOTP, 1 HOTP, 2 Battle.net (hex secret,
//! 8 digits). The database stores no algorithm, digits or period: SHA1,
//! 6 digits and 30 s apply. A SQLCipher file has no plaintext marker, so
//! the backup is never auto-detected: it needs `--format authenticator-plus`.

use super::google_authenticator::names;
use super::shared::entry::{Collector, Params, base32, hex};
use super::shared::otpauth::form_encoded_lines;
use super::shared::sqlcipher::{self, CipherError};
use super::shared::sqlite::{self, damaged, int, text};
use super::shared::zipfile;
use super::{Format, ImportError, Passwords};
use crate::model::{Kind, Parsed, label};

pub const FORMAT: Format = Format {
    name: "authenticator-plus",
    title: "Authenticator Plus export or backup",
    detect,
    parse,
};

const WHAT: &str = "Authenticator Plus backup";

fn is_accounts_txt(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|n| n.eq_ignore_ascii_case("Accounts.txt"))
}

fn detect(data: &[u8]) -> bool {
    zipfile::is_zip(data)
        && zipfile::names(data).is_some_and(|n| n.iter().any(|n| is_accounts_txt(n)))
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    if zipfile::is_zip(data) {
        let text = zipfile::read_file(
            data,
            is_accounts_txt,
            "Authenticator Plus export",
            passwords,
        )?;
        return form_encoded_lines(&text, "Authenticator Plus export");
    }
    if !sqlcipher::plausible(data) {
        return Err(ImportError::malformed(format!(
            "{WHAT}: neither an export zip nor an encrypted (SQLCipher 3) database"
        )));
    }
    let password = passwords(WHAT)?;
    let plain = sqlcipher::decrypt(data, password.as_bytes()).map_err(|e| match e {
        CipherError::WrongPassword => ImportError::WrongPassword,
        CipherError::NotSqlcipher => {
            ImportError::Unsupported(format!("{WHAT}: not a SQLCipher 3 database"))
        }
        CipherError::Damaged(p) => ImportError::malformed(format!("{WHAT}: page {p} is damaged")),
    })?;
    from_db(&plain)
}

fn from_db(plain: &[u8]) -> Result<Parsed, ImportError> {
    let conn = sqlite::open(plain, WHAT)?;
    let cols = sqlite::columns(&conn, "accounts")
        .map_err(damaged(WHAT))?
        .unwrap_or_default();
    if !["email", "secret", "type"]
        .iter()
        .all(|c| cols.iter().any(|k| k.eq_ignore_ascii_case(c)))
    {
        return Err(ImportError::malformed(format!("{WHAT}: no accounts table")));
    }
    let opt = |c: &str| {
        if cols.iter().any(|k| k.eq_ignore_ascii_case(c)) {
            c.to_string()
        } else {
            format!("NULL AS {c}")
        }
    };
    let sql = format!(
        "SELECT email, secret, type, {}, {}, {} FROM accounts",
        opt("counter"),
        opt("issuer"),
        opt("original_name")
    );
    let mut stmt = conn.prepare(&sql).map_err(damaged(WHAT))?;
    let mut rows = stmt.query([]).map_err(damaged(WHAT))?;
    let mut out = Collector::new();
    while let Some(r) = rows.next().map_err(damaged(WHAT))? {
        let get = |c| {
            text(r, c)
                .map(Option::unwrap_or_default)
                .map_err(damaged(WHAT))
        };
        let (issuer, name) = names(&get("email")?, &get("issuer")?);
        let secret = zeroize::Zeroizing::new(get("secret")?);
        let counter = int(r, "counter").map_err(damaged(WHAT))?.unwrap_or(0);
        let entry = match int(r, "type").map_err(damaged(WHAT))? {
            Some(0) | None => base32(&secret).and_then(|s| Params::totp().entry(&issuer, &name, s)),
            Some(1) => u64::try_from(counter)
                .map_err(|_| "the HOTP counter is negative".to_string())
                .and_then(|counter| {
                    Params {
                        kind: Kind::Hotp,
                        counter,
                        ..Params::totp()
                    }
                    .entry(&issuer, &name, base32(&secret)?)
                }),
            // Blizzard's authenticator: 8-digit TOTP on a hex key.
            Some(2) => hex(&secret).and_then(|s| {
                Params {
                    digits: 8,
                    ..Params::totp()
                }
                .entry(&issuer, &name, s)
            }),
            Some(t) => Err(format!("unknown account type {t}")),
        };
        out.push(label(&issuer, &name), entry);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;
    use crate::model::Algorithm;

    #[test]
    fn export_zip() {
        let p = parse_ok(
            &FORMAT,
            "imp2/aegis/authenticator_plus.zip",
            &["testtesttest"],
        );
        let want = canonical(&[1, 2, 3, 4, 5, 6, 7]);
        assert_same(&p.entries, &want);
        assert_eq!(check_canonical_codes(&p.entries), 7);
        let data = fixture("imp2/aegis/authenticator_plus.zip");
        assert!(matches!(
            parse_with(&FORMAT, &data, &["test"]),
            Err(ImportError::WrongPassword)
        ));
    }

    #[test]
    fn sqlcipher_backup() {
        let data = fixture("imp2/stratum/authplus.db");
        assert!(!detect(&data), "SQLCipher files carry no marker");
        let p = parse_with(&FORMAT, &data, &["testtesttest"]).unwrap();
        // The database keeps no algorithm, digits or period.
        let mut want = stratum(&[1, 2, 3, 4, 5, 6, 7]);
        for e in &mut want {
            e.token.algorithm = Algorithm::SHA1;
            e.token.digits = 6;
            e.token.period = 30;
        }
        let bnet = crate::model::Token {
            digits: 8,
            ..crate::model::Token::totp(crate::model::Secret::new(
                hex("9777f82cf6956cd401d7fdf0f452bb8bf45c55b2").unwrap(),
            ))
        };
        want.push(crate::model::Entry::new("Battle.net®", "Username", bnet));
        assert_same(&p.entries, &want);
        assert!(matches!(
            parse_with(&FORMAT, &data, &["test"]),
            Err(ImportError::WrongPassword)
        ));
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/authenticator_plus.zip")));
        assert!(!detect(&fixture("imp2/stratum/winauth.zip")));
    }

    /// The fixture database decrypted once (the key derivation is slow in
    /// debug builds), so the property test can reach the SQLite reader.
    fn decrypted_db() -> &'static [u8] {
        static DB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        DB.get_or_init(|| {
            sqlcipher::decrypt(&fixture("imp2/stratum/authplus.db"), b"testtesttest")
                .unwrap()
                .to_vec()
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/authenticator_plus.zip"));
            let _ = detect(&data);
            let _ = parse_with(&FORMAT, &data, &["testtesttest"]);
            let _ = from_db(&m.apply(decrypted_db()));
        }
    }
}
