//! Thin, length-checked wrappers over the RustCrypto primitives the foreign
//! formats use, so importers cannot trip a panic on a bad key or nonce size.
//! Every decryptor returns `None` on failure: the caller decides whether that
//! means a wrong password or a damaged file.

use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding, block_padding::Pkcs7};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use zeroize::Zeroizing;

/// Key derivation refuses more rounds than this: a hostile file must not
/// pin the CPU for minutes (real apps use at most a few hundred thousand).
pub(crate) const MAX_PBKDF2_ROUNDS: u32 = 10_000_000;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha512,
}

pub(crate) fn pbkdf2(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    rounds: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    match hash {
        Hash::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, &mut out),
        Hash::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, &mut out),
        Hash::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, &mut out),
    }
    out
}

pub(crate) fn sha256(data: &[u8]) -> Zeroizing<Vec<u8>> {
    use sha2::Digest;
    Zeroizing::new(sha2::Sha256::digest(data).to_vec())
}

/// AES-CBC with PKCS#7 padding; key of 16, 24 or 32 bytes, IV of 16.
pub(crate) fn aes_cbc_pkcs7(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if data.is_empty() || !data.len().is_multiple_of(16) || iv.len() != 16 {
        return None;
    }
    let out = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(data),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(data),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(data),
        _ => return None,
    };
    out.ok().map(Zeroizing::new)
}

/// AES-256-CBC without padding (whole blocks only).
pub(crate) fn aes256_cbc_raw(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if !data.len().is_multiple_of(16) || iv.len() != 16 || key.len() != 32 {
        return None;
    }
    cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_vec_mut::<NoPadding>(data)
        .ok()
        .map(Zeroizing::new)
}

/// AES-GCM with a 16-byte tag appended to the ciphertext; 128- or 256-bit
/// key, 12-byte nonce.
pub(crate) fn aes_gcm(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != 12 || data.len() < 16 {
        return None;
    }
    let nonce = aes_gcm::Nonce::from_slice(nonce);
    let payload = Payload { msg: data, aad };
    let out = match key.len() {
        16 => aes_gcm::Aes128Gcm::new_from_slice(key)
            .ok()?
            .decrypt(nonce, payload),
        32 => aes_gcm::Aes256Gcm::new_from_slice(key)
            .ok()?
            .decrypt(nonce, payload),
        _ => return None,
    };
    out.ok().map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncryptMut;

    #[test]
    fn wrong_sizes_are_refused_not_panics() {
        assert!(aes_gcm(&[0; 32], &[0; 11], b"", &[0; 32]).is_none());
        assert!(aes_gcm(&[0; 31], &[0; 12], b"", &[0; 32]).is_none());
        assert!(aes_gcm(&[0; 32], &[0; 12], b"", &[0; 8]).is_none());
        assert!(aes_cbc_pkcs7(&[0; 32], &[0; 15], &[0; 16]).is_none());
        assert!(aes_cbc_pkcs7(&[0; 32], &[0; 16], &[0; 15]).is_none());
        assert!(aes_cbc_pkcs7(&[0; 32], &[0; 16], &[]).is_none());
        assert!(aes256_cbc_raw(&[0; 32], &[0; 16], &[0; 17]).is_none());
    }

    #[test]
    fn cbc_round_trip() {
        let key = [7u8; 32];
        let iv = [1u8; 16];
        let ct = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(b"hello world");
        assert_eq!(
            aes_cbc_pkcs7(&key, &iv, &ct).unwrap().as_slice(),
            b"hello world"
        );
    }

    #[test]
    fn pbkdf2_matches_rfc6070() {
        // RFC 6070 test vector 2 (PBKDF2-HMAC-SHA1, 2 iterations).
        let k = pbkdf2(Hash::Sha1, b"password", b"salt", 2, 20);
        assert_eq!(
            data_encoding::HEXLOWER.encode(&k),
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
        );
    }
}
