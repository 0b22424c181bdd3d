//! The fast read path: find one account in vault plaintext without
//! building every account.
//!
//! `otp code` at 1,000 accounts must stay within a few milliseconds, and a
//! full TOML parse into structs costs ~2.5 ms of that (see
//! shared/notes/dependencies.md). The vault is written by us in a fixed
//! layout, so [`scan`] reads only the `id`, `issuer` and `name` of each
//! `[[accounts]]` table, QUERY is resolved on those, and only the chosen
//! table is parsed. Anything unexpected (hand edits, multi-line strings,
//! inline tables, another schema version) makes [`scan`] return `None` and
//! the caller parses the whole file: the fast path can only be absent,
//! never different.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Named, resolve};
use crate::error::Fail;
use crate::model::Account;

/// The head of one `[[accounts]]` table.
#[derive(Debug, PartialEq, Eq)]
pub struct Header<'a> {
    pub id: Cow<'a, str>,
    pub issuer: Cow<'a, str>,
    pub name: Cow<'a, str>,
    /// The table's text, from its `[[accounts]]` line to the next table.
    pub block: &'a str,
}

impl Named for Header<'_> {
    fn id(&self) -> &str {
        &self.id
    }
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// Outcome of a fast lookup.
pub enum Lookup {
    Found(Box<Account>),
    /// The query matched nothing or too much (exit 3/4, as the full path would).
    Refused(Fail),
    /// The file is not in the layout `scan` reads: parse it fully.
    Fallback,
}

/// Resolves QUERY on vault plaintext, parsing only the chosen account.
pub fn find(text: &str, query: &str) -> Lookup {
    let Some(headers) = scan(text) else {
        return Lookup::Fallback;
    };
    match resolve(&headers, query) {
        Ok(i) => {
            #[derive(Deserialize)]
            struct One {
                accounts: Vec<Account>,
            }
            match toml::from_str::<One>(headers[i].block) {
                Ok(mut one) if one.accounts.len() == 1 => {
                    Lookup::Found(Box::new(one.accounts.remove(0)))
                }
                _ => Lookup::Fallback,
            }
        }
        Err(fail) => Lookup::Refused(fail),
    }
}

#[derive(PartialEq)]
enum Section {
    Top,
    Account,
    AccountSub,
    Other,
}

/// An `[[accounts]]` table being read.
struct Pending<'a> {
    start: usize,
    id: Option<Cow<'a, str>>,
    issuer: Cow<'a, str>,
    name: Cow<'a, str>,
}

fn close<'a>(
    text: &'a str,
    pending: Option<Pending<'a>>,
    end: usize,
    headers: &mut Vec<Header<'a>>,
) -> Option<()> {
    if let Some(p) = pending {
        headers.push(Header {
            id: p.id?,
            issuer: p.issuer,
            name: p.name,
            block: &text[p.start..end],
        });
    }
    Some(())
}

