//! `otp list`: labels, JSON, or labels with current codes.

use anyhow::Result;
use serde::Serialize;

use crate::cli::ListArgs;
use crate::cmd::{Ctx, now, out};
use crate::model::label;
use crate::model::{Account, Kind};
use crate::term::{out_bold, out_dim};
use crate::text::{json_safe, sanitize};

/// The `--json` shape: everything but the secret (and recovery codes).
#[derive(Serialize)]
pub struct AccountJson<'a> {
    pub id: &'a str,
    pub issuer: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub algorithm: &'static str,
    pub digits: u8,
    pub period: u64,
    pub counter: u64,
    pub created: String,
    pub updated: String,
    pub note: Option<&'a str>,
    pub tags: &'a [String],
}

impl<'a> AccountJson<'a> {
    pub fn new(a: &'a Account) -> Self {
        let rfc = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        AccountJson {
            id: &a.id,
            issuer: &a.issuer,
            name: &a.name,
            kind: a.kind.as_str(),
            algorithm: a.algorithm.as_str(),
            digits: a.digits,
            period: a.period,
            counter: a.counter,
            created: rfc(a.created),
            updated: rfc(a.updated),
            note: a.note.as_deref(),
            tags: &a.tags,
        }
    }
}

/// Does `query` select this account for listing: its id, or part of
/// issuer:name under label identity (`model::label`).
pub fn matches(a: &Account, query: &str) -> bool {
    a.id == query || label::key(&a.issuer, &a.name).contains(&label::fold(query))
}

pub fn run(ctx: &Ctx, args: ListArgs) -> Result<()> {
    let (vault, _) = ctx.load()?;
    let shown: Vec<&Account> = vault
        .accounts
        .iter()
        .filter(|a| args.query.as_deref().is_none_or(|q| matches(a, q)))
        .collect();
    if args.json {
        let json: Vec<AccountJson<'_>> = shown.iter().map(|a| AccountJson::new(a)).collect();
        return out(&format!(
            "{}\n",
            json_safe(&serde_json::to_string_pretty(&json)?)
        ));
    }
    let mut text = String::new();
    if args.codes {
        let unix = now().unix_timestamp().max(0) as u64;
        let width = shown
            .iter()
            .map(|a| sanitize(&a.label()).chars().count())
            .max()
            .unwrap_or(0);
        for a in shown {
            let label = sanitize(&a.label());
            let pad = " ".repeat(width - label.chars().count());
            let token = a.token();
            let (code, left) = match a.kind {
                Kind::Hotp => (
                    "(hotp)".to_string(),
                    "use `otp code` to advance".to_string(),
                ),
                _ => (
                    crate::otp::generate(&token, unix),
                    format!("{:>2}s", crate::otp::remaining(&token, unix)),
                ),
            };
            text.push_str(&format!(
                "{label}{pad}  {}  {}\n",
                out_bold(&code),
                out_dim(&left)
            ));
        }
    } else {
        for a in shown {
            text.push_str(&sanitize(&a.label()));
            text.push('\n');
        }
    }
    out(&text)
}
