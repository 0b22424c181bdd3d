//! The fast read path of `otp code`: find one account in vault plaintext
//! without building every account.
//!
//! `otp code` at 1,000 accounts must stay within a few milliseconds, and a
//! full TOML parse into structs costs ~2.5 ms of that (bench/README.md). So the fast path reads only vaults in the
//! exact layout otp's own writer produces ([`Vault::to_toml`]), checking
//! every line of the file against that layout as it goes:
//!
//! - the keys of each table in the writer's order, one `key = value` per
//!   line (so no key is given twice, and no key sits inside an inline table
//!   or a multi-line array: those are not lines of the layout);
//! - only the tables the writer writes, in its order (`accounts = []` is
//!   never followed by `[[accounts]]`, a trashed account has its account);
//! - every value in the form the full parse accepts for its field: strings
//!   on one line without escapes or control characters, base32 secrets,
//!   known types and algorithms, integers in range, RFC 3339 dates that
//!   exist.
//!
//! Such a text is a vault [`Vault::parse`] accepts, and the `id`, `issuer`
//! and `name` read from its lines are the ones the full parse gives, so QUERY
//! resolves as [`Vault::find`] resolves it. The chosen account's table is
//! then parsed by the real TOML parser, and must say what the scan read.
//! Anything else sends `otp code` down the full parse: any other layout (a
//! hand edit, another TOML writer, a multi-line note, an escape), damage or
//! truncation, and every QUERY that does not pick exactly one account, so
//! that the full path words the error. The fast path can be absent, never
//! different.
//!
//! [`find_streaming`] does this while the vault is being decrypted, one
//! piece at a time, so `otp code` never holds the whole plaintext and its
//! memory does not grow with the vault.
//!
//! [`Vault::to_toml`]: crate::model::Vault::to_toml
//! [`Vault::parse`]: crate::model::Vault::parse
//! [`Vault::find`]: crate::model::Vault::find

use std::io::Read;

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::model::Account;
use crate::model::query::{Match, Named, Query, classify};

/// The head of one `[[accounts]]` table.
#[derive(PartialEq, Eq)]
pub struct Header<'a> {
    pub id: &'a str,
    pub issuer: &'a str,
    pub name: &'a str,
    /// The table's text, from its `[[accounts]]` line to the next table
    /// (secrets: not in `Debug`).
    pub block: &'a str,
}

impl std::fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Header")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Named for Header<'_> {
    fn id(&self) -> &str {
        self.id
    }
    fn issuer(&self) -> &str {
        self.issuer
    }
    fn name(&self) -> &str {
        self.name
    }
}

/// The account QUERY picks in vault plaintext, when the text is in otp's
/// own layout and exactly one account answers; `None` for everything else
/// (no match, several, another layout, a damaged text), which the caller
/// parses in full.
pub fn find(text: &str, query: &str) -> Option<Account> {
    let mut picker = Picker::new(query);
    scan_lines(text, &mut Layout::default(), true, |h| picker.offer(&h))?;
    picker.pick()
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
/// time instead of the whole vault. Errors are the reader's (a damaged
/// file).
///
/// Pieces end at a line end; an account table still open at the end of a
/// piece is carried over and read again, whole, with the next one.
pub fn find_streaming(
    mut input: impl Read,
    size_hint: usize,
    query: &str,
) -> std::io::Result<Option<Account>> {
    let mut picker = Picker::new(query);
    let mut layout = Layout::default();
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
        // Pieces end after a `\n`: a piece of UTF-8 text is UTF-8.
        let Ok(text) = std::str::from_utf8(&buf[..end]) else {
            return Ok(None);
        };
        let Some(resume) = scan_lines(text, &mut layout, last, |h| picker.offer(&h)) else {
            return Ok(None);
        };
        if last {
            break;
        }
        buf.copy_within(resume..len, 0);
        len -= resume;
    }
    Ok(picker.pick())
}

/// The account headers, or `None` when the text is not in otp's layout.
pub fn scan(text: &str) -> Option<Vec<Header<'_>>> {
    let mut headers = Vec::new();
    scan_lines(text, &mut Layout::default(), true, |h| headers.push(h))?;
    Some(headers)
}

/// An account that answers the query, kept while scanning.
struct Kept {
    id: String,
    issuer: String,
    name: String,
    block: Zeroizing<String>,
}

/// Resolution while scanning: keeps the tables of the accounts that match
/// (usually one), and picks as [`resolve`](crate::model::query::resolve) does.
struct Picker<'q> {
    query: &'q str,
    prepared: Query,
    by_id: Option<Kept>,
    exact: Vec<Kept>,
    partial: Vec<Kept>,
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
        let keep = || Kept {
            id: header.id.to_string(),
            issuer: header.issuer.to_string(),
            name: header.name.to_string(),
            block: Zeroizing::new(header.block.to_string()),
        };
        if header.id == self.query {
            self.by_id = Some(keep());
            return;
        }
        match classify(header.issuer, header.name, &self.prepared) {
            // Two are as many as a thousand: the full path words it.
            Match::Exact if self.exact.len() < 2 => self.exact.push(keep()),
            Match::Partial if self.partial.len() < 2 => self.partial.push(keep()),
            _ => {}
        }
    }

    /// The one chosen account, parsed by the TOML parser, when it is what
    /// the scan read; `None` when the query is not answered by exactly one.
    fn pick(mut self) -> Option<Account> {
        let kept = match self.by_id.take() {
            Some(kept) => kept,
            None => {
                let mut hits = if self.exact.is_empty() {
                    self.partial
                } else {
                    self.exact
                };
                if hits.len() != 1 {
                    return None;
                }
                hits.remove(0)
            }
        };
        let account = parse_one(&kept.block)?;
        (account.id == kept.id && account.issuer == kept.issuer && account.name == kept.name)
            .then_some(account)
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

/// The tables of otp's layout, in the order the writer puts them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Table {
    Top,
    /// `[[accounts]]`
    Account,
    /// `[[accounts.recovery_codes]]`
    AccountCode,
    /// `[[trash]]`
    Trash,
    /// `[trash.account]`
    TrashAccount,
    /// `[[trash.account.recovery_codes]]`
    TrashCode,
}

