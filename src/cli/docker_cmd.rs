//! The docker-compatible entry: `docker [GLOBAL FLAGS] COMMAND [FLAGS] …` for
//! the subset orchestrators use (Mesos's Docker containerizer), when invoked
//! as `docker` (a symlink) or as `vassalrun [OPTIONS] docker …`. Container
//! commands are vassalrun's own; `run`/`create` go through run modules with
//! origin `docker`.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::{ArgAction, Args, Parser, Subcommand};

use super::{control_cmd, image_cmd, lifecycle_cmd, logs_cmd, ps_cmd};
use crate::config::Settings;
use crate::docker::images::{self, Pulled};
use crate::docker::inspect::{self as docker_inspect, Kind};
use crate::docker::{logging, version};
use crate::modules::{Invocation, Origin};
use crate::runtime::images::reference::Reference;
use crate::runtime::images::ImageStore;
use crate::spec::run_flags::RunFlags;

/// `vassalrun docker`: the arguments after `docker`, set by [`split_argv`].
#[derive(Args, Debug, Default)]
pub struct DockerArgs {
    #[arg(skip)]
    pub args: Vec<OsString>,
}

/// vassalrun's global options that take a separate value.
const VALUE_OPTIONS: [&str; 9] = [
    "--root",
    "--run-dir",
    "--log-level",
    "--config-dir",
    "--init-path",
    "--default-cgroup-parent",
    "--bridge",
    "--subnet",
    "--gateway",
];

/// Splits argv into vassalrun's part (ending in `docker`) and docker's, when
/// the program is called `docker` or `docker` is the command word; the docker
/// grammar must not meet vassalrun's parser (`-l`, `--config` differ).
pub fn split_argv(args: Vec<OsString>) -> (Vec<OsString>, Option<Vec<OsString>>) {
    let Some(program) = args.first() else {
        return (args, None);
    };
    if Path::new(program)
        .file_name()
        .is_some_and(|n| n == "docker")
    {
        let docker = args[1..].to_vec();
        return (vec![program.clone(), "docker".into()], Some(docker));
    }
    let mut i = 1;
    while let Some(arg) = args.get(i).map(|a| a.to_string_lossy()) {
        if arg == "docker" {
            return (args[..=i].to_vec(), Some(args[i + 1..].to_vec()));
        }
        if !arg.starts_with('-') || arg == "--" {
            break;
        }
        let takes_value = !arg.contains('=') && VALUE_OPTIONS.contains(&arg.as_ref());
        i += if takes_value { 2 } else { 1 };
    }
    (args, None)
}

#[derive(Parser, Debug)]
#[command(
    name = "docker",
    about = "vassalrun's docker-compatible entry (no daemon)",
    disable_version_flag = true,
    disable_help_subcommand = true,
    max_term_width = 100
)]
struct DockerCli {
    /// Daemon socket: accepted and ignored (there is no daemon)
    #[arg(short = 'H', long = "host", value_name = "URL")]
    host: Vec<String>,
    /// Log on stderr at debug level
    #[arg(short = 'D', long = "debug")]
    debug: bool,
    /// Log level: debug, info, warn, error, fatal [default: info]
    #[arg(short = 'l', long = "log-level", value_name = "LEVEL")]
    log_level: Option<String>,
    /// Client configuration directory: pulls read credentials from its config.json
    #[arg(long = "config", value_name = "DIR")]
    config: Option<String>,
    /// Print the version and exit
    #[arg(short = 'v', long = "version")]
    version: bool,
    #[command(subcommand)]
    command: Option<DockerCommand>,
}

#[derive(Subcommand, Debug)]
enum DockerCommand {
    /// Create and start a container (through run modules)
    Run(RunArgs),
    /// Create a container (through run modules)
    Create(RunArgs),
    Start(lifecycle_cmd::StartArgs),
    Stop(control_cmd::StopArgs),
    Kill(control_cmd::KillArgs),
    Rm(DockerRmArgs),
    Ps(ps_cmd::PsArgs),
    /// Containers, else images, in Docker's JSON shape
    Inspect(InspectArgs),
    Logs(logs_cmd::LogsArgs),
    Wait(control_cmd::WaitArgs),
    Exec(control_cmd::ExecArgs),
    /// Pull an image from its registry (or import it from <config-dir>/docker.toml's mapping)
    Pull(PullArgs),
    /// Load a `docker save` archive or OCI image layout (-i FILE, or stdin)
    Load(super::image_archive_cmd::LoadArgs),
    Images(image_cmd::LsArgs),
    Version(FormatArgs),
    Info(FormatArgs),
}

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
struct RunArgs {
    /// Print help (-h is --hostname)
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
    #[command(flatten)]
    flags: RunFlags,
    #[arg(value_name = "IMAGE [COMMAND [ARG...]]", required = true, num_args = 1.., trailing_var_arg = true)]
    image_and_command: Vec<String>,
}

