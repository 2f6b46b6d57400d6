//! Detaching a container: its port elements, its veth (the kernel removes
//! the peer) and its lease; the bridge and the table go with the last
//! endpoint. Every step tolerates what is already gone, all steps run even
//! when one fails, and the lease is freed first, regardless.

use std::path::Path;

use super::error::NetworkError;
use super::firewall::{ruleset, Firewall, Nftables};
use super::netlink::Netlink;
use super::state::{Endpoint, NetLock, Registry};

/// Releases container `id`'s endpoint, if it has one (`Ok` when it has none).
pub fn detach(dir: &Path, id: &str) -> Result<(), NetworkError> {
    match release(dir, id)? {
        Some(links) => links.remove(),
        None => Ok(()),
    }
}

/// The links of a released endpoint, still to be removed ([`release`]).
pub struct PendingLinks<'a> {
    dir: &'a Path,
    endpoint: Endpoint,
}

/// The first half of [`detach`]: everything another container or a client
/// can notice — the lease and the port elements (the table with the last
/// endpoint) — and returns the links still to go. Deleting a link waits for
/// the kernel's RCU barrier (`netdev_run_todo`: ~35 ms for the veth's
/// `RTM_DELLINK`, measured by ftrace); a `run --rm` that removes
/// them after its client has the exit code takes that off the command's
/// time. Until then the host end of the veth, with no address, no element
/// and no lease, is only visible to `ip link`.
pub fn release<'a>(dir: &'a Path, id: &str) -> Result<Option<PendingLinks<'a>>, NetworkError> {
    let registry = Registry::new(dir);
    if !registry.exists() {
        return Ok(None);
    }
    let _lock = NetLock::acquire(dir)?;
    let Some(endpoint) = registry.endpoint(id)? else {
        return Ok(None);
    };
    registry.forget(&endpoint);
    if let Err(e) = remove_elements(&Nftables, &endpoint, &registry) {
        // Every step runs even when one fails: the links go now.
        if let Err(links) = remove_links(&endpoint, &registry) {
            tracing::warn!("container {id}: network teardown: {links}");
        }
        return Err(e);
    }
    Ok(Some(PendingLinks { dir, endpoint }))
}

impl PendingLinks<'_> {
    /// Deletes the veth, and the bridge when no endpoint (by then) uses it:
    /// under the network lock, so a container created meanwhile on the same
    /// bridge keeps it.
    pub fn remove(self) -> Result<(), NetworkError> {
        let _lock = NetLock::acquire(self.dir)?;
        remove_links(&self.endpoint, &Registry::new(self.dir))
    }
}

/// Removes what `endpoint` made; `remaining` no longer holds it.
pub fn undo(
    firewall: &dyn Firewall,
    endpoint: &Endpoint,
    remaining: &Registry,
) -> Result<(), NetworkError> {
    let mut errors = Vec::new();
    if let Err(e) = remove_elements(firewall, endpoint, remaining) {
        errors.push(e);
    }
    if let Err(e) = remove_links(endpoint, remaining) {
        errors.push(e);
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(NetworkError::Teardown(errors)),
    }
}

/// The endpoint's exact elements (and its network's when it was the last on
/// its bridge); the table itself with the last endpoint. If the exact delete
/// fails, the table is rebuilt from what remains.
fn remove_elements(
    firewall: &dyn Firewall,
    endpoint: &Endpoint,
    remaining: &Registry,
) -> Result<(), NetworkError> {
    if !remaining.any_endpoint() {
        return firewall.delete_table();
    }
    let mut elements = ruleset::endpoint_elements(endpoint);
    if !remaining.bridge_in_use(&endpoint.bridge) {
        elements.extend(ruleset::network_elements(endpoint));
    }
    if elements.is_empty() || firewall.delete_elements(&elements).is_ok() {
        return Ok(());
    }
    firewall.apply(&ruleset::rebuild_batch(&remaining.load_all()))
}

/// The host end of the veth; the bridge when no endpoint and no port is left on it.
fn remove_links(endpoint: &Endpoint, remaining: &Registry) -> Result<(), NetworkError> {
    let mut host = Netlink::open().map_err(|reason| NetworkError::Netlink {
        op: "open",
        target: "host socket".into(),
        reason,
    })?;
    host.delete_link(&endpoint.host_veth)?;
    if !remaining.bridge_in_use(&endpoint.bridge) {
        remove_bridge_if_unused(&mut host, &endpoint.bridge)?;
    }
    Ok(())
}

/// Deletes `bridge` if it exists and has no ports.
pub fn remove_bridge_if_unused(host: &mut Netlink, bridge: &str) -> Result<(), NetworkError> {
    if let Some(link) = host.link(bridge)? {
        if host.ports_of(link.index)?.is_empty() {
            host.delete_link(bridge)?;
        }
    }
    Ok(())
}