/// The table header lines of the layout.
const HEADERS: [(&[u8], Table); 5] = [
    (b"[[accounts]]", Table::Account),
    (b"[[accounts.recovery_codes]]", Table::AccountCode),
    (b"[[trash]]", Table::Trash),
    (b"[trash.account]", Table::TrashAccount),
    (b"[[trash.account.recovery_codes]]", Table::TrashCode),
];

/// The forms of value the layout holds, each a form the full parse
/// accepts for its field.
#[derive(Clone, Copy)]
enum Value {
    /// `1`, the schema version.
    One,
    /// An integer that fits a `u8` or a `u64`.
    U8,
    U64,
    /// A string on one line (see [`quoted`]).
    Str,
    /// A string of base32 that decodes to at least one byte.
    Secret,
    /// `"totp"`, `"hotp"` or `"steam"`.
    Kind,
    /// `"SHA1"`, `"SHA256"` or `"SHA512"`.
    Algorithm,
    /// `"YYYY-MM-DDTHH:MM:SSZ"`, a date that exists.
    Date,
    /// An array of strings on one line.
    Strings,
    /// `[]`
    Empty,
}

/// One `key = value` line of a table: the line's start and the value's form.
struct Field {
    key: &'static [u8],
    value: Value,
    /// Whether the writer always writes it (then the layout needs it).
    required: bool,
}

const fn field(key: &'static [u8], value: Value, required: bool) -> Field {
    Field {
        key,
        value,
        required,
    }
}

/// The fields of each table in the writer's order: the order of the
/// struct fields of `Vault`, `Account`, `RecoveryCode` and `Trashed`, with
/// `accounts` and `trash` written inline only when they are empty.
const TOP: &[Field] = &[
    // The tag line of an authenticated vault (src/model/auth.rs) comes
    // first; the fast path does not check it (`otp code` reads this
    // machine's own file).
    field(b"tag = ", Value::Str, false),
    field(b"version = ", Value::One, true),
    field(b"changes = ", Value::U64, true),
    field(b"vault_id = ", Value::Str, false),
    field(b"recipients = ", Value::Strings, true),
    field(b"recovery = ", Value::Str, false),
    field(b"recovery_revoked = ", Value::Date, false),
    field(b"key_file_recipient = ", Value::Str, false),
    field(b"last_drill = ", Value::Date, false),
    field(b"last_drill_result = ", Value::Str, false),
    field(b"auth_key = ", Value::Str, false),
    field(b"change_id = ", Value::Str, false),
    field(b"previous_change = ", Value::Str, false),
    field(b"versions = ", Value::Strings, false),
    field(b"key_file_hash = ", Value::Str, false),
    field(b"sheet_printed = ", Value::Date, false),
    field(b"sheet_drill = ", Value::Date, false),
    field(b"sheet_drill_result = ", Value::Str, false),
    field(b"accounts = ", Value::Empty, false),
    field(b"trash = ", Value::Empty, false),
];
/// The index of `accounts` and `trash` in [`TOP`].
const TOP_ACCOUNTS: u8 = 18;
const TOP_TRASH: u8 = 19;
const _: () = assert!(matches!(TOP[TOP_ACCOUNTS as usize].key, b"accounts = "));
const _: () = assert!(matches!(TOP[TOP_TRASH as usize].key, b"trash = "));
const ACCOUNT: &[Field] = &[
    field(b"id = ", Value::Str, true),
    field(b"issuer = ", Value::Str, true),
    field(b"name = ", Value::Str, true),
    field(b"secret = ", Value::Secret, true),
    field(b"type = ", Value::Kind, true),
    field(b"algorithm = ", Value::Algorithm, true),
    field(b"digits = ", Value::U8, true),
    field(b"period = ", Value::U64, true),
    field(b"counter = ", Value::U64, true),
    field(b"created = ", Value::Date, true),
    field(b"updated = ", Value::Date, true),
    field(b"note = ", Value::Str, false),
    field(b"tags = ", Value::Strings, false),
];
/// How many fields of [`ACCOUNT`] every account has: [`account_head`]
/// reads them.
#[cfg(test)]
const REQUIRED: usize = 11;
const CODE: &[Field] = &[
    field(b"code = ", Value::Str, true),
    field(b"added = ", Value::Date, true),
    field(b"used = ", Value::Date, false),
];
const TRASH: &[Field] = &[field(b"deleted = ", Value::Date, true)];

impl Table {
    fn fields(self) -> &'static [Field] {
        match self {
            Table::Top => TOP,
            Table::Account | Table::TrashAccount => ACCOUNT,
            Table::AccountCode | Table::TrashCode => CODE,
            Table::Trash => TRASH,
        }
    }

    /// Whether the layout lets table `next` follow this one.
    fn may_precede(self, next: Table, layout: &Layout) -> bool {
        use Table::*;
        match next {
            Account => matches!(self, Top | Account | AccountCode) && !layout.no_accounts,
            AccountCode => matches!(self, Account | AccountCode),
            // A trashed account needs its account table before the next.
            Trash => !matches!(self, Trash) && !layout.no_trash,
            TrashAccount => self == Trash,
            TrashCode => matches!(self, TrashAccount | TrashCode),
            Top => false,
        }
    }
}

