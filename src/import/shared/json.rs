//! JSON access for importers that never leaks values into error text.
//!
//! serde's typed errors quote the offending value ("invalid type: string
//! \"JBSW…\""), which may be a secret. Importers here parse into
//! [`serde_json::Value`] (whose syntax errors carry only a position) and read
//! fields through these helpers, whose messages name the field, never its value.
//!
//! A `Value` keeps every string it holds in memory that is not wiped when
//! dropped. Importers of formats that hold secrets in JSON read them into
//! typed structs instead: each entry kept as its raw text ([`entries`],
//! borrowed from the document, no copy), then read with a [`SecretField`]
//! for the secret (wiped on drop), and detection through [`Keys`], which
//! keeps no value at all.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

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
pub(crate) fn document<'a, T: Deserialize<'a>>(
    what: &str,
    data: &'a [u8],
) -> Result<T, ImportError> {
    serde_json::from_slice(trim_start(data))
        .map_err(|e| ImportError::malformed(format!("{what}: {}", reason(&e))))
}

/// Cheap sniff helper: the bytes as a JSON object, if they are one.
pub(crate) fn sniff_object(data: &[u8]) -> Option<Map<String, Value>> {
    let data = trim_start(data);
    if data.first() != Some(&b'{') {
        return None;
    }
    match serde_json::from_slice(data) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A list of entries, each read on its own (a bad entry is skipped with
/// its reason, not the whole file): each is its raw JSON text, borrowed
/// from the document.
pub(crate) type Entries<'a> = Vec<&'a RawValue>;

/// Reads each raw entry of `entries` as a `T`; the error of one that does
/// not read is its [`reason`].
pub(crate) fn entries<'a, T: Deserialize<'a>>(
    entries: &[&'a RawValue],
) -> impl Iterator<Item = Result<T, String>> {
    entries
        .iter()
        .map(|raw| serde_json::from_str(raw.get()).map_err(|e| reason(&e)))
}

/// A secret's field, read straight into memory that is wiped on drop:
/// its text, or only the kind of value it was not (no copy of it kept).
/// A missing field is an error of the entry, as for any required field.
pub(crate) enum SecretField {
    Text(Zeroizing<String>),
    Null,
    NotText,
}

impl SecretField {
    /// The text, or what is wrong with the field (never its value).
    pub(crate) fn text(&self) -> Result<&str, String> {
        match self {
            SecretField::Text(text) => Ok(text),
            SecretField::Null => Err("the entry has no secret".into()),
            SecretField::NotText => Err("the secret is not a string".into()),
        }
    }
}

impl<'de> Deserialize<'de> for SecretField {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Field;
        impl<'de> Visitor<'de> for Field {
            type Value = SecretField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret")
            }
            fn visit_str<E>(self, v: &str) -> Result<SecretField, E> {
                Ok(SecretField::Text(Zeroizing::new(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<SecretField, E> {
                Ok(SecretField::Text(Zeroizing::new(v)))
            }
            fn visit_unit<E>(self) -> Result<SecretField, E> {
                Ok(SecretField::Null)
            }
            fn visit_none<E>(self) -> Result<SecretField, E> {
                Ok(SecretField::Null)
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<SecretField, D::Error> {
                SecretField::deserialize(d)
            }
            fn visit_bool<E>(self, _: bool) -> Result<SecretField, E> {
                Ok(SecretField::NotText)
            }
            fn visit_i64<E>(self, _: i64) -> Result<SecretField, E> {
                Ok(SecretField::NotText)
            }
            fn visit_u64<E>(self, _: u64) -> Result<SecretField, E> {
                Ok(SecretField::NotText)
            }
            fn visit_f64<E>(self, _: f64) -> Result<SecretField, E> {
                Ok(SecretField::NotText)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<SecretField, A::Error> {
                Shape::visit_seq(ShapeOf, seq).map(|_| SecretField::NotText)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SecretField, A::Error> {
                Shape::visit_map(ShapeOf, map).map(|_| SecretField::NotText)
            }
        }
        d.deserialize_any(Field)
    }
}

/// The type of a JSON value, read without keeping the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

struct ShapeOf;

impl Shape {
    fn visit_seq<'de, A: SeqAccess<'de>>(_: ShapeOf, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::Array)
    }

    fn visit_map<'de, A: MapAccess<'de>>(_: ShapeOf, mut map: A) -> Result<Shape, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Shape::Object)
    }
}

impl<'de> Visitor<'de> for ShapeOf {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Null)
    }
    fn visit_none<E>(self) -> Result<Shape, E> {
        Ok(Shape::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::Bool)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::Number)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::Number)
    }
    fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::String)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Shape, A::Error> {
        Shape::visit_seq(self, seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Shape, A::Error> {
        Shape::visit_map(self, map)
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShapeOf)
    }
}

/// A JSON object's keys and the [`Shape`] of each value; any other value
/// does not read as one. For detection: no value is kept (secrets are not
/// copied into memory that is not wiped).
pub(crate) struct Keys(Vec<(String, Shape)>);

impl Keys {
    pub(crate) fn get(&self, key: &str) -> Option<Shape> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, shape)| *shape)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(entry) = map.next_entry::<String, Shape>()? {
                    keys.push(entry);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(Object)
    }
}

