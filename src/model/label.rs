//! Label identity: when two labels (or a QUERY and a label) are "the same".
//!
//! QUERY matching, `add`, `import` (duplicate detection) and `recover` (the
//! "no existing account" check) all compare labels through [`key`] and
//! [`fold`], so a label that only looks different cannot slip past any of
//! them: `Müller` typed as `u` + combining diaeresis, a no-break space,
//! `Bank  ` with stray spaces, a zero-width space, `Ｇｉｔｈｕｂ` in
//! fullwidth letters, `ΣΊΣΥΦΟΣ` against `σίσυφος`, and the issuer-less
//! name `Bank:alice` against issuer `Bank` with name `alice` are each one
//! label.
//!
//! [`fold`] is an NFKC caseless form (default-ignorable code points
//! dropped, NFKC, full case folding, NFKC again) with white space trimmed
//! and runs of it collapsed to one space, around every `:` too: a label is
//! `issuer:name` pieces, and the space after the colon of `Bank: alice` is
//! not part of either piece. [`key`] is the folded `issuer:name` label of
//! an account, built from the folded parts, so an issuer that folds to
//! nothing (a zero-width space) is no issuer.
//!
//! Plain ASCII labels (most of them) fold to their ASCII lower case:
//! [`is_plain`] says when, so that `otp code`'s per-account comparison
//! needs no allocation for them.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The identity of a piece of label text (an issuer, a name, a label or a
/// QUERY): two texts name the same thing when their folds are equal.
pub fn fold(text: &str) -> String {
    if is_plain(text) {
        text.to_ascii_lowercase()
    } else {
        fold_any(text)
    }
}

/// [`fold`] without the plain-ASCII shortcut.
fn fold_any(text: &str) -> String {
    let mut out = caseless(text);
    if out.chars().any(ignorable) {
        // NFKC can make an ignorable one (a halfwidth Hangul filler):
        // drop it and fold what is left again.
        out = caseless(&out);
    }
    spaces(&out)
}

/// The identity of the account label `issuer:name`: the folded label, with
/// the `:` only when both folded parts are non-empty (as
/// [`crate::model::label()`] joins them).
pub fn key(issuer: &str, name: &str) -> String {
    crate::model::label(&fold(issuer), &fold(name))
}

/// Two account labels that are the same label.
pub fn same(issuer_a: &str, name_a: &str, issuer_b: &str, name_b: &str) -> bool {
    key(issuer_a, name_a) == key(issuer_b, name_b)
}

/// Whether `text` folds to its ASCII lower case: ASCII, with no white
/// space but single spaces between other characters, none next to a `:`.
/// (NFKC and case folding map ASCII to ASCII, and no ASCII character is
/// default-ignorable.)
pub fn is_plain(text: &str) -> bool {
    let b = text.as_bytes();
    // Most labels have no space or control character at all: one pass
    // the compiler vectorises says so.
    if b.iter().all(|&c| c > b' ' && c < 0x7f) {
        return true;
    }
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let mut prev = 0u8;
    for &c in b {
        let ok = match c {
            b' ' => prev != b' ' && prev != b':',
            b':' => prev != b' ',
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => false,
            _ => c.is_ascii(),
        };
        if !ok {
            return false;
        }
        prev = c;
    }
    true
}

/// Default-ignorable code points (zero width spaces and joiners, bidi
/// marks, variation selectors, soft hyphen, Hangul fillers, tags, …):
/// invisible, so never part of a label's identity.
fn ignorable(c: char) -> bool {
    let c = u32::from(c);
    c >= 0xad && crate::text::in_ranges(c, DEFAULT_IGNORABLE)
}

