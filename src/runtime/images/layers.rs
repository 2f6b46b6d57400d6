//! Layers, stored once by digest and stacked as overlay lower directories.
//!
//! ```text
//! images/layers/sha256/<hex>/
//!   root/        the layer unpacked, whiteouts in overlayfs's own form
//!   meta.json    {"digest": diff ID, "size": bytes on disk}
//! images/layers.lock   shared while a load or pull adds layers, exclusive to prune them
//! ```
//!
//! A layer is named by its diff ID, the digest of its uncompressed tar, so
//! the same layer arriving gzip- or zstd-compressed (a registry, an OCI
//! layout) and uncompressed (a `docker save`) is stored once. It is unpacked
//! by the importer's own [`unpack_layer`], which hashes both the bytes it
//! reads and the tar they decompress to: a blob whose digest or diff ID is
//! not the one announced is refused before the layer is renamed into place.
//!
//! OCI whiteouts become what overlayfs expects in a lower directory: a
//! `.wh.NAME` file becomes a 0:0 character device `NAME`, and `.wh..wh..opq`
//! becomes the `trusted.overlay.opaque=y` attribute of its directory. Any
//! other `trusted.overlay.*` attribute shipped in a layer is removed: those
//! steer overlayfs (redirects, metacopy, origin) and are the kernel's to set.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{renameat2, Flock, FlockArg, RenameFlags};
use nix::sys::stat::{makedev, mknod, Mode, SFlag};
use serde::{Deserialize, Serialize};

use super::digest;
use super::index::{io_error, read_json, write_json};
use super::load::LoadError;
use super::progress::Progress;
use super::store::{disk_usage, TempDir};
use super::unpack::unpack_layer;
use super::{ImageError, ImportError};

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";
pub const OPAQUE_XATTR: &str = "trusted.overlay.opaque";
const OVERLAY_XATTRS: &[u8] = b"trusted.overlay.";

#[derive(Debug, Serialize, Deserialize)]
struct LayerRecord {
    digest: String,
    size: u64,
}

/// The layer directories under `<images>/layers`.
#[derive(Debug, Clone)]
pub struct Layers {
    dir: PathBuf,
    /// The image store's import limits, applied to every layer unpacked.
    limits: crate::config::ImportLimits,
}

