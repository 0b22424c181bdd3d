//! `otp export --format sheet`: the paper emergency sheet, one
//! self-contained HTML page to print, and the check of what was read back
//! from photos or scans of it (`otp drill --sheet`).
//!
//! The page needs nothing from a network and runs no script: every QR code
//! is inline SVG, the style is one `<style>` element. Its print style fits
//! A4 and US Letter alike (186 mm by 255 mm inside 12 mm margins) and never
//! splits a code over two pages: each account is one unbreakable box.
//!
//! What it trusts: nothing on the page is markup from the vault. Labels and
//! recovery codes may have come from imported files (hostile until proven
//! otherwise), so every text is HTML-escaped, with control and bidi
//! characters shown as escapes ([`text::sanitize`]) so that paper shows the
//! characters the vault holds; the QR codes carry the exact labels.
//!
//! Everything here is pure: the accounts, the time and the batch id of the
//! Google Authenticator codes come in as arguments.

use std::collections::HashMap;

use time::OffsetDateTime;
use time::macros::format_description;
use zeroize::Zeroizing;

use crate::migration::{self, Warning};
use crate::model::{Account, Entry, Kind, label};
use crate::qr::{self, QrError};
use crate::text;

/// Millimetres per QR module on paper. Printed pages are read back from
/// scans and photos, which a reader first shrinks to about 1000 px for the
/// page's height (a 150 dpi scan of A4 is 1754 px): 1.2 mm modules are
/// then 4 px. At 0.6 mm and 1.0 mm a 150 dpi A4 scan of a 40-account sheet
/// lost codes (tests/sheet_print.rs).
const MODULE_MM: f64 = 1.2;
/// The smallest side of an account's code (quiet zone excluded).
const MIN_CODE_MM: f64 = 25.0;
/// Modules of quiet zone on each side of every code (`qr::to_svg`).
const QUIET: usize = 4;
/// A half-width card's inside (two cards and a 3 mm gap fill 186 mm).
const HALF_CARD_MM: f64 = 87.0;
/// A code this wide (quiet zone included) or narrower has its text beside it.
const BESIDE_MM: f64 = 66.0;
/// A code this wide or narrower in a full-width card has its text beside it
/// (in 45 mm).
const WIDE_BESIDE_MM: f64 = 135.0;
/// The widest code a full-width card holds (quiet zone included).
const WIDEST_CODE_MM: f64 = 176.0;

/// The break-glass recovery key to print with the sheet.
pub struct RecoveryKey<'a> {
    /// The identity line, `AGE-SECRET-KEY-1…`.
    pub identity: &'a str,
    /// Its public key, `age1…`.
    pub recipient: &'a str,
}

/// What goes on the sheet.
pub struct Input<'a> {
    pub accounts: &'a [Account],
    pub vault_id: &'a str,
    pub at: OffsetDateTime,
    /// Shared by the Google Authenticator codes of this sheet.
    pub batch_id: i32,
    pub recovery_key: Option<RecoveryKey<'a>>,
}

/// The page, and the accounts its Google Authenticator codes cannot hold
/// (each still has its own code on the page, and is named under the
/// Google Authenticator codes).
pub struct Sheet {
    pub html: Zeroizing<String>,
    pub left_out: Vec<Warning>,
    /// How many Google Authenticator codes the page holds.
    pub migration_codes: usize,
}