#[derive(Args, Debug)]
struct DockerRmArgs {
    /// Remove anonymous volumes: accepted (vassalrun creates none)
    #[arg(short = 'v', long = "volumes")]
    _volumes: bool,
    #[command(flatten)]
    inner: lifecycle_cmd::RmArgs,
}

#[derive(Args, Debug)]
struct InspectArgs {
    /// container or image (default: containers, then images)
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    /// Accepted (sizes are not computed)
    #[arg(short = 's', long = "size")]
    _size: bool,
    /// Go-style template ({{.State.Pid}}, {{json .Config}})
    #[arg(short, long)]
    format: Option<String>,
    #[arg(required = true)]
    names: Vec<String>,
}

#[derive(Args, Debug)]
struct PullArgs {
    /// Print only the image name
    #[arg(short, long)]
    quiet: bool,
    /// Platform to pull from a multi-platform image [default: the host's]
    #[arg(long)]
    platform: Option<String>,
    /// Accepted (every tag of a repository is not pulled: name one)
    #[arg(short = 'a', long = "all-tags")]
    all_tags: bool,
    image: String,
}

#[derive(Args, Debug)]
struct FormatArgs {
    /// Go-style template ({{.Server.Version}}, {{json .}}), or json
    #[arg(short, long)]
    format: Option<String>,
}

/// Runs `docker …` (the arguments after the program name or `docker`).
pub fn run(settings: &Settings, args: &[OsString]) -> anyhow::Result<ExitCode> {
    let argv = std::iter::once(OsString::from("docker")).chain(args.iter().cloned());
    let cli = match DockerCli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return Ok(super::clap_exit(e)),
    };
    let debug = cli.debug || std::env::var("VASSALRUN_DEBUG").is_ok_and(|v| v == "1");
    let level = match &cli.log_level {
        Some(l) => logging::level(l).ok_or_else(|| {
            anyhow::anyhow!("invalid argument {l:?} for \"-l, --log-level\" flag: expected debug, info, warn, error or fatal")
        })?,
        None if debug => "debug",
        None => "info",
    };
    logging::init(&settings.root, level, debug);
    tracing::info!("docker {}", shell_words(args));
    for host in &cli.host {
        tracing::debug!("-H {host}: ignored (vassalrun has no daemon)");
    }
    if let Some(config) = &cli.config {
        // Docker's client configuration directory: where pulls find credentials.
        // Still single-threaded here, so changing the environment is safe.
        std::env::set_var("DOCKER_CONFIG", config);
    }
    if cli.version {
        println!("{}", version::short());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(command) = cli.command else {
        anyhow::bail!("docker: a command is required (run, create, start, stop, kill, rm, ps, inspect, logs, wait, exec, pull, load, images, version, info)");
    };
    let invocation = Invocation {
        origin: Origin::Docker,
        docker_host: cli.host.last().cloned(),
        debug,
    };
    let result = dispatch(settings, command, invocation);
    if let Err(e) = &result {
        tracing::error!("{e:#}");
    }
    result
}

fn dispatch(
    settings: &Settings,
    command: DockerCommand,
    invocation: Invocation,
) -> anyhow::Result<ExitCode> {
    match command {
        DockerCommand::Run(args) => {
            lifecycle_cmd::run_run(settings, &create_args(settings, args, invocation)?)
        }
        DockerCommand::Create(args) => {
            lifecycle_cmd::run_create(settings, &create_args(settings, args, invocation)?)
        }
        DockerCommand::Start(args) => lifecycle_cmd::run_start(settings, &args),
        DockerCommand::Stop(args) => control_cmd::run_stop(settings, &args),
        DockerCommand::Kill(args) => control_cmd::run_kill(settings, &args),
        DockerCommand::Rm(args) => lifecycle_cmd::run_rm(settings, &args.inner),
        DockerCommand::Ps(args) => ps_cmd::run_ps(settings, &args),
        DockerCommand::Inspect(args) => inspect(settings, &args),
        DockerCommand::Logs(args) => logs_cmd::run_logs(settings, &args),
        DockerCommand::Wait(args) => control_cmd::run_wait(settings, &args),
        DockerCommand::Exec(args) => control_cmd::run_exec(settings, &args),
        DockerCommand::Pull(args) => pull(settings, &args),
        DockerCommand::Load(args) => {
            super::image_archive_cmd::load(&ImageStore::of(settings), &args)?;
            Ok(ExitCode::SUCCESS)
        }
        DockerCommand::Images(args) => {
            image_cmd::run_image(settings, &image_cmd::ImageCommand::Ls(args))
        }
        DockerCommand::Version(args) => {
            print_formatted(&version::version(), &args, version::version_text)
        }
        DockerCommand::Info(args) => {
            print_formatted(&version::info(settings), &args, version::info_text)
        }
    }
}

/// `run`/`create`: the image in the form the store knows (pulled from its
/// mapping if need be), then vassalrun's own `run`/`create`.
fn create_args(
    settings: &Settings,
    args: RunArgs,
    invocation: Invocation,
) -> anyhow::Result<lifecycle_cmd::CreateArgs> {
    let mut image_and_command = args.image_and_command;
    image_and_command[0] = images::for_run(settings, &image_and_command[0])?;
    Ok(lifecycle_cmd::CreateArgs::new(
        args.flags,
        image_and_command,
        invocation,
    ))
}

