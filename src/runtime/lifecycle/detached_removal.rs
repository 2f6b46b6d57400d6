//! A `--rm` container leaves the store before its directory is deleted.
//!
//! Unmounting the overlay waits for an RCU grace period in the kernel
//! (`namespace_unlock`, 7–20 ms here), and deleting the upper and work dirs
//! is a score of unlinks; both used to come before a foreground `run --rm`
//! heard the exit code. Now the monitor renames the container's directory
//! out of `containers/` into `removing/` (one `rename`, with the rootfs
//! mount inside it), releases the name, tells the client, and only then
//! unmounts and deletes. Whoever looks after the command returned finds no
//! container and a free name, as Docker guarantees; `gc` finishes what a
//! monitor killed half-way leaves in `removing/`.

use std::path::{Path, PathBuf};

use crate::runtime::events;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::rootfs;
use crate::runtime::store::Store;

/// Moves container `id`'s directory out of the store and releases its name
/// (the caller holds the container lock); returns where the directory went,
/// or `None` when it could not be moved (the caller then removes it in place).
pub fn leave_store(store: &Store, id: &str) -> Option<PathBuf> {
    let layout = &store.layout;
    let from = layout.container_dir(id);
    let record = read_json::<ContainerRecord>(&ContainerFiles(&from).record())
        .ok()
        .flatten();
    let removing = layout.removing_dir();
    std::fs::create_dir_all(&removing).ok()?;
    let to = removing.join(id);
    std::fs::rename(&from, &to).ok()?;
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
        None => store.release_names_of(id),
    }
    Some(to)
}

/// Unmounts the rootfs inside a directory that left the store and deletes
/// it; never recurses into a rootfs still mounted (that would delete the
/// image).
pub fn delete(dir: &Path) {
    let files = ContainerFiles(dir);
    let _ = rootfs::unmount(&files.rootfs());
    if rootfs::is_mount_point(&files.rootfs()) {
        tracing::warn!("{} is still mounted; left for gc", files.rootfs().display());
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// What is left in `removing/` by monitors that died before deleting it
/// (`gc`); returns one line per directory deleted. A monitor still at work
/// on one may race this: both only unmount and delete.
pub fn sweep(layout: &Layout) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(layout.removing_dir()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let dir = entry.path();
            delete(&dir);
            (!dir.exists()).then(|| format!("removed container directory {}", dir.display()))
        })
        .collect()
}
