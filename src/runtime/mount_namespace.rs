//! Containers' rootfs mounts live outside the host's mount table.
//!
//! Why: every reader of `/proc/self/mountinfo` pays for every line in it, and
//! an overlay's line (its `lowerdir`, `upperdir` and `workdir` paths) costs
//! the kernel ~9 µs to print: beside 200 running containers one read took
//! 1.9 ms instead of 0.04. libcontainer 0.7 and libcgroups read mountinfo 16
//! times while creating a container on a cgroup v1 host (`Manager::new` per
//! controller, `make_parent_mount_private`), with no way through their API to
//! skip it, so with the overlays in the host's table every `run` grew by
//! ~0.05–0.09 ms per running container, and the init's copy of the host's
//! mount namespace copied (then detached) every other container's overlay.
//!
//! So the process that mounts a container's overlay first moves its calling
//! thread into a mount namespace of its own, a slave of the host's (mounts
//! made on the host still reach it and the containers; its own never reach
//! the host). The monitor it spawns, and libcontainer's processes, inherit
//! it; the overlay disappears with the last process in it, so a killed
//! monitor no longer leaves a mount behind. From the host a live
//! container's rootfs is reached through its monitor's (or the Emperor
//! wrapper's) `/proc/PID/root` ([`rootfs_seen_from_host`]).

use std::cell::Cell;
use std::path::{Path, PathBuf};

use nix::mount::{mount, MsFlags};
use nix::sched::{unshare, CloneFlags};

use super::layout::ContainerFiles;
use super::lifecycle::status::{monitor_alive, monitor_pid, owner_alive, owner_pid};
use super::rootfs::{is_mount_point, unmount, RootfsError};

thread_local! {
    /// The mount namespace (its inode) this thread made by [`enter_private`].
    static PRIVATE: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The inode of the calling thread's mount namespace.
fn current_namespace() -> Option<u64> {
    std::fs::metadata("/proc/thread-self/ns/mnt")
        .ok()
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
}

/// Moves the calling thread (and the processes it spawns from now on) into a
/// private mount namespace, a slave of the current one; a thread still in
/// the one it made stays there (a `setns` back out makes a new one next time).
pub fn enter_private() -> nix::Result<()> {
    let now = current_namespace();
    if now.is_some() && PRIVATE.with(Cell::get) == now {
        return Ok(());
    }
    // unshare(CLONE_NEWNS) also unshares this thread's fs_struct (cwd, root):
    // the process's other threads keep the host's namespace.
    unshare(CloneFlags::CLONE_NEWNS)?;
    // Slave, not private: the host's later mounts (a volume's source, an
    // unmounted disk) still propagate in; nothing propagates out.
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_SLAVE,
        None::<&str>,
    )?;
    PRIVATE.with(|p| p.set(current_namespace()));
    Ok(())
}

/// The path through which this process reaches a container's rootfs: inside
/// the mount namespace of its live monitor (or owner, the Emperor wrapper)
/// when the overlay is mounted there, else the plain path (mounted in this
/// namespace, or not at all).
pub fn rootfs_seen_from_host(files: &ContainerFiles) -> PathBuf {
    let rootfs = files.rootfs();
    if is_mount_point(&rootfs) {
        return rootfs;
    }
    let dir = files.0;
    // The owner (the Emperor wrapper) is asked only when no monitor holds it.
    let monitor = std::iter::once_with(|| monitor_alive(dir).then(|| monitor_pid(dir)).flatten());
    let owner = std::iter::once_with(|| owner_alive(dir).then(|| owner_pid(dir)).flatten());
    monitor
        .chain(owner)
        .flatten()
        .map(|pid| through_namespace_of(pid, &rootfs))
        .find(|path| is_mount_point(path))
        .unwrap_or(rootfs)
}

/// Runs `f` on a container's rootfs: its live mount, or for a container that
/// is not running the overlay mounted for the duration, in this thread's
/// private namespace (a killed `cp` or `export` leaves no mount behind).
pub fn with_rootfs<T>(
    files: &ContainerFiles,
    image_rootfs: &Path,
    f: impl FnOnce(&Path) -> T,
) -> Result<T, RootfsError> {
    let live = rootfs_seen_from_host(files);
    if is_mount_point(&live) {
        return Ok(f(&live));
    }
    enter_private().map_err(|reason| RootfsError::Mount {
        path: live.clone(),
        reason,
    })?;
    files.overlay(image_rootfs).mount()?;
    let result = f(&live);
    unmount(&live)?;
    Ok(result)
}

/// `/proc/PID/root` followed by `path`: `path` as process `pid` sees it.
fn through_namespace_of(pid: i32, path: &Path) -> PathBuf {
    let relative = path.strip_prefix("/").unwrap_or(path);
    Path::new("/proc")
        .join(pid.to_string())
        .join("root")
        .join(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_thread_enters_once_and_again_after_leaving() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: unshare(CLONE_NEWNS) needs root");
            return;
        }
        // A thread of its own: the namespace goes with it.
        std::thread::spawn(|| {
            let host = std::fs::File::open("/proc/thread-self/ns/mnt").unwrap();
            let host_ns = current_namespace().unwrap();
            enter_private().unwrap();
            let first = current_namespace().unwrap();
            assert_ne!(first, host_ns, "a namespace of its own");
            enter_private().unwrap();
            assert_eq!(current_namespace().unwrap(), first, "entered once");
            // Held open, so its inode number cannot be reused below.
            let _first = std::fs::File::open("/proc/thread-self/ns/mnt").unwrap();
            nix::sched::setns(&host, CloneFlags::CLONE_NEWNS).unwrap();
            enter_private().unwrap();
            let second = current_namespace().unwrap();
            assert!(
                second != host_ns && second != first,
                "a new one after leaving"
            );
        })
        .join()
        .unwrap();
    }

    #[test]
    fn test_a_path_through_another_namespace_keeps_every_component() {
        assert_eq!(
            through_namespace_of(42, Path::new("/var/lib/vassalrun/containers/c/rootfs")),
            PathBuf::from("/proc/42/root/var/lib/vassalrun/containers/c/rootfs")
        );
    }
}
