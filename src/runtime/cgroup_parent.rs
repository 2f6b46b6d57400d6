//! The cgroup parents vassalrun made (e.g. `/sys/fs/cgroup/vassalrun`) and
//! their removal once the last container under them has gone.
//!
//! libcontainer (libcgroups 0.7) creates every missing component of a
//! container's `cgroupsPath` but removes only the leaf, so the parent stayed
//! behind after the last container. Before a create, vassalrun records each
//! ancestor of the leaf that exists in no hierarchy as its own (a marker file
//! in `<state>/.cgroup-parents/`); when a container's cgroup is removed, the
//! marked ancestors are removed too, deepest first, if they are empty. A
//! parent that existed before (made by an admin, systemd or an engine) is
//! never touched.
//!
//! Race-safety against a concurrent create: a create holds a shared record
//! lock on `<state>/.cgroup-parents/.lock` from its check until its leaf
//! cgroup exists (a leaf makes its parent busy); a removal takes the lock
//! exclusively, so it never removes a parent between a create's check and
//! its leaf. Removals wait for each other (else two last containers leaving
//! at once could each see the other and both skip), but only for
//! [`RELEASE_WAIT`]: creates hold the lock for a build's duration, and a
//! parent left behind is harmless (the next removal or `gc` takes it). The
//! kernel's `rmdir` refuses a cgroup with children or processes in any case.
//! Record locks belong to the process and are not inherited by
//! libcontainer's forks.

use std::fs::{self, File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg};

use super::cgroups::cgroup_dirs;

/// Held by a create until its container's cgroup exists.
pub struct CreateGuard {
    _lock: Option<File>,
}

/// Before creating a container whose cgroup is `cgroups_path` (`/parent/id`):
/// takes the shared lock and marks the ancestors that do not exist yet as
/// made by vassalrun. Failing to record is not fatal: the parent then stays.
pub fn before_create(state_dir: &Path, cgroups_path: &str) -> CreateGuard {
    let dir = markers_dir(state_dir);
    let lock = fs::create_dir_all(&dir)
        .ok()
        .and_then(|()| lock(&dir, nix::libc::F_RDLCK, true));
    if lock.is_none() {
        tracing::warn!(
            "no lock on {}: a removal may race this create",
            dir.display()
        );
    }
    for ancestor in ancestors(cgroups_path) {
        if cgroup_dirs(&ancestor).is_empty() {
            let marker = dir.join(marker_name(&ancestor));
            if let Err(e) = fs::write(&marker, ancestor.as_bytes()) {
                tracing::warn!(
                    "recording cgroup parent {ancestor}: {}: {e}",
                    marker.display()
                );
            }
        }
    }
    CreateGuard { _lock: lock }
}

/// After the cgroup `cgroups_path` (`/parent/id`) was removed: removes its
/// ancestors vassalrun made, deepest first, while they are empty.
pub fn after_remove(state_dir: &Path, cgroups_path: &str) {
    let mut ancestors = ancestors(cgroups_path);
    ancestors.reverse();
    release(state_dir, &ancestors);
}

/// Removes `parent` (e.g. the default `vassalrun`) and its ancestors, those
/// vassalrun made, deepest first, while they are empty (`gc`).
pub fn release_parent(state_dir: &Path, parent: &str) {
    let mut ancestors = ancestors(&format!("{}/-", parent.trim_matches('/')));
    ancestors.reverse();
    release(state_dir, &ancestors);
}

fn release(state_dir: &Path, deepest_first: &[String]) {
    let dir = markers_dir(state_dir);
    let marked = |a: &String| dir.join(marker_name(a)).exists();
    if !deepest_first.iter().any(marked) {
        return;
    }
    let deadline = Instant::now() + RELEASE_WAIT;
    let _lock = loop {
        if let Some(lock) = lock(&dir, nix::libc::F_WRLCK, false) {
            break lock;
        }
        if Instant::now() >= deadline {
            return; // left for the next removal
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    for ancestor in deepest_first {
        let marker = dir.join(marker_name(ancestor));
        if !marker.exists() {
            return; // not ours, nor anything above it
        }
        // rmdir fails with EBUSY while a child cgroup or a process is there.
        let left: Vec<PathBuf> = cgroup_dirs(ancestor)
            .into_iter()
            .filter(|d| fs::remove_dir(d).is_err() && d.exists())
            .collect();
        if !left.is_empty() {
            return;
        }
        let _ = fs::remove_file(&marker);
    }
}

/// How long a removal waits for creates and other removals to finish.
const RELEASE_WAIT: Duration = Duration::from_secs(5);

fn markers_dir(state_dir: &Path) -> PathBuf {
    state_dir.join(".cgroup-parents")
}

/// The proper ancestors of a cgroup path, shallowest first:
/// `/a/b/id` → `a`, `a/b`.
fn ancestors(cgroups_path: &str) -> Vec<String> {
    let parts: Vec<&str> = cgroups_path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    (1..parts.len()).map(|n| parts[..n].join("/")).collect()
}

/// A file name for a cgroup path (`a/b` → `a%2Fb`).
fn marker_name(ancestor: &str) -> String {
    ancestor.replace('%', "%25").replace('/', "%2F")
}

/// Opens `<dir>/.lock` and takes a record lock of `kind` on it, waiting for
/// it when `wait`; `None` when not taken.
fn lock(dir: &Path, kind: i32, wait: bool) -> Option<File> {
    let path = dir.join(".lock");
    // Read and write: a shared (read) lock needs a readable descriptor.
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .ok()?;
    // SAFETY: an all-zero `flock` is a valid value; the fields that matter are set below.
    let mut request: nix::libc::flock = unsafe { std::mem::zeroed() };
    request.l_type = kind as i16;
    request.l_whence = nix::libc::SEEK_SET as i16;
    loop {
        let result = if wait {
            fcntl(file.as_raw_fd(), FcntlArg::F_SETLKW(&request))
        } else {
            fcntl(file.as_raw_fd(), FcntlArg::F_SETLK(&request))
        };
        match result {
            Ok(_) => return Some(file),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_are_the_proper_prefixes() {
        assert_eq!(ancestors("/vassalrun/abc"), vec!["vassalrun"]);
        assert_eq!(ancestors("a/b/id"), vec!["a", "a/b"]);
        assert!(ancestors("/id").is_empty());
    }

    #[test]
    fn marker_names_are_single_file_names() {
        assert_eq!(marker_name("a/b%c"), "a%2Fb%25c");
    }
}
