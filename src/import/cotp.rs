//! cotp's plain exports (`cotp export`): its database,
//! `{"version": 2, "elements": [{"secret", "issuer", "label", "digits",
//! "type", "algorithm", "period", "counter", "pin"}, …]}`, and its URI list
//! (`cotp export --otp-uri`), `{"items": ["otpauth://…", …]}`.
//!
//! An element is what cotp's andOTP export writes one by one, so both are
//! read by the same code (`andotp::entries`): `type` is TOTP, HOTP, STEAM,
//! YANDEX or MOTP; Yandex.Key and mOTP entries carry their `pin` (mOTP's key
//! as lower-case hex text, the others' in base32). cotp lets a user give any
//! digits and period to those two; an entry whose parameters are not the
//! scheme's is left out, saying so, as its codes are not the service's.
//! cotp's URI list holds no PIN: its Yandex.Key and mOTP links are left out,
//! named, with what to do. cotp's own encrypted database is refused with the
//! advice to export it.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::shared::json;
use super::shared::links;
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "cotp",
    title: "cotp export",
    detect,
    parse,
};

const WHAT: &str = "cotp export";

/// The database versions cotp has written (1 was a bare list, read as andOTP).
const VERSIONS: std::ops::RangeInclusive<u64> = 1..=2;

fn detect(data: &[u8]) -> bool {
    let data = json::trim_start(data);
    if data.first() != Some(&b'{') {
        return false;
    }
    match serde_json::from_slice::<json::Keys>(data) {
        Ok(keys) if keys.has("version") && (keys.has("elements") || encrypted(&keys)) => true,
        Ok(keys) if keys.has("items") => uri_list(data),
        _ => false,
    }
}

/// `{"items": [...]}` and nothing else, every item a link.
fn uri_list(data: &[u8]) -> bool {
    json::sniff_object(data).is_some_and(|map| {
        map.len() == 1
            && map
                .get("items")
                .and_then(|v| v.as_array())
                .is_some_and(|items| {
                    !items.is_empty()
                        && items.iter().all(|i| {
                            i.as_str().is_some_and(|s| {
                                links::starts_with_ignore_case(s.as_bytes(), "otpauth://")
                                    || links::starts_with_ignore_case(s.as_bytes(), "motp:")
                            })
                        })
                })
    })
}

/// cotp's encrypted database (`~/.cotp/db.cotp`).
fn encrypted(keys: &json::Keys) -> bool {
    ["version", "nonce", "salt", "cipher"]
        .iter()
        .all(|k| keys.has(k))
}

#[derive(Deserialize)]
struct Database<'a> {
    version: Option<u64>,
    #[serde(borrow)]
    elements: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct UriList<'a> {
    #[serde(borrow)]
    items: Vec<&'a RawValue>,
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let keys: json::Keys = json::document(WHAT, data)?;
    if encrypted(&keys) && !keys.has("elements") {
        return Err(ImportError::Unsupported(format!(
            "{WHAT}: this is cotp's encrypted database; export it with `cotp export` and import the file that writes"
        )));
    }
    if keys.has("items") && !keys.has("elements") {
        let list: UriList<'_> = json::document(WHAT, data)?;
        let mut parsed = Parsed::default();
        for (i, item) in list.items.iter().enumerate() {
            let place = format!("item {}", i + 1);
            match serde_json::from_str::<zeroize::Zeroizing<String>>(item.get()) {
                Ok(uri) => links::add_uri(&mut parsed, &uri, &place)?,
                Err(_) => {
                    return Err(ImportError::malformed(format!(
                        "{WHAT}: {place} is not a string"
                    )));
                }
            }
        }
        return Ok(parsed);
    }
    let db: Database<'_> = json::document(WHAT, data)?;
    match db.version {
        Some(v) if VERSIONS.contains(&v) => {}
        Some(v) => {
            return Err(ImportError::Unsupported(format!(
                "{WHAT} version {v} (otp reads versions 1 and 2)"
            )));
        }
        None => return Err(ImportError::malformed(format!("{WHAT}: no \"version\""))),
    }
    Ok(super::andotp::entries(&db.elements))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;
    use crate::model::Kind;

    /// cotp's own sample backup (two accounts, TOTP and HOTP).
    #[test]
    fn cotp_sample() {
        let p = parse_ok(&FORMAT, "imp3/cotp/cotp_input.json", &[]);
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.label(), e.token.kind, e.token.counter))
            .collect();
        assert_eq!(
            got,
            [
                ("label1".to_string(), Kind::Totp, 0),
                ("ciccio:label2".to_string(), Kind::Hotp, 3)
            ]
        );
        assert!(detect(&fixture("imp3/cotp/cotp_input.json")));
    }

    #[test]
    fn yandex_and_motp_come_with_their_pin() {
        let p = parse_ok(&FORMAT, "imp3/cotp/pinned.cotp", &[]);
        let codes: Vec<_> = p
            .entries
            .iter()
            .map(|e| {
                let at = if e.token.kind == Kind::Yandex {
                    1_581_064_020
                } else {
                    1_659_540_020
                };
                (e.label(), crate::otp::generate(&e.token, at))
            })
            .collect();
        assert_eq!(
            codes,
            [
                ("Yandex:alice".to_string(), "oactmacq".to_string()),
                ("Corp:bob".to_string(), "ced7b1".to_string())
            ]
        );
        let skipped: Vec<_> = p
            .skipped
            .iter()
            .map(|s| (s.label.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 4, "{skipped:?}");
        assert_eq!(skipped[0].0, "Corp:no-pin");
        assert!(skipped[0].1.contains("no PIN"));
        assert_eq!(skipped[1].0, "Corp:period-30");
        assert!(skipped[1].1.contains("not mOTP's"), "{}", skipped[1].1);
        assert_eq!(skipped[2].0, "Yandex:sha1");
        assert!(
            skipped[2].1.contains("not Yandex.Key's"),
            "{}",
            skipped[2].1
        );
        assert_eq!(skipped[3].0, "Corp:upper");
        assert!(skipped[3].1.contains("lower-case"), "{}", skipped[3].1);
        for s in &p.skipped {
            for secret in ["bbb1912", "BBB1912", "LA2V6K", "7586", "9999"] {
                assert!(!s.reason.contains(secret), "{s:?}");
            }
        }
    }

    #[test]
    fn uri_lists_and_the_encrypted_database() {
        let p = parse_with(
            &FORMAT,
            br#"{"items":["otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30&lock=false","otpauth://motp/Corp:bob?secret=bbb1912bb5c515be&algorithm=MD5&digits=6&period=10&lock=false"]}"#,
            &[],
        )
        .unwrap();
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.skipped[0].label, "Corp:bob");
        assert!(p.skipped[0].reason.contains("no PIN"));
        let db = br#"{"version":2,"nonce":"AA","salt":"AA","cipher":"AA"}"#;
        assert!(detect(db));
        match parse_with(&FORMAT, db, &[]) {
            Err(ImportError::Unsupported(m)) => assert!(m.contains("cotp export"), "{m}"),
            other => panic!("{other:?}"),
        }
        for bad in [
            &br#"{"version":3,"elements":[]}"#[..],
            br#"{"elements":[]}"#,
            br#"{"version":2,"elements":{}}"#,
            br#"{"items":[1]}"#,
        ] {
            assert!(parse_with(&FORMAT, bad, &[]).is_err());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp3/cotp/pinned.cotp"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
