//! vassalrun's settings: built-in defaults, overridden by `config.toml` in the
//! config directory, overridden by environment variables and flags (clap merges
//! those two before we see them).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

pub const DEFAULT_CONFIG_DIR: &str = "/etc/vassalrun";
pub const DEFAULT_ROOT: &str = "/var/lib/vassalrun";
pub const DEFAULT_RUN_DIR: &str = "/run/vassalrun";
pub const DEFAULT_CGROUP_PARENT: &str = "vassalrun";
pub const DEFAULT_LOG_LEVEL: &str = "warn";
pub const DEFAULT_BRIDGE: &str = "vassal0";
/// The largest image an import may unpack (the sum of its files' sizes).
pub const DEFAULT_MAX_IMAGE_SIZE: &str = "16g";
/// How many times its compressed size a tarball may expand to.
pub const DEFAULT_MAX_EXPANSION_RATIO: u64 = 200;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: {reason}")]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("{setting}: {reason}")]
    Value {
        setting: &'static str,
        reason: String,
    },
}

/// `config.toml`; every key is optional and has a flag and an environment variable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub root: Option<PathBuf>,
    pub run_dir: Option<PathBuf>,
    pub log_level: Option<String>,
    pub init_path: Option<PathBuf>,
    pub cgroup_parent: Option<String>,
    pub bridge: Option<String>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    /// Largest image an import unpacks (`16g`, `500m`, bytes).
    pub max_image_size: Option<String>,
    /// Largest decompressed size of a tarball, in times its compressed size.
    pub max_expansion_ratio: Option<u64>,
    /// `[emperor]`: the uWSGI Emperor wrapper's settings.
    pub emperor: Option<EmperorConfigFile>,
    /// Registries `pull` may reach over plain HTTP (read by `images::registry`).
    pub insecure_registries: Option<Vec<String>>,
}

/// `[emperor]` in `config.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EmperorConfigFile {
    /// Refuse vassals without a `docker-image` attribute (`VASSALRUN_REQUIRE_IMAGE=1`).
    pub require_image: Option<bool>,
    /// The host's uWSGI for vassals without an image (`VASSALRUN_HOST_UWSGI`).
    pub host_uwsgi: Option<PathBuf>,
}

/// Values given on the command line or in the environment (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_dir: Option<PathBuf>,
    pub root: Option<PathBuf>,
    pub run_dir: Option<PathBuf>,
    pub log_level: Option<String>,
    pub init_path: Option<PathBuf>,
    pub cgroup_parent: Option<String>,
    pub bridge: Option<String>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub require_image: Option<bool>,
    pub host_uwsgi: Option<PathBuf>,
    pub max_image_size: Option<String>,
    pub max_expansion_ratio: Option<u64>,
}

/// What an image import may unpack, so that an archive bomb (a sparse member
/// declaring terabytes, a small zstd of endless zeros) is refused before it
/// fills the store's filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Bytes: the sum of the sizes of the image's files.
    pub max_size: u64,
    /// Decompressed bytes per compressed byte of a tarball.
    pub max_ratio: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_size: 16 << 30,
            max_ratio: DEFAULT_MAX_EXPANSION_RATIO,
        }
    }
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config_dir: PathBuf,
    /// Persistent state: images, containers' upper layers, configs, logs.
    pub root: PathBuf,
    /// Runtime state: libcontainer state, sockets, locks.
    pub run_dir: PathBuf,
    pub log_level: String,
    /// Init binary for `--init`; `None` searches the usual places.
    pub init_path: Option<PathBuf>,
    pub cgroup_parent: String,
    /// The bridge of `--network bridge` containers (validated by `crate::network`).
    pub bridge: String,
    /// Its IPv4 subnet, `a.b.c.d/len`; `None`: Docker's choice, 172.17.0.0/16
    /// unless the host already routes it (see `crate::network::default_subnet`).
    pub subnet: Option<String>,
    /// The bridge's address; `None`: the subnet's first host address.
    pub gateway: Option<String>,
    /// Emperor wrapper: refuse vassals without an image.
    pub require_image: bool,
    /// Emperor wrapper: the uWSGI run for vassals without an image (a name
    /// searched in `PATH`, or a path).
    pub host_uwsgi: PathBuf,
    /// Image imports: the largest image and the largest expansion ratio.
    pub import_limits: ImportLimits,
}

