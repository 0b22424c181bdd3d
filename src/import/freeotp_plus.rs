//! FreeOTP+ JSON export: `{"tokenOrder": [...], "tokens": [token, ...]}`.
//!
//! Each token is FreeOTP's token JSON with the secret as a signed byte
//! array (see `freeotp_token`). `tokenOrder` is only display order and is not
//! relied on (cotp's sample has one that does not match its tokens). The
//! HOTP counter is kept as stored: FreeOTP computes its next code from it.

use super::shared::entry::Collector;
use super::shared::freeotp_token::token_entry;
use super::shared::json::{self, array, object};
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "freeotp-plus",
    title: "FreeOTP+ JSON export",
    detect,
    parse,
};

fn detect(data: &[u8]) -> bool {
    let Some(v) = json::sniff(data) else {
        return false;
    };
    v.get("tokens").is_some_and(|t| t.is_array())
        && v.get("tokenOrder").is_some_and(|t| t.is_array())
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let what = "FreeOTP+ export";
    let bad = |m: String| ImportError::malformed(format!("{what}: {m}"));
    let root = json::parse(data, what)?;
    let tokens = object(&root, "the file").and_then(|o| {
        array(
            o.get("tokens").ok_or("it has no 'tokens' list")?,
            "'tokens'",
        )
    });
    let mut out = Collector::new();
    for (i, t) in tokens.map_err(bad)?.iter().enumerate() {
        match object(t, "a token") {
            Ok(o) => {
                let (label, entry) = token_entry(o, None);
                out.push(label, entry);
            }
            Err(e) => out.skip(format!("token #{}", i + 1), e),
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn aegis_fixture_keeps_stored_counters() {
        let p = parse_ok(&FORMAT, "imp2/aegis/freeotp_plus.json", &[]);
        assert!(p.skipped.is_empty());
        // FreeOTP stores counter - 1 and counts on from the stored value.
        let mut want = canonical(&[1, 2, 3, 4, 5, 6]);
        set_counter(&mut want, "WWE", 10299);
        set_counter(&mut want, "Air Canada", 49);
        set_counter(&mut want, "Issuu", 0);
        assert_same(&p.entries, &want);
        // Only the entries without the counter quirk can match the published codes.
        assert_eq!(check_canonical_codes(&p.entries), 3);
    }

    #[test]
    fn stratum_fixture() {
        let p = parse_ok(&FORMAT, "imp2/stratum/freeotpplus.json", &[]);
        let mut want = stratum(&[1, 2, 3, 4, 5, 6, 7]);
        // FreeOTP+ cannot store 9 digits and wrote 8; counter 10 stored as 9.
        want[1].token.digits = 8;
        want[4].token.counter = 9;
        want[6].issuer = "NoIssuer".into();
        assert_same(&p.entries, &want);
    }

    #[test]
    fn cotp_fixtures() {
        let p = parse_ok(&FORMAT, "imp2/cotp/freeotp_plus.json", &[]);
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.token.kind, e.token.algorithm, e.token.counter))
            .collect();
        use crate::model::{Algorithm::*, Kind::*};
        assert_eq!(
            got,
            [
                (Totp, SHA512, 0),
                (Totp, SHA256, 0),
                (Totp, SHA1, 0),
                (Hotp, SHA512, 4),
                (Hotp, SHA256, 4),
                (Hotp, SHA1, 5)
            ]
        );
        assert_eq!(
            p.entries[0].token.secret.to_base32(),
            "3ZUNXX2SU6RZP4QFMS32YAILJFS2I2T2UZXYSHSX7IIMPAQZAC753NG2"
        );
        assert_eq!(
            p.entries[5].token.secret.to_base32(),
            "Y4HEGAH3TWDIYZUSSEVQI7XXKUPXU2KOFGJ4FNE4GP6V67A44JMA4D7I"
        );
        assert!(
            p.entries
                .iter()
                .all(|e| e.name == "{token.label}" && e.issuer.is_empty())
        );

        let p = parse_ok(&FORMAT, "imp2/cotp/freeotp_plus_example1.json", &[]);
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.label(), e.token.secret.to_base32()))
            .collect();
        assert_eq!(
            got,
            [
                ("Example2:Label2".into(), "AAAAAAAAAAAAAAAA".into()),
                ("Example1:Label1".into(), "AAAAAAAA".into())
            ]
        );
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture("imp2/aegis/freeotp_plus.json")));
        assert!(!detect(&fixture("imp2/aegis/stratum_plain.json")));
        assert!(!detect(b"{}"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/aegis/freeotp_plus.json"));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
