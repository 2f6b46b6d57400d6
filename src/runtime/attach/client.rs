//! The attaching side, shared by `attach`, `start -a` and a foreground `run`:
//! connects to the container's attach socket, writes what the container
//! writes to this process's stdout and stderr, sends stdin (`-i`), window
//! sizes (`-t`) and, with sig-proxy, forwards the signals this process gets.
//! Ends when the container exits, the detach keys are typed, or the monitor
//! goes away.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::Path;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;
use nix::sys::socket::{recv, send, MsgFlags, SockType};

use super::detach_keys::{Matcher, Scan};
use super::protocol::{decode_event, encode_resize, Event, CLOSE_STDIN, MAX_PACKET, STDIN};
use super::socket::connect_to;
use super::terminal::{size_of, RawMode};

/// How an attach ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The container exited with this code.
    Exited(u8),
    /// The detach keys were typed; the container goes on.
    Detached,
    /// The monitor closed the connection without an exit code.
    Lost,
}

pub struct AttachOptions {
    /// Send this process's stdin to the container.
    pub stdin: bool,
    /// The container has a terminal: raw mode and window sizes.
    pub tty: bool,
    /// The detach sequence (empty: none).
    pub detach_keys: Vec<u8>,
    /// Forward the signals in [`PROXIED`] to the container.
    pub sig_proxy: bool,
    /// The end of this client's stdin closes the container's (Docker's
    /// StdinOnce: a foreground `run -i`); otherwise the container's stdin
    /// stays open for the next client.
    pub close_stdin_on_eof: bool,
}

/// Signals a client forwards to the container (Docker's sig-proxy forwards
/// all it can; these are the ones a terminal or a supervisor sends).
pub const PROXIED: [Signal; 6] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

/// The signals a client handles itself: SIGWINCH, and [`PROXIED`] when it
/// forwards them (without sig-proxy they act on this process as usual, as
/// with Docker's `--sig-proxy=false`).
pub fn handled_signals(sig_proxy: bool) -> SigSet {
    let mut set = SigSet::empty();
    set.add(Signal::SIGWINCH);
    if sig_proxy {
        for signal in PROXIED {
            set.add(signal);
        }
    }
    set
}

/// Blocks [`handled_signals`] so they queue for the attach loop instead of
/// killing this process. Call it before the container can write anything.
pub fn block_handled_signals(sig_proxy: bool) {
    let mask = handled_signals(sig_proxy);
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None);
}

/// A connection to a container's monitor, registered for its output.
pub struct Attachment {
    socket: OwnedFd,
}

