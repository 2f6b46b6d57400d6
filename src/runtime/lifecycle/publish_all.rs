//! `-P`/`--publish-all`: every port the container exposes (its `--expose`
//! and `-p` ports and the image's `EXPOSE`) that has no binding gets one to
//! an ephemeral host port, as dockerd does when it creates the container.
//! Done before create so the network sees ordinary `-p CTRPORT` bindings.

use super::LifecycleError;
use crate::config::Settings;
use crate::runtime::images::ImageStore;
use crate::spec::model::PortBinding;
use crate::spec::CreateRequest;

/// `request` with `-P` expanded into port bindings (unchanged without `-P`).
pub fn expand(
    settings: &Settings,
    mut request: CreateRequest,
) -> Result<CreateRequest, LifecycleError> {
    if !request.host.publish_all_ports {
        return Ok(request);
    }
    let image = ImageStore::of(settings).resolve(&request.config.image)?;
    let exposed: Vec<String> = image
        .config
        .exposed_ports
        .keys()
        .chain(request.config.exposed_ports.keys())
        .cloned()
        .collect();
    for port in exposed {
        request
            .host
            .port_bindings
            .entry(port)
            .or_insert_with(|| vec![PortBinding::default()]);
    }
    Ok(request)
}
