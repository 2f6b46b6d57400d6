//! The bridge's subnet when none is configured: Docker's. `docker0` takes
//! 172.17.0.0/16 unless the host already routes (part of) it, then the next
//! free range of Docker's default pools (172.18–31.0.0/16, then
//! 192.168.N.0/20). Vassal files written for Docker bind to `172.*`
//! addresses, which a different default would break.
//!
//! The check reads the IPv4 routes of the current network namespace
//! (`/proc/net/route`, the main table). Routes through our own bridge are
//! ours: the subnet the bridge already has stays chosen while it exists, so
//! the choice does not move under running containers.

use std::net::Ipv4Addr;

use super::settings::Subnet;

/// One IPv4 route: its destination and the interface it goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub destination: Subnet,
    pub interface: String,
}

/// Docker's default pools, in its order.
fn candidates() -> impl Iterator<Item = Subnet> {
    let class_b = (17..=31u8).map(|second| Subnet {
        network: Ipv4Addr::new(172, second, 0, 0),
        prefix: 16,
    });
    let class_c = (0..16u8).map(|n| Subnet {
        network: Ipv4Addr::new(192, 168, n * 16, 0),
        prefix: 20,
    });
    class_b.chain(class_c)
}

/// The subnet for bridge `bridge` given the host's `routes`: the candidate
/// our bridge already routes, else the first one no other route overlaps
/// (default routes aside), else 172.17.0.0/16.
pub fn choose(bridge: &str, routes: &[Route]) -> Subnet {
    let (ours, others): (Vec<&Route>, Vec<&Route>) =
        routes.iter().partition(|r| r.interface == bridge);
    if let Some(own) = candidates().find(|c| ours.iter().any(|r| r.destination == *c)) {
        return own;
    }
    candidates()
        .find(|c| {
            !others
                .iter()
                .any(|r| r.destination.prefix > 0 && overlaps(c, &r.destination))
        })
        .unwrap_or_else(|| candidates().next().expect("a default pool"))
}

/// Whether two subnets share an address.
fn overlaps(a: &Subnet, b: &Subnet) -> bool {
    let shorter = a.prefix.min(b.prefix);
    let mask = if shorter == 0 {
        0
    } else {
        u32::MAX << (32 - shorter)
    };
    u32::from(a.network) & mask == u32::from(b.network) & mask
}

/// The IPv4 routes of this network namespace (none when unreadable).
pub fn ipv4_routes() -> Vec<Route> {
    std::fs::read_to_string("/proc/net/route")
        .map(|text| parse_proc_route(&text))
        .unwrap_or_default()
}

/// `/proc/net/route`: `Iface Destination Gateway Flags RefCnt Use Metric
/// Mask ...`, addresses as the hex of their in-memory (network order) u32.
fn parse_proc_route(text: &str) -> Vec<Route> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let address = |hex: &str| {
                u32::from_str_radix(hex, 16)
                    .ok()
                    .map(|v| Ipv4Addr::from(v.to_ne_bytes()))
            };
            let destination = address(fields.get(1)?)?;
            let mask = u32::from(address(fields.get(7)?)?);
            Some(Route {
                destination: Subnet {
                    network: destination,
                    prefix: mask.count_ones() as u8,
                },
                interface: fields.first()?.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(text: &str, interface: &str) -> Route {
        let (network, prefix) = text.split_once('/').unwrap();
        Route {
            destination: Subnet {
                network: network.parse().unwrap(),
                prefix: prefix.parse().unwrap(),
            },
            interface: interface.to_string(),
        }
    }

    #[test]
    fn test_choose_like_docker() {
        let sixteen = |n: u8| Subnet {
            network: Ipv4Addr::new(172, n, 0, 0),
            prefix: 16,
        };
        assert_eq!(choose("vassal0", &[]), sixteen(17));
        // A default route and unrelated routes do not count.
        let routes = [route("0.0.0.0/0", "eth0"), route("10.0.0.0/8", "eth0")];
        assert_eq!(choose("vassal0", &routes), sixteen(17));
        // 172.17/16 taken (docker0 itself, or a VPN's 172.16/12): the next.
        assert_eq!(
            choose("vassal0", &[route("172.17.0.0/16", "docker0")]),
            sixteen(18)
        );
        assert_eq!(
            choose("vassal0", &[route("172.17.5.0/24", "eth1")]),
            sixteen(18)
        );
        let all_172 = [route("172.16.0.0/12", "tun0")];
        assert_eq!(
            choose("vassal0", &all_172),
            Subnet {
                network: Ipv4Addr::new(192, 168, 0, 0),
                prefix: 20
            }
        );
        // Our own bridge's subnet stays, even if docker0 appeared since.
        let both = [
            route("172.17.0.0/16", "docker0"),
            route("172.17.0.0/16", "vassal0"),
        ];
        assert_eq!(choose("vassal0", &both), sixteen(17));
        let moved = [
            route("172.17.0.0/16", "docker0"),
            route("172.18.0.0/16", "vassal0"),
        ];
        assert_eq!(choose("vassal0", &moved), sixteen(18));
    }

    #[test]
    fn test_parse_proc_route() {
        let text =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                    eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                    docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        assert_eq!(
            parse_proc_route(text),
            vec![
                route("0.0.0.0/0", "eth0"),
                route("172.17.0.0/16", "docker0")
            ]
        );
    }
}
