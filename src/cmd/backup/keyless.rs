//! Backups of a passphrase vault with no key at hand (cron, a timer): no
//! passphrase source, no terminal, no agent holding the key. Storing the
//! passphrase in a file for a scheduled backup would defeat it, so
//! `otp backup` then copies the vault file as it is, still encrypted, into
//! each backup folder (`{stem}-{time}-keyless.age`), without opening it.
//! The vault file carries its passphrase-sealed key file in its age header
//! (src/cmd/write.rs), so such a copy restores on a new machine with the
//! passphrase alone, like any backup.
//!
//! Such a copy proves nothing yet: it is recorded, with its SHA-256, in
//! this machine's data folder (`<vault file>.keyless`, like the record of
//! proven backups), and is **unverified** until otp next has the key
//! (`otp backup`, `otp backup --verify`, any change to the vault). Then
//! each recorded copy is read back, must still have the recorded hash,
//! must open with the vault's key, hold this vault (its vault id) and
//! prove itself by the vault version's own tag (src/model/auth.rs); it is
//! then rewritten as a regular, tagged backup of what it holds, dated when
//! it was copied, and the copy removed. Retention never counts a key-less
//! copy (its name is not a backup's), and a copy that fails is reported,
//! dropped from the record and left where it is (docs/trust.md).

use super::*;

use super::write::{copy_key_file, write_checked_at};
use crate::vault::store;

/// One key-less copy, as recorded when it was made.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Copy {
    pub path: PathBuf,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// SHA-256 of the bytes copied (hex).
    pub sha256: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    #[serde(default, rename = "copy")]
    copies: Vec<Copy>,
}

/// `<vault file name>.keyless` in this machine's data folder.
pub fn record_path(ctx: &Ctx) -> PathBuf {
    let mut name = ctx
        .vault_path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".keyless");
    ctx.data_dir.join(name)
}

/// The recorded key-less copies not verified yet, oldest first.
pub fn pending(ctx: &Ctx) -> Vec<Copy> {
    let mut copies = load(ctx).copies;
    copies.sort_by_key(|c| c.time);
    copies
}

fn load(ctx: &Ctx) -> Record {
    read::read_capped_text(&record_path(ctx), 1 << 20)
        .ok()
        .flatten()
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default()
}

fn save(ctx: &Ctx, record: &Record) -> Result<()> {
    let path = record_path(ctx);
    if record.copies.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        };
    }
    let text = toml::to_string(record).context("cannot write the record of key-less copies")?;
    store::write_atomic(&path, text.as_bytes())
}

/// No key at hand for this vault: a passphrase vault, no `--identity`, no
/// passphrase file, `OTP_PASSPHRASE` or `passphrase_command`, no prompt
/// possible, and no agent holding its key. Asking costs no scrypt.
pub fn no_key_at_hand(ctx: &Ctx) -> bool {
    if ctx.global.identity.is_some() {
        return false;
    }
    let Ok(data) = std::fs::read(ctx.key_file()) else {
        return false; // an identity vault: its error says to pass --identity
    };
    let p = ctx.passphrases();
    if p.file.is_some() || p.env.is_some() || p.command.is_some() || p.interactive {
        return false;
    }
    let data = zeroize::Zeroizing::new(data);
    match ctx.agent_key(&ctx.key_file(), &data) {
        Some(key) => !matches!(crate::agent::status(&ctx.agent_paths(), &key), Ok(Some(_))),
        None => true,
    }
}

