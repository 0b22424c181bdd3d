//! The merge rules shared by `add`, `import` and `recover`'s dry runs: what
//! happens to each incoming account, decided before anything is written.

use crate::model::{Account, Entry};
use crate::vault::label;

/// What happens to one incoming entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// New: it will be added.
    Add,
    /// The same secret and parameters are already there (under `existing`):
    /// skipped and counted.
    Duplicate { existing: String },
    /// Same `issuer:name` as `existing` but another secret: refused.
    Conflict {
        existing: String,
        existing_id: Option<String>,
    },
}

/// Decides, for each incoming entry in order, against the vault's accounts
/// and the entries before it in the same import. "The same `issuer:name`"
/// is label identity ([`label::key`]): a label that only looks different
/// (another Unicode form, case, spacing, invisible characters) conflicts.
pub fn plan(vault: &[Account], incoming: &[Entry]) -> Vec<Action> {
    let vault_keys: Vec<String> = vault
        .iter()
        .map(|a| label::key(&a.issuer, &a.name))
        .collect();
    let keys: Vec<String> = incoming
        .iter()
        .map(|e| label::key(&e.issuer, &e.name))
        .collect();
    let mut actions = Vec::with_capacity(incoming.len());
    for (i, e) in incoming.iter().enumerate() {
        let key = &keys[i];
        let action = if let Some(a) = vault.iter().find(|a| a.token().same_generator(&e.token)) {
            Action::Duplicate {
                existing: a.label(),
            }
        } else if let Some(j) = vault_keys.iter().position(|k| k == key) {
            Action::Conflict {
                existing: vault[j].label(),
                existing_id: Some(vault[j].id.clone()),
            }
        } else if let Some(prev) = incoming[..i]
            .iter()
            .find(|p| p.token.same_generator(&e.token))
        {
            Action::Duplicate {
                existing: prev.label(),
            }
        } else if let Some(j) = keys[..i].iter().position(|k| k == key) {
            Action::Conflict {
                existing: format!("{} (earlier in the same import)", incoming[j].label()),
                existing_id: None,
            }
        } else {
            Action::Add
        };
        actions.push(action);
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Secret, Token};
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
            entry("Other", "name", 1),   // same secret under another name: duplicate
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
        assert!(matches!(p[3], Action::Duplicate { .. }));
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
}
