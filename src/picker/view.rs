//! What the picker shows: the filter, the rows (label, code, time left),
//! the keys. Pure: the accounts, the filter and the time come in; a ratatui
//! frame goes out. Labels are truncated to fit; codes never are.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

use crate::model::query::{Match, Query, classify};
use crate::model::{Account, Kind};
use crate::text::sanitize;

/// The picker's state between key presses.
pub struct State<'a> {
    accounts: &'a [Account],
    filter: String,
    /// Indexes into `accounts` that the filter keeps, exact matches first.
    shown: Vec<usize>,
    /// Index into `shown`.
    selected: usize,
    /// The first row of `shown` on screen.
    offset: usize,
    /// Rows on screen at the last draw (for Page Up/Down).
    page: usize,
}

impl<'a> State<'a> {
    pub fn new(accounts: &'a [Account], filter: &str) -> Self {
        let mut state = State {
            accounts,
            filter: filter.to_string(),
            shown: Vec::new(),
            selected: 0,
            offset: 0,
            page: 1,
        };
        state.refilter();
        state
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.refilter();
    }

    /// The selected account's index in the accounts, if any is shown.
    pub fn selected(&self) -> Option<usize> {
        self.shown.get(self.selected).copied()
    }

    /// The accounts on the list, in order (indexes into the accounts).
    pub fn shown(&self) -> &[usize] {
        &self.shown
    }

    /// Moves the selection by `by` rows (clamped to the list).
    pub fn step(&mut self, by: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(by).min(last);
    }

    pub fn step_page(&mut self, down: bool) {
        let page = self.page.max(1) as isize;
        self.step(if down { page } else { -page });
    }

    pub fn home(&mut self) {
        self.selected = 0;
    }

    pub fn end(&mut self) {
        self.selected = self.shown.len().saturating_sub(1);
    }

    /// The QUERY rules under label identity (`model::query`): an exact id,
    /// exact matches of issuer:name, issuer or name, then the accounts whose
    /// issuer:name contains the filter; each group in vault order.
    fn refilter(&mut self) {
        let q = Query::new(&self.filter);
        let (mut exact, mut partial) = (Vec::new(), Vec::new());
        for (i, a) in self.accounts.iter().enumerate() {
            if self.filter.is_empty() {
                partial.push(i);
                continue;
            }
            match classify(&a.issuer, &a.name, &q) {
                _ if a.id == self.filter => exact.push(i),
                Match::Exact => exact.push(i),
                Match::Partial => partial.push(i),
                Match::None => {}
            }
        }
        exact.extend(partial);
        self.shown = exact;
        self.selected = 0;
        self.offset = 0;
    }
}

/// How things look: colour or not (`NO_COLOR`, `--color`); what Enter does.
#[derive(Clone, Copy, Debug)]
pub struct Look {
    pub color: bool,
    pub print: bool,
}

/// A code in groups for reading: `123 456`, `1234 5678`, `123 456 789`;
/// Steam's five characters and other short codes stay whole.
pub fn group(code: &str) -> String {
    let n = code.chars().count();
    let sizes: &[usize] = match n {
        6 => &[3, 3],
        7 => &[3, 4],
        8 => &[4, 4],
        9 => &[3, 3, 3],
        10 => &[5, 5],
        _ => &[n],
    };
    let mut chars = code.chars();
    let groups: Vec<String> = sizes
        .iter()
        .map(|&k| chars.by_ref().take(k).collect())
        .collect();
    groups.join(" ")
}

