//! Building validated entries, and collecting what a file yields.
//!
//! Importers decide per entry: an account we can compute becomes an
//! [`Entry`] (after [`Token::validate`]); anything else becomes a
//! [`Skipped`] with the reason, so nothing is dropped silently. Reasons
//! never quote the secret.
//!
//! Two ways in: [`Params`] for formats that know every parameter (or whose
//! app fixes them), and [`RawParams`] + [`token`] for JSON formats where an
//! absent field takes the otpauth default (SHA1, 6 digits, 30 s), which is
//! what those apps themselves assume, and a present but wrong value (unknown
//! algorithm, 11 digits, period 0) is refused.

use std::str::FromStr;

use serde_json::Value;

use crate::model::{
    self, Algorithm, DEFAULT_DIGITS, DEFAULT_PERIOD, Entry, Kind, STEAM_DIGITS, Secret, Token,
};

use crate::model::{Parsed, Skipped};

/// Gathers the entries and the skipped accounts of one file.
#[derive(Default)]
pub(crate) struct Collector {
    parsed: Parsed,
}

impl Collector {
    pub(crate) fn new() -> Self {
        Collector::default()
    }

    /// Adds the entry, or records why the account was not imported.
    pub(crate) fn push(&mut self, label: String, entry: Result<Entry, String>) {
        match entry {
            Ok(e) => self.parsed.entries.push(e),
            Err(reason) => self.skip(label, reason),
        }
    }

    pub(crate) fn skip(&mut self, label: String, reason: impl Into<String>) {
        self.parsed.skipped.push(Skipped {
            label,
            reason: reason.into(),
        });
    }

    pub(crate) fn finish(self) -> Parsed {
        self.parsed
    }
}

/// Token parameters as a file gives them, before validation.
pub(crate) struct Params {
    pub kind: Kind,
    pub algorithm: Algorithm,
    pub digits: u8,
    pub period: u64,
    pub counter: u64,
}

impl Params {
    pub(crate) fn totp() -> Self {
        Params {
            kind: Kind::Totp,
            algorithm: Algorithm::SHA1,
            digits: DEFAULT_DIGITS,
            period: DEFAULT_PERIOD,
            counter: 0,
        }
    }

    pub(crate) fn steam() -> Self {
        Params {
            digits: STEAM_DIGITS,
            kind: Kind::Steam,
            ..Params::totp()
        }
    }

    /// A validated entry. The message names the problem, never the secret.
    pub(crate) fn entry(self, issuer: &str, name: &str, secret: Vec<u8>) -> Result<Entry, String> {
        let token = Token {
            kind: self.kind,
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            counter: if self.kind == Kind::Hotp {
                self.counter
            } else {
                0
            },
            secret: Secret::new(secret),
            pin: None,
        };
        token.validate().map_err(|e| e.to_string())?;
        Ok(Entry::new(issuer.trim(), name.trim(), token))
    }
}

/// Digits as stored (any integer type) to `u8`; range is checked by validate.
pub(crate) fn digits(d: i64) -> Result<u8, String> {
    u8::try_from(d).map_err(|_| format!("{d} digits is out of range"))
}

pub(crate) fn period(p: i64) -> Result<u64, String> {
    match u64::try_from(p) {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("a period of {p} seconds is invalid")),
    }
}

pub(crate) fn algorithm(name: &str) -> Result<Algorithm, String> {
    Algorithm::from_str(name).map_err(|e| e.to_string())
}

/// A base32 secret as apps store it (any case, spaces, padding).
pub(crate) fn base32(text: &str) -> Result<Vec<u8>, String> {
    Secret::from_base32(text)
        .map(|s| s.bytes().to_vec())
        .map_err(|e| e.to_string())
}

/// Hex secret (any case); odd length or non-hex characters are errors.
pub(crate) fn hex(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(t.as_bytes())
        .map_err(|_| "the secret is not valid hexadecimal".to_string())
        .and_then(|b| {
            if b.is_empty() {
                Err("the secret is empty".to_string())
            } else {
                Ok(b)
            }
        })
}

/// Standard base64 with or without padding.
pub(crate) fn base64(text: &str) -> Result<Vec<u8>, String> {
    crate::base64::decode(text.trim().as_bytes())
        .ok_or_else(|| "the secret is not valid base64".to_string())
        .and_then(|b| {
            if b.is_empty() {
                Err("the secret is empty".to_string())
            } else {
                Ok(b)
            }
        })
}

/// Splits `Issuer:Name` (as many apps write labels) at the first colon,
/// trimming the space some apps put after it.
pub(crate) fn split_label(label: &str) -> (&str, &str) {
    match label.split_once(':') {
        Some((i, n)) => (i.trim(), n.trim()),
        None => ("", label.trim()),
    }
}

/// The parameters of one foreign entry, as far as the file gives them.
#[derive(Default)]
pub(crate) struct RawParams<'a> {
    pub algorithm: Option<&'a str>,
    pub digits: Option<u64>,
    pub period: Option<u64>,
    pub counter: Option<u64>,
}

/// Builds and validates a token; the error is a reason fit for [`Skipped`].
pub(crate) fn token(kind: Kind, params: &RawParams<'_>, secret: Secret) -> Result<Token, String> {
    let algorithm = match params.algorithm {
        None => Algorithm::SHA1,
        Some(a) => a.parse::<Algorithm>().map_err(|e| e.to_string())?,
    };
    let default_digits = if kind == Kind::Steam {
        STEAM_DIGITS
    } else {
        DEFAULT_DIGITS
    };
    let digits = match params.digits {
        None => default_digits,
        Some(d) => u8::try_from(d).map_err(|_| format!("{d} digits is out of range (6 to 10)"))?,
    };
    let token = Token {
        kind,
        algorithm,
        digits,
        period: params.period.unwrap_or(DEFAULT_PERIOD),
        counter: if kind == Kind::Hotp {
            params.counter.unwrap_or(0)
        } else {
            0
        },
        secret,
        pin: None,
    };
    token.validate().map_err(|e| e.to_string())?;
    Ok(token)
}

