//! `exec`: run another process in a running container (a libcontainer tenant),
//! as a child of this command, which waits for it and returns its exit code.

use std::collections::HashMap;

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::syscall::syscall::SyscallType;
use oci_spec::runtime::Spec;

use super::command_check::check_command;
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
    check_command(
        &files.rootfs(),
        first,
        &path_env,
        &super::command_check::bind_mounts(&spec),
    )?;

    let mut builder = ContainerBuilder::new(id.to_string(), SyscallType::Linux)
        .with_root_path(layout.libcontainer_root())
        .map_err(|e| error("exec")(e.to_string()))?
        .as_tenant()
        .with_container_args(options.command.clone())
        .with_detach(!options.tty)
        .as_sibling(false)
        .with_env(parse_env(&options.env));
    if !options.workdir.is_empty() {
        builder = builder.with_cwd(Some(options.workdir.clone()));
    }
    if !options.user.is_empty() {
        let users = ImageSource::Directory(files.rootfs()).user_db()?;
        let user =
            resolve_user(&options.user, &[], &users).map_err(crate::spec::SpecError::from)?;
        builder = builder
            .with_user(Some(user.uid))
            .with_group(Some(user.gid))
            .with_additional_gids(user.additional_gids);
    }
    let pid = builder.build().map_err(|e| error("exec")(e.to_string()))?;
    Ok(super::reap::wait_exit(pid))
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
