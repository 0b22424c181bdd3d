use super::*;
use crate::model::{Entry, Kind, RecoveryCode, Secret, Token};
use time::Duration;

const T0: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

fn now() -> OffsetDateTime {
    T0 + Duration::days(100)
}

fn account(id: &str, issuer: &str, name: &str) -> Account {
    let token = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
    Account::from_entry(Entry::new(issuer, name, token), id.into(), T0)
}

fn vault(accounts: Vec<Account>) -> Vault {
    let mut v = Vault::new(vec!["age1base".into()]);
    v.accounts = accounts;
    v
}

fn trashed(a: Account) -> Trashed {
    Trashed {
        deleted: T0 + Duration::days(1),
        account: a,
    }
}

/// A deterministic random source: 1, 2, 3, … in every byte.
fn counter_random() -> impl FnMut() -> [u8; 8] {
    let mut n = 0u8;
    move || {
        n = n.wrapping_add(1);
        [n; 8]
    }
}

fn opts(keep_both: bool) -> Options<impl FnMut() -> [u8; 8]> {
    Options {
        now: now(),
        keep_both,
        random: counter_random(),
    }
}

fn m3(b: &Vault, o: &Vault, t: &Vault) -> Result<Merged, MergeError> {
    merge3(b, o, t, opts(false))
}

fn ids(v: &[Account]) -> Vec<&str> {
    v.iter().map(|a| a.id.as_str()).collect()
}

fn trash_ids(v: &Vault) -> Vec<&str> {
    v.trash.iter().map(|t| t.account.id.as_str()).collect()
}

#[test]
fn additions_on_both_sides_are_kept() {
    let base = vault(vec![account("aaaa", "A", "a")]);
    let mut ours = base.clone();
    ours.accounts.push(account("oooo", "O", "o"));
    let mut theirs = base.clone();
    theirs.accounts.push(account("tttt", "T", "t"));
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["aaaa", "oooo", "tttt"]);
    assert!(m.notes.is_empty());
}

#[test]
fn removed_on_one_side_and_unchanged_on_the_other_is_in_the_trash() {
    let base = vault(vec![account("aaaa", "A", "a"), account("bbbb", "B", "b")]);
    let mut ours = base.clone();
    let gone = ours.accounts.remove(0);
    ours.trash.push(trashed(gone.clone()));
    let m = m3(&base, &ours, &base).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["bbbb"]);
    assert_eq!(m.vault.trash, vec![trashed(gone.clone())]);
    // The same from the other machine's point of view.
    let m = m3(&base, &base, &ours).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["bbbb"]);
    assert_eq!(m.vault.trash, vec![trashed(gone)]);
}

#[test]
fn removed_and_purged_on_one_side_is_never_dropped() {
    let base = vault(vec![account("aaaa", "A", "a"), account("bbbb", "B", "b")]);
    let mut ours = base.clone();
    ours.accounts.remove(0);
    let m = m3(&base, &ours, &base).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["bbbb"]);
    assert_eq!(trash_ids(&m.vault), ["aaaa"]);
    assert_eq!(m.vault.trash[0].deleted, now());
    assert!(matches!(&m.notes[..], [Note::MovedToTrash { id, .. }] if id == "aaaa"));
}

#[test]
fn removed_on_one_side_and_edited_on_the_other_is_kept_with_the_edit() {
    let base = vault(vec![account("aaaa", "A", "a")]);
    let mut ours = base.clone();
    ours.trash.push(trashed(ours.accounts.remove(0)));
    let mut theirs = base.clone();
    theirs.accounts[0].name = "renamed".into();
    for (o, t) in [(&ours, &theirs), (&theirs, &ours)] {
        let m = m3(&base, o, t).unwrap();
        assert_eq!(m.vault.accounts.len(), 1);
        assert_eq!(m.vault.accounts[0].name, "renamed");
        assert!(m.vault.trash.is_empty());
        assert!(matches!(&m.notes[..], [Note::KeptEdited { .. }]));
    }
    // Purged instead of trashed: the same.
    let mut purged = base.clone();
    purged.accounts.clear();
    let m = m3(&base, &purged, &theirs).unwrap();
    assert_eq!(m.vault.accounts[0].name, "renamed");
}

#[test]
fn removed_on_one_side_and_used_on_the_other_keeps_the_counter() {
    let mut a = account("aaaa", "Bank", "me");
    a.kind = Kind::Hotp;
    a.counter = 5;
    let base = vault(vec![a]);
    let mut ours = base.clone();
    ours.trash.push(trashed(ours.accounts.remove(0)));
    let mut theirs = base.clone();
    theirs.accounts[0].counter = 9;
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(m.vault.accounts[0].counter, 9);
}

