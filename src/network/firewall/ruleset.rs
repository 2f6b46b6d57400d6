//! The nft text of the table and of each endpoint's elements (IPv4).
//!
//! The table, from the network reference's candidate ruleset (13 end-to-end
//! checks passed), with loopback-only ports keyed by address:
//!
//! ```nft
//! table inet vassalrun {
//!   map pf4_any   { type inet_proto . inet_service : ipv4_addr . inet_service; }
//!   map pf4_addr  { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
//!   set lo4_ports { type ipv4_addr . inet_proto . inet_service; }
//!   set bridges   { type ifname; }
//!   set subnets4  { type ipv4_addr; flags interval; }
//!   chain raw_prerouting { ... iifname != "lo" ip daddr . meta l4proto . th dport @lo4_ports drop }
//!   chain nat_prerouting / nat_output { fib daddr type local jump hostports }
//!   chain hostports { dnat via pf4_addr, then pf4_any }
//!   chain nat_postrouting { localhost, hairpin and outbound masquerade }
//!   chain forward { published and established in, unpublished dropped }
//! }
//! ```

use std::collections::BTreeSet;
use std::fmt::Write;
use std::net::Ipv4Addr;

use crate::network::settings::Subnet;
use crate::network::state::{Endpoint, NetState, PortMap, Proto};

pub const TABLE: &str = "inet vassalrun";
/// The table's name alone (its family is `inet`), for netlink.
pub const TABLE_NAME: &str = "vassalrun";

const DEFINITION: &str = r#"table inet vassalrun {
  map pf4_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
  map pf4_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
  set lo4_ports { type ipv4_addr . inet_proto . inet_service; }
  set bridges { type ifname; }
  set subnets4 { type ipv4_addr; flags interval; }
  chain raw_prerouting {
    type filter hook prerouting priority raw; policy accept;
    iifname != "lo" ip daddr . meta l4proto . th dport @lo4_ports drop comment "remote loopback spoof"
  }
  chain nat_prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local jump hostports
  }
  chain nat_output {
    type nat hook output priority -100; policy accept;
    fib daddr type local jump hostports
  }
  chain hostports {
    dnat ip to ip daddr . meta l4proto . th dport map @pf4_addr
    dnat ip to meta l4proto . th dport map @pf4_any
  }
  chain nat_postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ct status dnat ip saddr 127.0.0.0/8 masquerade comment "localhost to published port"
    ct status dnat ip saddr @subnets4 oifname @bridges masquerade comment "hairpin and container to host port"
    ip saddr @subnets4 ip daddr != @subnets4 oifname != @bridges masquerade comment "outbound"
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    ct state invalid drop
    oifname @bridges ct state established,related accept
    oifname @bridges ct status dnat accept comment "published ports"
    oifname @bridges iifname @bridges accept comment "between containers"
    oifname @bridges drop comment "no direct access to unpublished ports"
    iifname @bridges accept
  }
}
"#;

/// One element of the table's sets and maps, typed so that it can be written
/// as nft text (the table's rebuild) or encoded for a netlink batch
/// ([`super::netlink`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// `pf4_any`: `tcp . 8080 : 10.89.0.2 . 80`, a port on every host address.
    AnyAddress {
        proto: Proto,
        port: u16,
        to: Ipv4Addr,
        to_port: u16,
    },
    /// `pf4_addr`: `127.0.0.1 . tcp . 8081 : 10.89.0.2 . 81`.
    Address {
        host: Ipv4Addr,
        proto: Proto,
        port: u16,
        to: Ipv4Addr,
        to_port: u16,
    },
    /// `lo4_ports`: `127.0.0.1 . tcp . 8081`, a loopback-only port.
    Loopback {
        host: Ipv4Addr,
        proto: Proto,
        port: u16,
    },
    /// `bridges`: `"vr0"`.
    Bridge(String),
    /// `subnets4`: `10.89.0.0/24` (an interval set).
    Subnet(Subnet),
}

impl Element {
    /// The set or map it belongs to.
    pub fn set(&self) -> &'static str {
        match self {
            Element::AnyAddress { .. } => "pf4_any",
            Element::Address { .. } => "pf4_addr",
            Element::Loopback { .. } => "lo4_ports",
            Element::Bridge(_) => "bridges",
            Element::Subnet(_) => "subnets4",
        }
    }

    /// The element in nft's syntax.
    pub fn text(&self) -> String {
        match self {
            Element::AnyAddress {
                proto,
                port,
                to,
                to_port,
            } => format!("{proto} . {port} : {to} . {to_port}"),
            Element::Address {
                host,
                proto,
                port,
                to,
                to_port,
            } => format!("{host} . {proto} . {port} : {to} . {to_port}"),
            Element::Loopback { host, proto, port } => format!("{host} . {proto} . {port}"),
            Element::Bridge(name) => format!("\"{name}\""),
            Element::Subnet(subnet) => subnet.to_string(),
        }
    }
}

/// The elements of one port mapping: `pf4_any`, or `pf4_addr` (and
/// `lo4_ports` for a loopback address).
fn port_elements(ip: Ipv4Addr, port: &PortMap) -> Vec<Element> {
    let (proto, to, to_port) = (port.proto, ip, port.container_port);
    match port.host_ip {
        None => vec![Element::AnyAddress {
            proto,
            port: port.host_port,
            to,
            to_port,
        }],
        Some(host) => {
            let mut out = vec![Element::Address {
                host,
                proto,
                port: port.host_port,
                to,
                to_port,
            }];
            if host.is_loopback() {
                out.push(Element::Loopback {
                    host,
                    proto,
                    port: port.host_port,
                });
            }
            out
        }
    }
}

