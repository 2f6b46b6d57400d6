//! Links: the bridge, a container's veth pair (the peer born directly in the
//! container's namespace as `eth0`), hairpin mode on bridge ports, up/down,
//! deletion.

use std::os::fd::RawFd;

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::link::{
    InfoBridgePort, InfoData, InfoKind, InfoPortData, InfoPortKind, InfoVeth, LinkAttribute,
    LinkFlags, LinkInfo, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;

use super::Netlink;
use crate::network::error::NetworkError;

fn named(name: &str) -> LinkMessage {
    let mut message = LinkMessage::default();
    message
        .attributes
        .push(LinkAttribute::IfName(name.to_string()));
    message
}

fn error(op: &'static str, target: &str) -> impl FnOnce(std::io::Error) -> NetworkError {
    let target = target.to_string();
    move |reason| NetworkError::Netlink { op, target, reason }
}

/// A link's index and MAC address.
#[derive(Debug, Clone)]
pub struct LinkInfoBrief {
    pub index: u32,
    pub mac: Vec<u8>,
}

impl Netlink {
    /// The link called `name`, `None` when there is none.
    pub fn link(&mut self, name: &str) -> Result<Option<LinkInfoBrief>, NetworkError> {
        match self.request(RouteNetlinkMessage::GetLink(named(name)), 0) {
            Ok(replies) => Ok(replies.into_iter().find_map(|r| match r {
                RouteNetlinkMessage::NewLink(m) => Some(LinkInfoBrief {
                    index: m.header.index,
                    mac: m
                        .attributes
                        .iter()
                        .find_map(|a| match a {
                            LinkAttribute::Address(mac) => Some(mac.clone()),
                            _ => None,
                        })
                        .unwrap_or_default(),
                }),
                _ => None,
            })),
            Err(e) if e.raw_os_error() == Some(nix::libc::ENODEV) => Ok(None),
            Err(e) => Err(error("get link", name)(e)),
        }
    }

    /// `ip link add NAME type bridge`.
    pub fn create_bridge(&mut self, name: &str) -> Result<(), NetworkError> {
        let mut message = named(name);
        message
            .attributes
            .push(LinkAttribute::LinkInfo(vec![LinkInfo::Kind(
                InfoKind::Bridge,
            )]));
        self.request(
            RouteNetlinkMessage::NewLink(message),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map(drop)
        .map_err(error("create bridge", name))
    }

    /// Sets the bridge's MAC to its current one: a bridge with an assigned MAC
    /// no longer takes the lowest port's, which changes as ports come and go.
    pub fn pin_mac(&mut self, index: u32, mac: &[u8], name: &str) -> Result<(), NetworkError> {
        let mut message = LinkMessage::default();
        message.header.index = index;
        message
            .attributes
            .push(LinkAttribute::Address(mac.to_vec()));
        self.request(RouteNetlinkMessage::SetLink(message), 0)
            .map(drop)
            .map_err(error("set mac", name))
    }

    /// One veth pair: `host` on the bridge `controller`, its peer `eth0` in the
    /// namespace of `netns_fd`.
    pub fn create_veth(
        &mut self,
        host: &str,
        controller: u32,
        netns_fd: RawFd,
    ) -> Result<(), NetworkError> {
        let mut peer = named("eth0");
        peer.attributes.push(LinkAttribute::NetNsFd(netns_fd));
        let mut message = named(host);
        message
            .attributes
            .push(LinkAttribute::Controller(controller));
        message.attributes.push(LinkAttribute::LinkInfo(vec![
            LinkInfo::Kind(InfoKind::Veth),
            LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer))),
        ]));
        self.request(
            RouteNetlinkMessage::NewLink(message),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map(drop)
        .map_err(error("create veth", host))
    }

    /// `ip link set NAME type bridge_slave hairpin on`: the bridge may send a
    /// frame back out of the port it came in on (a container reaching its own
    /// published port).
    pub fn set_hairpin(&mut self, index: u32, name: &str) -> Result<(), NetworkError> {
        let mut message = LinkMessage::default();
        message.header.index = index;
        message.attributes.push(LinkAttribute::LinkInfo(vec![
            LinkInfo::PortKind(InfoPortKind::Bridge),
            LinkInfo::PortData(InfoPortData::BridgePort(vec![InfoBridgePort::HairpinMode(
                true,
            )])),
        ]));
        self.request(RouteNetlinkMessage::NewLink(message), 0)
            .map(drop)
            .map_err(error("set hairpin", name))
    }

    pub fn set_up(&mut self, index: u32, name: &str) -> Result<(), NetworkError> {
        let mut message = LinkMessage::default();
        message.header.index = index;
        message.header.flags = LinkFlags::Up;
        message.header.change_mask = LinkFlags::Up;
        self.request(RouteNetlinkMessage::SetLink(message), 0)
            .map(drop)
            .map_err(error("set up", name))
    }

    /// Deletes link `name`; `Ok(false)` when there was none.
    pub fn delete_link(&mut self, name: &str) -> Result<bool, NetworkError> {
        match self.request(RouteNetlinkMessage::DelLink(named(name)), 0) {
            Ok(_) => Ok(true),
            Err(e) if e.raw_os_error() == Some(nix::libc::ENODEV) => Ok(false),
            Err(e) => Err(error("delete link", name)(e)),
        }
    }

    /// Names of the links enslaved to the bridge with index `controller`.
    pub fn ports_of(&mut self, controller: u32) -> Result<Vec<String>, NetworkError> {
        let replies = self
            .request(
                RouteNetlinkMessage::GetLink(LinkMessage::default()),
                netlink_packet_core::NLM_F_DUMP,
            )
            .map_err(error("list links", "*"))?;
        Ok(replies
            .into_iter()
            .filter_map(|r| match r {
                RouteNetlinkMessage::NewLink(m) => Some(m),
                _ => None,
            })
            .filter(|m| {
                m.attributes
                    .contains(&LinkAttribute::Controller(controller))
            })
            .filter_map(|m| {
                m.attributes.into_iter().find_map(|a| match a {
                    LinkAttribute::IfName(n) => Some(n),
                    _ => None,
                })
            })
            .collect())
    }
}
