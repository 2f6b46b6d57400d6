//! The network lock: one flock on `<run dir>/network/net.lock`, held across
//! allocation, link and firewall changes and the state write, so concurrent
//! commands never hand out the same address or port.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::network::error::NetworkError;

/// Held until dropped.
pub struct NetLock {
    _file: File,
}

impl NetLock {
    pub fn acquire(dir: &Path) -> Result<NetLock, NetworkError> {
        let io = |reason| NetworkError::Io {
            path: dir.join("net.lock"),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("net.lock"))
            .map_err(io)?;
        loop {
            // SAFETY: flock on a descriptor we own; blocks until the lock is ours.
            let rc = unsafe { nix::libc::flock(file.as_raw_fd(), nix::libc::LOCK_EX) };
            if rc == 0 {
                break;
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(io(e));
            }
        }
        Ok(NetLock { _file: file })
    }
}
