//! A small RFC 4180 CSV reader: comma-separated fields, `"`-quoted fields
//! with `""` for a quote and line breaks allowed inside quotes, CRLF or LF
//! rows. Enough for password-manager exports; no type guessing.

/// Splits `text` into rows of fields. An unterminated quote is an error.
pub(crate) fn rows(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut line = 1usize;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(format!("a quoted field is not closed (line {line})"));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows.retain(|r| !(r.len() == 1 && r.first().is_some_and(String::is_empty)));
    Ok(rows)
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
        assert!(super::rows("a,\"b").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_text_never_panics(text in ".{0,200}") {
            let _ = rows(&text);
        }
    }
}
