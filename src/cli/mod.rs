//! The command line: global options, dispatch, and Docker's exit-code and error
//! conventions (`vassalrun: <what>: <why>` on one line, exit 125 for our errors).

mod container_cmd;
mod control_cmd;
mod cp_cmd;
mod docker_cmd;
mod docs_cmd;
pub mod emperor_cmd;
mod events_cmd;
mod image_archive_cmd;
mod image_cmd;
mod image_more_cmd;
mod lacking;
mod lifecycle_cmd;
mod logs_cmd;
mod network_cmd;
mod oci_cmd;
mod pause_cmd;
mod ps_cmd;
mod rename_cmd;
mod spec_cmd;
mod stats_cmd;
mod template;
mod top_cmd;
mod update_cmd;
mod version_cmd;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings};
use crate::untrusted::escape_controls;

/// Exit code for vassalrun's own errors (Docker's convention).
pub const EXIT_OWN_ERROR: u8 = 125;

/// vassalrun: a daemonless container runtime for uWSGI Emperor vassals.
#[derive(Parser, Debug)]
#[command(name = "vassalrun", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts; each also has an environment variable and a
/// `config.toml` key. Listed apart from a command's own options.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOptions {
    /// Persistent state directory [default: /var/lib/vassalrun]
    #[arg(long, global = true, env = "VASSALRUN_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Runtime state directory [default: /run/vassalrun]
    #[arg(
        long = "run-dir",
        global = true,
        env = "VASSALRUN_RUN_DIR",
        value_name = "DIR"
    )]
    pub run_dir: Option<PathBuf>,
    /// Log level: error, warn, info, debug, trace [default: warn]
    #[arg(
        long = "log-level",
        global = true,
        env = "VASSALRUN_LOG",
        value_name = "LEVEL"
    )]
    pub log_level: Option<String>,
    /// Directory holding config.toml [default: /etc/vassalrun]
    #[arg(
        long = "config-dir",
        global = true,
        env = "VASSALRUN_CONFIG_DIR",
        value_name = "DIR"
    )]
    pub config_dir: Option<PathBuf>,
    /// Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]
    #[arg(
        long = "init-path",
        global = true,
        env = "VASSALRUN_INIT_PATH",
        value_name = "FILE"
    )]
    pub init_path: Option<PathBuf>,
    /// Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]
    #[arg(
        long = "default-cgroup-parent",
        global = true,
        env = "VASSALRUN_CGROUP_PARENT",
        value_name = "PATH"
    )]
    pub default_cgroup_parent: Option<String>,
    /// Bridge of --network bridge containers [default: vassal0]
    #[arg(long, global = true, env = "VASSALRUN_BRIDGE", value_name = "NAME")]
    pub bridge: Option<String>,
    /// IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]
    #[arg(long, global = true, env = "VASSALRUN_SUBNET", value_name = "CIDR")]
    pub subnet: Option<String>,
    /// The bridge's address [default: the subnet's first address]
    #[arg(long, global = true, env = "VASSALRUN_GATEWAY", value_name = "IP")]
    pub gateway: Option<String>,
    /// Largest image an import unpacks (sum of its files' sizes) [default: 16g]
    #[arg(
        long = "max-image-size",
        global = true,
        env = "VASSALRUN_MAX_IMAGE_SIZE",
        value_name = "SIZE"
    )]
    pub max_image_size: Option<String>,
    /// Largest decompressed size of a tarball, in times its compressed size [default: 200]
    #[arg(
        long = "max-expansion-ratio",
        global = true,
        env = "VASSALRUN_MAX_EXPANSION_RATIO",
        value_name = "N"
    )]
    pub max_expansion_ratio: Option<u64>,
}

