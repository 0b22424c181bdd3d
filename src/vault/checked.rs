//! The fast path of `otp code` (src/vault/index.rs), checked as the full
//! path checks: the vault at its own path answers only when it is the very
//! version this machine's record names (src/model/record.rs) — its tag
//! matches what it holds under its own key, that key and the vault id are
//! the recorded ones, and its version vector and change id are the
//! recorded ones. Anything else (a newer version, a first use, a diverged,
//! forged or older vault) gets no answer here, and the full path decides,
//! warns or refuses.
//!
//! The tag is computed while the vault is decrypted and scanned: the top
//! table (where the authentication key is) is read first, then every byte
//! of the body goes through the tag once, as it goes to the scan. The
//! check uses the same [`judge`] as the full path, on the same fields.

use std::io::Read;

use serde::Deserialize;
use zeroize::Zeroizing;

use super::index;
use crate::model::Account;
use crate::model::auth::{self, AuthKey, Tagger};
use crate::model::record::{Record, Seen, Verdict, judge};

/// The longest top table read before the accounts; a longer one goes to
/// the full path.
const MAX_TOP: usize = 1 << 20;
/// The size of one read of the top table.
const PIECE: usize = 16 << 10;

/// The fields of the top table the check needs, as the full parse reads
/// them.
#[derive(Deserialize)]
struct Top {
    #[serde(default)]
    changes: u64,
    #[serde(default)]
    vault_id: Option<String>,
    #[serde(default)]
    auth_key: Option<AuthKey>,
    #[serde(default)]
    change_id: Option<String>,
    #[serde(default)]
    versions: Vec<String>,
}