/// Where the scan is in the layout; carried from one piece of the text to
/// the next.
#[derive(Clone, Copy)]
struct Layout {
    table: Table,
    /// The index in `table.fields()` of the next field allowed.
    next: u8,
    /// `accounts = []` / `trash = []` was written at the top: no such
    /// table may follow.
    no_accounts: bool,
    no_trash: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            table: Table::Top,
            next: 0,
            no_accounts: false,
            no_trash: false,
        }
    }
}

impl Layout {
    /// Whether the current table has every field it needs.
    fn complete(&self) -> bool {
        self.table.fields()[usize::from(self.next)..]
            .iter()
            .all(|f| !f.required)
    }
}

/// An `[[accounts]]` table being read.
struct Pending {
    /// Where its header line starts, and the layout before that line.
    start: usize,
    before: Layout,
    /// Where its `id`, `issuer` and `name` strings are.
    id: (usize, usize),
    issuer: (usize, usize),
    name: (usize, usize),
}

impl Pending {
    fn close(self, text: &str, end: usize) -> Header<'_> {
        // Every cut sits next to an ASCII quote or a line end.
        Header {
            id: &text[self.id.0..self.id.1],
            issuer: &text[self.issuer.0..self.issuer.1],
            name: &text[self.name.0..self.name.1],
            block: &text[self.start..end],
        }
    }
}

/// Reads one piece of the text in otp's layout, which ends at a line end
/// unless it is the `last`, calling `visit` with each account header.
/// Returns where the next piece must start: the `[[accounts]]` line of a
/// table still open at the end of this one (it is read again, whole, from
/// there), or the end; `None` when the text is not in the layout (some
/// headers may have been visited by then).
fn scan_lines<'a>(
    text: &'a str,
    layout: &mut Layout,
    last: bool,
    mut visit: impl FnMut(Header<'a>),
) -> Option<usize> {
    // This runs over the whole vault on every `otp code`: each byte is
    // looked at once, by the reader of the value it belongs to, which also
    // finds the line's end.
    let bytes = text.as_bytes();
    let mut open: Option<Pending> = None;
    let mut dates = Dates::default();
    let mut p = 0;
    while p < bytes.len() {
        let end = match bytes[p] {
            b'\n' => p,
            b'[' => {
                let &(header, table) = HEADERS.iter().find(|(h, _)| bytes[p..].starts_with(h))?;
                let end = line_end(bytes, p + header.len())?;
                if !(layout.complete() && layout.table.may_precede(table, layout)) {
                    return None;
                }
                if matches!(table, Table::Account | Table::Trash)
                    && let Some(done) = open.take()
                {
                    visit(done.close(text, p));
                }
                let before = *layout;
                layout.table = table;
                layout.next = 0;
                if matches!(table, Table::Account | Table::TrashAccount) {
                    // The lines every account starts with, read in one go.
                    let head = account_head(bytes, end, &mut dates)?;
                    layout.next = head.lines;
                    if table == Table::Account {
                        open = Some(Pending {
                            start: p,
                            before,
                            id: head.id,
                            issuer: head.issuer,
                            name: head.name,
                        });
                    }
                    head.end
                } else {
                    end
                }
            }
            _ => {
                // The next field the table allows that starts this line;
                // the fields skipped must be optional.
                let fields = layout.table.fields();
                let mut i = usize::from(layout.next);
                let field = loop {
                    let field = fields.get(i)?;
                    if bytes[p..].starts_with(field.key) {
                        break field;
                    }
                    if field.required {
                        return None;
                    }
                    i += 1;
                };
                let end = value(bytes, p + field.key.len(), field.value, &mut dates)?;
                // `i` < the length of a table's fields, all under 256.
                let i = i as u8;
                layout.next = i + 1;
                if layout.table == Table::Top {
                    layout.no_accounts |= i == TOP_ACCOUNTS;
                    layout.no_trash |= i == TOP_TRASH;
                }
                end
            }
        };
        p = end + 1;
    }
    if !last {
        return Some(match open {
            Some(account) => {
                *layout = account.before;
                account.start
            }
            None => bytes.len(),
        });
    }
    // The end of the file ends the last table: it too must be whole, and a
    // trashed account needs its account table.
    if !layout.complete() || layout.table == Table::Trash {
        return None;
    }
    if let Some(done) = open.take() {
        visit(done.close(text, bytes.len()));
    }
    Some(bytes.len())
}

/// The required lines of an account table (the first [`REQUIRED`] of
/// [`ACCOUNT`]), which the writer puts right after its header line.
struct Head {
    /// How many were read: fewer than [`REQUIRED`] when the text ends
    /// before them (a piece of it, or a truncated one).
    lines: u8,
    /// Where the `id`, `issuer` and `name` strings' text is.
    id: (usize, usize),
    issuer: (usize, usize),
    name: (usize, usize),
    /// The end of the last line read.
    end: usize,
}

