//! The token JSON shared by FreeOTP 1, FreeOTP+ and FreeOTP 2.
//!
//! `{"algo","counter","digits","issuerExt","issuerInt","issuerAlt","label",
//! "labelAlt","period","secret":[signed bytes],"type"}`. Absent fields take
//! FreeOTP's own defaults (SHA1, 6 digits, 30 s, counter 0), as the app does;
//! present but invalid ones are errors.

use crate::model::{Kind, label};

use super::entry::{Params, algorithm, digits, period};
use super::json::{Object, opt_i64, opt_str, signed_bytes};
use crate::model::Entry;

/// `issuer:name` the way FreeOTP shows it: the user's edits (`*Alt`) win.
pub(crate) fn display_label(o: &Object) -> (String, String) {
    let pick = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| opt_str(o, k).ok().flatten().filter(|s| !s.is_empty()))
            .unwrap_or("")
            .to_string()
    };
    (
        pick(&["issuerAlt", "issuerExt", "issuerInt"]),
        pick(&["labelAlt", "label"]),
    )
}

/// Converts one token. `secret` is given when it is stored elsewhere
/// (FreeOTP 2 encrypts it separately); otherwise it is the `secret` array.
/// Returns the label for messages together with the result.
pub(crate) fn token_entry(o: &Object, secret: Option<Vec<u8>>) -> (String, Result<Entry, String>) {
    let (issuer, name) = display_label(o);
    let shown = label(&issuer, &name);
    let result = (|| {
        let kind = match opt_str(o, "type")?
            .unwrap_or("TOTP")
            .to_ascii_uppercase()
            .as_str()
        {
            "TOTP" => Kind::Totp,
            "HOTP" => Kind::Hotp,
            other => return Err(format!("token type '{other}' is not supported")),
        };
        let mut p = Params {
            kind,
            ..Params::totp()
        };
        if let Some(a) = opt_str(o, "algo")? {
            p.algorithm = algorithm(a)?;
        }
        if let Some(d) = opt_i64(o, "digits")? {
            p.digits = digits(d)?;
        }
        if let (Kind::Totp, Some(s)) = (kind, opt_i64(o, "period")?) {
            p.period = period(s)?;
        }
        if kind == Kind::Hotp {
            p.counter = match opt_i64(o, "counter")?.unwrap_or(0) {
                // FreeOTP 1 stores "counter - 1" and computes its next code
                // from the stored value; a URI with counter=0 leaves -1, a
                // code no server accepts, so the next useful counter is 0.
                -1 => 0,
                c => u64::try_from(c).map_err(|_| "the HOTP counter is negative".to_string())?,
            };
        }
        let secret = match secret {
            Some(s) => s,
            None => signed_bytes(o, "secret")?,
        };
        p.entry(&issuer, &name, secret)
    })();
    (shown, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn conv(v: serde_json::Value) -> Result<Entry, String> {
        token_entry(v.as_object().unwrap(), None).1
    }

    #[test]
    fn defaults_apply_only_to_absent_fields() {
        let e = conv(json!({"label": "x", "secret": [1, 2, 3, 4, 5]})).unwrap();
        assert_eq!(
            (e.token.kind, e.token.digits, e.token.period),
            (Kind::Totp, 6, 30)
        );
        assert!(conv(json!({"label": "x", "algo": "MD5", "secret": [1]})).is_err());
        assert!(conv(json!({"label": "x", "digits": 12, "secret": [1]})).is_err());
        assert!(conv(json!({"label": "x", "period": 0, "secret": [1]})).is_err());
        assert!(conv(json!({"label": "x", "type": "MOTP", "secret": [1]})).is_err());
    }

    #[test]
    fn user_edits_win_and_counter_quirk() {
        let e = conv(json!({
            "issuerExt": "A", "issuerAlt": "B", "label": "l", "labelAlt": "",
            "type": "HOTP", "counter": -1, "secret": [1, 2, 3]
        }))
        .unwrap();
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str(), e.token.counter),
            ("B", "l", 0)
        );
        assert!(conv(json!({"label": "x", "type": "HOTP", "counter": -2, "secret": [1]})).is_err());
    }
}
