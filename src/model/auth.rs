//! Proof that a version of the vault was written by one of the user's own
//! machines, and which of two versions is newer. Pure: keys, change ids
//! and writer ids come in as arguments.
//!
//! age gives confidentiality, not authenticity: anyone who knows one of the
//! vault's public keys can write a file that the vault's key opens. So the
//! vault's plaintext carries a random 256-bit **authentication key**
//! (`auth_key`), made by `otp init` (or on the first save of an older
//! vault) and never written anywhere but inside the encrypted vault; an
//! attacker who can read no version of the vault does not know it.
//!
//! Every saved version starts with one line
//!
//! ```toml
//! tag = "<64 hex digits>"
//! ```
//!
//! followed by the body: the rest of the plaintext, byte for byte as it was
//! written. The tag is HMAC-SHA256 under the authentication key of
//! [`DOMAIN`] followed by the body. The body holds, besides the accounts,
//! the vault id, the change counter, a random id of this change
//! (`change_id`) and the version vector (`versions`: for each machine
//! that ever wrote the vault, a random writer id and how many versions it
//! wrote). So:
//!
//! - a file written without the key fails ([`Proof::Forged`]);
//! - an old file is authentic but its version vector is dominated by the
//!   one this machine holds ([`Order::Older`]): a rollback, told apart
//!   from a newer version ([`Order::Newer`]) and from one made on another
//!   machine in parallel ([`Order::Diverged`], which is merged);
//! - an undo snapshot names the `change_id` of the version it undoes, and
//!   applies only to that version.
//!
//! The body is authenticated as bytes, not re-serialised, so a version
//! written by a newer otp with more fields still verifies. What trusts
//! what: the vault on this machine is trusted (it is this machine's own
//! file, under its lock); everything that arrives from elsewhere (the sync
//! remote, a conflict copy, a backup folder) is checked with
//! [`check`] against the key of the vault on this machine.

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// What the tag is computed over, before the body: a version of the
/// scheme, so a tag never means something else in a later one.
pub const DOMAIN: &[u8] = b"otp vault version tag 1\n";
/// The same for a backup or snapshot (src/export/backup.rs): its own
/// domain, so a backup's tag never passes as a vault version's, nor the
/// other way round.
pub const BACKUP_DOMAIN: &[u8] = b"otp backup tag 1\n";
/// The same for the local record of backup files already proven
/// (src/cmd/backup/proven.rs): a record's tag never passes as a vault's or
/// a backup's.
pub const PROVEN_DOMAIN: &[u8] = b"otp proven backups 1\n";
/// The first line of a sealed plaintext, up to the tag's hex digits.
const TAG_PREFIX: &str = "tag = \"";
/// Hex digits in a tag (HMAC-SHA256).
const TAG_HEX: usize = 64;

/// The vault's authentication key: 32 random bytes, written as hex inside
/// the encrypted vault only. `Debug` is redacted; compared in constant
/// time; wiped on drop.
#[derive(Clone)]
pub struct AuthKey(Zeroizing<[u8; 32]>);

impl AuthKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AuthKey {
        AuthKey(Zeroizing::new(bytes))
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("HMAC takes any key length")
    }

    /// The tag of `body` (hex), as a vault version.
    pub fn tag(&self, body: &[u8]) -> String {
        self.tag_in(DOMAIN, body)
    }

    /// The tag of `body` (hex) in `domain` ([`DOMAIN`], [`BACKUP_DOMAIN`]).
    pub fn tag_in(&self, domain: &[u8], body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(domain);
        mac.update(body);
        data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes())
    }

    /// Whether `tag` (hex) is the tag of `body` as a vault version,
    /// compared in constant time.
    pub fn verifies(&self, body: &[u8], tag: &str) -> bool {
        self.verifies_in(DOMAIN, body, tag)
    }

    /// Whether `tag` (hex) is the tag of `body` in `domain`, compared in
    /// constant time.
    pub fn verifies_in(&self, domain: &[u8], body: &[u8], tag: &str) -> bool {
        let Ok(bytes) = data_encoding::HEXLOWER.decode(tag.as_bytes()) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(domain);
        mac.update(body);
        mac.verify_slice(&bytes).is_ok()
    }
}