/// Reads the lines every account starts with, after the header line that
/// ends at `end`, in a straight line: each must start with its key, in
/// order, and hold its value in the field's form (as [`value`] reads
/// them). Most of a vault is these lines.
#[inline]
fn account_head(bytes: &[u8], end: usize, dates: &mut Dates) -> Option<Head> {
    /// The line at `p` starts with `key` (a constant: compared inline),
    /// then its value (read by `read`,
    /// which returns its length) ends the line: the value's span (inside
    /// quotes, for a string) and the line's end.
    #[inline(always)]
    fn line(
        bytes: &[u8],
        p: usize,
        key: &'static [u8],
        read: impl FnOnce(&[u8]) -> Option<usize>,
    ) -> Option<((usize, usize), usize)> {
        if !bytes[p..].starts_with(key) {
            return None;
        }
        let at = p + key.len();
        let end = at + read(&bytes[at..])?;
        Some(((at + 1, end.saturating_sub(1)), line_end(bytes, end)?))
    }
    let mut head = Head {
        lines: 0,
        id: (0, 0),
        issuer: (0, 0),
        name: (0, 0),
        end,
    };
    macro_rules! next {
        ($key:expr, $read:expr) => {{
            let p = head.end + 1;
            if p >= bytes.len() {
                return Some(head);
            }
            let (span, end) = line(bytes, p, $key, $read)?;
            head.lines += 1;
            head.end = end;
            span
        }};
    }
    head.id = next!(ACCOUNT[0].key, quoted);
    head.issuer = next!(ACCOUNT[1].key, quoted);
    head.name = next!(ACCOUNT[2].key, quoted);
    next!(ACCOUNT[3].key, secret);
    next!(ACCOUNT[4].key, |r| value_len(r, Value::Kind));
    next!(ACCOUNT[5].key, |r| value_len(r, Value::Algorithm));
    next!(ACCOUNT[6].key, |r| integer(r, u8::MAX.into()));
    next!(ACCOUNT[7].key, |r| integer(r, u64::MAX));
    next!(ACCOUNT[8].key, |r| integer(r, u64::MAX));
    next!(ACCOUNT[9].key, |r| dates.read(r));
    next!(ACCOUNT[10].key, |r| dates.read(r));
    Some(head)
}

/// [`date`], remembering the last date it accepted: most dates of a vault
/// are the one before (`updated` is `created`; an import writes one time
/// for all), and comparing three words is cheaper than reading a date.
#[derive(Default)]
struct Dates {
    /// The date's 22 bytes as three (overlapping) words; zero for none.
    last: [u64; 3],
}

impl Dates {
    #[inline]
    fn read(&mut self, rest: &[u8]) -> Option<usize> {
        let d = rest.get(..22)?;
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&d[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let words = [word(0), word(8), word(14)];
        if words != self.last {
            date(d)?;
            self.last = words;
        }
        Some(22)
    }
}

/// `at` when a line ends there (a `\n`, or the end of the text); the text
/// of a piece other than the last ends with a `\n`.
#[inline]
fn line_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at) {
        None | Some(b'\n') => Some(at),
        Some(_) => None,
    }
}

/// The end of the line whose value, of the given form, starts at `at`, or
/// `None` when the rest of the line is not that form exactly.
fn value(bytes: &[u8], at: usize, form: Value, dates: &mut Dates) -> Option<usize> {
    let rest = &bytes[at..];
    let after = match form {
        Value::Date => dates.read(rest)?,
        _ => value_len(rest, form)?,
    };
    line_end(bytes, at + after)
}

/// The length of a value of the given form at the start of `rest`.
#[inline]
fn value_len(rest: &[u8], form: Value) -> Option<usize> {
    Some(match form {
        Value::One => literal(rest, b"1")?,
        Value::U8 => integer(rest, u8::MAX.into())?,
        Value::U64 => integer(rest, u64::MAX)?,
        Value::Str => quoted(rest)?,
        Value::Secret => secret(rest)?,
        Value::Kind => literal(rest, b"\"totp\"")
            .or_else(|| literal(rest, b"\"hotp\""))
            .or_else(|| literal(rest, b"\"steam\""))?,
        Value::Algorithm => literal(rest, b"\"SHA1\"")
            .or_else(|| literal(rest, b"\"SHA256\""))
            .or_else(|| literal(rest, b"\"SHA512\""))?,
        Value::Date => date(rest)?,
        Value::Strings => strings(rest)?,
        Value::Empty => literal(rest, b"[]")?,
    })
}

/// The length of `word` when `rest` starts with it.
#[inline]
fn literal(rest: &[u8], word: &[u8]) -> Option<usize> {
    rest.starts_with(word).then_some(word.len())
}

/// The length of a decimal integer up to `max` (TOML's form: no sign, no
/// leading zero, no `_`) at the start of `rest`.
fn integer(rest: &[u8], max: u64) -> Option<usize> {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || (digits > 1 && rest[0] == b'0') || digits > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in &rest[..digits] {
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    (n <= max).then_some(digits)
}

/// What may not stand inside a one-line string as the layout has it: the
/// closing quote, a `\` (an escape: the layout has none), and the control
/// characters TOML does not allow raw (all but tab), the line end among
/// them. Bit 1 for basic strings (`"…"`), bit 2 for literal ones (`'…'`);
/// [`BASE32`] for the letters of base32.
const STOP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        if b != b'\t' as usize {
            t[b] = 3;
        }
        b += 1;
    }
    t[0x7f] = 3;
    t[b'"' as usize] |= 1;
    t[b'\\' as usize] |= 1;
    t[b'\'' as usize] |= 2;
    // Not a stop: base32's letters, for [`secret`].
    let mut b = 0;
    while b < 256 {
        if (b >= b'A' as usize && b <= b'Z' as usize) || (b >= b'2' as usize && b <= b'7' as usize)
        {
            t[b] = BASE32;
        }
        b += 1;
    }
    t
};
const BASE32: u8 = 4;

/// The length of a one-line string with no escapes at the start of `rest`:
/// `"…"` or `'…'`. Its text is what is between the quotes.
#[inline]
fn quoted(rest: &[u8]) -> Option<usize> {
    let (quote, stop) = match rest.first()? {
        b'"' => (b'"', 1),
        b'\'' => (b'\'', 2),
        _ => return None,
    };
    let close = 1 + rest[1..]
        .iter()
        .position(|&b| STOP[usize::from(b)] & stop != 0)?;
    (rest[close] == quote).then_some(close + 1)
}

