//! `exec [--process FILE | ARGS…] ID`: a new process in a running container's
//! namespaces and cgroup (libcontainer's tenant builder). In the foreground the
//! command waits for it, forwarding signals, and exits with its code; with
//! `--detach` it returns once the process runs (conmon reaps it).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::{Container, ContainerStatus};
use libcontainer::syscall::syscall::SyscallType;
use nix::unistd::Pid;
use oci_spec::runtime::{Capability, LinuxCapabilities, Process, Spec};

use super::state::{load, refresh, validate_id, wrong_state};
use super::{OciContext, OciError};
use crate::runtime::tenant::{exec_process, ProcessFile, ProfileExecutor};

#[derive(clap::Args, Debug)]
pub struct ExecArgs {
    /// The process to run, as an OCI process JSON file (overrides ARGS and flags)
    #[arg(short = 'p', long, value_name = "FILE")]
    pub process: Option<PathBuf>,
    /// Allocate a pseudoterminal (requires --process with "terminal": true)
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Return once the process runs, instead of waiting for it
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Write the process's pid to this file
    #[arg(long = "pid-file", value_name = "FILE")]
    pub pid_file: Option<PathBuf>,
    /// A unix socket to receive the pseudoterminal's master
    #[arg(long = "console-socket", value_name = "PATH")]
    pub console_socket: Option<PathBuf>,
    /// The working directory inside the container
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Set an environment variable (repeatable)
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// UID[:GID] to run as
    #[arg(short = 'u', long, value_name = "UID[:GID]")]
    pub user: Option<String>,
    /// An additional group id (repeatable)
    #[arg(short = 'g', long = "additional-gids", value_name = "GID")]
    pub additional_gids: Vec<u32>,
    /// Add a capability (repeatable)
    #[arg(short = 'c', long = "cap", value_name = "CAP")]
    pub cap: Vec<String>,
    /// Set no_new_privs for the process
    #[arg(long = "no-new-privs")]
    pub no_new_privs: bool,
    /// Pass N more descriptors (3 .. 3+N-1) to the process
    #[arg(long = "preserve-fds", value_name = "N", default_value_t = 0)]
    pub preserve_fds: u16,
    /// Allow exec in a paused container
    #[arg(long = "ignore-paused")]
    pub ignore_paused: bool,
    /// The container id
    pub id: String,
    /// The command and its arguments (without --process)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

pub fn run_exec(ctx: &OciContext, args: &ExecArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    check_args(args)?;
    let mut container = load(ctx, &args.id)?;
    refresh(&mut container)?;
    let allowed = match container.status() {
        ContainerStatus::Running => true,
        ContainerStatus::Paused => args.ignore_paused,
        _ => false,
    };
    if !allowed {
        return Err(wrong_state(&container, "exec in"));
    }
    super::protect::ensure_protected(&ctx.protected_dir())?;
    let user = match parse_user(args.user.as_deref())? {
        (None, None) => spec_user(container.bundle()),
        given => given,
    };
    let pid = build(ctx, args, &container, user)?;
    if args.detach {
        return Ok(0);
    }
    Ok(super::foreground::wait_forwarding(pid))
}

/// Starts the process with libcontainer's tenant builder; returns its pid.
/// The process is the `--process` file's, else the container's own with the
/// flags applied (runc's `newProcess`); either way it runs under the
/// container's seccomp filter ([`crate::runtime::tenant`]).
fn build(
    ctx: &OciContext,
    args: &ExecArgs,
    container: &Container,
    user: (Option<u32>, Option<u32>),
) -> Result<Pid, OciError> {
    let fail = |e: libcontainer::error::LibcontainerError| OciError::runtime(&args.id, "exec", &e);
    let spec_path = container.bundle().join("config.json");
    let spec = Spec::load(&spec_path).map_err(|e| OciError::Spec {
        path: spec_path.clone(),
        reason: super::error::error_chain(&e),
    })?;
    let mut process = match &args.process {
        Some(path) => load_process(path)?,
        None => flags_process(&spec, args, user)?,
    };
    let executor = ProfileExecutor::prepare(&spec, &mut process);
    let dir = ctx.container_dir(&args.id);
    let file = ProcessFile::write(&dir, &process).map_err(OciError::io(&dir))?;
    ContainerBuilder::new(args.id.clone(), SyscallType::Linux)
        .with_root_path(&ctx.root)
        .map_err(fail)?
        .with_console_socket(args.console_socket.as_ref())
        .with_pid_file(args.pid_file.as_ref())
        .map_err(fail)?
        .with_preserved_fds(i32::from(args.preserve_fds))
        .validate_id()
        .map_err(fail)?
        .with_executor(executor)
        .as_tenant()
        .with_detach(args.detach)
        .with_process(Some(file.path()))
        .with_ignore_paused(args.ignore_paused)
        .build()
        .map_err(fail)
}

/// A `--process` file, parsed here for an error naming it.
fn load_process(path: &Path) -> Result<Process, OciError> {
    let text = std::fs::read(path).map_err(OciError::io(path))?;
    serde_json::from_slice(&text).map_err(|e| OciError::Spec {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// runc's exec without `--process`: the container's process with the args,
/// added environment, cwd, user, groups, capabilities and `--no-new-privs`
/// of the command line.
fn flags_process(
    spec: &Spec,
    args: &ExecArgs,
    (uid, gid): (Option<u32>, Option<u32>),
) -> Result<Process, OciError> {
    let env: Vec<String> = env_map(&args.env)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let base = spec.process().clone().unwrap_or_default();
    let mut process = exec_process(base, &args.command, &env);
    if let Some(cwd) = &args.cwd {
        process.set_cwd(cwd.clone());
    }
    let mut user = process.user().clone();
    if let Some(uid) = uid {
        user.set_uid(uid);
    }
    if let Some(gid) = gid {
        user.set_gid(gid);
    }
    if !args.additional_gids.is_empty() {
        user.set_additional_gids(Some(args.additional_gids.clone()));
    }
    process.set_user(user);
    if args.no_new_privs {
        process.set_no_new_privileges(Some(true));
    }
    if !args.cap.is_empty() {
        process.set_capabilities(Some(add_caps(process.capabilities().clone(), &args.cap)?));
    }
    Ok(process)
}

/// runc's `--cap`: added to the bounding, effective and permitted sets, and to
/// ambient when the process has an inheritable set.
fn add_caps(
    caps: Option<LinuxCapabilities>,
    names: &[String],
) -> Result<LinuxCapabilities, OciError> {
    let added = names
        .iter()
        .map(|n| {
            serde_json::from_value::<Capability>(serde_json::Value::String(n.clone()))
                .map_err(|_| OciError::InvalidCapability(n.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut caps = caps.unwrap_or_else(|| {
        let mut c = LinuxCapabilities::default();
        c.set_inheritable(None).set_ambient(None);
        c
    });
    let add = |set: &Option<HashSet<Capability>>| {
        let mut set = set.clone().unwrap_or_default();
        set.extend(added.iter().copied());
        Some(set)
    };
    let (b, e, p) = (
        add(caps.bounding()),
        add(caps.effective()),
        add(caps.permitted()),
    );
    let ambient = caps.inheritable().as_ref().map(|_| add(caps.ambient()));
    caps.set_bounding(b).set_effective(e).set_permitted(p);
    if let Some(ambient) = ambient {
        caps.set_ambient(ambient);
    }
    Ok(caps)
}

/// `KEY=VALUE` flags as a map (`KEY` alone: empty value).
fn env_map(env: &[String]) -> HashMap<String, String> {
    env.iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.clone(), String::new()),
        })
        .collect()
}

/// The user of the container's own process (runc's default for `exec`;
/// libcontainer's would be root).
fn spec_user(bundle: &std::path::Path) -> (Option<u32>, Option<u32>) {
    oci_spec::runtime::Spec::load(bundle.join("config.json"))
        .ok()
        .and_then(|spec| spec.process().as_ref().map(|p| p.user().clone()))
        .map_or((None, None), |u| (Some(u.uid()), Some(u.gid())))
}

/// ARGS or `--process`, exactly one; `--tty` only through a process file.
fn check_args(args: &ExecArgs) -> Result<(), OciError> {
    match (&args.process, args.command.is_empty()) {
        (None, true) => Err(OciError::ExecNeedsCommand),
        (Some(_), false) => Err(OciError::Unsupported("exec with both --process and ARGS")),
        (None, false) if args.tty => Err(OciError::Unsupported(
            "exec --tty without --process (put \"terminal\": true in a process file)",
        )),
        _ => Ok(()),
    }
}

/// `UID[:GID]` as numbers.
fn parse_user(user: Option<&str>) -> Result<(Option<u32>, Option<u32>), OciError> {
    let Some(text) = user else {
        return Ok((None, None));
    };
    let bad = || OciError::InvalidUser(text.to_string());
    let (uid, gid) = match text.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (text, None),
    };
    let uid = uid.parse::<u32>().map_err(|_| bad())?;
    let gid = gid
        .map(|g| g.parse::<u32>().map_err(|_| bad()))
        .transpose()?;
    Ok((Some(uid), gid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_user_table() {
        assert_eq!(parse_user(None).unwrap(), (None, None));
        assert_eq!(parse_user(Some("1000")).unwrap(), (Some(1000), None));
        assert_eq!(parse_user(Some("1:2")).unwrap(), (Some(1), Some(2)));
        for bad in ["app", "1:x", "", ":1"] {
            assert!(
                matches!(parse_user(Some(bad)), Err(OciError::InvalidUser(_))),
                "{bad}"
            );
        }
    }
}
