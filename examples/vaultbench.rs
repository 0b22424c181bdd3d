//! In-process timing of the `otp code` read path, without process start-up:
//! unlock, decrypt, scan and resolve, repeated.
//!
//! `cargo run --release --example vaultbench -- VAULT IDENTITY QUERY [N]`

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use otp::cmd::passphrase::PassphraseSources;
use otp::vault::index;
use otp::vault::keys;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, vault, identity, query, rest @ ..] = args.as_slice() else {
        eprintln!("usage: vaultbench VAULT IDENTITY QUERY [N]");
        std::process::exit(2);
    };
    let n: u32 = rest.first().and_then(|s| s.parse().ok()).unwrap_or(200);
    let (mut unlock, mut decrypt, mut find) = (0.0, 0.0, 0.0);
    for _ in 0..n {
        let t0 = Instant::now();
        let unlocked =
            keys::load_identity_file(Path::new(identity), &PassphraseSources::default()).unwrap();
        let t1 = Instant::now();
        let file = std::fs::File::open(vault).unwrap();
        let size = file.metadata().unwrap().len() as usize;
        let input = std::io::BufReader::with_capacity(64 << 10, file);
        let plain = keys::decrypt_from(input, size, &unlocked.identities).unwrap();
        let text = std::str::from_utf8(&plain).unwrap();
        let t2 = Instant::now();
        black_box(index::find(text, query).is_some());
        let t3 = Instant::now();
        unlock += (t1 - t0).as_secs_f64();
        decrypt += (t2 - t1).as_secs_f64();
        find += (t3 - t2).as_secs_f64();
    }
    // The scan alone, on text already decrypted (warm caches).
    let unlocked =
        keys::load_identity_file(Path::new(identity), &PassphraseSources::default()).unwrap();
    let file = std::io::BufReader::new(std::fs::File::open(vault).unwrap());
    let plain = keys::decrypt_from(file, 0, &unlocked.identities).unwrap();
    let text = std::str::from_utf8(&plain).unwrap();
    let t0 = Instant::now();
    for _ in 0..n {
        black_box(index::find(black_box(text), query).is_some());
    }
    let scan = t0.elapsed().as_secs_f64();
    let ms = |s: f64| s * 1000.0 / f64::from(n);
    println!(
        "unlock {:.3} ms  decrypt {:.3} ms  find {:.3} ms  find on warm text {:.3} ms  (mean of {n})",
        ms(unlock),
        ms(decrypt),
        ms(find),
        ms(scan)
    );
}
