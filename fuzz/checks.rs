//! The checks behind the fuzz targets (`fuzz/`): each takes arbitrary bytes
//! and panics when a property fails. `cargo fuzz` runs them on generated
//! inputs; `tests/fuzz_corpus.rs` runs them over the seed corpora
//! (`fuzz/seeds/`, `tests/fixtures/`) in every `cargo test`, so the corpus
//! is always exercised, with or without a nightly toolchain.
//!
//! Not part of otp: the fuzz crate's library (`otp_fuzz`, fuzz/Cargo.toml),
//! which `tests/fuzz_corpus.rs` also includes by path. It reaches otp only
//! through its public modules, as any user of the library would.

use std::io::Read;

use otp::import::{FORMATS, ImportError};
use otp::model::Entry;
use otp::model::Vault;
use otp::vault::index;
use otp::{migration, qr, uri};

/// A check: panics when its property fails on these bytes.
pub type Check = fn(&[u8]);

/// The fuzz targets and their checks, by target name (`fuzz/fuzz_targets/NAME.rs`).
pub const TARGETS: &[(&str, Check)] = &[
    ("vault_fast_path", vault_fast_path),
    ("otpauth_uri", otpauth_uri),
    ("migration", migration),
    ("import", import),
    ("qr", qr),
    ("vault_auth", vault_auth),
];

/// The fast read path of `otp code` against the full parse, on any text:
/// what the fast scan reads is a vault [`Vault::parse`] accepts, with the
/// same accounts, and for every query tried, [`index::find`] and
/// [`index::find_streaming`] (read in small pieces) give nothing or the
/// account the full parse's [`Vault::find`] gives.
pub fn vault_fast_path(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        // The streaming path reads bytes: never an answer from non-UTF-8.
        let found = index::find_streaming(Chunks::new(data), 0, "a").expect("in memory");
        assert!(found.is_none(), "an answer from text that is not UTF-8");
        return;
    };
    let full = Vault::parse(text).ok();
    let scanned = index::scan(text);
    let mut queries: Vec<String> = ["a", "x", ":", "1"].map(String::from).to_vec();
    if let Some(headers) = &scanned {
        let vault = full
            .as_ref()
            .expect("the fast scan read a vault the full parse refuses");
        let read: Vec<(&str, &str, &str)> =
            headers.iter().map(|h| (h.id, h.issuer, h.name)).collect();
        let parsed: Vec<(&str, &str, &str)> = vault
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a.issuer.as_str(), a.name.as_str()))
            .collect();
        assert_eq!(read, parsed, "the fast scan read other accounts");
    }
    if let Some(vault) = &full {
        for a in vault.accounts.iter().take(4) {
            queries.extend([a.id.clone(), a.issuer.clone(), a.name.clone(), a.label()]);
            // A part of the label: partial matches.
            queries.extend(a.name.get(..2).map(str::to_string));
            // Look-alikes of the label (label identity): other case, a
            // no-break space, a zero-width space, stray spaces.
            let label = a.label();
            queries.extend([
                label.to_uppercase(),
                label.replace(' ', "\u{a0}"),
                format!(" {}\u{200b} ", label.replacen(':', " : ", 1)),
            ]);
        }
    }
    queries.retain(|q| !q.is_empty());
    queries.sort();
    queries.dedup();
    for query in &queries {
        let found = index::find(text, query);
        let streamed =
            index::find_streaming(Chunks::new(data), 0, query).expect("reading from memory");
        assert_eq!(found, streamed, "whole and streamed differ for {query:?}");
        if let Some(account) = found {
            let vault = full
                .as_ref()
                .expect("the fast path answered on a vault the full parse refuses");
            let i = vault
                .find(query)
                .expect("the fast path answered where the full path refuses the query");
            assert_eq!(account, vault.accounts[i], "another account for {query:?}");
        }
    }
    recorded_fast_path(data, full.as_ref(), &queries);
}

