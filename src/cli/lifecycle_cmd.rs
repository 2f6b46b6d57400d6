//! `create`, `start`, `run`, `rm` and the hidden `monitor`: parse, call the
//! runtime, print.

use std::process::ExitCode;

use clap::{ArgAction, Args};

use crate::config::Settings;
use crate::runtime::attach::client::{block_handled_signals, AttachOptions};
use crate::runtime::attach::detach_keys;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::create::{create, CreateOptions, Created};
use crate::runtime::lifecycle::foreground::{connect, stay_attached};
use crate::runtime::lifecycle::monitor::{finish_and_tell, run_monitor};
use crate::runtime::lifecycle::remove::{remove_container, RemoveMode};
use crate::runtime::lifecycle::start::{start, start_with};
use crate::runtime::lifecycle::status::{status, Status};
use crate::runtime::lifecycle::LifecycleError;
use crate::runtime::record::{read_json, ContainerRecord};
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
    /// IMAGE (an image name or digest, or a rootfs tarball or directory), then COMMAND and ARGs; optional when the --config body names its "Image"
    #[arg(value_name = "IMAGE [COMMAND [ARG...]]", required_unless_present = "config", num_args = 1.., trailing_var_arg = true)]
    image_and_command: Vec<String>,
    /// Which front door this came by (seen by run modules).
    #[arg(skip = crate::modules::Invocation::new(crate::modules::Origin::Cli))]
    invocation: crate::modules::Invocation,
}

impl CreateArgs {
    /// `run`/`create` arguments from another front door (the docker entry).
    pub(super) fn new(
        flags: RunFlags,
        image_and_command: Vec<String>,
        invocation: crate::modules::Invocation,
    ) -> CreateArgs {
        CreateArgs {
            help: None,
            replace: false,
            flags,
            image_and_command,
            invocation,
        }
    }
}

