//! Whether a host process already holds a port: binding it (and letting go)
//! fails with "address already in use" then, or "cannot assign requested
//! address" for a host IP that is not the host's.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, UdpSocket};

use crate::network::state::{PortMap, Proto};

/// The seam between port assignment and the host's sockets.
pub trait PortProbe {
    fn check(&self, port: &PortMap) -> std::io::Result<()>;
}

/// Binds the port for real (in the caller's network namespace).
pub struct BindProbe;

impl PortProbe for BindProbe {
    fn check(&self, port: &PortMap) -> std::io::Result<()> {
        let addr = SocketAddrV4::new(
            port.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED),
            port.host_port,
        );
        // std sets SO_REUSEADDR on TCP listeners: TIME_WAIT leftovers do not count.
        match port.proto {
            Proto::Tcp => TcpListener::bind(addr).map(drop),
            Proto::Udp => UdpSocket::bind(addr).map(drop),
        }
    }
}
