//! The "no existing account" check of `otp recover`, decided before
//! anything is written.
//!
//! Stricter than `import`'s merge rules on purpose: an account of the
//! backup that has the same `issuer:name` as an account in the vault, or
//! the same secret under any name, is a conflict, whatever its other
//! parameters — a restore must never stand beside, shadow or replace an
//! account the user has now. "The same `issuer:name`" is label identity
//! ([`label::key`]), so a label that only looks different is the same.
//!
//! A file that holds one label twice with two different secrets is refused
//! whole, as `import` refuses it: which secret is the account's cannot be
//! told.

use std::collections::HashMap;

use crate::model::Account;
use crate::model::label;

/// Why a backup account clashes with a vault account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    SameName,
    SameSecret,
}

/// What happens to one account of the backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Restore,
    /// Clashes with the vault account `existing` (its label) with id `id`.
    Conflict {
        why: Why,
        existing: String,
        id: String,
    },
    /// The same label and secret as an earlier account of the same file
    /// (a URI list with a line twice): restored once.
    Repeat,
    /// The same label as the earlier account `earlier` (its label) of the
    /// same file, with another secret: the file is refused.
    Clash {
        earlier: String,
    },
}

/// Decides every incoming account, in order: a clash with the vault by
/// label identity, then by secret (the first such vault account is named);
/// then, within the file, against the accounts before it with the same
/// label identity. Linear: the vault is looked up in two hash maps, and per
/// label identity of the file only two earlier accounts matter (the first,
/// and the first with another secret than the first's).
pub fn plan(vault: &[Account], incoming: &[Account]) -> Vec<Decision> {
    let mut by_key: HashMap<String, &Account> = HashMap::with_capacity(vault.len());
    let mut by_secret: HashMap<&[u8], &Account> = HashMap::with_capacity(vault.len());
    for a in vault {
        by_key.entry(label::key(&a.issuer, &a.name)).or_insert(a);
        by_secret.entry(a.secret.bytes()).or_insert(a);
    }
    let conflict = |why, a: &Account| Decision::Conflict {
        why,
        existing: a.label(),
        id: a.id.clone(),
    };
    // Per label identity seen in the file: its first account, and the
    // first later one whose secret differs from that first one's.
    let mut seen: HashMap<String, (&Account, Option<&Account>)> = HashMap::new();
    incoming
        .iter()
        .map(|b| {
            let key = label::key(&b.issuer, &b.name);
            let decision = if let Some(a) = by_key.get(&key) {
                conflict(Why::SameName, a)
            } else if let Some(a) = by_secret.get(b.secret.bytes()) {
                conflict(Why::SameSecret, a)
            } else {
                match seen.get(&key) {
                    None => Decision::Restore,
                    // The earliest account with another secret than `b`'s:
                    // the first one, or else the first that differs from it.
                    Some((first, _)) if first.secret != b.secret => Decision::Clash {
                        earlier: first.label(),
                    },
                    Some((_, Some(other))) => Decision::Clash {
                        earlier: other.label(),
                    },
                    Some((_, None)) => Decision::Repeat,
                }
            };
            let entry = seen.entry(key).or_insert((b, None));
            if entry.1.is_none() && entry.0.secret != b.secret {
                entry.1 = Some(b);
            }
            decision
        })
        .collect()
}

/// Which accounts of a backup's trash are nowhere in the vault (no live or
/// trashed account with the same secret, none restored now with it):
/// those go back into the trash, so a snapshot taken before `otp trash
/// purge` still brings the purged accounts back after later changes. The
/// indexes into `incoming`, each secret once.
pub fn trash_missing(
    live: &[Account],
    trash: &[Account],
    restored: &[&Account],
    incoming: &[Account],
) -> Vec<usize> {
    let mut taken: Vec<&Account> = live
        .iter()
        .chain(trash)
        .chain(restored.iter().copied())
        .collect();
    let mut out = Vec::new();
    for (i, b) in incoming.iter().enumerate() {
        if taken.iter().any(|a| a.secret == b.secret) {
            continue;
        }
        taken.push(b);
        out.push(i);
    }
    out
}

