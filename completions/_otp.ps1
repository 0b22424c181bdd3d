
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'otp' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'otp'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'otp' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create an empty vault')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add one account (or every account in a QR image)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List accounts: issuer:name, one per line')
            [CompletionResult]::new('code', 'code', [CompletionResultType]::ParameterValue, 'Print the current code of one account')
            [CompletionResult]::new('pick', 'pick', [CompletionResultType]::ParameterValue, 'Pick an account from a live list of codes; Enter copies (also `otp` alone on a terminal)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the details of one account (no secret unless --uri)')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename an account')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Move an account to the trash')
            [CompletionResult]::new('trash', 'trash', [CompletionResultType]::ParameterValue, 'Deleted accounts: list, restore or purge them')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export all accounts (default: an encrypted backup)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import accounts from files: URI lists, QR images, other apps'' exports')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Restore a backup, refusing to overwrite existing accounts')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write a timestamped encrypted backup and prune old ones')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Vault path, account count, unlock method and backup freshness')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Unlock a passphrase vault once: the agent keeps its key until a timeout or `otp lock`')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Make the agent forget every key it holds')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Change the passphrase without re-entering accounts')
            [CompletionResult]::new('recovery-key', 'recovery-key', [CompletionResultType]::ParameterValue, 'Add or revoke a break-glass recovery key')
            [CompletionResult]::new('recipients', 'recipients', [CompletionResultType]::ParameterValue, 'Also encrypt the vault and its backups to other devices'' keys')
            [CompletionResult]::new('recovery-codes', 'recovery-codes', [CompletionResultType]::ParameterValue, 'A service''s one-time recovery codes, kept with the account')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Keep the vault in git and merge it by account with other machines')
            [CompletionResult]::new('drill', 'drill', [CompletionResultType]::ParameterValue, 'Recovery drill: prove the recovery key opens the newest backups and they hold every account')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;init' {
            [CompletionResult]::new('--generate-identity', '--generate-identity', [CompletionResultType]::ParameterName, 'Create a new X25519 identity in FILE and encrypt the vault to it')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--recovery-key', '--recovery-key', [CompletionResultType]::ParameterName, 'Also create a break-glass recovery key and print it once')
            [CompletionResult]::new('--qr', '--qr', [CompletionResultType]::ParameterName, 'With --recovery-key: also draw the key as a QR code')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;add' {
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Issuer (the service, e.g. GitHub)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'An otpauth:// URI (it holds the secret: visible in your shell history and `ps`; prefer --uri-stdin)')
            [CompletionResult]::new('--qr', '--qr', [CompletionResultType]::ParameterName, 'A QR image: screenshot, photo or Google Authenticator export')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The base32 secret (visible in your shell history and `ps`; prefer --secret-stdin)')
            [CompletionResult]::new('--counter', '--counter', [CompletionResultType]::ParameterName, 'Initial HOTP counter')
            [CompletionResult]::new('--pin-file', '--pin-file', [CompletionResultType]::ParameterName, 'Read the PIN of a --yandex/--motp account, or of a Yandex.Key/mOTP URI or QR code that holds none, from this file (otherwise stdin with --pin-stdin, or a prompt without echo)')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'HMAC algorithm')
            [CompletionResult]::new('--digits', '--digits', [CompletionResultType]::ParameterName, 'Code length (6 to 10)')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Seconds per code')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'A note kept with the account')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--uri-stdin', '--uri-stdin', [CompletionResultType]::ParameterName, 'Read one otpauth:// URI from stdin (for several, `otp import -`)')
            [CompletionResult]::new('--screen', '--screen', [CompletionResultType]::ParameterName, 'Every account whose QR code is on the screen (X11; never saved)')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the base32 secret from stdin')
            [CompletionResult]::new('--hotp', '--hotp', [CompletionResultType]::ParameterName, 'Counter-based (HOTP) instead of time-based')
            [CompletionResult]::new('--steam', '--steam', [CompletionResultType]::ParameterName, 'Steam Guard (5 characters)')
            [CompletionResult]::new('--yandex', '--yandex', [CompletionResultType]::ParameterName, 'Yandex.Key (8 letters from the secret and a PIN; the secret in either of Yandex''s forms)')
            [CompletionResult]::new('--motp', '--motp', [CompletionResultType]::ParameterName, 'Mobile-OTP (6 hex digits from the secret and a PIN; the secret in hex)')
            [CompletionResult]::new('--pin-stdin', '--pin-stdin', [CompletionResultType]::ParameterName, 'Read the --yandex/--motp (or --uri, --qr) PIN from stdin (the secret then comes from the prompt or --secret)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON array of account objects (never secrets)')
            [CompletionResult]::new('--codes', '--codes', [CompletionResultType]::ParameterName, 'Show each account''s current code and remaining seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;code' {
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Compute for this time: unix seconds or RFC 3339')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Copy to the clipboard instead of printing (cleared after clipboard_clear_seconds)')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Copy to the clipboard instead of printing (cleared after clipboard_clear_seconds)')
            [CompletionResult]::new('--next', '--next', [CompletionResultType]::ParameterName, 'The code of the following period (after --at, if given)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'If the period is nearly over, wait for the next one')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, '{"id","issuer","name","code","remaining"}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;pick' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Print the chosen code to stdout instead of copying it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;show' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Print the otpauth:// URI (contains the secret)')
            [CompletionResult]::new('--qr', '--qr', [CompletionResultType]::ParameterName, 'Draw the otpauth:// URI as a QR code in the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;rename' {
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Also change the issuer')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;remove' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;trash' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Deleted accounts, newest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring a deleted account back')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete for good')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;trash;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;trash;restore' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;trash;purge' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only accounts deleted more than DAYS days ago')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;trash;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Deleted accounts, newest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring a deleted account back')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete for good')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;trash;help;list' {
            break
        }
        'otp;trash;help;restore' {
            break
        }
        'otp;trash;help;purge' {
            break
        }
        'otp;trash;help;help' {
            break
        }
        'otp;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600, atomically) instead of stdout; a folder for google-qr PNGs')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600, atomically) instead of stdout; a folder for google-qr PNGs')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Aegis: encrypt the export with this password (visible in `ps`; prefer --password-file)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Aegis: encrypt the export with the password on the first line of F')
            [CompletionResult]::new('--with-recovery-key', '--with-recovery-key', [CompletionResultType]::ParameterName, 'Sheet: also print the vault''s break-glass recovery key from its identity FILE')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--plaintext', '--plaintext', [CompletionResultType]::ParameterName, 'Allow a format that holds secrets in the clear')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace FILE (or google-qr''s PNGs in the folder) if it exists; without it, -o refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;import' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The format, when auto-detection cannot tell')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'The export''s password, from the first line of F')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be added, skipped or in conflict; change nothing')
            [CompletionResult]::new('--screen', '--screen', [CompletionResultType]::ParameterName, 'Read the QR codes on the screen instead of files (X11; never saved)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recover' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan; change nothing')
            [CompletionResult]::new('--skip-existing', '--skip-existing', [CompletionResultType]::ParameterName, 'Restore only accounts that do not exist yet')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;backup' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Folder for backups [default: backup_dir from config]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow pruning older backups even though the vault shrank by more than half')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Write nothing: open the newest backup of each folder and compare it with the vault')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'With --verify: check every backup kept, not only the newest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;status' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;unlock' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Forget the key after this long without use (900, 90s, 15m, 2h, 1h30m) [default: agent_timeout_seconds]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;lock' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;completions' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;passwd' {
            [CompletionResult]::new('--new-passphrase-file', '--new-passphrase-file', [CompletionResultType]::ParameterName, 'Read the new passphrase from the first line of FILE (default: ask twice on the terminal)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recovery-key' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a recovery key, add it to the vault and print it once')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Revoke the recovery key (older backups stay readable with it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recovery-key;add' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the key to FILE (created 0600; an existing file only with --force) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the key to FILE (created 0600; an existing file only with --force) instead of stdout')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--qr', '--qr', [CompletionResultType]::ParameterName, 'Also draw the key as a QR code')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With -o: replace FILE if it exists')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recovery-key;remove' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recovery-key;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a recovery key, add it to the vault and print it once')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Revoke the recovery key (older backups stay readable with it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recovery-key;help;add' {
            break
        }
        'otp;recovery-key;help;remove' {
            break
        }
        'otp;recovery-key;help;help' {
            break
        }
        'otp;recipients' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The keys the vault is encrypted to')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an age recipient (age1…), SSH public key, or plugin recipient')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Stop encrypting to a recipient')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recipients;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recipients;add' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recipients;remove' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recipients;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The keys the vault is encrypted to')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an age recipient (age1…), SSH public key, or plugin recipient')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Stop encrypting to a recipient')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recipients;help;list' {
            break
        }
        'otp;recipients;help;add' {
            break
        }
        'otp;recipients;help;remove' {
            break
        }
        'otp;recipients;help;help' {
            break
        }
        'otp;recovery-codes' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store recovery codes (one per line, from stdin or --from)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print an account''s recovery codes')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Mark a recovery code as used')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recovery-codes;add' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'from')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recovery-codes;show' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recovery-codes;use' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;recovery-codes;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store recovery codes (one per line, from stdin or --from)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print an account''s recovery codes')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Mark a recovery code as used')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recovery-codes;help;add' {
            break
        }
        'otp;recovery-codes;help;show' {
            break
        }
        'otp;recovery-codes;help;use' {
            break
        }
        'otp;recovery-codes;help;help' {
            break
        }
        'otp;sync' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--keep-both', '--keep-both', [CompletionResultType]::ParameterName, 'When both machines changed the same field of an account, keep both versions as separate accounts')
            [CompletionResult]::new('--push-local', '--push-local', [CompletionResultType]::ParameterName, 'After a refused remote (exit 6): put this machine''s vault back on the remote, on top of the bad commit')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Make the vault''s folder a git repository (and push it to REMOTE)')
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Set this machine up from a remote (refuses if a vault exists here)')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)')
            [CompletionResult]::new('merge-driver', 'merge-driver', [CompletionResultType]::ParameterValue, 'The git merge driver (`git pull` runs it; registered by `otp sync init`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;sync;init' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;sync;clone' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;sync;merge' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('--keep-both', '--keep-both', [CompletionResultType]::ParameterName, 'When the copy and the vault differ in the same field, keep both versions as separate accounts')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;sync;accept' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;sync;merge-driver' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;sync;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Make the vault''s folder a git repository (and push it to REMOTE)')
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Set this machine up from a remote (refuses if a vault exists here)')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)')
            [CompletionResult]::new('merge-driver', 'merge-driver', [CompletionResultType]::ParameterValue, 'The git merge driver (`git pull` runs it; registered by `otp sync init`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;sync;help;init' {
            break
        }
        'otp;sync;help;clone' {
            break
        }
        'otp;sync;help;merge' {
            break
        }
        'otp;sync;help;accept' {
            break
        }
        'otp;sync;help;merge-driver' {
            break
        }
        'otp;sync;help;help' {
            break
        }
        'otp;drill' {
            [CompletionResult]::new('--recovery-key', '--recovery-key', [CompletionResultType]::ParameterName, 'The recovery key''s identity file (`-`: paste it, or pipe it in)')
            [CompletionResult]::new('--sheet', '--sheet', [CompletionResultType]::ParameterName, 'Prove that photos or scans of the printed emergency sheet hold every account')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: <data dir>/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/config.toml]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this age identity file (X25519, passphrase-protected, or SSH key)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour on the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'otp;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create an empty vault')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add one account (or every account in a QR image)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List accounts: issuer:name, one per line')
            [CompletionResult]::new('code', 'code', [CompletionResultType]::ParameterValue, 'Print the current code of one account')
            [CompletionResult]::new('pick', 'pick', [CompletionResultType]::ParameterValue, 'Pick an account from a live list of codes; Enter copies (also `otp` alone on a terminal)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the details of one account (no secret unless --uri)')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename an account')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Move an account to the trash')
            [CompletionResult]::new('trash', 'trash', [CompletionResultType]::ParameterValue, 'Deleted accounts: list, restore or purge them')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export all accounts (default: an encrypted backup)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import accounts from files: URI lists, QR images, other apps'' exports')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Restore a backup, refusing to overwrite existing accounts')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write a timestamped encrypted backup and prune old ones')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Vault path, account count, unlock method and backup freshness')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Unlock a passphrase vault once: the agent keeps its key until a timeout or `otp lock`')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Make the agent forget every key it holds')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Change the passphrase without re-entering accounts')
            [CompletionResult]::new('recovery-key', 'recovery-key', [CompletionResultType]::ParameterValue, 'Add or revoke a break-glass recovery key')
            [CompletionResult]::new('recipients', 'recipients', [CompletionResultType]::ParameterValue, 'Also encrypt the vault and its backups to other devices'' keys')
            [CompletionResult]::new('recovery-codes', 'recovery-codes', [CompletionResultType]::ParameterValue, 'A service''s one-time recovery codes, kept with the account')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Keep the vault in git and merge it by account with other machines')
            [CompletionResult]::new('drill', 'drill', [CompletionResultType]::ParameterValue, 'Recovery drill: prove the recovery key opens the newest backups and they hold every account')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;help;init' {
            break
        }
        'otp;help;add' {
            break
        }
        'otp;help;list' {
            break
        }
        'otp;help;code' {
            break
        }
        'otp;help;pick' {
            break
        }
        'otp;help;show' {
            break
        }
        'otp;help;rename' {
            break
        }
        'otp;help;remove' {
            break
        }
        'otp;help;trash' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Deleted accounts, newest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring a deleted account back')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete for good')
            break
        }
        'otp;help;trash;list' {
            break
        }
        'otp;help;trash;restore' {
            break
        }
        'otp;help;trash;purge' {
            break
        }
        'otp;help;export' {
            break
        }
        'otp;help;import' {
            break
        }
        'otp;help;recover' {
            break
        }
        'otp;help;backup' {
            break
        }
        'otp;help;status' {
            break
        }
        'otp;help;unlock' {
            break
        }
        'otp;help;lock' {
            break
        }
        'otp;help;completions' {
            break
        }
        'otp;help;passwd' {
            break
        }
        'otp;help;recovery-key' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a recovery key, add it to the vault and print it once')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Revoke the recovery key (older backups stay readable with it)')
            break
        }
        'otp;help;recovery-key;add' {
            break
        }
        'otp;help;recovery-key;remove' {
            break
        }
        'otp;help;recipients' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The keys the vault is encrypted to')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an age recipient (age1…), SSH public key, or plugin recipient')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Stop encrypting to a recipient')
            break
        }
        'otp;help;recipients;list' {
            break
        }
        'otp;help;recipients;add' {
            break
        }
        'otp;help;recipients;remove' {
            break
        }
        'otp;help;recovery-codes' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store recovery codes (one per line, from stdin or --from)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print an account''s recovery codes')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Mark a recovery code as used')
            break
        }
        'otp;help;recovery-codes;add' {
            break
        }
        'otp;help;recovery-codes;show' {
            break
        }
        'otp;help;recovery-codes;use' {
            break
        }
        'otp;help;sync' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Make the vault''s folder a git repository (and push it to REMOTE)')
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Set this machine up from a remote (refuses if a vault exists here)')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)')
            [CompletionResult]::new('merge-driver', 'merge-driver', [CompletionResultType]::ParameterValue, 'The git merge driver (`git pull` runs it; registered by `otp sync init`)')
            break
        }
        'otp;help;sync;init' {
            break
        }
        'otp;help;sync;clone' {
            break
        }
        'otp;help;sync;merge' {
            break
        }
        'otp;help;sync;accept' {
            break
        }
        'otp;help;sync;merge-driver' {
            break
        }
        'otp;help;drill' {
            break
        }
        'otp;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
