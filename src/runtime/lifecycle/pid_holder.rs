//! A container dies with its monitor, enforced by the kernel: before the
//! container is created the monitor moves its future children into a new pid
//! namespace whose pid 1 is a tiny holder process with `PR_SET_PDEATHSIG =
//! SIGKILL`. libcontainer then creates the container's own pid namespace
//! inside it. When the monitor dies, however it dies, the kernel kills the
//! holder, and with a pid namespace's init every process in it and in the
//! namespaces nested in it.
//!
//! libcontainer learns the init's pid from its intermediate process, which
//! now lives in the holder's namespace, so the pid it records is translated
//! back to the host's view afterwards ([`PidHolder::host_init_pid`]).

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

use nix::sched::{setns, unshare, CloneFlags};
use nix::unistd::{fork, pipe2, ForkResult, Pid};

pub struct PidHolder {
    pid: Pid,
    host_namespace: File,
    /// Held open for the holder's life: its EOF tells a holder that started
    /// after the monitor had already died.
    _alive: OwnedFd,
}

impl PidHolder {
    /// Starts the holder. Call it from the single-threaded monitor, before
    /// the container is built.
    pub fn start() -> io::Result<PidHolder> {
        let host_namespace = File::open("/proc/self/ns/pid")?;
        let (alive_read, alive_write) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        unshare(CloneFlags::CLONE_NEWPID)?;
        // SAFETY: the monitor is single-threaded here; the child only makes
        // async-signal-safe calls (prctl, close_range, read, pause, _exit).
        match unsafe { fork() } {
            Ok(ForkResult::Child) => hold(alive_read.as_raw_fd()),
            Ok(ForkResult::Parent { child }) => {
                drop(alive_read);
                Ok(PidHolder {
                    pid: child,
                    host_namespace,
                    _alive: alive_write,
                })
            }
            Err(e) => {
                let _ = setns(&host_namespace, CloneFlags::CLONE_NEWPID);
                Err(e.into())
            }
        }
    }

    /// Children created from now on are created in the host's namespace again.
    pub fn leave(&self) -> io::Result<()> {
        Ok(setns(&self.host_namespace, CloneFlags::CLONE_NEWPID)?)
    }

    /// The container init's pid as the host sees it: the monitor's child that
    /// is not the holder (the intermediate process is reaped by then).
    pub fn host_init_pid(&self) -> io::Result<Pid> {
        let me = std::process::id();
        let children = std::fs::read_to_string(format!("/proc/{me}/task/{me}/children"))?;
        let mut others = children
            .split_whitespace()
            .filter_map(|p| p.parse::<i32>().ok())
            .filter(|&p| p != self.pid.as_raw());
        match (others.next(), others.next()) {
            (Some(pid), None) => Ok(Pid::from_raw(pid)),
            _ => Err(io::Error::other(format!(
                "cannot tell the container's init among the monitor's children: {}",
                children.trim()
            ))),
        }
    }
}

/// The holder's life: die with the monitor, never before.
fn hold(alive: i32) -> ! {
    // SAFETY: plain syscalls on values we own; this process never returns.
    unsafe {
        // prctl is variadic: pass the signal as the unsigned long it reads.
        if nix::libc::prctl(
            nix::libc::PR_SET_PDEATHSIG,
            nix::libc::SIGKILL as nix::libc::c_ulong,
        ) != 0
        {
            nix::libc::_exit(1);
        }
        // Keep nothing of the monitor's open but the liveness pipe.
        nix::libc::syscall(nix::libc::SYS_close_range, 0u32, (alive - 1) as u32, 0u32);
        nix::libc::syscall(
            nix::libc::SYS_close_range,
            (alive + 1) as u32,
            u32::MAX,
            0u32,
        );
        nix::libc::fcntl(alive, nix::libc::F_SETFL, nix::libc::O_NONBLOCK);
        let mut byte = 0u8;
        // EOF: the monitor died before PR_SET_PDEATHSIG took effect.
        if nix::libc::read(alive, (&mut byte as *mut u8).cast(), 1) == 0 {
            nix::libc::_exit(0);
        }
        loop {
            nix::libc::pause();
        }
    }
}
