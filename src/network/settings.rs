//! The bridge network's settings (`bridge`, `subnet`, `gateway` in
//! `config.toml`, `--bridge`/`--subnet`/`--gateway`, `VASSALRUN_BRIDGE`/...),
//! validated before anything is touched.

use std::fmt;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::error::NetworkError;
use crate::config::Settings;

/// An IPv4 subnet: its network address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub network: Ipv4Addr,
    pub prefix: u8,
}

impl Subnet {
    /// `a.b.c.d/len` with host bits zero and a prefix between 8 and 30.
    pub fn parse(text: &str) -> Result<Subnet, NetworkError> {
        let error = |reason| NetworkError::Subnet {
            value: text.to_string(),
            reason,
        };
        let (addr, len) = text.split_once('/').ok_or(error("expected a.b.c.d/len"))?;
        let network: Ipv4Addr = addr.parse().map_err(|_| error("not an IPv4 address"))?;
        let prefix: u8 = len.parse().map_err(|_| error("bad prefix length"))?;
        if !(8..=30).contains(&prefix) {
            return Err(error("prefix length must be between 8 and 30"));
        }
        let subnet = Subnet { network, prefix };
        if u32::from(network) & !subnet.mask() != 0 {
            return Err(error("host bits are set"));
        }
        Ok(subnet)
    }

    fn mask(&self) -> u32 {
        u32::MAX << (32 - self.prefix)
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask() == u32::from(self.network)
    }

    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network) | !self.mask())
    }

    /// The first usable host address (the default gateway).
    pub fn first_host(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network) + 1)
    }
}

impl fmt::Display for Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The bridge network containers attach to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeConfig {
    pub bridge: String,
    pub subnet: Subnet,
    pub gateway: Ipv4Addr,
}

impl BridgeConfig {
    pub fn from_settings(settings: &Settings) -> Result<BridgeConfig, NetworkError> {
        let bridge = settings.bridge.clone();
        let valid_name = !bridge.is_empty()
            && bridge.len() <= 15
            && bridge != "."
            && bridge != ".."
            && !bridge.contains(['/', ':'])
            && !bridge.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid_name {
            return Err(NetworkError::BridgeName(bridge));
        }
        let subnet = match &settings.subnet {
            Some(text) => Subnet::parse(text)?,
            None => super::default_subnet::choose(&bridge, &super::default_subnet::ipv4_routes()),
        };
        let gateway = match &settings.gateway {
            None => subnet.first_host(),
            Some(text) => {
                let error = |reason: &str| NetworkError::Gateway {
                    value: text.clone(),
                    reason: reason.to_string(),
                };
                let ip: Ipv4Addr = text.parse().map_err(|_| error("not an IPv4 address"))?;
                if !subnet.contains(ip) {
                    return Err(error(&format!("outside the subnet {subnet}")));
                }
                if ip == subnet.network || ip == subnet.broadcast() {
                    return Err(error("the network or broadcast address"));
                }
                ip
            }
        };
        Ok(BridgeConfig {
            bridge,
            subnet,
            gateway,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_subnet_parse() {
        let s = Subnet::parse("10.89.0.0/16").unwrap();
        assert_eq!(s.broadcast(), Ipv4Addr::new(10, 89, 255, 255));
        assert_eq!(s.first_host(), Ipv4Addr::new(10, 89, 0, 1));
        assert!(s.contains(Ipv4Addr::new(10, 89, 3, 4)));
        assert!(!s.contains(Ipv4Addr::new(10, 90, 0, 1)));
        let err = |t: &str| Subnet::parse(t).unwrap_err().to_string();
        assert_eq!(
            err("10.89.0.1/16"),
            "invalid subnet \"10.89.0.1/16\": host bits are set"
        );
        assert_eq!(
            err("10.89.0.0"),
            "invalid subnet \"10.89.0.0\": expected a.b.c.d/len"
        );
        assert_eq!(
            err("10.0.0.0/31"),
            "invalid subnet \"10.0.0.0/31\": prefix length must be between 8 and 30"
        );
    }
}
