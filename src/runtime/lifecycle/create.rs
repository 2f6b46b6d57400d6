//! `create`: claim a name and a directory, build the spec, mount the rootfs,
//! write the network files and have the monitor create the container
//! (libcontainer status `created`). Every step is undone if a later one fails.

use super::command_check::{bind_mounts, check_command};
use super::monitor::{spawn_monitor, Spawned};
use super::names;
use super::remove::{remove_container, RemoveMode};
use super::LifecycleError;
use crate::config::Settings;
use crate::runtime::images::ImageStore;
use crate::runtime::in_root::mkdir_all_in_root;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::network_files::{host_resolv_conf, write_network_files};
use crate::runtime::prepare::{new_container_id, spec_context, ImageInfo};
use crate::runtime::record::{now_rfc3339, write_json_for, ContainerRecord, Durability};
use crate::runtime::store::{Store, StoreError};
use crate::spec::{build_spec, CreateRequest};

pub struct CreateOptions {
    pub request: CreateRequest,
    pub name: Option<String>,
    /// Remove a container holding the name first (`--replace`).
    pub replace: bool,
}

/// A created container and its monitor process.
pub struct Created {
    pub id: String,
    pub name: String,
    pub monitor: Spawned,
}

pub fn create(settings: &Settings, mut options: CreateOptions) -> Result<Created, LifecycleError> {
    // The monitor's cgroup migration waits a grace period: start it now
    // and keep it warm until the monitor has created the container.
    let _warm = crate::runtime::migration_warmup::start();
    // In the host's mount namespace, before the rootfs's private one.
    let binaries =
        super::monitor::protected_binaries(settings).map_err(LifecycleError::MonitorBinaries)?;
    options.request = super::publish_all::expand(settings, options.request)?;
    let request = &options.request;
    create_then(settings, &options, |id, name, plan| {
        let spawned =
            spawn_monitor(settings, &binaries, id, plan.own_pid_namespace).map_err(|reason| {
                LifecycleError::Runtime {
                    id: id.to_string(),
                    step: "create",
                    reason,
                }
            })?;
        // After create, before start (Docker's order): the command's first
        // instruction already sees its network.
        attach_network(settings, id, name, request, &plan.network, spawned.pid)?;
        Ok(spawned)
    })
    .map(|(id, name, monitor, _)| Created { id, name, monitor })
}

/// What the steps after `create`'s own need from it.
#[derive(Debug, Clone)]
pub struct CreatePlan {
    pub network: NetworkPlan,
    /// The spec gives the container a pid namespace of its own (the
    /// monitor then starts in one too).
    pub own_pid_namespace: bool,
}

/// What the container's network setup needs from `create`.
#[derive(Debug, Clone)]
pub struct NetworkPlan {
    pub hostname: String,
    /// The container's generated `/etc/hosts` (none when it shares another's).
    pub hosts_file: Option<std::path::PathBuf>,
}

/// Sets up the network of container `id`, whose init `pid` waits for `start`.
pub fn attach_network(
    settings: &Settings,
    id: &str,
    name: &str,
    request: &CreateRequest,
    plan: &NetworkPlan,
    pid: i32,
) -> Result<(), LifecycleError> {
    crate::network::setup::attach(&crate::network::setup::Attach {
        settings,
        id,
        names: [&plan.hostname, name],
        pid,
        request,
        hosts_file: plan.hosts_file.clone(),
    })?;
    Ok(())
}

/// A container whose state (record, spec, mounted rootfs) is ready but which
/// no monitor builds: the caller builds and runs it itself (the Emperor
/// wrapper, [`super::inline`]).
pub struct Prepared {
    pub id: String,
    pub name: String,
    /// For [`attach_network`] once the container's init exists.
    pub network: NetworkPlan,
}

/// `create` without spawning a monitor.
pub fn create_prepared(
    settings: &Settings,
    options: &CreateOptions,
) -> Result<Prepared, LifecycleError> {
    create_then(settings, options, |_, _, _| Ok(())).map(|(id, name, (), plan)| Prepared {
        id,
        name,
        network: plan.network,
    })
}

/// Claims an id and a name, writes the state, then runs `last` (spawning the
/// monitor); every step is undone if a later one fails.
fn create_then<T>(
    settings: &Settings,
    options: &CreateOptions,
    last: impl FnOnce(&str, &str, &CreatePlan) -> Result<T, LifecycleError>,
) -> Result<(String, String, T, CreatePlan), LifecycleError> {
    let store = Store::new(Layout::new(settings));
    let id = new_container_id();
    // The directory first: a name then always points at an existing directory,
    // and a name whose directory is gone is known to be stale.
    let dir = store.claim_dir(&id)?;
    // Until a monitor (or this process, for the Emperor wrapper) runs it, the
    // container is this process's: `gc` must not take it for a dead one.
    let result = super::status::write_owner(&dir)
        .map_err(LifecycleError::from)
        .and_then(|()| claim_name(&store, &id, options))
        .and_then(|name| {
            let monitor = create_claimed(settings, &store, &id, &name, options)
                .and_then(|plan| last(&id, &name, &plan).map(|monitor| (monitor, plan)));
            if monitor.is_err() {
                store.release_name(&name, &id);
            }
            monitor.map(|(monitor, plan)| (id.clone(), name, monitor, plan))
        });
    match &result {
        Ok(_) => crate::runtime::events::record_for(&store.layout, &id, "create", &[]),
        Err(_) => {
            let _ = remove_container(&store, &id, RemoveMode::Force);
        }
    }
    result
}

/// A `--rm` container's records die with the run: no fsync for them (the
/// image store, names of kept containers and their records stay durable).
fn durability_of(request: &CreateRequest) -> Durability {
    if request.host.auto_remove {
        Durability::Volatile
    } else {
        Durability::Durable
    }
}