#[test]
fn one_sided_renames_and_edits_win_and_combine() {
    let base = vault(vec![account("aaaa", "A", "a"), account("bbbb", "B", "b")]);
    let mut ours = base.clone();
    ours.accounts[0].name = "ours-name".into();
    ours.accounts[1].note = Some("a note".into());
    let mut theirs = base.clone();
    theirs.accounts[0].issuer = "Their issuer".into();
    theirs.accounts[1].updated = T0 + Duration::days(3);
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(m.vault.accounts[0].label(), "Their issuer:ours-name");
    assert_eq!(m.vault.accounts[1].note.as_deref(), Some("a note"));
    assert_eq!(m.vault.accounts[1].updated, T0 + Duration::days(3));
}

#[test]
fn the_same_change_on_both_sides_is_not_a_conflict() {
    let base = vault(vec![account("aaaa", "A", "a")]);
    let mut ours = base.clone();
    ours.accounts[0].name = "same".into();
    let theirs = ours.clone();
    assert_eq!(m3(&base, &ours, &theirs).unwrap().vault, ours);
}

#[test]
fn the_same_field_changed_differently_is_a_conflict() {
    let base = vault(vec![account("aaaa", "A", "a"), account("bbbb", "B", "b")]);
    let mut ours = base.clone();
    ours.accounts[0].name = "one".into();
    ours.accounts[0].digits = 8;
    ours.accounts[1].name = "fine".into();
    let mut theirs = base.clone();
    theirs.accounts[0].name = "two".into();
    theirs.accounts[0].digits = 7;
    let err = m3(&base, &ours, &theirs).unwrap_err();
    let MergeError::Conflicts(list) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        list,
        &[Conflict::Account {
            id: "aaaa".into(),
            ours: "A:one".into(),
            theirs: "A:two".into(),
            fields: vec!["name", "digits"],
        }]
    );
    let text = err.to_string();
    assert!(
        text.contains("A:one / A:two (aaaa): name, digits"),
        "{text}"
    );
}

#[test]
fn a_secret_changed_on_both_sides_is_a_conflict_that_never_prints_it() {
    let base = vault(vec![account("aaaa", "A", "a")]);
    let mut ours = base.clone();
    ours.accounts[0].secret = Secret::from_base32("GEZDGNBVGY3TQOJQ").unwrap();
    let mut theirs = base.clone();
    theirs.accounts[0].secret = Secret::from_base32("MFRGGZDFMZTWQ2LK").unwrap();
    let err = m3(&base, &ours, &theirs).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("secret"));
    assert!(
        !text.contains("GEZDGNBV") && !text.contains("MFRGGZDF"),
        "{text}"
    );
}

#[test]
fn keep_both_keeps_the_other_version_under_a_new_id() {
    let base = vault(vec![account("aaaa", "A", "a")]);
    let mut ours = base.clone();
    ours.accounts[0].name = "one".into();
    let mut theirs = base.clone();
    theirs.accounts[0].name = "two".into();
    // The first random ids collide with existing ones and must be skipped.
    let mut queue = vec![*b"aaaaaaaa", *b"aaaaaaaa", *b"bbbbbbbb"].into_iter();
    let m = merge3(
        &base,
        &ours,
        &theirs,
        Options {
            now: now(),
            keep_both: true,
            random: move || queue.next().unwrap(),
        },
    )
    .unwrap();
    let names: Vec<_> = m.vault.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(m.vault.accounts[0].id, "aaaa");
    assert_eq!(m.vault.accounts[1].id, id_from_bytes(*b"aaaaaaaa"));
    // A second keep-both could not reuse that id (`taken` covers new ones).
    assert!(matches!(&m.notes[..], [Note::KeptBoth { .. }]));
}

#[test]
fn hotp_counters_take_the_maximum() {
    let mut a = account("aaaa", "Bank", "me");
    a.kind = Kind::Hotp;
    a.counter = 10;
    let base = vault(vec![a]);
    let mut ours = base.clone();
    ours.accounts[0].counter = 12;
    let mut theirs = base.clone();
    theirs.accounts[0].counter = 15;
    assert_eq!(
        m3(&base, &ours, &theirs).unwrap().vault.accounts[0].counter,
        15
    );
    assert_eq!(
        m3(&base, &theirs, &ours).unwrap().vault.accounts[0].counter,
        15
    );
    // Even a counter "changed back" on one side never goes down.
    ours.accounts[0].counter = 3;
    assert_eq!(
        m3(&base, &ours, &base).unwrap().vault.accounts[0].counter,
        10
    );
}

#[test]
fn trash_entries_merge_and_deliberate_purges_stick() {
    let a = account("aaaa", "A", "a");
    let b = account("bbbb", "B", "b");
    let mut base = vault(vec![]);
    base.trash = vec![trashed(a.clone()), trashed(b.clone())];
    // Ours purged both; theirs left a alone and edited b in the trash.
    let mut ours = base.clone();
    ours.trash.clear();
    let mut theirs = base.clone();
    theirs.trash[1].account.note = Some("n".into());
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(trash_ids(&m.vault), ["bbbb"]);
    // Both trashed the same account, at different times: one entry, the later.
    let base = vault(vec![a.clone()]);
    let mut ours = vault(vec![]);
    ours.trash.push(trashed(a.clone()));
    let mut theirs = ours.clone();
    theirs.trash[0].deleted = T0 + Duration::days(5);
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(m.vault.trash.len(), 1);
    assert_eq!(m.vault.trash[0].deleted, T0 + Duration::days(5));
}

