//! Gathering the [`SpecContext`] for a container: the I/O the pure spec builder
//! must not do (image user database, host facts, init binary, seccomp file,
//! bind-source checks), and where the container's files will live.

use std::path::{Path, PathBuf};

use rand::RngCore;
use thiserror::Error;

use super::image_source::{ImageSource, ImageSourceError};
use super::init_binary::find_init_binary;
use crate::config::Settings;
use crate::spec::context::{NetworkFiles, SeccompFile};
use crate::spec::mounts::{bind_sources, parse_user_mounts, MountError};
use crate::spec::namespaces::NetworkMode;
use crate::spec::security::{self, SeccompChoice};
use crate::spec::{host, CreateRequest, SpecContext, SpecError};

#[derive(Debug, Error)]
pub enum PrepareError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Image(#[from] ImageSourceError),
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),
    #[error("--security-opt seccomp={path}: opening seccomp profile failed: {reason}")]
    SeccompFile {
        path: String,
        reason: std::io::Error,
    },
}

impl From<MountError> for PrepareError {
    fn from(e: MountError) -> Self {
        PrepareError::Spec(SpecError::Mount(e))
    }
}

/// A new container id: 64 random hex digits, as Docker's.
pub fn new_container_id() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The image a container is built from, as far as the spec needs it.
#[derive(Debug, Clone, Default)]
pub struct ImageInfo {
    /// The unpacked rootfs, when the image is in the store.
    pub rootfs: Option<PathBuf>,
    pub config: crate::spec::image::ImageConfig,
}

impl ImageInfo {
    /// What `spec` may know without side effects: a stored image by name or
    /// digest; a rootfs directory or tarball is read in place; else nothing.
    pub fn lookup(settings: &Settings, image: &str) -> ImageInfo {
        let ImageSource::Name(name) = ImageSource::classify(image) else {
            return ImageInfo::default();
        };
        match super::images::ImageStore::of(settings).get(&name) {
            Ok(stored) => ImageInfo {
                rootfs: Some(stored.lower()),
                config: stored.config,
            },
            Err(_) => ImageInfo::default(),
        }
    }
}

/// Everything the spec builder needs for `request` as container `id`.
pub fn spec_context(
    settings: &Settings,
    request: &CreateRequest,
    id: &str,
    info: &ImageInfo,
) -> Result<SpecContext, PrepareError> {
    let image = match &info.rootfs {
        Some(rootfs) => ImageSource::from_lower(rootfs),
        None => ImageSource::classify(&request.config.image),
    };
    let dir = super::layout::Layout::new(settings).container_dir(id);
    check_bind_sources(request)?;
    let network = NetworkMode::parse(&request.host.network_mode)?;
    // `container:NAME` shares the running donor's namespace and /etc files.
    let (donor, network_files) = match network {
        NetworkMode::Container(name) => {
            // Docker refuses conflicting flags before looking the donor up.
            crate::spec::build::check_network_conflicts(
                &NetworkMode::Container(name.clone()),
                &request.config,
                &request.host,
            )?;
            let (donor, files) = crate::network::donor::resolve_donor(settings, &name)?;
            (Some(donor), Some(files))
        }
        _ => (
            None,
            Some(NetworkFiles {
                hosts: dir.join("hosts"),
                hostname: dir.join("hostname"),
                resolv_conf: dir.join("resolv.conf"),
            }),
        ),
    };
    let init_binary = if request.host.init == Some(true) {
        let path = std::env::var("PATH").ok();
        find_init_binary(settings.init_path.as_deref(), path.as_deref())
    } else {
        None
    };
    Ok(SpecContext {
        id: id.to_string(),
        rootfs: dir.join("rootfs"),
        image: info.config.clone(),
        users: image.user_db()?,
        donor,
        network_files,
        init_binary,
        cgroup_parent: settings.cgroup_parent.clone(),
        seccomp_profile: read_seccomp_file(request)?,
        host: host::detect(request.host.privileged),
    })
}

/// Bind sources must exist: Docker would create a missing `-v` source as root,
/// which hides typos and litters the host.
fn check_bind_sources(request: &CreateRequest) -> Result<(), PrepareError> {
    let mounts = parse_user_mounts(&request.host)?;
    match bind_sources(&mounts)
        .into_iter()
        .find(|p| !Path::new(p).exists())
    {
        Some(missing) => Err(MountError::Missing(missing.display().to_string()).into()),
        None => Ok(()),
    }
}

fn read_seccomp_file(request: &CreateRequest) -> Result<Option<SeccompFile>, PrepareError> {
    let security = security::parse(&request.host.security_opt)?;
    let SeccompChoice::File(path) = security.seccomp else {
        return Ok(None);
    };
    let contents = std::fs::read_to_string(&path).map_err(|reason| PrepareError::SeccompFile {
        path: path.clone(),
        reason,
    })?;
    Ok(Some(SeccompFile { path, contents }))
}
