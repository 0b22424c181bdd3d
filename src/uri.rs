//! `otpauth://` Key URIs (Google's Key Uri Format): parsing and formatting
//! one account.
//!
//! Policies where apps disagree (each pinned by a test):
//! - A label without `:` is the account name, not the issuer (Google, Aegis).
//! - Label prefix and `issuer=` disagree: the parameter wins and the whole
//!   label is kept as the name, so nothing the URI says is lost.
//! - In `issuer=`, `+` is a space, as real exporters (Aegis, Bitwarden,
//!   PHP/Python/Java URL encoders) write it — unless the literal reading
//!   matches the label's prefix (`C++:a?issuer=C++`). In the label (the URI
//!   path) `+` is always a plus. `format` writes `%20` and `%2B`.
//! - `#` is not a fragment: real exporters put raw `#` in labels.
//! - Issuer `Steam` alone does not make a Steam token; `otpauth://steam/...`
//!   and `encoder=steam` do.
//! - Yandex.Key and mOTP, in every form the apps write them:
//!   `otpauth://yaotp/…` (Aegis, Stratum, otp) or `otpauth://yandex/…`
//!   (cotp) with a base32 key in either of Yandex's forms (the checksum
//!   checked); `motp://LABEL?secret=HEX` (otp, Stratum), `motp:/LABEL?…`
//!   (Aegis) or `otpauth://motp/…` (andOTP, cotp) with a lower-case hex key.
//!   The PIN is `pin=`, the PIN's UTF-8 bytes in base32 (Aegis's form, which
//!   otp writes). Stratum, andOTP and cotp write no PIN (Stratum says
//!   `pin_length=`): such a URI parses only with a PIN from elsewhere
//!   ([`parse_with_pin`]), never with a guessed one. Parameters, when given,
//!   must be the scheme's (Yandex.Key: SHA256, 8, 30 s; mOTP: MD5, 6, 10 s).
//! - Unknown parameters are ignored; known ones are strict (an unknown
//!   algorithm, bad digits or period 0 are errors, never defaults).
//! - HOTP ignores `period` (the token keeps the default) and TOTP ignores
//!   `counter` (the token keeps 0).
//!
//! Error messages never repeat parameter values: a URI with a missing `&`
//! could carry the secret in any of them.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use zeroize::Zeroizing;

use crate::model::{
    Algorithm, DEFAULT_DIGITS, DEFAULT_PERIOD, Entry, Kind, MOTP_DIGITS, MOTP_PERIOD, ModelError,
    Pin, STEAM_DIGITS, Secret, Token, YANDEX_DIGITS,
};

const SCHEME: &str = "otpauth://";
/// mOTP's own scheme, as Aegis, Stratum and otp write it.
const MOTP_SCHEME: &str = "motp:";