fn claim_name(store: &Store, id: &str, options: &CreateOptions) -> Result<String, LifecycleError> {
    let (wanted, replace) = (options.name.as_deref(), options.replace);
    let durability = durability_of(&options.request);
    let Some(name) = wanted else {
        // A generated name may collide: try a few.
        for attempt in 0..16 {
            let name = names::generate(attempt);
            match store.claim_name_for(&name, id, durability) {
                Ok(()) => return Ok(name),
                Err(StoreError::NameInUse { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        return Err(StoreError::NameInUse {
            name: "generated".into(),
            id: String::new(),
        }
        .into());
    };
    // With --replace, every container carrying the name goes (after a damaged
    // name file there may have been more than one).
    let mut attempts = 0;
    loop {
        match store.claim_name_for(name, id, durability) {
            Err(StoreError::NameInUse { id: owner, .. }) if replace && attempts < 8 => {
                attempts += 1;
                remove_container(store, &owner, RemoveMode::Force)?;
            }
            other => break other?,
        }
    }
    Ok(name.to_string())
}

fn create_claimed(
    settings: &Settings,
    store: &Store,
    id: &str,
    name: &str,
    options: &CreateOptions,
) -> Result<CreatePlan, LifecycleError> {
    let request = &options.request;
    let dir = store.layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let image = ImageStore::of(settings).resolve(&request.config.image)?;
    let image_rootfs = image.lower();
    let info = ImageInfo {
        rootfs: Some(image_rootfs.clone()),
        config: image.config.clone(),
    };
    let context = spec_context(settings, request, id, &info)?;
    let spec = build_spec(request, &context)?;
    let durability = durability_of(request);
    write_json_for(&files.spec(), &spec, durability)?;
    write_json_for(
        &files.record(),
        &ContainerRecord {
            id: id.to_string(),
            name: name.to_string(),
            created: now_rfc3339(),
            image: request.config.image.clone(),
            image_rootfs: image_rootfs.clone(),
            request: request.clone(),
        },
        durability,
    )?;
    // A donor's files (`--network container:NAME`) are its own to write.
    if let Some(network_files) = context
        .network_files
        .as_ref()
        .filter(|_| context.donor.is_none())
    {
        let hostname = spec.hostname().clone().unwrap_or_default();
        write_network_files(network_files, &hostname, &request.host, &host_resolv_conf()).map_err(
            |e| LifecycleError::Runtime {
                id: id.to_string(),
                step: "network files",
                reason: e.to_string(),
            },
        )?;
    }
    prepare_rootfs(&dir, &image_rootfs, &spec)?;
    if !request.host.container_id_file.is_empty() {
        write_cidfile(&request.host.container_id_file, id)?;
    }
    Ok(CreatePlan {
        network: NetworkPlan {
            hostname: spec.hostname().clone().unwrap_or_default(),
            hosts_file: context
                .network_files
                .as_ref()
                .filter(|_| context.donor.is_none())
                .map(|f| f.hosts.clone()),
        },
        own_pid_namespace: super::monitor::has_own_pid_namespace(&spec),
    })
}

/// Mounts the overlay, creates the workdir with the process's owner (as Docker
/// does) and checks that the command exists and is executable.
fn prepare_rootfs(
    dir: &std::path::Path,
    image_rootfs: &std::path::Path,
    spec: &oci_spec::runtime::Spec,
) -> Result<(), LifecycleError> {
    let files = ContainerFiles(dir);
    enter_private_mount_namespace(dir)?;
    files.overlay(image_rootfs).mount()?;
    let process = spec.process().as_ref();
    let (uid, gid) = process.map_or((0, 0), |p| (p.user().uid(), p.user().gid()));
    let cwd = process
        .map(|p| p.cwd().display().to_string())
        .unwrap_or_default();
    mkdir_all_in_root(&files.rootfs(), &cwd, uid, gid).map_err(|e| LifecycleError::Runtime {
        id: dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        step: "workdir",
        reason: e.to_string(),
    })?;
    let mut args = process.and_then(|p| p.args().clone()).unwrap_or_default();
    // With --init the command follows `/dev/init --`; the init itself is bound later.
    if args.first().map(String::as_str) == Some(crate::spec::build::INIT_PATH) {
        args.drain(..2.min(args.len()));
    }
    let path_env = process
        .and_then(|p| p.env().clone())
        .unwrap_or_default()
        .iter()
        .find_map(|e| e.strip_prefix("PATH=").map(str::to_string))
        .unwrap_or_default();
    match args.first() {
        Some(command) => check_command(&files.rootfs(), command, &path_env, &bind_mounts(spec)),
        None => Ok(()),
    }
}

/// The rootfs is mounted outside the host's mount table
/// ([`crate::runtime::mount_namespace`]).
pub(super) fn enter_private_mount_namespace(dir: &std::path::Path) -> Result<(), LifecycleError> {
    crate::runtime::mount_namespace::enter_private().map_err(|e| LifecycleError::Runtime {
        id: dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        step: "private mount namespace",
        reason: e.to_string(),
    })
}

/// `--cidfile`: refused if the file exists (Docker's rule), written atomically.
fn write_cidfile(path: &str, id: &str) -> Result<(), LifecycleError> {
    let error = |reason: String| LifecycleError::Runtime {
        id: id.to_string(),
        step: "cidfile",
        reason,
    };
    if std::path::Path::new(path).exists() {
        return Err(error(format!(
            "container ID file found, make sure the other container isn't running or delete {path}"
        )));
    }
    std::fs::write(path, id).map_err(|e| error(format!("{path}: {e}")))
}
