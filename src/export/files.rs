//! Backup file names and the retention rule.
//!
//! A name carries the non-secret facts about a backup, so `otp backup` can
//! prune (and a person can judge a folder) without any key:
//!
//! `{stem}-{YYYYMMDD}T{HHMMSS}Z-c{changes}-a{accounts}[-v{vault}][-forced][-before-{op}][-{n}].age`
//!
//! e.g. `vault-20250102T030405Z-c17-a5-v3f2a1b2c4d5e6f70.age`. `stem` is the
//! vault file's name without `.age`; `v{vault}` is the start of the vault's
//! id (the backup holds all of it), so two vaults can share a folder even
//! under the same file name: retention counts and prunes only the backups
//! of its own vault, and never a backup without an id (written by an older
//! otp). `forced` marks a backup
//! written with `--force` after the vault shrank; `before-{op}` marks a
//! safety-net snapshot; `{n}` tells apart two backups of the same second.

use time::OffsetDateTime;
use time::macros::format_description;

/// What a backup file name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupName {
    pub time: OffsetDateTime,
    pub changes: u64,
    pub accounts: u64,
    /// The vault's [`id_tag`]; `None` in names written before vault ids.
    pub vault: Option<String>,
    pub forced: bool,
    /// `Some(op)` for a safety-net snapshot taken before `op`.
    pub snapshot: Option<String>,
    /// 1 for the first backup of a second, then 2, 3, ...
    pub seq: u32,
}

const STAMP: &[time::format_description::FormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// `20250102T030405Z`: a time as backup file names carry it (UTC).
pub fn stamp(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(STAMP)
        .unwrap_or_else(|_| "00000000T000000Z".into())
}

impl BackupName {
    /// The file name for this backup of vault `stem`.
    pub fn file_name(&self, stem: &str) -> String {
        let stamp = stamp(self.time);
        let mut name = format!("{stem}-{stamp}-c{}-a{}", self.changes, self.accounts);
        if let Some(tag) = &self.vault {
            name.push_str("-v");
            name.push_str(tag);
        }
        if self.forced {
            name.push_str("-forced");
        }
        if let Some(op) = &self.snapshot {
            name.push_str("-before-");
            name.push_str(op);
        }
        if self.seq > 1 {
            name.push_str(&format!("-{}", self.seq));
        }
        name.push_str(".age");
        name
    }

    /// Reads a name written by [`file_name`](Self::file_name) for vault
    /// `stem`; anything else (other vaults' backups, the user's own files)
    /// is `None` and never touched.
    pub fn parse(stem: &str, file_name: &str) -> Option<BackupName> {
        let rest = file_name.strip_prefix(stem)?.strip_prefix('-')?;
        let rest = rest.strip_suffix(".age")?;
        let mut parts = rest.split('-');
        let stamp = parts.next()?;
        let time = time::PrimitiveDateTime::parse(stamp, STAMP)
            .ok()?
            .assume_utc();
        let changes = parts.next()?.strip_prefix('c')?;
        let accounts = parts.next()?.strip_prefix('a')?;
        let mut name = BackupName {
            time,
            changes: digits(changes)?,
            accounts: digits(accounts)?,
            vault: None,
            forced: false,
            snapshot: None,
            seq: 1,
        };
        while let Some(part) = parts.next() {
            match part {
                "forced" => name.forced = true,
                v if v.starts_with('v') => name.vault = Some(tag(&v[1..])?.to_string()),
                "before" => {
                    let op = parts.next()?;
                    if op.is_empty() || !op.bytes().all(|b| b.is_ascii_lowercase()) {
                        return None;
                    }
                    name.snapshot = Some(op.to_string());
                }
                n => name.seq = u32::try_from(digits(n)?).ok()?,
            }
        }
        Some(name)
    }

    fn order(&self) -> (OffsetDateTime, u32) {
        (self.time, self.seq)
    }
}

/// How many characters of a vault id a file name carries: 64 bits, so two
/// vaults sharing a folder do not share a tag.
const TAG_LEN: usize = 16;

/// The part of vault id `id` that file names carry, or `None` for an id
/// that is not otp's (a hand edit): its backups are then never pruned.
pub fn id_tag(id: &str) -> Option<String> {
    let (head, rest) = (id.get(..TAG_LEN)?, id.get(TAG_LEN..)?);
    (rest.len() == TAG_LEN && tag(rest).is_some())
        .then(|| tag(head).map(str::to_string))
        .flatten()
}

/// `s` when it is a tag: [`TAG_LEN`] lowercase hex digits.
fn tag(s: &str) -> Option<&str> {
    (s.len() == TAG_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(s)
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Would a backup with `accounts` push out older ones? Not when it holds
/// fewer than half the accounts of `reference` (the newest earlier backup
/// that held accounts, or that was itself forced).
pub fn shrank(accounts: u64, reference: &BackupName) -> bool {
    accounts.saturating_mul(2) < reference.accounts
}

/// The backup (not snapshot) that a new one is measured against: walking
/// the backups oldest first, each one that holds accounts (or was forced)
/// and did not itself shrink by more than half against the reference so
/// far becomes the reference. A backup written while pruning was held is
/// thus never one, so a second plain `otp backup` of a shrunken vault is
/// held too.
pub fn reference<'a>(files: &'a [(String, BackupName)], except: &str) -> Option<&'a BackupName> {
    let mut backups: Vec<&BackupName> = files
        .iter()
        .filter(|(f, n)| f != except && n.snapshot.is_none())
        .map(|(_, n)| n)
        .collect();
    backups.sort_by_key(|n| n.order());
    let mut reference: Option<&BackupName> = None;
    for n in backups {
        let accepted = n.forced || reference.is_none_or(|r| !shrank(n.accounts, r));
        if accepted && (n.accounts > 0 || n.forced) {
            reference = Some(n);
        }
    }
    reference
}

/// What retention decided.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruning {
    /// File names to delete.
    pub delete: Vec<String>,
    /// Set when the new backup is of a vault that shrank by more than half:
    /// no regular backup is deleted. Holds (new accounts, reference accounts).
    pub held: Option<(u64, u64)>,
}

