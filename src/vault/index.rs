//! The fast read path: find one account in vault plaintext without
//! building every account.
//!
//! `otp code` at 1,000 accounts must stay within a few milliseconds, and a
//! full TOML parse into structs costs ~2.5 ms of that (see
//! shared/notes/dependencies.md). The vault is written by us in a fixed
//! layout, so [`scan`] reads only the `id`, `issuer` and `name` of each
//! `[[accounts]]` table, QUERY is resolved on those, and only the chosen
//! table is parsed. Anything unexpected (hand edits, multi-line strings,
//! inline tables, another schema version) makes [`scan`] return `None` and
//! the caller parses the whole file: the fast path can only be absent,
//! never different.
//!
//! [`find_streaming`] does the same while the vault is being decrypted, one
//! piece at a time, so `otp code` never holds the whole plaintext and its
//! memory does not grow with the vault. A piece in which the query's bytes
//! do not occur cannot hold an answer (`Absent`): only its table headers
//! are read, so most of the vault is searched, not parsed.

use std::borrow::Cow;
use std::io::Read;

use serde::Deserialize;

use super::{Match, Named, Query, classify, resolve};
use crate::error::Fail;
use crate::model::Account;
use zeroize::Zeroizing;

/// The head of one `[[accounts]]` table.
#[derive(Debug, PartialEq, Eq)]
pub struct Header<'a> {
    pub id: Cow<'a, str>,
    pub issuer: Cow<'a, str>,
    pub name: Cow<'a, str>,
    /// The table's text, from its `[[accounts]]` line to the next table.
    pub block: &'a str,
}

impl Named for Header<'_> {
    fn id(&self) -> &str {
        &self.id
    }
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// Outcome of a fast lookup.
pub enum Lookup {
    Found(Box<Account>),
    /// The query matched nothing or too much (exit 3/4, as the full path would).
    Refused(Fail),
    /// The file is not in the layout `scan` reads: parse it fully.
    Fallback,
}

/// Resolves QUERY on vault plaintext, parsing only the chosen account.
///
/// When the answer is an error (no match, or several), the headers are
/// collected and [`resolve`] words it, so messages and suggestions are the
/// same as on the full path.
pub fn find(text: &str, query: &str) -> Lookup {
    let mut picker = Picker::new(query);
    if scan_each(text, |header| picker.offer(&header)).is_none() {
        return Lookup::Fallback;
    }
    match picker.pick() {
        Some(block) => parse_one(&block).map_or(Lookup::Fallback, |a| Lookup::Found(Box::new(a))),
        None => match scan(text).map(|all| resolve(&all, query)) {
            Some(Err(fail)) => Lookup::Refused(fail),
            _ => Lookup::Fallback,
        },
    }
}

/// The size of one read of [`find_streaming`]: a quarter of age's chunk,
/// small enough to stay in cache and to touch few fresh pages.
const PIECE: usize = 16 << 10;
/// The least free room for a read.
const MIN_ROOM: usize = 4 << 10;
/// The longest single account table [`find_streaming`] holds before it
/// gives the file to the full path.
const MAX_CARRY: usize = 1 << 20;

