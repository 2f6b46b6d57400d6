//! `network reload` and `port`: parse, call the network module, print.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::network::{gc::reload, setup, summary::port_lines};
use crate::runtime::layout::Layout;
use crate::runtime::store::Store;

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// Rebuild vassalrun's nftables table from state (after a firewall flush or reload)
    Reload,
}

#[derive(Args, Debug)]
pub struct PortArgs {
    /// Container (name, id or unique id prefix)
    container: String,
    /// Only this container port: PORT[/PROTO]
    private_port: Option<String>,
}

pub fn run_network(settings: &Settings, command: &NetworkCommand) -> anyhow::Result<ExitCode> {
    match command {
        NetworkCommand::Reload => {
            let count = reload(&setup::network_dir(settings))?;
            println!("reloaded {count} endpoint(s)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Docker's `port`: `80/tcp -> 0.0.0.0:8080` per mapping, or the host sides of one port.
pub fn run_port(settings: &Settings, args: &PortArgs) -> anyhow::Result<ExitCode> {
    let id = Store::new(Layout::new(settings)).resolve(&args.container)?;
    let lines = port_lines(setup::endpoint_of(&setup::network_dir(settings), &id).as_ref());
    match &args.private_port {
        None => {
            for (key, hosts) in &lines {
                for (ip, port) in hosts {
                    println!("{key} -> {ip}:{port}");
                }
            }
        }
        Some(wanted) => {
            let key = if wanted.contains('/') {
                wanted.clone()
            } else {
                format!("{wanted}/tcp")
            };
            let Some(hosts) = lines.get(&key) else {
                bail!("No public port '{key}' published for {}", args.container);
            };
            for (ip, port) in hosts {
                println!("{ip}:{port}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
