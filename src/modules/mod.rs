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
            skipped: module.skip_reason(&ctx),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A compiled-in module as a user of the trait writes one: embed the
    /// default, override `handle_run`.
    struct Fixed {
        base: DefaultRunModule,
        args: Vec<&'static str>,
    }

    impl RunModule for Fixed {
        fn base(&self) -> &DefaultRunModule {
            &self.base
        }

        fn handle_run(&self, ctx: &RunContext) -> Vec<String> {
            // Sees what lower-priority modules added.
            let mut args: Vec<String> = self.args.iter().map(|a| a.to_string()).collect();
            if ctx.request.host.pids_limit.is_some() {
                args.push("--label=saw-pids=1".into());
            }
            args
        }
    }

    fn fixed(
        name: &str,
        priority: i32,
        overrides: bool,
        args: &[&'static str],
    ) -> Box<dyn RunModule> {
        Box::new(Fixed {
            base: DefaultRunModule {
                name: name.to_string(),
                priority,
                overrides,
            },
            args: args.to_vec(),
        })
    }

    fn prepare_flags(registry: &Registry, user: &[&str]) -> Result<Prepared, ModuleError> {
        let settings = Settings::load(crate::config::Overrides {
            config_dir: Some("/nonexistent".into()),
            ..Default::default()
        })
        .unwrap();
        let user: Vec<String> = user.iter().map(|s| s.to_string()).collect();
        let flags = flags::parse_args(&user).unwrap();
        let no_env = |_: &str| None;
        prepare_with(
            registry,
            &RunInput {
                settings: &settings,
                invocation: &Invocation::new(Origin::Cli),
                flags: &flags,
                image: "busybox",
                command: &[],
                env: &no_env,
            },
        )
    }

    #[test]
    fn test_prepare_with_orders_merges_and_explains() {
        let mut registry = Registry::new();
        registry.register(fixed("late", 20, false, &["--hostname=late"]));
        registry.register(fixed(
            "early",
            10,
            false,
            &["--hostname=early", "--pids-limit=10"],
        ));
        registry.register(fixed("boss", 30, true, &["-m", "64m"]));
        let p = prepare_flags(&registry, &["-m", "1g", "--hostname", "mine"]).unwrap();
        assert_eq!(p.request.config.hostname, "mine");
        assert_eq!(p.request.host.memory, 64 << 20);
        assert_eq!(p.request.host.pids_limit, Some(10));
        assert_eq!(
            p.request.config.labels.get("saw-pids").map(String::as_str),
            Some("1")
        );
        let order: Vec<&str> = p
            .explanation
            .modules
            .iter()
            .map(|m| m.module.as_str())
            .collect();
        assert_eq!(order, ["early", "late", "boss"]);
        let boss_memory = p.explanation.modules[2]
            .args
            .iter()
            .find(|a| a.arg == "--memory=64m")
            .unwrap();
        assert_eq!(
            boss_memory.outcome,
            explain::Outcome::Replaced("--memory=1g".into())
        );
    }

    #[test]
    fn test_prepare_with_bad_module_args_names_the_module() {
        let mut registry = Registry::new();
        registry.register(fixed("broken", 0, false, &["--memory=lots"]));
        let err = prepare_flags(&registry, &[]).unwrap_err().to_string();
        assert!(err.starts_with("run module broken: "), "{err}");
        assert!(err.contains("\"lots\""), "{err}");
        let mut registry = Registry::new();
        registry.register(fixed("positional", 0, false, &["busybox"]));
        let err = prepare_flags(&registry, &[]).unwrap_err().to_string();
        assert!(
            err.starts_with("run module positional: unexpected argument 'busybox'"),
            "{err}"
        );
    }

    #[test]
    fn test_prepare_without_modules_is_the_plain_request() {
        let p = prepare_flags(&Registry::new(), &["-e", "A=1"]).unwrap();
        assert_eq!(p.request.config.env, ["A=1"]);
        assert!(p.explanation.modules.is_empty());
    }
}
