//! The monitor in two images. Building a container needs all of vassalrun
//! (libcontainer, the spec, the store); relaying its output for days needs
//! only the loop in [`super::relay`]. So once the container exists the monitor
//! `exec`s the small `vassalrun-relay` binary — same process, same pid, still
//! the parent of the container's init and init of its pid namespace — handing
//! it the descriptors; when the container exits the relay `exec`s vassalrun
//! again (`monitor ID --finish CODE`) to record the exit and clean up. An
//! idle monitor then holds only the relay's pages: a PIE binary's relocated
//! data is private to every process, and vassalrun's is ~300 KiB.
//!
//! Without the relay binary next to vassalrun the monitor relays itself.

use std::ffi::{CString, OsString};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::relay::{Output, Relay, Stdin};
use crate::runtime::attach::clients::Clients;
use crate::runtime::logs::json_file::JsonFileWriter;

/// The environment variable naming the relay binary (set by the spawner).
pub const RELAY_ENV: &str = "VASSALRUN_RELAY";

/// What the relay needs, passed as one JSON argument.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Handoff {
    /// The init's pid as the monitor sees it.
    pub init_pid: i32,
    pub stdout: RawFd,
    /// Absent with a terminal (`stdout` is then the pty master).
    pub stderr: Option<RawFd>,
    pub stdin: Option<RawFd>,
    pub attach: RawFd,
    /// Attached clients' sockets (their queues flushed before the handoff).
    #[serde(default)]
    pub clients: Vec<RawFd>,
    pub log: Option<LogTarget>,
    /// The command that finishes (`vassalrun ... monitor ID`), to which the
    /// relay adds `--finish CODE --clients FD,...`.
    pub finish: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct LogTarget {
    pub path: PathBuf,
    pub max_size: u64,
    pub max_file: u32,
}

/// The relay binary next to the running vassalrun, if it is there.
pub fn relay_binary_beside(exe: &Path) -> Option<PathBuf> {
    let relay = exe.with_file_name("vassalrun-relay");
    relay.is_file().then_some(relay)
}

/// Replaces this process with `program args...`, keeping `fds` open across
/// the exec; returns only on failure.
pub fn exec_keeping(program: &Path, args: &[String], fds: &[RawFd]) -> std::io::Error {
    for &fd in fds {
        if let Err(e) = nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
        ) {
            return e.into();
        }
    }
    let to_c = |bytes: &[u8]| CString::new(bytes).unwrap_or_default();
    let program_c = to_c(program.as_os_str().as_bytes());
    let mut argv = vec![program_c.clone()];
    argv.extend(args.iter().map(|a| to_c(a.as_bytes())));
    match nix::unistd::execv(&program_c, &argv) {
        Ok(never) => match never {},
        Err(e) => e.into(),
    }
}

impl Handoff {
    /// The descriptors the relay takes over.
    pub fn fds(&self) -> Vec<RawFd> {
        [
            Some(self.stdout),
            self.stderr,
            self.stdin,
            Some(self.attach),
        ]
        .into_iter()
        .flatten()
        .chain(self.clients.iter().copied())
        .collect()
    }
}

/// Turns a relay into a handoff: its descriptors are released to the exec.
pub fn hand_off(
    relay: Relay,
    init_pid: i32,
    log: Option<LogTarget>,
    finish: Vec<String>,
) -> Handoff {
    let (stdout, stderr) = match relay.output {
        Output::Pipes { stdout, stderr } => (stdout.into_raw_fd(), Some(stderr.into_raw_fd())),
        Output::Terminal { master } => (master.into_raw_fd(), None),
    };
    let stdin = relay.stdin.map(|s| s.into_fd().into_raw_fd());
    let attach = relay.attach.map_or(-1, IntoRawFd::into_raw_fd);
    let clients = relay
        .clients
        .into_fds()
        .into_iter()
        .map(IntoRawFd::into_raw_fd)
        .collect();
    Handoff {
        init_pid,
        stdout,
        stderr,
        stdin,
        attach,
        clients,
        log,
        finish,
    }
}

/// The relay again, from a handoff whose exec failed.
pub fn take_back(handoff: Handoff) -> Relay {
    relay_from(&handoff)
}

fn relay_from(handoff: &Handoff) -> Relay {
    // SAFETY: the descriptors were handed over, open, to this image alone.
    // They are close-on-exec again at once: the next image gets only what
    // it is handed explicitly.
    let own = |fd: RawFd| {
        let _ = nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        );
        unsafe { OwnedFd::from_raw_fd(fd) }
    };
    let terminal = handoff.stderr.is_none();
    let output = match handoff.stderr {
        Some(stderr) => Output::Pipes {
            stdout: own(handoff.stdout),
            stderr: own(stderr),
        },
        None => Output::Terminal {
            master: own(handoff.stdout),
        },
    };
    let log = handoff
        .log
        .as_ref()
        .and_then(|l| JsonFileWriter::open_rotating(&l.path, l.max_size, l.max_file).ok());
    Relay {
        output,
        stdin: handoff.stdin.map(|fd| Stdin::new(own(fd), terminal)),
        log,
        attach: (handoff.attach >= 0).then(|| own(handoff.attach)),
        clients: Clients::adopt(handoff.clients.iter().map(|&fd| own(fd)).collect()),
    }
}

/// `vassalrun-relay monitor ID HANDOFF`: relays, then execs the finish
/// command; returns an exit code only if that exec fails.
pub fn relay_main(args: &[OsString]) -> i32 {
    let Some(json) = args.get(3) else {
        eprintln!("usage: vassalrun-relay monitor ID HANDOFF");
        return 125;
    };
    let handoff: Handoff = match serde_json::from_slice(json.as_bytes()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("vassalrun-relay: bad handoff: {e}");
            return 125;
        }
    };
    let mut relay = relay_from(&handoff);
    // The loader and libc touched far more than the loop will use.
    super::memory_trim::release_unused_memory();
    let code = relay.run_until_exit(nix::unistd::Pid::from_raw(handoff.init_pid));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    relay.clients.flush(deadline);
    // Only the clients go on to the finishing image: the output, stdin and
    // the attach listener (no new client once the container is gone) close.
    let Relay { clients, .. } = relay;
    let clients = clients.into_fds();
    let mut finish = handoff.finish.clone();
    finish.extend(["--finish".to_string(), code.to_string()]);
    if !clients.is_empty() {
        let list: Vec<String> = clients
            .iter()
            .map(|fd| fd.as_raw_fd().to_string())
            .collect();
        finish.extend(["--clients".to_string(), list.join(",")]);
    }
    let raw: Vec<RawFd> = clients.into_iter().map(IntoRawFd::into_raw_fd).collect();
    let Some((program, rest)) = finish.split_first() else {
        return i32::from(code);
    };
    let error = exec_keeping(Path::new(program), rest, &raw);
    eprintln!("vassalrun-relay: exec {program}: {error}");
    i32::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_handoff_round_trips_as_json() {
        let handoff = Handoff {
            init_pid: 3,
            stdout: 5,
            stderr: None,
            stdin: Some(7),
            attach: 8,
            clients: vec![9],
            log: Some(LogTarget {
                path: "/x/y-json.log".into(),
                max_size: 10,
                max_file: 2,
            }),
            finish: vec!["/bin/vassalrun".into(), "monitor".into(), "id".into()],
        };
        let json = serde_json::to_string(&handoff).unwrap();
        assert_eq!(serde_json::from_str::<Handoff>(&json).unwrap(), handoff);
        assert_eq!(handoff.fds(), vec![5, 7, 8, 9]);
    }
}
