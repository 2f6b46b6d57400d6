//! runc's `--log FILE --log-format text|json`: the command's own error, and with
//! `--debug` libcontainer's messages, as one line each, in runc's shapes:
//!
//! ```text
//! {"level":"error","msg":"container c1 does not exist","time":"2024-05-01T10:00:00Z"}
//! time="2024-05-01T10:00:00Z" level=error msg="container c1 does not exist"
//! ```
//!
//! Without `--log` the lines go to stderr (errors as `vassalrun: <message>`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use super::OciError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where log lines go: the `--log` file, or stderr.
#[derive(Clone)]
pub struct RuntimeLog {
    file: Option<Arc<Mutex<File>>>,
    format: LogFormat,
}

impl RuntimeLog {
    /// Opens `--log` for appending (close-on-exec, as every descriptor we open).
    pub fn open(path: Option<&Path>, format: LogFormat) -> Result<RuntimeLog, OciError> {
        let file = match path {
            Some(path) => Some(Arc::new(Mutex::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(OciError::io(path))?,
            ))),
            None => None,
        };
        Ok(RuntimeLog { file, format })
    }

    /// A log that writes nowhere but stderr (when `--log` itself failed).
    pub fn stderr_only() -> RuntimeLog {
        RuntimeLog {
            file: None,
            format: LogFormat::Text,
        }
    }

    /// Reports the command's failure: on stderr, and in the log file if any.
    pub fn error(&self, message: &str) {
        let message = &*crate::untrusted::escape_controls(message);
        eprintln!("vassalrun: {message}");
        if self.file.is_some() {
            self.write("error", message);
        }
    }

    /// Writes one line at `level` (to stderr when there is no log file).
    pub fn write(&self, level: &str, message: &str) {
        let line = format_line(self.format, level, message, &now());
        match &self.file {
            Some(file) => {
                if let Ok(mut file) = file.lock() {
                    let _ = file.write_all(line.as_bytes());
                }
            }
            None => eprint!("{line}"),
        }
    }

    /// With `--debug`, libcontainer's messages (debug and up) go to this log.
    pub fn install_debug(&self) {
        let layer = LogLayer { log: self.clone() };
        let _ = tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::DEBUG)
            .with(layer)
            .try_init();
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One log line in runc's json or text (logrus) shape, newline included.
pub fn format_line(format: LogFormat, level: &str, message: &str, time: &str) -> String {
    match format {
        LogFormat::Json => {
            let line = serde_json::json!({ "level": level, "msg": message, "time": time });
            format!("{line}\n")
        }
        LogFormat::Text => {
            let quoted = serde_json::to_string(message).unwrap_or_default();
            format!("time=\"{time}\" level={level} msg={quoted}\n")
        }
    }
}

struct LogLayer {
    log: RuntimeLog,
}

impl<S: tracing::Subscriber> Layer<S> for LogLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut message = MessageText::default();
        event.record(&mut message);
        let level = event.metadata().level().as_str().to_ascii_lowercase();
        self.log.write(&level, &message.0);
    }
}

/// An event's message followed by its other fields as `name=value`.
#[derive(Default)]
struct MessageText(String);

impl Visit for MessageText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.insert_str(0, &format!("{value:?}"));
        } else {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_format_line_json_matches_runc() {
        let line = format_line(
            LogFormat::Json,
            "error",
            "bad \"x\"",
            "2024-05-01T10:00:00Z",
        );
        assert_eq!(
            line,
            "{\"level\":\"error\",\"msg\":\"bad \\\"x\\\"\",\"time\":\"2024-05-01T10:00:00Z\"}\n"
        );
    }

    #[test]
    fn test_format_line_text_matches_logrus() {
        let line = format_line(
            LogFormat::Text,
            "error",
            "no such id",
            "2024-05-01T10:00:00Z",
        );
        assert_eq!(
            line,
            "time=\"2024-05-01T10:00:00Z\" level=error msg=\"no such id\"\n"
        );
    }
}
