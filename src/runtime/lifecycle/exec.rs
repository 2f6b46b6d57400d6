//! `exec`: run another process in a running container (a libcontainer tenant),
//! as a child of this command, which waits for it and returns its exit code.

use std::collections::HashMap;

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::syscall::syscall::SyscallType;
use oci_spec::runtime::Spec;

use super::command_check::check_command;
use super::exec_tty::{ExecTerminal, RelayOptions, TerminalProcess};
use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::image_source::ImageSource;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::read_json;
use crate::spec::user::resolve_user;

/// What to run and as whom.
pub struct ExecOptions {
    pub command: Vec<String>,
    /// `-u`: as `--user` of `run`; empty keeps the container's user.
    pub user: String,
    /// `-w`: empty keeps the container's working directory.
    pub workdir: String,
    /// `-e KEY=VALUE`, added to the container's environment.
    pub env: Vec<String>,
    /// `-t`: a terminal of its own, relayed to this command's (see exec_tty).
    pub tty: bool,
    /// `-i`: the process reads this command's stdin (else /dev/null).
    pub interactive: bool,
    /// With `-t`: the sequence that detaches.
    pub detach_keys: Vec<u8>,
}

pub fn exec(layout: &Layout, id: &str, options: &ExecOptions) -> Result<u8, LifecycleError> {
    if !matches!(status(layout, id), Status::Running { .. }) {
        return Err(LifecycleError::NotRunning(id.to_string()));
    }
    let error = |step: &'static str| {
        move |reason: String| LifecycleError::Runtime {
            id: id.to_string(),
            step,
            reason,
        }
    };
    let dir = layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let spec: Spec = read_json(&files.spec())?.ok_or_else(|| error("exec")("no spec".into()))?;
    let process = spec
        .process()
        .clone()
        .ok_or_else(|| error("exec")("spec has no process".into()))?;
    let path_env =
        env_value(process.env().as_deref().unwrap_or_default(), "PATH").unwrap_or_default();
    let first = options
        .command
        .first()
        .ok_or_else(|| error("exec")("no command given".into()))?;
    check_command(&files.rootfs(), first, &path_env)?;

    let user = exec_user(&files, &options.user)?;
    let mut terminal = if options.tty {
        let wanted = TerminalProcess {
            command: &options.command,
            env: &options.env,
            workdir: &options.workdir,
            user: user.as_ref(),
        };
        Some(
            ExecTerminal::prepare(&dir, &process, &wanted)
                .map_err(|e| error("exec")(e.to_string()))?,
        )
    } else {
        None
    };

    let mut builder = ContainerBuilder::new(id.to_string(), SyscallType::Linux)
        .with_root_path(layout.libcontainer_root())
        .map_err(|e| error("exec")(e.to_string()))?;
    if let Some(terminal) = &terminal {
        builder = builder.with_console_socket(Some(terminal.console_path()));
    } else if !options.interactive {
        let null = std::fs::File::open("/dev/null").map_err(|e| error("exec")(e.to_string()))?;
        builder = builder.with_stdin(null);
    }
    let mut builder = builder
        .as_tenant()
        .with_container_args(options.command.clone())
        .with_detach(options.tty)
        .as_sibling(false)
        .with_env(parse_env(&options.env));
    if let Some(terminal) = &terminal {
        builder = builder.with_process(Some(terminal.process_file()));
    }
    if !options.workdir.is_empty() {
        builder = builder.with_cwd(Some(options.workdir.clone()));
    }
    if let Some(user) = user {
        builder = builder
            .with_user(Some(user.uid))
            .with_group(Some(user.gid))
            .with_additional_gids(user.additional_gids);
    }
    let pid = builder.build().map_err(|e| error("exec")(e.to_string()))?;
    match terminal.as_mut() {
        None => Ok(super::reap::wait_exit(pid)),
        Some(terminal) => {
            let relay_options = RelayOptions {
                stdin: options.interactive,
                detach_keys: options.detach_keys.clone(),
            };
            terminal
                .relay(pid, &relay_options)
                .map_err(|e| error("exec")(format!("terminal: {e}")))
        }
    }
}

/// `-u`, resolved in the container's passwd and group files; `None` keeps
/// the container's user.
fn exec_user(
    files: &ContainerFiles,
    user: &str,
) -> Result<Option<crate::spec::user::ResolvedUser>, LifecycleError> {
    if user.is_empty() {
        return Ok(None);
    }
    let users = ImageSource::Directory(files.rootfs()).user_db()?;
    let resolved = resolve_user(user, &[], &users).map_err(crate::spec::SpecError::from)?;
    Ok(Some(resolved))
}

fn env_value(env: &[String], key: &str) -> Option<String> {
    env.iter()
        .find_map(|e| e.strip_prefix(&format!("{key}=")).map(str::to_string))
}

fn parse_env(env: &[String]) -> HashMap<String, String> {
    env.iter()
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
