//! Writing a backup or a safety-net snapshot into a backup folder: the
//! encrypted file (with the sealed key file of a passphrase vault), read
//! back before it counts, and the undo note a snapshot prints.

use super::*;

/// The armored, encrypted backup document for `vault`, carrying `sealed`
/// (the passphrase-sealed key file, [`sealed_key`]) in its header.
pub fn encrypted_backup(
    vault: &Vault,
    at: OffsetDateTime,
    snapshot: Option<&str>,
    sealed: Option<Vec<u8>>,
) -> Result<Vec<u8>> {
    encrypt_meta(vault, backup::meta_for(vault, at, snapshot), sealed)
}

/// [`encrypted_backup`] with its `[backup]` table given.
pub(super) fn encrypt_meta(
    vault: &Vault,
    meta: backup::Meta,
    sealed: Option<Vec<u8>>,
) -> Result<Vec<u8>> {
    let text = backup::to_text(vault, meta);
    let mut recipients = keys::parse_recipients(&vault.recipients)?;
    if recipients.is_empty() {
        return Err(Fail::error("the vault lists no recipients to encrypt the backup to").into());
    }
    if let Some(sealed) = sealed {
        let inner = recipients.remove(0);
        recipients.insert(
            0,
            Box::new(crate::export::sealed::Carrier { inner, sealed }),
        );
    }
    keys::encrypt(text.as_bytes(), &recipients, true)
}

/// A passphrase vault's key file (`vault.identity.age`, sealed with the
/// passphrase), which every backup carries so that it restores on a new
/// machine with the passphrase alone; None for an identity vault.
pub fn sealed_key(ctx: &Ctx) -> Option<Vec<u8>> {
    std::fs::read(ctx.key_file())
        .ok()
        .filter(|b| keys::is_age_file(b) && b.len() <= crate::export::sealed::MAX_SEALED)
}

/// Writes a backup (or, with `snapshot`, a safety-net snapshot) of `vault`
/// into `dir`, copies the key file beside it, applies retention and, for a
/// backup, records it as the last one.
pub fn write_backup(
    ctx: &Ctx,
    vault: &Vault,
    unlocked: &Unlocked,
    dir: &Path,
    force: bool,
    snapshot: Option<&str>,
) -> Result<Written> {
    Ok(write_checked(ctx, vault, unlocked, dir, force, snapshot)??)
}

/// [`write_backup`], telling a backup that did not read back as the vault
/// (`Ok(Err(..))`: it was set aside) from one that could not be written.
pub fn write_checked(
    ctx: &Ctx,
    vault: &Vault,
    unlocked: &Unlocked,
    dir: &Path,
    force: bool,
    snapshot: Option<&str>,
) -> Result<Result<Written, Fail>> {
    let at = now().replace_nanosecond(0).unwrap_or_else(|_| now());
    write_checked_at(
        ctx,
        vault,
        unlocked,
        dir,
        force,
        snapshot,
        at,
        snapshot.is_none(),
    )
}

