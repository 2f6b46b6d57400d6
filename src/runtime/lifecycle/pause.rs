//! `pause` and `unpause`: freeze and thaw every process of a running
//! container through its cgroup (libcontainer's freezer: v1 `freezer.state`,
//! v2 `cgroup.freeze`).

use libcontainer::container::{Container, ContainerStatus};

use super::LifecycleError;
use crate::runtime::events;
use crate::runtime::layout::Layout;
use crate::runtime::store::Store;

/// Freezes container `id`.
pub fn pause(store: &Store, id: &str) -> Result<(), LifecycleError> {
    let mut container = load_locked(store, id, "pause", |s| match s {
        ContainerStatus::Running => Ok(()),
        ContainerStatus::Paused => Err(LifecycleError::AlreadyPaused(id.to_string())),
        _ => Err(LifecycleError::NotRunning(id.to_string())),
    })?;
    container.pause().map_err(|e| runtime(id, "pause", e))?;
    events::record_for(&store.layout, id, "pause", &[]);
    Ok(())
}

/// Thaws container `id`.
pub fn unpause(store: &Store, id: &str) -> Result<(), LifecycleError> {
    let mut container = load_locked(store, id, "unpause", |s| match s {
        ContainerStatus::Paused => Ok(()),
        _ => Err(LifecycleError::NotPaused(id.to_string())),
    })?;
    container.resume().map_err(|e| runtime(id, "unpause", e))?;
    events::record_for(&store.layout, id, "unpause", &[]);
    Ok(())
}

/// Thaws container `id` if it is paused, for the caller that holds its lock
/// and has just signalled it: a frozen process acts on no signal, not even
/// SIGKILL under cgroup v1, so `kill` and `stop` of a paused container thaw
/// it after the signal, as Docker's do. Best effort: a failure is logged.
pub fn thaw_after_signal(layout: &Layout, id: &str) {
    let Ok(mut container) = Container::load(layout.libcontainer_root().join(id)) else {
        return;
    };
    if container.refresh_status().is_err() || container.status() != ContainerStatus::Paused {
        return;
    }
    match container.resume() {
        Ok(()) => events::record_for(layout, id, "unpause", &[]),
        Err(e) => tracing::warn!("container {id}: thawing after a signal: {e}"),
    }
}

fn runtime(id: &str, step: &'static str, e: impl ToString) -> LifecycleError {
    LifecycleError::Runtime {
        id: id.to_string(),
        step,
        reason: e.to_string(),
    }
}

/// libcontainer's view of the container, its status checked by `allowed`.
/// The container lock is held only while loading: libcontainer's own state
/// file is what pause and resume change.
fn load_locked(
    store: &Store,
    id: &str,
    step: &'static str,
    allowed: impl FnOnce(ContainerStatus) -> Result<(), LifecycleError>,
) -> Result<Container, LifecycleError> {
    let _lock = store.lock(id)?;
    let state_dir = store.layout.libcontainer_root().join(id);
    if !state_dir.exists() {
        return Err(LifecycleError::NotRunning(id.to_string()));
    }
    let mut container = Container::load(state_dir).map_err(|e| runtime(id, step, e))?;
    container
        .refresh_status()
        .map_err(|e| runtime(id, step, e))?;
    allowed(container.status())?;
    Ok(container)
}
