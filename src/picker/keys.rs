//! Keys from the bytes a terminal sends in raw mode. Pure: bytes in, keys
//! out. otp reads the terminal itself (see `super::tty`) rather than through
//! crossterm's event reader, which spins forever on a terminal that hung up.

/// What a key press means to the picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    /// Ctrl-U: clear the filter.
    ClearLine,
    /// Ctrl-W: delete the filter's last word.
    DeleteWord,
    /// Ctrl-C (raw mode delivers it as a byte, not as SIGINT).
    Interrupt,
    /// Anything else (function keys, Alt-combinations, other controls).
    Other,
}

/// Bytes kept between reads: the start of an escape sequence or of a
/// UTF-8 character that the next read completes.
#[derive(Debug, Default)]
pub struct Parser {
    pending: Vec<u8>,
}

impl Parser {
    /// The keys in `bytes` (after what was pending); an incomplete sequence
    /// at the end waits for more bytes, or for [`Parser::flush`].
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Key> {
        self.pending.extend_from_slice(bytes);
        let mut keys = Vec::new();
        let mut at = 0;
        while at < self.pending.len() {
            match parse_one(&self.pending[at..]) {
                Some((key, used)) => {
                    keys.push(key);
                    at += used;
                }
                None => break,
            }
        }
        self.pending.drain(..at);
        keys
    }

    /// Is an incomplete sequence waiting (a lone Esc, so far)?
    pub fn pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// No more bytes came: a lone ESC was the Esc key; any other incomplete
    /// sequence is dropped.
    pub fn flush(&mut self) -> Vec<Key> {
        let keys = match self.pending.as_slice() {
            [0x1b] => vec![Key::Esc],
            [] => vec![],
            _ => vec![Key::Other],
        };
        self.pending.clear();
        keys
    }
}

/// One key at the start of `b` and the bytes it used, or None when `b`
/// holds only the start of one.
fn parse_one(b: &[u8]) -> Option<(Key, usize)> {
    let key = match b[0] {
        0x1b => return escape(b),
        b'\r' | b'\n' => Key::Enter,
        0x7f | 0x08 => Key::Backspace,
        0x03 => Key::Interrupt,
        0x0e => Key::Down,
        0x10 => Key::Up,
        0x15 => Key::ClearLine,
        0x17 => Key::DeleteWord,
        0x00..=0x1f => Key::Other,
        0x20..=0x7e => Key::Char(b[0] as char),
        _ => return utf8(b),
    };
    Some((key, 1))
}

fn escape(b: &[u8]) -> Option<(Key, usize)> {
    match b.get(1) {
        None => None,
        // ESC [ … final byte (0x40–0x7e), or ESC O letter (application mode).
        Some(b'[') => {
            let end = b[2..].iter().position(|c| (0x40..=0x7e).contains(c))? + 2;
            let key = match &b[2..=end] {
                b"A" => Key::Up,
                b"B" => Key::Down,
                b"H" | b"1~" | b"7~" => Key::Home,
                b"F" | b"4~" | b"8~" => Key::End,
                b"5~" => Key::PageUp,
                b"6~" => Key::PageDown,
                _ => Key::Other,
            };
            Some((key, end + 1))
        }
        Some(b'O') => {
            let key = match b.get(2)? {
                b'A' => Key::Up,
                b'B' => Key::Down,
                b'H' => Key::Home,
                b'F' => Key::End,
                _ => Key::Other,
            };
            Some((key, 3))
        }
        // ESC ESC: the first was Esc.
        Some(0x1b) => Some((Key::Esc, 1)),
        // Alt-something.
        Some(_) => Some((Key::Other, 2)),
    }
}

fn utf8(b: &[u8]) -> Option<(Key, usize)> {
    let len = match b[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Some((Key::Other, 1)),
    };
    if b.len() < len {
        // A continuation byte that is not one: not a character after all.
        return if b[1..].iter().all(|c| c & 0xc0 == 0x80) {
            None
        } else {
            Some((Key::Other, 1))
        };
    }
    match std::str::from_utf8(&b[..len]) {
        Ok(s) => s.chars().next().map(|c| (Key::Char(c), len)),
        Err(_) => Some((Key::Other, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::{Key, Parser};

    fn keys(bytes: &[u8]) -> Vec<Key> {
        let mut p = Parser::default();
        let mut k = p.feed(bytes);
        k.extend(p.flush());
        k
    }

    #[test]
    fn letters_controls_and_arrows() {
        assert_eq!(
            keys(b"az\r\x7f\x03\x0e\x10\x15\x17"),
            [
                Key::Char('a'),
                Key::Char('z'),
                Key::Enter,
                Key::Backspace,
                Key::Interrupt,
                Key::Down,
                Key::Up,
                Key::ClearLine,
                Key::DeleteWord,
            ]
        );
        assert_eq!(
            keys(b"\x1b[A\x1b[B\x1bOA\x1bOB\x1b[5~\x1b[6~\x1b[H\x1b[4~\x1b[1;5C"),
            [
                Key::Up,
                Key::Down,
                Key::Up,
                Key::Down,
                Key::PageUp,
                Key::PageDown,
                Key::Home,
                Key::End,
                Key::Other,
            ]
        );
    }

    #[test]
    fn a_lone_escape_is_esc_only_once_nothing_follows() {
        let mut p = Parser::default();
        assert_eq!(p.feed(b"\x1b"), []);
        assert!(p.pending());
        // The rest of an arrow key arrives with the next read.
        assert_eq!(p.feed(b"[A"), [Key::Up]);
        assert!(!p.pending());
        assert_eq!(p.feed(b"\x1b"), []);
        assert_eq!(p.flush(), [Key::Esc]);
        assert_eq!(keys(b"\x1b\x1b"), [Key::Esc, Key::Esc]);
        assert_eq!(keys(b"\x1bx"), [Key::Other]);
    }

    proptest::proptest! {
        /// Any bytes, read in any two pieces: no panic, the same keys.
        #[test]
        fn any_bytes_split_anywhere_give_the_same_keys(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            cut in 0usize..64,
        ) {
            let cut = cut.min(bytes.len());
            let mut p = Parser::default();
            let mut split = p.feed(&bytes[..cut]);
            split.extend(p.feed(&bytes[cut..]));
            split.extend(p.flush());
            // A cut inside an escape sequence may end it early only if the
            // first piece ended with a lone ESC that was flushed; feed never
            // flushes, so the keys are the same.
            proptest::prop_assert_eq!(split, keys(&bytes));
        }
    }

    #[test]
    fn utf8_characters_even_split_across_reads() {
        assert_eq!(
            keys("é€😀".as_bytes()),
            [Key::Char('é'), Key::Char('€'), Key::Char('😀')]
        );
        let mut p = Parser::default();
        let bytes = "ü".as_bytes();
        assert_eq!(p.feed(&bytes[..1]), []);
        assert_eq!(p.feed(&bytes[1..]), [Key::Char('ü')]);
        // Broken UTF-8 is skipped, never a panic.
        assert_eq!(keys(&[0xff, b'a']), [Key::Other, Key::Char('a')]);
        assert_eq!(keys(&[0xc3, b'a']), [Key::Other, Key::Char('a')]);
        assert_eq!(keys(&[0xe2, 0x82]), [Key::Other]);
    }
}
