//! `--network container:NAME`: the running donor's namespace, hostname,
//! domain name and `/etc` network files.

use super::error::NetworkError;
use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::status::{status, Status};
use crate::runtime::store::Store;
use crate::spec::context::{Donor, NetworkFiles};

/// The donor `name` (a name, id or id prefix), which must be running.
pub fn resolve_donor(
    settings: &Settings,
    name: &str,
) -> Result<(Donor, NetworkFiles), NetworkError> {
    let layout = Layout::new(settings);
    let store = Store::new(layout.clone());
    let id = store
        .resolve(name)
        .map_err(|_| NetworkError::NoSuchContainer(name.to_string()))?;
    let Status::Running { pid, .. } = status(&layout, &id) else {
        return Err(NetworkError::DonorNotRunning(name.to_string()));
    };
    let dir = layout.container_dir(&id);
    let spec: Option<oci_spec::runtime::Spec> =
        crate::runtime::record::read_json(&dir.join("config.json"))
            .ok()
            .flatten();
    let hostname = spec
        .as_ref()
        .and_then(|s| s.hostname().clone())
        .unwrap_or_default();
    let domainname = spec
        .as_ref()
        .and_then(|s| s.domainname().clone())
        .unwrap_or_default();
    Ok((
        Donor {
            netns_path: format!("/proc/{pid}/ns/net").into(),
            hostname,
            domainname,
        },
        NetworkFiles {
            hosts: dir.join("hosts"),
            hostname: dir.join("hostname"),
            resolv_conf: dir.join("resolv.conf"),
        },
    ))
}