/// [`write_checked`] of `vault` as it was at `at` (a key-less copy made
/// then, proven now: [`super::keyless`]); `record_last`: record it as the
/// last backup for `otp status`.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_checked_at(
    ctx: &Ctx,
    vault: &Vault,
    unlocked: &Unlocked,
    dir: &Path,
    force: bool,
    snapshot: Option<&str>,
    at: OffsetDateTime,
    record_last: bool,
) -> Result<Result<Written, Fail>> {
    store::create_private_dir(dir)?;
    let stem = stem(ctx);
    let all = list(dir, &stem);
    // Retention counts and prunes only this vault's backups: never another
    // vault's sharing the folder (and file name), never one without an id,
    // and (once the vault has an authentication key) never a file that does
    // not prove it is one: a planted "newer" file cannot push a real
    // backup out.
    let tag = vault.vault_id.as_deref().and_then(files::id_tag);
    let named: Vec<(String, BackupName)> = all
        .iter()
        .filter(|(_, n)| tag.is_some() && n.vault == tag)
        .cloned()
        .collect();
    let mut remembered = proven::Proven::load(ctx, vault, unlocked);
    let (mut existing, unproven) = counted(dir, &named, unlocked, vault, &mut remembered);
    remembered.save();
    if !unproven.is_empty() {
        term::warn(&format!(
            "{} file(s) in {} are named as backups of this vault but could not be proven to be (forged, or not written by your machines): {}. \
             They were not counted or removed; run `otp backup --verify` (docs/trust.md)",
            unproven.len(),
            dir.display(),
            crate::text::sanitize(&unproven.join(", "))
        ));
    }
    let accounts = vault.accounts.len() as u64;
    let forced = force
        && snapshot.is_none()
        && files::reference(&existing, "").is_some_and(|r| files::shrank(accounts, r));
    let mut meta = backup::meta_for(vault, at, snapshot);
    meta.forced = forced;
    meta.backup_id = Some(crate::model::auth::hex_id(crate::cmd::random8()));
    let data = encrypt_meta(vault, meta, sealed_key(ctx))?;
    let mut name = BackupName {
        time: at,
        changes: vault.changes,
        accounts,
        vault: tag.clone(),
        forced,
        snapshot: snapshot.map(str::to_string),
        // Later in the same second sorts later, whatever the rest of the name.
        seq: all
            .iter()
            .filter(|(_, n)| n.time == at)
            .map(|(_, n)| n.seq.saturating_add(1))
            .max()
            .unwrap_or(1),
    };
    let (file, path) = loop {
        let file = name.file_name(&stem);
        let path = dir.join(&file);
        if !path.exists() {
            break (file, path);
        }
        name.seq += 1;
    };
    store::write_new(&path, &data)?;
    // Read back before anything is pruned or recorded: a backup is only
    // counted once it has been decrypted and found to be the vault.
    if let Err(why) = read_back(&path, unlocked, vault) {
        let aside = set_aside(&path);
        return Ok(Err(Fail::error(format!(
            "the backup written to {} does not read back as this vault: {why}. {}; no older backup was removed",
            path.display(),
            match &aside {
                Ok(p) => format!("It was kept aside as {}", p.display()),
                Err(e) => format!("It could not be moved aside ({e})"),
            }
        ))
        .hint("check that disk or folder, then run `otp backup` again")));
    }
    let key_copy = copy_key_file(ctx, dir)?;
    existing.push((file.clone(), name));
    let pruning = match tag {
        Some(_) => files::prune(&existing, &file, ctx.config.backup_keep, force),
        // A vault without an id (or with a hand-made one) cannot tell its
        // backups from others': it prunes nothing.
        None => files::Pruning::default(),
    };
    let mut deleted = Vec::new();
    for f in pruning.delete {
        let p = dir.join(&f);
        match std::fs::remove_file(&p) {
            Ok(()) => deleted.push(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => term::warn(&format!(
                "cannot remove the old backup {}: {e}",
                p.display()
            )),
        }
    }
    if record_last {
        record(ctx, vault, at, &path.display().to_string());
    }
    Ok(Ok(Written {
        path,
        deleted,
        held: pruning.held,
        key_copy,
    }))
}

/// Reads a backup file back, decrypts it with the key that unlocked the
/// vault, and checks it holds exactly `vault` (accounts, trash, vault id)
/// and, for a vault with an authentication key, that its tag proves it.
pub fn read_back(path: &Path, unlocked: &Unlocked, vault: &Vault) -> Result<(), String> {
    let Opened {
        contents, proof, ..
    } = open_backup(path, &unlocked.identities, vault)?;
    if vault.auth_key.is_some() && !proof.is_authentic() {
        return Err("its tag does not verify".into());
    }
    backup::holds_exactly(&contents, vault)
}

/// Moves a backup that failed its check out of the way, under a name that
/// says so (`…-unverified.age`) and that retention never counts or prunes.
pub(super) fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".age").unwrap_or(&name);
    let aside = path.with_file_name(format!("{stem}-unverified.age"));
    std::fs::rename(path, &aside)?;
    Ok(aside)
}

/// Copies `vault.identity.age` into `dir` when it is missing or outdated
/// there: without it a passphrase vault's backups cannot be opened.
pub(super) fn copy_key_file(ctx: &Ctx, dir: &Path) -> Result<Option<PathBuf>> {
    let key = ctx.key_file();
    let Ok(bytes) = std::fs::read(&key) else {
        return Ok(None);
    };
    let Some(name) = key.file_name() else {
        return Ok(None);
    };
    let dest = dir.join(name);
    let same_file = match (dest.canonicalize(), key.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_file && std::fs::read(&dest).ok().as_deref() != Some(&bytes[..]) {
        store::write_atomic(&dest, &bytes)
            .with_context(|| format!("cannot copy the key file into {}", dir.display()))?;
    }
    Ok(Some(dest))
}

/// A safety-net snapshot of `vault` (as it is before `op`) in the backup
/// folder; `otp recover` on it undoes `op`.
pub fn snapshot(ctx: &Ctx, vault: &Vault, unlocked: &Unlocked, op: &str) -> Result<PathBuf> {
    let w = write_backup(ctx, vault, unlocked, &backup_dir(ctx), false, Some(op))
        .context("cannot write the safety-net snapshot; nothing was changed")?;
    Ok(w.path)
}

/// The one line that tells the user how to undo with a snapshot.
pub fn undo_note(path: &Path) {
    term::note(&format!(
        "The previous vault is kept in {}; to undo: otp recover '{}'",
        path.display(),
        path.display()
    ));
}
