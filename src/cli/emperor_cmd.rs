//! The Emperor wrapper's entry: no subcommand, settings from the environment
//! and `config.toml` only (`VASSALRUN_ROOT`, `VASSALRUN_RUN_DIR`, ...,
//! `VASSALRUN_REQUIRE_IMAGE`, `VASSALRUN_HOST_UWSGI`).

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use super::GlobalOptions;
use crate::config::{Overrides, Settings};

/// The global options, from their environment variables alone.
#[derive(Parser, Debug)]
#[command(no_binary_name = true)]
struct FromEnv {
    #[command(flatten)]
    global: GlobalOptions,
}

fn settings() -> Result<Settings, String> {
    let global = FromEnv::try_parse_from(Vec::<OsString>::new())
        .map_err(|e| crate::emperor::attributes::clap_line(&e))?
        .global;
    let flag = |key: &str| {
        std::env::var(key)
            .ok()
            .map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    };
    Settings::load(Overrides {
        config_dir: global.config_dir,
        root: global.root,
        run_dir: global.run_dir,
        log_level: global.log_level,
        init_path: global.init_path,
        cgroup_parent: global.default_cgroup_parent,
        bridge: global.bridge,
        subnet: global.subnet,
        gateway: global.gateway,
        max_image_size: global.max_image_size,
        max_expansion_ratio: global.max_expansion_ratio,
        require_image: flag("VASSALRUN_REQUIRE_IMAGE"),
        host_uwsgi: std::env::var_os("VASSALRUN_HOST_UWSGI").map(Into::into),
    })
    .map_err(|e| e.to_string())
}

/// Runs this process as the Emperor's wrapper. `restore_signals` resets the
/// dispositions inherited from the Emperor (not done for host vassals, which
/// get them untouched).
pub fn main(restore_signals: fn()) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    ExitCode::from(crate::emperor::wrapper::run(
        &args,
        settings(),
        restore_signals,
    ))
}
