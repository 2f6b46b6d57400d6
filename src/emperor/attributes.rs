//! A vassal's `docker-*` attributes → `docker run` flags, parsed by the same
//! grammar as the command line ([`RunFlags`]), so every value means what it
//! means to `vassalrun run` and is refused with the same message.
//!
//! The old uwsgi-docker attributes keep their names and syntax:
//!
//! ```text
//! docker-image = NAME           IMAGE
//! docker-pull = missing|never|always  (new) pull IMAGE first [missing]
//! docker-port = [ip:]hport:cport  --publish
//! docker-mount = /host:/ctr[:ro]  --volume   (type=...,target=... → --mount)
//! docker-network-mode = MODE    --network
//! docker-swap = BYTES           --memory-swap (memory + swap, as the Engine API's MemorySwap)
//! docker-workdir, -hostname, -env, -user, -memory, -dns: the flag of that name
//! docker-cidfile = PATH         written (and overwritten) by the wrapper
//! docker-socket = PATH|ip:port  bound on the host, the vassal's fd 0
//! docker-socket-mode = 660      (new) the UNIX socket's mode
//! docker-proxy = ...            accepted, not needed (fds are inherited)
//! ```
//!
//! plus `docker-uwsgi` (the uWSGI binary inside the image) and every other
//! long flag as `docker-<flag>` (`docker-read-only = true`, `docker-cap-drop = ALL`).

use std::collections::BTreeSet;

use clap::{ArgAction, CommandFactory, Parser};
use thiserror::Error;

use crate::spec::run_flags::RunFlags;
use crate::spec::CreateRequest;

/// The in-container uWSGI when `docker-uwsgi` is not given.
pub const DEFAULT_UWSGI: &str = "/usr/bin/uwsgi";

/// `docker run` flags alone, for parsing attributes.
#[derive(Parser, Debug)]
#[command(
    no_binary_name = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
pub struct FlagsOnly {
    #[command(flatten)]
    pub flags: RunFlags,
}

/// An attribute that cannot be used; the message names it.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{attribute}: {reason}")]
pub struct AttributeError {
    pub attribute: String,
    pub reason: String,
}

fn refuse(attribute: &str, reason: impl ToString) -> AttributeError {
    AttributeError {
        attribute: attribute.to_string(),
        reason: reason.to_string(),
    }
}

/// Flags a vassal cannot set, and why.
const REFUSED: [(&str, &str); 8] = [
    ("name", "the container is named after the vassal"),
    (
        "entrypoint",
        "the command is the vassal's uWSGI: use docker-uwsgi",
    ),
    ("detach", "the wrapper runs the vassal in the foreground"),
    (
        "tty",
        "the vassal's output goes straight to the Emperor's log",
    ),
    ("interactive", "fd 0 is the Emperor's (or docker-socket's)"),
    (
        "rm",
        "vassal containers are always removed when the vassal ends",
    ),
    (
        "pid",
        "the vassal needs its own PID namespace (it dies with the wrapper)",
    ),
    ("help", "not a container option"),
];

/// What the attributes ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// `docker-image`; `None`: the vassal runs on the host.
    pub image: Option<String>,
    /// `docker run` flags, attribute by attribute, in file order.
    pub flags: Vec<String>,
    /// `docker-socket`.
    pub socket: Option<String>,
    /// `docker-socket-mode` (octal).
    pub socket_mode: Option<u32>,
    /// The uWSGI binary inside the image.
    pub uwsgi: String,
    /// `docker-cidfile`.
    pub cidfile: Option<String>,
    /// `docker-proxy` was given (and is not needed).
    pub proxy: bool,
    /// `docker-pull`: when the image is pulled from its registry.
    pub pull: crate::runtime::images::pull_policy::PullPolicy,
    /// `docker-debug`: log the generated container spec (the old plugin
    /// logged the Engine API requests).
    pub debug: bool,
    /// Host directories of `docker-mount = /host:/ctr`: created when missing,
    /// as the Engine API's `Binds` (the old plugin's) did.
    pub bind_sources: Vec<String>,
}

