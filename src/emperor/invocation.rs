//! What the Emperor gave the wrapper (uWSGI 2.0.21 `core/emperor.c`):
//!
//! ```text
//! argv: W [--inherit T|--include T|--set K=V]... FLAG NAME [--inherit T|--include T]...
//! env:  UWSGI_EMPEROR_FD=N [UWSGI_EMPEROR_FD_CONFIG=M] [UWSGI_BROODLORD_NUM=K]
//! ```
//!
//! FLAG is `--ini`, `--xml`, `--yaml`, `--json`, `--config` or (any other
//! extension) `--inherit`; NAME is `app.ini` (dir monitor, cwd = the vassals
//! directory), a path (glob monitor), `exec://NAME`, `emperor://NAME` (config
//! pipe monitors) or `NAME:zerg` (broodlord).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The variable that marks an Emperor spawn.
pub const EMPEROR_FD_ENV: &str = "UWSGI_EMPEROR_FD";
pub const EMPEROR_FD_CONFIG_ENV: &str = "UWSGI_EMPEROR_FD_CONFIG";
pub const BROODLORD_NUM_ENV: &str = "UWSGI_BROODLORD_NUM";

/// Options the Emperor puts in a vassal's argv; each takes one value.
const EMPEROR_OPTIONS: [&str; 9] = [
    "--ini",
    "--xml",
    "--yaml",
    "--json",
    "--config",
    "--inherit",
    "--include",
    "--set",
    "--yml",
];
/// The options naming the vassal file itself.
const CONFIG_FLAGS: [&str; 6] = ["--ini", "--xml", "--yaml", "--yml", "--json", "--config"];

/// How the vassal's configuration file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    Ini,
    Json,
    /// `--xml`, `--yaml`, `--config`, `--inherit`: attributes cannot be read.
    Other,
}

/// One Emperor spawn, as the wrapper sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// argv without argv\[0\]: passed on verbatim to the vassal's uWSGI.
    pub args: Vec<String>,
    /// NAME as given (with `exec://` or `:section`).
    pub name: String,
    pub kind: ConfigKind,
    /// The Emperor's control fd (`UWSGI_EMPEROR_FD`).
    pub emperor_fd: i32,
    /// The config pipe (`UWSGI_EMPEROR_FD_CONFIG`).
    pub config_fd: Option<i32>,
    /// `UWSGI_BROODLORD_NUM`: this spawn is zerg number K.
    pub zerg: Option<String>,
    /// Paths given with `--inherit`/`--include` besides the vassal file.
    pub templates: Vec<String>,
}

/// Whether this process was started by an Emperor as `--emperor-wrapper`:
/// `UWSGI_EMPEROR_FD` is set and argv\[1\] is one of the options the Emperor
/// passes (never a vassalrun command).
pub fn is_emperor_spawn(args: &[OsString], fd_env: Option<&str>) -> bool {
    fd_env.is_some_and(|v| v.parse::<i32>().is_ok())
        && args
            .get(1)
            .and_then(|a| a.to_str())
            .is_some_and(|a| EMPEROR_OPTIONS.contains(&a))
}

impl Invocation {
    /// Parses argv (with argv\[0\]) and the Emperor's variables.
    pub fn parse(args: &[OsString], env: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let args: Vec<String> = args
            .iter()
            .skip(1)
            .map(|a| {
                a.to_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("argument {a:?} is not UTF-8"))
            })
            .collect::<Result<_, _>>()?;
        let mut pairs = Vec::new();
        let mut rest = args.iter();
        while let Some(option) = rest.next() {
            let value = rest
                .next()
                .ok_or_else(|| format!("{option}: no value in the Emperor's arguments"))?;
            pairs.push((option.as_str(), value.as_str()));
        }
        // The vassal is named by the first config flag; with an unknown
        // extension its FLAG is `--inherit` (the first one, as a guess).
        let position = pairs
            .iter()
            .position(|(o, _)| CONFIG_FLAGS.contains(o))
            .or_else(|| pairs.iter().position(|(o, _)| *o == "--inherit"))
            .ok_or("no vassal file in the Emperor's arguments")?;
        let (flag, name) = pairs[position];
        let kind = match flag {
            "--ini" => ConfigKind::Ini,
            "--json" => ConfigKind::Json,
            _ => ConfigKind::Other,
        };
        let templates = pairs
            .iter()
            .enumerate()
            .filter(|(i, (o, _))| *i != position && matches!(*o, "--inherit" | "--include"))
            .map(|(_, (_, v))| v.to_string())
            .collect();
        let fd = |key: &str| -> Result<Option<i32>, String> {
            env(key)
                .map(|v| {
                    v.parse()
                        .map_err(|_| format!("{key}={v}: not an fd number"))
                })
                .transpose()
        };
        Ok(Invocation {
            name: name.to_string(),
            kind,
            emperor_fd: fd(EMPEROR_FD_ENV)?.ok_or("UWSGI_EMPEROR_FD is not set")?,
            config_fd: fd(EMPEROR_FD_CONFIG_ENV)?,
            zerg: env(BROODLORD_NUM_ENV),
            templates,
            args,
        })
    }

    /// NAME without `exec://` and `:section`.
    pub fn file_name(&self) -> &str {
        let name = self.name.strip_prefix("exec://").unwrap_or(&self.name);
        // `:section` follows the extension (`app.ini:zerg`); a colon in a
        // directory name is not a section.
        match name.rsplit_once(':') {
            Some((file, section)) if !section.contains('/') && !file.is_empty() => file,
            _ => name,
        }
    }

    /// Whether the configuration comes through the config pipe (`emperor://`).
    pub fn is_piped(&self) -> bool {
        self.name.starts_with("emperor://")
    }

    /// The vassal file's path, resolved against `cwd` (NAME is relative to
    /// the vassals directory, the Emperor's cwd for the spawn).
    pub fn file_path(&self, cwd: &Path) -> PathBuf {
        cwd.join(self.file_name())
    }

    /// The container's name: the vassal's file name in Docker's alphabet
    /// (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), `-zergK` for broodlord zergs.
    pub fn container_name(&self) -> String {
        let base = Path::new(self.file_name().trim_start_matches("emperor://"))
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut name = in_docker_alphabet(&base);
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            name.insert(0, 'v');
        }
        if let Some(zerg) = &self.zerg {
            name.push_str(&in_docker_alphabet(&format!("-zerg{zerg}")));
        }
        if name.len() < 2 {
            name.push_str("-vassal");
        }
        name
    }
}