/// Why a string is not a usable `otpauth://` URI. Never holds secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriError {
    /// Does not start with `otpauth://`.
    NotOtpauth,
    /// `otpauth://` with no type after it.
    MissingType,
    /// A type other than totp, hotp or steam (shown only when short and plain).
    UnknownType(Option<String>),
    /// A Yandex.Key or mOTP URI without a PIN (and none given with it).
    NoPin {
        kind: &'static str,
        label: String,
    },
    /// A PIN given for a URI that holds its own.
    TwoPins,
    /// A `pin=` that is not base32 of UTF-8 text.
    BadPin,
    /// Neither a label nor an `issuer=` parameter.
    MissingLabel,
    MissingSecret,
    /// An `hotp` URI without `counter=` (the Key URI Format requires it).
    MissingCounter,
    /// A `/` in the label: an extra path segment or a trailing `/`.
    LabelPath,
    /// A parameter given twice with different values.
    Duplicate(&'static str),
    /// A label or parameter that is not valid UTF-8 once percent-decoded.
    Encoding(&'static str),
    /// A numeric parameter that is not a plain decimal number.
    NotANumber(&'static str),
    UnknownAlgorithm,
    /// A Yandex.Key secret of the wrong length or with a wrong checksum.
    Yandex(String),
    /// The parameters decode but do not make a valid token.
    Invalid(ModelError),
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UriError::NotOtpauth => write!(f, "not an otpauth:// URI"),
            UriError::MissingType => write!(
                f,
                "the URI has no OTP type (otpauth://totp/... or otpauth://hotp/...)"
            ),
            UriError::UnknownType(Some(t)) => {
                write!(
                    f,
                    "unknown OTP type '{t}' (use totp, hotp, steam, yaotp or motp)"
                )
            }
            UriError::UnknownType(None) => {
                write!(f, "unknown OTP type (use totp, hotp, steam, yaotp or motp)")
            }
            UriError::NoPin { kind, .. } => write!(
                f,
                "the {kind} URI holds no PIN (pin=), which its codes need: add it with the PIN given apart (`otp add --uri-stdin --pin-file FILE`, or `--qr IMAGE --pin-file FILE` for its QR code)"
            ),
            UriError::TwoPins => write!(f, "the URI holds a PIN already; give none with it"),
            UriError::BadPin => write!(
                f,
                "the pin= parameter is not a PIN in base32 (the PIN's UTF-8 bytes, as Aegis writes it)"
            ),
            UriError::MissingLabel => write!(f, "the URI has no account name or issuer"),
            UriError::MissingSecret => write!(f, "the URI has no secret= parameter"),
            UriError::MissingCounter => write!(
                f,
                "the hotp URI has no counter= parameter (required for hotp; a guessed counter would give wrong codes)"
            ),
            UriError::LabelPath => write!(
                f,
                "the label holds a '/' (an extra path segment or a trailing '/'); a '/' in a name is written %2F"
            ),
            UriError::Duplicate(p) => {
                write!(f, "the {p}= parameter appears twice with different values")
            }
            UriError::Encoding(what) => {
                write!(f, "the {what} is not valid UTF-8 once percent-decoded")
            }
            UriError::NotANumber(p) => write!(f, "the {p}= parameter is not a whole number"),
            UriError::UnknownAlgorithm => {
                write!(f, "unknown algorithm= value (use SHA1, SHA256 or SHA512)")
            }
            UriError::Invalid(ModelError::UnknownAlgorithm(_)) => {
                write!(f, "unknown algorithm= value (use SHA1, SHA256 or SHA512)")
            }
            UriError::Yandex(e) => write!(f, "{e}"),
            UriError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for UriError {}

impl From<ModelError> for UriError {
    fn from(e: ModelError) -> Self {
        UriError::Invalid(e)
    }
}

/// Parameters the format defines; anything else is ignored.
#[derive(Default)]
struct Params<'a> {
    secret: Option<&'a str>,
    issuer: Option<&'a str>,
    algorithm: Option<&'a str>,
    digits: Option<&'a str>,
    period: Option<&'a str>,
    counter: Option<&'a str>,
    encoder: Option<&'a str>,
    pin: Option<&'a str>,
}

impl<'a> Params<'a> {
    fn read(query: &'a str) -> Result<Self, UriError> {
        let mut p = Params::default();
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (slot, name) = match key.to_ascii_lowercase().as_str() {
                "secret" => (&mut p.secret, "secret"),
                "issuer" => (&mut p.issuer, "issuer"),
                "algorithm" => (&mut p.algorithm, "algorithm"),
                "digits" => (&mut p.digits, "digits"),
                "period" => (&mut p.period, "period"),
                "counter" => (&mut p.counter, "counter"),
                "encoder" => (&mut p.encoder, "encoder"),
                "pin" => (&mut p.pin, "pin"),
                _ => continue,
            };
            match slot {
                Some(old) if *old != value => return Err(UriError::Duplicate(name)),
                _ => *slot = Some(value),
            }
        }
        Ok(p)
    }
}

fn decode(text: &str, what: &'static str) -> Result<String, UriError> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| UriError::Encoding(what))
}

fn number<T: std::str::FromStr>(text: &str, param: &'static str) -> Result<T, UriError> {
    // `u64::from_str` takes a leading '+'; the format has plain digits only.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UriError::NotANumber(param));
    }
    text.parse().map_err(|_| UriError::NotANumber(param))
}

/// Shows a type in an error only when it cannot be a pasted secret fragment.
fn shown_type(t: &str) -> Option<String> {
    (!t.is_empty() && t.len() <= 8 && t.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| t.to_string())
}

/// Decodes `issuer=`. Real exporters (Aegis, Bitwarden, PHP and Python
/// URL encoders) write a space as `+`, so `+` is a space — unless reading it
/// literally makes the issuer match the label's prefix (`C++:a?issuer=C++`).
fn decode_issuer(raw: &str, label: &str) -> Result<String, UriError> {
    let literal = decode(raw, "issuer")?;
    if !raw.contains('+') || label == literal || label.starts_with(&format!("{literal}:")) {
        return Ok(literal);
    }
    decode(&raw.replace('+', "%20"), "issuer")
}

/// Splits a decoded label into (issuer, name) given the `issuer=` parameter.
fn split_label(label: &str, issuer_param: Option<String>) -> (String, String) {
    match issuer_param {
        Some(issuer) => {
            let name = label
                .strip_prefix(issuer.as_str())
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|rest| rest.trim_start_matches(' '))
                // `:name` is an empty issuer prefix, not part of the name.
                .unwrap_or_else(|| label.strip_prefix(':').unwrap_or(label));
            let name = name.to_string();
            (issuer, name)
        }
        None => match label.split_once(':') {
            // `/:name` is how `format` writes a name holding ':' with no issuer.
            Some(("", name)) => (String::new(), name.to_string()),
            Some((issuer, name)) => (issuer.to_string(), name.trim_start_matches(' ').to_string()),
            None => (String::new(), label.to_string()),
        },
    }
}

/// Parses one `otpauth://` (or `motp:`) URI into an entry whose token
/// passes `validate()`.
pub fn parse(uri: &str) -> Result<Entry, UriError> {
    parse_with_pin(uri, None)
}

