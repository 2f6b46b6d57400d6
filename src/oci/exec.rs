//! `exec [--process FILE | ARGS…] ID`: a new process in a running container's
//! namespaces and cgroup (libcontainer's tenant builder). In the foreground the
//! command waits for it, forwarding signals, and exits with its code; with
//! `--detach` it returns once the process runs (conmon reaps it).

use std::collections::HashMap;
use std::path::PathBuf;

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::ContainerStatus;
use libcontainer::syscall::syscall::SyscallType;
use nix::unistd::Pid;

use super::state::{load, refresh, validate_id, wrong_state};
use super::{OciContext, OciError};

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
    let pid = build(ctx, args, user)?;
    if args.detach {
        return Ok(0);
    }
    Ok(super::foreground::wait_forwarding(pid))
}

/// Starts the process with libcontainer's tenant builder; returns its pid.
fn build(
    ctx: &OciContext,
    args: &ExecArgs,
    (user, group): (Option<u32>, Option<u32>),
) -> Result<Pid, OciError> {
    let fail = |e: libcontainer::error::LibcontainerError| OciError::runtime(&args.id, "exec", &e);
    ContainerBuilder::new(args.id.clone(), SyscallType::Linux)
        .with_root_path(&ctx.root)
        .map_err(fail)?
        .with_console_socket(args.console_socket.as_ref())
        .with_pid_file(args.pid_file.as_ref())
        .map_err(fail)?
        .with_preserved_fds(i32::from(args.preserve_fds))
        .validate_id()
        .map_err(fail)?
        .as_tenant()
        .with_detach(args.detach)
        .with_cwd(args.cwd.as_ref())
        .with_env(env_map(&args.env))
        .with_process(args.process.as_ref())
        .with_no_new_privs(args.no_new_privs)
        .with_container_args(args.command.clone())
        .with_additional_gids(args.additional_gids.clone())
        .with_user(user)
        .with_group(group)
        .with_capabilities(args.cap.clone())
        .with_ignore_paused(args.ignore_paused)
        .build()
        .map_err(fail)
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
