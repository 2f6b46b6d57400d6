//! `pull`: images from a registry over the OCI distribution API.
//!
//! The manifest (or the index, of which the entry for the wanted platform is
//! taken) and the image configuration are fetched and checked; the layers not
//! stored yet (by diff ID) are downloaded in parallel into their partial files
//! under `tmp/partial/` (see `partial.rs`), each checked against its digest
//! and size; only when all are in are they unpacked as layers and the image
//! recorded. A failed or interrupted pull so leaves no image and no layer,
//! only the bytes it received, which the next pull continues with a `Range`
//! request; a second pull of the same image downloads no blob.

mod client;
mod credentials;
mod insecure;
pub mod partial;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use thiserror::Error;

pub use insecure::is_insecure;

use super::oci::{ConfigFile, Descriptor, Document, Manifest, Platform};
use super::progress::Progress;
use super::reference::Reference;
use super::store::TempDir;
use super::{digest, Image, ImageError, ImageStore};
use client::Client;

/// Layers downloaded at once.
const PARALLEL: usize = 3;

#[derive(Debug, Error)]
pub enum PullError {
    #[error("{url}: {reason}")]
    Http { url: String, reason: String },
    #[error("{url}: unexpected HTTP status {status}")]
    Status { url: String, status: u16 },
    #[error("pull access denied for {name}: {}", if *.with_credentials { "the registry refused the credentials in Docker's config.json" } else { "repository does not exist or may require 'docker login' (no credentials for it in Docker's config.json)" })]
    Denied {
        name: String,
        with_credentials: bool,
    },
    #[error("{name}: not found ({what})")]
    NotFound { name: String, what: String },
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{name}: {reason}")]
    Invalid { name: String, reason: String },
    #[error("{name}: no image for platform {platform}")]
    NoPlatform { name: String, platform: String },
}

pub struct PullOptions {
    pub platform: Platform,
    /// Plain HTTP allowed (after HTTPS fails), as for Docker's insecure-registries.
    pub insecure: bool,
    /// Print progress lines on stderr (a bar when it is a terminal).
    pub quiet: bool,
}

/// What a pull did.
pub struct Pulled {
    pub image: Image,
    /// The name recorded (familiar form).
    pub name: String,
    /// Layers downloaded; 0 when everything was there.
    pub downloaded: usize,
    /// The digest of the manifest (or index) asked for: Docker's `Digest:` line.
    pub manifest_digest: String,
}

impl ImageStore {
    /// Pulls `reference` into the store and names it.
    pub fn pull(&self, reference: &Reference, options: &PullOptions) -> Result<Pulled, ImageError> {
        let client = Client::new(reference, options.insecure);
        let name = reference.familiar();
        let invalid = |reason: String| PullError::Invalid {
            name: name.clone(),
            reason,
        };
        let (bytes, manifest_digest) = client.manifest(reference.manifest_reference())?;
        let manifest = match Document::parse(&bytes).map_err(invalid)? {
            Document::Manifest(manifest) => manifest,
            Document::Index(index) => {
                let chosen = choose(&index.manifests, &options.platform).ok_or_else(|| {
                    PullError::NoPlatform {
                        name: name.clone(),
                        platform: options.platform.to_string(),
                    }
                })?;
                let (bytes, _) = client.manifest(&chosen.digest)?;
                match Document::parse(&bytes).map_err(invalid)? {
                    Document::Manifest(manifest) => manifest,
                    Document::Index(_) => return Err(invalid("nested image index".into()).into()),
                }
            }
        };
        check_manifest(&manifest).map_err(invalid)?;
        let config = client.small_blob(&manifest.config.digest)?;
        let parsed = ConfigFile::parse(&config).map_err(invalid)?;
        if parsed.diff_ids().len() != manifest.layers.len() {
            return Err(invalid(format!(
                "manifest lists {} layers, its config {}",
                manifest.layers.len(),
                parsed.diff_ids().len()
            ))
            .into());
        }
        let diff_ids = parsed.diff_ids().to_vec();
        if let Some(bad) = diff_ids.iter().find(|d| !digest::is_full(d)) {
            return Err(invalid(format!("unsupported diff_id {bad:?}")).into());
        }
        self.ensure_dirs()?;
        self.sweep();
        let layers = self.layer_store();
        let _layers_lock = layers.lock_shared()?;
        // Layers are stored by diff ID: one loaded from a `docker save` is not
        // downloaded again.
        let missing: Vec<(&Descriptor, &String)> = manifest
            .layers
            .iter()
            .zip(&diff_ids)
            .filter(|(_, diff_id)| !layers.exists(diff_id))
            .collect();
        let blobs: Vec<&Descriptor> = missing.iter().map(|(d, _)| *d).collect();
        let work = TempDir::create(&self.tmp_dir())?;
        let downloads = download(&client, &blobs, &self.tmp_dir(), &work.path, options)?;
        let mut added = Vec::new();
        let result = (|| {
            for (layer, diff_id) in &missing {
                let blob = downloads
                    .path(&layer.digest)
                    .unwrap_or(&work.path)
                    .to_path_buf();
                let label = format!("unpacking {}", digest::short(&layer.digest));
                layers.add(&self.tmp_dir(), diff_id, Some(&layer.digest), &blob, &label)?;
                added.push((*diff_id).clone());
            }
            self.commit_layered(
                &config,
                &diff_ids,
                std::slice::from_ref(&name),
                Path::new(&reference.to_string()),
            )
        })();
        match result {
            Ok(image) => {
                downloads.done();
                Ok(Pulled {
                    image,
                    name,
                    downloaded: missing.len(),
                    manifest_digest,
                })
            }
            Err(e) => {
                self.discard_layers(&added);
                Err(e)
            }
        }
    }

