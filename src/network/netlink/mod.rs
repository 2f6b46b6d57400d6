//! A small synchronous rtnetlink client (as netavark's): one request, its
//! replies, its ack or error. A socket stays in the network namespace it was
//! opened in, so one is opened on the host and one inside the container's
//! namespace ([`netns`]).

pub mod addr;
pub mod link;
pub mod netns;
pub mod sysctl;

use netlink_packet_core::{NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::Socket;

/// An rtnetlink socket bound in the namespace it was created in.
pub struct Netlink {
    socket: Socket,
    seq: u32,
}

impl Netlink {
    pub fn open() -> std::io::Result<Netlink> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        socket.bind_auto()?;
        socket.connect(&netlink_sys::SocketAddr::new(0, 0))?;
        Ok(Netlink { socket, seq: 0 })
    }

    /// Sends `message` with `flags` (and ACK), returns the replies; an error
    /// reply becomes its errno.
    pub fn request(
        &mut self,
        message: RouteNetlinkMessage,
        flags: u16,
    ) -> std::io::Result<Vec<RouteNetlinkMessage>> {
        let dump = flags & NLM_F_DUMP == NLM_F_DUMP;
        let mut packet = NetlinkMessage::from(message);
        packet.header.flags = NLM_F_REQUEST | flags | if dump { 0 } else { NLM_F_ACK };
        self.seq = self.seq.wrapping_add(1);
        packet.header.sequence_number = self.seq;
        packet.finalize();
        let mut bytes = vec![0u8; packet.header.length as usize];
        packet.serialize(&mut bytes);
        self.socket.send(&bytes, 0)?;
        self.receive()
    }

    /// Replies to the last request until its ack (or error), or DONE for a dump.
    fn receive(&mut self) -> std::io::Result<Vec<RouteNetlinkMessage>> {
        let mut replies = Vec::new();
        let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
        loop {
            buf.clear();
            let n = self.socket.recv(&mut buf, 0)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let mut offset = 0;
            while offset < n.min(buf.len()) {
                let packet = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&buf[offset..])
                    .map_err(|e| std::io::Error::other(format!("bad netlink reply: {e}")))?;
                let length = packet.header.length as usize;
                let ours = packet.header.sequence_number == self.seq;
                match packet.payload {
                    _ if !ours => {}
                    NetlinkPayload::Error(e) => {
                        return match e.code {
                            Some(code) => Err(std::io::Error::from_raw_os_error(code.get().abs())),
                            None => Ok(replies),
                        }
                    }
                    NetlinkPayload::Done(_) => return Ok(replies),
                    NetlinkPayload::InnerMessage(m) => replies.push(m),
                    _ => {}
                }
                if length == 0 {
                    break;
                }
                offset += (length + 3) & !3;
            }
        }
    }
}