#[test]
fn clashing_trash_entries_are_both_kept() {
    let a = account("aaaa", "A", "a");
    let base = vault(vec![a.clone()]);
    let mut ours = vault(vec![]);
    let mut x = a.clone();
    x.name = "x".into();
    ours.trash.push(trashed(x));
    let mut theirs = vault(vec![]);
    let mut y = a.clone();
    y.name = "y".into();
    theirs.trash.push(trashed(y));
    let m = m3(&base, &ours, &theirs).unwrap();
    let mut names: Vec<_> = m
        .vault
        .trash
        .iter()
        .map(|t| t.account.name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["x", "y"]);
    assert_ne!(m.vault.trash[0].account.id, m.vault.trash[1].account.id);
}

#[test]
fn restored_on_one_side_and_purged_on_the_other_is_live() {
    let a = account("aaaa", "A", "a");
    let mut base = vault(vec![]);
    base.trash.push(trashed(a.clone()));
    let ours = vault(vec![a.clone()]);
    let theirs = vault(vec![]);
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["aaaa"]);
    // Restored on one side, still in the other's trash: live too.
    let m = m3(&base, &ours, &base).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["aaaa"]);
    assert!(m.vault.trash.is_empty());
}

#[test]
fn recipients_merge_so_additions_stay_and_revocations_apply() {
    let base = Vault::new(vec!["age1a".into(), "age1lost".into()]);
    let mut ours = base.clone();
    ours.recipients.push("age1laptop".into());
    let mut theirs = base.clone();
    theirs.recipients.retain(|r| r != "age1lost");
    theirs.recipients.push("age1desk".into());
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(m.vault.recipients, ["age1a", "age1laptop", "age1desk"]);
}

#[test]
fn the_change_counter_takes_the_maximum() {
    let base = vault(vec![]);
    let mut ours = base.clone();
    ours.changes = 7;
    let mut theirs = base.clone();
    theirs.changes = 4;
    assert_eq!(m3(&base, &ours, &theirs).unwrap().vault.changes, 7);
    assert_eq!(m3(&base, &theirs, &ours).unwrap().vault.changes, 7);
}

#[test]
fn the_newer_drill_wins_with_its_result() {
    let base = vault(vec![]);
    let mut ours = base.clone();
    ours.last_drill = Some(T0 + Duration::days(1));
    ours.last_drill_result = Some("passed".into());
    let mut theirs = base.clone();
    theirs.last_drill = Some(T0 + Duration::days(3));
    theirs.last_drill_result = Some("failed: wrong code".into());
    for (a, b) in [(&ours, &theirs), (&theirs, &ours)] {
        let m = m3(&base, a, b).unwrap().vault;
        assert_eq!(m.last_drill, Some(T0 + Duration::days(3)));
        assert_eq!(m.last_drill_result.as_deref(), Some("failed: wrong code"));
    }
    // Only one side ever drilled: that one, from either side.
    let m = m3(&base, &base, &ours).unwrap().vault;
    assert_eq!(m.last_drill, Some(T0 + Duration::days(1)));
    assert_eq!(m.last_drill_result.as_deref(), Some("passed"));
    let m = m3(&base, &ours, &base).unwrap().vault;
    assert_eq!(m.last_drill_result.as_deref(), Some("passed"));
}

#[test]
fn the_newer_sheet_and_sheet_drill_win() {
    let base = vault(vec![]);
    let mut ours = base.clone();
    ours.sheet_printed = Some(T0 + Duration::days(5));
    ours.sheet_drill = Some(T0 + Duration::days(1));
    ours.sheet_drill_result = Some("passed: 3 of 3 accounts".into());
    let mut theirs = base.clone();
    theirs.sheet_printed = Some(T0 + Duration::days(2));
    theirs.sheet_drill = Some(T0 + Duration::days(3));
    theirs.sheet_drill_result = Some("failed: 1 missing".into());
    for (a, b) in [(&ours, &theirs), (&theirs, &ours)] {
        let m = m3(&base, a, b).unwrap().vault;
        assert_eq!(m.sheet_printed, Some(T0 + Duration::days(5)));
        assert_eq!(m.sheet_drill, Some(T0 + Duration::days(3)));
        assert_eq!(m.sheet_drill_result.as_deref(), Some("failed: 1 missing"));
    }
}

