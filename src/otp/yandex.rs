//! Yandex.Key codes: 8 lower-case letters from HMAC-SHA256 under a key
//! made of the user's PIN and the account's 16-byte secret, every 30 s.
//!
//! The algorithm is the one Aegis (`crypto/otp/YAOTP.java`) and Stratum
//! (`Generator/YandexOtp.cs`) implement, which both take from KeeYaOtp:
//! key = SHA-256(PIN ‖ secret), without its first byte when that byte is 0;
//! 63 bits at the RFC 4226 offset of HMAC-SHA256(key, time / 30), modulo
//! 26^8, written as letters a–z, most significant first.
//!
//! Yandex hands out the secret in a 26-byte form: the 16-byte key, padding
//! and a 12-bit checksum in the last two bytes. A QR code carries the 16
//! bytes alone. [`key_from_secret`] accepts both and checks the checksum
//! (as Aegis does), so a mistyped secret is an error instead of wrong codes.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::model::{Algorithm, Kind, Pin, Secret, Token};

/// Letters in a code.
pub const DIGITS: u8 = crate::model::YANDEX_DIGITS;
/// Seconds per code.
pub const PERIOD: u64 = crate::model::YANDEX_PERIOD;
/// The key's length.
pub const KEY_LEN: usize = crate::model::YANDEX_KEY_LEN;
/// The length of Yandex's form with a checksum.
pub const FULL_LEN: usize = 26;

/// Why a Yandex secret cannot be used. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// Neither 16 nor 26 bytes.
    Length(usize),
    /// 26 bytes whose checksum does not match.
    Checksum,
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretError::Length(n) => write!(
                f,
                "a Yandex.Key secret is {KEY_LEN} or {FULL_LEN} bytes (26 or 42 base32 characters), not {n}"
            ),
            SecretError::Checksum => write!(
                f,
                "the Yandex.Key secret's checksum does not match (a character was mistyped or lost)"
            ),
        }
    }
}

impl std::error::Error for SecretError {}

/// The 16-byte key of a Yandex secret in either form, the 26-byte form's
/// checksum checked.
pub fn key_from_secret(secret: &[u8]) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    match secret.len() {
        KEY_LEN => Ok(Zeroizing::new(secret.to_vec())),
        FULL_LEN if checksum_matches(secret) => Ok(Zeroizing::new(secret[..KEY_LEN].to_vec())),
        FULL_LEN => Err(SecretError::Checksum),
        n => Err(SecretError::Length(n)),
    }
}

/// A Yandex.Key token from a secret in either of Yandex's forms (the
/// 26-byte form's checksum checked) and the PIN.
pub fn token(secret: &[u8], pin: Pin) -> Result<Token, SecretError> {
    let key = key_from_secret(secret)?;
    Ok(Token {
        kind: Kind::Yandex,
        algorithm: Algorithm::SHA256,
        digits: DIGITS,
        period: PERIOD,
        counter: 0,
        secret: Secret::new(key.to_vec()),
        pin: Some(pin),
    })
}

/// The 12-bit checksum of the 26-byte form: the first 196 bits reduced by
/// the 13-bit polynomial 0x18F3 (KeeYaOtp's `ChecksumIsValid`, as Aegis's
/// `YandexInfo.validateSecret` ports it), compared with the last 12 bits.
fn checksum_matches(secret: &[u8]) -> bool {
    let Some(&[hi, lo]) = secret.get(secret.len().wrapping_sub(2)..) else {
        return false;
    };
    let stored = (u32::from(hi & 0x0f) << 8) | u32::from(lo);
    let mut accum: u32 = 0;
    let mut accum_bits: u32 = 0;
    let mut total = secret.len() as u32 * 8 - 12;
    let mut index = 0;
    let mut available: u32 = 8;
    while total > 0 {
        let mut required = (13 - accum_bits).min(total);
        while required > 0 {
            let byte = u32::from(secret[index]) & ((1 << available) - 1);
            let take = required.min(available);
            accum = (accum << take) | (byte >> (available - take));
            total -= take;
            required -= take;
            available -= take;
            accum_bits += take;
            if available == 0 {
                index += 1;
                available = 8;
            }
        }
        if accum_bits == 13 {
            accum ^= 0b1_1000_1111_0011;
        }
        accum_bits = 32 - accum.leading_zeros();
    }
    accum == stored
}

