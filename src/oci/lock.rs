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

use nix::fcntl::{fcntl, FcntlArg};

use super::{OciContext, OciError};

/// A held lock on one container id; released when dropped.
pub struct IdLock {
    file: File,
    path: PathBuf,
}

impl IdLock {
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
