//! Why a network step failed. Every message names the value, link, file or
//! port at fault, on one line.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum NetworkError {
    #[error("invalid bridge name {0:?}: 1 to 15 characters, no '/', ':' or whitespace")]
    BridgeName(String),
    #[error("invalid subnet {value:?}: {reason}")]
    Subnet { value: String, reason: &'static str },
    #[error("invalid gateway {value:?}: {reason}")]
    Gateway { value: String, reason: String },
    #[error("invalid IPv4 address {0:?}")]
    Ip(String),
    #[error("requested IP address {ip} is outside the subnet {subnet}")]
    IpOutsideSubnet { ip: String, subnet: String },
    #[error("requested IP address {ip} is already allocated to container {owner}")]
    IpTaken { ip: String, owner: String },
    #[error("requested IP address {0} is reserved (network, gateway or broadcast address)")]
    IpReserved(String),
    #[error("no free IP address left in subnet {0}")]
    SubnetFull(String),
    #[error("invalid published port {0:?}")]
    Port(String),
    #[error("host IP {0} is not supported: only IPv4 host addresses can be published")]
    HostIpV6(String),
    #[error("Bind for {addr} failed: port is already allocated to container {owner}")]
    PortAllocated { addr: String, owner: String },
    #[error("Bind for {addr} failed: {reason}")]
    PortInUse {
        addr: String,
        reason: std::io::Error,
    },
    #[error("no free host port in {0}")]
    NoFreePort(String),
    #[error("{path}: {reason}")]
    Io {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{path}: {reason}")]
    State { path: PathBuf, reason: String },
    #[error("netlink {op} {target}: {reason}")]
    Netlink {
        op: &'static str,
        target: String,
        reason: std::io::Error,
    },
    #[error("network namespace of pid {pid}: {reason}")]
    Netns { pid: i32, reason: std::io::Error },
    #[error("sysctl {path}: {reason}")]
    Sysctl {
        path: String,
        reason: std::io::Error,
    },
    #[error("nft: {0}")]
    Nft(String),
    #[error("No such container: {0}")]
    NoSuchContainer(String),
    #[error("cannot join network of a non running container: {0}")]
    DonorNotRunning(String),
    #[error("teardown: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Teardown(Vec<NetworkError>),
}