/// Reads the `[emperor]` entries; keys without the `docker-` prefix belong to
/// others and are skipped. Each attribute is checked on its own, so an error
/// names the attribute, not just the flag.
pub fn plan(entries: &[(String, String)]) -> Result<Plan, AttributeError> {
    let mut plan = Plan {
        uwsgi: DEFAULT_UWSGI.to_string(),
        ..Plan::default()
    };
    let mut single_seen = BTreeSet::new();
    for (key, value) in entries {
        let Some(attribute) = key.strip_prefix("docker-") else {
            continue;
        };
        match attribute {
            "image" => plan.image = Some(value.clone()),
            "socket" => plan.socket = Some(value.clone()),
            "socket-mode" => {
                let mode = u32::from_str_radix(value, 8)
                    .ok()
                    .filter(|m| *m <= 0o777)
                    .ok_or_else(|| {
                        refuse(
                            key,
                            format!("{value:?}: expected an octal mode such as 660"),
                        )
                    })?;
                plan.socket_mode = Some(mode);
            }
            "uwsgi" => plan.uwsgi = value.clone(),
            "cidfile" => plan.cidfile = Some(value.clone()),
            "proxy" => plan.proxy = true,
            "debug" => {
                plan.debug = parse_switch(value)
                    .ok_or_else(|| refuse(key, format!("{value:?}: expected true or false")))?;
            }
            "pull" => {
                plan.pull = crate::runtime::images::pull_policy::PullPolicy::parse(value)
                    .ok_or_else(|| {
                        refuse(key, format!("{value:?}: expected missing, never or always"))
                    })?;
            }
            _ => {
                let (flag, args) = flag_args(key, attribute, value)?;
                if flag.single && !single_seen.insert(flag.long.clone()) {
                    return Err(refuse(key, "given more than once"));
                }
                check_alone(key, &args)?;
                if flag.long == "volume" {
                    plan.bind_sources.extend(host_directory(value));
                }
                plan.flags.extend(args);
            }
        }
    }
    if plan.image.as_deref() == Some("") {
        return Err(refuse("docker-image", "empty"));
    }
    Ok(plan)
}

