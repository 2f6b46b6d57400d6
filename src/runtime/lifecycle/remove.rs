//! `rm`: remove a container and everything it owns — libcontainer state and
//! cgroup, the rootfs mount, the container directory, its name and lock.
//! Idempotent: removing what is already gone succeeds, so concurrent `rm -f`s
//! both succeed.

use std::time::{Duration, Instant};

use libcontainer::container::Container;
use libcontainer::signal::Signal;

use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::events;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::rootfs;
use crate::runtime::store::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveMode {
    /// Refuse a running container.
    Normal,
    /// Kill a running container first.
    Force,
    /// Called by the monitor of a `--rm` container after its exit.
    AfterExit,
}

/// How long `rm -f` waits for the monitor to record the exit after SIGKILL.
const KILL_WAIT: Duration = Duration::from_secs(10);

pub fn remove_container(store: &Store, id: &str, mode: RemoveMode) -> Result<(), LifecycleError> {
    let layout = &store.layout;
    let state = status(layout, id);
    if mode == RemoveMode::Normal && matches!(state, Status::Running { .. }) {
        return Err(LifecycleError::Running(id.to_string()));
    }
    // A created container never ran: Docker removes it without -f. Its init
    // waits for `start` and its monitor for the init, so both go.
    let created = state == Status::Created;
    if mode != RemoveMode::AfterExit && (created || matches!(state, Status::Running { .. })) {
        kill_and_wait(store, id)?;
    }
    if mode == RemoveMode::Force || (created && mode == RemoveMode::Normal) {
        // A monitor still at work (e.g. of a `create` killed mid-way) would keep
        // writing into the directory being removed.
        stop_monitor(&layout.container_dir(id));
    }
    let _lock = store.lock(id)?;
    let dir = layout.container_dir(id);
    release_runtime(store, id)?;
    let files = ContainerFiles(&dir);
    rootfs::unmount(&files.rootfs())?;
    let record = read_json::<ContainerRecord>(&files.record()).ok().flatten();
    // Never recurse into a rootfs that is still mounted: it would delete the image.
    if rootfs::is_mount_point(&files.rootfs()) {
        return Err(LifecycleError::Runtime {
            id: id.to_string(),
            step: "remove",
            reason: format!("{} is still mounted", files.rootfs().display()),
        });
    }
    remove_dir(&dir)?;
    match record {
        Some(record) => {
            store.release_name(&record.name, id);
            let subject = events::Subject {
                id,
                name: &record.name,
                image: &record.image,
            };
            events::record(layout, &events::Event::now("destroy", &subject, &[]));
        }
        // An unreadable record: find the name by its contents.
        None => store.release_names_of(id),
    }
    store.remove_lock_file(id);
    Ok(())
}

/// libcontainer's state and cgroup, and the network (normally released by
/// the monitor at exit; here when it could not).
fn release_runtime(store: &Store, id: &str) -> Result<(), LifecycleError> {
    let layout = &store.layout;
    delete_runtime_state(store, id)?;
    // The lease goes even when a step fails; what is left is for `gc`.
    if let Err(e) = crate::network::teardown::detach(&layout.network_dir(), id) {
        tracing::warn!("container {id}: network teardown: {e}");
    }
    // libcontainer removed the cgroup unless its state was already gone.
    let dir = layout.container_dir(id);
    if let Some(cgroup) = cgroups_path(&ContainerFiles(&dir).spec()) {
        crate::runtime::cgroups::kill_and_remove(&cgroup);
        crate::runtime::cgroup_parent::after_remove(layout.run_dir(), &cgroup);
    }
    Ok(())
}

/// SIGKILLs every process of the container and waits for its monitor to record
/// the exit (or for the container to be gone).
fn kill_and_wait(store: &Store, id: &str) -> Result<(), LifecycleError> {
    {
        let _lock = store.lock(id)?;
        if let Ok(mut container) = Container::load(store.layout.libcontainer_root().join(id)) {
            let kill = Signal::try_from(9).map_err(|e| LifecycleError::Runtime {
                id: id.to_string(),
                step: "kill",
                reason: e.to_string(),
            })?;
            let _ = container.kill(kill, true);
        }
    }
    let dir = store.layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let deadline = Instant::now() + KILL_WAIT;
    while Instant::now() < deadline && !files.exit().exists() && super::status::monitor_alive(&dir)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// `linux.cgroupsPath` of the container's OCI spec.
pub(crate) fn cgroups_path(spec: &std::path::Path) -> Option<String> {
    cgroups_path_of(&read_json(spec).ok().flatten()?)
}

/// `linux.cgroupsPath` of a spec already parsed.
pub(crate) fn cgroups_path_of(spec: &oci_spec::runtime::Spec) -> Option<String> {
    let path = spec.linux().as_ref()?.cgroups_path().as_ref()?;
    Some(path.display().to_string())
}

/// How long removal keeps retrying while a container's processes leave its cgroup.
const DELETE_RETRY: Duration = Duration::from_secs(5);

/// libcontainer's `delete(force)`: kills what is left and removes the cgroup and
/// state. A container whose creation is still under way (a `create` killed
/// mid-way leaves its monitor building) may still gain or lose processes, so the
/// deletion is retried until the cgroup is empty.
fn delete_runtime_state(store: &Store, id: &str) -> Result<(), LifecycleError> {
    let state = store.layout.libcontainer_root().join(id);
    let deadline = Instant::now() + DELETE_RETRY;
    loop {
        let Ok(mut container) = Container::load(state.clone()) else {
            // No readable state.json (a monitor stopped mid-way): the directory
            // goes; a cgroup left behind is for `gc`.
            return match std::fs::remove_dir_all(&state) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(LifecycleError::Runtime {
                        id: id.to_string(),
                        step: "delete",
                        reason: format!("{}: {e}", state.display()),
                    })
                }
                _ => Ok(()),
            };
        };
        match container.delete(true) {
            Ok(()) => return Ok(()),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(LifecycleError::Runtime {
                    id: id.to_string(),
                    step: "delete",
                    reason: e.to_string(),
                })
            }
        }
    }
}

/// SIGKILLs the container's monitor if it is alive and waits (bounded) until it is gone.
fn stop_monitor(dir: &std::path::Path) {
    let Some(pid) = super::status::monitor_pid(dir) else {
        return;
    };
    // A monitor that has recorded the exit is finishing its cleanup: let it.
    if dir.join("exit").exists() {
        let grace = Instant::now() + Duration::from_secs(2);
        while super::status::monitor_alive(dir) && Instant::now() < grace {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while super::status::monitor_alive(dir) && Instant::now() < deadline {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `rm -rf` of the container directory; a missing one is fine.
fn remove_dir(dir: &std::path::Path) -> Result<(), LifecycleError> {
    let mut attempts = 0;
    loop {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            // A writer that was just stopped may have added a file meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty && attempts < 10 => {
                attempts += 1
            }
            Err(e) => {
                return Err(StoreError::Io {
                    path: dir.to_path_buf(),
                    reason: e,
                }
                .into())
            }
        }
    }
}
