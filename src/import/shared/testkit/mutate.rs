//! Input mutations for the "never panics" property tests.

use proptest::prelude::*;

/// One edit of an input: flip bits, cut, insert or delete bytes.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    Xor(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Set(usize, u8),
}

#[derive(Debug, Clone)]
pub(crate) struct Mutation(Vec<Edit>);

impl Mutation {
    pub(crate) fn apply(&self, input: &[u8]) -> Vec<u8> {
        let mut d = input.to_vec();
        for e in &self.0 {
            let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
            match e {
                Edit::Xor(i, x) if !d.is_empty() => {
                    let i = at(*i, d.len());
                    d[i] ^= x.max(&1)
                }
                Edit::Set(i, x) if !d.is_empty() => {
                    let i = at(*i, d.len());
                    d[i] = *x
                }
                Edit::Truncate(i) => {
                    let i = at(*i, d.len() + 1);
                    d.truncate(i)
                }
                Edit::Insert(i, b) => {
                    let i = at(*i, d.len() + 1);
                    d.splice(i..i, b.iter().copied());
                }
                Edit::Delete(i, n) if !d.is_empty() => {
                    let i = at(*i, d.len());
                    let end = (i + n % 64).min(d.len());
                    d.drain(i..end);
                }
                _ => {}
            }
        }
        d
    }
}

/// Mostly small edits of a real file (which reach deep into the parser),
/// with a few structural tokens inserted (quotes, brackets, tags, magic bytes).
pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"{".to_vec()),
        Just(b"]".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"99999999999999999999".to_vec()),
        Just(b"&#0;".to_vec()),
        Just(b"<".to_vec()),
        Just(vec![0x71, 0, 0x7E, 0, 0]),
        Just(vec![0xFF; 4]),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    let edit = prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Edit::Xor(i, x)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Edit::Set(i, x)),
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), interesting).prop_map(|(i, b)| Edit::Insert(i, b)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Edit::Delete(i, n)),
    ];
    proptest::collection::vec(edit, 1..4).prop_map(Mutation)
}

/// Inputs derived from `seed` by flipping, deleting, inserting and
/// truncating bytes, plus fully arbitrary bytes.
pub(crate) fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => mutation().prop_map(move |m| m.apply(&seed)),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

/// Arbitrary JSON values, a few levels deep, with keys the formats use.
pub(crate) fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let key = prop_oneof![
        Just("secret".to_string()),
        Just("type".to_string()),
        Just("digits".to_string()),
        Just("period".to_string()),
        Just("counter".to_string()),
        Just("algorithm".to_string()),
        Just("issuer".to_string()),
        Just("name".to_string()),
        "[a-z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(Value::from("JBSWY3DPEHPK3PXP")),
        Just(Value::from("SHA1")),
        Just(Value::from("TOTP")),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}