#[test]
fn recovery_key_settings_merge() {
    let mut base = Vault::new(vec!["age1a".into(), "age1old".into()]);
    base.roles.recovery = Some("age1old".into());
    // One side revoked it, the other replaced it: the new one stays.
    let mut ours = base.clone();
    ours.roles.recovery = None;
    ours.roles.recovery_revoked = Some(T0 + Duration::days(2));
    ours.recipients.retain(|r| r != "age1old");
    let mut theirs = base.clone();
    theirs.roles.recovery = Some("age1new".into());
    theirs.roles.recovery_revoked = Some(T0 + Duration::days(1));
    theirs.recipients.retain(|r| r != "age1old");
    theirs.recipients.push("age1new".into());
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(m.vault.roles.recovery.as_deref(), Some("age1new"));
    assert_eq!(m.vault.roles.recovery_revoked, Some(T0 + Duration::days(2)));
    assert_eq!(m.vault.recipients, ["age1a", "age1new"]);
    // Two different new keys: a conflict, not a guess.
    let mut other = theirs.clone();
    other.roles.recovery = Some("age1other".into());
    assert_eq!(
        m3(&base, &theirs, &other).unwrap_err(),
        MergeError::Conflicts(vec![Conflict::Setting("recovery key")])
    );
}

#[test]
fn passphrase_key_files_changed_on_both_sides_conflict() {
    let mut base = Vault::new(vec!["age1k".into()]);
    base.roles.key_file_recipient = Some("age1k".into());
    let mut ours = base.clone();
    ours.roles.key_file_recipient = Some("age1k2".into());
    assert_eq!(
        m3(&base, &ours, &base)
            .unwrap()
            .vault
            .roles
            .key_file_recipient,
        ours.roles.key_file_recipient
    );
    let mut theirs = base.clone();
    theirs.roles.key_file_recipient = Some("age1k3".into());
    assert_eq!(
        m3(&base, &ours, &theirs).unwrap_err(),
        MergeError::Conflicts(vec![Conflict::Setting("passphrase key file")])
    );
}

#[test]
fn tags_and_recovery_codes_merge_as_sets() {
    let mut a = account("aaaa", "A", "a");
    a.tags = vec!["work".into(), "old".into()];
    let code = |c: &str, used: Option<i64>| RecoveryCode {
        code: zeroize::Zeroizing::new(c.into()),
        added: T0,
        used: used.map(|d| T0 + Duration::days(d)),
    };
    a.recovery_codes = vec![code("one", None), code("two", None)];
    let base = vault(vec![a]);
    let mut ours = base.clone();
    ours.accounts[0].tags.push("mine".into());
    ours.accounts[0].recovery_codes[0].used = Some(T0 + Duration::days(4));
    let mut theirs = base.clone();
    theirs.accounts[0].tags.retain(|t| t != "old");
    theirs.accounts[0].recovery_codes[0].used = Some(T0 + Duration::days(2));
    theirs.accounts[0].recovery_codes.push(code("three", None));
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(m.vault.accounts[0].tags, ["work", "mine"]);
    assert_eq!(
        m.vault.accounts[0].recovery_codes,
        [code("one", Some(2)), code("two", None), code("three", None)]
    );
}

#[test]
fn a_vault_with_a_duplicate_id_is_refused() {
    let base = vault(vec![account("aaaa", "A", "a")]);
    let mut ours = base.clone();
    ours.trash.push(trashed(account("aaaa", "B", "b")));
    assert_eq!(
        m3(&base, &ours, &base).unwrap_err(),
        MergeError::DuplicateId("aaaa".into())
    );
}

#[test]
fn different_vaults_are_never_merged() {
    let mut base = vault(vec![account("aaaa", "A", "a")]);
    base.vault_id = Some("11".into());
    let mut other = base.clone();
    other.vault_id = Some("22".into());
    assert_eq!(
        m3(&base, &base, &other).unwrap_err(),
        MergeError::DifferentVaults
    );
    assert_eq!(
        merge2(&base, &other, opts(false)).unwrap_err(),
        MergeError::DifferentVaults
    );
    // A copy from before vault ids is this vault; the id is kept.
    let mut old = base.clone();
    old.vault_id = None;
    assert_eq!(merge2(&base, &old, opts(false)).unwrap().vault, base);
    assert_eq!(merge2(&old, &base, opts(false)).unwrap().vault, base);
    // Both sides made an id on their first save after an upgrade: one vault.
    let m = m3(&old, &base, &other).unwrap();
    assert_eq!(m.vault.vault_id.as_deref(), Some("11"));
    assert_eq!(
        m3(&old, &other, &base).unwrap().vault.vault_id.as_deref(),
        Some("11")
    );
}

#[test]
fn two_way_merge_keeps_everything_and_lists_differences() {
    let ours = vault(vec![account("aaaa", "A", "a"), account("bbbb", "B", "b")]);
    let mut copy = ours.clone();
    copy.accounts.remove(0);
    copy.accounts.push(account("cccc", "C", "c"));
    copy.accounts[0].counter = 4;
    copy.recipients.push("age1other".into());
    let m = merge2(&ours, &copy, opts(false)).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["aaaa", "bbbb", "cccc"]);
    assert_eq!(m.vault.accounts[1].counter, 4);
    assert_eq!(m.vault.recipients, ["age1base", "age1other"]);
    assert_eq!(m.notes, [Note::RecipientKept("age1other".into())]);
    // A rename in the copy, with no base to say which side made it.
    let mut renamed = ours.clone();
    renamed.accounts[0].name = "new".into();
    let err = merge2(&ours, &renamed, opts(false)).unwrap_err();
    assert!(
        err.to_string().contains("A:a / A:new (aaaa): name"),
        "{err}"
    );
    let m = merge2(&ours, &renamed, opts(true)).unwrap();
    assert_eq!(m.vault.accounts.len(), 3);
    // Trashed in the copy, live in the vault: kept live.
    let mut copy = ours.clone();
    copy.trash.push(trashed(copy.accounts.remove(0)));
    let m = merge2(&ours, &copy, opts(false)).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["aaaa", "bbbb"]);
}

