//! WinAuth's text export, plain or inside its (ZipCrypto) zip.
//!
//! WinAuth writes one `otpauth://` URI per line, always as
//! `otpauth://totp|hotp/<label>?secret=…&digits=N[&issuer=…][&serial=…]
//! [&deviceid=…&data=…][&counter=…][&icon=…]`, with form-style encoding
//! (`+` is a space). Only files of exactly that shape *with* an `icon=`
//! parameter are claimed; any other URI list is left to the generic `uris`
//! format, which reads the same lines (Aegis's `plain.txt` is one of those).
//! What this format adds: `+` read as a space, 5-digit Steam lines read as
//! Steam tokens, the zip, and a clear refusal of WinAuth's own XML config.

use super::shared::otpauth::{form_encoded_lines, query};
use super::shared::zipfile;
use super::{Format, ImportError, Passwords};
use crate::model::Parsed;

pub const FORMAT: Format = Format {
    name: "winauth",
    title: "WinAuth export",
    detect,
    parse,
};

const WHAT: &str = "WinAuth export";

fn detect(data: &[u8]) -> bool {
    if zipfile::is_zip(data) {
        return zipfile::names(data).is_some_and(|n| n.iter().any(|n| is_export_name(n)));
    }
    if is_config(data) {
        return true;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let mut lines = content_lines(text).peekable();
    lines.peek().is_some()
        && content_lines(text).all(is_winauth_line)
        && content_lines(text).any(|l| query(l).split('&').any(|p| p.starts_with("icon=")))
}

fn is_export_name(name: &str) -> bool {
    let n = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    n.starts_with("winauth") && n.ends_with(".txt")
}

/// WinAuth's encrypted configuration (`winauth.xml`), not an export.
fn is_config(data: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&data[..data.len().min(512)]);
    head.trim_start().starts_with("<?xml") && head.contains("<WinAuth")
}

fn content_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn is_winauth_line(line: &str) -> bool {
    let lower = line
        .get(..15)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut params = query(line).split('&');
    (lower.starts_with("otpauth://totp/") || lower.starts_with("otpauth://hotp/"))
        && params.next().is_some_and(|p| p.starts_with("secret="))
        && params.next().is_some_and(|p| p.starts_with("digits="))
        && !query(line)
            .split('&')
            .any(|p| p.starts_with("algorithm=") || p.starts_with("period="))
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    if is_config(data) {
        return Err(ImportError::Unsupported(format!(
            "{WHAT}: this is WinAuth's own configuration file; in WinAuth use \
             Export (text file) and import that instead"
        )));
    }
    if zipfile::is_zip(data) {
        let text = zipfile::read_file(data, is_export_name, WHAT, passwords)?;
        return form_encoded_lines(&text, WHAT);
    }
    form_encoded_lines(data, WHAT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    #[test]
    fn encrypted_zip() {
        let p = parse_ok(&FORMAT, "imp2/stratum/winauth.zip", &["test"]);
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.label(), e.token.digits, e.token.secret.to_base32()))
            .collect();
        assert_eq!(
            got,
            [(
                "Authenticator".to_string(),
                6,
                "TESTTESTTESTTESTTESQ".to_string()
            )]
        );
        assert_password_errors(&FORMAT, "imp2/stratum/winauth.zip", "test1");
    }

    #[test]
    fn empty_zip_is_an_error() {
        let data = fixture("imp2/stratum/winauth.invalid.zip");
        assert!(!detect(&data));
        assert!(matches!(
            parse_with(&FORMAT, &data, &["test"]),
            Err(ImportError::Malformed(_))
        ));
    }

    #[test]
    fn generic_uri_lists_are_not_claimed() {
        assert!(!detect(&fixture("imp2/aegis/plain.txt")));
    }

    #[test]
    fn winauth_lines() {
        let text = "otpauth://totp/Google:me%40example.com?secret=JBSWY3DPEHPK3PXP&digits=6&issuer=Google&icon=Google\n\
                    otpauth://totp/Steam:my+name?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&digits=5&issuer=Steam&deviceid=android%3Ax&data=%7B%7D&icon=Steam\n\
                    otpauth://totp/Battle.net:EU123?secret=BMGRXPGFARQQF4GMT25JATL2VYLAHDBI&digits=8&issuer=Battle.net&serial=EU123&icon=BattleNet\n\
                    otpauth://hotp/Counter?secret=JBSWY3DPEHPK3PXP&digits=6&counter=7\n";
        assert!(detect(text.as_bytes()));
        let p = parse_with(&FORMAT, text.as_bytes(), &[]).unwrap();
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.label(), e.token.kind, e.token.digits, e.token.counter))
            .collect();
        use crate::model::Kind::*;
        assert_eq!(
            got,
            [
                ("Google:me@example.com".to_string(), Totp, 6, 0),
                ("Steam:my name".to_string(), Steam, 5, 0),
                ("Battle.net:EU123".to_string(), Totp, 8, 0),
                ("Counter".to_string(), Hotp, 6, 7)
            ]
        );
    }

    #[test]
    fn own_config_is_refused_with_advice() {
        let x = b"<?xml version=\"1.0\"?><WinAuth version=\"3.5\"><data>...</data></WinAuth>";
        assert!(detect(x));
        assert!(matches!(
            parse_with(&FORMAT, x, &[]),
            Err(ImportError::Unsupported(_))
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture("imp2/stratum/winauth.zip"));
            let _ = detect(&data);
            let _ = parse_with(&FORMAT, &data, &["test"]);
            let data = m.apply(b"otpauth://totp/A+b?secret=JBSWY3DPEHPK3PXP&digits=5&icon=WinAuth\n");
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
