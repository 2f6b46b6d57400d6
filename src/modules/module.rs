//! The run-module trait, its default implementation, and what a module sees.
//!
//! As in docker-wrapper (`WrapperRunModule`: `Priority()` and `HandleRun(flags,
//! runFlags) []string`), a module looks at a container's flags and returns
//! `docker run` arguments to add. Go's struct embedding becomes
//! [`RunModule::base`]: a module holds a [`DefaultRunModule`] and inherits its
//! name, priority and override choice, overriding only `handle_run`.

use crate::config::Settings;
use crate::spec::run_flags::RunFlags;
use crate::spec::CreateRequest;

/// By which door the container came in (a module may care: labels recording
/// the orchestrator, defaults only for one route).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `vassalrun run|create|spec`.
    Cli,
    /// The docker-compatible entry (`docker …` or `vassalrun docker …`).
    Docker,
    /// A uWSGI Emperor vassal's attributes.
    Emperor,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Cli => "cli",
            Origin::Docker => "docker",
            Origin::Emperor => "emperor",
        }
    }

    pub fn parse(text: &str) -> Option<Origin> {
        [Origin::Cli, Origin::Docker, Origin::Emperor]
            .into_iter()
            .find(|o| o.name() == text)
    }
}

/// The global flags of the invocation (docker-wrapper's `DockerFlags`):
/// vassalrun's settings and, through the docker entry, docker's own.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub origin: Origin,
    /// docker's `-H/--host` (accepted and otherwise ignored: there is no daemon).
    pub docker_host: Option<String>,
    /// docker's `-D/--debug` or `VASSALRUN_DEBUG=1`.
    pub debug: bool,
}

impl Invocation {
    pub fn new(origin: Origin) -> Invocation {
        Invocation {
            origin,
            docker_host: None,
            debug: false,
        }
    }
}

/// What a module sees: the global flags, the run flags as they stand (the
/// user's plus those of lower-priority modules), and the request they build
/// over the `--config` JSON (so a value given in JSON is seen too).
pub struct RunContext<'a> {
    pub settings: &'a Settings,
    pub invocation: &'a Invocation,
    pub flags: &'a RunFlags,
    pub image: &'a str,
    pub command: &'a [String],
    pub request: &'a CreateRequest,
}

/// A run module. Only [`RunModule::base`] is required; `handle_run` returns
/// the arguments to add, parsed by the same `docker run` grammar.
pub trait RunModule {
    /// The embedded default: name, priority, override choice.
    fn base(&self) -> &DefaultRunModule;

    fn name(&self) -> &str {
        &self.base().name
    }

    /// Modules run in ascending priority.
    fn priority(&self) -> i32 {
        self.base().priority
    }

    /// Whether this module's arguments beat the user's own flags.
    fn overrides(&self) -> bool {
        self.base().overrides
    }

    /// Where the module comes from, for `spec --explain`.
    fn source(&self) -> String {
        "compiled-in".to_string()
    }

    /// The arguments to add (none by default).
    fn handle_run(&self, _ctx: &RunContext) -> Vec<String> {
        Vec::new()
    }

    /// Why the module does not apply to this container, for `spec --explain`.
    fn skip_reason(&self, _ctx: &RunContext) -> Option<String> {
        None
    }
}

/// The default implementation to build on: a name, priority 0, the user wins,
/// and nothing added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultRunModule {
    pub name: String,
    pub priority: i32,
    pub overrides: bool,
}

impl DefaultRunModule {
    pub fn new(name: &str) -> DefaultRunModule {
        DefaultRunModule {
            name: name.to_string(),
            priority: 0,
            overrides: false,
        }
    }
}

impl RunModule for DefaultRunModule {
    fn base(&self) -> &DefaultRunModule {
        self
    }
}
