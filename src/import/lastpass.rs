//! LastPass Authenticator's JSON export (version 3).
//!
//! `{"version": 3, "deviceName", "localDeviceId", …, "accounts": [{"issuerName",
//! "userName", "secret": "<base32>", "timeStep", "digits", "algorithm",
//! "folderData": {"folderId", "position"}, …}], "folders": [{"id", "name"}]}`.
//! Every account is TOTP; `algorithm` is SHA1, SHA256 or SHA512. A folder
//! other than id 0 ("Other accounts", where unfiled accounts sit) becomes a
//! tag. This is the layout Stratum (Authenticator Pro) reads
//! (`Stratum.Core/src/Converter/LastPassBackupConverter.cs`); its test export
//! is `tests/fixtures/imp3/lastpass.json`.
//!
//! What it trusts: nothing. The file is parsed whole before anything is
//! imported; another version, a missing `accounts` list or broken JSON is
//! an error naming the problem; an account whose secret or parameters are
//! wrong is listed as not imported, with the reason and never the secret.
//! LastPass can also write a password-protected export; no public source
//! documents its layout (no other authenticator reads it either), so it is
//! refused, saying to export again without a password: a JSON export
//! without its `accounts` list, or, with `--format lastpass`, a file that is
//! not JSON at all.

use serde_json::Value;

use super::shared::entry::{Collector, RawParams, token};
use super::shared::json::{self, array, object, opt_i64, opt_str, req_str};
use super::{Format, ImportError, Passwords};
use crate::model::{Entry, Kind, Parsed, Secret};

pub const FORMAT: Format = Format {
    name: "lastpass",
    title: "LastPass Authenticator export",
    detect,
    parse,
};

const WHAT: &str = "LastPass Authenticator export";

/// The only layout whose fields are known.
const VERSION: i64 = 3;

/// The keys only LastPass writes beside `accounts`.
const DEVICE_KEYS: [&str; 3] = ["localDeviceId", "deviceName", "deviceSecret"];

fn detect(data: &[u8]) -> bool {
    json::sniff_object(data).is_some_and(|map| {
        map.contains_key("version")
            && DEVICE_KEYS.iter().any(|k| map.contains_key(*k))
            && (map.contains_key("accounts") || encrypted_shape(&map))
    })
}

/// An export without the `accounts` list but with something that looks like
/// ciphertext in its place.
fn encrypted_shape(map: &serde_json::Map<String, Value>) -> bool {
    !map.contains_key("accounts")
        && map
            .iter()
            .any(|(k, v)| !DEVICE_KEYS.contains(&k.as_str()) && k != "version" && v.is_string())
}

/// The refusal of a password-protected export, and what to do instead.
const PROTECTED: &str = "otp cannot read a password-protected LastPass Authenticator export (its format is not published); export again from LastPass Authenticator without a password, import that file, then delete it";

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    // Not even the start of a JSON document (broken JSON is malformed).
    if !matches!(json::trim_start(data).first(), Some(b'{' | b'[')) {
        return Err(ImportError::Unsupported(format!(
            "not a plain (JSON) {WHAT}: {PROTECTED}"
        )));
    }
    let root = json::parse(data, WHAT)?;
    let bad = |m: String| ImportError::malformed(format!("{WHAT}: {m}"));
    let o = object(&root, "the export").map_err(bad)?;
    match opt_i64(o, "version").map_err(bad)? {
        Some(VERSION) => {}
        Some(v) => {
            return Err(ImportError::Unsupported(format!(
                "{WHAT} version {v} (otp reads version {VERSION}); export again from an up-to-date LastPass Authenticator, without a password"
            )));
        }
        None => return Err(bad("no \"version\"".into())),
    }
    let Some(accounts) = o.get("accounts") else {
        return Err(ImportError::Unsupported(format!(
            "{WHAT} without an \"accounts\" list, as a password-protected one: {PROTECTED}"
        )));
    };
    let accounts = array(accounts, "\"accounts\"").map_err(bad)?;
    let folders = folders(o.get("folders")).map_err(bad)?;
    let mut out = Collector::new();
    for (i, a) in accounts.iter().enumerate() {
        let Ok(a) = object(a, "account") else {
            out.skip(format!("account #{}", i + 1), "not a JSON object");
            continue;
        };
        let issuer = opt_str(a, "issuerName").ok().flatten().unwrap_or("").trim();
        let name = opt_str(a, "userName").ok().flatten().unwrap_or("").trim();
        let shown = match crate::model::label(issuer, name) {
            l if l.is_empty() => format!("account #{}", i + 1),
            l => l,
        };
        out.push(shown, account(a, issuer, name, &folders));
    }
    Ok(out.finish())
}

/// Folder ids to names; id 0 is LastPass's "Other accounts", no folder.
fn folders(v: Option<&Value>) -> Result<Vec<(i64, String)>, String> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for f in array(v, "\"folders\"")? {
        let f = object(f, "folder")?;
        let (Some(id), Some(name)) = (opt_i64(f, "id")?, opt_str(f, "name")?) else {
            return Err("a folder without an id or a name".into());
        };
        if id != 0 && !name.trim().is_empty() {
            out.push((id, name.trim().to_string()));
        }
    }
    Ok(out)
}

