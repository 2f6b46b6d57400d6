//! Waiting for a container process and turning its end into Docker's exit
//! code: the exit status, or 128+N when signal N killed it.

use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// Docker's code for a finished process; `None` for stop/continue events.
pub fn exit_code(status: WaitStatus) -> Option<u8> {
    match status {
        WaitStatus::Exited(_, code) => Some(code as u8),
        WaitStatus::Signaled(_, signal, _) => Some((128 + signal as i32) as u8),
        _ => None,
    }
}

/// Reaps `pid` if it has finished; 125 if it is not our child.
pub fn try_reap(pid: Pid) -> Option<u8> {
    match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
        Ok(status) => exit_code(status),
        Err(nix::errno::Errno::ECHILD) => Some(125),
        Err(_) => None,
    }
}

/// Waits for `pid` to finish; 125 if it cannot be waited for.
pub fn wait_exit(pid: Pid) -> u8 {
    loop {
        match waitpid(pid, None) {
            Ok(status) => {
                if let Some(code) = exit_code(status) {
                    return code;
                }
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return 125,
        }
    }
}
