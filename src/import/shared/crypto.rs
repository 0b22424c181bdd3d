//! Every cryptographic primitive the importers use: field decoding, key
//! derivation and decryption, as thin length-checked wrappers over the
//! RustCrypto crates so that no key, nonce or block size can cause a panic.
//!
//! Every cost parameter comes from an untrusted file, so each KDF has a cap:
//! a hostile file must not make `otp` spin for hours or allocate without
//! bound. The caps sit well above what the apps write (noted beside each).
//! Decryption failures are returned as `None` so each format decides whether
//! a failed tag or padding means a wrong password or a damaged file.

use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding, block_padding::Pkcs7};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use zeroize::Zeroizing;

use crate::import::ImportError;

/// A derived 256-bit key, zeroed on drop.
pub(crate) type Key32 = Zeroizing<[u8; 32]>;

/// andOTP writes about 150,000, Bitwarden at most 2,000,000; the others a
/// few hundred thousand at most.
pub(crate) const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// libsodium's "sensitive" limit (ente) is 1 GiB; Bitwarden allows 1 GiB.
pub(crate) const MAX_ARGON2_MEMORY_KIB: u32 = 1024 * 1024;
/// libsodium's "sensitive" opslimit is 4; Bitwarden allows 10.
pub(crate) const MAX_ARGON2_PASSES: u32 = 16;
pub(crate) const MAX_ARGON2_LANES: u32 = 16;
/// scrypt's memory is 128·r·N bytes; Aegis uses N = 2^15, r = 8 (32 MiB).
pub(crate) const MAX_SCRYPT_MEMORY: u64 = 1 << 30;

/// Standard base64, with or without `=` padding (apps differ): [`crate::base64`].
pub(crate) fn base64(field: &str, text: &str) -> Result<Vec<u8>, ImportError> {
    crate::base64::decode(text.trim().as_bytes())
        .ok_or_else(|| ImportError::malformed(format!("{field} is not valid base64")))
}

pub(crate) fn hex(field: &str, text: &str) -> Result<Vec<u8>, ImportError> {
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(text.trim().as_bytes())
        .map_err(|_| ImportError::malformed(format!("{field} is not valid hex")))
}

/// Checks a decoded field has the exact length the format prescribes.
pub(crate) fn exact_len(field: &str, bytes: &[u8], len: usize) -> Result<(), ImportError> {
    if bytes.len() == len {
        Ok(())
    } else {
        Err(ImportError::malformed(format!(
            "{field} is {} bytes long, expected {len}",
            bytes.len()
        )))
    }
}

fn iterations_ok(iterations: u32) -> bool {
    (1..=MAX_PBKDF2_ITERATIONS).contains(&iterations)
}

fn check_iterations(iterations: u32) -> Result<(), ImportError> {
    if !iterations_ok(iterations) {
        return Err(ImportError::Unsupported(format!(
            "{iterations} PBKDF2 iterations (this reader accepts 1 to {MAX_PBKDF2_ITERATIONS})"
        )));
    }
    Ok(())
}

/// The same cap for formats that report per-entry reasons.
pub(crate) fn check_rounds(rounds: u32) -> Result<u32, String> {
    if iterations_ok(rounds) {
        Ok(rounds)
    } else {
        Err(format!("{rounds} key derivation rounds is out of range"))
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha512,
}

/// PBKDF2-HMAC with a caller-chosen output length. The iteration count is
/// the caller's to check ([`check_rounds`]) when it comes from the file.
pub(crate) fn pbkdf2(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    rounds: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    pbkdf2_into(hash, password, salt, rounds, &mut out);
    out
}

fn pbkdf2_into(hash: Hash, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
    match hash {
        Hash::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, out),
        Hash::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, out),
        Hash::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, out),
    }
}

