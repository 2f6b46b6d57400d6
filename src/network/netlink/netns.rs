//! Work inside a container's network namespace: a scoped thread enters it
//! (`setns` changes only the calling thread), opens its own netlink socket,
//! does the work and ends, so no thread of ours is ever left switched.

use std::fs::File;
use std::os::fd::AsFd;

use nix::sched::{setns, CloneFlags};

use super::Netlink;
use crate::network::error::NetworkError;

/// `/proc/<pid>/ns/net`, opened.
pub fn open_netns(pid: i32) -> Result<File, NetworkError> {
    File::open(format!("/proc/{pid}/ns/net")).map_err(|reason| NetworkError::Netns { pid, reason })
}

/// Runs `work` on a thread inside the namespace `netns` with a netlink socket
/// opened there.
pub fn in_netns<T: Send>(
    pid: i32,
    netns: &File,
    work: impl FnOnce(&mut Netlink) -> Result<T, NetworkError> + Send,
) -> Result<T, NetworkError> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                setns(netns.as_fd(), CloneFlags::CLONE_NEWNET).map_err(|e| {
                    NetworkError::Netns {
                        pid,
                        reason: e.into(),
                    }
                })?;
                let mut netlink =
                    Netlink::open().map_err(|reason| NetworkError::Netns { pid, reason })?;
                work(&mut netlink)
            })
            .join()
            .unwrap_or_else(|_| {
                Err(NetworkError::Netns {
                    pid,
                    reason: std::io::Error::other("the namespace thread panicked"),
                })
            })
    })
}