/// [`find`] on plaintext as it is decrypted, holding one piece of it at a
/// time instead of the whole vault: `Some` when exactly one account answers
/// QUERY; `None` for everything else (no match, several, a layout [`scan`]
/// does not read), which the caller sends down the full path to be worded
/// or parsed. Errors are the reader's (a damaged file).
///
/// Pieces end at a line end; an account table still open at the end of a
/// piece is carried over and read again, whole, with the next one.
pub fn find_streaming(
    mut input: impl Read,
    size_hint: usize,
    query: &str,
) -> std::io::Result<Option<Account>> {
    let mut picker = Picker::new(query);
    let absent = Absent::new(&picker.prepared);
    let mut state = ScanState::default();
    // `buf[..len]` is the text not yet scanned; the buffer is sized to the
    // vault, up to one piece, so a small vault touches little memory.
    let mut buf = Zeroizing::new(vec![0u8; size_hint.clamp(MIN_ROOM, PIECE + MIN_ROOM)]);
    let mut len = 0;
    loop {
        if buf.len() - len < MIN_ROOM {
            if len > MAX_CARRY {
                return Ok(None);
            }
            // Grown by hand so the old buffer is wiped, not just freed;
            // doubled, so a long table is not copied once per piece, up to
            // room for the longest table held.
            let size = (len + PIECE)
                .max(2 * buf.len())
                .min(MAX_CARRY + PIECE + MIN_ROOM);
            let mut bigger = Zeroizing::new(vec![0u8; size]);
            bigger[..len].copy_from_slice(&buf[..len]);
            buf = bigger;
        }
        let n = loop {
            match input.read(&mut buf[len..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        let last = n == 0;
        let end = if last {
            len
        } else {
            let new = len;
            len += n;
            match memchr::memrchr(b'\n', &buf[new..len]) {
                Some(i) => new + i + 1,
                None => continue,
            }
        };
        let piece = &buf[..end];
        // Most pieces hold no account that can answer: those only have
        // their tables followed, not their lines read.
        let resume =
            if state.section != Section::Top && absent.as_ref().is_some_and(|a| a.from(piece)) {
                follow_tables(piece, &mut state, last)
            } else {
                let Ok(text) = std::str::from_utf8(piece) else {
                    return Ok(None);
                };
                scan_lines(text, &mut state, last, |header| picker.offer(&header))
            };
        let Some(resume) = resume else {
            return Ok(None);
        };
        if last {
            break;
        }
        buf.copy_within(resume..len, 0);
        len -= resume;
    }
    Ok(picker.pick().and_then(|block| parse_one(&block)))
}

/// Tells the pieces of vault text in which no account can answer a query.
///
/// An account answers only if the lower-cased query is part of its issuer
/// or its name, or is its id (see [`classify`]). When the lower-cased query
/// is ASCII without `:`, a piece that is ASCII and has no `\` holds its
/// labels and ids as they are written, so a piece in which the query does
/// not occur, ignoring ASCII case, holds no answer. (`:` could join an
/// issuer to a name; an escape or a non-ASCII letter could spell the query
/// with other bytes.) The search looks for the query's rarest byte, in both
/// cases, and compares around each hit.
struct Absent {
    query: Vec<u8>,
    /// Where in `query` the byte searched for is.
    at: usize,
}

/// Bytes of a vault in otp's layout, commonest first (keys, quotes,
/// timestamps, base32 secrets); letters in lower case. A byte not listed is
/// taken to be rarer than all of them.
const COMMON: &[u8] = b" t\n\"e=20c1dr:aoispu-3z6h4g5n8l7[]m9yfbjvwxkq";

impl Absent {
    fn new(prepared: &Query) -> Option<Absent> {
        let query = prepared.lower.as_bytes();
        if query.is_empty() || !prepared.ascii || prepared.colon {
            return None;
        }
        let rank = |b: u8| {
            COMMON
                .iter()
                .position(|&c| c == b.to_ascii_lowercase())
                .unwrap_or(COMMON.len())
        };
        // The rarest byte; of equally rare ones, the first.
        let at = (0..query.len()).max_by_key(|&i| (rank(query[i]), usize::MAX - i))?;
        Some(Absent {
            query: query.to_vec(),
            at,
        })
    }

    /// Whether `piece` certainly holds no account that answers the query.
    fn from(&self, piece: &[u8]) -> bool {
        if !piece.is_ascii() || memchr::memchr(b'\\', piece).is_some() {
            return false;
        }
        let (q, at) = (&self.query[..], self.at);
        let found = |p: usize| {
            p >= at
                && piece
                    .get(p - at..p - at + q.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(q))
        };
        let b = q[at];
        if b.is_ascii_alphabetic() {
            !memchr::memchr2_iter(b, b.to_ascii_uppercase(), piece).any(found)
        } else {
            !memchr::memchr_iter(b, piece).any(found)
        }
    }
}

/// [`scan_lines`] for a piece in which no account answers the query: only
/// its table headers are read, to know the section at its end and where
/// the account table still open there starts (the next piece starts with
/// it). Headers the scan does not know send the file down the full path,
/// as [`scan_lines`] would. The piece is ASCII ([`Absent::from`]).
fn follow_tables(piece: &[u8], state: &mut ScanState, last: bool) -> Option<usize> {
    if has_multiline_string(piece) {
        return None;
    }
    // A piece in an account table starts with that table's header.
    let mut open = matches!(state.section, Section::Account | Section::AccountSub).then_some(0);
    for p in memchr::memchr_iter(b'[', piece) {
        // Only a `[` that starts a line (after spaces or tabs) opens a table.
        let start = piece[..p]
            .iter()
            .rposition(|&b| !matches!(b, b' ' | b'\t'))
            .map_or(0, |i| i + 1);
        if start > 0 && piece[start - 1] != b'\n' {
            continue;
        }
        let end = memchr::memchr(b'\n', &piece[p..]).map_or(piece.len(), |n| p + n);
        // ASCII: every cut is a char boundary.
        let table = Table::of(std::str::from_utf8(&piece[p..end]).ok()?)?;
        match table {
            Table::Account => open = Some(start),
            Table::AccountSub => {
                open?;
            }
            Table::Trash => open = None,
        }
        state.section = table.section();
    }
    if last {
        return state.version_ok.then_some(piece.len());
    }
    Some(open.unwrap_or(piece.len()))
}

/// Resolution while scanning: keeps the tables of the accounts that match
/// (usually one), and picks as [`resolve`] does.
struct Picker<'q> {
    query: &'q str,
    prepared: Query,
    by_id: Option<Zeroizing<String>>,
    exact: Vec<Zeroizing<String>>,
    partial: Vec<Zeroizing<String>>,
}

impl<'q> Picker<'q> {
    fn new(query: &'q str) -> Self {
        Picker {
            query,
            prepared: Query::new(query),
            by_id: None,
            exact: Vec::new(),
            partial: Vec::new(),
        }
    }

    fn offer(&mut self, header: &Header<'_>) {
        if self.by_id.is_some() {
            return;
        }
        let keep = || Zeroizing::new(header.block.to_string());
        if header.id == self.query {
            self.by_id = Some(keep());
            return;
        }
        match classify(&header.issuer, &header.name, &self.prepared) {
            Match::Exact => self.exact.push(keep()),
            Match::Partial => self.partial.push(keep()),
            Match::None => {}
        }
    }

    /// The one chosen table, or None when the query is an error.
    fn pick(mut self) -> Option<Zeroizing<String>> {
        if let Some(block) = self.by_id {
            return Some(block);
        }
        let mut hits = if self.exact.is_empty() {
            self.partial
        } else {
            std::mem::take(&mut self.exact)
        };
        (hits.len() == 1).then(|| hits.remove(0))
    }
}

/// Parses one `[[accounts]]` table.
fn parse_one(block: &str) -> Option<Account> {
    #[derive(Deserialize)]
    struct One {
        accounts: Vec<Account>,
    }
    match toml::from_str::<One>(block) {
        Ok(mut one) if one.accounts.len() == 1 => Some(one.accounts.remove(0)),
        _ => None,
    }
}

/// Whitespace around keys and values: TOML's, plus the `\r` of CRLF.
fn is_toml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// `text` without the whitespace around it ([`is_toml_space`]).
fn trim_toml(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_toml_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_toml_space(b))
        .map_or(start, |i| i + 1);
    // Only ASCII bytes were cut: both ends are char boundaries.
    &text[start..end]
}

/// Whether `bytes` may hold a multi-line string (`"""` or `'''`), which
/// could hide a fake table header or make a real one text: neither scan
/// reads such a file.
fn has_multiline_string(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"\"\"\"").is_some()
        || memchr::memmem::find(bytes, b"'''").is_some()
}

