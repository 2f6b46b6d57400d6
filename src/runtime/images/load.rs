//! `image load`: `docker save` archives and OCI image layouts (a directory or
//! its tar), each blob checked against its digest, each layer stored once.
//!
//! A `docker save` archive has a `manifest.json` listing, per image, its
//! configuration file, its `RepoTags` and its layer tars (uncompressed: their
//! sha256 are the configuration's `diff_ids`). An OCI layout has `oci-layout`,
//! an `index.json` and `blobs/<alg>/<hex>`; an index entry may itself be an
//! index (several platforms), of which the host's platform is loaded. Docker
//! 25 and later write both at once; `manifest.json` is read first then.
//!
//! An archive is read once, its regular files copied to a private temporary
//! directory under flat generated names (so no archive path is ever used to
//! write), and a file is never trusted to be what its name says: the
//! configuration's sha256 is the image ID, and each layer is refused unless
//! its bytes hash to the digest it is listed under.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::oci::{ConfigFile, Descriptor, Document, Platform, REF_NAME};
use super::reference::Reference;
use super::store::TempDir;
use super::{digest, Image, ImageError, ImageStore};

/// Largest manifest, index or configuration read into memory.
const MAX_DOCUMENT: u64 = 8 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("{path}: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{path}: no image for platform {platform}")]
    NoPlatform { path: PathBuf, platform: String },
}

pub fn sha256(bytes: &[u8]) -> String {
    digest::format(Sha256::new_with_prefix(bytes))
}

/// The kinds of image archive `load` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    DockerSave,
    OciLayout,
}

/// Where an archive's files are: a layout directory, or a tar's files copied out.
struct Files {
    /// The archive or directory, for messages.
    origin: PathBuf,
    dir: Option<PathBuf>,
    /// Archive name → copied file.
    copied: BTreeMap<String, PathBuf>,
}

impl Files {
    fn path(&self, name: &str) -> Option<PathBuf> {
        let name = clean_name(name)?;
        match &self.dir {
            Some(dir) => {
                let path = dir.join(&name);
                // Blobs are regular files; a symlink could point anywhere.
                path.symlink_metadata()
                    .is_ok_and(|m| m.is_file())
                    .then_some(path)
            }
            None => self.copied.get(&name).cloned(),
        }
    }

    fn has(&self, name: &str) -> bool {
        self.path(name).is_some()
    }

    fn bad(&self, reason: impl Into<String>) -> LoadError {
        LoadError::Format {
            path: self.origin.clone(),
            reason: reason.into(),
        }
    }

    /// A small JSON document of the archive, whole.
    fn read(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        let path = self
            .path(name)
            .ok_or_else(|| self.bad(format!("{name} is missing")))?;
        let mut bytes = Vec::new();
        File::open(&path)
            .and_then(|f| f.take(MAX_DOCUMENT + 1).read_to_end(&mut bytes))
            .map_err(super::index::io_error(&path))?;
        if bytes.len() as u64 > MAX_DOCUMENT {
            return Err(self
                .bad(format!("{name} is larger than {MAX_DOCUMENT} bytes"))
                .into());
        }
        Ok(bytes)
    }

    /// A blob by digest, read whole and checked.
    fn blob(&self, descriptor_digest: &str) -> Result<Vec<u8>, ImageError> {
        let name = blob_name(descriptor_digest)
            .ok_or_else(|| self.bad(format!("unsupported digest {descriptor_digest:?}")))?;
        let bytes = self.read(&name)?;
        check_digest(&name, descriptor_digest, &bytes)?;
        Ok(bytes)
    }
}

