//! `completion`, `man` and the hidden `internal-docs`: shell completions, man
//! pages and the Markdown command reference, all rendered from the clap
//! definitions so they cannot drift from the code (`tests/docs_cli.rs` fails
//! when the copies under `docs/` differ; `sh scripts/gen-docs.sh` rewrites them).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, CommandFactory, ValueEnum};

use super::Cli;

/// Shells `completion` writes scripts for.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Args, Debug)]
pub struct CompletionArgs {
    /// Shell to complete for
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Directory to write vassalrun.1 and one vassalrun-COMMAND.1 per command into
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct InternalDocsArgs {
    /// What to print: commands (the Markdown command reference)
    #[arg(default_value = "commands")]
    what: String,
}

/// `completion SHELL`: the completion script on stdout.
pub fn run_completion(args: &CompletionArgs) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut command, "vassalrun", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// `man DIR`: one page for vassalrun and one per visible (sub)command.
pub fn run_man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    clap_mangen::generate_to(documented(), &args.dir)
        .with_context(|| format!("writing man pages into {}", args.dir.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// `internal-docs commands`: the Markdown reference of docs/commands.md.
pub fn run_internal_docs(args: &InternalDocsArgs) -> anyhow::Result<ExitCode> {
    if args.what != "commands" {
        anyhow::bail!(
            "internal-docs: unknown document {:?} (known: commands)",
            args.what
        );
    }
    print!("{}", command_reference());
    Ok(ExitCode::SUCCESS)
}

/// Every visible command's `--help`, in definition order, under a heading.
pub fn command_reference() -> String {
    let mut command = documented().term_width(100);
    command.build();
    let mut out = String::from(
        "# Command reference\n\n\
         Generated from the code by `vassalrun internal-docs commands` — do not edit; \
         regenerate with `sh scripts/gen-docs.sh` (`tests/docs_cli.rs` fails when this file \
         drifts from the code). `vassalrun oci …` (runc's grammar) is described in \
         [oci-mode.md](oci-mode.md), `vassalrun docker …` in [docker-entry.md](docker-entry.md).\n\n",
    );
    for sub in visible_subcommands(&command) {
        let _ = writeln!(out, "- [`vassalrun {0}`](#vassalrun-{0})", sub.get_name());
    }
    out.push('\n');
    append_section(&mut out, &command, "vassalrun");
    out
}

/// A command's long help; below the top level without the global options,
/// which the top-level section lists once.
fn append_section(out: &mut String, command: &clap::Command, path: &str) {
    let mut shown = command.clone();
    if path != "vassalrun" {
        shown = shown.mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
    }
    let help = shown.render_long_help().to_string();
    let _ = write!(out, "## {path}\n\n```text\n{}\n```\n\n", help.trim_end());
    for sub in visible_subcommands(command) {
        append_section(out, sub, &format!("{path} {}", sub.get_name()));
    }
}

fn visible_subcommands(command: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    command
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
}

/// The command tree as documented: environment variables' current values
/// hidden, so the generated files do not depend on the shell that made them.
fn documented() -> clap::Command {
    hide_env_values(Cli::command())
}

fn hide_env_values(command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let mut command = command.mut_args(|a| a.hide_env_values(true));
    for name in names {
        command = command.mut_subcommand(name, hide_env_values);
    }
    command
}
