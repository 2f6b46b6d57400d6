//! Starting the cgroup migration's RCU grace period early.
//!
//! Every write to a `cgroup.procs` file takes the kernel's global
//! `cgroup_threadgroup_rwsem` for writing, and a percpu rwsem's first writer
//! waits a full RCU grace period (`rcu_sync_enter`, 7–21 ms on this machine)
//! unless another writer held it within the last grace period or so. The
//! container's migration (libcgroups' manager writing the intermediate
//! process's pid, in the monitor) is that first writer on every run: it was
//! the largest single phase of `run --rm` (13.8 ms of 43).
//!
//! So a command that is about to have a monitor create a container starts
//! no-op migrations at once, on a helper thread: the helper writes `0`
//! (itself) to the `cgroup.procs` of the cgroup it already is in. Its first
//! write waits the grace period while the command does its own set-up
//! (image, spec, records, overlay, monitor start-up: ~9 ms). The kernel
//! leaves the "writer recently" state one grace period after the last writer
//! (`rcu_sync_exit`), and the set-up can outlast that on a loaded machine, so
//! the helper writes again every few milliseconds (each such write is
//! cheap: no wait) until the command has its container, i.e. until the
//! [`WarmUp`] guard is dropped. The container's migration then finds the
//! state warm and does not wait. Nothing moves: the destination is the
//! source. Any failure is ignored — this is only a head start.
//!
//! The cost: while the state is warm, the kernel's `fork`/`exit` paths take
//! the rwsem's slower shared path (as they do during any migration, and
//! always with the `favordynmods` mount option); for ~10–50 ms per create.
//!
//! The helper is a thread of the client, never of the monitor: the monitor
//! forks libcontainer's processes and must stay single-threaded. The client
//! only forks to exec (the monitor), which is safe beside a thread. All
//! signals are blocked in the helper, so signals meant for a foreground
//! `run`'s `sigwait` are never delivered to it. A process cannot exit while
//! the helper is inside the kernel's wait (one grace period at most), so it
//! is only started by commands that go on to spawn a monitor.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow};
use nix::sys::statfs::{statfs, FsType, CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC};

/// How often the helper migrates again: well within one grace period.
const INTERVAL: Duration = Duration::from_millis(3);
/// The helper stops by itself after this long, whatever happens.
const LIMIT: Duration = Duration::from_secs(2);

/// Keeps the helper migrating until dropped.
pub struct WarmUp {
    stop: Option<Arc<AtomicBool>>,
}

impl Drop for WarmUp {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

/// Starts the no-op migrations on a helper thread (best effort).
pub fn start() -> WarmUp {
    let Some(procs) =
        own_cgroup_procs().and_then(|p| std::fs::OpenOptions::new().write(true).open(p).ok())
    else {
        return WarmUp { stop: None };
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let mut previous = SigSet::empty();
    // The thread inherits the mask: blocked from its first instruction.
    if pthread_sigmask(
        SigmaskHow::SIG_SETMASK,
        Some(&SigSet::all()),
        Some(&mut previous),
    )
    .is_err()
    {
        return WarmUp { stop: None };
    }
    let spawned = std::thread::Builder::new()
        .name("cgroup-warmup".into())
        .stack_size(64 * 1024)
        .spawn(move || migrate_until(procs, &flag));
    let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&previous), None);
    WarmUp {
        stop: spawned.is_ok().then_some(stop),
    }
}

/// Writes `0` (this process) to the `cgroup.procs` it is already listed in,
/// again every [`INTERVAL`] until told to stop.
fn migrate_until(mut procs: File, stop: &AtomicBool) {
    let deadline = Instant::now() + LIMIT;
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        if procs.write_all(b"0").is_err() {
            return;
        }
        std::thread::sleep(INTERVAL);
    }
}

/// This process's `cgroup.procs`: in the v2 (unified) hierarchy when one is
/// mounted (it exists on v2 and hybrid hosts and has no v1 controller whose
/// attach callbacks could run), else in a v1 hierarchy found at
/// `/sys/fs/cgroup/<name>`. No mountinfo scan: `statfs` confirms that the
/// expected mount point is a cgroup file system.
fn own_cgroup_procs() -> Option<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let lines = || {
        text.lines().filter_map(|line| {
            let mut fields = line.splitn(3, ':');
            let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
            Some((controllers, path.trim_start_matches('/')))
        })
    };
    let unified = lines().find(|(controllers, _)| controllers.is_empty());
    let v2 = unified.and_then(|(_, relative)| {
        ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
            .into_iter()
            .map(Path::new)
            .find(|mount| is_fs(mount, CGROUP2_SUPER_MAGIC))
            .map(|mount| mount.join(relative))
    });
    let procs_dir = v2.or_else(|| {
        lines()
            .filter(|(controllers, _)| !controllers.is_empty())
            .map(|(controllers, relative)| {
                let name = controllers.trim_start_matches("name=");
                (Path::new("/sys/fs/cgroup").join(name), relative)
            })
            .find(|(mount, _)| is_fs(mount, CGROUP_SUPER_MAGIC))
            .map(|(mount, relative)| mount.join(relative))
    })?;
    Some(procs_dir.join("cgroup.procs"))
}

fn is_fs(path: &Path, magic: FsType) -> bool {
    statfs(path).is_ok_and(|s| s.filesystem_type() == magic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_own_cgroup_procs_names_an_existing_file() {
        // Every Linux host running the tests has some cgroup file system.
        if let Some(procs) = own_cgroup_procs() {
            assert!(procs.ends_with("cgroup.procs"));
            assert!(procs.exists(), "{}", procs.display());
        }
    }
}
