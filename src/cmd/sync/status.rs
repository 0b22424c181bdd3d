//! What `otp status` shows about sync (no network: ahead and behind are as
//! of the last fetch), and remote URLs without their passwords.

use super::*;

/// What `otp status` shows about sync: None when the vault's folder is not
/// set up for it. Ahead/behind are as of the last fetch (no network here).
pub fn status(ctx: &Ctx) -> Option<serde_json::Value> {
    let repo = Repo::set_up(ctx)?;
    let branch = repo.branch().ok();
    let remote = branch.as_deref().and_then(|b| repo.remote(b).ok());
    let url = remote
        .as_deref()
        .and_then(|r| repo.git.config(&format!("remote.{r}.url")).ok().flatten())
        .map(|u| redact_url(&u));
    let (mut ahead, mut behind) = (None, None);
    if let (Some(b), Some(r)) = (&branch, &remote)
        && let Ok(counts) = repo.git.run([
            "rev-list",
            "--left-right",
            "--count",
            &format!("HEAD...refs/remotes/{r}/{b}"),
        ])
        && let Some((a, z)) = counts.split_once('\t')
    {
        ahead = a.trim().parse::<u64>().ok();
        behind = z.trim().parse::<u64>().ok();
    }
    let uncommitted = repo
        .git
        .output(
            ["diff", "--quiet", "HEAD", "--"]
                .map(String::from)
                .into_iter()
                .chain(repo.files()),
        )
        .ok()
        .map(|o| !o.status.success());
    Some(serde_json::json!({
        "repository": repo.git.dir,
        "branch": branch,
        "remote": url,
        "ahead": ahead,
        "behind": behind,
        "last_sync": repo.git.config("otp.lastSync").ok().flatten(),
        "uncommitted": uncommitted,
        "merge_in_progress": repo.merging(),
        "refused": repo.git.config(REFUSED).ok().flatten(),
    }))
}

/// A remote URL without the password or token some HTTPS URLs carry.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            return format!("{scheme}://***@{}", &rest[at + 1..]);
        }
    }
    url.to_string()
}