/// `pull`: a mapped or imported image is served locally; anything else
/// comes from its registry, with the lines `docker pull` prints.
fn pull(settings: &Settings, args: &PullArgs) -> anyhow::Result<ExitCode> {
    if args.all_tags {
        anyhow::bail!("--all-tags: not supported: pull each tag by name");
    }
    if let Some(pulled) = images::pull_local(settings, &args.image)? {
        if !args.quiet {
            match pulled {
                Pulled::Present(name) => println!("Status: Image is up to date for {name}"),
                Pulled::Imported(source) => println!(
                    "Status: Downloaded newer image for {} (imported from {})",
                    args.image,
                    source.display()
                ),
            }
        }
        println!("{}", args.image);
        return Ok(ExitCode::SUCCESS);
    }
    let reference = Reference::parse(&args.image)?;
    if !args.quiet {
        let last = args.image.rsplit('/').next().unwrap_or_default();
        if !last.contains(':') && !args.image.contains('@') {
            println!("Using default tag: latest");
        }
        println!(
            "{}: Pulling from {}",
            reference.manifest_reference(),
            reference.repository
        );
    }
    let store = ImageStore::of(settings);
    let pulled = super::image_archive_cmd::pull_reference(
        settings,
        &store,
        &args.image,
        args.platform.as_deref(),
        &[],
        args.quiet,
    )?;
    if !args.quiet {
        println!("Digest: {}", pulled.manifest_digest);
        let status = if pulled.downloaded == 0 {
            "Image is up to date for"
        } else {
            "Downloaded newer image for"
        };
        println!("Status: {status} {}", pulled.name);
    }
    // Docker ends with the canonical reference.
    println!("{}", reference.canonical());
    Ok(ExitCode::SUCCESS)
}

/// `inspect [--type T] NAME…`: what was found, as Docker prints it; exit 1
/// when any name is missing.
fn inspect(settings: &Settings, args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let kind = Kind::parse(args.kind.as_deref()).ok_or_else(|| {
        anyhow::anyhow!(
            "invalid argument {:?} for \"--type\" flag: expected container or image",
            args.kind.as_deref().unwrap_or_default()
        )
    })?;
    let mut found = Vec::new();
    let mut failed = false;
    for result in docker_inspect::lookup(settings, kind, &args.names) {
        match result {
            Ok(value) => found.push(value),
            Err(e) => {
                eprintln!(
                    "vassalrun: {}",
                    crate::untrusted::escape_controls(&e.to_string())
                );
                failed = true;
            }
        }
    }
    match &args.format {
        Some(template) => {
            for value in &found {
                let line = super::template::render(template, value).map_err(anyhow::Error::msg)?;
                println!("{line}");
            }
        }
        None => println!("{}", serde_json::to_string_pretty(&found)?),
    }
    Ok(ExitCode::from(if failed { 1 } else { 0 }))
}

fn print_formatted(
    value: &serde_json::Value,
    args: &FormatArgs,
    text: fn(&serde_json::Value) -> String,
) -> anyhow::Result<ExitCode> {
    match args.format.as_deref() {
        None => print!("{}", text(value)),
        Some("json") => println!("{value}"),
        Some(template) => println!(
            "{}",
            super::template::render(template, value).map_err(anyhow::Error::msg)?
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The command line as one loggable line.
fn shell_words(args: &[OsString]) -> String {
    args.iter()
        .map(|a| {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    fn split(line: &str) -> (String, Option<String>) {
        let join = |v: &[OsString]| {
            v.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (own, docker) = split_argv(argv(line));
        (join(&own), docker.map(|d| join(&d)))
    }

    #[test]
    fn test_grammar_is_consistent() {
        use clap::CommandFactory;
        DockerCli::command().debug_assert();
    }

    #[test]
    fn test_split_argv_table() {
        let cases = [
            (
                "/usr/local/bin/docker -H unix:///x ps -a",
                "/usr/local/bin/docker docker",
                Some("-H unix:///x ps -a"),
            ),
            (
                "vassalrun docker version",
                "vassalrun docker",
                Some("version"),
            ),
            (
                "vassalrun --root /r --log-level=debug docker -l debug ps",
                "vassalrun --root /r --log-level=debug docker",
                Some("-l debug ps"),
            ),
            (
                "vassalrun --root docker ps",
                "vassalrun --root docker ps",
                None,
            ),
            (
                "vassalrun run busybox docker",
                "vassalrun run busybox docker",
                None,
            ),
            ("vassalrun ps", "vassalrun ps", None),
            ("/usr/bin/dockerd ps", "/usr/bin/dockerd ps", None),
        ];
        for (line, own, docker) in cases {
            assert_eq!(
                split(line),
                (own.to_string(), docker.map(String::from)),
                "{line}"
            );
        }
    }
}
