//! Releasing what no live container owns (after a SIGKILL of vassalrun or of
//! a monitor), and rebuilding the table from state (`network reload`, also
//! part of `gc`): after a firewall flush or a reboot.

use std::path::Path;

use super::error::NetworkError;
use super::firewall::{ruleset, Firewall, Nftables};
use super::netlink::Netlink;
use super::state::{NetLock, NetState, Registry};
use super::teardown::{remove_bridge_if_unused, undo};

/// Releases container `id`'s endpoint (elements, links, lease); the line to
/// report, `None` when it had none. The lease goes even if a step fails.
pub fn release(registry: &Registry, id: &str) -> Option<String> {
    let endpoint = registry.endpoint(id).ok()??;
    registry.forget(&endpoint);
    Some(match undo(&Nftables, &endpoint, registry) {
        Ok(()) => format!("network endpoint {id} ({})", endpoint.ip),
        Err(e) => format!("network endpoint {id} ({}), with errors: {e}", endpoint.ip),
    })
}

/// `gc`'s network part: endpoints of containers that are not alive, index
/// files without a record, veths on `bridge` that no endpoint owns, the
/// bridge if unused, then a table rebuild.
pub fn gc(
    dir: &Path,
    bridge: &str,
    alive: impl Fn(&str) -> bool,
) -> Result<Vec<String>, NetworkError> {
    let registry = Registry::new(dir);
    if !registry.exists() {
        // No container ever had a bridge network here.
        return Ok(Vec::new());
    }
    let _lock = NetLock::acquire(dir)?;
    let dead: Vec<String> = registry
        .load_all()
        .endpoints
        .into_keys()
        .filter(|id| !alive(id))
        .collect();
    let mut lines: Vec<String> = dead
        .iter()
        .filter_map(|id| release(&registry, id))
        .collect();
    lines.extend(registry.sweep_orphans());
    let state = registry.load_all();
    lines.extend(sweep_links(&state, bridge)?);
    reload_locked(&Nftables, &state)?;
    Ok(lines)
}

/// Veths on our bridges that no endpoint owns; bridges without users.
fn sweep_links(state: &NetState, bridge: &str) -> Result<Vec<String>, NetworkError> {
    let mut lines = Vec::new();
    let mut bridges: Vec<&str> = state
        .endpoints
        .values()
        .map(|e| e.bridge.as_str())
        .collect();
    bridges.push(bridge);
    bridges.sort();
    bridges.dedup();
    let owned: Vec<&str> = state
        .endpoints
        .values()
        .map(|e| e.host_veth.as_str())
        .collect();
    let mut host = Netlink::open().map_err(|reason| NetworkError::Netlink {
        op: "open",
        target: "host socket".into(),
        reason,
    })?;
    for name in bridges {
        let Some(link) = host.link(name)? else {
            continue;
        };
        for port in host.ports_of(link.index)? {
            if port.starts_with("vr")
                && !owned.contains(&port.as_str())
                && host.delete_link(&port)?
            {
                lines.push(format!("link {port}"));
            }
        }
        if !state.bridge_in_use(name) {
            remove_bridge_if_unused(&mut host, name)?;
        }
    }
    Ok(lines)
}

/// `network reload`: the table rebuilt from state in one transaction.
pub fn reload(dir: &Path) -> Result<usize, NetworkError> {
    let _lock = NetLock::acquire(dir)?;
    let state = Registry::new(dir).load_all();
    reload_locked(&Nftables, &state)?;
    Ok(state.endpoints.len())
}

fn reload_locked(firewall: &dyn Firewall, state: &NetState) -> Result<(), NetworkError> {
    if state.endpoints.is_empty() {
        return firewall.delete_table();
    }
    firewall.apply(&ruleset::rebuild_batch(state))
}
