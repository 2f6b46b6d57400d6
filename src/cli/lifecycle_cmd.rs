//! `create`, `start`, `run`, `rm` and the hidden `monitor`: parse, call the
//! runtime, print.

use std::process::ExitCode;

use clap::{ArgAction, Args};

use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::create::{create, CreateOptions, Created};
use crate::runtime::lifecycle::monitor::{run_monitor, MonitorStdio};
use crate::runtime::lifecycle::remove::{remove_container, RemoveMode};
use crate::runtime::lifecycle::start::start;
use crate::runtime::store::{Store, StoreError};
use crate::spec::run_flags::RunFlags;

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct CreateArgs {
    /// Print help (-h is --hostname, as in docker run)
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
    /// Remove a container that holds the name first
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    flags: RunFlags,
    /// IMAGE (an image name or digest, or a rootfs tarball or directory), then COMMAND and ARGs
    #[arg(value_name = "IMAGE [COMMAND [ARG...]]", required = true, num_args = 1.., trailing_var_arg = true)]
    image_and_command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct StartArgs {
    /// Containers (name, id or unique id prefix)
    #[arg(required = true)]
    containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Kill a running container first
    #[arg(short, long)]
    force: bool,
    /// Containers (name, id or unique id prefix)
    #[arg(required = true)]
    containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct MonitorArgs {
    id: String,
}

fn create_from(
    settings: &Settings,
    args: &CreateArgs,
    stdio: MonitorStdio,
) -> anyhow::Result<Created> {
    let (image, command) = args
        .image_and_command
        .split_first()
        .expect("clap requires IMAGE");
    let lookup = |key: &str| std::env::var(key).ok();
    let request = args.flags.to_request(image, command, &lookup)?;
    let options = CreateOptions {
        request,
        name: args.flags.name()?,
        replace: args.replace,
        stdio,
    };
    Ok(create(settings, options)?)
}

pub fn run_create(settings: &Settings, args: &CreateArgs) -> anyhow::Result<ExitCode> {
    let created = create_from(settings, args, MonitorStdio::Null)?;
    println!("{}", created.id);
    Ok(ExitCode::SUCCESS)
}

/// `run`: create and start; without `-d` wait and exit with the container's code.
pub fn run_run(settings: &Settings, args: &CreateArgs) -> anyhow::Result<ExitCode> {
    let detach = args.flags.detach()?;
    let stdio = if detach {
        MonitorStdio::Null
    } else {
        MonitorStdio::Inherit
    };
    if !detach {
        // Before the container exists: its output may reach whoever signals us.
        crate::runtime::lifecycle::foreground::block_forwarded_signals();
    }
    let mut created = create_from(settings, args, stdio)?;
    if let Err(e) = start(settings, &created.id, stdio) {
        let _ = created.monitor.child.kill();
        let _ = created.monitor.child.wait();
        let _ = remove_container(
            &Store::new(Layout::new(settings)),
            &created.id,
            RemoveMode::Force,
        );
        return Err(e.into());
    }
    if detach {
        println!("{}", created.id);
        return Ok(ExitCode::SUCCESS);
    }
    let layout = Layout::new(settings);
    let code = crate::runtime::lifecycle::foreground::wait_forwarding_signals(
        &mut created.monitor.child,
        &layout,
        &created.id,
    );
    Ok(ExitCode::from(code))
}

pub fn run_start(settings: &Settings, args: &StartArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    Ok(super::for_each_container(&args.containers, |reference| {
        start(settings, &store.resolve(reference)?, MonitorStdio::Null)?;
        Ok(reference.to_string())
    }))
}

pub fn run_rm(settings: &Settings, args: &RmArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    let mode = if args.force {
        RemoveMode::Force
    } else {
        RemoveMode::Normal
    };
    Ok(super::for_each_container(&args.containers, |reference| {
        match store.resolve(reference) {
            Ok(id) => remove_container(&store, &id, mode)?,
            // Already gone: with -f that is success (concurrent removals both succeed).
            Err(StoreError::NotFound(_)) if args.force => {}
            Err(e) => return Err(e.into()),
        }
        Ok(reference.to_string())
    }))
}

pub fn run_monitor_cmd(settings: &Settings, args: &MonitorArgs) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::from(run_monitor(
        &Layout::new(settings),
        &args.id,
    )))
}
