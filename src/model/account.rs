//! What an account is, in the vault and on its way in.
//!
//! `Entry` is an account as parsers and importers produce it (no id, no
//! timestamps); `Account` is an entry stored in the vault. `Secret` holds the
//! key bytes, zeroes them on drop and never prints them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// Shared key bytes. Serialized as unpadded RFC 4648 base32; `Debug` is
/// redacted; compared in constant time (for a given length).
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for Secret {}

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Unpadded upper-case base32, the form authenticator apps exchange.
    pub fn to_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    /// Parses base32 the way people paste it: any case, spaces, dashes and
    /// `=` padding are ignored. Anything else is an error, never a guess.
    pub fn from_base32(text: &str) -> Result<Self, ModelError> {
        let mut clean = Zeroizing::new(String::with_capacity(text.len()));
        for c in text.chars() {
            match c {
                ' ' | '\t' | '-' | '=' => {}
                'a'..='z' | 'A'..='Z' | '2'..='7' => clean.push(c.to_ascii_uppercase()),
                _ => return Err(ModelError::BadBase32),
            }
        }
        if clean.is_empty() {
            return Err(ModelError::EmptySecret);
        }
        // A base32 length of 1, 3 or 6 (mod 8) cannot come from whole bytes;
        // decode what can be decoded only when the tail is a valid partial group.
        let bytes = data_encoding::BASE32_NOPAD
            .decode(clean.as_bytes())
            .or_else(|_| {
                // Some issuers emit non-canonical trailing bits; accept them.
                let mut spec = data_encoding::BASE32_NOPAD.specification();
                spec.check_trailing_bits = false;
                spec.encoding()
                    .expect("valid base32 spec")
                    .decode(clean.as_bytes())
            })
            .map_err(|_| ModelError::BadBase32)?;
        if bytes.is_empty() {
            return Err(ModelError::EmptySecret);
        }
        Ok(Secret::new(bytes))
    }
}

impl Secret {
    /// An mOTP key as apps write it: lower-case hex digits, an even number
    /// of them. Its codes hash this text (otp keeps the bytes and writes
    /// them back in lower case), so upper case is refused rather than read:
    /// the app that wrote it may hash the upper-case text, and the codes
    /// would differ. Odd lengths and other characters are refused too.
    pub fn from_motp_hex(text: &str) -> Result<Self, ModelError> {
        let text = text.trim();
        let bad = |what: &str| Err(ModelError::Pinned("mOTP", what.into()));
        if text.is_empty() {
            return Err(ModelError::EmptySecret);
        }
        if text.bytes().any(|b| b.is_ascii_uppercase())
            && data_encoding::HEXLOWER_PERMISSIVE
                .decode(text.as_bytes())
                .is_ok()
        {
            return bad(
                "need their secret in lower-case hex: its codes hash the text, and an app that writes it in upper case hashes that, so otp's codes would differ (if the service gave it in lower case, add it with `otp add --motp`)",
            );
        }
        match data_encoding::HEXLOWER.decode(text.as_bytes()) {
            Ok(bytes) => Ok(Secret::new(bytes)),
            Err(_) => bad("need a secret of hex digits (0-9, a-f), an even number of them"),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The base32 text is a copy of the secret: wiped after use.
        s.serialize_str(&Zeroizing::new(self.to_base32()))
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        Secret::from_base32(&text).map_err(serde::de::Error::custom)
    }
}

/// The PIN that Yandex.Key and mOTP mix into every code: a secret like
/// the key. Kept only inside the vault; wiped when dropped; `Debug` is
/// redacted; compared in constant time (for a given length).
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    pub fn new(pin: String) -> Self {
        Pin(Zeroizing::new(pin))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Pin {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Pin {}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(redacted)")
    }
}

impl Serialize for Pin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Pin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Pin(Zeroizing::new(String::deserialize(d)?)))
    }
}

