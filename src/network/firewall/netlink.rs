//! nf_tables over netlink, in-process: the per-container changes (adding and
//! deleting port-map elements, deleting the table with the last container)
//! as one nfnetlink batch, without starting an `nft` process (about 3 ms of
//! its ~4.4 ms per transaction in a private namespace went to the process's
//! start-up and its reading of the table). The table's definition (chains
//! and rules) is still written by `nft -f -` ([`super::nft`]), once per
//! table; interval elements (`subnets4`) too, as only the first and last
//! container of a bridge change them.
//!
//! A batch is `NFNL_MSG_BATCH_BEGIN`, the messages, `NFNL_MSG_BATCH_END`; the
//! kernel applies all of it or none, like `nft -f -`, and acks each message.

use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;

use netlink_sys::protocols::NETLINK_NETFILTER;
use netlink_sys::Socket;

use super::ruleset::{Element, TABLE_NAME};
use crate::network::error::NetworkError;
use crate::network::state::Proto;

const NFNL_SUBSYS_NFTABLES: u16 = 10;
const NFNL_MSG_BATCH_BEGIN: u16 = 16;
const NFNL_MSG_BATCH_END: u16 = 17;
const NFT_MSG_NEWTABLE: u16 = 0;
const NFT_MSG_DELTABLE: u16 = 2;
const NFT_MSG_NEWSETELEM: u16 = 12;
const NFT_MSG_DELSETELEM: u16 = 14;
const NFPROTO_INET: u8 = 1;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const NLM_F_CREATE: u16 = 0x400;
const NLMSG_ERROR: u16 = 2;
const NLA_F_NESTED: u16 = 0x8000;
const NFTA_TABLE_NAME: u16 = 1;
const NFTA_SET_ELEM_LIST_TABLE: u16 = 1;
const NFTA_SET_ELEM_LIST_SET: u16 = 2;
const NFTA_SET_ELEM_LIST_ELEMENTS: u16 = 3;
const NFTA_LIST_ELEM: u16 = 1;
const NFTA_SET_ELEM_KEY: u16 = 1;
const NFTA_SET_ELEM_DATA: u16 = 2;
const NFTA_DATA_VALUE: u16 = 1;
/// nft's `ifname` type: `IFNAMSIZ` bytes, zero-padded.
const IFNAMSIZ: usize = 16;

/// What one message of a batch does, to name it in an error.
struct Step {
    what: String,
}

/// A batch being built: the bytes to send and one step per acked message.
struct Batch {
    bytes: Vec<u8>,
    steps: Vec<Step>,
}

impl Batch {
    fn new() -> Batch {
        let mut batch = Batch {
            bytes: Vec::new(),
            steps: Vec::new(),
        };
        batch.message(NFNL_MSG_BATCH_BEGIN, 0, 0, NFNL_SUBSYS_NFTABLES, &[]);
        batch
    }

    /// Appends one message: header, `nfgenmsg`, `attributes`. An acked
    /// step's sequence number is its index plus one; the batch markers, not
    /// acked, have 0.
    fn message(&mut self, kind: u16, flags: u16, family: u8, res_id: u16, attributes: &[u8]) {
        let seq = if flags & NLM_F_ACK != 0 {
            self.steps.len() as u32
        } else {
            0
        };
        let length = 16 + 4 + attributes.len();
        self.bytes.extend_from_slice(&(length as u32).to_ne_bytes());
        self.bytes.extend_from_slice(&kind.to_ne_bytes());
        self.bytes
            .extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes());
        self.bytes.extend_from_slice(&seq.to_ne_bytes());
        self.bytes.extend_from_slice(&0u32.to_ne_bytes());
        self.bytes.push(family);
        self.bytes.push(0); // NFNETLINK_V0
        self.bytes.extend_from_slice(&res_id.to_be_bytes());
        self.bytes.extend_from_slice(attributes);
        pad(&mut self.bytes);
    }

    /// An nf_tables message that is acked; `what` names it in errors.
    fn step(&mut self, command: u16, flags: u16, attributes: &[u8], what: String) {
        self.steps.push(Step { what });
        let kind = (NFNL_SUBSYS_NFTABLES << 8) | command;
        self.message(kind, flags | NLM_F_ACK, NFPROTO_INET, 0, attributes);
    }

    fn finish(mut self) -> Batch {
        self.message(NFNL_MSG_BATCH_END, 0, 0, NFNL_SUBSYS_NFTABLES, &[]);
        self
    }
}

