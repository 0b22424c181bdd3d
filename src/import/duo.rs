//! Duo Mobile's account export: a JSON array of accounts.
//!
//! Third-party accounts are `{"accountType": "OtpAccount", "name",
//! "otpGenerator": {"otpSecret": "<base32>", "counter"?}}`. With a counter the
//! account is HOTP, otherwise TOTP; Duo supports only SHA1, 6 digits, 30 s.
//! Duo's own push accounts carry no OTP secret and are listed as skipped.

use serde_json::Value;

use super::shared::entry::{Collector, Params, base32};
use super::shared::json::{self, array, object, opt_str, opt_uint, req_str};
use super::{Format, ImportError, Passwords};
use crate::model::{Kind, Parsed};

pub const FORMAT: Format = Format {
    name: "duo",
    title: "Duo Mobile export",
    detect,
    parse,
};

const WHAT: &str = "Duo export";

fn detect(data: &[u8]) -> bool {
    let Some(Value::Array(a)) = json::sniff(data) else {
        return false;
    };
    !a.is_empty()
        && a.iter()
            .all(|e| e.get("accountType").is_some() || e.get("otpGenerator").is_some())
        && a.iter()
            .any(|e| e.get("otpGenerator").is_some_and(Value::is_object))
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let root = json::parse(data, WHAT)?;
    let list =
        array(&root, "the export").map_err(|m| ImportError::malformed(format!("{WHAT}: {m}")))?;
    let mut out = Collector::new();
    for (i, a) in list.iter().enumerate() {
        let Ok(o) = object(a, "account") else {
            out.skip(format!("account #{}", i + 1), "not a JSON object");
            continue;
        };
        let name = opt_str(o, "name").ok().flatten().unwrap_or("").to_string();
        let shown = if name.is_empty() {
            format!("account #{}", i + 1)
        } else {
            name.clone()
        };
        let Some(generator) = o.get("otpGenerator") else {
            let kind = opt_str(o, "accountType")
                .ok()
                .flatten()
                .unwrap_or("unknown");
            out.skip(
                shown,
                format!("a Duo '{kind}' account has no OTP secret to export"),
            );
            continue;
        };
        let entry = object(generator, "otpGenerator").and_then(|g| {
            let secret = base32(req_str(g, "otpSecret")?)?;
            let params = match opt_uint::<u64>(g, "counter")? {
                Some(counter) => Params {
                    kind: Kind::Hotp,
                    counter,
                    ..Params::totp()
                },
                None => Params::totp(),
            };
            params.entry("", &name, secret)
        });
        out.push(shown, entry);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn aegis_fixture() {
        let p = parse_ok(&FORMAT, "imp2/aegis/duo.json", &[]);
        // Duo keeps names only; the HOTP account is stored with counter 3.
        let mut want = canonical(&[1, 4]);
        for e in &mut want {
            e.issuer.clear();
        }
        want[1].token.counter = 3;
        assert_same(&p.entries, &want);
        assert_eq!(check_canonical_codes(&p.entries), 1);
    }

    #[test]
    fn push_accounts_are_listed_as_skipped() {
        let p = parse_with(
            &FORMAT,
            br#"[{"accountType":"DuoAccount","name":"Work"}]"#,
            &[],
        )
        .unwrap();
        assert_eq!(p.skipped.len(), 1);
        assert!(p.skipped[0].reason.contains("DuoAccount"));
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/duo.json")));
        assert!(!detect(&fixture("imp2/aegis/steam.json")));
        assert!(!detect(b"[]"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/duo.json"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
