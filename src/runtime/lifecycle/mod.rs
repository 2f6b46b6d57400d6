//! The container lifecycle, one verb per file. The process that reaps a
//! container's init is its long-lived monitor ([`monitor`]), never the
//! short-lived CLI command, so exit codes are recorded whoever started it.

pub mod cgroup;
pub mod command_check;
pub mod console;
pub mod copy;
pub mod create;
pub mod detached_removal;
pub mod detached_stdio;
pub mod diff;
pub mod exec;
pub mod exec_tty;
pub mod export;
pub mod foreground;
pub mod gc;
pub mod inline;
pub mod inspect;
pub mod memory_trim;
pub mod monitor;
pub mod names;
pub mod pause;
pub mod pid_namespace;
pub mod publish_all;
pub mod reap;
pub mod relay;
pub mod relay_process;
pub mod remove;
pub mod rename;
pub mod signal;
pub mod start;
pub mod status;
pub mod top;
pub mod update;

use thiserror::Error;

use super::image_source::ImageSourceError;
use super::prepare::PrepareError;
use super::record::RecordError;
use super::rootfs::RootfsError;
use super::store::StoreError;
use crate::spec::SpecError;

/// Why a lifecycle command failed; `exit_code` maps it to Docker's convention.
#[derive(Debug, Error)]
pub enum LifecycleError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    #[error(transparent)]
    Image(#[from] ImageSourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Rootfs(#[from] RootfsError),
    /// The command cannot run: 126 (not executable) or 127 (not found).
    #[error("{message}")]
    Command { code: u8, message: String },
    #[error(transparent)]
    Images(#[from] crate::runtime::images::ImageError),
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),
    #[error("container {id}: {step}: {reason}")]
    Runtime {
        id: String,
        step: &'static str,
        reason: String,
    },
    /// The read-only copies the monitor runs from could not be made.
    #[error("{0}")]
    MonitorBinaries(String),
    #[error("You cannot remove a running container {0}. Stop the container before attempting removal or force remove")]
    Running(String),
    #[error("container {0} is not running")]
    NotRunning(String),
    #[error("the working directory '{0}' is invalid, it needs to be an absolute path")]
    RelativeWorkdir(String),
    #[error("invalid signal: {0}")]
    InvalidSignal(String),
    #[error("Container {0} is already paused")]
    AlreadyPaused(String),
    #[error("Container {0} is not paused")]
    NotPaused(String),
    #[error("{0}: Renaming a container with the same name as its current name")]
    SameName(String),
}

impl LifecycleError {
    pub fn exit_code(&self) -> u8 {
        match self {
            LifecycleError::Command { code, .. } => *code,
            _ => 125,
        }
    }
}
