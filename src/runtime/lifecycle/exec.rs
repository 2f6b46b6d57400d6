//! `exec`: run another process in a running container (a libcontainer tenant),
//! as a child of this command, which waits for it and returns its exit code.

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::syscall::syscall::SyscallType;
use oci_spec::runtime::{Process, Spec};

use super::command_check::check_command;
use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::image_source::ImageSource;
use crate::runtime::layout::{ContainerFiles, Layout};
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
    pub tty: bool,
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

    let mut process = docker_exec_process(&files, process, options)?;
    let executor = ProfileExecutor::prepare(&spec, &mut process);
    let process_file =
        ProcessFile::write(&dir, &process).map_err(|e| error("exec")(e.to_string()))?;
    let pid = ContainerBuilder::new(id.to_string(), SyscallType::Linux)
        .with_root_path(layout.libcontainer_root())
        .map_err(|e| error("exec")(e.to_string()))?
        .with_executor(executor)
        .as_tenant()
        .with_process(Some(process_file.path()))
        .with_detach(!options.tty)
        .as_sibling(false)
        .build()
        .map_err(|e| error("exec")(e.to_string()))?;
    drop(process_file);
    Ok(super::reap::wait_exit(pid))
}

/// Docker's exec process: the container's own (capabilities, `noNewPrivileges`,
/// AppArmor profile, rlimits, user) with the command, environment additions,
/// working directory and user of the exec. Never a terminal of its own: with
/// `-t` the process runs in the foreground on the caller's terminal.
fn docker_exec_process(
    files: &ContainerFiles,
    process: Process,
    options: &ExecOptions,
) -> Result<Process, LifecycleError> {
    // `-e KEY` without a value is dropped, as before.
    let env: Vec<String> = options
        .env
        .iter()
        .filter(|e| e.contains('='))
        .cloned()
        .collect();
    let mut process = tenant::exec_process(process, &options.command, &env);
    if !options.workdir.is_empty() {
        if !options.workdir.starts_with('/') {
            return Err(LifecycleError::RelativeWorkdir(options.workdir.clone()));
        }
        process.set_cwd(options.workdir.clone().into());
    }
    if !options.user.is_empty() {
        let users = ImageSource::Directory(files.rootfs()).user_db()?;
        let user =
            resolve_user(&options.user, &[], &users).map_err(crate::spec::SpecError::from)?;
        let mut spec_user = process.user().clone();
        spec_user
            .set_uid(user.uid)
            .set_gid(user.gid)
            .set_additional_gids(Some(user.additional_gids));
        process.set_user(spec_user);
    }
    Ok(process)
}

fn env_value(env: &[String], key: &str) -> Option<String> {
    env.iter()
        .find_map(|e| e.strip_prefix(&format!("{key}=")).map(str::to_string))
}