/// Print rules: the page is made of blocks (rows of cards, a heading kept
/// with the row after it, paragraphs), and rows and cards are never split
/// over two pages. A heading never ends a page: it shares one unbreakable
/// block with the first row it heads (`break-after: avoid` alone does not
/// hold in Chromium when inline boxes follow).
const STYLE: &str = r#"
@page { margin: 12mm; }
* { box-sizing: border-box; }
html { background: #fff; color: #000; font: 9.5pt/1.3 "DejaVu Sans", "Liberation Sans", "Noto Sans", Arial, "Noto Sans CJK JP", sans-serif; }
body { margin: 0 auto; width: 186mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 4mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 1.5mm; }
code, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", "Courier New", monospace; }
.warning { border: 0.5mm solid #000; padding: 2mm; font-weight: bold; }
table.facts { border-collapse: collapse; margin: 2mm 0; }
table.facts th { text-align: left; padding: 0.5mm 4mm 0.5mm 0; }
table.facts td { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; }
ol.howto { margin: 0 0 2mm; padding-left: 5mm; }
ol.howto li { margin-bottom: 1mm; }
.keep, .row, .card, .recovery { break-inside: avoid; page-break-inside: avoid; }
.row { display: flex; gap: 3mm; margin: 0 0 3mm; }
.card { flex: 0 0 91.5mm; padding: 2mm; border: 0.3mm solid #aaa; overflow: hidden; }
.card.wide { flex-basis: 186mm; }
.card .qr { margin: 0 0 1mm; }
.card.beside .qr { float: left; margin: 0 2mm 0 0; }
.card.beside { font-size: 8.5pt; }
.card.beside .issuer { font-size: 9.5pt; }
.card.beside .secret { font-size: 8.5pt; word-spacing: 0; }
.qr svg { display: block; width: 100%; height: 100%; }
.label { overflow-wrap: anywhere; }
.issuer { font-weight: bold; font-size: 11pt; }
.secret { font-family: "DejaVu Sans Mono", "Liberation Mono", "Courier New", monospace; font-size: 9.5pt;
  word-spacing: 0.3em; overflow-wrap: anywhere; }
.params { font-size: 8.5pt; }
.codes { clear: both; font-size: 8.5pt; }
.codes ul { margin: 0.5mm 0 0; padding: 0; list-style: none; columns: 2; }
.codes li { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; }
.codes li.used s { color: #555; }
.migration { break-before: page; page-break-before: always; }
.mcode p { font-size: 8pt; overflow-wrap: anywhere; }
.left-out { font-size: 8.5pt; overflow-wrap: anywhere; }
.recovery { border: 0.5mm solid #000; padding: 2mm; margin-top: 4mm; }
.recovery .qr { float: right; margin: 0 0 1mm 2mm; }
.recovery pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 9pt; }
@media screen { body { margin: 8mm auto; } }
"#;

/// One card of the page (an account, or a Google Authenticator code).
struct Card {
    html: Zeroizing<String>,
    /// Takes the page's width (its code is too wide for half of it).
    wide: bool,
}

/// The emergency sheet for `input`.
pub fn render(input: &Input<'_>) -> Result<Sheet, QrError> {
    let n = input.accounts.len();
    let mut html = Zeroizing::new(String::with_capacity(4096 + n * 8192));
    html.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>otp emergency sheet</title>\n<style>",
    );
    html.push_str(STYLE);
    html.push_str("</style>\n</head>\n<body>\n");
    header(&mut html, input);
    let cards = input
        .accounts
        .iter()
        .map(card)
        .collect::<Result<Vec<_>, _>>()?;
    html.push_str("<section class=\"accounts\">");
    rows(&mut html, &format!("<h2>Accounts ({n})</h2>\n"), &cards);
    html.push_str("</section>\n");
    let (left_out, migration_codes) = migration_section(&mut html, input)?;
    if let Some(key) = &input.recovery_key {
        recovery_section(&mut html, key)?;
    }
    html.push_str("</body>\n</html>\n");
    Ok(Sheet {
        html,
        left_out,
        migration_codes,
    })
}

/// `cards` in rows of two half-width cards or one wide card, in order
/// but for a half-width card waiting for the next one to share its row
/// (wide cards between them come first), `head` (a heading, its
/// paragraphs) in one unbreakable block with the first row: a heading
/// never ends a page.
fn rows(html: &mut String, head: &str, cards: &[Card]) {
    let mut rows: Vec<Vec<&Card>> = Vec::new();
    let mut waiting: Option<usize> = None;
    for c in cards {
        if c.wide {
            rows.push(vec![c]);
        } else if let Some(i) = waiting.take() {
            rows[i].push(c);
        } else {
            waiting = Some(rows.len());
            rows.push(vec![c]);
        }
    }
    html.push_str("<div class=\"keep\">");
    html.push_str(head);
    if rows.is_empty() {
        html.push_str("</div>\n");
    }
    for (i, row) in rows.iter().enumerate() {
        html.push_str("<div class=\"row\">");
        for c in row {
            html.push_str(&c.html);
        }
        html.push_str("</div>");
        if i == 0 {
            html.push_str("</div>");
        }
        html.push('\n');
    }
}

/// A code's box: `width` mm square (quiet zone included).
fn qr_box(html: &mut String, svg: &str, width: f64) {
    html.push_str(&format!(
        "<div class=\"qr\" style=\"width:{width:.1}mm;height:{width:.1}mm\">"
    ));
    html.push_str(svg);
    html.push_str("</div>");
}

/// The printed width of a code of `side` modules (quiet zone included):
/// [`MODULE_MM`] modules, at least [`MIN_CODE_MM`] without the quiet zone,
/// at most [`WIDEST_CODE_MM`].
fn code_mm(side: usize) -> f64 {
    let module = MODULE_MM.max(MIN_CODE_MM / side.saturating_sub(2 * QUIET).max(1) as f64);
    (side as f64 * module).min(WIDEST_CODE_MM)
}

/// The card's class for a code `width` mm wide: half the page's width or
/// all of it, the text beside the code when there is room.
fn card_class(width: f64) -> (&'static str, bool) {
    if width <= BESIDE_MM {
        ("card beside", false)
    } else if width <= HALF_CARD_MM {
        ("card", false)
    } else if width <= WIDE_BESIDE_MM {
        ("card wide beside", true)
    } else {
        ("card wide", true)
    }
}

fn header(html: &mut String, input: &Input<'_>) {
    let stamp = input
        .at
        .to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default();
    html.push_str(&format!(
        "<h1>otp emergency sheet</h1>\n\
         <p class=\"warning\">Every secret on this sheet is in the clear: whoever holds it can \
         sign in as you wherever a one-time code is asked for. Keep it where you keep a passport, \
         not beside the computer; shred it when you print a new one.</p>\n\
         <table class=\"facts\">\
         <tr><th>Printed</th><td>{}</td></tr>\
         <tr><th>Vault</th><td>{}</td></tr>\
         <tr><th>Accounts</th><td>{}</td></tr></table>\n",
        escape(&stamp),
        escape(input.vault_id),
        input.accounts.len()
    ));
    html.push_str(
        "<h2>To restore from this sheet</h2>\n<ol class=\"howto\">\
         <li><b>With otp:</b> photograph or scan every page, then on any machine \
         <code>otp init</code> (if it has no vault yet) and \
         <code>otp import page-1.jpg page-2.jpg …</code> with all the pictures. \
         Every account comes back from its own code; <code>otp list</code> shows them.</li>\
         <li><b>With a phone:</b> in Google Authenticator, Transfer accounts → Import accounts, \
         then scan the codes under “Google Authenticator” in order. Any authenticator app \
         can scan the code of one account.</li>\
         <li><b>By hand:</b> <code>otp add NAME --issuer ISSUER</code> (with <code>--hotp</code>, \
         <code>--steam</code>, <code>--digits</code>, <code>--period</code> or \
         <code>--algorithm</code> as its card says) and type the secret when asked; \
         the spaces do not matter.</li>\
         <li><b>To check this sheet:</b> <code>otp drill --sheet page-1.jpg page-2.jpg …</code> \
         proves the pictures hold every account the vault has now, with the same secret.</li>\
         </ol>\n",
    );
}

/// One account: its code, label, parameters, secret and recovery codes.
fn card(a: &Account) -> Result<Card, QrError> {
    let uri = Zeroizing::new(crate::uri::format(&a.to_entry()));
    let (svg, side) = qr::to_svg(&uri)?;
    let svg = Zeroizing::new(svg);
    let width = code_mm(side);
    let (class, wide) = card_class(width);
    let mut html = Zeroizing::new(String::with_capacity(svg.len() + 1024));
    html.push_str(&format!("<div class=\"{class}\">"));
    qr_box(&mut html, &svg, width);
    html.push_str("<div class=\"label\">");
    match (a.issuer.is_empty(), a.name.is_empty()) {
        (false, false) => html.push_str(&format!(
            "<p class=\"issuer\">{}</p><p class=\"name\">{}</p>",
            shown(&a.issuer),
            shown(&a.name)
        )),
        (false, true) => html.push_str(&format!("<p class=\"issuer\">{}</p>", shown(&a.issuer))),
        _ => html.push_str(&format!("<p class=\"issuer\">{}</p>", shown(&a.name))),
    }
    html.push_str("</div>");
    html.push_str(&format!("<p class=\"params\">{}</p>", params(a)));
    html.push_str("<p class=\"secret\">");
    html.push_str(&grouped(&a.secret.to_base32()));
    html.push_str("</p>");
    if !a.recovery_codes.is_empty() {
        let used = a.recovery_codes.iter().filter(|c| c.used.is_some()).count();
        html.push_str(&format!(
            "<div class=\"codes\"><p>Recovery codes ({} unused, {used} used, struck through):</p><ul>",
            a.recovery_codes.len() - used
        ));
        for c in &a.recovery_codes {
            match c.used {
                Some(t) => html.push_str(&format!(
                    "<li class=\"used\"><s>{}</s> used {}</li>",
                    shown(&c.code),
                    t.date()
                )),
                None => html.push_str(&format!("<li>{}</li>", shown(&c.code))),
            }
        }
        html.push_str("</ul></div>");
    }
    html.push_str("</div>");
    Ok(Card { html, wide })
}

/// "TOTP · SHA1 · 6&nbsp;digits · every 30&nbsp;s" and the like, as HTML (names and
/// numbers only: nothing from the vault to escape).
fn params(a: &Account) -> String {
    match a.kind {
        Kind::Totp => format!(
            "TOTP · {} · {}&nbsp;digits · every {}&nbsp;s",
            a.algorithm, a.digits, a.period
        ),
        Kind::Hotp => format!(
            "HOTP · {} · {}&nbsp;digits · next counter&nbsp;{}",
            a.algorithm, a.digits, a.counter
        ),
        Kind::Steam => format!(
            "Steam Guard · {}&nbsp;characters · every {}&nbsp;s",
            a.digits, a.period
        ),
        Kind::Yandex => format!(
            "Yandex.Key · {}&nbsp;letters · every {}&nbsp;s · needs its PIN",
            a.digits, a.period
        ),
        Kind::Motp => format!(
            "mOTP · {}&nbsp;hex digits · every {}&nbsp;s · needs its PIN",
            a.digits, a.period
        ),
    }
}

/// Base32 in groups of four: `ABCD EFGH IJ`. The copy is wiped on drop.
fn grouped(base32: &str) -> Zeroizing<String> {
    let base32 = Zeroizing::new(base32.to_string());
    let mut out = Zeroizing::new(String::with_capacity(base32.len() * 5 / 4 + 1));
    for (i, c) in base32.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Google Authenticator codes, each named with the accounts it holds, and
/// the accounts they cannot hold (named before the codes, with the
/// section's heading). Returns those and the number of codes.
fn migration_section(
    html: &mut String,
    input: &Input<'_>,
) -> Result<(Vec<Warning>, usize), QrError> {
    let entries: Vec<Entry> = input.accounts.iter().map(Account::to_entry).collect();
    // As Google batches (ten a code), fewer when a code would not fit the
    // page's width at the sheet's module size.
    let mut per_code = migration::DEFAULT_PER_CODE;
    let (uris, left_out, codes) = loop {
        let (uris, left_out) = migration::encode(&entries, per_code, input.batch_id);
        let codes = uris
            .iter()
            .map(|u| qr::to_svg(u).map(|(svg, side)| (Zeroizing::new(svg), side)))
            .collect::<Result<Vec<_>, _>>()?;
        let fits = codes
            .iter()
            .all(|(_, side)| *side as f64 * MODULE_MM <= WIDEST_CODE_MM);
        if fits || per_code == 1 {
            break (uris, left_out, codes);
        }
        per_code -= 1;
    };
    let total = uris.len();
    if total == 0 && left_out.is_empty() {
        return Ok((left_out, 0));
    }
    let mut head = format!(
        "<h2>Google Authenticator ({total} code{})</h2>\n\
         <p>For a phone: Transfer accounts → Import accounts, and scan these in order. \
         <code>otp import</code> reads them too.</p>\n",
        if total == 1 { "" } else { "s" }
    );
    if !left_out.is_empty() {
        // Grouped by why: a vault of many Steam accounts names them in a
        // few lines.
        let mut why: Vec<(&str, Vec<String>)> = Vec::new();
        for w in &left_out {
            let message = w.message.strip_prefix("left out: ").unwrap_or(&w.message);
            match why.iter_mut().find(|(m, _)| *m == message) {
                Some((_, labels)) => labels.push(shown(&w.label)),
                None => why.push((message, vec![shown(&w.label)])),
            }
        }
        head.push_str(&format!(
            "<div class=\"left-out\"><p><b>Not in these codes</b> ({} account{}: Google \
             Authenticator cannot hold them; restore them from their own codes):</p><ul>",
            left_out.len(),
            if left_out.len() == 1 { "" } else { "s" }
        ));
        for (message, labels) in &why {
            head.push_str(&format!(
                "<li>{}: {}</li>",
                escape(message),
                labels.join(", ")
            ));
        }
        head.push_str("</ul></div>\n");
    }
    let mut cards = Vec::with_capacity(total);
    for (i, (uri, (svg, side))) in uris.iter().zip(&codes).enumerate() {
        let width = (*side as f64 * MODULE_MM).min(WIDEST_CODE_MM);
        let wide = width > HALF_CARD_MM;
        // The labels it holds, read back from the code itself.
        let uri = Zeroizing::new(uri.clone());
        let names: Vec<String> = migration::parse(&uri)
            .map(|b| b.parsed.entries.iter().map(|e| shown(&e.label())).collect())
            .unwrap_or_default();
        let mut card = Zeroizing::new(String::with_capacity(svg.len() + 512));
        card.push_str(if wide {
            "<div class=\"card wide mcode\">"
        } else {
            "<div class=\"card mcode\">"
        });
        qr_box(&mut card, svg, width);
        card.push_str(&format!(
            "<p><b>Code {} of {total}</b> ({} account{}): {}</p></div>",
            i + 1,
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ));
        cards.push(Card { html: card, wide });
    }
    html.push_str("<section class=\"migration\">");
    rows(html, &head, &cards);
    html.push_str("</section>\n");
    Ok((left_out, total))
}

fn recovery_section(html: &mut String, key: &RecoveryKey<'_>) -> Result<(), QrError> {
    let (svg, side) = qr::to_svg(key.identity)?;
    html.push_str("<section class=\"recovery\"><h2>Break-glass recovery key</h2>");
    qr_box(html, &Zeroizing::new(svg), code_mm(side));
    html.push_str(&format!(
        "<p>This key alone opens the vault and every encrypted backup made while it was \
         listed, even without the passphrase. To use it, type (or scan) the line below into a \
         file <code>key.txt</code>, then on any machine:</p>\
         <p><code>otp --identity key.txt recover BACKUP</code> restores a backup \
         (<code>otp backup</code>, <code>otp export</code>); \
         <code>age -d -i key.txt BACKUP</code> opens one without otp; \
         <code>otp --identity key.txt passwd</code> sets a new passphrase.</p>\
         <pre class=\"mono\">{}</pre><p>Public key: <code>{}</code></p></section>\n",
        escape(key.identity),
        escape(key.recipient)
    ));
    Ok(())
}

/// A text from the vault as it goes on paper: invisible and control
/// characters shown as escapes, then HTML-escaped.
fn shown(text: &str) -> String {
    escape(&text::sanitize(text))
}

/// HTML-escapes text for an element's content or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What reading a printed sheet back proved against the vault.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Proof {
    /// Accounts read back with an equal secret and parameters.
    pub proven: usize,
    /// Labels of accounts the pictures do not hold.
    pub missing: Vec<String>,
    /// Labels of accounts read back with another secret or other
    /// parameters, and what differs (never the secret itself).
    pub different: Vec<(String, String)>,
    /// Labels read back that the vault no longer has (removed or renamed
    /// since printing): not a failure, the sheet is only out of date.
    pub gone: Vec<String>,
}

impl Proof {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.different.is_empty()
    }
}

/// Checks every account of the vault against what was read back from a
/// sheet: its own code (`own`, the `otpauth://` codes) must hold the same
/// label (label identity) with an equal secret, type, algorithm, digits and
/// period; and where a Google Authenticator code (`google`) holds its
/// label, that must be equal too. An account only in a Google code is
/// missing: its box (its own code, its printed secret) is not on the
/// pictures. A HOTP counter is not compared: it moves on with every code
/// used after printing.
pub fn prove(accounts: &[Account], own: &[Entry], google: &[Entry]) -> Proof {
    let by_label = |entries: &[Entry]| {
        let mut map: HashMap<String, Vec<Entry>> = HashMap::new();
        for e in entries {
            map.entry(label::key(&e.issuer, &e.name))
                .or_default()
                .push(e.clone());
        }
        map
    };
    let (own_map, google_map) = (by_label(own), by_label(google));
    let mut proof = Proof::default();
    let mut known = std::collections::HashSet::new();
    for a in accounts {
        let key = label::key(&a.issuer, &a.name);
        let token = a.token();
        let differs = |found: &[Entry]| {
            (!found.iter().any(|e| e.token.same_generator(&token)))
                .then(|| difference(&token, &found[0].token))
        };
        match own_map.get(&key) {
            None => proof.missing.push(a.label()),
            Some(found) => match differs(found) {
                Some(what) => proof.different.push((a.label(), what)),
                None => match google_map.get(&key).and_then(|g| differs(g)) {
                    Some(what) => proof
                        .different
                        .push((a.label(), format!("its Google Authenticator code {what}"))),
                    None => proof.proven += 1,
                },
            },
        }
        known.insert(key);
    }
    for e in own.iter().chain(google) {
        if known.insert(label::key(&e.issuer, &e.name)) {
            proof.gone.push(e.label());
        }
    }
    proof
}

/// What differs between the vault's token and the sheet's, in words; the
/// secrets are only said to differ.
fn difference(vault: &crate::model::Token, sheet: &crate::model::Token) -> String {
    let mut what = Vec::new();
    if vault.kind != sheet.kind {
        what.push(format!(
            "the type ({} on the sheet, {} in the vault)",
            sheet.kind.as_str(),
            vault.kind.as_str()
        ));
    }
    if vault.algorithm != sheet.algorithm {
        what.push(format!(
            "the algorithm ({} on the sheet, {} in the vault)",
            sheet.algorithm, vault.algorithm
        ));
    }
    if vault.digits != sheet.digits {
        what.push(format!(
            "the digits ({} on the sheet, {} in the vault)",
            sheet.digits, vault.digits
        ));
    }
    if vault.kind != Kind::Hotp && vault.period != sheet.period {
        what.push(format!(
            "the period ({} s on the sheet, {} s in the vault)",
            sheet.period, vault.period
        ));
    }
    if vault.secret != sheet.secret {
        what.push("the secret".into());
    }
    if what.is_empty() {
        what.push("the parameters".into());
    }
    format!("differs: {}", what.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Algorithm, RecoveryCode, Secret, Token};
    use crate::qr::tests::{paint_svg, png};

    const T: OffsetDateTime = time::macros::datetime!(2026-03-04 05:06:07 UTC);

    fn account(issuer: &str, name: &str, secret: &str) -> Account {
        let token = Token::totp(Secret::from_base32(secret).unwrap());
        Account::from_entry(Entry::new(issuer, name, token), format!("id{name}"), T)
    }

    fn vault() -> Vec<Account> {
        let mut hotp = account("Bank", "hotp", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        hotp.kind = Kind::Hotp;
        hotp.counter = 7;
        let mut steam = account("Steam", "gamer", "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ");
        steam.kind = Kind::Steam;
        steam.digits = 5;
        let mut long = account("Long", "sha256", "MZXW6YTBOI======");
        long.algorithm = Algorithm::SHA256;
        long.digits = 8;
        long.period = 60;
        let mut xss = account("<script>alert(1)</script>", "a&b\"'", "ONSWG4TFOQ======");
        xss.recovery_codes = vec![
            RecoveryCode {
                code: Zeroizing::new("1a2b3-c4d5e".into()),
                added: T,
                used: None,
            },
            RecoveryCode {
                code: Zeroizing::new("<b>9z8y7</b>".into()),
                added: T,
                used: Some(T),
            },
        ];
        vec![
            account("GitHub", "alice@example.com", "JBSWY3DPEHPK3PXP"),
            hotp,
            steam,
            long,
            xss,
            account("", "Ünïcödé ключ 鍵", "NBSWY3DPEB3W64TMMQ======"),
        ]
    }

    fn sheet(accounts: &[Account], key: Option<RecoveryKey<'_>>) -> Sheet {
        render(&Input {
            accounts,
            vault_id: "00112233445566778899aabbccddeeff",
            at: T,
            batch_id: 42,
            recovery_key: key,
        })
        .unwrap()
    }

    /// Every `<svg>…</svg>` of the page, painted and read back.
    fn codes(html: &str) -> Vec<String> {
        html.split("<svg ")
            .skip(1)
            .map(|rest| {
                let svg = format!("<svg {}", &rest[..rest.find("</svg>").unwrap() + 6]);
                let side: usize = svg
                    .split("viewBox=\"0 0 ")
                    .nth(1)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let found = qr::decode_image(&png(&paint_svg(&svg, side, 3))).unwrap();
                assert_eq!(found.len(), 1);
                found[0].clone()
            })
            .collect()
    }

    #[test]
    fn a_label_is_text_never_markup() {
        let s = sheet(&vault(), None);
        let lower = s.html.to_lowercase();
        assert!(!lower.contains("<script"), "a script element");
        assert!(!lower.contains("<b>9z8y7"));
        assert!(s.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(s.html.contains("a&amp;b&quot;&#39;"));
        assert!(s.html.contains("&lt;b&gt;9z8y7&lt;/b&gt;"));
    }

    #[test]
    fn the_page_needs_no_network_and_no_script() {
        let s = sheet(&vault(), None);
        let lower = s.html.to_lowercase();
        for bad in [
            "<script",
            "<link",
            "<img",
            "<iframe",
            "src=",
            "href=",
            "url(",
            "@import",
            "javascript:",
            " on",
        ] {
            let hits: Vec<&str> = lower.matches(bad).collect();
            // " on" only as words of the text, never an event attribute.
            if bad == " on" {
                assert!(!lower.contains(" onload") && !lower.contains(" onclick"));
                continue;
            }
            assert!(hits.is_empty(), "{bad} in the page");
        }
        // The only address is the SVG namespace, which is a name, not a fetch.
        let http = lower.matches("http").count();
        assert_eq!(
            http,
            lower
                .matches("xmlns=\"http://www.w3.org/2000/svg\"")
                .count()
        );
        assert!(
            s.html.starts_with("<!DOCTYPE html>") && s.html.contains("<meta charset=\"utf-8\">")
        );
        assert!(s.html.contains("break-inside: avoid"));
    }

    #[test]
    fn every_account_has_its_code_secret_and_parameters() {
        let accounts = vault();
        let s = sheet(&accounts, None);
        let read = codes(&s.html);
        assert_eq!(read.len(), accounts.len() + s.migration_codes);
        for (a, uri) in accounts.iter().zip(&read) {
            let e = crate::uri::parse(uri).unwrap();
            assert_eq!(
                (e.label(), &e.token),
                (a.label(), &a.token()),
                "{}",
                a.label()
            );
            assert!(
                s.html.contains(&*grouped(&a.secret.to_base32())),
                "{}",
                a.label()
            );
        }
        assert!(s.html.contains("JBSW Y3DP EHPK 3PXP"));
        assert!(
            s.html
                .contains("TOTP · SHA1 · 6&nbsp;digits · every 30&nbsp;s")
        );
        assert!(
            s.html
                .contains("HOTP · SHA1 · 6&nbsp;digits · next counter&nbsp;7")
        );
        assert!(
            s.html
                .contains("Steam Guard · 5&nbsp;characters · every 30&nbsp;s")
        );
        assert!(
            s.html
                .contains("TOTP · SHA256 · 8&nbsp;digits · every 60&nbsp;s")
        );
        assert!(s.html.contains("Ünïcödé ключ 鍵"));
        assert!(s.html.contains("<li>1a2b3-c4d5e</li>"));
        assert!(
            s.html.contains(
                "<li class=\"used\"><s>&lt;b&gt;9z8y7&lt;/b&gt;</s> used 2026-03-04</li>"
            )
        );
        assert!(
            s.html
                .contains("<tr><th>Printed</th><td>2026-03-04 05:06 UTC</td></tr>")
        );
        assert!(s.html.contains("<td>00112233445566778899aabbccddeeff</td>"));
        assert!(s.html.contains("<tr><th>Accounts</th><td>6</td></tr>"));
        assert!(s.html.contains("otp import page-1.jpg"));
    }

    #[test]
    fn google_codes_hold_what_they_can_and_the_rest_is_named() {
        let accounts = vault();
        let s = sheet(&accounts, None);
        let names: Vec<&str> = s.left_out.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(names, ["Steam:gamer", "Long:sha256"]);
        assert!(s.html.contains(
            "<li>Google Authenticator cannot hold Steam Guard accounts: Steam:gamer</li>"
        ));
        assert!(s.html.contains(
            "<li>its period is 60 s and Google Authenticator only knows 30 s: Long:sha256</li>"
        ));
        // Named with the heading, before the codes.
        let heading = s.html.find("<h2>Google Authenticator").unwrap();
        let named = s.html.find("Not in these codes").unwrap();
        let first_code = s.html[heading..].find("<svg").unwrap() + heading;
        assert!(heading < named && named < first_code);
        let read = codes(&s.html);
        let batches: Vec<_> = read[accounts.len()..]
            .iter()
            .map(|u| migration::parse(u).unwrap())
            .collect();
        assert!(batches.iter().all(|b| b.batch_id == 42));
        let got = migration::group(batches).unwrap();
        let want: Vec<String> = accounts
            .iter()
            .filter(|a| !names.contains(&a.label().as_str()))
            .map(Account::label)
            .collect();
        let got_labels: Vec<String> = got.entries.iter().map(Entry::label).collect();
        assert_eq!(got_labels, want);
        assert!(
            s.html
                .contains("<b>Code 1 of 1</b> (4 accounts): GitHub:alice@example.com, Bank:hotp, ")
        );
    }

    #[test]
    fn many_accounts_make_several_google_codes_as_google_does() {
        let accounts: Vec<Account> = (0..25)
            .map(|i| {
                account(
                    "Issuer",
                    &format!("user{i}"),
                    &format!(
                        "JBSWY3DPEHPK3P{}{}",
                        (b'A' + i / 8) as char,
                        (b'A' + i % 8) as char
                    ),
                )
            })
            .collect();
        let s = sheet(&accounts, None);
        assert_eq!(s.migration_codes, 3);
        assert!(s.html.contains("<b>Code 3 of 3</b> (5 accounts)"));
        assert!(s.left_out.is_empty());
    }

    #[test]
    fn the_same_input_gives_the_same_page() {
        let accounts = vault();
        assert_eq!(*sheet(&accounts, None).html, *sheet(&accounts, None).html);
    }

    #[test]
    fn the_recovery_key_is_printed_only_when_given() {
        let accounts = vault();
        assert!(!sheet(&accounts, None).html.contains("AGE-SECRET-KEY"));
        let identity = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSKZ8Y5N";
        let s = sheet(
            &accounts,
            Some(RecoveryKey {
                identity,
                recipient: "age1example",
            }),
        );
        assert!(
            s.html
                .contains(&format!("<pre class=\"mono\">{identity}</pre>"))
        );
        assert!(s.html.contains("otp --identity key.txt recover BACKUP"));
        // Its code holds exactly the identity line (the QR reader reads
        // only OTP links, so the drawing is compared).
        assert!(s.html.contains(&qr::to_svg(identity).unwrap().0));
    }

    #[test]
    fn an_empty_vault_gives_a_page_without_codes() {
        let s = sheet(&[], None);
        assert_eq!((s.migration_codes, s.html.matches("<svg").count()), (0, 0));
        assert!(s.html.contains("<h2>Accounts (0)</h2>"));
    }

    #[test]
    fn a_long_label_gets_a_wide_card_and_codes_stay_scannable_size() {
        let long = account(
            &"Issuer ".repeat(30),
            &"name".repeat(60),
            "JBSWY3DPEHPK3PXP",
        );
        let short = account("A", "b", "JBSWY3DPEHPK3PXP");
        let s = sheet(&[long, short], None);
        let accounts = &s.html[..s.html.find("<section class=\"migration\">").unwrap()];
        assert_eq!(accounts.matches("class=\"card wide").count(), 1);
        // Every code is at least 25 mm plus its quiet zone, in modules of
        // 1.2 mm or more.
        for w in s.html.split("<div class=\"qr\" style=\"width:").skip(1) {
            let mm: f64 = w[..w.find("mm").unwrap()].parse().unwrap();
            let side: f64 = w
                .split("viewBox=\"0 0 ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(mm >= 25.0 + 8.0 * 1.2, "{mm}");
            assert!(mm / side >= 1.2 - 1e-9, "{mm} mm for {side} modules");
        }
    }

    #[test]
    fn a_heading_shares_an_unbreakable_block_with_the_first_row_it_heads() {
        let accounts = vault();
        let s = sheet(&accounts, None);
        assert!(
            s.html
                .contains(".keep, .row, .card, .recovery { break-inside: avoid;")
        );
        assert!(s.html.contains(
            "<div class=\"keep\"><h2>Accounts (6)</h2>\n<div class=\"row\"><div class=\"card"
        ));
        let google = s
            .html
            .find("<section class=\"migration\"><div class=\"keep\"><h2>Google")
            .unwrap();
        let rest = &s.html[google..];
        // The heading, its paragraph, the accounts it leaves out and the
        // first row of codes, then the block ends.
        let keep_end = rest.find("</div></div></div>").unwrap();
        let first_row = rest.find("<div class=\"row\"><div class=\"card").unwrap();
        let named = rest.find("Not in these codes").unwrap();
        assert!(named < first_row && first_row < keep_end);
        // Every card is in a row; rows hold one wide or up to two cards.
        let rows: Vec<&str> = s.html.split("<div class=\"row\">").skip(1).collect();
        let cards: usize = rows
            .iter()
            .map(|r| r.matches("<div class=\"card").count())
            .sum();
        assert_eq!(cards, accounts.len() + s.migration_codes);
    }

    fn entry(a: &Account) -> Entry {
        a.to_entry()
    }

    #[test]
    fn prove_finds_missing_and_different_accounts() {
        let accounts = vault();
        let all: Vec<Entry> = accounts.iter().map(entry).collect();
        let proof = prove(&accounts, &all, &all);
        assert!(proof.passed());
        assert_eq!(proof.proven, accounts.len());

        // A page left out: the accounts on it are named, even when a
        // Google code still holds them.
        let proof = prove(&accounts, &all[2..], &all);
        assert!(!proof.passed());
        assert_eq!(proof.missing, ["GitHub:alice@example.com", "Bank:hotp"]);

        // A Google code that disagrees with the account's own code.
        let mut google = all.clone();
        google[0].token.secret = Secret::from_base32("KRSXG5A=").unwrap();
        let proof = prove(&accounts, &all, &google);
        assert_eq!(
            proof.different,
            [(
                "GitHub:alice@example.com".to_string(),
                "its Google Authenticator code differs: the secret".to_string()
            )]
        );

        // Another secret, other digits: named, the secret never shown.
        let mut changed = all.clone();
        changed[0].token.secret = Secret::from_base32("KRSXG5A=").unwrap();
        changed[3].token.digits = 6;
        let proof = prove(&accounts, &changed, &[]);
        assert_eq!(
            proof.different,
            [
                (
                    "GitHub:alice@example.com".to_string(),
                    "differs: the secret".to_string()
                ),
                (
                    "Long:sha256".to_string(),
                    "differs: the digits (6 on the sheet, 8 in the vault)".to_string()
                ),
            ]
        );
        assert!(!format!("{proof:?}").contains("JBSW"));
    }

    #[test]
    fn prove_ignores_the_hotp_counter_and_label_case_and_names_gone_accounts() {
        let accounts = vault();
        let mut read: Vec<Entry> = accounts.iter().map(entry).collect();
        read[1].token.counter = 0;
        read[0].issuer = "GITHUB".into();
        read.push(Entry::new(
            "Old",
            "removed",
            Token::totp(Secret::from_base32("MFRGG===").unwrap()),
        ));
        // The same account read twice (its own code and a Google code).
        read.push(read[0].clone());
        let proof = prove(&accounts, &read, &read[..1]);
        assert!(proof.passed(), "{proof:?}");
        assert_eq!(proof.gone, ["Old:removed"]);
    }
}