/// [`parse`], with the PIN of a Yandex.Key or mOTP URI that holds none
/// (as Stratum, andOTP and cotp write them, and Yandex's own QR codes). A
/// PIN given for a URI that holds one, or for another kind, is an error.
pub fn parse_with_pin(uri: &str, given_pin: Option<Pin>) -> Result<Entry, UriError> {
    let uri = uri.trim();
    let (scheme_kind, rest) = match uri.get(..SCHEME.len()) {
        Some(s) if s.eq_ignore_ascii_case(SCHEME) => (None, &uri[SCHEME.len()..]),
        _ => match uri.get(..MOTP_SCHEME.len()) {
            // `motp://LABEL` (otp, Stratum) and `motp:/LABEL` (Aegis).
            Some(s) if s.eq_ignore_ascii_case(MOTP_SCHEME) => {
                let rest = &uri[MOTP_SCHEME.len()..];
                let rest = rest
                    .strip_prefix("//")
                    .or_else(|| rest.strip_prefix('/'))
                    .unwrap_or(rest);
                (Some(Kind::Motp), rest)
            }
            _ => return Err(UriError::NotOtpauth),
        },
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind_text, raw_label) = match scheme_kind {
        Some(_) => ("motp", path),
        None => path.split_once('/').unwrap_or((path, "")),
    };
    if kind_text.is_empty() {
        return Err(UriError::MissingType);
    }
    let params = Params::read(query)?;
    // `otpauth://totp/Example:alice@google.com/?…`: the label is one path
    // segment; a raw '/' would end up in the name.
    if raw_label.contains('/') {
        return Err(UriError::LabelPath);
    }
    let label = decode(raw_label, "label")?;
    let issuer_param = match params
        .issuer
        .map(|i| decode_issuer(i, &label))
        .transpose()?
    {
        Some(i) if !i.is_empty() => Some(i),
        _ => None,
    };
    let steam_encoder = params
        .encoder
        .is_some_and(|e| e.eq_ignore_ascii_case("steam"));
    let kind = match kind_text.to_ascii_lowercase().as_str() {
        "totp" if steam_encoder => Kind::Steam,
        "totp" => Kind::Totp,
        "hotp" => Kind::Hotp,
        "steam" => Kind::Steam,
        "yaotp" | "yandex" => Kind::Yandex,
        "motp" => Kind::Motp,
        _ => return Err(UriError::UnknownType(shown_type(kind_text))),
    };
    let (issuer, name) = split_label(&label, issuer_param);
    if issuer.is_empty() && name.is_empty() {
        return Err(UriError::MissingLabel);
    }

    let secret_text = params.secret.ok_or(UriError::MissingSecret)?;
    let secret_text = Zeroizing::new(decode(secret_text, "secret")?);
    if secret_text.trim().is_empty() {
        return Err(UriError::MissingSecret);
    }
    let secret = match kind {
        Kind::Motp => Secret::from_motp_hex(&secret_text)?,
        // Either of Yandex's forms to its 16-byte key, the checksum checked.
        Kind::Yandex => {
            let secret = Secret::from_base32(&secret_text)?;
            let key = crate::otp::yandex::key_from_secret(secret.bytes())
                .map_err(|e| UriError::Yandex(e.to_string()))?;
            Secret::new(key.to_vec())
        }
        _ => Secret::from_base32(&secret_text)?,
    };

    let algorithm = match (kind, params.algorithm) {
        (Kind::Motp, Some(a)) if a.eq_ignore_ascii_case("MD5") => Algorithm::MD5,
        (_, Some(a)) => decode(a, "algorithm")?
            .parse::<Algorithm>()
            .map_err(|_| UriError::UnknownAlgorithm)?,
        (Kind::Yandex, None) => Algorithm::SHA256,
        (Kind::Motp, None) => Algorithm::MD5,
        (_, None) => Algorithm::SHA1,
    };
    let default_digits = match kind {
        Kind::Steam => STEAM_DIGITS,
        Kind::Yandex => YANDEX_DIGITS,
        Kind::Motp => MOTP_DIGITS,
        Kind::Totp | Kind::Hotp => DEFAULT_DIGITS,
    };
    let digits = match params.digits {
        Some(d) => {
            let n = number::<u64>(d, "digits")?;
            u8::try_from(n).map_err(|_| ModelError::Digits(u32::try_from(n).unwrap_or(u32::MAX)))?
        }
        None => default_digits,
    };
    let period = match (kind, params.period) {
        (Kind::Hotp, _) => DEFAULT_PERIOD,
        (Kind::Motp, None) => MOTP_PERIOD,
        (_, None) => DEFAULT_PERIOD,
        (_, Some(p)) => number::<u64>(p, "period")?,
    };
    let counter = match (kind, params.counter) {
        (Kind::Hotp, Some(c)) => number::<u64>(c, "counter")?,
        (Kind::Hotp, None) => return Err(UriError::MissingCounter),
        _ => 0,
    };
    let pin = match (read_pin(params.pin)?, given_pin) {
        (Some(_), Some(_)) => return Err(UriError::TwoPins),
        (Some(pin), None) | (None, Some(pin)) => Some(pin),
        (None, None) if kind.has_pin() => {
            return Err(UriError::NoPin {
                kind: if kind == Kind::Yandex {
                    "Yandex.Key"
                } else {
                    "mOTP"
                },
                label: crate::model::label(&issuer, &name),
            });
        }
        (None, None) => None,
    };
    let token = Token {
        kind,
        algorithm,
        digits,
        period,
        counter,
        secret,
        pin,
    };
    token.validate()?;
    Ok(Entry::new(issuer, name, token))
}

