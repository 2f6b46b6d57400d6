//! Removing a container's cgroup ourselves, in every hierarchy (v1 controllers,
//! the v2 unified tree): for containers whose libcontainer state is gone or
//! unreadable (a monitor killed mid-way), where libcontainer cannot do it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The directories of cgroup `relative` (e.g. `vassalrun/<id>`) that exist.
pub fn cgroup_dirs(relative: &str) -> Vec<PathBuf> {
    let relative = relative.trim_matches('/');
    let root = Path::new("/sys/fs/cgroup");
    let mut dirs = vec![root.join(relative)];
    if let Ok(entries) = fs::read_dir(root) {
        dirs.extend(entries.flatten().map(|e| e.path().join(relative)));
    }
    dirs.sort();
    dirs.dedup();
    dirs.into_iter().filter(|d| d.is_dir()).collect()
}

/// SIGKILLs the processes of each directory of cgroup `relative` and removes
/// it; returns the directories removed.
pub fn kill_and_remove(relative: &str) -> Vec<PathBuf> {
    cgroup_dirs(relative)
        .into_iter()
        .filter(|dir| kill_and_remove_dir(dir))
        .collect()
}

fn kill_dir(dir: &Path) {
    for pid in fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
    {
        if let Ok(pid) = pid.trim().parse::<i32>() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

fn kill_and_remove_dir(dir: &Path) -> bool {
    kill_dir(dir);
    // rmdir succeeds once the killed processes have left.
    for _ in 0..100 {
        if fs::remove_dir(dir).is_ok() || !dir.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}