fn account(
    a: &serde_json::Map<String, Value>,
    issuer: &str,
    name: &str,
    folders: &[(i64, String)],
) -> Result<Entry, String> {
    let secret = Secret::from_base32(req_str(a, "secret")?).map_err(|e| e.to_string())?;
    let uint = |key: &str| -> Result<Option<u64>, String> {
        opt_i64(a, key)?
            .map(|n| u64::try_from(n).map_err(|_| format!("\"{key}\" is {n}")))
            .transpose()
    };
    let params = RawParams {
        algorithm: opt_str(a, "algorithm")?,
        digits: uint("digits")?,
        period: uint("timeStep")?,
        counter: None,
    };
    let mut entry = Entry::new(issuer, name, token(Kind::Totp, &params, secret)?);
    let folder = a
        .get("folderData")
        .and_then(|f| f.get("folderId"))
        .and_then(Value::as_i64);
    if let Some((_, tag)) = folders.iter().find(|(id, _)| Some(*id) == folder) {
        entry.tags.push(tag.clone());
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::shared::testkit::*;

    const FIXTURE: &str = "imp3/lastpass.json";

    #[test]
    fn stratum_fixture() {
        let p = parse_ok(&FORMAT, FIXTURE, &[]);
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        // Stratum's own export of the same six keys, with the same codes at
        // AT; LastPass keeps an empty issuer where Stratum copies the name.
        let want: Vec<Want> = STRATUM
            .iter()
            .filter(|w| w.kind == Kind::Totp)
            .map(|w| match w.name {
                "NoIssuer" => w.with("", "NoIssuer"),
                _ => *w,
            })
            .collect();
        assert_eq!(want.len(), 6);
        assert_entries(&p, &want);
        let tags: Vec<(&str, Vec<String>)> = p
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.tags.clone()))
            .collect();
        assert!(tags.contains(&("Totp", vec!["Favorites".into()])));
        assert!(tags.contains(&("NoIssuer", vec!["Group".into()])));
        assert!(tags.contains(&("256", vec![])), "folder 0 is no folder");
    }

    #[test]
    fn detection() {
        assert!(detect(&fixture(FIXTURE)));
        for other in [
            "imp2/stratum/backup.unencrypted.authpro",
            "imp2/stratum/freeotpplus.json",
            "imp1/aegis_plain.json",
            "imp1/proton_authenticator.json",
        ] {
            assert!(!detect(&fixture(other)), "{other}");
        }
        assert!(!detect(br#"{"version":3,"accounts":[]}"#));
        assert!(detect(br#"{"version":3,"deviceName":"x","accounts":[]}"#));
        assert!(crate::import::detect(&fixture(FIXTURE)).is_some_and(|f| f.name == "lastpass"));
    }

    #[test]
    fn bad_files_import_nothing_and_say_why() {
        let unsupported = |data: &[u8]| match parse_with(&FORMAT, data, &[]) {
            Err(ImportError::Unsupported(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(
            unsupported(br#"{"version":2,"deviceName":"x","accounts":[]}"#).contains("version 2")
        );
        for protected in [
            &br#"{"version":3,"deviceName":"x","data":"AAAA"}"#[..],
            b"U2FsdGVkX1+abcdefghijklmnop==",
            b"\x00\x9f\x13binary",
            b"",
        ] {
            let m = unsupported(protected);
            assert!(
                m.contains("password-protected") && m.contains("without a password"),
                "{m}"
            );
        }
        for data in [
            &br#"{"version":3,"deviceName":"x","accounts":{}}"#[..],
            br#"{"deviceName":"x","accounts":[]}"#,
            br#"{"version":3,"deviceName":"x","accounts":[],"folders":[{"id":1}]}"#,
            br#"[1,2]"#,
            br#"{"version":3,"accounts":["#,
        ] {
            assert_malformed(&FORMAT, data);
        }
    }

    #[test]
    fn a_bad_account_is_named_without_its_secret() {
        let data = br#"{"version":3,"deviceName":"x","accounts":[
            {"issuerName":"Bank","userName":"al","secret":"JBSWY3DPEHPK3PX1","timeStep":30,"digits":6,"algorithm":"SHA1"},
            {"issuerName":"Mail","userName":"al","secret":"JBSWY3DPEHPK3PXP","timeStep":30,"digits":6,"algorithm":"MD5"},
            {"issuerName":"Shop","userName":"al","secret":"JBSWY3DPEHPK3PXP","timeStep":0,"digits":6,"algorithm":"SHA1"},
            {"issuerName":"Chat","userName":"al","secret":"JBSWY3DPEHPK3PXP","timeStep":30,"digits":-6,"algorithm":"SHA1"},
            7,
            {"issuerName":"Ok","userName":"al","secret":"JBSWY3DPEHPK3PXP"}
        ]}"#;
        let p = parse_with(&FORMAT, data, &[]).unwrap();
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.entries[0].label(), "Ok:al");
        let skipped: Vec<&str> = p.skipped.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            skipped,
            ["Bank:al", "Mail:al", "Shop:al", "Chat:al", "account #5"]
        );
        for s in &p.skipped {
            assert!(!s.reason.contains("JBSW"), "{}", s.reason);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(m in mutation()) {
            let data = m.apply(&fixture(FIXTURE));
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }
    }
}
