//! Running a spawn with this process's stdio on `/dev/null`: `exec -d`'s
//! process must not hold the caller's terminal or pipes (Docker discards a
//! detached exec's output), and libcontainer's tenant builder gives the new
//! process this process's fds 0–2. They are pointed at `/dev/null` for the
//! spawn and restored afterwards, so errors still reach the caller.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

use nix::unistd::{dup, dup2};

/// Runs `spawn` with fds 0, 1 and 2 on `/dev/null`, then puts them back.
pub fn with_null_stdio<T>(spawn: impl FnOnce() -> T) -> io::Result<T> {
    let null = File::options().read(true).write(true).open("/dev/null")?;
    let mut saved = Vec::new();
    for fd in 0..=2 {
        // SAFETY: dup returns a new descriptor that we own from here on.
        let copy =
            dup(fd).map(|raw| unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(raw) })?;
        saved.push(copy);
        dup2(null.as_raw_fd(), fd)?;
    }
    let result = spawn();
    for (fd, copy) in (0..=2).zip(&saved) {
        dup2(copy.as_raw_fd(), fd)?;
    }
    Ok(result)
}
