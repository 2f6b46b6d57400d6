//! `diff`: what a container changed against its image, read from the overlay's
//! upper dir (`A` added, `C` changed, `D` deleted, as `docker diff`).

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use super::LifecycleError;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::{read_json, ContainerRecord};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub path: String,
    pub kind: char,
}

pub fn diff(layout: &Layout, id: &str) -> Result<Vec<Change>, LifecycleError> {
    let dir = layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let record: ContainerRecord = read_json(&files.record())?
        .ok_or_else(|| crate::runtime::store::StoreError::NotFound(id.to_string()))?;
    let mut changes = Vec::new();
    walk(&files.upper(), &record.image_rootfs, "", &mut changes);
    // Mount points the runtime created for binds (network files, /dev/init, -v
    // targets) are not the container's changes; Docker hides them too.
    let spec: Option<oci_spec::runtime::Spec> = read_json(&files.spec())?;
    let mount_points: Vec<String> = spec
        .and_then(|s| s.mounts().clone())
        .unwrap_or_default()
        .iter()
        .map(|m| m.destination().display().to_string())
        .collect();
    changes.retain(|c| !(c.kind == 'A' && mount_points.contains(&c.path)));
    changes.sort();
    Ok(changes)
}

fn walk(upper: &Path, lower: &Path, prefix: &str, out: &mut Vec<Change>) {
    let Ok(entries) = fs::read_dir(upper.join(prefix.trim_start_matches('/'))) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}/{name}");
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        // overlayfs records a deletion as a 0:0 character device.
        if meta.file_type().is_char_device() && meta.rdev() == 0 {
            out.push(Change { path, kind: 'D' });
            continue;
        }
        // A layered image's lower is several dirs joined by ':'.
        let in_lower = lower.to_string_lossy().split(':').any(|dir| {
            Path::new(dir)
                .join(path.trim_start_matches('/'))
                .symlink_metadata()
                .is_ok()
        });
        out.push(Change {
            path: path.clone(),
            kind: if in_lower { 'C' } else { 'A' },
        });
        if meta.is_dir() {
            walk(upper, lower, &path, out);
        }
    }
}
