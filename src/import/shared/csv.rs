//! CSV exports (RFC 4180): read by the `csv` crate — `"`-quoted fields with
//! `""` for a quote, line breaks inside quotes, LF, CRLF or CR rows — after
//! a check of the quoting that the crate does not make.
//!
//! The crate is lenient where an export of secrets must not be: it reads an
//! unclosed quote to the end of the file (every later row silently becomes
//! part of one field), and takes a `"` inside an unquoted field, or text
//! after a closing quote, as literal text. [`check_quoting`] rejects those,
//! and NUL bytes (not a text file), naming the line and field. Rows with
//! another number of fields than the first (header) row are refused by the
//! crate's own length check: their columns would be shifted, and a password
//! could be read as a TOTP secret. Messages never quote a field's content.

use zeroize::Zeroizing;

/// Rows of fields, wiped when dropped: exports hold secrets and passwords.
pub(crate) type Rows = Zeroizing<Vec<Vec<String>>>;

/// Splits `text` into rows of fields; blank lines are skipped. Malformed
/// quoting, NUL bytes and rows with another number of fields than the first
/// are errors that say where and what to do.
pub(crate) fn rows(text: &str) -> Result<Rows, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_quoting(text)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows = Zeroizing::new(Vec::new());
    for record in reader.records() {
        let record = record.map_err(|e| describe(&e))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn describe(error: &csv::Error) -> String {
    let line = error.position().map(csv::Position::line);
    let at = line.map_or_else(String::new, |l| format!("line {l}: "));
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "{at}{len} fields where the first row has {expected_len}; a field that \
             contains a comma must be in double quotes (export the file again, or fix that row)"
        ),
        // Text comes in as `&str` and from memory: no UTF-8 or I/O errors;
        // the crate's messages name positions, never field contents.
        _ => format!("{at}unreadable CSV ({error})"),
    }
}

/// The RFC 4180 quoting rules that the `csv` crate does not enforce: a
/// quoted field is closed (by a `"` not doubled) before the end of the file
/// and followed directly by a comma or the end of the row; a `"` in a field
/// that does not start with one is an error; no NUL bytes.
fn check_quoting(text: &str) -> Result<(), String> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        Closed,
    }
    const FIX: &str = "a field that contains a quote must be in double quotes with the quote \
                       doubled (\"\"); export the file again, or fix that field";
    let bytes = text.as_bytes();
    let (mut line, mut field) = (1usize, 1usize);
    let mut opened = (1usize, 1usize);
    let mut state = State::FieldStart;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b == 0 {
            return Err(format!(
                "line {line}, field {field}: a NUL byte: this is not a text CSV file"
            ));
        }
        if state == State::Quoted {
            match b {
                b'"' if bytes.get(i) == Some(&b'"') => i += 1,
                b'"' => state = State::Closed,
                b'\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match b {
            b',' => {
                field += 1;
                state = State::FieldStart;
            }
            b'\r' | b'\n' => {
                if b == b'\n' {
                    line += 1;
                }
                field = 1;
                state = State::FieldStart;
            }
            b'"' if state == State::FieldStart => {
                opened = (line, field);
                state = State::Quoted;
            }
            b'"' if state == State::Unquoted => {
                return Err(format!(
                    "line {line}, field {field}: a stray double quote in a field that does \
                     not start with one; {FIX}"
                ));
            }
            _ if state == State::Closed => {
                return Err(format!(
                    "line {line}, field {field}: text after the closing double quote; {FIX}"
                ));
            }
            _ => state = State::Unquoted,
        }
    }
    if state == State::Quoted {
        let (line, field) = opened;
        return Err(format!(
            "line {line}, field {field}: a double quote opens a field that is never closed \
             (the rest of the file would be read as that one field); add the closing \
             quote, or export the file again"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn quotes_commas_and_line_breaks() {
        let rows = rows("a,b,c\r\n\"x,y\",\"he said \"\"hi\"\"\",\"two\nlines\"\n\n1,,3").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], ["a", "b", "c"]);
        assert_eq!(rows[1], ["x,y", "he said \"hi\"", "two\nlines"]);
        assert_eq!(rows[2], ["1", "", "3"]);
    }

    #[test]
    fn bom_crlf_cr_and_embedded_line_breaks() {
        let rows = rows("\u{feff}h1,h2\r\n\"a\r\nb\",c\r\nd,e\rf,\"\"\r\n").unwrap();
        assert_eq!(
            *rows,
            [["h1", "h2"], ["a\r\nb", "c"], ["d", "e"], ["f", ""]]
        );
    }

    #[test]
    fn unclosed_quote_is_an_error_naming_where_it_opened() {
        let err = rows("a,b\n1,2\n3,\"open\n5,6\n7,8\n").unwrap_err();
        assert!(err.contains("line 3, field 2"), "{err}");
        assert!(err.contains("never closed"), "{err}");
        // A doubled quote inside does not close it.
        assert!(rows("a,\"b\"\"").is_err());
        assert!(rows("\"").is_err());
    }

    #[test]
    fn stray_quotes_are_errors() {
        let err = rows("a,b\n1,ab\"c\n").unwrap_err();
        assert!(
            err.contains("line 2, field 2") && err.contains("stray"),
            "{err}"
        );
        let err = rows("a,b\n\"x\"y,2\n").unwrap_err();
        assert!(
            err.contains("line 2, field 1") && err.contains("after the closing"),
            "{err}"
        );
        // Quotes at the start, closed before a comma or the row's end: fine.
        assert_eq!(*rows("\"a\",\"\"\n").unwrap(), [["a", ""]]);
    }

    #[test]
    fn ragged_rows_are_errors() {
        let err = rows("a,b,c\n1,2,3\n4,5\n").unwrap_err();
        assert!(
            err.contains("line 3") && err.contains("2 fields") && err.contains("3"),
            "{err}"
        );
        let err = rows("a,b\n1,2,3\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("3 fields"), "{err}");
    }

    #[test]
    fn nul_bytes_are_errors() {
        let err = rows("a,b\n1,x\0y\n").unwrap_err();
        assert!(
            err.contains("line 2, field 2") && err.contains("NUL"),
            "{err}"
        );
        assert!(rows("a,\"x\0\"\n").is_err());
    }

    #[test]
    fn messages_never_quote_a_field() {
        for text in [
            "h,h\nSECRETXYZ,\"SECRETXYZ",
            "h,h\nSECRETXYZ\"SECRETXYZ,1",
            "h,h\n\"SECRETXYZ\"SECRETXYZ,1",
            "h,h\nSECRETXYZ\n",
            "h,h\nSECRETXYZ,\0SECRETXYZ\n",
        ] {
            let err = rows(text).unwrap_err();
            assert!(!err.contains("SECRETXYZ"), "{err}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_text_never_panics(text in ".{0,200}") {
            let _ = rows(&text);
        }

        // Whatever the crate reads from text that passes the check, it
        // reads back the same from our own quoting of it.
        #[test]
        fn well_quoted_fields_round_trip(
            table in proptest::collection::vec(
                proptest::collection::vec("[a-z\",\r\n ]{0,6}", 3), 1..5)
        ) {
            let quote = |f: &String| format!("\"{}\"", f.replace('"', "\"\""));
            let text: String = table
                .iter()
                .map(|row| row.iter().map(quote).collect::<Vec<_>>().join(",") + "\r\n")
                .collect();
            prop_assert_eq!(&*rows(&text).unwrap(), &table);
        }
    }
}