/// `text` cut to `cols` terminal columns, with `…` when cut.
pub fn fit(text: &str, cols: usize) -> String {
    let width: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if width <= cols {
        return text.to_string();
    }
    if cols == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > cols - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn cols(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// A bar of `width` cells for `left` of `period` seconds.
pub fn bar(left: u64, period: u64, width: usize) -> String {
    let full = if period == 0 {
        0
    } else {
        ((left * width as u64).div_ceil(period) as usize).min(width)
    };
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

const BAR: usize = 6;
/// The time column: a bar, a space, up to three digits and "s".
const TIME: usize = BAR + 5;

/// Draws the whole screen at `unix` seconds.
pub fn draw(frame: &mut Frame<'_>, state: &mut State<'_>, unix: u64, look: Look) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    // A header and a footer when there is room for at least one row between.
    let chrome = area.height >= 3;
    let list = if chrome {
        Rect::new(area.x, area.y + 1, area.width, area.height - 2)
    } else {
        area
    };
    if chrome {
        let header = Rect::new(area.x, area.y, area.width, 1);
        frame.render_widget(Paragraph::new(header_line(state, area.width, look)), header);
        let footer = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
        frame.render_widget(Paragraph::new(footer_line(state, area.width, look)), footer);
    }
    let lines = rows(state, list, unix, look);
    frame.render_widget(Paragraph::new(lines), list);
}

fn header_line(state: &State<'_>, width: u16, look: Look) -> Line<'static> {
    let count = format!(" {}/{}", state.shown.len(), state.accounts.len());
    let room = (width as usize).saturating_sub(cols(&count) + 3);
    let filter = fit(&sanitize(&state.filter), room);
    let mut spans = vec![Span::styled(
        "> ",
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if filter.is_empty() {
        spans.push(Span::styled(
            fit("type to filter", room),
            Style::new().add_modifier(Modifier::DIM),
        ));
    } else {
        spans.push(Span::raw(filter));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let pad = (width as usize).saturating_sub(used + cols(&count));
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(count, dim(look)));
    Line::from(spans)
}

fn footer_line(state: &State<'_>, width: u16, look: Look) -> Line<'static> {
    let hotp = state
        .selected()
        .is_some_and(|i| state.accounts[i].kind == Kind::Hotp);
    let enter = match (look.print, hotp) {
        (false, false) => "Enter copy",
        (true, false) => "Enter print",
        (false, true) => "Enter copy the next HOTP code",
        (true, true) => "Enter print the next HOTP code",
    };
    let text = format!("↑↓ move · {enter} · Esc quit");
    Line::from(Span::styled(fit(&text, width as usize), dim(look)))
}

fn dim(_look: Look) -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

/// The rows that fit in `area`, scrolled so that the selection is visible.
fn rows(state: &mut State<'_>, area: Rect, unix: u64, look: Look) -> Vec<Line<'static>> {
    let height = area.height as usize;
    let width = area.width as usize;
    state.page = height;
    if state.shown.is_empty() {
        let text = format!("no account matches '{}'", sanitize(&state.filter));
        return vec![Line::from(Span::styled(fit(&text, width), dim(look)))];
    }
    if state.selected < state.offset {
        state.offset = state.selected;
    }
    if state.selected >= state.offset + height {
        state.offset = state.selected + 1 - height;
    }
    let cells: Vec<(usize, Cells)> = state
        .shown
        .iter()
        .enumerate()
        .skip(state.offset)
        .take(height)
        .map(|(row, &i)| (row, Cells::of(&state.accounts[i], unix)))
        .collect();
    let code_width = cells.iter().map(|(_, c)| cols(&c.code)).max().unwrap_or(0);
    // Marker, label, two spaces, code, and the time column while the
    // label keeps at least 8 columns; then only the seconds; then none.
    let fixed = 2 + 2 + code_width;
    let time = if width >= fixed + 1 + TIME + 8 {
        TIME
    } else if width >= fixed + 5 + 4 {
        4
    } else {
        0
    };
    let label_width = width.saturating_sub(fixed + if time > 0 { time + 1 } else { 0 });
    cells
        .into_iter()
        .map(|(row, c)| {
            line(
                c,
                row == state.selected,
                label_width,
                code_width,
                time,
                look,
            )
        })
        .collect()
}

/// One row's text.
struct Cells {
    issuer: String,
    name: String,
    code: String,
    left: Option<(u64, u64)>,
}

impl Cells {
    fn of(a: &Account, unix: u64) -> Cells {
        let (code, left) = match a.kind {
            // Showing an HOTP code would use it up: only Enter makes one.
            Kind::Hotp => ("hotp".to_string(), None),
            _ => {
                let token = a.token();
                let code = group(&crate::otp::generate(&token, unix));
                (code, Some((crate::otp::remaining(&token, unix), a.period)))
            }
        };
        Cells {
            issuer: sanitize(&a.issuer),
            name: sanitize(&a.name),
            code,
            left,
        }
    }
}

fn line(
    c: Cells,
    selected: bool,
    label_width: usize,
    code_width: usize,
    time: usize,
    look: Look,
) -> Line<'static> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut spans = vec![Span::styled(if selected { "▸ " } else { "  " }, bold)];
    // The label: the issuer in bold, then the name.
    let issuer = fit(&c.issuer, label_width);
    let gap = if issuer.is_empty() || c.name.is_empty() {
        0
    } else {
        2
    };
    let name = fit(&c.name, label_width.saturating_sub(cols(&issuer) + gap));
    let used = cols(&issuer)
        + if name.is_empty() {
            0
        } else {
            gap + cols(&name)
        };
    spans.push(Span::styled(issuer, bold));
    if !name.is_empty() {
        spans.push(Span::raw(" ".repeat(gap)));
        spans.push(Span::raw(name));
    }
    spans.push(Span::raw(" ".repeat(label_width.saturating_sub(used) + 2)));
    let pad = " ".repeat(code_width.saturating_sub(cols(&c.code)));
    let code_style = match (c.left.is_some(), look.color) {
        (false, _) => Style::new().add_modifier(Modifier::DIM),
        (true, true) => bold.fg(Color::Cyan),
        (true, false) => bold,
    };
    spans.push(Span::raw(pad));
    spans.push(Span::styled(c.code, code_style));
    if let (Some((left, period)), true) = (c.left, time > 0) {
        let urgency = match left {
            0..=5 => Color::Red,
            6..=10 => Color::Yellow,
            _ => Color::Green,
        };
        let style = if look.color {
            Style::new().fg(urgency)
        } else {
            Style::new()
        };
        spans.push(Span::raw(" "));
        if time == TIME {
            spans.push(Span::styled(bar(left, period, BAR), style));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(format!("{left:>3}s"), style));
    }
    let line = Line::from(spans);
    if selected {
        line.style(Style::new().add_modifier(Modifier::REVERSED))
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::{bar, fit, group};

    #[test]
    fn codes_in_groups() {
        assert_eq!(group("123456"), "123 456");
        assert_eq!(group("1234567"), "123 4567");
        assert_eq!(group("12345678"), "1234 5678");
        assert_eq!(group("123456789"), "123 456 789");
        assert_eq!(group("1234567890"), "12345 67890");
        assert_eq!(group("2BQKV"), "2BQKV");
    }

    #[test]
    fn labels_fit_their_columns() {
        assert_eq!(fit("GitHub", 10), "GitHub");
        assert_eq!(fit("GitHub", 6), "GitHub");
        assert_eq!(fit("GitHub", 4), "Git…");
        assert_eq!(fit("GitHub", 1), "…");
        assert_eq!(fit("GitHub", 0), "");
        // Wide characters take two columns.
        assert_eq!(fit("日本語", 4), "日…");
    }

    #[test]
    fn the_bar_runs_down() {
        assert_eq!(bar(30, 30, 6), "██████");
        assert_eq!(bar(15, 30, 6), "███░░░");
        assert_eq!(bar(1, 30, 6), "█░░░░░");
        assert_eq!(bar(0, 30, 6), "░░░░░░");
        assert_eq!(bar(5, 0, 6), "░░░░░░");
    }
}