/// The elements an endpoint owns: its port mappings.
pub fn endpoint_elements(endpoint: &Endpoint) -> Vec<Element> {
    endpoint
        .ports
        .iter()
        .flat_map(|p| port_elements(endpoint.ip, p))
        .collect()
}

/// The elements a bridge network owns while any endpoint uses it.
pub fn network_elements(endpoint: &Endpoint) -> Vec<Element> {
    vec![
        Element::Bridge(endpoint.bridge.clone()),
        Element::Subnet(endpoint.subnet),
    ]
}

fn add_lines(out: &mut String, elements: &[Element]) {
    for element in elements {
        let _ = writeln!(
            out,
            "add element {TABLE} {} {{ {} }}",
            element.set(),
            element.text()
        );
    }
}

/// Adds `elements`; fails as a whole if a key is already there (a port
/// another mapping holds).
pub fn add_batch(elements: &[Element]) -> String {
    let mut out = String::new();
    add_lines(&mut out, elements);
    out
}

/// Deletes exactly `elements`. Each is added first, with its exact value, so
/// a missing one does not abort the batch (nft fails a delete of an absent
/// element) while another value for the key would.
pub fn delete_batch(elements: &[Element]) -> String {
    let mut out = String::new();
    for element in elements {
        let (set, text) = (element.set(), element.text());
        let _ = writeln!(out, "add element {TABLE} {set} {{ {text} }}");
        let _ = writeln!(out, "delete element {TABLE} {set} {{ {text} }}");
    }
    out
}

/// Removes the table if it exists.
pub fn delete_table_batch() -> String {
    format!("add table {TABLE}\ndelete table {TABLE}\n")
}

/// The whole table from `state`, replacing whatever is there.
pub fn rebuild_batch(state: &NetState) -> String {
    let mut out = delete_table_batch();
    out.push_str(DEFINITION);
    // Each network once, however many endpoints it has.
    let mut seen = BTreeSet::new();
    let networks: Vec<Element> = state
        .endpoints
        .values()
        .flat_map(network_elements)
        .filter(|e| seen.insert((e.set(), e.text())))
        .collect();
    add_lines(&mut out, &networks);
    for endpoint in state.endpoints.values() {
        add_lines(&mut out, &endpoint_elements(endpoint));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Endpoint {
        Endpoint {
            id: "c1".into(),
            bridge: "vr0".into(),
            subnet: Subnet::parse("10.99.0.0/24").unwrap(),
            gateway: "10.99.0.1".parse().unwrap(),
            ip: "10.99.0.2".parse().unwrap(),
            host_veth: "vrc1".into(),
            ports: vec![
                PortMap {
                    proto: Proto::Tcp,
                    host_ip: None,
                    host_port: 8080,
                    container_port: 80,
                },
                PortMap {
                    proto: Proto::Tcp,
                    host_ip: Some("127.0.0.1".parse().unwrap()),
                    host_port: 8081,
                    container_port: 81,
                },
                PortMap {
                    proto: Proto::Udp,
                    host_ip: Some("192.0.2.1".parse().unwrap()),
                    host_port: 5353,
                    container_port: 53,
                },
            ],
        }
    }

    #[test]
    fn test_endpoint_elements_exact() {
        assert_eq!(
            add_batch(&endpoint_elements(&endpoint())),
            "add element inet vassalrun pf4_any { tcp . 8080 : 10.99.0.2 . 80 }\n\
             add element inet vassalrun pf4_addr { 127.0.0.1 . tcp . 8081 : 10.99.0.2 . 81 }\n\
             add element inet vassalrun lo4_ports { 127.0.0.1 . tcp . 8081 }\n\
             add element inet vassalrun pf4_addr { 192.0.2.1 . udp . 5353 : 10.99.0.2 . 53 }\n"
        );
    }

    #[test]
    fn test_delete_batch_adds_each_exact_element_first() {
        let elements = network_elements(&endpoint());
        assert_eq!(
            delete_batch(&elements),
            "add element inet vassalrun bridges { \"vr0\" }\n\
             delete element inet vassalrun bridges { \"vr0\" }\n\
             add element inet vassalrun subnets4 { 10.99.0.0/24 }\n\
             delete element inet vassalrun subnets4 { 10.99.0.0/24 }\n"
        );
    }

    #[test]
    fn test_rebuild_batch_replaces_table_and_lists_networks_once() {
        let mut state = NetState::default();
        let a = endpoint();
        let mut b = endpoint();
        b.id = "c2".into();
        b.ip = "10.99.0.3".parse().unwrap();
        b.ports.clear();
        state.endpoints.insert(a.id.clone(), a);
        state.endpoints.insert(b.id.clone(), b);
        let batch = rebuild_batch(&state);
        assert!(batch.starts_with(
            "add table inet vassalrun\ndelete table inet vassalrun\ntable inet vassalrun {\n"
        ));
        assert_eq!(batch.matches("bridges { \"vr0\" }").count(), 1);
        assert_eq!(batch.matches("add element inet vassalrun pf4_").count(), 3);
    }
}
