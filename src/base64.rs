//! Base64, the one codec for every base64 text otp reads or writes
//! (imports, Google migration links, Aegis exports, OSC 52). Pure.
//!
//! Reading is lenient in the two ways other apps differ, and in no other:
//! `=` padding may be there or not, and unused low bits of the last
//! character may be set (Google Authenticator's links have them). Anything
//! else (another alphabet, white space inside, a length no base64 text can
//! have) is refused.

use data_encoding::{BASE64, Encoding};
use std::sync::LazyLock;

/// The standard alphabet, no padding, trailing bits not checked.
static LENIENT: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = data_encoding::BASE64_NOPAD.specification();
    spec.check_trailing_bits = false;
    spec.encoding().expect("a valid specification")
});

/// Standard base64 with `=` padding.
pub fn encode(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Standard base64, padded or not; None when it is not base64.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let unpadded = match text.len() % 4 {
        0 if text.ends_with(b"==") => &text[..text.len() - 2],
        0 if text.ends_with(b"=") => &text[..text.len() - 1],
        _ => text,
    };
    LENIENT.decode(unpadded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_and_unpadded_alike() {
        assert_eq!(decode(b"aGk=").unwrap(), b"hi");
        assert_eq!(decode(b"aGk").unwrap(), b"hi");
        assert_eq!(decode(b"aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode(b"").unwrap(), b"");
        assert_eq!(encode(b"hi"), "aGk=");
    }

    #[test]
    fn only_padding_and_trailing_bits_are_forgiven() {
        // "aGl=" sets a bit "aGk=" leaves clear: the same byte.
        assert_eq!(decode(b"aGl=").unwrap(), b"hi");
        for bad in [
            &b"a!"[..],
            b"a",
            b"aGk==",
            b"aG k=",
            b"aGk=aGk=",
            b"aG-_",
            b"=aGk",
        ] {
            assert!(decode(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    proptest::proptest! {
        #[test]
        fn round_trip(bytes: Vec<u8>) {
            proptest::prop_assert_eq!(decode(encode(&bytes).as_bytes()).unwrap(), bytes);
        }
    }
}
