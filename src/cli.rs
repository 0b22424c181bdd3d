//! The command line, as fixed by docs/cli.md (whose command reference is
//! generated from this file).
//!
//! Conventions: one `Args` struct per command; formats are `ValueEnum`s,
//! never groups of bool flags; every command's help ends with an example;
//! global options (vault, config, unlock, colour) live on [`Cli`] and can
//! also come from the environment.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::term::ColorChoice;

#[derive(Debug, Parser)]
#[command(
    name = "otp",
    version,
    about = "A terminal authenticator that never loses your second factors",
    long_about = "otp keeps TOTP/HOTP/Steam secrets in an age-encrypted TOML vault on your own machine, \
prints codes for shells and scripts, imports from other authenticator apps and QR images, \
and makes encrypted, versioned backups that can never silently clobber newer accounts.",
    after_help = "Examples:\n  otp init\n  otp add GitHub --issuer GitHub --secret-stdin < secret.txt\n  otp code github\n  otp list --codes",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// `otp code ...` alone: the same [`Global`] and [`CodeArgs`] as [`Cli`],
/// without the other subcommands.
///
/// clap builds the whole command tree (every subcommand and argument) on
/// each parse, a measurable share of the everyday command's start-up. The
/// binary tries this parser first; anything it does not accept, including
/// `--help`, `--version` and every mistake, goes to [`Cli`], which answers
/// exactly as it always did. What this parser accepts, [`Cli`] parses to
/// the same values (tested below).
#[derive(Debug, Parser)]
#[command(name = "otp", disable_help_flag = true, disable_help_subcommand = true)]
pub struct CodeCli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: CodeOnly,
}

#[derive(Debug, Subcommand)]
pub enum CodeOnly {
    #[command(disable_help_flag = true)]
    Code(CodeArgs),
}

impl CodeCli {
    /// The `code` invocation in `args`, or None for anything else.
    pub fn parse_code<I, T>(args: I) -> Option<(Global, CodeArgs)>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let CodeCli { global, command } = CodeCli::try_parse_from(args).ok()?;
        let CodeOnly::Code(code) = command;
        Some((global, code))
    }
}

#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Vault file [default: <data dir>/vault.age]
    #[arg(long, global = true, env = "OTP_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,
    /// Config file [default: <config dir>/config.toml]
    #[arg(long, global = true, env = "OTP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Unlock with this age identity file (X25519, passphrase-protected, or SSH key)
    #[arg(
        long,
        short = 'i',
        global = true,
        env = "OTP_IDENTITY",
        value_name = "FILE"
    )]
    pub identity: Option<PathBuf>,
    /// Read the passphrase from the first line of FILE
    #[arg(long, global = true, env = "OTP_PASSPHRASE_FILE", value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// When to use colour on the terminal
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// The `--color` choice in `args` (the program name first), read before
/// clap parses them so that clap's own help and errors follow it too. The
/// last one before `--` wins, as in the parse; an invalid value is left for
/// clap to report.
pub fn color_arg(args: impl IntoIterator<Item = std::ffi::OsString>) -> Option<clap::ColorChoice> {
    let mut choice = None;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str() else { continue };
        let value = match arg {
            "--" => break,
            "--color" => args.next().and_then(|v| v.into_string().ok()),
            _ => arg.strip_prefix("--color=").map(str::to_string),
        };
        choice = match value.as_deref() {
            Some("never") => Some(clap::ColorChoice::Never),
            Some("always") => Some(clap::ColorChoice::Always),
            Some("auto") => Some(clap::ColorChoice::Auto),
            _ => choice,
        };
    }
    choice
}

