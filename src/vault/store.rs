//! Files on disk: the exclusive lock around every read-modify-write, and
//! atomic replacement (temp file in the same directory, fsync, rename,
//! fsync the directory), with 0600 files and 0700 directories.
//!
//! A path that is a symbolic link (a vault kept in a synced folder and
//! linked from the data dir) is resolved first: the new file is written
//! beside the link's target and renamed over it, and the lock sits beside
//! the target too, so the link stays a link, the target gets the change,
//! and every link to one file shares one lock.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::error::Fail;

/// Held while a command reads, changes and writes the vault.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Where `path` leads: the target of a symbolic link (of a chain of them,
/// relative targets taken from the link's folder), or `path` itself when it
/// is not a link or does not exist. Only the file's own name is followed;
/// linked folders on the way need nothing (a rename works through them).
pub fn resolve_link(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    // As many hops as Linux follows before ELOOP.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)
                    .with_context(|| format!("cannot read the link {}", p.display()))?;
                p = if target.is_absolute() {
                    target
                } else {
                    parent_dir(&p).join(target)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Fail::error(format!(
        "{} is a symbolic link that leads to itself (or through more than 40 links)",
        path.display()
    ))
    .hint("point it at the real file with `ln -sfn TARGET LINK`")
    .into())
}

/// `<vault>.lock`, beside the file a link to the vault leads to (see
/// [`resolve_link`]). The lock file is never removed: removing it would let
/// two processes hold "the" lock on different inodes.
pub fn lock_path(vault: &Path) -> PathBuf {
    let vault = resolve_link(vault).unwrap_or_else(|_| vault.to_path_buf());
    let mut name = vault
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    vault.with_file_name(name)
}

/// Takes the exclusive lock, waiting at most `timeout`.
pub fn lock(vault: &Path, timeout: Duration) -> Result<Lock> {
    let path = lock_path(vault);
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let file = open_private(&path, false)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Fail::error(format!(
                    "the vault is locked by another otp process (waited {} s for {})",
                    timeout.as_secs(),
                    path.display()
                ))
                .hint("wait for the other otp to finish and try again")
                .into());
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
}

fn open_private(path: &Path, truncate: bool) -> Result<File> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .write(true)
        .create(true)
        .truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Creates `dir` (and parents) with mode 0700 where it does not exist.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))
}

/// The folder a file lives in ("." for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `data` in a flushed, private temporary file in `dir`, ready to be
/// renamed into place.
fn flushed_temp(dir: &Path, data: &[u8]) -> Result<tempfile::NamedTempFile> {
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .rand_bytes(TEMP_RANDOM)
        .permissions(private_permissions())
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(data)
        .with_context(|| format!("cannot write to {}", dir.display()))?;
    tmp.as_file()
        .sync_all()
        .context("cannot flush the new file to disk")?;
    Ok(tmp)
}

/// Replaces `path` with `data` atomically: readers see the old file or the
/// new one, never a mix, and a crash at any moment leaves one of the two.
/// A link is kept: the file it leads to is replaced.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let path = &resolve_link(path)?;
    let dir = parent_dir(path);
    let tmp = flushed_temp(&dir, data)?;
    #[cfg(debug_assertions)]
    pause_before_rename(tmp.path());
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    sync_dir(&dir)
}

/// Debug builds only (the tests' binary; a release build has no such
/// code): with `OTP_TEST_PAUSE_BEFORE_RENAME=MARKER` set, a replacement
/// stops between its flushed temporary file and the rename, after writing
/// that file's path to MARKER, so a test can kill otp exactly there
/// (tests/vault_cli.rs). The pause ends after a minute.
#[cfg(debug_assertions)]
fn pause_before_rename(tmp: &Path) {
    if let Some(marker) = std::env::var_os("OTP_TEST_PAUSE_BEFORE_RENAME") {
        let _ = std::fs::write(&marker, tmp.as_os_str().as_encoded_bytes());
        std::thread::sleep(Duration::from_secs(60));
    }
}

/// Writes a new file, refusing to replace an existing one. Through a link
/// that leads nowhere yet, it creates the link's target.
pub fn write_new(path: &Path, data: &[u8]) -> Result<()> {
    let path = &resolve_link(path)?;
    let dir = parent_dir(path);
    flushed_temp(&dir, data)?
        .persist_noclobber(path)
        .map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::Error::from(Fail::error(format!(
                    "{} already exists; it was not overwritten",
                    path.display()
                )))
            } else {
                anyhow::Error::from(e.error).context(format!("cannot create {}", path.display()))
            }
        })?;
    sync_dir(&dir)
}

/// The prefix of every temporary file otp writes before renaming it into
/// place ([`flushed_temp`]); tempfile adds [`TEMP_RANDOM`] random
/// letters and digits.
const TEMP_PREFIX: &str = ".otp-tmp-";
const TEMP_RANDOM: usize = 6;