/// `pin=`: the PIN's UTF-8 bytes in base32 (Aegis's form); empty is none.
fn read_pin(raw: Option<&str>) -> Result<Option<Pin>, UriError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = Zeroizing::new(decode(raw, "pin").map_err(|_| UriError::BadPin)?);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let bytes = Secret::from_base32(&text).map_err(|_| UriError::BadPin)?;
    let pin = std::str::from_utf8(bytes.bytes()).map_err(|_| UriError::BadPin)?;
    Ok(Some(Pin::new(pin.to_string())))
}

/// Characters left as they are: RFC 3986 unreserved, plus `@` (legal in
/// paths and queries, and e-mail addresses read better with it).
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

fn enc(text: &str) -> String {
    utf8_percent_encode(text, KEEP).to_string()
}

/// The canonical URI of an entry: `parse(&format(e))` gives back `e` for any
/// entry with a valid token and an issuer or name, except what the format
/// cannot carry (note, tags, recovery codes, an HOTP period, spaces at the
/// start of a name that follows an issuer). Accounts: `format(&a.to_entry())`.
pub fn format(entry: &Entry) -> String {
    let token = &entry.token;
    if token.kind == Kind::Motp {
        return format_motp(entry);
    }
    let mut uri = String::from(SCHEME);
    uri.push_str(match token.kind {
        Kind::Yandex => "yaotp",
        other => other.as_str(),
    });
    uri.push('/');
    if !entry.issuer.is_empty() {
        uri.push_str(&enc(&entry.issuer));
        uri.push(':');
    } else if entry.name.contains(':') {
        // An empty prefix keeps a ':' in the name from being read as one.
        uri.push(':');
    }
    uri.push_str(&enc(&entry.name));
    uri.push_str("?secret=");
    uri.push_str(&token.secret.to_base32());
    if !entry.issuer.is_empty() {
        uri.push_str("&issuer=");
        uri.push_str(&enc(&entry.issuer));
    }
    uri.push_str("&algorithm=");
    uri.push_str(token.algorithm.as_str());
    uri.push_str(&format!("&digits={}", token.digits));
    match token.kind {
        Kind::Hotp => uri.push_str(&format!("&counter={}", token.counter)),
        Kind::Totp | Kind::Steam | Kind::Yandex | Kind::Motp => {
            uri.push_str(&format!("&period={}", token.period))
        }
    }
    push_pin(&mut uri, token);
    uri
}

/// Aegis's `pin` parameter: the PIN's UTF-8 bytes in base32.
fn push_pin(uri: &mut String, token: &Token) {
    if let Some(pin) = &token.pin {
        uri.push_str("&pin=");
        uri.push_str(&data_encoding::BASE32_NOPAD.encode(pin.as_str().as_bytes()));
    }
}

