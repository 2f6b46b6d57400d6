//! The wrapper's fd table before the container is built: the Emperor's fds
//! keep their numbers (`UWSGI_EMPEROR_FD` names them), and nothing else may
//! reach the container.
//!
//! libcontainer keeps fds 0..3+N open across the container's exec
//! (`preserve_fds = N`) and marks every higher fd close-on-exec. So N covers
//! the highest Emperor fd; any other fd below it is made close-on-exec, and
//! every free number below it is taken by a close-on-exec `/dev/null`, so that
//! the fds libcontainer itself opens land above the preserved range.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use nix::fcntl::{fcntl, FcntlArg, FdFlag, OFlag};

/// The placeholders; closed on drop.
pub struct FdLayout {
    pub preserved_fds: i32,
    placeholders: Vec<OwnedFd>,
}

impl FdLayout {
    /// Arranges fds 3..=max(`keep`) and returns the count to preserve.
    pub fn arrange(keep: &[RawFd]) -> std::io::Result<FdLayout> {
        let highest = keep.iter().copied().max().unwrap_or(2).max(2);
        for fd in 3..=highest {
            if keep.contains(&fd) {
                fcntl(fd, FcntlArg::F_SETFD(FdFlag::empty()))?;
            } else if fcntl(fd, FcntlArg::F_GETFD).is_ok() {
                fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC))?;
            }
        }
        let mut placeholders = Vec::new();
        loop {
            let null: OwnedFd = nix::fcntl::open(
                "/dev/null",
                OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )
            .map(|fd| {
                // SAFETY: open just returned this fd, owned by nobody else.
                unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) }
            })?;
            if null.as_raw_fd() > highest {
                break;
            }
            placeholders.push(null);
        }
        Ok(FdLayout {
            preserved_fds: highest - 2,
            placeholders,
        })
    }

    /// Closes the placeholders and the kept fds (once the container has its copies).
    pub fn release(self, keep: &[RawFd]) {
        drop(self.placeholders);
        for fd in keep {
            let _ = nix::unistd::close(*fd);
        }
    }
}

/// Whether `fd` is a socket (the Emperor's on-demand socket on fd 0).
pub fn is_socket(fd: RawFd) -> bool {
    nix::sys::stat::fstat(fd).is_ok_and(|st| {
        nix::sys::stat::SFlag::from_bits_truncate(st.st_mode) & nix::sys::stat::SFlag::S_IFMT
            == nix::sys::stat::SFlag::S_IFSOCK
    })
}
