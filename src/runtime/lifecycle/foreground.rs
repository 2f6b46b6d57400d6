//! Being attached to a container until it ends: a foreground `run`, `attach`
//! and `start -a`. The attach client relays the streams; this adds what only
//! the runtime knows: forwarding proxied signals to the container's init
//! (Docker's sig-proxy: the container lives in its own session, so a
//! terminal's Ctrl-C reaches only this command) and the exit code when the
//! monitor went away without telling it.

use std::process::Child;

use nix::sys::signal::{kill, Signal};

use super::status::{status, Status};
use crate::runtime::attach::client::{AttachOptions, Attachment, Outcome};
use crate::runtime::layout::{ContainerFiles, Layout};

/// Connects to container `id`'s monitor (it must be running or created).
pub fn connect(layout: &Layout, id: &str) -> std::io::Result<Attachment> {
    Attachment::connect(&ContainerFiles(&layout.container_dir(id)).attach_socket())
}

/// Relays until the end; returns the code to exit with: the container's,
/// 0 after a detach.
pub fn stay_attached(
    attachment: Attachment,
    options: &AttachOptions,
    layout: &Layout,
    id: &str,
    monitor: Option<&mut Child>,
) -> u8 {
    let outcome = attachment.run(options, &mut |signal| forward(layout, id, signal));
    match outcome {
        // The monitor tells the code once the exit is recorded (and a `--rm`
        // container has left the store, its name released); the rest of its
        // teardown does not hold us.
        Outcome::Exited(code) => code,
        Outcome::Detached => 0,
        Outcome::Lost => {
            // Dropped for falling too far behind (or the monitor died): the
            // output seen here is incomplete, whatever the container does.
            if let Status::Running { .. } = status(layout, id) {
                eprintln!(
                    "vassalrun: container {id}: the monitor dropped this client (more than 8 MiB behind); the container goes on, its full output is in `vassalrun logs`"
                );
                return 125;
            }
            match monitor {
                Some(monitor) => code_of(monitor.wait().ok()),
                None => match status(layout, id) {
                    Status::Exited(exit) => exit.exit_code as u8,
                    _ => 125,
                },
            }
        }
    }
}

fn forward(layout: &Layout, id: &str, signal: Signal) {
    match status(layout, id) {
        Status::Running { pid, .. } => {
            if let Err(e) = kill(nix::unistd::Pid::from_raw(pid), signal) {
                tracing::warn!("forwarding {signal} to {pid}: {e}");
            }
        }
        state => tracing::warn!("{signal} not forwarded: container is {}", state.name()),
    }
}

fn code_of(status: Option<std::process::ExitStatus>) -> u8 {
    status.and_then(|s| s.code()).map_or(125, |c| c as u8)
}
