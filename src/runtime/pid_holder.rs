//! A PID namespace that dies with this process: a tiny child that is PID 1 of
//! a new namespace and has `PR_SET_PDEATHSIG(SIGKILL)`. A container whose spec
//! joins that namespace (`linux.namespaces[pid].path = /proc/<holder>/ns/pid`)
//! lives inside it, so when this process dies — even by SIGKILL — the kernel
//! kills the holder and with it every process of the namespace, at once.
//!
//! Inside the container the holder is PID 1 (and reaps orphans); the
//! container's own command is PID 2. The holder keeps no fds but the
//! standard ones (fd 0 is /dev/null) and is not dumpable, so the container's
//! processes cannot reach the host through `/proc/1/{fd,root,exe}`; its
//! inherited command line is blanked (`/proc/1/cmdline` is `vassalrun-pid1`).
//! With [`PidHolder::spawn_image`] the holder execs a small binary at once
//! (no environment, argv `vassalrun-pid1 pid1 FD`), so that it keeps none of
//! the big image's pages for the container's whole life.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;

use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sched::{setns, unshare, CloneFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, pipe2, ForkResult, Pid};

/// The holder process; killed and reaped on drop.
#[derive(Debug)]
pub struct PidHolder {
    pid: Pid,
    /// Our end of the liveness pipe: the holder exits at once if it sees it
    /// closed before its death signal was armed.
    _alive: OwnedFd,
    /// The read end of the ready pipe, until [`PidHolder::wait_ready`].
    ready: Option<OwnedFd>,
}

impl PidHolder {
    /// Forks the holder into a new PID namespace. Call it while this process
    /// is single-threaded. This process's own later children stay in its
    /// namespace.
    pub fn spawn() -> std::io::Result<PidHolder> {
        let mut holder = PidHolder::spawn_image(None)?;
        holder.wait_ready();
        Ok(holder)
    }

    /// [`PidHolder::spawn`], the holder then `exec`ing `image` (a small
    /// binary whose main calls [`hold_image_main`]) so that it stops sharing
    /// this big image's copy-on-write pages: an idle holder then costs only
    /// the small image's. The namespace exists on return; call
    /// [`PidHolder::wait_ready`] before anything runs in it, so the exec
    /// overlaps the caller's work.
    pub fn spawn_image(image: Option<&std::path::Path>) -> std::io::Result<PidHolder> {
        let own = std::fs::File::open("/proc/self/ns/pid")?;
        // Closed by the holder once it is ready (EOF here): a container must
        // not join the namespace while its PID 1 is still dumpable.
        let (ready_read, ready_write) = pipe2(OFlag::O_CLOEXEC)?;
        let exec = image.and_then(|i| exec_args(i, ready_write.as_raw_fd()));
        let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC)?;
        unshare(CloneFlags::CLONE_NEWPID)?;
        // SAFETY: single-threaded (documented precondition); the child only
        // makes system calls and never returns into the caller's code.
        let forked = unsafe { fork() };
        // Our later children (libcontainer's) must not land in the holder's namespace.
        let restored = setns(&own, CloneFlags::CLONE_NEWPID);
        match forked? {
            ForkResult::Child => {
                drop(write_end);
                if exec.is_some() {
                    // The image gets the ready pipe (and closes it when ready).
                    let _ = nix::fcntl::fcntl(
                        ready_write.as_raw_fd(),
                        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
                    );
                }
                hold(read_end, exec.as_ref())
            }
            ForkResult::Parent { child } => {
                drop(read_end);
                drop(ready_write);
                let holder = PidHolder {
                    pid: child,
                    _alive: write_end,
                    ready: Some(ready_read),
                };
                restored?;
                Ok(holder)
            }
        }
    }

    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Waits until the holder is ready (non-dumpable, its fds closed: EOF on
    /// the ready pipe), or has fallen back to holding in this image.
    pub fn wait_ready(&mut self) {
        if let Some(ready) = self.ready.take() {
            let mut byte = [0u8; 1];
            while let Err(nix::errno::Errno::EINTR) =
                nix::unistd::read(ready.as_raw_fd(), &mut byte)
            {}
        }
    }

    /// The namespace to join.
    pub fn namespace_path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/{}/ns/pid", self.pid))
    }
}

impl Drop for PidHolder {
    fn drop(&mut self) {
        let _ = kill(self.pid, Signal::SIGKILL);
        // A dying namespace init waits until every process of its namespace
        // is reaped, and the container's init is our child (libcontainer
        // clones it with CLONE_PARENT): reap whatever ends until the holder does.
        loop {
            match waitpid(None::<nix::unistd::Pid>, None) {
                Ok(status) if status.pid() == Some(self.pid) => return,
                Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return,
            }
        }
    }
}

/// The argv of the holder's image, made before the fork (no allocation
/// between fork and exec): `vassalrun-pid1 pid1 FD`.
struct ExecArgs {
    path: std::ffi::CString,
    argv: [std::ffi::CString; 3],
}

fn exec_args(image: &std::path::Path, ready: i32) -> Option<ExecArgs> {
    use std::os::unix::ffi::OsStrExt;
    Some(ExecArgs {
        path: std::ffi::CString::new(image.as_os_str().as_bytes()).ok()?,
        argv: [
            std::ffi::CString::new(TITLE).ok()?,
            c"pid1".to_owned(),
            std::ffi::CString::new(ready.to_string()).ok()?,
        ],
    })
}

