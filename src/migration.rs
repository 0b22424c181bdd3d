//! Google Authenticator's "Transfer accounts" payloads:
//! `otpauth-migration://offline?data=<base64 protobuf>`.
//!
//! This module owns the wire format both ways: [`parse`] turns one URI into a
//! [`Batch`], [`group`] joins the parts of multi-code exports (and says which
//! part is missing), and [`encode`] writes accounts back as URIs that Google
//! Authenticator can scan, leaving out (with a [`Warning`]) accounts the format
//! cannot carry. The protobuf schema is declared with prost derives below;
//! there is no build step.

use std::collections::HashMap;
use std::fmt;

use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use prost::Message as _;
use zeroize::Zeroizing;

use crate::model::{Algorithm, DEFAULT_PERIOD, Entry, Kind, Parsed, Secret, Skipped, Token, label};

#[cfg(test)]
#[path = "migration/tests.rs"]
mod tests;

/// The URI prefix, compared case-insensitively.
pub const SCHEME: &str = "otpauth-migration://";

/// Accounts per code that phones scan reliably off a screen or a PNG
/// (Google Authenticator itself puts about ten in each code). A code drawn
/// in an 80-column terminal holds about 3.
pub const DEFAULT_PER_CODE: usize = 10;

/// Above this many protobuf bytes a code gets too dense for a phone camera,
/// whatever `max_per_code` says.
const MAX_PAYLOAD_BYTES: usize = 900;

mod proto {
    use zeroize::Zeroize;

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct MigrationPayload {
        #[prost(message, repeated, tag = "1")]
        pub otp_parameters: Vec<OtpParameters>,
        #[prost(int32, tag = "2")]
        pub version: i32,
        #[prost(int32, tag = "3")]
        pub batch_size: i32,
        #[prost(int32, tag = "4")]
        pub batch_index: i32,
        #[prost(int32, tag = "5")]
        pub batch_id: i32,
    }

    // Names are read as bytes so that one account with invalid UTF-8 does
    // not make the whole export unreadable.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct OtpParameters {
        #[prost(bytes = "vec", tag = "1")]
        pub secret: Vec<u8>,
        #[prost(bytes = "vec", tag = "2")]
        pub name: Vec<u8>,
        #[prost(bytes = "vec", tag = "3")]
        pub issuer: Vec<u8>,
        #[prost(int32, tag = "4")]
        pub algorithm: i32,
        #[prost(int32, tag = "5")]
        pub digits: i32,
        #[prost(int32, tag = "6")]
        pub kind: i32,
        #[prost(int64, tag = "7")]
        pub counter: i64,
    }

    impl Drop for OtpParameters {
        fn drop(&mut self) {
            self.secret.zeroize();
        }
    }
}

/// One decoded `otpauth-migration` URI: the accounts of one QR code.
#[derive(Debug, Default)]
pub struct Batch {
    /// Accounts, and those the payload holds that `otp` cannot compute.
    pub parsed: Parsed,
    pub version: i32,
    /// Shared by all codes of one export; 0 when the payload has none.
    pub batch_id: i32,
    /// Position of this code in its export, from 0.
    pub batch_index: i32,
    /// Number of codes in the export (0 or 1 for a single code).
    pub batch_size: i32,
}

/// An account [`encode`] left out, or wrote with a caveat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `issuer:name` of the account.
    pub label: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationError {
    /// Does not start with `otpauth-migration://offline`.
    NotMigrationUri,
    MissingData,
    EmptyData,
    BadBase64,
    BadPayload,
    /// Parts of a multi-code export are absent: `(batch_id, missing indexes, batch_size)`.
    MissingParts {
        batch_id: i32,
        missing: Vec<i32>,
        batch_size: i32,
    },
}

