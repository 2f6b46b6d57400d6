//! Running a prepared container in this very process, for the uWSGI Emperor
//! wrapper: the container is this process's descendant (its command is our
//! child), so the fds we hold reach it and it dies with us.
//!
//! ```text
//! wrapper (the Emperor's child) ─┬─ pid holder: PID 1 of namespace P, PDEATHSIG=SIGKILL
//!                                └─ container command (PID 2 in P, its cgroup)
//! ```
//!
//! The container joins the holder's PID namespace instead of making its own,
//! so a SIGKILLed wrapper takes the holder and, with it, every process of the
//! container (the kernel kills a PID namespace whose PID 1 dies). What is left
//! on disk (state, cgroup, overlay) is removed by the next create of the same
//! name (`--replace`). Otherwise the wrapper reaps the command, records the
//! exit as a monitor does and removes the container.

use std::os::fd::{AsFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;
use nix::unistd::Pid;
use serde_json::Value;

use super::monitor::{build, finish, BuildOptions};
use super::reap::try_reap;
use super::remove::{remove_container, RemoveMode};
use super::start::start;
use super::LifecycleError;
use crate::config::Settings;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::pid_holder::PidHolder;
use crate::runtime::record::{read_json, write_json};
use crate::runtime::store::Store;

/// How the container runs in this process.
pub struct InlineOptions<'a> {
    /// fds 3..3+N the container keeps (they must not be close-on-exec).
    pub preserved_fds: i32,
    /// Runs between build and start with the container's pid: where the
    /// container's network is set up, as `create` does after spawning its monitor.
    pub before_start: Box<dyn FnOnce(Pid) -> Result<(), LifecycleError> + 'a>,
    /// Runs once the container's command has started: drop our copies of what
    /// was handed over.
    pub on_started: Box<dyn FnOnce() + 'a>,
    /// An fd to watch while the container runs, and what to do when it is
    /// readable (the Emperor wrapper refreshes the vassal's copied files).
    pub watch: Option<(RawFd, Box<dyn FnMut() + 'a>)>,
}

/// Signals caught before the container runs, one bit per signal number.
/// (A signal handler can only reach static state.)
static PENDING: AtomicU32 = AtomicU32::new(0);

/// Signals the wrapper passes on, and what the container's command gets: a
/// uWSGI master treats SIGTERM as a brutal reload and SIGINT/SIGQUIT as
/// shutdown, so every "stop" becomes SIGINT; SIGHUP (graceful reload) stays.
const FORWARDED: [(Signal, Signal); 4] = [
    (Signal::SIGTERM, Signal::SIGINT),
    (Signal::SIGINT, Signal::SIGINT),
    (Signal::SIGQUIT, Signal::SIGINT),
    (Signal::SIGHUP, Signal::SIGHUP),
];

extern "C" fn remember(signal: nix::libc::c_int) {
    PENDING.fetch_or(1 << signal, Ordering::SeqCst);
}

/// Catches the forwarded signals until [`run_inline`] waits for the
/// container. Handlers (unlike a blocked mask) do not survive into the
/// container's exec, so its command starts with default dispositions.
pub fn catch_forwarded_signals() {
    let action = nix::sys::signal::SigAction::new(
        nix::sys::signal::SigHandler::Handler(remember),
        nix::sys::signal::SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for (signal, _) in FORWARDED {
        // SAFETY: the handler only does an atomic OR.
        let _ = unsafe { nix::sys::signal::sigaction(signal, &action) };
    }
}

/// Builds, starts and waits for prepared container `id`; returns its exit
/// code after recording it and removing the container. Call it single-threaded.
pub fn run_inline(
    settings: &Settings,
    id: &str,
    options: InlineOptions,
) -> Result<u8, LifecycleError> {
    let layout = Layout::new(settings);
    let store = Store::new(layout.clone());
    let dir = layout.container_dir(id);
    let error = |step: &'static str| {
        move |reason: String| LifecycleError::Runtime {
            id: id.to_string(),
            step,
            reason,
        }
    };
    let started = PidHolder::spawn()
        .map_err(|e| error("pid namespace")(e.to_string()))
        .and_then(|holder| {
            join_pid_namespace(&ContainerFiles(&dir).spec(), &holder)
                .map_err(error("pid namespace"))?;
            let build_options = BuildOptions {
                inherit_stdio: true,
                preserved_fds: options.preserved_fds,
            };
            let (pids, _) = build(&layout, id, &dir, &build_options).map_err(error("create"))?;
            let pid = pids.own;
            (options.before_start)(pid)?;
            start(settings, id)?;
            Ok((holder, pid))
        });
    let (holder, pid) = match started {
        Ok(started) => started,
        Err(e) => {
            let _ = remove_container(&store, id, RemoveMode::Force);
            return Err(e);
        }
    };
    (options.on_started)();
    let code = wait_forwarding(pid, options.watch);
    // The rest of the namespace (orphaned workers) goes with the holder.
    drop(holder);
    finish(&layout, id, &dir, code);
    remove_container(&store, id, RemoveMode::AfterExit)?;
    Ok(code)
}

/// Points the spec's PID namespace at the holder's:
/// `{"type": "pid", "path": "/proc/<holder>/ns/pid"}`.
fn join_pid_namespace(spec_path: &std::path::Path, holder: &PidHolder) -> Result<(), String> {
    let mut spec: Value = read_json(spec_path)
        .map_err(|e| e.to_string())?
        .ok_or("no spec")?;
    let namespace = spec
        .pointer_mut("/linux/namespaces")
        .and_then(Value::as_array_mut)
        .and_then(|list| list.iter_mut().find(|n| n["type"] == "pid"))
        .ok_or("the container has no PID namespace of its own")?;
    namespace["path"] = Value::String(holder.namespace_path().display().to_string());
    write_json(spec_path, &spec).map_err(|e| e.to_string())
}

/// Waits for the container's command, forwarding signals (caught ones first).
fn wait_forwarding(pid: Pid, mut watch: Option<(RawFd, Box<dyn FnMut() + '_>)>) -> u8 {
    let mut mask = SigSet::empty();
    mask.add(Signal::SIGCHLD);
    for (signal, _) in FORWARDED {
        mask.add(signal);
    }
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None);
    let pending = PENDING.swap(0, Ordering::SeqCst);
    for (signal, _) in FORWARDED {
        if pending & (1 << signal as i32) != 0 {
            forward(pid, signal);
        }
    }
    let Ok(signals) = SignalFd::new(&mask) else {
        return super::reap::wait_exit(pid);
    };
    loop {
        if let Some(code) = try_reap(pid) {
            return code;
        }
        if let Some((fd, on_readable)) = &mut watch {
            // SAFETY: the caller keeps the watched fd open while we wait.
            let watched = unsafe { BorrowedFd::borrow_raw(*fd) };
            let mut fds = [
                PollFd::new(signals.as_fd(), PollFlags::POLLIN),
                PollFd::new(watched, PollFlags::POLLIN),
            ];
            if poll(&mut fds, PollTimeout::NONE).is_err() {
                continue;
            }
            if fds[1].revents().is_some_and(|r| !r.is_empty()) {
                on_readable();
            }
            if fds[0].revents().is_none_or(|r| r.is_empty()) {
                continue;
            }
        }
        match signals.read_signal() {
            Ok(Some(info)) if info.ssi_signo != Signal::SIGCHLD as u32 => {
                if let Ok(signal) = Signal::try_from(info.ssi_signo as i32) {
                    forward(pid, signal);
                }
            }
            Ok(_) => {}
            Err(_) => return super::reap::wait_exit(pid),
        }
    }
}

fn forward(pid: Pid, received: Signal) {
    if let Some((_, sent)) = FORWARDED.iter().find(|(r, _)| *r == received) {
        let _ = kill(pid, *sent);
    }
}
