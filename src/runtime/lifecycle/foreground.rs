//! Waiting for a foreground `run`: the command is the monitor's parent and
//! exits with its code, and forwards the signals it receives to the container
//! (Docker's sig-proxy), since the monitor and the container live in their own
//! session and a terminal's Ctrl-C reaches only this command.

use std::process::Child;

use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;

use super::status::{status, Status};
use crate::runtime::layout::Layout;

/// Signals forwarded to the container.
const FORWARDED: [Signal; 6] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

fn forwarded_mask() -> SigSet {
    let mut mask = SigSet::empty();
    for signal in FORWARDED.iter().chain([&Signal::SIGCHLD]) {
        mask.add(*signal);
    }
    mask
}

/// Blocks the forwarded signals, so they queue for [`wait_forwarding_signals`]
/// instead of killing this command. Call it before the container is created:
/// its output may reach whoever signals us before we wait. (The monitor starts
/// with an empty mask, so nothing blocked here reaches the container.)
pub fn block_forwarded_signals() {
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&forwarded_mask()), None);
}

/// Waits for the monitor; returns its exit code (the container's), 125 if the
/// monitor itself failed.
pub fn wait_forwarding_signals(monitor: &mut Child, layout: &Layout, id: &str) -> u8 {
    block_forwarded_signals();
    let forwarding = SignalFd::new(&forwarded_mask()).ok();
    let Some(fd) = forwarding else {
        return code_of(monitor.wait().ok());
    };
    loop {
        if let Ok(Some(status)) = monitor.try_wait() {
            return code_of(Some(status));
        }
        match fd.read_signal() {
            Ok(Some(info)) if info.ssi_signo != Signal::SIGCHLD as u32 => {
                forward(layout, id, info.ssi_signo as i32)
            }
            Ok(_) => {}
            Err(_) => return code_of(monitor.wait().ok()),
        }
    }
}

fn forward(layout: &Layout, id: &str, signo: i32) {
    match (status(layout, id), Signal::try_from(signo)) {
        (Status::Running { pid }, Ok(signal)) => {
            if let Err(e) = kill(nix::unistd::Pid::from_raw(pid), signal) {
                tracing::warn!("forwarding signal {signo} to {pid}: {e}");
            }
        }
        (state, _) => tracing::warn!(
            "signal {signo} not forwarded: container is {}",
            state.name()
        ),
    }
}

fn code_of(status: Option<std::process::ExitStatus>) -> u8 {
    status.and_then(|s| s.code()).map_or(125, |c| c as u8)
}