/// The tables [`scan_lines`] reads past; any other sends the file down the
/// full path.
#[derive(Clone, Copy)]
enum Table {
    /// `[[accounts]]`
    Account,
    /// `[accounts.…]` or `[[accounts.…]]`, inside the account before it
    AccountSub,
    /// `[[trash]]`, `[trash.…]` or `[[trash.…]]`
    Trash,
}

impl Table {
    /// The table a header line (from its `[`) opens.
    fn of(line: &str) -> Option<Table> {
        let head = if line == "[[accounts]]" {
            line
        } else {
            trim_toml(line.split_once('#').map_or(line, |(h, _)| h))
        };
        if head == "[[accounts]]" {
            Some(Table::Account)
        } else if head.starts_with("[[accounts.") || head.starts_with("[accounts.") {
            Some(Table::AccountSub)
        } else if head == "[[trash]]" || head.starts_with("[trash.") || head.starts_with("[[trash.")
        {
            Some(Table::Trash)
        } else {
            None
        }
    }

    fn section(self) -> Section {
        match self {
            Table::Account => Section::Account,
            Table::AccountSub => Section::AccountSub,
            Table::Trash => Section::Other,
        }
    }
}

#[derive(PartialEq)]
enum Section {
    Top,
    Account,
    AccountSub,
    Other,
}

/// What the first byte of a line can start, for [`scan_lines`].
const NOT_OURS: u8 = 1;
const TABLE: u8 = 2;
const ACCOUNT_KEY: u8 = 4;
const TOP_KEY: u8 = 8;
const FIRST_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = NOT_OURS;
    t[b'\'' as usize] = NOT_OURS;
    t[b']' as usize] = NOT_OURS;
    t[b'[' as usize] = TABLE;
    t[b'i' as usize] = ACCOUNT_KEY;
    t[b'n' as usize] = ACCOUNT_KEY;
    t[b'v' as usize] = TOP_KEY;
    t[b'a' as usize] = TOP_KEY;
    t[b't' as usize] = TOP_KEY;
    t
};

impl Section {
    /// The kinds of line that matter in this section.
    fn wants(&self) -> u8 {
        NOT_OURS
            | TABLE
            | match self {
                Section::Top => TOP_KEY,
                Section::Account => ACCOUNT_KEY,
                Section::AccountSub | Section::Other => 0,
            }
    }
}

/// An `[[accounts]]` table being read.
struct Pending<'a> {
    start: usize,
    id: Option<Cow<'a, str>>,
    issuer: Cow<'a, str>,
    name: Cow<'a, str>,
}

impl<'a> Pending<'a> {
    fn close(self, text: &'a str, end: usize) -> Option<Header<'a>> {
        Some(Header {
            id: self.id?,
            issuer: self.issuer,
            name: self.name,
            block: &text[self.start..end],
        })
    }
}

/// The account headers, or `None` when the text is not in our layout.
pub fn scan(text: &str) -> Option<Vec<Header<'_>>> {
    let mut headers = Vec::new();
    scan_each(text, |h| headers.push(h))?;
    Some(headers)
}

/// Calls `visit` with each account header in order; `None` when the text
/// is not in our layout (some headers may have been visited by then).
pub fn scan_each<'a>(text: &'a str, visit: impl FnMut(Header<'a>)) -> Option<()> {
    scan_lines(text, &mut ScanState::default(), true, visit).map(|_| ())
}

