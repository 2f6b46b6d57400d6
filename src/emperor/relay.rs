//! The vassal's output, while its container runs: the wrapper (in its small
//! `vassalrun-relay vassal` image once the container has started) reads the
//! container's stdout and stderr pipes and writes every chunk to
//!
//! - its own fds 1 and 2, the Emperor's log (as the old plugin relayed the
//!   container's pty), unchanged;
//! - the container's json-file log (unless `docker-log-driver = none`), so
//!   `vassalrun logs` and `logs -f` work, rotated like any container's;
//! - the clients of the container's attach socket (`vassalrun attach`).
//!
//! It also forwards the signals a uWSGI master understands
//! ([`crate::runtime::lifecycle::inline::FORWARDED`]) and keeps the copies of
//! the vassal's files fresh (inotify). When the command ends it kills the
//! PID holder (and so the rest of the container), removes the vassal's files
//! and execs `vassalrun monitor ID --finish CODE`, which records the exit,
//! removes the container and exits with the vassal's code: the Emperor's
//! child keeps one pid from the spawn to the exit.
//!
//! ```text
//! Emperor ─ wrapper: vassalrun → vassalrun-relay vassal → vassalrun monitor --finish
//!             ├─ vassalrun-relay pid1 (PID 1 of the container's namespace)
//!             └─ uWSGI master (the container's command, PID 2)
//! ```

use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::runtime::attach::clients::Clients;
use crate::runtime::attach::protocol::{STDERR, STDOUT};
use crate::runtime::lifecycle::inline::{forward, FORWARDED};
use crate::runtime::lifecycle::reap::try_reap;
use crate::runtime::lifecycle::relay_process::{exec_keeping, LogTarget};
use crate::runtime::logs::json_file::{JsonFileWriter, Stream};

/// Bytes read per wakeup: a vassal writes log lines, and every byte of this
/// buffer is a page of stack kept for the vassal's whole life.
const READ_SIZE: usize = 4 * 1024;
/// Reads per stream after the exit, so a writer that never stops cannot keep
/// the relay alive.
const DRAIN_READS: usize = 256;

/// What the relay image needs, as one JSON argument.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct VassalHandoff {
    /// The container's command (our child).
    pub pid: i32,
    /// The PID holder (our child).
    pub holder: i32,
    pub stdout: RawFd,
    pub stderr: RawFd,
    /// The attach socket's listener, or -1.
    pub attach: RawFd,
    pub log: Option<LogTarget>,
    /// The inotify fd watching the vassal's files, or -1.
    pub watch: RawFd,
    /// (original, copy) of each of the vassal's files.
    pub files: Vec<(PathBuf, PathBuf)>,
    /// Removed once the container is gone (the copies' directory, the
    /// `docker-socket` file).
    pub remove: Vec<PathBuf>,
    /// `vassalrun ... monitor ID`, to which `--finish CODE` is added.
    pub finish: Vec<String>,
}

impl VassalHandoff {
    fn fds(&self) -> Vec<RawFd> {
        [self.stdout, self.stderr, self.attach, self.watch]
            .into_iter()
            .filter(|fd| *fd >= 0)
            .collect()
    }
}

/// The relay's state.
pub struct VassalRelay {
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub log: Option<JsonFileWriter>,
    pub attach: Option<OwnedFd>,
    pub clients: Clients,
    pub watch: Option<OwnedFd>,
    pub files: Vec<(PathBuf, PathBuf)>,
}