/// mOTP as Aegis and Stratum write it: `motp://LABEL?secret=HEX`, and the
/// PIN (which they leave out) so that nothing is lost.
fn format_motp(entry: &Entry) -> String {
    let mut uri = String::from("motp://");
    if !entry.issuer.is_empty() {
        uri.push_str(&enc(&entry.issuer));
        uri.push(':');
    } else if entry.name.contains(':') {
        uri.push(':');
    }
    uri.push_str(&enc(&entry.name));
    uri.push_str("?secret=");
    uri.push_str(&data_encoding::HEXLOWER.encode(entry.token.secret.bytes()));
    if !entry.issuer.is_empty() {
        uri.push_str("&issuer=");
        uri.push_str(&enc(&entry.issuer));
    }
    push_pin(&mut uri, &entry.token);
    uri
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    const CASES: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/uri_cases/otpauth_uri_cases.json"
    ));

    fn cases() -> Value {
        serde_json::from_str(CASES).unwrap()
    }

    fn ok(uri: &str) -> Entry {
        parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
    }

    /// Where we deliberately differ from a fixture's expectation (each is
    /// flagged APP-SPECIFIC or optional there), and what we do instead.
    fn our_policy(uri: &str) -> Option<Result<(&'static str, &'static str, Kind), UriError>> {
        Some(match uri {
            // Label prefix and issuer= disagree: parameter wins, label kept whole.
            "otpauth://totp/issuer:username?secret=ABCDEFG&issuer=something" => {
                Ok(("something", "issuer:username", Kind::Totp))
            }
            // A lone label is the account name (Google, Aegis), not the issuer.
            "otpauth://totp/issuer?secret=ABCDEFG" => Ok(("", "issuer", Kind::Totp)),
            // An empty prefix means no issuer.
            "otpauth://totp/:username?secret=ABCDEFG" => Ok(("", "username", Kind::Totp)),
            // Google's Key URI Format requires counter= for hotp (Aegis
            // refuses it too): a guessed 0 would give wrong codes.
            "otpauth://hotp/issuer?secret=ABCDEFG" => Err(UriError::MissingCounter),
            // Issuer "Steam" alone keeps the declared type.
            "otpauth://totp/Steam:username?secret=ABCDEFG" => Ok(("Steam", "username", Kind::Totp)),
            // Stratum's forms, without the PIN (it asks for one).
            "otpauth://yaotp/username?secret=ORSXG5DJNZTXIZLTORUW4ZZRGI&pin_length=4" => {
                Err(UriError::NoPin {
                    kind: "Yandex.Key",
                    label: "username".into(),
                })
            }
            "motp://motp:username?secret=30edcc8edae50a60" => Err(UriError::NoPin {
                kind: "mOTP",
                label: "motp:username".into(),
            }),
            _ => return None,
        })
    }

    #[test]
    fn every_valid_fixture_case() {
        let all = cases();
        for case in all["valid"].as_array().unwrap() {
            let uri = case["uri"].as_str().unwrap();
            let exp = &case["expected"];
            if let Some(policy) = our_policy(uri) {
                match policy {
                    Ok((issuer, name, kind)) => {
                        let e = ok(uri);
                        assert_eq!(
                            (e.issuer.as_str(), e.name.as_str(), e.token.kind),
                            (issuer, name, kind),
                            "{uri}"
                        );
                    }
                    Err(err) => assert_eq!(parse(uri), Err(err), "{uri}"),
                }
                continue;
            }
            let e = ok(uri);
            let t = &e.token;
            assert_eq!(t.kind.as_str(), exp["type"].as_str().unwrap(), "{uri}");
            if let Some(i) = exp.get("issuer").and_then(Value::as_str) {
                assert_eq!(e.issuer, i, "{uri}");
            }
            if let Some(a) = exp.get("account").and_then(Value::as_str) {
                assert_eq!(e.name, a, "{uri}");
            }
            let secret = Secret::from_base32(exp["secret"].as_str().unwrap()).unwrap();
            assert_eq!(t.secret, secret, "{uri}");
            let alg = exp
                .get("algorithm")
                .and_then(Value::as_str)
                .unwrap_or("SHA1");
            assert_eq!(t.algorithm, alg.parse().unwrap(), "{uri}");
            assert_eq!(
                u64::from(t.digits),
                exp.get("digits").and_then(Value::as_u64).unwrap_or(6),
                "{uri}"
            );
            assert_eq!(
                t.period,
                exp.get("period").and_then(Value::as_u64).unwrap_or(30),
                "{uri}"
            );
            assert_eq!(
                t.counter,
                exp.get("counter").and_then(Value::as_u64).unwrap_or(0),
                "{uri}"
            );
            assert!(t.validate().is_ok());
        }
    }

    #[test]
    fn every_invalid_fixture_case_is_an_error_without_the_secret() {
        let all = cases();
        for case in all["invalid"].as_array().unwrap() {
            let uri = case["uri"].as_str().unwrap();
            let err = parse(uri).expect_err(uri);
            let text = err.to_string();
            assert!(!text.contains("ABCDEFG"), "{uri}: {text}");
            assert!(!text.is_empty());
        }
    }

    #[test]
    fn specific_errors() {
        use UriError::*;
        let e = |u| parse(u).unwrap_err();
        assert_eq!(e("definitely not valid"), NotOtpauth);
        assert_eq!(e("otpauth://totp/?secret=ABCDEFG"), MissingLabel);
        assert_eq!(e("otpauth://totp"), MissingLabel);
        assert_eq!(e("otpauth://fail"), UnknownType(Some("fail".into())));
        assert_eq!(e("otpauth:///a?secret=AA"), MissingType);
        assert_eq!(e("otpauth://totp/t:u?issuer=t"), MissingSecret);
        assert_eq!(e("otpauth://totp/t:u?secret="), MissingSecret);
        assert_eq!(
            e("otpauth://totp/a?secret=ABC1"),
            Invalid(ModelError::BadBase32)
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&algorithm=MD5"),
            UnknownAlgorithm
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&digits=0"),
            Invalid(ModelError::Digits(0))
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&digits=11"),
            Invalid(ModelError::Digits(11))
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&digits=300"),
            Invalid(ModelError::Digits(300))
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&digits=+6"),
            NotANumber("digits")
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&period=0"),
            Invalid(ModelError::Period(0))
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&period=99999999999999999999999"),
            NotANumber("period")
        );
        assert_eq!(
            e("otpauth://hotp/a?secret=AA&counter=-1"),
            NotANumber("counter")
        );
        assert_eq!(
            e("otpauth://totp/a?secret=AA&secret=BB"),
            Duplicate("secret")
        );
        assert_eq!(e("otpauth://totp/%FF?secret=AA"), Encoding("label"));
        assert_eq!(e("otpauth://hotp/a?secret=AA"), MissingCounter);
        assert_eq!(
            e("otpauth://hotp/a?secret=AA&counter="),
            NotANumber("counter")
        );
        for uri in [
            "otpauth://totp/Example:alice@google.com/?secret=AA&issuer=Example",
            "otpauth://totp/Example/alice?secret=AA",
            "otpauth://totp/Example:alice/extra?secret=AA",
            "otpauth://totp//alice?secret=AA",
        ] {
            assert_eq!(e(uri), LabelPath, "{uri}");
        }
        // A '/' in a name is written %2F, and stays.
        assert_eq!(ok("otpauth://totp/A:b%2Fc?secret=AA").name, "b/c");
        assert!(matches!(
            e("otpauth://steam/a?secret=AA&digits=6"),
            Invalid(ModelError::Steam(_))
        ));
        assert!(matches!(
            e("otpauth://steam/a?secret=AA&algorithm=SHA256"),
            Invalid(ModelError::Steam(_))
        ));
    }

    #[test]
    fn errors_never_show_values_that_may_hold_the_secret() {
        // A missing '&' glues the secret onto another parameter.
        for uri in [
            "otpauth://totp/a?digits=6secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/a?secret=AA&algorithm=SHA1secret=JBSWY3DPEHPK3PXP",
            "otpauth://JBSWY3DPEHPK3PXP/a?secret=AA",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP1",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXQ",
        ] {
            let text = parse(uri).unwrap_err().to_string();
            assert!(!text.contains("JBSWY3DP"), "{text}");
        }
    }

    #[test]
    fn label_and_issuer_rules() {
        let e = ok("otpauth://totp/ACME%20Co:%20%20john@example.com?secret=AA&issuer=ACME%20Co");
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str()),
            ("ACME Co", "john@example.com")
        );
        let e = ok("otpauth://totp/ACME:john?secret=AA&issuer=");
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("ACME", "john"));
        let e = ok("otpauth://totp/?secret=AA&issuer=ACME");
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("ACME", ""));
        // Issuer containing ':' survives when the parameter gives it.
        let e = ok("otpauth://totp/a:b:c?secret=AA&issuer=a%3Ab");
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("a:b", "c"));
        // '+' is a plus where the label says so, '#' is not a fragment.
        let e = ok("otpauth://totp/C++:a#1?secret=AA&issuer=C++");
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("C++", "a#1"));
        // Form-encoded spaces in issuer= (Aegis's own export writes these).
        let e = ok("otpauth://hotp/Air%20Canada:Benjamin?secret=AA&issuer=Air+Canada&counter=50");
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str()),
            ("Air Canada", "Benjamin")
        );
        let e = ok("otpauth://totp/Air+Canada:Ben?secret=AA&issuer=Air+Canada");
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("Air+Canada", "Ben"));
        // An empty issuer prefix is not part of the name.
        let e = ok("otpauth://totp/:cool@ente.com?secret=AA&issuer=Ente");
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str()),
            ("Ente", "cool@ente.com")
        );
        // Case-insensitive scheme, type and keys; unknown keys and bare keys ignored.
        let e = ok("OTPAUTH://HOTP/x?SECRET=AA&Counter=7&image=http%3A%2F%2Fx&flag");
        assert_eq!((e.token.kind, e.token.counter), (Kind::Hotp, 7));
        // HOTP ignores period; TOTP ignores counter.
        let e = ok("otpauth://hotp/x?secret=AA&period=0&counter=0");
        assert_eq!(e.token.period, DEFAULT_PERIOD);
    }

    #[test]
    fn steam_forms() {
        for uri in [
            "otpauth://steam/Steam:gaben?secret=AA&issuer=Steam",
            "otpauth://totp/Steam:gaben?secret=AA&issuer=Steam&encoder=steam",
            "otpauth://steam/Steam:gaben?secret=AA&issuer=Steam&digits=5&algorithm=SHA1&period=30",
        ] {
            let e = ok(uri);
            assert_eq!(
                (e.token.kind, e.token.digits, e.token.period),
                (Kind::Steam, 5, 30),
                "{uri}"
            );
            assert_eq!(parse(&format(&e)), Ok(e));
        }
    }

    /// The PIN-carrying kinds in every form otp and the other apps write
    /// them: each gives the account and the codes of Aegis's and Stratum's
    /// test vectors (tests/fixtures/otp/).
    #[test]
    fn yandex_and_motp_in_every_app_s_form() {
        let pin = |p: &str| Some(Pin::new(p.into()));
        let yandex = [
            // otp's own (`format`), with the PIN as Aegis writes it.
            (
                "otpauth://yaotp/Yandex:alice?secret=LA2V6KMCGYMWWVEW64RNP3JA3I&issuer=Yandex&algorithm=SHA256&digits=8&period=30&pin=G42TQNQ",
                None,
            ),
            // Aegis: Android's Uri.Builder (':' in the label escaped, '=' too).
            (
                "otpauth://yaotp/Yandex%3Aalice?period=30&digits=8&algorithm=SHA256&secret=LA2V6KMCGYMWWVEW64RNP3JA3I&pin=G42TQNQ%3D&issuer=Yandex",
                None,
            ),
            // The 26-byte form with its checksum.
            (
                "otpauth://yaotp/Yandex:alice?secret=LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI&pin=G42TQNQ",
                None,
            ),
            // Stratum: no PIN (`pin_length` only), digits left out.
            (
                "otpauth://yaotp/Yandex%3Aalice?secret=LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI&issuer=Yandex&pin_length=4",
                pin("7586"),
            ),
            // cotp: type `yandex`, every parameter, no PIN.
            (
                "otpauth://yandex/Yandex:alice?secret=LA2V6KMCGYMWWVEW64RNP3JA3I&algorithm=SHA256&digits=8&period=30&lock=false",
                pin("7586"),
            ),
        ];
        for (uri, given) in yandex {
            let e = parse_with_pin(uri, given).unwrap_or_else(|e| panic!("{uri}: {e}"));
            assert_eq!(
                (e.issuer.as_str(), e.name.as_str()),
                ("Yandex", "alice"),
                "{uri}"
            );
            assert_eq!(
                crate::otp::generate(&e.token, 1_581_064_020),
                "oactmacq",
                "{uri}"
            );
            assert_eq!(parse(&format(&e)), Ok(e), "{uri}");
        }
        let motp = [
            (
                "motp://Corp:bob?secret=bbb1912bb5c515be&issuer=Corp&pin=HE4TSOI",
                None,
            ),
            // Aegis: `motp:` and an absolute path, no PIN.
            (
                "motp:/Corp%3Abob?secret=bbb1912bb5c515be&issuer=Corp",
                pin("9999"),
            ),
            // Stratum: the label unescaped, no PIN.
            ("motp://Corp:bob?secret=bbb1912bb5c515be", pin("9999")),
            // andOTP: otpauth with type motp, the issuer apart.
            (
                "otpauth://motp/bob?secret=bbb1912bb5c515be&issuer=Corp",
                pin("9999"),
            ),
            // cotp.
            (
                "otpauth://motp/Corp:bob?secret=bbb1912bb5c515be&algorithm=MD5&digits=6&period=10&lock=false",
                pin("9999"),
            ),
        ];
        for (uri, given) in motp {
            let e = parse_with_pin(uri, given).unwrap_or_else(|e| panic!("{uri}: {e}"));
            assert_eq!(
                (e.issuer.as_str(), e.name.as_str()),
                ("Corp", "bob"),
                "{uri}"
            );
            assert_eq!(
                (
                    e.token.kind,
                    e.token.algorithm,
                    e.token.digits,
                    e.token.period
                ),
                (Kind::Motp, Algorithm::MD5, 6, 10)
            );
            assert_eq!(
                crate::otp::generate(&e.token, 1_659_540_020),
                "ced7b1",
                "{uri}"
            );
            assert_eq!(parse(&format(&e)), Ok(e), "{uri}");
        }
        // A PIN that is not ASCII survives the round trip.
        let e = parse("motp://x?secret=00ff&pin=2C75BOGQXU").unwrap();
        assert_eq!(e.token.pin.as_ref().map(Pin::as_str), Some("пин"));
        assert_eq!(parse(&format(&e)), Ok(e));
    }

    #[test]
    fn a_yandex_or_motp_uri_that_cannot_give_the_right_codes_is_refused() {
        use UriError::*;
        let with = |uri: &str, p: &str| parse_with_pin(uri, Some(Pin::new(p.into())));
        assert_eq!(
            parse("otpauth://yaotp/Yandex:alice?secret=LA2V6KMCGYMWWVEW64RNP3JA3I"),
            Err(NoPin {
                kind: "Yandex.Key",
                label: "Yandex:alice".into()
            })
        );
        assert_eq!(
            parse("motp:/Corp%3Abob?secret=bbb1912bb5c515be"),
            Err(NoPin {
                kind: "mOTP",
                label: "Corp:bob".into()
            })
        );
        assert_eq!(
            with("motp://x?secret=bbb1912bb5c515be&pin=HE4TSOI", "1"),
            Err(TwoPins)
        );
        assert_eq!(parse("motp://x?secret=bbb1912bb5c515be&pin=1"), Err(BadPin));
        // A PIN with a kind that has none.
        assert!(with("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", "1").is_err());
        let refused = [
            // A mistyped character: the checksum catches it.
            "otpauth://yaotp/a?secret=MA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI&pin=G42TQNQ",
            // Neither of Yandex's lengths.
            "otpauth://yaotp/a?secret=LA2V6KMCGYMWWVEW64RNP3JA&pin=G42TQNQ",
            // Not the scheme's parameters.
            "otpauth://yaotp/a?secret=LA2V6KMCGYMWWVEW64RNP3JA3I&pin=G42TQNQ&digits=6",
            "otpauth://yaotp/a?secret=LA2V6KMCGYMWWVEW64RNP3JA3I&pin=G42TQNQ&algorithm=SHA1",
            "otpauth://motp/a?secret=bbb1912bb5c515be&pin=HE4TSOI&period=30",
            "otpauth://motp/a?secret=bbb1912bb5c515be&pin=HE4TSOI&algorithm=SHA1",
            // Upper case (an app that hashes it as written would differ), odd
            // length, not hex.
            "motp://a?secret=BBB1912BB5C515BE&pin=HE4TSOI",
            "motp://a?secret=bbb1912bb5c515b&pin=HE4TSOI",
            "motp://a?secret=asdasddasadsadsadsads2133&pin=HE4TSOI",
        ];
        for uri in refused {
            let text = parse(uri).expect_err(uri).to_string();
            for secret in [
                "A2V6K", "bbb1912", "BBB1912", "asdasd", "7586", "9999", "HE4TSOI",
            ] {
                assert!(!text.contains(secret), "{uri}: {text}");
            }
        }
        assert!(
            parse(refused[0])
                .unwrap_err()
                .to_string()
                .contains("checksum")
        );
        assert!(
            parse(refused[6])
                .unwrap_err()
                .to_string()
                .contains("lower-case")
        );
    }

    #[test]
    fn format_is_canonical() {
        let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let e = Entry::new("Big Co", "alice@example.com", Token::totp(secret.clone()));
        assert_eq!(
            format(&e),
            "otpauth://totp/Big%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Big%20Co&algorithm=SHA1&digits=6&period=30"
        );
        let mut t = Token::totp(secret);
        t.kind = Kind::Hotp;
        t.counter = 42;
        let e = Entry::new("", "a:b", t);
        assert_eq!(
            format(&e),
            "otpauth://hotp/:a%3Ab?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&counter=42"
        );
        assert_eq!(parse(&format(&e)), Ok(e));
    }

    #[test]
    fn fixture_roundtrip_strings_survive_format() {
        let all = cases();
        for uri in all["roundtrip_exact"]["uris"].as_array().unwrap() {
            let e = ok(uri.as_str().unwrap());
            assert_eq!(parse(&format(&e)), Ok(e));
        }
    }

    fn text() -> impl Strategy<Value = String> {
        // Printable text with the characters that need care in a URI.
        proptest::string::string_regex("[a-zA-Z0-9 :@%&=?#+/é😀-]{0,12}").unwrap()
    }

    prop_compose! {
        fn entry()(
            kind in prop_oneof![Just(Kind::Totp), Just(Kind::Hotp), Just(Kind::Steam), Just(Kind::Yandex), Just(Kind::Motp)],
            pin in "[0-9a-zA-Zé😀 %&=+]{1,10}",
            alg in prop_oneof![Just(Algorithm::SHA1), Just(Algorithm::SHA256), Just(Algorithm::SHA512)],
            digits in 6u8..=10,
            period in 1u64..=u64::MAX,
            counter in any::<u64>(),
            bytes in proptest::collection::vec(any::<u8>(), 1..70),
            issuer in text(),
            name in text(),
        ) -> Entry {
            let (alg, digits, period, mut bytes) = match kind {
                Kind::Steam => (Algorithm::SHA1, 5, period, bytes),
                Kind::Hotp => (alg, digits, DEFAULT_PERIOD, bytes),
                Kind::Yandex => (Algorithm::SHA256, 8, 30, bytes),
                Kind::Motp => (Algorithm::MD5, 6, 10, bytes),
                Kind::Totp => (alg, digits, period, bytes),
            };
            if kind == Kind::Yandex {
                bytes.resize(16, 7);
            }
            let counter = if kind == Kind::Hotp { counter } else { 0 };
            let pin = kind.has_pin().then(|| Pin::new(pin));
            let token = Token { kind, algorithm: alg, digits, period, counter, secret: Secret::new(bytes), pin };
            // Leading spaces after "issuer:" are optional padding in the format.
            let name = if issuer.is_empty() { name } else { name.trim_start_matches(' ').to_string() };
            let issuer = if issuer.is_empty() && name.is_empty() { "x".into() } else { issuer };
            Entry::new(issuer, name, token)
        }
    }

    fn valid_uri() -> impl Strategy<Value = String> {
        entry().prop_map(|e| format(&e))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn roundtrip(e in entry()) {
            prop_assert_eq!(parse(&format(&e)), Ok(e));
        }

        #[test]
        fn no_panic_on_arbitrary_strings(s in any::<String>()) {
            let _ = parse(&s);
            let _ = parse(&format!("otpauth://{s}"));
            let _ = parse(&format!("otpauth://totp/{s}"));
        }

        #[test]
        fn no_panic_on_mutated_uris(
            uri in valid_uri(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>(), 0u8..3), 1..6),
        ) {
            let mut chars: Vec<char> = uri.chars().collect();
            for (at, c, op) in edits {
                let i = at.index(chars.len() + 1);
                match op {
                    0 => chars.insert(i, c),
                    1 if i < chars.len() => { chars.remove(i); }
                    _ if i < chars.len() => chars[i] = c,
                    _ => {}
                }
            }
            let mutated: String = chars.into_iter().collect();
            if let Ok(e) = parse(&mutated) {
                prop_assert!(e.token.validate().is_ok());
            }
        }
    }
}