/// The ranges of Unicode's `Default_Ignorable_Code_Point` property
/// (DerivedCoreProperties.txt; unchanged since Unicode 14). No small, kept
/// crate carries this one property (ICU4X's `icu_properties` does, with
/// about 20 crates around it), and the property is stable by design: it
/// already covers the unassigned code points that may become ignorable.
const DEFAULT_IGNORABLE: &[(u32, u32)] = &[
    (0x00ad, 0x00ad),
    (0x034f, 0x034f),
    (0x061c, 0x061c),
    (0x115f, 0x1160),
    (0x17b4, 0x17b5),
    (0x180b, 0x180f),
    (0x200b, 0x200f),
    (0x202a, 0x202e),
    (0x2060, 0x206f),
    (0x3164, 0x3164),
    (0xfe00, 0xfe0f),
    (0xfeff, 0xfeff),
    (0xffa0, 0xffa0),
    (0xfff0, 0xfff8),
    (0x1bca0, 0x1bca3),
    (0x1d173, 0x1d17a),
    (0xe0000, 0xe0fff),
];

/// NFKC(full case fold(NFKC(text))) of `text` without its ignorables, as
/// Unicode's compatibility caseless matching does it (chapter 3, D146, with
/// composed forms): folding can leave text that is not NFKC (`ǰ` folds to
/// `j` + a combining caron), which the second NFKC puts right, so that the
/// fold of a fold is itself.
fn caseless(text: &str) -> String {
    let visible: Cow<'_, str> = if text.chars().any(ignorable) {
        Cow::Owned(text.chars().filter(|&c| !ignorable(c)).collect())
    } else {
        Cow::Borrowed(text)
    };
    let folded = case_fold(&nfkc(&visible));
    nfkc(&folded).into_owned()
}

/// Full case folding (Unicode's CaseFolding.txt, statuses C and F), with
/// ASCII folded directly: labels that are not plain ASCII are still mostly
/// ASCII letters.
fn case_fold(text: &str) -> String {
    use caseless::Caseless;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(std::iter::once(c).default_case_fold());
        }
    }
    out
}

/// NFKC, borrowing when the quick check says the text already is (most
/// labels): `otp code` folds every label that is not plain ASCII.
fn nfkc(text: &str) -> Cow<'_, str> {
    match is_nfkc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfkc().collect()),
    }
}

