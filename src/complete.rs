//! Dynamic shell completion: `otp code <TAB>` offers the vault's
//! `issuer:name` labels.
//!
//! The command line is cli.rs's; [`command`] attaches the completers here:
//! every QUERY argument completes live accounts, under `otp trash` trashed
//! ones (cli.rs does not know about completion).
//!
//! Uses clap_complete's environment protocol: a shell script registered with
//! `source <(COMPLETE=bash otp)` calls `COMPLETE=bash otp -- WORDS...` on each
//! TAB, and [`handle_env`] answers before normal parsing. Account names are
//! offered only when the vault opens without asking anything: an identity
//! file (`--identity`/`OTP_IDENTITY`), a passphrase file, `OTP_PASSPHRASE`,
//! or `passphrase_command` (run with no stdin and a time limit). Completion
//! never prompts and gives up after [`BUDGET`]; any failure offers nothing.
//!
//! Bash gets its own registration script: bash splits words at `:` and `=`,
//! which would cut `GitHub:alice` in three, and inserts candidates unquoted.
//! The script glues such words back together, and the answers are
//! backslash-escaped and trimmed to the part after the last `:`/`=`, which
//! is the part bash replaces.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Elvish, EnvCompleter, Fish, Powershell, Shells, Zsh};
use zeroize::Zeroizing;

use crate::cli::{Cli, Global};
use crate::cmd::Ctx;
use crate::cmd::passphrase::PassphraseSources;
use crate::model::Vault;
use crate::vault::index;
use crate::vault::keys;

/// The longest a TAB may take before completion gives up (a passphrase
/// vault costs one scrypt, about 0.6 s).
pub const BUDGET: Duration = Duration::from_secs(4);
/// [`BUDGET`], or `OTP_COMPLETE_SECONDS` (1 to 600) where a slow machine or
/// a hardware key needs longer.
fn budget() -> Duration {
    std::env::var("OTP_COMPLETE_SECONDS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| (1..=600).contains(s))
        .map_or(BUDGET, Duration::from_secs)
}

/// The longest `passphrase_command` may run during completion.
const COMMAND_BUDGET: Duration = Duration::from_secs(3);

/// Answers a completion request (`COMPLETE=<shell>` in the environment) and
/// exits; returns at once otherwise.
pub fn handle_env() {
    CompleteEnv::with_factory(command)
        .shells(Shells(&[&Bash, &Elvish, &Fish, &Powershell, &Zsh]))
        .complete();
}

/// The command line as completion sees it: cli.rs's, with every argument
/// named `query` completing from the vault: [`trashed`] accounts under
/// `otp trash`, [`accounts`] everywhere else.
pub fn command() -> clap::Command {
    with_completers(Cli::command(), false)
}

fn with_completers(mut command: clap::Command, in_trash: bool) -> clap::Command {
    let in_trash = in_trash || command.get_name() == "trash";
    if command.get_arguments().any(|a| a.get_id() == "query") {
        let complete: fn(&OsStr) -> Vec<CompletionCandidate> =
            if in_trash { trashed } else { accounts };
        // In place: `mut_arg` would move the argument to the end, after
        // the other positionals.
        command = command.mut_args(|a| {
            if a.get_id() == "query" {
                a.add(ArgValueCompleter::new(complete))
            } else {
                a
            }
        });
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, |s| with_completers(s, in_trash));
    }
    command
}

/// Candidates for a QUERY naming a live account.
pub fn accounts(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, Which::Accounts)
}

/// Candidates for a QUERY naming an account in the trash.
pub fn trashed(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, Which::Trash)
}

#[derive(Clone, Copy)]
enum Which {
    Accounts,
    Trash,
}

fn candidates(current: &OsStr, which: Which) -> Vec<CompletionCandidate> {
    let Some(typed) = current.to_str() else {
        return Vec::new();
    };
    let words = words_after_separator(std::env::args_os());
    let (tx, rx) = mpsc::channel();
    // A thread, so that an identity plugin waiting for a touch or a slow
    // disk cannot hold the shell: past the budget we answer nothing and exit.
    std::thread::spawn(move || {
        let _ = tx.send(labels(&words, which).unwrap_or_default());
    });
    let labels = rx.recv_timeout(budget()).unwrap_or_default();
    matching(&labels, typed)
        .into_iter()
        .map(|(label, id)| CompletionCandidate::new(label).help(Some(id.into())))
        .collect()
}

/// The shell's words (`otp -- otp code gi` → `otp code gi`), unquoted.
fn words_after_separator(args: impl Iterator<Item = OsString>) -> Vec<String> {
    args.skip_while(|a| a != "--")
        .skip(1)
        .map(|a| dequote(&a.to_string_lossy()))
        .collect()
}