/// Errors in account parameters. Messages never contain secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    BadBase32,
    EmptySecret,
    UnknownAlgorithm(String),
    UnknownKind(String),
    Digits(u32),
    Period(u64),
    Steam(&'static str),
    /// Yandex.Key or mOTP parameters that are not the scheme's (fixed digits,
    /// period, key length, a PIN).
    Pinned(&'static str, String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::BadBase32 => write!(
                f,
                "the secret is not valid base32 (letters A-Z and digits 2-7; spaces and '=' are ignored)"
            ),
            ModelError::EmptySecret => write!(f, "the secret is empty"),
            ModelError::UnknownAlgorithm(a) => {
                write!(f, "unknown algorithm '{a}' (use SHA1, SHA256 or SHA512)")
            }
            ModelError::UnknownKind(k) => {
                write!(
                    f,
                    "unknown OTP type '{k}' (use totp, hotp, steam, yandex or motp)"
                )
            }
            ModelError::Digits(d) => write!(f, "{d} digits is out of range (6 to 10)"),
            ModelError::Period(p) => {
                write!(f, "a period of {p} seconds is invalid (must be at least 1)")
            }
            ModelError::Steam(what) => write!(f, "Steam Guard accounts {what}"),
            ModelError::Pinned(kind, what) => write!(f, "{kind} accounts {what}"),
        }
    }
}

impl std::error::Error for ModelError {}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Totp,
    Hotp,
    Steam,
    /// Yandex.Key: 8 letters from the key and a PIN, every 30 s.
    Yandex,
    /// Mobile-OTP: 6 hex digits from the key and a PIN, every 10 s.
    Motp,
}

impl Kind {
    /// Kinds whose codes mix in a PIN.
    pub fn has_pin(self) -> bool {
        matches!(self, Kind::Yandex | Kind::Motp)
    }

    /// Kinds whose code changes with the time (all but HOTP).
    pub fn is_timed(self) -> bool {
        self != Kind::Hotp
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Totp => "totp",
            Kind::Hotp => "hotp",
            Kind::Steam => "steam",
            Kind::Yandex => "yandex",
            Kind::Motp => "motp",
        }
    }
}

impl FromStr for Kind {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        match s.to_ascii_lowercase().as_str() {
            "totp" => Ok(Kind::Totp),
            "hotp" => Ok(Kind::Hotp),
            "steam" => Ok(Kind::Steam),
            "yandex" => Ok(Kind::Yandex),
            "motp" => Ok(Kind::Motp),
            _ => Err(ModelError::UnknownKind(s.to_string())),
        }
    }
}

/// The hash a token's codes come from. TOTP and HOTP choose one of the
/// three HMACs; the other kinds fix it: Steam Guard SHA1, Yandex.Key
/// SHA256, mOTP MD5 (plain MD5 of time, key and PIN, the scheme's own;
/// nothing else may use it).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    #[default]
    SHA1,
    SHA256,
    SHA512,
    /// mOTP only: [`Token::validate`] refuses it for every other kind, and
    /// [`Algorithm::from_str`] never reads it (a file's `algorithm` field
    /// chooses an HMAC; mOTP's hash comes with the kind).
    MD5,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::SHA1 => "SHA1",
            Algorithm::SHA256 => "SHA256",
            Algorithm::SHA512 => "SHA512",
            Algorithm::MD5 => "MD5",
        }
    }
}

