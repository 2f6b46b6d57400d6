//! `kill` and `stop`: signals to the container's init.
//!
//! Signals are sent directly, not through libcontainer's `kill()`, which marks a
//! container stopped after any signal (even SIGHUP). The container lock is held
//! while signalling; the monitor reaps the init before it takes that lock, so a
//! signal racing the exit could in theory reach a recycled pid (a pidfd would
//! close that gap).

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::attach::client::Outcome;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::store::Store;

/// Default seconds `stop` waits before SIGKILL (Docker's).
pub const DEFAULT_STOP_TIMEOUT: u64 = 10;

/// Parses `TERM`, `SIGTERM` or `15`.
pub fn parse_signal(text: &str) -> Result<Signal, LifecycleError> {
    let bad = || LifecycleError::InvalidSignal(text.to_string());
    if let Ok(n) = text.parse::<i32>() {
        return Signal::try_from(n).map_err(|_| bad());
    }
    let upper = text.to_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    name.parse::<Signal>().map_err(|_| bad())
}

/// Sends `signal` to the container's init; refuses a container that is not running.
pub fn signal_container(store: &Store, id: &str, signal: Signal) -> Result<(), LifecycleError> {
    let _lock = store.lock(id)?;
    match status(&store.layout, id) {
        Status::Running { pid, .. } => {
            kill(Pid::from_raw(pid), signal).map_err(|e| LifecycleError::Runtime {
                id: id.to_string(),
                step: "kill",
                reason: e.to_string(),
            })?;
            super::pause::thaw_after_signal(&store.layout, id);
            Ok(())
        }
        _ => Err(LifecycleError::NotRunning(id.to_string())),
    }
}

/// Sends the stop signal, waits up to `timeout` (or the container's
/// `--stop-timeout`, or 10 s) for the exit, then SIGKILLs. Stopping a container
/// that is not running succeeds.
pub fn stop_container(store: &Store, id: &str, timeout: Option<u64>) -> Result<(), LifecycleError> {
    let dir = store.layout.container_dir(id);
    let record: Option<ContainerRecord> = read_json(&ContainerFiles(&dir).record())?;
    let config = record.map(|r| r.request.config).unwrap_or_default();
    let signal = match config.stop_signal.as_str() {
        "" => Signal::SIGTERM,
        s => parse_signal(s)?,
    };
    let timeout = timeout
        .or(config.stop_timeout.map(|t| t.max(0) as u64))
        .unwrap_or(DEFAULT_STOP_TIMEOUT);
    match signal_container(store, id, signal) {
        Err(LifecycleError::NotRunning(_)) => return Ok(()),
        other => other?,
    }
    if wait_not_running(store, id, Duration::from_secs(timeout)) {
        return Ok(());
    }
    match signal_container(store, id, Signal::SIGKILL) {
        Err(LifecycleError::NotRunning(_)) => {}
        other => other?,
    }
    wait_not_running(store, id, Duration::from_secs(10));
    Ok(())
}

/// Waits until the monitor has recorded the exit; false on timeout.
fn wait_not_running(store: &Store, id: &str, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let mut step = 0;
    loop {
        // "Dead" (process gone, exit not yet recorded) counts once the monitor
        // is gone too: it releases the network before recording the exit.
        match status(&store.layout, id) {
            Status::Exited(_) => return true,
            Status::Dead if !super::status::monitor_alive(&store.layout.container_dir(id)) => {
                return true
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(poll_interval(&mut step, Duration::from_millis(20)));
    }
}

/// The next pause of a status poll: 1 ms, doubling up to `max`. A killed
/// container's monitor records the exit within milliseconds, and a fixed 20 ms
/// pause made every `stop` take at least that long (4 s for 200 containers).
fn poll_interval(step: &mut u32, max: Duration) -> Duration {
    let pause = Duration::from_millis(1 << (*step).min(6)).min(max);
    *step += 1;
    pause
}

/// Blocks until the container has exited; returns its exit code. A running
/// (or created) container is waited for as an attached client, so the code
/// arrives even when `--rm` removes the container at its exit, and the name
/// is free by then.
pub fn wait_exit(store: &Store, id: &str) -> Result<i32, LifecycleError> {
    if matches!(
        status(&store.layout, id),
        Status::Running { .. } | Status::Created
    ) {
        if let Ok(attachment) = super::foreground::connect(&store.layout, id) {
            if let Outcome::Exited(code) = attachment.wait_for_exit() {
                return Ok(i32::from(code));
            }
        }
    }
    let mut step = 0;
    loop {
        match status(&store.layout, id) {
            Status::Exited(exit) => return Ok(exit.exit_code),
            Status::Dead if !store.layout.container_dir(id).exists() => {
                return Err(crate::runtime::store::StoreError::NotFound(id.to_string()).into())
            }
            _ => std::thread::sleep(poll_interval(&mut step, Duration::from_millis(50))),
        }
    }
}
