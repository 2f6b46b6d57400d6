//! The per-container lock: every command that changes a container (create,
//! start, kill, delete, pause, resume) holds it, so two concurrent `create`s of
//! one id have exactly one winner and no command sees another's half-written
//! libcontainer `state.json`.
//!
//! It is a POSIX record lock (`fcntl(F_SETLKW)`), not `flock`: a created
//! container's init is a fork of `create` that keeps every descriptor open
//! until `start` execs it, and a `flock` would travel with the descriptor and
//! stay held for that long; record locks belong to the process and are not
//! inherited by fork. The lock files live in `<root>/.locks/` (container ids
//! never start with a dot, so no container directory can collide with it, nor
//! with `<root>/.protected/`).

use std::fs::{self, File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::PathBuf;

use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::{OciContext, OciError};

/// A held lock on one container id; released when dropped.
pub struct IdLock {
    file: File,
    path: PathBuf,
}

impl IdLock {
    /// [`IdLock::acquire`] for a command on an existing container (start,
    /// kill, pause, resume): an unknown id is "not found" and leaves no lock
    /// file behind, as runc leaves nothing.
    pub fn acquire_existing(ctx: &OciContext, id: &str) -> Result<IdLock, OciError> {
        let lock = IdLock::acquire(ctx, id)?;
        if !ctx.container_dir(id).is_dir() {
            lock.remove();
            return Err(OciError::NotFound(id.to_string()));
        }
        Ok(lock)
    }

    /// Waits for and takes the lock of `id`. Without a state root no container
    /// exists, and none is made here (`create` makes the root first).
    pub fn acquire(ctx: &OciContext, id: &str) -> Result<IdLock, OciError> {
        if !ctx.root.is_dir() {
            return Err(OciError::NotFound(id.to_string()));
        }
        let dir = ctx.root.join(".locks");
        fs::create_dir_all(&dir).map_err(OciError::io(&dir))?;
        let path = dir.join(id);
        loop {
            let file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&path)
                .map_err(OciError::io(&path))?;
            lock_whole_file(&file).map_err(|e| OciError::Io {
                path: path.clone(),
                reason: e.into(),
            })?;
            // A `delete` may have unlinked the file while we waited: then the
            // lock is on a file nobody else will find; take the new one.
            if is_current(&file, &path) {
                return Ok(IdLock { file, path });
            }
        }
    }

    /// SIGKILLs every other process holding this lock file open and waits
    /// (up to 2 s) for them to go. Under the lock, those can only be forks of
    /// a `create` that died (its libcontainer intermediate, or an init that
    /// never reached `start`): they keep its descriptors until they exec, and
    /// may still be joining or making the container's cgroup.
    /// Returns whether there were any.
    pub fn kill_other_holders(&self) -> bool {
        let Ok(ours) = self.file.metadata() else {
            return false;
        };
        let holders: Vec<Pid> = processes()
            .filter(|pid| *pid != Pid::this() && holds_file(*pid, ours.dev(), ours.ino()))
            .collect();
        for pid in &holders {
            let _ = kill(*pid, Signal::SIGKILL);
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while holders.iter().any(|pid| is_alive(*pid)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        !holders.is_empty()
    }

    /// Removes the lock file (the container is gone), then releases the lock.
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
        drop(self.file);
    }
}

fn lock_whole_file(file: &File) -> nix::Result<()> {
    // SAFETY: an all-zero `flock` is a valid value; the fields that matter are set below.
    let mut request: nix::libc::flock = unsafe { std::mem::zeroed() };
    request.l_type = nix::libc::F_WRLCK as i16;
    request.l_whence = nix::libc::SEEK_SET as i16;
    loop {
        match fcntl(file.as_raw_fd(), FcntlArg::F_SETLKW(&request)) {
            Err(nix::errno::Errno::EINTR) => continue,
            other => return other.map(|_| ()),
        }
    }
}

fn is_current(file: &File, path: &std::path::Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(on_disk)) => held.dev() == on_disk.dev() && held.ino() == on_disk.ino(),
        _ => false,
    }
}

fn processes() -> impl Iterator<Item = Pid> {
    fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .map(Pid::from_raw)
}

/// Whether `pid` has a descriptor open on the file `dev`/`ino`.
fn holds_file(pid: Pid, dev: u64, ino: u64) -> bool {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .filter_map(|fd| fs::metadata(fd.path()).ok())
        .any(|m| m.dev() == dev && m.ino() == ino)
}

/// Alive and not a zombie (a zombie's descriptors are already closed).
fn is_alive(pid: Pid) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| Some(stat.rsplit_once(") ")?.1.starts_with('Z')))
        .is_some_and(|zombie| !zombie)
}
