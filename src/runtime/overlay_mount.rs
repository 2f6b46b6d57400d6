//! Overlay mounts with more lower layers than one `mount(2)` option string
//! holds.
//!
//! `mount(2)` hands overlayfs its options in one page (4096 bytes with the
//! NUL), so `lowerdir=` of absolute layer paths (about 100 bytes each) stops
//! near 35 layers. Images built with many `RUN` steps have more. Two ways
//! around it, tried in turn when the options do not fit:
//!
//! 1. The new mount API (Linux 6.8+ for overlayfs's `lowerdir+`): `fsopen`,
//!    one `fsconfig` per lower directory (each a page of its own), `fsmount`,
//!    `move_mount` onto the target. No limit but overlayfs's 500 layers.
//! 2. On older kernels: relative lower paths from the layers' common parent
//!    (`chdir` there for the mount; overlayfs resolves them at mount time),
//!    70 bytes a layer (`<hex>/root`), about 55 layers.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::errno::Errno;
use nix::libc;
use nix::mount::{mount, MsFlags};

/// The largest option string `mount(2)` takes: a page, less its NUL.
const MOUNT_DATA_MAX: usize = 4095;

// From <linux/mount.h>; not in the libc crate's version here.
const FSOPEN_CLOEXEC: libc::c_uint = 1;
const FSCONFIG_SET_STRING: libc::c_uint = 1;
const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
const FSMOUNT_CLOEXEC: libc::c_uint = 1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 4;

/// Mounts overlayfs on `target` with `lowers` (top-most first), `upper`, `work`.
pub fn mount_overlay(
    lowers: &[&Path],
    upper: &Path,
    work: &Path,
    target: &Path,
) -> nix::Result<()> {
    let joined = join(lowers.iter().map(|p| p.as_os_str().as_bytes()));
    let data = options(&joined, upper, work);
    if data.len() <= MOUNT_DATA_MAX {
        return mount_classic(target, &data);
    }
    match mount_new_api(lowers, upper, work, target) {
        Ok(()) => Ok(()),
        // ENOSYS: no new mount API; EINVAL: an overlayfs without `lowerdir+`.
        Err(e @ (Errno::ENOSYS | Errno::EINVAL | Errno::EOPNOTSUPP)) => {
            tracing::debug!("new mount API: {e}; relative lower paths instead");
            mount_relative(lowers, upper, work, target)
        }
        Err(e) => Err(e),
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a [u8]>) -> String {
    let parts: Vec<String> = parts
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    parts.join(":")
}

fn options(lower: &str, upper: &Path, work: &Path) -> String {
    format!(
        "lowerdir={lower},upperdir={},workdir={}",
        upper.display(),
        work.display()
    )
}

fn mount_classic(target: &Path, data: &str) -> nix::Result<()> {
    mount(
        Some("overlay"),
        target,
        Some("overlay"),
        MsFlags::empty(),
        Some(data),
    )
}

fn c_string(bytes: &[u8]) -> nix::Result<CString> {
    CString::new(bytes).map_err(|_| Errno::EINVAL)
}

/// `fsconfig(fd, FSCONFIG_SET_STRING, key, value)`.
fn set_string(fs: &OwnedFd, key: &str, value: &[u8]) -> nix::Result<()> {
    let (key, value) = (c_string(key.as_bytes())?, c_string(value)?);
    // SAFETY: fs is an open fs context; key and value are NUL-terminated and
    // outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fs.as_raw_fd(),
            FSCONFIG_SET_STRING,
            key.as_ptr(),
            value.as_ptr(),
            0,
        )
    };
    Errno::result(rc).map(drop)
}