/// `otp backup` with no key at hand: a key-less copy into each folder.
pub fn run(ctx: &Ctx, args: &BackupArgs) -> Result<()> {
    if args.verify {
        return Err(Fail::error(
            "checking backups needs the vault's key, and none is at hand (no passphrase source, no terminal, no agent holding it)",
        )
        .hint("run `otp backup --verify` on a terminal, or after `otp unlock`")
        .into());
    }
    let data = ctx.read_vault_file()?;
    let hash = crate::model::auth::file_hash(&data);
    let carried = crate::export::sealed::find(&data);
    let carries_key = carried.is_some() && carried == sealed_key(ctx);
    let dests = match &args.dir {
        Some(dir) => vec![Destination {
            path: dir.clone(),
            create: true,
        }],
        None => dests::destinations(ctx),
    };
    let mut record = load(ctx);
    let (mut paths, mut failed) = (String::new(), Vec::new());
    for d in &dests {
        if let Err(why) = dests::reachable(d) {
            term::warn(&format!(
                "skipped the backup folder {}: {why}",
                d.path.display()
            ));
            failed.push(d.path.display().to_string());
            continue;
        }
        match copy_into(ctx, &mut record, &d.path, &data, &hash) {
            Ok((path, new)) => {
                if new {
                    term::note(&format!(
                        "Copied the encrypted vault to {} without opening it: no key is at hand. \
                         It is UNVERIFIED until otp has the key.",
                        path.display()
                    ));
                } else {
                    term::note(&format!(
                        "The vault has not changed since the key-less copy {} (still UNVERIFIED); nothing new to copy.",
                        path.display()
                    ));
                }
                if let Some(key) = copy_key_file(ctx, &d.path).ok().flatten()
                    && !carries_key
                {
                    term::note(&format!(
                        "This vault file does not carry its current key file yet (it will after its next change): \
                         on a new machine the copy opens with the key file beside it ({}) and your passphrase.",
                        key.display()
                    ));
                }
                paths.push_str(&format!("{}\n", path.display()));
            }
            Err(e) => {
                term::warn(&format!("no key-less copy in {}: {e:#}", d.path.display()));
                failed.push(d.path.display().to_string());
            }
        }
    }
    save(ctx, &record)?;
    out(&paths)?;
    if paths.is_empty() {
        return Err(
            Fail::error("no copy was made: no backup folder could be used (see above)")
                .hint("plug in or mount a backup disk, or fix backup_dirs in the config")
                .into(),
        );
    }
    term::note(
        "otp proves each copy and turns it into a regular backup the next time it has the key: \
         `otp backup` or `otp backup --verify` on a terminal or after `otp unlock`, or any change to the vault. \
         `otp status` shows the copies until then.",
    );
    if dests.len() > 1 && !failed.is_empty() {
        term::warn(&format!(
            "{} backup folder(s) got no copy: {}",
            failed.len(),
            failed.join(", ")
        ));
    }
    Ok(())
}

/// Copies `data` (hash `hash`) into `dir` and records it, unless a
/// recorded copy of the same bytes is there already: its path, and
/// whether it is new.
fn copy_into(
    ctx: &Ctx,
    record: &mut Record,
    dir: &Path,
    data: &[u8],
    hash: &str,
) -> Result<(PathBuf, bool)> {
    store::create_private_dir(dir)?;
    if let Some(same) = record.copies.iter().find(|c| {
        c.sha256 == hash
            && c.path.parent() == Some(dir)
            && read::read_capped(&c.path, read::MAX_DOCUMENT)
                .is_ok_and(|b| crate::model::auth::file_hash(&b) == hash)
    }) {
        return Ok((same.path.clone(), false));
    }
    let at = now().replace_nanosecond(0).unwrap_or_else(|_| now());
    let stamp = files::stamp(at);
    let stem = stem(ctx);
    let mut n = 1;
    let path = loop {
        let name = match n {
            1 => format!("{stem}-{stamp}-keyless.age"),
            n => format!("{stem}-{stamp}-keyless-{n}.age"),
        };
        let path = dir.join(name);
        if !path.exists() {
            break path;
        }
        n += 1;
    };
    store::write_new(&path, data)?;
    // Read back: the bytes on the disk are the vault's.
    let back = read::read_capped(&path, read::MAX_DOCUMENT)
        .with_context(|| format!("cannot read back {}", path.display()))?;
    if crate::model::auth::file_hash(&back) != hash {
        let _ = std::fs::remove_file(&path);
        return Err(Fail::error(format!(
            "the copy written to {} does not read back as the vault file; it was removed",
            path.display()
        ))
        .hint("check that disk or folder")
        .into());
    }
    record.copies.push(Copy {
        path: path.clone(),
        time: at,
        sha256: hash.to_string(),
    });
    Ok((path, true))
}

