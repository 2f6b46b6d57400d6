//! Showing libcontainer a spec other than the bundle's `config.json`, for the
//! points where vassalrun changes what libcontainer does: the seccomp filter
//! loaded late ([`super::late_seccomp`]) and the state create-time hooks get
//! ([`super::hook_state`]).
//!
//! libcontainer 0.7 reads the spec only from `<bundle>/config.json`, and
//! records that bundle in the state hooks receive and `state` prints; so the
//! changed spec is shown to it at that very path, by a bind mount in a mount
//! namespace of this `create` process alone ([`present`]): the bundle on disk
//! is never touched, and the container's own mount namespace, made from this
//! one, is slave to the host's as with libcontainer's default propagation.
//!
//! libcontainer runs the prestart and createRuntime hooks from this process,
//! so they would run in that private namespace too, not the runtime's as the
//! spec says: [`OriginalMountNs`] keeps a descriptor of the namespace this
//! process started in, which the hook shim joins again before it runs a hook.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use nix::fcntl::{fcntl, open, FcntlArg, OFlag};
use nix::mount::{mount, MsFlags};
use nix::sched::{setns, CloneFlags};
use nix::sys::stat::Mode;
use oci_spec::runtime::Spec;

use super::OciError;

/// A descriptor of the mount namespace `create` started in, inherited by the
/// hooks libcontainer runs (not close-on-exec) and numbered above the
/// descriptors passed on to the container (`--preserve-fds`): the init marks
/// every descriptor above those close-on-exec before the container process
/// starts, so the container never gets it.
pub struct OriginalMountNs(OwnedFd);

impl OriginalMountNs {
    /// Opens `/proc/self/ns/mnt` as a descriptor numbered at least `min_fd`.
    pub fn open(id: &str, min_fd: RawFd) -> Result<Self, OciError> {
        let fail = |step: &'static str| {
            move |e: nix::Error| OciError::Runtime {
                id: id.to_string(),
                step,
                reason: e.to_string(),
            }
        };
        let path = "/proc/self/ns/mnt";
        let first = open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(fail("open the runtime's mount namespace"))?;
        // SAFETY: `open` just returned this descriptor; nothing else owns it.
        let first = unsafe { OwnedFd::from_raw_fd(first) };
        let high = fcntl(first.as_raw_fd(), FcntlArg::F_DUPFD(min_fd))
            .map_err(fail("number the runtime's mount namespace"))?;
        // SAFETY: F_DUPFD just returned this new descriptor; we own it alone.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(high) }))
    }

    pub fn raw(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// Moves this process back into the namespace, keeping the working
    /// directory's path (setns moves it to the namespace's root), and closes
    /// the descriptor.
    pub fn rejoin(self) -> Result<(), nix::Error> {
        let cwd = std::env::current_dir().ok();
        setns(&self.0, CloneFlags::CLONE_NEWNS)?;
        if let Some(cwd) = cwd {
            // Best effort: a directory only the private namespace had leaves
            // us in `/`, where setns put us.
            let _ = std::env::set_current_dir(cwd);
        }
        Ok(())
    }
}

/// Shows `spec` to libcontainer as `<bundle>/config.json`: this process moves
/// to a mount namespace of its own (slave to the host's, so nothing made
/// here reaches the host) and binds a copy written to `scratch` over it.
/// `scratch` may be removed once libcontainer has built the container (the
/// mount keeps the file; until then a spec mount binding the bundle's
/// config.json in needs it undeleted). The container's mount namespace is
/// copied from this one: if its root holds the bundle's config.json, or a
/// spec mount binds it in, the container sees the changed spec there.
pub fn present(id: &str, bundle: &Path, spec: &Spec, scratch: &Path) -> Result<(), OciError> {
    let fail = |step: &'static str| {
        move |e: nix::Error| OciError::Runtime {
            id: id.to_string(),
            step,
            reason: e.to_string(),
        }
    };
    spec.save(scratch).map_err(|e| OciError::Spec {
        path: scratch.to_path_buf(),
        reason: super::error::error_chain(&e),
    })?;
    crate::runtime::mount_namespace::enter_private().map_err(fail("private mount namespace"))?;
    mount(
        Some(scratch),
        &bundle.join("config.json"),
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .map_err(fail("show the changed spec"))
}
