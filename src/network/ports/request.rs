//! `HostConfig.PortBindings` → one [`PortRequest`] per host binding.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use crate::network::error::NetworkError;
use crate::network::state::Proto;
use crate::spec::model::PortBinding;
use crate::spec::ports::parse_range;

/// One host side wanted for a container port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRequest {
    pub proto: Proto,
    pub host_ip: Option<Ipv4Addr>,
    /// `None`: any free ephemeral port; a range: any free port in it.
    pub host_range: Option<(u16, u16)>,
    pub container_port: u16,
}

/// `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}` → requests, in key order.
pub fn requests(
    bindings: &BTreeMap<String, Vec<PortBinding>>,
) -> Result<Vec<PortRequest>, NetworkError> {
    let mut out = Vec::new();
    for (key, hosts) in bindings {
        let bad = || NetworkError::Port(key.clone());
        let (port, proto) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
        let proto = Proto::parse(proto).ok_or_else(bad)?;
        let container_port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(bad)?;
        for host in hosts {
            out.push(PortRequest {
                proto,
                host_ip: host_ip(&host.host_ip)?,
                host_range: host_range(&host.host_port)?,
                container_port,
            });
        }
    }
    Ok(out)
}

fn host_ip(text: &str) -> Result<Option<Ipv4Addr>, NetworkError> {
    let text = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) if ip.is_unspecified() => Ok(None),
        Ok(IpAddr::V4(ip)) => Ok(Some(ip)),
        Ok(IpAddr::V6(_)) => Err(NetworkError::HostIpV6(text.to_string())),
        Err(_) => Err(NetworkError::Ip(text.to_string())),
    }
}

fn host_range(text: &str) -> Result<Option<(u16, u16)>, NetworkError> {
    if text.is_empty() {
        return Ok(None);
    }
    match parse_range(text) {
        Some((0, 0)) => Ok(None),
        Some((start, end)) if start > 0 => Ok(Some((start, end))),
        _ => Err(NetworkError::Port(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(ip: &str, port: &str) -> PortBinding {
        PortBinding {
            host_ip: ip.into(),
            host_port: port.into(),
        }
    }

    #[test]
    fn test_requests_forms() {
        let mut b = BTreeMap::new();
        b.insert(
            "80/tcp".to_string(),
            vec![binding("", "8080"), binding("127.0.0.1", "")],
        );
        b.insert("53/udp".to_string(), vec![binding("0.0.0.0", "5000-5010")]);
        let r = requests(&b).unwrap();
        assert_eq!(
            r,
            [
                PortRequest {
                    proto: Proto::Udp,
                    host_ip: None,
                    host_range: Some((5000, 5010)),
                    container_port: 53
                },
                PortRequest {
                    proto: Proto::Tcp,
                    host_ip: None,
                    host_range: Some((8080, 8080)),
                    container_port: 80
                },
                PortRequest {
                    proto: Proto::Tcp,
                    host_ip: Some(Ipv4Addr::LOCALHOST),
                    host_range: None,
                    container_port: 80
                },
            ]
        );
    }

    #[test]
    fn test_requests_refuses_sctp_and_ipv6() {
        let mut b = BTreeMap::new();
        b.insert("80/sctp".to_string(), vec![binding("", "80")]);
        assert_eq!(
            requests(&b).unwrap_err().to_string(),
            "invalid published port \"80/sctp\""
        );
        let mut b = BTreeMap::new();
        b.insert("80/tcp".to_string(), vec![binding("::1", "80")]);
        assert_eq!(
            requests(&b).unwrap_err().to_string(),
            "host IP ::1 is not supported: only IPv4 host addresses can be published"
        );
    }
}
