//! [`ImageStore`]: importing, resolving, listing and removing images.

use std::collections::HashSet;
use std::fs::{self, DirBuilder, File};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use nix::errno::Errno;
use nix::fcntl::{renameat2, Flock, FlockArg, RenameFlags};
use serde::{Deserialize, Serialize};

use super::change::apply_changes;
use super::confined::Writer;
use super::copy_dir::copy_dir;
use super::digest::{self, file_digest};
use super::index::{self, io_error, read_json, write_json, StoreLock};
use super::progress::Progress;
use super::unpack::{unpack_tarball, ImportError};
use super::{Image, ImageError, ImageSummary, Removed};
use crate::config::ImportLimits;
use crate::spec::image::ImageConfig;

/// A `tmp/` entry this old and not locked belongs to a dead import.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// `meta.json`: what the store knows about an image besides its config.
#[derive(Debug, Serialize, Deserialize)]
struct ImageRecord {
    digest: String,
    created: String,
    size: u64,
    source: PathBuf,
}

/// The images under `<root>/images`.
#[derive(Debug, Clone)]
pub struct ImageStore {
    dir: PathBuf,
    pub(super) limits: ImportLimits,
}

/// A directory under `tmp/`, flocked while we use it and removed on drop
/// unless renamed into place.
pub(super) struct TempDir {
    pub(super) path: PathBuf,
    _lock: Flock<File>,
    pub(super) keep: bool,
}

impl TempDir {
    pub(super) fn create(parent: &Path) -> Result<TempDir, ImageError> {
        loop {
            let path = parent.join(format!("{:016x}", rand::random::<u64>()));
            match DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return TempDir::lock(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_error(&path)(e)),
            }
        }
    }

    /// Takes over an existing directory (already ours to delete).
    fn lock(path: PathBuf) -> Result<TempDir, ImageError> {
        let lock = File::open(&path).map_err(io_error(&path)).and_then(|dir| {
            Flock::lock(dir, FlockArg::LockExclusiveNonblock)
                .map_err(|(_, e)| io_error(&path)(e.into()))
        });
        match lock {
            Ok(lock) => Ok(TempDir {
                path,
                _lock: lock,
                keep: false,
            }),
            Err(e) => {
                let _ = fs::remove_dir_all(&path);
                Err(e)
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            if let Err(e) = fs::remove_dir_all(&self.path) {
                tracing::warn!("removing {}: {e}", self.path.display());
            }
        }
    }
}

