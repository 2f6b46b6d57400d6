//! `rename CONTAINER NEW_NAME`.

use std::process::ExitCode;

use clap::Args;

use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::rename::rename;
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct RenameArgs {
    /// Container (name, id or unique id prefix)
    container: String,
    /// Its new name
    new_name: String,
}

pub fn run_rename(settings: &Settings, args: &RenameArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    let id = store.resolve(&args.container)?;
    rename(&store, &id, &args.new_name)?;
    Ok(ExitCode::SUCCESS)
}
