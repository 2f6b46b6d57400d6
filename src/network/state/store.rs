//! `<run dir>/network/state.json`: every endpoint (its lease and ports) and
//! the last address handed out. Read and written whole under [`super::NetLock`],
//! written atomically (temp file + rename).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::endpoint::{Endpoint, PortMap};
use crate::network::error::NetworkError;

/// ```json
/// {"last_ip": "10.89.0.3", "endpoints": {"<id>": {"ip": "10.89.0.3", "ports": [...], ...}}}
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NetState {
    /// The last address allocated: the next search starts after it.
    #[serde(default)]
    pub last_ip: Option<Ipv4Addr>,
    #[serde(default)]
    pub endpoints: BTreeMap<String, Endpoint>,
}

pub fn state_file(dir: &Path) -> PathBuf {
    dir.join("state.json")
}

impl NetState {
    pub fn load(dir: &Path) -> Result<NetState, NetworkError> {
        let path = state_file(dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| NetworkError::State {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(NetState::default()),
            Err(reason) => Err(NetworkError::Io { path, reason }),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), NetworkError> {
        let path = state_file(dir);
        let bytes = serde_json::to_vec(self).map_err(|e| NetworkError::State {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        crate::runtime::record::write_atomic(&path, &bytes).map_err(|e| NetworkError::State {
            path,
            reason: e.to_string(),
        })
    }

    /// The endpoint already publishing a port that clashes with `port`.
    pub fn port_owner(&self, port: &PortMap) -> Option<&str> {
        self.endpoints
            .values()
            .find(|e| e.ports.iter().any(|p| p.clashes(port)))
            .map(|e| e.id.as_str())
    }

    /// Whether another endpoint still uses `bridge`.
    pub fn bridge_in_use(&self, bridge: &str) -> bool {
        self.endpoints.values().any(|e| e.bridge == bridge)
    }
}
