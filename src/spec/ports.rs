//! `-p/--publish` port specs, as Docker's `nat.ParsePortSpec`:
//! `[ip:][hostPort:]containerPort[/proto]`, each port a number or a `start-end` range.
//!
//! The result fills `ExposedPorts` (`"80/tcp": {}`) and `PortBindings`
//! (`"80/tcp": [{"HostIp": "", "HostPort": "8080"}]`), exactly as dockerd receives them.

use std::net::IpAddr;

use thiserror::Error;

use super::model::PortBinding;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PortError {
    #[error("invalid IP address: {0}")]
    Ip(String),
    #[error("no port specified: {0}<empty>")]
    NoPort(String),
    #[error("invalid containerPort: {0}")]
    ContainerPort(String),
    #[error("invalid hostPort: {0}")]
    HostPort(String),
    #[error("invalid ranges specified for container and host Ports: {0} and {1}")]
    Ranges(String, String),
    #[error("invalid proto: {0}")]
    Proto(String),
}

/// One published port: the container side key (`"80/tcp"`) and one host side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    pub container_port: String,
    pub binding: PortBinding,
}

/// Parses one `-p` value into one mapping per container port of its range.
pub fn parse_publish(raw: &str) -> Result<Vec<PortMapping>, PortError> {
    let (ip, host_port, container_part) = split_parts(raw);
    let (container_port, proto) = match container_part.split_once('/') {
        Some((port, proto)) => (port, proto),
        None => (container_part, "tcp"),
    };
    let ip = ip
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(ip);
    if !ip.is_empty() && ip.parse::<IpAddr>().is_err() {
        return Err(PortError::Ip(ip.to_string()));
    }
    if container_port.is_empty() {
        return Err(PortError::NoPort(raw.to_string()));
    }
    let (start, end) = parse_range(container_port)
        .filter(|&(start, _)| start > 0)
        .ok_or_else(|| PortError::ContainerPort(container_port.to_string()))?;
    let host_range = if host_port.is_empty() {
        None
    } else {
        Some(parse_range(host_port).ok_or_else(|| PortError::HostPort(host_port.to_string()))?)
    };
    if let Some((host_start, host_end)) = host_range {
        // A host range with a single container port lets the runtime pick one of them.
        if end - start != host_end - host_start && start != end {
            return Err(PortError::Ranges(
                container_port.to_string(),
                host_port.to_string(),
            ));
        }
    }
    let proto = proto.to_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(PortError::Proto(proto));
    }
    Ok((start..=end)
        .enumerate()
        .map(|(offset, port)| PortMapping {
            container_port: format!("{port}/{proto}"),
            binding: PortBinding {
                host_ip: ip.to_string(),
                host_port: host_side(host_port, host_range, start == end, offset),
            },
        })
        .collect())
}

fn host_side(raw: &str, range: Option<(u16, u16)>, single: bool, offset: usize) -> String {
    match range {
        None => String::new(),
        Some(_) if single => raw.to_string(),
        Some((host_start, _)) => (host_start as usize + offset).to_string(),
    }
}

/// Splits `ip:host:container`, where the ip part may itself contain colons (IPv6).
fn split_parts(raw: &str) -> (&str, &str, &str) {
    let mut parts = raw.rsplitn(3, ':');
    let container = parts.next().unwrap_or_default();
    let host = parts.next().unwrap_or_default();
    let ip = parts.next().unwrap_or_default();
    (ip, host, container)
}

/// `"80"` or `"80-90"`; `None` when not 16-bit numbers or when end < start.
pub fn parse_range(text: &str) -> Option<(u16, u16)> {
    let port = |p: &str| p.parse::<u16>().ok().filter(|_| !p.starts_with('+'));
    match text.split_once('-') {
        None => port(text).map(|p| (p, p)),
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            (a <= b).then_some((a, b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(raw: &str) -> (String, String, String) {
        let m = parse_publish(raw).unwrap();
        assert_eq!(m.len(), 1, "{raw}");
        let m = &m[0];
        (
            m.container_port.clone(),
            m.binding.host_ip.clone(),
            m.binding.host_port.clone(),
        )
    }

    #[test]
    fn test_parse_publish_forms() {
        let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(one("80"), s("80/tcp", "", ""));
        assert_eq!(one("8080:80"), s("80/tcp", "", "8080"));
        assert_eq!(
            one("127.0.0.1:8080:80/udp"),
            s("80/udp", "127.0.0.1", "8080")
        );
        assert_eq!(one("127.0.0.1::80"), s("80/tcp", "127.0.0.1", ""));
        assert_eq!(one("[::1]:8080:80"), s("80/tcp", "::1", "8080"));
        assert_eq!(one("::1:8080:80"), s("80/tcp", "::1", "8080"));
        assert_eq!(one("8000-8010:80"), s("80/tcp", "", "8000-8010"));
        assert_eq!(one("53:53/SCTP"), s("53/sctp", "", "53"));
    }

    #[test]
    fn test_parse_publish_ranges() {
        let m = parse_publish("8000-8002:80-82").unwrap();
        let got: Vec<_> = m
            .iter()
            .map(|m| (m.container_port.as_str(), m.binding.host_port.as_str()))
            .collect();
        assert_eq!(
            got,
            [("80/tcp", "8000"), ("81/tcp", "8001"), ("82/tcp", "8002")]
        );
    }

    #[test]
    fn test_parse_publish_errors() {
        let err = |raw: &str| parse_publish(raw).unwrap_err().to_string();
        assert_eq!(err("70000:80"), "invalid hostPort: 70000");
        assert_eq!(err("a:b"), "invalid containerPort: b");
        assert_eq!(err("a:80"), "invalid hostPort: a");
        assert_eq!(err("8080:"), "no port specified: 8080:<empty>");
        assert_eq!(err("80:0"), "invalid containerPort: 0");
        assert_eq!(err("1.2.3:80:80"), "invalid IP address: 1.2.3");
        assert_eq!(err("80/icmp"), "invalid proto: icmp");
        assert_eq!(err("90-80:80"), "invalid hostPort: 90-80");
        assert_eq!(
            err("8000-8001:80-82"),
            "invalid ranges specified for container and host Ports: 80-82 and 8000-8001"
        );
    }
}