impl VassalRelay {
    /// Relays until `pid` exits; returns Docker's code for it. The caller has
    /// blocked SIGCHLD and the forwarded signals.
    pub fn run(&mut self, pid: Pid) -> u8 {
        // SAFETY: SIG_IGN installs no handler; a client going away must not kill us.
        unsafe {
            let _ = nix::sys::signal::signal(Signal::SIGPIPE, nix::sys::signal::SigHandler::SigIgn);
        }
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGCHLD);
        for (signal, _) in FORWARDED {
            mask.add(signal);
        }
        let _ = mask.thread_block();
        let signals = SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK);
        let mut open = [true, true];
        loop {
            if let Some(code) = try_reap(pid) {
                self.drain(open);
                return code;
            }
            self.serve(signals.as_ref().ok(), pid, &mut open);
        }
    }

    fn serve(&mut self, signals: Option<&SignalFd>, pid: Pid, open: &mut [bool; 2]) {
        let mut fds = Vec::with_capacity(8);
        let timeout = match signals {
            Some(fd) => {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                PollTimeout::NONE
            }
            None => PollTimeout::from(100u16),
        };
        let streams_at = fds.len();
        // A stream at its end is not polled (its hang-up would wake us forever).
        let streams: Vec<usize> = (0..2).filter(|&i| open[i]).collect();
        for &i in &streams {
            fds.push(PollFd::new(self.stream_fd(i).as_fd(), PollFlags::POLLIN));
        }
        let attach_at = fds.len();
        if let Some(listener) = &self.attach {
            fds.push(PollFd::new(listener.as_fd(), PollFlags::POLLIN));
        }
        let watch_at = fds.len();
        if let Some(watch) = &self.watch {
            fds.push(PollFd::new(watch.as_fd(), PollFlags::POLLIN));
        }
        let clients_at = fds.len();
        fds.extend(self.clients.poll_fds(true));
        if poll(&mut fds, timeout).is_err() {
            return;
        }
        let revents: Vec<PollFlags> = fds
            .iter()
            .map(|f| f.revents().unwrap_or(PollFlags::empty()))
            .collect();
        drop(fds);
        let ready = |i: usize| revents.get(i).is_some_and(|r| !r.is_empty());
        if let (Some(signals), true) = (signals, ready(0)) {
            while let Ok(Some(info)) = signals.read_signal() {
                if let Ok(signal) = Signal::try_from(info.ssi_signo as i32) {
                    forward(pid, signal);
                }
            }
        }
        for (slot, &i) in streams.iter().enumerate() {
            if ready(streams_at + slot) && !self.copy_once(i) {
                open[i] = false;
            }
        }
        if let (Some(listener), true) = (&self.attach, ready(attach_at)) {
            self.clients.accept(listener);
        }
        if self.watch.is_some() && ready(watch_at) {
            self.refresh();
        }
        // The vassal's stdin is the Emperor's (or its socket): clients' input
        // has nowhere to go.
        self.clients
            .service(&revents[clients_at.min(revents.len())..], &mut |_| {});
    }

    fn stream_fd(&self, index: usize) -> &OwnedFd {
        if index == 0 {
            &self.stdout
        } else {
            &self.stderr
        }
    }

    /// Copies one chunk of stream `index`; false at its end.
    fn copy_once(&mut self, index: usize) -> bool {
        let mut buf = [0u8; READ_SIZE];
        let n = match nix::unistd::read(self.stream_fd(index).as_raw_fd(), &mut buf) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => return true,
            Err(_) => return false,
        };
        let data = &buf[..n];
        let (own, stream, kind) = if index == 0 {
            (1, Stream::Stdout, STDOUT)
        } else {
            (2, Stream::Stderr, STDERR)
        };
        write_all(own, data);
        if let Some(log) = &mut self.log {
            let _ = log.write(stream, data);
        }
        self.clients.broadcast(kind, data);
        true
    }

    /// After the exit: what is still buffered, without waiting for writers
    /// (orphaned workers) that may never close the pipes.
    fn drain(&mut self, open: [bool; 2]) {
        for index in (0..2).filter(|&i| open[i]) {
            let fd = self.stream_fd(index).as_raw_fd();
            let _ = nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
            );
            for _ in 0..DRAIN_READS {
                let mut probe = [PollFd::new(
                    self.stream_fd(index).as_fd(),
                    PollFlags::POLLIN,
                )];
                let readable = poll(&mut probe, PollTimeout::ZERO).unwrap_or(0) > 0
                    && probe[0]
                        .revents()
                        .is_some_and(|r| r.contains(PollFlags::POLLIN));
                if !readable || !self.copy_once(index) {
                    break;
                }
            }
        }
        if let Some(log) = &mut self.log {
            let _ = log.flush_partial();
        }
    }

    fn refresh(&mut self) {
        if let Some(watch) = &self.watch {
            let mut buffer = [0u8; 4096];
            while nix::unistd::read(watch.as_raw_fd(), &mut buffer).is_ok_and(|n| n > 0) {}
        }
        if let Err(e) = super::files::refresh(&self.files) {
            eprintln!("[vassalrun] refreshing the vassal's files: {e}");
        }
    }

    /// The handoff for the relay image; the descriptors go with it.
    pub fn hand_off(
        self,
        pid: Pid,
        holder: Pid,
        remove: Vec<PathBuf>,
        finish: Vec<String>,
    ) -> VassalHandoff {
        VassalHandoff {
            pid: pid.as_raw(),
            holder: holder.as_raw(),
            stdout: self.stdout.into_raw_fd(),
            stderr: self.stderr.into_raw_fd(),
            attach: self.attach.map_or(-1, IntoRawFd::into_raw_fd),
            log: self.log.as_ref().map(JsonFileWriter::target),
            watch: self.watch.map_or(-1, IntoRawFd::into_raw_fd),
            files: self.files,
            remove,
            finish,
        }
    }

    /// The relay again from a handoff (in the relay image, or in this one
    /// when the exec failed).
    pub fn take_back(handoff: &VassalHandoff) -> VassalRelay {
        // SAFETY: the descriptors were handed over, open, to this image
        // alone; close-on-exec again at once (the finishing image gets only
        // the clients).
        let own = |fd: RawFd| {
            let _ = nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            );
            unsafe { OwnedFd::from_raw_fd(fd) }
        };
        VassalRelay {
            stdout: own(handoff.stdout),
            stderr: own(handoff.stderr),
            log: handoff
                .log
                .as_ref()
                .and_then(|l| JsonFileWriter::open_rotating(&l.path, l.max_size, l.max_file).ok()),
            attach: (handoff.attach >= 0).then(|| own(handoff.attach)),
            clients: Clients::default(),
            watch: (handoff.watch >= 0).then(|| own(handoff.watch)),
            files: handoff.files.clone(),
        }
    }
}

