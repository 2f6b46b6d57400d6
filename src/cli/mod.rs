//! The command line: global options, dispatch, and Docker's exit-code and error
//! conventions (`vassalrun: <what>: <why>` on one line, exit 125 for our errors).

mod control_cmd;
mod docker_cmd;
pub mod emperor_cmd;
mod image_archive_cmd;
mod image_cmd;
mod lifecycle_cmd;
mod logs_cmd;
mod network_cmd;
mod oci_cmd;
mod ps_cmd;
mod spec_cmd;
mod template;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings};

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
/// `config.toml` key.
#[derive(clap::Args, Debug, Clone)]
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
    /// IPv4 subnet of the bridge [default: 10.89.0.0/16]
    #[arg(long, global = true, env = "VASSALRUN_SUBNET", value_name = "CIDR")]
    pub subnet: Option<String>,
    /// The bridge's address [default: the subnet's first address]
    #[arg(long, global = true, env = "VASSALRUN_GATEWAY", value_name = "IP")]
    pub gateway: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the OCI config.json a container would run with (no side effects)
    Spec(spec_cmd::SpecArgs),
    /// Manage rootfs images: import, ls, rm
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
    let mut cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    if let (Command::Docker(d), Some(rest)) = (&mut cli.command, docker_args) {
        d.args = rest;
    }
    let result = cli.global.settings().and_then(|settings| {
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
                eprintln!("vassalrun: {e:#}");
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

/// 126/127 when the container's command cannot run, else 125.
fn exit_code_of(e: &anyhow::Error) -> u8 {
    e.downcast_ref::<crate::runtime::lifecycle::LifecycleError>()
        .map_or(EXIT_OWN_ERROR, |l| l.exit_code())
}

/// Prints `vassalrun: <error chain>` on one line.
fn report(e: &anyhow::Error) {
    let text = format!("{e:#}").replace('\n', " ");
    eprintln!("vassalrun: {text}");
}

/// Help and version go to stdout with exit 0; usage errors become one line and 125.
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
        ErrorKind::UnknownArgument => {
            let arg = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            let flag = arg.split('=').next().unwrap_or_default();
            eprintln!("vassalrun: unknown flag: {flag}");
            ExitCode::from(EXIT_OWN_ERROR)
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            eprintln!("vassalrun: {}", first.trim_start_matches("error: "));
            ExitCode::from(EXIT_OWN_ERROR)
        }
    }
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
