//! The monitor's event loop: one thread, one `poll` over the container's
//! output (stdout and stderr pipes, or the pty master), the attach socket and
//! its clients, the container's stdin and a signalfd for SIGCHLD. Output goes
//! to the json-file log and to every attached client (each with a bounded
//! queue, see [`crate::runtime::attach::clients`]); stdin comes from clients.
//! Nothing here blocks on a client: the container is only ever slowed by the
//! log file.

use std::collections::VecDeque;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::{read, write, Pid};

use super::reap::try_reap;
use crate::runtime::attach::clients::Clients;
use crate::runtime::attach::protocol::{Request, STDERR, STDOUT};
use crate::runtime::attach::terminal::resize;
use crate::runtime::logs::json_file::{JsonFileWriter, Stream};

/// Bytes read per wakeup (conmon reads 8 KiB; larger reads mean fewer log
/// lines and syscalls under load).
const READ_SIZE: usize = 32 * 1024;
/// Reads per stream when draining after the exit (32 MiB), so a writer that
/// never stops cannot keep the monitor alive.
const DRAIN_READS: usize = 1024;
/// Stdin bytes queued for a container that does not read them; beyond this
/// the clients' input waits in their sockets.
const STDIN_LIMIT: usize = 1 << 20;

/// Where the container's output comes from.
pub enum Output {
    Pipes { stdout: OwnedFd, stderr: OwnedFd },
    Terminal { master: OwnedFd },
}

/// The container's stdin as the monitor holds it: the write end of a pipe, or
/// a duplicate of the pty master.
pub struct Stdin {
    fd: OwnedFd,
    queue: VecDeque<u8>,
    close_when_flushed: bool,
    terminal: bool,
}

impl Stdin {
    pub fn new(fd: OwnedFd, terminal: bool) -> Stdin {
        let _ = fcntl(fd.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
        Stdin {
            fd,
            queue: VecDeque::new(),
            close_when_flushed: false,
            terminal,
        }
    }

    /// The descriptor, for a handoff to the relay image.
    pub fn into_fd(self) -> OwnedFd {
        self.fd
    }

    fn flush(&mut self) -> bool {
        while !self.queue.is_empty() {
            let (front, _) = self.queue.as_slices();
            match write(self.fd.as_fd(), front) {
                Ok(n) => drop(self.queue.drain(..n)),
                Err(nix::errno::Errno::EAGAIN) => return true,
                Err(nix::errno::Errno::EINTR) => continue,
                // The container closed its stdin: drop what it will never read.
                Err(_) => return false,
            }
        }
        !self.close_when_flushed
    }
}

pub struct Relay {
    pub output: Output,
    pub stdin: Option<Stdin>,
    pub log: Option<JsonFileWriter>,
    pub attach: Option<OwnedFd>,
    pub clients: Clients,
}

/// One output source and whether it is still open.
struct Source {
    stream: Stream,
    open: bool,
}

impl Relay {
    fn source_fd(&self, stream: Stream) -> &OwnedFd {
        match (&self.output, stream) {
            (Output::Pipes { stdout, .. }, Stream::Stdout) => stdout,
            (Output::Pipes { stderr, .. }, Stream::Stderr) => stderr,
            (Output::Terminal { master }, _) => master,
        }
    }

    fn sources(&self) -> Vec<Source> {
        let streams: &[Stream] = match self.output {
            Output::Pipes { .. } => &[Stream::Stdout, Stream::Stderr],
            Output::Terminal { .. } => &[Stream::Stdout],
        };
        streams
            .iter()
            .map(|&stream| Source { stream, open: true })
            .collect()
    }

    /// Relays until `pid` exits; returns Docker's exit code for it.
    pub fn run_until_exit(&mut self, pid: Pid) -> u8 {
        self.run_until(pid, None).unwrap_or(125)
    }

