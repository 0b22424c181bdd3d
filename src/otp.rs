//! One-time codes from a token: HOTP (RFC 4226), TOTP (RFC 6238) and Steam
//! Guard. Pure functions of the token and a counter or a time.
//!
//! totp-rs is the code generator: the HMAC comes from it (a step of 1
//! turns its TOTP signer into the HOTP signer for any counter). The few
//! lines around it are here because totp-rs cannot do them: it panics on 10
//! digits (its modulus is a u32) and knows no HOTP counter. So truncation
//! and formatting (decimal digits, and Steam's 5-character alphabet from the
//! same truncated value) are ours, one path for all three kinds.
//! Nothing here panics, even for a token that fails `Token::validate()`.
//!
//! [`yandex`] and [`motp`] are the two kinds that mix a PIN into the key
//! (Yandex.Key, Mobile-OTP): pure functions of key, PIN and time.

pub mod motp;
pub mod yandex;

use crate::model::{Algorithm, Kind, STEAM_DIGITS, Token};

const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// HMAC of the big-endian counter under the token's key and algorithm.
fn sign(token: &Token, counter: u64) -> Vec<u8> {
    let algorithm = match token.algorithm {
        Algorithm::SHA1 => totp_rs::Algorithm::SHA1,
        Algorithm::SHA256 => totp_rs::Algorithm::SHA256,
        Algorithm::SHA512 => totp_rs::Algorithm::SHA512,
        // mOTP's MD5 is no HMAC and never reaches here (its codes are
        // `motp`'s); validate() refuses it for the HMAC kinds.
        Algorithm::MD5 => totp_rs::Algorithm::SHA1,
    };
    // Steam's HMAC is plain SHA1 whatever the token says; validate() insists on it anyway.
    let algorithm = if token.kind == Kind::Steam {
        totp_rs::Algorithm::SHA1
    } else {
        algorithm
    };
    let signer = totp_rs::Builder::new()
        .with_algorithm(algorithm)
        .with_secret(token.secret.bytes())
        .with_step_duration(1)
        .build_noncompliant();
    signer.sign(counter).as_ref().to_vec()
}

/// RFC 4226 dynamic truncation: 31 bits at the offset the last nibble names.
fn truncate(mac: &[u8]) -> u32 {
    let offset = mac.last().map_or(0, |b| usize::from(b & 0x0f));
    match mac.get(offset..offset + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]) & 0x7fff_ffff,
        _ => 0,
    }
}

/// The code for an explicit moving factor (HOTP counter or TOTP time step).
pub fn generate_at_counter(token: &Token, counter: u64) -> String {
    let pin = token
        .pin
        .as_ref()
        .map_or(&b""[..], |p| p.as_str().as_bytes());
    match token.kind {
        Kind::Yandex => yandex::code_at_counter(token.secret.bytes(), pin, counter),
        Kind::Motp => motp::code_at_counter(token.secret.bytes(), pin, counter),
        Kind::Steam => {
            let mut v = truncate(&sign(token, counter)) as usize;
            (0..STEAM_DIGITS)
                .map(|_| {
                    let c = STEAM_ALPHABET[v % STEAM_ALPHABET.len()];
                    v /= STEAM_ALPHABET.len();
                    char::from(c)
                })
                .collect()
        }
        Kind::Totp | Kind::Hotp => {
            let value = truncate(&sign(token, counter));
            let digits = usize::from(token.digits);
            // 10^10 exceeds any 31-bit value: from 10 digits on, no modulus.
            let value = match 10u64.checked_pow(u32::from(token.digits)) {
                Some(m) => u64::from(value) % m,
                None => u64::from(value),
            };
            format!("{value:0digits$}")
        }
    }
}

/// Seconds per code, never 0 (an invalid period-0 token behaves as 1 s
/// instead of dividing by zero).
fn period(token: &Token) -> u64 {
    token.period.max(1)
}

/// The moving factor at this time: the time step for TOTP and Steam, the
/// stored counter for HOTP.
pub fn counter_at(token: &Token, unix_seconds: u64) -> u64 {
    match token.kind {
        Kind::Hotp => token.counter,
        Kind::Totp | Kind::Steam | Kind::Yandex | Kind::Motp => unix_seconds / period(token),
    }
}

/// The current code: from the time for TOTP and Steam, from `token.counter`
/// for HOTP (the time is ignored; advancing the counter is the caller's job).
pub fn generate(token: &Token, unix_seconds: u64) -> String {
    generate_at_counter(token, counter_at(token, unix_seconds))
}

/// Seconds the current code stays valid, in 1..=period. HOTP codes do not
/// expire: 0.
pub fn remaining(token: &Token, unix_seconds: u64) -> u64 {
    match token.kind {
        Kind::Hotp => 0,
        Kind::Totp | Kind::Steam | Kind::Yandex | Kind::Motp => {
            period(token) - unix_seconds % period(token)
        }
    }
}

