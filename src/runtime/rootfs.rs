//! A container's root filesystem: an overlay mount with the image as the
//! read-only lower layer and the container's own upper and work dirs, so many
//! containers share one unpacked image and start without copying.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use nix::mount::{umount2, MntFlags};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RootfsError {
    #[error("image rootfs {0}: path contains ',' or ':', which overlayfs cannot take")]
    BadLowerPath(PathBuf),
    #[error("overlay mount on {path}: {reason}")]
    Mount { path: PathBuf, reason: nix::Error },
    #[error("unmount {path}: {reason}")]
    Unmount { path: PathBuf, reason: nix::Error },
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: io::Error },
}

/// The overlay of one container.
pub struct Overlay<'a> {
    pub lower: &'a Path,
    pub upper: PathBuf,
    pub work: PathBuf,
    pub target: PathBuf,
}

impl Overlay<'_> {
    /// Mounts the overlay, creating its directories; does nothing if already mounted.
    pub fn mount(&self) -> Result<(), RootfsError> {
        if is_mount_point(&self.target) {
            return Ok(());
        }
        let bad = |p: &Path| p.to_str().is_none_or(|s| s.contains([',', ':']));
        // A layered image's lower is its layer dirs joined by ':' (each
        // checked by the image store); ',' would still start another option.
        let bad_lower = self.lower.to_str().is_none_or(|s| {
            s.contains(',') || (s.contains(':') && s.split(':').any(|dir| !dir.starts_with('/')))
        });
        if bad_lower || bad(&self.upper) || bad(&self.work) {
            return Err(RootfsError::BadLowerPath(self.lower.to_path_buf()));
        }
        for dir in [&self.upper, &self.work, &self.target] {
            fs::create_dir_all(dir).map_err(|reason| RootfsError::Io {
                path: dir.clone(),
                reason,
            })?;
        }
        let lowers: Vec<&Path> = self
            .lower
            .to_str()
            .unwrap_or_default()
            .split(':')
            .map(Path::new)
            .collect();
        super::overlay_mount::mount_overlay(&lowers, &self.upper, &self.work, &self.target).map_err(
            |reason| RootfsError::Mount {
                path: self.target.clone(),
                reason,
            },
        )
    }
}

/// Unmounts a container rootfs; a path that is not mounted is fine.
pub fn unmount(target: &Path) -> Result<(), RootfsError> {
    if !is_mount_point(target) {
        return Ok(());
    }
    umount2(target, MntFlags::MNT_DETACH).map_err(|reason| RootfsError::Unmount {
        path: target.to_path_buf(),
        reason,
    })
}

/// Whether `path` is a mount point: one `statx` (the mount-root attribute,
/// Linux 5.8+), not a scan of `/proc/self/mountinfo`, which grows with every
/// container's overlay and costs milliseconds per read with a few hundred.
pub fn is_mount_point(path: &Path) -> bool {
    match statx_mount_root(path) {
        Some(answer) => answer,
        None => is_mount_point_in_mountinfo(path),
    }
}

/// `Some(is mount root)` from statx, `None` if the kernel cannot tell.
fn statx_mount_root(path: &Path) -> Option<bool> {
    use nix::libc;
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: an all-zero statx is a valid value; the kernel fills it in.
    let mut buf: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: c_path is NUL-terminated and buf is a valid statx to write.
    let rc = unsafe {
        libc::statx(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW | libc::AT_NO_AUTOMOUNT,
            libc::STATX_BASIC_STATS,
            &mut buf,
        )
    };
    if rc != 0 {
        // A path that does not exist is no mount point; other errors: ask mountinfo.
        return (io::Error::last_os_error().raw_os_error() == Some(libc::ENOENT)).then_some(false);
    }
    let known = buf.stx_attributes_mask & libc::STATX_ATTR_MOUNT_ROOT as u64 != 0;
    known.then_some(buf.stx_attributes & libc::STATX_ATTR_MOUNT_ROOT as u64 != 0)
}

/// Whether `path` is a mount point, from `/proc/self/mountinfo`.
fn is_mount_point_in_mountinfo(path: &Path) -> bool {
    let Ok(info) = fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let wanted = path.to_string_lossy();
    info.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .any(|mount_point| unescape_mountinfo(mount_point) == wanted)
}

/// mountinfo escapes space, tab, newline and backslash as octal.
fn unescape_mountinfo(field: &str) -> String {
    field
        .replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
}
