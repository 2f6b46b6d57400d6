//! Attaching a created container (its init waits for `start`) to its network,
//! Docker's order: the command's first instruction already sees it.
//!
//! Bridge mode, under the network lock: allocate the address and host ports,
//! make the bridge if missing, the veth pair (peer born in the container's
//! namespace as `eth0`), address, routes, then the firewall elements and the
//! state. A failure undoes every step with the teardown's idempotent steps.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use rand::Rng;

use super::error::NetworkError;
use super::firewall::{ruleset, Firewall, Nftables};
use super::netlink::netns::{in_netns, open_netns};
use super::netlink::{sysctl, Netlink};
use super::ports::assign::ephemeral_range;
use super::ports::{assign, requests, BindProbe};
use super::settings::BridgeConfig;
use super::state::{ipam, Endpoint, NetLock, Registry};
use super::teardown;
use crate::config::Settings;
use crate::spec::namespaces::NetworkMode;
use crate::spec::CreateRequest;

/// What attaching a container needs to know.
pub struct Attach<'a> {
    pub settings: &'a Settings,
    pub id: &'a str,
    /// The container's name and hostname, for its `/etc/hosts` line.
    pub names: [&'a str; 2],
    /// The container's init, waiting for `start`.
    pub pid: i32,
    pub request: &'a CreateRequest,
    /// The container's generated `/etc/hosts` (none when it shares another's).
    pub hosts_file: Option<PathBuf>,
}

/// `<run dir>/network`: the lock and the state file.
pub fn network_dir(settings: &Settings) -> PathBuf {
    crate::runtime::layout::Layout::new(settings).network_dir()
}

/// Sets up the container's network namespace for its mode.
pub fn attach(attach: &Attach) -> Result<Option<Endpoint>, NetworkError> {
    // The spec builder has refused invalid modes already.
    let Ok(mode) = NetworkMode::parse(&attach.request.host.network_mode) else {
        return Ok(None);
    };
    match mode {
        NetworkMode::Host | NetworkMode::Container(_) => Ok(None),
        NetworkMode::None => {
            let netns = open_netns(attach.pid)?;
            in_netns(attach.pid, &netns, |nl| nl.set_up(1, "lo"))?;
            Ok(None)
        }
        NetworkMode::Bridge => {
            let endpoint = attach_bridge(attach)?;
            if let Some(hosts) = &attach.hosts_file {
                let written = super::hosts::set_own_entry(hosts, endpoint.ip, &attach.names);
                if let Err(e) = written {
                    let _ = teardown::detach(&network_dir(attach.settings), attach.id);
                    return Err(e);
                }
            }
            Ok(Some(endpoint))
        }
    }
}

