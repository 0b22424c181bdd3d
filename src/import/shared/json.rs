//! JSON access for importers that never leaks values into error text.
//!
//! serde's typed errors quote the offending value ("invalid type: string
//! \"JBSW…\""), which may be a secret. Importers here parse into
//! [`serde_json::Value`] (whose syntax errors carry only a position) and read
//! fields through these helpers, whose messages name the field, never its value.

use serde_json::{Map, Value};

use crate::import::ImportError;

pub(crate) type Object = Map<String, Value>;

/// Parses JSON; the error names the position only.
pub(crate) fn parse(data: &[u8], what: &str) -> Result<Value, ImportError> {
    serde_json::from_slice(data).map_err(|e| {
        ImportError::malformed(format!(
            "{what}: not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// Parses JSON held in a string (a value nested inside another document).
pub(crate) fn parse_str(text: &str, what: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "{what}: not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })
}

/// Cheap sniff: parses only when the bytes look like a JSON document, so
/// detection of binary files stays fast.
pub(crate) fn sniff(data: &[u8]) -> Option<Value> {
    let first = data.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    serde_json::from_slice(data).ok()
}

pub(crate) fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Object, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} is not a JSON object"))
}

pub(crate) fn array<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} is not a JSON array"))
}

/// A field that is absent or null reads as `None`; any other type is an error.
pub(crate) fn opt_str<'a>(o: &'a Object, key: &str) -> Result<Option<&'a str>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("field '{key}' is not a string")),
    }
}

pub(crate) fn req_str<'a>(o: &'a Object, key: &str) -> Result<&'a str, String> {
    opt_str(o, key)?.ok_or_else(|| format!("field '{key}' is missing"))
}

/// An integer field; also accepts an integer written as a string ("30"),
/// which several Android apps emit.
pub(crate) fn opt_i64(o: &Object, key: &str) -> Result<Option<i64>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                // JSON writers in Java/C# sometimes print 6 as 6.0.
                Ok(Some(f as i64))
            } else {
                Err(format!("field '{key}' is not an integer"))
            }
        }
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("field '{key}' is not an integer")),
        Some(_) => Err(format!("field '{key}' is not an integer")),
    }
}

/// A non-negative integer that fits `T`.
pub(crate) fn opt_uint<T: TryFrom<i64>>(o: &Object, key: &str) -> Result<Option<T>, String> {
    match opt_i64(o, key)? {
        None => Ok(None),
        Some(i) => T::try_from(i)
            .map(Some)
            .map_err(|_| format!("field '{key}' is out of range")),
    }
}

/// A Java `byte[]` serialized by Gson/org.json: an array of signed bytes.
pub(crate) fn signed_bytes(o: &Object, key: &str) -> Result<Vec<u8>, String> {
    let arr = o
        .get(key)
        .ok_or_else(|| format!("field '{key}' is missing"))?
        .as_array()
        .ok_or_else(|| format!("field '{key}' is not a byte array"))?;
    arr.iter()
        .map(|b| {
            b.as_i64()
                .and_then(|i| {
                    i8::try_from(i)
                        .ok()
                        .map(|s| s as u8)
                        .or_else(|| u8::try_from(i).ok())
                })
                .ok_or_else(|| format!("field '{key}' holds a value that is not a byte"))
        })
        .collect()
}

/// A JSON error as text without the offending value: serde_json quotes the
/// value in type errors, and that value may be a secret.
pub(crate) fn reason(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Data => "a field has the wrong type or value".into(),
        Category::Syntax | Category::Eof | Category::Io => {
            format!(
                "not valid JSON (line {}, column {})",
                err.line(),
                err.column()
            )
        }
    }
}

/// Parses a whole document as JSON, or says it is not JSON of the format.
pub(crate) fn document<T: serde::de::DeserializeOwned>(
    what: &str,
    data: &[u8],
) -> Result<T, ImportError> {
    serde_json::from_slice(trim_start(data))
        .map_err(|e| ImportError::malformed(format!("{what}: {}", reason(&e))))
}

/// Cheap sniff helper: the bytes as a JSON object, if they are one.
pub(crate) fn sniff_object(data: &[u8]) -> Option<serde_json::Map<String, Value>> {
    let data = trim_start(data);
    if data.first() != Some(&b'{') {
        return None;
    }
    match serde_json::from_slice(data) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The bytes without a UTF-8 byte-order mark and leading whitespace.
pub(crate) fn trim_start(data: &[u8]) -> &[u8] {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    data.get(start..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_field_not_the_value() {
        let v = json!({"secret": 5, "digits": "x9SECRET"});
        let o = object(&v, "entry").unwrap();
        let e = opt_str(o, "secret").unwrap_err();
        assert!(e.contains("secret") && !e.contains('5'));
        let e = opt_i64(o, "digits").unwrap_err();
        assert!(!e.contains("SECRET"));
    }

    #[test]
    fn integers_may_be_strings_or_floats() {
        let v = json!({"a": "30", "b": 6.0, "c": -1, "d": 1.5});
        let o = object(&v, "x").unwrap();
        assert_eq!(opt_i64(o, "a"), Ok(Some(30)));
        assert_eq!(opt_i64(o, "b"), Ok(Some(6)));
        assert!(opt_uint::<u64>(o, "c").is_err());
        assert!(opt_i64(o, "d").is_err());
        assert_eq!(opt_i64(o, "zz"), Ok(None));
    }

    #[test]
    fn signed_byte_arrays() {
        let v = json!({"s": [-1, 0, 127, -128, 200], "bad": [1, 300]});
        let o = object(&v, "x").unwrap();
        assert_eq!(signed_bytes(o, "s").unwrap(), vec![255, 0, 127, 128, 200]);
        assert!(signed_bytes(o, "bad").is_err());
    }

    #[test]
    fn syntax_errors_carry_only_a_position() {
        let e = parse(b"{\"secret\": JBSWY3DP}", "file").unwrap_err();
        assert!(!e.to_string().contains("JBSW"));
        assert!(sniff(b"\x00\x01").is_none());
    }

    #[test]
    fn documents_may_start_with_a_byte_order_mark() {
        let v: Value = document("x", b"\xEF\xBB\xBF {\"a\":1}").unwrap();
        assert_eq!(v["a"], 1);
        assert!(sniff_object(b"\xEF\xBB\xBF{}").is_some());
    }

    #[test]
    fn json_reasons_never_quote_values() {
        let err = serde_json::from_str::<u8>("\"JBSWY3DPEHPK3PXP\"").unwrap_err();
        assert!(!reason(&err).contains("JBSW"));
    }
}
