//! Why a spawn failed; each message is the rest of the wrapper's
//! `[vassalrun] NAME: ...` line and names what failed.

use std::path::PathBuf;

use thiserror::Error;

use super::attributes::AttributeError;
use crate::runtime::lifecycle::LifecycleError;

#[derive(Debug, Error)]
pub enum WrapperError {
    /// vassalrun's own settings (environment, `config.toml`).
    #[error("settings: {0}")]
    Settings(String),
    /// What the Emperor passed (argv, `UWSGI_*` fds).
    #[error("{0}")]
    Invocation(String),
    #[error("working directory: {0}")]
    WorkingDir(std::io::Error),
    /// The vassal's configuration could not be read (file, config pipe).
    #[error("{0}")]
    Source(String),
    #[error(transparent)]
    Attribute(#[from] AttributeError),
    #[error(
        "no docker-image attribute, and containers are required \
         (VASSALRUN_REQUIRE_IMAGE / emperor.require-image)"
    )]
    ImageRequired,
    /// `docker-pull` could not get the image.
    #[error("{0}")]
    Pull(String),
    #[error("exec {path}: {errno}")]
    Exec {
        path: PathBuf,
        errno: nix::errno::Errno,
    },
    #[error("{0}: contains a NUL byte")]
    NulByte(String),
    #[error("protecting the vassalrun binary: {0}")]
    Protect(std::io::Error),
    #[error("arranging fds: {0}")]
    Fds(std::io::Error),
    #[error("docker-socket: the Emperor already passes an on-demand socket on fd 0")]
    SocketOnDemand,
    #[error("docker-socket: {address}: {reason}")]
    Socket {
        address: String,
        reason: std::io::Error,
    },
    /// `chmod-socket`/`chown-socket` (the vassal's or the Emperor's).
    #[error("docker-socket: {0}")]
    SocketAccess(String),
    #[error("docker-mount: creating the missing host directory {path}: {reason}")]
    BindSource {
        path: String,
        reason: std::io::Error,
    },
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
}