/// The account headers, or `None` when the text is not in our layout.
pub fn scan(text: &str) -> Option<Vec<Header<'_>>> {
    // This runs over the whole vault on every `otp code`: SIMD searches for
    // newlines and triple quotes, and most lines are dismissed by their
    // first byte.
    let bytes = text.as_bytes();
    // A multi-line string could hide a fake `[[accounts]]` line.
    if memchr::memmem::find(bytes, b"\"\"\"").is_some()
        || memchr::memmem::find(bytes, b"'''").is_some()
    {
        return None;
    }
    let mut headers = Vec::new();
    let mut section = Section::Top;
    let mut current: Option<Pending<'_>> = None;
    let mut version_ok = false;
    let mut line_start = 0usize;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for end in ends {
        let start = line_start;
        line_start = end + 1;
        let line = &text[start..end.min(bytes.len())];
        let t = line.trim_start_matches([' ', '\t']);
        let first = match t.as_bytes().first() {
            None | Some(b'#' | b'\r') => continue,
            Some(&b) => b,
        };
        match first {
            // Quoted keys, or the rest of a multi-line array: not our layout.
            b'"' | b'\'' | b']' => return None,
            b'[' => {
                let head = t.split('#').next().unwrap_or("").trim_end();
                if head == "[[accounts]]" {
                    close(text, current.take(), start, &mut headers)?;
                    current = Some(Pending {
                        start,
                        id: None,
                        issuer: Cow::Borrowed(""),
                        name: Cow::Borrowed(""),
                    });
                    section = Section::Account;
                } else if head.starts_with("[[accounts.") || head.starts_with("[accounts.") {
                    current.as_ref()?;
                    section = Section::AccountSub;
                } else if head == "[[trash]]"
                    || head.starts_with("[trash.")
                    || head.starts_with("[[trash.")
                {
                    close(text, current.take(), start, &mut headers)?;
                    section = Section::Other;
                } else {
                    return None;
                }
                continue;
            }
            _ => {}
        }
        // Only keys that can matter are looked at: `id`, `issuer`, `name` in
        // an account; `version`, `accounts`, `trash` at the top.
        let relevant = match section {
            Section::Account => matches!(first, b'i' | b'n'),
            Section::Top => matches!(first, b'v' | b'a' | b't'),
            Section::AccountSub | Section::Other => false,
        };
        if !relevant {
            continue;
        }
        let eq = t.bytes().position(|b| b == b'=')?;
        let key = t[..eq].trim_end();
        if key.bytes().any(|b| b == b'.' || b == b'"' || b == b'\'') {
            return None;
        }
        let value = t[eq + 1..].trim();
        match (&section, current.as_mut()) {
            (Section::Top, _) => match key {
                "version" => version_ok = strip_comment(value) == "1",
                // An empty array is written inline (`trash = []`); anything
                // else inline is a layout we do not scan.
                "accounts" | "trash" if strip_comment(value) != "[]" => return None,
                _ => {}
            },
            (Section::Account, Some(p)) => match key {
                "id" => p.id = Some(parse_string(value)?),
                "issuer" => p.issuer = parse_string(value)?,
                "name" => p.name = parse_string(value)?,
                _ => {}
            },
            _ => {}
        }
    }
    close(text, current.take(), text.len(), &mut headers)?;
    version_ok.then_some(headers)
}

fn strip_comment(value: &str) -> &str {
    value.split('#').next().unwrap_or("").trim()
}

/// A TOML basic ("…") or literal ('…') one-line string, with an optional
/// trailing comment; `None` for anything else.
fn parse_string(value: &str) -> Option<Cow<'_, str>> {
    // Common case, no allocation: a basic string with no escapes.
    if let Some(body) = value.strip_prefix('"')
        && let Some(close) = memchr::memchr2(b'"', b'\\', body.as_bytes())
        && body.as_bytes()[close] == b'"'
    {
        let rest = body[close + 1..].trim();
        return (rest.is_empty() || rest.starts_with('#')).then_some(Cow::Borrowed(&body[..close]));
    }
    parse_escaped(value).map(Cow::Owned)
}

