//! The monitor's output relay: reads the container's stdout and stderr pipes,
//! appends them to the json-file log and echoes them to the monitor's own
//! stdout and stderr (the terminal of a foreground `run`, else /dev/null),
//! until the container's init exits; then drains what is left.
//!
//! One thread, one `poll` over the two pipes and a signalfd for SIGCHLD, so the
//! exit is noticed even while a daemonised grandchild keeps the pipes open.
//! Writing the echo blocks when its reader is slow (as `docker run` does);
//! the log is a local file.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;
use nix::unistd::{read, Pid};

use super::reap::{try_reap, wait_exit};
use crate::runtime::logs::json_file::{JsonFileWriter, Stream};

/// Bytes read per wakeup (conmon reads 8 KiB).
const READ_SIZE: usize = 8192;
/// Reads per stream when draining after the exit (8 MiB), so a writer that
/// never stops cannot keep the monitor alive.
const DRAIN_READS: usize = 1024;

pub struct Relay {
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub log: Option<JsonFileWriter>,
}

/// One stream's state.
struct Source {
    stream: Stream,
    open: bool,
    echo: bool,
}

enum Read {
    Data,
    Empty,
    Closed,
}

/// Relays until `pid` exits; returns Docker's exit code for it.
pub fn relay_until_exit(mut relay: Relay, pid: Pid) -> u8 {
    // The echo must not kill the monitor when a foreground `run` goes away.
    // SAFETY: SIG_IGN installs no handler; the container's init is already forked.
    unsafe {
        let _ = nix::sys::signal::signal(Signal::SIGPIPE, nix::sys::signal::SigHandler::SigIgn);
    }
    let mut mask = SigSet::empty();
    mask.add(Signal::SIGCHLD);
    let signals = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None)
        .ok()
        .and_then(|()| SignalFd::new(&mask).ok());
    let mut sources = [Stream::Stdout, Stream::Stderr].map(|stream| Source {
        stream,
        open: true,
        echo: true,
    });
    loop {
        if let Some(code) = try_reap(pid) {
            drain(&mut relay, &mut sources);
            finish_log(&mut relay);
            return code;
        }
        let interest = |open: bool| {
            if open {
                PollFlags::POLLIN
            } else {
                PollFlags::empty()
            }
        };
        let mut fds = vec![
            PollFd::new(relay.stdout.as_fd(), interest(sources[0].open)),
            PollFd::new(relay.stderr.as_fd(), interest(sources[1].open)),
        ];
        if let Some(fd) = &signals {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
        }
        // Without a signalfd (never expected) a timeout notices the exit.
        let timeout = if signals.is_some() {
            PollTimeout::NONE
        } else {
            PollTimeout::from(100u16)
        };
        if let Err(e) = poll(&mut fds, timeout) {
            if e != nix::errno::Errno::EINTR {
                break;
            }
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        for (i, source) in sources.iter_mut().enumerate() {
            if source.open && ready[i] && matches!(copy_once(&mut relay, source), Read::Closed) {
                source.open = false;
            }
        }
        if let (Some(fd), Some(true)) = (&signals, ready.get(2)) {
            let _ = fd.read_signal();
        }
    }
    finish_log(&mut relay);
    wait_exit(pid)
}

/// Copies one chunk of `source` to the log and the echo.
fn copy_once(relay: &mut Relay, source: &mut Source) -> Read {
    let mut buf = [0u8; READ_SIZE];
    let fd = match source.stream {
        Stream::Stdout => relay.stdout.as_raw_fd(),
        Stream::Stderr => relay.stderr.as_raw_fd(),
    };
    let n = match read(fd, &mut buf) {
        Ok(0) => return Read::Closed,
        Ok(n) => n,
        Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => return Read::Empty,
        Err(_) => return Read::Closed,
    };
    if let Some(log) = &mut relay.log {
        let _ = log.write(source.stream, &buf[..n]);
    }
    if source.echo {
        let written = match source.stream {
            Stream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&buf[..n]).and_then(|()| out.flush())
            }
            Stream::Stderr => std::io::stderr().write_all(&buf[..n]),
        };
        // The reader went away: keep logging, stop echoing.
        source.echo = written.is_ok();
    }
    Read::Data
}

/// After the exit: copy what is still buffered, without waiting for writers
/// (daemonised children) that may never close the pipes.
fn drain(relay: &mut Relay, sources: &mut [Source; 2]) {
    for fd in [relay.stdout.as_raw_fd(), relay.stderr.as_raw_fd()] {
        let _ = fcntl(fd, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    }
    for source in sources.iter_mut().filter(|s| s.open) {
        for _ in 0..DRAIN_READS {
            if !matches!(copy_once(relay, source), Read::Data) {
                break;
            }
        }
    }
}

fn finish_log(relay: &mut Relay) {
    if let Some(log) = &mut relay.log {
        let _ = log.flush_partial();
    }
}