/// The code at this time for a 16-byte key (see [`key_from_secret`]) and
/// a PIN.
pub fn code(key: &[u8], pin: &[u8], unix_seconds: u64) -> String {
    code_at_counter(key, pin, unix_seconds / PERIOD)
}

/// The code for one time step.
pub fn code_at_counter(key: &[u8], pin: &[u8], counter: u64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(pin);
    hasher.update(key);
    let digest = Zeroizing::new(<[u8; 32]>::from(hasher.finalize()));
    let hmac_key: &[u8] = if digest[0] == 0 {
        &digest[1..]
    } else {
        &digest[..]
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(hmac_key).expect("HMAC takes any key");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[31] & 0x0f);
    let mut eight = [0u8; 8];
    eight.copy_from_slice(&hash[offset..offset + 8]);
    let mut value = (u64::from_be_bytes(eight) & (u64::MAX >> 1)) % 26u64.pow(u32::from(DIGITS));
    let mut letters = [b'a'; DIGITS as usize];
    for letter in letters.iter_mut().rev() {
        *letter = b'a' + (value % 26) as u8;
        value /= 26;
    }
    letters.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VECTORS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/otp/yandex_motp_vectors.json"
    ));

    #[test]
    fn vectors_from_aegis_stratum_and_python() {
        let all: Value = serde_json::from_str(VECTORS).unwrap();
        let vectors = all["yandex"].as_array().unwrap();
        assert!(vectors.len() >= 10);
        for v in vectors {
            let secret = Secret::from_base32(v["secret_base32"].as_str().unwrap()).unwrap();
            let key = key_from_secret(secret.bytes()).unwrap();
            let pin = v["pin"].as_str().unwrap().as_bytes();
            let time = v["unix_time"].as_u64().unwrap();
            assert_eq!(
                code(&key, pin, time),
                v["expected"].as_str().unwrap(),
                "{v}"
            );
        }
    }

    #[test]
    fn a_key_hash_starting_with_zero_drops_that_byte() {
        // PIN 228 makes SHA-256(PIN ‖ key) start with a zero byte (found and
        // checked with Python's hashlib).
        let key = Secret::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEE").unwrap();
        let digest = Sha256::new()
            .chain_update(b"228")
            .chain_update(key.bytes())
            .finalize();
        assert_eq!(digest[0], 0);
        assert_eq!(code(key.bytes(), b"228", 1_700_000_000), "klkwuocl");
    }

    #[test]
    fn checksum_guards_the_26_byte_form() {
        let full = Secret::from_base32("LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI").unwrap();
        assert_eq!(full.bytes().len(), FULL_LEN);
        let key = key_from_secret(full.bytes()).unwrap();
        assert_eq!(&key[..], &full.bytes()[..KEY_LEN]);
        // Every single-bit change anywhere is caught.
        for bit in 0..FULL_LEN * 8 {
            let mut bad = full.bytes().to_vec();
            bad[bit / 8] ^= 1 << (bit % 8);
            if bit / 8 == FULL_LEN - 2 && bit % 8 >= 4 {
                // The checksum's byte has 4 unused high bits.
                continue;
            }
            assert_eq!(
                key_from_secret(&bad),
                Err(SecretError::Checksum),
                "bit {bit}"
            );
        }
        for n in [0, 10, 15, 17, 25, 27, 32] {
            assert_eq!(key_from_secret(&vec![7; n]), Err(SecretError::Length(n)));
        }
        let message = SecretError::Checksum.to_string();
        assert!(!message.contains("LA2V"));
    }

    #[test]
    fn codes_are_eight_letters_for_any_input() {
        for (key, pin, t) in [
            (&[][..], &b""[..], 0),
            (&[0xff; 40][..], &b"1"[..], u64::MAX),
            (&[1; 16][..], "пин".as_bytes(), 1),
        ] {
            let c = code(key, pin, t);
            assert_eq!(c.len(), 8);
            assert!(c.bytes().all(|b| b.is_ascii_lowercase()), "{c}");
        }
    }
}
