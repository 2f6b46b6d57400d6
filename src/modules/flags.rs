//! Run flags as data: parsing module arguments with the `docker run` grammar,
//! turning flags back into arguments, and merging a module's flags into the
//! container's under the override rules.
//!
//! Flags are handled by their clap id (the `RunFlags` field name, which is
//! also its serde name), so no second list of flags exists here.
//!
//! Override rules, per flag:
//! - single-valued (`--memory`): a module's value replaces a lower-priority
//!   module's; it never replaces the user's unless the module overrides;
//! - keyed lists (`-e`, `--label`, `--sysctl`, `--log-opt`, `--ulimit`,
//!   `--tmpfs`): an entry whose key the user set is dropped unless the module
//!   overrides; the final order is modules', then the user's, then overriding
//!   modules' (the last entry of a key wins);
//! - other lists (`-p`, `-v`, `--cap-add`, …): entries are added.

use std::collections::BTreeMap;

use clap::{CommandFactory, Parser};
use serde_json::Value;

use super::explain::{FlagReport, Outcome};
use crate::spec::run_flags::RunFlags;

/// `docker run` flags alone.
#[derive(Parser, Debug)]
#[command(
    name = "run module arguments",
    no_binary_name = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct FlagsOnly {
    #[command(flatten)]
    flags: RunFlags,
}

/// Lists whose entries are keyed (`KEY=...`, `/path:...`), and the key's end.
const KEYED_LISTS: [(&str, char); 6] = [
    ("env", '='),
    ("label", '='),
    ("sysctl", '='),
    ("log_opt", '='),
    ("ulimit", '='),
    ("tmpfs", ':'),
];

/// Parses `docker run` arguments (flags only); the error is clap's first line.
pub fn parse_args(args: &[String]) -> Result<RunFlags, String> {
    FlagsOnly::try_parse_from(args)
        .map(|f| f.flags)
        .map_err(|e| {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            first.trim_start_matches("error: ").to_string()
        })
}

/// The clap id of a flag given by long or short name (`memory`, `--memory`, `-m`, `net`).
pub fn flag_id(name: &str) -> Option<String> {
    let command = FlagsOnly::command();
    let bare = name.trim_start_matches('-');
    let id = command
        .get_arguments()
        .find(|a| {
            a.get_long() == Some(bare)
                || a.get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&bare))
                || (bare.chars().count() == 1 && a.get_short() == bare.chars().next())
        })
        .map(|a| a.get_id().to_string());
    id
}

/// A flag's values by id: `None` unset, one or more values when set.
pub fn values(flags: &RunFlags) -> BTreeMap<String, Vec<String>> {
    let Ok(Value::Object(map)) = serde_json::to_value(flags) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .filter_map(|(id, v)| {
            let list = match v {
                Value::String(s) => vec![s],
                Value::Array(items) => items
                    .into_iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect(),
                _ => return None,
            };
            (!list.is_empty()).then_some((id, list))
        })
        .collect()
}

/// Whether the flag with this id is a list (may be given several times).
fn is_list(id: &str) -> bool {
    FlagsOnly::command()
        .get_arguments()
        .find(|a| a.get_id() == id)
        .is_some_and(|a| matches!(a.get_action(), clap::ArgAction::Append))
}

/// `--long=value` for one value of the flag `id`.
pub fn arg_of(id: &str, value: &str) -> String {
    let command = FlagsOnly::command();
    let long = command
        .get_arguments()
        .find(|a| a.get_id() == id)
        .and_then(|a| a.get_long())
        .unwrap_or(id);
    format!("--{long}={value}")
}

/// The flags as arguments (`--long=value`), in the grammar's order.
pub fn to_args(flags: &RunFlags) -> Vec<String> {
    let values = values(flags);
    let command = FlagsOnly::command();
    command
        .get_arguments()
        .filter_map(|a| values.get(a.get_id().as_str()).map(|v| (a.get_id(), v)))
        .flat_map(|(id, vs)| vs.iter().map(move |v| arg_of(id.as_str(), v)))
        .collect()
}

