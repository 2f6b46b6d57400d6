//! Layered images in the store: an image made of stored layers, named by the
//! digest of its configuration (Docker's image ID), and the sizes and pruning
//! that come with sharing layers.
//!
//! ```text
//! images/sha256/<config hex>/
//!   meta.json     digest, created, size (of all its layers), source
//!   image.json    the ImageConfig taken from the config's `config`
//!   config.json   the image configuration exactly as loaded (its digest is the ID)
//!   layers.json   {"layers": ["sha256:…", …]}, bottom first
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::index::{self, io_error, read_json, write_json};
use super::layers::Layers;
use super::oci::ConfigFile;
use super::store::{now_rfc3339, TempDir};
use super::{Image, ImageError, ImageStore};

#[derive(Debug, Default, Serialize, Deserialize)]
struct LayerList {
    layers: Vec<String>,
}

/// `meta.json` as [`ImageStore`] reads it.
#[derive(Debug, Serialize)]
struct Record<'a> {
    digest: &'a str,
    created: String,
    size: u64,
    source: &'a Path,
}

/// The layer digests of the image in `dir` (none for an imported rootfs).
pub fn read_layers(dir: &Path) -> Result<Vec<String>, ImageError> {
    Ok(read_json::<LayerList>(&dir.join("layers.json"))?
        .unwrap_or_default()
        .layers)
}

/// Shared and unique bytes of one image's layers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// In layers another image uses too.
    pub shared: u64,
    /// In layers only this image uses (all of an imported rootfs).
    pub unique: u64,
}

impl ImageStore {
    pub fn layer_store(&self) -> Layers {
        Layers::new(self.dir()).with_limits(self.limits)
    }

    /// Records an image made of already stored `layers` (bottom first) with
    /// the configuration `config` (raw bytes, whose sha256 is the image's
    /// digest) and gives it `names`. Content already stored is kept.
    pub fn commit_layered(
        &self,
        config: &[u8],
        layers: &[String],
        names: &[String],
        source: &Path,
    ) -> Result<Image, ImageError> {
        let digest = super::load::sha256(config);
        let parsed =
            ConfigFile::parse(config).map_err(|reason| super::load::LoadError::Format {
                path: source.to_path_buf(),
                reason,
            })?;
        for name in names {
            super::store::validate_name(name)?;
        }
        self.ensure_dirs()?;
        let store = self.layer_store();
        let tmp = TempDir::create(&self.tmp_dir())?;
        let size = layers.iter().map(|l| store.size(l)).sum();
        write_json(&tmp.path.join("image.json"), &parsed.image_config())?;
        write_json(
            &tmp.path.join("layers.json"),
            &LayerList {
                layers: layers.to_vec(),
            },
        )?;
        let config_path = tmp.path.join("config.json");
        fs::write(&config_path, config).map_err(io_error(&config_path))?;
        let record = Record {
            digest: &digest,
            created: now_rfc3339(),
            size,
            source,
        };
        write_json(&tmp.path.join("meta.json"), &record)?;
        // Callers hold the layers lock shared: no prune takes these away now.
        if let Some(missing) = layers.iter().find(|l| !store.exists(l)) {
            return Err(io_error(&store.root(missing))(
                std::io::ErrorKind::NotFound.into(),
            ));
        }
        self.commit(tmp, &digest, None)?;
        if !names.is_empty() {
            let _lock = self.lock()?;
            let mut index = index::read(self.dir())?;
            for name in names {
                index.names.insert(name.clone(), digest.clone());
            }
            index::write(self.dir(), &index)?;
        }
        self.load(&digest)
    }

    /// The stored name `reference` finds: itself, or the one name that
    /// normalises to the same reference (`busybox` for `docker.io/library/busybox`).
    pub fn stored_name(&self, reference: &str) -> Option<String> {
        let index = index::read(self.dir()).ok()?;
        if index.names.contains_key(reference) {
            return Some(reference.to_string());
        }
        let wanted = super::reference::Reference::parse(reference).ok()?;
        let mut found = index
            .names
            .keys()
            .filter(|name| super::reference::Reference::parse(name).is_ok_and(|r| r == wanted));
        let first = found.next()?.clone();
        found.next().is_none().then_some(first)
    }

