//! Flushing stale UDP conntrack entries for a new mapping (CNI portmap does
//! this, moby#8795): a client that sent to the host port before the mapping
//! existed keeps matching its old, un-NATed entry and is black-holed until it
//! expires. ctnetlink over a netfilter netlink socket: dump the IPv4 table,
//! delete each UDP entry whose original destination is the mapped port, by
//! its exact original tuple.

use std::net::Ipv4Addr;

use netlink_sys::protocols::NETLINK_NETFILTER;
use netlink_sys::Socket;

use crate::network::state::{PortMap, Proto};

const NFNL_SUBSYS_CTNETLINK: u16 = 1;
const IPCTNL_MSG_CT_GET: u16 = 1;
const IPCTNL_MSG_CT_DELETE: u16 = 2;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const NLM_F_DUMP: u16 = 0x300;
const CTA_TUPLE_ORIG: u16 = 1;
const CTA_TUPLE_IP: u16 = 1;
const CTA_TUPLE_PROTO: u16 = 2;
const CTA_IP_V4_DST: u16 = 2;
const CTA_PROTO_NUM: u16 = 1;
const CTA_PROTO_DST_PORT: u16 = 3;
const IPPROTO_UDP: u8 = 17;
const AF_INET: u8 = 2;

/// Deletes the UDP entries aimed at the host side of `ports`' UDP mappings;
/// returns how many went.
pub fn flush_udp(ports: &[PortMap]) -> std::io::Result<usize> {
    let udp: Vec<&PortMap> = ports.iter().filter(|p| p.proto == Proto::Udp).collect();
    if udp.is_empty() {
        return Ok(0);
    }
    let mut socket = Socket::new(NETLINK_NETFILTER)?;
    socket.bind_auto()?;
    socket.connect(&netlink_sys::SocketAddr::new(0, 0))?;
    send(&socket, IPCTNL_MSG_CT_GET, NLM_F_DUMP, 1, &[])?;
    let stale: Vec<Vec<u8>> = receive(&socket, 1)?
        .into_iter()
        .filter_map(|payload| original_tuple(&payload))
        .filter(|(_, dst, port)| {
            udp.iter()
                .any(|m| m.host_port == *port && m.host_ip.is_none_or(|ip| ip == *dst))
        })
        .map(|(raw, _, _)| raw)
        .collect();
    let mut deleted = 0;
    for (seq, tuple) in (2u32..).zip(&stale) {
        send(&socket, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, seq, tuple)?;
        match receive(&socket, seq) {
            Ok(_) => deleted += 1,
            // Gone meanwhile (expired or deleted by someone else).
            Err(e) if e.raw_os_error() == Some(nix::libc::ENOENT) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(deleted)
}

/// One ctnetlink request: netlink header, `nfgenmsg` (AF_INET), attributes.
fn send(
    socket: &Socket,
    command: u16,
    flags: u16,
    seq: u32,
    attributes: &[u8],
) -> std::io::Result<()> {
    let length = 16 + 4 + attributes.len();
    let mut message = Vec::with_capacity(length);
    message.extend_from_slice(&(length as u32).to_ne_bytes());
    message.extend_from_slice(&((NFNL_SUBSYS_CTNETLINK << 8) | command).to_ne_bytes());
    message.extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes());
    message.extend_from_slice(&seq.to_ne_bytes());
    message.extend_from_slice(&0u32.to_ne_bytes());
    message.extend_from_slice(&[AF_INET, 0, 0, 0]);
    message.extend_from_slice(attributes);
    socket.send(&message, 0).map(drop)
}

/// The payloads (after `nfgenmsg`) of the replies to `seq`, until DONE or ACK.
fn receive(socket: &Socket, seq: u32) -> std::io::Result<Vec<Vec<u8>>> {
    let mut payloads = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(256 * 1024);
    loop {
        buf.clear();
        socket.recv(&mut buf, 0)?;
        let mut rest = &buf[..];
        while rest.len() >= 16 {
            let length = u32::from_ne_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            let kind = u16::from_ne_bytes([rest[4], rest[5]]);
            let reply_seq = u32::from_ne_bytes([rest[8], rest[9], rest[10], rest[11]]);
            if length < 16 || length > rest.len() {
                break;
            }
            let body = &rest[16..length];
            if reply_seq == seq {
                match kind {
                    NLMSG_DONE => return Ok(payloads),
                    NLMSG_ERROR => {
                        let code = body
                            .get(..4)
                            .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                        return match code {
                            0 => Ok(payloads),
                            code => Err(std::io::Error::from_raw_os_error(code.abs())),
                        };
                    }
                    _ => payloads.extend(body.get(4..).map(<[u8]>::to_vec)),
                }
            }
            rest = &rest[((length + 3) & !3).min(rest.len())..];
        }
    }
}

/// The attributes in `bytes`: `(type without flags, payload, whole attribute)`.
fn attributes(mut bytes: &[u8]) -> Vec<(u16, &[u8], &[u8])> {
    let mut out = Vec::new();
    while bytes.len() >= 4 {
        let length = u16::from_ne_bytes([bytes[0], bytes[1]]) as usize;
        let kind = u16::from_ne_bytes([bytes[2], bytes[3]]) & 0x3fff;
        if length < 4 || length > bytes.len() {
            break;
        }
        out.push((kind, &bytes[4..length], &bytes[..length]));
        bytes = &bytes[((length + 3) & !3).min(bytes.len())..];
    }
    out
}

/// An entry's original tuple (raw, to send back in the delete), destination
/// and destination port, when it is UDP over IPv4.
fn original_tuple(payload: &[u8]) -> Option<(Vec<u8>, Ipv4Addr, u16)> {
    let (_, tuple, raw) = attributes(payload)
        .into_iter()
        .find(|(kind, _, _)| *kind == CTA_TUPLE_ORIG)?;
    let parts = attributes(tuple);
    let nested = |kind: u16| {
        parts
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map(|(_, p, _)| *p)
    };
    let ip = attributes(nested(CTA_TUPLE_IP)?);
    let proto = attributes(nested(CTA_TUPLE_PROTO)?);
    let find = |attrs: &[(u16, &[u8], &[u8])], kind: u16| {
        attrs
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map(|(_, p, _)| p.to_vec())
    };
    if find(&proto, CTA_PROTO_NUM)?.first() != Some(&IPPROTO_UDP) {
        return None;
    }
    let dst: [u8; 4] = find(&ip, CTA_IP_V4_DST)?.try_into().ok()?;
    let port: [u8; 2] = find(&proto, CTA_PROTO_DST_PORT)?.try_into().ok()?;
    Some((raw.to_vec(), Ipv4Addr::from(dst), u16::from_be_bytes(port)))
}
