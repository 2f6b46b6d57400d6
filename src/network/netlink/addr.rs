//! Addresses and routes: the gateway on the bridge, the container's address
//! on `eth0` and its default route via the gateway.

use std::net::{IpAddr, Ipv4Addr};

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use super::Netlink;
use crate::network::error::NetworkError;

impl Netlink {
    /// `ip addr add IP/PREFIX dev INDEX`; an address already there is fine.
    pub fn add_address(
        &mut self,
        index: u32,
        ip: Ipv4Addr,
        prefix: u8,
        name: &str,
    ) -> Result<(), NetworkError> {
        let mut message = AddressMessage::default();
        message.header.family = AddressFamily::Inet;
        message.header.prefix_len = prefix;
        message.header.index = index;
        message
            .attributes
            .push(AddressAttribute::Local(IpAddr::V4(ip)));
        message
            .attributes
            .push(AddressAttribute::Address(IpAddr::V4(ip)));
        let subnet_broadcast = u32::from(ip) | (u32::MAX >> prefix);
        message
            .attributes
            .push(AddressAttribute::Broadcast(Ipv4Addr::from(
                subnet_broadcast,
            )));
        match self.request(
            RouteNetlinkMessage::NewAddress(message),
            NLM_F_CREATE | NLM_F_EXCL,
        ) {
            Ok(_) => Ok(()),
            Err(e) if e.raw_os_error() == Some(nix::libc::EEXIST) => Ok(()),
            Err(reason) => Err(NetworkError::Netlink {
                op: "add address",
                target: format!("{ip}/{prefix} on {name}"),
                reason,
            }),
        }
    }

    /// `ip route add default via GATEWAY`.
    pub fn add_default_route(&mut self, gateway: Ipv4Addr) -> Result<(), NetworkError> {
        let mut message = RouteMessage::default();
        message.header.address_family = AddressFamily::Inet;
        message.header.table = RouteHeader::RT_TABLE_MAIN;
        message.header.protocol = RouteProtocol::Boot;
        message.header.scope = RouteScope::Universe;
        message.header.kind = RouteType::Unicast;
        message
            .attributes
            .push(RouteAttribute::Gateway(RouteAddress::Inet(gateway)));
        self.request(
            RouteNetlinkMessage::NewRoute(message),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map(drop)
        .map_err(|reason| NetworkError::Netlink {
            op: "add route",
            target: format!("default via {gateway}"),
            reason,
        })
    }
}
