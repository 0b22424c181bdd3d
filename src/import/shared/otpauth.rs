//! otpauth URIs as apps write them, which is not always as `uri::parse`
//! reads them: the TOTP field of password managers and authenticator exports
//! ([`totp_field`]), and URI lists written with form encoding
//! ([`form_encoded_lines`]).
//!
//! A TOTP field is an `otpauth://` URI, a `steam://SECRET`, or a bare base32
//! secret. The item's own name and user name fill in what the field does not say:
//! a bare secret or a Steam secret takes them as issuer and account, and a
//! URI without an issuer (or without an account) takes them as fallbacks.
//! A label written with an empty issuer prefix (`otpauth://totp/:alice`
//! with an `issuer=` parameter, as Proton writes them) loses that `:`.
//!
//! `+` in the query is read as a space here, unlike in `uri::parse`: the
//! apps these fields come from (ente, Bitwarden, Proton) decode their
//! queries as HTML forms do and write a literal plus as `%2B`, so for their
//! files `issuer=Air+Canada` means "Air Canada".

use super::entry::{self, Collector};
use crate::import::ImportError;
use crate::model::{self, Entry, Kind, Parsed, Skipped, Token};
use crate::uri::{self, UriError};

/// Reads one TOTP field; `issuer` and `name` are the item's own.
pub(crate) fn totp_field(field: &str, issuer: &str, name: &str) -> Result<Entry, Skipped> {
    let field = field.trim();
    let skip = |reason: String| Skipped {
        label: model::label(issuer, name),
        reason,
    };
    if starts_with_ignore_case(field, "otpauth://") || starts_with_ignore_case(field, "motp://") {
        // `uri::parse` reads these apps' `issuer=Air+Canada` and empty
        // `:name` prefixes itself.
        return match uri::parse(field) {
            Ok(mut entry) => {
                if entry.issuer.is_empty() {
                    entry.issuer = issuer.to_string();
                }
                if entry.name.is_empty() {
                    entry.name = name.to_string();
                }
                Ok(entry)
            }
            Err(e @ UriError::NoPin { .. }) => Err(Skipped {
                label: match &e {
                    UriError::NoPin { label, .. } if !label.is_empty() => label.clone(),
                    _ => model::label(issuer, name),
                },
                reason: e.to_string(),
            }),
            Err(e) => Err(skip(e.to_string())),
        };
    }
    if let Some(secret) = strip_prefix_ignore_case(field, "steam://") {
        let secret = entry::secret_text(secret).map_err(skip)?;
        let token =
            entry::token(Kind::Steam, &entry::RawParams::default(), secret).map_err(skip)?;
        let issuer = if issuer.is_empty() { "Steam" } else { issuer };
        return Ok(Entry::new(issuer, name, token));
    }
    let secret = entry::secret_text(field).map_err(|e| {
        skip(format!(
            "neither an otpauth:// URI nor a base32 secret ({e})"
        ))
    })?;
    Ok(Entry::new(issuer, name, Token::totp(secret)))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    if starts_with_ignore_case(text, prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// The query part of a URI line (after `?`), or "".
pub(crate) fn query(line: &str) -> &str {
    line.split_once('?').map_or("", |(_, q)| q)
}

/// otpauth URI lists written by Java/.NET apps with form encoding.
///
/// WinAuth (`HttpUtility.UrlEncode`) and Authenticator Plus (Java) encode a
/// space as `+` and a literal plus as `%2B`, so in their files `+` is a
/// space, in the label too (the generic URI parser reads `+` as a space only
/// in `issuer=`, where other exporters use it that way). Each line goes
/// to [`crate::uri::parse`]; a line that fails is listed as skipped with the
/// parser's reason (which never quotes the line).
pub(crate) fn form_encoded_lines(data: &[u8], what: &str) -> Result<Parsed, ImportError> {
    let text = std::str::from_utf8(data)
        .map_err(|_| ImportError::malformed(format!("{what}: not UTF-8 text")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Collector::new();
    let lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    for (n, line) in lines.filter(|(_, l)| !l.is_empty() && !l.starts_with('#')) {
        let mut uri = zeroize::Zeroizing::new(line.replace('+', "%20"));
        // A 5-character TOTP in these apps is always Steam Guard.
        if query(&uri).split('&').any(|p| p == "digits=5") {
            uri.push_str("&encoder=steam");
        }
        match uri::parse(&uri) {
            Ok(entry) => out.push(entry.label(), Ok(entry)),
            Err(e @ UriError::NoPin { .. }) => {
                let UriError::NoPin { label, .. } = &e else {
                    unreachable!()
                };
                out.skip(label.clone(), e.to_string());
            }
            Err(e) => out.skip(format!("line {n}"), e.to_string()),
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_shapes_of_a_totp_field() {
        let e = totp_field(
            "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=A",
            "Item",
            "user",
        )
        .unwrap();
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("A", "b"));
        let e = totp_field("otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP", "Item", "user").unwrap();
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("Item", "bob"));
        let e = totp_field("steam://JBSWY3DPEHPK3PXP", "", "user").unwrap();
        assert_eq!(
            (e.issuer.as_str(), e.token.kind, e.token.digits),
            ("Steam", Kind::Steam, 5)
        );
        let e = totp_field(" jbsw y3dp ehpk 3pxp ", "Item", "user").unwrap();
        assert_eq!((e.issuer.as_str(), e.token.kind), ("Item", Kind::Totp));
    }

    #[test]
    fn plus_in_the_query_is_a_space_and_percent_2b_a_plus() {
        let e = totp_field("otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air+Canada&counter=50", "", "").unwrap();
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str()),
            ("Air Canada", "Benjamin")
        );
        let e = totp_field(
            "otpauth://totp/C++:me?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=C%2B%2B",
            "",
            "",
        )
        .unwrap();
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("C++", "me"));
    }

    #[test]
    fn an_empty_issuer_prefix_is_dropped() {
        let e = totp_field(
            "otpauth://totp/%3Acool%40ente.com?secret=554VBDOGJRLDG2JV&issuer=%2Fe%2F",
            "",
            "",
        )
        .unwrap();
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str()),
            ("/e/", "cool@ente.com")
        );
        let e = totp_field(
            "otpauth://totp/a:b?secret=554VBDOGJRLDG2JV&issuer=x",
            "",
            "",
        )
        .unwrap();
        assert_eq!(e.name, "a:b");
    }

    #[test]
    fn bad_fields_are_skipped_without_quoting_them() {
        let s = totp_field("not a secret at all!", "Item", "user").unwrap_err();
        assert_eq!(s.label, "Item:user");
        assert!(!s.reason.contains("secret at all"));
        let s = totp_field(
            "otpauth://yaotp/Y:y?secret=JBSWY3DPEHPK3PXP",
            "Item",
            "user",
        )
        .unwrap_err();
        assert!(s.reason.contains("Yandex"));
        assert!(totp_field("steam://", "", "").is_err());
    }

    #[test]
    fn plus_is_a_space_and_bad_lines_are_listed() {
        let text =
            b"# comment\notpauth://totp/Air+Canada:Ben?secret=JBSWY3DPEHPK3PXP&issuer=Air+Canada\n\
                     otpauth://totp/C%2B%2B:x?secret=JBSWY3DPEHPK3PXP\nnot a uri SECRETSECRET\n";
        let p = form_encoded_lines(text, "test").unwrap();
        let labels: Vec<_> = p.entries.iter().map(|e| e.label()).collect();
        assert_eq!(labels, ["Air Canada:Ben", "C++:x"]);
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].label, "line 4");
        assert!(!p.skipped[0].reason.contains("SECRET"));
    }
}
