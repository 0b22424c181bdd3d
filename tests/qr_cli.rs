//! QR codes through the binary: accounts in from screenshots and Google
//! Authenticator exports (one image or several), accounts out to a phone.

use crate::common::*;
use predicates::prelude::*;

fn qr(name: &str) -> std::path::PathBuf {
    fixture(&format!("qr/{name}"))
}

/// The n-th line after the `# id` comment in migration_uris.txt.
fn migration_uri(id: &str) -> String {
    let text = std::fs::read_to_string(qr("migration_uris.txt")).unwrap();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if l.starts_with(&format!("# {id} ")) {
            return lines.next().unwrap().trim().to_string();
        }
    }
    panic!("no {id}");
}

#[test]
fn add_qr_reads_a_screenshot() {
    let env = TestEnv::with_vault();
    env.otp()
        .arg("add")
        .arg("--qr")
        .arg(qr("dim13_example.png"))
        .assert()
        .success();
    assert_eq!(env.stdout(&["list"]), "Example:alice@google.com\n");
    let (at, code) = SECRET_CODE_AT;
    assert_eq!(
        env.stdout(&["code", "example", "--at", at]),
        format!("{code}\n")
    );
}

#[test]
fn import_google_authenticator_export_images() {
    let env = TestEnv::with_vault();
    env.otp()
        .arg("import")
        .arg(qr("example_export.png"))
        .assert()
        .success()
        .stderr(predicate::str::contains("3 added"));
    // zbarimg cannot read this downscaled export; it holds two codes of one batch.
    let env = TestEnv::with_vault();
    env.otp()
        .arg("import")
        .arg(qr("Exported-QR-codes_300px.webp"))
        .assert()
        .success()
        .stderr(predicate::str::is_match(r"(?m)^[1-9]\d* added").unwrap());
}

#[test]
fn a_batch_split_over_files_is_grouped_and_a_missing_part_is_named() {
    let env = TestEnv::with_vault();
    let parts: Vec<_> = (1..=3)
        .map(|i| {
            env.write(
                &format!("part{i}.txt"),
                migration_uri(&format!("jc_batch_{i}_of_3")) + "\n",
            )
        })
        .collect();
    env.otp()
        .arg("import")
        .args(&parts)
        .assert()
        .success()
        .stderr(predicate::str::contains("22 added"));

    let env = TestEnv::with_vault();
    let parts: Vec<_> = [1, 3]
        .iter()
        .map(|i| {
            env.write(
                &format!("part{i}.txt"),
                migration_uri(&format!("jc_batch_{i}_of_3")) + "\n",
            )
        })
        .collect();
    env.otp()
        .arg("import")
        .args(&parts)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("12 added"))
        .stderr(predicate::str::contains(
            "part 2 of 3 was not given, so the accounts in it are missing; parts 1, 3 were read",
        ));
}

/// Part 1 of 3 alone: its accounts are imported, and the message says so
/// and which parts were not given; exit 7, as for any entry left out.
#[test]
fn one_part_of_a_batch_imports_its_accounts_and_exits_7_naming_the_parts_not_given() {
    let env = TestEnv::with_vault();
    let part = env.write("part1.txt", migration_uri("jc_batch_1_of_3") + "\n");
    env.otp()
        .arg("import")
        .arg(&part)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("10 added, 0 duplicates, 1 skipped"))
        .stderr(predicate::str::contains(
            "Google Authenticator export, batch 251676888: parts 2, 3 of 3 were not given, so the accounts in them are missing; part 1 was read (10 entries in it)",
        ));
    assert_eq!(env.stdout(&["list"]).lines().count(), 10);
}

