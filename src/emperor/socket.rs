//! `docker-socket`: a listening socket bound on the host and handed to the
//! vassal as fd 0, as the Emperor hands over an on-demand socket. uWSGI adopts
//! an inherited socket on fd 0 (`uwsgi socket 0 inherited ...`); the vassal
//! serves HTTP on it with `http-socket = fd://0` (or the uwsgi protocol with
//! `socket = fd://0`, or no socket option at all). No port mapping and no
//! network are needed: the socket lives in the host's network namespace.
//!
//! `PATH` binds a UNIX socket (a stale file is replaced; `docker-socket-mode`
//! sets its mode), `[host]:port` a TCP one.

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// A bound socket and, for UNIX sockets, the file to remove afterwards.
pub struct BoundSocket {
    pub fd: OwnedFd,
    pub path: Option<PathBuf>,
}

/// Binds `address`; a UNIX socket gets `mode` (`docker-socket-mode`, for
/// clients such as a web server's user: the umask's default lets only the
/// owner connect).
pub fn bind(address: &str, mode: Option<u32>) -> std::io::Result<BoundSocket> {
    if let Some((host, port)) = address
        .rsplit_once(':')
        .filter(|_| !address.starts_with('/'))
    {
        if mode.is_some() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "docker-socket-mode applies to UNIX sockets only",
            ));
        }
        let host = if host.is_empty() { "0.0.0.0" } else { host };
        let listener = std::net::TcpListener::bind(format!("{host}:{port}"))?;
        return Ok(BoundSocket {
            fd: listener.into(),
            path: None,
        });
    }
    let path = Path::new(address);
    if std::fs::symlink_metadata(path)
        .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type()))
    {
        std::fs::remove_file(path)?;
    }
    let listener = std::os::unix::net::UnixListener::bind(path)?;
    if let Some(mode) = mode {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode))?;
    }
    Ok(BoundSocket {
        fd: listener.into(),
        path: Some(path.to_path_buf()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_bind_unix_replaces_a_stale_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sock");
        let first = bind(path.to_str().unwrap(), None).unwrap();
        drop(first);
        let second = bind(path.to_str().unwrap(), Some(0o660)).unwrap();
        assert_eq!(second.path.as_deref(), Some(path.as_path()));
        std::os::unix::net::UnixStream::connect(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o660
        );
    }

    #[test]
    fn test_bind_tcp() {
        assert!(bind("127.0.0.1:0", Some(0o666)).is_err());
        let bound = bind("127.0.0.1:0", None).unwrap();
        assert!(bound.path.is_none());
        let listener = std::net::TcpListener::from(bound.fd);
        assert!(listener.local_addr().unwrap().ip().is_loopback());
    }
}