/// A name must not look like a digest, a path, or an option.
pub(super) fn validate_name(name: &str) -> Result<(), ImageError> {
    let invalid = |reason| {
        Err(ImageError::InvalidName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() || name.len() > 255 {
        return invalid("must be 1 to 255 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return invalid("must start with a letter or digit");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-:/@[]".contains(c))
    {
        return invalid("only letters, digits and . _ - : / @ [ ] are allowed");
    }
    if name.starts_with(digest::PREFIX) || (name.len() == 64 && digest::is_hex(name)) {
        return invalid("looks like an image digest");
    }
    Ok(())
}

pub(super) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Bytes on disk under `dir` (blocks, each inode once), never following symlinks.
pub(super) fn disk_usage(dir: &Path) -> io::Result<u64> {
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = fs::symlink_metadata(&path)?;
        if seen.insert((meta.dev(), meta.ino())) {
            total = total.saturating_add(meta.blocks().saturating_mul(512));
        }
        if meta.is_dir() {
            for entry in fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
    }
    Ok(total)
}

impl ImageStore {
    /// The store under `<root>/images` (created on first import).
    pub fn new(root: &Path) -> ImageStore {
        ImageStore {
            dir: root.join("images"),
            limits: ImportLimits::default(),
        }
    }

    /// The store of `settings`, importing under its limits.
    pub fn of(settings: &crate::config::Settings) -> ImageStore {
        ImageStore {
            limits: settings.import_limits,
            ..ImageStore::new(&settings.root)
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(super) fn images_dir(&self) -> PathBuf {
        self.dir.join("sha256")
    }

    pub(super) fn tmp_dir(&self) -> PathBuf {
        self.dir.join("tmp")
    }

    pub(super) fn image_dir(&self, digest: &str) -> PathBuf {
        self.images_dir().join(digest::hex(digest))
    }

    pub(super) fn lock(&self) -> Result<StoreLock, ImageError> {
        index::lock(&self.dir)
    }

    pub(super) fn ensure_dirs(&self) -> Result<(), ImageError> {
        for (dir, mode) in [
            (self.dir.clone(), 0o711),
            (self.images_dir(), 0o711),
            (self.tmp_dir(), 0o700),
        ] {
            DirBuilder::new()
                .recursive(true)
                .mode(mode)
                .create(&dir)
                .map_err(io_error(&dir))?;
        }
        Ok(())
    }

    /// Imports a rootfs tarball (plain, gzip or zstd) or directory, optionally
    /// naming it (a name already in use moves to this image) and setting its
    /// configuration from `--change` instructions. Content already in the store
    /// is not unpacked again.
    pub fn import(
        &self,
        source: &Path,
        name: Option<&str>,
        changes: &[String],
    ) -> Result<Image, ImageError> {
        if let Some(name) = name {
            validate_name(name)?;
        }
        let config = if changes.is_empty() {
            None
        } else {
            let mut config = ImageConfig::default();
            apply_changes(&mut config, changes)?;
            Some(config)
        };
        let source = std::path::absolute(source).unwrap_or_else(|_| source.to_path_buf());
        // A `docker save` archive or OCI layout is loaded, not taken for a rootfs.
        if super::load::detect(&source).is_some() {
            return self.import_archive(&source, name, changes);
        }
        let digest = self.import_content(&source, config.as_ref())?;
        if let Some(name) = name {
            let _lock = self.lock()?;
            let mut names = index::read(&self.dir)?;
            names.names.insert(name.to_string(), digest.clone());
            index::write(&self.dir, &names)?;
        }
        self.load(&digest)
    }

    /// Gives the image `source` names (name, digest or prefix) the name
    /// `target` too; a name already in use moves to this image, as in
    /// `docker tag`. Returns the digest.
    pub fn tag(&self, source: &str, target: &str) -> Result<String, ImageError> {
        validate_name(target)?;
        let _lock = self.lock()?;
        let mut names = index::read(&self.dir)?;
        let digest = self.find(source, &names)?;
        names.names.insert(target.to_string(), digest.clone());
        index::write(&self.dir, &names)?;
        Ok(digest)
    }

    /// The names of image `digest`.
    pub fn names_of(&self, digest: &str) -> Result<Vec<String>, ImageError> {
        Ok(index::read(&self.dir)?.names_of(digest))
    }

    /// The image an IMAGE argument names: an existing tarball or directory
    /// (imported on first use, without a name), else a name, a `sha256:`
    /// digest or a unique digest prefix.
    pub fn resolve(&self, image: &str) -> Result<Image, ImageError> {
        if !image.starts_with(digest::PREFIX) {
            if let Ok(meta) = fs::metadata(image) {
                if meta.is_file() || meta.is_dir() {
                    return self.import(Path::new(image), None, &[]);
                }
            }
        }
        self.get(image)
    }

    /// A stored image by name, `sha256:` digest or unique digest prefix.
    pub fn get(&self, reference: &str) -> Result<Image, ImageError> {
        let digest = self.find(reference, &index::read(&self.dir)?)?;
        self.load(&digest)
    }

    /// The digest `reference` names.
    fn find(&self, reference: &str, names: &index::Index) -> Result<String, ImageError> {
        let not_found = || ImageError::NotFound(reference.to_string());
        if let Some(digest) = names.names.get(reference) {
            return Ok(digest.clone());
        }
        if let Some(digest) = super::reference::find_normalised(reference, names) {
            return Ok(digest);
        }
        let prefix = digest::hex(reference);
        if !digest::is_hex(prefix) {
            return Err(not_found());
        }
        let mut matches = self
            .digests()?
            .into_iter()
            .filter(|d| digest::hex(d).starts_with(prefix));
        match (matches.next(), matches.next()) {
            (Some(digest), None) => Ok(digest),
            (Some(_), Some(_)) => Err(ImageError::Ambiguous(reference.to_string())),
            (None, _) => Err(not_found()),
        }
    }

    /// Every stored digest, sorted.
    pub(super) fn digests(&self) -> Result<Vec<String>, ImageError> {
        let dir = self.images_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&dir)(e)),
        };
        let mut digests: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .map(|hex| format!("{}{hex}", digest::PREFIX))
            .filter(|d| digest::is_full(d))
            .collect();
        digests.sort();
        Ok(digests)
    }

    pub(super) fn load(&self, digest: &str) -> Result<Image, ImageError> {
        let dir = self.image_dir(digest);
        let record: ImageRecord = read_json(&dir.join("meta.json"))?
            .ok_or_else(|| ImageError::NotFound(digest.to_string()))?;
        let config = read_json(&dir.join("image.json"))?.unwrap_or_default();
        let layers = super::layered::read_layers(&dir)?;
        Ok(Image {
            layers,
            digest: record.digest,
            dir,
            created: record.created,
            size: record.size,
            source: record.source,
            config,
        })
    }

    /// Every image, once per name (unnamed ones once), newest first.
    pub fn list(&self) -> Result<Vec<ImageSummary>, ImageError> {
        let names = index::read(&self.dir)?;
        let mut rows = Vec::new();
        for digest in self.digests()? {
            let image = match self.load(&digest) {
                Ok(image) => image,
                // Being removed right now.
                Err(ImageError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let row = |name| ImageSummary {
                name,
                digest: image.digest.clone(),
                size: image.size,
                created: image.created.clone(),
            };
            let image_names = names.names_of(&digest);
            if image_names.is_empty() {
                rows.push(row(None));
            }
            rows.extend(image_names.into_iter().map(|n| row(Some(n))));
        }
        rows.sort_by(|a, b| b.created.cmp(&a.created).then(a.name.cmp(&b.name)));
        Ok(rows)
    }

    /// Removes a name, or an image by digest (with all its names).
    ///
    /// Removing a name other names share only untags it. Deleting an image
    /// that `in_use(digest)` says a container uses (it returns that
    /// container's id) is refused unless `force`, as is deleting by digest an
    /// image with several names. With `force` the rootfs is deleted even
    /// under a container: callers must not force it for a running one.
    pub fn remove(
        &self,
        reference: &str,
        force: bool,
        in_use: impl Fn(&str) -> Option<String>,
    ) -> Result<Removed, ImageError> {
        let lock = self.lock()?;
        let mut names = index::read(&self.dir)?;
        let by_name = names.names.contains_key(reference);
        let digest = self.find(reference, &names)?;
        let untagged = if by_name {
            vec![reference.to_string()]
        } else {
            names.names_of(&digest)
        };
        let others = names.names_of(&digest).len() > untagged.len();
        if by_name && others {
            names.names.remove(reference);
            index::write(&self.dir, &names)?;
            return Ok(Removed {
                untagged,
                deleted: None,
            });
        }
        if !force {
            if !by_name && untagged.len() > 1 {
                return Err(ImageError::SeveralNames {
                    digest,
                    names: untagged,
                });
            }
            if let Some(container) = in_use(&digest) {
                return Err(ImageError::InUse {
                    reference: reference.to_string(),
                    container,
                    digest,
                });
            }
        }
        // Out of sight first (under the lock), deleted after.
        let doomed = self.take_out(&digest)?;
        for name in &untagged {
            names.names.remove(name);
        }
        index::write(&self.dir, &names)?;
        drop(lock);
        drop(doomed);
        Ok(Removed {
            untagged,
            deleted: Some(digest),
        })
    }

    /// Moves an image directory into `tmp/` (locked, so no sweep races us);
    /// dropping the result deletes it.
    fn take_out(&self, digest: &str) -> Result<Option<TempDir>, ImageError> {
        let dir = self.image_dir(digest);
        let lock = match File::open(&dir) {
            Ok(file) => Flock::lock(file, FlockArg::LockExclusive)
                .map_err(|(_, e)| io_error(&dir)(e.into()))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&dir)(e)),
        };
        self.ensure_dirs()?;
        let target = self
            .tmp_dir()
            .join(format!("{:016x}", rand::random::<u64>()));
        fs::rename(&dir, &target).map_err(io_error(&dir))?;
        Ok(Some(TempDir {
            path: target,
            _lock: lock,
            keep: false,
        }))
    }

    /// Removes `tmp/` entries left by imports whose process died.
    pub(super) fn sweep(&self) {
        let Ok(entries) = fs::read_dir(self.tmp_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            // Interrupted downloads, kept to be continued (`image prune` removes them).
            if entry.file_name() == super::registry::partial::DIR {
                continue;
            }
            let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| {
                SystemTime::now().duration_since(t).unwrap_or_default() > STALE_AFTER
            });
            if old {
                if let Ok(dir) = File::open(entry.path()) {
                    if let Ok(_lock) = Flock::lock(dir, FlockArg::LockExclusiveNonblock) {
                        tracing::debug!("removing stale {}", entry.path().display());
                        let _ = fs::remove_dir_all(entry.path());
                    }
                }
            }
        }
    }

    /// Puts the content of `source` in the store unless there; returns its digest.
    fn import_content(
        &self,
        source: &Path,
        config: Option<&ImageConfig>,
    ) -> Result<String, ImageError> {
        let failed = |reason| ImageError::Import {
            path: source.to_path_buf(),
            reason,
        };
        let meta = fs::metadata(source).map_err(|e| failed(ImportError::Source(e)))?;
        if !meta.is_dir() && !meta.is_file() {
            return Err(failed(ImportError::NotFileOrDir));
        }
        self.ensure_dirs()?;
        if meta.is_dir() {
            if let (Ok(src), Ok(store)) = (fs::canonicalize(source), fs::canonicalize(&self.dir)) {
                if store.starts_with(&src) {
                    return Err(failed(ImportError::ContainsStore(store)));
                }
            }
        }
        self.sweep();
        let label = format!("checking {}", source.display());
        let mut progress = Progress::new(label, if meta.is_dir() { 0 } else { meta.len() });
        let known = if meta.is_dir() {
            copy_dir(source, None, &mut progress)
        } else {
            file_digest(source, &mut progress).map_err(ImportError::Source)
        }
        .map_err(failed)?;
        progress.finish();
        if self.image_dir(&known).join("meta.json").exists() {
            self.set_config(&known, config)?;
            return Ok(known);
        }
        let tmp = TempDir::create(&self.tmp_dir())?;
        let rootfs = tmp.path.join("rootfs");
        fs::create_dir(&rootfs).map_err(io_error(&rootfs))?;
        let digest = self
            .fill(source, meta.is_dir(), meta.len(), &rootfs)
            .map_err(failed)?;
        let record = ImageRecord {
            digest: digest.clone(),
            created: now_rfc3339(),
            size: disk_usage(&rootfs).map_err(io_error(&rootfs))?,
            source: source.to_path_buf(),
        };
        write_json(
            &tmp.path.join("image.json"),
            &config.cloned().unwrap_or_default(),
        )?;
        write_json(&tmp.path.join("meta.json"), &record)?;
        self.commit(tmp, &digest, config)?;
        Ok(digest)
    }

    /// Unpacks or copies `source` into `rootfs`; returns the digest of what was read.
    fn fill(
        &self,
        source: &Path,
        is_dir: bool,
        len: u64,
        rootfs: &Path,
    ) -> Result<String, ImportError> {
        let label = format!("importing {}", source.display());
        if !is_dir {
            return unpack_tarball(source, rootfs, &mut Progress::new(label, len), self.limits);
        }
        let mut writer = Writer::new(rootfs).map_err(ImportError::Source)?;
        writer.limit_size(self.limits.max_size);
        let digest = copy_dir(source, Some(&mut writer), &mut Progress::new(label, 0))?;
        writer.finish()?;
        Ok(digest)
    }

    /// Renames the import into place; when another process got there first,
    /// drops ours and keeps theirs.
    pub(super) fn commit(
        &self,
        mut tmp: TempDir,
        digest: &str,
        config: Option<&ImageConfig>,
    ) -> Result<(), ImageError> {
        let _lock = self.lock()?;
        let target = self.image_dir(digest);
        match renameat2(
            None,
            &tmp.path,
            None,
            &target,
            RenameFlags::RENAME_NOREPLACE,
        ) {
            Ok(()) => {
                tmp.keep = true;
                Ok(())
            }
            Err(Errno::EEXIST | Errno::ENOTEMPTY) => {
                drop(tmp);
                self.write_config(digest, config)
            }
            Err(e) => Err(io_error(&target)(e.into())),
        }
    }

    /// Replaces the configuration of a stored image, when one is given.
    fn set_config(&self, digest: &str, config: Option<&ImageConfig>) -> Result<(), ImageError> {
        if config.is_none() {
            return Ok(());
        }
        let _lock = self.lock()?;
        self.write_config(digest, config)
    }

    fn write_config(&self, digest: &str, config: Option<&ImageConfig>) -> Result<(), ImageError> {
        match config {
            Some(config) => write_json(&self.image_dir(digest).join("image.json"), config),
            None => Ok(()),
        }
    }
}