impl Settings {
    /// Reads `config.toml` (if present) under the overrides.
    pub fn load(overrides: Overrides) -> Result<Settings, ConfigError> {
        let config_dir = overrides
            .config_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_DIR));
        let file = read_config_file(&config_dir.join("config.toml"))?;
        let emperor = file.emperor.unwrap_or_default();
        let import_limits = import_limits(
            overrides.max_image_size.or(file.max_image_size),
            overrides.max_expansion_ratio.or(file.max_expansion_ratio),
        )?;
        Ok(Settings {
            import_limits,
            require_image: overrides
                .require_image
                .or(emperor.require_image)
                .unwrap_or(false),
            host_uwsgi: overrides
                .host_uwsgi
                .or(emperor.host_uwsgi)
                .unwrap_or_else(|| "uwsgi".into()),
            root: overrides
                .root
                .or(file.root)
                .unwrap_or_else(|| DEFAULT_ROOT.into()),
            run_dir: overrides
                .run_dir
                .or(file.run_dir)
                .unwrap_or_else(|| DEFAULT_RUN_DIR.into()),
            log_level: overrides
                .log_level
                .or(file.log_level)
                .unwrap_or_else(|| DEFAULT_LOG_LEVEL.into()),
            init_path: overrides.init_path.or(file.init_path),
            cgroup_parent: overrides
                .cgroup_parent
                .or(file.cgroup_parent)
                .unwrap_or_else(|| DEFAULT_CGROUP_PARENT.into()),
            bridge: overrides
                .bridge
                .or(file.bridge)
                .unwrap_or_else(|| DEFAULT_BRIDGE.into()),
            subnet: overrides.subnet.or(file.subnet),
            gateway: overrides.gateway.or(file.gateway),
            config_dir,
        })
    }
}

/// The import limits from their settings (a size in Docker's units, a ratio).
fn import_limits(size: Option<String>, ratio: Option<u64>) -> Result<ImportLimits, ConfigError> {
    let size = size.unwrap_or_else(|| DEFAULT_MAX_IMAGE_SIZE.to_string());
    let max_size = crate::spec::units::parse_size(&size)
        .ok()
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| ConfigError::Value {
            setting: "max-image-size",
            reason: format!("invalid size {size:?}: expected bytes or a size like 16g or 500m"),
        })?;
    let max_ratio = ratio.unwrap_or(DEFAULT_MAX_EXPANSION_RATIO);
    if max_ratio == 0 {
        return Err(ConfigError::Value {
            setting: "max-expansion-ratio",
            reason: "0: expected a ratio of at least 1".into(),
        });
    }
    Ok(ImportLimits {
        max_size: max_size as u64,
        max_ratio,
    })
}

pub fn read_config_file(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(reason) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                reason,
            })
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        reason: one_line_toml_error(&e),
    })
}

/// toml's errors span several lines (with a source excerpt); keep the message and line.
fn one_line_toml_error(e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => format!("{message} (at byte {})", span.start),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_load_defaults_without_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::load(Overrides {
            config_dir: Some(dir.path().into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.root, PathBuf::from(DEFAULT_ROOT));
        assert_eq!(s.run_dir, PathBuf::from(DEFAULT_RUN_DIR));
        assert_eq!(s.cgroup_parent, "vassalrun");
        assert_eq!(s.init_path, None);
    }

    #[test]
    fn test_load_file_then_overrides() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "root = \"/srv/v\"\ncgroup-parent = \"apps\"\n",
        )
        .unwrap();
        let s = Settings::load(Overrides {
            config_dir: Some(dir.path().into()),
            cgroup_parent: Some("flag".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.root, PathBuf::from("/srv/v"));
        assert_eq!(s.cgroup_parent, "flag");
    }

    #[test]
    fn test_load_emperor_section_then_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[emperor]\nrequire-image = true\n").unwrap();
        let load = |require_image| {
            Settings::load(Overrides {
                config_dir: Some(dir.path().into()),
                require_image,
                ..Default::default()
            })
            .unwrap()
        };
        assert!(load(None).require_image);
        assert!(!load(Some(false)).require_image);
        assert_eq!(load(None).host_uwsgi, PathBuf::from("uwsgi"));
        std::fs::write(&path, "[emperor]\nrequire-images = true\n").unwrap();
        let err = Settings::load(Overrides {
            config_dir: Some(dir.path().into()),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown field `require-images`"), "{err}");
    }

    #[test]
    fn test_import_limits_defaults_file_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let load = |overrides: Overrides| {
            Settings::load(Overrides {
                config_dir: Some(dir.path().into()),
                ..overrides
            })
        };
        assert_eq!(
            load(Overrides::default()).unwrap().import_limits,
            ImportLimits::default()
        );
        std::fs::write(
            dir.path().join("config.toml"),
            "max-image-size = \"1g\"\nmax-expansion-ratio = 50\n",
        )
        .unwrap();
        let limits = load(Overrides::default()).unwrap().import_limits;
        assert_eq!((limits.max_size, limits.max_ratio), (1 << 30, 50));
        let limits = load(Overrides {
            max_image_size: Some("10m".into()),
            ..Default::default()
        })
        .unwrap()
        .import_limits;
        assert_eq!((limits.max_size, limits.max_ratio), (10 << 20, 50));
        let err = load(Overrides {
            max_image_size: Some("lots".into()),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("max-image-size: invalid size \"lots\""),
            "{err}"
        );
        let err = load(Overrides {
            max_expansion_ratio: Some(0),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("max-expansion-ratio: 0"), "{err}");
    }

    #[test]
    fn test_load_rejects_unknown_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "rooot = \"/x\"\n").unwrap();
        let err = Settings::load(Overrides {
            config_dir: Some(dir.path().into()),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("config.toml: unknown field `rooot`"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}
