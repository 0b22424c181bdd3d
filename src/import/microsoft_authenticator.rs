//! Microsoft Authenticator's app database (`databases/PhoneFactor`, SQLite),
//! as taken from a rooted phone or a device backup.
//!
//! Table `accounts(name, username, oath_secret_key, account_type, …)`:
//! `name` is the issuer. Type 0 is a third-party TOTP account (base32 key,
//! any case); type 1 a personal Microsoft account (base64 key, 8 digits).
//! The app stores no algorithm, digits or period: SHA1 and 30 s always, 6
//! digits for type 0. Other types (work or school accounts, which sign in by
//! push) and rows whose key only exists encrypted by the phone's keystore
//! (`encrypted_oath_secret_key`) are listed as skipped with the reason.

use super::shared::entry::{Collector, Params, base32, base64};
use super::shared::sqlite::{self, damaged, int, text};
use super::{Format, ImportError, Passwords};
use crate::model::{Parsed, label};

pub const FORMAT: Format = Format {
    name: "microsoft-authenticator",
    title: "Microsoft Authenticator database",
    detect,
    parse,
};

const WHAT: &str = "Microsoft Authenticator database";
const COLUMNS: &[&str] = &["name", "username", "oath_secret_key", "account_type"];

fn detect(data: &[u8]) -> bool {
    sqlite::has_table(data, "accounts", COLUMNS)
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let conn = sqlite::open(data, WHAT)?;
    let cols = sqlite::columns(&conn, "accounts")
        .map_err(damaged(WHAT))?
        .unwrap_or_default();
    let has = |c: &str| cols.iter().any(|k| k.eq_ignore_ascii_case(c));
    if !COLUMNS.iter().all(|c| has(c)) {
        return Err(ImportError::malformed(format!(
            "{WHAT}: no accounts table with name, username, oath_secret_key, account_type"
        )));
    }
    let encrypted = if has("encrypted_oath_secret_key") {
        "encrypted_oath_secret_key"
    } else {
        "NULL"
    };
    let order = if has("ux_position") {
        " ORDER BY ux_position"
    } else {
        ""
    };
    let sql = format!(
        "SELECT name, username, oath_secret_key, account_type, {encrypted} AS encrypted FROM accounts{order}"
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
        let (issuer, name) = (get("name")?, get("username")?);
        let secret = zeroize::Zeroizing::new(get("oath_secret_key")?);
        let shown = label(&issuer, &name);
        if secret.trim().is_empty() {
            let reason = if get("encrypted")?.trim().is_empty() {
                "the account has no OTP secret"
            } else {
                "the secret is encrypted by the phone's Android keystore and cannot be read off the device; \
                 re-enrol this account (or export it on the phone)"
            };
            out.skip(shown, reason);
            continue;
        }
        let entry = match int(r, "account_type").map_err(damaged(WHAT))? {
            Some(0) => base32(&secret).and_then(|s| Params::totp().entry(&issuer, &name, s)),
            Some(1) => base64(&secret).and_then(|s| {
                Params {
                    digits: 8,
                    ..Params::totp()
                }
                .entry(&issuer, &name, s)
            }),
            Some(t) => Err(format!(
                "account type {t} (a work or school account that signs in by push) has no exportable OTP key"
            )),
            None => Err("the account type is missing".into()),
        };
        out.push(shown, entry);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn aegis_fixture_is_all_plain_totp() {
        let p = parse_ok(&FORMAT, "imp2/aegis/microsoft_authenticator.sqlite", &[]);
        let mut want = canonical(&[1, 2, 3, 4, 5, 6, 7]);
        for e in &mut want {
            e.token.kind = crate::model::Kind::Totp;
            e.token.algorithm = crate::model::Algorithm::SHA1;
            e.token.digits = 6;
            e.token.period = 30;
            e.token.counter = 0;
        }
        assert_same(&p.entries, &want);
        assert_eq!(check_canonical_codes(&p.entries), 1);
    }

    #[test]
    fn cotp_phonefactor_lowercase_secrets() {
        let p = parse_ok(&FORMAT, "imp2/cotp/PhoneFactor", &[]);
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.label(), e.token.secret.to_base32()))
            .collect();
        let s = "XHRHVLZKO5YARFKEH65RFC7NVOOQCZXNHSCB2Y32OCV32ITSQOVV3DSD".to_string();
        assert_eq!(
            got,
            [
                ("Test1:Test1".into(), s.clone()),
                ("Test2:Test2".into(), s.clone()),
                ("Test3:Test3".into(), s)
            ]
        );
    }

    #[test]
    fn other_account_kinds() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE accounts (name TEXT, username TEXT, oath_secret_key TEXT, account_type INTEGER,
                                    encrypted_oath_secret_key TEXT);
             INSERT INTO accounts VALUES ('Microsoft', 'me@live.com', 'THIl8+Jl6ugxr8x0X6eRMg==', 1, '');
             INSERT INTO accounts VALUES ('Contoso', 'me@contoso.com', 'JBSWY3DPEHPK3PXP', 2, '');
             INSERT INTO accounts VALUES ('Locked', 'me', '', 0, 'AQIDBAUG');",
        )
        .unwrap();
        let db = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
        let p = parse_with(&FORMAT, &db, &[]).unwrap();
        assert_eq!(p.entries.len(), 1);
        assert_eq!(
            (
                p.entries[0].token.digits,
                p.entries[0].token.secret.bytes().len()
            ),
            (8, 16)
        );
        let reasons: Vec<_> = p
            .skipped
            .iter()
            .map(|s| (s.label.as_str(), s.reason.contains("keystore")))
            .collect();
        assert_eq!(
            reasons,
            [("Contoso:me@contoso.com", false), ("Locked:me", true)]
        );
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture(
            "imp2/aegis/microsoft_authenticator.sqlite"
        )));
        assert!(detect(&fixture("imp2/cotp/PhoneFactor")));
        assert!(!detect(&fixture("imp2/aegis/google_authenticator.sqlite")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/microsoft_authenticator.sqlite"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