/// `text` with every character outside Docker's name alphabet
/// (`[a-zA-Z0-9_.-]`) replaced by `_`: safe as a container name's body, a
/// file name and a bind path.
pub fn in_docker_alphabet(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn test_is_emperor_spawn() {
        let a = argv(&["/usr/bin/vassalrun", "--ini", "app.ini"]);
        assert!(is_emperor_spawn(&a, Some("7")));
        assert!(!is_emperor_spawn(&a, None));
        assert!(!is_emperor_spawn(&a, Some("x")));
        assert!(!is_emperor_spawn(&argv(&["vassalrun", "ps"]), Some("7")));
        assert!(is_emperor_spawn(
            &argv(&["w", "--include", "/t.ini", "--ini", "a.ini"]),
            Some("7")
        ));
    }

    #[test]
    fn test_parse_full_argv() {
        let a = argv(&[
            "vassalrun",
            "--inherit",
            "/etc/before.ini",
            "--set",
            "foo=bar",
            "--ini",
            "app.ini:zerg",
            "--inherit",
            "/etc/after.ini",
            "--include",
            "/etc/inc.ini",
        ]);
        let v = Invocation::parse(
            &a,
            env(&[("UWSGI_EMPEROR_FD", "7"), ("UWSGI_BROODLORD_NUM", "2")]),
        )
        .unwrap();
        assert_eq!(v.name, "app.ini:zerg");
        assert_eq!(v.file_name(), "app.ini");
        assert_eq!(v.kind, ConfigKind::Ini);
        assert_eq!(v.emperor_fd, 7);
        assert_eq!(v.config_fd, None);
        assert_eq!(v.args.len(), 10);
        assert_eq!(
            v.templates,
            vec!["/etc/before.ini", "/etc/after.ini", "/etc/inc.ini"]
        );
        assert_eq!(v.container_name(), "app.ini-zerg2");
    }

    #[test]
    fn test_parse_names() {
        let parse = |list: &[&str]| {
            Invocation::parse(&argv(list), env(&[("UWSGI_EMPEROR_FD", "9")])).unwrap()
        };
        let v = parse(&["w", "--json", "/srv/vassals/a b.json"]);
        assert_eq!(v.kind, ConfigKind::Json);
        assert_eq!(v.container_name(), "a_b.json");
        let v = parse(&["w", "--inherit", "app.conf"]);
        assert_eq!(v.kind, ConfigKind::Other);
        assert_eq!(v.name, "app.conf");
        let v = parse(&["w", "--ini", "exec://run.ini"]);
        assert_eq!(v.file_name(), "run.ini");
        let v = parse(&["w", "--ini", "/a:b/x.ini"]);
        assert_eq!(v.file_name(), "/a:b/x.ini");
        let v = parse(&["w", "--ini", "emperor://zmq1"]);
        assert!(v.is_piped());
        let v = parse(&["w", "--ini", "_.ini"]);
        assert_eq!(v.container_name(), "v_.ini");
        assert!(
            Invocation::parse(&argv(&["w", "--ini"]), env(&[("UWSGI_EMPEROR_FD", "9")])).is_err()
        );
        assert!(Invocation::parse(&argv(&["w", "--ini", "a.ini"]), env(&[])).is_err());
    }
}
