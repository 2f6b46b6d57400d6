//! `stop`, `kill`, `restart`, `wait`: signals and exits of running containers.

use std::process::ExitCode;

use clap::Args;

use super::{for_each_container, for_each_container_parallel};
use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::signal::{
    parse_signal, signal_container, stop_container, wait_exit,
};
use crate::runtime::lifecycle::start::start;
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct StopArgs {
    /// Seconds to wait before killing [default: the container's --stop-timeout, or 10]
    #[arg(short = 't', long = "time")]
    time: Option<u64>,
    /// Containers (name, id or unique id prefix)
    #[arg(required = true)]
    containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct KillArgs {
    /// Signal to send (name or number)
    #[arg(short = 's', long = "signal", default_value = "KILL")]
    signal: String,
    /// Containers (name, id or unique id prefix)
    #[arg(required = true)]
    containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct WaitArgs {
    /// Containers (name, id or unique id prefix)
    #[arg(required = true)]
    containers: Vec<String>,
}

fn store(settings: &Settings) -> Store {
    Store::new(Layout::new(settings))
}

pub fn run_stop(settings: &Settings, args: &StopArgs) -> anyhow::Result<ExitCode> {
    let store = store(settings);
    Ok(for_each_container_parallel(&args.containers, |r| {
        stop_container(&store, &store.resolve(r)?, args.time)?;
        Ok(r.to_string())
    }))
}

pub fn run_kill(settings: &Settings, args: &KillArgs) -> anyhow::Result<ExitCode> {
    let store = store(settings);
    let signal = parse_signal(&args.signal)?;
    Ok(for_each_container_parallel(&args.containers, |r| {
        signal_container(&store, &store.resolve(r)?, signal)?;
        Ok(r.to_string())
    }))
}

pub fn run_restart(settings: &Settings, args: &StopArgs) -> anyhow::Result<ExitCode> {
    let store = store(settings);
    Ok(for_each_container(&args.containers, |r| {
        let id = store.resolve(r)?;
        stop_container(&store, &id, args.time)?;
        start(settings, &id)?;
        Ok(r.to_string())
    }))
}

pub fn run_wait(settings: &Settings, args: &WaitArgs) -> anyhow::Result<ExitCode> {
    let store = store(settings);
    Ok(for_each_container(&args.containers, |r| {
        Ok(wait_exit(&store, &store.resolve(r)?)?.to_string())
    }))
}

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Allocate a pseudo-TTY for the process, relayed to this command's terminal
    #[arg(short = 't', long = "tty")]
    tty: bool,
    /// Send this command's stdin to the process (without it: /dev/null)
    #[arg(short = 'i', long = "interactive")]
    interactive: bool,
    /// The key sequence that detaches from a -t process (default ctrl-p,ctrl-q)
    #[arg(long = "detach-keys")]
    detach_keys: Option<String>,
    /// User: name|uid[:group|gid]
    #[arg(
        short = 'u',
        long = "user",
        default_value = "",
        hide_default_value = true
    )]
    user: String,
    /// Working directory inside the container
    #[arg(
        short = 'w',
        long = "workdir",
        default_value = "",
        hide_default_value = true
    )]
    workdir: String,
    /// Set environment variables
    #[arg(short = 'e', long = "env")]
    env: Vec<String>,
    /// Read environment variables from a file (before -e)
    #[arg(long = "env-file", value_name = "FILE")]
    env_file: Vec<String>,
    /// Detached mode: start the command in the background, its output discarded
    #[arg(short = 'd', long = "detach")]
    detach: bool,
    /// Give the command every capability the host grants
    #[arg(long)]
    privileged: bool,
    /// Container (name, id or unique id prefix)
    container: String,
    /// COMMAND and ARGs
    #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
    command: Vec<String>,
}

pub fn run_exec(settings: &Settings, args: &ExecArgs) -> anyhow::Result<ExitCode> {
    use crate::runtime::attach::detach_keys;
    use crate::runtime::lifecycle::exec::{exec, ExecOptions};
    if args.tty && args.interactive {
        if let Some(code) = super::refuse_non_tty_stdin() {
            return Ok(code);
        }
    }
    let store = store(settings);
    let id = store.resolve(&args.container)?;
    // The exec'd process starts as a fork of this one: run from the read-only
    // binary, as monitors do, so `/proc/<pid>/exe` never leads to a writable
    // vassalrun (CVE-2019-5736).
    crate::oci::protect::ensure_protected(&settings.run_dir)?;
    let keys = args.detach_keys.as_deref().unwrap_or(detach_keys::DEFAULT);
    let detach_keys = detach_keys::parse(keys).map_err(|why| {
        anyhow::anyhow!("invalid argument {keys:?} for \"--detach-keys\" flag: {why}")
    })?;
    let lookup = |key: &str| std::env::var(key).ok();
    let mut env = Vec::new();
    for file in &args.env_file {
        env.extend(crate::spec::run_flags::read_env_file(file, &lookup)?);
    }
    for entry in &args.env {
        env.push(exec_env_entry(entry, &lookup)?);
    }
    let options = ExecOptions {
        command: args.command.clone(),
        user: args.user.clone(),
        workdir: args.workdir.clone(),
        env,
        tty: args.tty,
        interactive: args.interactive,
        detach_keys,
        detach: args.detach,
        privileged: args.privileged,
    };
    Ok(ExitCode::from(exec(&store.layout, &id, &options)?))
}

/// Docker's `-e` rule for exec as for run: a bare `KEY` takes the caller's
/// value when it has one (else it stays bare and removes `KEY`); an entry
/// without a name is refused.
fn exec_env_entry(entry: &str, lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<String> {
    if entry.split_once('=').map_or(entry, |(k, _)| k).is_empty() {
        return Err(crate::spec::SpecError::Env(entry.to_string()).into());
    }
    Ok(match (entry.contains('='), lookup(entry)) {
        (false, Some(value)) => format!("{entry}={value}"),
        _ => entry.to_string(),
    })
}

#[derive(Args, Debug)]
pub struct GcArgs {}

/// `gc`: prints one line per thing removed.
pub fn run_gc(settings: &Settings, _args: &GcArgs) -> anyhow::Result<ExitCode> {
    let store = store(settings);
    for line in crate::runtime::lifecycle::gc::gc(&store, &settings.cgroup_parent)? {
        println!("{line}");
    }
    for line in crate::runtime::lifecycle::gc::gc_network(&store, &settings.bridge)? {
        println!("{line}");
    }
    // Downloads of interrupted pulls nobody continued within a day.
    let images = crate::runtime::images::ImageStore::of(settings);
    let day = std::time::Duration::from_secs(24 * 3600);
    for blob in
        crate::runtime::images::registry::partial::prune_older(&images.dir().join("tmp"), day)
    {
        println!("removed partial download {blob}");
    }
    Ok(ExitCode::SUCCESS)
}