impl FromStr for Algorithm {
    type Err = ModelError;
    /// Accepts `SHA1`, `sha-256`, `HmacSHA512` and the like; anything else
    /// (`MD5` too: it is no HMAC a TOTP/HOTP account can choose) is an error.
    fn from_str(s: &str) -> Result<Self, ModelError> {
        let norm: String = s
            .trim()
            .to_ascii_uppercase()
            .trim_start_matches("HMAC")
            .trim_start_matches('-')
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect();
        match norm.as_str() {
            "SHA1" => Ok(Algorithm::SHA1),
            "SHA256" => Ok(Algorithm::SHA256),
            "SHA512" => Ok(Algorithm::SHA512),
            _ => Err(ModelError::UnknownAlgorithm(s.to_string())),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const STEAM_DIGITS: u8 = 5;
/// Yandex.Key: letters per code, seconds per code, the key's bytes.
pub const YANDEX_DIGITS: u8 = 8;
pub const YANDEX_PERIOD: u64 = 30;
pub const YANDEX_KEY_LEN: usize = 16;
/// mOTP: hex digits per code, seconds per code.
pub const MOTP_DIGITS: u8 = 6;
pub const MOTP_PERIOD: u64 = 10;
pub const DEFAULT_PERIOD: u64 = 30;
pub const DEFAULT_DIGITS: u8 = 6;

/// Everything needed to compute a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub algorithm: Algorithm,
    pub digits: u8,
    /// Seconds per code (TOTP, Steam); ignored by HOTP.
    pub period: u64,
    /// Next counter value to use (HOTP); 0 otherwise.
    pub counter: u64,
    pub secret: Secret,
    /// Yandex.Key and mOTP only.
    pub pin: Option<Pin>,
}

impl Token {
    /// A TOTP token with the usual defaults (SHA1, 6 digits, 30 s).
    pub fn totp(secret: Secret) -> Self {
        Token {
            kind: Kind::Totp,
            algorithm: Algorithm::SHA1,
            digits: DEFAULT_DIGITS,
            period: DEFAULT_PERIOD,
            counter: 0,
            secret,
            pin: None,
        }
    }

    /// An mOTP token: the key's bytes (users see them as hex) and the PIN.
    pub fn motp(secret: Secret, pin: Pin) -> Self {
        Token {
            kind: Kind::Motp,
            algorithm: Algorithm::MD5,
            digits: MOTP_DIGITS,
            period: MOTP_PERIOD,
            counter: 0,
            secret,
            pin: Some(pin),
        }
    }

    /// Checks that a code can be computed from these parameters without a
    /// silent default or a panic.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.secret.bytes().is_empty() {
            return Err(ModelError::EmptySecret);
        }
        match self.kind {
            Kind::Steam => {
                if self.digits != STEAM_DIGITS {
                    return Err(ModelError::Steam("always have 5 characters"));
                }
                if self.algorithm != Algorithm::SHA1 {
                    return Err(ModelError::Steam("always use SHA1"));
                }
                if self.period == 0 {
                    return Err(ModelError::Period(0));
                }
            }
            Kind::Yandex | Kind::Motp => return self.validate_pinned(),
            Kind::Totp | Kind::Hotp => {
                if self.algorithm == Algorithm::MD5 {
                    return Err(ModelError::UnknownAlgorithm("MD5".into()));
                }
                if !(6..=10).contains(&self.digits) {
                    return Err(ModelError::Digits(self.digits.into()));
                }
                if self.kind == Kind::Totp && self.period == 0 {
                    return Err(ModelError::Period(0));
                }
            }
        }
        if self.pin.is_some() {
            return Err(ModelError::Pinned(
                "only Yandex.Key and mOTP",
                "have a PIN".into(),
            ));
        }
        Ok(())
    }

    /// Yandex.Key and mOTP fix every parameter but the key and the PIN:
    /// anything else would give codes the service does not expect.
    fn validate_pinned(&self) -> Result<(), ModelError> {
        let (title, digits, period, algorithm) = match self.kind {
            Kind::Yandex => (
                "Yandex.Key",
                YANDEX_DIGITS,
                YANDEX_PERIOD,
                Algorithm::SHA256,
            ),
            _ => ("mOTP", MOTP_DIGITS, MOTP_PERIOD, Algorithm::MD5),
        };
        let bad = |what: String| Err(ModelError::Pinned(title, what));
        if self.digits != digits {
            return bad(format!("always have {digits} characters"));
        }
        if self.period != period {
            return bad(format!("always change every {period} seconds"));
        }
        if self.algorithm != algorithm {
            return bad(format!("always use {algorithm}"));
        }
        if self.kind == Kind::Yandex && self.secret.bytes().len() != YANDEX_KEY_LEN {
            return bad("have a 16-byte key".into());
        }
        match &self.pin {
            Some(pin) if !pin.as_str().is_empty() => Ok(()),
            _ => bad("need a PIN (the one the service gave with the secret)".into()),
        }
    }

