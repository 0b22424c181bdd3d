//! The vault: its TOML document (schema version 1), how a QUERY picks an
//! account, and the layers below it — `label` (when two labels are the
//! same), `keys` (unlocking, age encryption), `store` (lock and atomic
//! save) and `index` (the fast read path of `otp code`) — and `merge`,
//! which folds two copies of one vault together by account id (`otp sync`).

pub mod index;
pub mod keys;
pub mod label;
pub mod merge;
pub mod store;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Code, Fail};
use crate::model::Account;
use crate::term::sanitize;

pub const SCHEMA_VERSION: u32 = 1;

/// The plaintext of `vault.age`.
///
/// Field order is the file's layout, and the fast path of `otp code`
/// ([`index`]) reads only that exact layout (its `TOP`, `ACCOUNT`, `CODE`
/// and `TRASH` field lists), falling back to a full parse for anything
/// else. A field added here must be added there too, or every `otp code`
/// takes the slow path (index's tests check that the writer's output is
/// read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vault {
    pub version: u32,
    /// Bumped by every change; backups record it so staleness is a subtraction.
    #[serde(default)]
    pub changes: u64,
    /// This vault's identity: random, made by `otp init` (or on the first
    /// save of a vault written before it existed) and never changed. Every
    /// backup and snapshot carries it, so `otp recover` can tell an undo of
    /// this vault from a file of another one with the same key, and
    /// retention prunes only this vault's backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    /// Everyone the vault is encrypted to (age, SSH or plugin recipients).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Which of `recipients` is the break-glass recovery key (`otp recovery-key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<String>,
    /// When the last recovery key was revoked: backups older than this still
    /// open with it, and `otp status` says so.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_revoked: Option<OffsetDateTime>,
    /// Which of `recipients` belongs to the passphrase-protected key file
    /// (`vault.identity.age`), so `otp passwd --identity` can replace it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file_recipient: Option<String>,
    /// When `otp drill` last ran, and what it found (`passed`, `passed with
    /// the vault's own key`, or `failed: …`). Recorded without counting as
    /// a change: no account changed.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_drill: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_drill_result: Option<String>,
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub trash: Vec<Trashed>,
}

/// A deleted account, kept until purged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trashed {
    #[serde(with = "time::serde::rfc3339")]
    pub deleted: OffsetDateTime,
    pub account: Account,
}

impl Vault {
    pub fn new(recipients: Vec<String>) -> Self {
        Vault {
            version: SCHEMA_VERSION,
            changes: 0,
            vault_id: None,
            recipients,
            recovery: None,
            recovery_revoked: None,
            key_file_recipient: None,
            last_drill: None,
            last_drill_result: None,
            accounts: Vec::new(),
            trash: Vec::new(),
        }
    }

    /// Parses vault plaintext, checking the schema version. One pass over
    /// the text; only a file that does not parse is looked at again, to say
    /// whether it is a newer schema or a damaged vault.
    pub fn parse(text: &str) -> anyhow::Result<Vault> {
        let newer = |version: u32| -> anyhow::Error {
            Fail::error(format!(
                "the vault uses schema version {version}, but this otp reads version {SCHEMA_VERSION}"
            ))
            .hint("upgrade otp")
            .into()
        };
        let invalid = match toml::from_str::<Vault>(text) {
            Ok(vault) if vault.version == SCHEMA_VERSION => return Ok(vault),
            Ok(vault) => return Err(newer(vault.version)),
            Err(e) => e,
        };
        #[derive(Deserialize)]
        struct Probe {
            version: u32,
        }
        let probe: Probe = toml::from_str(text).map_err(|e| {
            Fail::error(format!(
                "the vault decrypted but its contents are not a valid otp vault: {}",
                e.message()
            ))
            .hint("restore it from a backup with `otp recover BACKUP`")
        })?;
        if probe.version != SCHEMA_VERSION {
            return Err(newer(probe.version));
        }
        Err(Fail::error(format!(
            "the vault's contents are invalid: {}",
            invalid.message()
        ))
        .hint("restore it from a backup with `otp recover BACKUP`")
        .into())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("the vault model always serializes")
    }

    /// The one account QUERY selects (see [`resolve`]).
    pub fn find(&self, query: &str) -> Result<usize, Fail> {
        resolve(&self.accounts, query)
    }

