//! Process hardening: a process that holds a passphrase, a key or a vault's
//! plaintext must not leave them in a core file, and other processes of the
//! same user must not read its memory.
//!
//! [`harden`] sets the core file size limit to 0 (soft and hard, so a child
//! cannot raise it again) and, on Linux, marks the process not dumpable
//! (`PR_SET_DUMPABLE` 0): no core file, no `ptrace` attach and no reading
//! of `/proc/PID/mem` or `/proc/PID/environ` by other processes of the same
//! user (root still can). `main` calls it before anything else, since almost
//! every command may read a passphrase or a key.

/// Environment variables that hold secrets and that no child process
/// (the clipboard server, `passphrase_command`) may inherit.
pub const SECRET_ENV: &[&str] = &["OTP_PASSPHRASE"];

/// A [`std::process::Command`] for `program` that does not pass on
/// [`SECRET_ENV`]. Every process `otp` starts itself is made here. (Age
/// plugins are started by the `age` crate, which offers no such hook; they
/// still inherit the environment.)
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    for var in SECRET_ENV {
        cmd.env_remove(var);
    }
    cmd
}

/// What could not be hardened; `otp` carries on without it (a kernel or
/// sandbox may refuse these calls, and the user still needs their codes).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub failed: Vec<&'static str>,
}

/// Disables core files and (on Linux) marks the process not dumpable.
/// Idempotent; cheap (two or three system calls).
pub fn harden() -> Report {
    let mut report = Report::default();
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let zero = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if setrlimit(Resource::Core, zero).is_err() {
            report.failed.push("RLIMIT_CORE 0");
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        if set_dumpable_behavior(DumpableBehavior::NotDumpable).is_err() {
            report.failed.push("PR_SET_DUMPABLE 0");
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_do_not_inherit_the_passphrase() {
        let cmd = command("true");
        let removed: Vec<_> = cmd
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(key, _)| key.to_owned())
            .collect();
        assert!(removed.iter().any(|k| k == "OTP_PASSPHRASE"), "{removed:?}");
    }

    #[test]
    #[cfg(unix)]
    fn harden_disables_core_files_for_good() {
        assert_eq!(harden(), Report::default());
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!(limit.current, Some(0));
        assert_eq!(limit.maximum, Some(0), "a child must not raise it again");
        // Idempotent.
        assert_eq!(harden(), Report::default());
    }

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn harden_makes_the_process_not_dumpable() {
        assert_eq!(harden(), Report::default());
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }
}
