//! `start`: tell a created container to run its command; a container that has
//! exited is created again first (Docker's start of a stopped container).

use libcontainer::container::Container;

use super::monitor::{spawn_monitor, Spawned};
use super::status::{status, Status};
use super::LifecycleError;
use crate::config::Settings;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::{now_rfc3339, read_json, ContainerRecord};
use crate::runtime::store::Store;

/// Starts container `id`; returns the monitor when this call had to spawn one.
pub fn start(settings: &Settings, id: &str) -> Result<Option<Spawned>, LifecycleError> {
    start_with(settings, id, |_| Ok(())).map(|(monitor, ())| monitor)
}

/// [`start`], running `before` once the container's monitor exists and
/// before its command runs (or at once if it is already running): an attach
/// made there misses nothing.
pub fn start_with<T>(
    settings: &Settings,
    id: &str,
    before: impl FnOnce(&Layout) -> Result<T, LifecycleError>,
) -> Result<(Option<Spawned>, T), LifecycleError> {
    let layout = Layout::new(settings);
    let store = Store::new(layout.clone());
    let _lock = store.lock(id)?;
    let monitor = match status(&layout, id) {
        Status::Running { .. } => return Ok((None, before(&layout)?)),
        Status::Created => None,
        Status::Exited(_) | Status::Dead => Some(recreate(settings, &store, id)?),
    };
    let runtime_error = |reason: String| LifecycleError::Runtime {
        id: id.to_string(),
        step: "start",
        reason,
    };
    let prepared = before(&layout)?;
    let dir = layout.container_dir(id);
    let _ = crate::runtime::record::write_volatile_atomic(
        &dir.join("started"),
        now_rfc3339().as_bytes(),
    );
    let mut container = Container::load(layout.libcontainer_root().join(id))
        .map_err(|e| runtime_error(e.to_string()))?;
    container
        .start()
        .map_err(|e| runtime_error(e.to_string()))?;
    crate::runtime::events::record_for(&layout, id, "start", &[]);
    Ok((monitor, prepared))
}

/// Mounts the rootfs again and has a new monitor create the container.
fn recreate(settings: &Settings, store: &Store, id: &str) -> Result<Spawned, LifecycleError> {
    // The new monitor's cgroup migration waits a grace period: start it
    // now and keep it warm until the monitor has created the container.
    let _warm = crate::runtime::migration_warmup::start();
    let dir = store.layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let record: ContainerRecord =
        read_json(&files.record())?.ok_or_else(|| LifecycleError::Runtime {
            id: id.to_string(),
            step: "start",
            reason: "container record missing".into(),
        })?;
    if let Ok(mut stale) = Container::load(store.layout.libcontainer_root().join(id)) {
        let _ = stale.delete(true);
    }
    let binaries =
        super::monitor::protected_binaries(settings).map_err(LifecycleError::MonitorBinaries)?;
    super::create::enter_private_mount_namespace(&dir)?;
    files.overlay(&record.image_rootfs).mount()?;
    // The old exit record stays until a new monitor exists: a failed restart
    // leaves the container as it was, exited and unmounted.
    let exit = files.exit();
    let stashed = dir.join("exit.previous");
    let _ = std::fs::rename(&exit, &stashed);
    let own_pid_namespace = read_json::<oci_spec::runtime::Spec>(&files.spec())
        .ok()
        .flatten()
        .is_some_and(|spec| super::monitor::has_own_pid_namespace(&spec));
    let spawned = match spawn_monitor(settings, &binaries, id, own_pid_namespace) {
        Ok(spawned) => spawned,
        Err(reason) => {
            let _ = std::fs::rename(&stashed, &exit);
            let _ = crate::runtime::rootfs::unmount(&files.rootfs());
            return Err(LifecycleError::Runtime {
                id: id.to_string(),
                step: "create",
                reason,
            });
        }
    };
    let _ = std::fs::remove_file(&stashed);
    // The network, as `create` sets it up; on failure the new init is killed
    // (its monitor records the exit and cleans up).
    crate::network::setup::attach_again(settings, id, &record.name, &record.request, spawned.pid)?;
    Ok(spawned)
}
