//! `gc`: sweeps what crashed commands and supervisors left behind:
//!
//! - containers without a readable record whose creator and monitor are gone
//!   (a `create` killed half-way): removed;
//! - "dead" containers — not running, no exit recorded, and neither their
//!   monitor nor (for the Emperor wrapper) their owner alive, as after a
//!   SIGKILL of the Emperor or of a monitor, or a host crash: reaped as the
//!   monitor would have done at their exit (network, cgroups, libcontainer
//!   state, overlay mount released, exit code 255 recorded, as Docker records
//!   for containers lost with its daemon), then removed if they were `--rm`
//!   (every Emperor vassal's container is); others stay "exited", as Docker
//!   keeps them, for `logs`, `inspect`, `start` or `rm`;
//! - the directories of `--rm` containers whose monitor died while deleting
//!   them (`removing/`, see `super::detached_removal`);
//! - libcontainer state and cgroups of containers that no longer exist, lock
//!   files, and name files: stale ones removed, missing or damaged ones
//!   rewritten from the containers' own records.
//!
//! Running, created and exited containers are never touched.

use std::fs;
use std::path::{Path, PathBuf};

use libcontainer::container::Container;

use super::remove::{remove_container, RemoveMode};
use super::status::{monitor_alive, owner_alive, status, Status};
use super::LifecycleError;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::record::{read_json, ContainerRecord, ExitRecord};
use crate::runtime::store::Store;

/// The exit code recorded for a container that died with its supervisor
/// (Docker's for containers lost with their daemon).
pub const LOST_EXIT_CODE: u8 = 255;

/// What one sweep removed, one line each.
pub fn gc(store: &Store, cgroup_parent: &str) -> Result<Vec<String>, LifecycleError> {
    let mut removed = Vec::new();
    let mut reaped = Vec::new();
    for id in store.ids()? {
        let dir = store.layout.container_dir(&id);
        if monitor_alive(&dir) || owner_alive(&dir) {
            continue;
        }
        let record = read_json::<ContainerRecord>(&ContainerFiles(&dir).record());
        match record {
            Ok(Some(record)) => {
                if status(&store.layout, &id) == Status::Dead {
                    removed.push(reap_dead(store, &id, &record));
                    reaped.push(record.name);
                }
            }
            _ => {
                remove_container(store, &id, RemoveMode::Force)?;
                removed.push(format!("container {id} (no record)"));
            }
        }
    }
    removed.extend(super::detached_removal::sweep(&store.layout));
    sweep_libcontainer_state(store, &mut removed);
    sweep_files(
        &store.layout.names_dir(),
        |owner| store.owns_a_directory(owner),
        "name",
        &mut removed,
    );
    repair_names(store, &mut removed);
    sweep_lock_files(store, &mut removed);
    sweep_vassal_files(store, &reaped, &mut removed);
    sweep_cgroups(store, cgroup_parent, &mut removed);
    Ok(removed)
}

/// The network part of `gc`: endpoints whose container is neither running nor
/// created, stray veths on `bridge`, then the firewall table rebuilt from state.
pub fn gc_network(store: &Store, bridge: &str) -> Result<Vec<String>, LifecycleError> {
    let layout = &store.layout;
    let alive = |id: &str| {
        matches!(
            super::status::status(layout, id),
            super::status::Status::Running { .. } | super::status::Status::Created
        )
    };
    Ok(crate::network::gc::gc(
        &layout.network_dir(),
        bridge,
        alive,
    )?)
}

/// Does for a dead container what its monitor would have done at its exit,
/// then makes sure its cgroup is gone even without libcontainer state.
fn reap_dead(store: &Store, id: &str, record: &ContainerRecord) -> String {
    let layout = &store.layout;
    let dir = layout.container_dir(id);
    super::monitor::finish(layout, id, &dir, LOST_EXIT_CODE);
    if let Some(cgroup) = super::remove::cgroups_path(&ContainerFiles(&dir).spec()) {
        crate::runtime::cgroups::kill_and_remove(&cgroup);
    }
    if !dir.exists() {
        return format!("container {id} ({}, dead, removed)", record.name);
    }
    // Say why in the record (`inspect` shows State.Error).
    let exit = ContainerFiles(&dir).exit();
    if let Ok(Some(mut record)) = read_json::<ExitRecord>(&exit) {
        record.error = "its monitor or supervisor died; reaped by gc".into();
        let _ = crate::runtime::record::write_json(&exit, &record);
    }
    format!(
        "container {id} ({}, dead, exit {LOST_EXIT_CODE} recorded)",
        record.name
    )
}

