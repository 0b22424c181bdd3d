//! Text from files made safe for a terminal: control characters, bidi
//! overrides, zero-width and other format characters (general category Cf:
//! soft hyphen, tags, …) and the line and paragraph separators escaped, so a crafted account name,
//! file name or foreign message cannot rewrite the screen or disguise
//! itself. Pure (foundation layer): `term` prints through it, and the
//! layers below it word their messages with it.

/// Makes text from a file safe to print: control characters, bidi overrides
/// and zero-width characters are shown as `\u{…}` escapes, so a crafted
/// account name cannot rewrite the terminal or disguise itself.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// [`sanitize`], line by line: newlines and tabs of the message itself are
/// kept, every other unsafe character escaped. Every line `otp` writes to
/// stderr (errors, warnings, notes) goes through it, so a file name, a
/// label or a foreign tool's message cannot rewrite the terminal; a file
/// name shown inside a message is [`sanitize`]d too (its newlines as well).
pub fn sanitize_lines(text: &str) -> String {
    if !text.chars().any(|c| c != '\n' && c != '\t' && is_unsafe(c)) {
        return text.to_string();
    }
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(sanitize)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A path as shown to the user: [`sanitize`]d, newlines included.
pub fn path(p: &std::path::Path) -> String {
    sanitize(&p.display().to_string())
}

/// JSON text for the terminal: serde_json escapes only C0 controls, so C1
/// controls, DEL, bidi and zero-width characters left raw inside strings
/// are escaped as `\uXXXX` (the same string to any JSON reader). Outside
/// strings, serde_json writes only spaces and newlines.
pub fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c != '\n' && is_unsafe(c) {
            // Above U+FFFF (tags), JSON escapes a surrogate pair.
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || (u32::from(c) >= 0xad && in_ranges(u32::from(c), FORMAT))
}

/// Whether `c` lies in one of `ranges`: inclusive `(first, last)` pairs,
/// sorted and disjoint (the Unicode property tables here and in
/// model/label.rs).
pub(crate) fn in_ranges(c: u32, ranges: &[(u32, u32)]) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Invisible characters that change how text around them shows: general
/// categories Cf (format: soft hyphen, zero-width space and joiners, bidi
/// marks, embeddings, overrides and isolates, invisible operators, the
/// BOM, interlinear annotations, tags, …), Zl and Zp (U+2028 line and
/// U+2029 paragraph separator). From Unicode 14's UnicodeData.txt, with the
/// Egyptian hieroglyph format controls Unicode 15 added (U+13439..U+1343F).
const FORMAT: &[(u32, u32)] = &[
    (0x00ad, 0x00ad),
    (0x0600, 0x0605),
    (0x061c, 0x061c),
    (0x06dd, 0x06dd),
    (0x070f, 0x070f),
    (0x0890, 0x0891),
    (0x08e2, 0x08e2),
    (0x180e, 0x180e),
    (0x200b, 0x200f),
    (0x2028, 0x202e),
    (0x2060, 0x2064),
    (0x2066, 0x206f),
    (0xfeff, 0xfeff),
    (0xfff9, 0xfffb),
    (0x110bd, 0x110bd),
    (0x110cd, 0x110cd),
    (0x13430, 0x1343f),
    (0x1bca0, 0x1bca3),
    (0x1d173, 0x1d17a),
    (0xe0001, 0xe0001),
    (0xe0020, 0xe007f),
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sanitize_escapes_controls_and_bidi() {
        assert_eq!(sanitize("GitHub"), "GitHub");
        assert_eq!(sanitize("Zürich ✓"), "Zürich ✓");
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            sanitize("evil\u{202e}moc.elgoog"),
            "evil\\u{202e}moc.elgoog"
        );
        assert_eq!(sanitize("x\ny"), "x\\u{a}y");
        assert_eq!(sanitize("zero\u{200b}width"), "zero\\u{200b}width");
    }

    #[test]
    fn sanitize_lines_keeps_the_message_layout_only() {
        assert_eq!(sanitize_lines("a\n\tb"), "a\n\tb");
        assert_eq!(
            sanitize_lines("cannot open x\x1b]0;pwned\x07\u{202e}\n  hint"),
            "cannot open x\\u{1b}]0;pwned\\u{7}\\u{202e}\n  hint"
        );
        assert_eq!(sanitize_lines("C1\u{9b}2J"), "C1\\u{9b}2J");
    }

    proptest! {
        #[test]
        fn sanitized_text_has_no_control_or_bidi(s in any::<String>()) {
            let out = sanitize(&s);
            prop_assert!(!out.chars().any(is_unsafe));
            let lines = sanitize_lines(&s);
            prop_assert!(!lines.chars().any(|c| c != '\n' && c != '\t' && is_unsafe(c)));
        }

        #[test]
        fn safe_json_is_the_same_json(s in any::<String>(), pretty in any::<bool>()) {
            let value = serde_json::json!({ "name": s, "list": [s.clone()] });
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                value.to_string()
            };
            let safe = json_safe(&text);
            prop_assert!(!safe.chars().any(|c| c != '\n' && is_unsafe(c)));
            let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
            prop_assert_eq!(back, value);
        }
    }

    #[test]
    fn format_characters_and_separators_are_escaped() {
        for c in [
            '\u{2028}',  // line separator
            '\u{2029}',  // paragraph separator
            '\u{ad}',    // soft hyphen
            '\u{e0041}', // tag latin capital letter A
            '\u{e0001}', // language tag
            '\u{e007f}', // cancel tag
            '\u{600}',   // Arabic number sign
            '\u{180e}',  // Mongolian vowel separator
            '\u{fff9}',  // interlinear annotation anchor
            '\u{1d173}', // musical symbol begin beam
            '\u{206a}',  // inhibit symmetric swapping
            '\u{13439}', // Egyptian hieroglyph format control (Unicode 15)
        ] {
            let text = format!("a{c}b");
            assert_eq!(sanitize(&text), format!("a\\u{{{:x}}}b", c as u32));
            assert!(!json_safe(&text).contains(c));
        }
        // Visible neighbours stay.
        for c in [
            '\u{ac}',
            '\u{ae}',
            '\u{2027}',
            '\u{2030}',
            '\u{e0080}',
            'é',
            '😀',
        ] {
            assert_eq!(sanitize(&c.to_string()), c.to_string());
        }
        for w in FORMAT.windows(2) {
            assert!(w[0].1 < w[1].0 && w[0].0 <= w[0].1, "sorted, disjoint");
        }
    }

    #[test]
    fn json_escapes_c1_and_bidi() {
        let text = serde_json::json!("a\u{85}b\u{202e}c\u{7f}").to_string();
        assert_eq!(json_safe(&text), r#""a\u0085b\u202ec\u007f""#);
    }
}
