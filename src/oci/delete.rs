//! `delete [--force] ID`: removes a stopped or created container (runc allows
//! the latter; its init is killed), or with `--force` a running or paused one;
//! `--force` on an unknown id succeeds. Also the cleanup after crashes: a
//! container whose state is unreadable or stuck in "creating" (its `create`
//! died: a live one would hold the lock we hold) is removed from what is left:
//! the create's forks, its cgroup, its state directory.

use libcontainer::config::YoukiConfig;
use libcontainer::container::{Container, ContainerStatus, State};

use super::lock::IdLock;
use super::state::{refresh, validate_id, wrong_state};
use super::{OciContext, OciError};

#[derive(clap::Args, Debug)]
pub struct DeleteArgs {
    /// Kill a running or paused container first; succeed if it does not exist
    #[arg(short = 'f', long)]
    pub force: bool,
    /// The container id
    pub id: String,
}

pub fn run_delete(ctx: &OciContext, args: &DeleteArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    delete(ctx, &args.id, args.force)?;
    Ok(0)
}

/// Deletes container `id` under its lock.
pub fn delete(ctx: &OciContext, id: &str, force: bool) -> Result<(), OciError> {
    let lock = match IdLock::acquire(ctx, id) {
        Err(OciError::NotFound(_)) if force => return Ok(()),
        other => other?,
    };
    let dir = ctx.container_dir(id);
    if !dir.exists() {
        lock.remove();
        if force {
            return Ok(());
        }
        return Err(OciError::NotFound(id.to_string()));
    }
    // The stored status: `Container::load` refreshes it, and calls a
    // container without a recorded pid stopped.
    let stored = State::load(&dir).map(|state| state.status);
    let mut container = match (stored, Container::load(dir.clone())) {
        (Ok(status), Ok(container)) if status != ContainerStatus::Creating => container,
        // Unreadable state, or "creating" stored under our lock: its `create`
        // died, perhaps leaving forks that are still at work.
        _ => {
            remove_crashed(ctx, id, &lock)?;
            lock.remove();
            return Ok(());
        }
    };
    refresh(&mut container)?;
    if matches!(
        container.status(),
        ContainerStatus::Running | ContainerStatus::Paused
    ) && !force
    {
        return Err(wrong_state(&container, "delete"));
    }
    let poststop = super::hooks::take_poststop(&container.root)?;
    let cgroup = recorded_cgroup(&dir);
    if let Err(e) = container.delete(true) {
        // Processes left in the cgroup (a stopped init's children, or a
        // create killed half-way) keep libcontainer from removing it: kill
        // them and remove what is left; report the first error if that fails.
        let first = OciError::runtime(id, "delete", &e);
        if remove_remains(ctx, id).is_err() {
            // Not deleted: a later delete must still run the poststop hooks.
            super::hooks::give_back_poststop(&container.root, poststop);
            return Err(first);
        }
    }
    if let Some(cgroup) = cgroup {
        crate::runtime::cgroup_parent::after_remove(&ctx.root, &cgroup);
    }
    // The spec: after the container is deleted; a failure is a warning.
    super::hooks::run_each_warning(id, "poststop", &poststop, &container.state);
    lock.remove();
    Ok(())
}

/// After a failed build (the caller holds `lock`): removes whatever the build
/// left, forks included; the build's own error is what gets reported.
pub fn cleanup_failed_create(ctx: &OciContext, id: &str, lock: &IdLock) {
    if ctx.container_dir(id).exists() {
        let _ = remove_crashed(ctx, id, lock);
    } else {
        lock.kill_other_holders();
    }
}

/// Removes what a `create` that died (or failed) left: its forks still running (found by
/// the lock file they hold), its cgroup, its state directory. A fork caught
/// half-way may still be making or joining the cgroup while we look, so
/// both are checked again until a round finds nothing.
fn remove_crashed(ctx: &OciContext, id: &str, lock: &IdLock) -> Result<(), OciError> {
    let dir = ctx.container_dir(id);
    let cgroup = recorded_cgroup(&dir);
    for _ in 0..CRASH_CLEANUP_ROUNDS {
        let found_forks = lock.kill_other_holders();
        reap_own_children();
        let found_cgroup = cgroup
            .as_deref()
            .is_some_and(|c| !crate::runtime::cgroups::kill_and_remove(c).is_empty());
        if !found_forks && !found_cgroup {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    remove_remains(ctx, id)?;
    if let Some(cgroup) = cgroup {
        crate::runtime::cgroup_parent::after_remove(&ctx.root, &cgroup);
    }
    Ok(())
}

/// The cgroup path libcontainer recorded in the state directory, if readable.
fn recorded_cgroup(dir: &std::path::Path) -> Option<String> {
    YoukiConfig::load(dir)
        .ok()
        .map(|c| c.cgroup_path.to_string_lossy().into_owned())
}

/// Reaps this process's exited children without waiting: after a failed
/// build they are the create's own forks, and on cgroup v1 a zombie still
/// counts as a member, so its cgroup could not be removed until reaped.
fn reap_own_children() {
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    while let Ok(status) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
        if status == WaitStatus::StillAlive {
            break;
        }
    }
}

/// Rounds of [`remove_crashed`] before giving up on a fork that keeps going.
const CRASH_CLEANUP_ROUNDS: usize = 10;

/// Kills and removes the cgroup recorded in the state directory (if
/// readable), then removes the directory.
fn remove_remains(ctx: &OciContext, id: &str) -> Result<(), OciError> {
    let dir = ctx.container_dir(id);
    if let Ok(config) = YoukiConfig::load(&dir) {
        let cgroup = config.cgroup_path.to_string_lossy().into_owned();
        crate::runtime::cgroups::kill_and_remove(&cgroup);
        reap_own_children();
        crate::runtime::cgroups::kill_and_remove(&cgroup);
        if let Some(left) = crate::runtime::cgroups::cgroup_dirs(&cgroup).first() {
            return Err(OciError::CgroupBusy(left.clone()));
        }
    }
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OciError::io(&dir)(e)),
        _ => Ok(()),
    }
}
