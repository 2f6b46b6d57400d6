//! Why an OCI-mode command failed. Each message names the container id, path or
//! value at fault and fits on one line; every error exits 1, as runc's do.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum OciError {
    #[error("container {0} does not exist")]
    NotFound(String),
    #[error("container {0} already exists")]
    Exists(String),
    #[error("invalid container id {0:?}: use letters, digits and _ + - . only")]
    InvalidId(String),
    #[error("cannot {action} container {id}: it is {status}")]
    WrongState {
        id: String,
        status: String,
        action: &'static str,
    },
    #[error("container {id}: {step}: {reason}")]
    Runtime {
        id: String,
        step: &'static str,
        reason: String,
    },
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: io::Error },
    #[error("{path}: {reason}")]
    Spec { path: PathBuf, reason: String },
    #[error("{0}: processes left that SIGKILL did not end")]
    CgroupBusy(PathBuf),
    #[error("invalid signal: {0}")]
    InvalidSignal(String),
    #[error("hook {path}: {reason}")]
    Hook { path: PathBuf, reason: &'static str },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0} is not supported by vassalrun's OCI mode")]
    Unsupported(&'static str),
    #[error("protecting the vassalrun binary: {0}")]
    Protect(String),
    #[error("invalid --user {0:?}: expected UID[:GID]")]
    InvalidUser(String),
    #[error("invalid --cap {0:?}: not a capability name")]
    InvalidCapability(String),
    #[error("missing command: see --help")]
    MissingCommand,
    #[error("exec needs a command (ARGS) or --process FILE")]
    ExecNeedsCommand,
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

impl OciError {
    /// A libcontainer failure of `step` on container `id`, with its whole cause
    /// chain on one line.
    pub fn runtime(id: &str, step: &'static str, e: &dyn std::error::Error) -> OciError {
        OciError::Runtime {
            id: id.to_string(),
            step,
            reason: error_chain(e),
        }
    }

    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> OciError {
        let path = path.into();
        move |reason| OciError::Io { path, reason }
    }
}

/// `e: cause: cause…` on one line, skipping causes already in the text
/// (`#[error(transparent)]` wrappers repeat their source).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Error)]
    #[error("outer")]
    struct Outer(#[source] io::Error);

    #[test]
    fn test_error_chain_joins_causes_on_one_line() {
        let e = Outer(io::Error::other("inner\ncause"));
        assert_eq!(error_chain(&e), "outer: inner cause");
    }
}
