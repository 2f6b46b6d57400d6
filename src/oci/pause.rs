//! `pause ID` and `resume ID`: freeze and thaw the container's cgroup.

use super::lock::IdLock;
use super::state::{load, refresh, validate_id, wrong_state};
use super::{OciContext, OciError};

#[derive(clap::Args, Debug)]
pub struct IdArgs {
    /// The container id
    pub id: String,
}

pub fn run_pause(ctx: &OciContext, args: &IdArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let _lock = IdLock::acquire_existing(ctx, &args.id)?;
    let mut container = load(ctx, &args.id)?;
    refresh(&mut container)?;
    if !container.can_pause() {
        return Err(wrong_state(&container, "pause"));
    }
    container
        .pause()
        .map_err(|e| OciError::runtime(&args.id, "pause", &e))?;
    Ok(0)
}

pub fn run_resume(ctx: &OciContext, args: &IdArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let _lock = IdLock::acquire_existing(ctx, &args.id)?;
    let mut container = load(ctx, &args.id)?;
    refresh(&mut container)?;
    if !container.can_resume() {
        return Err(wrong_state(&container, "resume"));
    }
    container
        .resume()
        .map_err(|e| OciError::runtime(&args.id, "resume", &e))?;
    Ok(0)
}
