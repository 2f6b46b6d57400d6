//! A container dies with its monitor, enforced by the kernel: the monitor is
//! started as pid 1 of a pid namespace of its own, and libcontainer creates
//! the container's pid namespace inside it. When a namespace's init dies,
//! however it dies, the kernel kills every process in it and in the
//! namespaces nested in it — so a SIGKILLed monitor leaves no container
//! behind, and no extra process is needed to make it so.
//!
//! The monitor sees its children's pids in its own namespace; `/proc` is the
//! host's, so `/proc/self` and `/proc/<pid>/task/<tid>/children` give the
//! host's view, which is what state files and other commands use.

use std::fs::File;
use std::io;

use nix::sched::{setns, unshare, CloneFlags};
use nix::unistd::Pid;

/// Runs `spawn` with new children created in a new pid namespace (so the
/// child it starts is that namespace's init); this process's later children
/// are created in its own namespace again.
pub fn in_new_pid_namespace<T>(spawn: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    let own = File::open("/proc/self/ns/pid")?;
    unshare(CloneFlags::CLONE_NEWPID)?;
    let spawned = spawn();
    setns(&own, CloneFlags::CLONE_NEWPID)?;
    spawned
}

/// This process's pid as the host sees it (its own namespace may say 1).
pub fn host_pid_of_self() -> io::Result<i32> {
    let link = std::fs::read_link("/proc/self")?;
    link.to_string_lossy()
        .parse()
        .map_err(|_| io::Error::other(format!("/proc/self points to {}", link.display())))
}

/// The host pid of this process's only child (the container's init, once
/// libcontainer has reaped its intermediate process).
pub fn host_pid_of_only_child() -> io::Result<Pid> {
    let me = host_pid_of_self()?;
    let children = std::fs::read_to_string(format!("/proc/{me}/task/{me}/children"))?;
    let mut pids = children
        .split_whitespace()
        .filter_map(|p| p.parse::<i32>().ok());
    match (pids.next(), pids.next()) {
        (Some(pid), None) => Ok(Pid::from_raw(pid)),
        _ => Err(io::Error::other(format!(
            "expected the container's init as the monitor's only child, found: {}",
            children.trim()
        ))),
    }
}