/// The length of a base32 secret string (`"JBSWY3DP…"`, upper case, no
/// padding) that decodes to at least one byte, at the start of `rest`.
fn secret(rest: &[u8]) -> Option<usize> {
    let (&b'"', body) = rest.split_first()? else {
        return None;
    };
    let n = body
        .iter()
        .take_while(|&&b| STOP[usize::from(b)] == BASE32)
        .count();
    // 1, 3 or 6 characters past a whole 8 are not whole bytes.
    let whole = n >= 2 && !matches!(n % 8, 1 | 3 | 6);
    (whole && body.get(n) == Some(&b'"')).then_some(n + 2)
}

/// The length of `"YYYY-MM-DDTHH:MM:SSZ"` at the start of `rest`, for a
/// date and time that exist (no leap second), as RFC 3339 writes them.
fn date(rest: &[u8]) -> Option<usize> {
    let d: &[u8; 22] = rest.get(..22)?.try_into().ok()?;
    let num = |from: usize, to: usize| {
        d[from..to].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let marks = d[0] == b'"'
        && d[5] == b'-'
        && d[8] == b'-'
        && d[11] == b'T'
        && d[14] == b':'
        && d[17] == b':'
        && d[20] == b'Z'
        && d[21] == b'"';
    if !marks {
        return None;
    }
    let (year, month, day) = (num(1, 5)?, num(6, 8)?, num(9, 11)?);
    let (hour, minute, second) = (num(12, 14)?, num(15, 17)?, num(18, 20)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    let ok = (1..=days).contains(&day) && hour < 24 && minute < 60 && second < 60;
    ok.then_some(22)
}

/// The length of an array of one-line strings, `[]` or `["a", 'b']` as the
/// writer puts them, at the start of `rest`.
fn strings(rest: &[u8]) -> Option<usize> {
    if rest.starts_with(b"[]") {
        return Some(2);
    }
    let mut at = 1;
    if rest.first() != Some(&b'[') {
        return None;
    }
    loop {
        at += quoted(&rest[at..])?;
        match rest.get(at)? {
            b',' if rest.get(at + 1) == Some(&b' ') => at += 2,
            b']' => return Some(at + 1),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::label::LOOK_ALIKE_PART;
    use crate::model::{Entry, RecoveryCode, Secret, Token};
    use crate::model::{Trashed, Vault};
    use proptest::prelude::*;
    use time::OffsetDateTime;

    #[test]
    fn header_debug_leaves_the_block_out() {
        let text = "version = 1\n\n[[accounts]]\nid = \"a\"\nissuer = \"I\"\nname = \"n\"\nsecret = \"JBSWY3DPEHPK3PXP\"\n";
        let h = Header {
            id: "a",
            issuer: "I",
            name: "n",
            block: &text[13..],
        };
        let shown = format!("{h:?}");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
        assert!(shown.contains("\"n\""), "{shown}");
    }

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

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(i, n)| (i.to_string(), n.to_string()))
            .collect()
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

    impl Read for Pieces<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let size = self.sizes[self.next % self.sizes.len()];
            self.next += 1;
            let n = size.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// What the fast path answers, whole and streamed in small pieces; the
    /// two must agree.
    fn fast(text: &str, query: &str) -> Option<Account> {
        let whole = find(text, query);
        let streamed = find_streaming(Pieces::of(text, vec![7, 300]), 0, query).unwrap();
        assert_eq!(whole, streamed, "whole and streamed differ for {query:?}");
        whole
    }

    /// The fast path is absent or gives what the full parse gives.
    fn assert_sound(text: &str, query: &str) {
        if let Some(found) = fast(text, query) {
            let full = Vault::parse(text).unwrap_or_else(|e| {
                panic!("the fast path answered on a vault the full parse refuses ({e:#}):\n{text}")
            });
            let i = full.find(query).unwrap_or_else(|e| {
                panic!("the fast path answered where the full path says {e:?}")
            });
            assert_eq!(
                found, full.accounts[i],
                "a different account for {query:?}:\n{text}"
            );
        }
    }

    /// Two accounts: A (`Bank:alice2`, id `aaaa0001`) and B (`Shop:bob`,
    /// id `bbbb0002`), B written first, so a fake label in B is met first.
    fn two() -> String {
        let mut v = vault_with(&labels(&[("Shop", "bob"), ("Bank", "alice2")]));
        v.accounts[0].id = "bbbb0002".into();
        v.accounts[1].id = "aaaa0001".into();
        v.to_toml()
    }

    /// `text` with `line` put after B's `note` line.
    fn in_b(text: &str, line: &str) -> String {
        text.replacen(
            "note = \"note 0\"\n",
            &format!("note = \"note 0\"\n{line}\n"),
            1,
        )
    }

    #[test]
    fn a_label_inside_a_multi_line_inline_table_is_not_read() {
        let text = in_b(&two(), "x = {\nname = \"alice\"\n}");
        assert_eq!(
            Vault::parse(&text).unwrap().accounts[1].name,
            "alice2",
            "TOML 1.1: the inline table is B's"
        );
        assert_sound(&text, "alice");
        assert_eq!(fast(&text, "alice"), None);
        let text = in_b(&two(), "x = {\nissuer = \"Bank\",\nname = \"alice2\"\n}");
        assert_sound(&text, "bank:alice2");
    }

    #[test]
    fn an_id_inside_a_multi_line_inline_table_is_not_read() {
        let text = in_b(&two(), "x = {\nid = \"aaaa0001\"\n}");
        assert_sound(&text, "aaaa0001");
        let text = in_b(&two(), "x = [\n{ id = \"aaaa0001\" },\n]");
        assert_sound(&text, "aaaa0001");
    }

    #[test]
    fn a_version_inside_a_table_does_not_make_a_vault_readable() {
        let text = two().replacen("version = 1\n", "meta = {\nversion = 1\n}\n", 1);
        assert!(Vault::parse(&text).is_err());
        assert_sound(&text, "alice2");
        let text = two().replacen("version = 1\n", "version = 2\nx = {\nversion = 1\n}\n", 1);
        assert!(Vault::parse(&text).is_err());
        assert_sound(&text, "alice2");
    }

    #[test]
    fn vaults_the_full_parse_refuses_get_no_answer() {
        let text = two();
        for (what, bad) in [
            ("duplicate key", in_b(&text, "issuer = \"Shop\"")),
            (
                "duplicate key in A",
                text.replace(
                    "name = \"alice2\"\n",
                    "name = \"alice2\"\nname = \"alice2\"\n",
                ),
            ),
            (
                "bad escape in B",
                text.replace("name = \"bob\"", "name = \"\\u+041bob\""),
            ),
            (
                "unknown escape in B",
                text.replace("name = \"bob\"", "name = \"b\\qob\""),
            ),
            (
                "accounts = [] then tables",
                text.replacen("changes = 0\n", "changes = 0\naccounts = []\n", 1),
            ),
            (
                "trash = [] then tables",
                text.replacen("changes = 0\n", "changes = 0\ntrash = []\n", 1),
            ),
            (
                "bad secret in B",
                text.replacen("secret = \"AEAQCAIBAEAQCAIB\"", "secret = \"AEAQCAIB1\"", 1),
            ),
            (
                "bad date in B",
                text.replacen(
                    "created = \"1970-01-01T00:00:00Z\"",
                    "created = \"1970-02-30T00:00:00Z\"",
                    1,
                ),
            ),
            (
                "bad trash",
                text.replace("deleted = \"1970-01-01T00:00:00Z\"", "deleted = 5"),
            ),
            ("no version", text.replacen("version = 1\n", "", 1)),
            (
                "missing secret",
                text.replacen("secret = \"AEAQCAIBAEAQCAIB\"\n", "", 1),
            ),
            (
                "digits too large",
                text.replacen("digits = 6", "digits = 256", 1),
            ),
        ] {
            assert!(
                Vault::parse(&bad).is_err(),
                "{what}: the full parse accepts it"
            );
            assert_eq!(fast(&bad, "alice2"), None, "{what}");
            assert_eq!(fast(&bad, "aaaa0001"), None, "{what}");
        }
    }

    #[test]
    fn a_truncated_or_damaged_text_gets_no_answer() {
        let text = two();
        // Cut at every line end and inside every line: the fast path answers
        // only where the cut leaves a whole vault (after a whole account).
        for cut in 0..text.len() {
            let part = &text[..cut];
            for query in ["alice2", "bob", "nobody"] {
                assert_sound(part, query);
            }
        }
        // A miss is never answered: the full path words it (or reports the damage).
        assert_eq!(fast(&text, "nobody"), None);
        assert_eq!(fast(&text, "b"), None, "ambiguous: Shop:bob, Bank:alice2");
    }

    #[test]
    fn otps_own_layout_takes_the_fast_path() {
        let mut v = vault_with(&labels(&[
            ("GitHub", "alice"),
            ("Q\"uote", "é ü \u{202e} 名前"),
            ("", "no issuer"),
            ("Tab here", "x"),
        ]));
        v.roles.recovery = Some("age1rec".into());
        v.roles.recovery_revoked = Some(OffsetDateTime::UNIX_EPOCH);
        v.roles.key_file_recipient = Some("age1abc".into());
        v.recipients.push("age1rec".into());
        v.accounts[0].tags = vec!["work".into(), "it's".into(), "say \"hi\"".into()];
        v.accounts[0].recovery_codes = vec![RecoveryCode {
            code: Zeroizing::new("abcd-efgh".into()),
            added: OffsetDateTime::UNIX_EPOCH,
            used: Some(OffsetDateTime::UNIX_EPOCH),
        }];
        v.accounts[1].kind = crate::model::Kind::Hotp;
        v.accounts[1].algorithm = crate::model::Algorithm::SHA512;
        v.accounts[1].counter = u64::MAX;
        v.accounts[2].kind = crate::model::Kind::Steam;
        v.trash[0].account.recovery_codes = v.accounts[0].recovery_codes.clone();
        let text = v.to_toml();
        for (query, i) in [
            ("github", 0),
            ("uote", 1),
            ("no issuer", 2),
            ("tab", 3),
            ("id000001", 1),
        ] {
            assert_eq!(
                fast(&text, query).as_ref(),
                Some(&v.accounts[i]),
                "{query}\n{text}"
            );
        }
        assert_eq!(scan(&text).map(|h| h.len()), Some(4));
        // Empty tables are written inline.
        let empty = vault_with_trash(&labels(&[("GitHub", "alice")]), false).to_toml();
        assert!(empty.contains("trash = []"), "{empty}");
        assert!(fast(&empty, "github").is_some());
        let none = Vault::new(vec!["age1abc".into()]).to_toml();
        assert_eq!(scan(&none).map(|h| h.len()), Some(0));
    }

    #[test]
    fn raw_unicode_in_strings_is_what_the_full_parse_reads() {
        // C1 controls, separators, BOM, non-characters: TOML allows them
        // raw; the fast path takes them as they are, as the full parse does.
        for c in [
            '\u{85}',
            '\u{9f}',
            '\u{a0}',
            '\u{2028}',
            '\u{feff}',
            '\u{fffe}',
            '\u{10ffff}',
        ] {
            let text = two().replacen("name = \"bob\"", &format!("name = \"bob{c}\""), 1);
            assert_sound(&text, "bob");
            assert!(fast(&text, "bob").is_some(), "{:?}", c);
        }
    }

    #[test]
    fn look_alike_queries_answer_as_the_full_path() {
        // Each label is written one way and queried another (NFD against
        // NFC, fullwidth, no-break or zero-width spaces, stray spaces,
        // full case folding, the issuer-less form of `issuer:name`).
        let v = vault_with(&labels(&[
            ("M\u{fc}ller Bank", "alice"),
            ("\u{ff27}\u{ff49}\u{ff54}\u{ff28}\u{ff55}\u{ff42}", "bob"),
            ("", "Shop:carol"),
            ("  Stra\u{df}e ", "\u{3a3}\u{399}\u{3a3}"),
            ("Zero", "d\u{200b}ave"),
        ]));
        let text = v.to_toml();
        for (query, at) in [
            ("mu\u{308}ller bank:ALICE", 0),
            ("m\u{fc}ller\u{a0}bank : alice", 0),
            ("github:bob", 1),
            ("GitHub", 1),
            ("shop : carol", 2),
            ("SHOP:CAROL", 2),
            ("strasse:\u{3c3}\u{3b9}\u{3c2}", 3),
            ("zero:dave", 4),
            ("DAVE", 4),
            ("da", 4),
        ] {
            assert_sound(&text, query);
            let found = fast(&text, query).unwrap_or_else(|| panic!("no answer for {query:?}"));
            assert_eq!(found, v.accounts[at], "{query:?}");
        }
    }

    #[test]
    fn other_layouts_fall_back() {
        let text = two();
        for (what, odd) in [
            ("CRLF", text.replace('\n', "\r\n")),
            ("comment", in_b(&text, "# hi")),
            (
                "indent",
                text.replace("name = \"alice2\"", "  name = \"alice2\""),
            ),
            (
                "spacing",
                text.replace("name = \"alice2\"", "name=\"alice2\""),
            ),
            (
                "quoted key",
                text.replace("name = \"alice2\"", "\"name\" = \"alice2\""),
            ),
            (
                "escape",
                text.replace("name = \"alice2\"", "name = \"\\u0061lice2\""),
            ),
            (
                "multi-line note",
                in_b(&text, "note = \"\"\"\n[[accounts]]\nid = \"fake\"\n\"\"\"").replacen(
                    "note = \"note 0\"\n",
                    "",
                    1,
                ),
            ),
            ("unknown key", in_b(&text, "x = 1")),
            ("inline table", in_b(&text, "x = { name = \"alice\" }")),
            (
                "order",
                text.replacen(
                    "issuer = \"Shop\"\nname = \"bob\"",
                    "name = \"bob\"\nissuer = \"Shop\"",
                    1,
                ),
            ),
            (
                "table after trash",
                format!(
                    "{text}\n[[accounts]]\n{}",
                    &text[text.find("id = \"aaaa0001\"").unwrap()..text.find("[[trash]]").unwrap()]
                ),
            ),
            ("BOM", format!("\u{feff}{text}")),
        ] {
            assert_ne!(text, odd, "{what}: the edit did not apply");
            assert_sound(&odd, "alice2");
            assert_eq!(fast(&odd, "alice2"), None, "{what}");
        }
    }

    #[test]
    fn the_chosen_table_must_say_what_the_scan_read() {
        let text = two();
        let mut picker = Picker::new("alice2");
        let headers = scan(&text).unwrap();
        // A header whose block is another account's: refused.
        let forged = Header {
            block: headers[0].block,
            ..headers[1]
        };
        picker.offer(&forged);
        assert_eq!(picker.pick(), None);
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

    #[test]
    fn the_account_head_is_the_required_fields() {
        assert!(ACCOUNT[..REQUIRED].iter().all(|f| f.required));
        assert!(ACCOUNT[REQUIRED..].iter().all(|f| !f.required));
        // Each line of the head in the form `value` reads for its field.
        let text = two();
        let start = text.find("[[accounts]]").unwrap();
        let end = start + "[[accounts]]".len();
        let head = account_head(text.as_bytes(), end, &mut Dates::default()).unwrap();
        assert_eq!(usize::from(head.lines), REQUIRED);
        let lines: Vec<&str> = text[end + 1..head.end].split('\n').collect();
        for (line, field) in lines.iter().zip(ACCOUNT) {
            let bytes = line.as_bytes();
            assert!(bytes.starts_with(field.key), "{line}");
            let end = value(bytes, field.key.len(), field.value, &mut Dates::default());
            assert_eq!(end, Some(bytes.len()), "{line}");
        }
        assert_eq!(&text[head.name.0..head.name.1], "bob");
    }

    #[test]
    fn value_forms() {
        assert_eq!(quoted(b"\"a'b\"\n"), Some(5));
        assert_eq!(quoted(b"'a\"b\\'"), Some(6));
        assert_eq!(quoted(b"\"a\\\"b\""), None, "escape");
        assert_eq!(quoted(b"\"a\tb\""), Some(5), "tab is allowed raw");
        assert_eq!(quoted(b"\"a\x7fb\""), None);
        assert_eq!(quoted(b"\"a\rb\""), None);
        assert_eq!(quoted(b"\"ab"), None, "unterminated");
        assert_eq!(integer(b"0", 255), Some(1));
        assert_eq!(integer(b"07", 255), None);
        assert_eq!(integer(b"255", 255), Some(3));
        assert_eq!(integer(b"256", 255), None);
        assert_eq!(integer(b"18446744073709551615", u64::MAX), Some(20));
        assert_eq!(integer(b"18446744073709551616", u64::MAX), None);
        assert_eq!(integer(b"-1", u64::MAX), None);
        assert_eq!(secret(b"\"JBSWY3DPEHPK3PXP\""), Some(18));
        for bad in [
            "\"\"",
            "\"A\"",
            "\"ABC\"",
            "\"ABCDEF\"",
            "\"JBSW1\"",
            "\"jbsw\"",
            "'JBSW'",
        ] {
            assert_eq!(secret(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(date(b"\"2024-02-29T23:59:59Z\""), Some(22));
        for bad in [
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01t00:00:00Z",
            "2024-01-01T00:00:00+00:00",
            "2024-01-00T00:00:00Z",
        ] {
            assert_eq!(date(format!("\"{bad}\"").as_bytes()), None, "{bad}");
        }
        assert_eq!(strings(b"[]"), Some(2));
        assert_eq!(strings(b"[\"a\", 'b\"']"), Some(11));
        assert_eq!(strings(b"[\"a\",'b']"), None);
        assert_eq!(strings(b"[\"a\", ]"), None);
        assert_eq!(strings(b"[\"a\""), None);
    }

    /// Hostile lines a hand edit or another TOML writer could add.
    const EDITS: &[&str] = &[
        "x = {\nname = \"NAME\"\n}",
        "x = {\nissuer = \"NAME\",\nname = \"NAME\"\n}",
        "x = {\nid = \"ID\"\n}",
        "x = [\n\"NAME\",\n{ name = \"NAME\" },\n]",
        "x = { name = \"NAME\" }",
        "name = \"NAME\"",
        "id = \"ID\"",
        "issuer = \"\\u+041\"",
        "name = \"\\u0041NAME\"",
        "note = \"\"\"\n[[accounts]]\nid = \"ID\"\n\"\"\"",
        "note = '''\nname = \"NAME\"\n'''",
        "accounts = []",
        "trash = []",
        "version = 1",
        "version = 2",
        "meta = {\nversion = 1\n}",
        "# [[accounts]]",
        "[[accounts]]",
        "[[accounts]]\nid = \"ID\"\nissuer = \"\"\nname = \"NAME\"",
        "[accounts.x]\ny = 1",
        "[[trash]]",
        "",
        "\"name\" = \"NAME\"",
        "tags = [\n\"x\"\n]",
    ];

    fn edited(text: &str, edits: &[(usize, usize, String, String)], cut: Option<usize>) -> String {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        for (at, which, name, id) in edits {
            let line = EDITS[which % EDITS.len()]
                .replace("NAME", name)
                .replace("ID", id);
            let at = at % (lines.len() + 1);
            lines.insert(at, line);
        }
        let mut text = lines.join("\n");
        if let Some(cut) = cut {
            let mut cut = cut % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        text
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// On any text (otp's layout with hostile edits, inline tables,
        /// arrays, unicode, escapes, cuts), the fast path answers only as
        /// the full parse does.
        #[test]
        fn fast_path_is_absent_or_equal_to_the_full_parse(
            labels in proptest::collection::vec(
                (
                    prop_oneof!["[a-cA-C :\"\\\\'é\u{202e}#=\\[\\]{},\t]{0,6}", LOOK_ALIKE_PART],
                    prop_oneof!["[a-c :@\"'\\\\\n\u{7f}é]{0,6}", LOOK_ALIKE_PART],
                ),
                0..6,
            ),
            query in prop_oneof!["[a-cA-C: é]{0,4}|id00000[0-6]", LOOK_ALIKE_PART],
            trash in any::<bool>(),
            edits in proptest::collection::vec(
                (any::<usize>(), any::<usize>(), "[a-c]{0,3}", "id00000[0-6]"), 0..3),
            cut in proptest::option::weighted(0.2, any::<usize>()),
        ) {
            let text = edited(&vault_with_trash(&labels, trash).to_toml(), &edits, cut);
            assert_sound(&text, &query);
        }

        /// On otp's own output with labels it writes as plain one-line
        /// strings, the fast path answers whenever the full path picks one.
        #[test]
        fn own_layout_answers_as_the_full_parse(
            labels in proptest::collection::vec(
                (
                    prop_oneof!["[a-cA-C :'é名#=\\[\\]{},]{0,6}", LOOK_ALIKE_PART],
                    prop_oneof!["[a-c :@\"é]{0,6}", LOOK_ALIKE_PART],
                ),
                0..8,
            ),
            query in prop_oneof!["[a-cA-C: é]{0,4}|id00000[0-7]", LOOK_ALIKE_PART],
            trash in any::<bool>(),
            pieces in proptest::collection::vec(1usize..400, 1..4),
        ) {
            let v = vault_with_trash(&labels, trash);
            let text = v.to_toml();
            let full = v.find(&query).ok().map(|i| v.accounts[i].clone());
            prop_assert_eq!(find(&text, &query), full.clone(), "{}", text);
            let streamed = find_streaming(Pieces::of(&text, pieces), 0, &query).unwrap();
            prop_assert_eq!(streamed, full);
        }

        #[test]
        fn dates_accepted_are_rfc_3339(
            y in 0u32..10000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, s in 0u32..62,
        ) {
            let text = format!("\"{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z\"");
            let real = OffsetDateTime::parse(&text[1..21], &time::format_description::well_known::Rfc3339);
            if date(text.as_bytes()).is_some() {
                prop_assert!(real.is_ok(), "{} {:?}", text, real);
            } else {
                prop_assert!(real.is_err() || s == 60 || y < 1, "{}", text);
            }
        }

        #[test]
        fn streaming_never_panics(text in any::<String>(), size in 1usize..300) {
            let reader = Pieces::of(&text, vec![size]);
            let _ = find_streaming(reader, text.len(), "a");
        }
    }
}