/// The fast path checked against this machine's record of the vault
/// ([`otp::vault::checked::find_recorded`]), on any text: with a record of
/// the text's own fields, and with records of another key, another
/// version and another vault, it answers only where the full path's check
/// ([`otp::model::record::judge`] on the full parse) says "the recorded
/// version", and then with what the unchecked fast path gives (and
/// there, whenever the unchecked one answers).
fn recorded_fast_path(data: &[u8], full: Option<&Vault>, queries: &[String]) {
    use otp::model::record::{Record, Seen, Verdict, judge, key_print};
    use otp::vault::checked::find_recorded;
    let blank = Record::parse(
        "vault = \"/v\"\nchanges = 0\nhow = \"written\"\nat = \"1970-01-01T00:00:00Z\"\n",
    )
    .expect("a record");
    let mut records = vec![blank.clone()];
    if let Some(vault) = full {
        let own = Record {
            vault_id: vault.vault_id.clone(),
            key: vault.auth_key.as_ref().map(key_print),
            changes: vault.changes,
            change_id: vault.change_id.clone(),
            versions: vault.versions.clone(),
            ..blank.clone()
        };
        let mut other_key = own.clone();
        other_key.key = Some("0".repeat(64));
        let mut newer = own.clone();
        newer.versions = otp::model::auth::bump(&own.versions, "fuzz");
        let mut other_vault = own.clone();
        other_vault.vault_id = Some("f".repeat(32));
        records.extend([own, other_key, newer, other_vault]);
    }
    let text = std::str::from_utf8(data).ok();
    for record in &records {
        let full_says = match (full, text) {
            (Some(vault), Some(text)) => Some(judge(Some(record), &Seen::of(vault, text))),
            _ => None,
        };
        for query in queries.iter().take(8) {
            let found =
                find_recorded(Chunks::new(data), 0, query, Some(record)).expect("in memory");
            if let Some(account) = found {
                assert_eq!(
                    full_says,
                    Some(Ok(Verdict::Same)),
                    "the checked fast path answered where the full check does not pass"
                );
                let unchecked = index::find_streaming(Chunks::new(data), 0, query)
                    .expect("in memory")
                    .expect("an answer the unchecked path gives too");
                assert_eq!(account, unchecked);
            } else if full_says == Some(Ok(Verdict::Same)) {
                assert!(
                    index::find_streaming(Chunks::new(data), 0, query)
                        .expect("in memory")
                        .is_none(),
                    "no answer from the checked fast path on the recorded version"
                );
            }
        }
    }
}

/// A reader that hands out its bytes in pieces of changing sizes, as a
/// decrypting stream does, so tables are cut at every kind of place.
struct Chunks<'a> {
    data: &'a [u8],
    next: usize,
}

impl<'a> Chunks<'a> {
    fn new(data: &'a [u8]) -> Self {
        Chunks { data, next: 0 }
    }
}

impl Read for Chunks<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        const SIZES: [usize; 5] = [1, 61, 7, 300, 4096];
        let size = SIZES[self.next % SIZES.len()];
        self.next += 1;
        let n = size.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// `otpauth://` URIs: parsing never panics, and what parses gives itself
