//! SIGPIPE while the runtime feeds hooks. libcontainer writes the state JSON
//! to each hook's stdin; a hook that exits without reading it (`/bin/true`)
//! makes that write raise SIGPIPE, and with the default disposition (which
//! `main` restores for the sake of container processes) the runtime dies with
//! status 141, mid-create, without a word.
//!
//! The signal is caught by a handler that does nothing, not ignored: the write
//! then fails with EPIPE, which libcontainer treats as "the hook did not read
//! its input". A caught signal returns to its default disposition across
//! `execve`, so the container process (exec'd by a fork of this process) and
//! the hooks still start with SIGPIPE at its default, whereas SIG_IGN would be
//! inherited by every process in the container.

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

extern "C" fn on_sigpipe(_: nix::libc::c_int) {}

/// From now on a broken pipe is an EPIPE error, not the end of this process.
pub fn survive_broken_pipes() {
    let action = SigAction::new(
        SigHandler::Handler(on_sigpipe),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing, so it is async-signal-safe; installing
    // it cannot break any other handler (SIGPIPE has none before this).
    let _ = unsafe { sigaction(Signal::SIGPIPE, &action) };
}
