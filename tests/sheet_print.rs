//! The paper emergency sheet printed for real: `otp export --format sheet`
//! of a vault, printed to PDF by headless Chromium (A4, US Letter),
//! rasterised by `pdftoppm` as a scanner would, and read back: `otp import`
//! of the page images gives back every account with equal codes, `otp
//! drill --sheet` passes on all pages and names the accounts of a page left
//! out. Labels are long, Unicode and hostile (`<script>`); accounts are
//! TOTP, HOTP, Steam and 8 digits/60 s/SHA-256.
//!
//! The normal run prints 40 accounts on A4 at 150 dpi. `OTP_SLOW_TESTS=1`
//! adds 150 accounts, US Letter and 300 dpi (docs/development.md). Each
//! case prints its wall time on stderr (`--nocapture`).
//!
//! `OTP_SHEET_EXAMPLE=PATH` writes the first page of a small throwaway
//! vault's sheet as a PNG (docs/sheet-example.png).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common::*;

/// The time codes are compared at.
const AT: &str = "1700000000";

/// `n` accounts as otpauth URIs: a rotation of plain TOTP, HOTP, Steam,
/// 8 digits/60 s/SHA-256, Unicode, `<script>`, and very long labels.
fn uris(n: usize) -> Vec<String> {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    (1..=n)
        .map(|i| {
            // A distinct 32-character secret per account.
            let secret: String = (0..32)
                .map(|k| {
                    let v = (i * 7 + k * 13 + i * k) % 32;
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[v] as char
                })
                .collect();
            let (kind, issuer, name, extra) = match i % 8 {
                0 => (
                    "totp",
                    format!("Service{i}"),
                    format!("user{i}@example.com"),
                    String::new(),
                ),
                1 => (
                    "hotp",
                    format!("Bank{i}"),
                    format!("hotp{i}"),
                    format!("&counter={i}"),
                ),
                2 => (
                    "totp",
                    "Steam".into(),
                    format!("gamer{i}"),
                    "&encoder=steam".into(),
                ),
                3 => (
                    "totp",
                    format!("Long{i}"),
                    "sha256".into(),
                    "&algorithm=SHA256&digits=8&period=60".into(),
                ),
                4 => (
                    "totp",
                    format!("Ünïcödé ключ {i}"),
                    "名前 ñame".into(),
                    String::new(),
                ),
                5 => (
                    "totp",
                    "<script>alert(1)</script>".into(),
                    format!("x{i}"),
                    String::new(),
                ),
                6 => (
                    "totp",
                    format!("A very long issuer name that goes on and on {i} ").repeat(3),
                    format!("someone.with.a.long.address.{i}@subdomain.example.co.uk"),
                    String::new(),
                ),
                _ => ("totp", format!("Svc{i}"), format!("u{i}"), String::new()),
            };
            let issuer = issuer.trim().to_string();
            format!(
                "otpauth://{kind}/{}:{}?secret={secret}&issuer={}{extra}",
                enc(&issuer),
                enc(&name),
                enc(&issuer)
            )
        })
        .collect()
}

/// A vault of `n` accounts (`uris`).
fn vault(n: usize) -> TestEnv {
    let env = TestEnv::with_vault();
    let list = env.write("accounts.txt", uris(n).join("\n") + "\n");
    env.otp().arg("import").arg(list).assert().success();
    assert_eq!(env.stdout(&["list"]).lines().count(), n);
    env
}

fn sheet(env: &TestEnv) -> PathBuf {
    let html = env.path("sheet.html");
    env.otp()
        .args(["export", "--format", "sheet", "--plaintext", "-o"])
        .arg(&html)
        .assert()
        .success();
    html
}

/// The sheet printed by headless Chromium on `paper` (`A4`, `letter`).
fn print(env: &TestEnv, html: &Path, paper: &str) -> PathBuf {
    let page = std::fs::read_to_string(html).unwrap().replacen(
        "</head>",
        &format!("<style>@page {{ size: {paper}; }}</style></head>"),
        1,
    );
    let copy = env.write(&format!("sheet-{paper}.html"), page);
    let pdf = env.path(&format!("sheet-{paper}.pdf"));
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            env.path(&format!("chromium-{paper}")).display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", copy.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run chromium");
    assert!(status.success() && pdf.exists(), "chromium printed no PDF");
    pdf
}

