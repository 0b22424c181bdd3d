
use builtin;
use str;

set edit:completion:arg-completer[otp] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'otp'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'otp'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create an empty vault'
            cand add 'Add one account (or every account in a QR image)'
            cand list 'List accounts: issuer:name, one per line'
            cand code 'Print the current code of one account'
            cand pick 'Pick an account from a live list of codes; Enter copies (also `otp` alone on a terminal)'
            cand show 'Show the details of one account (no secret unless --uri)'
            cand rename 'Rename an account'
            cand remove 'Move an account to the trash'
            cand trash 'Deleted accounts: list, restore or purge them'
            cand export 'Export all accounts (default: an encrypted backup)'
            cand import 'Import accounts from files: URI lists, QR images, other apps'' exports'
            cand recover 'Restore a backup, refusing to overwrite existing accounts'
            cand backup 'Write a timestamped encrypted backup and prune old ones'
            cand status 'Vault path, account count, unlock method and backup freshness'
            cand unlock 'Unlock a passphrase vault once: the agent keeps its key until a timeout or `otp lock`'
            cand lock 'Make the agent forget every key it holds'
            cand completions 'Print shell completions'
            cand passwd 'Change the passphrase without re-entering accounts'
            cand recovery-key 'Add or revoke a break-glass recovery key'
            cand recipients 'Also encrypt the vault and its backups to other devices'' keys'
            cand recovery-codes 'A service''s one-time recovery codes, kept with the account'
            cand sync 'Keep the vault in git and merge it by account with other machines'
            cand drill 'Recovery drill: prove the recovery key opens the newest backups and they hold every account'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;init'= {
            cand --generate-identity 'Create a new X25519 identity in FILE and encrypt the vault to it'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --recovery-key 'Also create a break-glass recovery key and print it once'
            cand --qr 'With --recovery-key: also draw the key as a QR code'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;add'= {
            cand --issuer 'Issuer (the service, e.g. GitHub)'
            cand --uri 'An otpauth:// URI (it holds the secret: visible in your shell history and `ps`; prefer --uri-stdin)'
            cand --qr 'A QR image: screenshot, photo or Google Authenticator export'
            cand --secret 'The base32 secret (visible in your shell history and `ps`; prefer --secret-stdin)'
            cand --counter 'Initial HOTP counter'
            cand --pin-file 'Read the PIN of a --yandex/--motp account, or of a Yandex.Key/mOTP URI or QR code that holds none, from this file (otherwise stdin with --pin-stdin, or a prompt without echo)'
            cand --algorithm 'HMAC algorithm'
            cand --digits 'Code length (6 to 10)'
            cand --period 'Seconds per code'
            cand --note 'A note kept with the account'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --uri-stdin 'Read one otpauth:// URI from stdin (for several, `otp import -`)'
            cand --screen 'Every account whose QR code is on the screen (X11; never saved)'
            cand --secret-stdin 'Read the base32 secret from stdin'
            cand --hotp 'Counter-based (HOTP) instead of time-based'
            cand --steam 'Steam Guard (5 characters)'
            cand --yandex 'Yandex.Key (8 letters from the secret and a PIN; the secret in either of Yandex''s forms)'
            cand --motp 'Mobile-OTP (6 hex digits from the secret and a PIN; the secret in hex)'
            cand --pin-stdin 'Read the --yandex/--motp (or --uri, --qr) PIN from stdin (the secret then comes from the prompt or --secret)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;list'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --json 'JSON array of account objects (never secrets)'
            cand --codes 'Show each account''s current code and remaining seconds'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;code'= {
            cand --at 'Compute for this time: unix seconds or RFC 3339'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -c 'Copy to the clipboard instead of printing (cleared after clipboard_clear_seconds)'
            cand --copy 'Copy to the clipboard instead of printing (cleared after clipboard_clear_seconds)'
            cand --next 'The code of the following period (after --at, if given)'
            cand --wait 'If the period is nearly over, wait for the next one'
            cand --json '{"id","issuer","name","code","remaining"}'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;pick'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --print 'Print the chosen code to stdout instead of copying it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;show'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --uri 'Print the otpauth:// URI (contains the secret)'
            cand --qr 'Draw the otpauth:// URI as a QR code in the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;rename'= {
            cand --issuer 'Also change the issuer'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;remove'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;trash'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'Deleted accounts, newest first'
            cand restore 'Bring a deleted account back'
            cand purge 'Delete for good'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;trash;list'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;trash;restore'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;trash;purge'= {
            cand --older-than 'Only accounts deleted more than DAYS days ago'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;trash;help'= {
            cand list 'Deleted accounts, newest first'
            cand restore 'Bring a deleted account back'
            cand purge 'Delete for good'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;trash;help;list'= {
        }
        &'otp;trash;help;restore'= {
        }
        &'otp;trash;help;purge'= {
        }
        &'otp;trash;help;help'= {
        }
        &'otp;export'= {
            cand --format 'format'
            cand -o 'Write to FILE (mode 0600, atomically) instead of stdout; a folder for google-qr PNGs'
            cand --output 'Write to FILE (mode 0600, atomically) instead of stdout; a folder for google-qr PNGs'
            cand --password 'Aegis: encrypt the export with this password (visible in `ps`; prefer --password-file)'
            cand --password-file 'Aegis: encrypt the export with the password on the first line of F'
            cand --with-recovery-key 'Sheet: also print the vault''s break-glass recovery key from its identity FILE'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --plaintext 'Allow a format that holds secrets in the clear'
            cand --force 'Replace FILE (or google-qr''s PNGs in the folder) if it exists; without it, -o refuses'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;import'= {
            cand --format 'The format, when auto-detection cannot tell'
            cand --password-file 'The export''s password, from the first line of F'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --dry-run 'Print what would be added, skipped or in conflict; change nothing'
            cand --screen 'Read the QR codes on the screen instead of files (X11; never saved)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recover'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --dry-run 'Print the plan; change nothing'
            cand --skip-existing 'Restore only accounts that do not exist yet'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;backup'= {
            cand --dir 'Folder for backups [default: backup_dir from config]'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --force 'Allow pruning older backups even though the vault shrank by more than half'
            cand --verify 'Write nothing: open the newest backup of each folder and compare it with the vault'
            cand --all 'With --verify: check every backup kept, not only the newest'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;status'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --json 'json'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;unlock'= {
            cand --timeout 'Forget the key after this long without use (900, 90s, 15m, 2h, 1h30m) [default: agent_timeout_seconds]'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;lock'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;completions'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;passwd'= {
            cand --new-passphrase-file 'Read the new passphrase from the first line of FILE (default: ask twice on the terminal)'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recovery-key'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Create a recovery key, add it to the vault and print it once'
            cand remove 'Revoke the recovery key (older backups stay readable with it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recovery-key;add'= {
            cand -o 'Write the key to FILE (created 0600; an existing file only with --force) instead of stdout'
            cand --output 'Write the key to FILE (created 0600; an existing file only with --force) instead of stdout'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --qr 'Also draw the key as a QR code'
            cand --force 'With -o: replace FILE if it exists'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recovery-key;remove'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recovery-key;help'= {
            cand add 'Create a recovery key, add it to the vault and print it once'
            cand remove 'Revoke the recovery key (older backups stay readable with it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recovery-key;help;add'= {
        }
        &'otp;recovery-key;help;remove'= {
        }
        &'otp;recovery-key;help;help'= {
        }
        &'otp;recipients'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'The keys the vault is encrypted to'
            cand add 'Add an age recipient (age1…), SSH public key, or plugin recipient'
            cand remove 'Stop encrypting to a recipient'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recipients;list'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recipients;add'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recipients;remove'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recipients;help'= {
            cand list 'The keys the vault is encrypted to'
            cand add 'Add an age recipient (age1…), SSH public key, or plugin recipient'
            cand remove 'Stop encrypting to a recipient'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recipients;help;list'= {
        }
        &'otp;recipients;help;add'= {
        }
        &'otp;recipients;help;remove'= {
        }
        &'otp;recipients;help;help'= {
        }
        &'otp;recovery-codes'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Store recovery codes (one per line, from stdin or --from)'
            cand show 'Print an account''s recovery codes'
            cand use 'Mark a recovery code as used'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recovery-codes;add'= {
            cand --from 'from'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recovery-codes;show'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recovery-codes;use'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;recovery-codes;help'= {
            cand add 'Store recovery codes (one per line, from stdin or --from)'
            cand show 'Print an account''s recovery codes'
            cand use 'Mark a recovery code as used'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recovery-codes;help;add'= {
        }
        &'otp;recovery-codes;help;show'= {
        }
        &'otp;recovery-codes;help;use'= {
        }
        &'otp;recovery-codes;help;help'= {
        }
        &'otp;sync'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --keep-both 'When both machines changed the same field of an account, keep both versions as separate accounts'
            cand --push-local 'After a refused remote (exit 6): put this machine''s vault back on the remote, on top of the bad commit'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Make the vault''s folder a git repository (and push it to REMOTE)'
            cand clone 'Set this machine up from a remote (refuses if a vault exists here)'
            cand merge 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault'
            cand accept 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)'
            cand merge-driver 'The git merge driver (`git pull` runs it; registered by `otp sync init`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;sync;init'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;sync;clone'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;sync;merge'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand --keep-both 'When the copy and the vault differ in the same field, keep both versions as separate accounts'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;sync;accept'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;sync;merge-driver'= {
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;sync;help'= {
            cand init 'Make the vault''s folder a git repository (and push it to REMOTE)'
            cand clone 'Set this machine up from a remote (refuses if a vault exists here)'
            cand merge 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault'
            cand accept 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)'
            cand merge-driver 'The git merge driver (`git pull` runs it; registered by `otp sync init`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;sync;help;init'= {
        }
        &'otp;sync;help;clone'= {
        }
        &'otp;sync;help;merge'= {
        }
        &'otp;sync;help;accept'= {
        }
        &'otp;sync;help;merge-driver'= {
        }
        &'otp;sync;help;help'= {
        }
        &'otp;drill'= {
            cand --recovery-key 'The recovery key''s identity file (`-`: paste it, or pipe it in)'
            cand --sheet 'Prove that photos or scans of the printed emergency sheet hold every account'
            cand --vault 'Vault file [default: <data dir>/vault.age]'
            cand --config 'Config file [default: <config dir>/config.toml]'
            cand -i 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --identity 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE'
            cand --color 'When to use colour on the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'otp;help'= {
            cand init 'Create an empty vault'
            cand add 'Add one account (or every account in a QR image)'
            cand list 'List accounts: issuer:name, one per line'
            cand code 'Print the current code of one account'
            cand pick 'Pick an account from a live list of codes; Enter copies (also `otp` alone on a terminal)'
            cand show 'Show the details of one account (no secret unless --uri)'
            cand rename 'Rename an account'
            cand remove 'Move an account to the trash'
            cand trash 'Deleted accounts: list, restore or purge them'
            cand export 'Export all accounts (default: an encrypted backup)'
            cand import 'Import accounts from files: URI lists, QR images, other apps'' exports'
            cand recover 'Restore a backup, refusing to overwrite existing accounts'
            cand backup 'Write a timestamped encrypted backup and prune old ones'
            cand status 'Vault path, account count, unlock method and backup freshness'
            cand unlock 'Unlock a passphrase vault once: the agent keeps its key until a timeout or `otp lock`'
            cand lock 'Make the agent forget every key it holds'
            cand completions 'Print shell completions'
            cand passwd 'Change the passphrase without re-entering accounts'
            cand recovery-key 'Add or revoke a break-glass recovery key'
            cand recipients 'Also encrypt the vault and its backups to other devices'' keys'
            cand recovery-codes 'A service''s one-time recovery codes, kept with the account'
            cand sync 'Keep the vault in git and merge it by account with other machines'
            cand drill 'Recovery drill: prove the recovery key opens the newest backups and they hold every account'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;help;init'= {
        }
        &'otp;help;add'= {
        }
        &'otp;help;list'= {
        }
        &'otp;help;code'= {
        }
        &'otp;help;pick'= {
        }
        &'otp;help;show'= {
        }
        &'otp;help;rename'= {
        }
        &'otp;help;remove'= {
        }
        &'otp;help;trash'= {
            cand list 'Deleted accounts, newest first'
            cand restore 'Bring a deleted account back'
            cand purge 'Delete for good'
        }
        &'otp;help;trash;list'= {
        }
        &'otp;help;trash;restore'= {
        }
        &'otp;help;trash;purge'= {
        }
        &'otp;help;export'= {
        }
        &'otp;help;import'= {
        }
        &'otp;help;recover'= {
        }
        &'otp;help;backup'= {
        }
        &'otp;help;status'= {
        }
        &'otp;help;unlock'= {
        }
        &'otp;help;lock'= {
        }
        &'otp;help;completions'= {
        }
        &'otp;help;passwd'= {
        }
        &'otp;help;recovery-key'= {
            cand add 'Create a recovery key, add it to the vault and print it once'
            cand remove 'Revoke the recovery key (older backups stay readable with it)'
        }
        &'otp;help;recovery-key;add'= {
        }
        &'otp;help;recovery-key;remove'= {
        }
        &'otp;help;recipients'= {
            cand list 'The keys the vault is encrypted to'
            cand add 'Add an age recipient (age1…), SSH public key, or plugin recipient'
            cand remove 'Stop encrypting to a recipient'
        }
        &'otp;help;recipients;list'= {
        }
        &'otp;help;recipients;add'= {
        }
        &'otp;help;recipients;remove'= {
        }
        &'otp;help;recovery-codes'= {
            cand add 'Store recovery codes (one per line, from stdin or --from)'
            cand show 'Print an account''s recovery codes'
            cand use 'Mark a recovery code as used'
        }
        &'otp;help;recovery-codes;add'= {
        }
        &'otp;help;recovery-codes;show'= {
        }
        &'otp;help;recovery-codes;use'= {
        }
        &'otp;help;sync'= {
            cand init 'Make the vault''s folder a git repository (and push it to REMOTE)'
            cand clone 'Set this machine up from a remote (refuses if a vault exists here)'
            cand merge 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault'
            cand accept 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)'
            cand merge-driver 'The git merge driver (`git pull` runs it; registered by `otp sync init`)'
        }
        &'otp;help;sync;init'= {
        }
        &'otp;help;sync;clone'= {
        }
        &'otp;help;sync;merge'= {
        }
        &'otp;help;sync;accept'= {
        }
        &'otp;help;sync;merge-driver'= {
        }
        &'otp;help;drill'= {
        }
        &'otp;help;help'= {
        }
    ]
    $completions[$command]
}
