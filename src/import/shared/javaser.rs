//! A minimal, bounded reader for one Java-serialized `HashMap<String,String>`.
//!
//! FreeOTP 2 writes its backups with `ObjectOutputStream`. Only this one
//! shape is read (Java Object Serialization Stream Protocol, version 5):
//! a `java.util.HashMap` class descriptor with primitive fields only and no
//! superclass, its field values, the `writeObject` block (bucket count and
//! size), then `size` key/value objects that are strings (`TC_STRING`,
//! `TC_LONGSTRING`, or a back-reference to an earlier string). Anything else
//! is refused. Every length is checked against the remaining input, so a
//! hostile file costs at most one pass over its bytes.

const MAGIC: [u8; 4] = [0xAC, 0xED, 0x00, 0x05];
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_LONGSTRING: u8 = 0x7C;
const BASE_HANDLE: u32 = 0x7E_0000;

pub(crate) fn is_java_serialized(data: &[u8]) -> bool {
    data.starts_with(&MAGIC)
}

/// The map's entries in stream order.
pub(crate) fn read_string_map(data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut r = Stream {
        data,
        pos: 0,
        handles: Vec::new(),
    };
    if r.take(4)? != MAGIC {
        return Err("not a Java serialization stream".into());
    }
    r.expect(TC_OBJECT, "an object")?;
    r.expect(TC_CLASSDESC, "a class descriptor")?;
    let class = r.utf()?;
    if class != "java.util.HashMap" {
        return Err("the stream does not hold a java.util.HashMap".into());
    }
    r.take(8)?; // serialVersionUID
    r.handles.push(None); // the class descriptor
    r.take(1)?; // flags
    let nfields = r.u16()?;
    let mut prim_bytes = 0usize;
    for _ in 0..nfields {
        let size = match r.u8()? {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'F' | b'I' => 4,
            b'D' | b'J' => 8,
            _ => return Err("the HashMap descriptor has a field of an unexpected type".into()),
        };
        r.utf()?;
        prim_bytes += size;
    }
    r.expect(TC_ENDBLOCKDATA, "the end of the class annotation")?;
    r.expect(TC_NULL, "no superclass")?;
    r.handles.push(None); // the map object
    r.take(prim_bytes)?; // loadFactor, threshold
    r.expect(TC_BLOCKDATA, "the map's size block")?;
    if r.u8()? != 8 {
        return Err("unexpected size block in the HashMap".into());
    }
    r.take(4)?; // bucket count
    let size = r.u32()? as usize;
    // Each entry is at least two 3-byte strings: bound before allocating.
    if size > r.remaining() / 6 {
        return Err("the HashMap claims more entries than the file holds".into());
    }
    let mut out = Vec::with_capacity(size);
    for _ in 0..size {
        let k = r.string()?;
        let v = r.string()?;
        out.push((k, v));
    }
    r.expect(TC_ENDBLOCKDATA, "the end of the HashMap")?;
    Ok(out)
}

struct Stream<'a> {
    data: &'a [u8],
    pos: usize,
    /// Objects in handle order; strings are kept for back-references.
    handles: Vec<Option<String>>,
}

impl<'a> Stream<'a> {
    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or("the stream ends early")?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn expect(&mut self, tag: u8, what: &str) -> Result<(), String> {
        if self.u8()? == tag {
            Ok(())
        } else {
            Err(format!("expected {what} in the Java stream"))
        }
    }

    fn utf(&mut self) -> Result<String, String> {
        let n = self.u16()? as usize;
        modified_utf8(self.take(n)?)
    }

    fn string(&mut self) -> Result<String, String> {
        let s = match self.u8()? {
            TC_STRING => self.utf()?,
            TC_LONGSTRING => {
                let b = self.take(8)?;
                let n = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                let n = usize::try_from(n).map_err(|_| "a string is too long")?;
                modified_utf8(self.take(n)?)?
            }
            TC_REFERENCE => {
                let h = self.u32()?.wrapping_sub(BASE_HANDLE) as usize;
                return match self.handles.get(h) {
                    Some(Some(s)) => Ok(s.clone()),
                    _ => Err("a back-reference does not point to a string".into()),
                };
            }
            _ => return Err("a HashMap key or value is not a string".into()),
        };
        self.handles.push(Some(s.clone()));
        Ok(s)
    }
}