/// The text of each page of `pdf`.
fn page_texts(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Each page of `pdf` as a PNG at `dpi`, in order.
fn rasterise(env: &TestEnv, pdf: &Path, dpi: u32) -> Vec<PathBuf> {
    let stem = pdf.file_stem().unwrap().to_str().unwrap();
    let prefix = env.path(&format!("{stem}-{dpi}"));
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("run pdftoppm");
    assert!(status.success());
    let dir = prefix.parent().unwrap();
    let start = format!("{stem}-{dpi}-");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&start) && n.ends_with(".png"))
        })
        .collect();
    // pdftoppm pads page numbers to the same width: names sort as pages.
    pages.sort();
    pages
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// No heading ends a page: each heading on a page is followed there by
/// what it heads; every page of accounts or Google codes holds one.
fn check_layout(pages: &[String], n: usize) {
    let has_card = |t: &str| {
        ["TOTP ·", "HOTP ·", "Steam Guard ·", "Code "]
            .iter()
            .any(|k| t.contains(k))
    };
    for (i, text) in pages.iter().enumerate() {
        let at = |h: &str| text.find(h).map(|p| &text[p + h.len()..]);
        if let Some(rest) = at(&format!("Accounts ({n})")) {
            assert!(
                has_card(rest),
                "page {}: the accounts heading ends it",
                i + 1
            );
        }
        if let Some(rest) = at("Google Authenticator (") {
            assert!(
                rest.contains("Code 1 of"),
                "page {}: the Google Authenticator heading without its first code",
                i + 1
            );
        }
        if i > 0 {
            assert!(has_card(text), "page {} holds no code:\n{text}", i + 1);
        }
    }
    let all = pages.concat();
    assert!(
        all.contains("<script>alert(1)</script>"),
        "the label as text"
    );
    assert!(all.contains("Ünïcödé ключ"));
    assert!(all.contains("Not in these codes"));
}

/// Each account's code, `issuer:name` → code, from `otp code`: at [`AT`],
/// or a HOTP account's next code (which moves its counter on: called once
/// per vault).
fn codes(env: &TestEnv) -> Vec<(String, String)> {
    env.stdout(&["list"])
        .lines()
        .map(|label| {
            let code = if label.starts_with("Bank") {
                env.stdout(&["code", label])
            } else {
                env.stdout(&["code", "--at", AT, label])
            };
            (label.to_string(), code.trim().to_string())
        })
        .collect()
}

