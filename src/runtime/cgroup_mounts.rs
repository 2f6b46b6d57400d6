//! The cgroup filesystem inside a created container made what the spec says:
//! read-only when its mount says `ro`, and confined to the container's own
//! cgroups. A step of our own, run between libcontainer's build and `start`,
//! in the container's mount namespace.
//!
//! Why: libcontainer 0.7 (`rootfs/mount.rs`, `mount_cgroup_v1`) ignores the
//! options of a `cgroup` mount on cgroup v1. It mounts the tmpfs with fixed
//! options (`noexec,nosuid,nodev,mode=755`), each controller either freshly
//! (`setup_namespaced_subsystem`, flags `noexec|nosuid|nodev`) or as an `rw`
//! bind (`setup_emulated_subsystem`), so `ro` never reaches any of them and a
//! container could raise its own `memory.limit_in_bytes`. It also mounts the
//! named `name=systemd` hierarchy, in which libcgroups never places the
//! container: what is mounted there is the runtime's own cgroup (the host's
//! root when run from a shell), where the container could `mkdir`. On cgroup
//! v2 (`mount_cgroup_v2`) the spec's flags are honoured, but a container in
//! the host's cgroup namespace gets a fresh `cgroup2` mount showing the whole
//! host tree; runc binds the container's own cgroup there, and so do we.
//!
//! runc makes the tmpfs and every controller read-only when the cgroup mount
//! says `ro`, and binds the container's own `name=systemd` cgroup; vassalrun
//! does not create one, so it removes that mount instead.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sched::CloneFlags;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use oci_spec::runtime::Spec;

/// What to do to the cgroup mount of a spec, if it has one.
#[derive(Debug, PartialEq, Eq)]
pub struct CgroupPlan {
    /// Where the cgroup filesystem is mounted in the container.
    destination: PathBuf,
    /// The mount asks for `ro`: make it and every mount below it read-only.
    readonly: bool,
}

impl CgroupPlan {
    /// The plan for `spec`'s first `cgroup` mount; `None` without one.
    pub fn of(spec: &Spec) -> Option<CgroupPlan> {
        let mount = spec
            .mounts()
            .as_ref()?
            .iter()
            .find(|m| m.typ().as_deref() == Some("cgroup"))?;
        let readonly = mount
            .options()
            .as_ref()
            .is_some_and(|o| o.iter().any(|o| o == "ro"));
        Some(CgroupPlan {
            destination: mount.destination().clone(),
            readonly,
        })
    }
}

/// Applies `plan` inside the mount namespace of the container whose init is
/// `init` (a host pid), from a forked child, so this process's own namespace
/// is never changed. Errors name the step.
pub fn confine(init: Pid, plan: &CgroupPlan) -> Result<(), String> {
    let ns = File::open(format!("/proc/{init}/ns/mnt"))
        .map_err(|e| format!("cgroup mounts: opening the mount namespace of {init}: {e}"))?;
    let own_unified = unified_cgroup_in_host_namespace(init);
    let (reader, writer) = nix::unistd::pipe().map_err(|e| format!("cgroup mounts: {e}"))?;
    // SAFETY: the child only runs `in_child` (syscalls and small allocations)
    // and leaves with `_exit`; the callers build containers from a
    // single-threaded process, so no lock can be held by another thread.
    match unsafe { fork() }.map_err(|e| format!("cgroup mounts: fork: {e}"))? {
        ForkResult::Child => {
            drop(reader);
            let code = match in_child(ns.as_fd(), plan, own_unified.as_deref()) {
                Ok(()) => 0,
                Err(message) => {
                    let _ = File::from(writer).write_all(message.as_bytes());
                    1
                }
            };
            // SAFETY: ends the forked child without running the parent's
            // atexit handlers or destructors.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => {
            drop(writer);
            let mut message = String::new();
            let _ = File::from(reader).read_to_string(&mut message);
            match waitpid(child, None) {
                Ok(WaitStatus::Exited(_, 0)) => Ok(()),
                _ if !message.is_empty() => Err(format!("cgroup mounts: {message}")),
                other => Err(format!("cgroup mounts: helper ended with {other:?}")),
            }
        }
    }
}

/// The container's cgroup v2 path (relative, e.g. `vassalrun/ID`) when it
/// shares this process's cgroup namespace on a unified host; else `None`.
///
/// Why: there libcontainer's `mount_cgroup_v2` mounts `cgroup2` afresh, and
/// a fresh mount in the host's cgroup namespace shows the whole host tree
/// (every other container's cgroup). runc binds the container's own cgroup
/// instead; [`in_child`] does the same.
fn unified_cgroup_in_host_namespace(init: Pid) -> Option<PathBuf> {
    let same_ns = |a: &str, b: &str| {
        let inode = |p: &str| std::fs::metadata(p).map(|m| std::os::unix::fs::MetadataExt::ino(&m));
        matches!((inode(a), inode(b)), (Ok(x), Ok(y)) if x == y)
    };
    if !same_ns(&format!("/proc/{init}/ns/cgroup"), "/proc/self/ns/cgroup") {
        return None;
    }
    let text = std::fs::read_to_string(format!("/proc/{init}/cgroup")).ok()?;
    own_unified_path(&text).map(PathBuf::from)
}

