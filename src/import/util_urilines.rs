//! otpauth URI lists written by Java/.NET apps with form encoding.
//!
//! WinAuth (`HttpUtility.UrlEncode`) and Authenticator Plus (Java) encode a
//! space as `+` and a literal plus as `%2B`, so in their files `+` is a
//! space; the generic URI parser rightly reads `+` literally. Each line goes
//! to [`crate::uri::parse`]; a line that fails is listed as skipped with the
//! parser's reason (which never quotes the line).

use super::util_entry::Collector;
use super::{ImportError, Parsed};
use crate::uri::{self, UriError};

/// The query part of a URI line (after `?`), or "".
pub(crate) fn query(line: &str) -> &str {
    line.split_once('?').map_or("", |(_, q)| q)
}

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
            Err(UriError::Unsupported { kind, label }) => {
                let label = if label.is_empty() {
                    format!("line {n}")
                } else {
                    label
                };
                out.skip(label, format!("{kind} tokens are not supported"));
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
