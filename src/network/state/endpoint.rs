//! One container's attachment to the bridge, recorded with the exact values
//! that were created so teardown deletes precisely them.

use std::fmt;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::network::settings::Subnet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn parse(text: &str) -> Option<Proto> {
        match text {
            "tcp" => Some(Proto::Tcp),
            "udp" => Some(Proto::Udp),
            _ => None,
        }
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        })
    }
}

/// One published port: `host_ip:host_port/proto` → `container_port`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PortMap {
    pub proto: Proto,
    /// `None`: every host address (`0.0.0.0`).
    pub host_ip: Option<Ipv4Addr>,
    pub host_port: u16,
    pub container_port: u16,
}

impl PortMap {
    /// `0.0.0.0:8080/tcp`, as in error messages.
    pub fn host_side(&self) -> String {
        format!(
            "{}:{}/{}",
            self.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED),
            self.host_port,
            self.proto
        )
    }

    /// Whether both cannot be published at once: same protocol and port on
    /// the same address, or either on every address.
    pub fn clashes(&self, other: &PortMap) -> bool {
        self.proto == other.proto
            && self.host_port == other.host_port
            && (self.host_ip.is_none() || other.host_ip.is_none() || self.host_ip == other.host_ip)
    }
}

/// A container on a bridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    pub bridge: String,
    pub subnet: Subnet,
    pub gateway: Ipv4Addr,
    pub ip: Ipv4Addr,
    /// The host end of the veth pair (the container end is `eth0`).
    pub host_veth: String,
    pub ports: Vec<PortMap>,
}

/// The host end's name: `vr` and 11 hex digits of the container id and a
/// generation digit, so a re-created container never meets its old link.
pub fn host_veth_name(id: &str, generation: u32) -> String {
    let short: String = id.chars().take(11).collect();
    format!("vr{short}{:x}", generation % 16)
}