/// Writes all of `data` to `fd` (the Emperor's log), waiting if it is full.
fn write_all(fd: RawFd, mut data: &[u8]) {
    // SAFETY: fds 1 and 2 stay open for the life of this process.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    while !data.is_empty() {
        match nix::unistd::write(borrowed, data) {
            Ok(n) => data = &data[n..],
            Err(nix::errno::Errno::EINTR) => {}
            Err(nix::errno::Errno::EAGAIN) => {
                let mut fds = [PollFd::new(borrowed, PollFlags::POLLOUT)];
                let _ = poll(&mut fds, PollTimeout::from(1000u16));
            }
            Err(_) => return,
        }
    }
}

/// Execs the relay image `program` with `handoff`; returns (with the relay
/// back) only if that fails.
pub fn exec_relay_image(program: &Path, handoff: VassalHandoff) -> VassalRelay {
    let args = vec![
        "vassal".to_string(),
        serde_json::to_string(&handoff).unwrap_or_default(),
    ];
    let error = exec_keeping(program, &args, &handoff.fds());
    eprintln!(
        "[vassalrun] exec {}: {error}; relaying here",
        program.display()
    );
    VassalRelay::take_back(&handoff)
}

/// Kills the PID holder and reaps until it is gone (a dying namespace init
/// waits for its namespace's processes; orphans of ours are reaped too).
pub fn end_holder(holder: Pid) {
    let _ = nix::sys::signal::kill(holder, Signal::SIGKILL);
    loop {
        match nix::sys::wait::waitpid(None::<Pid>, None) {
            Ok(status) if status.pid() == Some(holder) => return,
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return,
        }
    }
}

/// Removes the vassal's leftovers (files, directories).
pub fn remove_paths(paths: &[PathBuf]) {
    for path in paths {
        if path.is_dir() {
            let _ = std::fs::remove_dir_all(path);
        } else {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `vassalrun-relay vassal HANDOFF`: relays, ends the holder, cleans up and
/// execs the finishing command; returns an exit code only if that fails.
pub fn relay_image_main(args: &[std::ffi::OsString]) -> i32 {
    use std::os::unix::ffi::OsStrExt;
    let Some(json) = args.get(2) else {
        eprintln!("usage: vassalrun-relay vassal HANDOFF");
        return 125;
    };
    let handoff: VassalHandoff = match serde_json::from_slice(json.as_bytes()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("vassalrun-relay: bad handoff: {e}");
            return 125;
        }
    };
    let mut relay = VassalRelay::take_back(&handoff);
    // The loader and libc touched far more than the loop will use.
    crate::runtime::lifecycle::memory_trim::release_unused_memory();
    let code = relay.run(Pid::from_raw(handoff.pid));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    relay.clients.flush(deadline);
    end_holder(Pid::from_raw(handoff.holder));
    remove_paths(&handoff.remove);
    let VassalRelay { clients, .. } = relay;
    let clients: Vec<RawFd> = clients
        .into_fds()
        .into_iter()
        .map(IntoRawFd::into_raw_fd)
        .collect();
    let mut finish = handoff.finish.clone();
    finish.extend(["--finish".to_string(), code.to_string()]);
    if !clients.is_empty() {
        let list: Vec<String> = clients.iter().map(|fd| fd.to_string()).collect();
        finish.extend(["--clients".to_string(), list.join(",")]);
    }
    let Some((program, rest)) = finish.split_first() else {
        return i32::from(code);
    };
    let error = exec_keeping(Path::new(program), rest, &clients);
    eprintln!("[vassalrun] exec {program}: {error}");
    i32::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_vassal_handoff_round_trips_as_json() {
        let handoff = VassalHandoff {
            pid: 10,
            holder: 11,
            stdout: 5,
            stderr: 6,
            attach: -1,
            log: None,
            watch: 8,
            files: vec![("/e/app.ini".into(), "/r/app.ini/app.ini".into())],
            remove: vec!["/r/app.ini".into()],
            finish: vec!["/bin/vassalrun".into(), "monitor".into(), "x".into()],
        };
        let json = serde_json::to_string(&handoff).unwrap();
        assert_eq!(
            serde_json::from_str::<VassalHandoff>(&json).unwrap(),
            handoff
        );
        assert_eq!(handoff.fds(), vec![5, 6, 8]);
    }
}
