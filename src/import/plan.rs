//! The merge rules shared by `add`, `import` and `recover`'s dry runs: what
//! happens to each incoming account, decided before anything is written;
//! and the one rule for entries of the input that could not be imported at
//! all ([`left_out`]), whichever reader (app export, URI list, QR image)
//! left them out.

use std::collections::HashMap;

use crate::error::{Code, Fail};
use crate::model::label;
use crate::model::{Account, Entry, Generator, Skipped};
use crate::text::sanitize;

/// What happens to one incoming entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// New: it will be added.
    Add,
    /// The same label (identity) with the same secret and parameters is
    /// already there (as `existing`): skipped and counted.
    Duplicate { existing: String },
    /// Same `issuer:name` as `existing` but another secret: refused.
    Conflict {
        existing: String,
        existing_id: Option<String>,
    },
}

/// Decides, for each incoming entry in order, against the vault's accounts
/// and the entries before it in the same import. An entry is one account
/// with another exactly when both have the same label and the same secret
/// and parameters (a duplicate); the same label with another secret is a
/// conflict; the same secret under another label is another account, added
/// (a phone that shows two names for one secret keeps both: no label the
/// user had is ever lost). "The same label" is label identity
/// ([`label::key`]): a label that only looks different (another Unicode
/// form, case, spacing, invisible characters) is the same.
///
/// Linear in the number of accounts and entries: the labels (and label and
/// generator pairs) seen so far are looked up in hash maps (an import of
/// 200,000 entries compared each with all before it took minutes).
pub fn plan(vault: &[Account], incoming: &[Entry]) -> Vec<Action> {
    // The first account (or earlier entry) with each label, and with each
    // label and generator.
    let mut vault_same: HashMap<(String, Generator<'_>), usize> = HashMap::new();
    let mut vault_labels: HashMap<String, usize> = HashMap::new();
    for (j, a) in vault.iter().enumerate() {
        let key = label::key(&a.issuer, &a.name);
        vault_same.entry((key.clone(), a.generator())).or_insert(j);
        vault_labels.entry(key).or_insert(j);
    }
    let mut same: HashMap<(String, Generator<'_>), usize> = HashMap::new();
    let mut labels: HashMap<String, usize> = HashMap::new();
    let mut actions = Vec::with_capacity(incoming.len());
    for (i, e) in incoming.iter().enumerate() {
        let pair = (label::key(&e.issuer, &e.name), e.token.generator());
        let action = if let Some(&j) = vault_same.get(&pair) {
            Action::Duplicate {
                existing: vault[j].label(),
            }
        } else if let Some(&j) = vault_labels.get(&pair.0) {
            Action::Conflict {
                existing: vault[j].label(),
                existing_id: Some(vault[j].id.clone()),
            }
        } else if let Some(&j) = same.get(&pair) {
            Action::Duplicate {
                existing: incoming[j].label(),
            }
        } else if let Some(&j) = labels.get(&pair.0) {
            Action::Conflict {
                existing: format!("{} (earlier in the same import)", incoming[j].label()),
                existing_id: None,
            }
        } else {
            Action::Add
        };
        labels.entry(pair.0.clone()).or_insert(i);
        same.entry(pair).or_insert(i);
        actions.push(action);
    }
    actions
}

/// The rule for every import, whatever read the input: when any entry of it
/// was left out ([`Skipped`]: a kind otp cannot compute, invalid
/// parameters, a part of a batch not given, a QR code seen but not read),
/// the import is only partly done. What could be imported was (or, in a dry
/// run, would be); the result is exit 7 with each entry left out listed with
/// its reason, so that `otp import FILE && rm FILE` never loses an account.
/// Exact duplicates already in the vault are not left out: they are there.
pub fn left_out(skipped: &[Skipped]) -> Result<(), Fail> {
    if skipped.is_empty() {
        return Ok(());
    }
    let n = skipped.len();
    let (noun, verb) = if n == 1 {
        ("entry", "was")
    } else {
        ("entries", "were")
    };
    let mut message = format!("{n} {noun} of the input {verb} not imported (everything else was):");
    for s in skipped {
        message.push_str("\n  ");
        message.push_str(&left_out_line(s));
    }
    Err(Fail::new(Code::PartlyDone, message).hint(
        "keep the input: it still holds the entries listed; add them another way (`otp add`), or fix them and import again (accounts already imported count as duplicates)",
    ))
}

/// One entry left out, for messages: `LABEL: REASON`, sanitized.
pub fn left_out_line(s: &Skipped) -> String {
    format!("{}: {}", sanitize(&s.label), sanitize(&s.reason))
}

/// One entry left out, as a line of a dry run's plan on stdout.
pub fn left_out_plan_line(s: &Skipped) -> String {
    format!(
        "left-out\t{}\t({})",
        sanitize(&s.label),
        sanitize(&s.reason)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Secret, Token};
    use proptest::prelude::*;
    use time::OffsetDateTime;

    fn entry(issuer: &str, name: &str, key: u8) -> Entry {
        Entry::new(issuer, name, Token::totp(Secret::new(vec![key; 10])))
    }

    #[test]
    fn add_duplicate_conflict() {
        let vault = vec![Account::from_entry(
            entry("GitHub", "alice", 1),
            "id1".into(),
            OffsetDateTime::UNIX_EPOCH,
        )];
        let incoming = vec![
            entry("GitHub", "alice", 1), // same secret: duplicate
            entry("github", "ALICE", 2), // same label, other secret: conflict
            entry("GitLab", "alice", 3), // new
            entry("Other", "name", 1),   // same secret under another name: its own account
            entry("GitLab", "alice", 4), // conflicts with the entry two above
        ];
        let p = plan(&vault, &incoming);
        assert_eq!(
            p[0],
            Action::Duplicate {
                existing: "GitHub:alice".into()
            }
        );
        assert!(matches!(p[1], Action::Conflict { existing_id: Some(ref id), .. } if id == "id1"));
        assert_eq!(p[2], Action::Add);
        assert_eq!(p[3], Action::Add);
        assert!(matches!(
            p[4],
            Action::Conflict {
                existing_id: None,
                ..
            }
        ));
    }

    #[test]
    fn look_alike_labels_conflict() {
        let vault = vec![Account::from_entry(
            entry("Stra\u{df}e Bank", "\u{3a3}\u{3c3}\u{3c2}", 1),
            "id1".into(),
            OffsetDateTime::UNIX_EPOCH,
        )];
        let look_alikes = [
            ("STRASSE BANK", "\u{3c3}\u{3c3}\u{3c3}"), // full case folding
            ("Stra\u{df}e\u{a0}Bank", "\u{3a3}\u{3a3}\u{3a3}"), // no-break space
            (" Stra\u{df}e  Bank", "\u{3a3}\u{3c3}\u{3c2}\u{200d}"), // spaces, zero-width joiner
            ("", "strasse bank : \u{3a3}\u{3a3}\u{3a3}"), // issuer-less
            ("\u{ff33}trasse Bank", "\u{3a3}\u{3a3}\u{3a3}"), // fullwidth
        ];
        for (i, (issuer, name)) in look_alikes.iter().enumerate() {
            let p = plan(&vault, &[entry(issuer, name, 10 + i as u8)]);
            assert!(
                matches!(p[0], Action::Conflict { existing_id: Some(ref id), .. } if id == "id1"),
                "{issuer:?} {name:?}: {p:?}"
            );
        }
        // Two look-alikes in one import, with different secrets.
        let p = plan(&[], &[entry("A", "e\u{301}", 1), entry("", "a:\u{e9}", 2)]);
        assert_eq!(p[0], Action::Add);
        assert!(matches!(
            p[1],
            Action::Conflict {
                existing_id: None,
                ..
            }
        ));
    }

    /// One secret under four names (a Google Authenticator export where
    /// four entries share a secret): four accounts, none lost.
    #[test]
    fn one_secret_under_several_labels_keeps_every_label() {
        let incoming: Vec<Entry> = (1..=4).map(|i| entry("", &format!("test{i}"), 7)).collect();
        assert_eq!(plan(&[], &incoming), vec![Action::Add; 4]);
        let vault = vec![Account::from_entry(
            entry("", "test1", 7),
            "id1".into(),
            OffsetDateTime::UNIX_EPOCH,
        )];
        let p = plan(&vault, &incoming);
        assert_eq!(
            p[0],
            Action::Duplicate {
                existing: "test1".into()
            }
        );
        assert_eq!(p[1..], [Action::Add, Action::Add, Action::Add]);
    }

    #[test]
    fn different_parameters_are_not_duplicates() {
        let mut e = entry("A", "b", 1);
        let vault = vec![Account::from_entry(
            e.clone(),
            "x".into(),
            OffsetDateTime::UNIX_EPOCH,
        )];
        e.token.digits = 8;
        e.name = "c".into();
        assert_eq!(plan(&vault, &[e]), vec![Action::Add]);
    }

    /// The rules written plainly: each entry compared with every account
    /// and every entry before it.
    fn quadratic_plan(vault: &[Account], incoming: &[Entry]) -> Vec<Action> {
        let mut actions = Vec::new();
        for (i, e) in incoming.iter().enumerate() {
            let action = if let Some(a) = vault.iter().find(|a| {
                a.token().same_generator(&e.token)
                    && label::same(&a.issuer, &a.name, &e.issuer, &e.name)
            }) {
                Action::Duplicate {
                    existing: a.label(),
                }
            } else if let Some(a) = vault
                .iter()
                .find(|a| label::same(&a.issuer, &a.name, &e.issuer, &e.name))
            {
                Action::Conflict {
                    existing: a.label(),
                    existing_id: Some(a.id.clone()),
                }
            } else if let Some(p) = incoming[..i].iter().find(|p| {
                p.token.same_generator(&e.token)
                    && label::same(&p.issuer, &p.name, &e.issuer, &e.name)
            }) {
                Action::Duplicate {
                    existing: p.label(),
                }
            } else if let Some(p) = incoming[..i]
                .iter()
                .find(|p| label::same(&p.issuer, &p.name, &e.issuer, &e.name))
            {
                Action::Conflict {
                    existing: format!("{} (earlier in the same import)", p.label()),
                    existing_id: None,
                }
            } else {
                Action::Add
            };
            actions.push(action);
        }
        actions
    }

    /// Entries drawn from small pools, so that secrets, parameters and
    /// (look-alike) labels collide often.
    fn colliding_entry() -> impl Strategy<Value = Entry> {
        (
            0..4usize,
            0..4usize,
            0..3u8,
            0..3usize,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(issuer, name, key, kind, digits8, period60)| {
                let issuers = ["GitHub", "github", " GitHub", ""];
                let names = ["alice", "ALICE", "bob", "GitHub:alice"];
                let mut token = Token::totp(Secret::new(vec![key; 10]));
                token.kind = [Kind::Totp, Kind::Hotp, Kind::Steam][kind];
                token.digits = if digits8 { 8 } else { 6 };
                token.period = if period60 { 60 } else { 30 };
                Entry::new(issuers[issuer], names[name], token)
            })
    }

    proptest! {
        #[test]
        fn the_linear_plan_is_the_quadratic_plan(
            vault in proptest::collection::vec(colliding_entry(), 0..6),
            incoming in proptest::collection::vec(colliding_entry(), 0..10),
        ) {
            let vault: Vec<Account> = vault
                .into_iter()
                .enumerate()
                .map(|(i, e)| Account::from_entry(e, format!("id{i}"), OffsetDateTime::UNIX_EPOCH))
                .collect();
            prop_assert_eq!(plan(&vault, &incoming), quadratic_plan(&vault, &incoming));
        }
    }
}
