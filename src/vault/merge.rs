//! Merging two copies of one vault by account id, so that a change made on
//! one machine is never lost to a change made on another (`otp sync`, the
//! git merge driver, `otp sync merge`). Pure: the clock and the random
//! source of new ids come in as arguments; no I/O.
//!
//! The rules (docs/sync.md explains them to users):
//!
//! - An account added on either side is kept.
//! - An account removed on one side (to the trash, or purged) and unchanged
//!   on the other ends in the trash, never dropped. Removed on one side and
//!   edited (or used) on the other: kept, with the edits.
//! - Trash entries are merged; an entry purged on one side and unchanged in
//!   the other side's trash stays purged (`otp trash purge` is a deliberate
//!   "delete for good" — it must not come back from the other machine).
//! - A field changed on one side takes that side's value; the same field
//!   changed differently on both sides is a [`Conflict`] and nothing is
//!   merged, unless `keep_both`, which keeps the other side's version as a
//!   separate account with a new id.
//! - HOTP counters take the maximum (a code shown on either machine is never
//!   shown again); `updated` the latest; tags and recovery codes merge as
//!   sets (a code used on either side stays used).
//! - Recipients merge as a set (one side's addition kept, one side's removal
//!   — a revocation — applied); the recovery key and the passphrase key file
//!   likewise by three-way rules; the change counter takes the maximum.
//!
//! - Accounts are matched by id, but a user reads labels: two accounts with
//!   different ids whose labels are one label ([`label::key`]), one from
//!   each side, are what two machines make when each adds the same account
//!   between syncs. With the same secret and settings they are one account:
//!   the older (then the smaller id) stays, with the HOTP counter, tags and
//!   recovery codes of both, and the other goes to the trash — the same
//!   choice on every machine, so all converge. With different secrets both
//!   stay (a secret is never dropped) and a [`Note::LookAlike`] says which
//!   to rename. Look-alikes either side already had, and the two versions
//!   `keep_both` makes, are left alone.
//!
//! The two-way merge of a file-sync conflict copy ([`merge2`]) is the same
//! merge with an empty base: nothing is known to be removed, so everything
//! on either side is kept and every difference in a field is a conflict.

use std::collections::{HashMap, HashSet};
use std::fmt;

use time::OffsetDateTime;

use crate::model::{Account, RecoveryCode, Roles, Trashed, Vault, id_from_bytes, label};

/// One account (or one vault setting) changed differently on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    Account {
        id: String,
        /// `issuer:name` on each side (shown on the terminal, never committed).
        ours: String,
        theirs: String,
        fields: Vec<&'static str>,
    },
    /// A vault setting: "passphrase key file", "recovery key".
    Setting(&'static str),
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::Account {
                id,
                ours,
                theirs,
                fields,
            } => {
                let label = if ours == theirs {
                    ours.clone()
                } else {
                    format!("{ours} / {theirs}")
                };
                write!(
                    f,
                    "{label} ({id}): {} changed differently on both sides",
                    fields.join(", ")
                )
            }
            Conflict::Setting(what) => {
                write!(f, "the {what} was changed differently on both sides")?;
                // --keep-both keeps accounts, not settings: say what does.
                match *what {
                    "recovery key" => f.write_str(
                        " (run `otp recovery-key remove` on one machine and sync: the other's new key stays)",
                    ),
                    _ => f.write_str(" (see docs/sync.md)"),
                }
            }
        }
    }
}

/// Something the merge decided that the user should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Removed on one side, unchanged on the other: now in the trash.
    MovedToTrash { id: String, label: String },
    /// Removed on one side, edited or used on the other: kept.
    KeptEdited { id: String, label: String },
    /// A conflict resolved by keeping the other side's version as `new_id`.
    KeptBoth {
        id: String,
        new_id: String,
        label: String,
    },
    /// Recipients only one side had, kept (check they are still wanted).
    RecipientKept(String),
    /// Two accounts with look-alike labels and the same secret and settings,
    /// one from each side: one account, so `id` went to the trash and its
    /// counter, tags and recovery codes were folded into `kept`.
    Folded {
        id: String,
        label: String,
        kept: String,
        kept_label: String,
    },
    /// Accounts with look-alike labels, one from each side, with different
    /// secrets or settings: all kept, and a QUERY for them is ambiguous
    /// until one is renamed. `(id, label)` of each, oldest first.
    LookAlike(Vec<(String, String)>),
}

