//! How a QUERY picks one account (or trashed account), as the contract
//! fixes it (docs/cli.md, "QUERY"), compared by label identity
//! ([`label`](mod@super::label)). Pure: the fast path of `otp code` (src/vault/index.rs) and
//! [`Vault::find`](super::Vault::find) resolve through the same `classify`.

use super::{Account, Trashed, label};
use crate::error::{Code, Fail};
use crate::text::sanitize;

/// What QUERY resolution needs to know about an account.
pub trait Named {
    fn id(&self) -> &str;
    fn issuer(&self) -> &str;
    fn name(&self) -> &str;
    fn label(&self) -> String {
        label(self.issuer(), self.name())
    }
}

impl Named for Account {
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

impl Named for Trashed {
    fn id(&self) -> &str {
        &self.account.id
    }
    fn issuer(&self) -> &str {
        &self.account.issuer
    }
    fn name(&self) -> &str {
        &self.account.name
    }
}

/// Picks one item by QUERY, as the contract fixes it: an exact id; else an
/// exact match of `issuer:name`, `issuer` or `name`; else a substring of
/// `issuer:name` — compared by label identity ([`label::fold`]: case,
/// Unicode forms, white space and invisible characters aside). None: exit
/// 3 with "did you mean" suggestions. Several: exit 4 with the candidates.
pub fn resolve<T: Named>(items: &[T], query: &str) -> Result<usize, Fail> {
    if let Some(i) = items.iter().position(|a| a.id() == query) {
        return Ok(i);
    }
    // `otp code` resolves over every account on each call: no allocation
    // per account (see `classify`).
    let q = Query::new(query);
    let (mut exact, mut partial) = (Vec::new(), Vec::new());
    for (i, a) in items.iter().enumerate() {
        match classify(a.issuer(), a.name(), &q) {
            Match::Exact => exact.push(i),
            Match::Partial => partial.push(i),
            Match::None => {}
        }
    }
    let hits = if exact.is_empty() { partial } else { exact };
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(no_match(items, query)),
        many => Err(ambiguous(items, query, many)),
    }
}

/// How an account's label answers a query (see [`resolve`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Match {
    Exact,
    Partial,
    None,
}

/// A query folded ([`label::fold`]), with what [`classify`] asks of it for
/// every account worked out once.
pub(crate) struct Query {
    folded: String,
    ascii: bool,
    colon: bool,
}

impl Query {
    pub(crate) fn new(query: &str) -> Self {
        let folded = label::fold(query);
        Query {
            ascii: folded.is_ascii(),
            colon: folded.contains(':'),
            folded,
        }
    }
}

/// How the query matches the account `issuer`/`name` under label identity:
/// exactly (`issuer:name`, `issuer` or `name`), as a part of `issuer:name`,
/// or not at all.
///
/// Most labels are plain ASCII ([`label::is_plain`]): their fold is their
/// ASCII lower case, so they are compared ignoring ASCII case, with no
/// allocation. (The fold of such a label is ASCII, so a query whose fold is
/// not cannot match it.) Other labels are folded.
pub(crate) fn classify(issuer: &str, name: &str, query: &Query) -> Match {
    if !(label::is_plain(issuer) && label::is_plain(name)) {
        return label_match(&label::fold(issuer), &label::fold(name), &query.folded);
    }
    if !query.ascii {
        return Match::None;
    }
    let (i, n, q) = (issuer.as_bytes(), name.as_bytes(), query.folded.as_bytes());
    // `q` is folded, so lower-case: comparing without case is comparing
    // folded.
    let is_q = |part: &[u8]| part.eq_ignore_ascii_case(q);
    let label_is_q = match (i.is_empty(), n.is_empty()) {
        (true, _) => is_q(n),
        (false, true) => is_q(i),
        (false, false) => {
            q.len() == i.len() + 1 + n.len()
                && q[i.len()] == b':'
                && i.eq_ignore_ascii_case(&q[..i.len()])
                && n.eq_ignore_ascii_case(&q[i.len() + 1..])
        }
    };
    if label_is_q || is_q(i) || is_q(n) {
        return Match::Exact;
    }
    // A part without ':' lies inside the issuer or the name; one with ':'
    // needs the whole label (`crate::model::label`), built on the stack.
    let contained = if !query.colon {
        contains(i, q) || contains(n, q)
    } else {
        let mut buf = [0u8; 256];
        let label: &[u8] = match (i.is_empty(), n.is_empty()) {
            (true, _) => n,
            (false, true) => i,
            (false, false) if i.len() + 1 + n.len() <= buf.len() => {
                buf[..i.len()].copy_from_slice(i);
                buf[i.len()] = b':';
                buf[i.len() + 1..i.len() + 1 + n.len()].copy_from_slice(n);
                &buf[..i.len() + 1 + n.len()]
            }
            (false, false) => {
                return label_match(&label::fold(issuer), &label::fold(name), &query.folded);
            }
        };
        contains(label, q)
    };
    if contained {
        Match::Partial
    } else {
        Match::None
    }
}