/// Is `id` shaped like an id otp makes (eight of `a-z2-7`)? Ids from a
/// file are kept only then, so a crafted id cannot shadow a QUERY.
pub fn plausible_id(id: &str) -> bool {
    id.len() == 8
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};
    use time::OffsetDateTime;

    fn acc(id: &str, issuer: &str, name: &str, key: u8) -> Account {
        let mut t = Token::totp(Secret::new(vec![key; 10]));
        t.digits = if key == 9 { 8 } else { 6 };
        Account::from_entry(
            Entry::new(issuer, name, t),
            id.into(),
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn name_or_secret_clashes_are_conflicts() {
        let vault = vec![acc("aaaaaaaa", "GitHub", "alice", 1)];
        let incoming = vec![
            acc("", "github", "ALICE", 2), // same name, other secret
            acc("", "GitHub", "alice", 1), // identical: still a conflict
            acc("", "Other", "x", 1),      // same secret, other name
            acc("", "New", "y", 3),
            acc("", "New", "y", 3), // repeated line
            acc("", "New", "z", 4),
        ];
        let p = plan(&vault, &incoming);
        let conflict = |why| Decision::Conflict {
            why,
            existing: "GitHub:alice".into(),
            id: "aaaaaaaa".into(),
        };
        assert_eq!(p[0], conflict(Why::SameName));
        assert_eq!(p[1], conflict(Why::SameName));
        assert_eq!(p[2], conflict(Why::SameSecret));
        assert_eq!(p[3], Decision::Restore);
        assert_eq!(p[4], Decision::Repeat);
        assert_eq!(p[5], Decision::Restore);
    }

    #[test]
    fn only_trashed_accounts_found_nowhere_come_back_once() {
        let live = vec![acc("aaaaaaaa", "A", "a", 1)];
        let trash = vec![acc("bbbbbbbb", "B", "b", 2)];
        let restored = acc("", "R", "r", 5);
        let incoming = vec![
            acc("", "A", "old", 1), // live now
            acc("", "B", "b", 2),   // still in the trash
            acc("", "C", "c", 3),   // purged since: back
            acc("", "C", "c", 3),   // twice in the file: once
            acc("", "R", "r", 5),   // restored live now
            acc("", "D", "d", 4),
        ];
        assert_eq!(
            trash_missing(&live, &trash, &[&restored], &incoming),
            vec![2, 5]
        );
    }

    #[test]
    fn same_secret_with_other_parameters_still_conflicts() {
        let vault = vec![acc("aaaaaaaa", "A", "a", 9)];
        let p = plan(&vault, &[acc("", "B", "b", 9)]);
        assert!(matches!(
            p[0],
            Decision::Conflict {
                why: Why::SameSecret,
                ..
            }
        ));
    }

    #[test]
    fn look_alike_names_are_the_same_name() {
        let vault = vec![acc("aaaaaaaa", "My Bank", "alice", 1)];
        for (issuer, name) in [
            ("My\u{a0}Bank", "alice"),                 // no-break space
            ("My  Bank ", " alice"),                   // stray spaces
            ("My Bank", "al\u{200b}ice"),              // zero-width space
            ("\u{ff2d}\u{ff59} Bank", "\u{ff41}lice"), // fullwidth
            ("", "my bank:ALICE"),                     // issuer-less
        ] {
            let p = plan(&vault, &[acc("", issuer, name, 2)]);
            assert!(
                matches!(
                    p[0],
                    Decision::Conflict {
                        why: Why::SameName,
                        ..
                    }
                ),
                "{issuer:?} {name:?}: {p:?}"
            );
        }
        let p = plan(
            &[acc("aaaaaaaa", "", "Mu\u{308}ller", 1)],
            &[acc("", "", "M\u{fc}ller", 2)],
        );
        assert!(matches!(
            p[0],
            Decision::Conflict {
                why: Why::SameName,
                ..
            }
        ));
    }

    #[test]
    fn one_label_twice_with_two_secrets_clashes() {
        let incoming = vec![
            acc("", "Bank", "alice", 1),
            acc("", "", "BANK: alice", 2), // the same label, another secret
            acc("", "Bank", "alice", 1),   // a repeat of the first, but see the second
            acc("", "Shop", "bob", 3),
            acc("", "shop", "bob", 3), // a repeat
        ];
        let p = plan(&[], &incoming);
        assert_eq!(p[0], Decision::Restore);
        assert_eq!(
            p[1],
            Decision::Clash {
                earlier: "Bank:alice".into()
            }
        );
        assert!(matches!(p[2], Decision::Clash { .. }));
        assert_eq!(p[3], Decision::Restore);
        assert_eq!(p[4], Decision::Repeat);
    }

    #[test]
    fn everything_restores_into_an_empty_vault() {
        let incoming = vec![acc("", "A", "a", 1), acc("", "B", "b", 1)];
        assert_eq!(plan(&[], &incoming), vec![Decision::Restore; 2]);
    }

    /// The rules as first written (quadratic): the oracle for [`plan`].
    fn plan_oracle(vault: &[Account], incoming: &[Account]) -> Vec<Decision> {
        let vault_keys: Vec<String> = vault
            .iter()
            .map(|a| label::key(&a.issuer, &a.name))
            .collect();
        let keys: Vec<String> = incoming
            .iter()
            .map(|b| label::key(&b.issuer, &b.name))
            .collect();
        incoming
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if let Some(j) = vault_keys.iter().position(|k| *k == keys[i]) {
                    return Decision::Conflict {
                        why: Why::SameName,
                        existing: vault[j].label(),
                        id: vault[j].id.clone(),
                    };
                }
                if let Some(a) = vault.iter().find(|a| a.secret == b.secret) {
                    return Decision::Conflict {
                        why: Why::SameSecret,
                        existing: a.label(),
                        id: a.id.clone(),
                    };
                }
                let earlier: Vec<&Account> = (0..i)
                    .filter(|&j| keys[j] == keys[i])
                    .map(|j| &incoming[j])
                    .collect();
                if let Some(p) = earlier.iter().find(|p| p.secret != b.secret) {
                    Decision::Clash { earlier: p.label() }
                } else if earlier.is_empty() {
                    Decision::Restore
                } else {
                    Decision::Repeat
                }
            })
            .collect()
    }

    /// Few issuers, names and secrets, some of them look-alikes, so that
    /// every kind of decision comes up. Labels carry their index so the
    /// named account can be told apart.
    fn accounts(picks: &[(usize, usize, u8)], ids: bool) -> Vec<Account> {
        const ISSUERS: [&str; 4] = ["Bank", "bank ", "", "Shop"];
        const NAMES: [&str; 4] = ["alice", "ALICE", "bank:alice", "bob"];
        picks
            .iter()
            .enumerate()
            .map(|(i, &(issuer, name, key))| {
                let id = if ids { format!("id{i}") } else { String::new() };
                let mut a = acc(&id, ISSUERS[issuer], NAMES[name], key);
                // The same label identity, told apart when named.
                a.name = format!("{}{}", a.name, "\u{200b}".repeat(i % 3));
                a
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn the_linear_plan_decides_as_the_first_rules(
            vault in proptest::collection::vec((0usize..4, 0usize..4, 0u8..5), 0..6),
            incoming in proptest::collection::vec((0usize..4, 0usize..4, 0u8..5), 0..24),
        ) {
            let vault = accounts(&vault, true);
            let incoming = accounts(&incoming, false);
            proptest::prop_assert_eq!(plan(&vault, &incoming), plan_oracle(&vault, &incoming));
        }
    }

    #[test]
    fn ids() {
        assert!(plausible_id("abcd2345"));
        assert!(!plausible_id("abcd1234"));
        assert!(!plausible_id("github"));
        assert!(!plausible_id("ABCD2345"));
    }
}
