//! A container's current state, from libcontainer's state and our exit record.

use libcontainer::container::{Container, ContainerStatus};

use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::{read_json, ExitRecord};

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Created,
    Running {
        pid: i32,
        /// Frozen by `pause` (Docker shows it as running and paused).
        paused: bool,
    },
    Exited(ExitRecord),
    /// Neither running nor with an exit record (e.g. `create` or the monitor was killed).
    Dead,
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running { paused: true, .. } => "paused",
            Status::Running { .. } => "running",
            Status::Exited(_) => "exited",
            Status::Dead => "dead",
        }
    }
}

/// Reads the status without taking the container lock.
pub fn status(layout: &Layout, id: &str) -> Status {
    let state_dir = layout.libcontainer_root().join(id);
    if let Some(mut container) = state_dir
        .exists()
        .then(|| Container::load(state_dir).ok())
        .flatten()
    {
        let _ = container.refresh_status();
        match container.status() {
            ContainerStatus::Created | ContainerStatus::Creating => return Status::Created,
            ContainerStatus::Running | ContainerStatus::Paused => {
                if let Some(pid) = container.pid() {
                    return Status::Running {
                        pid: pid.as_raw(),
                        paused: container.status() == ContainerStatus::Paused,
                    };
                }
            }
            ContainerStatus::Stopped => {}
        }
    }
    let dir = layout.container_dir(id);
    match read_json::<ExitRecord>(&ContainerFiles(&dir).exit()) {
        Ok(Some(exit)) => Status::Exited(exit),
        _ => Status::Dead,
    }
}

/// Whether the monitor recorded in `monitor.pid` is still running: the pid
/// exists, is not a zombie, and is a vassalrun monitor of this container (a
/// recycled pid is not).
pub fn monitor_alive(dir: &std::path::Path) -> bool {
    let Some(pid) = monitor_pid(dir) else {
        return false;
    };
    let proc_dir = std::path::Path::new("/proc").join(pid.to_string());
    let stat = std::fs::read_to_string(proc_dir.join("stat")).unwrap_or_default();
    // The state follows the parenthesised command name.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    if matches!(state, None | Some('Z' | 'X')) {
        return false;
    }
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cmdline = std::fs::read(proc_dir.join("cmdline")).unwrap_or_default();
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    args.windows(2)
        .any(|w| w[0] == b"monitor" && w[1] == id.as_bytes())
}

/// The pid the container's monitor recorded in `monitor.pid`.
pub fn monitor_pid(dir: &std::path::Path) -> Option<i32> {
    std::fs::read_to_string(dir.join("monitor.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()
}