fn key_of(id: &str, entry: &str) -> Option<String> {
    KEYED_LISTS
        .iter()
        .find(|(list, _)| *list == id)
        .map(|(_, sep)| entry.split(*sep).next().unwrap_or(entry).to_string())
}

/// Who set a single-valued flag.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    User,
    Module(String),
}

/// One flag's values by where they came from.
#[derive(Debug, Clone, Default)]
struct Slot {
    /// Modules that do not override, in the order they ran.
    modules: Vec<String>,
    user: Vec<String>,
    /// Modules that override.
    overriding: Vec<String>,
    /// For single values: who set the value in force.
    owner: Option<Owner>,
}

/// The container's flags while modules are applied.
#[derive(Debug, Clone)]
pub struct Merged {
    slots: BTreeMap<String, Slot>,
}

impl Merged {
    /// The user's flags (whatever route they came by).
    pub fn new(user: &RunFlags) -> Merged {
        let slots = values(user)
            .into_iter()
            .map(|(id, vs)| {
                let slot = Slot {
                    user: vs,
                    owner: Some(Owner::User),
                    ..Slot::default()
                };
                (id, slot)
            })
            .collect();
        Merged { slots }
    }

    /// Merges one module's flags; reports what became of each.
    pub fn apply(&mut self, module: &str, overrides: bool, flags: &RunFlags) -> Vec<FlagReport> {
        let mut reports = Vec::new();
        for (id, vs) in values(flags) {
            let slot = self.slots.entry(id.clone()).or_default();
            if is_list(&id) {
                for v in vs {
                    reports.push(apply_entry(slot, &id, v, overrides));
                }
            } else if let Some(v) = vs.into_iter().last() {
                reports.push(apply_single(slot, &id, v, module, overrides));
            }
        }
        reports
    }

    /// The merged flags as arguments.
    pub fn to_args(&self) -> Vec<String> {
        let command = FlagsOnly::command();
        let mut args = Vec::new();
        for a in command.get_arguments() {
            let id = a.get_id().as_str();
            let Some(slot) = self.slots.get(id) else {
                continue;
            };
            let values: Vec<&String> = if is_list(id) {
                slot.modules
                    .iter()
                    .chain(&slot.user)
                    .chain(&slot.overriding)
                    .collect()
            } else {
                single_value(slot).into_iter().collect()
            };
            args.extend(values.into_iter().map(|v| arg_of(id, v)));
        }
        args
    }
}

fn single_value(slot: &Slot) -> Option<&String> {
    slot.overriding
        .last()
        .or(slot.user.last())
        .or(slot.modules.last())
}

fn apply_single(slot: &mut Slot, id: &str, v: String, module: &str, overrides: bool) -> FlagReport {
    let arg = arg_of(id, &v);
    if !overrides && (slot.owner == Some(Owner::User) || !slot.overriding.is_empty()) {
        let kept = single_value(slot)
            .map(|u| arg_of(id, u))
            .unwrap_or_default();
        let outcome = if slot.overriding.is_empty() {
            Outcome::KeptUser(kept)
        } else {
            Outcome::KeptOverride(kept)
        };
        return FlagReport { arg, outcome };
    }
    let outcome = match single_value(slot) {
        Some(previous) => Outcome::Replaced(arg_of(id, previous)),
        None => Outcome::Applied,
    };
    if overrides {
        slot.overriding.push(v);
    } else {
        slot.modules.push(v);
    }
    slot.owner = Some(Owner::Module(module.to_string()));
    FlagReport { arg, outcome }
}