/// The general case of [`parse_string`].
fn parse_escaped(value: &str) -> Option<String> {
    let mut chars = value.char_indices();
    let (_, quote) = chars.next()?;
    let mut out = String::new();
    let end;
    if quote == '\'' {
        let close = value[1..].find('\'')? + 1;
        out.push_str(&value[1..close]);
        end = close + 1;
    } else if quote == '"' {
        let mut found = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    found = Some(i + 1);
                    break;
                }
                '\\' => {
                    let (_, e) = chars.next()?;
                    match e {
                        'b' => out.push('\u{8}'),
                        't' => out.push('\t'),
                        'n' => out.push('\n'),
                        'f' => out.push('\u{c}'),
                        'r' => out.push('\r'),
                        'e' => out.push('\u{1b}'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let n = if e == 'u' { 4 } else { 8 };
                            let hex: String = (0..n)
                                .map(|_| chars.next().map(|(_, c)| c))
                                .collect::<Option<_>>()?;
                            out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        }
                        _ => return None,
                    }
                }
                c => out.push(c),
            }
        }
        end = found?;
    } else {
        return None;
    }
    let rest = value[end..].trim();
    (rest.is_empty() || rest.starts_with('#')).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};
    use crate::vault::{Trashed, Vault};
    use proptest::prelude::*;
    use time::OffsetDateTime;

    fn vault_with(labels: &[(String, String)]) -> Vault {
        vault_with_trash(labels, true)
    }

    fn vault_with_trash(labels: &[(String, String)], trash: bool) -> Vault {
        let mut v = Vault::new(vec!["age1abc".into()]);
        for (i, (issuer, name)) in labels.iter().enumerate() {
            let token = Token::totp(Secret::new(vec![i as u8 + 1; 10]));
            let mut e = Entry::new(issuer.clone(), name.clone(), token);
            e.note = Some(format!("note {i}"));
            v.accounts.push(Account::from_entry(
                e,
                format!("id{i:06}"),
                OffsetDateTime::UNIX_EPOCH,
            ));
        }
        let t = Token::totp(Secret::new(vec![9; 10]));
        let a = Account::from_entry(
            Entry::new("Trash", "old", t),
            "trash001".into(),
            OffsetDateTime::UNIX_EPOCH,
        );
        if trash {
            v.trash.push(Trashed {
                deleted: OffsetDateTime::UNIX_EPOCH,
                account: a,
            });
        }
        v
    }

    #[test]
    fn empty_trash_and_empty_vault_take_the_fast_path() {
        let v = vault_with_trash(&[("GitHub".into(), "alice".into())], false);
        let text = v.to_toml();
        assert!(text.contains("trash = []"), "{text}");
        assert!(matches!(find(&text, "github"), Lookup::Found(_)));
        let empty = Vault::new(vec!["age1abc".into()]).to_toml();
        assert!(matches!(find(&empty, "x"), Lookup::Refused(_)));
    }

    #[test]
    fn string_forms() {
        assert_eq!(
            parse_string(r#""a\"b\\c\u00e9""#).as_deref(),
            Some("a\"b\\cé")
        );
        assert_eq!(
            parse_string("'lit\\eral' # c").as_deref(),
            Some("lit\\eral")
        );
        assert_eq!(parse_string("\"x\" y"), None);
        assert_eq!(parse_string("42"), None);
    }

    #[test]
    fn finds_the_same_account_as_a_full_parse() {
        let v = vault_with(&[
            ("GitHub".into(), "alice".into()),
            ("Microsoft Azure".into(), "me".into()),
        ]);
        let text = v.to_toml();
        match find(&text, "azure") {
            Lookup::Found(a) => assert_eq!(*a, v.accounts[1]),
            _ => panic!("fast path not taken"),
        }
        assert!(
            matches!(find(&text, "old"), Lookup::Refused(_)),
            "trash is not searched"
        );
    }

    #[test]
    fn unusual_layouts_fall_back() {
        assert!(scan("version = 1\naccounts = [{ id = \"x\" }]\n").is_none());
        assert!(scan("version = 2\n").is_none());
        assert!(scan("version = 1\n[[accounts]]\n\"id\" = \"x\"\n").is_none());
        assert!(
            scan("version = 1\n[[accounts]]\nissuer = \"x\"\n").is_none(),
            "no id"
        );
        assert!(scan("version = 1\n[weird]\n").is_none());
        // A multi-line string or array that could hide a fake table header.
        let fake = "version = 1\n[[accounts]]\nid = \"a\"\nnote = \"\"\"\n[[accounts]]\nid = \"fake\"\n\"\"\"\n";
        assert!(scan(fake).is_none());
        assert!(scan(&fake.replace("\"\"\"", "'''")).is_none());
        let array = "version = 1\n[[accounts]]\nid = \"a\"\ntags = [\n  \"x\",\n]\n";
        assert!(scan(array).is_none());
        let inline =
            "version = 1\n[[accounts]]\nid = \"a\"\ntags = [\"\"\"x\n[[accounts]]\n\"\"\"]\n";
        assert!(scan(inline).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The fast path resolves every query exactly as the full parse does.
        #[test]
        fn agrees_with_full_parse(
            labels in proptest::collection::vec(("[a-zA-Z :\"\\\\'é\u{202e}#=\\[\\]]{0,8}", "[a-z :@\"'\n]{0,8}"), 0..6),
            query in "[a-zA-Z: ]{0,4}",
            trash in any::<bool>(),
        ) {
            let v = vault_with_trash(&labels, trash);
            let text = v.to_toml();
            let full = resolve(&v.accounts, &query);
            match find(&text, &query) {
                Lookup::Found(a) => prop_assert_eq!(Some(&*a), full.ok().map(|i| &v.accounts[i])),
                Lookup::Refused(f) => prop_assert_eq!(Some(f.code), full.err().map(|f| f.code)),
                Lookup::Fallback => {}
            }
        }

        #[test]
        fn scan_never_panics(text in any::<String>()) {
            let _ = scan(&text);
        }
    }
}
