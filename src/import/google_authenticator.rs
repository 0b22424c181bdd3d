//! Google Authenticator's app database (`databases/databases`, SQLite),
//! as taken from a rooted phone or a device backup.
//!
//! Table `accounts(email, secret, counter, type, provider, issuer,
//! original_name)`: `type` 0 is TOTP, 1 HOTP; `secret` is base32; `email` is
//! the label, often `Issuer:Name`. The app stores no algorithm, digits or
//! period, so every account is SHA1, 6 digits, 30 s. HOTP counters are kept.

use super::shared::entry::{Collector, Params, base32, split_label};
use super::shared::sqlite::{self, damaged, int, text};
use super::{Format, ImportError, Passwords};
use crate::model::{Kind, Parsed, label};

pub const FORMAT: Format = Format {
    name: "google-authenticator-db",
    title: "Google Authenticator database",
    detect,
    parse,
};

const WHAT: &str = "Google Authenticator database";
const COLUMNS: &[&str] = &["email", "secret", "counter", "type"];

fn detect(data: &[u8]) -> bool {
    sqlite::has_table(data, "accounts", COLUMNS)
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let conn = sqlite::open(data, WHAT)?;
    let cols = sqlite::columns(&conn, "accounts")
        .map_err(damaged(WHAT))?
        .unwrap_or_default();
    if !COLUMNS
        .iter()
        .all(|c| cols.iter().any(|k| k.eq_ignore_ascii_case(c)))
    {
        return Err(ImportError::malformed(format!(
            "{WHAT}: no accounts table with email, secret, counter, type"
        )));
    }
    // `issuer` arrived in later app versions.
    let issuer = if cols.iter().any(|c| c.eq_ignore_ascii_case("issuer")) {
        "issuer"
    } else {
        "NULL AS issuer"
    };
    let sql = format!("SELECT email, secret, counter, type, {issuer} FROM accounts ORDER BY _id");
    let mut stmt = conn
        .prepare(&sql)
        .or_else(|_| conn.prepare(&sql.replace(" ORDER BY _id", "")))
        .map_err(damaged(WHAT))?;
    let mut rows = stmt.query([]).map_err(damaged(WHAT))?;
    let mut out = Collector::new();
    while let Some(r) = rows.next().map_err(damaged(WHAT))? {
        let email = text(r, "email").map_err(damaged(WHAT))?.unwrap_or_default();
        let stored_issuer = text(r, "issuer")
            .map_err(damaged(WHAT))?
            .unwrap_or_default();
        let (issuer, name) = names(&email, &stored_issuer);
        let shown = label(&issuer, &name);
        let kind = match int(r, "type").map_err(damaged(WHAT))? {
            Some(0) | None => Kind::Totp,
            Some(1) => Kind::Hotp,
            Some(t) => {
                out.skip(shown, format!("unknown account type {t}"));
                continue;
            }
        };
        let counter = int(r, "counter").map_err(damaged(WHAT))?.unwrap_or(0);
        let secret = zeroize::Zeroizing::new(
            text(r, "secret")
                .map_err(damaged(WHAT))?
                .unwrap_or_default(),
        );
        let entry = u64::try_from(counter)
            .map_err(|_| "the HOTP counter is negative".to_string())
            .and_then(|counter| {
                Params {
                    kind,
                    counter,
                    ..Params::totp()
                }
                .entry(&issuer, &name, base32(&secret)?)
            });
        out.push(shown, entry);
    }
    Ok(out.finish())
}

/// `email` is the label; with an issuer column the label's `Issuer:` prefix
/// repeats it, without one the prefix is the only issuer there is.
pub(crate) fn names(email: &str, issuer: &str) -> (String, String) {
    let issuer = issuer.trim();
    if issuer.is_empty() {
        let (i, n) = split_label(email);
        return (i.to_string(), n.to_string());
    }
    let name = email
        .strip_prefix(issuer)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(email)
        .trim();
    (issuer.to_string(), name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn aegis_fixture_is_all_sha1_six_digits() {
        let p = parse_ok(&FORMAT, "imp2/aegis/google_authenticator.sqlite", &[]);
        let mut want = canonical(&[1, 2, 3, 4, 5, 6]);
        for e in &mut want {
            e.token.algorithm = crate::model::Algorithm::SHA1;
            e.token.digits = 6;
            e.token.period = 30;
        }
        assert_same(&p.entries, &want);
        // Deno (TOTP) and Issuu (HOTP, counter 1) are SHA1/6 originally too.
        assert_eq!(check_canonical_codes(&p.entries), 2);
    }

    #[test]
    fn cotp_fixture_without_issuers() {
        let p = parse_ok(&FORMAT, "imp2/cotp/gauth.sqlite3", &[]);
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.label(), e.token.secret.to_base32()))
            .collect();
        let s = "V24KSXF7TXJFGCKG35ZHQVQB4XZK26XPD7UCXU5GXU3POBTXAFLD47SA".to_string();
        assert_eq!(
            got,
            [
                ("SHA512 10".to_string(), s.clone()),
                ("SHA512".to_string(), s)
            ]
        );
    }

    #[test]
    fn label_rules() {
        assert_eq!(names("Deno:Mason", "Deno"), ("Deno".into(), "Mason".into()));
        assert_eq!(
            names("alice@x", "GitHub"),
            ("GitHub".into(), "alice@x".into())
        );
        assert_eq!(names("Foo: bar", ""), ("Foo".into(), "bar".into()));
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/google_authenticator.sqlite")));
        assert!(!detect(&fixture(
            "imp2/aegis/microsoft_authenticator.sqlite"
        )));
        assert!(!detect(&fixture("imp2/aegis/stratum_internal.db")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/google_authenticator.sqlite"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