#[test]
fn images_without_an_otp_code_get_clear_errors_naming_the_file() {
    let env = TestEnv::with_vault();
    let before = env.vault_bytes();
    for (file, says) in [
        (
            "Transfer-accounts-option-in-the-Google-Authenticator.webp",
            "no QR code",
        ),
        ("qr_but_without_otp.png", "otpauth"),
        (
            "text_masquerading_as_image.jpeg",
            "text_masquerading_as_image.jpeg",
        ),
    ] {
        let out = env.otp().arg("import").arg(qr(file)).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {err}");
        assert!(err.contains(file), "{file}: {err}");
        assert!(
            err.to_lowercase().contains(&says.to_lowercase()),
            "{file}: {err}"
        );
    }
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn export_google_qr_png_round_trips_and_scans() {
    let env = TestEnv::with_vault();
    for i in 0..12 {
        env.otp()
            .args([
                "add",
                &format!("user{i}"),
                "--issuer",
                "Svc",
                "--secret",
                &format!(
                    "JBSWY3DPEHPK3P{}",
                    [
                        "XP", "XQ", "XR", "XS", "XT", "XU", "XV", "XW", "XX", "XY", "XZ", "X2"
                    ][i]
                ),
            ])
            .assert()
            .success();
    }
    // Google's format cannot carry a 45-second period: warned and left out.
    env.otp()
        .args([
            "add",
            "odd",
            "--issuer",
            "Svc",
            "--secret",
            "GEZDGNBVGY3TQOJQ",
            "--period",
            "45",
        ])
        .assert()
        .success();
    let dir = env.path("qr-out");
    env.otp()
        .args(["export", "--format", "google-qr"])
        .arg("-o")
        .arg(&dir)
        .assert()
        .code(2);
    let out = env
        .otp()
        .args(["export", "--format", "google-qr", "--plaintext"])
        .arg("-o")
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Svc:odd"), "{err}");
    let pngs: Vec<_> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(std::path::PathBuf::from)
        .collect();
    assert_eq!(pngs.len(), 2, "12 accounts, 10 per code");
    // Again into the same folder: refused, the PNGs untouched, unless --force.
    let first = std::fs::read(&pngs[0]).unwrap();
    env.otp()
        .args(["export", "--format", "google-qr", "--plaintext"])
        .arg("-o")
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("already exists"));
    assert_eq!(std::fs::read(&pngs[0]).unwrap(), first);
    env.otp()
        .args(["export", "--format", "google-qr", "--plaintext", "--force"])
        .arg("-o")
        .arg(&dir)
        .assert()
        .success();

    let fresh = TestEnv::with_vault();
    fresh
        .otp()
        .arg("import")
        .args(&pngs)
        .assert()
        .success()
        .stderr(predicate::str::contains("12 added"));
    let (at, code) = SECRET_CODE_AT;
    assert_eq!(
        fresh.stdout(&["code", "svc:user0", "--at", at]),
        format!("{code}\n")
    );

    if require("zbarimg") {
        let scanned = std::process::Command::new("zbarimg")
            .args(["--raw", "-q"])
            .args(&pngs)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&scanned.stdout);
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("otpauth-migration://offline?data="))
                .count(),
            2,
            "{text}"
        );
    }
}

#[test]
fn show_qr_draws_half_blocks_or_plain_text() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let drawing = env
        .otp()
        .args(["show", "github", "--qr"])
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(drawing.status.success());
    let text = String::from_utf8(drawing.stdout).unwrap();
    assert!(
        text.contains('▀') || text.contains('▄'),
        "half blocks on a UTF-8 terminal"
    );
    let ascii = env
        .otp()
        .args(["show", "github", "--qr"])
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env("LANG", "C")
        .output()
        .unwrap();
    assert!(ascii.status.success());
    let ascii = String::from_utf8(ascii.stdout).unwrap();
    assert!(ascii.is_ascii(), "plain fallback without a UTF-8 locale");
}

/// `n` distinct one-account links, as a backup sheet or sign-up page holds.
fn page_uris(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let secret =
                data_encoding::BASE32_NOPAD.encode(format!("page-secret-{i:02}").as_bytes());
            format!(
                "otpauth://totp/Service{i}:user{i}@example.com?secret={secret}&issuer=Service{i}"
            )
        })
        .collect()
}

