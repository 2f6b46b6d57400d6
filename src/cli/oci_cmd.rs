//! OCI runtime mode's command line: runc's global flags and commands (see
//! [`crate::oci::dispatch`] for when it applies). Parses, calls
//! [`crate::oci`], and reports errors runc's way: exit 1, one line on stderr,
//! and a `--log` line in `--log-format`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings};
use crate::oci::log::{LogFormat, RuntimeLog};
use crate::oci::{self, OciContext, OciError};

/// runc's exit code for every failure of the runtime itself.
const EXIT_FAILURE: u8 = 1;

/// vassalrun's OCI runtime mode (runc-compatible command line)
#[derive(Parser, Debug)]
#[command(
    name = "vassalrun oci",
    disable_version_flag = true,
    max_term_width = 100
)]
struct OciCli {
    /// State directory [default: <run-dir>/oci, i.e. /run/vassalrun/oci]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Append log lines (errors; with --debug also debug output) to FILE
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Log line format
    #[arg(long = "log-format", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Use the systemd cgroup driver (not supported by this build)
    #[arg(long = "systemd-cgroup")]
    systemd_cgroup: bool,
    /// Log debug output
    #[arg(long)]
    debug: bool,
    /// Accepted for runc compatibility; rootless mode is not supported
    #[arg(long, value_name = "true|false|auto", hide = true)]
    rootless: Option<String>,
    /// Accepted for runc compatibility; checkpointing is not supported
    #[arg(long, value_name = "PATH", hide = true)]
    criu: Option<PathBuf>,
    /// Print the version
    #[arg(short = 'v', long)]
    version: bool,
    #[command(subcommand)]
    command: Option<OciCommand>,
}

#[derive(Subcommand, Debug)]
enum OciCommand {
    /// Create a container from a bundle; it waits in status "created" for start
    Create(oci::create::CreateArgs),
    /// Start a created container
    Start(oci::start::StartArgs),
    /// Print a container's OCI state as JSON
    State(oci::state::StateArgs),
    /// Send a signal (default SIGTERM) to a container's init, or with --all to all its processes
    Kill(oci::kill::KillArgs),
    /// Delete a stopped or created container (--force: any)
    Delete(oci::delete::DeleteArgs),
    /// Create and start a container; without --detach wait for it and exit with its code
    Run(oci::create::RunArgs),
    /// Run a process in a running container
    Exec(oci::exec::ExecArgs),
    /// List containers
    List(oci::list::ListArgs),
    /// List a container's processes
    Ps(oci::list::PsArgs),
    /// Freeze a container's processes
    Pause(oci::pause::IdArgs),
    /// Thaw a paused container
    Resume(oci::pause::IdArgs),
    /// Change a container's resource limits (--resources FILE|- with LinuxResources JSON, or flags)
    Update(oci::update::UpdateArgs),
    /// Print the OCI features JSON
    Features,
    /// Write a default config.json into a bundle
    Spec(oci::spec::SpecArgs),
}

/// Runs a command line in runc's grammar; returns the process exit code.
pub fn run(argv: Vec<OsString>) -> ExitCode {
    let cli = match OciCli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return usage_exit(e),
    };
    let log = match RuntimeLog::open(cli.log.as_deref(), cli.log_format) {
        Ok(log) => log,
        Err(e) => {
            RuntimeLog::stderr_only().error(&e.to_string());
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    if cli.debug {
        log.install_debug();
    }
    match execute(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            log.error(&e.to_string());
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn execute(cli: &OciCli) -> Result<u8, OciError> {
    if cli.version {
        print_version();
        return Ok(0);
    }
    let Some(command) = &cli.command else {
        return Err(OciError::MissingCommand);
    };
    let ctx = context(cli)?;
    if matches!(
        command,
        OciCommand::Create(_) | OciCommand::Start(_) | OciCommand::Delete(_) | OciCommand::Run(_)
    ) {
        // These run hooks, which may not read the state written to them.
        oci::sigpipe::survive_broken_pipes();
    }
    match command {
        OciCommand::Create(args) => oci::create::run_create(&ctx, args),
        OciCommand::Start(args) => oci::start::run_start(&ctx, args),
        OciCommand::State(args) => oci::state::run_state(&ctx, args),
        OciCommand::Kill(args) => oci::kill::run_kill(&ctx, args),
        OciCommand::Delete(args) => oci::delete::run_delete(&ctx, args),
        OciCommand::Run(args) => oci::create::run_run(&ctx, args),
        OciCommand::Exec(args) => oci::exec::run_exec(&ctx, args),
        OciCommand::List(args) => oci::list::run_list(&ctx, args),
        OciCommand::Ps(args) => oci::list::run_ps(&ctx, args),
        OciCommand::Pause(args) => oci::pause::run_pause(&ctx, args),
        OciCommand::Resume(args) => oci::pause::run_resume(&ctx, args),
        OciCommand::Update(args) => oci::update::run_update(&ctx, args),
        OciCommand::Features => oci::features::run_features(),
        OciCommand::Spec(args) => oci::spec::run_spec(args),
    }
}

/// The state root: `--root`, else `<run-dir>/oci` with vassalrun's run dir
/// from `VASSALRUN_RUN_DIR` or `config.toml` (runc's grammar has no flag for it).
fn context(cli: &OciCli) -> Result<OciContext, OciError> {
    let env_path = |key: &str| std::env::var_os(key).map(PathBuf::from);
    let settings = Settings::load(Overrides {
        config_dir: env_path("VASSALRUN_CONFIG_DIR"),
        run_dir: env_path("VASSALRUN_RUN_DIR"),
        ..Default::default()
    })?;
    Ok(OciContext {
        root: cli
            .root
            .clone()
            .unwrap_or_else(|| settings.run_dir.join("oci")),
        systemd_cgroup: cli.systemd_cgroup,
    })
}

/// runc's `--version` shape: the runtime's version, then the spec's.
fn print_version() {
    println!("vassalrun version {}", env!("CARGO_PKG_VERSION"));
    println!("spec: {}", oci_spec::runtime::VERSION);
}

/// Help goes to stdout with exit 0; a usage error is one line and exit 1.
fn usage_exit(e: clap::Error) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    eprintln!(
        "vassalrun: {}",
        crate::untrusted::escape_controls(first.trim_start_matches("error: "))
    );
    ExitCode::from(EXIT_FAILURE)
}
