//! The passphrase-sealed key carried inside a backup, so that a backup of a
//! passphrase vault restores on a clean machine with the file and the
//! passphrase alone.
//!
//! A passphrase vault is encrypted to an X25519 key kept beside it in
//! `vault.identity.age`, itself sealed with the passphrase (scrypt). age
//! does not let one file be opened both by a passphrase and by public keys,
//! and refuses trailing data after an armored file, so the key file rides
//! in the backup's age header instead: one extra recipient stanza,
//!
//! ```text
//! -> otp-sealed-key
//! <the bytes of vault.identity.age, base64 as every stanza body>
//! ```
//!
//! that wraps no file key. age implementations skip stanzas they do not
//! know (the format's rule for new recipient types), so `age -d -i KEY`
//! opens such a backup as before, and the header MAC covers the stanza like
//! every other. [`Carrier`] adds it; [`find`] reads it back without any key.
//!
//! Trust: the stanza comes from a file otp did not necessarily write. What
//! [`find`] returns is only ever used as a candidate key file, opened with
//! the passphrase the user types (a stranger cannot seal a key that opens
//! with a passphrase they do not know), and installed only where no key
//! file exists (`otp recover` onto a new machine refuses to replace one).
//! It is capped at [`MAX_SEALED`] bytes and must itself be an age file.

use std::cell::RefCell;
use std::collections::HashSet;

use age_core::format::{FileKey, Stanza};

/// The stanza's tag.
pub const TAG: &str = "otp-sealed-key";

/// The largest sealed key [`find`] accepts (a real one is under 1 KiB).
pub const MAX_SEALED: usize = 16 * 1024;

/// A recipient that adds the sealed key stanza beside the stanzas of
/// `inner` (one of the vault's real recipients), with `inner`'s labels so
/// that it combines with whatever else the vault is encrypted to.
pub struct Carrier {
    pub inner: Box<dyn age::Recipient + Send>,
    pub sealed: Vec<u8>,
}

impl age::Recipient for Carrier {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, HashSet<String>), age::EncryptError> {
        let (mut stanzas, labels) = self.inner.wrap_file_key(file_key)?;
        stanzas.push(Stanza {
            tag: TAG.to_string(),
            args: Vec::new(),
            body: self.sealed.clone(),
        });
        Ok((stanzas, labels))
    }
}

/// An identity that opens nothing and remembers the sealed key stanza it
/// is shown.
#[derive(Default)]
struct Catcher {
    found: RefCell<Option<Vec<u8>>>,
}

impl age::Identity for Catcher {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        if stanza.tag == TAG && stanza.args.is_empty() && self.found.borrow().is_none() {
            *self.found.borrow_mut() = Some(stanza.body.clone());
        }
        None
    }
}

/// The sealed key file carried by the age file `data` (armored or binary),
/// when it has one that looks like a key file; no key is needed.
pub fn find(data: &[u8]) -> Option<Vec<u8>> {
    let catcher = Catcher::default();
    // The armor layer reads binary files too; only the header is read.
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(data)).ok()?;
    // No stanza is ever unwrapped: this fails, after showing every stanza.
    let _ = decryptor.decrypt(std::iter::once(&catcher as &dyn age::Identity));
    let body = catcher.found.borrow_mut().take()?;
    let looks_right = body.len() <= MAX_SEALED
        && (body.starts_with(b"age-encryption.org/v1")
            || body.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    looks_right.then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::SecretString;
    use std::io::{Read, Write};

    fn encrypt(recipients: Vec<Box<dyn age::Recipient + Send>>, armor: bool) -> Vec<u8> {
        let e =
            age::Encryptor::with_recipients(recipients.iter().map(|r| r.as_ref() as _)).unwrap();
        let mut out = Vec::new();
        let format = if armor {
            age::armor::Format::AsciiArmor
        } else {
            age::armor::Format::Binary
        };
        let a = age::armor::ArmoredWriter::wrap_output(&mut out, format).unwrap();
        let mut w = e.wrap_output(a).unwrap();
        w.write_all(b"secret text").unwrap();
        w.finish().unwrap().finish().unwrap();
        out
    }

    fn sealed_key() -> Vec<u8> {
        let r = age::scrypt::Recipient::new(SecretString::from("pw".to_string()));
        let mut r = r;
        r.set_work_factor(2);
        encrypt(vec![Box::new(r)], true)
    }

    #[test]
    fn carried_and_found_armored_and_binary_and_the_file_still_opens() {
        let id = age::x25519::Identity::generate();
        let sealed = sealed_key();
        for armor in [true, false] {
            let data = encrypt(
                vec![Box::new(Carrier {
                    inner: Box::new(id.to_public()),
                    sealed: sealed.clone(),
                })],
                armor,
            );
            assert_eq!(find(&data).as_deref(), Some(&sealed[..]));
            // The extra stanza does not stop the real key.
            let d =
                age::Decryptor::new_buffered(age::armor::ArmoredReader::new(&data[..])).unwrap();
            let mut plain = String::new();
            d.decrypt(std::iter::once(&id as &dyn age::Identity))
                .unwrap()
                .read_to_string(&mut plain)
                .unwrap();
            assert_eq!(plain, "secret text");
        }
    }

    #[test]
    fn nothing_is_found_where_nothing_is_carried_or_it_is_not_a_key_file() {
        let id = age::x25519::Identity::generate();
        assert_eq!(find(&encrypt(vec![Box::new(id.to_public())], true)), None);
        let odd = encrypt(
            vec![Box::new(Carrier {
                inner: Box::new(id.to_public()),
                sealed: b"not an age file".to_vec(),
            })],
            true,
        );
        assert_eq!(find(&odd), None);
        assert_eq!(find(b"garbage"), None);
        assert_eq!(find(b""), None);
    }
}