fn check_digest(what: &str, expected: &str, bytes: &[u8]) -> Result<(), LoadError> {
    let actual = sha256(bytes);
    if actual != expected {
        return Err(LoadError::DigestMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

/// `blobs/sha256/<hex>` for a sha256 digest.
fn blob_name(d: &str) -> Option<String> {
    digest::is_full(d).then(|| format!("blobs/sha256/{}", digest::hex(d)))
}

/// An archive member name without `./`, refusing `..` and absolute paths.
fn clean_name(name: &str) -> Option<String> {
    let mut parts = Vec::new();
    for component in Path::new(name).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?.to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// What kind of image archive `path` is, if any: a directory with an
/// `oci-layout`, or a tar (plain or gzip) whose members include a top-level
/// `manifest.json` or `oci-layout` and no `etc/` (a rootfs tar is neither).
pub fn detect(path: &Path) -> Option<ArchiveKind> {
    let meta = fs::metadata(path).ok()?;
    if meta.is_dir() {
        return path
            .join("oci-layout")
            .is_file()
            .then_some(ArchiveKind::OciLayout);
    }
    let reader = open_maybe_gzip(path).ok()?;
    let mut archive = tar::Archive::new(reader);
    let (mut manifest, mut layout, mut rootfs_like) = (false, false, false);
    for entry in archive.entries().ok()? {
        let Ok(entry) = entry else { break };
        let Ok(name) = entry.path() else { continue };
        match clean_name(&name.to_string_lossy()).as_deref() {
            Some("manifest.json") => manifest = true,
            Some("oci-layout") => layout = true,
            Some("etc" | "bin" | "usr") => rootfs_like = true,
            _ => {}
        }
    }
    match (manifest, layout, rootfs_like) {
        (_, _, true) => None,
        (true, _, _) => Some(ArchiveKind::DockerSave),
        (false, true, _) => Some(ArchiveKind::OciLayout),
        _ => None,
    }
}

fn open_maybe_gzip(path: &Path) -> io::Result<Box<dyn Read>> {
    let mut file = BufReader::new(File::open(path)?);
    Ok(if file.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Copies the regular files of the archive at `path` into `into`; symlinks
/// between members (old `docker save` links repeated layers) become aliases.
fn copy_out(path: &Path, into: &Path) -> Result<BTreeMap<String, PathBuf>, ImageError> {
    let bad = |reason: String| LoadError::Format {
        path: path.to_path_buf(),
        reason,
    };
    let reader = open_maybe_gzip(path).map_err(super::index::io_error(path))?;
    let mut archive = tar::Archive::new(reader);
    let mut copied = BTreeMap::new();
    let mut links = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("not a tar archive ({e})")))?;
    for (n, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| bad(format!("corrupt tar archive: {e}")))?;
        let kind = entry.header().entry_type();
        if !kind.is_file() && !kind.is_symlink() {
            continue;
        }
        let raw = entry
            .path()
            .map_err(|e| bad(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let Some(name) = clean_name(&raw) else {
            return Err(bad(format!("bad member name {raw:?}")).into());
        };
        if kind.is_symlink() {
            if let Ok(Some(target)) = entry.link_name() {
                let base = Path::new(&name).parent().unwrap_or(Path::new(""));
                let joined = normalise(&base.join(target));
                links.push((name, joined));
            }
            continue;
        }
        let out = into.join(format!("{n:08}"));
        let mut file = File::create(&out).map_err(super::index::io_error(&out))?;
        io::copy(&mut entry, &mut file).map_err(|e| bad(format!("reading {name}: {e}")))?;
        copied.insert(name, out);
    }
    for (name, target) in links {
        if let Some(file) = target.and_then(|t| copied.get(&t).cloned()) {
            copied.insert(name, file);
        }
    }
    Ok(copied)
}

/// `a/../b/./c` → `b/c`; `None` when it climbs out.
fn normalise(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(p) => parts.push(p.to_str()?.to_string()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// `docker save`'s `manifest.json` entries.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SaveEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// One image loaded: its names (familiar form) and digest.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub names: Vec<String>,
    pub image: Image,
}

impl ImageStore {
    /// Loads every image of a `docker save` archive or OCI layout (directory
    /// or tar) at `source`; for an index, the image for `platform`.
    pub fn load_archive(
        &self,
        source: &Path,
        platform: &Platform,
    ) -> Result<Vec<Loaded>, ImageError> {
        let kind = detect(source).ok_or_else(|| LoadError::Format {
            path: source.to_path_buf(),
            reason: "not a docker save archive or OCI image layout".into(),
        })?;
        self.ensure_dirs()?;
        self.sweep();
        let work = TempDir::create(&self.tmp_dir())?;
        let files = if fs::metadata(source).is_ok_and(|m| m.is_dir()) {
            Files {
                origin: source.to_path_buf(),
                dir: Some(source.to_path_buf()),
                copied: BTreeMap::new(),
            }
        } else {
            Files {
                origin: source.to_path_buf(),
                dir: None,
                copied: copy_out(source, &work.path)?,
            }
        };
        let _layers_lock = self.layer_store().lock_shared()?;
        let loaded = if kind == ArchiveKind::DockerSave || files.has("manifest.json") {
            self.load_docker_save(&files)?
        } else {
            self.load_oci_layout(&files, platform)?
        };
        drop(work);
        Ok(loaded)
    }

    /// `image import` (or an IMAGE path) of an image archive: its first image,
    /// also named `name`, its config changed by `--change` when given.
    pub fn import_archive(
        &self,
        source: &Path,
        name: Option<&str>,
        changes: &[String],
    ) -> Result<Image, ImageError> {
        let loaded = self.load_archive(source, &Platform::host())?;
        let image = loaded
            .into_iter()
            .next()
            .map(|l| l.image)
            .ok_or_else(|| ImageError::NotFound(source.display().to_string()))?;
        if !changes.is_empty() {
            let mut config = image.config.clone();
            super::change::apply_changes(&mut config, changes)?;
            super::index::write_json(&image.dir.join("image.json"), &config)?;
        }
        if let Some(name) = name {
            super::store::validate_name(name)?;
            let _lock = self.lock()?;
            let mut names = super::index::read(self.dir())?;
            names.names.insert(name.to_string(), image.digest.clone());
            super::index::write(self.dir(), &names)?;
        }
        self.load(&image.digest)
    }

    fn load_docker_save(&self, files: &Files) -> Result<Vec<Loaded>, ImageError> {
        let entries: Vec<SaveEntry> = serde_json::from_slice(&files.read("manifest.json")?)
            .map_err(|e| files.bad(format!("manifest.json: {e}")))?;
        if entries.is_empty() {
            return Err(files.bad("manifest.json lists no image").into());
        }
        let mut loaded = Vec::new();
        for entry in entries {
            let config = files.read(&entry.config)?;
            // `<hex>.json` (classic) or `blobs/sha256/<hex>` (Docker 25+): the name is its digest.
            let stem = Path::new(&entry.config)
                .file_name()
                .map(|f| f.to_string_lossy().trim_end_matches(".json").to_string())
                .unwrap_or_default();
            if stem.len() == 64 && digest::is_hex(&stem) {
                check_digest(&entry.config, &format!("{}{stem}", digest::PREFIX), &config)?;
            }
            let parsed = ConfigFile::parse(&config).map_err(|e| files.bad(e))?;
            let diff_ids = parsed.diff_ids();
            if diff_ids.len() != entry.layers.len() {
                return Err(files
                    .bad(format!(
                        "{}: {} layers listed, {} in the image config",
                        entry.config,
                        entry.layers.len(),
                        diff_ids.len()
                    ))
                    .into());
            }
            let mut layers = Vec::new();
            for (layer, diff_id) in entry.layers.iter().zip(diff_ids) {
                let blob = files
                    .path(layer)
                    .ok_or_else(|| files.bad(format!("{layer} is missing")))?;
                if !digest::is_full(diff_id) {
                    return Err(files.bad(format!("unsupported diff_id {diff_id:?}")).into());
                }
                self.layer_store()
                    .add(&self.tmp_dir(), diff_id, None, &blob, layer)?;
                layers.push(diff_id.clone());
            }
            let names = familiar_names(
                entry
                    .repo_tags
                    .unwrap_or_default()
                    .iter()
                    .map(String::as_str),
                files,
            )?;
            let image = self.commit_layered(&config, &layers, &names, &files.origin)?;
            loaded.push(Loaded { names, image });
        }
        Ok(loaded)
    }

    fn load_oci_layout(
        &self,
        files: &Files,
        platform: &Platform,
    ) -> Result<Vec<Loaded>, ImageError> {
        let index = match Document::parse(&files.read("index.json")?) {
            Ok(Document::Index(index)) => index,
            Ok(Document::Manifest(_)) => {
                return Err(files.bad("index.json is not an image index").into())
            }
            Err(e) => return Err(files.bad(format!("index.json: {e}")).into()),
        };
        let mut loaded = Vec::new();
        for descriptor in &index.manifests {
            let Some(manifest) = self.select(files, descriptor, platform)? else {
                continue;
            };
            let config = files.blob(&manifest.config.digest)?;
            let parsed = ConfigFile::parse(&config).map_err(|e| files.bad(e))?;
            if parsed.diff_ids().len() != manifest.layers.len() {
                return Err(files
                    .bad(format!(
                        "manifest {} lists {} layers, its config {}",
                        descriptor.digest,
                        manifest.layers.len(),
                        parsed.diff_ids().len()
                    ))
                    .into());
            }
            let mut layers = Vec::new();
            for (layer, diff_id) in manifest.layers.iter().zip(parsed.diff_ids()) {
                let name = blob_name(&layer.digest)
                    .ok_or_else(|| files.bad(format!("unsupported digest {:?}", layer.digest)))?;
                if !digest::is_full(diff_id) {
                    return Err(files.bad(format!("unsupported diff_id {diff_id:?}")).into());
                }
                let blob = files
                    .path(&name)
                    .ok_or_else(|| files.bad(format!("{name} is missing")))?;
                self.layer_store().add(
                    &self.tmp_dir(),
                    diff_id,
                    Some(&layer.digest),
                    &blob,
                    &name,
                )?;
                layers.push(diff_id.clone());
            }
            let ref_names = ["io.containerd.image.name", REF_NAME]
                .iter()
                .filter_map(|k| descriptor.annotations.get(*k))
                .find(|n| !is_bare_tag(n));
            let names = familiar_names(ref_names.map(String::as_str).into_iter(), files)?;
            let image = self.commit_layered(&config, &layers, &names, &files.origin)?;
            loaded.push(Loaded { names, image });
        }
        if loaded.is_empty() {
            return Err(LoadError::NoPlatform {
                path: files.origin.clone(),
                platform: platform.to_string(),
            }
            .into());
        }
        Ok(loaded)
    }

    /// The manifest a descriptor leads to for `platform` (through nested
    /// indexes); `None` when it is for another platform.
    fn select(
        &self,
        files: &Files,
        descriptor: &Descriptor,
        platform: &Platform,
    ) -> Result<Option<super::oci::Manifest>, ImageError> {
        if let Some(p) = &descriptor.platform {
            if !platform.matches(p) {
                return Ok(None);
            }
        }
        let bytes = files.blob(&descriptor.digest)?;
        match Document::parse(&bytes)
            .map_err(|e| files.bad(format!("{}: {e}", descriptor.digest)))?
        {
            Document::Manifest(manifest) => Ok(Some(manifest)),
            Document::Index(index) => {
                for inner in &index.manifests {
                    if inner.platform.is_none() {
                        continue;
                    }
                    if let Some(found) = self.select(files, inner, platform)? {
                        return Ok(Some(found));
                    }
                }
                Ok(None)
            }
        }
    }
}

/// A `ref.name` that is only a tag (`latest`, `1.0`) names no repository.
fn is_bare_tag(name: &str) -> bool {
    !name.contains(['/', ':'])
}

/// Names as the store keeps them (Docker's familiar form); a bad one is an error.
fn familiar_names<'a>(
    names: impl Iterator<Item = &'a str>,
    files: &Files,
) -> Result<Vec<String>, ImageError> {
    names
        .map(|n| {
            Reference::parse(n)
                .map(|r| r.familiar())
                .map_err(|e| files.bad(e.to_string()).into())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clean_and_normalise_names() {
        assert_eq!(
            clean_name("./manifest.json").as_deref(),
            Some("manifest.json")
        );
        assert_eq!(clean_name("a/./b").as_deref(), Some("a/b"));
        assert_eq!(clean_name("../x"), None);
        assert_eq!(clean_name("/etc/passwd"), None);
        assert_eq!(
            normalise(Path::new("a/../b/layer.tar")).as_deref(),
            Some("b/layer.tar")
        );
        assert_eq!(normalise(Path::new("../../x")), None);
    }
}