/// What [`scan_lines`] carries from one piece of the text to the next.
struct ScanState {
    section: Section,
    version_ok: bool,
}

impl Default for ScanState {
    fn default() -> Self {
        ScanState {
            section: Section::Top,
            version_ok: false,
        }
    }
}

/// [`scan_each`] on one piece of the text, which ends at a line end unless
/// it is the `last`. Returns where the next piece must start: the
/// `[[accounts]]` line of a table still open at the end of this one (it is
/// read again, whole, from there), or the end.
fn scan_lines<'a>(
    text: &'a str,
    state: &mut ScanState,
    last: bool,
    mut visit: impl FnMut(Header<'a>),
) -> Option<usize> {
    // This runs over the whole vault on every `otp code`, so it works on
    // bytes: a SIMD search for triple quotes, line ends found as a bit mask
    // per 64 bytes, and most lines dismissed by a table lookup on their
    // first byte without being sliced or trimmed.
    let bytes = text.as_bytes();
    if has_multiline_string(bytes) {
        return None;
    }
    let mut current: Option<Pending<'_>> = None;
    let mut newlines = Newlines::new(bytes);
    let mut line_start = 0usize;
    while line_start <= bytes.len() {
        let start = line_start;
        let end = newlines.next().unwrap_or(bytes.len());
        line_start = end + 1;
        // Indentation is spaces and tabs; `p` is the line's first other byte.
        let mut p = start;
        while p < end && matches!(bytes[p], b' ' | b'\t') {
            p += 1;
        }
        if p == end {
            continue;
        }
        let first = bytes[p];
        // Only keys that can matter are looked at: `id`, `issuer`, `name` in
        // an account; `version`, `accounts`, `trash` at the top. Quoted keys,
        // or the rest of a multi-line array, are not our layout. Most lines
        // are dismissed here by one table lookup (comments, `\r` and blank
        // lines among them).
        let class = FIRST_BYTE[usize::from(first)];
        if class & state.section.wants() == 0 {
            continue;
        }
        if class & NOT_OURS != 0 {
            return None;
        }
        if first == b'[' {
            // `p` and `end` sit next to ASCII bytes: both are char boundaries.
            let table = Table::of(&text[p..end])?;
            match table {
                Table::Account => {
                    if let Some(done) = current.take() {
                        visit(done.close(text, start)?);
                    }
                    current = Some(Pending {
                        start,
                        id: None,
                        issuer: Cow::Borrowed(""),
                        name: Cow::Borrowed(""),
                    });
                }
                Table::AccountSub => {
                    current.as_ref()?;
                }
                Table::Trash => {
                    if let Some(done) = current.take() {
                        visit(done.close(text, start)?);
                    }
                }
            }
            state.section = table.section();
            continue;
        }
        // A bare key (TOML's `A-Za-z0-9_-`), then `=`. Anything else (a
        // dotted or quoted key, a key with no value) is not our layout.
        let key_end = bytes[p..end]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            .map_or(end, |n| p + n);
        let mut eq = key_end;
        while eq < end && matches!(bytes[eq], b' ' | b'\t') {
            eq += 1;
        }
        if eq == end || bytes[eq] != b'=' {
            return None;
        }
        let key = &bytes[p..key_end];
        // `eq` and `end` sit next to ASCII bytes: both are char boundaries.
        let value = || trim_toml(&text[eq + 1..end]);
        match (&state.section, current.as_mut()) {
            (Section::Top, _) => match key {
                b"version" => state.version_ok = strip_comment(value()) == "1",
                // An empty array is written inline (`trash = []`); anything
                // else inline is a layout we do not scan.
                b"accounts" | b"trash" if strip_comment(value()) != "[]" => return None,
                _ => {}
            },
            (Section::Account, Some(p)) => match key {
                b"id" => p.id = Some(parse_string(value())?),
                b"issuer" => p.issuer = parse_string(value())?,
                b"name" => p.name = parse_string(value())?,
                _ => {}
            },
            _ => {}
        }
    }
    if !last {
        return Some(current.map_or(text.len(), |open| open.start));
    }
    if !state.version_ok {
        return None;
    }
    if let Some(done) = current.take() {
        visit(done.close(text, text.len())?);
    }
    Some(text.len())
}

/// The positions of the `\n` bytes of a text, in order, found 64 bytes at
/// a time: vault lines are short, and a search call per line costs more
/// than the line.
struct Newlines<'a> {
    bytes: &'a [u8],
    /// Where the block in `mask` starts, and where the next one does.
    block: usize,
    next_block: usize,
    /// One bit per byte of the block (bit `i` for byte `i`) that is a `\n`
    /// not yet returned.
    mask: u64,
}

impl<'a> Newlines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Newlines {
            bytes,
            block: 0,
            next_block: 0,
            mask: 0,
        }
    }
}

