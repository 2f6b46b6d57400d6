//! Address allocation in the bridge subnet: an explicit `--ip` if it is free,
//! else round-robin from the last address handed out (as Podman's IPAM), never
//! the network, gateway or broadcast address.

use std::net::Ipv4Addr;

use crate::network::error::NetworkError;
use crate::network::settings::BridgeConfig;

/// Who holds which address (the seam between allocation and its storage).
pub trait Leases {
    /// The container holding `ip`.
    fn owner(&self, ip: Ipv4Addr) -> Option<String>;
    /// The address handed out last.
    fn last(&self) -> Option<Ipv4Addr>;
}

/// Picks a free address (the caller records it, and it as the last one).
pub fn allocate(
    leases: &dyn Leases,
    config: &BridgeConfig,
    requested: Option<Ipv4Addr>,
) -> Result<Ipv4Addr, NetworkError> {
    let subnet = config.subnet;
    let reserved =
        |ip: Ipv4Addr| ip == subnet.network || ip == subnet.broadcast() || ip == config.gateway;
    if let Some(ip) = requested {
        if !subnet.contains(ip) {
            return Err(NetworkError::IpOutsideSubnet {
                ip: ip.to_string(),
                subnet: subnet.to_string(),
            });
        }
        if reserved(ip) {
            return Err(NetworkError::IpReserved(ip.to_string()));
        }
        if let Some(owner) = leases.owner(ip) {
            return Err(NetworkError::IpTaken {
                ip: ip.to_string(),
                owner,
            });
        }
        return Ok(ip);
    }
    let first = u32::from(subnet.network) + 1;
    let last = u32::from(subnet.broadcast()) - 1;
    let start = leases
        .last()
        .map(u32::from)
        .filter(|ip| (first..=last).contains(ip))
        .map_or(first, |ip| if ip >= last { first } else { ip + 1 });
    let candidates = (start..=last).chain(first..start).map(Ipv4Addr::from);
    for ip in candidates {
        if !reserved(ip) && leases.owner(ip).is_none() {
            return Ok(ip);
        }
    }
    Err(NetworkError::SubnetFull(subnet.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::settings::Subnet;
    use crate::network::state::{Endpoint, NetState};

    fn config() -> BridgeConfig {
        BridgeConfig {
            bridge: "vr0".into(),
            subnet: Subnet::parse("10.9.0.0/29").unwrap(),
            gateway: "10.9.0.1".parse().unwrap(),
        }
    }

    fn hold(state: &mut NetState, id: &str, ip: Ipv4Addr) {
        let c = config();
        state.last_ip = Some(ip);
        state.endpoints.insert(
            id.into(),
            Endpoint {
                id: id.into(),
                bridge: c.bridge,
                subnet: c.subnet,
                gateway: c.gateway,
                ip,
                host_veth: format!("vr{id}"),
                ports: vec![],
            },
        );
    }

    #[test]
    fn test_allocate_round_robin_skips_reserved_and_taken() {
        let c = config();
        let mut s = NetState::default();
        let a = allocate(&s, &c, None).unwrap();
        assert_eq!(a.to_string(), "10.9.0.2");
        hold(&mut s, "a", a);
        let b = allocate(&s, &c, None).unwrap();
        assert_eq!(b.to_string(), "10.9.0.3");
        // Freed addresses are not reused before the others.
        s.endpoints.remove("a");
        hold(&mut s, "b", b);
        assert_eq!(allocate(&s, &c, None).unwrap().to_string(), "10.9.0.4");
        for (id, last) in [("c", 4), ("d", 5), ("e", 6)] {
            hold(&mut s, id, Ipv4Addr::new(10, 9, 0, last));
        }
        // Wraps around to the freed .2.
        assert_eq!(allocate(&s, &c, None).unwrap().to_string(), "10.9.0.2");
        hold(&mut s, "f", "10.9.0.2".parse().unwrap());
        assert_eq!(
            allocate(&s, &c, None).unwrap_err().to_string(),
            "no free IP address left in subnet 10.9.0.0/29"
        );
    }

    #[test]
    fn test_allocate_requested() {
        let c = config();
        let mut s = NetState::default();
        hold(&mut s, "a", "10.9.0.3".parse().unwrap());
        let req = |s: &NetState, ip: &str| allocate(s, &c, Some(ip.parse().unwrap()));
        assert_eq!(req(&s, "10.9.0.5").unwrap().to_string(), "10.9.0.5");
        assert_eq!(
            req(&s, "10.9.0.3").unwrap_err().to_string(),
            "requested IP address 10.9.0.3 is already allocated to container a"
        );
        assert_eq!(
            req(&s, "10.9.1.3").unwrap_err().to_string(),
            "requested IP address 10.9.1.3 is outside the subnet 10.9.0.0/29"
        );
        assert!(req(&s, "10.9.0.1").is_err());
        assert!(req(&s, "10.9.0.7").is_err());
    }
}