/// The end of `run --help`: the everyday forms.
const RUN_EXAMPLES: &str = "Examples:
  vassalrun image import rootfs.tar app         # once: a rootfs tarball (docker export) as image \"app\"
  vassalrun run --rm -it app sh                 # an interactive shell, removed on exit
  vassalrun run -d --name web -p 8080:80 app    # in the background, port 8080 published
  vassalrun run --config create.json            # an Engine API ContainerCreate body (its \"Image\")
  vassalrun spec --explain app                  # what run would do, without doing it";

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the OCI config.json a container would run with (no side effects)
    Spec(spec_cmd::SpecArgs),
    /// Manage rootfs images: import, ls, rm, inspect, tag, prune
    #[command(subcommand)]
    Image(image_cmd::ImageCommand),
    /// Pull an image from a registry (OCI distribution API)
    Pull(image_archive_cmd::PullArgs),
    /// Create a container (status "created") and print its id
    Create(lifecycle_cmd::CreateArgs),
    /// Start created or exited containers
    Start(lifecycle_cmd::StartArgs),
    /// Attach to a running container's output (and stdin with -i)
    Attach(lifecycle_cmd::AttachArgs),
    /// Create and start a container; without -d wait and exit with its code
    #[command(after_help = RUN_EXAMPLES)]
    Run(lifecycle_cmd::CreateArgs),
    /// Remove containers
    Rm(lifecycle_cmd::RmArgs),
    /// Stop containers: the stop signal, then SIGKILL after the timeout
    Stop(control_cmd::StopArgs),
    /// Send a signal to containers (default SIGKILL)
    Kill(control_cmd::KillArgs),
    /// Stop and start containers
    Restart(control_cmd::StopArgs),
    /// Wait for containers to exit and print their exit codes
    Wait(control_cmd::WaitArgs),
    /// Run a command in a running container and exit with its code
    Exec(control_cmd::ExecArgs),
    /// Print a container's output from its log
    Logs(logs_cmd::LogsArgs),
    /// List containers
    Ps(ps_cmd::PsArgs),
    /// Show containers in Docker's JSON shape
    Inspect(ps_cmd::InspectArgs),
    /// List a container's changes to its image (A added, C changed, D deleted)
    Diff(ps_cmd::DiffArgs),
    /// Write a container's filesystem as a tar archive
    Export(ps_cmd::ExportArgs),
    /// Remove what crashed commands left behind (half-created containers, stale state, cgroups, names)
    Gc(control_cmd::GcArgs),
    /// Manage the bridge network: reload
    #[command(subcommand)]
    Network(network_cmd::NetworkCommand),
    /// List a container's published ports, or the host side of one
    Port(network_cmd::PortArgs),
    /// The per-container monitor (started by create and start)
    #[command(hide = true)]
    Monitor(lifecycle_cmd::MonitorArgs),
    /// OCI runtime mode, runc's command line: `vassalrun oci [runc flags] COMMAND` (must come first)
    #[command(disable_help_flag = true)]
    Oci {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Docker's command line for orchestrators: docker [-H URL] [-D] [-l LEVEL] COMMAND … (also as a `docker` symlink)
    Docker(docker_cmd::DockerArgs),
    /// Copy files between a container and the host: cp CONTAINER:SRC DEST, cp SRC CONTAINER:DEST
    Cp(cp_cmd::CpArgs),
    /// Freeze every process of containers
    Pause(pause_cmd::PauseArgs),
    /// Thaw paused containers
    Unpause(pause_cmd::PauseArgs),
    /// Rename a container
    Rename(rename_cmd::RenameArgs),
    /// Change containers' resource limits (running ones at once, in their cgroup)
    Update(update_cmd::UpdateArgs),
    /// List a container's processes
    Top(top_cmd::TopArgs),
    /// Show containers' CPU, memory and pids from their cgroups
    Stats(stats_cmd::StatsArgs),
    /// Show container events (create, start, die, destroy, …) from the event log
    Events(events_cmd::EventsArgs),
    /// Manage containers: prune
    #[command(subcommand)]
    Container(container_cmd::ContainerCommand),
    /// Show the version
    Version(version_cmd::VersionArgs),
    /// Print a shell completion script: bash, zsh or fish
    Completion(docs_cmd::CompletionArgs),
    /// Write man pages (vassalrun.1, vassalrun-COMMAND.1) into a directory
    Man(docs_cmd::ManArgs),
    /// Print generated documentation (docs/commands.md)
    #[command(hide = true)]
    InternalDocs(docs_cmd::InternalDocsArgs),
}

