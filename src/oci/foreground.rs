//! Foreground `run` and `exec`: this command waits for the process it started
//! (its own child: libcontainer clones it as a sibling of its intermediate
//! process), forwards the signals it receives to it, and exits with runc's
//! code for it: the exit status, or 128+N when signal N killed it.

use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::Pid;

use crate::runtime::lifecycle::reap::exit_code;

/// Signals passed on to the process (as runc does, minus SIGCHLD and the
/// terminal's SIGWINCH; SIGKILL and SIGSTOP cannot be caught).
const FORWARDED: [Signal; 12] = [
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGTERM,
    Signal::SIGALRM,
    Signal::SIGCONT,
    Signal::SIGTSTP,
    Signal::SIGTTIN,
    Signal::SIGTTOU,
    Signal::SIGPWR,
];

/// Waits for `pid` (our child), forwarding signals; returns its exit code.
/// Call it only after the process exists: a blocked mask would be inherited.
pub fn wait_forwarding(pid: Pid) -> u8 {
    let mut mask = SigSet::empty();
    for signal in FORWARDED.iter().chain([&Signal::SIGCHLD]) {
        mask.add(*signal);
    }
    if nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None).is_err() {
        return crate::runtime::lifecycle::reap::wait_exit(pid);
    }
    let Ok(signals) = SignalFd::new(&mask) else {
        return crate::runtime::lifecycle::reap::wait_exit(pid);
    };
    loop {
        match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(status) => {
                if let Some(code) = exit_code(status) {
                    return code;
                }
            }
            Err(_) => return 255,
        }
        match signals.read_signal() {
            Ok(Some(info)) if info.ssi_signo != Signal::SIGCHLD as u32 => {
                if let Ok(signal) = Signal::try_from(info.ssi_signo as i32) {
                    let _ = kill(pid, signal);
                }
            }
            Ok(_) => {}
            Err(_) => return crate::runtime::lifecycle::reap::wait_exit(pid),
        }
    }
}