    /// A fresh id that no account (live or trashed) uses; `random` supplies bytes.
    pub fn new_id(&self, mut random: impl FnMut() -> [u8; 8]) -> String {
        loop {
            let id = id_from_bytes(random());
            let taken = self.accounts.iter().any(|a| a.id == id)
                || self.trash.iter().any(|t| t.account.id == id);
            if !taken {
                return id;
            }
        }
    }

    /// `count` new account ids, unique in the vault (trash included) and
    /// among themselves, in one pass over the vault: [`Vault::new_id`] per
    /// account would make a large import quadratic.
    pub fn new_ids(&self, count: usize, mut random: impl FnMut() -> [u8; 8]) -> Vec<String> {
        let mut taken: std::collections::HashSet<String> = self
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .chain(self.trash.iter().map(|t| t.account.id.clone()))
            .collect();
        let mut ids = Vec::with_capacity(count);
        while ids.len() < count {
            let id = id_from_bytes(random());
            if taken.insert(id.clone()) {
                ids.push(id);
            }
        }
        ids
    }

    /// Gives the vault an id if it has none (a vault written before ids
    /// existed); `random` supplies the bytes. Returns whether it made one.
    pub fn ensure_id(&mut self, random: impl FnOnce() -> [u8; 16]) -> bool {
        if self.vault_id.is_some() {
            return false;
        }
        self.vault_id = Some(vault_id_from_bytes(random()));
        true
    }

    /// Whether `other` (an id read from a backup or snapshot) names this
    /// vault. A file without an id, or a vault without one, never does.
    pub fn is_same_vault(&self, other: Option<&str>) -> bool {
        matches!((self.vault_id.as_deref(), other), (Some(a), Some(b)) if a == b)
    }

    /// Index of an account with the same label ([`label::same`]).
    pub fn find_label(&self, issuer: &str, name: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| same_label(&a.issuer, &a.name, issuer, name))
    }
}

/// Two labels that name the same account ([`label::same`]).
pub fn same_label(issuer_a: &str, name_a: &str, issuer_b: &str, name_b: &str) -> bool {
    label::same(issuer_a, name_a, issuer_b, name_b)
}

