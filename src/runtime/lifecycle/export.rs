//! `export`: the container's filesystem (image plus its changes) as a tar
//! stream. A stopped container's overlay is mounted for the duration.

use std::io::Write;

use super::LifecycleError;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::rootfs::{self, is_mount_point};
use crate::runtime::store::{Store, StoreError};

pub fn export(store: &Store, id: &str, out: impl Write) -> Result<(), LifecycleError> {
    let layout: &Layout = &store.layout;
    let _lock = store.lock(id)?;
    let dir = layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let record: ContainerRecord =
        read_json(&files.record())?.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    let mounted_here = !is_mount_point(&files.rootfs());
    if mounted_here {
        files.overlay(&record.image_rootfs).mount()?;
    }
    let result = write_tar(&files.rootfs(), out).map_err(|e| LifecycleError::Runtime {
        id: id.to_string(),
        step: "export",
        reason: e.to_string(),
    });
    if mounted_here {
        rootfs::unmount(&files.rootfs())?;
    }
    result
}

fn write_tar(root: &std::path::Path, out: impl Write) -> std::io::Result<()> {
    let mut builder = tar::Builder::new(out);
    builder.follow_symlinks(false);
    builder.mode(tar::HeaderMode::Complete);
    builder.append_dir_all(".", root)?;
    builder.into_inner()?.flush()
}