/// The whole proof for a vault of `n` accounts on `paper` at each of
/// `dpis`.
fn prove(n: usize, paper: &str, dpis: &[u32]) {
    if !require("chromium") || !require("pdftoppm") || !require("pdftotext") {
        return;
    }
    let start = Instant::now();
    let env = vault(n);
    let html = sheet(&env);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.to_lowercase().contains("<script"));
    let pdf = print(&env, &html, paper);
    let texts = page_texts(&pdf);
    check_layout(&texts, n);
    eprintln!(
        "{n} accounts, {paper}: {} pages, printed in {:.1?}",
        texts.len(),
        start.elapsed()
    );
    let want = codes(&env);
    for &dpi in dpis {
        let t = Instant::now();
        let pages = rasterise(&env, &pdf, dpi);
        assert_eq!(pages.len(), texts.len());
        let rasterised = t.elapsed();

        // A new machine: import every page. Meanwhile (another vault, so
        // both run at once on two cores), the drill: every page proves
        // every account.
        let t = Instant::now();
        let fresh = TestEnv::with_vault();
        let mut import = Command::new(otp_path());
        fresh.isolate(&mut import);
        let import = import
            .env("OTP_IDENTITY", fresh.identity())
            .arg("import")
            .args(&pages)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run otp import");
        let out = env
            .otp()
            .args(["drill", "--sheet"])
            .args(&pages)
            .output()
            .unwrap();
        let drilled = t.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with("ok\t")).count(),
            n,
            "{stdout}"
        );
        let import = import.wait_with_output().unwrap();
        let imported = t.elapsed();
        assert!(
            import.status.success(),
            "{}",
            String::from_utf8_lossy(&import.stderr)
        );
        let mut got = codes(&fresh);
        let mut expected = want.clone();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{n} accounts, {paper}, {dpi} dpi");

        // A page of accounts left out: the drill fails and names each
        // account on it (and only those).
        let t = Instant::now();
        let left_out = 1;
        let out = env
            .otp()
            .args(["drill", "--sheet"])
            .args(
                pages
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != left_out)
                    .map(|p| p.1),
            )
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        let missing: Vec<&str> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("FAIL\t"))
            .filter_map(|l| l.strip_suffix("\tits own code is not on the pictures"))
            .collect();
        assert!(!missing.is_empty(), "{stdout}");
        let on_page = squeeze(&texts[left_out]);
        for label in &missing {
            let name = label.rsplit(':').next().unwrap();
            // Names in fonts the machine has (no CJK font may be installed).
            if name.chars().all(|c| (c as u32) < 0x500) {
                assert!(
                    on_page.contains(&squeeze(name)),
                    "{label} is not on page {}",
                    left_out + 1
                );
            }
        }
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with("ok\t")).count() + missing.len(),
            n,
            "{stdout}"
        );
        eprintln!(
            "{n} accounts, {paper}, {dpi} dpi: rasterised in {rasterised:.1?}, drilled in \
             {drilled:.1?} and imported in {imported:.1?} (at once), a page left out in {:.1?} ({} named)",
            t.elapsed(),
            missing.len()
        );
    }
    eprintln!("{n} accounts, {paper}: {:.1?} in all", start.elapsed());
}

fn slow() -> bool {
    let on = std::env::var_os("OTP_SLOW_TESTS").is_some_and(|v| v == "1");
    if !on {
        eprintln!("skipped: set OTP_SLOW_TESTS=1 to run it");
    }
    on
}

#[test]
fn forty_accounts_on_a4_read_back_at_150_dpi() {
    prove(40, "A4", &[150]);
}

#[test]
fn forty_accounts_on_letter_read_back_at_150_and_300_dpi() {
    if slow() {
        prove(40, "letter", &[150, 300]);
    }
}

#[test]
fn a_hundred_and_fifty_accounts_on_a4_read_back_at_150_and_300_dpi() {
    if slow() {
        prove(150, "A4", &[150, 300]);
    }
}

#[test]
fn a_hundred_and_fifty_accounts_on_letter_read_back_at_150_dpi() {
    if slow() {
        prove(150, "letter", &[150]);
    }
}

/// `OTP_SHEET_EXAMPLE=docs/sheet-example.png cargo test --test integration sheet_print::example`: the first page of a throwaway vault's sheet, at 100 dpi.
#[test]
fn example_page_for_the_docs() {
    let Some(dest) = std::env::var_os("OTP_SHEET_EXAMPLE") else {
        return;
    };
    let env = TestEnv::with_vault();
    let list = env.write(
        "accounts.txt",
        [
            "otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
            "otpauth://totp/Example%20Bank:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Bank&algorithm=SHA256&digits=8&period=60",
            "otpauth://hotp/Mail:alice?secret=MFRGGZDFMZTWQ2LK&issuer=Mail&counter=3",
            "otpauth://totp/Steam:alice_gamer?secret=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ&issuer=Steam&encoder=steam",
        ]
        .join("\n"),
    );
    env.otp().arg("import").arg(list).assert().success();
    let html = sheet(&env);
    let pdf = print(&env, &html, "A4");
    let status = Command::new("pdftoppm")
        .args(["-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(env.path("example"))
        .status()
        .expect("run pdftoppm");
    assert!(status.success());
    std::fs::copy(env.path("example.png"), dest).unwrap();
}