/// [`attach`] for a container `start` re-created (an exited one): its
/// hostname from its spec, its own hosts file if it has one. On failure the
/// container's init (`pid`) is killed.
pub fn attach_again(
    settings: &Settings,
    id: &str,
    name: &str,
    request: &CreateRequest,
    pid: i32,
) -> Result<(), NetworkError> {
    let dir = crate::runtime::layout::Layout::new(settings).container_dir(id);
    let spec: Option<oci_spec::runtime::Spec> =
        crate::runtime::record::read_json(&dir.join("config.json"))
            .ok()
            .flatten();
    let hostname = spec.and_then(|s| s.hostname().clone()).unwrap_or_default();
    let hosts = dir.join("hosts");
    let attached = attach(&Attach {
        settings,
        id,
        names: [&hostname, name],
        pid,
        request,
        hosts_file: hosts.exists().then_some(hosts),
    });
    if attached.is_err() {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    attached.map(drop)
}

/// The `--ip` of the request (`NetworkingConfig.EndpointsConfig.*.IPAMConfig.IPv4Address`).
fn requested_ip(request: &CreateRequest) -> Result<Option<Ipv4Addr>, NetworkError> {
    let wanted = request
        .networking
        .endpoints_config
        .values()
        .filter_map(|e| e.ipam_config.as_ref())
        .map(|c| c.ipv4_address.as_str())
        .find(|ip| !ip.is_empty());
    wanted
        .map(|ip| ip.parse().map_err(|_| NetworkError::Ip(ip.to_string())))
        .transpose()
}

fn attach_bridge(attach: &Attach) -> Result<Endpoint, NetworkError> {
    let config = BridgeConfig::from_settings(attach.settings)?;
    let wanted_ports = requests(&attach.request.host.port_bindings)?;
    let wanted_ip = requested_ip(attach.request)?;
    let dir = network_dir(attach.settings);
    let started = std::time::Instant::now();
    let _lock = NetLock::acquire(&dir)?;
    let registry = Registry::new(&dir);
    // An earlier endpoint of this container (its monitor was killed before it
    // could release it) goes first: never two DNATs for one container.
    super::gc::release(&registry, attach.id);
    let containers = attach.settings.root.join("containers");
    let gone = |id: &str| !containers.join(id).exists();
    let (ip, ports) = allocate_reclaiming(&registry, &config, wanted_ip, &wanted_ports, gone)?;
    let endpoint = Endpoint {
        id: attach.id.to_string(),
        bridge: config.bridge.clone(),
        subnet: config.subnet,
        gateway: config.gateway,
        ip,
        host_veth: format!(
            "vr{}{:04x}",
            attach.id.chars().take(8).collect::<String>(),
            rand::thread_rng().gen::<u16>()
        ),
        ports,
    };
    let news = News {
        table: !registry.any_endpoint(),
        bridge: !registry.bridge_in_use(&endpoint.bridge),
    };
    let allocated = started.elapsed();
    // Recorded first: a crash from here on leaves a record for `gc`.
    let result = registry
        .record(&endpoint)
        .and_then(|()| registry.set_last_ip(ip))
        .and_then(|()| plumb(&config, &endpoint, attach.pid))
        .inspect(|()| {
            tracing::debug!(
                "network: allocated by {allocated:?}, links by {:?}",
                started.elapsed()
            )
        })
        .and_then(|()| program_firewall(&Nftables, news, &registry, &endpoint))
        .inspect(|()| tracing::debug!("network: firewall by {:?}", started.elapsed()));
    if let Err(e) = result {
        registry.forget(&endpoint);
        let undone = teardown::undo(&Nftables, &endpoint, &registry);
        return Err(match undone {
            Ok(()) => e,
            Err(cleanup) => NetworkError::Teardown(vec![e, cleanup]),
        });
    }
    // A stale entry only delays the mapping until it expires: not fatal.
    if let Err(e) = super::firewall::conntrack::flush_udp(&endpoint.ports) {
        tracing::warn!(
            "container {}: flushing UDP conntrack entries: {e}",
            endpoint.id
        );
    }
    Ok(endpoint)
}

/// The address and host ports; an address or port held by a container that
/// no longer exists is reclaimed (its whole endpoint released) and the
/// allocation tried again.
fn allocate_reclaiming(
    registry: &Registry,
    config: &BridgeConfig,
    wanted_ip: Option<Ipv4Addr>,
    wanted_ports: &[super::ports::PortRequest],
    gone: impl Fn(&str) -> bool,
) -> Result<(Ipv4Addr, Vec<super::state::PortMap>), NetworkError> {
    loop {
        let allocated = ipam::allocate(registry, config, wanted_ip).and_then(|ip| {
            assign(wanted_ports, registry, &BindProbe, ephemeral_range()).map(|ports| (ip, ports))
        });
        let owner = match &allocated {
            Err(
                NetworkError::IpTaken { owner, .. } | NetworkError::PortAllocated { owner, .. },
            ) if gone(owner) => owner.clone(),
            _ => return allocated,
        };
        if super::gc::release(registry, &owner).is_none() {
            return allocated;
        }
    }
}

/// Bridge, veth pair and the container side's addresses and routes.
fn plumb(config: &BridgeConfig, endpoint: &Endpoint, pid: i32) -> Result<(), NetworkError> {
    let mut host = Netlink::open().map_err(|reason| NetworkError::Netlink {
        op: "open",
        target: "host socket".into(),
        reason,
    })?;
    let bridge = ensure_bridge(&mut host, config)?;
    let netns = open_netns(pid)?;
    host.create_veth(
        &endpoint.host_veth,
        bridge,
        std::os::fd::AsRawFd::as_raw_fd(&netns),
    )?;
    let veth = host
        .link(&endpoint.host_veth)?
        .ok_or_else(|| NetworkError::Netlink {
            op: "get link",
            target: endpoint.host_veth.clone(),
            reason: std::io::Error::from_raw_os_error(nix::libc::ENODEV),
        })?;
    host.set_hairpin(veth.index, &endpoint.host_veth)?;
    host.set_up(veth.index, &endpoint.host_veth)?;
    in_netns(pid, &netns, |nl| {
        nl.set_up(1, "lo")?;
        sysctl::set("ipv4/conf/eth0/rp_filter", "2")?;
        sysctl::set("ipv4/conf/eth0/arp_notify", "1")?;
        let eth0 = nl.link("eth0")?.ok_or_else(|| NetworkError::Netlink {
            op: "get link",
            target: "eth0 in the container".into(),
            reason: std::io::Error::from_raw_os_error(nix::libc::ENODEV),
        })?;
        nl.add_address(eth0.index, endpoint.ip, endpoint.subnet.prefix, "eth0")?;
        nl.set_up(eth0.index, "eth0")?;
        nl.add_default_route(endpoint.gateway)
    })
}

/// The bridge's index; created with its gateway address, sysctls and a
/// pinned MAC when missing.
fn ensure_bridge(host: &mut Netlink, config: &BridgeConfig) -> Result<u32, NetworkError> {
    let name = &config.bridge;
    let bridge = match host.link(name)? {
        Some(link) => link,
        None => {
            match host.create_bridge(name) {
                Err(NetworkError::Netlink { reason, .. })
                    if reason.raw_os_error() == Some(nix::libc::EEXIST) => {}
                other => other?,
            }
            let link = host.link(name)?.ok_or_else(|| NetworkError::Netlink {
                op: "get link",
                target: name.clone(),
                reason: std::io::Error::from_raw_os_error(nix::libc::ENODEV),
            })?;
            host.pin_mac(link.index, &link.mac, name)?;
            link
        }
    };
    host.add_address(bridge.index, config.gateway, config.subnet.prefix, name)?;
    sysctl::set("ipv4/ip_forward", "1")?;
    sysctl::set(&format!("ipv4/conf/{name}/route_localnet"), "1")?;
    sysctl::set(&format!("ipv4/conf/{name}/rp_filter"), "2")?;
    host.set_up(bridge.index, name)?;
    Ok(bridge.index)
}

/// What the endpoint is the first of.
#[derive(Debug, Clone, Copy)]
struct News {
    /// No endpoint existed: the table may be missing.
    table: bool,
    /// No endpoint used its bridge: the network's elements are missing.
    bridge: bool,
}

/// Adds the endpoint's elements (and its network's, when it is the first on
/// its bridge) in one transaction; the whole table is rebuilt from the new
/// state instead when it was empty or the incremental change fails (the
/// table was deleted by someone else, say).
fn program_firewall(
    firewall: &dyn Firewall,
    news: News,
    registry: &Registry,
    endpoint: &Endpoint,
) -> Result<(), NetworkError> {
    if news.table {
        return firewall.apply(&ruleset::rebuild_batch(&registry.load_all()));
    }
    let mut elements = Vec::new();
    if news.bridge {
        elements.extend(ruleset::network_elements(endpoint));
    }
    elements.extend(ruleset::endpoint_elements(endpoint));
    // Nothing to add (no published port, not the bridge's first endpoint): an
    // empty transaction would still cost an `nft` process.
    if elements.is_empty() {
        return Ok(());
    }
    if firewall.add_elements(&elements).is_ok() {
        return Ok(());
    }
    firewall.apply(&ruleset::rebuild_batch(&registry.load_all()))
}

/// Where a container's lease and ports are looked up (`inspect`, `port`).
pub fn endpoint_of(dir: &Path, id: &str) -> Option<Endpoint> {
    Registry::new(dir).endpoint(id).ok().flatten()
}
