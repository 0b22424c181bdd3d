//! The hook that runs after every saved change (src/cmd/write.rs): the
//! automatic backup into every backup folder, or the reminder.

use super::*;

/// Runs after every saved change: an automatic backup when `auto_backup`
/// is set, else a one-line reminder when changes are not backed up.
/// `unlocked` is the key that opens the vault as saved (`None`: unlock
/// again, for the automatic backup's read-back).
/// A backup of `vault` into every reachable backup folder, as
/// `auto_backup` writes it (a folder that fails is a warning): the paths
/// written.
pub fn backup_everywhere(ctx: &Ctx, vault: &Vault, unlocked: &Unlocked) -> Vec<PathBuf> {
    let mut written = Vec::new();
    for d in dests::destinations(ctx) {
        if let Err(why) = dests::reachable(&d) {
            term::warn(&format!(
                "no automatic backup in {}: {why}",
                d.path.display()
            ));
            continue;
        }
        match write_backup(ctx, vault, unlocked, &d.path, false, None) {
            Ok(w) => {
                warn_held(&w);
                written.push(w.path);
            }
            Err(e) => term::warn(&format!(
                "the automatic backup to {} failed: {e:#}; run `otp backup`",
                d.path.display()
            )),
        }
    }
    written
}

pub fn after_change(ctx: &Ctx, vault: &Vault, unlocked: Option<&Unlocked>) {
    // The key is at hand: key-less copies made without it are proven now.
    if let Some(u) = unlocked {
        keyless::verify_pending(ctx, vault, u);
    }
    if ctx.config.auto_backup {
        let fresh;
        let unlocked = match unlocked {
            Some(u) => u,
            None => match ctx.unlock() {
                Ok(u) => {
                    fresh = u;
                    &fresh
                }
                Err(e) => {
                    term::warn(&format!(
                        "the automatic backup was not written: {e:#}; run `otp backup`"
                    ));
                    return;
                }
            },
        };
        backup_everywhere(ctx, vault, unlocked);
        return;
    }
    if !ctx.config.backup_warning {
        return;
    }
    if let Some(line) = reminder(&freshness(ctx, vault)) {
        term::warn(&line);
    }
}
