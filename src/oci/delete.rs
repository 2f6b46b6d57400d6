//! `delete [--force] ID`: removes a stopped or created container (runc allows
//! the latter; its init is killed), or with `--force` a running or paused one;
//! `--force` on an unknown id succeeds. Also the cleanup after crashes: a
//! container whose state is unreadable or stuck in "creating" (its `create`
//! died: a live one would hold the lock we hold) is removed from what is left,
//! its cgroup killed and removed.

use libcontainer::config::YoukiConfig;
use libcontainer::container::{Container, ContainerStatus};

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
        if force {
            lock.remove();
            return Ok(());
        }
        return Err(OciError::NotFound(id.to_string()));
    }
    let Ok(mut container) = Container::load(dir) else {
        remove_remains(ctx, id)?;
        lock.remove();
        return Ok(());
    };
    // Stored "creating" under our lock: its `create` died (refreshing would
    // call it stopped, since no pid was recorded).
    if container.status() == ContainerStatus::Creating {
        remove_remains(ctx, id)?;
        lock.remove();
        return Ok(());
    }
    refresh(&mut container)?;
    if matches!(
        container.status(),
        ContainerStatus::Running | ContainerStatus::Paused
    ) && !force
    {
        return Err(wrong_state(&container, "delete"));
    }
    if let Err(e) = container.delete(true) {
        // Processes left in the cgroup (a stopped init's children, or a
        // create killed half-way) keep libcontainer from removing it: kill
        // them and remove what is left; report the first error if that fails.
        let first = OciError::runtime(id, "delete", &e);
        remove_remains(ctx, id).map_err(|_| first)?;
    }
    lock.remove();
    Ok(())
}

/// After a failed build (the caller holds the lock): removes whatever the
/// build left; the build's own error is what gets reported.
pub fn cleanup_failed_create(ctx: &OciContext, id: &str) {
    let dir = ctx.container_dir(id);
    if !dir.exists() {
        return;
    }
    let deleted = Container::load(dir).is_ok_and(|mut c| c.delete(true).is_ok());
    if !deleted {
        let _ = remove_remains(ctx, id);
    }
}

/// Kills and removes the cgroup recorded in the state directory (if
/// readable), then removes the directory.
fn remove_remains(ctx: &OciContext, id: &str) -> Result<(), OciError> {
    let dir = ctx.container_dir(id);
    if let Ok(config) = YoukiConfig::load(&dir) {
        let cgroup = config.cgroup_path.to_string_lossy().into_owned();
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
