//! Reading one small file out of a (possibly ZipCrypto-encrypted) zip.
//!
//! WinAuth and Authenticator Plus export a text file inside a zip, usually
//! protected with the traditional PKWARE cipher. Its password check is one
//! byte, so a wrong password shows either as the check failing or as a CRC
//! mismatch after decompression: both are reported as a wrong password.

use std::io::{Cursor, Read};

use zeroize::Zeroizing;

use crate::import::{ImportError, Passwords};

/// An export holds one text file; anything bigger is not one.
const MAX_ENTRY_BYTES: u64 = 16 * 1024 * 1024;

/// A zip starts with a local file header, or (when empty) with the
/// end-of-central-directory record.
pub(crate) fn is_zip(data: &[u8]) -> bool {
    data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06")
}

/// Names of the files in the archive (central directory), or `None`.
pub(crate) fn names(data: &[u8]) -> Option<Vec<String>> {
    let archive = zip::ZipArchive::new(Cursor::new(data)).ok()?;
    Some(archive.file_names().map(str::to_string).collect())
}

/// The contents of the first file whose name satisfies `pick`, asking for
/// the password (prompt `what`) only when that file is encrypted.
pub(crate) fn read_file(
    data: &[u8],
    pick: impl Fn(&str) -> bool,
    what: &str,
    passwords: &mut Passwords<'_>,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let bad = |m: &str| ImportError::malformed(format!("{what}: {m}"));
    let mut archive =
        zip::ZipArchive::new(Cursor::new(data)).map_err(|_| bad("not a readable zip archive"))?;
    let index = (0..archive.len())
        .find(|i| archive.name_for_index(*i).is_some_and(&pick))
        .ok_or_else(|| bad("the archive holds no export file"))?;
    let encrypted = archive
        .by_index_raw(index)
        .map_err(|_| bad("unreadable archive entry"))?
        .encrypted();
    let mut out = Zeroizing::new(Vec::new());
    if encrypted {
        let password = passwords(what)?;
        let file = match archive.by_index_decrypt(index, password.as_bytes()) {
            Ok(f) => f,
            Err(zip::result::ZipError::InvalidPassword) => return Err(ImportError::WrongPassword),
            Err(_) => return Err(bad("unreadable archive entry")),
        };
        // A CRC or inflate failure after a passed check byte: wrong password.
        file.take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|_| ImportError::WrongPassword)?;
    } else {
        let file = archive
            .by_index(index)
            .map_err(|_| bad("unreadable archive entry"))?;
        file.take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|_| bad("the archive entry is damaged"))?;
    }
    if out.len() as u64 > MAX_ENTRY_BYTES {
        return Err(bad("the export file is too large"));
    }
    Ok(out)
}
