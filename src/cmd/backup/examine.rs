//! Which files in a backup folder are this vault's backups: listed by
//! name, then opened and counted only when their tag proves one of the
//! vault's machines wrote them.

use super::*;

/// Backups of this vault in `dir`, by file name; other files are ignored.
pub fn list(dir: &Path, stem: &str) -> Vec<(String, BackupName)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let parsed = BackupName::parse(stem, &name)?;
            Some((name, parsed))
        })
        .collect()
}

/// A backup file decrypted with `identities` and parsed, with what it
/// proves against `vault`'s authentication key ([`backup::proof`]); `Err`
/// says what is wrong with it (unreadable, not decryptable, damaged, not a
/// backup).
pub fn open_backup(
    path: &Path,
    identities: &[Box<dyn age::Identity>],
    vault: &Vault,
) -> Result<Opened, String> {
    let data = read::read_capped(path, read::MAX_DOCUMENT).map_err(|e| e.to_string())?;
    let plain = keys::decrypt(&data, identities).map_err(|e| format!("{e:#}"))?;
    let text =
        std::str::from_utf8(&plain).map_err(|_| "it decrypted, but is not text".to_string())?;
    let contents = backup::parse(text).map_err(|e| e.message)?;
    let proof = backup::proof(text, &contents, vault.auth_key.as_ref());
    let tag = crate::model::auth::split(text).map(|(t, _)| t.to_string());
    Ok(Opened {
        contents,
        proof,
        tag,
    })
}

/// A backup file opened ([`open_backup`]).
pub struct Opened {
    pub contents: backup::Contents,
    /// What it proves against the vault's authentication key.
    pub proof: Proof,
    /// Its tag, if it has one: the same for every copy of one backup.
    pub tag: Option<String>,
}

/// What a file named as one of this vault's backups turns out to be.
pub enum Found {
    /// A backup of this vault: proven by its tag (`proven`), or, while the
    /// vault has no authentication key yet, merely opened and naming this
    /// vault (nothing can be proven then). `name` holds what the backup
    /// says inside, not what its file name claims.
    Mine {
        name: BackupName,
        tag: Option<String>,
        contents: Box<backup::Contents>,
        proven: bool,
    },
    /// It opens, but has no tag: written by an otp from before backups
    /// were tagged, or not by one of your machines. Proves nothing.
    Unsealed,
    /// A tag this vault's key does not make, or it names another vault:
    /// not written by one of your machines as a backup of this vault.
    Forged(String),
    /// It cannot be read, opened or parsed.
    Unreadable(String),
}

impl Found {
    /// The one-line verdict on a file that is not a backup of this vault.
    pub fn why_not(&self) -> String {
        match self {
            Found::Mine { .. } => String::new(),
            Found::Unsealed => "UNPROVEN: it has no tag (written by an otp from before backups were tagged, or not by one of your machines); not counted as a backup of this vault".into(),
            Found::Forged(why) => format!("FORGED: {why}; not written by one of your machines as a backup of this vault"),
            Found::Unreadable(why) => format!("damaged or unreadable: {why}"),
        }
    }
}

/// Opens `dir/file` (named as one of `vault`'s backups, `named`) with
/// `identities` and says what it is.
pub fn examine(
    dir: &Path,
    file: &str,
    named: &BackupName,
    identities: &[Box<dyn age::Identity>],
    vault: &Vault,
) -> Found {
    let path = dir.join(file);
    let Opened {
        contents,
        proof,
        tag,
    } = match open_backup(&path, identities, vault) {
        Ok(x) => x,
        Err(why) => return Found::Unreadable(why),
    };
    let Some(meta) = contents.meta.clone() else {
        return Found::Forged("it is a vault copy, not a backup".into());
    };
    let keyed = vault.auth_key.is_some();
    match proof {
        Proof::Authentic => {}
        Proof::Unsealed if !keyed => {}
        Proof::Unsealed => return Found::Unsealed,
        Proof::Forged => {
            return Found::Forged("its tag is not made by this vault's key".into());
        }
    }
    if !vault.is_same_vault(contents.vault_id.as_deref()) {
        return Found::Forged("it holds another vault (its vault id differs)".into());
    }
    let name = BackupName {
        time: meta.created,
        changes: meta.changes,
        accounts: contents.accounts.len() as u64,
        vault: named.vault.clone(),
        forced: meta.forced,
        snapshot: meta.snapshot.clone(),
        seq: named.seq,
    };
    Found::Mine {
        name,
        tag,
        contents: Box::new(contents),
        proven: proof.is_authentic(),
    }
}

/// The files of `named` that retention may count (with what they say
/// inside, each backup once however many copies of it there are), and the
/// names of those that could not be proven to be this vault's. A vault
/// without an authentication key goes by file names, as before tags.
/// Files `record` remembers as proven, unchanged since, are not opened
/// again ([`proven`]).
pub(super) fn counted(
    dir: &Path,
    named: &[(String, BackupName)],
    unlocked: &Unlocked,
    vault: &Vault,
    record: &mut proven::Proven,
) -> (Vec<(String, BackupName)>, Vec<String>) {
    if vault.auth_key.is_none() {
        return (named.to_vec(), Vec::new());
    }
    record.visit(dir);
    let mut seen = std::collections::HashSet::new();
    let mut counted = Vec::new();
    let mut unproven = Vec::new();
    for (file, n) in named {
        let (name, tag) = match record.lookup(dir, file, n) {
            Some(hit) => hit,
            None => {
                let before = proven::stamp(&dir.join(file));
                match examine(dir, file, n, &unlocked.identities, vault) {
                    Found::Mine {
                        name, tag, proven, ..
                    } => {
                        if proven {
                            record.remember(dir, file, before, &name, tag.clone());
                        }
                        (name, tag)
                    }
                    // Damaged files are left as they were: not counted, not
                    // removed, and not blamed on anyone.
                    Found::Unreadable(_) | Found::Unsealed => continue,
                    Found::Forged(_) => {
                        unproven.push(file.clone());
                        continue;
                    }
                }
            }
        };
        if seen.insert(tag) {
            counted.push((file.clone(), name));
        }
    }
    (counted, unproven)
}