/// back through otp's own URI ([`uri::format`]), but for what that format
/// documents it cannot carry: spaces at the start of a name that follows
/// an issuer.
pub fn otpauth_uri(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A Yandex.Key or mOTP URI without a PIN parses with one given (as
    // `otp add --uri` asks for it); with a PIN of its own, only without.
    const PIN: &str = "0451";
    let with_pin = uri::parse_with_pin(text, Some(otp::model::Pin::new(PIN.into())));
    for parsed in [uri::parse(text), with_pin] {
        match parsed {
            Ok(entry) => {
                check_entry(&entry);
                let again = uri::format(&entry);
                let mut expected = entry.clone();
                if !expected.issuer.is_empty() {
                    expected.name = expected.name.trim_start_matches(' ').to_string();
                }
                assert_eq!(
                    uri::parse(&again),
                    Ok(expected),
                    "otp's URI of a parsed entry does not give it back"
                );
            }
            Err(e) => assert!(!e.to_string().contains(PIN), "an error shows the PIN: {e}"),
        }
    }
}

/// Google Authenticator `otpauth-migration://` links: a link, or any bytes
/// as the protobuf payload of one. Parsing never panics; the accounts of a
/// payload, encoded again by otp, give themselves back.
pub fn migration(data: &[u8]) {
    let link = match std::str::from_utf8(data) {
        Ok(text) if migration::is_migration_uri(text.trim()) => text.to_string(),
        _ => format!(
            "otpauth-migration://offline?data={}",
            data_encoding::BASE64URL_NOPAD.encode(data)
        ),
    };
    let Ok(batch) = migration::parse(&link) else {
        return;
    };
    let entries = batch.parsed.entries.clone();
    entries.iter().for_each(check_entry);
    let _ = migration::group(vec![batch]);
    let (links, warnings) = migration::encode(&entries, 7, 1);
    if warnings.is_empty() {
        let back: Vec<Entry> = links
            .iter()
            .flat_map(|l| {
                migration::parse(l)
                    .expect("otp's own link parses")
                    .parsed
                    .entries
            })
            .collect();
        assert_eq!(back, entries, "encoded again, the accounts differ");
    }
}

/// Every importer's parser (the QR image one has its own target): never a
/// panic, and every account it gives computes codes. No password is given,
/// so an encrypted file stops before its key derivation.
pub fn import(data: &[u8]) {
    for format in FORMATS.iter().filter(|f| f.name != "qr-image") {
        let _ = (format.detect)(data);
        let mut no_password = |_: &str| Err(ImportError::NeedPassword);
        if let Ok(parsed) = (format.parse)(data, &mut no_password) {
            parsed.entries.iter().for_each(check_entry);
        }
    }
}

/// The QR decoder on any bytes as an image: never a panic.
pub fn qr(data: &[u8]) {
    if let Ok(links) = qr::decode_image(data) {
        assert!(
            links.iter().all(|l| qr::is_otp(l)),
            "a link that is not OTP"
        );
    }
}

/// An account a parser gives computes its codes.
fn check_entry(entry: &Entry) {
    let _ = otp::otp::generate_at_counter(&entry.token, 1);
    let _ = otp::otp::generate(&entry.token, 1_700_000_000);
}

/// The authenticated-version format (src/model/auth.rs) on any text:
///
/// - a text that splits into a tag line and a body verifies under a key
///   exactly when the tag is that key's tag of the body;
/// - any text sealed with a key verifies under it, gives the same body
///   back, and fails under another key and with any byte of the body
///   changed;
/// - a text that parses as a vault proves nothing against a vault whose
///   key made no tag for it;
/// - version vectors read from the text's lines order antisymmetrically,
///   and a writer's next version is newer.
pub fn vault_auth(data: &[u8]) {
    use otp::model::auth::{self, AuthKey, Order, Proof};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = AuthKey::from_bytes([0x42; 32]);
    let other = AuthKey::from_bytes([0x43; 32]);
    if let Some((tag, body)) = auth::split(text) {
        let right = key.tag(body.as_bytes()) == tag;
        assert_eq!(
            auth::check(text, Some(&key), &key) == Proof::Authentic,
            right,
            "a tag check that disagrees with the tag"
        );
        assert_ne!(auth::check(text, Some(&other), &key), Proof::Authentic);
    } else {
        assert_eq!(auth::check(text, Some(&key), &key), Proof::Unsealed);
    }
    let sealed = auth::seal(&key, text);
    assert_eq!(auth::check(&sealed, Some(&key), &key), Proof::Authentic);
    assert_eq!(auth::split(&sealed).map(|(_, b)| b), Some(text));
    assert_eq!(auth::check(&sealed, Some(&other), &other), Proof::Forged);
    if !text.is_empty() {
        let mut changed = sealed.as_bytes().to_vec();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        if let Ok(changed) = std::str::from_utf8(&changed) {
            assert_ne!(auth::check(changed, Some(&key), &key), Proof::Authentic);
        }
    }
    if let Ok(theirs) = Vault::parse(text) {
        let mut ours = Vault::new(Vec::new());
        ours.auth_key = Some(key.clone());
        let proof = theirs.proof(text, &ours);
        let tagged = auth::split(text).is_some_and(|(t, b)| key.tag(b.as_bytes()) == t);
        assert!(proof != Proof::Authentic || tagged, "proof without a tag");
    }
    let lines: Vec<String> = text.lines().take(32).map(str::to_string).collect();
    let (a, b) = lines.split_at(lines.len() / 2);
    let flip = |o: Order| match o {
        Order::Newer => Order::Older,
        Order::Older => Order::Newer,
        same => same,
    };
    assert_eq!(
        auth::order(a, Some("x"), b, Some("y")),
        flip(auth::order(b, Some("y"), a, Some("x")))
    );
    if let Some(map) = auth::versions(a)
        && map.get("w").is_none_or(|&n| n < u64::MAX)
    {
        let next = auth::bump(a, "w");
        assert_eq!(auth::order(a, Some("x"), &next, Some("y")), Order::Newer);
        let joined = auth::join(a, b);
        if auth::versions(b).is_some() {
            for v in [a, b] {
                assert!(
                    matches!(
                        auth::order(v, None, &joined, None),
                        Order::Newer | Order::Diverged
                    ) || auth::versions(v) == auth::versions(&joined)
                );
            }
        }
    }
}