impl AuthKey {
    /// A tag in `domain` computed over a body given piece by piece (the
    /// fast path of `otp code` reads the vault as it is decrypted).
    pub fn tagger(&self, domain: &[u8]) -> Tagger {
        let mut mac = self.mac();
        mac.update(domain);
        Tagger(mac)
    }
}

/// A tag being computed ([`AuthKey::tagger`]).
pub struct Tagger(Hmac<Sha256>);

impl Tagger {
    pub fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }

    /// Whether `tag` (hex) is the tag of everything given, compared in
    /// constant time.
    pub fn verifies(self, tag: &str) -> bool {
        let Ok(bytes) = data_encoding::HEXLOWER.decode(tag.as_bytes()) else {
            return false;
        };
        self.0.verify_slice(&bytes).is_ok()
    }
}

impl PartialEq for AuthKey {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0[..].ct_eq(&other.0[..]).into()
    }
}

impl Eq for AuthKey {}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthKey(redacted)")
    }
}

impl Serialize for AuthKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Zeroizing::new(data_encoding::HEXLOWER.encode(&self.0[..])))
    }
}

impl<'de> Deserialize<'de> for AuthKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        let bytes = Zeroizing::new(
            data_encoding::HEXLOWER
                .decode(text.as_bytes())
                .map_err(|_| serde::de::Error::custom("auth_key is not lowercase hex"))?,
        );
        let key: [u8; 32] = bytes[..]
            .try_into()
            .map_err(|_| serde::de::Error::custom("auth_key is not 32 bytes"))?;
        Ok(AuthKey::from_bytes(key))
    }
}

/// A sealed plaintext split into its tag and its body; `None` when the
/// text does not start with a tag line (a vault written before tags, or
/// not by otp).
pub fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix(TAG_PREFIX)?;
    let tag = rest.get(..TAG_HEX)?;
    let body = rest.get(TAG_HEX..)?.strip_prefix("\"\n")?;
    tag.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        .then_some((tag, body))
}

/// The plaintext to encrypt: the tag line, then `body`.
pub fn seal(key: &AuthKey, body: &str) -> Zeroizing<String> {
    seal_in(DOMAIN, key, body)
}

/// [`seal`] in `domain`.
pub fn seal_in(domain: &[u8], key: &AuthKey, body: &str) -> Zeroizing<String> {
    let tag = key.tag_in(domain, body.as_bytes());
    let mut text = Zeroizing::new(String::with_capacity(body.len() + TAG_HEX + 10));
    text.push_str(TAG_PREFIX);
    text.push_str(&tag);
    text.push_str("\"\n");
    text.push_str(body);
    text
}

/// What a file from outside proves about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Tagged with this vault's key: written by one of the user's machines.
    Authentic,
    /// No tag, or no key in the file: written by an otp from before
    /// authentication, or by someone else. Not proven.
    Unsealed,
    /// A tag that this vault's key does not make, or the file's own key is
    /// another one: written by someone who does not hold the key.
    Forged,
}

impl Proof {
    pub fn is_authentic(self) -> bool {
        self == Proof::Authentic
    }
}

/// Checks a plaintext from outside (`text`, which parsed as a vault whose
/// key is `theirs`) against `key`, the key of the vault on this machine.
pub fn check(text: &str, theirs: Option<&AuthKey>, key: &AuthKey) -> Proof {
    let Some((tag, body)) = split(text) else {
        return Proof::Unsealed;
    };
    match theirs {
        None => Proof::Unsealed,
        Some(k) if k != key => Proof::Forged,
        Some(_) if key.verifies(body.as_bytes(), tag) => Proof::Authentic,
        Some(_) => Proof::Forged,
    }
}

/// Whether `text` is tagged with the key it carries itself. Proves nothing
/// about who wrote it (anyone can make a key): used only where this
/// machine has no key yet to check with (trust on first use) and to tell
/// damage from a file that is whole.
pub fn self_consistent(text: &str, own: Option<&AuthKey>) -> bool {
    own.is_some_and(|k| check(text, Some(k), k) == Proof::Authentic)
}

/// A version vector: writer id -> versions that writer wrote.
pub type Versions = BTreeMap<String, u64>;

/// Reads `versions = ["writer:count", …]`; an entry that is not in that
/// form makes the whole list unreadable (`None`).
pub fn versions(list: &[String]) -> Option<Versions> {
    let mut map = Versions::new();
    for entry in list {
        let (writer, count) = entry.split_once(':')?;
        if writer.is_empty() || !writer.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let count: u64 = count.parse().ok()?;
        if map.insert(writer.to_string(), count).is_some() {
            return None;
        }
    }
    Some(map)
}