/// The holder's life: arm the death signal, make sure the parent did not die
/// before that, then become the small image (which drops every fd and
/// reaps), or do the same here if that fails.
fn hold(alive: OwnedFd, exec: Option<&ExecArgs>) -> ! {
    // SAFETY: prctl with integer arguments only.
    unsafe {
        nix::libc::prctl(nix::libc::PR_SET_PDEATHSIG, nix::libc::SIGKILL, 0, 0, 0);
        nix::libc::prctl(nix::libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        nix::libc::prctl(nix::libc::PR_SET_NAME, c"vassalrun-pid1".as_ptr(), 0, 0, 0);
    }
    let mut fds = [PollFd::new(
        std::os::fd::AsFd::as_fd(&alive),
        PollFlags::POLLIN,
    )];
    if poll(&mut fds, PollTimeout::ZERO).unwrap_or(1) > 0 {
        // The parent closed its end: it is gone (or going), and so are we.
        // SAFETY: _exit ends this forked copy without running the parent's atexit handlers.
        unsafe { nix::libc::_exit(0) };
    }
    if let Some(exec) = exec {
        // No environment: /proc/1/environ is readable in the container.
        let env: [&std::ffi::CStr; 0] = [];
        let _ = nix::unistd::execve(&exec.path, &exec.argv, &env);
    }
    blank_command_line();
    hold_here(alive.as_raw_fd())
}

/// The small image's main for `pid1 FD` (see [`PidHolder::spawn_image`]):
/// the death signal survived the exec; dumpability did not.
pub fn hold_image_main(args: &[std::ffi::OsString]) -> ! {
    // SAFETY: prctl with integer arguments only.
    unsafe {
        nix::libc::prctl(nix::libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        nix::libc::prctl(nix::libc::PR_SET_NAME, c"vassalrun-pid1".as_ptr(), 0, 0, 0);
    }
    let _ = args;
    // Every fd ≥ 3 closes, the ready pipe with them: the spawner goes on.
    hold_here(-1)
}

/// Drops every fd but `keep` (-1: none), then reaps orphans until killed.
fn hold_here(keep: i32) -> ! {
    close_fds_except(keep);
    if let Ok(null) = std::fs::File::open("/dev/null") {
        let _ = nix::unistd::dup2(null.as_raw_fd(), 0);
    }
    let _ = std::env::set_current_dir("/");
    // A blocked SIGCHLD stays pending even for a namespace's PID 1, so the
    // holder sleeps in sigwait until an orphan of its namespace ends.
    let mut chld = nix::sys::signal::SigSet::empty();
    chld.add(nix::sys::signal::Signal::SIGCHLD);
    let _ = chld.thread_block();
    loop {
        match nix::sys::wait::waitpid(None::<nix::unistd::Pid>, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::ECHILD) => {
                let _ = chld.wait();
            }
            Ok(_) | Err(_) => {}
        }
    }
}

/// What the container sees as `/proc/1/cmdline`.
const TITLE: &[u8] = b"vassalrun-pid1";

/// Overwrites the argv and environment this fork inherited (in its own
/// memory, as `setproctitle` does): `/proc/1/cmdline` is readable by every
/// process of the container and would show the host's path of the binary and
/// of the Emperor's vassal file.
fn blank_command_line() {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return;
    };
    // `rest` starts at field 3; arg_start..env_end are fields 48 to 51.
    let fields: Vec<usize> = rest
        .split_whitespace()
        .skip(45)
        .take(4)
        .filter_map(|f| f.parse().ok())
        .collect();
    let [arg_start, arg_end, env_start, env_end] = fields[..] else {
        return;
    };
    for (start, end) in [(arg_start, arg_end), (env_start, env_end)] {
        if start == 0 || end <= start {
            continue;
        }
        // SAFETY: the kernel's own record of this process's argv and
        // environment areas: mapped, writable memory of our stack, which no
        // Rust object of this forked copy reads any more.
        unsafe { std::ptr::write_bytes(start as *mut u8, 0, end - start) };
    }
    if arg_end > arg_start + TITLE.len() {
        // SAFETY: as above; the title and its NUL fit in the argv area.
        unsafe { std::ptr::copy_nonoverlapping(TITLE.as_ptr(), arg_start as *mut u8, TITLE.len()) };
    }
}

/// Closes every fd from 3 up except `keep` (-1: all of them).
fn close_fds_except(keep: i32) {
    if keep < 3 {
        // SAFETY: as below; nothing is kept.
        unsafe { nix::libc::syscall(nix::libc::SYS_close_range, 3u32, u32::MAX, 0u32) };
        return;
    }
    // SAFETY: close_range only closes descriptors; none is in use by Rust objects
    // in this freshly forked process except `keep`, which is skipped.
    unsafe {
        if keep > 3 {
            nix::libc::syscall(nix::libc::SYS_close_range, 3u32, (keep - 1) as u32, 0u32);
        }
        nix::libc::syscall(
            nix::libc::SYS_close_range,
            (keep + 1) as u32,
            u32::MAX,
            0u32,
        );
    }
}