/// With the key at hand: proves each recorded key-less copy and rewrites
/// it as a regular backup (then removes the copy). What could not be done
/// is a warning; a copy that fails its proof is dropped from the record
/// and never counted. Returns how many copies became backups.
pub fn verify_pending(ctx: &Ctx, vault: &Vault, unlocked: &Unlocked) -> usize {
    let mut record = load(ctx);
    if record.copies.is_empty() {
        return 0;
    }
    record.copies.sort_by_key(|c| c.time);
    let mut done = 0;
    let mut keep = Vec::new();
    for copy in std::mem::take(&mut record.copies) {
        let shown = copy.path.display().to_string();
        let copied = match prove(&copy, vault, unlocked) {
            Ok(v) => v,
            Err(why) => {
                term::warn(&format!(
                    "the key-less copy {shown} (made {}) is not a good copy of this vault: {why}. \
                     It is not counted as a backup, and was left as it is.",
                    copy.time.format(&Rfc3339).unwrap_or_default()
                ));
                continue;
            }
        };
        let Some(dir) = copy.path.parent() else {
            continue;
        };
        let newer = freshness(ctx, vault)
            .last
            .is_none_or(|l| l.time < copy.time);
        match write_checked_at(ctx, &copied, unlocked, dir, false, None, copy.time, newer) {
            Ok(Ok(w)) => {
                if let Err(e) = std::fs::remove_file(&copy.path) {
                    term::warn(&format!("cannot remove the key-less copy {shown}: {e}"));
                }
                term::note(&format!(
                    "Verified the key-less copy made {} ({} account(s)): it is now the backup {}",
                    copy.time.format(&Rfc3339).unwrap_or_default(),
                    copied.accounts.len(),
                    w.path.display()
                ));
                warn_held(&w);
                done += 1;
            }
            Ok(Err(fail)) => {
                term::warn(&format!(
                    "the key-less copy {shown} was kept: {}",
                    fail.message
                ));
                keep.push(copy);
            }
            Err(e) => {
                term::warn(&format!("the key-less copy {shown} was kept: {e:#}"));
                keep.push(copy);
            }
        }
    }
    record.copies = keep;
    if let Err(e) = save(ctx, &record) {
        term::warn(&format!(
            "cannot update the record of key-less copies: {e:#}"
        ));
    }
    done
}

/// The vault a key-less copy holds, once proven: the recorded bytes, this
/// vault's key opens it, it is this vault (id) and its tag is the vault
/// key's (a version one of your machines wrote), not ahead of the vault.
fn prove(copy: &Copy, vault: &Vault, unlocked: &Unlocked) -> Result<Vault, String> {
    let data = read::read_capped(&copy.path, read::MAX_DOCUMENT).map_err(|e| e.to_string())?;
    if crate::model::auth::file_hash(&data) != copy.sha256 {
        return Err("it changed since it was copied".into());
    }
    let plain = keys::decrypt(&data, &unlocked.identities).map_err(|e| format!("{e:#}"))?;
    let text = std::str::from_utf8(&plain).map_err(|_| "it decrypted, but is not text")?;
    let copied = Vault::parse(text).map_err(|e| format!("{e:#}"))?;
    if !vault.is_same_vault(copied.vault_id.as_deref()) {
        return Err("it holds another vault (its vault id differs)".into());
    }
    if vault.auth_key.is_some() && !copied.proof(text, vault).is_authentic() {
        return Err("its tag is not made by this vault's key".into());
    }
    if copied.changes > vault.changes {
        return Err("it claims more changes than the vault has".into());
    }
    Ok(copied)
}

/// `otp status` lines on key-less copies waiting for the key (none: "").
pub fn status_text(ctx: &Ctx) -> String {
    let copies = pending(ctx);
    let Some(first) = copies.first() else {
        return String::new();
    };
    let mut text = format!(
        "key-less:   {} cop{} of the encrypted vault, UNVERIFIED since {} ({} ago): \
         `otp backup` with the key proves them\n",
        copies.len(),
        if copies.len() == 1 { "y" } else { "ies" },
        first.time.format(&Rfc3339).unwrap_or_default(),
        age(first.time, now()),
    );
    for c in &copies {
        let there = if c.path.exists() { "" } else { " (missing!)" };
        text.push_str(&format!("  {}{there}\n", c.path.display()));
    }
    text
}

/// `otp status --json`: `keyless_copies`, one object per copy (`path`,
/// `time`, `exists`), oldest first.
pub fn status_json(ctx: &Ctx) -> serde_json::Value {
    serde_json::Value::Array(
        pending(ctx)
            .iter()
            .map(|c| {
                serde_json::json!({
                    "path": c.path,
                    "time": c.time.format(&Rfc3339).unwrap_or_default(),
                    "exists": c.path.exists(),
                })
            })
            .collect(),
    )
}
