//! Run modules: code or configuration that adds `docker run` arguments to a
//! container before its spec is built (after docker-wrapper's run modules).
//!
//! - [`module`]: the [`RunModule`] trait, [`DefaultRunModule`], what a module sees;
//! - [`registry`]: the modules in force and their order;
//! - [`examples`]: the compiled-in modules (`default-memory`, `orchestrator-labels`);
//! - [`declarative`] and [`conditions`]: `modules.d/*.toml` and their `[match]`;
//! - [`flags`]: module arguments through the `docker run` grammar, and the override rules;
//! - [`explain`]: which module added which argument.
//!
//! Every front door calls [`prepare`] (or [`prepare_with`]) with the user's
//! [`RunFlags`] — from the command line, the docker entry, or a vassal's
//! attributes — and builds the container from what it returns.

pub mod conditions;
pub mod declarative;
pub mod examples;
pub mod explain;
pub mod flags;
pub mod module;
pub mod registry;

use std::path::PathBuf;

use thiserror::Error;

pub use explain::Explanation;
pub use module::{DefaultRunModule, Invocation, Origin, RunContext, RunModule};
pub use registry::Registry;

use crate::config::Settings;
use crate::spec::run_flags::{load_config_json, EnvLookup, RunFlags};
use crate::spec::{CreateRequest, SpecError};

#[derive(Debug, Error)]
pub enum ModuleError {
    /// A bad module file: where, and what.
    #[error("{path}:{line}: {reason}", path = .path.display())]
    File {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{path}: {reason}", path = .path.display())]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    /// A module returned arguments the `docker run` grammar refuses.
    #[error("run module {module}: {reason}")]
    Args { module: String, reason: String },
    /// The flags (the user's, or with modules') do not make a request.
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// A container to prepare: the user's flags and what else modules may look at.
pub struct RunInput<'a> {
    pub settings: &'a Settings,
    pub invocation: &'a Invocation,
    pub flags: &'a RunFlags,
    pub image: &'a str,
    pub command: &'a [String],
    /// How a bare `-e KEY` is looked up.
    pub env: EnvLookup<'a>,
}

/// The container after modules: its flags (for the name and the run options)
/// and its request, with the record of what each module did.
#[derive(Debug)]
pub struct Prepared {
    pub flags: RunFlags,
    pub request: CreateRequest,
    pub explanation: Explanation,
}

/// Loads `<config-dir>/modules.d` and prepares the container: the one call
/// every front door makes (the CLI, the docker entry, the Emperor wrapper).
pub fn prepare(input: &RunInput) -> Result<Prepared, ModuleError> {
    let registry = Registry::load(&input.settings.config_dir)?;
    prepare_with(&registry, input)
}

/// Runs `registry`'s modules in order over the user's flags and builds the request.
pub fn prepare_with(registry: &Registry, input: &RunInput) -> Result<Prepared, ModuleError> {
    // `--config -` is stdin: read once, reused for every build below.
    let base = match &input.flags.config {
        Some(source) => load_config_json(source)?,
        None => CreateRequest::default(),
    };
    let build =
        |flags: &RunFlags| flags.apply_over(base.clone(), input.image, input.command, input.env);
    let mut request = build(input.flags)?;
    if registry.is_empty() {
        return Ok(Prepared {
            flags: input.flags.clone(),
            request,
            explanation: Explanation::default(),
        });
    }
    let mut merged = flags::Merged::new(input.flags);
    let mut current = input.flags.clone();
    let mut explanation = Explanation::default();
    for module in registry.ordered() {
        let ctx = RunContext {
            settings: input.settings,
            invocation: input.invocation,
            flags: &current,
            image: input.image,
            command: input.command,
            request: &request,
        };
        let args = module.handle_run(&ctx);
        let args_error = |reason: String| ModuleError::Args {
            module: module.name().to_string(),
            reason,
        };
        let added = flags::parse_args(&args).map_err(args_error)?;
        if added.config.is_some() {
            return Err(args_error("a module cannot set --config".into()));
        }
        let reports = merged.apply(module.name(), module.overrides(), &added);
        explanation.modules.push(explain::ModuleReport {
            module: module.name().to_string(),
            priority: module.priority(),
            overrides: module.overrides(),
            source: module.source(),
            args: reports,
        });
        if !args.is_empty() {
            current = flags::parse_args(&merged.to_args()).map_err(args_error)?;
            current.config = input.flags.config.clone();
            request = build(&current).map_err(|e| args_error(e.to_string()))?;
        }
    }
    tracing::debug!("run modules: {:?}", flags::to_args(&current));
    Ok(Prepared {
        flags: current,
        request,
        explanation,
    })
}
