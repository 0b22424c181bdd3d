//! `otp add --screen` and `otp import --screen` for real: a private Xvfb
//! server per test, QR codes shown in windows by ImageMagick's `display`
//! (as a browser would show a sign-up page's code), read off the screen.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use image::{GrayImage, Luma};
use predicates::prelude::*;
use qrcode::{Color, EcLevel, QrCode};

/// Generous: a heavily loaded machine may take long to start a window (a run
/// at load average 17 once took more than 90 s).
const WAIT: Duration = Duration::from_secs(240);

/// The code of issuer Example, account alice@google.com (SECRET).
const EXAMPLE_URI: &str =
    "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

/// A private X server (24-bit colour, like a desktop), killed when dropped
/// with every window it was asked to show.
struct Screen {
    server: Child,
    windows: Vec<Child>,
    display: String,
}

impl Screen {
    /// None (test skipped) when a tool is missing outside CI; in CI
    /// (.ci/run installs them) a missing tool fails the test.
    fn start() -> Option<Screen> {
        if !require("Xvfb") || !require("display") || !require("xwininfo") {
            return None;
        }
        let (server, display) = start_xvfb("1280x800x24", WAIT);
        Some(Screen {
            server,
            windows: Vec::new(),
            display,
        })
    }

    /// Shows `image` in a window at (x, y) titled `title`, and waits until
    /// the server has it mapped on the screen.
    fn show(&mut self, image: &Path, title: &str, x: u32, y: u32) {
        let log = image.with_extension("display.log");
        let child = Command::new("display")
            .env("DISPLAY", &self.display)
            // One thread: ImageMagick's OpenMP workers only add contention.
            .env("MAGICK_THREAD_LIMIT", "1")
            .args(["-title", title, "-geometry", &format!("+{x}+{y}")])
            .arg(image)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start ImageMagick's display");
        self.windows.push(child);
        let start = Instant::now();
        loop {
            if let Some(status) = self.windows.last_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "display exited ({status}) before showing {title}: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            let out = Command::new("xwininfo")
                .env("DISPLAY", &self.display)
                .args(["-name", title])
                .output()
                .expect("run xwininfo");
            if String::from_utf8_lossy(&out.stdout).contains("Map State: IsViewable") {
                return;
            }
            assert!(start.elapsed() < WAIT, "the window {title} never appeared");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs `otp import --screen --dry-run` until it finds the accounts
    /// `want`: a window is mapped before `display` has drawn into it.
    fn wait_readable(&self, env: &TestEnv, want: &[&str]) {
        let start = Instant::now();
        loop {
            let out = env
                .otp()
                .env("DISPLAY", &self.display)
                .args(["import", "--screen", "--dry-run"])
                .output()
                .expect("run otp");
            let stdout = String::from_utf8_lossy(&out.stdout);
            if out.status.success() && want.iter().all(|w| stdout.contains(w)) {
                return;
            }
            assert!(
                start.elapsed() < WAIT,
                "never read {want:?} off the screen; last run: {}{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        for w in &mut self.windows {
            let _ = w.kill();
            let _ = w.wait();
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// `text` as a PNG QR code with `px` pixels per module (a web page shows
/// sign-up codes at 3 to 6), written to `dir`.
fn qr_png(env: &TestEnv, name: &str, text: &str, px: u32) -> PathBuf {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).unwrap();
    let n = code.width() as u32;
    let quiet = 4;
    let side = (n + 2 * quiet) * px;
    let colors = code.to_colors();
    let img = GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / px, y / px);
        let dark = mx >= quiet
            && my >= quiet
            && mx < n + quiet
            && my < n + quiet
            && colors[((my - quiet) * n + mx - quiet) as usize] == Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    });
    let path = env.path(name);
    img.save(&path).unwrap();
    path
}

/// The `# id` URI of tests/fixtures/qr/migration_uris.txt.
fn migration_uri(id: &str) -> String {
    let text = std::fs::read_to_string(fixture("qr/migration_uris.txt")).unwrap();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if l.starts_with(&format!("# {id} ")) {
            return lines.next().unwrap().trim().to_string();
        }
    }
    panic!("no {id}");
}

/// Every file under `dir`, with its size.
fn files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                todo.push(e.path());
            } else {
                out.push((e.path(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn add_screen_reads_the_code_a_window_shows() {
    let Some(mut screen) = Screen::start() else {
        return;
    };
    let env = TestEnv::with_vault();
    let png = qr_png(&env, "signup.png", EXAMPLE_URI, 4);
    screen.show(&png, "sign-up page", 300, 200);
    // Nothing is written while reading the screen (only the dry run's
    // reading of the vault happens).
    let before = files(env.dir.path());
    screen.wait_readable(&env, &["Example:alice@google.com"]);
    assert_eq!(files(env.dir.path()), before, "--screen wrote a file");
    env.otp()
        .env("DISPLAY", &screen.display)
        .args(["add", "--screen"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 added"))
        .stderr(predicate::str::contains("JBSWY3DPEHPK3PXP").not());
    let (at, code) = SECRET_CODE_AT;
    assert_eq!(env.stdout(&["list"]), "Example:alice@google.com\n");
    assert_eq!(
        env.stdout(&["code", "example", "--at", at]),
        format!("{code}\n")
    );
    // Seen again: a duplicate, nothing added.
    env.otp()
        .env("DISPLAY", &screen.display)
        .args(["add", "--screen"])
        .assert()
        .success()
        .stderr(predicate::str::contains("0 added, 1 duplicates"));
}

#[test]
fn two_codes_on_screen_are_both_added() {
    let Some(mut screen) = Screen::start() else {
        return;
    };
    let env = TestEnv::with_vault();
    let first = qr_png(&env, "one.png", EXAMPLE_URI, 5);
    let second = qr_png(
        &env,
        "two.png",
        "otpauth://totp/GitHub:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub",
        3,
    );
    screen.show(&first, "first code", 40, 60);
    screen.show(&second, "second code", 700, 400);
    screen.wait_readable(&env, &["Example:alice@google.com", "GitHub:bob"]);
    env.otp()
        .env("DISPLAY", &screen.display)
        .args(["add", "--screen"])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 added"));
    let list = env.stdout(&["list"]);
    assert!(list.contains("Example:alice@google.com\n"), "{list}");
    assert!(list.contains("GitHub:bob\n"), "{list}");
    // RFC 6238's SHA-1 secret at 59 s: 94287082, last six digits.
    assert_eq!(env.stdout(&["code", "github", "--at", "59"]), "287082\n");
}

#[test]
fn import_screen_reads_a_google_authenticator_export() {
    let Some(mut screen) = Screen::start() else {
        return;
    };
    let env = TestEnv::with_vault();
    // 21 accounts in one dense code, 3 px a module.
    let png = qr_png(&env, "export.png", &migration_uri("jc_21_entries"), 3);
    screen.show(&png, "Transfer accounts", 200, 100);
    screen.wait_readable(&env, &["ACME Co:twenty-two@example.com"]);
    env.otp()
        .env("DISPLAY", &screen.display)
        .args(["import", "--screen"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "21 added, 0 duplicates, 0 skipped",
        ));
    assert_eq!(env.stdout(&["list"]).lines().count(), 21);
}

#[test]
fn no_code_on_screen_is_a_clear_error_and_the_vault_is_untouched() {
    let Some(mut screen) = Screen::start() else {
        return;
    };
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    let vault = env.vault_bytes();
    // A window with a picture but no code in it.
    let picture = GrayImage::from_fn(300, 200, |x, y| Luma([((x * 7 + y * 3) % 256) as u8]));
    let path = env.path("photo.png");
    picture.save(&path).unwrap();
    screen.show(&path, "holiday photo", 100, 100);
    for args in [&["add", "--screen"][..], &["import", "--screen"][..]] {
        env.otp()
            .env("DISPLAY", &screen.display)
            .args(args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(
                "error: no QR code found on the screen",
            ))
            .stderr(predicate::str::contains("otp add --qr FILE"));
    }
    // A QR code that holds something else.
    let other = qr_png(&env, "web.png", "https://example.com/welcome", 4);
    screen.show(&other, "a web link", 600, 300);
    let start = Instant::now();
    loop {
        let out = env
            .otp()
            .env("DISPLAY", &screen.display)
            .args(["add", "--screen"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("a QR code is on the screen, but it is not an otpauth://") {
            break;
        }
        assert!(start.elapsed() < WAIT, "never saw the web link: {err}");
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(env.vault_bytes(), vault);
}

#[test]
fn without_a_display_the_error_names_the_alternative() {
    // No X server needed: DISPLAY is unset (TestEnv removes it).
    let env = TestEnv::with_vault();
    let vault = env.vault_bytes();
    env.otp()
        .args(["add", "--screen"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: no display to read the screen from (DISPLAY is not set)",
        ))
        .stderr(predicate::str::contains("otp add --qr FILE"));
    // A Wayland session without XWayland: said so, with what to do.
    env.otp()
        .env("WAYLAND_DISPLAY", "wayland-0")
        .args(["import", "--screen"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Wayland session is not supported yet",
        ))
        .stderr(predicate::str::contains("otp add --qr FILE"));
    // A display that is not there; one whose TCP port (6000 + number)
    // overflows inside x11rb.
    for display in [":59999", ":65000"] {
        env.otp()
            .env("DISPLAY", display)
            .args(["add", "--screen"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("cannot connect to the X display"))
            .stderr(predicate::str::contains("panicked").not());
    }
    assert_eq!(env.vault_bytes(), vault);
}

#[test]
fn screen_takes_no_other_source_or_parameters() {
    let env = TestEnv::with_vault();
    for args in [
        &["add", "--screen", "--qr", "x.png"][..],
        &["add", "--screen", "--uri", EXAMPLE_URI],
        &["add", "--screen", "--digits", "8"],
        &["add", "--screen", "alice"],
        &["add", "--screen", "--issuer", "GitHub"],
        &["import", "--screen", "x.png"],
        &["import", "--screen", "--format", "aegis"],
        &["import", "--screen", "--password-file", "pw.txt"],
    ] {
        env.otp().args(args).assert().code(2);
    }
}

#[test]
fn a_code_on_screen_seen_but_not_read_is_named_and_exits_7() {
    let Some(mut screen) = Screen::start() else {
        return;
    };
    let env = TestEnv::with_vault();
    let good = qr_png(&env, "good.png", EXAMPLE_URI, 5);
    // A second code whose middle is random modules (its finder patterns
    // kept): seen on the screen, not readable.
    let bad = qr_png(
        &env,
        "bad.png",
        "otpauth://totp/GitHub:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub",
        5,
    );
    let mut img = image::open(&bad).unwrap().to_luma8();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for my in 0..17 {
        for mx in 0..17 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let v = if seed.is_multiple_of(2) { 0 } else { 255 };
            for d in 0..25 {
                img.put_pixel(65 + mx * 5 + d % 5, 65 + my * 5 + d / 5, Luma([v]));
            }
        }
    }
    img.save(&bad).unwrap();
    screen.show(&good, "readable code", 40, 60);
    screen.show(&bad, "damaged code", 700, 300);
    let note = "the picture seems to hold about 2 codes; 1 was read — a sharper or closer picture of the others, or import them one by one";
    // Wait until both windows are drawn: the dry run names the code not read.
    let start = Instant::now();
    let out = loop {
        let out = env
            .otp()
            .env("DISPLAY", &screen.display)
            .args(["import", "--screen", "--dry-run"])
            .output()
            .expect("run otp");
        if String::from_utf8_lossy(&out.stdout).contains("left-out") {
            break out;
        }
        assert!(start.elapsed() < WAIT, "never saw the damaged code");
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "add\tExample:alice@google.com\nleft-out\tQR code not read on the screen (1 of 1)\t({note})\n"
        )
    );
    env.otp()
        .env("DISPLAY", &screen.display)
        .args(["add", "--screen"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("1 added"))
        .stderr(predicate::str::contains(note));
    assert_eq!(env.stdout(&["list"]), "Example:alice@google.com\n");
}
