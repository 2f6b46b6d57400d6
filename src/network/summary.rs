//! A container's network as `inspect` (`NetworkSettings`) and `port` show it.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::{json, Value};

use super::state::Endpoint;
use crate::spec::CreateRequest;

/// `{"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "81/tcp": null}`:
/// published ports with their actual host side, exposed ones as null.
pub fn ports_json(request: &CreateRequest, endpoint: Option<&Endpoint>) -> Value {
    let mut ports: BTreeMap<String, Value> = request
        .config
        .exposed_ports
        .keys()
        .map(|k| (k.clone(), Value::Null))
        .collect();
    for (key, bindings) in port_lines(endpoint) {
        ports.insert(
            key,
            Value::Array(
                bindings
                    .into_iter()
                    .map(|(ip, port)| json!({"HostIp": ip, "HostPort": port.to_string()}))
                    .collect(),
            ),
        );
    }
    json!(ports)
}

/// `"80/tcp"` → `[("0.0.0.0", 8080), ...]`, in container-port order.
pub fn port_lines(endpoint: Option<&Endpoint>) -> BTreeMap<String, Vec<(String, u16)>> {
    let mut out: BTreeMap<String, Vec<(String, u16)>> = BTreeMap::new();
    let Some(endpoint) = endpoint else {
        return out;
    };
    let mut ports = endpoint.ports.clone();
    ports.sort_by_key(|p| (p.container_port, p.proto, p.host_port));
    for p in ports {
        out.entry(format!("{}/{}", p.container_port, p.proto))
            .or_default()
            .push((
                p.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED).to_string(),
                p.host_port,
            ));
    }
    out
}

/// Docker's `NetworkSettings` for a container and its endpoint (if attached).
pub fn network_settings(request: &CreateRequest, endpoint: Option<&Endpoint>) -> Value {
    let (ip, gateway, prefix) = endpoint.map_or((String::new(), String::new(), 0), |e| {
        (e.ip.to_string(), e.gateway.to_string(), e.subnet.prefix)
    });
    let mode = match request.host.network_mode.as_str() {
        "" | "default" => "bridge",
        other => other,
    };
    let mut networks = serde_json::Map::new();
    if !mode.starts_with("container:") {
        networks.insert(
            mode.to_string(),
            json!({"IPAddress": ip, "Gateway": gateway, "IPPrefixLen": prefix}),
        );
    }
    json!({
        "Bridge": endpoint.map_or(String::new(), |e| e.bridge.clone()),
        "Ports": ports_json(request, endpoint),
        "IPAddress": ip,
        "Gateway": gateway,
        "IPPrefixLen": prefix,
        "Networks": networks,
    })
}
