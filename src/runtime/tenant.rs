//! The security profile of an exec'd process: the container's seccomp filter,
//! capabilities, `noNewPrivileges`, AppArmor profile and SELinux label, as
//! runc and Docker give them to `exec`.
//!
//! libcontainer 0.7's tenant builder falls short in two ways, compensated here:
//! - `adapt_spec_for_tenant` rebuilds `linux` from the namespaces, cgroups
//!   path, personality and time offsets only, so the container's `seccomp` is
//!   dropped and every exec'd process ran unfiltered (`Seccomp: 0`);
//! - without `--process` it starts from oci-spec's `Process::default()`, whose
//!   `noNewPrivileges` is `true` and whose rlimits are a fixed `NOFILE 1024`,
//!   and it takes the AppArmor profile only from its own option.
//!
//! So every exec goes through a process file we write ([`ProcessFile`]) built
//! from the container's own process (as runc's `exec` does), and the filter is
//! loaded by our [`ProfileExecutor`] right before `execve`. A filter needs
//! `CAP_SYS_ADMIN` unless `no_new_privs` is set, and by the time the executor
//! runs libcontainer has dropped to the process's capabilities; so for a
//! filtered process without `noNewPrivileges` the process file also grants
//! `CAP_SYS_ADMIN` and `CAP_SETPCAP`, and the executor, after loading the
//! filter, drops to exactly the container's sets. Between the two only our own
//! code runs (libcontainer marks the process non-dumpable), and no
//! `no_new_privs` is set that the container does not have.

use std::collections::HashSet;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use libcontainer::workload::{Executor, ExecutorError, ExecutorValidationError};
use oci_spec::runtime::{Capability, LinuxCapabilities, LinuxSeccomp, Process, Spec};

use super::seccomp_cache::{cacheable, CompiledFilter};

/// The capabilities a filtered process keeps until its filter is loaded:
/// `CAP_SYS_ADMIN` to load it without `no_new_privs`, `CAP_SETPCAP` to drop
/// the bounding set afterwards.
const SETUP_CAPS: [Capability; 2] = [Capability::SysAdmin, Capability::Setpcap];

/// Loads the container's filter and drops to its capabilities, then hands
/// over to libcontainer's default executor (`execvp`).
#[derive(Clone)]
pub struct ProfileExecutor {
    seccomp: Option<LinuxSeccomp>,
    /// The filter's program from the cache ([`Self::compiled_from`]).
    compiled: Option<CompiledFilter>,
    capabilities: Option<LinuxCapabilities>,
}

impl ProfileExecutor {
    /// For `process`, in a container whose spec is `container`; widens
    /// `process`'s capabilities when the filter needs them (see the module doc).
    pub fn prepare(container: &Spec, process: &mut Process) -> ProfileExecutor {
        let seccomp = container.linux().as_ref().and_then(|l| l.seccomp().clone());
        let mut capabilities = process.capabilities().clone();
        let nnp = process.no_new_privileges().unwrap_or(false);
        if seccomp.is_some() && !nnp {
            // No capabilities in the spec means none at all once widened.
            let real = capabilities.get_or_insert_with(empty_caps).clone();
            process.set_capabilities(Some(widened(real)));
        }
        ProfileExecutor {
            seccomp,
            compiled: None,
            capabilities,
        }
    }

    /// Installs the filter from its compiled program, kept in `run_dir`'s
    /// cache ([`crate::runtime::seccomp_cache`]), instead of compiling it in
    /// the exec'd process; a profile the cache does not take (notify), or
    /// one that fails to compile here, keeps libcontainer's compile (which
    /// reports the error).
    pub fn compiled_from(mut self, run_dir: &Path) -> Self {
        self.compiled = self
            .seccomp
            .as_ref()
            .filter(|s| cacheable(s))
            .and_then(|s| CompiledFilter::for_profile(run_dir, s).ok());
        self
    }
}

/// All five sets empty (oci-spec's `Default` holds a default set).
fn empty_caps() -> LinuxCapabilities {
    let mut caps = LinuxCapabilities::default();
    caps.set_bounding(Some(HashSet::new()))
        .set_effective(Some(HashSet::new()))
        .set_permitted(Some(HashSet::new()))
        .set_inheritable(Some(HashSet::new()))
        .set_ambient(Some(HashSet::new()));
    caps
}

/// `caps` with [`SETUP_CAPS`] added to the bounding, effective and permitted
/// sets (never to inheritable or ambient: those survive `execve`).
fn widened(mut caps: LinuxCapabilities) -> LinuxCapabilities {
    let add = |set: &Option<HashSet<Capability>>| {
        let mut set = set.clone().unwrap_or_default();
        set.extend(SETUP_CAPS);
        Some(set)
    };
    let (bounding, effective, permitted) = (
        add(caps.bounding()),
        add(caps.effective()),
        add(caps.permitted()),
    );
    caps.set_bounding(bounding)
        .set_effective(effective)
        .set_permitted(permitted);
    caps
}

