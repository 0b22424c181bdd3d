//! Battle.net Authenticator (Blizzard's Android app) shared preferences.
//!
//! `com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET` and `…_SERIAL` are
//! "masked" when `…_CREDENTIALS_ENCRYPTION_TYPE` is `MASK`: hex, XORed with
//! a fixed key built into the app. Unmasked, the serial is ASCII
//! (`US-2211-2050-3346`, used as the account name) and the device secret is
//! the hex of the TOTP key. Blizzard codes are 8 digits, SHA1, 30 s.

use super::shared::entry::{Collector, Params, hex};
use super::shared::prefs::{self, looks_like_prefs};
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "battle-net",
    title: "Battle.net Authenticator",
    detect,
    parse,
};

const PREFIX: &str = "com.blizzard.messenger.";
const SECRET: &str = "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET";
const SERIAL: &str = "com.blizzard.messenger.AUTHENTICATOR_SERIAL";
const KIND: &str = "com.blizzard.messenger.AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE";
const WHAT: &str = "Battle.net preferences";

/// The app's fixed masking key (a published constant of the format).
const MASK: &str = "398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6\
                    c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a";

fn detect(data: &[u8]) -> bool {
    looks_like_prefs(data) && prefs::parse(data).is_ok_and(|p| prefs::get(&p, SECRET).is_some())
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let bad = |m: String| ImportError::malformed(format!("{WHAT}: {m}"));
    let prefs = prefs::parse(data).map_err(bad)?;
    if !prefs.iter().any(|p| p.name.starts_with(PREFIX)) {
        return Err(bad("no Battle.net authenticator settings".into()));
    }
    match prefs::get(&prefs, KIND) {
        None | Some("MASK") => {}
        Some(other) => {
            return Err(ImportError::Unsupported(format!(
                "{WHAT}: credentials protected with '{other}'"
            )));
        }
    }
    let serial = prefs::get(&prefs, SERIAL)
        .ok_or_else(|| bad("no serial".into()))
        .and_then(|s| unmask(s).map_err(|e| bad(format!("serial: {e}"))))?;
    let serial = String::from_utf8(serial).map_err(|_| bad("serial: not text".into()))?;
    let mut out = Collector::new();
    let entry = prefs::get(&prefs, SECRET)
        .ok_or_else(|| "no device secret".to_string())
        .and_then(unmask)
        .and_then(|s| {
            String::from_utf8(s.to_vec()).map_err(|_| "the device secret is not text".to_string())
        })
        .and_then(|s| hex(&s))
        .and_then(|secret| {
            Params {
                digits: 8,
                ..Params::totp()
            }
            .entry("Battle.net", &serial, secret)
        });
    out.push(crate::model::label("Battle.net", &serial), entry);
    Ok(out.finish())
}

fn unmask(masked: &str) -> Result<Vec<u8>, String> {
    let key = data_encoding::HEXLOWER
        .decode(MASK.as_bytes())
        .map_err(|_| "bad mask".to_string())?;
    let bytes = hex(masked).map_err(|_| "the value is not masked hex".to_string())?;
    if bytes.len() > key.len() {
        return Err("the value is longer than the mask".into());
    }
    Ok(bytes.iter().zip(&key).map(|(b, k)| b ^ k).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn aegis_fixture() {
        let p = parse_ok(&FORMAT, "imp2/aegis/battle_net_authenticator.xml", &[]);
        assert_same(&p.entries, &canonical(&[8]));
        assert_eq!(check_canonical_codes(&p.entries), 1);
    }

    #[test]
    fn other_protection_is_unsupported() {
        let x = String::from_utf8(fixture("imp2/aegis/battle_net_authenticator.xml"))
            .unwrap()
            .replace(">MASK<", ">KEYSTORE<");
        assert!(matches!(
            parse_with(&FORMAT, x.as_bytes(), &[]),
            Err(ImportError::Unsupported(_))
        ));
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/battle_net_authenticator.xml")));
        assert!(!detect(&fixture("imp2/aegis/authy_plain.xml")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/battle_net_authenticator.xml"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