fn pad(bytes: &mut Vec<u8>) {
    while !bytes.len().is_multiple_of(4) {
        bytes.push(0);
    }
}

/// One netlink attribute (padded to 4 bytes).
fn attribute(out: &mut Vec<u8>, kind: u16, payload: &[u8]) {
    out.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(payload);
    pad(out);
}

fn nested(out: &mut Vec<u8>, kind: u16, inner: &[u8]) {
    attribute(out, kind | NLA_F_NESTED, inner);
}

fn string(text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(0);
    bytes
}

/// A field of a concatenation: nf_tables keeps each in 32-bit registers, so
/// a field takes its length rounded up to 4 bytes, zero-padded.
fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
    pad(out);
}

fn proto_number(proto: Proto) -> u8 {
    match proto {
        Proto::Tcp => 6,
        Proto::Udp => 17,
    }
}

fn address_port(ip: Ipv4Addr, port: u16) -> Vec<u8> {
    let mut out = Vec::new();
    field(&mut out, &ip.octets());
    field(&mut out, &port.to_be_bytes());
    out
}

/// `(key, data)` as the kernel stores them, or `None` for an element written
/// by `nft` only (an interval of `subnets4`, whose encoding is two elements).
fn encode(element: &Element) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let proto_port = |key: &mut Vec<u8>, proto: Proto, port: u16| {
        field(key, &[proto_number(proto)]);
        field(key, &port.to_be_bytes());
    };
    let mut key = Vec::new();
    let data = match element {
        Element::AnyAddress {
            proto,
            port,
            to,
            to_port,
        } => {
            proto_port(&mut key, *proto, *port);
            Some(address_port(*to, *to_port))
        }
        Element::Address {
            host,
            proto,
            port,
            to,
            to_port,
        } => {
            field(&mut key, &host.octets());
            proto_port(&mut key, *proto, *port);
            Some(address_port(*to, *to_port))
        }
        Element::Loopback { host, proto, port } => {
            field(&mut key, &host.octets());
            proto_port(&mut key, *proto, *port);
            None
        }
        Element::Bridge(name) if name.len() < IFNAMSIZ => {
            key.extend_from_slice(name.as_bytes());
            key.resize(IFNAMSIZ, 0);
            None
        }
        Element::Bridge(_) | Element::Subnet(_) => return None,
    };
    Some((key, data))
}

/// Whether every element can go through netlink ([`encode`]).
pub fn encodable(elements: &[Element]) -> bool {
    elements.iter().all(|e| encode(e).is_some())
}

/// The attributes of a set-element message carrying `element`.
fn element_attributes(element: &Element) -> Option<Vec<u8>> {
    let (key, data) = encode(element)?;
    let mut item = Vec::new();
    let mut value = Vec::new();
    attribute(&mut value, NFTA_DATA_VALUE, &key);
    nested(&mut item, NFTA_SET_ELEM_KEY, &value);
    if let Some(data) = data {
        let mut value = Vec::new();
        attribute(&mut value, NFTA_DATA_VALUE, &data);
        nested(&mut item, NFTA_SET_ELEM_DATA, &value);
    }
    let mut list = Vec::new();
    nested(&mut list, NFTA_LIST_ELEM, &item);
    let mut out = Vec::new();
    attribute(&mut out, NFTA_SET_ELEM_LIST_TABLE, &string(TABLE_NAME));
    attribute(&mut out, NFTA_SET_ELEM_LIST_SET, &string(element.set()));
    nested(&mut out, NFTA_SET_ELEM_LIST_ELEMENTS, &list);
    Some(out)
}

