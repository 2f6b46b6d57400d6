//! Which registries may be reached over plain HTTP: those listed in
//! `config.toml`'s `insecure-registries`, in `$VASSALRUN_INSECURE_REGISTRIES`
//! (comma-separated) or given with `--insecure-registry`, as Docker's
//! `insecure-registries` (a `host[:port]`, or a CIDR for registries named by IP).

use std::net::IpAddr;

/// Whether `registry` (`host[:port]`) is in `list`.
pub fn is_insecure(registry: &str, list: &[String]) -> bool {
    list.iter().any(|entry| matches(entry.trim(), registry))
}

fn matches(entry: &str, registry: &str) -> bool {
    if entry.is_empty() {
        return false;
    }
    if entry == registry {
        return true;
    }
    let Some((net, bits)) = entry.split_once('/') else {
        return false;
    };
    let host = registry
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(registry, |(host, _)| host)
        .trim_start_matches('[')
        .trim_end_matches(']');
    let (Ok(net), Ok(bits), Ok(ip)) = (
        net.parse::<IpAddr>(),
        bits.parse::<u32>(),
        host.parse::<IpAddr>(),
    ) else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(net), IpAddr::V4(ip)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(net) & mask == u32::from(ip) & mask
        }
        (IpAddr::V6(net), IpAddr::V6(ip)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(net) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_insecure_matching() {
        let list = vec!["reg.example:5000".to_string(), "127.0.0.0/8".to_string()];
        assert!(is_insecure("reg.example:5000", &list));
        assert!(!is_insecure("reg.example", &list));
        assert!(is_insecure("127.0.0.1:4321", &list));
        assert!(!is_insecure("10.0.0.1:5000", &list));
        assert!(!is_insecure("docker.io", &list));
        assert!(is_insecure("[::1]:5000", &["::1/128".to_string()]));
    }
}