impl Executor for ProfileExecutor {
    fn exec(&self, spec: &Spec) -> Result<(), ExecutorError> {
        if let Some(compiled) = &self.compiled {
            compiled
                .load()
                .map_err(|e| ExecutorError::Other(format!("seccomp: {e}")))?;
        } else if let Some(seccomp) = &self.seccomp {
            let notify = libcontainer::seccomp::initialize_seccomp(seccomp)
                .map_err(|e| ExecutorError::Other(format!("seccomp: {e}")))?;
            if notify.is_some() {
                // A notify fd would have to reach the listener the container's
                // init reported to; exec has no such channel.
                return Err(ExecutorError::Other(
                    "seccomp: SCMP_ACT_NOTIFY is not supported for exec".into(),
                ));
            }
        }
        if let Some(caps) = &self.capabilities {
            let syscall = libcontainer::syscall::syscall::create_syscall();
            libcontainer::capabilities::drop_privileges(caps, syscall.as_ref())
                .map_err(|e| ExecutorError::Other(format!("capabilities: {e}")))?;
        }
        libcontainer::workload::default::get_executor().exec(spec)
    }

    fn validate(&self, spec: &Spec) -> Result<(), ExecutorValidationError> {
        libcontainer::workload::default::get_executor().validate(spec)
    }
}

/// `base` (the container's process) running `command` with `env` (`KEY=VALUE`
/// entries replacing or adding keys), never with a terminal of its own:
/// what every exec starts from, as runc's `newProcess`.
pub fn exec_process(mut base: Process, command: &[String], env: &[String]) -> Process {
    let key = |e: &str| e.split('=').next().unwrap_or_default().to_string();
    let replaced: HashSet<String> = env.iter().map(|e| key(e)).collect();
    let mut merged: Vec<String> = base
        .env()
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|e| !replaced.contains(&key(e)))
        .cloned()
        .collect();
    merged.extend(env.iter().cloned());
    base.set_args(Some(command.to_vec()))
        .set_env(Some(merged))
        .set_terminal(Some(false))
        .set_console_size(None);
    base
}

/// A process JSON handed to libcontainer's tenant builder, removed on drop
/// (the builder reads it before it forks).
pub struct ProcessFile(PathBuf);

impl ProcessFile {
    /// Writes `process` into `dir` (a private state directory), readable by
    /// root only: it holds the environment.
    pub fn write(dir: &Path, process: &Process) -> std::io::Result<ProcessFile> {
        let path = dir.join(format!("exec-{}.json", std::process::id()));
        let text = serde_json::to_vec(process).map_err(std::io::Error::other)?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        let file_guard = ProcessFile(path);
        std::io::Write::write_all(&mut file, &text)?;
        Ok(file_guard)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ProcessFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oci_spec::runtime::{LinuxBuilder, LinuxSeccompAction, LinuxSeccompBuilder, SpecBuilder};

    fn spec(filtered: bool) -> Spec {
        let mut linux = LinuxBuilder::default();
        if filtered {
            linux = linux.seccomp(
                LinuxSeccompBuilder::default()
                    .default_action(LinuxSeccompAction::ScmpActAllow)
                    .build()
                    .unwrap(),
            );
        }
        SpecBuilder::default()
            .linux(linux.build().unwrap())
            .build()
            .unwrap()
    }

    fn process(nnp: bool) -> Process {
        let mut p = Process::default();
        let caps: HashSet<Capability> = [Capability::Chown].into();
        let mut c = LinuxCapabilities::default();
        c.set_bounding(Some(caps.clone()))
            .set_effective(Some(caps.clone()))
            .set_permitted(Some(caps))
            .set_inheritable(None)
            .set_ambient(None);
        p.set_capabilities(Some(c)).set_no_new_privileges(Some(nnp));
        p
    }

    #[test]
    fn test_exec_process_replaces_and_adds_environment() {
        let mut base = Process::default();
        base.set_env(Some(vec!["PATH=/bin".into(), "A=1".into()]))
            .set_terminal(Some(true));
        let p = exec_process(base, &["ls".into()], &["A=2".into(), "B=3".into()]);
        assert_eq!(p.env().clone().unwrap(), ["PATH=/bin", "A=2", "B=3"]);
        assert_eq!(p.args().clone().unwrap(), ["ls"]);
        assert_eq!(p.terminal(), Some(false));
    }

    #[test]
    fn test_prepare_widens_only_a_filtered_process_without_nnp() {
        for (filtered, nnp, widens) in [
            (true, false, true),
            (true, true, false),
            (false, false, false),
        ] {
            let mut p = process(nnp);
            let executor = ProfileExecutor::prepare(&spec(filtered), &mut p);
            let effective = p
                .capabilities()
                .as_ref()
                .unwrap()
                .effective()
                .clone()
                .unwrap();
            assert_eq!(
                effective.contains(&Capability::SysAdmin),
                widens,
                "{filtered} {nnp}"
            );
            let kept = executor.capabilities.unwrap().effective().clone().unwrap();
            assert_eq!(kept, [Capability::Chown].into(), "{filtered} {nnp}");
            assert!(p.capabilities().as_ref().unwrap().ambient().is_none());
        }
    }
}
