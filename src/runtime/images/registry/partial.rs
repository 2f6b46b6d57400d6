//! Blobs being downloaded, kept across pulls so an interrupted download is
//! continued (an HTTP `Range` request) rather than restarted.
//!
//! ```text
//! images/tmp/partial/<hex>   the bytes of blob sha256:<hex> received so far
//! ```
//!
//! A file is flocked by the pull writing or reading it; a pull that finds it
//! locked downloads into its own directory instead. The file is removed when
//! the pull that used it succeeds, when its bytes turn out not to be the blob
//! (digest or size), by `image prune`, or by `gc` once a day old. Whatever is resumed is hashed from
//! its first byte: a partial file is never trusted, only continued.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::runtime::images::digest;

pub const DIR: &str = "partial";

/// A partial blob, locked for this pull.
pub struct Partial {
    pub path: PathBuf,
    pub file: Flock<File>,
}

/// `tmp/partial/`.
pub fn dir(tmp: &Path) -> PathBuf {
    tmp.join(DIR)
}

/// Opens (creating) and locks the partial file of `blob_digest`; `None` when
/// another pull holds it.
pub fn open(tmp: &Path, blob_digest: &str) -> io::Result<Option<Partial>> {
    let dir = dir(tmp);
    fs::create_dir_all(&dir)?;
    let path = dir.join(digest::hex(blob_digest));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(file) => Ok(Some(Partial { path, file })),
        Err((_, Errno::EWOULDBLOCK)) => Ok(None),
        Err((_, e)) => Err(e.into()),
    }
}

impl Partial {
    /// Removes the file (still locked, so no other pull is using it).
    pub fn remove(self) {
        if let Err(e) = fs::remove_file(&self.path) {
            tracing::debug!("{}: {e}", self.path.display());
        }
    }
}

/// Removes every partial blob no pull is using; returns how many.
pub fn prune(tmp: &Path) -> usize {
    prune_older(tmp, Duration::ZERO).len()
}

/// Removes the partial blobs no pull is using and untouched for `age`;
/// returns their digests.
pub fn prune_older(tmp: &Path, age: Duration) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir(tmp)) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| SystemTime::now().duration_since(t).unwrap_or_default() >= age);
        let Ok(file) = File::open(entry.path()) else {
            continue;
        };
        if !old {
            continue;
        }
        if let Ok(_lock) = Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            if fs::remove_file(entry.path()).is_ok() {
                removed.push(format!(
                    "{}{}",
                    digest::PREFIX,
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    removed
}