/// `text` with white space trimmed and each run of it one space, and no
/// space next to a `:`.
fn spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        if gap && c != ':' && !out.is_empty() && !out.ends_with(':') {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

/// Label text for property tests: letters in both cases with look-alikes
/// of each other (NFD, fullwidth, Kelvin sign, ligature, sharp s, Greek
/// sigmas) and of nothing (zero-width, bidi, no-break and other spaces);
/// no control characters, so otp's writer puts them in one-line strings
/// without escapes, which the fast path of `otp code` reads.
#[cfg(test)]
pub(crate) const LOOK_ALIKE_PART: &str = "[a-cA-CekKsfS:\\u{e9}\\u{301}\\u{a0}\\u{200b}\\u{feff}\\u{202e}\\u{ff21}\\u{ff1a}\\u{212a}\\u{fb00}\\u{df}\\u{3a3}\\u{3c2}\\u{3c3}\\u{3000} ]{0,5}";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn look_alikes_are_one_label() {
        let same_as = |a: &str, b: &str| assert_eq!(fold(a), fold(b), "{a:?} vs {b:?}");
        // NFC and NFD.
        same_as("M\u{fc}ller", "Mu\u{308}ller");
        // No-break and other spaces; stray and doubled spaces; tabs.
        same_as("My\u{a0}Bank", "My Bank");
        same_as("My\u{3000}Bank", "my bank");
        same_as("  My   Bank\t", "My Bank");
        // Zero-width and bidi characters, soft hyphen, variation selector.
        same_as("Git\u{200b}Hub", "GitHub");
        same_as("\u{feff}Git\u{200d}Hub\u{200e}", "github");
        same_as("\u{202e}GitHub\u{202c}", "GITHUB");
        same_as("Git\u{ad}Hub\u{fe0f}", "GitHub");
        // Fullwidth letters, a fullwidth colon, ligatures.
        same_as("\u{ff27}\u{ff49}\u{ff54}\u{ff28}\u{ff55}\u{ff42}", "GitHub");
        same_as("Bank\u{ff1a}alice", "bank:alice");
        same_as("\u{fb00}", "FF");
        // Full case folding, not lower-casing.
        same_as("Stra\u{df}e", "STRASSE");
        same_as(
            "\u{3a3}\u{38a}\u{3a3}\u{3a5}\u{3a6}\u{39f}\u{3a3}",
            "σίσυφος",
        );
        same_as("\u{212a}elvin", "kelvin");
        same_as("\u{17f}ecret", "SECRET");
        // Spaces around a colon are not part of the pieces.
        same_as("Bank : alice", "Bank:alice");
        same_as("Bank:\u{a0}alice", "bank:alice");
        // A halfwidth Hangul filler is ignorable once NFKC has mapped it.
        same_as("a\u{ffa0}b", "ab");
    }

    #[test]
    fn different_labels_stay_different() {
        let differ = |a: &str, b: &str| assert_ne!(fold(a), fold(b), "{a:?} vs {b:?}");
        differ("GitHub", "Git Hub");
        differ("alice", "alice2");
        differ("é", "e");
        differ("Bank:alice", "Bankalice");
        differ("\u{430}lice", "alice"); // Cyrillic а: a confusable, not the same text
    }

    #[test]
    fn an_issuerless_label_is_the_issuer_and_name() {
        assert!(same("", "Bank:alice", "Bank", "alice"));
        assert!(same("", "Bank: alice", "BANK", "Alice"));
        assert!(same("Bank ", " alice", "", "bank:alice"));
        // An issuer that folds to nothing is no issuer.
        assert!(same("\u{200b}", "alice", "", "alice"));
        assert!(same("", "Bank", "Bank", ""));
        assert!(!same("Bank", "alice", "Bank", "bob"));
        assert_eq!(key("My\u{a0}Bank", "\u{ff21}lice"), "my bank:alice");
    }

    #[test]
    fn the_ignorable_table_is_sorted_and_whole() {
        assert!(DEFAULT_IGNORABLE.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(DEFAULT_IGNORABLE.iter().all(|&(lo, hi)| lo <= hi));
        // Checked against Perl's \p{Default_Ignorable_Code_Point}
        // (Unicode 14): 4,174 code points.
        let count: u32 = DEFAULT_IGNORABLE.iter().map(|&(lo, hi)| hi - lo + 1).sum();
        assert_eq!(count, 4174);
        for c in [
            '\u{ad}',
            '\u{200b}',
            '\u{2064}',
            '\u{e01ef}',
            '\u{e0fff}',
            '\u{180f}',
        ] {
            assert!(ignorable(c), "{c:?}");
        }
        for c in [
            'a',
            ' ',
            '\u{ac}',
            '\u{ae}',
            '\u{2070}',
            '\u{fff9}',
            '\u{e1000}',
            '\u{10ffff}',
        ] {
            assert!(!ignorable(c), "{c:?}");
        }
    }

    #[test]
    fn plain_ascii_is_recognised() {
        for plain in [
            "",
            "GitHub",
            "Microsoft Azure",
            "a:b",
            "me@work.example",
            "x\u{1}y",
        ] {
            assert!(is_plain(plain), "{plain:?}");
        }
        for not in [" a", "a ", "a  b", "a :b", "a: b", "a\tb", "é", "\u{200b}"] {
            assert!(!is_plain(not), "{not:?}");
        }
    }

    proptest! {
        /// Folding is idempotent, and the plain-ASCII shortcut gives what
        /// the full fold gives.
        #[test]
        fn fold_is_stable(text in "[a-cA-C :\t\u{a0}\u{200b}\u{feff}\u{ff21}\u{fb00}\u{df}\u{3a3}\u{3c2}\u{301}\u{e9}\u{ffa0}\u{212a}\u{1}]{0,8}|[a-c: ]{0,8}") {
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert_eq!(fold_any(&text), once.clone());
            prop_assert_eq!(case_fold(&text), caseless::default_case_fold_str(&text));
            prop_assert_eq!(fold_any(&once), once.clone());
        }
    }
}