/// Turns a syscall's fd result into an owned fd.
fn owned(rc: libc::c_long) -> nix::Result<OwnedFd> {
    let fd = Errno::result(rc)?;
    // SAFETY: the kernel just returned this fd to us; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

fn mount_new_api(lowers: &[&Path], upper: &Path, work: &Path, target: &Path) -> nix::Result<()> {
    let name = c_string(b"overlay")?;
    // SAFETY: name is NUL-terminated and outlives the call.
    let fs = owned(unsafe { libc::syscall(libc::SYS_fsopen, name.as_ptr(), FSOPEN_CLOEXEC) })?;
    for lower in lowers {
        set_string(&fs, "lowerdir+", lower.as_os_str().as_bytes())?;
    }
    set_string(&fs, "upperdir", upper.as_os_str().as_bytes())?;
    set_string(&fs, "workdir", work.as_os_str().as_bytes())?;
    // SAFETY: fs is an open fs context; the other arguments are unused.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fs.as_raw_fd(),
            FSCONFIG_CMD_CREATE,
            std::ptr::null::<libc::c_char>(),
            std::ptr::null::<libc::c_void>(),
            0,
        )
    };
    Errno::result(rc)?;
    // SAFETY: fs is a created fs context.
    let mnt =
        owned(unsafe { libc::syscall(libc::SYS_fsmount, fs.as_raw_fd(), FSMOUNT_CLOEXEC, 0) })?;
    let empty = c_string(b"")?;
    let target = c_string(target.as_os_str().as_bytes())?;
    // SAFETY: mnt is a detached mount; both paths are NUL-terminated and
    // outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            mnt.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    Errno::result(rc).map(drop)
}

/// `lowerdir=` relative to the lowers' common parent, from a `chdir` there
/// (the process is single-threaded: it creates containers).
fn mount_relative(lowers: &[&Path], upper: &Path, work: &Path, target: &Path) -> nix::Result<()> {
    let Some(parent) = lowers
        .first()
        .and_then(|l| l.parent())
        .map(Path::to_path_buf)
    else {
        return Err(Errno::E2BIG);
    };
    // Layers are `<parent>/<hex>/root`: relative, `<hex>/root`.
    let base = parent.parent().unwrap_or(&parent).to_path_buf();
    let relative: Option<Vec<&Path>> = lowers.iter().map(|l| l.strip_prefix(&base).ok()).collect();
    let Some(relative) = relative else {
        return Err(Errno::E2BIG);
    };
    let data = options(
        &join(relative.iter().map(|p| p.as_os_str().as_bytes())),
        upper,
        work,
    );
    if data.len() > MOUNT_DATA_MAX {
        return Err(Errno::E2BIG);
    }
    let back = std::env::current_dir().map_err(|_| Errno::ENOENT)?;
    nix::unistd::chdir(&base)?;
    let result = mount_classic(target, &data);
    nix::unistd::chdir(&back)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// 50 layers laid out as the layer store does, each with one file.
    fn layers(root: &Path) -> Vec<PathBuf> {
        (0..50)
            .map(|i| {
                let dir = root
                    .join("layers/sha256")
                    .join(format!("{i:064x}"))
                    .join("root");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(format!("f{i}")), "x").unwrap();
                dir
            })
            .collect()
    }

    fn check(mount: fn(&[&Path], &Path, &Path, &Path) -> nix::Result<()>) {
        if !nix::unistd::geteuid().is_root() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let lowers = layers(dir.path());
        let lowers: Vec<&Path> = lowers.iter().map(PathBuf::as_path).collect();
        let (upper, work, target) = (
            dir.path().join("upper"),
            dir.path().join("work"),
            dir.path().join("target"),
        );
        for d in [&upper, &work, &target] {
            std::fs::create_dir(d).unwrap();
        }
        let joined = join(lowers.iter().map(|p| p.as_os_str().as_bytes()));
        assert!(options(&joined, &upper, &work).len() > MOUNT_DATA_MAX);
        let cwd = std::env::current_dir().unwrap();
        mount(&lowers, &upper, &work, &target).unwrap();
        let seen = (0..50).all(|i| target.join(format!("f{i}")).exists());
        nix::mount::umount2(&target, nix::mount::MntFlags::MNT_DETACH).unwrap();
        assert!(seen, "every layer in the overlay");
        assert_eq!(std::env::current_dir().unwrap(), cwd);
    }

    #[test]
    fn test_more_lowers_than_a_page_with_the_new_mount_api() {
        check(mount_new_api);
    }

    #[test]
    fn test_more_lowers_than_a_page_with_relative_paths() {
        check(mount_relative);
    }
}
