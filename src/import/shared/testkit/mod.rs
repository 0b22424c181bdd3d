//! Test support for every importer: fixture loading, password callbacks,
//! parsing helpers and comparison ([`sets`] holds the expected accounts of
//! the Aegis and Stratum fixture sets, [`mutate`] the input mutations for the
//! "never panics" property tests).

mod detection;
mod mutate;
mod sets;

use zeroize::Zeroizing;

pub(crate) use mutate::*;
pub(crate) use sets::*;

use crate::import::{Format, ImportError};
use crate::model::{Entry, Kind, Parsed};

/// A fixture file by its path below `tests/fixtures/`.
pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A password callback that always answers `password`.
pub(crate) fn pw(
    password: &'static str,
) -> impl FnMut(&str) -> Result<Zeroizing<String>, ImportError> {
    move |_| Ok(Zeroizing::new(password.to_string()))
}

/// A password callback with nothing to give.
pub(crate) fn no_password(_: &str) -> Result<Zeroizing<String>, ImportError> {
    Err(ImportError::NeedPassword)
}

/// Parses with a password source that hands out `passwords` in order.
pub(crate) fn parse_with(
    format: &Format,
    data: &[u8],
    passwords: &[&str],
) -> Result<Parsed, ImportError> {
    let mut queue = passwords.iter();
    let mut source = |_: &str| {
        queue
            .next()
            .map(|p| Zeroizing::new(p.to_string()))
            .ok_or(ImportError::NeedPassword)
    };
    (format.parse)(data, &mut source)
}

pub(crate) fn parse_ok(format: &Format, rel: &str, passwords: &[&str]) -> Parsed {
    let data = fixture(rel);
    assert!(
        (format.detect)(&data),
        "{} does not detect {rel}",
        format.name
    );
    parse_with(format, &data, passwords).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub(crate) fn set_counter(want: &mut [Entry], issuer: &str, counter: u64) {
    want.iter_mut()
        .find(|e| e.issuer == issuer)
        .unwrap()
        .token
        .counter = counter;
}

/// Same accounts in any order: matched by secret, then compared field by field
/// (HOTP counters included; the period only where it is used).
pub(crate) fn assert_same(got: &[Entry], want: &[Entry]) {
    let show = |e: &Entry| {
        let t = &e.token;
        let p = if t.kind == Kind::Hotp {
            format!("counter {}", t.counter)
        } else {
            format!("period {}", t.period)
        };
        format!(
            "{} {:?} {} {} digits {p} {}",
            e.label(),
            t.kind,
            t.algorithm,
            t.digits,
            t.secret.to_base32()
        )
    };
    let mut g: Vec<String> = got.iter().map(show).collect();
    let mut w: Vec<String> = want.iter().map(show).collect();
    g.sort();
    w.sort();
    assert_eq!(g, w);
}

/// An encrypted fixture: the `wrong` password is refused as wrong, and no
/// password at all as missing.
pub(crate) fn assert_password_errors(format: &Format, rel: &str, wrong: &str) {
    let data = fixture(rel);
    assert!(matches!(
        parse_with(format, &data, &[wrong]),
        Err(ImportError::WrongPassword)
    ));
    assert!(matches!(
        parse_with(format, &data, &[]),
        Err(ImportError::NeedPassword)
    ));
}

/// `data` is refused as malformed (not taken for an empty file).
pub(crate) fn assert_malformed(format: &Format, data: &[u8]) {
    assert!(matches!(
        parse_with(format, data, &[]),
        Err(ImportError::Malformed(_))
    ));
}
