//! Declarative modules: one TOML file per module in `<config-dir>/modules.d`,
//! named after the file. A file either lists arguments to add or enables a
//! compiled-in module:
//!
//! ```toml
//! # modules.d/50-web-limits.toml
//! priority = 50          # ascending order; default 0
//! override = false       # true: these arguments beat the user's flags
//! args = ["--pids-limit=512", "--label", "tier=web"]
//!
//! [match]                # optional; see conditions.rs
//! image = ["registry.example.com/web*"]
//! flag-absent = ["pids-limit"]
//! ```
//!
//! ```toml
//! # modules.d/90-default-memory.toml
//! builtin = "default-memory"
//! priority = 90
//! [options]
//! memory = "512m"
//! ```
//!
//! Everything is checked when the file is read (keys, flag names, the
//! arguments through the `docker run` grammar, builtin options); a bad file
//! fails the command with its path and line and changes no container.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::conditions::Conditions;
use super::examples::BUILTINS;
use super::flags::{flag_id, parse_args};
use super::module::{DefaultRunModule, Origin, RunContext, RunModule};
use super::ModuleError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    priority: Option<i32>,
    #[serde(rename = "override")]
    overrides: Option<bool>,
    args: Option<Spanned<Vec<Spanned<String>>>>,
    builtin: Option<Spanned<String>>,
    options: Option<Spanned<toml::Table>>,
    #[serde(rename = "match")]
    conditions: Option<MatchModel>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MatchModel {
    #[serde(default)]
    image: Vec<String>,
    #[serde(default)]
    name: Vec<String>,
    #[serde(default)]
    label: Vec<String>,
    #[serde(default)]
    network: Vec<String>,
    #[serde(default)]
    flag_present: Vec<Spanned<String>>,
    #[serde(default)]
    flag_absent: Vec<Spanned<String>>,
    #[serde(default)]
    origin: Vec<Spanned<String>>,
}

enum Kind {
    Args(Vec<String>),
    Builtin(Box<dyn RunModule>),
}

/// A module read from a file.
pub struct DeclarativeModule {
    base: DefaultRunModule,
    path: PathBuf,
    kind: Kind,
    conditions: Conditions,
}

impl RunModule for DeclarativeModule {
    fn base(&self) -> &DefaultRunModule {
        &self.base
    }

    fn source(&self) -> String {
        match &self.kind {
            Kind::Args(_) => self.path.display().to_string(),
            Kind::Builtin(inner) => {
                format!("{} (compiled-in {})", self.path.display(), inner.name())
            }
        }
    }

    fn skip_reason(&self, ctx: &RunContext) -> Option<String> {
        self.conditions
            .mismatch(ctx)
            .map(|key| format!("{key} does not match"))
    }

    fn handle_run(&self, ctx: &RunContext) -> Vec<String> {
        if !self.conditions.matches(ctx) {
            return Vec::new();
        }
        match &self.kind {
            Kind::Args(args) => args.clone(),
            Kind::Builtin(inner) => inner.handle_run(ctx),
        }
    }
}

/// Every `*.toml` in `dir`, in file-name order (none when `dir` is missing).
pub fn load_dir(dir: &Path) -> Result<Vec<DeclarativeModule>, ModuleError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(reason) => {
            return Err(ModuleError::Read {
                path: dir.to_path_buf(),
                reason,
            })
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file(p)).collect()
}

