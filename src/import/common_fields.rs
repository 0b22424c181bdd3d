//! Turning the fields of a foreign entry into an [`Entry`], with the strict
//! checks every importer of this set shares.
//!
//! A value that is present but wrong (unknown algorithm, 11 digits, period
//! 0, bad base32) makes that one entry a [`Skipped`] with the reason; an
//! absent field takes the otpauth default (SHA1, 6 digits, 30 s), which is
//! what the apps themselves assume. Reasons never quote the secret.

use serde_json::Value;

use super::{ImportError, Parsed, Skipped};
use crate::model::{
    self, Algorithm, DEFAULT_DIGITS, DEFAULT_PERIOD, Entry, Kind, STEAM_DIGITS, Secret, Token,
};

/// The parameters of one foreign entry, as far as the file gives them.
#[derive(Default)]
pub(crate) struct Params<'a> {
    pub algorithm: Option<&'a str>,
    pub digits: Option<u64>,
    pub period: Option<u64>,
    pub counter: Option<u64>,
}

/// Builds and validates a token; the error is a reason fit for [`Skipped`].
pub(crate) fn token(kind: Kind, params: &Params, secret: Secret) -> Result<Token, String> {
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
    };
    token.validate().map_err(|e| e.to_string())?;
    Ok(token)
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
    format!("{kind} entries are not supported (otp computes TOTP, HOTP and Steam codes)")
}

/// A JSON error as text without the offending value: serde_json quotes the
/// value in type errors, and that value may be a secret.
pub(crate) fn json_reason(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Data => "a field has the wrong type or value".into(),
        Category::Syntax | Category::Eof | Category::Io => {
            format!(
                "not valid JSON (line {}, column {})",
                err.line(),
                err.column()
            )
        }
    }
}

/// Parses a whole document as JSON, or says it is not JSON of the format.
pub(crate) fn json_document<T: serde::de::DeserializeOwned>(
    what: &str,
    data: &[u8],
) -> Result<T, ImportError> {
    serde_json::from_slice(trim_start(data))
        .map_err(|e| ImportError::malformed(format!("{what}: {}", json_reason(&e))))
}

/// Cheap sniff helper: the bytes as a JSON object, if they are one.
pub(crate) fn json_object(data: &[u8]) -> Option<serde_json::Map<String, Value>> {
    let data = trim_start(data);
    if data.first() != Some(&b'{') {
        return None;
    }
    match serde_json::from_slice(data) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The bytes without a UTF-8 byte-order mark and leading whitespace.
pub(crate) fn trim_start(data: &[u8]) -> &[u8] {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    data.get(start..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        secret_text("JBSWY3DPEHPK3PXP").unwrap()
    }

    #[test]
    fn absent_fields_take_defaults_and_bad_ones_are_refused() {
        let t = token(Kind::Totp, &Params::default(), secret()).unwrap();
        assert_eq!((t.algorithm, t.digits, t.period), (Algorithm::SHA1, 6, 30));
        let s = token(Kind::Steam, &Params::default(), secret()).unwrap();
        assert_eq!(s.digits, 5);
        let bad = Params {
            algorithm: Some("MD5"),
            ..Params::default()
        };
        assert!(token(Kind::Totp, &bad, secret()).is_err());
        let bad = Params {
            digits: Some(300),
            ..Params::default()
        };
        assert!(token(Kind::Totp, &bad, secret()).is_err());
        let bad = Params {
            period: Some(0),
            ..Params::default()
        };
        assert!(token(Kind::Totp, &bad, secret()).is_err());
    }

    #[test]
    fn documents_may_start_with_a_byte_order_mark() {
        let v: Value = json_document("x", b"\xEF\xBB\xBF {\"a\":1}").unwrap();
        assert_eq!(v["a"], 1);
        assert!(json_object(b"\xEF\xBB\xBF{}").is_some());
    }

    #[test]
    fn json_reasons_never_quote_values() {
        let err = serde_json::from_str::<u8>("\"JBSWY3DPEHPK3PXP\"").unwrap_err();
        assert!(!json_reason(&err).contains("JBSW"));
    }
}