/// Did the parse fail only for want of a command (`otp` alone, or with
/// global options only)? On a terminal that is the picker (`otp pick`).
pub fn no_command(error: &clap::Error) -> bool {
    use clap::error::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand
    )
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty vault
    #[command(
        after_help = "Examples:\n  otp init                                 # passphrase vault\n  otp init --generate-identity ~/.config/otp/key.txt\n  otp init --identity ~/.ssh/id_ed25519    # reads ~/.ssh/id_ed25519.pub too"
    )]
    Init(InitArgs),
    /// Add one account (or every account in a QR image)
    #[command(
        after_help = "Examples:\n  otp add alice@example.com --issuer GitHub --secret-stdin < secret.txt\n  otp add --uri-stdin < uri.txt        # one otpauth:// URI\n  otp add --qr screenshot.png\n  otp add --screen                    # the QR code the sign-up page shows\n  otp add bank --hotp --counter 3     # prompts for the secret"
    )]
    Add(AddArgs),
    /// List accounts: issuer:name, one per line
    #[command(
        after_help = "Examples:\n  otp list\n  otp list google --codes\n  otp list --json | jq '.[].issuer'"
    )]
    List(ListArgs),
    /// Print the current code of one account
    #[command(
        after_help = "Examples:\n  otp code azure\n  otp code github --copy\n  otp code aws --at 2026-01-01T00:00:00Z\n  otp code bank --json"
    )]
    Code(CodeArgs),
    /// Pick an account from a live list of codes; Enter copies (also `otp` alone on a terminal)
    #[command(
        after_help = "Examples:\n  otp                       # on a terminal: the same as `otp pick`\n  otp pick git              # start with the filter 'git'\n  code=$(otp pick --print)  # the chosen code on stdout\n\nKeys: type to filter (the QUERY rules), Up/Down or Ctrl-P/Ctrl-N to move, Enter to copy\n(or print), Esc, or q on an empty filter, or Ctrl-C to leave. HOTP codes appear only when\nchosen. See docs/pick.md."
    )]
    Pick(PickArgs),
    /// Show the details of one account (no secret unless --uri)
    #[command(
        after_help = "Examples:\n  otp show github\n  otp show github --uri   # prints the secret\n  otp show github --qr    # scan it with a phone"
    )]
    Show(ShowArgs),
    /// Rename an account
    #[command(
        after_help = "Example:\n  otp rename github alice@work.example --issuer 'GitHub Enterprise'"
    )]
    Rename(RenameArgs),
    /// Move an account to the trash
    #[command(
        after_help = "Example:\n  otp remove old-bank --yes\n  otp trash restore old-bank   # changed your mind"
    )]
    Remove(RemoveArgs),
    /// Deleted accounts: list, restore or purge them
    #[command(
        after_help = "Examples:\n  otp trash\n  otp trash restore github\n  otp trash purge --older-than 90"
    )]
    Trash(TrashArgs),
    /// Export all accounts (default: an encrypted backup)
    #[command(
        after_help = "Examples:\n  otp export -o otp-backup.age\n  otp export --format uris --plaintext > uris.txt\n  otp export --format google-qr --plaintext -o qr/   # PNG codes for Google Authenticator\n  otp export --format aegis --password-file pw.txt -o aegis.json\n  otp export --format sheet --plaintext -o sheet.html   # print it; see docs/sheet.md"
    )]
    Export(ExportArgs),
    /// Import accounts from files: URI lists, QR images, other apps' exports
    #[command(
        after_help = "Examples:\n  otp import uris.txt\n  otp import aegis-export.json --password-file pw.txt\n  otp import screenshot.png --dry-run\n  otp import --screen --dry-run       # a Google Authenticator export on screen\n  cat uris.txt | otp import -"
    )]
    Import(ImportArgs),
    /// Restore a backup, refusing to overwrite existing accounts
    #[command(
        after_help = "Examples:\n  otp recover otp-backup.age --dry-run\n  otp recover otp-backup.age --skip-existing\n  otp --identity recovery-key.txt recover otp-backup.age   # on a new machine"
    )]
    Recover(RecoverArgs),
    /// Write a timestamped encrypted backup and prune old ones
    #[command(
        after_help = "Examples:\n  otp backup\n  otp backup --dir /mnt/usb/otp\n  otp backup --verify          # does the newest backup of each folder open and hold every account?\n  otp backup --verify --all"
    )]
    Backup(BackupArgs),
    /// Vault path, account count, unlock method and backup freshness
    #[command(after_help = "Example:\n  otp status\n  otp status --json")]
    Status(StatusArgs),
    /// Unlock a passphrase vault once: the agent keeps its key until a timeout or `otp lock`
    #[command(
        after_help = "Examples:\n  otp unlock\n  otp unlock --timeout 1h\n  otp code github     # no passphrase asked while the agent holds the key\n\nThe agent forgets the key after agent_timeout_seconds without use (default 15 min),\nagent_lifetime_seconds after unlocking (default 12 h), on `otp lock`, and when the\nkey file changes (`otp passwd`). See docs/agent.md."
    )]
    Unlock(UnlockArgs),
    /// Make the agent forget every key it holds
    #[command(after_help = "Example:\n  otp lock")]
    Lock,
    /// Print shell completions
    #[command(
        after_help = "Examples:\n  otp completions bash > ~/.local/share/bash-completion/completions/otp\n  otp completions zsh > ~/.zfunc/_otp\n  otp completions fish > ~/.config/fish/completions/otp.fish"
    )]
    Completions(CompletionsArgs),
    /// Change the passphrase without re-entering accounts
    #[command(
        after_help = "Examples:\n  otp passwd\n  otp --identity recovery-key.txt passwd   # forgot the old one"
    )]
    Passwd(PasswdArgs),
    /// Add or revoke a break-glass recovery key
    #[command(
        subcommand,
        name = "recovery-key",
        after_help = "Examples:\n  otp recovery-key add --qr\n  otp recovery-key remove"
    )]
    RecoveryKey(RecoveryKeyCommand),
    /// Also encrypt the vault and its backups to other devices' keys
    #[command(
        subcommand,
        after_help = "Examples:\n  otp recipients list\n  otp recipients add age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n  otp recipients add \"$(cat ~/.ssh/id_ed25519.pub)\""
    )]
    Recipients(RecipientsCommand),
    /// A service's one-time recovery codes, kept with the account
    #[command(
        subcommand,
        name = "recovery-codes",
        after_help = "Examples:\n  otp recovery-codes add github --from github-recovery-codes.txt\n  otp recovery-codes show github\n  otp recovery-codes use github 1a2b3-c4d5e"
    )]
    RecoveryCodes(RecoveryCodesCommand),
    /// Keep the vault in git and merge it by account with other machines
    #[command(
        after_help = "Examples:\n  otp sync init git@example.com:me/otp-vault.git   # first machine\n  otp sync clone git@example.com:me/otp-vault.git  # second machine\n  otp sync                                          # fetch, merge, push\n  otp sync merge 'vault.sync-conflict-20260101-120000-ABCDEFG.age'\n\nSee docs/sync.md."
    )]
    Sync(SyncArgs),
    /// Recovery drill: prove the recovery key opens the newest backups and they hold every account
    #[command(
        after_help = "Examples:\n  otp drill --recovery-key recovery-key.txt\n  otp drill --recovery-key -      # paste it\n  otp drill                       # with the vault's own key (proves less)\n  otp drill --sheet page-1.jpg page-2.jpg   # photos of the printed emergency sheet\n\nSee docs/backup.md and docs/sheet.md."
    )]
    Drill(DrillArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Create a new X25519 identity in FILE and encrypt the vault to it
    #[arg(long, value_name = "FILE")]
    pub generate_identity: Option<PathBuf>,
    /// Also create a break-glass recovery key and print it once
    #[arg(long)]
    pub recovery_key: bool,
    /// With --recovery-key: also draw the key as a QR code
    #[arg(long, requires = "recovery_key")]
    pub qr: bool,
}

