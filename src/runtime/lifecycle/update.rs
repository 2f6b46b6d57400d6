//! `update`: change a container's resource limits. The new limits are
//! validated with `run`'s rules, written into the running container's cgroup,
//! and recorded (the record's request and the spec's `linux.resources`), so a
//! later `start` or `restart` keeps them.

use oci_spec::runtime::{LinuxResources, Spec};

use super::cgroup;
use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::events;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::record::{read_json, write_json};
use crate::runtime::store::{Store, StoreError};
use crate::spec::resources::{adapt, linux_resources, validate};
use crate::spec::run_flags::RunFlags;

/// Applies the resource flags of `flags` to container `id`.
pub fn update(store: &Store, id: &str, flags: &RunFlags) -> Result<(), LifecycleError> {
    let _lock = store.lock(id)?;
    let layout = &store.layout;
    let mut record = store
        .record(id)?
        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    flags.apply_resources(&mut record.request)?;
    let resources = resources_of(&record.request.host, id)?;
    if matches!(status(layout, id), Status::Running { .. }) {
        let manager = cgroup::manager(layout, id)?;
        cgroup::apply(&manager, id, &resources)?;
    }
    let dir = layout.container_dir(id);
    let files = ContainerFiles(&dir);
    if let Some(mut spec) = read_json::<Spec>(&files.spec())? {
        keep_devices(&mut spec, resources);
        write_json(&files.spec(), &spec)?;
    }
    write_json(&files.record(), &record)?;
    events::record_for(layout, id, "update", &[]);
    Ok(())
}

/// Refuses flags that are bad whatever the container: a value that does not
/// parse or that `run` would refuse on its own (`-m 1k`).
pub fn check_flags(flags: &RunFlags) -> Result<(), LifecycleError> {
    let mut request = crate::spec::CreateRequest::default();
    flags.apply_resources(&mut request)?;
    resources_of(&request.host, "").map(|_| ())
}

/// The `linux.resources` the updated host config asks for, validated as `run`'s.
fn resources_of(
    host: &crate::spec::HostConfig,
    id: &str,
) -> Result<LinuxResources, LifecycleError> {
    let mut host = host.clone();
    adapt(&mut host);
    let num_cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    validate(&host, num_cpus)?;
    serde_json::from_value(serde_json::Value::Object(linux_resources(&host))).map_err(|e| {
        LifecycleError::Runtime {
            id: id.to_string(),
            step: "update",
            reason: e.to_string(),
        }
    })
}

/// Replaces the spec's resources, keeping its device rules (which `update`
/// does not change).
fn keep_devices(spec: &mut Spec, mut resources: LinuxResources) {
    let Some(linux) = spec.linux_mut() else {
        return;
    };
    let devices = linux.resources().as_ref().and_then(|r| r.devices().clone());
    resources.set_devices(devices);
    linux.set_resources(Some(resources));
}