/// [`sniff_object`] that keeps no value: the keys of the JSON object the
/// bytes are, if they are one.
pub(crate) fn sniff_keys(data: &[u8]) -> Option<Keys> {
    let data = trim_start(data);
    if data.first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice(data).ok()
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
    fn secret_fields_say_what_they_are_not() {
        #[derive(Deserialize)]
        struct Entry {
            secret: SecretField,
        }
        let read = |text: &str| serde_json::from_str::<Entry>(text).map(|e| e.secret);
        let text = read(r#"{"secret": "JBSW\u0059"}"#).unwrap();
        assert_eq!(text.text(), Ok("JBSWY"));
        let null = read(r#"{"secret": null}"#).unwrap();
        assert_eq!(null.text(), Err("the entry has no secret".into()));
        for other in ["5", "true", "[\"JBSW\", [1]]", r#"{"a": "JBSW"}"#] {
            let field = read(&format!(r#"{{"secret": {other}, "after": 1}}"#)).unwrap();
            assert_eq!(
                field.text(),
                Err("the secret is not a string".into()),
                "{other}"
            );
        }
        assert!(read("{}").is_err());
    }

    #[test]
    fn keys_keep_only_names_and_shapes() {
        let keys =
            sniff_keys(br#" {"services": [{"secret": "JBSW"}], "v": 4, "n": null}"#).unwrap();
        assert_eq!(keys.get("services"), Some(Shape::Array));
        assert_eq!(keys.get("v"), Some(Shape::Number));
        assert_eq!(keys.get("n"), Some(Shape::Null));
        assert!(!keys.has("secret"));
        assert!(sniff_keys(b"[1]").is_none());
        assert!(serde_json::from_str::<Keys>("[1, 2]").is_err());
        assert!(sniff_keys(b"{\"a\": }").is_none());
    }

    #[test]
    fn entries_read_one_by_one() {
        #[derive(Deserialize)]
        struct Entry {
            n: u8,
        }
        let list: Entries<'_> = document("x", br#"[{"n": 1}, {"n": "x"}, 7]"#).unwrap();
        let read: Vec<_> = entries::<Entry>(&list).map(|e| e.map(|e| e.n)).collect();
        assert_eq!(read[0], Ok(1));
        assert!(read[1].is_err() && read[2].is_err());
    }

    #[test]
    fn json_reasons_never_quote_values() {
        let err = serde_json::from_str::<u8>("\"JBSWY3DPEHPK3PXP\"").unwrap_err();
        assert!(!reason(&err).contains("JBSW"));
    }
}
