//! OCI runtime mode: runc's command grammar (`create`, `start`, `state`, `kill`,
//! `delete`, `run`, `exec`, `list`, `ps`, `pause`, `resume`, `features`, `spec`),
//! so Podman, containerd and Kubernetes can drive vassalrun as they drive runc.
//!
//! In this mode the bundle's `config.json` runs as given (no Docker defaults),
//! through libcontainer, whose own `state.json` per container under the state
//! root (`--root`) is the state; vassalrun adds a per-id lock ([`lock`]), the
//! protected binary ([`protect`]), the init's identity beyond its pid
//! ([`init_pid`]), runc's log format ([`log`]) and runc's behaviour where the
//! OCI runtime spec is silent.
//!
//! One file per command; [`dispatch`] holds the rule that selects this mode.

pub mod create;
pub mod delete;
pub mod dispatch;
pub mod error;
pub mod exec;
pub mod features;
pub mod foreground;
pub mod hook_state;
pub mod hooks;
pub mod init_pid;
pub mod kill;
pub mod late_seccomp;
pub mod list;
pub mod lock;
pub mod log;
pub mod pause;
pub mod preflight;
pub mod protect;
pub mod shown_spec;
pub mod sigpipe;
pub mod spec;
pub mod start;
pub mod state;
pub mod update;

use std::path::PathBuf;

pub use error::OciError;

/// What every command needs: where state lives and how cgroups are driven.
#[derive(Debug, Clone)]
pub struct OciContext {
    /// The state root: one directory per container (libcontainer's state).
    pub root: PathBuf,
    /// `--systemd-cgroup` (unsupported by this build: refused at create).
    pub systemd_cgroup: bool,
}

impl OciContext {
    /// The state directory of container `id` (not necessarily existing).
    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// Where the read-only mount of the binary lives (`<root>/.protected/bin/
    /// vassalrun`): under the state root, so a client's `--root` (Podman,
    /// containerd) isolates everything this mode keeps, and nothing depends on
    /// environment variables, which those clients do not pass on.
    pub fn protected_dir(&self) -> PathBuf {
        self.root.join(".protected")
    }
}