/// The list form of a version vector, sorted by writer.
pub fn versions_list(map: &Versions) -> Vec<String> {
    map.iter().map(|(w, n)| format!("{w}:{n}")).collect()
}

/// The version vector after `writer` writes one more version.
pub fn bump(list: &[String], writer: &str) -> Vec<String> {
    let mut map = versions(list).unwrap_or_default();
    let count = map.entry(writer.to_string()).or_insert(0);
    *count = count.saturating_add(1);
    versions_list(&map)
}

/// The version vector of a merge: each writer's higher count.
pub fn join(a: &[String], b: &[String]) -> Vec<String> {
    let mut map = versions(a).unwrap_or_default();
    for (w, n) in versions(b).unwrap_or_default() {
        let e = map.entry(w).or_insert(0);
        *e = (*e).max(n);
    }
    versions_list(&map)
}

/// How a version from outside (`theirs`) relates to this machine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The same version.
    Same,
    /// Theirs has everything ours has, and more: take it.
    Newer,
    /// Ours has everything theirs has, and more: theirs is an old version
    /// (a rollback, if it is offered as new).
    Older,
    /// Each has versions the other lacks: merge.
    Diverged,
}

/// Compares two version vectors, with the change ids of the two versions
/// to tell "the same" from two writers that share an id.
pub fn order(
    ours: &[String],
    ours_change: Option<&str>,
    theirs: &[String],
    theirs_change: Option<&str>,
) -> Order {
    let (Some(o), Some(t)) = (versions(ours), versions(theirs)) else {
        return Order::Diverged;
    };
    let get = |m: &Versions, w: &str| m.get(w).copied().unwrap_or(0);
    let writers: std::collections::BTreeSet<&String> = o.keys().chain(t.keys()).collect();
    let (mut ours_more, mut theirs_more) = (false, false);
    for w in writers {
        let (a, b) = (get(&o, w), get(&t, w));
        ours_more |= a > b;
        theirs_more |= b > a;
    }
    match (ours_more, theirs_more) {
        (false, false) if ours_change == theirs_change && ours_change.is_some() => Order::Same,
        // Equal vectors, other changes: two machines share a writer id
        // (a copied folder). Merging keeps both.
        (false, false) => Order::Diverged,
        (false, true) => Order::Newer,
        (true, false) => Order::Older,
        (true, true) => Order::Diverged,
    }
}

/// The hex SHA-256 of a file (the passphrase key file), as the vault names it.
pub fn file_hash(data: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(data))
}