/// Whether lower-case ASCII `needle` occurs in ASCII `hay`, ignoring case
/// (both short: a label and a query).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if hay.len() < needle.len() || first.is_ascii_uppercase() {
        return false;
    }
    // The lower case of `h` is `first` exactly when `h | fold == first`:
    // for a letter, `h` is it in either case; for anything else, `h` is it.
    let fold = if first.is_ascii_lowercase() { 0x20 } else { 0 };
    let starts = &hay[..=hay.len() - needle.len()];
    starts
        .iter()
        .enumerate()
        .any(|(s, &h)| h | fold == first && hay[s + 1..s + needle.len()].eq_ignore_ascii_case(rest))
}

/// How folded `q` matches the label `issuer:name` (or whichever part is
/// not empty), given folded parts, without building the label.
fn label_match(issuer: &str, name: &str, q: &str) -> Match {
    let label_is_q = match (issuer.is_empty(), name.is_empty()) {
        (true, _) => name == q,
        (false, true) => issuer == q,
        (false, false) => {
            q.len() == issuer.len() + 1 + name.len()
                && q.starts_with(issuer)
                && q[issuer.len()..].starts_with(':')
                && q.ends_with(name)
        }
    };
    if label_is_q || issuer == q || name == q {
        return Match::Exact;
    }
    // A part of `issuer:name` without ':' lies inside one of the two; one
    // with ':' needs the whole label.
    let contained = if !q.contains(':') {
        issuer.contains(q) || name.contains(q)
    } else {
        label(issuer, name).contains(q)
    };
    if contained {
        Match::Partial
    } else {
        Match::None
    }
}