impl Note {
    /// Whether the user has something to do (shown as a warning).
    pub fn is_warning(&self) -> bool {
        matches!(self, Note::LookAlike(_))
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::MovedToTrash { id, label } => write!(
                f,
                "{label} ({id}) was removed on one side and is in the trash (`otp trash restore {id}` brings it back)"
            ),
            Note::KeptEdited { id, label } => write!(
                f,
                "{label} ({id}) was removed on one side but changed on the other: it was kept"
            ),
            Note::KeptBoth { id, new_id, label } => write!(
                f,
                "{label}: both versions kept, as {id} and {new_id}; remove the one you do not want"
            ),
            Note::RecipientKept(r) => write!(
                f,
                "recipient {r} was only in the other copy and was kept; `otp recipients remove` it if it was revoked"
            ),
            Note::Folded {
                id,
                label,
                kept,
                kept_label,
            } => write!(
                f,
                "{label} ({id}) and {kept_label} ({kept}) look alike and hold the same secret: \
                 one account, kept as {kept} with the HOTP counter, tags and recovery codes of both; \
                 {id} went to the trash (`otp trash list`), so nothing is lost"
            ),
            Note::LookAlike(list) => {
                let shown: Vec<String> = list
                    .iter()
                    .map(|(id, label)| format!("{label} ({id})"))
                    .collect();
                let (last_id, _) = list
                    .last()
                    .map_or(("ID", ""), |(i, l)| (i.as_str(), l.as_str()));
                write!(
                    f,
                    "{} look alike but hold different secrets or settings: all were kept, \
                     and a QUERY for that label matches each; give one another name \
                     (`otp rename {last_id} NEW-NAME`), or remove the one that is stale",
                    shown.join(" and ")
                )
            }
        }
    }
}

/// Why two vaults cannot be merged at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// Fields changed differently on both sides; nothing was merged.
    Conflicts(Vec<Conflict>),
    /// One vault uses an id twice: which copy is "the" account is unknown.
    DuplicateId(String),
    /// The two are different vaults (their vault ids differ).
    DifferentVaults,
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeError::Conflicts(list) => {
                write!(f, "{} conflict(s):", list.len())?;
                for c in list {
                    write!(f, "\n  {c}")?;
                }
                Ok(())
            }
            MergeError::DuplicateId(id) => {
                write!(f, "a vault uses the account id {id} more than once")
            }
            MergeError::DifferentVaults => write!(
                f,
                "these are two different vaults (their vault ids differ), not two copies of one"
            ),
        }
    }
}

impl std::error::Error for MergeError {}

/// A merged vault and what the user should be told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub vault: Vault,
    pub notes: Vec<Note>,
}

/// How a merge runs: the clock (for trash entries it creates), whether a
/// conflict keeps both versions, and random bytes for the ids that needs.
pub struct Options<R: FnMut() -> [u8; 8]> {
    pub now: OffsetDateTime,
    pub keep_both: bool,
    pub random: R,
}