/// uWSGI's boolean values (an empty value switches on, as `docker-debug` did
/// as an Emperor flag).
fn parse_switch(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The host side of a `-v /host:/ctr[:opts]` value, when it is a path (not
/// a named volume).
fn host_directory(value: &str) -> Option<String> {
    let (source, _) = value.split_once(':')?;
    source.starts_with('/').then(|| source.to_string())
}

/// A `docker run` long flag.
struct Flag {
    long: String,
    /// Takes no value or `=true|false` (`--init`, `--read-only`).
    boolean: bool,
    /// Given at most once (not a list).
    single: bool,
}

/// The flag an attribute stands for, and its arguments.
fn flag_args(
    key: &str,
    attribute: &str,
    value: &str,
) -> Result<(Flag, Vec<String>), AttributeError> {
    let renamed = match attribute {
        "port" => "publish",
        "network-mode" => "network",
        "swap" => "memory-swap",
        "mount" if !is_mount_syntax(value) => "volume",
        other => other,
    };
    if let Some((_, why)) = REFUSED.iter().find(|(name, _)| *name == renamed) {
        return Err(refuse(key, why));
    }
    if renamed == "config" && value == "-" {
        return Err(refuse(key, "fd 0 is not a config file"));
    }
    let flag = find_flag(renamed).ok_or_else(|| refuse(key, "unknown attribute"))?;
    let args = if flag.boolean && value.is_empty() {
        vec![format!("--{}", flag.long)]
    } else {
        vec![format!("--{}={value}", flag.long)]
    };
    Ok((flag, args))
}

/// `docker-mount` keeps the old `/host:/ctr` form; `--mount`'s own
/// `type=bind,source=...,target=...` form is recognised by its keys.
fn is_mount_syntax(value: &str) -> bool {
    value.split(',').any(|part| {
        matches!(
            part.split_once('=').map(|(k, _)| k),
            Some("type" | "target" | "dst" | "destination" | "source" | "src")
        )
    })
}

fn find_flag(name: &str) -> Option<Flag> {
    let command = FlagsOnly::command();
    let arg = command.get_arguments().find(|a| {
        a.get_long() == Some(name)
            || a.get_all_aliases()
                .is_some_and(|aliases| aliases.contains(&name))
    })?;
    Some(Flag {
        long: arg.get_long()?.to_string(),
        boolean: arg.get_num_args().is_some_and(|n| n.min_values() == 0),
        single: !matches!(arg.get_action(), ArgAction::Append),
    })
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// Parses and converts one attribute's flag alone.
fn check_alone(key: &str, args: &[String]) -> Result<(), AttributeError> {
    let parsed = FlagsOnly::try_parse_from(args).map_err(|e| refuse(key, clap_line(&e)))?;
    parsed
        .flags
        .to_request("image", &[], &no_env)
        .map_err(|e| refuse(key, e))?;
    Ok(())
}

/// clap's error without its `error: ` prefix and usage lines.
pub fn clap_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string()
}

/// The container request: the attributes' flags after the wrapper's own
/// (`extra`), the image and the command; with `settings`, through the run
/// modules of vassalrun's config directory (origin `emperor`), as every
/// other route is.
pub fn request(
    plan: &Plan,
    extra: &[String],
    command: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    settings: Option<&crate::config::Settings>,
) -> Result<CreateRequest, AttributeError> {
    let image = plan.image.clone().unwrap_or_default();
    let args: Vec<String> = extra.iter().chain(&plan.flags).cloned().collect();
    let parsed = FlagsOnly::try_parse_from(&args).map_err(|e| refuse("docker-*", clap_line(&e)))?;
    let Some(settings) = settings else {
        return parsed
            .flags
            .to_request(&image, command, env)
            .map_err(|e| refuse("docker-*", e));
    };
    let invocation = crate::modules::Invocation::new(crate::modules::Origin::Emperor);
    crate::modules::prepare(&crate::modules::RunInput {
        settings,
        invocation: &invocation,
        flags: &parsed.flags,
        image: &image,
        command,
        env,
    })
    .map(|prepared| prepared.request)
    .map_err(|e| refuse("run module", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn test_plan_old_attributes() {
        let p = plan(&entries(&[
            ("docker-image", "app"),
            ("docker-port", "127.0.0.1:9001:3031"),
            ("docker-port", "9002:3032"),
            ("docker-mount", "/srv/data:/data:ro"),
            ("docker-network-mode", "none"),
            ("docker-hostname", "web"),
            ("docker-env", "A=1"),
            ("docker-user", "app"),
            ("docker-memory", "268435456"),
            ("docker-swap", "536870912"),
            ("docker-workdir", "/srv"),
            ("docker-dns", "1.1.1.1"),
            ("docker-socket", "/run/app.sock"),
            ("docker-socket-mode", "660"),
            ("docker-proxy", "/x.sock:/y.sock"),
            ("docker-cidfile", "/run/app.cid"),
            ("other-key", "ignored"),
        ]))
        .unwrap();
        assert_eq!(p.image.as_deref(), Some("app"));
        assert_eq!(p.socket.as_deref(), Some("/run/app.sock"));
        assert_eq!(p.socket_mode, Some(0o660));
        assert_eq!(p.cidfile.as_deref(), Some("/run/app.cid"));
        assert!(p.proxy);
        assert_eq!(p.uwsgi, DEFAULT_UWSGI);
        assert_eq!(
            p.flags,
            vec![
                "--publish=127.0.0.1:9001:3031",
                "--publish=9002:3032",
                "--volume=/srv/data:/data:ro",
                "--network=none",
                "--hostname=web",
                "--env=A=1",
                "--user=app",
                "--memory=268435456",
                "--memory-swap=536870912",
                "--workdir=/srv",
                "--dns=1.1.1.1",
            ]
        );
        let r = request(&p, &[], &["--ini".into(), "a.ini".into()], &no_env, None).unwrap();
        assert_eq!(r.host.memory, 268435456);
        assert_eq!(r.host.memory_swap, 536870912);
        assert_eq!(r.host.network_mode, "none");
        assert_eq!(r.host.binds, vec!["/srv/data:/data:ro"]);
        let bindings = &r.host.port_bindings["3031/tcp"];
        assert_eq!(bindings[0].host_ip, "127.0.0.1");
        assert_eq!(bindings[0].host_port, "9001");
        assert_eq!(r.host.port_bindings["3032/tcp"][0].host_port, "9002");
        assert!(r.config.exposed_ports.contains_key("3031/tcp"));
        assert_eq!(r.config.cmd, Some(vec!["--ini".into(), "a.ini".into()]));
    }

    #[test]
    fn test_plan_any_run_flag() {
        let p = plan(&entries(&[
            ("docker-image", "app"),
            ("docker-read-only", "true"),
            ("docker-init", ""),
            ("docker-cap-drop", "ALL"),
            ("docker-pids-limit", "64"),
            ("docker-memory-swap", "-1"),
            ("docker-net", "host"),
            ("docker-mount", "type=tmpfs,target=/run"),
            ("docker-uwsgi", "/usr/local/bin/uwsgi"),
        ]))
        .unwrap();
        assert_eq!(p.uwsgi, "/usr/local/bin/uwsgi");
        let r = request(&p, &[], &[], &no_env, None).unwrap();
        assert!(r.host.readonly_rootfs);
        assert_eq!(r.host.init, Some(true));
        assert_eq!(r.host.cap_drop, vec!["ALL"]);
        assert_eq!(r.host.pids_limit, Some(64));
        assert_eq!(r.host.memory_swap, -1);
        assert_eq!(r.host.network_mode, "host");
        assert_eq!(r.host.mounts.len(), 1);
    }

    #[test]
    fn test_plan_errors_name_the_attribute() {
        let err = |list: &[(&str, &str)]| plan(&entries(list)).unwrap_err().to_string();
        assert_eq!(
            err(&[("docker-bogus", "1")]),
            "docker-bogus: unknown attribute"
        );
        assert!(
            err(&[("docker-memory", "lots")])
                .starts_with("docker-memory: invalid argument \"lots\""),
            "{}",
            err(&[("docker-memory", "lots")])
        );
        assert!(err(&[("docker-port", "x:y:z:w")]).starts_with("docker-port: "));
        assert!(err(&[("docker-read-only", "maybe")]).starts_with("docker-read-only: "));
        assert_eq!(
            err(&[("docker-name", "x")]),
            "docker-name: the container is named after the vassal"
        );
        assert!(err(&[("docker-pid", "host")]).starts_with("docker-pid: "));
        assert_eq!(
            err(&[("docker-memory", "1g"), ("docker-memory", "2g")]),
            "docker-memory: given more than once"
        );
        assert_eq!(err(&[("docker-image", "")]), "docker-image: empty");
        assert_eq!(
            err(&[("docker-pull", "often")]),
            "docker-pull: \"often\": expected missing, never or always"
        );
        assert_eq!(
            err(&[("docker-socket-mode", "rw")]),
            "docker-socket-mode: \"rw\": expected an octal mode such as 660"
        );
        assert!(err(&[("docker-dns", "not-an-ip")]).starts_with("docker-dns: "));
    }

    #[test]
    fn test_plan_without_image() {
        let p = plan(&entries(&[("docker-memory", "64m")])).unwrap();
        assert_eq!(p.image, None);
    }
}