#[test]
fn merging_a_vault_with_itself_changes_nothing() {
    let mut v = vault(vec![account("aaaa", "A", "a")]);
    v.trash.push(trashed(account("bbbb", "B", "b")));
    v.changes = 3;
    let m = m3(&v, &v, &v).unwrap();
    assert_eq!(m.vault, v);
    assert!(m.notes.is_empty());
    assert_eq!(merge2(&v, &v, opts(false)).unwrap().vault, v);
}

/// An account added on one machine between syncs.
fn added(id: &str, issuer: &str, name: &str, secret: &str, day: i64) -> Account {
    let token = Token::totp(Secret::from_base32(secret).unwrap());
    Account::from_entry(
        Entry::new(issuer, name, token),
        id.into(),
        T0 + Duration::days(day),
    )
}

/// `base` plus one account on each side.
fn each_adds(ours_adds: Account, theirs_adds: Account) -> (Vault, Vault, Vault) {
    let base = vault(vec![account("aaaa", "Bank", "me")]);
    let mut ours = base.clone();
    ours.accounts.push(ours_adds);
    let mut theirs = base.clone();
    theirs.accounts.push(theirs_adds);
    (base, ours, theirs)
}

#[test]
fn the_same_account_added_on_both_machines_is_one_account() {
    let mut older = added("yyyy", "github", " alice", "JBSWY3DPEHPK3PXP", 1);
    older.tags = vec!["work".into()];
    let mut newer = added("xxxx", "GitHub", "alice", "JBSWY3DPEHPK3PXP", 2);
    newer.tags = vec!["code".into()];
    newer.note = Some("added on the laptop".into());
    newer.recovery_codes = vec![RecoveryCode {
        code: zeroize::Zeroizing::new("1111-2222".into()),
        added: T0 + Duration::days(2),
        used: None,
    }];
    let (base, ours, theirs) = each_adds(newer.clone(), older.clone());
    let m = m3(&base, &ours, &theirs).unwrap();
    // The older one stays, with what the other carried; the other is in
    // the trash, so nothing is lost.
    assert_eq!(ids(&m.vault.accounts), ["aaaa", "yyyy"]);
    let kept = &m.vault.accounts[1];
    assert_eq!(kept.label(), "github: alice");
    assert_eq!(kept.tags, ["work", "code"]);
    assert_eq!(kept.note.as_deref(), Some("added on the laptop"));
    assert_eq!(kept.recovery_codes, newer.recovery_codes);
    assert_eq!(m.vault.trash.len(), 1);
    assert_eq!(m.vault.trash[0].account, newer);
    assert_eq!(m.vault.trash[0].deleted, now());
    assert!(
        matches!(&m.notes[..], [Note::Folded { id, kept, .. }] if id == "xxxx" && kept == "yyyy")
    );
    let text = m.notes[0].to_string();
    assert!(
        text.contains("GitHub:alice (xxxx)") && text.contains("github: alice (yyyy)"),
        "{text}"
    );
    assert!(!text.contains("JBSW"), "{text}");
    assert!(!m.notes[0].is_warning());
    // The other machine makes the same vault, byte for byte.
    let other = m3(&base, &theirs, &ours).unwrap();
    assert_eq!(other.vault.to_toml(), m.vault.to_toml());
    // And the result is settled: merging it again changes nothing.
    for side in [&ours, &theirs] {
        assert_eq!(m3(side, &m.vault, side).unwrap().vault, m.vault);
        assert_eq!(
            m3(side, side, &m.vault).unwrap().vault.accounts,
            m.vault.accounts
        );
    }
    assert_eq!(m3(&m.vault, &m.vault, &m.vault).unwrap().notes, []);
}

#[test]
fn look_alikes_created_together_keep_the_smaller_id() {
    let a = added("bbbb", "GitHub", "alice", "JBSWY3DPEHPK3PXP", 1);
    let b = added("cccc", "\u{ff27}ithub", "ALICE", "JBSWY3DPEHPK3PXP", 1);
    for (o, t) in [(&a, &b), (&b, &a)] {
        let (base, ours, theirs) = each_adds(o.clone(), t.clone());
        let m = m3(&base, &ours, &theirs).unwrap();
        assert_eq!(ids(&m.vault.accounts), ["aaaa", "bbbb"]);
        assert_eq!(trash_ids(&m.vault), ["cccc"]);
    }
}