/// Retention after writing `new` (already in `files`): keep the newest
/// `keep` backups or, after a snapshot, the newest `keep` snapshots; never
/// delete the newest backup that holds accounts; and delete no backup at
/// all when `new` shrank by more than half, unless `force`.
pub fn prune(files: &[(String, BackupName)], new: &str, keep: usize, force: bool) -> Pruning {
    let keep = keep.max(1);
    let mut pruning = Pruning::default();
    let new_name = files.iter().find(|(f, _)| f == new).map(|(_, n)| n);
    let is_snapshot = new_name.is_some_and(|n| n.snapshot.is_some());
    if let (Some(n), false) = (new_name, is_snapshot)
        && let Some(r) = reference(files, new)
        && !force
        && shrank(n.accounts, r)
    {
        pruning.held = Some((n.accounts, r.accounts));
    }
    // Only the new file's own group is pruned: a snapshot never makes room
    // among backups (which may be over `keep` while pruning was held).
    if pruning.held.is_none() {
        let snapshots = is_snapshot;
        let mut group: Vec<&(String, BackupName)> = files
            .iter()
            .filter(|(_, n)| n.snapshot.is_some() == snapshots)
            .collect();
        group.sort_by_key(|(_, n)| std::cmp::Reverse(n.order()));
        let protected = if snapshots {
            None
        } else {
            group.iter().find(|(_, n)| n.accounts > 0).map(|(f, _)| f)
        };
        for (f, _) in group.iter().skip(keep) {
            if Some(f) != protected && f != new {
                pruning.delete.push(f.clone());
            }
        }
    }
    pruning
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn name(t: i64, changes: u64, accounts: u64) -> BackupName {
        BackupName {
            time: OffsetDateTime::from_unix_timestamp(1_700_000_000 + t).unwrap(),
            changes,
            accounts,
            vault: None,
            forced: false,
            snapshot: None,
            seq: 1,
        }
    }

    fn listed(names: Vec<BackupName>) -> Vec<(String, BackupName)> {
        names
            .into_iter()
            .map(|n| (n.file_name("vault"), n))
            .collect()
    }

    #[test]
    fn names_round_trip() {
        let mut n = name(0, 17, 5);
        assert_eq!(n.file_name("vault"), "vault-20231114T221320Z-c17-a5.age");
        assert_eq!(
            BackupName::parse("vault", &n.file_name("vault")),
            Some(n.clone())
        );
        n.forced = true;
        n.snapshot = Some("purge".into());
        n.seq = 3;
        let f = n.file_name("work");
        assert_eq!(f, "work-20231114T221320Z-c17-a5-forced-before-purge-3.age");
        assert_eq!(BackupName::parse("work", &f), Some(n.clone()));
        n.vault = id_tag("00112233445566778899aabbccddeeff");
        let f = n.file_name("work");
        assert_eq!(
            f,
            "work-20231114T221320Z-c17-a5-v0011223344556677-forced-before-purge-3.age"
        );
        assert_eq!(BackupName::parse("work", &f), Some(n));
    }

    #[test]
    fn only_otp_ids_make_tags() {
        assert_eq!(
            id_tag("00112233445566778899aabbccddeeff").as_deref(),
            Some("0011223344556677")
        );
        for id in [
            "",
            "0011",
            "../../etc/passwdxxxxxxxxxxx",
            "0011223344556677-x",
            "ABCDEF0011223344ABCDEF0011223344",
            "00112233445566778899aabbccddeeffa",
            "00112233445566778899aabbccddeéf",
            "001122334455667é8899aabbccddeeff",
        ] {
            assert_eq!(id_tag(id), None, "{id}");
        }
        for f in [
            "vault-20231114T221320Z-c1-a1-v.age",
            "vault-20231114T221320Z-c1-a1-v00112233.age",
            "vault-20231114T221320Z-c1-a1-vXX11223344556677.age",
        ] {
            assert_eq!(BackupName::parse("vault", f), None, "{f}");
        }
    }

    #[test]
    fn other_files_are_not_ours() {
        for f in [
            "vault.identity.age",
            "vault-work-20231114T221320Z-c1-a1.age",
            "vault-20231114T221320Z-c1-a1.txt",
            "vault-20231114T221320Z-c-a1.age",
            "vault-20231114T221320Z-c1-a1-surprise.age",
            "vault-20231114T221320Z-c1-a1-v0011223344556677-v0011223344556677x.age",
            "notes.txt",
        ] {
            assert_eq!(BackupName::parse("vault", f), None, "{f}");
        }
        // Another vault's stem that extends ours is not ours either.
        assert!(BackupName::parse("vault-work", "vault-20231114T221320Z-c1-a1.age").is_none());
    }

    #[test]
    fn keeps_the_newest() {
        let files = listed((0..5).map(|t| name(t, t as u64, 3)).collect());
        let newest = files[4].0.clone();
        let p = prune(&files, &newest, 3, false);
        assert_eq!(p.delete, vec![files[1].0.clone(), files[0].0.clone()]);
        assert_eq!(p.held, None);
    }

    #[test]
    fn empty_vault_backups_never_push_out_the_last_good_one() {
        // One good backup, then a fresh empty device writes many backups.
        let mut names = vec![name(0, 40, 12)];
        names.extend((1..10).map(|t| name(t, t as u64, 0)));
        let files = listed(names);
        let good = files[0].0.clone();
        let newest = files[9].0.clone();
        let p = prune(&files, &newest, 3, false);
        assert_eq!(p.held, Some((0, 12)));
        assert!(p.delete.is_empty());
        // Even with --force the newest backup with accounts stays.
        let p = prune(&files, &newest, 3, true);
        assert!(!p.delete.contains(&good));
        assert_eq!(p.delete.len(), 6);
    }

    #[test]
    fn shrinking_by_more_than_half_needs_force() {
        let files = listed(vec![name(0, 1, 10), name(1, 2, 10), name(2, 3, 4)]);
        let p = prune(&files, &files[2].0, 1, false);
        assert_eq!(p.held, Some((4, 10)));
        assert!(p.delete.is_empty());
        let p = prune(&files, &files[2].0, 1, true);
        assert_eq!(p.delete, vec![files[1].0.clone(), files[0].0.clone()]);
        // Half is not "more than half".
        let files = listed(vec![name(0, 1, 10), name(1, 2, 5)]);
        assert_eq!(prune(&files, &files[1].0, 1, false).held, None);
    }

    #[test]
    fn a_held_backup_is_no_reference() {
        // 4 accounts, then 1 (held), then 1 again: still held.
        let files = listed(vec![name(0, 1, 4), name(1, 2, 1), name(2, 3, 1)]);
        assert_eq!(prune(&files, &files[2].0, 1, false).held, Some((1, 4)));
        // Gradual shrinking is accepted step by step.
        let files = listed(vec![name(0, 1, 10), name(1, 2, 6), name(2, 3, 3)]);
        assert_eq!(prune(&files, &files[2].0, 1, false).held, None);
    }

    #[test]
    fn a_forced_backup_becomes_the_reference() {
        let mut forced = name(1, 2, 0);
        forced.forced = true;
        let files = listed(vec![name(0, 1, 10), forced, name(2, 3, 0)]);
        let p = prune(&files, &files[2].0, 1, false);
        assert_eq!(p.held, None);
        // The last backup with accounts is still protected.
        assert_eq!(p.delete, vec![files[1].0.clone()]);
    }

    #[test]
    fn snapshots_are_kept_apart() {
        let mut s = name(5, 9, 1);
        s.snapshot = Some("purge".into());
        let mut s2 = name(6, 9, 1);
        s2.snapshot = Some("import".into());
        let files = listed(vec![name(0, 1, 3), s, s2, name(7, 10, 3)]);
        let p = prune(&files, &files[3].0, 1, false);
        assert_eq!(p.delete, vec![files[0].0.clone()]);
        let p = prune(&files, &files[2].0, 1, false);
        assert_eq!(p.delete, vec![files[1].0.clone()]);
        // Backups held over `keep` stay when a snapshot is written.
        let files = listed(vec![name(0, 1, 9), name(1, 2, 0), name(2, 3, 0), {
            let mut s = name(3, 3, 0);
            s.snapshot = Some("import".into());
            s
        }]);
        assert!(prune(&files, &files[3].0, 1, false).delete.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = BackupName::parse("vault", &s);
        }

        #[test]
        fn retention_invariants(counts in proptest::collection::vec(0u64..20, 1..30), keep in 0usize..8, force: bool) {
            let files = listed(counts.iter().enumerate().map(|(i, &a)| name(i as i64, i as u64, a)).collect());
            let new = files.last().unwrap().0.clone();
            let p = prune(&files, &new, keep, force);
            prop_assert!(!p.delete.contains(&new));
            if let Some((f, _)) = files.iter().rev().find(|(_, n)| n.accounts > 0) {
                prop_assert!(!p.delete.contains(f));
            }
            prop_assert!(files.len() - p.delete.len() >= keep.max(1).min(files.len()));
        }
    }
}