/// Rewrites name files from the containers' records: a missing, damaged or
/// wrong name file points at its container again. When several records
/// carry one name (only a damaged store allows it), a running one keeps it
/// and the conflict is reported.
fn repair_names(store: &Store, removed: &mut Vec<String>) {
    let mut by_name: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for id in store.ids().unwrap_or_default() {
        if let Ok(Some(record)) = store.record(&id) {
            by_name.entry(record.name).or_default().push(id);
        }
    }
    for (name, mut ids) in by_name {
        ids.sort_by_key(|id| {
            !matches!(
                status(&store.layout, id),
                Status::Running { .. } | Status::Created
            )
        });
        if ids.len() > 1 {
            removed.push(format!(
                "name {name}: carried by {} containers ({}); kept for {}",
                ids.len(),
                ids.join(", "),
                ids[0]
            ));
        }
        if store.repair_name(&name, &ids[0]).unwrap_or(false) {
            removed.push(format!("name {name} (repaired: {})", ids[0]));
        }
    }
}

fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect()
        })
        .unwrap_or_default()
}

fn sweep_libcontainer_state(store: &Store, removed: &mut Vec<String>) {
    for (id, path) in entries(&store.layout.libcontainer_root()) {
        if store.layout.container_dir(&id).exists() {
            continue;
        }
        match Container::load(path.clone()) {
            Ok(mut c) => {
                let _ = c.delete(true);
            }
            Err(_) => {
                let _ = fs::remove_dir_all(&path);
            }
        }
        removed.push(format!("libcontainer state {id}"));
    }
}

/// Removes files in `dir` whose contents name an owner that `alive` rejects.
fn sweep_files(dir: &Path, alive: impl Fn(&str) -> bool, what: &str, removed: &mut Vec<String>) {
    for (name, path) in entries(dir) {
        if name.starts_with('.') {
            continue;
        }
        if fs::read_to_string(&path).is_ok_and(|owner| !alive(&owner))
            && fs::remove_file(&path).is_ok()
        {
            removed.push(format!("{what} {name}"));
        }
    }
}

/// Copies of Emperor vassals' files (see `crate::emperor::files`) whose
/// container is gone: at once for the containers just `reaped`, after a
/// minute otherwise (a younger copy may belong to a wrapper that has not
/// created its container yet).
fn sweep_vassal_files(store: &Store, reaped: &[String], removed: &mut Vec<String>) {
    for (name, path) in entries(&store.layout.vassal_files_dir()) {
        let young = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|age| age < std::time::Duration::from_secs(60));
        if (young && !reaped.contains(&name)) || !store.ids_named(&name).is_empty() {
            continue;
        }
        if fs::remove_dir_all(&path).is_ok() {
            removed.push(format!("vassal files {name}"));
        }
    }
}

fn sweep_lock_files(store: &Store, removed: &mut Vec<String>) {
    let locks = store.layout.lock_file("x");
    let Some(dir) = locks.parent() else {
        return;
    };
    for (id, _) in entries(dir) {
        if !store.layout.container_dir(&id).exists() {
            store.remove_lock_file(&id);
            removed.push(format!("lock {id}"));
        }
    }
}

/// Cgroups named by a container id under the default parent, in every
/// hierarchy, whose container is gone: their processes are killed, then the
/// cgroup is removed.
fn sweep_cgroups(store: &Store, parent: &str, removed: &mut Vec<String>) {
    let parent = parent.trim_matches('/');
    let mut ids: Vec<String> = crate::runtime::cgroups::cgroup_dirs(parent)
        .iter()
        .flat_map(|dir| entries(dir))
        .map(|(name, _)| name)
        .filter(|name| name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()))
        .filter(|id| !store.layout.container_dir(id).exists())
        .collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        for dir in crate::runtime::cgroups::kill_and_remove(&format!("{parent}/{id}")) {
            removed.push(format!("cgroup {}", dir.display()));
        }
    }
    crate::runtime::cgroup_parent::release_parent(store.layout.run_dir(), parent);
}