/// Three-way merge of `ours` and `theirs`, whose common ancestor is `base`.
/// The result's settings not named here (schema version and any others)
/// are `ours`'.
pub fn merge3<R: FnMut() -> [u8; 8]>(
    base: &Vault,
    ours: &Vault,
    theirs: &Vault,
    mut options: Options<R>,
) -> Result<Merged, MergeError> {
    let vault_id = merge_vault_id(base, ours, theirs)?;
    let b = states(base)?;
    let o = states(ours)?;
    let t = states(theirs)?;
    let mut taken: HashSet<String> = b.keys().chain(o.keys()).chain(t.keys()).cloned().collect();

    let mut notes = Vec::new();
    let mut conflicts = Vec::new();
    let mut accounts = Vec::new();
    let mut trash = Vec::new();
    // The versions `keep_both` keeps: look-alikes on purpose.
    let mut kept_both = HashSet::new();

    let order = ours
        .accounts
        .iter()
        .map(|a| &a.id)
        .chain(ours.trash.iter().map(|x| &x.account.id))
        .chain(theirs.accounts.iter().map(|a| &a.id))
        .chain(theirs.trash.iter().map(|x| &x.account.id));
    let mut seen = HashSet::new();
    for id in order {
        if !seen.insert(id) {
            continue;
        }
        let (bs, os, ts) = (get(&b, id), get(&o, id), get(&t, id));
        match merge_one(bs, os, ts, options.now) {
            Outcome::Live(a, note) => {
                notes.extend(note);
                accounts.push(a);
            }
            Outcome::Trash(x, note) => {
                notes.extend(note);
                trash.push(x);
            }
            Outcome::TrashBoth(x, y) => {
                // Whichever side it comes from, the same entry keeps the id.
                let key = |t: &Trashed| (t.deleted, toml::to_string(t).unwrap_or_default());
                let (keep, mut other) = if key(&x) >= key(&y) { (x, y) } else { (y, x) };
                other.account.id = fresh_id(&mut taken, &mut options.random);
                trash.push(keep);
                trash.push(other);
            }
            Outcome::Dropped => {}
            Outcome::Conflict(oa, ta, fields) => {
                if options.keep_both {
                    let (mut mine, mut copy) = (oa.clone(), ta.clone());
                    copy.id = fresh_id(&mut taken, &mut options.random);
                    // One key, two versions: a code shown by either is used.
                    if mine.secret == copy.secret {
                        mine.counter = mine.counter.max(copy.counter);
                        copy.counter = mine.counter;
                    }
                    notes.push(Note::KeptBoth {
                        id: oa.id.clone(),
                        new_id: copy.id.clone(),
                        label: oa.label(),
                    });
                    kept_both.insert(mine.id.clone());
                    kept_both.insert(copy.id.clone());
                    accounts.push(mine);
                    accounts.push(copy);
                } else {
                    conflicts.push(Conflict::Account {
                        id: oa.id.clone(),
                        ours: oa.label(),
                        theirs: ta.label(),
                        fields,
                    });
                }
            }
        }
    }

    let recovery = match pick(
        Some(&base.roles.recovery),
        &ours.roles.recovery,
        &theirs.roles.recovery,
    ) {
        Some(r) => r,
        // Both replaced the base's key: one side revoked it, the other made
        // a new one. The new one is wanted; two new ones is a conflict.
        None => match (&ours.roles.recovery, &theirs.roles.recovery) {
            (Some(r), None) | (None, Some(r)) => Some(r.clone()),
            _ => {
                conflicts.push(Conflict::Setting("recovery key"));
                None
            }
        },
    };
    let key_file_recipient = pick(
        Some(&base.roles.key_file_recipient),
        &ours.roles.key_file_recipient,
        &theirs.roles.key_file_recipient,
    )
    .unwrap_or_else(|| {
        conflicts.push(Conflict::Setting("passphrase key file"));
        None
    });
    if !conflicts.is_empty() {
        return Err(MergeError::Conflicts(conflicts));
    }
    fold_look_alikes(
        [ours, theirs],
        &kept_both,
        options.now,
        &mut accounts,
        &mut trash,
        &mut notes,
    );

    let recipients = merge_set(&base.recipients, &ours.recipients, &theirs.recipients);
    // The newer drill wins, date and result together (a tie keeps ours).
    let drill = if theirs.last_drill > ours.last_drill {
        theirs
    } else {
        ours
    };
    // Likewise the newer sheet printed, and the newer sheet drill.
    let sheet_drill = if theirs.sheet_drill > ours.sheet_drill {
        theirs
    } else {
        ours
    };
    Ok(Merged {
        vault: Vault {
            vault_id,
            changes: ours.changes.max(theirs.changes),
            recipients,
            roles: Roles {
                recovery,
                recovery_revoked: ours
                    .roles
                    .recovery_revoked
                    .max(theirs.roles.recovery_revoked),
                key_file_recipient,
            },
            last_drill: drill.last_drill,
            last_drill_result: drill.last_drill_result.clone(),
            // Every version either side has seen; the caller's save makes
            // the merge the next one.
            versions: crate::model::auth::join(&ours.versions, &theirs.versions),
            sheet_printed: ours.sheet_printed.max(theirs.sheet_printed),
            sheet_drill: sheet_drill.sheet_drill,
            sheet_drill_result: sheet_drill.sheet_drill_result.clone(),
            accounts,
            trash,
            ..ours.clone()
        },
        notes,
    })
}