    /// The raw configuration of a layered image (`None` for an imported rootfs).
    pub fn raw_config(&self, image: &Image) -> Result<Option<Vec<u8>>, ImageError> {
        let path = image.dir.join("config.json");
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path)(e)),
        }
    }

    /// Every stored image, by digest.
    pub fn images(&self) -> Result<Vec<Image>, ImageError> {
        let mut images = Vec::new();
        for digest in self.digests()? {
            match self.load(&digest) {
                Ok(image) => images.push(image),
                Err(ImageError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(images)
    }

    /// Shared and unique size of every image, by digest.
    pub fn usage(&self) -> Result<HashMap<String, Usage>, ImageError> {
        let images = self.images()?;
        let mut users: HashMap<&str, usize> = HashMap::new();
        for image in &images {
            for layer in image.layers.iter().collect::<HashSet<_>>() {
                *users.entry(layer).or_default() += 1;
            }
        }
        let store = self.layer_store();
        let mut usage = HashMap::new();
        for image in &images {
            let mut u = Usage::default();
            if image.layers.is_empty() {
                u.unique = image.size;
            }
            for layer in image.layers.iter().collect::<HashSet<_>>() {
                let size = store.size(layer);
                if users.get(layer.as_str()).copied().unwrap_or(0) > 1 {
                    u.shared += size;
                } else {
                    u.unique += size;
                }
            }
            usage.insert(image.digest.clone(), u);
        }
        Ok(usage)
    }

    /// Deletes the layers no stored image lists and no container's overlay
    /// (`in_use`: lower directories of every container) stacks. Skipped,
    /// returning nothing, while a load or pull holds the layers lock.
    pub fn prune_layers(&self, in_use: &HashSet<PathBuf>) -> Result<Vec<String>, ImageError> {
        let store = self.layer_store();
        let Some(_layers_lock) = store.try_lock_exclusive()? else {
            tracing::debug!("layers busy: a load or pull is under way; not pruning");
            return Ok(Vec::new());
        };
        let _lock = self.lock()?;
        let mut keep: HashSet<String> = HashSet::new();
        for image in self.images()? {
            keep.extend(image.layers);
        }
        for digest in store.all() {
            if in_use.contains(&store.root(&digest)) {
                keep.insert(digest);
            }
        }
        store.remove_unused(&keep, &self.tmp_dir())
    }

    /// `image prune`: removes unnamed images (all unused ones with `all`)
    /// that no container uses, then unreferenced layers. `in_use` holds the
    /// lower directories of every container.
    pub fn prune(&self, all: bool, in_use: &HashSet<PathBuf>) -> Result<Pruned, ImageError> {
        let names = index::read(self.dir())?;
        let named: BTreeMap<String, Vec<String>> = self
            .digests()?
            .into_iter()
            .map(|d| (d.clone(), names.names_of(&d)))
            .collect();
        let mut pruned = Pruned::default();
        for image in self.images()? {
            let image_names = named.get(&image.digest).cloned().unwrap_or_default();
            if !all && !image_names.is_empty() {
                continue;
            }
            if super::layers::lower_dirs(&image.lower())
                .iter()
                .any(|d| in_use.contains(d))
                || in_use.contains(&image.lower())
            {
                continue;
            }
            let removed = self.remove(&image.digest, true, |_| None)?;
            pruned.untagged.extend(removed.untagged);
            pruned.deleted.extend(removed.deleted);
        }
        pruned.layers = self.prune_layers(in_use)?;
        pruned.partial = super::registry::partial::prune(&self.tmp_dir());
        Ok(pruned)
    }
}

/// What [`ImageStore::prune`] removed.
#[derive(Debug, Default)]
pub struct Pruned {
    pub untagged: Vec<String>,
    pub deleted: Vec<String>,
    pub layers: Vec<String>,
    /// Partial downloads of interrupted pulls removed.
    pub partial: usize,
}
