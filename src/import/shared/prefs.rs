//! Android `shared_prefs` XML files (`<map><string name=…>…</string>…</map>`).
//!
//! Several apps (FreeOTP, Authy, TOTP Authenticator, Battle.net) keep their
//! accounts in these files. They are machine-written with a fixed shape, so
//! this reads exactly that shape: entries directly under `<map>`, each with a
//! `name` attribute and either text content (`string`) or a `value` attribute
//! (`int`, `long`, `boolean`, `float`). `<set>` entries are skipped.

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
    let mut r = Reader {
        s: text.trim_start_matches('\u{feff}'),
    };
    r.skip_misc()?;
    if !r.eat("<map") {
        return Err("no <map> element".into());
    }
    r.skip_ws();
    if r.eat("/>") {
        return Ok(Vec::new());
    }
    if !r.eat(">") {
        return Err("bad <map> tag".into());
    }
    let mut out = Vec::new();
    loop {
        r.skip_misc()?;
        if r.eat("</map") {
            r.skip_ws();
            return if r.eat(">") {
                Ok(out)
            } else {
                Err("bad </map> tag".into())
            };
        }
        if !r.eat("<") {
            return Err("unexpected text inside <map>".into());
        }
        let kind = r.name()?;
        let (attrs, closed) = r.attributes()?;
        let name = attrs
            .iter()
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let value = if closed {
            attrs
                .iter()
                .find(|(k, _)| k == "value")
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        } else if kind == "set" {
            r.skip_past("</set>")?;
            continue;
        } else {
            let end = format!("</{kind}");
            let raw = r.until(&end)?;
            r.s = &r.s[end.len()..];
            r.skip_ws();
            if !r.eat(">") {
                return Err(format!("bad </{kind}> tag"));
            }
            unescape(raw)?
        };
        out.push(Pref { kind, name, value });
    }
}

struct Reader<'a> {
    s: &'a str,
}

impl<'a> Reader<'a> {
    fn eat(&mut self, p: &str) -> bool {
        match self.s.strip_prefix(p) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    fn skip_ws(&mut self) {
        self.s = self.s.trim_start();
    }

    /// Whitespace, the `<?xml ?>` declaration and comments.
    fn skip_misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_ws();
            if self.eat("<?") {
                self.skip_past("?>")?;
            } else if self.eat("<!--") {
                self.skip_past("-->")?;
            } else {
                return Ok(());
            }
        }
    }

    fn skip_past(&mut self, end: &str) -> Result<(), String> {
        self.until(end)?;
        self.s = &self.s[end.len()..];
        Ok(())
    }

    /// Text up to (not including) `end`; the reader stops before `end`.
    fn until(&mut self, end: &str) -> Result<&'a str, String> {
        let i = self.s.find(end).ok_or_else(|| format!("missing '{end}'"))?;
        let (head, rest) = self.s.split_at(i);
        self.s = rest;
        Ok(head)
    }

    fn name(&mut self) -> Result<String, String> {
        let end = self
            .s
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            .unwrap_or(self.s.len());
        if end == 0 {
            return Err("an element or attribute has no name".into());
        }
        let (n, rest) = self.s.split_at(end);
        self.s = rest;
        Ok(n.to_string())
    }

    /// Attributes up to `>` (false) or `/>` (true).
    fn attributes(&mut self) -> Result<(Vec<(String, String)>, bool), String> {
        let mut attrs = Vec::new();
        loop {
            self.skip_ws();
            if self.eat("/>") {
                return Ok((attrs, true));
            }
            if self.eat(">") {
                return Ok((attrs, false));
            }
            let key = self.name()?;
            self.skip_ws();
            if !self.eat("=") {
                return Err(format!("attribute '{key}' has no value"));
            }
            self.skip_ws();
            let quote = if self.eat("\"") {
                "\""
            } else if self.eat("'") {
                "'"
            } else {
                return Err(format!("attribute '{key}' is not quoted"));
            };
            let raw = self.until(quote)?;
            self.s = &self.s[1..];
            attrs.push((key, unescape(raw)?));
        }
    }
}

/// Resolves the five XML entities and numeric character references.
pub(crate) fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let end = rest
            .find(';')
            .filter(|e| *e <= 10)
            .ok_or("an '&' starts no entity")?;
        let ent = &rest[..end];
        rest = &rest[end + 1..];
        let c = match ent {
            "quot" => '"',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            _ => {
                let code =
                    if let Some(h) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse::<u32>().ok()
                    } else {
                        None
                    };
                code.and_then(char::from_u32).ok_or("unknown XML entity")?
            }
        };
        out.push(c);
    }
    out.push_str(rest);
    Ok(out)
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