/// Two-way merge of a vault and a copy of it with no known common ancestor
/// (a file-sync "conflicted copy"): everything on either side is kept,
/// counters take the maximum, every other difference is a conflict.
/// Recipients the copy adds are kept and listed in the notes.
pub fn merge2<R: FnMut() -> [u8; 8]>(
    ours: &Vault,
    copy: &Vault,
    options: Options<R>,
) -> Result<Merged, MergeError> {
    let base = Vault {
        recipients: Vec::new(),
        roles: Roles::default(),
        accounts: Vec::new(),
        trash: Vec::new(),
        ..ours.clone()
    };
    let mut merged = merge3(&base, ours, copy, options)?;
    for r in &copy.recipients {
        if !ours.recipients.contains(r) {
            merged.notes.push(Note::RecipientKept(r.clone()));
        }
    }
    Ok(merged)
}

/// Groups of two or more live accounts whose labels are one label
/// ([`label::key`]): a QUERY for that label matches each of them. Each
/// group oldest first (`created`, then id); groups in the order of their
/// first account.
pub fn look_alikes(accounts: &[Account]) -> Vec<Vec<&Account>> {
    let mut groups: Vec<Vec<&Account>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for a in accounts {
        let key = label::key(&a.issuer, &a.name);
        match index.get(&key) {
            Some(&i) => groups[i].push(a),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![a]);
            }
        }
    }
    groups.retain(|g| g.len() > 1);
    for g in &mut groups {
        g.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    }
    groups
}

/// One account, as far as codes go: the same secret and settings.
fn same_token(a: &Account, b: &Account) -> bool {
    a.secret == b.secret
        && a.kind == b.kind
        && a.algorithm == b.algorithm
        && a.digits == b.digits
        && a.period == b.period
}

/// The look-alike accounts this merge brought together (neither side had
/// that label twice, none of them is a `keep_both` version): the same
/// account added on each machine folds into the oldest, the rest go to the
/// trash; different secrets all stay, with a note. Decided from the
/// accounts alone, never from which side they came from, so every machine
/// makes the same choice.
fn fold_look_alikes(
    sides: [&Vault; 2],
    kept_both: &HashSet<String>,
    now: OffsetDateTime,
    accounts: &mut Vec<Account>,
    trash: &mut Vec<Trashed>,
    notes: &mut Vec<Note>,
) {
    let twice: HashSet<String> = sides
        .iter()
        .flat_map(|v| look_alikes(&v.accounts))
        .map(|g| label::key(&g[0].issuer, &g[0].name))
        .collect();
    // (index of the folded account, index of the one it folds into)
    let mut folds: Vec<(usize, usize)> = Vec::new();
    for group in look_alikes(accounts) {
        if twice.contains(&label::key(&group[0].issuer, &group[0].name))
            || group.iter().any(|a| kept_both.contains(&a.id))
        {
            continue;
        }
        let position = |a: &Account| accounts.iter().position(|x| x.id == a.id);
        let mut keepers: Vec<&Account> = Vec::new();
        for a in group {
            match keepers.iter().find(|k| same_token(k, a)) {
                Some(k) => {
                    if let (Some(i), Some(j)) = (position(a), position(k)) {
                        folds.push((i, j));
                    }
                }
                None => keepers.push(a),
            }
        }
        if keepers.len() > 1 {
            notes.push(Note::LookAlike(
                keepers.iter().map(|k| (k.id.clone(), k.label())).collect(),
            ));
        }
    }
    if folds.is_empty() {
        return;
    }
    for &(i, j) in &folds {
        let other = accounts[i].clone();
        let keep = &mut accounts[j];
        // A code shown by either is used, whichever copy shows the next.
        keep.counter = keep.counter.max(other.counter);
        keep.tags = merge_set(&[], &keep.tags, &other.tags);
        keep.recovery_codes = merge_codes(&keep.recovery_codes, &other.recovery_codes);
        if keep.note.is_none() {
            keep.note = other.note.clone();
        }
        keep.updated = keep.updated.max(other.updated);
        notes.push(Note::Folded {
            id: other.id.clone(),
            label: other.label(),
            kept: keep.id.clone(),
            kept_label: keep.label(),
        });
    }
    // The copy in the trash never shows a used code either, if restored.
    for &(i, j) in &folds {
        accounts[i].counter = accounts[j].counter;
    }
    let gone: HashSet<usize> = folds.iter().map(|&(i, _)| i).collect();
    let mut i = 0;
    accounts.retain(|a| {
        let keep = !gone.contains(&i);
        if !keep {
            trash.push(Trashed {
                deleted: now,
                account: a.clone(),
            });
        }
        i += 1;
        keep
    });
}