/// [`index::find_streaming`] on the decrypted vault `input`, answering
/// only when the vault is the version `record` names (see the module
/// doc); `None` sends `otp code` down the full path. Errors are the
/// reader's (a damaged file).
pub fn find_recorded(
    mut input: impl Read,
    size_hint: usize,
    query: &str,
    record: Option<&Record>,
) -> std::io::Result<Option<Account>> {
    // No record: first use, which the full path writes down.
    let Some(record) = record else {
        return Ok(None);
    };
    // The text up to its first table (or all of it).
    let mut head = Zeroizing::new(Vec::with_capacity(size_hint.clamp(PIECE, 2 * PIECE)));
    let mut at_end = false;
    let top_end = loop {
        if let Some(i) = memchr::memmem::find(&head, b"\n[") {
            break i + 1;
        }
        if at_end {
            break head.len();
        }
        if head.len() > MAX_TOP {
            return Ok(None);
        }
        let len = head.len();
        head.resize(len + PIECE, 0);
        let n = loop {
            match input.read(&mut head[len..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        head.truncate(len + n);
        at_end = n == 0;
    };
    let Ok(top_text) = std::str::from_utf8(&head[..top_end]) else {
        return Ok(None);
    };
    let (tag, body_start) = match auth::split(top_text) {
        Some((tag, body)) => (Some(tag.to_string()), top_end - body.len()),
        None => (None, 0),
    };
    let Ok(top) = toml::from_str::<Top>(&top_text[body_start..]) else {
        return Ok(None);
    };
    let mut tagger = top.auth_key.as_ref().map(|k| {
        let mut t = k.tagger(auth::DOMAIN);
        t.update(&head[body_start..]);
        t
    });
    let mut rest = Tagging {
        inner: input,
        tagger: tagger.as_mut(),
    };
    let found = index::find_streaming(
        std::io::Cursor::new(&head[..]).chain(&mut rest),
        size_hint,
        query,
    )?;
    let Some(account) = found else {
        return Ok(None);
    };
    let sealed = match (tagger, &tag) {
        (Some(t), Some(tag)) => t.verifies(tag),
        _ => false,
    };
    let seen = Seen {
        vault_id: top.vault_id.as_deref(),
        key: top.auth_key.as_ref(),
        sealed,
        changes: top.changes,
        change_id: top.change_id.as_deref(),
        versions: &top.versions,
    };
    Ok((judge(Some(record), &seen) == Ok(Verdict::Same)).then_some(account))
}

/// A reader that gives every byte it reads to the tag too.
struct Tagging<'t, R> {
    inner: R,
    tagger: Option<&'t mut Tagger>,
}

impl<R: Read> Read for Tagging<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(t) = self.tagger.as_deref_mut() {
            t.update(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Vault;
    use crate::model::record::How;
    use proptest::prelude::*;
    use time::OffsetDateTime;

    /// Pieces of `text` of the given sizes, as a decrypting reader gives them.
    struct Pieces<'a> {
        text: &'a [u8],
        sizes: Vec<usize>,
        next: usize,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let size = self.sizes[self.next % self.sizes.len()].max(1);
            self.next += 1;
            let n = size.min(out.len()).min(self.text.len());
            out[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }

    fn vault(n: usize) -> Vault {
        let mut v = Vault::new(vec!["age1a".into()]);
        v.ensure_id(|| [1; 16]);
        v.ensure_auth_key(|| [7; 32]);
        for i in 0..n {
            let entry = crate::model::Entry::new(
                format!("svc{i:03}"),
                format!("user{i}"),
                crate::model::Token::totp(
                    crate::model::Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
                ),
            );
            let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
            v.accounts
                .push(Account::from_entry(entry, format!("id{i:06}"), at));
        }
        v.next_version("aa", [1; 8]);
        v
    }

    fn record(v: &Vault) -> Record {
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        Record::of(v, "/v", How::Written, at)
    }

    /// The full path's verdict on `text`, as src/cmd/trust.rs makes it.
    fn full(text: &str, record: &Record) -> Option<Result<Verdict, crate::model::record::Wrong>> {
        let v = Vault::parse(text).ok()?;
        Some(judge(Some(record), &Seen::of(&v, text)))
    }

    fn fast(text: &str, query: &str, record: &Record, sizes: Vec<usize>) -> Option<Account> {
        let input = Pieces {
            text: text.as_bytes(),
            sizes,
            next: 0,
        };
        find_recorded(input, text.len(), query, Some(record)).unwrap()
    }

    #[test]
    fn the_recorded_version_answers_and_nothing_else_does() {
        let v = vault(300);
        let text = v.to_sealed_toml().to_string();
        let rec = record(&v);
        assert!(fast(&text, "svc123", &rec, vec![PIECE]).is_some());
        assert!(fast(&text, "svc123", &rec, vec![1, 7, 4096]).is_some());
        // No record: the full path decides (first use).
        let input = std::io::Cursor::new(text.as_bytes());
        assert!(
            find_recorded(input, text.len(), "svc123", None)
                .unwrap()
                .is_none()
        );
        // Newer (another machine's), older, forged with another key,
        // changed without the key, untagged: no answer here.
        let mut newer = v.clone();
        newer.next_version("bb", [2; 8]);
        let newer_text = newer.to_sealed_toml().to_string();
        assert!(fast(&newer_text, "svc123", &rec, vec![PIECE]).is_none());
        assert!(fast(&text, "svc123", &record(&newer), vec![PIECE]).is_none());
        let mut forged = v.clone();
        forged.auth_key = Some(AuthKey::from_bytes([8; 32]));
        let forged_text = forged.to_sealed_toml().to_string();
        assert!(fast(&forged_text, "svc123", &rec, vec![PIECE]).is_none());
        let changed = text.replace("user123", "evil123");
        assert!(fast(&changed, "svc123", &rec, vec![PIECE]).is_none());
        assert!(full(&changed, &rec).unwrap().is_err());
        let untagged = v.to_toml();
        assert!(fast(&untagged, "svc123", &rec, vec![PIECE]).is_none());
        assert!(full(&untagged, &rec).unwrap().is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Differential: wherever the fast path answers, the full path's
        /// check says "the recorded version"; one byte changed anywhere in
        /// the text, and the fast path never answers where the full path
        /// would not.
        #[test]
        fn the_fast_check_answers_only_where_the_full_check_passes(
            flip in 0usize..20_000,
            bit in 0u8..7,
            sizes in proptest::collection::vec(1usize..5000, 1..6),
            which in 0usize..3,
        ) {
            let v = vault(60);
            let text = v.to_sealed_toml().to_string();
            let rec = match which {
                0 => record(&v),
                1 => { let mut n = v.clone(); n.next_version("cc", [3; 8]); record(&n) }
                _ => { let mut r = record(&v); r.key = Some("00".repeat(32)); r }
            };
            let mut bytes = text.clone().into_bytes();
            let at = flip % bytes.len();
            bytes[at] ^= 1 << bit;
            for t in [text.as_str(), std::str::from_utf8(&bytes).unwrap_or("")] {
                if t.is_empty() { continue; }
                if fast(t, "svc012", &rec, sizes.clone()).is_some() {
                    prop_assert_eq!(full(t, &rec), Some(Ok(Verdict::Same)));
                }
            }
            // The untouched text with its own record always answers.
            if which == 0 {
                prop_assert!(fast(&text, "svc012", &rec, sizes).is_some());
            }
        }
    }
}