    /// Its key and way of computing codes, as a hash key ([`Generator`]).
    pub fn generator(&self) -> Generator<'_> {
        Generator::new(
            self.kind,
            self.algorithm,
            self.digits,
            self.period,
            self.secret.bytes(),
            self.pin.as_ref(),
        )
    }

    /// Same key and same way of computing codes (the counter aside).
    pub fn same_generator(&self, other: &Token) -> bool {
        self.kind == other.kind
            && self.algorithm == other.algorithm
            && self.digits == other.digits
            && (self.kind == Kind::Hotp || self.period == other.period)
            && self.secret == other.secret
            && self.pin == other.pin
    }
}

/// What [`Token::same_generator`] compares, as a hash key: two tokens are
/// the same generator exactly when their keys are equal. It borrows the
/// secret (no copy), so sets of them find duplicates in one pass where
/// comparing every pair would take time quadratic in the accounts.
#[derive(PartialEq, Eq, Hash)]
pub struct Generator<'a> {
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
    /// 0 for HOTP, whose period does not count.
    period: u64,
    secret: &'a [u8],
    pin: Option<&'a str>,
}

impl fmt::Debug for Generator<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Generator(redacted)")
    }
}

impl<'a> Generator<'a> {
    fn new(
        kind: Kind,
        algorithm: Algorithm,
        digits: u8,
        period: u64,
        secret: &'a [u8],
        pin: Option<&'a Pin>,
    ) -> Self {
        Generator {
            kind,
            algorithm,
            digits,
            period: if kind == Kind::Hotp { 0 } else { period },
            secret,
            pin: pin.map(Pin::as_str),
        }
    }
}

/// An account on its way into the vault: what parsers and importers produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub issuer: String,
    pub name: String,
    pub token: Token,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub recovery_codes: Vec<RecoveryCode>,
}

impl Entry {
    pub fn new(issuer: impl Into<String>, name: impl Into<String>, token: Token) -> Self {
        Entry {
            issuer: issuer.into(),
            name: name.into(),
            token,
            note: None,
            tags: Vec::new(),
            recovery_codes: Vec::new(),
        }
    }

    /// `issuer:name`, or just the name when there is no issuer.
    pub fn label(&self) -> String {
        label(&self.issuer, &self.name)
    }
}

/// `issuer:name`, or whichever of the two is not empty.
pub fn label(issuer: &str, name: &str) -> String {
    match (issuer.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (false, true) => issuer.to_string(),
        (false, false) => format!("{issuer}:{name}"),
    }
}

/// A one-time recovery code a service handed out at 2FA setup.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCode {
    /// Wiped when dropped (a change keeps a copy of the vault to compare
    /// with, see `cmd::Ctx::update`); `(redacted)` in `Debug`.
    pub code: Zeroizing<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub added: OffsetDateTime,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub used: Option<OffsetDateTime>,
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCode")
            .field("code", &"(redacted)")
            .field("added", &self.added)
            .field("used", &self.used)
            .finish()
    }
}

/// An account as stored in the vault (schema version 1).
///
/// Read through [`StoredAccount`]: an mOTP account written before mOTP's
/// hash was named MD5 carries `algorithm = "SHA1"`, which never took part in
/// its codes; it is read as MD5, so such a vault opens as it always did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredAccount")]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub name: String,
    pub secret: Secret,
    #[serde(rename = "type")]
    pub kind: Kind,
    #[serde(default)]
    pub algorithm: Algorithm,
    pub digits: u8,
    pub period: u64,
    #[serde(default)]
    pub counter: u64,
    /// Yandex.Key and mOTP only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<RecoveryCode>,
}

/// [`Account`] as the vault's TOML holds it, before the one rewrite
/// reading makes (mOTP's unused `SHA1` becomes its `MD5`).
#[derive(Deserialize)]
struct StoredAccount {
    id: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    name: String,
    secret: Secret,
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default)]
    algorithm: Algorithm,
    digits: u8,
    period: u64,
    #[serde(default)]
    counter: u64,
    #[serde(default)]
    pin: Option<Pin>,
    #[serde(with = "time::serde::rfc3339")]
    created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated: OffsetDateTime,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    recovery_codes: Vec<RecoveryCode>,
}

