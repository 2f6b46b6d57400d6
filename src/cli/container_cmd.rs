//! `container prune`: remove every container that is not running.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::image_more_cmd::confirm;
use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::remove::{remove_container, RemoveMode};
use crate::runtime::lifecycle::status::{status, Status};
use crate::runtime::store::Store;

#[derive(Subcommand, Debug)]
pub enum ContainerCommand {
    /// Remove all stopped (created, exited or dead) containers
    Prune(PruneArgs),
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Do not ask for confirmation
    #[arg(short, long)]
    force: bool,
}

pub fn run_container(settings: &Settings, command: &ContainerCommand) -> anyhow::Result<ExitCode> {
    match command {
        ContainerCommand::Prune(args) => prune(settings, args),
    }
}

fn prune(settings: &Settings, args: &PruneArgs) -> anyhow::Result<ExitCode> {
    if !args.force && !confirm("all stopped containers") {
        return Ok(ExitCode::SUCCESS);
    }
    let store = Store::new(Layout::new(settings));
    let stopped: Vec<String> = store
        .ids()?
        .into_iter()
        .filter(|id| !matches!(status(&store.layout, id), Status::Running { .. }))
        .collect();
    println!("Deleted Containers:");
    let mut reclaimed = 0;
    let code = super::for_each_container(&stopped, |id| {
        let dir = store.layout.container_dir(id);
        // Not into rootfs/: a created container's overlay is mounted there.
        let size = dir_size(&dir) - dir_size(&dir.join("rootfs"));
        remove_container(&store, id, RemoveMode::Normal)?;
        reclaimed += size;
        Ok(id.to_string())
    });
    println!(
        "\nTotal reclaimed space: {}",
        super::image_cmd::human_size(reclaimed)
    );
    Ok(code)
}

/// Bytes in files under `dir`, symlinks not followed (a container's writable
/// layer and logs; its rootfs is not mounted once it stopped).
fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}
