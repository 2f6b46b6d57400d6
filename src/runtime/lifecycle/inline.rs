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
//! name (`--replace`). Otherwise the wrapper (or the small image it becomes,
//! see `emperor::relay`) reaps the command, and [`end_inline`] records the
//! exit as a monitor does and removes the container.

use std::sync::atomic::{AtomicU32, Ordering};

use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::unistd::Pid;
use serde_json::Value;

use super::monitor::{build, finish, BuildOptions};
use super::relay::Relay;
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
    /// The container's stdout and stderr are pipes to a [`Relay`] (with the
    /// container's json-file log and attach socket), not our own stdio.
    pub relay: bool,
    /// The small image the PID holder execs (see [`PidHolder::spawn_image`]).
    pub holder_image: Option<&'a std::path::Path>,
}

/// A started inline container.
pub struct Started {
    /// PID 1 of the container's namespace; killing it ends the container.
    pub holder: PidHolder,
    /// The container's command (our child).
    pub pid: Pid,
    /// Its output, with [`InlineOptions::relay`].
    pub relay: Option<Relay>,
}

/// Signals caught before the container runs, one bit per signal number.
/// (A signal handler can only reach static state.)
static PENDING: AtomicU32 = AtomicU32::new(0);

/// Signals the wrapper passes on, and what the container's command gets: a
/// uWSGI master treats SIGTERM as a brutal reload and SIGINT/SIGQUIT as
/// shutdown, so every "stop" becomes SIGINT; SIGHUP (graceful reload) stays.
pub const FORWARDED: [(Signal, Signal); 4] = [
    (Signal::SIGTERM, Signal::SIGINT),
    (Signal::SIGINT, Signal::SIGINT),
    (Signal::SIGQUIT, Signal::SIGINT),
    (Signal::SIGHUP, Signal::SIGHUP),
];

extern "C" fn remember(signal: nix::libc::c_int) {
    PENDING.fetch_or(1 << signal, Ordering::SeqCst);
}

/// Catches the forwarded signals until [`block_and_forward_caught`]. Handlers (unlike a blocked mask) do not survive into the
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

/// Builds and starts prepared container `id` in the holder's PID
/// namespace; on failure the container is removed. Call it single-threaded.
pub fn start_inline(
    settings: &Settings,
    id: &str,
    options: InlineOptions,
) -> Result<Started, LifecycleError> {
    let layout = Layout::new(settings);
    let dir = layout.container_dir(id);
    let error = |step: &'static str| {
        move |reason: String| LifecycleError::Runtime {
            id: id.to_string(),
            step,
            reason,
        }
    };
    let started = PidHolder::spawn_image(options.holder_image)
        .map_err(|e| error("pid namespace")(e.to_string()))
        .and_then(|mut holder| {
            join_pid_namespace(&ContainerFiles(&dir).spec(), &holder)
                .map_err(error("pid namespace"))?;
            let build_options = BuildOptions {
                inherit_stdio: !options.relay,
                preserved_fds: options.preserved_fds,
                keep_stdin: options.relay,
            };
            let (pids, relay) =
                build(&layout, id, &dir, &build_options).map_err(error("create"))?;
            let pid = pids.own;
            (options.before_start)(pid)?;
            // The holder's exec overlapped the build; nothing of the
            // container's runs before `start`.
            holder.wait_ready();
            start(settings, id)?;
            Ok(Started { holder, pid, relay })
        });
    started.inspect_err(|_| {
        let _ = remove_container(&Store::new(layout.clone()), id, RemoveMode::Force);
    })
}

/// After the container's command ended with `code`: kills the rest of its
/// namespace (orphaned workers go with the holder), records the exit as a
/// monitor does and removes the container.
pub fn end_inline(
    settings: &Settings,
    id: &str,
    holder: PidHolder,
    code: u8,
) -> Result<u8, LifecycleError> {
    let layout = Layout::new(settings);
    drop(holder);
    finish(&layout, id, &layout.container_dir(id), code);
    remove_container(&Store::new(layout.clone()), id, RemoveMode::AfterExit)?;
    Ok(code)
}

/// Forwards the signals caught by [`catch_forwarded_signals`] so far to
/// `pid`, after blocking them (and SIGCHLD): from now on they wait for a
/// signalfd, in this image or the next one (a blocked mask and pending
/// signals survive `exec`).
pub fn block_and_forward_caught(pid: Pid) -> SigSet {
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
    mask
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

/// Sends `pid` what a received signal means for a uWSGI master.
pub fn forward(pid: Pid, received: Signal) {
    if let Some((_, sent)) = FORWARDED.iter().find(|(r, _)| *r == received) {
        let _ = kill(pid, *sent);
    }
}