/// The first second of the current code's period. HOTP: `unix_seconds`
/// itself (the code is valid from whenever it is asked for).
pub fn period_start(token: &Token, unix_seconds: u64) -> u64 {
    match token.kind {
        Kind::Hotp => unix_seconds,
        Kind::Totp | Kind::Steam | Kind::Yandex | Kind::Motp => {
            unix_seconds - unix_seconds % period(token)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DEFAULT_PERIOD, Secret};
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;
    use serde_json::Value;

    const VECTORS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rfc/vectors.json"
    ));

    fn token(kind: Kind, alg: Algorithm, digits: u8, period: u64, b32: &str) -> Token {
        let secret = Secret::from_base32(b32).unwrap();
        Token {
            kind,
            algorithm: alg,
            digits,
            period,
            counter: 0,
            secret,
            pin: None,
        }
    }

    fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
        v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
    }

    #[test]
    fn rfc4226_hotp() {
        let all: Value = serde_json::from_str(VECTORS).unwrap();
        let h = &all["hotp_rfc4226"];
        let mut t = token(
            Kind::Hotp,
            Algorithm::SHA1,
            6,
            DEFAULT_PERIOD,
            str_of(h, "secret_base32"),
        );
        assert_eq!(t.secret.bytes(), str_of(h, "secret_ascii").as_bytes());
        let vectors = h["vectors"].as_array().unwrap();
        assert_eq!(vectors.len(), 10);
        for v in vectors {
            let counter = v["counter"].as_u64().unwrap();
            let mac = sign(&t, counter);
            let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, str_of(v, "hmac_sha1_hex"));
            assert_eq!(
                u64::from(truncate(&mac)),
                v["truncated_decimal"].as_u64().unwrap()
            );
            assert_eq!(generate_at_counter(&t, counter), str_of(v, "hotp_6"));
            t.counter = counter;
            assert_eq!(
                generate(&t, 1_700_000_000),
                str_of(v, "hotp_6"),
                "time is ignored"
            );
        }
    }

    #[test]
    fn rfc6238_totp() {
        let all: Value = serde_json::from_str(VECTORS).unwrap();
        let vectors = all["totp_rfc6238"]["vectors"].as_array().unwrap();
        assert_eq!(vectors.len(), 18);
        for v in vectors {
            let alg: Algorithm = str_of(v, "algorithm").parse().unwrap();
            let digits = v["digits"].as_u64().unwrap() as u8;
            let period = v["period"].as_u64().unwrap();
            let t = token(Kind::Totp, alg, digits, period, str_of(v, "secret_base32"));
            assert_eq!(t.secret.bytes(), str_of(v, "secret_ascii").as_bytes());
            assert_eq!(
                generate(&t, v["unix_time"].as_u64().unwrap()),
                str_of(v, "expected"),
                "{v}"
            );
        }
    }

    #[test]
    fn steam_and_misc_vectors() {
        let all: Value = serde_json::from_str(VECTORS).unwrap();
        let s = &all["steam_guard"];
        let t = token(
            Kind::Steam,
            Algorithm::SHA1,
            5,
            30,
            str_of(s, "secret_base32"),
        );
        for v in s["vectors"].as_array().unwrap() {
            assert_eq!(
                generate(&t, v["unix_time"].as_u64().unwrap()),
                str_of(v, "expected")
            );
        }
        for v in all["misc_totp"]["vectors"].as_array().unwrap() {
            let t = token(
                Kind::Totp,
                str_of(v, "algorithm").parse().unwrap(),
                v["digits"].as_u64().unwrap() as u8,
                v["period"].as_u64().unwrap(),
                str_of(v, "secret_base32"),
            );
            assert_eq!(
                generate(&t, v["unix_time"].as_u64().unwrap()),
                str_of(v, "expected")
            );
        }
        let t = token(Kind::Totp, Algorithm::SHA1, 6, 30, "JBSWY3DPEHPK3PXP");
        assert_eq!(generate(&t, 1257894000), "528064");
    }

    #[test]
    fn ten_digits_zero_pad_the_whole_31_bit_value() {
        let t = token(
            Kind::Hotp,
            Algorithm::SHA1,
            10,
            30,
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        );
        // RFC 4226 counter 0 truncates to 1284755224.
        assert_eq!(generate_at_counter(&t, 0), "1284755224");
        // Counter 2 truncates to 137359152: nine digits, padded.
        assert_eq!(generate_at_counter(&t, 2), "0137359152");
    }

    #[test]
    fn time_bookkeeping() {
        let mut t = token(Kind::Totp, Algorithm::SHA1, 6, 30, "JBSWY3DPEHPK3PXP");
        assert_eq!((remaining(&t, 0), period_start(&t, 0)), (30, 0));
        assert_eq!((remaining(&t, 29), period_start(&t, 29)), (1, 0));
        assert_eq!((remaining(&t, 30), period_start(&t, 31)), (30, 30));
        assert_eq!(counter_at(&t, 59), 1);
        t.period = u64::MAX;
        assert_eq!(remaining(&t, u64::MAX), u64::MAX);
        assert_eq!(remaining(&t, u64::MAX - 1), 1);
        assert_eq!(period_start(&t, u64::MAX), u64::MAX);
        t.kind = Kind::Hotp;
        t.counter = 7;
        assert_eq!(
            (
                remaining(&t, 100),
                period_start(&t, 100),
                counter_at(&t, 100)
            ),
            (0, 100, 7)
        );
    }

    #[test]
    fn invalid_tokens_do_not_panic() {
        let mut t = token(Kind::Totp, Algorithm::SHA1, 6, 0, "JBSWY3DPEHPK3PXP");
        let _ = (
            generate(&t, u64::MAX),
            remaining(&t, 5),
            period_start(&t, 5),
        );
        for d in [0, 5, 11, 19, 20, 255] {
            t.digits = d;
            assert!(generate(&t, 1).len() >= usize::from(d));
        }
        t.secret = Secret::new(Vec::new());
        let _ = generate(&t, 1);
        t.kind = Kind::Steam;
        t.algorithm = Algorithm::SHA512;
        assert_eq!(generate(&t, 1).len(), 5);
    }

    /// Straightforward RFC 4226/6238, written apart from the code under test.
    fn reference(t: &Token, unix: u64) -> String {
        fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
            let mut m = <M as Mac>::new_from_slice(key).unwrap();
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        let counter = if t.kind == Kind::Hotp {
            t.counter
        } else {
            unix / t.period
        };
        let msg = counter.to_be_bytes();
        let key = t.secret.bytes();
        let h = match t.algorithm {
            Algorithm::SHA1 => mac::<Hmac<sha1::Sha1>>(key, &msg),
            Algorithm::SHA256 => mac::<Hmac<sha2::Sha256>>(key, &msg),
            Algorithm::SHA512 => mac::<Hmac<sha2::Sha512>>(key, &msg),
            Algorithm::MD5 => unreachable!("the property's tokens use the HMACs"),
        };
        let o = (h[h.len() - 1] & 0xf) as usize;
        let bin = ((h[o] as u64 & 0x7f) << 24)
            | ((h[o + 1] as u64) << 16)
            | ((h[o + 2] as u64) << 8)
            | h[o + 3] as u64;
        if t.kind == Kind::Steam {
            let chars = "23456789BCDFGHJKMNPQRTVWXY".as_bytes();
            let mut b = bin;
            let mut s = String::new();
            for _ in 0..5 {
                s.push(chars[(b % 26) as usize] as char);
                b /= 26;
            }
            return s;
        }
        let code = bin % 10u64.pow(t.digits as u32);
        format!("{:0>width$}", code, width = t.digits as usize)
    }

    prop_compose! {
        fn any_token()(
            kind in prop_oneof![Just(Kind::Totp), Just(Kind::Hotp), Just(Kind::Steam)],
            alg in prop_oneof![Just(Algorithm::SHA1), Just(Algorithm::SHA256), Just(Algorithm::SHA512)],
            digits in 6u8..=10,
            period in 1u64..=300,
            counter in any::<u64>(),
            bytes in proptest::collection::vec(any::<u8>(), 1..64),
        ) -> Token {
            let (alg, digits) = if kind == Kind::Steam { (Algorithm::SHA1, 5) } else { (alg, digits) };
            Token { kind, algorithm: alg, digits, period, counter, secret: Secret::new(bytes), pin: None }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn matches_reference(t in any_token(), unix in 0u64..(1 << 40)) {
            prop_assert!(t.validate().is_ok());
            let code = generate(&t, unix);
            prop_assert_eq!(&code, &reference(&t, unix));
            let len = if t.kind == Kind::Steam { 5 } else { usize::from(t.digits) };
            prop_assert_eq!(code.len(), len);
            let r = remaining(&t, unix);
            if t.kind == Kind::Hotp {
                prop_assert_eq!(r, 0);
            } else {
                prop_assert!((1..=t.period).contains(&r));
                prop_assert_eq!(period_start(&t, unix) + t.period - r, unix);
            }
        }

        #[test]
        fn valid_tokens_never_panic(mut t in any_token(), unix in any::<u64>(), period in 1u64..=u64::MAX) {
            if t.kind != Kind::Hotp {
                t.period = period;
            }
            let _ = (generate(&t, unix), remaining(&t, unix), period_start(&t, unix));
        }
    }
}
