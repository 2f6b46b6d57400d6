//! `kill [--all] ID [SIGNAL]`: SIGNAL is a name (`TERM`, `SIGTERM`) or a
//! number, SIGTERM by default. libcontainer marks the container stopped after
//! any signal; a container whose init survived (SIGHUP, SIGUSR1…) gets its
//! previous status back, so `state` stays truthful.

use libcontainer::container::ContainerStatus;
use nix::sys::signal::Signal;

use super::lock::IdLock;
use super::state::{load, refresh, validate_id, wrong_state};
use super::{OciContext, OciError};
use crate::runtime::lifecycle::signal::parse_signal;

#[derive(clap::Args, Debug)]
pub struct KillArgs {
    /// Signal every process in the container's cgroup, not only its init
    #[arg(short = 'a', long)]
    pub all: bool,
    /// The container id
    pub id: String,
    /// A signal name or number
    #[arg(default_value = "SIGTERM")]
    pub signal: String,
}

pub fn run_kill(ctx: &OciContext, args: &KillArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let signal: Signal =
        parse_signal(&args.signal).map_err(|_| OciError::InvalidSignal(args.signal.clone()))?;
    let _lock = IdLock::acquire_existing(ctx, &args.id)?;
    let mut container = load(ctx, &args.id)?;
    refresh(&mut container)?;
    let before = container.status();
    let killable = matches!(
        before,
        ContainerStatus::Created | ContainerStatus::Running | ContainerStatus::Paused
    );
    let stopped_all = args.all && before == ContainerStatus::Stopped;
    if !(killable || stopped_all) {
        return Err(wrong_state(&container, "kill"));
    }
    container
        .kill(signal, args.all)
        .map_err(|e| OciError::runtime(&args.id, "kill", &e))?;
    if killable && super::init_pid::is_running(&container) {
        let _ = container.set_status(before).save();
    }
    Ok(0)
}
