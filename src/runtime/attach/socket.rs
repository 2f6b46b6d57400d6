//! UNIX sockets at paths of any length: `sun_path` holds 108 bytes, a state
//! root plus a 64-character id can be longer, so the socket is reached through
//! `/proc/self/fd/<dir fd>/<name>` (conmon's way), which the kernel resolves
//! like the real path.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use nix::sys::socket::{
    accept4, bind, connect, listen, socket, AddressFamily, Backlog, SockFlag, SockType, UnixAddr,
};

/// Runs `f` with a short address standing for `path`.
fn with_short_addr<T>(path: &Path, f: impl FnOnce(&UnixAddr) -> io::Result<T>) -> io::Result<T> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "socket path has no name"))?;
    let dir = File::open(dir)?;
    let short = Path::new("/proc/self/fd")
        .join(dir.as_raw_fd().to_string())
        .join(name);
    let addr = UnixAddr::new(&short).map_err(io::Error::from)?;
    f(&addr)
}

/// A listening, non-blocking, close-on-exec socket at `path` (replacing a
/// stale one), readable by root only.
pub fn listen_at(path: &Path, kind: SockType) -> io::Result<OwnedFd> {
    let _ = std::fs::remove_file(path);
    let fd = socket(
        AddressFamily::Unix,
        kind,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )?;
    with_short_addr(path, |addr| Ok(bind(fd.as_raw_fd(), addr)?))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    listen(&fd, Backlog::new(64).map_err(io::Error::from)?)?;
    Ok(fd)
}

/// A blocking, close-on-exec connection to the socket at `path`.
pub fn connect_to(path: &Path, kind: SockType) -> io::Result<OwnedFd> {
    let fd = socket(AddressFamily::Unix, kind, SockFlag::SOCK_CLOEXEC, None)?;
    with_short_addr(path, |addr| Ok(connect(fd.as_raw_fd(), addr)?))?;
    Ok(fd)
}

/// Accepts one pending connection, non-blocking and close-on-exec; `None`
/// when none is waiting.
pub fn accept_one(listener: &OwnedFd) -> io::Result<Option<OwnedFd>> {
    use std::os::fd::FromRawFd;
    match accept4(
        listener.as_raw_fd(),
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
    ) {
        // SAFETY: accept4 returned a new descriptor that nothing else owns.
        Ok(fd) => Ok(Some(unsafe { OwnedFd::from_raw_fd(fd) })),
        Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::ECONNABORTED) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_listen_at_long_path_connects() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("d".repeat(120));
        std::fs::create_dir(&dir).unwrap();
        let path = dir.join("attach.sock");
        assert!(path.as_os_str().len() > 108);
        let listener = listen_at(&path, SockType::SeqPacket).unwrap();
        let _client = connect_to(&path, SockType::SeqPacket).unwrap();
        assert!(accept_one(&listener).unwrap().is_some());
        assert!(accept_one(&listener).unwrap().is_none());
    }
}