/// Java's "modified UTF-8": UTF-16 code units written as 1–3 byte sequences
/// (NUL as C0 80, supplementary characters as two encoded surrogates).
fn modified_utf8(b: &[u8]) -> Result<String, String> {
    let bad = || "a string is not valid modified UTF-8".to_string();
    let mut units = Vec::with_capacity(b.len());
    let mut i = 0;
    let cont = |x: Option<&u8>| {
        x.filter(|c| *c & 0xC0 == 0x80)
            .map(|c| u16::from(*c & 0x3F))
    };
    while let Some(&c) = b.get(i) {
        let unit = match c {
            0x01..=0x7F => {
                i += 1;
                u16::from(c)
            }
            0xC0..=0xDF => {
                let c2 = cont(b.get(i + 1)).ok_or_else(bad)?;
                i += 2;
                (u16::from(c & 0x1F) << 6) | c2
            }
            0xE0..=0xEF => {
                let c2 = cont(b.get(i + 1)).ok_or_else(bad)?;
                let c3 = cont(b.get(i + 2)).ok_or_else(bad)?;
                i += 3;
                (u16::from(c & 0x0F) << 12) | (c2 << 6) | c3
            }
            _ => return Err(bad()),
        };
        units.push(unit);
    }
    String::from_utf16(&units).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `new ObjectOutputStream(out).writeObject(map)` writes for
    /// {"a": "b", "c": <same "b" object>} (Android API 23 descriptor).
    fn sample(size: u32) -> Vec<u8> {
        let mut v = MAGIC.to_vec();
        v.extend([TC_OBJECT, TC_CLASSDESC, 0, 17]);
        v.extend(b"java.util.HashMap");
        v.extend([
            0x05, 0x07, 0xDA, 0xC1, 0xC3, 0x16, 0x60, 0xD1, 0x03, 0, 1, b'F', 0, 10,
        ]);
        v.extend(b"loadFactor");
        v.extend([
            TC_ENDBLOCKDATA,
            TC_NULL,
            0x3F,
            0x40,
            0,
            0,
            TC_BLOCKDATA,
            8,
            0,
            0,
            0,
            16,
        ]);
        v.extend(size.to_be_bytes());
        v.extend([TC_STRING, 0, 1, b'a', TC_STRING, 0, 2, 0xC3, 0xA9]);
        v.extend([TC_STRING, 0, 1, b'c', TC_REFERENCE, 0, 0x7E, 0, 3]);
        v.push(TC_ENDBLOCKDATA);
        v
    }

    #[test]
    fn reads_a_string_map_with_back_references() {
        let m = read_string_map(&sample(2)).unwrap();
        assert_eq!(m, vec![("a".into(), "é".into()), ("c".into(), "é".into())]);
    }

    #[test]
    fn refuses_lies_and_truncation() {
        assert!(read_string_map(&sample(3)).is_err());
        assert!(read_string_map(&sample(u32::MAX)).is_err());
        let s = sample(2);
        for n in 0..s.len() {
            assert!(read_string_map(&s[..n]).is_err());
        }
    }

    #[test]
    fn modified_utf8_edge_cases() {
        assert_eq!(modified_utf8(&[0xC0, 0x80]).unwrap(), "\0");
        // U+1F600 as two 3-byte surrogates.
        assert_eq!(
            modified_utf8(&[0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]).unwrap(),
            "😀"
        );
        assert!(modified_utf8(&[0x00]).is_err());
        assert!(modified_utf8(&[0xED, 0xA0, 0xBD]).is_err());
        assert!(modified_utf8(&[0xF0, 0x9F, 0x98, 0x80]).is_err());
    }
}
