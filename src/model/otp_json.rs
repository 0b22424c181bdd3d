//! otp's JSON export schema, version 1 (`otp export --format json`): one
//! definition, written by export/json.rs and read by import/otp_json.rs.
//!
//! ```json
//! {
//!   "format": "otp-json",
//!   "version": 1,
//!   "created": "2025-01-02T03:04:05Z",
//!   "tool": "otp 0.1.0",
//!   "accounts": [
//!     {
//!       "id": "abcd2345", "issuer": "GitHub", "name": "alice",
//!       "type": "totp", "algorithm": "SHA1", "digits": 6, "period": 30,
//!       "counter": 0, "secret": "JBSWY3DPEHPK3PXP",
//!       "created": "...", "updated": "...",
//!       "note": "...", "tags": ["work"],
//!       "recovery_codes": [{"code": "...", "added": "...", "used": null}]
//!     }
//!   ]
//! }
//! ```
//!
//! Readers (import/otp_json.rs) need only `format`, `version`,
//! and per account `type` and `secret`; missing `algorithm`, `digits`,
//! `period` and `counter` take the otpauth defaults (SHA1, 6 — 5 for steam —,
//! 30, 0), a missing `id` or time gets a fresh one. Unknown fields are
//! ignored, so later minor additions stay readable; a breaking change bumps
//! `version`, and readers refuse versions they do not know.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use super::{Account, RecoveryCode};

pub const FORMAT_NAME: &str = "otp-json";
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
pub struct Document {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub tool: Option<String>,
    pub accounts: Vec<JsonAccount>,
}

#[derive(Serialize, Deserialize)]
pub struct JsonAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub algorithm: Option<String>,
    #[serde(default)]
    pub digits: Option<u64>,
    #[serde(default)]
    pub period: Option<u64>,
    #[serde(default)]
    pub counter: Option<u64>,
    /// Base32; wiped when dropped.
    pub secret: Zeroizing<String>,
    /// Yandex.Key and mOTP only; wiped when dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<JsonRecoveryCode>,
}

#[derive(Serialize, Deserialize)]
pub struct JsonRecoveryCode {
    /// Wiped when dropped.
    pub code: Zeroizing<String>,
    #[serde(default)]
    pub added: Option<String>,
    #[serde(default)]
    pub used: Option<String>,
}

/// A time as the schema writes it (RFC 3339).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

impl JsonAccount {
    pub fn from_account(a: &Account) -> Self {
        JsonAccount {
            id: Some(a.id.clone()),
            issuer: a.issuer.clone(),
            name: a.name.clone(),
            kind: a.kind.as_str().to_string(),
            algorithm: Some(a.algorithm.as_str().to_string()),
            digits: Some(a.digits.into()),
            period: Some(a.period),
            counter: Some(a.counter),
            secret: Zeroizing::new(a.secret.to_base32()),
            pin: a
                .pin
                .as_ref()
                .map(|p| Zeroizing::new(p.as_str().to_string())),
            created: Some(rfc3339(a.created)),
            updated: Some(rfc3339(a.updated)),
            note: a.note.clone(),
            tags: a.tags.clone(),
            recovery_codes: a.recovery_codes.iter().map(code_to_json).collect(),
        }
    }
}

fn code_to_json(c: &RecoveryCode) -> JsonRecoveryCode {
    JsonRecoveryCode {
        code: c.code.clone(),
        added: Some(rfc3339(c.added)),
        used: c.used.map(rfc3339),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};

    /// Compiles only for types that wipe themselves when dropped.
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}

    #[test]
    fn the_export_structs_wipe_their_secrets() {
        let t = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        let mut a = Account::from_entry(
            Entry::new("GitHub", "alice", t),
            "id".into(),
            OffsetDateTime::UNIX_EPOCH,
        );
        a.recovery_codes.push(RecoveryCode {
            code: Zeroizing::new("1234-5678".into()),
            added: OffsetDateTime::UNIX_EPOCH,
            used: None,
        });
        let json = JsonAccount::from_account(&a);
        wiped_on_drop(&json.secret);
        wiped_on_drop(&json.recovery_codes[0].code);
        assert_eq!(json.secret.as_str(), "JBSWY3DPEHPK3PXP");
    }
}