/// How old a temporary file must be before [`remove_stale_temps`] takes it
/// for a leftover. Under the vault lock no save of the vault is in flight,
/// but a few small files beside it (`vault.last-backup.toml`, the verify
/// record) are written without the lock; each is written, flushed and
/// renamed within moments, so one untouched for this long belongs to an
/// otp that was killed.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(10 * 60);

/// Removes otp's own temporary files left in the vault's folder by an otp
/// that was killed mid-save (`kill -9`, a power cut): they hold an
/// encrypted vault or key file that nobody will ever rename into place.
/// Call under the vault lock, after a successful save. Only a file whose
/// name is exactly otp's pattern, that is a regular file (not a link),
/// owned by this user and not modified for `min_age` is removed; anything
/// else is left alone. Returns how many were removed; failures are
/// ignored (the next save tries again).
pub fn remove_stale_temps(vault: &Path, min_age: Duration) -> usize {
    let Ok(target) = resolve_link(vault) else {
        return 0;
    };
    let dir = parent_dir(&target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_temp_name(name) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= min_age);
        if meta.file_type().is_file()
            && owned_by_me(&meta)
            && old
            && std::fs::remove_file(&path).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// `.otp-tmp-` and exactly the random part tempfile adds.
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX).is_some_and(|rest| {
        rest.len() == TEMP_RANDOM && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn owned_by_me(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.uid() == rustix::process::geteuid().as_raw()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

fn private_permissions() -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o600)
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(".")
            .map(|m| m.permissions())
            .unwrap_or_else(|_| unreachable!())
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot flush the folder {}", dir.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/vault.age");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
            let d = std::fs::metadata(dir.path().join("sub")).unwrap();
            assert_eq!(d.permissions().mode() & 0o777, 0o700);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn write_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        write_new(&p, b"a").unwrap();
        assert!(write_new(&p, b"b").is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"a");
    }

    #[cfg(unix)]
    #[test]
    fn links_stay_links_and_their_targets_change() {
        let dir = tempfile::tempdir().unwrap();
        let synced = dir.path().join("sync/otp");
        std::fs::create_dir_all(&synced).unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let link = data.join("vault.age");
        // A relative link through a second one.
        std::os::unix::fs::symlink("../sync/otp/vault.age", data.join("hop")).unwrap();
        std::os::unix::fs::symlink("hop", &link).unwrap();
        write_new(&link, b"one").unwrap();
        assert!(write_new(&link, b"again").is_err());
        write_atomic(&link, b"two").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(synced.join("vault.age")).unwrap(), b"two");
        let lock_file = lock_path(&link);
        assert_eq!(lock_file.file_name().unwrap(), "vault.age.lock");
        assert_eq!(
            lock_file.parent().unwrap().canonicalize().unwrap(),
            synced.canonicalize().unwrap()
        );
        let _held = lock(&link, Duration::from_millis(10)).unwrap();
        let err = lock(&synced.join("vault.age"), Duration::from_millis(50)).unwrap_err();
        assert!(err.to_string().contains("locked by another otp"));
        // A loop is an error, not a hang.
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(
            write_atomic(&a, b"x")
                .unwrap_err()
                .to_string()
                .contains("leads to itself")
        );
    }

    #[test]
    fn only_our_stale_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.age");
        write_atomic(&vault, b"v").unwrap();
        let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        let make = |name: &str, old: bool| {
            let p = dir.path().join(name);
            let f = File::create(&p).unwrap();
            if old {
                f.set_modified(hour_ago).unwrap();
            }
            p
        };
        let stale = [make(".otp-tmp-AbC123", true), make(".otp-tmp-zzzzzz", true)];
        let kept = [
            make(".otp-tmp-Fresh1", false), // may be in flight
            make(".otp-tmp-notes.txt", true),
            make(".otp-tmp-abc", true),
            make("otp-tmp-AbC123", true),
            make("vault.last-backup.toml", true),
        ];
        let folder = dir.path().join(".otp-tmp-Folder");
        std::fs::create_dir(&folder).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&kept[4], dir.path().join(".otp-tmp-Link99")).unwrap();
        assert_eq!(remove_stale_temps(&vault, STALE_TEMP_AGE), 2);
        for p in &stale {
            assert!(!p.exists(), "{}", p.display());
        }
        for p in kept.iter().chain([&folder, &vault]) {
            assert!(p.exists(), "{}", p.display());
        }
        assert!(is_temp_name(".otp-tmp-AbC123"));
        assert!(!is_temp_name(".otp-tmp-AbC12"));
        assert!(!is_temp_name(".otp-tmp-AbC1234"));
        assert!(!is_temp_name(".otp-tmp-AbC-12"));
    }

    #[test]
    fn second_lock_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let v = dir.path().join("vault.age");
        let _held = lock(&v, Duration::from_millis(10)).unwrap();
        let err = lock(&v, Duration::from_millis(50)).unwrap_err();
        assert!(err.to_string().contains("locked by another otp"));
    }
}