fn unencodable(element: &Element) -> NetworkError {
    NetworkError::Nft(format!(
        "netlink: no encoding for {} element {}",
        element.set(),
        element.text()
    ))
}

/// Adds `elements` in one transaction; fails as a whole if a key is there
/// with another value (`nft add element` semantics: the same value is fine).
pub fn add_elements(elements: &[Element]) -> Result<(), NetworkError> {
    let mut batch = Batch::new();
    for element in elements {
        let attributes = element_attributes(element).ok_or_else(|| unencodable(element))?;
        let what = format!("adding {} element {}", element.set(), element.text());
        batch.step(NFT_MSG_NEWSETELEM, NLM_F_CREATE, &attributes, what);
    }
    send(batch.finish())
}

/// Deletes exactly `elements`: each is added with its exact value first, so a
/// missing one does not fail the batch while another value for its key does
/// (as [`super::ruleset::delete_batch`]).
pub fn delete_elements(elements: &[Element]) -> Result<(), NetworkError> {
    let mut batch = Batch::new();
    for element in elements {
        let attributes = element_attributes(element).ok_or_else(|| unencodable(element))?;
        let text = format!("{} element {}", element.set(), element.text());
        batch.step(
            NFT_MSG_NEWSETELEM,
            NLM_F_CREATE,
            &attributes,
            format!("adding {text}"),
        );
        batch.step(
            NFT_MSG_DELSETELEM,
            0,
            &attributes,
            format!("deleting {text}"),
        );
    }
    send(batch.finish())
}

/// Deletes the table if it exists (created first so that a missing one is
/// no error, as `add table` + `delete table`).
pub fn delete_table() -> Result<(), NetworkError> {
    let mut name = Vec::new();
    attribute(&mut name, NFTA_TABLE_NAME, &string(TABLE_NAME));
    let mut batch = Batch::new();
    batch.step(
        NFT_MSG_NEWTABLE,
        NLM_F_CREATE,
        &name,
        "adding the table".into(),
    );
    batch.step(NFT_MSG_DELTABLE, 0, &name, "deleting the table".into());
    send(batch.finish())
}

/// Sends the batch and waits for an ack of every step; the first error
/// reply fails it (the kernel then applies none of it).
fn send(batch: Batch) -> Result<(), NetworkError> {
    let error = |what: &str, e: std::io::Error| NetworkError::Nft(format!("netlink: {what}: {e}"));
    let mut socket = Socket::new(NETLINK_NETFILTER).map_err(|e| error("socket", e))?;
    socket.bind_auto().map_err(|e| error("bind", e))?;
    socket
        .connect(&netlink_sys::SocketAddr::new(0, 0))
        .map_err(|e| error("connect", e))?;
    receive_timeout(&socket, 5).map_err(|e| error("timeout", e))?;
    socket.send(&batch.bytes, 0).map_err(|e| error("send", e))?;
    let mut acked = vec![false; batch.steps.len()];
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    while acked.iter().any(|a| !a) {
        buf.clear();
        socket.recv(&mut buf, 0).map_err(|e| error("receive", e))?;
        for (seq, code) in acks(&buf) {
            let index = (seq as usize).checked_sub(1);
            if code != 0 {
                let what = index
                    .and_then(|i| batch.steps.get(i))
                    .map_or("the batch", |s| s.what.as_str());
                return Err(NetworkError::Nft(format!(
                    "{what}: {}",
                    std::io::Error::from_raw_os_error(code.abs())
                )));
            }
            if let Some(done) = index.and_then(|i| acked.get_mut(i)) {
                *done = true;
            }
        }
    }
    Ok(())
}

