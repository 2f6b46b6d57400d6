//! `exec`: run another process in a running container (a libcontainer tenant),
//! as a child of this command, which waits for it and returns its exit code.

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::syscall::syscall::SyscallType;
use oci_spec::runtime::{Process, Spec};

use super::command_check::check_command;
use super::exec_tty::{make_terminal, ExecTerminal, RelayOptions};
use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::image_source::ImageSource;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::mount_namespace::rootfs_seen_from_host;
use crate::runtime::record::read_json;
use crate::runtime::tenant::{self, ProcessFile, ProfileExecutor};
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
    /// `-d`: start the process and return at once (exit 0), its stdio /dev/null.
    pub detach: bool,
    /// `--privileged`: every capability the host grants (as Docker's exec).
    pub privileged: bool,
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
    check_command(
        &rootfs_seen_from_host(&files),
        first,
        &path_env,
        &super::command_check::bind_mounts(&spec),
    )?;

    let mut process = docker_exec_process(&files, process, options)?;
    let mut terminal = if options.tty {
        make_terminal(&mut process);
        Some(ExecTerminal::listen(&dir).map_err(|e| error("exec")(e.to_string()))?)
    } else {
        None
    };
    let executor = ProfileExecutor::prepare(&spec, &mut process).compiled_from(layout.run_dir());
    let process_file =
        ProcessFile::write(&dir, &process).map_err(|e| error("exec")(e.to_string()))?;
    let mut builder = ContainerBuilder::new(id.to_string(), SyscallType::Linux)
        .with_root_path(layout.libcontainer_root())
        .map_err(|e| error("exec")(e.to_string()))?
        .with_executor(executor);
    if let Some(terminal) = &terminal {
        builder = builder.with_console_socket(Some(terminal.console_path()));
    } else if !options.interactive {
        let null = std::fs::File::open("/dev/null").map_err(|e| error("exec")(e.to_string()))?;
        builder = builder.with_stdin(null);
    }
    // libcontainer asks for a console socket exactly when a terminal process
    // is "detached"; without a terminal the flag changes nothing.
    let builder = builder
        .as_tenant()
        .with_process(Some(process_file.path()))
        .with_detach(options.tty)
        .as_sibling(false);
    if options.detach {
        let built = super::detached_stdio::with_null_stdio(|| builder.build())
            .map_err(|e| error("exec")(e.to_string()))?;
        built.map_err(|e| error("exec")(e.to_string()))?;
        return Ok(0);
    }
    let pid = builder.build().map_err(|e| error("exec")(e.to_string()))?;
    drop(process_file);
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

/// Docker's exec process: the container's own (capabilities, `noNewPrivileges`,
/// AppArmor profile, rlimits, user) with the command, environment additions,
/// working directory and user of the exec; `-t` then gives it a terminal of
/// its own ([`make_terminal`]).
fn docker_exec_process(
    files: &ContainerFiles,
    process: Process,
    options: &ExecOptions,
) -> Result<Process, LifecycleError> {
    let mut process = tenant::exec_process(process, &options.command, &[]);
    // Docker's ReplaceOrAppendEnvValues: `KEY=v` replaces or adds, a bare
    // `KEY` (unset in the caller's environment) removes it.
    let env = crate::spec::env::replace_or_append(
        process.env().clone().unwrap_or_default(),
        &options.env,
    );
    process.set_env(Some(env));
    if !options.workdir.is_empty() {
        if !options.workdir.starts_with('/') {
            return Err(LifecycleError::RelativeWorkdir(options.workdir.clone()));
        }
        process.set_cwd(options.workdir.clone().into());
    }
    if !options.user.is_empty() {
        let users = ImageSource::Directory(rootfs_seen_from_host(files)).user_db()?;
        let user =
            resolve_user(&options.user, &[], &users).map_err(crate::spec::SpecError::from)?;
        let mut spec_user = process.user().clone();
        spec_user
            .set_uid(user.uid)
            .set_gid(user.gid)
            .set_additional_gids(Some(user.additional_gids));
        process.set_user(spec_user);
    }
    if options.privileged {
        grant_host_capabilities(&mut process);
    }
    Ok(process)
}

/// `exec --privileged`: every capability the host grants, in every set
/// (Docker's privileged exec); the container's seccomp filter stays.
fn grant_host_capabilities(process: &mut Process) {
    let all = crate::spec::security::bounding_set(&crate::spec::host::detect(false).available_caps);
    let mut caps = process.capabilities().clone().unwrap_or_default();
    caps.set_bounding(Some(all.clone()))
        .set_effective(Some(all.clone()))
        .set_permitted(Some(all.clone()))
        .set_inheritable(Some(all.clone()))
        .set_ambient(Some(all));
    process.set_capabilities(Some(caps));
}

fn env_value(env: &[String], key: &str) -> Option<String> {
    env.iter()
        .find_map(|e| e.strip_prefix(&format!("{key}=")).map(str::to_string))
}
