//! `exec -t`: the exec'd process gets a terminal of its own inside the
//! container, relayed as `run -it` is: the caller's terminal in raw mode
//! (restored whatever ends the relay), window sizes on SIGWINCH, the detach
//! keys, the proxied signals, and the process's exit code.
//!
//! libcontainer opens the pty in the container's devpts and sends its master
//! through a console socket only when the process says `"terminal": true`,
//! which its tenant builder never sets from its own options (a shortfall of
//! libcontainer 0.7): so the process goes to it as a process file (see
//! [`crate::runtime::tenant`]) with `"terminal": true` ([`make_terminal`]).

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::Pid;
use oci_spec::runtime::Process;

use super::console::ConsoleSocket;
use super::reap::{try_reap, wait_exit};
use crate::runtime::attach::client::PROXIED;
use crate::runtime::attach::detach_keys::{Matcher, Scan};
use crate::runtime::attach::terminal::{resize, size_of, RawMode};

/// The console socket of one `exec -t`, in the container's directory (named
/// by this command's pid: execs may run side by side); removed on drop.
pub struct ExecTerminal {
    console: Option<ConsoleSocket>,
    console_path: PathBuf,
}

impl ExecTerminal {
    pub fn listen(dir: &Path) -> std::io::Result<ExecTerminal> {
        let console_path = dir.join(format!("exec-{}.console", std::process::id()));
        // From here on, drop removes what was made.
        let mut terminal = ExecTerminal {
            console: None,
            console_path,
        };
        terminal.console = Some(ConsoleSocket::listen(&terminal.console_path)?);
        Ok(terminal)
    }

    pub fn console_path(&self) -> &Path {
        &self.console_path
    }

    /// Receives the pty master libcontainer sent while building process
    /// `pid` (our child) and relays until the end; returns its exit code. A
    /// process whose terminal never came is killed.
    pub fn relay(&mut self, pid: Pid, options: &RelayOptions) -> std::io::Result<u8> {
        let received = self
            .console
            .take()
            .ok_or_else(|| std::io::Error::other("the terminal was already received"))
            .and_then(ConsoleSocket::receive_master);
        match received {
            Ok(master) => Ok(relay(master, pid, options)),
            Err(e) => {
                let _ = kill(pid, Signal::SIGKILL);
                wait_exit(pid);
                Err(e)
            }
        }
    }
}

impl Drop for ExecTerminal {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.console_path);
    }
}

/// Gives the exec'd `process` a terminal of its own, sized like the caller's,
/// with Docker's `TERM=xterm` when neither the container nor the exec sets one.
pub fn make_terminal(process: &mut Process) {
    let mut env = process.env().clone().unwrap_or_default();
    if !env.iter().any(|e| e.starts_with("TERM=")) {
        env.push("TERM=xterm".into());
    }
    process.set_env(Some(env)).set_terminal(Some(true));
    if let Some((rows, cols)) = caller_size() {
        let size = oci_spec::runtime::BoxBuilder::default()
            .height(u64::from(rows))
            .width(u64::from(cols))
            .build()
            .ok();
        process.set_console_size(size);
    }
}

/// The caller's terminal size (stdout's, else stdin's).
fn caller_size() -> Option<(u16, u16)> {
    size_of(std::io::stdout().as_fd()).or_else(|| size_of(std::io::stdin().as_fd()))
}

/// How the caller's side is relayed.
pub struct RelayOptions {
    /// `-i`: send the caller's stdin to the terminal.
    pub stdin: bool,
    /// The detach sequence (empty: none).
    pub detach_keys: Vec<u8>,
}

/// The signals the relay handles: window changes, the child's end, and the
/// ones forwarded to the process (as `run`'s sig-proxy does).
fn relay_signals() -> SigSet {
    let mut set = SigSet::empty();
    set.add(Signal::SIGWINCH);
    set.add(Signal::SIGCHLD);
    for signal in PROXIED {
        set.add(signal);
    }
    set
}

/// Blocks the relay's signals. Only once the process exists: libcontainer's
/// clone would pass the mask on, and a shell with SIGINT blocked dies of ^C.
fn block_relay_signals() {
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&relay_signals()), None);
}