#[test]
fn a_folded_hotp_account_never_shows_a_used_code_again() {
    let hotp = |id: &str, issuer: &str, day: i64, counter: u64| {
        let mut a = added(id, issuer, "me", "GEZDGNBVGY3TQOJQ", day);
        a.kind = Kind::Hotp;
        a.counter = counter;
        a
    };
    let (base, ours, theirs) = each_adds(hotp("oooo", "Shop", 1, 3), hotp("tttt", "SHOP", 2, 9));
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["aaaa", "oooo"]);
    assert_eq!(m.vault.accounts[1].counter, 9);
    // The copy in the trash too.
    assert_eq!(m.vault.trash[0].account.counter, 9);
}

#[test]
fn look_alikes_with_different_secrets_are_both_kept_and_named() {
    let one = added("oooo", "GitHub", "alice", "JBSWY3DPEHPK3PXP", 1);
    let two = added("tttt", "github", "Alice", "GEZDGNBVGY3TQOJQ", 2);
    let (base, ours, theirs) = each_adds(one, two);
    for m in [
        m3(&base, &ours, &theirs).unwrap(),
        m3(&base, &theirs, &ours).unwrap(),
    ] {
        let mut got = ids(&m.vault.accounts);
        got.sort();
        assert_eq!(got, ["aaaa", "oooo", "tttt"]);
        assert!(m.vault.trash.is_empty());
        assert_eq!(
            m.notes,
            [Note::LookAlike(vec![
                ("oooo".into(), "GitHub:alice".into()),
                ("tttt".into(), "github:Alice".into()),
            ])]
        );
        assert!(m.notes[0].is_warning());
        let text = m.notes[0].to_string();
        assert!(
            text.contains("GitHub:alice (oooo) and github:Alice (tttt)"),
            "{text}"
        );
        assert!(text.contains("otp rename tttt"), "{text}");
        assert!(!text.contains("JBSW") && !text.contains("GEZD"), "{text}");
    }
}

#[test]
fn look_alikes_with_the_same_secret_but_other_settings_are_both_kept() {
    let one = added("oooo", "GitHub", "alice", "JBSWY3DPEHPK3PXP", 1);
    let mut two = added("tttt", "github", "alice", "JBSWY3DPEHPK3PXP", 2);
    two.digits = 8;
    let (base, ours, theirs) = each_adds(one, two);
    let m = m3(&base, &ours, &theirs).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["aaaa", "oooo", "tttt"]);
    assert!(matches!(&m.notes[..], [Note::LookAlike(l)] if l.len() == 2));
}

#[test]
fn look_alikes_a_side_already_had_or_keep_both_made_are_left_alone() {
    // Already twice in one vault (an older otp, or an earlier --keep-both):
    // not this merge's doing, so not its to undo (`otp status` lists them).
    let base = vault(vec![
        added("oooo", "GitHub", "alice", "JBSWY3DPEHPK3PXP", 1),
        added("tttt", "github", "alice", "JBSWY3DPEHPK3PXP", 2),
    ]);
    let mut ours = base.clone();
    ours.accounts[0].note = Some("edited".into());
    let m = m3(&base, &ours, &base).unwrap();
    assert_eq!(ids(&m.vault.accounts), ["oooo", "tttt"]);
    assert!(m.notes.is_empty());
    // Both versions of a conflict kept on purpose stay both.
    let base = vault(vec![account("aaaa", "A", "a")]);
    let mut ours = base.clone();
    ours.accounts[0].note = Some("one".into());
    let mut theirs = base.clone();
    theirs.accounts[0].note = Some("two".into());
    let m = merge3(&base, &ours, &theirs, opts(true)).unwrap();
    assert_eq!(m.vault.accounts.len(), 2);
    assert!(matches!(&m.notes[..], [Note::KeptBoth { .. }]));
}