/// A command-line value that holds a secret (`add --secret`, `add --uri`,
/// `export --password`, `recovery-codes use CODE`):
/// wiped when dropped, and `<redacted>` in `Debug` output.
#[derive(Clone)]
pub struct SecretArg(zeroize::Zeroizing<String>);

impl std::str::FromStr for SecretArg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SecretArg(zeroize::Zeroizing::new(s.to_string())))
    }
}

impl std::ops::Deref for SecretArg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Account name (e.g. the user name or e-mail)
    pub name: Option<String>,
    /// Issuer (the service, e.g. GitHub)
    #[arg(long)]
    pub issuer: Option<String>,
    /// An otpauth:// URI (it holds the secret: visible in your shell history and `ps`; prefer --uri-stdin)
    #[arg(long, value_name = "URI", group = "source")]
    pub uri: Option<SecretArg>,
    /// Read one otpauth:// URI from stdin (for several, `otp import -`)
    #[arg(long, group = "source")]
    pub uri_stdin: bool,
    /// A QR image: screenshot, photo or Google Authenticator export
    #[arg(long, value_name = "IMAGE", group = "source")]
    pub qr: Option<PathBuf>,
    /// Every account whose QR code is on the screen (X11; never saved)
    #[arg(long, group = "source")]
    pub screen: bool,
    /// Read the base32 secret from stdin
    #[arg(long, group = "source")]
    pub secret_stdin: bool,
    /// The base32 secret (visible in your shell history and `ps`; prefer --secret-stdin)
    #[arg(long, value_name = "S", group = "source")]
    pub secret: Option<SecretArg>,
    /// Counter-based (HOTP) instead of time-based
    #[arg(long, conflicts_with = "steam")]
    pub hotp: bool,
    /// Initial HOTP counter
    #[arg(long, value_name = "N", requires = "hotp")]
    pub counter: Option<u64>,
    /// Steam Guard (5 characters)
    #[arg(long)]
    pub steam: bool,
    /// Yandex.Key (8 letters from the secret and a PIN; the secret in either of Yandex's forms)
    #[arg(long, conflicts_with_all = ["hotp", "steam", "motp"])]
    pub yandex: bool,
    /// Mobile-OTP (6 hex digits from the secret and a PIN; the secret in hex)
    #[arg(long, conflicts_with_all = ["hotp", "steam"])]
    pub motp: bool,
    /// Read the PIN of a --yandex/--motp account, or of a Yandex.Key/mOTP URI or QR code that holds none, from this file (otherwise stdin with --pin-stdin, or a prompt without echo)
    #[arg(long, value_name = "FILE", conflicts_with = "pin_stdin")]
    pub pin_file: Option<PathBuf>,
    /// Read the --yandex/--motp (or --uri, --qr) PIN from stdin (the secret then comes from the prompt or --secret)
    #[arg(long, conflicts_with_all = ["secret_stdin", "uri_stdin"])]
    pub pin_stdin: bool,
    /// HMAC algorithm
    #[arg(long, value_enum, value_name = "ALG", ignore_case = true)]
    pub algorithm: Option<AlgorithmArg>,
    /// Code length (6 to 10)
    #[arg(long, value_name = "N")]
    pub digits: Option<u8>,
    /// Seconds per code
    #[arg(long, value_name = "S")]
    pub period: Option<u64>,
    /// A note kept with the account
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum AlgorithmArg {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only accounts whose issuer:name contains this (or whose id is this)
    pub query: Option<String>,
    /// JSON array of account objects (never secrets)
    #[arg(long, conflicts_with = "codes")]
    pub json: bool,
    /// Show each account's current code and remaining seconds
    #[arg(long)]
    pub codes: bool,
}