/// A vault id: 128 random bits as 32 lowercase hex digits.
pub fn vault_id_from_bytes(bytes: [u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Eight lowercase base32 characters: short enough to type, 40 bits of randomness.
pub fn id_from_bytes(bytes: [u8; 8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    bytes
        .iter()
        .map(|b| ALPHABET[(b % 32) as usize] as char)
        .collect()
}

/// What QUERY resolution needs to know about an account.
pub trait Named {
    fn id(&self) -> &str;
    fn issuer(&self) -> &str;
    fn name(&self) -> &str;
    fn label(&self) -> String {
        crate::model::label(self.issuer(), self.name())
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
        crate::model::label(issuer, name).contains(q)
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
        .hint("give more of the name, `issuer:name`, or the id in brackets")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_unique_and_avoid_the_vault_and_trash() {
        let mut vault = Vault::parse("version = 1\n").unwrap_or_else(|e| panic!("{e}"));
        let taken = [[0u8; 8], [1u8; 8]];
        for (i, bytes) in taken.iter().enumerate() {
            let mut a = crate::model::Account::from_entry(
                crate::model::Entry::new(
                    "I",
                    format!("n{i}"),
                    crate::model::Token::totp(crate::model::Secret::new(vec![1; 10])),
                ),
                id_from_bytes(*bytes),
                time::OffsetDateTime::UNIX_EPOCH,
            );
            if i == 1 {
                a.name = "trashed".into();
                vault.trash.push(Trashed {
                    deleted: time::OffsetDateTime::UNIX_EPOCH,
                    account: a,
                });
            } else {
                vault.accounts.push(a);
            }
        }
        // A source that repeats itself: taken ids and repeats are skipped.
        let mut source = [[0u8; 8], [1u8; 8], [2u8; 8], [2u8; 8], [3u8; 8]].into_iter();
        let ids = vault.new_ids(2, || source.next().unwrap());
        assert_eq!(ids, vec![id_from_bytes([2; 8]), id_from_bytes([3; 8])]);
    }
    use crate::model::{Entry, Secret, Token};

    fn account(id: &str, issuer: &str, name: &str) -> Account {
        let token = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        Account::from_entry(
            Entry::new(issuer, name, token),
            id.into(),
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    fn sample() -> Vec<Account> {
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

    #[test]
    fn ids_are_unique_and_short() {
        let v = Vault::new(vec![]);
        let id = v.new_id(|| [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(id.len(), 8);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }

    #[test]
    fn vault_round_trips_through_toml() {
        let mut v = Vault::new(vec!["age1xyz".into()]);
        v.accounts = sample();
        v.trash.push(Trashed {
            deleted: OffsetDateTime::UNIX_EPOCH,
            account: account("eeee5555", "Old", "x"),
        });
        let text = v.to_toml();
        assert!(text.starts_with("version = 1\n"));
        assert_eq!(Vault::parse(&text).unwrap(), v);
    }

    #[test]
    fn key_roles_sit_before_the_accounts_for_the_fast_path() {
        let mut v = Vault::new(vec!["age1a".into(), "age1b".into()]);
        v.key_file_recipient = Some("age1a".into());
        v.recovery = Some("age1b".into());
        v.recovery_revoked = Some(OffsetDateTime::UNIX_EPOCH);
        v.accounts = sample();
        // (An empty trash is written as `trash = []`; a trashed account
        // makes it a table.)
        v.trash.push(Trashed {
            deleted: OffsetDateTime::UNIX_EPOCH,
            account: account("eeee5555", "Old", "x"),
        });
        v.last_drill = Some(OffsetDateTime::UNIX_EPOCH);
        v.last_drill_result = Some("passed".into());
        let text = v.to_toml();
        let accounts = text.find("[[accounts]]").unwrap();
        for key in [
            "recovery =",
            "recovery_revoked =",
            "key_file_recipient =",
            "last_drill =",
            "last_drill_result =",
        ] {
            assert!(text.find(key).unwrap() < accounts, "{text}");
        }
        assert_eq!(index::scan(&text).map(|h| h.len()), Some(4));
        assert_eq!(Vault::parse(&text).unwrap(), v);
        // Absent roles are not written at all.
        let plain = Vault::new(vec!["age1a".into()]).to_toml();
        assert!(
            !plain.contains("recovery") && !plain.contains("key_file"),
            "{plain}"
        );
    }

    #[test]
    fn vault_ids_are_made_once_and_compared_exactly() {
        let mut v = Vault::new(vec!["age1a".into()]);
        assert!(!v.is_same_vault(None));
        assert!(v.ensure_id(|| [0xab; 16]));
        let id = v.vault_id.clone().unwrap();
        assert_eq!(id, "ab".repeat(16));
        assert!(!v.ensure_id(|| [1; 16]), "an id is never replaced");
        assert_eq!(v.vault_id.as_deref(), Some(id.as_str()));
        assert!(v.is_same_vault(Some(&id)));
        assert!(!v.is_same_vault(None));
        assert!(!v.is_same_vault(Some(&"01".repeat(16))));
        // It round-trips, sits before the accounts, and the fast path reads it.
        v.accounts = sample();
        let text = v.to_toml();
        assert!(text.find("vault_id = ").unwrap() < text.find("[[accounts]]").unwrap());
        assert_eq!(Vault::parse(&text).unwrap(), v);
        assert_eq!(index::scan(&text).map(|h| h.len()), Some(4));
        // A vault without one parses, and is written without one.
        let old = Vault::parse("version = 1\nchanges = 3\nrecipients = []\n").unwrap();
        assert_eq!(old.vault_id, None);
        assert!(!old.to_toml().contains("vault_id"));
    }

    #[test]
    fn future_schema_is_refused() {
        let err = Vault::parse("version = 2\n").unwrap_err();
        assert!(err.to_string().contains("schema version 2"));
        // A newer schema is named as such even where this one cannot read it.
        let err = Vault::parse("version = 2\naccounts = 5\n").unwrap_err();
        assert!(err.to_string().contains("schema version 2"), "{err}");
    }

    #[test]
    fn a_damaged_vault_is_told_from_an_invalid_one() {
        for (text, says) in [
            ("version = \n", "not a valid otp vault"),
            (
                "changes = 1\n",
                "not a valid otp vault: missing field `version`",
            ),
            (
                "version = 1\naccounts = 5\n",
                "the vault's contents are invalid: invalid type",
            ),
        ] {
            let err = Vault::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }
}