impl From<StoredAccount> for Account {
    fn from(s: StoredAccount) -> Self {
        let algorithm = match (s.kind, s.algorithm) {
            (Kind::Motp, Algorithm::SHA1) => Algorithm::MD5,
            (_, algorithm) => algorithm,
        };
        Account {
            id: s.id,
            issuer: s.issuer,
            name: s.name,
            secret: s.secret,
            kind: s.kind,
            algorithm,
            digits: s.digits,
            period: s.period,
            counter: s.counter,
            pin: s.pin,
            created: s.created,
            updated: s.updated,
            note: s.note,
            tags: s.tags,
            recovery_codes: s.recovery_codes,
        }
    }
}

impl Account {
    pub fn from_entry(entry: Entry, id: String, now: OffsetDateTime) -> Self {
        let Entry {
            issuer,
            name,
            token,
            note,
            tags,
            recovery_codes,
        } = entry;
        Account {
            id,
            issuer,
            name,
            secret: token.secret,
            kind: token.kind,
            algorithm: token.algorithm,
            digits: token.digits,
            period: token.period,
            counter: token.counter,
            pin: token.pin,
            created: now,
            updated: now,
            note,
            tags,
            recovery_codes,
        }
    }

    /// [`Token::generator`] without building the token.
    pub fn generator(&self) -> Generator<'_> {
        Generator::new(
            self.kind,
            self.algorithm,
            self.digits,
            self.period,
            self.secret.bytes(),
            self.pin.as_ref(),
        )
    }

    pub fn token(&self) -> Token {
        Token {
            kind: self.kind,
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            counter: self.counter,
            secret: self.secret.clone(),
            pin: self.pin.clone(),
        }
    }

    pub fn to_entry(&self) -> Entry {
        Entry {
            issuer: self.issuer.clone(),
            name: self.name.clone(),
            token: self.token(),
            note: self.note.clone(),
            tags: self.tags.clone(),
            recovery_codes: self.recovery_codes.clone(),
        }
    }

    pub fn label(&self) -> String {
        label(&self.issuer, &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_is_forgiving_about_case_spaces_and_padding() {
        let a = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let b = Secret::from_base32("jbsw y3dp ehpk 3pxp").unwrap();
        let c = Secret::from_base32("JBSWY3DPEHPK3PXP====").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.bytes(), b"Hello!\xde\xad\xbe\xef");
        assert_eq!(a.to_base32(), "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn base32_rejects_garbage_and_empty() {
        assert_eq!(Secret::from_base32("JBSW1"), Err(ModelError::BadBase32));
        assert_eq!(Secret::from_base32("  "), Err(ModelError::EmptySecret));
        assert!(Secret::from_base32("ABC!").is_err());
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(format!("{s:?}"), "Secret(redacted)");
        let t = Token::totp(s);
        assert!(!format!("{t:?}").contains("JBSW"));
    }

    #[test]
    fn recovery_code_debug_is_redacted() {
        let mut e = Entry::new("Bank", "alice", Token::totp(Secret::new(vec![1; 10])));
        e.recovery_codes.push(RecoveryCode {
            code: Zeroizing::new("wxyz-9876".into()),
            added: OffsetDateTime::UNIX_EPOCH,
            used: None,
        });
        for shown in [format!("{:?}", e.recovery_codes[0]), format!("{e:?}")] {
            assert!(
                !shown.contains("wxyz") && !shown.contains("9876"),
                "{shown}"
            );
            assert!(shown.contains("redacted"), "{shown}");
        }
    }

    #[test]
    fn secrets_are_equal_by_their_bytes() {
        let s = Secret::new(vec![1, 2, 3]);
        assert_eq!(s, Secret::new(vec![1, 2, 3]));
        assert_ne!(s, Secret::new(vec![1, 2, 4]));
        assert_ne!(s, Secret::new(vec![1, 2]));
        assert_ne!(s, Secret::new(vec![1, 2, 3, 0]));
    }

    proptest::proptest! {
        /// The hash key and the pairwise rule say the same.
        #[test]
        fn generator_keys_agree_with_same_generator(
            a in (0usize..3, 0usize..2, 6u8..8, 29u64..31, 0u64..2, proptest::collection::vec(0u8..2, 1..3)),
            b in (0usize..3, 0usize..2, 6u8..8, 29u64..31, 0u64..2, proptest::collection::vec(0u8..2, 1..3)),
        ) {
            let token = |(k, alg, digits, period, counter, secret): (usize, usize, u8, u64, u64, Vec<u8>)| Token {
                kind: [Kind::Totp, Kind::Hotp, Kind::Steam][k],
                algorithm: [Algorithm::SHA1, Algorithm::SHA256][alg],
                digits,
                period,
                counter,
                secret: Secret::new(secret),
                pin: None,
            };
            let (a, b) = (token(a), token(b));
            proptest::prop_assert_eq!(a.same_generator(&b), a.generator() == b.generator());
        }
    }

    #[test]
    fn algorithm_parsing_is_strict() {
        assert_eq!("sha256".parse(), Ok(Algorithm::SHA256));
        assert_eq!("SHA-512".parse(), Ok(Algorithm::SHA512));
        assert_eq!("HmacSHA1".parse(), Ok(Algorithm::SHA1));
        assert!("MD5".parse::<Algorithm>().is_err());
        assert!("".parse::<Algorithm>().is_err());
    }

    #[test]
    fn validation_rejects_what_would_panic_or_mislead() {
        let s = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let mut t = Token::totp(s);
        assert!(t.validate().is_ok());
        t.digits = 11;
        assert_eq!(t.validate(), Err(ModelError::Digits(11)));
        t.digits = 5;
        assert!(t.validate().is_err());
        t.digits = 10;
        t.period = 0;
        assert_eq!(t.validate(), Err(ModelError::Period(0)));
        t.kind = Kind::Hotp;
        assert!(t.validate().is_ok());
    }

    #[test]
    fn md5_is_motp_s_alone() {
        let mut t = Token::motp(Secret::new(vec![1; 8]), Pin::new("1234".into()));
        assert_eq!(t.algorithm, Algorithm::MD5);
        assert!(t.validate().is_ok());
        t.algorithm = Algorithm::SHA1;
        assert!(t.validate().is_err());
        for kind in [Kind::Totp, Kind::Hotp, Kind::Steam] {
            let mut t = Token::totp(Secret::new(vec![1; 10]));
            t.kind = kind;
            t.digits = if kind == Kind::Steam { STEAM_DIGITS } else { 6 };
            assert!(t.validate().is_ok());
            t.algorithm = Algorithm::MD5;
            assert!(t.validate().is_err(), "{kind:?}");
        }
        assert!("MD5".parse::<Algorithm>().is_err());
    }

    #[test]
    fn an_motp_account_stored_with_sha1_is_read_as_md5() {
        let stored = |kind: &str, algorithm: &str| {
            toml::from_str::<Account>(&format!(
                "id = \"a\"\nsecret = \"JBSWY3DPEHPK3PXP\"\ntype = \"{kind}\"\n\
                 algorithm = \"{algorithm}\"\ndigits = 6\nperiod = 10\npin = \"1234\"\n\
                 created = \"2026-01-01T00:00:00Z\"\nupdated = \"2026-01-01T00:00:00Z\"\n"
            ))
            .unwrap()
        };
        for algorithm in ["SHA1", "MD5"] {
            let a = stored("motp", algorithm);
            assert_eq!(a.algorithm, Algorithm::MD5, "{algorithm}");
            assert!(a.token().validate().is_ok());
            let written = toml::to_string(&a).unwrap();
            assert!(written.contains("algorithm = \"MD5\""), "{written}");
        }
        // Nothing else is rewritten.
        assert_eq!(stored("totp", "SHA1").algorithm, Algorithm::SHA1);
        assert_eq!(stored("totp", "SHA256").algorithm, Algorithm::SHA256);
    }

    #[test]
    fn label_joins_issuer_and_name() {
        assert_eq!(label("GitHub", "alice"), "GitHub:alice");
        assert_eq!(label("", "alice"), "alice");
        assert_eq!(label("GitHub", ""), "GitHub");
    }
}
