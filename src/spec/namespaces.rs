//! Namespace modes (`--network`, `--pid`, `--ipc`, `--uts`, `--cgroupns`) and the
//! `linux.namespaces` list they produce (Docker's `WithNamespaces`).

use serde_json::{json, Value};

use super::error::SpecError;

/// `--network`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkMode {
    Bridge,
    Host,
    None,
    /// Join the network namespace of the named container.
    Container(String),
}

impl NetworkMode {
    pub fn parse(text: &str) -> Result<NetworkMode, SpecError> {
        match text {
            "" | "default" | "bridge" => Ok(NetworkMode::Bridge),
            "host" => Ok(NetworkMode::Host),
            "none" => Ok(NetworkMode::None),
            _ => match text.strip_prefix("container:") {
                Some(name) if !name.is_empty() => Ok(NetworkMode::Container(name.to_string())),
                _ => Err(SpecError::Mode {
                    kind: "network",
                    value: format!("{text:?} (expected bridge, host, none or container:NAME)"),
                }),
            },
        }
    }

    /// Whether the container gets a network namespace of its own.
    pub fn is_private(&self) -> bool {
        matches!(self, NetworkMode::Bridge | NetworkMode::None)
    }
}

/// `--ipc`: Docker's modes but `container:`, which vassalrun does not offer yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpcMode {
    Private,
    Shareable,
    None,
    Host,
}

impl IpcMode {
    pub fn parse(text: &str) -> Result<IpcMode, SpecError> {
        match text {
            "" | "private" => Ok(IpcMode::Private),
            "shareable" => Ok(IpcMode::Shareable),
            "none" => Ok(IpcMode::None),
            "host" => Ok(IpcMode::Host),
            _ => Err(SpecError::Mode {
                kind: "IPC",
                value: text.to_string(),
            }),
        }
    }
}

/// `--pid`, `--uts` and `--cgroupns`: private, or the host's.
pub fn parse_host_or_private(kind: &'static str, text: &str) -> Result<bool, SpecError> {
    match text {
        "" | "private" => Ok(false),
        "host" => Ok(true),
        _ => Err(SpecError::Mode {
            kind,
            value: text.to_string(),
        }),
    }
}

/// Which namespaces the container shares with the host or joins.
#[derive(Debug, Clone)]
pub struct NamespacePlan {
    /// `None`: host network; `Some(None)`: new; `Some(Some(path))`: join that netns.
    pub network: Option<Option<String>>,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub host_uts: bool,
    pub private_cgroupns: bool,
}

/// `linux.namespaces`, in Docker's order.
///
/// ```json
/// [{"type":"mount"},{"type":"network"},{"type":"uts"},{"type":"pid"},{"type":"ipc"}]
/// ```
pub fn namespaces(plan: &NamespacePlan) -> Vec<Value> {
    let mut ns = vec![json!({"type": "mount"})];
    match &plan.network {
        None => {}
        Some(None) => ns.push(json!({"type": "network"})),
        Some(Some(path)) => ns.push(json!({"type": "network", "path": path})),
    }
    for (kind, shared) in [
        ("uts", plan.host_uts),
        ("pid", plan.host_pid),
        ("ipc", plan.host_ipc),
    ] {
        if !shared {
            ns.push(json!({ "type": kind }));
        }
    }
    if plan.private_cgroupns {
        ns.push(json!({"type": "cgroup"}));
    }
    ns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_network_mode_parse() {
        assert_eq!(NetworkMode::parse("").unwrap(), NetworkMode::Bridge);
        assert_eq!(NetworkMode::parse("host").unwrap(), NetworkMode::Host);
        assert_eq!(
            NetworkMode::parse("container:web").unwrap(),
            NetworkMode::Container("web".into())
        );
        assert_eq!(
            NetworkMode::parse("container:").unwrap_err().to_string(),
            "invalid network mode: \"container:\" (expected bridge, host, none or container:NAME)"
        );
        assert_eq!(
            NetworkMode::parse("overlay").unwrap_err().to_string(),
            "invalid network mode: \"overlay\" (expected bridge, host, none or container:NAME)"
        );
    }

    #[test]
    fn test_namespaces_order_and_sharing() {
        let plan = NamespacePlan {
            network: Some(Some("/proc/7/ns/net".into())),
            host_pid: true,
            host_ipc: false,
            host_uts: false,
            private_cgroupns: true,
        };
        assert_eq!(
            namespaces(&plan),
            [
                json!({"type": "mount"}),
                json!({"type": "network", "path": "/proc/7/ns/net"}),
                json!({"type": "uts"}),
                json!({"type": "ipc"}),
                json!({"type": "cgroup"}),
            ]
        );
        assert_eq!(
            IpcMode::parse("container:x").unwrap_err().to_string(),
            "invalid IPC mode: container:x"
        );
        assert_eq!(
            parse_host_or_private("PID", "bogus")
                .unwrap_err()
                .to_string(),
            "invalid PID mode: bogus"
        );
    }
}