impl GlobalOptions {
    fn settings(&self) -> anyhow::Result<Settings> {
        Ok(Settings::load(Overrides {
            config_dir: self.config_dir.clone(),
            root: self.root.clone(),
            run_dir: self.run_dir.clone(),
            log_level: self.log_level.clone(),
            init_path: self.init_path.clone(),
            cgroup_parent: self.default_cgroup_parent.clone(),
            bridge: self.bridge.clone(),
            subnet: self.subnet.clone(),
            gateway: self.gateway.clone(),
            max_image_size: self.max_image_size.clone(),
            max_expansion_ratio: self.max_expansion_ratio,
            ..Default::default()
        })?)
    }
}

/// Runs the command line of this process.
pub fn main() -> ExitCode {
    run(std::env::args_os())
}

/// Parses and runs a command line; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    // `docker …` (argv[0]) and `vassalrun [OPTIONS] docker …`: docker's grammar,
    // decided before runc's (docker's `--debug` is not a runc flag there).
    let (args, docker_args) = docker_cmd::split_argv(args.into_iter().collect());
    if docker_args.is_none() {
        if let Some(oci_argv) = crate::oci::dispatch::oci_argv(&args) {
            return oci_cmd::run(oci_argv);
        }
    }
    if let Some(code) = run_monitor_only(&args) {
        return code;
    }
    let mut cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    if let (Command::Docker(d), Some(rest)) = (&mut cli.command, docker_args) {
        d.args = rest;
    }
    let result = refuse_non_root(&cli.command)
        .and_then(|()| cli.global.settings())
        .and_then(|settings| {
            // The monitor's stderr may be the container's: it logs nothing there.
            // The docker entry logs to a file (or stderr with -D) itself.
            if !matches!(cli.command, Command::Monitor(_) | Command::Docker(_)) {
                init_logging(&settings.log_level);
            }
            match &cli.command {
                Command::Spec(args) => spec_cmd::run(&settings, args),
                Command::Image(command) => image_cmd::run_image(&settings, command),
                Command::Pull(args) => {
                    image_archive_cmd::pull(&settings, args).map(|()| ExitCode::SUCCESS)
                }
                Command::Create(args) => lifecycle_cmd::run_create(&settings, args),
                Command::Start(args) => lifecycle_cmd::run_start(&settings, args),
                Command::Attach(args) => lifecycle_cmd::run_attach(&settings, args),
                Command::Run(args) => lifecycle_cmd::run_run(&settings, args),
                Command::Rm(args) => lifecycle_cmd::run_rm(&settings, args),
                Command::Stop(args) => control_cmd::run_stop(&settings, args),
                Command::Kill(args) => control_cmd::run_kill(&settings, args),
                Command::Restart(args) => control_cmd::run_restart(&settings, args),
                Command::Wait(args) => control_cmd::run_wait(&settings, args),
                Command::Exec(args) => control_cmd::run_exec(&settings, args),
                Command::Logs(args) => logs_cmd::run_logs(&settings, args),
                Command::Ps(args) => ps_cmd::run_ps(&settings, args),
                Command::Inspect(args) => ps_cmd::run_inspect(&settings, args),
                Command::Diff(args) => ps_cmd::run_diff(&settings, args),
                Command::Export(args) => ps_cmd::run_export(&settings, args),
                Command::Gc(args) => control_cmd::run_gc(&settings, args),
                Command::Network(command) => network_cmd::run_network(&settings, command),
                Command::Port(args) => network_cmd::run_port(&settings, args),
                Command::Monitor(args) => lifecycle_cmd::run_monitor_cmd(&settings, args),
                // Reached only with vassalrun's own flags before `oci`.
                Command::Oci { .. } => Err(anyhow::anyhow!(
                    "oci must be the first argument: vassalrun oci [runc flags] COMMAND"
                )),
                Command::Docker(args) => docker_cmd::run(&settings, &args.args),
                Command::Cp(args) => cp_cmd::run_cp(&settings, args),
                Command::Pause(args) => pause_cmd::run_pause(&settings, args),
                Command::Unpause(args) => pause_cmd::run_unpause(&settings, args),
                Command::Rename(args) => rename_cmd::run_rename(&settings, args),
                Command::Update(args) => update_cmd::run_update(&settings, args),
                Command::Top(args) => top_cmd::run_top(&settings, args),
                Command::Stats(args) => stats_cmd::run_stats(&settings, args),
                Command::Events(args) => events_cmd::run_events(&settings, args),
                Command::Container(command) => container_cmd::run_container(&settings, command),
                Command::Version(args) => version_cmd::run_version(args),
                Command::Completion(args) => docs_cmd::run_completion(args),
                Command::Man(args) => docs_cmd::run_man(args),
                Command::InternalDocs(args) => docs_cmd::run_internal_docs(args),
            }
        });
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::from(exit_code_of(&e))
        }
    }
}

