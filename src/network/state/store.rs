//! [`NetState`]: every endpoint at once, in memory — what a table rebuild,
//! `gc` and the unit tests work on. Setup and teardown never load it: they
//! ask the [`super::registry::Registry`] about single addresses and ports.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::endpoint::{Endpoint, PortMap};
use super::ipam::Leases;
use crate::network::ports::PortOwners;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetState {
    /// The last address allocated: the next search starts after it.
    pub last_ip: Option<Ipv4Addr>,
    pub endpoints: BTreeMap<String, Endpoint>,
}

impl NetState {
    /// Whether another endpoint still uses `bridge`.
    pub fn bridge_in_use(&self, bridge: &str) -> bool {
        self.endpoints.values().any(|e| e.bridge == bridge)
    }
}

impl Leases for NetState {
    fn owner(&self, ip: Ipv4Addr) -> Option<String> {
        self.endpoints
            .values()
            .find(|e| e.ip == ip)
            .map(|e| e.id.clone())
    }

    fn last(&self) -> Option<Ipv4Addr> {
        self.last_ip
    }
}

impl PortOwners for NetState {
    fn port_owner(&self, port: &PortMap) -> Option<String> {
        self.endpoints
            .values()
            .find(|e| e.ports.iter().any(|p| p.clashes(port)))
            .map(|e| e.id.clone())
    }
}