#[derive(Debug, Args)]
pub struct CodeArgs {
    /// Account: id, issuer:name, issuer, name, or part of issuer:name
    pub query: String,
    /// Copy to the clipboard instead of printing (cleared after clipboard_clear_seconds)
    #[arg(long, short = 'c', conflicts_with = "json")]
    pub copy: bool,
    /// The code of the following period (after --at, if given)
    #[arg(long)]
    pub next: bool,
    /// If the period is nearly over, wait for the next one
    #[arg(long)]
    pub wait: bool,
    /// Compute for this time: unix seconds or RFC 3339
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// {"id","issuer","name","code","remaining"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PickArgs {
    /// Start with this filter: part of issuer:name, in any case
    pub query: Option<String>,
    /// Print the chosen code to stdout instead of copying it
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub query: String,
    /// Print the otpauth:// URI (contains the secret)
    #[arg(long)]
    pub uri: bool,
    /// Draw the otpauth:// URI as a QR code in the terminal
    #[arg(long)]
    pub qr: bool,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    pub query: String,
    pub new_name: String,
    /// Also change the issuer
    #[arg(long)]
    pub issuer: Option<String>,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    pub query: String,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct TrashArgs {
    #[command(subcommand)]
    pub command: Option<TrashCommand>,
}

#[derive(Debug, Subcommand)]
pub enum TrashCommand {
    /// Deleted accounts, newest first
    #[command(after_help = "Example:\n  otp trash list")]
    List,
    /// Bring a deleted account back
    #[command(after_help = "Example:\n  otp trash restore github")]
    Restore { query: String },
    /// Delete for good
    #[command(
        after_help = "Examples:\n  otp trash purge --older-than 90\n  otp trash purge --yes   # everything in the trash"
    )]
    Purge {
        /// Only accounts deleted more than DAYS days ago
        #[arg(long, value_name = "DAYS")]
        older_than: Option<u64>,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// age-encrypted, ASCII-armored, readable by `otp recover` and `age`
    Backup,
    /// otpauth:// URIs, one per line (plaintext)
    Uris,
    /// otp's versioned JSON schema (plaintext)
    Json,
    /// Aegis vault JSON (plaintext, or encrypted with --password-file)
    Aegis,
    /// Google Authenticator migration QR codes
    GoogleQr,
    /// A printable emergency sheet: one HTML page with every account's QR code and secret (plaintext)
    Sheet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Backup)]
    pub format: ExportFormat,
    /// Allow a format that holds secrets in the clear
    #[arg(long)]
    pub plaintext: bool,
    /// Write to FILE (mode 0600, atomically) instead of stdout; a folder for google-qr PNGs
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE (or google-qr's PNGs in the folder) if it exists; without it, -o refuses
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Aegis: encrypt the export with this password (visible in `ps`; prefer --password-file)
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<SecretArg>,
    /// Aegis: encrypt the export with the password on the first line of F
    #[arg(long, value_name = "F", conflicts_with = "password")]
    pub password_file: Option<PathBuf>,
    /// Sheet: also print the vault's break-glass recovery key from its identity FILE
    #[arg(long, value_name = "FILE")]
    pub with_recovery_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to read (`-` is stdin)
    #[arg(required_unless_present = "screen", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The format, when auto-detection cannot tell
    #[arg(long, default_value = "auto", value_name = "NAME")]
    pub format: String,
    /// The export's password, from the first line of F
    #[arg(long, value_name = "F")]
    pub password_file: Option<PathBuf>,
    /// Print what would be added, skipped or in conflict; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Read the QR codes on the screen instead of files (X11; never saved)
    #[arg(long, conflicts_with_all = ["files", "format", "password_file"])]
    pub screen: bool,
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// A backup from `otp export`/`otp backup`, an otp JSON export or a URI list
    pub backup: PathBuf,
    /// Print the plan; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Restore only accounts that do not exist yet
    #[arg(long)]
    pub skip_existing: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Folder for backups [default: backup_dir from config]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Allow pruning older backups even though the vault shrank by more than half
    #[arg(long, conflicts_with = "verify")]
    pub force: bool,
    /// Write nothing: open the newest backup of each folder and compare it with the vault
    #[arg(long)]
    pub verify: bool,
    /// With --verify: check every backup kept, not only the newest
    #[arg(long, requires = "verify")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// Forget the key after this long without use (900, 90s, 15m, 2h, 1h30m) [default: agent_timeout_seconds]
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
}

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    crate::duration::parse_duration(text).ok_or_else(|| {
        format!("'{text}' is not a duration: use seconds (900) or units (90s, 15m, 2h, 1h30m)")
    })
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The recovery key's identity file (`-`: paste it, or pipe it in)
    #[arg(long, value_name = "FILE", conflicts_with = "sheet")]
    pub recovery_key: Option<PathBuf>,
    /// Prove that photos or scans of the printed emergency sheet hold every account
    #[arg(long, value_name = "IMAGE", num_args = 1.., required = false)]
    pub sheet: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Read the new passphrase from the first line of FILE (default: ask twice on the terminal)
    #[arg(long, value_name = "FILE")]
    pub new_passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RecoveryKeyCommand {
    /// Create a recovery key, add it to the vault and print it once
    #[command(
        after_help = "Examples:\n  otp recovery-key add --qr   # print it, and draw it to photograph\n  otp recovery-key add -o /media/usb/otp-recovery.txt   # a new file, mode 0600"
    )]
    Add {
        /// Also draw the key as a QR code
        #[arg(long)]
        qr: bool,
        /// Write the key to FILE (created 0600; an existing file only with --force) instead of stdout
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// With -o: replace FILE if it exists
        #[arg(long, requires = "output")]
        force: bool,
    },
    /// Revoke the recovery key (older backups stay readable with it)
    #[command(after_help = "Example:\n  otp recovery-key remove")]
    Remove,
}

