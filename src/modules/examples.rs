//! The two compiled-in modules, enabled from `modules.d` with
//! `builtin = "NAME"` and their options in `[options]`:
//!
//! - `default-memory`: `--memory=<memory>` for containers that set no memory
//!   limit by any route (flag, `--config` JSON, attribute, earlier module);
//! - `orchestrator-labels`: labels recording who started the container:
//!   `<prefix>.orchestrator` (`mesos`, `uwsgi-emperor` or `none`),
//!   `<prefix>.entry` (`cli`, `docker`, `emperor`) and, under Mesos,
//!   `<prefix>.mesos.container` (its `MESOS_CONTAINER_NAME`).

use super::module::{DefaultRunModule, Origin, RunContext, RunModule};

/// Builds a compiled-in module by name from its `[options]`.
pub type Constructor = fn(DefaultRunModule, &toml::Table) -> Result<Box<dyn RunModule>, String>;

/// The compiled-in modules, by name (docker-wrapper's `RegisterRunModule`).
pub const BUILTINS: [(&str, Constructor); 2] = [
    ("default-memory", DefaultMemory::build),
    ("orchestrator-labels", OrchestratorLabels::build),
];

fn string_option(options: &toml::Table, key: &str) -> Result<Option<String>, String> {
    match options.get(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("options.{key}: expected a string, found {other}")),
    }
}

fn refuse_unknown(options: &toml::Table, known: &[&str]) -> Result<(), String> {
    match options.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(format!(
            "options: unknown option {key:?} (expected {})",
            known.join(", ")
        )),
        None => Ok(()),
    }
}

/// `--memory` for containers without a memory limit.
pub struct DefaultMemory {
    base: DefaultRunModule,
    memory: String,
}

impl DefaultMemory {
    fn build(base: DefaultRunModule, options: &toml::Table) -> Result<Box<dyn RunModule>, String> {
        refuse_unknown(options, &["memory"])?;
        let memory = string_option(options, "memory")?
            .ok_or("options.memory: required (e.g. memory = \"512m\")")?;
        crate::spec::units::parse_size(&memory)
            .map_err(|e| format!("options.memory: {memory:?}: {e}"))?;
        Ok(Box::new(DefaultMemory { base, memory }))
    }
}

impl RunModule for DefaultMemory {
    fn base(&self) -> &DefaultRunModule {
        &self.base
    }

    fn handle_run(&self, ctx: &RunContext) -> Vec<String> {
        if ctx.flags.memory.is_some() || ctx.request.host.memory > 0 {
            return Vec::new();
        }
        vec![format!("--memory={}", self.memory)]
    }
}

/// Labels naming the orchestrator and the entry point.
pub struct OrchestratorLabels {
    base: DefaultRunModule,
    prefix: String,
}

impl OrchestratorLabels {
    fn build(base: DefaultRunModule, options: &toml::Table) -> Result<Box<dyn RunModule>, String> {
        refuse_unknown(options, &["prefix"])?;
        let prefix = string_option(options, "prefix")?.unwrap_or_else(|| "io.vassalrun".into());
        Ok(Box::new(OrchestratorLabels { base, prefix }))
    }
}

/// The value of `KEY` in a container environment list.
fn env_value<'a>(env: &'a [String], key: &str) -> Option<&'a str> {
    env.iter()
        .rev()
        .find_map(|e| e.strip_prefix(key)?.strip_prefix('='))
}

impl RunModule for OrchestratorLabels {
    fn base(&self) -> &DefaultRunModule {
        &self.base
    }

    fn handle_run(&self, ctx: &RunContext) -> Vec<String> {
        let env = &ctx.request.config.env;
        // Mesos's Docker executor names containers `mesos-<id>` and sets these.
        let mesos = env_value(env, "MESOS_CONTAINER_NAME")
            .or_else(|| env_value(env, "MESOS_SANDBOX").map(|_| ""));
        let orchestrator = match (mesos, ctx.invocation.origin) {
            (Some(_), _) => "mesos",
            (None, Origin::Emperor) => "uwsgi-emperor",
            (None, _) => "none",
        };
        let p = &self.prefix;
        let mut args = vec![
            format!("--label={p}.orchestrator={orchestrator}"),
            format!("--label={p}.entry={}", ctx.invocation.origin.name()),
        ];
        if let Some(name) = mesos.filter(|n| !n.is_empty()) {
            args.push(format!("--label={p}.mesos.container={name}"));
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::module::Invocation;
    use crate::spec::run_flags::RunFlags;
    use crate::spec::CreateRequest;

    fn settings() -> crate::config::Settings {
        crate::config::Settings::load(crate::config::Overrides {
            config_dir: Some("/nonexistent".into()),
            ..Default::default()
        })
        .unwrap()
    }

    fn run(
        module: &dyn RunModule,
        flags: &RunFlags,
        request: &CreateRequest,
        origin: Origin,
    ) -> Vec<String> {
        let settings = settings();
        let invocation = Invocation::new(origin);
        let ctx = RunContext {
            settings: &settings,
            invocation: &invocation,
            flags,
            image: "busybox",
            command: &[],
            request,
        };
        module.handle_run(&ctx)
    }

    fn options(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn test_default_memory_only_without_a_limit() {
        let m = DefaultMemory::build(DefaultRunModule::new("dm"), &options("memory = \"256m\""))
            .unwrap();
        let none = RunFlags::default();
        let mut req = CreateRequest::default();
        assert_eq!(run(m.as_ref(), &none, &req, Origin::Cli), ["--memory=256m"]);
        req.host.memory = 1 << 30;
        assert!(run(m.as_ref(), &none, &req, Origin::Cli).is_empty());
        let flagged = RunFlags {
            memory: Some("1g".into()),
            ..Default::default()
        };
        assert!(run(m.as_ref(), &flagged, &CreateRequest::default(), Origin::Cli).is_empty());
    }

    #[test]
    fn test_default_memory_options_are_checked() {
        let err = |text: &str| {
            DefaultMemory::build(DefaultRunModule::new("dm"), &options(text))
                .err()
                .unwrap()
        };
        assert!(err("").contains("options.memory: required"));
        assert!(err("memory = \"lots\"").contains("\"lots\""));
        assert!(err("memory = \"1g\"\nswap = 1").contains("unknown option \"swap\""));
    }

    #[test]
    fn test_orchestrator_labels_mesos_and_emperor() {
        let m =
            OrchestratorLabels::build(DefaultRunModule::new("ol"), &toml::Table::new()).unwrap();
        let mut req = CreateRequest::default();
        req.config.env = vec![
            "MESOS_SANDBOX=/mnt/mesos/sandbox".into(),
            "MESOS_CONTAINER_NAME=mesos-1".into(),
        ];
        assert_eq!(
            run(m.as_ref(), &RunFlags::default(), &req, Origin::Docker),
            [
                "--label=io.vassalrun.orchestrator=mesos",
                "--label=io.vassalrun.entry=docker",
                "--label=io.vassalrun.mesos.container=mesos-1"
            ]
        );
        assert_eq!(
            run(
                m.as_ref(),
                &RunFlags::default(),
                &CreateRequest::default(),
                Origin::Emperor
            ),
            [
                "--label=io.vassalrun.orchestrator=uwsgi-emperor",
                "--label=io.vassalrun.entry=emperor"
            ]
        );
    }
}