fn apply_entry(slot: &mut Slot, id: &str, v: String, overrides: bool) -> FlagReport {
    let arg = arg_of(id, &v);
    let key = key_of(id, &v);
    let user_entry = key.as_ref().and_then(|k| {
        slot.user
            .iter()
            .rev()
            .find(|u| key_of(id, u).as_ref() == Some(k))
    });
    let outcome = match (user_entry, overrides) {
        (Some(u), false) => {
            return FlagReport {
                arg,
                outcome: Outcome::KeptUser(arg_of(id, u)),
            }
        }
        (Some(u), true) => Outcome::Replaced(arg_of(id, u)),
        (None, _) => Outcome::Applied,
    };
    if overrides {
        slot.overriding.push(v);
    } else {
        slot.modules.push(v);
    }
    FlagReport { arg, outcome }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn test_to_args_round_trip() {
        let flags = parse_args(&args(&["-m", "1g", "-e", "A=1", "--rm", "--net", "host"])).unwrap();
        let back = to_args(&flags);
        assert_eq!(
            back,
            ["--env=A=1", "--memory=1g", "--network=host", "--rm=true"]
        );
        let again = parse_args(&back).unwrap();
        assert_eq!(to_args(&again), back);
    }

    #[test]
    fn test_flag_id_by_long_short_and_alias() {
        assert_eq!(flag_id("memory").as_deref(), Some("memory"));
        assert_eq!(flag_id("--memory").as_deref(), Some("memory"));
        assert_eq!(flag_id("-m").as_deref(), Some("memory"));
        assert_eq!(flag_id("net").as_deref(), Some("network"));
        assert_eq!(flag_id("log-opt").as_deref(), Some("log_opt"));
        assert_eq!(flag_id("memroy"), None);
    }

    #[test]
    fn test_parse_args_rejects_unknown_flag_and_positionals() {
        assert!(parse_args(&args(&["--memroy=1g"]))
            .unwrap_err()
            .contains("--memroy"));
        assert!(parse_args(&args(&["busybox"])).is_err());
    }

    #[test]
    fn test_merge_user_wins_unless_override() {
        let user = parse_args(&args(&["-m", "1g", "-e", "A=user"])).unwrap();
        let module = parse_args(&args(&["-m", "512m", "-e", "A=mod", "-e", "B=mod"])).unwrap();
        let mut merged = Merged::new(&user);
        let reports = merged.apply("m", false, &module);
        let outcomes: Vec<_> = reports
            .iter()
            .map(|r| (r.arg.as_str(), &r.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("--env=A=mod", &Outcome::KeptUser("--env=A=user".into())),
                ("--env=B=mod", &Outcome::Applied),
                ("--memory=512m", &Outcome::KeptUser("--memory=1g".into())),
            ]
        );
        assert_eq!(
            merged.to_args(),
            ["--env=B=mod", "--env=A=user", "--memory=1g"]
        );

        let mut merged = Merged::new(&user);
        merged.apply("m", true, &module);
        assert_eq!(
            merged.to_args(),
            [
                "--env=A=user",
                "--env=A=mod",
                "--env=B=mod",
                "--memory=512m"
            ]
        );
    }

    #[test]
    fn test_merge_later_module_replaces_earlier() {
        let user = RunFlags::default();
        let mut merged = Merged::new(&user);
        merged.apply(
            "low",
            false,
            &parse_args(&args(&["--pids-limit=100"])).unwrap(),
        );
        let reports = merged.apply(
            "high",
            false,
            &parse_args(&args(&["--pids-limit=200"])).unwrap(),
        );
        assert_eq!(
            reports[0].outcome,
            Outcome::Replaced("--pids-limit=100".into())
        );
        assert_eq!(merged.to_args(), ["--pids-limit=200"]);
        let reports = merged.apply("higher", false, &parse_args(&args(&["-p", "80"])).unwrap());
        assert_eq!(reports[0].outcome, Outcome::Applied);
        assert_eq!(merged.to_args(), ["--publish=80", "--pids-limit=200"]);
    }
}
