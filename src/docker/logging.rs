//! The docker entry's log, as docker-wrapper's: appended to `docker.log` in
//! vassalrun's state directory, or on stderr when debugging (`-D`,
//! `VASSALRUN_DEBUG=1`). Orchestrators read the entry's stderr as the
//! command's error, so nothing but errors goes there otherwise.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

pub const LOG_FILE: &str = "docker.log";

/// Docker's log levels (`fatal` and `panic` are `error`) as tracing's.
pub fn level(docker_level: &str) -> Option<&'static str> {
    match docker_level {
        "trace" => Some("trace"),
        "debug" => Some("debug"),
        "info" => Some("info"),
        "warn" | "warning" => Some("warn"),
        "error" | "fatal" | "panic" => Some("error"),
        _ => None,
    }
}

/// Sends this process's logs to stderr (`debug`) or to `<root>/docker.log`.
/// A log file that cannot be opened (no state directory yet) costs the log,
/// never the command.
pub fn init(root: &Path, level: &str, debug: bool) {
    let directives = match level {
        "debug" | "trace" => level.to_string(),
        _ => format!("{level},libcontainer=off,libcgroups=off"),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(directives)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if debug {
        let _ = builder.with_writer(std::io::stderr).try_init();
        return;
    }
    // The state directory is made by the first container, not by a log line.
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.join(LOG_FILE));
    // Without one, errors still reach stderr once, from the command's report.
    if let Ok(file) = file {
        let _ = builder.with_writer(Mutex::new(file)).try_init();
    }
}
