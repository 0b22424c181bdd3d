//! Writes otp's JSON export (`otp export --format json`); the schema is
//! `model::otp_json`.

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::model::Account;
use crate::model::otp_json::{Document, FORMAT_NAME, JsonAccount, VERSION, rfc3339};

/// The JSON export of `accounts`, pretty-printed, ending in a newline.
pub fn to_text(accounts: &[Account], now: OffsetDateTime) -> Zeroizing<String> {
    let doc = Document {
        format: FORMAT_NAME.into(),
        version: VERSION,
        created: Some(rfc3339(now)),
        tool: Some(super::tool_version()),
        accounts: accounts.iter().map(JsonAccount::from_account).collect(),
    };
    let mut text =
        Zeroizing::new(serde_json::to_string_pretty(&doc).expect("the schema always serializes"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};

    #[test]
    fn writes_every_field_of_the_schema() {
        let t = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        let mut e = Entry::new("GitHub", "alice", t);
        e.note = Some("n".into());
        e.tags = vec!["work".into()];
        let a = Account::from_entry(e, "abcd2345".into(), OffsetDateTime::UNIX_EPOCH);
        let text = to_text(&[a], OffsetDateTime::UNIX_EPOCH);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["format"], "otp-json");
        assert_eq!(v["version"], 1);
        let a = &v["accounts"][0];
        for (k, want) in [
            ("id", "abcd2345"),
            ("issuer", "GitHub"),
            ("type", "totp"),
            ("algorithm", "SHA1"),
            ("secret", "JBSWY3DPEHPK3PXP"),
            ("created", "1970-01-01T00:00:00Z"),
            ("note", "n"),
        ] {
            assert_eq!(a[k], want, "{k}");
        }
        assert_eq!(a["digits"], 6);
        assert_eq!(a["period"], 30);
        assert_eq!(a["counter"], 0);
        assert_eq!(a["tags"][0], "work");
    }
}
