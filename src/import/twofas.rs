//! 2FAS Authenticator backups (`.2fas`, schema versions 1 to 4), plain or
//! password-encrypted.
//!
//! An encrypted backup keeps `services` empty and puts the list in
//! `servicesEncrypted` as `base64(ciphertext‖tag):base64(salt):base64(iv)`,
//! AES-256-GCM under PBKDF2-HMAC-SHA256(password, salt, 10,000).
//!
//! Names: users rename entries in 2FAS after scanning, so the service
//! `name`, `otp.issuer`, `otp.account` and the URI in `otp.link` can
//! disagree. What the user sees in the app wins: issuer = `name` (else
//! `otp.issuer`), account = `otp.account` (else the part of `otp.label`
//! after its `issuer:` prefix). `otp.link` is ignored: it is the URI as
//! first scanned, not always a valid one (raw spaces).
//! Schema 1 and 2 have no `tokenType`: every entry is TOTP, as in 2FAS.

use serde::Deserialize;
use zeroize::Zeroizing;

use super::shared::crypto;
use super::shared::entry::{self, RawParams};
use super::shared::json;
use super::{Format, ImportError, Passwords};
use crate::model::{Entry, Kind, Parsed};

pub const FORMAT: Format = Format {
    name: "2fas",
    title: "2FAS Authenticator",
    detect,
    parse,
};

const PBKDF2_ITERATIONS: u32 = 10_000;