impl fmt::Display for MigrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrationError::NotMigrationUri => {
                write!(
                    f,
                    "not a Google Authenticator export (expected otpauth-migration://offline?data=…)"
                )
            }
            MigrationError::MissingData => {
                write!(f, "the otpauth-migration link has no data parameter")
            }
            MigrationError::EmptyData => {
                write!(f, "the otpauth-migration link has an empty data parameter")
            }
            MigrationError::BadBase64 => {
                write!(
                    f,
                    "the data of the otpauth-migration link is not valid base64 (was it cut or altered?)"
                )
            }
            MigrationError::BadPayload => write!(
                f,
                "the data of the otpauth-migration link is not a valid Google Authenticator export (damaged or truncated?)"
            ),
            MigrationError::MissingParts {
                batch_id,
                missing,
                batch_size,
            } => {
                let mut parts: Vec<String> = missing
                    .iter()
                    .map(|i| (i64::from(*i) + 1).to_string())
                    .collect();
                if parts.len() >= MAX_NAMED_PARTS {
                    parts.push("…".into());
                }
                let (noun, verb) = if parts.len() == 1 {
                    ("part", "is")
                } else {
                    ("parts", "are")
                };
                write!(
                    f,
                    "{noun} {} of {batch_size} of batch {batch_id} {verb} missing: import all QR codes of the export together",
                    parts.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for MigrationError {}

/// Whether `text` looks like a migration URI (only the scheme is checked).
pub fn is_migration_uri(text: &str) -> bool {
    text.trim_start()
        .get(..SCHEME.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(SCHEME))
}

/// Decodes one `otpauth-migration://offline?data=…` URI.
pub fn parse(uri: &str) -> Result<Batch, MigrationError> {
    let raw = payload_bytes(uri)?;
    let payload =
        proto::MigrationPayload::decode(raw.as_slice()).map_err(|_| MigrationError::BadPayload)?;
    let mut parsed = Parsed::default();
    for p in &payload.otp_parameters {
        match entry_from(p) {
            Ok(e) => parsed.entries.push(e),
            Err(s) => parsed.skipped.push(s),
        }
    }
    Ok(Batch {
        parsed,
        version: payload.version,
        batch_id: payload.batch_id,
        batch_index: payload.batch_index,
        batch_size: payload.batch_size,
    })
}

/// The protobuf bytes of the `data` parameter.
fn payload_bytes(uri: &str) -> Result<Zeroizing<Vec<u8>>, MigrationError> {
    let uri = uri.trim();
    if !is_migration_uri(uri) {
        return Err(MigrationError::NotMigrationUri);
    }
    let rest = uri
        .get(SCHEME.len()..)
        .ok_or(MigrationError::NotMigrationUri)?;
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !host.trim_end_matches('/').eq_ignore_ascii_case("offline") {
        return Err(MigrationError::NotMigrationUri);
    }
    let data = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("data="))
        .ok_or(MigrationError::MissingData)?;
    // Percent-decoding only: a literal '+' is base64 data, never a space.
    let text = Zeroizing::new(percent_decode_str(data).collect::<Vec<u8>>());
    let mut clean = Zeroizing::new(Vec::with_capacity(text.len()));
    for &b in text.iter() {
        match b {
            b'-' => clean.push(b'+'),
            b'_' => clean.push(b'/'),
            b'=' | b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => clean.push(b),
        }
    }
    if clean.is_empty() {
        return Err(MigrationError::EmptyData);
    }
    crate::base64::decode(&clean)
        .map(Zeroizing::new)
        .ok_or(MigrationError::BadBase64)
}

fn entry_from(p: &proto::OtpParameters) -> Result<Entry, Skipped> {
    let (issuer, name) = split_label(
        &String::from_utf8_lossy(&p.issuer),
        &String::from_utf8_lossy(&p.name),
    );
    let skip = |reason: String| Skipped {
        label: label(&issuer, &name),
        reason,
    };
    let algorithm = match p.algorithm {
        0 | 1 => Algorithm::SHA1,
        2 => Algorithm::SHA256,
        3 => Algorithm::SHA512,
        4 => return Err(skip("uses MD5, which otp does not support".into())),
        n => return Err(skip(format!("unknown algorithm number {n} in the export"))),
    };
    let digits = match p.digits {
        0 | 1 => 6,
        2 => 8,
        n => {
            return Err(skip(format!(
                "unknown digit count number {n} in the export"
            )));
        }
    };
    let (kind, counter) = match p.kind {
        1 => match u64::try_from(p.counter) {
            Ok(c) => (Kind::Hotp, c),
            Err(_) => return Err(skip("has a negative HOTP counter".into())),
        },
        2 => (Kind::Totp, 0),
        // Guessing TOTP could silently produce wrong codes.
        0 => {
            return Err(skip(
                "the export does not say whether it is TOTP or HOTP".into(),
            ));
        }
        n => return Err(skip(format!("unknown OTP type number {n} in the export"))),
    };
    let token = Token {
        kind,
        algorithm,
        digits,
        period: DEFAULT_PERIOD,
        counter,
        secret: Secret::new(p.secret.clone()),
        pin: None,
    };
    token.validate().map_err(|e| skip(e.to_string()))?;
    Ok(Entry::new(issuer, name, token))
}

/// Google stores `name` as `Issuer:account`, with or without the issuer field.
fn split_label(issuer: &str, name: &str) -> (String, String) {
    let (issuer, name) = (issuer.trim(), name.trim());
    if issuer.is_empty() {
        match name.split_once(':') {
            Some((i, n)) => (i.trim().to_string(), n.trim().to_string()),
            None => (String::new(), name.to_string()),
        }
    } else {
        let rest = name.strip_prefix(issuer).and_then(|r| r.strip_prefix(':'));
        (issuer.to_string(), rest.unwrap_or(name).trim().to_string())
    }
}

/// Joins decoded codes into one import, batch by batch in the order given,
/// each batch's parts in index order. The same code scanned twice counts once.
/// Fails, naming the parts, when a multi-code export is incomplete.
pub fn group(batches: Vec<Batch>) -> Result<Parsed, MigrationError> {
    let (parsed, mut incomplete) = assemble(batches);
    match incomplete.drain(..).next() {
        Some(i) => Err(i.error),
        None => Ok(parsed),
    }
}

/// [`group`] for when the other parts may come later (one screenshot per
/// code): the accounts of the parts present, and for each incomplete batch
/// one skipped entry that says exactly what happened: how many accounts the
/// parts given hold (they are imported), which parts were not given (their
/// accounts are missing), and what to do.
pub fn group_partial(batches: Vec<Batch>) -> Parsed {
    let (mut parsed, incomplete) = assemble(batches);
    for i in incomplete {
        if let MigrationError::MissingParts {
            batch_id,
            missing,
            batch_size,
        } = &i.error
        {
            let given = if i.present.is_empty() {
                "no part of it was read".to_string()
            } else {
                let (noun, verb) = if i.present.len() == 1 {
                    ("part", "was")
                } else {
                    ("parts", "were")
                };
                format!(
                    "{noun} {} {verb} read ({} entr{} in {})",
                    part_numbers(&i.present, i.present.len()),
                    i.accounts,
                    if i.accounts == 1 { "y" } else { "ies" },
                    if i.present.len() == 1 { "it" } else { "them" }
                )
            };
            let not_given = usize::try_from(*batch_size)
                .unwrap_or(usize::MAX)
                .saturating_sub(i.present.len());
            let (noun, verb) = if not_given == 1 {
                ("part", "was")
            } else {
                ("parts", "were")
            };
            parsed.skipped.push(Skipped {
                label: format!("Google Authenticator export, batch {batch_id}"),
                reason: format!(
                    "{noun} {} of {batch_size} {verb} not given, so the accounts in {} are missing; {given}. Import all QR codes of the export together",
                    part_numbers(missing, not_given),
                    if not_given == 1 { "it" } else { "them" },
                ),
            });
        }
    }
    parsed
}

/// Part indexes (from 0) as the numbers a phone shows (from 1), and `…`
/// when there are more (`total`) than listed.
fn part_numbers(parts: &[i32], total: usize) -> String {
    let mut shown: Vec<String> = parts
        .iter()
        .map(|i| (i64::from(*i) + 1).to_string())
        .collect();
    if total > parts.len() {
        shown.push("…".into());
    }
    shown.join(", ")
}

/// A batch some of whose parts were not given.
struct Incomplete {
    error: MigrationError,
    /// The parts given (indexes from 0).
    present: Vec<i32>,
    /// The entries (accounts and skipped ones) those parts hold.
    accounts: usize,
}

/// At most this many missing parts are named in an error.
const MAX_NAMED_PARTS: usize = 10;

fn assemble(batches: Vec<Batch>) -> (Parsed, Vec<Incomplete>) {
    let mut order: Vec<i32> = Vec::new();
    let mut by_id: HashMap<i32, Vec<Batch>> = HashMap::new();
    for b in batches {
        let parts = by_id.entry(b.batch_id).or_insert_with(|| {
            order.push(b.batch_id);
            Vec::new()
        });
        let duplicate = parts.iter().any(|p| {
            p.batch_index == b.batch_index
                && p.parsed.entries == b.parsed.entries
                && p.parsed.skipped == b.parsed.skipped
        });
        if !duplicate {
            parts.push(b);
        }
    }
    let mut out = Parsed::default();
    let mut incomplete = Vec::new();
    for id in order {
        let mut parts = by_id.remove(&id).unwrap_or_default();
        parts.sort_by_key(|p| p.batch_index);
        let size = parts.iter().map(|p| p.batch_size).max().unwrap_or(0);
        if size > 1 {
            // `size` comes from the code itself: never walk 0..size.
            let mut present: Vec<i32> = parts
                .iter()
                .map(|p| p.batch_index)
                .filter(|i| (0..size).contains(i))
                .collect();
            present.dedup();
            if present.len() < usize::try_from(size).unwrap_or(usize::MAX) {
                let missing = (0..size)
                    .filter(|i| !present.contains(i))
                    .take(MAX_NAMED_PARTS)
                    .collect();
                incomplete.push(Incomplete {
                    error: MigrationError::MissingParts {
                        batch_id: id,
                        missing,
                        batch_size: size,
                    },
                    accounts: parts
                        .iter()
                        .map(|p| p.parsed.entries.len() + p.parsed.skipped.len())
                        .sum(),
                    present,
                });
            }
        }
        for p in parts {
            out.entries.extend(p.parsed.entries);
            out.skipped.extend(p.parsed.skipped);
        }
    }
    (out, incomplete)
}

/// Writes `entries` as Google Authenticator export URIs, at most
/// `max_per_code` accounts per code (and never a code too dense to scan).
/// Accounts the format cannot carry are left out, each with a warning: a phone
/// would otherwise show wrong codes for them.
pub fn encode(
    entries: &[Entry],
    max_per_code: usize,
    batch_id: i32,
) -> (Vec<String>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut params = Vec::new();
    for e in entries {
        match to_params(e) {
            Ok(p) => params.push(p),
            Err(message) => warnings.push(Warning {
                label: e.label(),
                message,
            }),
        }
    }
    let chunks = chunk(params, max_per_code.max(1));
    let size = i32::try_from(chunks.len()).unwrap_or(i32::MAX);
    let uris = chunks
        .into_iter()
        .enumerate()
        .map(|(i, otp_parameters)| {
            let payload = proto::MigrationPayload {
                otp_parameters,
                version: 1,
                batch_size: size,
                batch_index: i32::try_from(i).unwrap_or(i32::MAX),
                batch_id,
            };
            let bytes = Zeroizing::new(payload.encode_to_vec());
            let b64 = Zeroizing::new(crate::base64::encode(bytes.as_slice()));
            format!(
                "{SCHEME}offline?data={}",
                utf8_percent_encode(&b64, NON_ALPHANUMERIC)
            )
        })
        .collect();
    (uris, warnings)
}

fn to_params(e: &Entry) -> Result<proto::OtpParameters, String> {
    let t = &e.token;
    t.validate().map_err(|err| format!("left out: {err}"))?;
    let (kind, counter) = match t.kind {
        Kind::Steam => {
            return Err("left out: Google Authenticator cannot hold Steam Guard accounts".into());
        }
        Kind::Yandex | Kind::Motp => {
            return Err(format!(
                "left out: Google Authenticator cannot hold {} accounts (they need a PIN)",
                if t.kind == Kind::Yandex {
                    "Yandex.Key"
                } else {
                    "mOTP"
                }
            ));
        }
        Kind::Totp if t.period != DEFAULT_PERIOD => {
            return Err(format!(
                "left out: its period is {} s and Google Authenticator only knows 30 s",
                t.period
            ));
        }
        Kind::Totp => (2, 0),
        Kind::Hotp => match i64::try_from(t.counter) {
            Ok(c) => (1, c),
            Err(_) => return Err("left out: its HOTP counter is too large for the format".into()),
        },
    };
    let digits = match t.digits {
        6 => 1,
        8 => 2,
        d => {
            return Err(format!(
                "left out: it has {d} digits and Google Authenticator only knows 6 or 8"
            ));
        }
    };
    let algorithm = match t.algorithm {
        Algorithm::SHA1 => 1,
        Algorithm::SHA256 => 2,
        Algorithm::SHA512 => 3,
        Algorithm::MD5 => return Err("left out: Google Authenticator knows no MD5".into()),
    };
    // Google Authenticator displays `name`, so it carries the issuer too.
    Ok(proto::OtpParameters {
        secret: t.secret.bytes().to_vec(),
        name: if e.issuer.is_empty() {
            e.name.clone()
        } else {
            format!("{}:{}", e.issuer, e.name)
        }
        .into_bytes(),
        issuer: e.issuer.clone().into_bytes(),
        algorithm,
        digits,
        kind,
        counter,
    })
}

fn chunk(params: Vec<proto::OtpParameters>, max: usize) -> Vec<Vec<proto::OtpParameters>> {
    let mut chunks: Vec<Vec<proto::OtpParameters>> = Vec::new();
    let mut bytes = 0;
    for p in params {
        let len = p.encoded_len() + 3;
        match chunks.last_mut() {
            Some(c) if c.len() < max && bytes + len <= MAX_PAYLOAD_BYTES => {
                bytes += len;
                c.push(p);
            }
            _ => {
                bytes = len;
                chunks.push(vec![p]);
            }
        }
    }
    chunks
}
