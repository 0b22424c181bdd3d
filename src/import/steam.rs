//! Steam Guard `.maFile` JSON (Steam Desktop Authenticator and friends).
//!
//! One account per file: `{"shared_secret": "<base64>", "account_name", …}`;
//! some tools wrap several as `{"accounts": {"<id>": {…maFile…}}}`. The
//! shared secret is the TOTP key of a Steam token (5 characters, SHA1, 30 s).
//! Encrypted SDA maFiles (base64 blob plus a separate manifest.json holding
//! the salt and IV) cannot be read from a single file and are refused.

use serde_json::Value;

use super::shared::entry::{Collector, Params, base64};
use super::shared::json::{self, object, opt_str};
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "steam",
    title: "Steam Guard maFile",
    detect,
    parse,
};

const WHAT: &str = "Steam maFile";

fn is_mafile(v: &Value) -> bool {
    v.get("shared_secret").is_some_and(Value::is_string)
}

fn detect(data: &[u8]) -> bool {
    let Some(v) = json::sniff(data) else {
        return false;
    };
    is_mafile(&v)
        || v.get("accounts")
            .and_then(Value::as_object)
            .is_some_and(|a| a.values().any(is_mafile))
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    if !data.contains(&b'{') && !data.is_empty() {
        return Err(ImportError::Unsupported(format!(
            "{WHAT}: this looks like an encrypted Steam Desktop Authenticator file; \
             decrypt it in SDA first (Manage Encryption → remove encryption)"
        )));
    }
    let root = json::parse(data, WHAT)?;
    let mut out = Collector::new();
    if is_mafile(&root) {
        push(&root, &mut out);
    } else {
        let accounts = root
            .get("accounts")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                ImportError::malformed(format!("{WHAT}: no shared_secret and no accounts"))
            })?;
        for a in accounts.values() {
            push(a, &mut out);
        }
    }
    Ok(out.finish())
}

fn push(v: &Value, out: &mut Collector) {
    let Ok(o) = object(v, "account") else {
        return out.skip("Steam account".into(), "not a JSON object");
    };
    let name = opt_str(o, "account_name")
        .ok()
        .flatten()
        .unwrap_or("")
        .to_string();
    let entry = opt_str(o, "shared_secret")
        .and_then(|s| s.ok_or_else(|| "shared_secret is missing".to_string()))
        .and_then(base64)
        .and_then(|secret| Params::steam().entry("Steam", &name, secret));
    out.push(crate::model::label("Steam", &name), entry);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn both_layouts() {
        let mut want = canonical(&[7]);
        want[0].issuer = "Steam".into();
        for f in ["imp2/aegis/steam.json", "imp2/aegis/steam_old.json"] {
            let p = parse_ok(&FORMAT, f, &[]);
            assert_same(&p.entries, &want);
            assert_eq!(check_canonical_codes(&p.entries), 1);
        }
    }

    #[test]
    fn encrypted_sda_files_are_refused_clearly() {
        let r = parse_with(&FORMAT, b"q2l0ZXh0IG9mIGFuIGVuY3J5cHRlZCBtYWZpbGU=", &[]);
        assert!(
            matches!(r, Err(ImportError::Unsupported(m)) if m.contains("Steam Desktop Authenticator"))
        );
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/steam.json")));
        assert!(detect(&fixture("imp2/aegis/steam_old.json")));
        assert!(!detect(&fixture("imp2/aegis/duo.json")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/steam.json"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