/// A held `layers.lock`; released on drop.
pub struct LayersLock(#[allow(dead_code)] Flock<File>);

impl Layers {
    pub fn new(images_dir: &Path) -> Layers {
        Layers {
            dir: images_dir.join("layers"),
            limits: crate::config::ImportLimits::default(),
        }
    }

    /// The same store, unpacking under `limits`.
    pub fn with_limits(self, limits: crate::config::ImportLimits) -> Layers {
        Layers { limits, ..self }
    }

    fn layer_dir(&self, digest: &str) -> PathBuf {
        self.dir.join("sha256").join(digest::hex(digest))
    }

    /// The unpacked layer: an overlay lower directory.
    pub fn root(&self, digest: &str) -> PathBuf {
        self.layer_dir(digest).join("root")
    }

    pub fn exists(&self, digest: &str) -> bool {
        self.layer_dir(digest).join("meta.json").is_file()
    }

    /// Bytes on disk of a stored layer (0 when missing).
    pub fn size(&self, digest: &str) -> u64 {
        read_json::<LayerRecord>(&self.layer_dir(digest).join("meta.json"))
            .ok()
            .flatten()
            .map_or(0, |r| r.size)
    }

    /// Shared while layers are being added for an image not yet committed,
    /// so a concurrent prune cannot take them away.
    pub fn lock_shared(&self) -> Result<LayersLock, ImageError> {
        self.lock_file(FlockArg::LockShared)
    }

    /// Exclusive, without waiting: `None` while a load or pull is under way.
    pub fn try_lock_exclusive(&self) -> Result<Option<LayersLock>, ImageError> {
        match self.lock_file(FlockArg::LockExclusiveNonblock) {
            Ok(lock) => Ok(Some(lock)),
            Err(ImageError::Io { reason, .. })
                if reason.raw_os_error() == Some(Errno::EWOULDBLOCK as i32) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn lock_file(&self, how: FlockArg) -> Result<LayersLock, ImageError> {
        let path = self.dir.with_file_name("layers.lock");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error(&path))?;
        let lock = Flock::lock(file, how).map_err(|(_, e)| io_error(&path)(e.into()))?;
        Ok(LayersLock(lock))
    }

    /// Unpacks the blob at `blob` as layer `diff_id` unless stored already:
    /// refuses a blob whose uncompressed tar is not `diff_id`, or whose bytes
    /// are not `blob_digest` when there is one (a registry's or an OCI
    /// layout's, compressed). `tmp` is the store's `tmp/`.
    pub fn add(
        &self,
        tmp: &Path,
        diff_id: &str,
        blob_digest: Option<&str>,
        blob: &Path,
        label: &str,
    ) -> Result<(), ImageError> {
        if self.exists(diff_id) {
            return Ok(());
        }
        let failed = |reason| ImageError::Import {
            path: blob.to_path_buf(),
            reason,
        };
        let work = TempDir::create(tmp)?;
        let root = work.path.join("root");
        fs::create_dir(&root).map_err(io_error(&root))?;
        let len = fs::metadata(blob).map_or(0, |m| m.len());
        let mut progress = Progress::new(label, len);
        let actual = unpack_layer(blob, &root, &mut progress, self.limits).map_err(failed)?;
        progress.finish();
        let checks = [
            (blob_digest, actual.file, format!("layer {label}")),
            (
                Some(diff_id),
                actual.uncompressed,
                format!("layer {label} (uncompressed, its diff ID)"),
            ),
        ];
        for (expected, actual, what) in checks {
            if let Some(expected) = expected.filter(|e| *e != actual) {
                return Err(LoadError::DigestMismatch {
                    what,
                    expected: expected.to_string(),
                    actual,
                }
                .into());
            }
        }
        convert_whiteouts(&root).map_err(|reason| failed(ImportError::Source(reason)))?;
        let record = LayerRecord {
            digest: diff_id.to_string(),
            size: disk_usage(&root).map_err(io_error(&root))?,
        };
        write_json(&work.path.join("meta.json"), &record)?;
        self.commit(work)
            .map_err(|e| io_error(&self.layer_dir(diff_id))(e))?;
        Ok(())
    }

    fn commit(&self, mut work: TempDir) -> io::Result<()> {
        let record: LayerRecord = serde_json::from_slice(&fs::read(work.path.join("meta.json"))?)?;
        let target = self.layer_dir(&record.digest);
        fs::create_dir_all(self.dir.join("sha256"))?;
        match renameat2(
            None,
            &work.path,
            None,
            &target,
            RenameFlags::RENAME_NOREPLACE,
        ) {
            Ok(()) => {
                work.keep = true;
                Ok(())
            }
            // Another load stored the same layer first: keep theirs.
            Err(Errno::EEXIST | Errno::ENOTEMPTY) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every stored layer digest.
    pub fn all(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.dir.join("sha256")) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .map(|hex| format!("{}{hex}", digest::PREFIX))
            .filter(|d| digest::is_full(d))
            .collect()
    }

    /// Moves every layer not in `keep` into `tmp` and deletes it; returns
    /// their digests. Call with the store lock and the exclusive layers lock.
    pub fn remove_unused(
        &self,
        keep: &HashSet<String>,
        tmp: &Path,
    ) -> Result<Vec<String>, ImageError> {
        let mut removed = Vec::new();
        for digest in self.all() {
            if keep.contains(&digest) {
                continue;
            }
            let doomed = TempDir::create(tmp)?;
            let from = self.layer_dir(&digest);
            let to = doomed.path.join("layer");
            fs::rename(&from, &to).map_err(io_error(&from))?;
            drop(doomed);
            removed.push(digest);
        }
        Ok(removed)
    }
}

/// The directories of an overlay lower (`a:b:c`).
pub fn lower_dirs(lower: &Path) -> Vec<PathBuf> {
    lower
        .to_string_lossy()
        .split(':')
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// The text of `path` as the overlay of `dirs` (top-most first) shows it:
/// from the first layer that has it, unless a layer above whites it out or
/// makes one of its parent directories opaque. Symlinks resolve within each
/// layer, not across them (enough for `/etc/passwd` and `/etc/group`).
pub fn read_in_layers(
    dirs: &[PathBuf],
    path: &str,
) -> Result<Option<String>, (PathBuf, io::Error)> {
    use std::os::unix::fs::FileTypeExt;
    let rel = path.trim_start_matches('/');
    for dir in dirs {
        let target = dir.join(rel);
        if let Ok(meta) = target.symlink_metadata() {
            if meta.file_type().is_char_device() && meta.rdev() == 0 {
                return Ok(None);
            }
            return crate::runtime::in_root::read_in_root(dir, path).map_err(|e| (dir.clone(), e));
        }
        let opaque = Path::new(rel).ancestors().skip(1).any(|parent| {
            !parent.as_os_str().is_empty()
                && xattr::get(dir.join(parent), OPAQUE_XATTR)
                    .is_ok_and(|v| v.as_deref() == Some(b"y"))
        });
        if opaque {
            return Ok(None);
        }
    }
    Ok(None)
}

/// Rewrites OCI whiteouts into overlayfs's form throughout `root`, never
/// following a symlink (every directory walked is a real one we created).
pub fn convert_whiteouts(root: &Path) -> io::Result<()> {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        strip_overlay_xattrs(&dir)?;
        let mut whiteouts = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let meta = entry.path().symlink_metadata()?;
            if name.as_bytes().starts_with(WHITEOUT.as_bytes()) {
                whiteouts.push((name, meta));
                continue;
            }
            if meta.is_dir() {
                pending.push(entry.path());
            } else if !meta.file_type().is_symlink() {
                strip_overlay_xattrs(&entry.path())?;
            }
        }
        for (name, meta) in whiteouts {
            apply_whiteout(&dir, &name, &meta)?;
        }
    }
    Ok(())
}

fn apply_whiteout(dir: &Path, name: &OsStr, meta: &fs::Metadata) -> io::Result<()> {
    let marker = dir.join(name);
    if meta.is_dir() {
        fs::remove_dir_all(&marker)?;
    } else {
        fs::remove_file(&marker)?;
    }
    if name == OPAQUE {
        return xattr::set(dir, OPAQUE_XATTR, b"y");
    }
    let hidden = &name.as_bytes()[WHITEOUT.len()..];
    if hidden.is_empty() || hidden == b"." || hidden == b".." || hidden.contains(&b'/') {
        return Err(io::Error::other(format!(
            "invalid whiteout {:?} in {}",
            name.to_string_lossy(),
            dir.display()
        )));
    }
    let target = dir.join(OsStr::from_bytes(hidden));
    if target.symlink_metadata().is_ok() {
        // The layer also ships the name itself; it wins over the lower one anyway.
        return Ok(());
    }
    mknod(&target, SFlag::S_IFCHR, Mode::empty(), makedev(0, 0))?;
    nix::unistd::fchownat(
        None,
        &target,
        Some(meta.uid().into()),
        Some(meta.gid().into()),
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )?;
    Ok(())
}

/// Removes `trusted.overlay.*` attributes from a file or directory.
fn strip_overlay_xattrs(path: &Path) -> io::Result<()> {
    let names = match xattr::list(path) {
        Ok(names) => names,
        Err(e) if e.raw_os_error() == Some(Errno::ENOTSUP as i32) => return Ok(()),
        Err(e) => return Err(e),
    };
    for name in names {
        if name.as_bytes().starts_with(OVERLAY_XATTRS) {
            xattr::remove(path, &name)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    #[test]
    fn test_convert_whiteouts() {
        if !nix::unistd::geteuid().is_root() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("etc/sub")).unwrap();
        fs::write(root.join("etc/.wh.motd"), "").unwrap();
        fs::write(root.join("etc/sub/.wh..wh..opq"), "").unwrap();
        fs::write(root.join("etc/sub/kept"), "x").unwrap();
        fs::write(root.join(".wh.gone"), "").unwrap();
        convert_whiteouts(root).unwrap();
        let motd = root.join("etc/motd").symlink_metadata().unwrap();
        assert!(motd.file_type().is_char_device());
        assert_eq!(motd.rdev(), 0);
        assert!(root
            .join("gone")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_char_device());
        assert!(!root.join("etc/.wh.motd").exists());
        assert!(!root.join("etc/sub/.wh..wh..opq").exists());
        assert!(root.join("etc/sub/kept").is_file());
        assert_eq!(
            xattr::get(root.join("etc/sub"), OPAQUE_XATTR)
                .unwrap()
                .as_deref(),
            Some(&b"y"[..])
        );
    }

    #[test]
    fn test_bad_whiteout_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".wh."), "").unwrap();
        assert!(convert_whiteouts(dir.path()).is_err());
    }
}
