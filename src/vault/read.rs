//! Reading a whole file that otp did not necessarily write: a backup or
//! snapshot found in a folder, a conflict copy, an import, a key file named
//! on the command line. Whoever can put a file in a backup folder can put a
//! FIFO there (the read never ends), or a link to `/dev/zero` (memory grows
//! until the machine gives up), so such a file is trusted only as far as
//! this: it must be a regular file, no larger than its cap.
//!
//! The kind of file is judged twice: by `stat` before anything is opened
//! (a FIFO, device, folder or socket is never opened at all), and again on
//! the opened descriptor, which is opened without blocking, so a file
//! swapped in between cannot make otp hang or read a device. The size is
//! checked on the descriptor before reading, and the read itself stops one
//! byte past the cap, so a file that grows while it is read is refused too.
//!
//! The caps (docs/files.md lists them):

use std::fmt;
use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

/// A vault-sized document: a backup, a snapshot, a conflict copy or a
/// vault copy (`otp recover`, `otp drill`, `otp sync`).
pub const MAX_DOCUMENT: u64 = 256 << 20;
/// An import (another app's export, a URI list, an image).
pub const MAX_IMPORT: u64 = 64 << 20;
/// A key file: an age identity, an SSH key, a recovery key, a passphrase
/// file.
pub const MAX_KEY_FILE: u64 = 1 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: what it is instead ("a FIFO (named pipe)").
    NotRegular(&'static str),
    /// Larger than the cap: (size seen, cap).
    TooLarge(u64, u64),
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular(what) => {
                write!(f, "it is {what}, not a regular file; otp did not open it")
            }
            ReadError::TooLarge(size, cap) => write!(
                f,
                "it is larger ({}) than the {} otp reads for such a file",
                bytes(*size),
                bytes(*cap)
            ),
            ReadError::Io(e) => write!(f, "cannot read it: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// "64 MiB", "1.5 KiB", "12 bytes".
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// What a file that is not a regular file is, for a message.
fn kind(t: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a folder")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else {
        Some("a special file")
    }
}

/// Is `path` (a link followed) something other than a regular file? Then
/// what it is; `None` for a regular file or one that cannot be looked at.
pub fn not_regular(path: &Path) -> Option<&'static str> {
    std::fs::metadata(path)
        .ok()
        .and_then(|m| kind(m.file_type()))
}

/// What [`read_capped`] would refuse `path` for, judged by `stat` alone
/// (nothing is opened): to word a report before trying to read.
pub fn unreadable(path: &Path, cap: u64) -> Option<ReadError> {
    let meta = std::fs::metadata(path).ok()?;
    if let Some(what) = kind(meta.file_type()) {
        return Some(ReadError::NotRegular(what));
    }
    (meta.len() > cap).then_some(ReadError::TooLarge(meta.len(), cap))
}

/// The whole of `path` (a link is followed) when it is a regular file of
/// at most `cap` bytes. The bytes are wiped when dropped: they may be a
/// key or an export in the clear.
pub fn read_capped(path: &Path, cap: u64) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    if let Some(what) = not_regular(path) {
        return Err(ReadError::NotRegular(what));
    }
    let file = open_nonblocking(path).map_err(|e| {
        // Opening a socket fails (ENXIO): say what it is, not the errno.
        not_regular(path).map_or(ReadError::Io(e), ReadError::NotRegular)
    })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(what) = kind(meta.file_type()) {
        return Err(ReadError::NotRegular(what));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge(meta.len(), cap));
    }
    let mut data = Zeroizing::new(Vec::with_capacity(meta.len() as usize));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(ReadError::Io)?;
    if data.len() as u64 > cap {
        return Err(ReadError::TooLarge(data.len() as u64, cap));
    }
    Ok(data)
}

/// [`read_capped`] as UTF-8 text; `None` inside `Ok` when it is not text.
pub fn read_capped_text(path: &Path, cap: u64) -> Result<Option<Zeroizing<String>>, ReadError> {
    let mut data = read_capped(path, cap)?;
    Ok(match String::from_utf8(std::mem::take(&mut *data)) {
        Ok(text) => Some(Zeroizing::new(text)),
        Err(e) => {
            // Wipe the bytes that were handed back with the error.
            drop(Zeroizing::new(e.into_bytes()));
            None
        }
    })
}

/// Opens for reading without blocking (a FIFO with no writer would block
/// the open) and without becoming the controlling terminal.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_up_to_its_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(&read_capped(&p, 5).unwrap()[..], b"12345");
        let e = read_capped(&p, 4).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge(5, 4)), "{e}");
        assert!(e.to_string().contains("5 bytes"), "{e}");
    }

    #[test]
    fn never_reads_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder, a device behind a link, a FIFO with no writer (whose
        // read would never end), a socket.
        let link = dir.path().join("zero.age");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let fifo = dir.path().join("fifo.age");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let socket = dir.path().join("sock.age");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        for (p, what) in [
            (dir.path().to_path_buf(), "a folder"),
            (link, "a character device"),
            (fifo, "a FIFO"),
            (socket, "a socket"),
        ] {
            match read_capped(&p, MAX_DOCUMENT) {
                Err(e @ ReadError::NotRegular(_)) => {
                    assert!(e.to_string().contains(what), "{e}")
                }
                other => panic!("{}: {other:?}", p.display()),
            }
        }
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(bytes(12), "12 bytes");
        assert_eq!(bytes(MAX_IMPORT), "64 MiB");
        assert_eq!(bytes(MAX_DOCUMENT), "256 MiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 << 40), "5 TiB");
    }
}
