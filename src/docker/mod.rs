//! The docker-compatible entry's own pieces: what vassalrun has no command
//! for (`version`, `info`, `pull`, image `inspect`), Docker's image-name
//! forms, and the entry's log. The command line itself is `cli/docker_cmd.rs`;
//! every container command there is vassalrun's own.

pub mod images;
pub mod inspect;
pub mod logging;
pub mod version;

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DockerError {
    #[error("{path}:{line}: {reason}", path = .path.display())]
    Config {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{path}: {reason}", path = .path.display())]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("No such object: {0}")]
    NoSuchObject(String),
    #[error(transparent)]
    Image(#[from] crate::runtime::images::ImageError),
}
