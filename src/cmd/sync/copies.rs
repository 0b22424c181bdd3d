//! File-sync conflict copies beside the vault, and the sync state `otp
//! status` shows.
//!
//! Syncthing, Dropbox, Nextcloud, ownCloud, iCloud and others keep both
//! versions when two machines change a file between syncs, under names
//! like `vault.sync-conflict-20260101-120000-ABCDEFG.age`,
//! `vault (alice's conflicted copy 2026-01-01).age` or `vault 2.age`. An
//! account added on the other machine then lives only in the copy.

use std::path::{Path, PathBuf};

/// Whether `candidate` (a file name) looks like a conflict copy of the
/// vault file `vault` (or of its key file).
pub fn is_conflict_copy(vault: &str, candidate: &str) -> bool {
    let stem = vault.strip_suffix(".age").unwrap_or(vault);
    let key = format!("{stem}.identity.age");
    if candidate == vault || candidate == key {
        return false;
    }
    let Some(rest) = candidate
        .strip_prefix(stem)
        .and_then(|r| r.strip_suffix(".age"))
    else {
        return false;
    };
    let rest = rest.strip_prefix(".identity").unwrap_or(rest);
    let lower = rest.to_lowercase();
    if lower.contains("conflict") {
        return true;
    }
    // iCloud's "vault 2", Google Drive's and OneDrive's "vault (1)".
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(n) = rest.strip_prefix(' ') {
        return digits(n)
            || n.strip_prefix('(')
                .and_then(|n| n.strip_suffix(')'))
                .is_some_and(digits);
    }
    false
}

/// Conflict copies in the vault's folder, sorted by name.
pub fn find(vault_path: &Path) -> Vec<PathBuf> {
    let Some(name) = vault_path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let dir = match vault_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| is_conflict_copy(name, n))
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_file_sync_tools_give_are_found() {
        for name in [
            "vault.sync-conflict-20260101-120000-ABCDEFG.age",
            "vault (Alice's conflicted copy 2026-01-01).age",
            "vault (Alice\u{2019}s conflicted copy 2026-01-01).age",
            "vault (conflicted copy 2026-01-01 120000).age",
            "vault_conflict-20260101-120000.age",
            "vault (conflict 2026-01-01).age",
            "vault [Conflict].age",
            "vault 2.age",
            "vault (1).age",
            "vault.identity.sync-conflict-20260101-120000-ABCDEFG.age",
        ] {
            assert!(is_conflict_copy("vault.age", name), "{name}");
        }
    }

    #[test]
    fn the_vault_its_key_and_other_files_are_not() {
        for name in [
            "vault.age",
            "vault.identity.age",
            "vault.age.lock",
            "vault.last-backup.toml",
            "vaults.age",
            "vault 2b.age",
            "vault ().age",
            "other (conflicted copy).age",
            "vault.sync-conflict-1.toml",
        ] {
            assert!(!is_conflict_copy("vault.age", name), "{name}");
        }
    }

    #[test]
    fn copies_are_found_beside_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["vault.age", "vault.sync-conflict-1-2-X.age", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        assert_eq!(
            find(&dir.path().join("vault.age")),
            [dir.path().join("vault.sync-conflict-1-2-X.age")]
        );
    }
}