/// Reads one module file.
pub fn load_file(path: &Path) -> Result<DeclarativeModule, ModuleError> {
    let text = std::fs::read_to_string(path).map_err(|reason| ModuleError::Read {
        path: path.to_path_buf(),
        reason,
    })?;
    parse(path, &text)
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses a module file's text; `path` names it (and the module) in errors.
pub fn parse(path: &Path, text: &str) -> Result<DeclarativeModule, ModuleError> {
    let error = |offset: usize, reason: String| ModuleError::File {
        path: path.to_path_buf(),
        line: line_of(text, offset),
        reason,
    };
    let model: FileModel = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        error(offset, e.message().trim().replace('\n', " "))
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = DefaultRunModule {
        name,
        priority: model.priority.unwrap_or(0),
        overrides: model.overrides.unwrap_or(false),
    };
    let conditions = conditions(model.conditions.unwrap_or_default(), &error)?;
    let kind = match (model.args, model.builtin) {
        (Some(_), Some(b)) => {
            return Err(error(
                b.span().start,
                "give either args or builtin, not both".into(),
            ))
        }
        (None, None) => {
            return Err(error(
                0,
                "expected args = [...] or builtin = \"NAME\"".into(),
            ))
        }
        (Some(args), None) => {
            if let Some(options) = &model.options {
                return Err(error(
                    options.span().start,
                    "options are for builtin modules".into(),
                ));
            }
            Kind::Args(checked_args(args, &error)?)
        }
        (None, Some(builtin)) => {
            let options = model.options.map(|o| (o.span().start, o.into_inner()));
            Kind::Builtin(build_builtin(&base, &builtin, options, &error)?)
        }
    };
    Ok(DeclarativeModule {
        base,
        path: path.to_path_buf(),
        kind,
        conditions,
    })
}

type ErrorAt<'a> = dyn Fn(usize, String) -> ModuleError + 'a;

/// The arguments, each checked by the `docker run` grammar alone and together.
fn checked_args(
    args: Spanned<Vec<Spanned<String>>>,
    error: &ErrorAt,
) -> Result<Vec<String>, ModuleError> {
    let start = args.span().start;
    let args = args.into_inner();
    let all: Vec<String> = args.iter().map(|a| a.get_ref().clone()).collect();
    if let Err(reason) = parse_args(&all) {
        // Point at the argument clap quotes ('--memroy'), else at the list.
        let quoted = reason.split('\'').nth(1).unwrap_or_default();
        let at = args
            .iter()
            .find(|a| {
                let a = a.get_ref();
                !quoted.is_empty()
                    && (a == quoted || a.strip_prefix(quoted).is_some_and(|r| r.starts_with('=')))
            })
            .map_or(start, |a| a.span().start);
        return Err(error(at, format!("args: {reason}")));
    }
    if let Some(config) = args.iter().find(|a| {
        flag_id(a.get_ref().split('=').next().unwrap_or_default()).as_deref() == Some("config")
    }) {
        return Err(error(
            config.span().start,
            "args: a module cannot set --config".into(),
        ));
    }
    Ok(all)
}

fn build_builtin(
    base: &DefaultRunModule,
    builtin: &Spanned<String>,
    options: Option<(usize, toml::Table)>,
    error: &ErrorAt,
) -> Result<Box<dyn RunModule>, ModuleError> {
    let Some((_, construct)) = BUILTINS.iter().find(|(n, _)| n == builtin.get_ref()) else {
        let known: Vec<&str> = BUILTINS.iter().map(|(n, _)| *n).collect();
        return Err(error(
            builtin.span().start,
            format!(
                "unknown builtin module {:?} (compiled-in: {})",
                builtin.get_ref(),
                known.join(", ")
            ),
        ));
    };
    let inner_base = DefaultRunModule {
        name: builtin.get_ref().clone(),
        ..base.clone()
    };
    let (at, options) = options.unwrap_or((builtin.span().start, toml::Table::new()));
    construct(inner_base, &options).map_err(|reason| error(at, reason))
}

fn conditions(model: MatchModel, error: &ErrorAt) -> Result<Conditions, ModuleError> {
    let ids = |names: Vec<Spanned<String>>, key: &str| {
        names
            .into_iter()
            .map(|n| {
                flag_id(n.get_ref()).ok_or_else(|| {
                    error(
                        n.span().start,
                        format!("match.{key}: unknown flag {:?}", n.get_ref()),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    for o in &model.origin {
        if Origin::parse(o.get_ref()).is_none() {
            return Err(error(
                o.span().start,
                format!(
                    "match.origin: unknown origin {:?} (expected cli, docker or emperor)",
                    o.get_ref()
                ),
            ));
        }
    }
    Ok(Conditions {
        image: model.image,
        name: model.name,
        label: model.label,
        network: model.network,
        flag_present: ids(model.flag_present, "flag-present")?,
        flag_absent: ids(model.flag_absent, "flag-absent")?,
        origin: model.origin.into_iter().map(Spanned::into_inner).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(Path::new("/etc/vassalrun/modules.d/10-x.toml"), text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn test_parse_errors_name_file_and_line() {
        let cases = [
            (
                "priority = 1\nargs = [\"--memroy=1g\"]\n",
                2,
                "args: unexpected argument '--memroy",
            ),
            ("priority = \"high\"\nargs = []\n", 1, "invalid type"),
            ("args = []\ncolour = 1\n", 2, "unknown field `colour`"),
            (
                "args = [\n  \"-m\", \"1g\",\n  \"--config=x.json\",\n]\n",
                3,
                "cannot set --config",
            ),
            ("builtin = \"nope\"\n", 1, "unknown builtin module \"nope\""),
            (
                "builtin = \"default-memory\"\n[options]\nmemory = \"lots\"\n",
                2,
                "options.memory",
            ),
            (
                "args = []\n[match]\nflag-absent = [\"memory\", \"memroy\"]\n",
                3,
                "unknown flag \"memroy\"",
            ),
            (
                "args = []\n[match]\norigin = [\"k8s\"]\n",
                3,
                "unknown origin",
            ),
            ("priority = 1\n", 1, "expected args"),
            ("args = [\"-m\"\n", 2, ""),
        ];
        for (text, line, message) in cases {
            let e = err(text);
            assert!(
                e.starts_with(&format!("/etc/vassalrun/modules.d/10-x.toml:{line}: ")),
                "{text:?} → {e}"
            );
            assert!(e.contains(message), "{text:?} → {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn test_parse_module_fields() {
        let m = parse(
            Path::new("/m/50-web.toml"),
            "priority = 50\noverride = true\nargs = [\"--pids-limit\", \"512\"]\n[match]\nflag-absent = [\"-m\"]\n",
        )
        .unwrap();
        assert_eq!(m.name(), "50-web");
        assert_eq!(m.priority(), 50);
        assert!(m.overrides());
        assert_eq!(m.conditions.flag_absent, ["memory"]);
        assert_eq!(m.source(), "/m/50-web.toml");
    }
}