/// The monitor's command line as `spawn_monitor` and the relay image write it
/// (`vassalrun --root R --run-dir D --config-dir C monitor ID [--finish ...]`).
/// Parsed on its own: building [`Cli`]'s whole command tree (every command
/// and flag) cost a monitor half a millisecond (measured) before it may create its
/// container, on every `run`'s critical path.
#[derive(Parser, Debug)]
#[command(name = "vassalrun")]
struct MonitorCli {
    #[command(flatten)]
    global: GlobalOptions,
    #[command(subcommand)]
    command: MonitorOnly,
}

#[derive(Subcommand, Debug)]
enum MonitorOnly {
    Monitor(lifecycle_cmd::MonitorArgs),
}

/// Runs the monitor if `args` is a monitor's command line; `None` for any
/// other (including `monitor --help`), which [`Cli`] then parses.
fn run_monitor_only(args: &[OsString]) -> Option<ExitCode> {
    if !args.iter().any(|arg| arg == "monitor") {
        return None;
    }
    let cli = MonitorCli::try_parse_from(args).ok()?;
    let MonitorOnly::Monitor(monitor) = &cli.command;
    let result = cli
        .global
        .settings()
        .and_then(|settings| lifecycle_cmd::run_monitor_cmd(&settings, monitor));
    Some(match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::from(exit_code_of(&e))
        }
    })
}

/// Runs `action` for each container reference, printing the line it returns
/// (or `vassalrun: <error>` on stderr), as Docker's multi-container commands do;
/// exit 1 if any failed.
fn for_each_container(
    references: &[String],
    mut action: impl FnMut(&str) -> anyhow::Result<String>,
) -> ExitCode {
    let mut failed = false;
    for reference in references {
        match action(reference) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("vassalrun: {}", escape_controls(&format!("{e:#}")));
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `-it` with a stdin that is no terminal (a pipe, a file): Docker refuses
/// with exit 1 rather than relaying a terminal that nobody types into.
fn refuse_non_tty_stdin() -> Option<ExitCode> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return None;
    }
    eprintln!("vassalrun: the input device is not a TTY");
    Some(ExitCode::from(1))
}

/// Commands that make or change containers need root: namespaces, cgroups
/// and overlay mounts. Said up front instead of as a failed mount's EPERM.
fn refuse_non_root(command: &Command) -> anyhow::Result<()> {
    let name = match command {
        Command::Create(_) => "create",
        Command::Start(_) => "start",
        Command::Attach(_) => "attach",
        Command::Run(_) => "run",
        Command::Rm(_) => "rm",
        Command::Stop(_) => "stop",
        Command::Kill(_) => "kill",
        Command::Restart(_) => "restart",
        Command::Exec(_) => "exec",
        Command::Export(_) => "export",
        Command::Diff(_) => "diff",
        Command::Gc(_) => "gc",
        Command::Network(_) => "network",
        _ => return Ok(()),
    };
    if nix::unistd::geteuid().is_root() {
        return Ok(());
    }
    anyhow::bail!(
        "{name} needs root: containers are made of namespaces, cgroups and overlay mounts (run it as root, e.g. with sudo)"
    )
}

