//! A container's current state, from libcontainer's state and our exit record.

use libcontainer::container::{Container, ContainerStatus};

use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::{read_json, ExitRecord};

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Created,
    Running {
        pid: i32,
    },
    Exited(ExitRecord),
    /// Neither running nor with an exit record (e.g. `create` or the monitor was killed).
    Dead,
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Created => "created",
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
                    return Status::Running { pid: pid.as_raw() };
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
