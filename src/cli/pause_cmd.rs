//! `pause` and `unpause`: freeze and thaw containers' processes.

use std::process::ExitCode;

use clap::Args;

use super::for_each_container;
use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::pause::{pause, unpause};
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct PauseArgs {
    /// Containers (name, id or unique id prefix)
    #[arg(required = true, value_name = "CONTAINER")]
    containers: Vec<String>,
}

pub fn run_pause(settings: &Settings, args: &PauseArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    Ok(for_each_container(&args.containers, |r| {
        pause(&store, &store.resolve(r)?)?;
        Ok(r.to_string())
    }))
}

pub fn run_unpause(settings: &Settings, args: &PauseArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    Ok(for_each_container(&args.containers, |r| {
        unpause(&store, &store.resolve(r)?)?;
        Ok(r.to_string())
    }))
}