    /// Relays until `pid` exits (its code) or `deadline` passes (`None`).
    pub fn run_until(&mut self, pid: Pid, deadline: Option<std::time::Instant>) -> Option<u8> {
        // A client going away must not kill the monitor.
        // SAFETY: SIG_IGN installs no handler; the container's init is already forked.
        unsafe {
            let _ = nix::sys::signal::signal(Signal::SIGPIPE, nix::sys::signal::SigHandler::SigIgn);
        }
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGCHLD);
        let signals = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None)
            .ok()
            .and_then(|()| SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC).ok());
        let mut sources = self.sources();
        loop {
            if let Some(code) = try_reap(pid) {
                self.drain(&mut sources);
                return Some(code);
            }
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return None;
            }
            self.wait_and_serve(signals.as_ref(), &mut sources, deadline);
        }
    }

    /// Whether stdin bytes are still queued for the container.
    pub fn stdin_pending(&self) -> bool {
        self.stdin.as_ref().is_some_and(|s| !s.queue.is_empty())
    }

    /// One round: poll everything, then serve what is ready. Clients are
    /// accepted before output is read, so a client that connected before the
    /// container wrote something receives it.
    fn wait_and_serve(
        &mut self,
        signals: Option<&SignalFd>,
        sources: &mut [Source],
        deadline: Option<std::time::Instant>,
    ) {
        let stdin_pending = self.stdin.as_ref().is_some_and(|s| !s.queue.is_empty());
        let reading_clients = self
            .stdin
            .as_ref()
            .is_none_or(|s| s.queue.len() < STDIN_LIMIT);
        let mut fds = Vec::with_capacity(8);
        // Without a signalfd (never expected) a timeout notices the exit.
        let timeout = match signals {
            Some(fd) => {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                PollTimeout::NONE
            }
            None => PollTimeout::from(100u16),
        };
        let timeout = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(std::time::Instant::now());
                let left = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
                if timeout == PollTimeout::NONE {
                    left
                } else {
                    timeout.min(left)
                }
            }
            None => timeout,
        };
        let signal_ready_at = signals.map(|_| 0);
        let attach_at = fds.len();
        if let Some(listener) = &self.attach {
            fds.push(PollFd::new(listener.as_fd(), PollFlags::POLLIN));
        }
        // A source at its end is not polled: poll would report its hang-up
        // at once, every time, while the container lives on.
        let sources_at = fds.len();
        let open: Vec<usize> = (0..sources.len()).filter(|&i| sources[i].open).collect();
        for &i in &open {
            fds.push(PollFd::new(
                self.source_fd(sources[i].stream).as_fd(),
                PollFlags::POLLIN,
            ));
        }
        let stdin_at = fds.len();
        if let (Some(stdin), true) = (&self.stdin, stdin_pending) {
            fds.push(PollFd::new(stdin.fd.as_fd(), PollFlags::POLLOUT));
        }
        let clients_at = fds.len();
        fds.extend(self.clients.poll_fds(reading_clients));
        if let Err(e) = poll(&mut fds, timeout) {
            if e != nix::errno::Errno::EINTR {
                tracing::warn!("monitor poll: {e}");
            }
            return;
        }
        let revents: Vec<PollFlags> = fds
            .iter()
            .map(|f| f.revents().unwrap_or(PollFlags::empty()))
            .collect();
        drop(fds);
        let ready = |i: usize| revents.get(i).is_some_and(|r| !r.is_empty());
        if signal_ready_at.is_some_and(ready) {
            let _ = signals.map(SignalFd::read_signal);
        }
        if let (Some(listener), true) = (&self.attach, ready(attach_at)) {
            self.clients.accept(listener);
        }
        for (slot, &i) in open.iter().enumerate() {
            if ready(sources_at + slot) && !self.copy_once(sources[i].stream) {
                sources[i].open = false;
            }
        }
        if stdin_pending && ready(stdin_at) {
            self.flush_stdin();
        }
        let mut requests = Vec::new();
        self.clients
            .service(&revents[clients_at..], &mut |request| {
                requests.push(match request {
                    Request::Stdin(data) => Owned::Stdin(data.to_vec()),
                    Request::Resize { rows, cols } => Owned::Resize(rows, cols),
                    Request::CloseStdin => Owned::CloseStdin,
                })
            });
        for request in requests {
            self.handle(request);
        }
    }

    fn handle(&mut self, request: Owned) {
        match request {
            Owned::Stdin(data) => {
                if let Some(stdin) = &mut self.stdin {
                    stdin.queue.extend(data);
                }
                self.flush_stdin();
            }
            Owned::Resize(rows, cols) => {
                if let Output::Terminal { master } = &self.output {
                    let _ = resize(master, rows, cols);
                }
            }
            Owned::CloseStdin => {
                // With a terminal, the end of one client's input is not the
                // end of the container's (the pty stays).
                if let Some(stdin) = &mut self.stdin {
                    stdin.close_when_flushed = !stdin.terminal;
                }
                self.flush_stdin();
            }
        }
    }

    fn flush_stdin(&mut self) {
        if let Some(stdin) = &mut self.stdin {
            if !stdin.flush() {
                self.stdin = None;
            }
        }
    }

    /// Copies one chunk of `stream` to the log and the clients; false at its
    /// end (EOF, or EIO from a pty whose slave is closed).
    fn copy_once(&mut self, stream: Stream) -> bool {
        let mut buf = [0u8; READ_SIZE];
        let n = match read(self.source_fd(stream).as_raw_fd(), &mut buf) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => return true,
            Err(_) => return false,
        };
        if let Some(log) = &mut self.log {
            let _ = log.write(stream, &buf[..n]);
        }
        let kind = match stream {
            Stream::Stdout => STDOUT,
            Stream::Stderr => STDERR,
        };
        self.clients.broadcast(kind, &buf[..n]);
        true
    }

    /// After the exit: copy what is still buffered, without waiting for writers
    /// (daemonised children) that may never close the pipes.
    fn drain(&mut self, sources: &mut [Source]) {
        for source in sources.iter() {
            let _ = fcntl(
                self.source_fd(source.stream).as_raw_fd(),
                FcntlArg::F_SETFL(OFlag::O_NONBLOCK),
            );
        }
        for source in sources.iter_mut().filter(|s| s.open) {
            for _ in 0..DRAIN_READS {
                if !self.copy_nonblocking(source.stream) {
                    break;
                }
            }
        }
        if let Some(log) = &mut self.log {
            let _ = log.flush_partial();
        }
    }

    /// Like [`Relay::copy_once`] but false when nothing is left right now.
    fn copy_nonblocking(&mut self, stream: Stream) -> bool {
        let mut probe = [PollFd::new(
            self.source_fd(stream).as_fd(),
            PollFlags::POLLIN,
        )];
        let readable = poll(&mut probe, PollTimeout::ZERO).unwrap_or(0) > 0
            && probe[0]
                .revents()
                .is_some_and(|r| r.contains(PollFlags::POLLIN));
        readable && self.copy_once(stream)
    }
}

/// A client request, owned (the clients' buffers are reused).
enum Owned {
    Stdin(Vec<u8>),
    Resize(u16, u16),
    CloseStdin,
}