/// A change id or writer id: 8 random bytes as 16 hex digits.
pub fn hex_id(bytes: [u8; 8]) -> String {
    data_encoding::HEXLOWER.encode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> AuthKey {
        AuthKey::from_bytes([b; 32])
    }

    #[test]
    fn a_sealed_text_verifies_and_any_change_fails() {
        let k = key(7);
        let body = "version = 1\nchanges = 3\n";
        let text = seal(&k, body);
        let (tag, rest) = split(&text).unwrap();
        assert_eq!(rest, body);
        assert!(k.verifies(rest.as_bytes(), tag));
        assert_eq!(check(&text, Some(&k), &k), Proof::Authentic);
        // Another key, the right key claimed by a file tagged with another,
        // one byte of the body changed, no tag: never authentic.
        assert_eq!(check(&text, Some(&key(8)), &k), Proof::Forged);
        let other = seal(&key(8), body);
        assert_eq!(check(&other, Some(&k), &k), Proof::Forged);
        let changed = text.replace("changes = 3", "changes = 4");
        assert_eq!(check(&changed, Some(&k), &k), Proof::Forged);
        assert_eq!(check(body, Some(&k), &k), Proof::Unsealed);
        assert_eq!(check(&text, None, &k), Proof::Unsealed);
        assert!(self_consistent(&other, Some(&key(8))));
        assert!(!self_consistent(&other, Some(&k)));
    }

    #[test]
    fn tags_are_tied_to_the_domain_and_the_key() {
        // HMAC-SHA256 of DOMAIN + body, checked against an independent
        // computation with the hmac crate's own one-shot API.
        let k = key(1);
        let mut mac = Hmac::<Sha256>::new_from_slice(&[1; 32]).unwrap();
        mac.update(b"otp vault version tag 1\nbody");
        let want = data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes());
        assert_eq!(k.tag(b"body"), want);
        assert_ne!(key(2).tag(b"body"), want);
        assert!(!k.verifies(b"body", &want[..62]));
        assert!(!k.verifies(b"body", "zz"));
    }

    #[test]
    fn a_tag_given_piece_by_piece_is_the_tag() {
        let k = key(3);
        let body = b"version = 1\nchanges = 3\n[[accounts]]\n";
        let tag = k.tag(body);
        for cut in 0..body.len() {
            let mut t = k.tagger(DOMAIN);
            t.update(&body[..cut]);
            t.update(&body[cut..]);
            assert!(t.verifies(&tag));
        }
        let mut t = k.tagger(DOMAIN);
        t.update(&body[1..]);
        assert!(!t.verifies(&tag));
        assert!(!key(4).tagger(DOMAIN).verifies(&tag));
        assert!(!k.tagger(BACKUP_DOMAIN).verifies(&k.tag(b"")));
    }

    #[test]
    fn split_wants_exactly_one_tag_line() {
        let tag = "a".repeat(64);
        assert!(split(&format!("tag = \"{tag}\"\nversion = 1\n")).is_some());
        for bad in [
            format!("tag = \"{}\"\n", "A".repeat(64)),
            format!("tag = \"{}\"\n", "a".repeat(63)),
            format!("tag = \"{tag}\" \n"),
            format!(" tag = \"{tag}\"\n"),
            "tag = \"".to_string(),
            String::new(),
        ] {
            assert!(split(&bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn the_key_never_prints_and_round_trips_as_hex() {
        let k = key(0xab);
        assert_eq!(format!("{k:?}"), "AuthKey(redacted)");
        #[derive(Serialize, Deserialize)]
        struct T {
            k: AuthKey,
        }
        let text = toml::to_string(&T { k: k.clone() }).unwrap();
        assert_eq!(text, format!("k = \"{}\"\n", "ab".repeat(32)));
        assert!(toml::from_str::<T>(&text).unwrap().k == k);
        assert!(toml::from_str::<T>("k = \"abab\"\n").is_err());
        assert!(toml::from_str::<T>(&format!("k = \"{}\"\n", "AB".repeat(32))).is_err());
    }

    fn v(list: &[(&str, u64)]) -> Vec<String> {
        list.iter().map(|(w, n)| format!("{w}:{n}")).collect()
    }

    #[test]
    fn version_vectors_order_versions() {
        let a = v(&[("aa", 2), ("bb", 1)]);
        assert_eq!(order(&a, Some("x"), &a, Some("x")), Order::Same);
        assert_eq!(order(&a, Some("x"), &a, Some("y")), Order::Diverged);
        let newer = bump(&a, "bb");
        assert_eq!(newer, v(&[("aa", 2), ("bb", 2)]));
        assert_eq!(order(&a, Some("x"), &newer, Some("y")), Order::Newer);
        assert_eq!(order(&newer, Some("y"), &a, Some("x")), Order::Older);
        let other = bump(&a, "cc");
        assert_eq!(order(&newer, Some("y"), &other, Some("z")), Order::Diverged);
        let merged = join(&newer, &other);
        assert_eq!(merged, v(&[("aa", 2), ("bb", 2), ("cc", 1)]));
        assert_eq!(order(&newer, None, &merged, None), Order::Newer);
        assert_eq!(order(&other, None, &merged, None), Order::Newer);
        // An empty vector (a vault from before) is older than any other.
        assert_eq!(order(&[], None, &a, Some("x")), Order::Newer);
        // Unreadable lists are never "the same" or "older".
        for bad in [
            vec!["aa".to_string()],
            vec!["aa:x".into()],
            vec!["a-b:1".into()],
            v(&[("aa", 1), ("aa", 2)]),
        ] {
            assert_eq!(versions(&bad), None, "{bad:?}");
            assert_eq!(order(&a, Some("x"), &bad, Some("x")), Order::Diverged);
        }
    }

    #[test]
    fn file_hashes_and_ids_are_hex() {
        assert_eq!(
            file_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex_id([0, 1, 2, 3, 4, 5, 6, 0xff]), "00010203040506ff");
    }
}
