//! The network state on disk, one small file per fact, so that a setup or a
//! teardown reads and writes a handful of files whatever the number of
//! containers (a whole-state file made the 500th container pay for the 499
//! before it):
//!
//! ```text
//! <run dir>/network/
//!   net.lock                      the lock every change holds
//!   last_ip                       10.89.0.7 (round-robin allocation restarts after it)
//!   endpoints/<id>.json           the endpoint record: exact values, for exact teardown
//!   leases/10.89.0.7              <id>
//!   ports/tcp-8080/0.0.0.0        <id>   (one file per host address of a published port)
//!   bridges/vassal0/<id>          the bridge's users
//! ```
//!
//! The endpoint record is the truth; the other files are its index, written
//! after it and removed before it.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use super::endpoint::{Endpoint, PortMap};
use super::ipam::Leases;
use super::store::NetState;
use crate::network::error::NetworkError;
use crate::network::ports::PortOwners;

pub struct Registry {
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> NetworkError + '_ {
    move |reason| NetworkError::Io {
        path: path.to_path_buf(),
        reason,
    }
}

/// Names in `dir` (none when it does not exist).
fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

fn non_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

fn write(path: &Path, text: &str) -> Result<(), NetworkError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    crate::runtime::record::write_volatile_atomic(path, text.as_bytes()).map_err(|e| {
        NetworkError::State {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })
}

fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

impl Registry {
    pub fn new(dir: &Path) -> Registry {
        Registry {
            dir: dir.to_path_buf(),
        }
    }

    /// Whether any container ever had a bridge endpoint here.
    pub fn exists(&self) -> bool {
        self.dir.join("endpoints").is_dir()
    }

    fn endpoint_path(&self, id: &str) -> PathBuf {
        self.dir.join("endpoints").join(format!("{id}.json"))
    }

    fn lease_path(&self, ip: Ipv4Addr) -> PathBuf {
        self.dir.join("leases").join(ip.to_string())
    }

    fn port_dir(&self, port: &PortMap) -> PathBuf {
        self.dir
            .join("ports")
            .join(format!("{}-{}", port.proto, port.host_port))
    }