#[derive(Debug, Subcommand)]
pub enum RecipientsCommand {
    /// The keys the vault is encrypted to
    #[command(after_help = "Example:\n  otp recipients list")]
    List,
    /// Add an age recipient (age1…), SSH public key, or plugin recipient
    #[command(
        after_help = "Examples:\n  otp recipients add age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n  otp recipients add \"$(cat ~/.ssh/id_ed25519.pub)\""
    )]
    Add { recipient: String },
    /// Stop encrypting to a recipient
    #[command(
        after_help = "Example:\n  otp recipients remove age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    )]
    Remove { recipient: String },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,
    /// When both machines changed the same field of an account, keep both versions as separate accounts
    #[arg(long)]
    pub keep_both: bool,
    /// After a refused remote (exit 6): put this machine's vault back on the remote, on top of the bad commit
    #[arg(long, conflicts_with = "keep_both")]
    pub push_local: bool,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Make the vault's folder a git repository (and push it to REMOTE)
    #[command(
        after_help = "Examples:\n  otp sync init\n  otp sync init git@example.com:me/otp-vault.git"
    )]
    Init {
        /// A git remote URL, added as `origin`
        remote: Option<String>,
    },
    /// Set this machine up from a remote (refuses if a vault exists here)
    #[command(after_help = "Example:\n  otp sync clone git@example.com:me/otp-vault.git")]
    Clone {
        /// A git remote URL
        remote: String,
    },
    /// Fold a file-sync conflict copy (Syncthing, Dropbox, …) into the vault
    #[command(
        after_help = "Example:\n  otp sync merge ~/Sync/otp/'vault.sync-conflict-20260101-120000-ABCDEFG.age'\n  rm ~/Sync/otp/'vault.sync-conflict-20260101-120000-ABCDEFG.age'   # once merged"
    )]
    Merge {
        /// The conflict copy
        file: PathBuf,
        /// When the copy and the vault differ in the same field, keep both versions as separate accounts
        #[arg(long)]
        keep_both: bool,
    },
    /// Take the vault at its path as it is, after you put it there on purpose (an older version restored, a vault made elsewhere)
    #[command(
        after_help = "Every command refuses a vault this machine did not write or accept (exit 6: forged, rolled back) and any change over another machine's version made in parallel (exit 5). When you put that vault there yourself, this takes it as it is: it is saved as a new version written here, and trusted from then on.\n\nExample:\n  cp ~/old/vault.age ~/Sync/otp/vault.age   # an older version, on purpose\n  otp sync accept\n\nSee docs/trust.md."
    )]
    Accept,
    /// The git merge driver (`git pull` runs it; registered by `otp sync init`)
    #[command(hide = true)]
    MergeDriver {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecoveryCodesCommand {
    /// Store recovery codes (one per line, from stdin or --from)
    #[command(
        after_help = "Examples:\n  otp recovery-codes add github --from github-recovery-codes.txt\n  pbpaste | otp recovery-codes add github"
    )]
    Add {
        query: String,
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
    },
    /// Print an account's recovery codes
    #[command(after_help = "Example:\n  otp recovery-codes show github")]
    Show { query: String },
    /// Mark a recovery code as used
    #[command(after_help = "Example:\n  otp recovery-codes use github 1a2b3-c4d5e")]
    Use { query: String, code: SecretArg },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn color_arg_is_the_last_before_the_separator() {
        let args = |a: &[&str]| {
            color_arg(
                std::iter::once("otp")
                    .chain(a.iter().copied())
                    .map(Into::into),
            )
        };
        assert_eq!(args(&["code", "x"]), None);
        assert_eq!(
            args(&["--color", "never", "code"]),
            Some(clap::ColorChoice::Never)
        );
        assert_eq!(
            args(&["--color=always", "list", "--color", "never"]),
            Some(clap::ColorChoice::Never)
        );
        assert_eq!(
            args(&["--color=always", "--", "--color=never"]),
            Some(clap::ColorChoice::Always)
        );
        assert_eq!(args(&["--color", "sometimes"]), None);
    }

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
        CodeCli::command().debug_assert();
    }

    /// What the `code` fast path makes of `args`, and what the full parser
    /// makes of them, as comparable text.
    fn both(args: &[&str]) -> (Option<String>, Option<String>) {
        let argv = std::iter::once("otp").chain(args.iter().copied());
        let fast = CodeCli::parse_code(argv.clone()).map(|(g, c)| format!("{g:?} {c:?}"));
        let full = match Cli::try_parse_from(argv) {
            Ok(Cli {
                global,
                command: Command::Code(code),
            }) => Some(format!("{global:?} {code:?}")),
            _ => None,
        };
        (fast, full)
    }

    #[test]
    fn code_fast_path_agrees_with_the_full_parser() {
        for args in [
            &["code", "azure"][..],
            &["code", "GitHub:alice@example.com", "--copy"],
            &["--vault", "v.age", "-i", "key.txt", "code", "x", "--json"],
            &[
                "code",
                "x",
                "--at",
                "2026-01-01T00:00:00Z",
                "--next",
                "--wait",
            ],
            &["code", "--at=59", "x", "--color", "never", "--vault=v.age"],
            &[
                "--color=always",
                "code",
                "-c",
                "x",
                "--passphrase-file",
                "pw",
            ],
            &["code", "--", "-dash-name"],
        ] {
            let (fast, full) = both(args);
            assert!(fast.is_some(), "the fast path refused {args:?}");
            assert_eq!(fast, full, "{args:?}");
        }
        // Everything else is left to the full parser (help, version, errors).
        for args in [
            &["code"][..],
            &["code", "--help"],
            &["code", "x", "-h"],
            &["--help"],
            &["--version"],
            &["code", "x", "--version"],
            &["code", "x", "--copy", "--json"],
            &["code", "x", "y"],
            &["code", "x", "--bogus"],
            &["list"],
            &["help", "code"],
            &["--color", "sometimes", "code", "x"],
        ] {
            assert_eq!(both(args).0, None, "the fast path took {args:?}");
        }
    }

    proptest::proptest! {
        /// Any mix of real and bogus tokens: whatever the fast path accepts,
        /// the full parser accepts with the same values.
        #[test]
        fn code_fast_path_never_differs(tokens in proptest::collection::vec(
            proptest::sample::select(vec![
                "code", "list", "show", "x", "GitHub:a b", "-", "--", "--copy", "-c",
                "--next", "--wait", "--at", "59", "--at=2026-01-01T00:00:00Z", "--json",
                "--vault", "v.age", "-i", "k.txt", "-ci", "--identity=k", "--config",
                "--passphrase-file", "--color", "never", "auto", "--help", "-h",
                "--version", "-V", "help",
            ]),
            0..8,
        )) {
            let (fast, full) = both(&tokens);
            if fast.is_some() {
                proptest::prop_assert_eq!(fast, full);
            }
        }
    }

    /// Every command, nested ones included, shows an example in its help.
    #[test]
    fn every_command_has_an_example() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for sub in cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            {
                let path = format!("{path} {}", sub.get_name());
                let help = sub.clone().render_long_help().to_string();
                let example = help
                    .split_once("Example")
                    .is_some_and(|(_, rest)| rest.contains("otp "));
                if !example {
                    missing.push(path.clone());
                }
                walk(sub, &path, missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "otp", &mut missing);
        assert!(missing.is_empty(), "no example in the help of: {missing:?}");
    }
}