/// The high bit of each byte of `word` equal to `byte`, exactly (no carries
/// between bytes).
#[inline]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // Bytes equal to `byte` become zero; then only zero bytes keep their
    // high bit clear in `(x & LOW7) + LOW7`, and `| x` rules out the rest.
    let x = word ^ u64::from_ne_bytes([byte; 8]);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Whether `bytes` hold a `"` or a `\`, eight bytes at a time.
fn has_quote_or_backslash(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut found = 0;
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        found |= bytes_equal(w, b'"') | bytes_equal(w, b'\\');
    }
    found != 0 || words.remainder().iter().any(|&b| b == b'"' || b == b'\\')
}

/// The `\n` bytes of a 64-byte block as a bit mask, eight bytes at a time.
#[inline]
fn newline_bits(block: &[u8; 64]) -> u64 {
    let mut bits = 0;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let high = bytes_equal(u64::from_le_bytes(w), b'\n');
        // Shifted down, byte i holds its flag in bit 8i; times the constant,
        // flag i lands on bit 56 + i, and the top byte is the eight flags
        // (`newline_bits_packs_every_pattern` checks all 256).
        let packed = ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        bits |= packed << (8 * k);
    }
    bits
}

impl Iterator for Newlines<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let rest = self
                .bytes
                .get(self.next_block..)
                .filter(|r| !r.is_empty())?;
            self.mask = match rest.first_chunk::<64>() {
                Some(block) => newline_bits(block),
                None => {
                    let mut block = [0u8; 64];
                    block[..rest.len()].copy_from_slice(rest);
                    newline_bits(&block)
                }
            };
            self.block = self.next_block;
            self.next_block += 64;
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.block + i)
    }
}

fn strip_comment(value: &str) -> &str {
    trim_toml(value.split_once('#').map_or(value, |(v, _)| v))
}

/// A TOML basic ("…") or literal ('…') one-line string, with an optional
/// trailing comment; `None` for anything else.
fn parse_string(value: &str) -> Option<Cow<'_, str>> {
    // Most common case, as otp writes it: the whole value is a basic string
    // with no escapes.
    let bytes = value.as_bytes();
    if let [b'"', inner @ .., b'"'] = bytes
        && !has_quote_or_backslash(inner)
    {
        // The quotes are ASCII: both cuts are char boundaries.
        return Some(Cow::Borrowed(&value[1..value.len() - 1]));
    }
    // Common case, no allocation: a basic string with no escapes, then
    // perhaps a comment. (Names are short: a plain loop beats a search call.)
    if bytes.first() == Some(&b'"') {
        let close = bytes[1..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\')
            .map(|i| i + 1);
        if let Some(close) = close
            && bytes[close] == b'"'
        {
            let rest = trim_toml(&value[close + 1..]);
            return (rest.is_empty() || rest.starts_with('#'))
                .then_some(Cow::Borrowed(&value[1..close]));
        }
    }
    parse_escaped(value).map(Cow::Owned)
}

/// The general case of [`parse_string`].
fn parse_escaped(value: &str) -> Option<String> {
    let mut chars = value.char_indices();
    let (_, quote) = chars.next()?;
    let mut out = String::new();
    let end;
    if quote == '\'' {
        let close = value[1..].find('\'')? + 1;
        out.push_str(&value[1..close]);
        end = close + 1;
    } else if quote == '"' {
        let mut found = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    found = Some(i + 1);
                    break;
                }
                '\\' => {
                    let (_, e) = chars.next()?;
                    match e {
                        'b' => out.push('\u{8}'),
                        't' => out.push('\t'),
                        'n' => out.push('\n'),
                        'f' => out.push('\u{c}'),
                        'r' => out.push('\r'),
                        'e' => out.push('\u{1b}'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let n = if e == 'u' { 4 } else { 8 };
                            let hex: String = (0..n)
                                .map(|_| chars.next().map(|(_, c)| c))
                                .collect::<Option<_>>()?;
                            out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        }
                        _ => return None,
                    }
                }
                c => out.push(c),
            }
        }
        end = found?;
    } else {
        return None;
    }
    let rest = trim_toml(&value[end..]);
    (rest.is_empty() || rest.starts_with('#')).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};
    use crate::vault::{Trashed, Vault};
    use proptest::prelude::*;
    use time::OffsetDateTime;

    fn vault_with(labels: &[(String, String)]) -> Vault {
        vault_with_trash(labels, true)
    }

    fn vault_with_trash(labels: &[(String, String)], trash: bool) -> Vault {
        let mut v = Vault::new(vec!["age1abc".into()]);
        for (i, (issuer, name)) in labels.iter().enumerate() {
            let token = Token::totp(Secret::new(vec![(i % 250) as u8 + 1; 10]));
            let mut e = Entry::new(issuer.clone(), name.clone(), token);
            e.note = Some(format!("note {i}"));
            v.accounts.push(Account::from_entry(
                e,
                format!("id{i:06}"),
                OffsetDateTime::UNIX_EPOCH,
            ));
        }
        let t = Token::totp(Secret::new(vec![9; 10]));
        let a = Account::from_entry(
            Entry::new("Trash", "old", t),
            "trash001".into(),
            OffsetDateTime::UNIX_EPOCH,
        );
        if trash {
            v.trash.push(Trashed {
                deleted: OffsetDateTime::UNIX_EPOCH,
                account: a,
            });
        }
        v
    }

    /// A reader that hands out its data in pieces of the given sizes, in turn.
    struct Pieces<'a> {
        data: &'a [u8],
        sizes: Vec<usize>,
        next: usize,
    }

    impl<'a> Pieces<'a> {
        fn of(text: &'a str, sizes: Vec<usize>) -> Self {
            Pieces {
                data: text.as_bytes(),
                sizes,
                next: 0,
            }
        }
    }

    impl std::io::Read for Pieces<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let size = self.sizes[self.next % self.sizes.len()];
            self.next += 1;
            let n = size.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn streaming_carries_tables_across_pieces() {
        let labels: Vec<(String, String)> = (0..600)
            .map(|i| (format!("Svc{i}"), format!("user{i}")))
            .collect();
        let v = vault_with(&labels);
        let text = v.to_toml();
        assert!(text.len() > 2 * (64 << 10), "{}", text.len());
        for sizes in [vec![1], vec![7, 300], vec![PIECE], vec![100_000]] {
            let reader = Pieces::of(&text, sizes);
            let found = find_streaming(reader, text.len(), "svc599:USER599").unwrap();
            assert_eq!(found.as_ref(), Some(&v.accounts[599]));
        }
        let reader = Pieces::of(&text, vec![999]);
        assert_eq!(
            find_streaming(reader, 0, "vc59").unwrap(),
            None,
            "ambiguous"
        );
        let reader = Pieces::of(&text, vec![999]);
        assert_eq!(find_streaming(reader, 0, "nothing").unwrap(), None);
    }

    #[test]
    fn skipped_pieces_carry_their_open_table() {
        // Names only (no `:`), so pieces without the name are skipped, and
        // reads of many sizes split the wanted table at every line.
        let labels: Vec<(String, String)> = (0..300)
            .map(|i| (format!("Svc{i}"), format!("user{i:04}")))
            .collect();
        let v = vault_with(&labels);
        let text = v.to_toml();
        for sizes in [vec![1], vec![7, 300], vec![61], vec![97, 13], vec![PIECE]] {
            for i in (0..300).step_by(23) {
                let reader = Pieces::of(&text, sizes.clone());
                let found = find_streaming(reader, 0, &format!("USER{i:04}")).unwrap();
                assert_eq!(found.as_ref(), Some(&v.accounts[i]), "{sizes:?} {i}");
            }
        }
    }

    #[test]
    fn streaming_holds_a_long_table_up_to_its_limit() {
        let labels = vec![("A".to_string(), "a".to_string()); 3];
        for (note, found) in [(5 * PIECE, true), (2 * MAX_CARRY, false)] {
            let mut v = vault_with(&labels);
            v.accounts[1].issuer = "Long".into();
            v.accounts[1].note = Some("n".repeat(note));
            let text = v.to_toml();
            let reader = Pieces::of(&text, vec![PIECE / 3]);
            let got = find_streaming(reader, text.len(), "long").unwrap();
            // Over the limit the full path takes the file (`None` here).
            assert_eq!(
                got.as_ref(),
                found.then_some(&v.accounts[1]),
                "note of {note} bytes"
            );
        }
    }

    fn absent(query: &str) -> Option<Absent> {
        Absent::new(&Query::new(query))
    }

    #[test]
    fn absent_is_sure_only_where_no_label_can_answer() {
        let piece = b"[[accounts]]\nid = \"ab12cd34\"\nissuer = \"Microsoft Azure\"\nname = \"me\"\nsecret = \"JBSWY3DPEHPK3PXP\"\n";
        assert!(!absent("azure").unwrap().from(piece), "in the issuer");
        assert!(!absent("AZURE").unwrap().from(piece), "any case");
        assert!(!absent("ab12cd34").unwrap().from(piece), "the id");
        assert!(absent("github").unwrap().from(piece));
        assert!(absent("zz").unwrap().from(piece));
        // Hits outside labels are hits too: the piece is read.
        assert!(!absent("jbswy").unwrap().from(piece));
        assert!(!absent("issuer").unwrap().from(piece));
        // An escape or a non-ASCII letter could spell the query otherwise.
        assert!(!absent("github").unwrap().from(b"name = \"\\u0067ithub\"\n"));
        assert!(
            !absent("k")
                .unwrap()
                .from("name = \"\u{212a}\"\n".as_bytes())
        );
        // Queries whose matches need more than their bytes: never sure.
        assert!(
            absent("microsoft azure:me").is_none(),
            "':' joins issuer and name"
        );
        assert!(absent("é").is_none());
        assert!(absent("").is_none());
        // The Kelvin sign lower-cases to ASCII `k`, and is matched as `k`.
        assert!(!absent("\u{212a}").unwrap().from(b"name = \"Key\"\n"));
    }

    #[test]
    fn the_rarest_query_byte_is_searched() {
        let a = absent("svc00001").unwrap();
        assert_eq!(a.query[a.at], b'v');
        let a = absent("2fa").unwrap();
        assert_eq!(a.query[a.at], b'f');
        // Hits at the very start and end of a piece.
        assert!(!absent("svc").unwrap().from(b"svc"));
        assert!(!absent("vc").unwrap().from(b"x = 1\nsvc"));
        assert!(absent("svcx").unwrap().from(b"svc"));
    }

    #[test]
    fn tables_are_followed_in_pieces_without_answers() {
        let mut state = ScanState {
            section: Section::Account,
            version_ok: true,
        };
        // The piece starts with its open table; a later one stays open.
        let piece = b"[[accounts]]\nid = \"a\"\ntags = [\"x\"]\n  [[accounts]] # b\nid = \"b\"\n";
        assert_eq!(follow_tables(piece, &mut state, false), Some(35));
        assert!(state.section == Section::Account);
        let piece = b"[[accounts]]\nid = \"b\"\n[accounts.extra]\nx = 1\n[[trash]]\nid = \"c\"\n";
        assert_eq!(follow_tables(piece, &mut state, false), Some(piece.len()));
        assert!(state.section == Section::Other);
        // A sub-table keeps its account open.
        state.section = Section::Account;
        let piece = b"[[accounts]]\nid = \"b\"\n[accounts.extra]\nx = 1\n";
        assert_eq!(follow_tables(piece, &mut state, false), Some(0));
        assert!(state.section == Section::AccountSub);
        // Headers the scan does not read, or a multi-line string: full path.
        for odd in [
            &b"[[accounts]]\n[weird]\n"[..],
            b"[[accounts]]\nx = [\n[1, 2],\n]\n",
            b"[[accounts]]\n[[ accounts ]]\n",
            b"[[accounts]]\nnote = '''\n[[accounts]]\n'''\n",
        ] {
            state.section = Section::Account;
            let text = String::from_utf8_lossy(odd);
            assert_eq!(follow_tables(odd, &mut state, false), None, "{text}");
        }
        state.section = Section::Other;
        let sub = b"[accounts.x]\n";
        assert_eq!(follow_tables(sub, &mut state, false), None, "no account");
        // The last piece checks the version, as `scan_lines` does.
        state.version_ok = false;
        assert_eq!(follow_tables(b"x = 1\n", &mut state, true), None);
    }

    #[test]
    fn empty_trash_and_empty_vault_take_the_fast_path() {
        let v = vault_with_trash(&[("GitHub".into(), "alice".into())], false);
        let text = v.to_toml();
        assert!(text.contains("trash = []"), "{text}");
        assert!(matches!(find(&text, "github"), Lookup::Found(_)));
        let empty = Vault::new(vec!["age1abc".into()]).to_toml();
        assert!(matches!(find(&empty, "x"), Lookup::Refused(_)));
    }

    #[test]
    fn string_forms() {
        assert_eq!(
            parse_string(r#""a\"b\\c\u00e9""#).as_deref(),
            Some("a\"b\\cé")
        );
        assert_eq!(
            parse_string("'lit\\eral' # c").as_deref(),
            Some("lit\\eral")
        );
        assert_eq!(parse_string("\"x\" y"), None);
        assert_eq!(parse_string("42"), None);
    }

    #[test]
    fn finds_the_same_account_as_a_full_parse() {
        let v = vault_with(&[
            ("GitHub".into(), "alice".into()),
            ("Microsoft Azure".into(), "me".into()),
        ]);
        let text = v.to_toml();
        match find(&text, "azure") {
            Lookup::Found(a) => assert_eq!(*a, v.accounts[1]),
            _ => panic!("fast path not taken"),
        }
        assert!(
            matches!(find(&text, "old"), Lookup::Refused(_)),
            "trash is not searched"
        );
    }

    #[test]
    fn unusual_layouts_fall_back() {
        assert!(scan("version = 1\naccounts = [{ id = \"x\" }]\n").is_none());
        assert!(scan("version = 2\n").is_none());
        assert!(scan("version = 1\n[[accounts]]\n\"id\" = \"x\"\n").is_none());
        assert!(
            scan("version = 1\n[[accounts]]\nissuer = \"x\"\n").is_none(),
            "no id"
        );
        assert!(scan("version = 1\n[weird]\n").is_none());
        // A multi-line string or array that could hide a fake table header.
        let fake = "version = 1\n[[accounts]]\nid = \"a\"\nnote = \"\"\"\n[[accounts]]\nid = \"fake\"\n\"\"\"\n";
        assert!(scan(fake).is_none());
        assert!(scan(&fake.replace("\"\"\"", "'''")).is_none());
        let array = "version = 1\n[[accounts]]\nid = \"a\"\ntags = [\n  \"x\",\n]\n";
        assert!(scan(array).is_none());
        let inline =
            "version = 1\n[[accounts]]\nid = \"a\"\ntags = [\"\"\"x\n[[accounts]]\n\"\"\"]\n";
        assert!(scan(inline).is_none());
    }

    #[test]
    fn newline_bits_packs_every_pattern() {
        for pattern in 0u64..256 {
            for word in 0..8 {
                let mut block = [b'a'; 64];
                for i in 0..8 {
                    if pattern >> i & 1 == 1 {
                        block[8 * word + i] = b'\n';
                    }
                }
                assert_eq!(newline_bits(&block), pattern << (8 * word), "{pattern:08b}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The fast path resolves every query exactly as the full parse does.
        #[test]
        fn agrees_with_full_parse(
            labels in proptest::collection::vec(("[a-zA-Z :\"\\\\'é\u{202e}#=\\[\\]]{0,8}", "[a-z :@\"'\n]{0,8}"), 0..6),
            query in "[a-zA-Z: ]{0,4}|id00000[0-6]",
            trash in any::<bool>(),
        ) {
            let v = vault_with_trash(&labels, trash);
            let text = v.to_toml();
            let full = resolve(&v.accounts, &query);
            match find(&text, &query) {
                Lookup::Found(a) => prop_assert_eq!(Some(&*a), full.ok().map(|i| &v.accounts[i])),
                Lookup::Refused(f) => prop_assert_eq!(Some(f.code), full.err().map(|f| f.code)),
                Lookup::Fallback => {}
            }
        }

        /// Read in pieces of any size, the vault gives what `find` gives.
        #[test]
        fn streaming_agrees_with_find(
            labels in proptest::collection::vec(("[a-zA-Z :\"#=\\[\\]é]{0,8}", "[a-z :@\"'\n]{0,8}"), 0..12),
            query in "[a-zA-Z: ]{0,4}|id00000[0-9]",
            trash in any::<bool>(),
            pieces in proptest::collection::vec(1usize..400, 1..8),
        ) {
            let text = vault_with_trash(&labels, trash).to_toml();
            let reader = Pieces::of(&text, pieces);
            let streamed = find_streaming(reader, 0, &query).unwrap();
            let whole = match find(&text, &query) {
                Lookup::Found(a) => Some(*a),
                _ => None,
            };
            prop_assert_eq!(streamed, whole);
        }

        /// Vaults whose pieces are mostly skipped (ASCII labels), read in
        /// pieces of any size, give what a full parse gives, also with lines
        /// a hand edit could add.
        #[test]
        fn skipping_agrees_with_full_parse(
            labels in proptest::collection::vec(("[a-zA-Z0-9 .@_-]{0,10}", "[a-z0-9.@_]{0,10}"), 0..40),
            query in "[a-zA-Z0-9.]{1,3}|id0000[0-3][0-9]",
            trash in any::<bool>(),
            pieces in proptest::collection::vec(1usize..3000, 1..8),
            extra in proptest::option::of((0usize..2000, proptest::sample::select(vec![
                "\"tags\" = [\"x\"]",
                "  # [[accounts]]",
                "extra = [\n  \"a\",\n]",
                "[accounts.extra]\nk = 1",
                "[[trash]]\nid = \"t\"",
                "x = 1 # [weird]",
            ]))),
        ) {
            let v = vault_with_trash(&labels, trash);
            let mut text = v.to_toml();
            let edited = extra.is_some();
            if let Some((at, line)) = extra {
                // After a line of an account table, when there is one.
                let starts: Vec<usize> = text.match_indices("\nnote = ").map(|(i, _)| i + 1).collect();
                if let Some(&pos) = starts.get(at % starts.len().max(1)) {
                    text.insert_str(pos, &format!("{line}\n"));
                }
            }
            let reader = Pieces::of(&text, pieces);
            let streamed = find_streaming(reader, 0, &query).unwrap();
            // (An edit can make the vault invalid, as a table inside an
            // account does; only valid vaults are compared.)
            if let Ok(parsed) = Vault::parse(&text) {
                let full = parsed.find(&query).ok().map(|i| parsed.accounts[i].clone());
                // After a hand edit the fast path may decline (None); an
                // answer is the full one. On otp's own layout it answers.
                if streamed.is_some() || !edited {
                    prop_assert_eq!(streamed, full);
                }
            }
        }

        #[test]
        fn streaming_never_panics(text in any::<String>(), size in 1usize..300) {
            let reader = Pieces::of(&text, vec![size]);
            let _ = find_streaming(reader, text.len(), "a");
        }

        #[test]
        fn newlines_are_found_exactly(bytes in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(0x8a), Just(0x0b), Just(0x09), any::<u8>()], 0..300)
        ) {
            let expected: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b'\n').collect();
            prop_assert_eq!(Newlines::new(&bytes).collect::<Vec<_>>(), expected);
        }

        #[test]
        fn quotes_and_backslashes_are_found_exactly(bytes in proptest::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), Just(0xa2), Just(0xdc), Just(b'!'), any::<u8>()], 0..40)
        ) {
            let expected = bytes.iter().any(|&b| b == b'"' || b == b'\\');
            prop_assert_eq!(has_quote_or_backslash(&bytes), expected);
        }

        #[test]
        fn scan_never_panics(text in any::<String>()) {
            let _ = scan(&text);
        }
    }
}
