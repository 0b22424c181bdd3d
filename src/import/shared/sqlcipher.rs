//! Decrypting a SQLCipher 3 database into plain SQLite bytes.
//!
//! SQLCipher 3 defaults (what Authenticator Plus used): the first 16 bytes
//! of the file are the KDF salt; key = PBKDF2-HMAC-SHA1(password, salt,
//! 64000, 32). Pages are 1024 bytes; each ends with 48 reserved bytes: a
//! 16-byte IV, then HMAC-SHA1 (key = PBKDF2-HMAC-SHA1(key, salt XOR 0x3a, 2,
//! 32)) over the page's ciphertext, the IV and the page number (u32 little
//! endian). The ciphertext is AES-256-CBC without padding; on page 1 it
//! starts after the salt, where the plain file has "SQLite format 3\0".
//! Every page's HMAC is checked: page 1 failing means a wrong password.
//! The output keeps the reserved bytes (zeroed), as its header declares them.

use hmac::{Hmac, Mac};
use zeroize::Zeroizing;

use super::crypto::{Hash, aes256_cbc_raw, pbkdf2};
use super::sqlite::MAGIC;

const PAGE: usize = 1024;
const RESERVE: usize = 48;
const SALT: usize = 16;
const IV: usize = 16;
const MAC: usize = 20;
const ROUNDS: u32 = 64000;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CipherError {
    /// Not a SQLCipher 3 file (size or layout).
    NotSqlcipher,
    WrongPassword,
    /// A later page fails its HMAC.
    Damaged(usize),
}

/// Could `data` be a SQLCipher 3 database? (No plaintext marker exists.)
pub(crate) fn plausible(data: &[u8]) -> bool {
    data.len() >= PAGE && data.len().is_multiple_of(PAGE) && !data.starts_with(MAGIC)
}

pub(crate) fn decrypt(data: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, CipherError> {
    if !plausible(data) {
        return Err(CipherError::NotSqlcipher);
    }
    let salt = data.get(..SALT).ok_or(CipherError::NotSqlcipher)?;
    let key = pbkdf2(Hash::Sha1, password, salt, ROUNDS, 32);
    let mac_salt: Vec<u8> = salt.iter().map(|b| b ^ 0x3a).collect();
    let mac_key = pbkdf2(Hash::Sha1, &key, &mac_salt, 2, 32);

    let mut out = Zeroizing::new(Vec::with_capacity(data.len()));
    for (i, page) in data.chunks_exact(PAGE).enumerate() {
        let number = u32::try_from(i + 1).map_err(|_| CipherError::NotSqlcipher)?;
        let start = if i == 0 { SALT } else { 0 };
        let (body, reserved) = page.split_at(PAGE - RESERVE);
        let (ct, iv, mac) = (&body[start..], &reserved[..IV], &reserved[IV..IV + MAC]);
        let mut h =
            Hmac::<sha1::Sha1>::new_from_slice(&mac_key).map_err(|_| CipherError::NotSqlcipher)?;
        h.update(ct);
        h.update(iv);
        h.update(&number.to_le_bytes());
        if h.verify_slice(mac).is_err() {
            return Err(if i == 0 {
                CipherError::WrongPassword
            } else {
                CipherError::Damaged(i + 1)
            });
        }
        let plain = aes256_cbc_raw(&key, iv, ct).ok_or(CipherError::NotSqlcipher)?;
        if i == 0 {
            out.extend_from_slice(MAGIC);
        }
        out.extend_from_slice(&plain);
        out.extend_from_slice(&[0; RESERVE]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_cannot_be_sqlcipher() {
        assert_eq!(decrypt(&[0; 1000], b"x"), Err(CipherError::NotSqlcipher));
        let mut plain = MAGIC.to_vec();
        plain.resize(2048, 0);
        assert_eq!(decrypt(&plain, b"x"), Err(CipherError::NotSqlcipher));
        assert!(!plausible(&[0; 1025]));
    }
}
