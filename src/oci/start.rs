//! `start ID`: lets a created container's init run its startContainer hooks
//! and exec the user process, then runs the poststart hooks. Starting twice,
//! or a stopped container, fails naming its status.
//!
//! This is libcontainer's `Container::start` with one change: libcontainer
//! runs poststart as soon as it has signalled the init, so the hooks race the
//! init's startContainer hooks and exec. The OCI runtime spec orders them
//! after the user process has started, so we wait for the init's exec (its
//! `/proc/<pid>/exe` stops being this binary) before running them.

use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use libcontainer::config::YoukiConfig;
use libcontainer::container::{Container, ContainerStatus};
use libcontainer::notify_socket::{NotifySocket, NOTIFY_FILE};

use super::lock::IdLock;
use super::state::{load, refresh, validate_id, wrong_state};
use super::{OciContext, OciError};

/// How long `start` waits for the init to exec before running poststart anyway.
const EXEC_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(clap::Args, Debug)]
pub struct StartArgs {
    /// The container id
    pub id: String,
}

pub fn run_start(ctx: &OciContext, args: &StartArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let _lock = IdLock::acquire_existing(ctx, &args.id)?;
    let mut container = load(ctx, &args.id)?;
    start(&mut container)?;
    Ok(0)
}

/// Starts a created container (the caller holds its lock).
pub fn start(container: &mut Container) -> Result<(), OciError> {
    let id = container.id().to_string();
    refresh(container)?;
    if container.status() != ContainerStatus::Created {
        return Err(wrong_state(container, "start"));
    }
    let config =
        YoukiConfig::load(&container.root).map_err(|e| OciError::runtime(&id, "start", &e))?;
    NotifySocket::new(container.root.join(NOTIFY_FILE))
        .notify_container_start()
        .map_err(|e| OciError::runtime(&id, "start", &e))?;
    container
        .set_status(ContainerStatus::Running)
        .save()
        .map_err(|e| OciError::runtime(&id, "save state", &e))?;
    let Some(poststart) = config.hooks.as_ref().and_then(|h| h.poststart().clone()) else {
        return Ok(());
    };
    if let Some(pid) = container.pid() {
        wait_for_exec(pid.as_raw());
    }
    // The spec: a failed poststart hook is a warning; the container runs on.
    super::hooks::run_each_warning(&id, "poststart", &poststart, &container.state);
    Ok(())
}

/// Waits until process `pid` runs another binary than this one, or is gone.
fn wait_for_exec(pid: i32) {
    let Ok(ours) = std::fs::metadata("/proc/self/exe") else {
        return;
    };
    let deadline = Instant::now() + EXEC_TIMEOUT;
    while Instant::now() < deadline {
        match std::fs::metadata(format!("/proc/{pid}/exe")) {
            Ok(exe) if exe.dev() == ours.dev() && exe.ino() == ours.ino() => {
                std::thread::sleep(Duration::from_millis(2));
            }
            _ => return,
        }
    }
}
