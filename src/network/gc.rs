//! Releasing what no live container owns (after a SIGKILL of vassalrun or of
//! a monitor), and rebuilding the table from state (`network reload`, also
//! part of `gc`): after a firewall flush or a reboot.

use std::path::Path;

use super::error::NetworkError;
use super::firewall::{ruleset, Firewall, NftCli};
use super::netlink::Netlink;
use super::state::{NetLock, NetState};
use super::teardown::{remove_bridge_if_unused, undo};

/// Releases, in `state`, every endpoint `dead` selects: elements, links and
/// lease. Returns one line per endpoint released. Errors are reported in the
/// lines; the lease goes regardless.
pub fn release_where(state: &mut NetState, dir: &Path, dead: impl Fn(&str) -> bool) -> Vec<String> {
    let stale: Vec<String> = state
        .endpoints
        .keys()
        .filter(|id| dead(id))
        .cloned()
        .collect();
    let mut lines = Vec::new();
    for id in stale {
        let Some(endpoint) = state.endpoints.remove(&id) else {
            continue;
        };
        let line = match undo(&NftCli, &endpoint, state) {
            Ok(()) => format!("network endpoint {id} ({})", endpoint.ip),
            Err(e) => format!("network endpoint {id} ({}), with errors: {e}", endpoint.ip),
        };
        lines.push(line);
    }
    if !lines.is_empty() {
        let _ = state.save(dir);
    }
    lines
}

/// `gc`'s network part: endpoints of containers that are not alive, veths on
/// `bridge` that no endpoint owns, the bridge if unused, then a table rebuild.
pub fn gc(
    dir: &Path,
    bridge: &str,
    alive: impl Fn(&str) -> bool,
) -> Result<Vec<String>, NetworkError> {
    if !super::state::store::state_file(dir).exists() {
        // No container ever had a bridge network here.
        return Ok(Vec::new());
    }
    let _lock = NetLock::acquire(dir)?;
    let mut state = NetState::load(dir)?;
    let mut lines = release_where(&mut state, dir, |id| !alive(id));
    let mut bridges: Vec<String> = state.endpoints.values().map(|e| e.bridge.clone()).collect();
    bridges.push(bridge.to_string());
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
    for name in &bridges {
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
    reload_locked(&NftCli, &state)?;
    Ok(lines)
}

/// `network reload`: the table rebuilt from state in one transaction.
pub fn reload(dir: &Path) -> Result<usize, NetworkError> {
    let _lock = NetLock::acquire(dir)?;
    let state = NetState::load(dir)?;
    reload_locked(&NftCli, &state)?;
    Ok(state.endpoints.len())
}

fn reload_locked(firewall: &dyn Firewall, state: &NetState) -> Result<(), NetworkError> {
    if state.endpoints.is_empty() {
        return firewall.apply(&ruleset::delete_table_batch());
    }
    firewall.apply(&ruleset::rebuild_batch(state))
}