    /// Removes layers this pull added when no image lists them.
    fn discard_layers(&self, added: &[String]) {
        if added.is_empty() {
            return;
        }
        let Ok(_lock) = self.lock() else { return };
        let mut keep: std::collections::HashSet<String> = self
            .images()
            .unwrap_or_default()
            .into_iter()
            .flat_map(|i| i.layers)
            .collect();
        let store = self.layer_store();
        keep.extend(store.all().into_iter().filter(|d| !added.contains(d)));
        if let Err(e) = store.remove_unused(&keep, &self.tmp_dir()) {
            tracing::warn!("removing the layers of a failed pull: {e}");
        }
    }
}

/// The index entry for `platform`.
fn choose<'a>(entries: &'a [Descriptor], platform: &Platform) -> Option<&'a Descriptor> {
    entries
        .iter()
        .find(|d| d.platform.as_ref().is_some_and(|p| platform.matches(p)))
}

fn check_manifest(manifest: &Manifest) -> Result<(), String> {
    let all = std::iter::once(&manifest.config).chain(&manifest.layers);
    for descriptor in all {
        if !digest::is_full(&descriptor.digest) {
            return Err(format!("unsupported digest {:?}", descriptor.digest));
        }
    }
    Ok(())
}

/// Where each downloaded blob is, and the partial files to remove once the
/// pull has succeeded (locked until then).
#[derive(Default)]
struct Downloads {
    paths: std::collections::HashMap<String, PathBuf>,
    partials: Vec<partial::Partial>,
}

impl Downloads {
    fn path(&self, blob_digest: &str) -> Option<&Path> {
        self.paths.get(blob_digest).map(PathBuf::as_path)
    }

    /// The pull succeeded: the partial files are no longer needed.
    fn done(self) {
        for partial in self.partials {
            partial.remove();
        }
    }
}

/// Downloads `layers`, `PARALLEL` at a time, each into its partial file under
/// `tmp/partial/` (continuing what an earlier pull received), or into `dir`
/// when another pull holds that file.
fn download(
    client: &Client,
    layers: &[&Descriptor],
    tmp: &Path,
    dir: &Path,
    options: &PullOptions,
) -> Result<Downloads, PullError> {
    let downloads = Mutex::new(Downloads::default());
    if layers.is_empty() {
        return Ok(Downloads::default());
    }
    let total: u64 = layers.iter().map(|l| l.size).sum();
    let progress = Mutex::new(Progress::new(
        format!("downloading {} layers", layers.len()),
        if options.quiet { 0 } else { total },
    ));
    let next = AtomicU64::new(0);
    let first_error: Mutex<Option<PullError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(layers.len()) {
            scope.spawn(|| loop {
                if first_error.lock().map_or(true, |e| e.is_some()) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                let Some(layer) = layers.get(i) else { return };
                let add = |n: u64| {
                    if let Ok(mut p) = progress.lock() {
                        p.add(n);
                    }
                };
                match download_one(client, layer, tmp, dir, &add) {
                    Ok((path, partial)) => {
                        if let Ok(mut d) = downloads.lock() {
                            d.paths.insert(layer.digest.clone(), path);
                            d.partials.extend(partial);
                        }
                    }
                    Err(e) => {
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert(e);
                        }
                        return;
                    }
                }
            });
        }
    });
    if let Ok(mut p) = progress.lock() {
        p.finish();
    }
    let downloads = downloads.into_inner().unwrap_or_else(|p| p.into_inner());
    match first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(downloads),
    }
}

/// One blob: into its partial file when this pull can lock it, else into `dir`.
fn download_one(
    client: &Client,
    layer: &Descriptor,
    tmp: &Path,
    dir: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(PathBuf, Option<partial::Partial>), PullError> {
    let io_failed = |path: &Path, e: std::io::Error| PullError::Http {
        url: layer.digest.clone(),
        reason: format!("{}: {e}", path.display()),
    };
    match partial::open(tmp, &layer.digest).map_err(|e| io_failed(&partial::dir(tmp), e))? {
        Some(mut partial) => {
            match client.blob_to_file(&layer.digest, layer.size, &mut partial.file, progress) {
                Ok(()) => Ok((partial.path.clone(), Some(partial))),
                Err(e) => {
                    if matches!(e, PullError::DigestMismatch { .. }) {
                        partial.remove();
                    }
                    Err(e)
                }
            }
        }
        None => {
            let out = dir.join(digest::hex(&layer.digest));
            let mut file = std::fs::File::create(&out).map_err(|e| io_failed(&out, e))?;
            client.blob_to_file(&layer.digest, layer.size, &mut file, progress)?;
            Ok((out, None))
        }
    }
}
