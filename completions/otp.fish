# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_otp_global_optspecs
    string join \n vault= config= i/identity= passphrase-file= color= h/help V/version
end

function __fish_otp_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_otp_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_otp_using_subcommand
    set -l cmd (__fish_otp_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c otp -n "__fish_otp_needs_command" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_needs_command" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_needs_command" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_needs_command" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_needs_command" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_needs_command" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_needs_command" -f -a "init" -d 'Create an empty vault'
complete -c otp -n "__fish_otp_needs_command" -f -a "add" -d 'Add one account (or every account in a QR image)'
complete -c otp -n "__fish_otp_needs_command" -f -a "list" -d 'List accounts: issuer:name, one per line'
complete -c otp -n "__fish_otp_needs_command" -f -a "code" -d 'Print the current code of one account'
complete -c otp -n "__fish_otp_needs_command" -f -a "pick" -d 'Pick an account from a live list of codes; Enter copies (also `otp` alone on a terminal)'
complete -c otp -n "__fish_otp_needs_command" -f -a "show" -d 'Show the details of one account (no secret unless --uri)'
complete -c otp -n "__fish_otp_needs_command" -f -a "rename" -d 'Rename an account'
complete -c otp -n "__fish_otp_needs_command" -f -a "remove" -d 'Move an account to the trash'
complete -c otp -n "__fish_otp_needs_command" -f -a "trash" -d 'Deleted accounts: list, restore or purge them'
complete -c otp -n "__fish_otp_needs_command" -f -a "export" -d 'Export all accounts (default: an encrypted backup)'
complete -c otp -n "__fish_otp_needs_command" -f -a "import" -d 'Import accounts from files: URI lists, QR images, other apps\' exports'
complete -c otp -n "__fish_otp_needs_command" -f -a "recover" -d 'Restore a backup, refusing to overwrite existing accounts'
complete -c otp -n "__fish_otp_needs_command" -f -a "backup" -d 'Write a timestamped encrypted backup and prune old ones'
complete -c otp -n "__fish_otp_needs_command" -f -a "status" -d 'Vault path, account count, unlock method and backup freshness'
complete -c otp -n "__fish_otp_needs_command" -f -a "unlock" -d 'Unlock a passphrase vault once: the agent keeps its key until a timeout or `otp lock`'
complete -c otp -n "__fish_otp_needs_command" -f -a "lock" -d 'Make the agent forget every key it holds'
complete -c otp -n "__fish_otp_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c otp -n "__fish_otp_needs_command" -f -a "passwd" -d 'Change the passphrase without re-entering accounts'
complete -c otp -n "__fish_otp_needs_command" -f -a "recovery-key" -d 'Add or revoke a break-glass recovery key'
complete -c otp -n "__fish_otp_needs_command" -f -a "recipients" -d 'Also encrypt the vault and its backups to other devices\' keys'
complete -c otp -n "__fish_otp_needs_command" -f -a "recovery-codes" -d 'A service\'s one-time recovery codes, kept with the account'
complete -c otp -n "__fish_otp_needs_command" -f -a "sync" -d 'Keep the vault in git and merge it by account with other machines'
complete -c otp -n "__fish_otp_needs_command" -f -a "drill" -d 'Recovery drill: prove the recovery key opens the newest backups and they hold every account'
complete -c otp -n "__fish_otp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand init" -l generate-identity -d 'Create a new X25519 identity in FILE and encrypt the vault to it' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand init" -l recovery-key -d 'Also create a break-glass recovery key and print it once'
complete -c otp -n "__fish_otp_using_subcommand init" -l qr -d 'With --recovery-key: also draw the key as a QR code'
complete -c otp -n "__fish_otp_using_subcommand init" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand init" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand add" -l issuer -d 'Issuer (the service, e.g. GitHub)' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l uri -d 'An otpauth:// URI (it holds the secret: visible in your shell history and `ps`; prefer --uri-stdin)' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l qr -d 'A QR image: screenshot, photo or Google Authenticator export' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l secret -d 'The base32 secret (visible in your shell history and `ps`; prefer --secret-stdin)' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l counter -d 'Initial HOTP counter' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l pin-file -d 'Read the PIN of a --yandex/--motp account, or of a Yandex.Key/mOTP URI or QR code that holds none, from this file (otherwise stdin with --pin-stdin, or a prompt without echo)' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l algorithm -d 'HMAC algorithm' -r -f -a "SHA1\t''
SHA256\t''
SHA512\t''"
complete -c otp -n "__fish_otp_using_subcommand add" -l digits -d 'Code length (6 to 10)' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l period -d 'Seconds per code' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l note -d 'A note kept with the account' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand add" -l uri-stdin -d 'Read one otpauth:// URI from stdin (for several, `otp import -`)'
complete -c otp -n "__fish_otp_using_subcommand add" -l screen -d 'Every account whose QR code is on the screen (X11; never saved)'
complete -c otp -n "__fish_otp_using_subcommand add" -l secret-stdin -d 'Read the base32 secret from stdin'
complete -c otp -n "__fish_otp_using_subcommand add" -l hotp -d 'Counter-based (HOTP) instead of time-based'
complete -c otp -n "__fish_otp_using_subcommand add" -l steam -d 'Steam Guard (5 characters)'
complete -c otp -n "__fish_otp_using_subcommand add" -l yandex -d 'Yandex.Key (8 letters from the secret and a PIN; the secret in either of Yandex\'s forms)'
complete -c otp -n "__fish_otp_using_subcommand add" -l motp -d 'Mobile-OTP (6 hex digits from the secret and a PIN; the secret in hex)'
complete -c otp -n "__fish_otp_using_subcommand add" -l pin-stdin -d 'Read the --yandex/--motp (or --uri, --qr) PIN from stdin (the secret then comes from the prompt or --secret)'
complete -c otp -n "__fish_otp_using_subcommand add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand add" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand list" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand list" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand list" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand list" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand list" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand list" -l json -d 'JSON array of account objects (never secrets)'
complete -c otp -n "__fish_otp_using_subcommand list" -l codes -d 'Show each account\'s current code and remaining seconds'
complete -c otp -n "__fish_otp_using_subcommand list" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand list" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand code" -l at -d 'Compute for this time: unix seconds or RFC 3339' -r
complete -c otp -n "__fish_otp_using_subcommand code" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand code" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand code" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand code" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand code" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand code" -s c -l copy -d 'Copy to the clipboard instead of printing (cleared after clipboard_clear_seconds)'
complete -c otp -n "__fish_otp_using_subcommand code" -l next -d 'The code of the following period (after --at, if given)'
complete -c otp -n "__fish_otp_using_subcommand code" -l wait -d 'If the period is nearly over, wait for the next one'
complete -c otp -n "__fish_otp_using_subcommand code" -l json -d '{"id","issuer","name","code","remaining"}'
complete -c otp -n "__fish_otp_using_subcommand code" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand code" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand pick" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand pick" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand pick" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand pick" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand pick" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand pick" -l print -d 'Print the chosen code to stdout instead of copying it'
complete -c otp -n "__fish_otp_using_subcommand pick" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand pick" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand show" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand show" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand show" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand show" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand show" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand show" -l uri -d 'Print the otpauth:// URI (contains the secret)'
complete -c otp -n "__fish_otp_using_subcommand show" -l qr -d 'Draw the otpauth:// URI as a QR code in the terminal'
complete -c otp -n "__fish_otp_using_subcommand show" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand show" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand rename" -l issuer -d 'Also change the issuer' -r
complete -c otp -n "__fish_otp_using_subcommand rename" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rename" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rename" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand rename" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand rename" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand rename" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand rename" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand remove" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand remove" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand remove" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand remove" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand remove" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c otp -n "__fish_otp_using_subcommand remove" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand remove" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -f -a "list" -d 'Deleted accounts, newest first'
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -f -a "restore" -d 'Bring a deleted account back'
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -f -a "purge" -d 'Delete for good'
complete -c otp -n "__fish_otp_using_subcommand trash; and not __fish_seen_subcommand_from list restore purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from list" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from list" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from list" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from list" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from restore" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from restore" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from restore" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from restore" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from restore" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from restore" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -l older-than -d 'Only accounts deleted more than DAYS days ago' -r
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -s y -l yes -d 'Do not ask for confirmation'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from help" -f -a "list" -d 'Deleted accounts, newest first'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Bring a deleted account back'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete for good'
complete -c otp -n "__fish_otp_using_subcommand trash; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand export" -l format -r -f -a "backup\t'age-encrypted, ASCII-armored, readable by `otp recover` and `age`'
uris\t'otpauth:// URIs, one per line (plaintext)'
json\t'otp\'s versioned JSON schema (plaintext)'
aegis\t'Aegis vault JSON (plaintext, or encrypted with --password-file)'
google-qr\t'Google Authenticator migration QR codes'
sheet\t'A printable emergency sheet: one HTML page with every account\'s QR code and secret (plaintext)'"
complete -c otp -n "__fish_otp_using_subcommand export" -s o -l output -d 'Write to FILE (mode 0600, atomically) instead of stdout; a folder for google-qr PNGs' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l password -d 'Aegis: encrypt the export with this password (visible in `ps`; prefer --password-file)' -r
complete -c otp -n "__fish_otp_using_subcommand export" -l password-file -d 'Aegis: encrypt the export with the password on the first line of F' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l with-recovery-key -d 'Sheet: also print the vault\'s break-glass recovery key from its identity FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand export" -l plaintext -d 'Allow a format that holds secrets in the clear'
complete -c otp -n "__fish_otp_using_subcommand export" -l force -d 'Replace FILE (or google-qr\'s PNGs in the folder) if it exists; without it, -o refuses'
complete -c otp -n "__fish_otp_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_using_subcommand export" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand import" -l format -d 'The format, when auto-detection cannot tell' -r
complete -c otp -n "__fish_otp_using_subcommand import" -l password-file -d 'The export\'s password, from the first line of F' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand import" -l dry-run -d 'Print what would be added, skipped or in conflict; change nothing'
complete -c otp -n "__fish_otp_using_subcommand import" -l screen -d 'Read the QR codes on the screen instead of files (X11; never saved)'
complete -c otp -n "__fish_otp_using_subcommand import" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand import" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recover" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recover" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recover" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recover" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recover" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recover" -l dry-run -d 'Print the plan; change nothing'
complete -c otp -n "__fish_otp_using_subcommand recover" -l skip-existing -d 'Restore only accounts that do not exist yet'
complete -c otp -n "__fish_otp_using_subcommand recover" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recover" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand backup" -l dir -d 'Folder for backups [default: backup_dir from config]' -r -F
complete -c otp -n "__fish_otp_using_subcommand backup" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand backup" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand backup" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand backup" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand backup" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand backup" -l force -d 'Allow pruning older backups even though the vault shrank by more than half'
complete -c otp -n "__fish_otp_using_subcommand backup" -l verify -d 'Write nothing: open the newest backup of each folder and compare it with the vault'
complete -c otp -n "__fish_otp_using_subcommand backup" -l all -d 'With --verify: check every backup kept, not only the newest'
complete -c otp -n "__fish_otp_using_subcommand backup" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand backup" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand status" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand status" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand status" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand status" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand status" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand status" -l json
complete -c otp -n "__fish_otp_using_subcommand status" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand status" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand unlock" -l timeout -d 'Forget the key after this long without use (900, 90s, 15m, 2h, 1h30m) [default: agent_timeout_seconds]' -r
complete -c otp -n "__fish_otp_using_subcommand unlock" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand unlock" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand unlock" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand unlock" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand unlock" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand unlock" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand unlock" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand lock" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand lock" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand lock" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand lock" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand lock" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand lock" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand lock" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand completions" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand completions" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand completions" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand passwd" -l new-passphrase-file -d 'Read the new passphrase from the first line of FILE (default: ask twice on the terminal)' -r -F
complete -c otp -n "__fish_otp_using_subcommand passwd" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand passwd" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand passwd" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand passwd" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand passwd" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand passwd" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand passwd" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -f -a "add" -d 'Create a recovery key, add it to the vault and print it once'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -f -a "remove" -d 'Revoke the recovery key (older backups stay readable with it)'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and not __fish_seen_subcommand_from add remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -s o -l output -d 'Write the key to FILE (created 0600; an existing file only with --force) instead of stdout' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -l qr -d 'Also draw the key as a QR code'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -l force -d 'With -o: replace FILE if it exists'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from remove" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from remove" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from remove" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from remove" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create a recovery key, add it to the vault and print it once'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Revoke the recovery key (older backups stay readable with it)'
complete -c otp -n "__fish_otp_using_subcommand recovery-key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -f -a "list" -d 'The keys the vault is encrypted to'
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -f -a "add" -d 'Add an age recipient (age1…), SSH public key, or plugin recipient'
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -f -a "remove" -d 'Stop encrypting to a recipient'
complete -c otp -n "__fish_otp_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from list" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from list" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from list" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from list" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from add" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from add" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from add" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from add" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from remove" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from remove" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from remove" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from remove" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "list" -d 'The keys the vault is encrypted to'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an age recipient (age1…), SSH public key, or plugin recipient'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Stop encrypting to a recipient'
complete -c otp -n "__fish_otp_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -f -a "add" -d 'Store recovery codes (one per line, from stdin or --from)'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -f -a "show" -d 'Print an account\'s recovery codes'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -f -a "use" -d 'Mark a recovery code as used'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and not __fish_seen_subcommand_from add show use help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -l from -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from show" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from show" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from show" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from show" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from use" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from use" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from use" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from use" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from use" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from use" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from help" -f -a "add" -d 'Store recovery codes (one per line, from stdin or --from)'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print an account\'s recovery codes'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from help" -f -a "use" -d 'Mark a recovery code as used'
complete -c otp -n "__fish_otp_using_subcommand recovery-codes; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -l keep-both -d 'When both machines changed the same field of an account, keep both versions as separate accounts'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -l push-local -d 'After a refused remote (exit 6): put this machine\'s vault back on the remote, on top of the bad commit'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -f -a "init" -d 'Make the vault\'s folder a git repository (and push it to REMOTE)'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -f -a "clone" -d 'Set this machine up from a remote (refuses if a vault exists here)'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -f -a "merge" -d 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -f -a "accept" -d 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -f -a "merge-driver" -d 'The git merge driver (`git pull` runs it; registered by `otp sync init`)'
complete -c otp -n "__fish_otp_using_subcommand sync; and not __fish_seen_subcommand_from init clone merge accept merge-driver help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from init" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from init" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from init" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from init" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from init" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from clone" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from clone" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from clone" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from clone" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from clone" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from clone" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from clone" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -l keep-both -d 'When the copy and the vault differ in the same field, keep both versions as separate accounts'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from accept" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from accept" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from accept" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from accept" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from accept" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from accept" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from accept" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge-driver" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge-driver" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge-driver" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge-driver" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge-driver" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge-driver" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from merge-driver" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "init" -d 'Make the vault\'s folder a git repository (and push it to REMOTE)'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "clone" -d 'Set this machine up from a remote (refuses if a vault exists here)'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "merge" -d 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "accept" -d 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "merge-driver" -d 'The git merge driver (`git pull` runs it; registered by `otp sync init`)'
complete -c otp -n "__fish_otp_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand drill" -l recovery-key -d 'The recovery key\'s identity file (`-`: paste it, or pipe it in)' -r -F
complete -c otp -n "__fish_otp_using_subcommand drill" -l sheet -d 'Prove that photos or scans of the printed emergency sheet hold every account' -r -F
complete -c otp -n "__fish_otp_using_subcommand drill" -l vault -d 'Vault file [default: <data dir>/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand drill" -l config -d 'Config file [default: <config dir>/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand drill" -s i -l identity -d 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)' -r -F
complete -c otp -n "__fish_otp_using_subcommand drill" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand drill" -l color -d 'When to use colour on the terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand drill" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand drill" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "init" -d 'Create an empty vault'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "add" -d 'Add one account (or every account in a QR image)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "list" -d 'List accounts: issuer:name, one per line'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "code" -d 'Print the current code of one account'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "pick" -d 'Pick an account from a live list of codes; Enter copies (also `otp` alone on a terminal)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "show" -d 'Show the details of one account (no secret unless --uri)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "rename" -d 'Rename an account'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "remove" -d 'Move an account to the trash'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "trash" -d 'Deleted accounts: list, restore or purge them'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "export" -d 'Export all accounts (default: an encrypted backup)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "import" -d 'Import accounts from files: URI lists, QR images, other apps\' exports'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "recover" -d 'Restore a backup, refusing to overwrite existing accounts'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "backup" -d 'Write a timestamped encrypted backup and prune old ones'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "status" -d 'Vault path, account count, unlock method and backup freshness'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "unlock" -d 'Unlock a passphrase vault once: the agent keeps its key until a timeout or `otp lock`'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "lock" -d 'Make the agent forget every key it holds'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "completions" -d 'Print shell completions'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "passwd" -d 'Change the passphrase without re-entering accounts'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "recovery-key" -d 'Add or revoke a break-glass recovery key'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "recipients" -d 'Also encrypt the vault and its backups to other devices\' keys'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "recovery-codes" -d 'A service\'s one-time recovery codes, kept with the account'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "sync" -d 'Keep the vault in git and merge it by account with other machines'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "drill" -d 'Recovery drill: prove the recovery key opens the newest backups and they hold every account'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add list code pick show rename remove trash export import recover backup status unlock lock completions passwd recovery-key recipients recovery-codes sync drill help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from trash" -f -a "list" -d 'Deleted accounts, newest first'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from trash" -f -a "restore" -d 'Bring a deleted account back'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from trash" -f -a "purge" -d 'Delete for good'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery-key" -f -a "add" -d 'Create a recovery key, add it to the vault and print it once'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery-key" -f -a "remove" -d 'Revoke the recovery key (older backups stay readable with it)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "list" -d 'The keys the vault is encrypted to'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "add" -d 'Add an age recipient (age1…), SSH public key, or plugin recipient'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "remove" -d 'Stop encrypting to a recipient'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery-codes" -f -a "add" -d 'Store recovery codes (one per line, from stdin or --from)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery-codes" -f -a "show" -d 'Print an account\'s recovery codes'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery-codes" -f -a "use" -d 'Mark a recovery code as used'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "init" -d 'Make the vault\'s folder a git repository (and push it to REMOTE)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "clone" -d 'Set this machine up from a remote (refuses if a vault exists here)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "merge" -d 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "accept" -d 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "merge-driver" -d 'The git merge driver (`git pull` runs it; registered by `otp sync init`)'
