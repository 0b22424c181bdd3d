//! Text files of links, one per line (the `uris` and `google-migration`
//! formats), and the step every link takes, from a text line or a QR code:
//! an `otpauth://` URI becomes an account; one that does not make a valid
//! account (no secret, bad parameters, a Yandex.Key or mOTP link without its
//! PIN) a skipped entry, named by its label or place (line or code) with
//! the reason, never quoting the link: it may hold a secret.
//! Anything that is not a link at all is an error naming the place.

use crate::import::ImportError;
use crate::model::{Parsed, Skipped};
use crate::uri::{self, UriError};

/// Lines that carry content, numbered from 1, trimmed; a leading BOM, blank
/// lines and `#` comments are left out.
pub(crate) fn content_lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    data.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_ascii()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with(b"#"))
}

/// Whether the first content line satisfies `accept` (the format sniff).
pub(crate) fn first_line_is(data: &[u8], accept: impl FnOnce(&[u8]) -> bool) -> bool {
    content_lines(data)
        .next()
        .is_some_and(|(_, line)| accept(line))
}

/// The content lines as text, each with its place ("line 3") for messages;
/// a line that is not UTF-8 is an error naming it.
pub(crate) fn text_lines(data: &[u8]) -> impl Iterator<Item = Result<(String, &str), ImportError>> {
    content_lines(data).map(|(n, line)| {
        let place = format!("line {n}");
        match std::str::from_utf8(line) {
            Ok(text) => Ok((place, text)),
            Err(_) => Err(ImportError::malformed(format!("{place} is not UTF-8 text"))),
        }
    })
}

pub(crate) fn starts_with_ignore_case(line: &[u8], prefix: &str) -> bool {
    line.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Adds one `otpauth://` link; `place` names it in errors and, when the
/// link has no label, in the skipped entry.
pub(crate) fn add_uri(parsed: &mut Parsed, link: &str, place: &str) -> Result<(), ImportError> {
    match uri::parse(link) {
        Ok(entry) => parsed.entries.push(entry),
        Err(e @ UriError::NoPin { .. }) => {
            let UriError::NoPin { label, .. } = &e else {
                unreachable!()
            };
            parsed.skipped.push(Skipped {
                label: label.clone(),
                reason: e.to_string(),
            })
        }
        Err(e @ UriError::NotOtpauth) => {
            return Err(ImportError::malformed(format!("{place}: {e}")));
        }
        // An entry of the list that cannot be imported: left out, with why
        // (the message names the problem, never the secret).
        Err(e) => parsed.skipped.push(Skipped {
            label: place.to_string(),
            reason: e.to_string(),
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_lines_skip_bom_blanks_and_comments() {
        let data = b"\xef\xbb\xbf# head\r\n\r\n  a \r\n#b\n\tc";
        let got: Vec<(usize, &[u8])> = content_lines(data).collect();
        assert_eq!(got, [(3, &b"a"[..]), (5, &b"c"[..])]);
        assert!(first_line_is(data, |l| l == b"a"));
        assert!(!first_line_is(b"# only\n\n", |_| true));
    }

    #[test]
    fn text_lines_name_the_line_that_is_not_utf8() {
        let got: Vec<_> = text_lines(b"a\n\xff\n").collect();
        assert_eq!(got[0].as_ref().unwrap(), &("line 1".to_string(), "a"));
        assert_eq!(
            got[1].as_ref().unwrap_err().to_string(),
            "malformed file: line 2 is not UTF-8 text"
        );
    }

    #[test]
    fn a_link_is_an_entry_a_skip_or_an_error_that_never_quotes_it() {
        let mut p = Parsed::default();
        add_uri(
            &mut p,
            "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP",
            "line 1",
        )
        .unwrap();
        add_uri(&mut p, "motp://x?secret=00", "line 2").unwrap();
        add_uri(&mut p, "otpauth://yaotp/Yandex:bob?secret=AA", "line 3").unwrap();
        add_uri(&mut p, "motp://y?secret=00&pin=HE4TSOI", "line 3").unwrap();
        add_uri(
            &mut p,
            "otpauth://totp/c?secret=JBSWY3DPEHPK3PX1",
            "QR code 4",
        )
        .unwrap();
        let err = add_uri(&mut p, "http://x?secret=JBSWY3DPEHPK3PX1", "line 5")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("malformed file: line 5: "), "{err}");
        assert!(!err.contains("JBSWY3DP"), "{err}");
        assert_eq!(p.entries.len(), 2);
        // A Yandex.Key or mOTP link without a PIN is named by its label.
        let skipped: Vec<_> = p.skipped.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(skipped, ["x", "line 3", "QR code 4"]);
        assert!(p.skipped[0].reason.contains("no PIN"), "{:?}", p.skipped[0]);
        assert!(
            p.skipped[1].reason.contains("Yandex.Key"),
            "{:?}",
            p.skipped[1]
        );
        assert!(
            !p.skipped[2].reason.contains("JBSWY3DP"),
            "{:?}",
            p.skipped[2]
        );
        assert!(starts_with_ignore_case(b"OTPAUTH://x", "otpauth://"));
        assert!(!starts_with_ignore_case(b"otp", "otpauth://"));
    }
}
