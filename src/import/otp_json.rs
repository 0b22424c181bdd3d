//! Reading otp's own JSON export (schema in [`crate::model::otp_json`]).
//!
//! `otp import` gets entries; `otp recover` gets whole accounts, keeping
//! ids, times, notes, tags and recovery codes.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Format, ImportError, Passwords};
use crate::model::Parsed;
use crate::model::otp_json::{Document, FORMAT_NAME, JsonAccount, VERSION};
use crate::model::{
    Account, Algorithm, DEFAULT_DIGITS, DEFAULT_PERIOD, Entry, Kind, RecoveryCode, STEAM_DIGITS,
    Secret, Token,
};

pub const FORMAT: Format = Format {
    name: "otp-json",
    title: "otp JSON export",
    detect,
    parse,
};

fn detect(data: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        format: String,
    }
    let start = data.iter().position(|b| !b.is_ascii_whitespace());
    if start.and_then(|i| data.get(i)) != Some(&b'{') {
        return false;
    }
    serde_json::from_slice::<Probe>(data).is_ok_and(|p| p.format == FORMAT_NAME)
}

fn parse(data: &[u8], _: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    Ok(Parsed {
        entries: parse_accounts(data)?
            .into_iter()
            .map(|a| a.to_entry())
            .collect(),
        skipped: Vec::new(),
    })
}

/// Every account of an otp JSON export. A missing id is left empty and a
/// missing time is the Unix epoch; the caller assigns real ones.
pub fn parse_accounts(data: &[u8]) -> Result<Vec<Account>, ImportError> {
    let doc: Document = serde_json::from_slice(data).map_err(|e| {
        ImportError::malformed(format!(
            "not an otp JSON export (line {}, column {}: {})",
            e.line(),
            e.column(),
            e.classify_name()
        ))
    })?;
    if doc.format != FORMAT_NAME {
        return Err(ImportError::malformed("its \"format\" is not \"otp-json\""));
    }
    if doc.version > VERSION {
        return Err(ImportError::Unsupported(format!(
            "schema version {} was written by a newer otp; this otp reads version {VERSION}",
            doc.version
        )));
    }
    doc.accounts
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            account(a).map_err(|m| ImportError::malformed(format!("account {}: {m}", i + 1)))
        })
        .collect()
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    // serde_json's messages can quote input text; ours never do.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "a field is missing or of the wrong type",
            serde_json::error::Category::Eof => "the file ends too early",
        }
    }
}

fn time_field(value: Option<&str>, what: &str) -> Result<OffsetDateTime, String> {
    match value {
        None => Ok(OffsetDateTime::UNIX_EPOCH),
        Some(t) => OffsetDateTime::parse(t, &Rfc3339)
            .map_err(|_| format!("\"{what}\" is not an RFC 3339 time")),
    }
}