#[derive(Args, Debug)]
pub struct StartArgs {
    /// Attach to the container's output (and exit with its code)
    #[arg(short, long)]
    attach: bool,
    /// Attach the container's stdin
    #[arg(short, long)]
    interactive: bool,
    /// The key sequence that detaches (default ctrl-p,ctrl-q)
    #[arg(long = "detach-keys")]
    detach_keys: Option<String>,
    /// Containers (name, id or unique id prefix)
    #[arg(required = true)]
    containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AttachArgs {
    /// Do not attach stdin
    #[arg(long = "no-stdin")]
    no_stdin: bool,
    /// Forward the signals this command receives to the container
    #[arg(long = "sig-proxy", default_value = "true", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    sig_proxy: String,
    /// The key sequence that detaches (default ctrl-p,ctrl-q)
    #[arg(long = "detach-keys")]
    detach_keys: Option<String>,
    /// The container (name, id or unique id prefix)
    container: String,
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
    /// (from the relay image) the container exited with this code: finish
    #[arg(long)]
    finish: Option<u8>,
    /// (from the relay image) attached clients' sockets, to tell the code
    #[arg(long, value_delimiter = ',')]
    clients: Vec<i32>,
}

fn create_from(settings: &Settings, args: &CreateArgs) -> anyhow::Result<Created> {
    let (image, command) = super::image_and_command(&args.image_and_command);
    let lookup = |key: &str| std::env::var(key).ok();
    // Run modules (modules.d) add their arguments before the request is final.
    let prepared = crate::modules::prepare(&crate::modules::RunInput {
        settings,
        invocation: &args.invocation,
        flags: &args.flags,
        image,
        command,
        env: &lookup,
    })?;
    super::require_image(&prepared.request)?;
    let policy = prepared.flags.pull_policy()?;
    crate::runtime::images::pull_policy::ensure(
        settings,
        &prepared.request.config.image,
        policy,
        prepared.flags.platform.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let options = CreateOptions {
        request: prepared.request,
        name: prepared.flags.name()?,
        replace: args.replace,
    };
    Ok(create(settings, options)?)
}

pub fn run_create(settings: &Settings, args: &CreateArgs) -> anyhow::Result<ExitCode> {
    let created = create_from(settings, args)?;
    println!("{}", created.id);
    Ok(ExitCode::SUCCESS)
}

/// `run`: create and start; without `-d` attach before the start (so no
/// output is missed) and exit with the container's code.
pub fn run_run(settings: &Settings, args: &CreateArgs) -> anyhow::Result<ExitCode> {
    let detach = args.flags.detach()?;
    if !detach && wants_terminal_input(&args.flags)? {
        if let Some(code) = super::refuse_non_tty_stdin() {
            return Ok(code);
        }
    }
    let options = AttachOptions {
        stdin: false,
        tty: false,
        detach_keys: args.flags.detach_keys()?,
        sig_proxy: args.flags.sig_proxy()?,
        // A foreground `run -i` is Docker's StdinOnce.
        close_stdin_on_eof: true,
    };
    if !detach {
        // Before the container exists: its output may reach whoever signals us.
        block_handled_signals(options.sig_proxy);
    }
    let mut created = create_from(settings, args)?;
    let layout = Layout::new(settings);
    let id = created.id.clone();
    // Read before the start: a short `--rm` container may be gone from the
    // store by the time the start returns.
    let config = match detach {
        true => None,
        false => match created_config(settings, &id) {
            Ok(config) => Some(config),
            Err(e) => {
                let _ = created.monitor.child.kill();
                let _ = created.monitor.child.wait();
                let _ = remove_container(&Store::new(layout), &id, RemoveMode::Force);
                return Err(e);
            }
        },
    };
    let started = start_with(settings, &id, |layout| {
        if detach {
            return Ok(None);
        }
        connect(layout, &id)
            .map(Some)
            .map_err(|e| LifecycleError::Runtime {
                id: id.clone(),
                step: "attach",
                reason: e.to_string(),
            })
    });
    let attachment = match started {
        Ok((_, attachment)) => attachment,
        Err(e) => {
            let _ = created.monitor.child.kill();
            let _ = created.monitor.child.wait();
            let _ = remove_container(&Store::new(layout), &id, RemoveMode::Force);
            return Err(e.into());
        }
    };
    let Some(attachment) = attachment else {
        println!("{id}");
        return Ok(ExitCode::SUCCESS);
    };
    let config = config.unwrap_or_default();
    let options = AttachOptions {
        stdin: config.open_stdin,
        tty: config.tty,
        ..options
    };
    let code = stay_attached(
        attachment,
        &options,
        &layout,
        &id,
        Some(&mut created.monitor.child),
    );
    Ok(ExitCode::from(code))
}

/// `-i` and `-t` both: the caller's stdin becomes the container's terminal.
fn wants_terminal_input(flags: &RunFlags) -> anyhow::Result<bool> {
    let on =
        |value: &Option<String>, flag| value.as_deref().map_or(Ok(false), |v| parse_bool(v, flag));
    Ok(on(&flags.tty, "-t, --tty")? && on(&flags.interactive, "-i, --interactive")?)
}

/// The container's Docker config as recorded at create.
fn created_config(
    settings: &Settings,
    id: &str,
) -> anyhow::Result<crate::spec::model::ContainerConfig> {
    let dir = Layout::new(settings).container_dir(id);
    let record: ContainerRecord = read_json(&ContainerFiles(&dir).record())?
        .ok_or_else(|| anyhow::anyhow!("container {id}: record missing"))?;
    Ok(record.request.config)
}

pub fn run_start(settings: &Settings, args: &StartArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    if args.attach || args.interactive {
        let [reference] = args.containers.as_slice() else {
            anyhow::bail!("you cannot start and attach multiple containers at once");
        };
        return start_attached(settings, args, &store.resolve(reference)?);
    }
    Ok(super::for_each_container(&args.containers, |reference| {
        start(settings, &store.resolve(reference)?)?;
        Ok(reference.to_string())
    }))
}

/// `start -a [-i]`: attach before the command runs, then as `attach`.
fn start_attached(settings: &Settings, args: &StartArgs, id: &str) -> anyhow::Result<ExitCode> {
    let detach_keys = parse_detach_keys(args.detach_keys.as_deref())?;
    let config = created_config(settings, id)?;
    if args.interactive && config.tty && config.open_stdin {
        if let Some(code) = super::refuse_non_tty_stdin() {
            return Ok(code);
        }
    }
    block_handled_signals(true);
    let (_, attachment) = start_with(settings, id, |layout| {
        connect(layout, id).map_err(|e| LifecycleError::Runtime {
            id: id.to_string(),
            step: "attach",
            reason: e.to_string(),
        })
    })?;
    let options = AttachOptions {
        stdin: args.interactive && config.open_stdin,
        tty: config.tty,
        detach_keys,
        sig_proxy: true,
        close_stdin_on_eof: config.stdin_once,
    };
    let layout = Layout::new(settings);
    let code = stay_attached(attachment, &options, &layout, id, None);
    Ok(ExitCode::from(code))
}

fn parse_detach_keys(spec: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let spec = spec.unwrap_or(detach_keys::DEFAULT);
    detach_keys::parse(spec).map_err(|why| {
        anyhow::anyhow!("invalid argument {spec:?} for \"--detach-keys\" flag: {why}")
    })
}

/// `attach`: join a running container's streams.
pub fn run_attach(settings: &Settings, args: &AttachArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(settings);
    let id = Store::new(layout.clone()).resolve(&args.container)?;
    let detach_keys = parse_detach_keys(args.detach_keys.as_deref())?;
    if !matches!(status(&layout, &id), Status::Running { .. }) {
        anyhow::bail!("You cannot attach to a stopped container, start it first");
    }
    let sig_proxy = parse_bool(&args.sig_proxy, "--sig-proxy")?;
    let config = created_config(settings, &id)?;
    if !args.no_stdin && config.tty && config.open_stdin {
        if let Some(code) = super::refuse_non_tty_stdin() {
            return Ok(code);
        }
    }
    block_handled_signals(sig_proxy);
    let attachment =
        connect(&layout, &id).map_err(|e| anyhow::anyhow!("container {id}: attach: {e}"))?;
    let options = AttachOptions {
        stdin: !args.no_stdin && config.open_stdin,
        tty: config.tty,
        detach_keys,
        sig_proxy,
        close_stdin_on_eof: config.stdin_once,
    };
    let code = stay_attached(attachment, &options, &layout, &id, None);
    Ok(ExitCode::from(code))
}

fn parse_bool(value: &str, flag: &str) -> anyhow::Result<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => {
            anyhow::bail!("invalid argument {value:?} for \"{flag}\" flag: expected true or false")
        }
    }
}

pub fn run_rm(settings: &Settings, args: &RmArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    let mode = if args.force {
        RemoveMode::Force
    } else {
        RemoveMode::Normal
    };
    Ok(super::for_each_container_parallel(
        &args.containers,
        |reference| {
            match store.resolve(reference) {
                Ok(id) => remove_container(&store, &id, mode)?,
                // Already gone: with -f that is success (concurrent removals both succeed).
                Err(StoreError::NotFound(_)) if args.force => {}
                Err(e) => return Err(e.into()),
            }
            Ok(reference.to_string())
        },
    ))
}

pub fn run_monitor_cmd(settings: &Settings, args: &MonitorArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(settings);
    let Some(code) = args.finish else {
        return Ok(ExitCode::from(run_monitor(&layout, &args.id)));
    };
    use std::os::fd::FromRawFd;
    // SAFETY: the relay image handed these sockets over, open, to us alone.
    let fds = args
        .clients
        .iter()
        .map(|&fd| unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
        .collect();
    let clients = crate::runtime::attach::clients::Clients::adopt(fds);
    Ok(ExitCode::from(finish_and_tell(
        &layout, &args.id, code, clients,
    )))
}