/// A 32-byte PBKDF2 key, with the iteration cap checked.
fn pbkdf2_key32(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Result<Key32, ImportError> {
    check_iterations(iterations)?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2_into(hash, password, salt, iterations, key.as_mut());
    Ok(key)
}

pub(crate) fn pbkdf2_sha256(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Result<Key32, ImportError> {
    pbkdf2_key32(Hash::Sha256, password, salt, iterations)
}

pub(crate) fn pbkdf2_sha1(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Result<Key32, ImportError> {
    pbkdf2_key32(Hash::Sha1, password, salt, iterations)
}

pub(crate) fn sha256(data: &[u8]) -> Zeroizing<Vec<u8>> {
    use sha2::Digest;
    Zeroizing::new(sha2::Sha256::digest(data).to_vec())
}

/// Argon2id v1.3 with a 32-byte output; `memory_kib` in KiB.
pub(crate) fn argon2id(
    password: &[u8],
    salt: &[u8],
    passes: u32,
    memory_kib: u32,
    lanes: u32,
) -> Result<Key32, ImportError> {
    if passes == 0 || passes > MAX_ARGON2_PASSES {
        return Err(ImportError::Unsupported(format!(
            "Argon2 with {passes} passes (this reader accepts 1 to {MAX_ARGON2_PASSES})"
        )));
    }
    if lanes == 0 || lanes > MAX_ARGON2_LANES {
        return Err(ImportError::Unsupported(format!(
            "Argon2 with {lanes} lanes (this reader accepts 1 to {MAX_ARGON2_LANES})"
        )));
    }
    if memory_kib > MAX_ARGON2_MEMORY_KIB {
        return Err(ImportError::Unsupported(format!(
            "Argon2 with {memory_kib} KiB of memory (this reader accepts at most 1 GiB)"
        )));
    }
    let params = argon2::Params::new(memory_kib, passes, lanes, Some(32))
        .map_err(|e| ImportError::malformed(format!("invalid Argon2 parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(password, salt, key.as_mut())
        .map_err(|e| ImportError::malformed(format!("invalid Argon2 input: {e}")))?;
    Ok(key)
}

/// scrypt with `n` given as the cost itself (a power of two), as Aegis stores it.
pub(crate) fn scrypt(
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u32,
    p: u32,
) -> Result<Key32, ImportError> {
    if n < 2 || !n.is_power_of_two() {
        return Err(ImportError::malformed(format!(
            "scrypt N = {n} is not a power of two"
        )));
    }
    let log_n = n.trailing_zeros();
    let memory = 128u64.saturating_mul(u64::from(r)).saturating_mul(n);
    if r == 0 || p == 0 || p > 16 || memory > MAX_SCRYPT_MEMORY {
        return Err(ImportError::Unsupported(format!(
            "scrypt parameters N={n} r={r} p={p} (this reader accepts up to 1 GiB of memory and p ≤ 16)"
        )));
    }
    let log_n = u8::try_from(log_n).map_err(|_| ImportError::malformed("scrypt N is too large"))?;
    let params = scrypt::Params::new(log_n, r, p, 32).map_err(|_| {
        ImportError::malformed(format!("invalid scrypt parameters N={n} r={r} p={p}"))
    })?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, key.as_mut())
        .map_err(|_| ImportError::malformed("invalid scrypt output length"))?;
    Ok(key)
}

/// Opens AES-256-GCM `ciphertext ‖ tag` (16-byte tag, 12-byte nonce).
/// `Ok(None)` means the tag did not verify.
pub(crate) fn aes256_gcm_open(
    key: &[u8; 32],
    nonce: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    exact_len("the AES-GCM nonce", nonce, 12)?;
    if sealed.len() < 16 {
        return Err(ImportError::malformed(
            "the encrypted data is shorter than its tag",
        ));
    }
    Ok(aes_gcm(key, nonce, aad, sealed))
}

/// AES-GCM with a 16-byte tag appended to the ciphertext; 128- or 256-bit
/// key, 12-byte nonce. `None` for a wrong size as for a failed tag.
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

/// Copies a byte slice into a 32-byte key, or says which field is wrong.
pub(crate) fn key32(field: &str, bytes: &[u8]) -> Result<Key32, ImportError> {
    exact_len(field, bytes, 32)?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(bytes);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncryptMut;

    #[test]
    fn gcm_rejects_bad_nonce_and_short_input_without_panicking() {
        let key = [7u8; 32];
        assert!(aes256_gcm_open(&key, &[0; 11], b"", &[0; 32]).is_err());
        assert!(aes256_gcm_open(&key, &[0; 12], b"", &[0; 15]).is_err());
        assert!(matches!(
            aes256_gcm_open(&key, &[0; 12], b"", &[0; 16]),
            Ok(None)
        ));
    }

    #[test]
    fn kdf_caps_refuse_hostile_parameters() {
        assert!(pbkdf2_sha1(b"p", b"salt", 0).is_err());
        assert!(check_rounds(0).is_err());
        assert!(check_rounds(MAX_PBKDF2_ITERATIONS + 1).is_err());
        assert!(pbkdf2_sha256(b"p", b"salt", MAX_PBKDF2_ITERATIONS + 1).is_err());
        assert!(argon2id(b"p", b"saltsalt", 1, MAX_ARGON2_MEMORY_KIB + 1, 1).is_err());
        assert!(argon2id(b"p", b"saltsalt", 0, 64, 1).is_err());
        assert!(argon2id(b"p", b"short", 1, 64, 1).is_err());
        assert!(scrypt(b"p", b"salt", 1000, 8, 1).is_err());
        assert!(scrypt(b"p", b"salt", 1 << 30, 8, 1).is_err());
        assert!(scrypt(b"p", b"salt", 1 << 10, 0, 1).is_err());
    }

    #[test]
    fn base64_accepts_both_paddings() {
        assert_eq!(base64("x", "aGk=").unwrap(), b"hi");
        assert_eq!(base64("x", "aGk").unwrap(), b"hi");
        assert!(base64("x", "a!").is_err());
    }

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
