//! `gc`: sweeps what crashed commands left behind — containers without a
//! readable record and without a live monitor (a `create` killed half-way),
//! libcontainer state and cgroups of containers that no longer exist, stale
//! names and lock files. Running and stopped containers are never touched.

use std::fs;
use std::path::{Path, PathBuf};

use libcontainer::container::Container;

use super::remove::{remove_container, RemoveMode};
use super::status::monitor_alive;
use super::LifecycleError;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::store::Store;

/// What one sweep removed, one line each.
pub fn gc(store: &Store, cgroup_parent: &str) -> Result<Vec<String>, LifecycleError> {
    let mut removed = Vec::new();
    for id in store.ids()? {
        let dir = store.layout.container_dir(&id);
        let has_record = matches!(
            read_json::<ContainerRecord>(&ContainerFiles(&dir).record()),
            Ok(Some(_))
        );
        if !has_record && !monitor_alive(&dir) {
            remove_container(store, &id, RemoveMode::Force)?;
            removed.push(format!("container {id} (no record)"));
        }
    }
    sweep_libcontainer_state(store, &mut removed);
    sweep_files(
        &store.layout.names_dir(),
        |owner| store.owns_a_directory(owner),
        "name",
        &mut removed,
    );
    sweep_lock_files(store, &mut removed);
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