/// `(sequence, error code)` of each `NLMSG_ERROR` (0: an ack) in `buf`.
fn acks(mut buf: &[u8]) -> Vec<(u32, i32)> {
    let mut out = Vec::new();
    while buf.len() >= 16 {
        let length = u32::from_ne_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
        let kind = u16::from_ne_bytes([buf[4], buf[5]]);
        let seq = u32::from_ne_bytes([buf[8], buf[9], buf[10], buf[11]]);
        if length < 16 || length > buf.len() {
            break;
        }
        if kind == NLMSG_ERROR && length >= 20 {
            out.push((
                seq,
                i32::from_ne_bytes([buf[16], buf[17], buf[18], buf[19]]),
            ));
        }
        buf = &buf[((length + 3) & !3).min(buf.len())..];
    }
    out
}

/// A bound on waiting for the kernel's acks, so a lost reply cannot hang a
/// container's set-up or teardown.
fn receive_timeout(socket: &Socket, seconds: i64) -> std::io::Result<()> {
    let timeout = nix::libc::timeval {
        tv_sec: seconds,
        tv_usec: 0,
    };
    // SAFETY: the fd is the socket's own, open for this call; the option
    // value is a timeval of the size given.
    let rc = unsafe {
        nix::libc::setsockopt(
            socket.as_raw_fd(),
            nix::libc::SOL_SOCKET,
            nix::libc::SO_RCVTIMEO,
            (&timeout as *const nix::libc::timeval).cast(),
            std::mem::size_of::<nix::libc::timeval>() as nix::libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_concatenations_are_padded_to_registers() {
        let (key, data) = encode(&Element::AnyAddress {
            proto: Proto::Tcp,
            port: 8080,
            to: "10.99.0.2".parse().unwrap(),
            to_port: 80,
        })
        .unwrap();
        assert_eq!(key, [6, 0, 0, 0, 0x1f, 0x90, 0, 0]);
        assert_eq!(data.unwrap(), [10, 99, 0, 2, 0, 80, 0, 0]);
        let (key, data) = encode(&Element::Loopback {
            host: "127.0.0.1".parse().unwrap(),
            proto: Proto::Udp,
            port: 53,
        })
        .unwrap();
        assert_eq!(key, [127, 0, 0, 1, 17, 0, 0, 0, 0, 53, 0, 0]);
        assert!(data.is_none());
    }

    #[test]
    fn test_bridge_names_are_ifnamsiz_and_intervals_are_left_to_nft() {
        let (key, _) = encode(&Element::Bridge("vr0".into())).unwrap();
        assert_eq!(key.len(), IFNAMSIZ);
        assert_eq!(&key[..4], b"vr0\0");
        let subnet = crate::network::settings::Subnet::parse("10.99.0.0/24").unwrap();
        assert!(!encodable(&[Element::Subnet(subnet)]));
    }

    #[test]
    fn test_batch_is_framed_and_steps_numbered() {
        let mut batch = Batch::new();
        batch.step(NFT_MSG_DELTABLE, 0, &[], "x".into());
        batch.step(NFT_MSG_DELTABLE, 0, &[], "y".into());
        let batch = batch.finish();
        // begin, two steps, end: 20 bytes each (no attributes).
        assert_eq!(batch.bytes.len(), 80);
        let kind =
            |i: usize| u16::from_ne_bytes([batch.bytes[i * 20 + 4], batch.bytes[i * 20 + 5]]);
        let seq =
            |i: usize| u32::from_ne_bytes(batch.bytes[i * 20 + 8..i * 20 + 12].try_into().unwrap());
        assert_eq!(kind(0), NFNL_MSG_BATCH_BEGIN);
        assert_eq!(kind(1), (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE);
        assert_eq!((seq(0), seq(1), seq(2), seq(3)), (0, 1, 2, 0));
        assert_eq!(kind(3), NFNL_MSG_BATCH_END);
        // the batch markers name the nftables subsystem, big-endian
        assert_eq!(&batch.bytes[18..20], &NFNL_SUBSYS_NFTABLES.to_be_bytes());
    }
}
