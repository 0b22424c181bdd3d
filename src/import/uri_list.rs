//! The `uris` format: a text file of `otpauth://` URIs, one per line, as
//! `otp export --format uris` and many other tools write them.
//!
//! Blank lines and `#` comments are ignored. A list that also holds
//! `otpauth-migration://` lines is handed whole to the migration importer.
//! Yandex.Key and mOTP URIs without their PIN, and `otpauth://` URIs that
//! do not make a valid account, come back as skipped entries
//! with the reason (the import then exits 7). A line that is not an
//! `otpauth://` URI at all fails the whole file, naming the line but never
//! quoting it: the line may hold a secret.

use super::shared::links::{self, starts_with_ignore_case};
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "uris",
    title: "otpauth URI list",
    detect,
    parse,
};

const MIGRATION: &str = "otpauth-migration://";

fn detect(data: &[u8]) -> bool {
    links::first_line_is(data, |line| starts_with_ignore_case(line, "otpauth://"))
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    // A list that mixes in Google Authenticator migration links is read by
    // the migration importer, which takes plain otpauth:// lines too.
    if links::content_lines(data).any(|(_, line)| starts_with_ignore_case(line, MIGRATION)) {
        return (super::migration_text::FORMAT.parse)(data, passwords);
    }
    let mut parsed = Parsed::default();
    for line in links::text_lines(data) {
        let (place, text) = line?;
        links::add_uri(&mut parsed, text, &place)?;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use proptest::prelude::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/uri_cases/",
                $name
            ))
        };
    }

    fn run(data: &[u8]) -> Result<Parsed, ImportError> {
        let mut no_passwords = |_: &str| Err(ImportError::NeedPassword);
        parse(data, &mut no_passwords)
    }

    #[test]
    fn extract_otp_secrets_url_list() {
        let data = fixture!("url_list_output.txt");
        assert!(detect(data));
        let p = run(data).unwrap();
        assert!(p.skipped.is_empty());
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.issuer.as_str(), e.name.as_str(), e.token.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("raspberrypi", "pi@raspberrypi", Kind::Totp),
                ("", "pi@raspberrypi", Kind::Totp),
                ("", "pi@raspberrypi", Kind::Totp),
                ("raspberrypi", "pi@raspberrypi", Kind::Totp),
                ("", "hotp demo", Kind::Hotp),
                // The migration payload named this account "encoding: ¿äÄéÉ? (demo)"
                // with no issuer; as a URI, its %3A is the issuer separator.
                ("encoding", "¿äÄéÉ? (demo)", Kind::Totp),
            ]
        );
        assert_eq!(p.entries[4].token.counter, 4);
        for e in &p.entries {
            assert_eq!(e.token.secret.to_base32(), "7KSQL2JTUDIS5EF65KLMRQIIGY");
        }
    }

    #[test]
    fn migration_lines_in_a_list_are_imported_too() {
        let data = fixture!("example_export.txt");
        assert!(!detect(data));
        let p = run(data).unwrap();
        assert!(!p.entries.is_empty());
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    }

    #[test]
    fn empty_and_comment_only_files_hold_nothing() {
        for data in [
            &fixture!("empty_file.txt")[..],
            fixture!("only_comments.txt"),
            b"\n  \r\n",
        ] {
            assert!(!detect(data));
            let p = run(data).unwrap();
            assert!(p.entries.is_empty() && p.skipped.is_empty());
        }
    }

    #[test]
    fn other_text_is_an_error_naming_the_line() {
        for data in [
            &fixture!("test_export_wrong_content.txt")[..],
            fixture!("test_export_wrong_prefix.txt"),
        ] {
            assert!(!detect(data));
            assert_eq!(
                run(data).unwrap_err().to_string(),
                "malformed file: line 1: not an otpauth:// URI"
            );
        }
        let data = b"# mine\r\n\r\n  OTPAUTH://totp/a?secret=AA  \r\nnot a link JBSWY3DPEHPK3PX1\n";
        assert!(detect(data));
        let text = run(data).unwrap_err().to_string();
        assert!(text.starts_with("malformed file: line 4: "), "{text}");
        assert!(!text.contains("JBSWY3DP"), "{text}");
        assert!(
            run(b"otpauth://totp/a?secret=AA\n\xff\xfe")
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
    }

    #[test]
    fn pinless_yandex_and_motp_links_are_skipped_with_their_label() {
        let data = b"\xef\xbb\xbfotpauth://totp/Acme:a?secret=AA\notpauth://yaotp/Yandex:bob?secret=LA2V6KMCGYMWWVEW64RNP3JA3I\nmotp://x?secret=00\nmotp://y?secret=00&pin=HE4TSOI\n";
        assert!(detect(data));
        let p = run(data).unwrap();
        assert_eq!(p.entries.len(), 2);
        let skipped: Vec<_> = p
            .skipped
            .iter()
            .map(|s| (s.label.as_str(), s.reason.as_str()))
            .collect();
        let no_pin = |kind: &str| {
            format!(
                "the {kind} URI holds no PIN (pin=), which its codes need: add it with the PIN given apart (`otp add --uri-stdin --pin-file FILE`, or `--qr IMAGE --pin-file FILE` for its QR code)"
            )
        };
        assert_eq!(
            skipped,
            [
                ("Yandex:bob", no_pin("Yandex.Key").as_str()),
                ("x", no_pin("mOTP").as_str())
            ]
        );
    }

    #[test]
    fn uris_that_make_no_valid_account_are_left_out_naming_the_line() {
        let data = b"otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\notpauth://totp/B:b?secret=JBSWY3DPEHPK3PX1\notpauth://totp/C:c?secret=JBSWY3DPEHPK3PXP&digits=99\n";
        let p = run(data).unwrap();
        assert_eq!(p.entries.len(), 1);
        let skipped: Vec<_> = p.skipped.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(skipped, ["line 2", "line 3"]);
        for s in &p.skipped {
            assert!(!s.reason.contains("JBSWY3DP"), "{s:?}");
        }
    }

    #[test]
    fn registered() {
        assert_eq!(
            super::super::by_name("uris").map(|f| f.title),
            Some("otpauth URI list")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn no_panic_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = detect(&data);
            let _ = run(&data);
        }

        #[test]
        fn no_panic_on_mixed_lines(lines in proptest::collection::vec(
            prop_oneof![
                Just("otpauth://totp/a:b?secret=JBSWY3DPEHPK3PXP".to_string()),
                Just("otpauth-migration://offline?data=AA".to_string()),
                Just("# c".to_string()),
                "otpauth://[a-z]{0,5}/[^\n]{0,20}",
                "[^\n]{0,30}",
            ],
            0..8,
        )) {
            let data = lines.join("\n");
            let _ = detect(data.as_bytes());
            if let Ok(p) = run(data.as_bytes()) {
                prop_assert!(p.entries.iter().all(|e| e.token.validate().is_ok()));
            }
        }
    }
}
