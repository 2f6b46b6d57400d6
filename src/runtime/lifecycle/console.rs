//! The console socket of a container with a terminal (`-t`): libcontainer's
//! init opens a pty, keeps the slave as the container's stdio and sends the
//! master here by SCM_RIGHTS; the monitor then owns it.

use std::io;
use std::io::IoSliceMut;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags, SockType, UnixAddr};

use crate::runtime::attach::socket::{accept_one, listen_at};

pub struct ConsoleSocket {
    listener: OwnedFd,
    path: PathBuf,
}

impl ConsoleSocket {
    pub fn listen(path: &Path) -> io::Result<ConsoleSocket> {
        Ok(ConsoleSocket {
            listener: listen_at(path, SockType::Stream)?,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Receives the pty master sent while the container was built.
    pub fn receive_master(self) -> io::Result<OwnedFd> {
        let connection = wait_accept(&self.listener)?;
        let _ = std::fs::remove_file(&self.path);
        let mut ready = [PollFd::new(connection.as_fd(), PollFlags::POLLIN)];
        poll(&mut ready, PollTimeout::from(10_000u16))?;
        let mut payload = [0u8; 64];
        let mut iov = [IoSliceMut::new(&mut payload)];
        let mut space = nix::cmsg_space!([std::os::fd::RawFd; 1]);
        let message = recvmsg::<UnixAddr>(
            connection.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )?;
        for cmsg in message.cmsgs()? {
            if let ControlMessageOwned::ScmRights(fds) = cmsg {
                if let Some(&fd) = fds.first() {
                    // SAFETY: the kernel installed this descriptor for us alone.
                    return Ok(unsafe { OwnedFd::from_raw_fd(fd) });
                }
            }
        }
        Err(io::Error::other("the container sent no terminal"))
    }
}

fn wait_accept(listener: &OwnedFd) -> io::Result<OwnedFd> {
    let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    poll(&mut fds, PollTimeout::from(10_000u16))?;
    accept_one(listener)?.ok_or_else(|| io::Error::other("the container never sent its terminal"))
}
