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
    if let Some(mut container) = state_dir.exists().then(|| load_state(&state_dir)).flatten() {
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

/// libcontainer 0.7 saves `state.json` in place (truncate, then write), so a
/// reader racing a save (at `start`, for instance) can find it empty or half
/// written and would take a running container for a dead one: a failed load
/// is retried for up to 100 ms (a saver preempted on a loaded host) before it
/// counts.
fn load_state(state_dir: &std::path::Path) -> Option<Container> {
    const ATTEMPTS: u32 = 25;
    for attempt in 1..=ATTEMPTS {
        match Container::load(state_dir.to_path_buf()) {
            Ok(container) => return Some(container),
            Err(_) if attempt < ATTEMPTS && state_dir.exists() => {
                std::thread::sleep(std::time::Duration::from_millis(4))
            }
            Err(_) => return None,
        }
    }
    None
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

/// The file naming the process that is creating (or, for the Emperor wrapper,
/// running in the foreground) a container: `<pid> <start time> <boot id>`.
/// While that process lives, `gc` leaves the container alone even before it
/// has a monitor. The boot id keeps a process of a later boot with the same
/// pid and start time (early boot is deterministic) from passing for it.
pub const OWNER_FILE: &str = "owner";

/// Records this process as the owner of the container in `dir`.
pub fn write_owner(dir: &std::path::Path) -> Result<(), crate::runtime::record::RecordError> {
    let pid = std::process::id() as i32;
    let start = start_time(pid).unwrap_or_default();
    crate::runtime::record::write_volatile_atomic(
        &dir.join(OWNER_FILE),
        format!("{pid} {start} {}", boot_id()).as_bytes(),
    )
}

/// The pid recorded in `dir`'s owner file.
pub fn owner_pid(dir: &std::path::Path) -> Option<i32> {
    std::fs::read_to_string(dir.join(OWNER_FILE))
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Whether the owner recorded in `dir` is still the same running process (a
/// recycled pid has another start time).
pub fn owner_alive(dir: &std::path::Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(OWNER_FILE)) else {
        return false;
    };
    let mut fields = text.split_whitespace();
    let (Some(Ok(pid)), Some(Ok(start)), Some(boot)) = (
        fields.next().map(str::parse::<i32>),
        fields.next().map(str::parse::<u64>),
        fields.next(),
    ) else {
        return false;
    };
    boot == boot_id() && start_time(pid) == Some(start)
}

/// This boot's id (`/proc/sys/kernel/random/boot_id`).
fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|id| id.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// A live (not zombie, not exiting) process's start time in clock ticks
/// since boot (`/proc/PID/stat` field 22). A process already in its exit
/// (`PF_EXITING` in field 9), e.g. a SIGKILLed wrapper waiting for its pid
/// namespace to empty, is as good as gone.
fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state).
    if matches!(fields.first(), None | Some(&"Z" | &"X")) {
        return None;
    }
    const PF_EXITING: u64 = 0x4;
    let flags: u64 = fields.get(6)?.parse().ok()?;
    if flags & PF_EXITING != 0 {
        return None;
    }
    fields.get(19)?.parse().ok()
}