/// As [`for_each_container`], but each container in a child process of its
/// own, all at once (Docker's `stop`/`kill`/`rm` of several containers run in
/// parallel: `stop -t 2 a b c` takes 2 s, not 6). Processes, not threads:
/// removal goes through libcontainer, which is not made for threads. Lines
/// appear as the containers finish.
fn for_each_container_parallel(
    references: &[String],
    action: impl Fn(&str) -> anyhow::Result<String>,
) -> ExitCode {
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, ForkResult};
    if references.len() < 2 {
        return for_each_container(references, action);
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    let mut children = Vec::new();
    let mut failed = false;
    for reference in references {
        // SAFETY: the command line runs single-threaded; the child does one
        // container's work and leaves by _exit, without the parent's destructors.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                let code = match action(reference) {
                    Ok(line) => {
                        println!("{line}");
                        0
                    }
                    Err(e) => {
                        eprintln!("vassalrun: {e:#}");
                        1
                    }
                };
                let _ = std::io::stdout().flush();
                // SAFETY: ends the child at once, as above.
                unsafe { nix::libc::_exit(code) };
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                eprintln!("vassalrun: {reference}: {e}");
                failed = true;
            }
        }
    }
    for child in children {
        loop {
            match waitpid(child, None) {
                Ok(WaitStatus::Exited(_, 0)) => break,
                Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) => {
                    failed = true;
                    break;
                }
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// IMAGE and the command from `IMAGE [COMMAND [ARG...]]`; IMAGE is empty
/// when not given (a `--config` body may name it, as the Engine API does).
fn image_and_command(words: &[String]) -> (&str, &[String]) {
    match words.split_first() {
        Some((image, command)) => (image.as_str(), command),
        None => ("", &[]),
    }
}

/// Neither an IMAGE argument nor an "Image" in the `--config` body.
fn require_image(request: &crate::spec::model::CreateRequest) -> anyhow::Result<()> {
    if request.config.image.is_empty() {
        anyhow::bail!("no image: give IMAGE or an \"Image\" in the --config body");
    }
    Ok(())
}

/// 126/127 when the container's command cannot run, else 125.
fn exit_code_of(e: &anyhow::Error) -> u8 {
    e.downcast_ref::<crate::runtime::lifecycle::LifecycleError>()
        .map_or(EXIT_OWN_ERROR, |l| l.exit_code())
}

/// Prints `vassalrun: <error chain>` on one line.
fn report(e: &anyhow::Error) {
    let text = format!("{e:#}").replace('\n', " ");
    eprintln!("vassalrun: {}", escape_controls(&text));
}

/// Help and version go to stdout with exit 0; usage errors keep clap's whole
/// message (what is missing, "did you mean" tips, the usage line) with
/// Docker's first line and pointer to `--help`, and exit 125.
fn clap_exit(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(EXIT_OWN_ERROR)
        }
        ErrorKind::UnknownArgument if lacking_message(&e).is_some() => {
            eprintln!("vassalrun: {}", lacking_message(&e).unwrap_or_default());
            ExitCode::from(EXIT_OWN_ERROR)
        }
        _ => {
            for line in usage_error_text(&e).lines() {
                eprintln!("{}", escape_controls(line));
            }
            ExitCode::from(EXIT_OWN_ERROR)
        }
    }
}

/// `vassalrun: <what>` (Docker's `unknown flag: --x` for unknown flags), then
/// clap's tips and usage, then `See 'vassalrun run --help'.` as Docker ends.
fn usage_error_text(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut lines = rendered.lines();
    let first = lines.next().unwrap_or_default();
    let first = match (e.kind(), e.get(ContextKind::InvalidArg)) {
        (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) if arg.starts_with('-') => {
            format!(
                "unknown flag: {}",
                arg.split('=').next().unwrap_or_default()
            )
        }
        _ => first.trim_start_matches("error: ").to_string(),
    };
    let mut text = format!("vassalrun: {first}\n");
    let mut command = String::from("vassalrun");
    for line in lines {
        if line.starts_with("For more information, try") {
            continue;
        }
        if let Some(usage) = line.strip_prefix("Usage: ") {
            command = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ");
        }
        text.push_str(line);
        text.push('\n');
    }
    while text.ends_with("\n\n") {
        text.pop();
    }
    text.push_str(&format!("See '{command} --help'.\n"));
    text
}

/// libcontainer's own logs (unsupported cgroup controllers, unknown syscalls of
/// newer kernels, probes of absent state) are noise at the default level;
/// `debug` and `trace` show them.
fn init_logging(level: &str) {
    let directives = match level {
        "debug" | "trace" => level.to_string(),
        _ => format!("{level},libcontainer=off,libcgroups=off"),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(directives)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}

/// The one-line message for a Docker flag vassalrun deliberately lacks.
fn lacking_message(e: &clap::Error) -> Option<String> {
    match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => lacking::message(arg),
        _ => None,
    }
}