impl Attachment {
    /// Connects to the attach socket at `path` and waits for the monitor's
    /// greeting: from then on no output is missed.
    pub fn connect(path: &Path) -> std::io::Result<Attachment> {
        let socket = connect_to(path, SockType::SeqPacket)?;
        let mut fds = [PollFd::new(socket.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(10_000u16))? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the monitor did not answer",
            ));
        }
        let mut buf = [0u8; 8];
        let n = recv(socket.as_raw_fd(), &mut buf, MsgFlags::empty())?;
        match decode_event(&buf[..n]) {
            Some(Event::Hello) => Ok(Attachment { socket }),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the monitor did not greet",
            )),
        }
    }

    /// Relays until the container exits, the client detaches or the monitor
    /// goes away; `forward` gets the signals to proxy.
    pub fn run(self, options: &AttachOptions, forward: &mut dyn FnMut(Signal)) -> Outcome {
        block_handled_signals(options.sig_proxy);
        let signals = SignalFd::new(&handled_signals(options.sig_proxy)).ok();
        let stdin = std::io::stdin();
        let _raw = if options.tty && options.stdin {
            RawMode::enter(stdin.as_fd())
        } else {
            None
        };
        if options.tty {
            self.send_size();
        }
        let mut session = Session {
            attachment: &self,
            reading_stdin: options.stdin,
            close_stdin_on_eof: options.close_stdin_on_eof,
            matcher: Matcher::new(options.detach_keys.clone()),
        };
        loop {
            let mut fds = vec![PollFd::new(self.socket.as_fd(), PollFlags::POLLIN)];
            if let Some(fd) = &signals {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
            }
            if session.reading_stdin {
                fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
            }
            if let Err(e) = poll(&mut fds, PollTimeout::NONE) {
                if e == nix::errno::Errno::EINTR {
                    continue;
                }
                return Outcome::Lost;
            }
            let ready: Vec<bool> = fds
                .iter()
                .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
                .collect();
            drop(fds);
            if ready[0] {
                if let Some(outcome) = session.receive() {
                    return outcome;
                }
            }
            if let (Some(fd), true) = (&signals, ready.get(1).copied().unwrap_or(false)) {
                if let Ok(Some(info)) = fd.read_signal() {
                    match Signal::try_from(info.ssi_signo as i32) {
                        Ok(Signal::SIGWINCH) if options.tty => self.send_size(),
                        Ok(Signal::SIGWINCH) => {}
                        Ok(signal) if options.sig_proxy => forward(signal),
                        _ => {}
                    }
                }
            }
            if session.reading_stdin && ready.last().copied().unwrap_or(false) {
                if let Some(outcome) = session.send_stdin() {
                    return outcome;
                }
            }
        }
    }

    /// Reads (and drops) the output until the exit code comes: `wait`'s way
    /// to learn the code of a container that may be removed (`--rm`) the
    /// moment it exits. The monitor tells its clients after the removal.
    pub fn wait_for_exit(self) -> Outcome {
        let mut buf = vec![0u8; MAX_PACKET];
        loop {
            match recv(self.socket.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                Ok(0) => return Outcome::Lost,
                Ok(n) => {
                    if let Some(Event::Exit(code)) = decode_event(&buf[..n]) {
                        return Outcome::Exited(code);
                    }
                }
                Err(nix::errno::Errno::EINTR) => {}
                Err(_) => return Outcome::Lost,
            }
        }
    }

    fn send_size(&self) {
        let size = size_of(std::io::stdout().as_fd()).or_else(|| size_of(std::io::stdin().as_fd()));
        if let Some((rows, cols)) = size {
            let _ = self.send(&encode_resize(rows, cols));
        }
    }

    fn send(&self, packet: &[u8]) -> nix::Result<usize> {
        send(self.socket.as_raw_fd(), packet, MsgFlags::MSG_NOSIGNAL)
    }
}

struct Session<'a> {
    attachment: &'a Attachment,
    reading_stdin: bool,
    close_stdin_on_eof: bool,
    matcher: Matcher,
}

impl Session<'_> {
    /// Handles every message the monitor has sent so far (a client that
    /// took one per wakeup would fall behind); `Some` when the attach is over.
    fn receive(&mut self) -> Option<Outcome> {
        let mut buf = vec![0u8; MAX_PACKET];
        loop {
            let n = match recv(
                self.attachment.socket.as_raw_fd(),
                &mut buf,
                MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(0) => return Some(Outcome::Lost),
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::EAGAIN) => return None,
                Err(_) => return Some(Outcome::Lost),
            };
            match decode_event(&buf[..n]) {
                Some(Event::Stdout(data)) => {
                    let mut out = std::io::stdout().lock();
                    let _ = out.write_all(data).and_then(|()| out.flush());
                }
                Some(Event::Stderr(data)) => {
                    let _ = std::io::stderr().write_all(data);
                }
                Some(Event::Exit(code)) => return Some(Outcome::Exited(code)),
                Some(Event::Hello) | None => {}
            }
        }
    }

    /// Sends what stdin has; `Some(Detached)` when the detach keys came.
    fn send_stdin(&mut self) -> Option<Outcome> {
        let mut buf = vec![0u8; MAX_PACKET];
        buf[0] = STDIN;
        let n = match nix::unistd::read(std::io::stdin().as_raw_fd(), &mut buf[1..]) {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => return None,
            Err(_) => 0,
        };
        if n == 0 {
            self.reading_stdin = false;
            if self.close_stdin_on_eof {
                let _ = self.attachment.send(&[CLOSE_STDIN]);
            }
            return None;
        }
        let (forward, detach) = match self.matcher.scan(&buf[1..=n]) {
            Scan::Forward(bytes) => (bytes, false),
            Scan::Detach(bytes) => (bytes, true),
        };
        if !forward.is_empty() {
            let mut packet = Vec::with_capacity(forward.len() + 1);
            packet.push(STDIN);
            packet.extend_from_slice(&forward);
            let _ = self.attachment.send(&packet);
        }
        detach.then_some(Outcome::Detached)
    }
}