/// Relays between the caller and the terminal of process `pid` (our child)
/// until it exits (its code) or the detach keys are typed (0; the process
/// goes on, its terminal held by a drainer).
fn relay(master: OwnedFd, pid: Pid, options: &RelayOptions) -> u8 {
    block_relay_signals();
    // Non-blocking: each wakeup reads every queued signal.
    let signals = SignalFd::with_flags(&relay_signals(), SfdFlags::SFD_NONBLOCK).ok();
    let _ = fcntl(master.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    let stdin = std::io::stdin();
    let _raw = options
        .stdin
        .then(|| RawMode::enter(stdin.as_fd()))
        .flatten();
    if let Some((rows, cols)) = caller_size() {
        let _ = resize(&master, rows, cols);
    }
    let mut matcher = Matcher::new(options.detach_keys.clone());
    let mut reading_stdin = options.stdin;
    loop {
        // Also catches an exit before the signalfd existed.
        if let Some(code) = try_reap(pid) {
            drain(&master);
            return code;
        }
        let mut fds = vec![PollFd::new(master.as_fd(), PollFlags::POLLIN)];
        if let Some(fd) = &signals {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
        }
        if reading_stdin {
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        match poll(&mut fds, PollTimeout::from(1000u16)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(_) => return wait_exit(pid),
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        if ready[0] && !copy_output(&master) {
            // Every holder of the terminal is gone: so is the process.
            return wait_exit(pid);
        }
        if let (Some(fd), true) = (&signals, ready.get(1).copied().unwrap_or(false)) {
            handle_signals(fd, &master, pid);
        }
        if reading_stdin && ready.last().copied().unwrap_or(false) {
            match forward_input(&master, &mut matcher) {
                Input::More => {}
                Input::End => reading_stdin = false,
                Input::Detach => {
                    hand_over(master);
                    return 0;
                }
            }
        }
    }
}

fn handle_signals(fd: &SignalFd, master: &OwnedFd, pid: Pid) {
    while let Ok(Some(info)) = fd.read_signal() {
        match Signal::try_from(info.ssi_signo as i32) {
            Ok(Signal::SIGWINCH) => {
                if let Some((rows, cols)) = caller_size() {
                    let _ = resize(master, rows, cols);
                }
            }
            Ok(Signal::SIGCHLD) | Err(_) => {}
            Ok(signal) => {
                let _ = kill(pid, signal);
            }
        }
    }
}

/// Copies what the terminal has to stdout; `false` once it is closed.
fn copy_output(master: &OwnedFd) -> bool {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match nix::unistd::read(master.as_raw_fd(), &mut buf) {
            Ok(0) => return false,
            Ok(n) => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&buf[..n]).and_then(|()| out.flush());
            }
            Err(nix::errno::Errno::EINTR) => {}
            Err(nix::errno::Errno::EAGAIN) => return true,
            // EIO: the last slave descriptor closed.
            Err(_) => return false,
        }
    }
}

/// The output written before the exit.
fn drain(master: &OwnedFd) {
    let _ = copy_output(master);
}

enum Input {
    More,
    End,
    Detach,
}

fn forward_input(master: &OwnedFd, matcher: &mut Matcher) -> Input {
    let mut buf = [0u8; 4096];
    let n = match nix::unistd::read(std::io::stdin().as_raw_fd(), &mut buf) {
        Ok(0) => return Input::End,
        Ok(n) => n,
        Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => return Input::More,
        Err(_) => return Input::End,
    };
    let (bytes, detach) = match matcher.scan(&buf[..n]) {
        Scan::Forward(bytes) => (bytes, false),
        Scan::Detach(bytes) => (bytes, true),
    };
    write_all(master, &bytes);
    if detach {
        Input::Detach
    } else {
        Input::More
    }
}

/// Writes to the non-blocking master, waiting while the terminal's input
/// queue is full.
fn write_all(master: &OwnedFd, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match nix::unistd::write(master, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EAGAIN) => {
                let mut fds = [PollFd::new(master.as_fd(), PollFlags::POLLOUT)];
                let _ = poll(&mut fds, PollTimeout::from(100u16));
            }
            Err(nix::errno::Errno::EINTR) => {}
            Err(_) => return,
        }
    }
}

/// After a detach the process keeps its terminal: a child of ours, in a
/// session of its own, holds the master and discards the output until the
/// process closes it (without a reader a full terminal would block it).
fn hand_over(master: OwnedFd) {
    // SAFETY: this command is single-threaded; the child only calls
    // async-signal-safe functions (setsid, open, dup2, read, _exit).
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => {
            let _ = nix::unistd::setsid();
            if let Ok(null) =
                nix::fcntl::open("/dev/null", OFlag::O_RDWR, nix::sys::stat::Mode::empty())
            {
                for fd in 0..3 {
                    let _ = nix::unistd::dup2(null, fd);
                }
            }
            let _ = fcntl(master.as_raw_fd(), FcntlArg::F_SETFL(OFlag::empty()));
            let mut buf = [0u8; 4096];
            while let Ok(n) = nix::unistd::read(master.as_raw_fd(), &mut buf) {
                if n == 0 {
                    break;
                }
            }
            // SAFETY: ends the drainer without running the parent's destructors.
            unsafe { nix::libc::_exit(0) };
        }
        Ok(nix::unistd::ForkResult::Parent { .. }) => drop(master),
        Err(e) => tracing::warn!("detach: cannot keep the terminal open: {e}"),
    }
}
