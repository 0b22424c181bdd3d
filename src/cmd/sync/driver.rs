//! The merge git runs for `git pull` (`otp sync merge-driver`), and `otp
//! sync merge FILE` for a conflict copy of the vault.

use super::*;

/// `git pull`'s merge of the vault: git hands three temporary files (base,
/// ours — which receives the result — and theirs). Exit 5 on conflicts:
/// git then marks the vault conflicted and leaves this machine's version.
pub(super) fn merge_driver(ctx: &Ctx, base: &Path, ours: &Path, theirs: &Path) -> Result<()> {
    let keys = ctx.unlock()?;
    let read = |p: &Path| {
        crate::vault::read::read_capped(p, crate::vault::read::MAX_DOCUMENT)
            .with_context(|| format!("cannot read {}", p.display()))
    };
    let mine = open(&read(ours)?, &keys, "this machine's vault")?;
    let what = "the other side's vault";
    let (other, text) = open_text(&read(theirs)?, &keys, what)?;
    let vetted = vet::vet(Some(&mine), other, &text).map_err(|why| {
        vet::refusal(
            what,
            why,
            "otp's merge driver left the vault conflicted: `git merge --abort`, then see docs/sync.md, \"A refused remote\"",
        )
    })?;
    let first_use = vetted.first_use;
    let other = vetted.vault;
    let base = read(base)
        .ok()
        .filter(|d| !d.is_empty())
        .and_then(|d| open_text(&d, &keys, "the merge base's vault").ok())
        .filter(|(base, text)| common_base(base, text, &mine, &other))
        .map(|(base, _)| base);
    let options = Options {
        now: now(),
        keep_both: false,
        random: random8,
    };
    let merged = match &base {
        Some(base) => merge::merge3(base, &mine, &other, options),
        None => merge::merge2(&mine, &other, options),
    }
    .map_err(|e| merge_failure(e).context("otp's merge driver left the vault conflicted"))?;
    let mut vault = merged.vault.clone();
    vault.changes = vault.changes.saturating_add(1);
    if first_use {
        vault.auth_key = other.auth_key.clone();
    }
    if vault.ensure_auth_key(random32) {
        made_key_note();
    }
    recipients::ensure_still_opens(&vault.recipients, &keys)?;
    let to = keys::parse_recipients(&vault.recipients)?;
    let plain = ctx.seal(&mut vault)?;
    let data = keys::encrypt(plain.as_bytes(), &to, false)?;
    store::write_atomic(ours, &data)?;
    show_notes(&merged);
    Ok(())
}

/// `otp sync merge FILE`: a file-sync conflict copy folded into the vault
/// (two-way: everything on either side kept, differences listed).
pub(super) fn merge_file(ctx: &Ctx, file: &Path, keep_both: bool) -> Result<()> {
    let data = crate::vault::read::read_capped(file, crate::vault::read::MAX_DOCUMENT)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let shown = file.display().to_string();
    let merged = ctx.update_merging(|vault, keys| {
        let (copy, text) = open_text(&data, keys, &shown)?;
        if let (Some(a), Some(b)) = (&vault.vault_id, &copy.vault_id)
            && a != b
        {
            return Err(merge_failure(MergeError::DifferentVaults));
        }
        let vetted = vet::vet(Some(vault), copy, &text).map_err(|why| {
            vet::refusal(
                &shown,
                why,
                "leave it out: the vault keeps everything your machines wrote; delete the copy once you are sure nothing of yours is only there",
            )
        })?;
        if vetted.order == Order::Same {
            return Ok(Merged {
                vault: vault.clone(),
                notes: Vec::new(),
            });
        }
        if vetted.first_use {
            vault.auth_key = vetted.vault.auth_key.clone();
        }
        let copy = vetted.vault;
        let options = Options {
            now: now(),
            keep_both,
            random: random8,
        };
        let merged = merge::merge2(vault, &copy, options).map_err(merge_failure)?;
        recipients::ensure_still_opens(&merged.vault.recipients, keys)?;
        *vault = merged.vault.clone();
        Ok(merged)
    })?;
    show_notes(&merged);
    term::note(&format!(
        "{} is merged into the vault; delete it once you have checked (`rm {}`).",
        sanitize(&shown),
        git::shell_quote(&shown)
    ));
    Ok(())
}
