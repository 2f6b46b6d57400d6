//! `start ID`: lets a created container's init exec the user process, then
//! runs the poststart hooks (libcontainer). Starting twice, or a stopped
//! container, fails naming its status.

use libcontainer::container::ContainerStatus;

use super::lock::IdLock;
use super::state::{load, refresh, validate_id, wrong_state};
use super::{OciContext, OciError};

#[derive(clap::Args, Debug)]
pub struct StartArgs {
    /// The container id
    pub id: String,
}

pub fn run_start(ctx: &OciContext, args: &StartArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let _lock = IdLock::acquire(ctx, &args.id)?;
    let mut container = load(ctx, &args.id)?;
    refresh(&mut container)?;
    if container.status() != ContainerStatus::Created {
        return Err(wrong_state(&container, "start"));
    }
    container
        .start()
        .map_err(|e| OciError::runtime(&args.id, "start", &e))?;
    Ok(0)
}
