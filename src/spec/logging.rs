//! `--log-driver` and `--log-opt`: which log a container gets and how it rotates.

use super::error::SpecError;
use super::model::LogConfig;
use super::units::parse_size;

/// The validated log settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSettings {
    None,
    /// json-file; `max_size` 0 means never rotate.
    JsonFile {
        max_size: u64,
        max_file: u32,
    },
}

fn invalid(value: String, reason: &'static str) -> SpecError {
    SpecError::LogOption { value, reason }
}

/// Docker's rules: `max-file` needs `max-size`; unknown options are refused.
pub fn log_settings(config: &LogConfig) -> Result<LogSettings, SpecError> {
    match config.kind.as_str() {
        "" | "json-file" => {}
        "none" if config.config.is_empty() => return Ok(LogSettings::None),
        "none" => {
            return Err(invalid(
                format!("{:?}", config.config),
                "the none driver takes no options",
            ))
        }
        other => {
            return Err(invalid(
                other.to_string(),
                "unsupported log driver (json-file or none)",
            ))
        }
    }
    let mut max_size = 0;
    let mut max_file = 1;
    for (key, value) in &config.config {
        let text = format!("{key}={value}");
        match key.as_str() {
            "max-size" => {
                max_size = parse_size(value)
                    .map_err(|_| invalid(text, "not a size"))?
                    .max(0) as u64;
            }
            "max-file" => {
                max_file = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| invalid(text, "must be a number >= 1"))?;
            }
            // Accepted for Docker compatibility; vassalrun writes uncompressed logs.
            "compress" | "labels" | "env" | "tag" | "mode" => {}
            _ => return Err(invalid(text, "unknown log option")),
        }
    }
    if max_file > 1 && max_size == 0 {
        return Err(invalid(
            format!("max-file={max_file}"),
            "max-file needs max-size",
        ));
    }
    Ok(LogSettings::JsonFile { max_size, max_file })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(kind: &str, opts: &[(&str, &str)]) -> LogConfig {
        LogConfig {
            kind: kind.into(),
            config: opts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn test_log_settings_rules() {
        assert_eq!(
            log_settings(&config("", &[])).unwrap(),
            LogSettings::JsonFile {
                max_size: 0,
                max_file: 1
            }
        );
        assert_eq!(
            log_settings(&config("none", &[])).unwrap(),
            LogSettings::None
        );
        assert_eq!(
            log_settings(&config(
                "json-file",
                &[("max-size", "1k"), ("max-file", "3")]
            ))
            .unwrap(),
            LogSettings::JsonFile {
                max_size: 1024,
                max_file: 3
            }
        );
        let err = |c: LogConfig| log_settings(&c).unwrap_err().to_string();
        assert_eq!(
            err(config("syslog", &[])),
            "invalid log option \"syslog\": unsupported log driver (json-file or none)"
        );
        assert_eq!(
            err(config("", &[("max-file", "3")])),
            "invalid log option \"max-file=3\": max-file needs max-size"
        );
        assert_eq!(
            err(config("", &[("max-size", "big")])),
            "invalid log option \"max-size=big\": not a size"
        );
        assert_eq!(
            err(config("", &[("color", "1")])),
            "invalid log option \"color=1\": unknown log option"
        );
    }
}