/// A Yandex.Key or mOTP token from a file: the key (Yandex: either of
/// Yandex's forms, the checksum checked; mOTP: its bytes), the PIN (absent
/// or empty: an error, never a guess) and the parameters the file states,
/// which must be the scheme's (Yandex.Key: SHA256, 8, 30 s; mOTP: MD5, 6,
/// 10 s) when given. An app whose codes ignore a field passes `None` for it.
pub(crate) fn pinned(
    kind: Kind,
    secret: Secret,
    pin: Option<&str>,
    params: &RawParams<'_>,
) -> Result<Token, String> {
    let pin = match pin {
        Some(p) if !p.is_empty() => model::Pin::new(p.to_string()),
        _ => return Err("the entry has no PIN, which its codes need".into()),
    };
    let token = match kind {
        Kind::Yandex => {
            crate::otp::yandex::token(secret.bytes(), pin).map_err(|e| e.to_string())?
        }
        _ => Token::motp(secret, pin),
    };
    if params
        .algorithm
        .is_some_and(|a| !a.eq_ignore_ascii_case(token.algorithm.as_str()))
        || params.digits.is_some_and(|d| d != u64::from(token.digits))
        || params.period.is_some_and(|p| p != token.period)
    {
        return Err(format!(
            "its parameters are not {}'s ({}, {} characters, {} s)",
            if kind == Kind::Yandex {
                "Yandex.Key"
            } else {
                "mOTP"
            },
            token.algorithm,
            token.digits,
            token.period
        ));
    }
    token.validate().map_err(|e| e.to_string())?;
    Ok(token)
}

/// An mOTP key as apps write it: lower-case hex (see [`Secret::from_motp_hex`]).
pub(crate) fn motp_hex(text: &str) -> Result<Secret, String> {
    Secret::from_motp_hex(text).map_err(|e| e.to_string())
}

/// A base32 secret held in a JSON value (which must be a string).
pub(crate) fn secret_value(value: Option<&Value>) -> Result<Secret, String> {
    match value {
        Some(Value::String(s)) => secret_text(s),
        None | Some(Value::Null) => Err("the entry has no secret".into()),
        Some(_) => Err("the secret is not a string".into()),
    }
}

pub(crate) fn secret_text(text: &str) -> Result<Secret, String> {
    Secret::from_base32(text).map_err(|e| e.to_string())
}

/// Appends an entry, or a skipped record naming it, to `parsed`.
pub(crate) fn push(parsed: &mut Parsed, issuer: &str, name: &str, result: Result<Entry, String>) {
    match result {
        Ok(entry) => parsed.entries.push(entry),
        Err(reason) => parsed.skipped.push(Skipped {
            label: model::label(issuer, name),
            reason,
        }),
    }
}

/// A skipped entry of a kind `otp` cannot compute codes for.
pub(crate) fn unsupported_kind(kind: &str) -> String {
    format!(
        "{kind} entries are not supported (otp computes TOTP, HOTP, Steam, Yandex.Key and mOTP codes)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_validated() {
        let bad = Params {
            digits: 4,
            ..Params::totp()
        }
        .entry("I", "n", vec![1; 10]);
        assert!(bad.is_err());
        let ok = Params::steam()
            .entry(" Steam ", "bob", vec![1; 10])
            .unwrap();
        assert_eq!((ok.issuer.as_str(), ok.token.digits), ("Steam", 5));
        assert!(Params::totp().entry("", "x", vec![]).is_err());
    }

    #[test]
    fn totp_entries_never_carry_a_counter() {
        let e = Params {
            counter: 9,
            ..Params::totp()
        }
        .entry("", "x", vec![1; 10])
        .unwrap();
        assert_eq!(e.token.counter, 0);
    }

    #[test]
    fn secret_decoders_are_strict() {
        assert_eq!(hex("0aFF").unwrap(), vec![10, 255]);
        assert!(hex("abc").is_err());
        assert!(hex("").is_err());
        assert_eq!(base64("THIl8+Jl6ugxr8x0X6eRMg==").unwrap().len(), 16);
        assert!(base64("***").is_err());
        assert!(base32("JBSW1").is_err());
    }

    #[test]
    fn labels_split_at_the_first_colon() {
        assert_eq!(split_label("Deno: Mason"), ("Deno", "Mason"));
        assert_eq!(split_label("a:b:c"), ("a", "b:c"));
        assert_eq!(split_label("plain"), ("", "plain"));
    }

    fn secret() -> Secret {
        secret_text("JBSWY3DPEHPK3PXP").unwrap()
    }

    #[test]
    fn absent_fields_take_defaults_and_bad_ones_are_refused() {
        let t = token(Kind::Totp, &RawParams::default(), secret()).unwrap();
        assert_eq!((t.algorithm, t.digits, t.period), (Algorithm::SHA1, 6, 30));
        let s = token(Kind::Steam, &RawParams::default(), secret()).unwrap();
        assert_eq!(s.digits, 5);
        let bad = RawParams {
            algorithm: Some("MD5"),
            ..RawParams::default()
        };
        assert!(token(Kind::Totp, &bad, secret()).is_err());
        let bad = RawParams {
            digits: Some(300),
            ..RawParams::default()
        };
        assert!(token(Kind::Totp, &bad, secret()).is_err());
        let bad = RawParams {
            period: Some(0),
            ..RawParams::default()
        };
        assert!(token(Kind::Totp, &bad, secret()).is_err());
    }
}