    fn port_path(&self, port: &PortMap) -> PathBuf {
        let ip = port.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED);
        self.port_dir(port).join(ip.to_string())
    }

    fn member_path(&self, bridge: &str, id: &str) -> PathBuf {
        self.dir.join("bridges").join(bridge).join(id)
    }

    pub fn endpoint(&self, id: &str) -> Result<Option<Endpoint>, NetworkError> {
        let path = self.endpoint_path(id);
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| NetworkError::State {
                        path,
                        reason: e.to_string(),
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(reason) => Err(NetworkError::Io { path, reason }),
        }
    }

    /// Whether any endpoint is recorded.
    pub fn any_endpoint(&self) -> bool {
        non_empty(&self.dir.join("endpoints"))
    }

    /// Whether any endpoint uses `bridge`.
    pub fn bridge_in_use(&self, bridge: &str) -> bool {
        non_empty(&self.dir.join("bridges").join(bridge))
    }

    pub fn set_last_ip(&self, ip: Ipv4Addr) -> Result<(), NetworkError> {
        write(&self.dir.join("last_ip"), &ip.to_string())
    }

    /// Records `endpoint`: its record first, then the index files.
    pub fn record(&self, endpoint: &Endpoint) -> Result<(), NetworkError> {
        let path = self.endpoint_path(&endpoint.id);
        let json = serde_json::to_string(endpoint).map_err(|e| NetworkError::State {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write(&path, &json)?;
        write(&self.lease_path(endpoint.ip), &endpoint.id)?;
        for port in &endpoint.ports {
            write(&self.port_path(port), &endpoint.id)?;
        }
        write(&self.member_path(&endpoint.bridge, &endpoint.id), "")
    }

    /// Forgets `endpoint`: index files first (only those still naming it), then the record.
    pub fn forget(&self, endpoint: &Endpoint) {
        let ours = |path: &Path| std::fs::read_to_string(path).is_ok_and(|o| o == endpoint.id);
        let lease = self.lease_path(endpoint.ip);
        if ours(&lease) {
            remove(&lease);
        }
        for port in &endpoint.ports {
            let path = self.port_path(port);
            if ours(&path) {
                remove(&path);
                let _ = std::fs::remove_dir(self.port_dir(port));
            }
        }
        remove(&self.member_path(&endpoint.bridge, &endpoint.id));
        remove(&self.endpoint_path(&endpoint.id));
    }

    /// Index files whose endpoint record is gone (a crash between writes);
    /// one line per file removed.
    pub fn sweep_orphans(&self) -> Vec<String> {
        let recorded = |id: &str| self.endpoint_path(id).exists();
        let mut lines = Vec::new();
        let mut sweep = |path: PathBuf, owner: String| {
            if !recorded(&owner) {
                remove(&path);
                lines.push(format!("network index {}", path.display()));
            }
        };
        for ip in names(&self.dir.join("leases")) {
            let path = self.dir.join("leases").join(ip);
            if let Ok(owner) = std::fs::read_to_string(&path) {
                sweep(path, owner);
            }
        }
        for port in names(&self.dir.join("ports")) {
            let port_dir = self.dir.join("ports").join(port);
            for held in names(&port_dir) {
                let path = port_dir.join(held);
                if let Ok(owner) = std::fs::read_to_string(&path) {
                    sweep(path, owner);
                }
            }
            let _ = std::fs::remove_dir(&port_dir);
        }
        for bridge in names(&self.dir.join("bridges")) {
            let bridge_dir = self.dir.join("bridges").join(bridge);
            for id in names(&bridge_dir) {
                sweep(bridge_dir.join(&id), id);
            }
        }
        lines
    }

    /// Every endpoint (for a table rebuild, `gc`); unreadable records are skipped.
    pub fn load_all(&self) -> NetState {
        let endpoints = names(&self.dir.join("endpoints"))
            .iter()
            .filter_map(|n| n.strip_suffix(".json"))
            .filter_map(|id| self.endpoint(id).ok().flatten())
            .map(|e| (e.id.clone(), e))
            .collect();
        NetState {
            last_ip: self.last(),
            endpoints,
        }
    }
}

impl Leases for Registry {
    fn owner(&self, ip: Ipv4Addr) -> Option<String> {
        std::fs::read_to_string(self.lease_path(ip)).ok()
    }

    fn last(&self) -> Option<Ipv4Addr> {
        std::fs::read_to_string(self.dir.join("last_ip"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }
}

impl PortOwners for Registry {
    /// The owner of a mapping clashing with `port`: same protocol and port on
    /// the same address, or on every address on either side.
    fn port_owner(&self, port: &PortMap) -> Option<String> {
        let dir = self.port_dir(port);
        let wanted = port.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED).to_string();
        names(&dir)
            .into_iter()
            .find(|held| port.host_ip.is_none() || *held == wanted || held == "0.0.0.0")
            .and_then(|held| std::fs::read_to_string(dir.join(held)).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::settings::Subnet;
    use crate::network::state::Proto;

    fn endpoint(id: &str, ip: &str, ports: Vec<PortMap>) -> Endpoint {
        Endpoint {
            id: id.into(),
            bridge: "vr0".into(),
            subnet: Subnet::parse("10.9.0.0/24").unwrap(),
            gateway: "10.9.0.1".parse().unwrap(),
            ip: ip.parse().unwrap(),
            host_veth: format!("vr{id}"),
            ports,
        }
    }

    fn port(host_ip: Option<&str>, host_port: u16) -> PortMap {
        PortMap {
            proto: Proto::Tcp,
            host_ip: host_ip.map(|i| i.parse().unwrap()),
            host_port,
            container_port: 80,
        }
    }

    #[test]
    fn test_registry_record_query_forget() {
        let dir = tempfile::tempdir().unwrap();
        let r = Registry::new(dir.path());
        assert!(!r.any_endpoint());
        let a = endpoint("a", "10.9.0.2", vec![port(Some("127.0.0.1"), 8080)]);
        r.record(&a).unwrap();
        r.set_last_ip(a.ip).unwrap();
        assert!(r.any_endpoint() && r.bridge_in_use("vr0"));
        assert_eq!(r.owner(a.ip).as_deref(), Some("a"));
        assert_eq!(r.last(), Some(a.ip));
        // A wildcard clashes with a specific address, another address does not.
        assert_eq!(r.port_owner(&port(None, 8080)).as_deref(), Some("a"));
        assert_eq!(
            r.port_owner(&port(Some("127.0.0.1"), 8080)).as_deref(),
            Some("a")
        );
        assert_eq!(r.port_owner(&port(Some("192.0.2.1"), 8080)), None);
        assert_eq!(r.load_all().endpoints.len(), 1);
        r.forget(&a);
        assert!(!r.any_endpoint() && !r.bridge_in_use("vr0"));
        assert_eq!(r.owner(a.ip), None);
        assert_eq!(r.port_owner(&port(None, 8080)), None);
        assert!(!dir.path().join("ports/tcp-8080").exists());
    }
}