/// A vault id never changes once made, so two different ids are two
/// vaults — unless the base had none and each side made its own on its
/// first save after an upgrade (then the smaller one stays, on both).
fn merge_vault_id(
    base: &Vault,
    ours: &Vault,
    theirs: &Vault,
) -> Result<Option<String>, MergeError> {
    match (&ours.vault_id, &theirs.vault_id) {
        (Some(o), Some(t)) if o != t => {
            if base.vault_id.is_none() {
                Ok(Some(o.min(t).clone()))
            } else {
                Err(MergeError::DifferentVaults)
            }
        }
        (o, t) => Ok(o.clone().or_else(|| t.clone())),
    }
}

/// Where an account id is in one vault.
#[derive(Clone, Copy)]
enum State<'a> {
    Live(&'a Account),
    Trash(&'a Trashed),
    Absent,
}

impl<'a> State<'a> {
    fn account(self) -> Option<&'a Account> {
        match self {
            State::Live(a) => Some(a),
            State::Trash(t) => Some(&t.account),
            State::Absent => None,
        }
    }
}

fn states(vault: &Vault) -> Result<HashMap<String, State<'_>>, MergeError> {
    let mut map = HashMap::new();
    let items = vault
        .accounts
        .iter()
        .map(|a| (&a.id, State::Live(a)))
        .chain(vault.trash.iter().map(|t| (&t.account.id, State::Trash(t))));
    for (id, state) in items {
        if map.insert(id.clone(), state).is_some() {
            return Err(MergeError::DuplicateId(id.clone()));
        }
    }
    Ok(map)
}

fn get<'a>(map: &HashMap<String, State<'a>>, id: &str) -> State<'a> {
    map.get(id).copied().unwrap_or(State::Absent)
}

enum Outcome<'a> {
    Live(Account, Option<Note>),
    Trash(Trashed, Option<Note>),
    /// Two different trash entries: keep both (the second gets a new id).
    TrashBoth(Trashed, Trashed),
    Dropped,
    Conflict(&'a Account, &'a Account, Vec<&'static str>),
}

fn merge_one<'a>(
    base: State<'_>,
    ours: State<'a>,
    theirs: State<'a>,
    now: OffsetDateTime,
) -> Outcome<'a> {
    use State::{Absent, Live, Trash};
    let b = base.account();
    match (ours, theirs) {
        (Live(o), Live(t)) => match merge_account(b, o, t) {
            Ok(a) => Outcome::Live(a, None),
            Err(fields) => Outcome::Conflict(o, t, fields),
        },
        (Live(a), Trash(x)) | (Trash(x), Live(a)) => {
            if matches!(base, Live(ba) if ba == a) {
                Outcome::Trash(
                    x.clone(),
                    Some(Note::MovedToTrash {
                        id: a.id.clone(),
                        label: a.label(),
                    }),
                )
            } else {
                // Edited, used or restored on the live side: keep it, with
                // the other side's edits where they do not clash.
                let mut kept = merge_account(b, a, &x.account).unwrap_or_else(|_| a.clone());
                kept.counter = a.counter.max(x.account.counter);
                let note = matches!(base, Live(_)).then(|| Note::KeptEdited {
                    id: a.id.clone(),
                    label: a.label(),
                });
                Outcome::Live(kept, note)
            }
        }
        (Trash(x), Trash(y)) => {
            if x == y {
                return Outcome::Trash(x.clone(), None);
            }
            match merge_account(b, &x.account, &y.account) {
                Ok(account) => Outcome::Trash(
                    Trashed {
                        deleted: x.deleted.max(y.deleted),
                        account,
                    },
                    None,
                ),
                Err(_) => Outcome::TrashBoth(x.clone(), y.clone()),
            }
        }
        (Live(a), Absent) | (Absent, Live(a)) => match base {
            Live(ba) if ba == a => Outcome::Trash(
                Trashed {
                    deleted: now,
                    account: a.clone(),
                },
                Some(Note::MovedToTrash {
                    id: a.id.clone(),
                    label: a.label(),
                }),
            ),
            Live(_) => Outcome::Live(
                a.clone(),
                Some(Note::KeptEdited {
                    id: a.id.clone(),
                    label: a.label(),
                }),
            ),
            // Added on this side, or restored here and purged there.
            Trash(_) | Absent => Outcome::Live(a.clone(), None),
        },
        (Trash(x), Absent) | (Absent, Trash(x)) => match base {
            Trash(bx) if bx == x => Outcome::Dropped,
            _ => Outcome::Trash(x.clone(), None),
        },
        (Absent, Absent) => Outcome::Dropped,
    }
}

