//! The name index: `index.json` maps image names to digests. It is replaced
//! atomically (temporary file, fsync, rename, fsync of the directory) and every
//! read-modify-write holds an flock on `index.lock`; plain reads take no lock.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};

use super::ImageError;

const INDEX: &str = "index.json";
const LOCK: &str = "index.lock";

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

impl Index {
    /// The names pointing at `digest`, sorted.
    pub fn names_of(&self, digest: &str) -> Vec<String> {
        self.names
            .iter()
            .filter(|(_, d)| *d == digest)
            .map(|(n, _)| n.clone())
            .collect()
    }
}

/// The held store lock; released on drop.
pub struct StoreLock(#[allow(dead_code)] Flock<File>);

pub fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ImageError {
    let path = path.to_path_buf();
    move |reason| ImageError::Io { path, reason }
}

/// Takes the store lock, waiting for whoever holds it.
pub fn lock(dir: &Path) -> Result<StoreLock, ImageError> {
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_error(&path))?;
    let lock =
        Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| io_error(&path)(e.into()))?;
    Ok(StoreLock(lock))
}

/// The index; empty when there is none yet.
pub fn read(dir: &Path) -> Result<Index, ImageError> {
    Ok(read_json(&dir.join(INDEX))?.unwrap_or_default())
}

/// Replaces the index (call with the lock held).
pub fn write(dir: &Path, index: &Index) -> Result<(), ImageError> {
    write_json(&dir.join(INDEX), index)
}

/// A JSON file, or `None` when it does not exist.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, ImageError> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path)(e)),
    };
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|reason| ImageError::Json {
            path: path.to_path_buf(),
            reason,
        })
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), ImageError> {
    let mut text = serde_json::to_vec_pretty(value).map_err(|reason| ImageError::Json {
        path: path.to_path_buf(),
        reason,
    })?;
    text.push(b'\n');
    crate::runtime::record::write_file_atomic(path, &text).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_write_then_read_index() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), Index::default());
        let mut index = Index::default();
        index.names.insert("web".into(), "sha256:aa".into());
        index.names.insert("api".into(), "sha256:aa".into());
        {
            let _lock = lock(dir.path()).unwrap();
            write(dir.path(), &index).unwrap();
        }
        let back = read(dir.path()).unwrap();
        assert_eq!(back, index);
        assert_eq!(back.names_of("sha256:aa"), ["api", "web"]);
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn test_read_names_bad_json() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(INDEX), "{oops").unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: ", dir.path().join(INDEX).display())),
            "{err}"
        );
    }
}
