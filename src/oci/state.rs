//! Loading a container's libcontainer state and `state ID`: the OCI state JSON
//! runc prints (OCI fields plus runc's `rootfs`, `created` and `owner`):
//!
//! ```json
//! {"ociVersion":"1.2.1","id":"c1","pid":4242,"status":"running",
//!  "bundle":"/srv/b","rootfs":"/srv/b/rootfs","created":"2024-05-01T10:00:00.1Z","owner":""}
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use libcontainer::container::{Container, ContainerStatus};
use serde::Serialize;

use super::{init_pid, OciContext, OciError};

#[derive(clap::Args, Debug)]
pub struct StateArgs {
    /// The container id
    pub id: String,
}

/// The OCI state of one container.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OciState {
    pub oci_version: String,
    pub id: String,
    pub pid: i32,
    pub status: &'static str,
    pub bundle: PathBuf,
    pub rootfs: PathBuf,
    pub created: String,
    pub owner: String,
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub annotations: HashMap<String, String>,
}

/// `state ID`: prints the container's OCI state.
pub fn run_state(ctx: &OciContext, args: &StateArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let mut container = load(ctx, &args.id)?;
    refresh(&mut container)?;
    let state = oci_state(&container);
    println!(
        "{}",
        serde_json::to_string_pretty(&state).expect("state serializes")
    );
    Ok(0)
}

/// runc's id rule (letters, digits, `_ + - .`), minus a leading dot, which
/// would collide with the lock directory and hidden files.
pub fn validate_id(id: &str) -> Result<(), OciError> {
    let valid_chars = id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-' | '.'));
    if id.is_empty() || id.starts_with('.') || id.len() > 1024 || !valid_chars {
        return Err(OciError::InvalidId(id.to_string()));
    }
    Ok(())
}

/// Loads container `id`. libcontainer rewrites `state.json` in place, so a
/// reader racing a writer can see it half-written: unreadable state is
/// retried for a moment before it counts as an error.
pub fn load(ctx: &OciContext, id: &str) -> Result<Container, OciError> {
    let dir = ctx.container_dir(id);
    let mut attempts = 0;
    loop {
        if !dir.is_dir() {
            return Err(OciError::NotFound(id.to_string()));
        }
        match Container::load(dir.clone()) {
            Ok(container) => return Ok(container),
            Err(e) if attempts >= 50 => return Err(OciError::runtime(id, "load state", &e)),
            Err(_) => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// Updates the status from the init's liveness: a dead or zombie init, or a
/// process that merely reuses its pid ([`init_pid`]), means stopped.
pub fn refresh(container: &mut Container) -> Result<(), OciError> {
    let id = container.id().to_string();
    container
        .refresh_status()
        .map_err(|e| OciError::runtime(&id, "read status", &e))?;
    if container.status() != ContainerStatus::Stopped && !init_pid::is_running(container) {
        container.set_status(ContainerStatus::Stopped);
    }
    Ok(())
}

pub fn status_name(status: ContainerStatus) -> &'static str {
    match status {
        ContainerStatus::Creating => "creating",
        ContainerStatus::Created => "created",
        ContainerStatus::Running => "running",
        ContainerStatus::Stopped => "stopped",
        ContainerStatus::Paused => "paused",
    }
}

/// The error for a command the container's status does not allow.
pub fn wrong_state(container: &Container, action: &'static str) -> OciError {
    OciError::WrongState {
        id: container.id().to_string(),
        status: status_name(container.status()).to_string(),
        action,
    }
}

pub fn oci_state(container: &Container) -> OciState {
    let status = container.status();
    let pid = match status {
        ContainerStatus::Stopped => 0,
        _ => container.pid().map_or(0, |p| p.as_raw()),
    };
    OciState {
        oci_version: oci_spec::runtime::VERSION.to_string(),
        id: container.id().to_string(),
        pid,
        status: status_name(status),
        bundle: container.bundle().clone(),
        rootfs: rootfs_of(container.bundle()),
        created: container
            .created()
            .map(|c| c.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
            .unwrap_or_default(),
        owner: container
            .creator()
            .map(|c| c.to_string_lossy().into_owned())
            .unwrap_or_default(),
        annotations: container.state.annotations.clone().unwrap_or_default(),
    }
}

/// The bundle's root filesystem, absolute ("" if the bundle is unreadable now).
fn rootfs_of(bundle: &Path) -> PathBuf {
    oci_spec::runtime::Spec::load(bundle.join("config.json"))
        .ok()
        .and_then(|spec| spec.root().as_ref().map(|r| bundle.join(r.path())))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_validate_id_table() {
        for good in ["c1", "a.b", "A_b+c-d", "x".repeat(64).as_str()] {
            assert!(validate_id(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", ".hidden", "a/b", "a b", "ü", "a:b"] {
            assert!(
                matches!(validate_id(bad), Err(OciError::InvalidId(_))),
                "{bad}"
            );
        }
    }
}