/// `(label, id)` of every account (or trashed account) the vault holds,
/// when it opens without a prompt.
fn labels(words: &[String], which: Which) -> Result<Vec<(String, String)>> {
    let global = global_options(words);
    let ctx = Ctx::new(global)?;
    let data = ctx.read_vault_file()?;
    let unlocked = unlock_quietly(&ctx)?;
    let plain = keys::decrypt(&data, &unlocked.identities)?;
    let text = crate::cmd::vault_text(plain)?;
    let vault = Vault::parse(&text)?;
    // A vault this machine would refuse (src/cmd/trust.rs) completes no
    // names: its labels are not yours.
    let seen = crate::model::record::Seen::of(&vault, &text);
    if crate::model::record::judge(ctx.read_record().as_ref(), &seen).is_err() {
        return Ok(Vec::new());
    }
    let pair =
        |id: &str, issuer: &str, name: &str| (crate::model::label(issuer, name), id.to_string());
    if let Which::Accounts = which
        && let Some(headers) = index::scan(&text)
    {
        return Ok(headers
            .iter()
            .map(|h| pair(h.id, h.issuer, h.name))
            .collect());
    }
    Ok(match which {
        Which::Accounts => vault
            .accounts
            .iter()
            .map(|a| pair(&a.id, &a.issuer, &a.name))
            .collect(),
        Which::Trash => vault
            .trash
            .iter()
            .map(|t| pair(&t.account.id, &t.account.issuer, &t.account.name))
            .collect(),
    })
}

/// The global options on the command line being completed (falling back to
/// the environment, as a normal run would), with `~/` expanded: the shell has
/// not expanded it yet.
fn global_options(words: &[String]) -> Global {
    let matches = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(words)
        .ok();
    let mut global = matches
        .and_then(|m| Global::from_arg_matches(&m).ok())
        .unwrap_or(Global {
            vault: std::env::var_os("OTP_VAULT").map(PathBuf::from),
            config: std::env::var_os("OTP_CONFIG").map(PathBuf::from),
            identity: std::env::var_os("OTP_IDENTITY").map(PathBuf::from),
            passphrase_file: std::env::var_os("OTP_PASSPHRASE_FILE").map(PathBuf::from),
            color: crate::term::ColorChoice::Never,
        });
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for path in [
        &mut global.vault,
        &mut global.config,
        &mut global.identity,
        &mut global.passphrase_file,
    ] {
        if let Some(p) = path.as_mut() {
            *p = expand_tilde(p, home.as_deref());
        }
    }
    global
}

fn expand_tilde(path: &Path, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

/// `Ctx::unlock` without a prompt: the same sources in the same order, but a
/// passphrase comes only from a file, OTP_PASSPHRASE or passphrase_command.
fn unlock_quietly(ctx: &Ctx) -> Result<keys::Unlocked> {
    if let Some(identity) = &ctx.global.identity {
        let data = Zeroizing::new(std::fs::read(identity)?);
        let sources = if keys::is_age_file(&data) {
            quiet_passphrases(ctx)
        } else {
            PassphraseSources::default()
        };
        return keys::load_identity_file(identity, &sources);
    }
    let data = Zeroizing::new(std::fs::read(ctx.key_file())?);
    if let Some(key) = ctx.agent_key(&ctx.key_file(), &data)
        && let Some(unlocked) =
            crate::agent::unlocked(&ctx.agent_paths(), &key, &ctx.vault_path, None)
    {
        return Ok(unlocked);
    }
    let (pass, _) = quiet_passphrases(ctx).get("vault passphrase")?;
    let inner = keys::decrypt_with_passphrase(&data, pass)?;
    keys::parse_identity_text(&inner, &ctx.key_file())
}

fn quiet_passphrases(ctx: &Ctx) -> PassphraseSources {
    let mut sources = PassphraseSources {
        file: ctx.global.passphrase_file.clone(),
        env: std::env::var("OTP_PASSPHRASE")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Zeroizing::new),
        command: None,
        interactive: false,
    };
    if sources.file.is_none() && sources.env.is_none() {
        sources.env = ctx
            .config
            .passphrase_command
            .as_deref()
            .and_then(run_quietly);
    }
    sources
}

/// Runs passphrase_command with no stdin and no stderr (so it cannot prompt
/// on the terminal), killing it after [`COMMAND_BUDGET`].
fn run_quietly(cmd: &[String]) -> Option<Zeroizing<String>> {
    let (program, args) = cmd.split_first()?;
    let mut child = crate::harden::command(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < COMMAND_BUDGET => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    };
    let mut out = Zeroizing::new(Vec::new());
    child.stdout.take()?.read_to_end(&mut out).ok()?;
    if !status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out);
    let line = Zeroizing::new(text.lines().next().unwrap_or("").to_string());
    (!line.is_empty()).then_some(line)
}