#[test]
fn look_alikes_group_live_accounts_oldest_first() {
    let accounts = vec![
        added("zzzz", "GitHub", "alice", "JBSWY3DPEHPK3PXP", 3),
        added("bbbb", "Bank", "me", "JBSWY3DPEHPK3PXP", 1),
        added("yyyy", "github", "alice\u{200b}", "GEZDGNBVGY3TQOJQ", 1),
    ];
    let groups = look_alikes(&accounts);
    let got: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| g.iter().map(|a| a.id.as_str()).collect())
        .collect();
    assert_eq!(got, [["yyyy", "zzzz"]]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        /// Id, name, look-alike spelling of the issuer, secret.
        Add(u8, u8, u8, bool),
        Trash(usize),
        Purge(usize),
        Restore(usize),
        Rename(usize, u8),
        Note(usize, u8),
        Use(usize, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..6, 0u8..3, 0u8..4, any::<bool>()).prop_map(|(i, n, l, s)| Op::Add(i, n, l, s)),
            any::<usize>().prop_map(Op::Trash),
            any::<usize>().prop_map(Op::Purge),
            any::<usize>().prop_map(Op::Restore),
            (any::<usize>(), 0u8..3).prop_map(|(i, n)| Op::Rename(i, n)),
            (any::<usize>(), 0u8..3).prop_map(|(i, n)| Op::Note(i, n)),
            (any::<usize>(), 1u8..4).prop_map(|(i, n)| Op::Use(i, n)),
        ]
    }

    fn apply(v: &mut Vault, ops: &[Op], side: &str) {
        for op in ops {
            let n = v.accounts.len();
            match *op {
                // Ids shared between sides (a restored backup, say) as well
                // as ids only one side has.
                Op::Add(i, name, look, other_secret) => {
                    let id = if i < 3 {
                        format!("new{i}")
                    } else {
                        format!("{side}{i}")
                    };
                    let taken = v.accounts.iter().any(|a| a.id == id)
                        || v.trash.iter().any(|t| t.account.id == id);
                    // One label, spelt as two machines might: only the
                    // same secret makes two of them one account.
                    let issuer = ["I", "i", "\u{ff29}", " I\u{200b}"][usize::from(look)];
                    let secret = if other_secret {
                        "GEZDGNBVGY3TQOJQ"
                    } else {
                        "JBSWY3DPEHPK3PXP"
                    };
                    if !taken {
                        v.accounts.push(added(
                            &id,
                            issuer,
                            &format!("n{name}"),
                            secret,
                            i64::from(i),
                        ));
                    }
                }
                Op::Trash(i) if n > 0 => {
                    let a = v.accounts.remove(i % n);
                    v.trash.push(trashed(a));
                }
                Op::Purge(i) if !v.trash.is_empty() => {
                    let len = v.trash.len();
                    v.trash.remove(i % len);
                }
                Op::Restore(i) if !v.trash.is_empty() => {
                    let len = v.trash.len();
                    let t = v.trash.remove(i % len);
                    v.accounts.push(t.account);
                }
                Op::Rename(i, name) if n > 0 => v.accounts[i % n].name = format!("n{name}"),
                Op::Note(i, note) if n > 0 => v.accounts[i % n].note = Some(format!("{note}")),
                Op::Use(i, k) if n > 0 => v.accounts[i % n].counter += u64::from(k),
                _ => {}
            }
        }
    }

    fn base_vault() -> impl Strategy<Value = Vault> {
        (
            proptest::collection::vec(op(), 0..8),
            proptest::collection::vec(op(), 0..4),
        )
            .prop_map(|(ops, more)| {
                let mut v = vault(vec![]);
                apply(&mut v, &ops, "b");
                apply(&mut v, &more, "b");
                v
            })
    }

    fn all_accounts(v: &Vault) -> Vec<&Account> {
        v.accounts
            .iter()
            .chain(v.trash.iter().map(|t| &t.account))
            .collect()
    }

    fn all_ids(v: &Vault) -> HashSet<String> {
        v.accounts
            .iter()
            .map(|a| a.id.clone())
            .chain(v.trash.iter().map(|t| t.account.id.clone()))
            .collect()
    }

    /// Sorted, with ids the merge made up blanked: equal when two vaults
    /// differ only in order.
    fn normal(v: &Vault, known: &HashSet<String>) -> Vault {
        let mut v = v.clone();
        let fix = |a: &mut Account| {
            a.tags.sort();
            a.recovery_codes.sort_by(|x, y| x.code.cmp(&y.code));
            if !known.contains(&a.id) {
                a.id.clear();
            }
        };
        v.accounts.iter_mut().for_each(fix);
        v.trash.iter_mut().for_each(|t| fix(&mut t.account));
        v.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        v.trash
            .sort_by_key(|t| (t.account.id.clone(), toml::to_string(t).unwrap()));
        v.recipients.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Every account either side has live is in the result, live or
        /// in the trash; every trashed one too, unless the other side
        /// purged it from a trash entry this side left unchanged.
        #[test]
        fn merge_never_loses_an_account(
            base in base_vault(),
            ours_ops in proptest::collection::vec(op(), 0..8),
            theirs_ops in proptest::collection::vec(op(), 0..8),
        ) {
            let mut ours = base.clone();
            apply(&mut ours, &ours_ops, "o");
            let mut theirs = base.clone();
            apply(&mut theirs, &theirs_ops, "t");
            let m = merge3(&base, &ours, &theirs, opts(true)).unwrap();
            let got = all_ids(&m.vault);
            let live: HashSet<_> = m.vault.accounts.iter().map(|a| &a.id).collect();
            for (side, other) in [(&ours, &theirs), (&theirs, &ours)] {
                for a in &side.accounts {
                    prop_assert!(got.contains(&a.id), "lost live {}", a.id);
                    // An account edited or used on one side stays live.
                    let in_base = base.accounts.iter().find(|b| b.id == a.id);
                    // (Or it was folded into its live look-alike with the
                    // same secret.)
                    let folded_into = m.notes.iter().find_map(|n| match n {
                        Note::Folded { id, kept, .. } if *id == a.id => Some(kept),
                        _ => None,
                    });
                    if in_base.is_some_and(|b| b != a) {
                        let live_twin = folded_into.is_some_and(|k| live.contains(k));
                        prop_assert!(live.contains(&a.id) || live_twin, "edited {} not live", a.id);
                    }
                }
                for t in &side.trash {
                    let purged_there = !all_ids(other).contains(&t.account.id)
                        && base.trash.contains(t);
                    prop_assert!(purged_there || got.contains(&t.account.id),
                        "lost trashed {}", t.account.id);
                }
            }
            // No id twice, and no secret a side brought (added, or changed
            // from the base's) lost or its HOTP counter turned back: some
            // account with it (the same id, or the copy --keep-both made,
            // or the look-alike it folded into) has at least that counter.
            prop_assert_eq!(got.len(), m.vault.accounts.len() + m.vault.trash.len());
            let all = all_accounts(&m.vault);
            let in_base = all_accounts(&base);
            for side in [&ours, &theirs] {
                for s in &side.accounts {
                    if in_base.iter().any(|b| b.id == s.id && b.secret == s.secret) {
                        continue;
                    }
                    prop_assert!(
                        all.iter().any(|a| a.secret == s.secret && a.counter >= s.counter),
                        "{}'s secret lost or its counter went down", s.id
                    );
                }
            }
            for a in &m.vault.accounts {
                for side in [&ours, &theirs] {
                    if let Some(s) = side.accounts.iter().find(|s| s.id == a.id)
                        && s.secret == a.secret
                    {
                        prop_assert!(a.counter >= s.counter);
                    }
                }
            }
        }

        /// The look-alikes a merge brings together never stay two
        /// accounts with one secret, and the result is settled: merging it
        /// into either side again changes no live account.
        #[test]
        fn look_alikes_from_two_sides_fold_and_stay_folded(
            base in base_vault(),
            ours_ops in proptest::collection::vec(op(), 0..8),
            theirs_ops in proptest::collection::vec(op(), 0..8),
        ) {
            let mut ours = base.clone();
            apply(&mut ours, &ours_ops, "o");
            let mut theirs = base.clone();
            apply(&mut theirs, &theirs_ops, "t");
            let Ok(m) = merge3(&base, &ours, &theirs, opts(false)) else {
                return Ok(());
            };
            let twice: HashSet<String> = [&ours, &theirs]
                .iter()
                .flat_map(|v| look_alikes(&v.accounts))
                .map(|g| label::key(&g[0].issuer, &g[0].name))
                .collect();
            for group in look_alikes(&m.vault.accounts) {
                if twice.contains(&label::key(&group[0].issuer, &group[0].name)) {
                    continue;
                }
                for (i, a) in group.iter().enumerate() {
                    for b in &group[i + 1..] {
                        prop_assert!(!same_token(a, b), "{} and {} both live", a.id, b.id);
                    }
                }
            }
            // (Live accounts; two clashing trash entries split under two
            // ids share their HOTP counter on the next merge, as before.)
            for side in [&ours, &theirs] {
                let again = merge3(side, &m.vault, side, opts(false)).unwrap().vault;
                prop_assert_eq!(&again.accounts, &m.vault.accounts);
                prop_assert_eq!(all_ids(&again), all_ids(&m.vault));
            }
        }

        #[test]
        fn merging_a_vault_with_itself_is_that_vault(v in base_vault()) {
            let m = merge3(&v, &v, &v, opts(false)).unwrap();
            prop_assert_eq!(&m.vault, &v);
            prop_assert_eq!(&merge2(&v, &v, opts(false)).unwrap().vault, &v);
        }

        #[test]
        fn merge_is_symmetric_up_to_order(
            base in base_vault(),
            ours_ops in proptest::collection::vec(op(), 0..8),
            theirs_ops in proptest::collection::vec(op(), 0..8),
        ) {
            let mut ours = base.clone();
            apply(&mut ours, &ours_ops, "o");
            let mut theirs = base.clone();
            apply(&mut theirs, &theirs_ops, "t");
            let known: HashSet<String> = all_ids(&base)
                .into_iter()
                .chain(all_ids(&ours))
                .chain(all_ids(&theirs))
                .collect();
            match (merge3(&base, &ours, &theirs, opts(false)), merge3(&base, &theirs, &ours, opts(false))) {
                (Ok(a), Ok(b)) => prop_assert_eq!(normal(&a.vault, &known), normal(&b.vault, &known)),
                (Err(MergeError::Conflicts(a)), Err(MergeError::Conflicts(b))) => {
                    let key = |c: &Conflict| match c {
                        Conflict::Account { id, fields, .. } => format!("{id}{fields:?}"),
                        Conflict::Setting(s) => s.to_string(),
                    };
                    let mut a: Vec<_> = a.iter().map(key).collect();
                    let mut b: Vec<_> = b.iter().map(key).collect();
                    a.sort();
                    b.sort();
                    prop_assert_eq!(a, b);
                }
                (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
            }
        }
    }
}
