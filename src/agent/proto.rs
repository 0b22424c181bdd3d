//! The agent's wire format, pure: a message is a list of byte fields, sent
//! as a 4-byte big-endian total length, then each field as a 4-byte length
//! and its bytes. The first field names the operation. Every buffer that
//! may hold key material is zeroized when dropped.
//!
//! Requests: `add KEYFILE FINGERPRINT IDENTITY IDLE LIFETIME`,
//! `unwrap KEYFILE FINGERPRINT (STANZA BODY)…`, `status KEYFILE FINGERPRINT`,
//! `forget KEYFILE`, `lock`, `ping`.
//! Replies: `ok [WARNING]`, `key FILEKEY`, `nokey`, `notheld`,
//! `held RECIPIENT IDLE_LEFT LIFETIME_LEFT`, `pong PID`, `err MESSAGE`.

use std::io::{Read, Write};

use zeroize::Zeroizing;

/// Larger messages are refused: a header of many stanzas is a few KiB.
pub const MAX_MESSAGE: usize = 1 << 20;

/// One message: its fields, each zeroized on drop.
#[derive(Default)]
pub struct Message {
    pub fields: Vec<Zeroizing<Vec<u8>>>,
}

impl Message {
    pub fn new(op: &str) -> Message {
        Message::default().with(op.as_bytes())
    }

    pub fn with(mut self, field: &[u8]) -> Message {
        self.fields.push(Zeroizing::new(field.to_vec()));
        self
    }

    pub fn op(&self) -> &[u8] {
        self.fields.first().map_or(&[], |f| &f[..])
    }

    /// Field `i` (0 is the operation), or an empty slice.
    pub fn field(&self, i: usize) -> &[u8] {
        self.fields.get(i).map_or(&[], |f| &f[..])
    }

    /// Field `i` as UTF-8 text.
    pub fn text(&self, i: usize) -> Option<&str> {
        std::str::from_utf8(self.field(i)).ok()
    }

    /// Field `i` as a decimal number.
    pub fn number(&self, i: usize) -> Option<u64> {
        self.text(i)?.parse().ok()
    }

    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let body: usize = self.fields.iter().map(|f| 4 + f.len()).sum();
        let mut out = Zeroizing::new(Vec::with_capacity(4 + body));
        out.extend_from_slice(&(body as u32).to_be_bytes());
        for f in &self.fields {
            out.extend_from_slice(&(f.len() as u32).to_be_bytes());
            out.extend_from_slice(f);
        }
        out
    }

    /// Parses a message body (without the leading total length).
    pub fn decode(mut body: &[u8]) -> Option<Message> {
        let mut msg = Message::default();
        while !body.is_empty() {
            let (len, rest) = body.split_first_chunk::<4>()?;
            let len = u32::from_be_bytes(*len) as usize;
            if rest.len() < len {
                return None;
            }
            msg.fields.push(Zeroizing::new(rest[..len].to_vec()));
            body = &rest[len..];
        }
        (!msg.fields.is_empty()).then_some(msg)
    }

    pub fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(&self.encode())?;
        w.flush()
    }

    /// Reads one message, blocking (the client's side; the agent reads
    /// without blocking, see [`frame_len`]).
    pub fn read_from(r: &mut impl Read) -> std::io::Result<Message> {
        let mut len = [0u8; 4];
        r.read_exact(&mut len)?;
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_MESSAGE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "agent message too large",
            ));
        }
        let mut body = Zeroizing::new(vec![0u8; len]);
        r.read_exact(&mut body)?;
        Message::decode(&body).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed agent message")
        })
    }
}

/// The length of the whole frame (header included) that `start` begins,
/// once its 4-byte header is there: None before that, `Err` when the frame
/// would be larger than [`MAX_MESSAGE`].
pub fn frame_len(start: &[u8]) -> Option<Result<usize, ()>> {
    let (len, _) = start.split_first_chunk::<4>()?;
    let len = u32::from_be_bytes(*len) as usize;
    Some(if len > MAX_MESSAGE {
        Err(())
    } else {
        Ok(4 + len)
    })
}

/// A recipient stanza as one line (`TAG ARG…`), as in an age header.
pub fn stanza_line(stanza: &age_core::format::Stanza) -> String {
    let mut line = stanza.tag.clone();
    for a in &stanza.args {
        line.push(' ');
        line.push_str(a);
    }
    line
}

/// The stanza of a line and body; None for an empty line.
pub fn stanza_of(line: &str, body: &[u8]) -> Option<age_core::format::Stanza> {
    let mut parts = line.split(' ');
    let tag = parts.next().filter(|t| !t.is_empty())?.to_string();
    Some(age_core::format::Stanza {
        tag,
        args: parts.map(str::to_string).collect(),
        body: body.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = Message::new("unwrap")
            .with(b"/k")
            .with(&[0, 1, 2])
            .with(b"");
        let bytes = m.encode();
        let back = Message::decode(&bytes[4..]).unwrap();
        assert_eq!(back.op(), b"unwrap");
        assert_eq!(back.field(1), b"/k");
        assert_eq!(back.field(2), &[0, 1, 2]);
        assert_eq!(back.field(3), b"");
        assert_eq!(back.fields.len(), 4);
        let mut r = &bytes[..];
        assert_eq!(Message::read_from(&mut r).unwrap().fields.len(), 4);
    }

    #[test]
    fn malformed_messages_are_refused() {
        assert!(Message::decode(&[]).is_none());
        assert!(Message::decode(&[0, 0, 0, 5, 1]).is_none());
        assert!(Message::decode(&[0, 0]).is_none());
        let mut r = &[0xff, 0xff, 0xff, 0xff][..];
        assert!(Message::read_from(&mut r).is_err());
        let mut r = &[0, 0, 0, 9, 0][..];
        assert!(Message::read_from(&mut r).is_err());
    }

    #[test]
    fn frame_len_reads_the_header_only() {
        let m = Message::new("ping").encode();
        assert_eq!(frame_len(&m[..3]), None);
        assert_eq!(frame_len(&m[..4]), Some(Ok(m.len())));
        assert_eq!(frame_len(&m), Some(Ok(m.len())));
        assert_eq!(frame_len(&[0xff; 4]), Some(Err(())));
    }

    #[test]
    fn stanzas_round_trip() {
        let s = age_core::format::Stanza {
            tag: "X25519".into(),
            args: vec!["abc".into()],
            body: vec![9; 32],
        };
        let back = stanza_of(&stanza_line(&s), &s.body).unwrap();
        assert_eq!(back.tag, "X25519");
        assert_eq!(back.args, vec!["abc".to_string()]);
        assert_eq!(back.body, vec![9; 32]);
        assert!(stanza_of("", b"").is_none());
    }
}
