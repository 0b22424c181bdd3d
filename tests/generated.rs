//! completions/ and man/ are the binary's own output, committed. This test
//! fails when they drift from the CLI; regenerate them with
//! `OTP_UPDATE_GENERATED=1 cargo test --test generated`.

use std::path::Path;

use otp::cli::Shell;
use otp::docs;

fn check(path: &Path, expected: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("OTP_UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
    } else if std::fs::read(path).ok().as_deref() != Some(expected) {
        stale.push(path.display().to_string());
    }
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::Powershell,
    ] {
        let path = root.join("completions").join(docs::completion_file(shell));
        check(&path, docs::completions(shell).as_bytes(), &mut stale);
    }
    let pages = docs::man_pages();
    for (name, page) in &pages {
        check(&root.join("man").join(name), page, &mut stale);
    }
    // No page for a command that no longer exists.
    let expected: std::collections::BTreeSet<_> = pages.iter().map(|(n, _)| n.clone()).collect();
    for entry in std::fs::read_dir(root.join("man")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !expected.contains(&name) {
            stale.push(format!("man/{name} (no such command)"));
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale: {stale:?}\nrun: OTP_UPDATE_GENERATED=1 cargo test --test generated"
    );
}

#[test]
fn one_man_page_per_subcommand() {
    let names: Vec<String> = docs::man_pages().into_iter().map(|(n, _)| n).collect();
    for sub in [
        "otp.1",
        "otp-code.1",
        "otp-import.1",
        "otp-trash-restore.1",
        "otp-recovery-key-add.1",
    ] {
        assert!(names.iter().any(|n| n == sub), "missing {sub} in {names:?}");
    }
}
