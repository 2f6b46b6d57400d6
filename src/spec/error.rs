//! The spec pipeline's error: every way a container configuration can be refused.
//!
//! Messages follow Docker's texts where Docker has one, prefixed by what was
//! wrong (the flag, field or value), so each fits on one line.

use thiserror::Error;

use super::mounts::MountError;
use super::seccomp::SeccompError;
use super::user::UserError;

#[derive(Debug, Error)]
pub enum SpecError {
    /// A command-line flag whose value does not parse.
    #[error("invalid argument \"{value}\" for \"{flag}\" flag: {reason}")]
    Flag {
        flag: &'static str,
        value: String,
        reason: String,
    },
    /// A resource setting outside what Docker accepts; `reason` is Docker's text.
    #[error("{setting} {value}: {reason}")]
    Resource {
        setting: &'static str,
        value: String,
        reason: String,
    },
    #[error("{0}")]
    Conflict(&'static str),
    #[error("no command specified")]
    NoCommand,
    #[error(transparent)]
    Mount(#[from] MountError),
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Seccomp(#[from] SeccompError),
    #[error("{reason}: {name:?}")]
    Capability { name: String, reason: &'static str },
    #[error("invalid {kind} mode: {value}")]
    Mode { kind: &'static str, value: String },
    #[error("invalid --security-opt {n}: {value:?}")]
    SecurityOpt { n: u8, value: String },
    #[error("sysctl {name:?}: {reason}")]
    Sysctl { name: String, reason: &'static str },
    #[error("hostname {0:?} is too long (maximum 64 bytes)")]
    HostnameTooLong(String),
    #[error("invalid hostname format: {0}")]
    Hostname(String),
    #[error("the working directory '{0}' is invalid, it needs to be an absolute path")]
    Workdir(String),
    #[error("invalid environment variable: {0}")]
    Env(String),
    #[error("invalid ulimit {value:?}: {reason}")]
    Ulimit { value: String, reason: String },
    #[error("invalid signal: {0}")]
    Signal(String),
    #[error("Invalid container name ({0}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")]
    Name(String),
    #[error("--init: {0}")]
    Init(&'static str),
    #[error("invalid extra host {value:?}: {reason}")]
    ExtraHost { value: String, reason: &'static str },
    #[error("invalid DNS server {0:?}: not an IP address")]
    Dns(String),
    #[error("--config {file}: {reason}")]
    ConfigJson { file: String, reason: String },
    #[error("invalid log option {value:?}: {reason}")]
    LogOption { value: String, reason: &'static str },
    #[error("No such container: {0}")]
    NoSuchContainer(String),
    #[error("invalid cgroup parent {0:?}: must not contain . or .. components")]
    CgroupParent(String),
    #[error("seccomp profile {0}: file was not read")]
    SeccompFile(String),
    /// A bug: the assembled spec does not parse as an OCI spec.
    #[error("internal error: generated spec is not a valid OCI spec: {0}")]
    Generated(serde_json::Error),
}