/// The labels worth offering for `typed`: those starting with it (ignoring
/// case), else those containing it, sorted and without duplicates. Labels
/// with control or bidi characters are never offered: they could rewrite the
/// shell's line.
pub fn matching(labels: &[(String, String)], typed: &str) -> Vec<(String, String)> {
    let t = typed.to_lowercase();
    let safe: Vec<&(String, String)> = labels
        .iter()
        .filter(|(l, _)| !l.is_empty() && crate::text::sanitize(l) == *l)
        .collect();
    let pick = |pred: &dyn Fn(&str) -> bool| -> Vec<(String, String)> {
        safe.iter()
            .filter(|(l, _)| pred(&l.to_lowercase()))
            .map(|p| (*p).clone())
            .collect()
    };
    let mut found = pick(&|l| l.starts_with(&t));
    if found.is_empty() {
        found = pick(&|l| l.contains(&t));
    }
    found.sort_by_key(|(l, _)| l.to_lowercase());
    found.dedup_by(|a, b| a.0 == b.0);
    found
}

/// Removes shell quoting from a word as typed: backslash escapes, '…' and
/// "…" (an unterminated quote runs to the end, as while typing).
pub fn dequote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '\'' => out.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => out.push(n),
                            Some(n) => {
                                out.push('\\');
                                out.push(n);
                            }
                            None => {}
                        },
                        c => out.push(c),
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Backslash-escapes `value` so bash inserts it as one word.
pub fn bash_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        let safe = c.is_alphanumeric() || "_./:=@%+,-".contains(c);
        if !safe {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What bash should insert for `value` when the word typed so far (as typed,
/// quoting included) is `raw`: bash replaces only the text after the last
/// `:` or `=`, so the part up to there is cut off. None when the value does
/// not continue what was typed.
pub fn bash_reply(raw: &str, value: &str) -> Option<String> {
    let escaped = bash_escape(value);
    match raw.rfind([':', '=']) {
        None => Some(escaped),
        Some(i) => escaped.strip_prefix(&raw[..=i]).map(str::to_string),
    }
}

/// Bash, with words glued back at `:`/`=` and answers escaped (see module docs).
struct Bash;

const BASH_SCRIPT: &str = r#"
_otp_complete() {
    local IFS=$'\013'
    # Bash split the line at ':' and '=' too; glue back words that touch.
    local -a words=()
    local line=$COMP_LINE word i j=-1
    for (( i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++ )); do
        word=${COMP_WORDS[i]}
        if [[ $line =~ ^[[:space:]]+ ]] || (( j < 0 )); then
            line=${line#"${BASH_REMATCH[0]}"}
            words[++j]=$word
        else
            words[j]+=$word
        fi
        line=${line#"$word"}
    done
    COMPREPLY=( $( \
        _CLAP_IFS="$IFS" \
        _CLAP_COMPLETE_INDEX="$j" \
        __OTP_VAR__="bash" \
        __OTP_COMPLETER__ -- "${words[@]}" \
    ) )
    if [[ $? != 0 ]]; then
        unset COMPREPLY
    elif (( ${#COMPREPLY[@]} == 1 )) && [[ ${COMPREPLY[0]} == */ || ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _otp_complete __OTP_BIN__
"#;

impl EnvCompleter for Bash {
    fn name(&self) -> &'static str {
        "bash"
    }

    fn is(&self, name: &str) -> bool {
        name == "bash"
    }

    fn write_registration(
        &self,
        var: &str,
        _name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        // The completer path goes in last: it is the only part a user controls.
        let script = BASH_SCRIPT
            .replace("__OTP_BIN__", &bash_escape(bin))
            .replace("__OTP_VAR__", var)
            .replace("__OTP_COMPLETER__", &bash_escape(completer));
        buf.write_all(script.as_bytes())
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let index: usize = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse().ok())
            .unwrap_or_default();
        let ifs = std::env::var("_CLAP_IFS").unwrap_or_else(|_| "\n".into());
        let raw = args
            .get(index)
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut words: Vec<OsString> = args
            .iter()
            .map(|a| dequote(&a.to_string_lossy()).into())
            .collect();
        if words.len() <= index {
            words.resize(index + 1, OsString::new());
        }
        let found = clap_complete::engine::complete(cmd, words, index, current_dir)?;
        let replies: Vec<String> = found
            .iter()
            .filter(|c| !c.is_hide_set())
            .filter_map(|c| bash_reply(&raw, &c.get_value().to_string_lossy()))
            .collect();
        buf.write_all(replies.join(&ifs).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every QUERY argument of the command line completes (cli.rs declares
    /// them, [`command`] attaches the completers).
    #[test]
    fn every_query_completes_from_the_vault() {
        fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, bool)>) {
            for arg in cmd.get_arguments().filter(|a| a.get_id() == "query") {
                out.push((path.to_string(), arg.get::<ArgValueCompleter>().is_some()));
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), out);
            }
        }
        let mut found = Vec::new();
        walk(&command(), "otp", &mut found);
        for path in [
            "otp code",
            "otp list",
            "otp trash restore",
            "otp recovery-codes use",
        ] {
            assert!(found.iter().any(|(p, _)| p == path), "{path}: {found:?}");
        }
        assert!(found.iter().all(|(_, completes)| *completes), "{found:?}");
        // The plain command line has none: completion is this module's.
        let mut plain = Vec::new();
        walk(&Cli::command(), "otp", &mut plain);
        assert!(plain.iter().all(|(_, completes)| !completes), "{plain:?}");
        // Attaching keeps every argument where cli.rs put it (positionals
        // are matched by their order).
        fn ids(cmd: &clap::Command, out: &mut Vec<String>) {
            out.extend(cmd.get_arguments().map(|a| a.get_id().to_string()));
            out.push(format!("<{}>", cmd.get_name()));
            cmd.get_subcommands().for_each(|s| ids(s, out));
        }
        let (mut with, mut without) = (Vec::new(), Vec::new());
        ids(&command(), &mut with);
        ids(&Cli::command(), &mut without);
        assert_eq!(with, without);
    }

    fn labels() -> Vec<(String, String)> {
        [
            ("GitHub:alice", "aaaa1111"),
            ("GitHub:bob", "bbbb2222"),
            ("Microsoft Azure:me@work.example", "cccc3333"),
            ("evil\u{1b}[2J", "dddd4444"),
            ("bank", "eeee5555"),
        ]
        .iter()
        .map(|(l, i)| (l.to_string(), i.to_string()))
        .collect()
    }

    fn values(typed: &str) -> Vec<String> {
        matching(&labels(), typed)
            .into_iter()
            .map(|(l, _)| l)
            .collect()
    }

    #[test]
    fn prefix_then_substring_ignoring_case() {
        assert_eq!(values("git"), ["GitHub:alice", "GitHub:bob"]);
        assert_eq!(values("GitHub:b"), ["GitHub:bob"]);
        assert_eq!(values("azure"), ["Microsoft Azure:me@work.example"]);
        assert_eq!(values("").len(), 4, "everything but the unsafe label");
        assert!(values("evil").is_empty());
        assert!(values("zzz").is_empty());
    }

    #[test]
    fn dequoting() {
        assert_eq!(dequote(r"Microsoft\ Az"), "Microsoft Az");
        assert_eq!(dequote("'Microsoft Az"), "Microsoft Az");
        assert_eq!(dequote(r#""a \"b\" \x""#), r#"a "b" \x"#);
        assert_eq!(dequote("~/key.txt"), "~/key.txt");
        assert_eq!(dequote("trailing\\"), "trailing");
    }

    #[test]
    fn bash_replies_continue_the_typed_word() {
        assert_eq!(bash_reply("git", "GitHub:alice").unwrap(), "GitHub:alice");
        assert_eq!(bash_reply("GitHub:a", "GitHub:alice").unwrap(), "alice");
        assert_eq!(bash_reply("GitHub:", "GitHub:bob").unwrap(), "bob");
        assert_eq!(
            bash_reply("micro", "Microsoft Azure:me@work.example").unwrap(),
            r"Microsoft\ Azure:me@work.example"
        );
        assert_eq!(
            bash_reply(r"Microsoft\ Azure:m", "Microsoft Azure:me@work.example").unwrap(),
            "me@work.example"
        );
        // Typed in another case after the colon: bash would mangle it; skip.
        assert!(bash_reply("github:a", "GitHub:alice").is_none());
        assert_eq!(bash_reply("--vault=da", "--vault=data/").unwrap(), "data/");
        assert_eq!(bash_escape("a'b$c"), r"a\'b\$c");
    }

    #[test]
    fn words_start_after_the_separator() {
        let args = ["otp", "--", "otp", "code", r"Micro\ s"].map(OsString::from);
        assert_eq!(
            words_after_separator(args.into_iter()),
            ["otp", "code", "Micro s"]
        );
    }

    #[test]
    fn global_options_come_from_the_line() {
        let words: Vec<String> = ["otp", "-i", "~/k.txt", "code", "--vault=/v.age", "gi"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let g = global_options(&words);
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if let Some(home) = home {
            assert_eq!(g.identity.unwrap(), home.join("k.txt"));
        }
        assert_eq!(g.vault.unwrap(), PathBuf::from("/v.age"));
    }
}
