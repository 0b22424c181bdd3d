//! Android `shared_prefs` XML files (`<map><string name=…>…</string>…</map>`).
//!
//! Several apps (FreeOTP, Authy, TOTP Authenticator, Battle.net) keep their
//! accounts in these files. They are machine-written with a fixed shape, so
//! this reads exactly that shape: entries directly under `<map>`, each with a
//! `name` attribute and either text content (`string`) or a `value` attribute
//! (`int`, `long`, `boolean`, `float`). `<set>` entries are skipped. The XML
//! itself is quick-xml's to read (well-formedness, entities, CDATA).

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, XmlVersion};

/// One preference: element kind (`string`, `int`, …), its name and value.
/// Values are often secrets: `Debug` leaves them out.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Pref {
    pub kind: String,
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for Pref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pref")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .finish()
    }
}

/// Is this plausibly a shared_prefs file? Cheap: looks at the start only.
pub(crate) fn looks_like_prefs(data: &[u8]) -> bool {
    let head = &data[..data.len().min(512)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    (t.starts_with("<?xml") || t.starts_with("<map")) && t.contains("<map")
}

/// Finds the string preference called `name`.
pub(crate) fn get<'a>(prefs: &'a [Pref], name: &str) -> Option<&'a str> {
    prefs
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

pub(crate) fn parse(data: &[u8]) -> Result<Vec<Pref>, String> {
    let text = std::str::from_utf8(data).map_err(|_| "the XML is not UTF-8".to_string())?;
    let mut r = Reader::from_str(text.trim_start_matches('\u{feff}'));
    loop {
        match r.read_event().map_err(bad)? {
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Text(t) if is_blank(&t) => {}
            Event::Empty(e) if e.name().as_ref() == b"map" => return Ok(Vec::new()),
            Event::Start(e) if e.name().as_ref() == b"map" => break,
            _ => return Err("no <map> element".into()),
        }
    }
    let mut out = Vec::new();
    loop {
        match r.read_event().map_err(bad)? {
            // The reader checks that it closes <map>.
            Event::End(_) => return Ok(out),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Text(t) if is_blank(&t) => {}
            Event::Empty(e) => out.push(Pref {
                kind: kind(&e)?,
                name: attribute(&e, "name")?,
                value: attribute(&e, "value")?,
            }),
            Event::Start(e) if e.name().as_ref() == b"set" => {
                r.read_to_end(e.name()).map_err(bad)?;
            }
            Event::Start(e) => {
                let (kind, name) = (kind(&e)?, attribute(&e, "name")?);
                let value = text_content(&mut r)?;
                out.push(Pref { kind, name, value });
            }
            Event::Eof => return Err("missing '</map>'".into()),
            _ => return Err("unexpected text inside <map>".into()),
        }
    }
}

fn bad(e: impl std::fmt::Display) -> String {
    format!("not well-formed XML: {e}")
}

fn is_blank(t: &BytesText<'_>) -> bool {
    t.iter().all(u8::is_ascii_whitespace)
}

fn kind(e: &BytesStart<'_>) -> Result<String, String> {
    String::from_utf8(e.name().as_ref().to_vec()).map_err(bad)
}

/// The attribute's value with its references resolved; "" when absent.
fn attribute(e: &BytesStart<'_>, key: &str) -> Result<String, String> {
    match e.try_get_attribute(key).map_err(bad)? {
        Some(a) => Ok(a
            .normalized_value(XmlVersion::default())
            .map_err(bad)?
            .into_owned()),
        None => Ok(String::new()),
    }
}

/// The text of an element up to its end tag: text, CDATA, the predefined
/// entities and character references; no nested elements.
fn text_content(r: &mut Reader<&[u8]>) -> Result<String, String> {
    let mut value = String::new();
    loop {
        match r.read_event().map_err(bad)? {
            Event::Text(t) => value.push_str(&t.decode().map_err(bad)?),
            Event::CData(c) => value.push_str(&c.decode().map_err(bad)?),
            Event::GeneralRef(g) => match g.resolve_char_ref().map_err(bad)? {
                Some(c) => value.push(c),
                None => {
                    let name = g.decode().map_err(bad)?;
                    let text = resolve_predefined_entity(&name)
                        .ok_or_else(|| format!("unknown XML entity '&{name};'"))?;
                    value.push_str(text);
                }
            },
            Event::Comment(_) | Event::PI(_) => {}
            Event::End(_) => return Ok(value),
            Event::Eof => return Err("an element is not closed".into()),
            _ => return Err("an element inside a preference's value".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_leaves_the_value_out() {
        let p = Pref {
            kind: "string".into(),
            name: "secret".into(),
            value: "JBSWY3DPEHPK3PXP".into(),
        };
        let shown = format!("{p:?} {:?}", vec![p.clone()]);
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
        assert!(
            shown.contains("secret") && shown.contains("16 bytes"),
            "{shown}"
        );
    }

    const SAMPLE: &str = r#"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<map>
    <int name="key_version" value="121" />
    <!-- a comment -->
    <string name="a&amp;b">[{&quot;x&quot;:1}] &#65;&#x42;</string>
    <set name="s"><string>one</string></set>
    <string name="empty" />
    <boolean name='flag' value="false"/>
</map>
"#;

    #[test]
    fn reads_the_android_shape() {
        let p = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(get(&p, "a&b"), Some("[{\"x\":1}] AB"));
        assert_eq!(
            p[0],
            Pref {
                kind: "int".into(),
                name: "key_version".into(),
                value: "121".into()
            }
        );
        assert_eq!(get(&p, "empty"), Some(""));
        assert_eq!(get(&p, "flag"), Some("false"));
        assert!(looks_like_prefs(SAMPLE.as_bytes()));
    }

    #[test]
    fn rejects_broken_xml() {
        assert!(parse(b"<map><string name=\"x\">unterminated").is_err());
        assert!(parse(b"<notmap/>").is_err());
        assert!(parse(b"<map><string name=\"x\">&bogus;</string></map>").is_err());
        assert!(parse(b"<map>").is_err());
        assert_eq!(parse(b"<map />").unwrap(), vec![]);
    }
}