/// A PNG of one code with a 4-module quiet zone, `px` pixels a module.
fn code_image(uri: &str, px: u32) -> image::GrayImage {
    let code = qrcode::QrCode::new(uri).unwrap();
    let n = code.width() as u32;
    let colors = code.to_colors();
    image::GrayImage::from_fn((n + 8) * px, (n + 8) * px, |x, y| {
        let (mx, my) = ((x / px) as i64 - 4, (y / px) as i64 - 4);
        let dark = (0..i64::from(n)).contains(&mx)
            && (0..i64::from(n)).contains(&my)
            && colors[(my * i64::from(n) + mx) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    })
}

fn png(img: &image::GrayImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The codes of `uris` side by side in rows of `cols`, as ImageMagick's
/// `montage` lays them out, 6 px a module; the codes numbered in
/// `scramble` get random modules over their middle (their finder patterns
/// kept): seen, but not readable.
fn grid_png(uris: &[String], cols: usize, scramble: &[usize]) -> Vec<u8> {
    let codes: Vec<image::GrayImage> = uris.iter().map(|u| code_image(u, 6)).collect();
    let cell = codes.iter().map(|c| c.width()).max().unwrap();
    let rows = uris.len().div_ceil(cols) as u32;
    let mut page =
        image::GrayImage::from_pixel(cell * cols as u32, cell * rows, image::Luma([255]));
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for (i, c) in codes.iter().enumerate() {
        let (x, y) = ((i % cols) as u32 * cell, (i / cols) as u32 * cell);
        image::imageops::overlay(&mut page, c, i64::from(x), i64::from(y));
        if scramble.contains(&i) {
            // From module 13 to 36: clear of the finder patterns.
            for my in 0..23 {
                for mx in 0..23 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let v = if seed.is_multiple_of(2) { 0 } else { 255 };
                    for dy in 0..6 {
                        for dx in 0..6 {
                            page.put_pixel(
                                x + 78 + mx * 6 + dx,
                                y + 78 + my * 6 + dy,
                                image::Luma([v]),
                            );
                        }
                    }
                }
            }
        }
    }
    png(&page)
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().map(str::to_string).collect();
    v.sort();
    v
}

fn labels(uris: &[String], skip: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = (0..uris.len())
        .filter(|i| !skip.contains(i))
        .map(|i| format!("Service{i}:user{i}@example.com"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_page_of_codes_imports_every_account() {
    // Before the census of finder patterns, a file stopped at its first
    // OTP link: 1 or 2 of these 12 were imported, and the import said
    // nothing of the others.
    let env = TestEnv::with_vault();
    let uris = page_uris(12);
    let page = env.write("page.png", grid_png(&uris, 4, &[]));
    env.otp()
        .arg("import")
        .arg(&page)
        .assert()
        .success()
        .stderr(predicate::str::contains("12 added"));
    assert_eq!(sorted_lines(&env.stdout(&["list"])), labels(&uris, &[]));
}

#[test]
fn codes_seen_but_not_read_make_the_import_partly_done() {
    let uris = page_uris(6);
    let note = "the picture seems to hold about 6 codes; 4 were read — a sharper or closer picture of the others, or import them one by one";
    let env = TestEnv::with_vault();
    let page = env.write("page.png", grid_png(&uris, 3, &[1, 5]));
    // The dry run shows the same: four to add, two left out, exit 7.
    let out = env
        .otp()
        .args(["import", "--dry-run"])
        .arg(&page)
        .assert()
        .code(7)
        .stderr(predicate::str::contains(note))
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out.lines().filter(|l| l.starts_with("add\t")).count(),
        4,
        "{out}"
    );
    let left: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("left-out\t"))
        .collect();
    assert_eq!(
        left,
        [
            format!("left-out\tQR code not read (1 of 2)\t({note})"),
            format!("left-out\tQR code not read (2 of 2)\t({note})"),
        ],
        "{out}"
    );
    assert_eq!(env.stdout(&["list"]), "");
    // The import adds the four it read, names the two it did not, exit 7.
    env.otp()
        .arg("import")
        .arg(&page)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("4 added"))
        .stderr(predicate::str::contains(format!(
            "QR code not read (2 of 2): {note}"
        )));
    assert_eq!(sorted_lines(&env.stdout(&["list"])), labels(&uris, &[1, 5]));
    // `otp add --qr` is the same import.
    let env = TestEnv::with_vault();
    let page = env.write("page.png", grid_png(&uris, 3, &[1, 5]));
    env.otp()
        .arg("add")
        .arg("--qr")
        .arg(&page)
        .assert()
        .code(7)
        .stderr(predicate::str::contains(note));
    assert_eq!(sorted_lines(&env.stdout(&["list"])), labels(&uris, &[1, 5]));
}

/// A sheet as a user prints one: six codes on an A4 page laid out by a
/// browser, printed to PDF and rasterised at 150 dpi (4 px modules, with
/// the browser's scaling and anti-aliasing).
#[test]
fn a_printed_page_of_codes_imports_every_account() {
    if !require("chromium") || !require("pdftoppm") {
        return;
    }
    let env = TestEnv::with_vault();
    let uris = page_uris(6);
    let mut html = String::from(
        "<!doctype html><html><body style='font-family:sans-serif'><h1>Emergency sheet</h1>",
    );
    for (i, uri) in uris.iter().enumerate() {
        env.write(&format!("c{i}.png"), png(&code_image(uri, 8)));
        html.push_str(&format!(
            "<div style='display:inline-block;margin:10px;text-align:center'><img src='c{i}.png' style='width:6cm'><br>Service{i}</div>"
        ));
    }
    html.push_str("</body></html>");
    let page = env.write("page.html", html);
    let pdf = env.path("page.pdf");
    let status = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            env.path("chromium").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run chromium");
    assert!(status.success() && pdf.exists(), "chromium printed no PDF");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&pdf)
        .arg(env.path("page"))
        .status()
        .expect("run pdftoppm");
    assert!(status.success());
    env.otp()
        .arg("import")
        .arg(env.path("page.png"))
        .assert()
        .success()
        .stderr(predicate::str::contains("6 added"));
    assert_eq!(sorted_lines(&env.stdout(&["list"])), labels(&uris, &[]));
}