/// The path of a unified-only `/proc/PID/cgroup` (`0::/a/b` → `a/b`); `None`
/// on a v1 or hybrid host (other lines) or at the root.
fn own_unified_path(cgroup_file: &str) -> Option<&str> {
    let mut lines = cgroup_file.lines().filter(|l| !l.is_empty());
    let path = lines.next()?.strip_prefix("0::/")?;
    (lines.next().is_none() && !path.is_empty()).then_some(path)
}

/// In the forked child: enter the container's mount namespace (root and cwd
/// become its root), confine a host-namespace `cgroup2` mount to the
/// container's own cgroup, drop `name=systemd`, then make the tree read-only.
fn in_child(
    ns: std::os::fd::BorrowedFd,
    plan: &CgroupPlan,
    own_unified: Option<&Path>,
) -> Result<(), String> {
    nix::sched::setns(ns, CloneFlags::CLONE_NEWNS)
        .map_err(|e| format!("entering the container's mount namespace: {e}"))?;
    // When libcontainer's fresh mount failed it bound the container's own
    // cgroup already, and the path below it does not exist.
    let source = own_unified.map(|own| plan.destination.join(own));
    if let Some(source) = source.filter(|s| s.is_dir()) {
        // The fresh mount shows the host's root; its subdirectory is the
        // container's cgroup. Bound over the mount point, it hides the rest.
        nix::mount::mount(
            Some(&source),
            &plan.destination,
            None::<&str>,
            nix::mount::MsFlags::MS_BIND | nix::mount::MsFlags::MS_REC,
            None::<&str>,
        )
        .map_err(|e| {
            format!(
                "binding {} over {}: {e}",
                source.display(),
                plan.destination.display()
            )
        })?;
    }
    let systemd = plan.destination.join("systemd");
    match nix::mount::umount2(&systemd, nix::mount::MntFlags::MNT_DETACH) {
        // Not a mount point, or no such directory (cgroup v2, other layouts).
        Ok(()) | Err(Errno::EINVAL) | Err(Errno::ENOENT) => {}
        Err(e) => return Err(format!("unmounting {}: {e}", systemd.display())),
    }
    if plan.readonly {
        set_readonly_recursive(&plan.destination)
            .map_err(|e| format!("making {} read-only: {e}", plan.destination.display()))?;
    }
    Ok(())
}

/// `mount_setattr(MOUNT_ATTR_RDONLY, AT_RECURSIVE)` on `path` without
/// following a symlink: the tmpfs and every controller below it in one call,
/// leaving their other flags as they are.
fn set_readonly_recursive(path: &Path) -> Result<(), Errno> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    let attr = MountAttr {
        attr_set: libc::MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    let path =
        std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| Errno::EINVAL)?;
    // SAFETY: `path` is a valid C string and `attr` a properly sized
    // `struct mount_attr`, both alive for the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            (libc::AT_RECURSIVE | libc::AT_SYMLINK_NOFOLLOW) as libc::c_uint,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(mounts: serde_json::Value) -> Spec {
        serde_json::from_value(serde_json::json!({"ociVersion": "1.0.2", "mounts": mounts}))
            .unwrap()
    }

    #[test]
    fn test_own_unified_path_only_on_a_unified_host() {
        assert_eq!(
            own_unified_path("0::/vassalrun/abc\n"),
            Some("vassalrun/abc")
        );
        assert_eq!(own_unified_path("0::/\n"), None);
        assert_eq!(own_unified_path("1:cpu:/x\n0::/x\n"), None);
        assert_eq!(own_unified_path("0::/x\n1:name=systemd:/x\n"), None);
        assert_eq!(own_unified_path(""), None);
    }

    #[test]
    fn test_plan_follows_the_cgroup_mount_options() {
        let ro = spec(serde_json::json!([
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
        ]));
        assert_eq!(
            CgroupPlan::of(&ro),
            Some(CgroupPlan {
                destination: "/sys/fs/cgroup".into(),
                readonly: true
            })
        );
        let rw = spec(serde_json::json!([
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "rw"]}
        ]));
        assert!(!CgroupPlan::of(&rw).unwrap().readonly);
        assert_eq!(CgroupPlan::of(&spec(serde_json::json!([]))), None);
    }
}