fn account(a: JsonAccount) -> Result<Account, String> {
    let kind: Kind = a.kind.parse().map_err(|e| format!("{e}"))?;
    let algorithm = match (&a.algorithm, kind) {
        // mOTP's hash is MD5; exports written before it was named so say
        // SHA1, which never took part in its codes.
        (None, Kind::Motp) => Algorithm::MD5,
        (Some(s), Kind::Motp) if s.eq_ignore_ascii_case("MD5") || s == "SHA1" => Algorithm::MD5,
        (Some(s), _) => s.parse::<Algorithm>().map_err(|e| format!("{e}"))?,
        (None, Kind::Yandex) => Algorithm::SHA256,
        (None, _) => Algorithm::SHA1,
    };
    // Absent fields take the kind's own values (as `otp export` writes them all).
    let (default_digits, default_period) = match kind {
        Kind::Steam => (STEAM_DIGITS, DEFAULT_PERIOD),
        Kind::Yandex => (crate::model::YANDEX_DIGITS, crate::model::YANDEX_PERIOD),
        Kind::Motp => (crate::model::MOTP_DIGITS, crate::model::MOTP_PERIOD),
        Kind::Totp | Kind::Hotp => (DEFAULT_DIGITS, DEFAULT_PERIOD),
    };
    let digits = match a.digits {
        None => default_digits,
        Some(d) => u8::try_from(d).map_err(|_| format!("{d} digits is out of range"))?,
    };
    let secret = Secret::from_base32(&a.secret).map_err(|e| format!("{e}"))?;
    let token = Token {
        kind,
        algorithm,
        digits,
        period: a.period.unwrap_or(default_period),
        counter: a.counter.unwrap_or(0),
        secret,
        pin: a
            .pin
            .as_ref()
            .map(|p| crate::model::Pin::new(p.to_string())),
    };
    token.validate().map_err(|e| format!("{e}"))?;
    let mut recovery_codes = Vec::new();
    for c in a.recovery_codes {
        recovery_codes.push(RecoveryCode {
            code: c.code.clone(),
            added: time_field(c.added.as_deref(), "added")?,
            used: match c.used {
                Some(t) => Some(time_field(Some(&t), "used")?),
                None => None,
            },
        });
    }
    let mut entry = Entry::new(a.issuer, a.name, token);
    entry.note = a.note;
    entry.tags = a.tags;
    entry.recovery_codes = recovery_codes;
    let created = time_field(a.created.as_deref(), "created")?;
    let mut account = Account::from_entry(entry, a.id.unwrap_or_default(), created);
    account.updated = time_field(a.updated.as_deref(), "updated")?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::json::to_text;
    use proptest::prelude::*;
    use zeroize::Zeroizing;

    fn no_passwords(_: &str) -> Result<Zeroizing<String>, ImportError> {
        Err(ImportError::NeedPassword)
    }

    fn sample() -> Vec<Account> {
        let mut out = Vec::new();
        for (i, kind) in [Kind::Totp, Kind::Hotp, Kind::Steam]
            .into_iter()
            .enumerate()
        {
            let mut t = Token::totp(Secret::new(vec![i as u8 + 1; 20]));
            t.kind = kind;
            if kind == Kind::Steam {
                t.digits = 5;
            } else {
                t.algorithm = Algorithm::SHA512;
                t.digits = 8;
                t.counter = 42;
            }
            let mut e = Entry::new(format!("Issuer {i}"), format!("user{i}"), t);
            e.note = Some("note".into());
            e.tags = vec!["a".into(), "b".into()];
            e.recovery_codes = vec![RecoveryCode {
                code: Zeroizing::new("1234-5678".into()),
                added: OffsetDateTime::UNIX_EPOCH,
                used: Some(OffsetDateTime::UNIX_EPOCH),
            }];
            out.push(Account::from_entry(
                e,
                format!("id{i}aaaaa"),
                OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
            ));
        }
        out
    }

    #[test]
    fn export_round_trips_whole_accounts() {
        let accounts = sample();
        let text = to_text(&accounts, OffsetDateTime::UNIX_EPOCH);
        assert!(detect(text.as_bytes()));
        assert_eq!(parse_accounts(text.as_bytes()).unwrap(), accounts);
        let parsed = parse(text.as_bytes(), &mut no_passwords).unwrap();
        assert_eq!(parsed.entries.len(), 3);
        assert_eq!(parsed.entries[1], accounts[1].to_entry());
    }

    #[test]
    fn minimal_accounts_take_documented_defaults() {
        let text = r#"{"format":"otp-json","version":1,"accounts":[
            {"type":"totp","secret":"JBSWY3DPEHPK3PXP","name":"a"},
            {"type":"steam","secret":"JBSWY3DPEHPK3PXP"}]}"#;
        let a = parse_accounts(text.as_bytes()).unwrap();
        assert_eq!(
            (a[0].algorithm, a[0].digits, a[0].period, a[0].id.as_str()),
            (Algorithm::SHA1, 6, 30, "")
        );
        assert_eq!(a[1].digits, 5);
    }

    #[test]
    fn strict_about_bad_parameters_and_quiet_about_secrets() {
        for (bad, want) in [
            (
                r#""type":"totp","secret":"JBSWY3DPEHPK3PXP","algorithm":"MD5""#,
                "unknown algorithm",
            ),
            (
                r#""type":"totp","secret":"JBSWY3DPEHPK3PXP","digits":4"#,
                "digits",
            ),
            (
                r#""type":"totp","secret":"JBSWY3DPEHPK3PXP","digits":300"#,
                "digits",
            ),
            (
                r#""type":"totp","secret":"JBSWY3DPEHPK3PXP","period":0"#,
                "period",
            ),
            (r#""type":"motp","secret":"JBSWY3DPEHPK3PXP""#, "need a PIN"),
            (r#""type":"totp","secret":"JBSW!Y3DPEHPK3PXP""#, "base32"),
        ] {
            let text = format!(r#"{{"format":"otp-json","version":1,"accounts":[{{{bad}}}]}}"#);
            let err = parse_accounts(text.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(want), "{bad}: {err}");
            assert!(!err.contains("Y3DP"), "{err}");
        }
        let text =
            r#"{"format":"otp-json","version":1,"accounts":[{"type":"totp","secret":12345678}]}"#;
        assert!(
            !parse_accounts(text.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("12345678")
        );
    }

    #[test]
    fn newer_versions_and_other_json_are_refused() {
        let text = r#"{"format":"otp-json","version":2,"accounts":[]}"#;
        assert!(matches!(
            parse_accounts(text.as_bytes()),
            Err(ImportError::Unsupported(_))
        ));
        assert!(!detect(br#"{"version":1,"header":{},"db":{}}"#));
        assert!(!detect(b"otpauth://totp/x?secret=AAAA"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn arbitrary_input_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = detect(&data);
            let _ = parse_accounts(&data);
        }

        #[test]
        fn mutated_exports_never_panic(pos in 0usize..4000, byte in any::<u8>()) {
            let mut text = to_text(&sample(), OffsetDateTime::UNIX_EPOCH).as_bytes().to_vec();
            let i = pos % text.len();
            text[i] = byte;
            let _ = detect(&text);
            let _ = parse_accounts(&text);
        }
    }
}