fn no_match<T: Named>(items: &[T], query: &str) -> Fail {
    let q = label::fold(query);
    let mut scored: Vec<(f64, String)> = items
        .iter()
        .map(|a| {
            let best = [
                label::key(a.issuer(), a.name()).as_str(),
                &label::fold(a.issuer()),
                &label::fold(a.name()),
            ]
            .iter()
            .map(|s| strsim::jaro_winkler(&q, s))
            .fold(0.0, f64::max);
            (best, a.label())
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut fail = Fail::new(
        Code::NoMatch,
        format!("no account matches '{}'", sanitize(query)),
    );
    if scored.is_empty() {
        fail = fail.hint("`otp list` shows all accounts");
    } else {
        let names: Vec<String> = scored.iter().take(3).map(|(_, l)| sanitize(l)).collect();
        fail = fail.hint(format!("did you mean: {}?", names.join(", ")));
    }
    fail
}

fn ambiguous<T: Named>(items: &[T], query: &str, hits: &[usize]) -> Fail {
    let mut message = format!("'{}' matches {} accounts:", sanitize(query), hits.len());
    for &i in hits {
        let a = &items[i];
        message.push_str(&format!("\n  {} ({})", sanitize(&a.label()), a.id()));
    }
    Fail::new(Code::Ambiguous, message)
        .hint("give more of the name, `issuer:name`, or the id shown in parentheses")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};
    use time::OffsetDateTime;

    pub(crate) fn account(id: &str, issuer: &str, name: &str) -> Account {
        let token = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        Account::from_entry(
            Entry::new(issuer, name, token),
            id.into(),
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    pub(crate) fn sample() -> Vec<Account> {
        vec![
            account("aaaa1111", "Microsoft Azure", "me@work.example"),
            account("bbbb2222", "GitHub", "alice"),
            account("cccc3333", "GitHub", "bob"),
            account("dddd4444", "", "github"),
        ]
    }

    #[test]
    fn substring_finds_issuer() {
        assert_eq!(resolve(&sample(), "azure").unwrap(), 0);
        assert_eq!(resolve(&sample(), "AZURE").unwrap(), 0);
    }

    #[test]
    fn exact_id_wins() {
        assert_eq!(resolve(&sample(), "cccc3333").unwrap(), 2);
    }

    #[test]
    fn exact_label_beats_substring() {
        assert_eq!(resolve(&sample(), "github:alice").unwrap(), 1);
        assert_eq!(resolve(&sample(), "bob").unwrap(), 2);
    }

    #[test]
    fn exact_issuer_or_name_matches_are_ambiguous_together() {
        // "github" is the issuer of two accounts and the name of a third.
        let err = resolve(&sample(), "github").unwrap_err();
        assert_eq!(err.code, Code::Ambiguous);
        assert!(err.message.contains("GitHub:alice (bbbb2222)"));
        assert!(err.message.contains("github (dddd4444)"));
    }

    #[test]
    fn no_match_suggests_close_names() {
        let err = resolve(&sample(), "githib").unwrap_err();
        assert_eq!(err.code, Code::NoMatch);
        assert!(err.hint.unwrap().contains("GitHub"));
        let err = resolve(&sample(), "zzzzzzzz").unwrap_err();
        assert_eq!(err.code, Code::NoMatch);
    }

    /// The contract's definition, written the obvious way.
    fn resolve_reference(items: &[Account], query: &str) -> Vec<usize> {
        if let Some(i) = items.iter().position(|a| a.id == query) {
            return vec![i];
        }
        let q = label::fold(query);
        let exact: Vec<usize> = (0..items.len())
            .filter(|&i| {
                let a = &items[i];
                label::key(&a.issuer, &a.name) == q
                    || label::fold(&a.issuer) == q
                    || label::fold(&a.name) == q
            })
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        (0..items.len())
            .filter(|&i| label::key(&items[i].issuer, &items[i].name).contains(&q))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn resolve_agrees_with_the_contract(
            labels in proptest::collection::vec(
                (
                    proptest::prop_oneof![label::LOOK_ALIKE_PART, "[a-cA-C:\t ]{0,5}"],
                    proptest::prop_oneof![label::LOOK_ALIKE_PART, "[a-cA-C:\t ]{0,5}"],
                ),
                0..8,
            ),
            query in "[a-cA-C:éÉ\u{212a} ]{0,5}|[a-cA-C:]{0,3}|[a-cA-C:éÉ\u{212a}\u{301}\u{a0}\u{200b}\u{ff21}\u{ff1a}\u{3a3}\u{3c2}\u{3c3}\t ]{0,5}",
        ) {
            let items: Vec<Account> = labels.iter().enumerate()
                .map(|(i, (iss, name))| account(&format!("id{i}"), iss, name)).collect();
            let expected = resolve_reference(&items, &query);
            match resolve(&items, &query) {
                Ok(i) => proptest::prop_assert_eq!(expected, vec![i]),
                Err(f) if f.code == Code::NoMatch => proptest::prop_assert!(expected.is_empty()),
                Err(_) => proptest::prop_assert!(expected.len() > 1),
            }
        }

        /// `contains` against lower-casing the label, with bytes that are
        /// one bit from a letter's other case, and NUL.
        #[test]
        fn contains_agrees_with_lowercasing(
            hay in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"aAbB`@{[\0:".to_vec()),
                    0u8..128,
                ],
                0..40,
            ),
            needle in proptest::collection::vec(
                proptest::sample::select(b"ab`@{[\0:".to_vec()), 0..4),
        ) {
            let expected = hay.to_ascii_lowercase().windows(needle.len().max(1)).any(|w| w == needle)
                || needle.is_empty();
            proptest::prop_assert_eq!(contains(&hay, &needle), expected);
        }
    }
}