/// The one value of a field after a three-way merge, or None when both
/// sides changed it differently.
fn pick<T: PartialEq + Clone>(base: Option<&T>, ours: &T, theirs: &T) -> Option<T> {
    if ours == theirs || base == Some(theirs) {
        Some(ours.clone())
    } else if base == Some(ours) {
        Some(theirs.clone())
    } else {
        None
    }
}

/// Field by field; `Err` lists the fields both sides changed differently.
fn merge_account(
    base: Option<&Account>,
    ours: &Account,
    theirs: &Account,
) -> Result<Account, Vec<&'static str>> {
    let mut clash = Vec::new();
    macro_rules! field {
        ($f:ident, $name:expr) => {
            match pick(base.map(|b| &b.$f), &ours.$f, &theirs.$f) {
                Some(v) => v,
                None => {
                    clash.push($name);
                    ours.$f.clone()
                }
            }
        };
    }
    let merged = Account {
        id: ours.id.clone(),
        issuer: field!(issuer, "issuer"),
        name: field!(name, "name"),
        secret: field!(secret, "secret"),
        kind: field!(kind, "type"),
        algorithm: field!(algorithm, "algorithm"),
        digits: field!(digits, "digits"),
        period: field!(period, "period"),
        pin: field!(pin, "pin"),
        note: field!(note, "note"),
        counter: ours.counter.max(theirs.counter),
        created: pick(base.map(|b| &b.created), &ours.created, &theirs.created)
            .unwrap_or(ours.created.min(theirs.created)),
        updated: ours.updated.max(theirs.updated),
        tags: merge_set(base.map_or(&[][..], |b| &b.tags), &ours.tags, &theirs.tags),
        recovery_codes: merge_codes(&ours.recovery_codes, &theirs.recovery_codes),
    };
    if clash.is_empty() {
        Ok(merged)
    } else {
        Err(clash)
    }
}

/// A set merged three ways: kept when both have it, added when one side
/// added it, gone when one side removed it. Ours' order, then theirs'.
fn merge_set(base: &[String], ours: &[String], theirs: &[String]) -> Vec<String> {
    let keep = |item: &String, other: &[String]| other.contains(item) || !base.contains(item);
    let mut out: Vec<String> = ours.iter().filter(|i| keep(i, theirs)).cloned().collect();
    for item in theirs {
        if !out.contains(item) && keep(item, ours) {
            out.push(item.clone());
        }
    }
    out
}

/// Recovery codes are only ever added or marked used: the union, with a
/// code used on either side used (at the earlier time).
fn merge_codes(ours: &[RecoveryCode], theirs: &[RecoveryCode]) -> Vec<RecoveryCode> {
    let mut out: Vec<RecoveryCode> = ours.to_vec();
    for code in theirs {
        match out.iter_mut().find(|c| c.code == code.code) {
            Some(c) => {
                c.added = c.added.min(code.added);
                c.used = match (c.used, code.used) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            None => out.push(code.clone()),
        }
    }
    out
}

fn fresh_id(taken: &mut HashSet<String>, random: &mut impl FnMut() -> [u8; 8]) -> String {
    loop {
        let id = id_from_bytes(random());
        if taken.insert(id.clone()) {
            return id;
        }
    }
}

#[cfg(test)]
mod tests;