fn detect(data: &[u8]) -> bool {
    json::sniff_keys(data).is_some_and(|keys| {
        keys.get("services") == Some(json::Shape::Array) && keys.has("schemaVersion")
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Backup<'a> {
    #[serde(borrow)]
    services: Option<json::Entries<'a>>,
    services_encrypted: Option<String>,
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    name: Option<String>,
    secret: json::SecretField,
    #[serde(default)]
    otp: Otp,
    group_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Otp {
    account: Option<String>,
    issuer: Option<String>,
    label: Option<String>,
    digits: Option<u64>,
    period: Option<u64>,
    algorithm: Option<String>,
    counter: Option<u64>,
    token_type: Option<String>,
}

fn parse(data: &[u8], passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    let backup: Backup<'_> = json::document("2FAS backup", data)?;
    match (backup.services_encrypted.as_deref(), &backup.services) {
        (Some(sealed), _) if !sealed.is_empty() => {
            let plain = decrypt(sealed, passwords)?;
            let services = json::document("decrypted 2FAS services", &plain)?;
            Ok(entries(&services, &backup.groups))
        }
        (_, Some(services)) => Ok(entries(services, &backup.groups)),
        (_, None) => Err(ImportError::malformed("a 2FAS backup without 'services'")),
    }
}

fn decrypt(sealed: &str, passwords: &mut Passwords<'_>) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let mut parts = sealed.split(':');
    let (Some(ciphertext), Some(salt), Some(iv), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ImportError::malformed(
            "servicesEncrypted is not 'ciphertext:salt:iv'",
        ));
    };
    let ciphertext = crypto::base64("servicesEncrypted ciphertext", ciphertext)?;
    let salt = crypto::base64("servicesEncrypted salt", salt)?;
    let iv = crypto::base64("servicesEncrypted iv", iv)?;
    crypto::exact_len("servicesEncrypted iv", &iv, 12)?;
    let password = passwords("2FAS backup")?;
    let key = crypto::pbkdf2_sha256(password.as_bytes(), &salt, PBKDF2_ITERATIONS)?;
    crypto::aes256_gcm_open(&key, &iv, b"", &ciphertext)?.ok_or(ImportError::WrongPassword)
}

fn entries(services: &json::Entries<'_>, groups: &[Group]) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, raw) in json::entries::<Service>(services).enumerate() {
        match raw {
            Ok(service) => {
                let (issuer, name) = names(&service);
                let result = entry(&service, issuer.clone(), name.clone(), groups);
                entry::push(&mut parsed, &issuer, &name, result);
            }
            Err(reason) => {
                let label = format!("service {}", index + 1);
                entry::push(&mut parsed, "", &label, Err(reason));
            }
        }
    }
    parsed
}

fn names(service: &Service) -> (String, String) {
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let otp = &service.otp;
    let issuer = nonempty(&service.name)
        .or_else(|| nonempty(&otp.issuer))
        .unwrap_or_default();
    let account = nonempty(&otp.account).unwrap_or_else(|| match otp.label.as_deref() {
        Some(label) => label
            .split_once(':')
            .map_or("", |(_, name)| name)
            .trim()
            .to_string(),
        None => String::new(),
    });
    (issuer, account)
}

fn entry(
    service: &Service,
    issuer: String,
    name: String,
    groups: &[Group],
) -> Result<Entry, String> {
    let otp = &service.otp;
    let kind = match otp.token_type.as_deref() {
        None | Some("TOTP") => Kind::Totp,
        Some("HOTP") => Kind::Hotp,
        Some("STEAM") => Kind::Steam,
        Some(other) => return Err(entry::unsupported_kind(&format!("'{other}'"))),
    };
    let params = RawParams {
        algorithm: otp.algorithm.as_deref(),
        digits: otp.digits,
        // HOTP services carry a meaningless `period: 30`; it is not used.
        period: otp.period.filter(|_| kind != Kind::Hotp),
        counter: otp.counter,
    };
    let secret = entry::secret_text(service.secret.text()?)?;
    let mut entry = Entry::new(issuer, name, entry::token(kind, &params, secret)?);
    if let Some(group) = groups
        .iter()
        .find(|g| Some(&g.id) == service.group_id.as_ref())
    {
        entry.tags.push(group.name.clone());
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit::*;

    fn twofas(files: &[&str], want: &[Want]) {
        for file in files {
            let data = fixture(file);
            assert!(detect(&data), "{file}");
            let parsed = parse(&data, &mut pw("test")).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_entries(&parsed, want);
            assert!(parsed.skipped.is_empty());
        }
    }

    #[test]
    fn schema_1_has_only_secrets_so_all_are_plain_totp() {
        let want: Vec<Want> = AEGIS[..6].iter().map(|w| w.plain_totp()).collect();
        twofas(&["imp1/2fas_authenticator.json"], &want);
    }

    #[test]
    fn schema_2_has_no_token_type_so_all_are_totp() {
        let want: Vec<Want> = [0, 2, 3, 5]
            .iter()
            .map(|&i| Want {
                kind: Kind::Totp,
                step: if i == 2 { 50 } else { 30 },
                code: None,
                ..AEGIS[i]
            })
            .collect();
        twofas(
            &[
                "imp1/2fas_authenticator_plain.2fas",
                "imp1/2fas_authenticator_encrypted.2fas",
            ],
            &want,
        );
    }

    #[test]
    fn schema_3_and_4_keep_types_counters_and_steam() {
        twofas(
            &[
                "imp1/2fas_authenticator_plain_v3.2fas",
                "imp1/2fas_authenticator_encrypted_v3.2fas",
            ],
            &AEGIS[..6],
        );
        let v4 = [AEGIS[0], AEGIS[3], AEGIS[4], AEGIS[5], AEGIS[6]];
        twofas(
            &[
                "imp1/2fas_authenticator_plain_v4.2fas",
                "imp1/2fas_authenticator_encrypted_v4.2fas",
            ],
            &v4,
        );
    }

    #[test]
    fn stratum_backups_with_null_algorithm_groups_and_empty_account() {
        // S2 (9 digits) is not in these files.
        let mut want = STRATUM.to_vec();
        want[6] = want[6].with("NoIssuer", "");
        want.remove(1);
        twofas(
            &[
                "imp1/stratum/twofas.unencrypted.2fas",
                "imp1/stratum/twofas.encrypted.2fas",
            ],
            &want[..],
        );
        let parsed = parse(
            &fixture("imp1/stratum/twofas.unencrypted.2fas"),
            &mut no_password,
        )
        .unwrap();
        let grouped: Vec<_> = parsed
            .entries
            .iter()
            .filter(|e| e.tags == ["Group"])
            .map(|e| e.label())
            .collect();
        assert_eq!(grouped, ["NoIssuer", "Long:Period"]);
    }

    #[test]
    fn conflicting_names_follow_what_the_app_shows() {
        let want = [
            Want {
                issuer: "Example 1",
                name: "Additional Info",
                secret: "N5LVC5JZNVVDSUZPJFIWUZSHGFDGMZJU",
                code: Some("421835"),
                ..STRATUM[5]
            },
            Want {
                issuer: "Example 1",
                name: "Other Additional Info",
                secret: "JBSWY3DPEHPK3PXP",
                code: Some("742275"),
                ..STRATUM[5]
            },
            Want {
                issuer: "Example 2",
                name: "alice@google",
                secret: "JBSWY3DPEHPK3PXW",
                code: Some("832536"),
                ..STRATUM[5]
            },
            Want {
                issuer: "Example 3",
                name: "Example in Folder",
                secret: "XBSWY3DPEHPK3PXW",
                code: Some("272781"),
                ..STRATUM[5]
            },
        ];
        twofas(
            &["imp1/2fas-demo-nopass.2fas", "imp1/2fas-demo-pass.2fas"],
            &want,
        );
        let parsed = parse(&fixture("imp1/2fas-demo-pass.2fas"), &mut pw("test")).unwrap();
        let folder = parsed
            .entries
            .iter()
            .find(|e| e.issuer == "Example 3")
            .unwrap();
        assert_eq!(folder.tags, ["Folder 1"]);
    }

    #[test]
    fn wrong_or_missing_password_is_reported() {
        assert_password_errors(&FORMAT, "imp1/stratum/twofas.encrypted.2fas", "test1");
    }

    #[test]
    fn unknown_token_types_are_skipped_with_the_reason() {
        let doc = br#"{"schemaVersion":4,"services":[{"name":"Y","secret":"JBSWY3DPEHPK3PXP","otp":{"tokenType":"YAOTP"}},
            {"name":"Z","secret":"JBSWY3DPEHPK3PXP","otp":{"tokenType":"TOTP","algorithm":"MD5"}}]}"#;
        let parsed = parse(doc, &mut no_password).unwrap();
        assert!(parsed.entries.is_empty());
        assert_eq!(parsed.skipped.len(), 2);
        assert!(parsed.skipped[0].reason.contains("YAOTP"));
    }

    #[test]
    fn other_json_is_not_an_empty_backup() {
        assert_malformed(&FORMAT, b"{}");
        assert_malformed(&FORMAT, &fixture("imp1/aegis_plain.json"));
    }

    #[test]
    fn detection_is_specific() {
        assert!(!detect(&fixture("imp1/aegis_plain.json")));
        assert!(!detect(&fixture("imp1/andotp_plain.json")));
        assert!(!detect(&fixture("imp1/bitwarden.json")));
        assert!(!detect(br#"{"services": {}, "schemaVersion": 4}"#));
        assert!(!detect(br#"{"services": []}"#));
        assert!(detect(br#"{"services": [], "schemaVersion": 4}"#));
    }

    /// Services that do not read are skipped, each with what is wrong and
    /// never the value (the secrets are read straight into wiped memory).
    #[test]
    fn bad_services_are_skipped_with_their_reason() {
        let data = br#"{"schemaVersion": 4, "services": [
            {"name": "A", "secret": 5, "otp": {"account": "number"}},
            {"name": "B", "secret": null, "otp": {"account": "null"}},
            {"name": "C", "otp": {"account": "missing"}},
            {"name": "D", "secret": "JBSWY3DPEHPK3PXP", "otp": {"digits": "six"}},
            {"name": "E", "secret": "JBSWY3DPEHPK3PXP", "otp": {"account": "good"}}
        ]}"#;
        let parsed = parse(data, &mut no_password).unwrap();
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(parsed.entries[0].label(), "E:good");
        let skipped: Vec<_> = parsed
            .skipped
            .iter()
            .map(|s| (s.label.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("A:number", "the secret is not a string"),
                ("B:null", "the entry has no secret"),
                ("service 3", "a field has the wrong type or value"),
                ("service 4", "a field has the wrong type or value"),
            ]
        );
        for s in &parsed.skipped {
            assert!(!s.reason.contains("JBSW"), "{}", s.reason);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn mutated_backups_never_panic(data in mutated(fixture("imp1/2fas_authenticator_plain_v4.2fas"))) {
            let _ = detect(&data);
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn mutated_encrypted_backups_never_panic(data in mutated(fixture("imp1/2fas-demo-pass.2fas"))) {
            let _ = parse(&data, &mut no_password);
        }

        #[test]
        fn arbitrary_services_never_panic(services in prop::collection::vec(arbitrary_json(), 0..6)) {
            let text = serde_json::to_string(&services).unwrap();
            let _ = entries(&serde_json::from_str(&text).unwrap(), &[]);
        }
    }
}
