//! Auto-detection over the whole format list picks the right importer for
//! every fixture (order and sniffs together), and claims no file wrongly.

use super::fixture;
use crate::import;

#[test]
fn each_fixture_is_detected_as_its_format() {
    let cases: &[(&str, Option<&str>)] = &[
        ("imp1/aegis_plain.json", Some("aegis")),
        ("imp1/aegis_encrypted.json", Some("aegis")),
        ("imp1/aegis_plain_grouped_v2.json", Some("aegis")),
        ("imp1/stratum/aegis.unencrypted.json", Some("aegis")),
        ("imp1/stratum/aegis.encrypted.json", Some("aegis")),
        ("imp1/2fas_authenticator.json", Some("2fas")),
        ("imp1/2fas_authenticator_plain.2fas", Some("2fas")),
        ("imp1/2fas_authenticator_encrypted.2fas", Some("2fas")),
        ("imp1/2fas_authenticator_plain_v3.2fas", Some("2fas")),
        ("imp1/2fas_authenticator_encrypted_v3.2fas", Some("2fas")),
        ("imp1/2fas_authenticator_plain_v4.2fas", Some("2fas")),
        ("imp1/2fas_authenticator_encrypted_v4.2fas", Some("2fas")),
        ("imp1/2fas-demo-nopass.2fas", Some("2fas")),
        ("imp1/2fas-demo-pass.2fas", Some("2fas")),
        ("imp1/stratum/twofas.unencrypted.2fas", Some("2fas")),
        ("imp1/stratum/twofas.encrypted.2fas", Some("2fas")),
        ("imp1/andotp_plain.json", Some("andotp")),
        ("imp1/andotp_encrypted.bin", Some("andotp")),
        ("imp1/stratum/andotp.unencrypted.json", Some("andotp")),
        ("imp1/stratum/andotp.encrypted.bin", Some("andotp")),
        // The old andOTP layout has nothing to recognise: --format andotp.
        ("imp1/andotp_encrypted_old.bin", None),
        ("imp1/bitwarden.json", Some("bitwarden")),
        ("imp1/bitwarden.csv", Some("bitwarden")),
        ("imp1/stratum/bitwarden.unencrypted.json", Some("bitwarden")),
        (
            "imp1/stratum/bitwardenauthenticator.json",
            Some("bitwarden"),
        ),
        (
            "imp1/stratum/bitwarden.encrypted.pbkdf2.json",
            Some("bitwarden"),
        ),
        (
            "imp1/stratum/bitwarden.encrypted.argon2id.json",
            Some("bitwarden"),
        ),
        (
            "imp1/stratum/bitwarden.encrypted.accountrestricted.json",
            Some("bitwarden"),
        ),
        ("imp1/ente_auth.txt", Some("ente")),
        ("imp1/stratum/ente.encrypted.json", Some("ente")),
        // A plain URI list: the generic format reads it.
        ("imp1/stratum/ente.unencrypted.txt", Some("uris")),
        ("imp1/proton_authenticator.json", Some("proton")),
        ("imp1/proton_authenticator_backup.json", Some("proton")),
        (
            "imp1/proton_authenticator_backup_encrypted_1231246.json",
            Some("proton"),
        ),
        (
            "imp2/aegis/authenticator_plus.zip",
            Some("authenticator-plus"),
        ),
        ("imp2/aegis/authy_encrypted.xml", Some("authy")),
        ("imp2/aegis/authy_plain.xml", Some("authy")),
        (
            "imp2/aegis/battle_net_authenticator.xml",
            Some("battle-net"),
        ),
        ("imp2/aegis/duo.json", Some("duo")),
        ("imp2/aegis/freeotp.xml", Some("freeotp")),
        ("imp2/aegis/freeotp_plus.json", Some("freeotp-plus")),
        ("imp2/aegis/freeotp_plus_internal.xml", Some("freeotp")),
        ("imp2/aegis/freeotp_v2_api23.xml", Some("freeotp")),
        ("imp2/aegis/freeotp_v2_api25.xml", Some("freeotp")),
        ("imp2/aegis/freeotp_v2_api27.xml", Some("freeotp")),
        ("imp2/aegis/freeotp_v2_api34.xml", Some("freeotp")),
        ("imp2/aegis/freeotp_v2_null_algo.xml", Some("freeotp")),
        (
            "imp2/aegis/google_authenticator.sqlite",
            Some("google-authenticator-db"),
        ),
        (
            "imp2/aegis/microsoft_authenticator.sqlite",
            Some("microsoft-authenticator"),
        ),
        ("imp2/aegis/plain.txt", Some("uris")),
        ("imp2/aegis/steam.json", Some("steam")),
        ("imp2/aegis/steam_old.json", Some("steam")),
        ("imp2/aegis/stratum_encrypted.bin", Some("stratum")),
        ("imp2/aegis/stratum_encrypted_legacy.bin", Some("stratum")),
        ("imp2/aegis/stratum_internal.db", Some("stratum")),
        ("imp2/aegis/stratum_plain.json", Some("stratum")),
        (
            "imp2/aegis/totp_authenticator.bin",
            Some("totp-authenticator"),
        ),
        (
            "imp2/aegis/totp_authenticator_internal.xml",
            Some("totp-authenticator"),
        ),
        ("imp2/cotp/PhoneFactor", Some("microsoft-authenticator")),
        ("imp2/cotp/authy.xml", Some("authy")),
        ("imp2/cotp/freeotp.xml", Some("freeotp")),
        ("imp2/cotp/freeotp_plus.json", Some("freeotp-plus")),
        ("imp2/cotp/freeotp_plus_example1.json", Some("freeotp-plus")),
        ("imp2/cotp/gauth.sqlite3", Some("google-authenticator-db")),
        ("imp2/stratum/authplus.db", None),
        ("imp2/stratum/backup.legacy.authpro", Some("stratum")),
        ("imp2/stratum/backup.strong.authpro", Some("stratum")),
        ("imp2/stratum/backup.unencrypted.authpro", Some("stratum")),
        ("imp2/stratum/demo.authpro", Some("stratum")),
        ("imp2/stratum/demo.encrypted.authpro", Some("stratum")),
        ("imp2/stratum/freeotp.bin", Some("freeotp")),
        ("imp2/stratum/freeotpplus.json", Some("freeotp-plus")),
        (
            "imp2/stratum/totpauthenticator.encrypted.bin",
            Some("totp-authenticator"),
        ),
        ("imp2/stratum/winauth.invalid.zip", None),
        ("imp2/stratum/winauth.zip", Some("winauth")),
        ("imp3/lastpass.json", Some("lastpass")),
    ];
    for (file, want) in cases {
        let got = import::detect(&fixture(file)).map(|f| f.name);
        assert_eq!(got, *want, "{file}");
    }
}
