//! The `google-migration` format: Google Authenticator "Transfer accounts"
//! links (`otpauth-migration://offline?data=…`) pasted into a text file, one
//! per line, as QR scanner apps and extract_otp_secrets write them.
//!
//! Blank lines and `#` comments are ignored; plain `otpauth://` lines are
//! read too, so a mixed list works. The codes of a multi-code export are
//! grouped by batch; a part missing from the file is reported (as a skipped
//! entry naming the part) while the parts present are imported. Bad lines
//! fail the file, naming the line but never quoting it: it holds secrets.

use super::shared::links;
use super::{Format, ImportError, Passwords};
use crate::migration::{self, Batch};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "google-migration",
    title: "Google Authenticator export links (otpauth-migration://)",
    detect,
    parse,
};

/// What one file (or one image) holds before batches are grouped: the
/// command layer can gather these over several files and then call
/// [`migration::group`], so that a batch split over files imports whole.
#[derive(Debug, Default)]
pub struct Scanned {
    pub batches: Vec<Batch>,
    /// Accounts from plain `otpauth://` links.
    pub other: Parsed,
}

impl Scanned {
    /// Adds one link; `place` names it in errors ("line 3", "QR code 2").
    pub fn add(&mut self, link: &str, place: &str) -> Result<(), ImportError> {
        if migration::is_migration_uri(link) {
            let batch = migration::parse(link)
                .map_err(|e| ImportError::malformed(format!("{place}: {e}")))?;
            self.batches.push(batch);
            return Ok(());
        }
        links::add_uri(&mut self.other, link, place)
    }

    /// Everything in one import; missing parts of a batch become skipped
    /// entries that say which part to add.
    pub fn into_parsed(self) -> Parsed {
        let mut parsed = migration::group_partial(self.batches);
        parsed.entries.extend(self.other.entries);
        parsed.skipped.extend(self.other.skipped);
        parsed
    }
}

fn detect(data: &[u8]) -> bool {
    links::first_line_is(data, |line| {
        std::str::from_utf8(line).is_ok_and(migration::is_migration_uri)
    })
}

/// Reads the file without grouping batches.
pub fn scan(data: &[u8]) -> Result<Scanned, ImportError> {
    let mut scanned = Scanned::default();
    for line in links::text_lines(data) {
        let (place, text) = line?;
        if !migration::is_migration_uri(text)
            && !links::starts_with_ignore_case(text.as_bytes(), "otpauth://")
        {
            return Err(ImportError::malformed(format!(
                "{place} is neither an otpauth-migration:// nor an otpauth:// link"
            )));
        }
        scanned.add(text, &place)?;
    }
    Ok(scanned)
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    scan(data).map(Scanned::into_parsed)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit;
    use crate::model::Kind;

    fn fixture(name: &str) -> Vec<u8> {
        testkit::fixture(&format!("qr/{name}"))
    }

    fn run(data: &[u8]) -> Result<Parsed, ImportError> {
        testkit::parse_with(&FORMAT, data, &[])
    }

    #[test]
    fn extract_otp_secrets_example_export() {
        let data = fixture("example_export.txt");
        assert!(detect(&data));
        let p = run(&data).unwrap();
        assert!(p.skipped.is_empty());
        assert_eq!(p.entries.len(), 6);
        assert_eq!(p.entries[4].token.kind, Kind::Hotp);
        assert_eq!(p.entries[4].token.counter, 4);
        assert!(
            p.entries
                .iter()
                .all(|e| e.token.secret.to_base32() == "7KSQL2JTUDIS5EF65KLMRQIIGY")
        );
        assert_eq!(
            run(&fixture("example_export_only_totp.txt"))
                .unwrap()
                .entries
                .len(),
            5
        );
        assert_eq!(
            run(&fixture("test_plus_problem_export.txt"))
                .unwrap()
                .entries
                .len(),
            4
        );
    }

    #[test]
    fn batches_are_grouped_and_missing_parts_named() {
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/qr/migration_uris.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("otpauth-migration://"))
            .collect();
        // jc_batch_{1,2,3}_of_3 are lines 9 to 11 (0-based 8..11).
        let all = lines[8..11].join("\n");
        assert_eq!(run(all.as_bytes()).unwrap().entries.len(), 22);
        let two = format!("{}\n{}", lines[8], lines[10]);
        let p = run(two.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 12);
        assert_eq!(p.skipped.len(), 1);
        assert!(
            p.skipped[0]
                .reason
                .starts_with("part 2 of 3 was not given, so the accounts in it are missing")
        );
        // Scanned over several files, then grouped strictly.
        let mut batches = scan(lines[8].as_bytes()).unwrap().batches;
        batches.extend(
            scan(format!("{}\n{}", lines[9], lines[10]).as_bytes())
                .unwrap()
                .batches,
        );
        assert_eq!(migration::group(batches).unwrap().entries.len(), 22);
    }

    #[test]
    fn bad_lines_fail_the_file_without_quoting_it() {
        let err = run(&fixture("test_export_wrong_data.txt"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("malformed file: line 1: the data of the otpauth-migration link"),
            "{err}"
        );
        let data = b"# x\notpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC\nsecret JBSWY3DPEHPK3PXP\n";
        assert!(detect(data));
        let err = run(data).unwrap_err().to_string();
        assert_eq!(
            err,
            "malformed file: line 3 is neither an otpauth-migration:// nor an otpauth:// link"
        );
        for f in [
            "test_export_wrong_prefix.txt",
            "test_export_wrong_content.txt",
            "empty_file.txt",
            "only_comments.txt",
        ] {
            assert!(!detect(&fixture(f)), "{f}");
        }
        let p = run(&fixture("only_comments.txt")).unwrap();
        assert!(p.entries.is_empty() && p.skipped.is_empty());
    }

    #[test]
    fn plain_otpauth_lines_are_read_too() {
        let data = b"otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC\notpauth://totp/Acme:bob?secret=JBSWY3DPEHPK3PXP\n";
        let p = run(data).unwrap();
        let labels: Vec<String> = p.entries.iter().map(|e| e.label()).collect();
        assert_eq!(labels, ["Example:alice@google.com", "Acme:bob"]);
    }

    #[test]
    fn registered_before_the_uri_list() {
        let names: Vec<&str> = super::super::FORMATS.iter().map(|f| f.name).collect();
        let mine = names.iter().position(|n| *n == "google-migration").unwrap();
        assert!(
            names
                .iter()
                .position(|n| *n == "uris")
                .is_none_or(|u| mine < u)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn no_panic_on_arbitrary_or_mutated_text(
            data in prop::collection::vec(any::<u8>(), 0..300),
            idx in 0usize..4000,
            byte in any::<u8>(),
        ) {
            let _ = detect(&data);
            let _ = run(&data);
            let mut text = fixture("example_export.txt");
            let i = idx % text.len();
            text[i] = byte;
            if let Ok(p) = run(&text) {
                prop_assert!(p.entries.iter().all(|e| e.token.validate().is_ok()));
            }
        }
    }
}
