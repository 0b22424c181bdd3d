//! Where `otp export -o` writes: never over an existing file unless asked.

use std::path::Path;

use anyhow::Result;

use crate::error::Fail;
use crate::text;

/// `-o FILE` never replaces a file without `--force`: a good backup
/// overwritten by an empty vault's export is a lockout.
pub fn refuse_existing(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Err(exists_error(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(anyhow::Error::from(e).context(format!("cannot check {}", path.display()))),
    }
}

pub fn exists_error(path: &Path) -> anyhow::Error {
    Fail::error(format!(
        "{} already exists; nothing was written, and it was left as it was",
        text::sanitize(&path.display().to_string())
    ))
    .hint("choose another file name, or add --force to replace it")
    .into()
}
