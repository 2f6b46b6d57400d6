//! Images as the docker entry sees them: Docker's name forms (`busybox` is
//! `busybox:latest` is `docker.io/library/busybox:latest`), `pull` from a
//! local tarball named in `<config-dir>/docker.toml` (before any registry),
//! and image `inspect` in Docker's shape.
//!
//! ```toml
//! # /etc/vassalrun/docker.toml
//! [images]
//! "busybox:latest" = "/srv/rootfs/busybox.tar"
//! "registry.example.com/web:1.2" = "/srv/rootfs/web-1.2.tar.zst"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};

use super::DockerError;
use crate::config::Settings;
use crate::runtime::images::{Image, ImageError, ImageStore};

pub const MAPPINGS_FILE: &str = "docker.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingsFile {
    #[serde(default)]
    images: BTreeMap<String, PathBuf>,
}

/// The names Docker treats as `reference`, most specific first.
pub fn candidates(reference: &str) -> Vec<String> {
    let bare = reference
        .strip_prefix("docker.io/library/")
        .or_else(|| reference.strip_prefix("docker.io/"))
        .or_else(|| reference.strip_prefix("library/"))
        .unwrap_or(reference);
    let last = bare.rsplit('/').next().unwrap_or(bare);
    let mut names = vec![reference.to_string(), bare.to_string()];
    match bare.strip_suffix(":latest") {
        Some(untagged) => names.push(untagged.to_string()),
        None if !last.contains(':') && !last.contains('@') => names.push(format!("{bare}:latest")),
        None => {}
    }
    names.dedup();
    names
}

/// The stored image `reference` names, in any of Docker's forms.
pub fn find(store: &ImageStore, reference: &str) -> Result<Option<(String, Image)>, ImageError> {
    for name in candidates(reference) {
        match store.get(&name) {
            // The name as stored, when a normalised form found it.
            Ok(image) => return Ok(Some((store.stored_name(&name).unwrap_or(name), image))),
            Err(ImageError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// `<config-dir>/docker.toml`'s image mappings (none when it is missing).
fn mappings(settings: &Settings) -> Result<BTreeMap<String, PathBuf>, DockerError> {
    let path = settings.config_dir.join(MAPPINGS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(reason) => return Err(DockerError::Read { path, reason }),
    };
    let file: MappingsFile = toml::from_str(&text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start).min(text.len());
        DockerError::Config {
            line: text[..offset].matches('\n').count() + 1,
            reason: e.message().trim().replace('\n', " "),
            path: path.clone(),
        }
    })?;
    Ok(file.images)
}

/// What a local `pull` found.
pub enum Pulled {
    /// Already in the store (under this name).
    Present(String),
    /// Imported from the mapped tarball or directory.
    Imported(PathBuf),
}

/// A `pull` served without a registry: the image is mapped in `docker.toml`
/// (imported under the name asked for unless stored), or stored as an
/// imported rootfs (no registry has it). `None`: ask the registry, which
/// downloads nothing when the stored layered image is current.
pub fn pull_local(settings: &Settings, reference: &str) -> Result<Option<Pulled>, DockerError> {
    let store = ImageStore::of(settings);
    let stored = find(&store, reference)?;
    let mappings = mappings(settings)?;
    let source = candidates(reference)
        .iter()
        .find_map(|name| mappings.get(name).cloned());
    match (stored, source) {
        (Some((name, image)), source) if source.is_some() || image.layers.is_empty() => {
            Ok(Some(Pulled::Present(name)))
        }
        (None, Some(source)) => {
            store.import(&source, Some(reference), &[])?;
            Ok(Some(Pulled::Imported(source)))
        }
        _ => Ok(None),
    }
}

/// The IMAGE to hand to `run`/`create`: a path stays a path; a name becomes
/// the stored name Docker would match, imported from its mapping if need be;
/// anything else is left for `create`, which pulls it (`--pull missing`).
pub fn for_run(settings: &Settings, image: &str) -> Result<String, DockerError> {
    if Path::new(image).exists() {
        return Ok(image.to_string());
    }
    if let Some((name, _)) = find(&ImageStore::of(settings), image)? {
        return Ok(name);
    }
    match pull_local(settings, image)? {
        Some(Pulled::Present(name)) => Ok(name),
        _ => Ok(image.to_string()),
    }
}

fn docker_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// One image as `docker image inspect` shows it (Mesos reads
/// `ContainerConfig.Entrypoint` and `ContainerConfig.Env`).
pub fn inspect(store: &ImageStore, image: &Image) -> Value {
    let names: Vec<String> = store
        .list()
        .unwrap_or_default()
        .into_iter()
        .filter(|row| row.digest == image.digest)
        .filter_map(|row| row.name)
        .collect();
    let c = &image.config;
    let config = json!({
        "User": c.user,
        "Env": if c.env.is_empty() { Value::Null } else { json!(c.env) },
        "Cmd": c.cmd,
        "Entrypoint": c.entrypoint,
        "WorkingDir": c.working_dir,
        "Labels": c.labels,
        "ExposedPorts": c.exposed_ports,
        "StopSignal": c.stop_signal,
    });
    json!({
        "Id": image.digest,
        "RepoTags": names,
        "RepoDigests": [],
        "Created": image.created,
        "Size": image.size,
        "Os": "linux",
        "Architecture": docker_arch(),
        "Config": config,
        "ContainerConfig": config,
        "RootFS": {"Type": "layers", "Layers": []},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_candidates_docker_name_forms() {
        assert_eq!(candidates("busybox"), ["busybox", "busybox:latest"]);
        assert_eq!(candidates("busybox:latest"), ["busybox:latest", "busybox"]);
        assert_eq!(
            candidates("docker.io/library/busybox:latest"),
            [
                "docker.io/library/busybox:latest",
                "busybox:latest",
                "busybox"
            ]
        );
        assert_eq!(
            candidates("reg:5000/web"),
            ["reg:5000/web", "reg:5000/web:latest"]
        );
        assert_eq!(candidates("web:1.2"), ["web:1.2"]);
    }
}
