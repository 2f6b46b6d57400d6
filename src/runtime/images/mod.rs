//! The image store: root filesystems imported from tarballs or directories,
//! found by name, digest or digest prefix, and, wherever an IMAGE is expected,
//! by the path of a tarball or directory (imported on first use and cached by
//! content digest).
//!
//! On disk, under the state root:
//!
//! ```text
//! images/
//!   index.json            {"names": {"<name>": "sha256:<hex>"}}
//!   index.lock            flock held for every change to the store
//!   sha256/<hex>/         one image, named by its digest
//!     rootfs/             the unpacked root filesystem
//!     image.json          its ImageConfig (Cmd, Env, … from --change)
//!     meta.json           digest, created (RFC 3339 UTC), size, source path
//!   tmp/<random>/         imports in progress and images being deleted
//! ```
//!
//! The digest is the sha256 of the tarball's bytes as read (compressed or
//! not), or of a deterministic walk of a directory (paths, types, owners,
//! modes, mtimes, xattrs, link targets and content). An import unpacks into
//! `tmp/` (flocked while in use, so a later import removes it if its process
//! died) and is `rename`d into `sha256/<hex>/`: of two processes importing the
//! same content, the first rename wins and the other discards its copy.
//! One image (and one `image.json`) exists per digest, so names pointing at
//! the same content share its configuration: an import with `--change` over
//! existing content replaces that configuration; one without leaves it.
//!
//! Unpacking never writes outside the image or through a symlink (see
//! `confined.rs`), refuses `..` in names and hard links to anything but an
//! earlier entry, and skips character and block device nodes (FIFOs are kept):
//! the runtime builds each container's `/dev` itself, and a device node
//! shipped in an image would give the container a way to the host's devices.

mod change;
mod confined;
pub(crate) mod copy_dir;
mod digest;
mod index;
mod layered;
pub mod layers;
pub mod load;
pub mod oci;
mod progress;
pub mod pull_policy;
pub mod reference;
pub mod registry;
mod save;
mod store;
#[cfg(test)]
mod tests;
mod unpack;

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::spec::image::ImageConfig;

pub use change::{apply_change, apply_changes, ChangeError};
pub use confined::{PathError, RelPath, WriteError};
pub use store::ImageStore;
pub use unpack::ImportError;

#[derive(Debug, Error)]
pub enum ImageError {
    #[error("image import {path}: {reason}")]
    Import { path: PathBuf, reason: ImportError },
    #[error("No such image: {0} (pull it with `vassalrun pull {0}`, or import a rootfs tarball with `vassalrun image import TARBALL {0}`)")]
    NotFound(String),
    #[error("multiple images found with provided prefix: {0}")]
    Ambiguous(String),
    #[error("invalid image name {name:?}: {reason}")]
    InvalidName { name: String, reason: &'static str },
    #[error(
        "conflict: unable to remove image \"{reference}\" (must force) - container {container} is using its referenced image {short}",
        short = digest::short(.digest)
    )]
    InUse {
        reference: String,
        container: String,
        digest: String,
    },
    #[error(
        "conflict: unable to delete {short} (must be forced) - image is referenced by several names: {names}",
        short = digest::short(.digest),
        names = .names.join(", ")
    )]
    SeveralNames { digest: String, names: Vec<String> },
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error(transparent)]
    Load(#[from] load::LoadError),
    #[error(transparent)]
    Pull(#[from] registry::PullError),
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: io::Error },
    #[error("{path}: {reason}")]
    Json {
        path: PathBuf,
        reason: serde_json::Error,
    },
}

/// A stored image.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// `sha256:<hex>`.
    pub digest: String,
    /// `images/sha256/<hex>`: holds `rootfs/` and `image.json`.
    pub dir: PathBuf,
    /// RFC 3339, UTC.
    pub created: String,
    /// Bytes on disk of the rootfs (each hard-linked file counted once).
    pub size: u64,
    /// The tarball or directory it was first imported from.
    pub source: PathBuf,
    pub config: ImageConfig,
    /// The layer digests, bottom first; empty for an imported rootfs.
    pub layers: Vec<String>,
}

impl Image {
    pub fn rootfs(&self) -> PathBuf {
        self.dir.join("rootfs")
    }

    /// The overlay lower directory: the rootfs, or the layers top-most first
    /// joined by `:` as overlayfs's `lowerdir=` takes them.
    pub fn lower(&self) -> PathBuf {
        if self.layers.is_empty() {
            return self.rootfs();
        }
        let images = self
            .dir
            .parent()
            .and_then(Path::parent)
            .unwrap_or(&self.dir);
        let layers = layers::Layers::new(images);
        let dirs: Vec<String> = self
            .layers
            .iter()
            .rev()
            .map(|d| layers.root(d).display().to_string())
            .collect();
        PathBuf::from(dirs.join(":"))
    }

    /// The first 12 hex digits of the digest.
    pub fn short_digest(&self) -> &str {
        digest::short(&self.digest)
    }
}

/// One row of [`ImageStore::list`]: an image under one name, or unnamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSummary {
    pub name: Option<String>,
    pub digest: String,
    pub size: u64,
    pub created: String,
}

/// What [`ImageStore::remove`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// Names removed.
    pub untagged: Vec<String>,
    /// The digest of the image deleted, when no name was left pointing at it.
    pub deleted: Option<String>,
}
