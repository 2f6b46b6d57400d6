//! The records vassalrun keeps per container (`container.json`, `exit`), each
//! written atomically: temp file, fsync, rename, fsync of the directory.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::spec::CreateRequest;

#[derive(Debug, Error)]
pub enum RecordError {
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: io::Error },
    #[error("{path}: corrupt record: {reason}")]
    Corrupt {
        path: PathBuf,
        reason: serde_json::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> RecordError + '_ {
    move |reason| RecordError::Io {
        path: path.to_path_buf(),
        reason,
    }
}

/// What `create` decided about a container; afterwards only `rename` (the
/// name) and `update` (the request's resources) change it, under the
/// container lock.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerRecord {
    pub id: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// The IMAGE argument as given.
    pub image: String,
    /// The read-only lower layer of the overlay.
    pub image_rootfs: PathBuf,
    pub request: CreateRequest,
}

/// How the container's last run ended, written by its monitor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExitRecord {
    /// Docker's exit code: the status, or 128+N for signal N, or 125/126/127.
    pub exit_code: i32,
    pub started_at: String,
    pub finished_at: String,
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    /// Why the container failed to start, if it did.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub error: String,
}

/// Writes `bytes` to `path` so readers see the old or the new contents, never a
/// mix: a uniquely named temporary file beside it, fsync, rename, fsync of the
/// directory. Concurrent writers (threads or processes) never share a temp file.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp: PathBuf = dir.join(format!(".{name}.{:016x}", rand::random::<u64>()));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Like [`write_file_atomic`] (temp file + rename: readers see the old or the
/// new contents, never a mix) without the two fsyncs, for state that describes
/// running processes and means nothing after a reboot: the monitor's pid, the
/// start time, the exit record, the network's leases and ports. Durability
/// would buy nothing there (after a crash every container is dead and `gc`
/// sweeps what is left), and on a disk-backed run dir each fsync is a journal
/// commit on the container's critical path.
pub fn write_volatile_atomic(path: &Path, bytes: &[u8]) -> Result<(), RecordError> {
    write_file_volatile(path, bytes).map_err(io_error(path))
}

/// [`write_volatile_atomic`] with the bare I/O error.
pub fn write_file_volatile(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp: PathBuf = dir.join(format!(".{name}.{:016x}", rand::random::<u64>()));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// [`write_file_atomic`] with the error naming the record.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RecordError> {
    write_file_atomic(path, bytes).map_err(io_error(path))
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), RecordError> {
    write_json_for(path, value, Durability::Durable)
}

/// Whether a record must survive a crash of the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync'd ([`write_file_atomic`]).
    Durable,
    /// Dies with the run (a `--rm` container's records): atomic, not fsync'd
    /// ([`write_volatile_atomic`]). After a crash such a container is dead and
    /// `gc` removes it; a torn record is already handled as a damaged one.
    Volatile,
}

/// [`write_json`] with the given durability.
pub fn write_json_for<T: Serialize>(
    path: &Path,
    value: &T,
    durability: Durability,
) -> Result<(), RecordError> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|reason| RecordError::Corrupt {
        path: path.to_path_buf(),
        reason,
    })?;
    match durability {
        Durability::Durable => write_atomic(path, &bytes),
        Durability::Volatile => write_volatile_atomic(path, &bytes),
    }
}

/// Reads a JSON record; `Ok(None)` when it does not exist.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, RecordError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path)(e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|reason| RecordError::Corrupt {
            path: path.to_path_buf(),
            reason,
        })
}

/// Now, as RFC 3339 UTC with nanoseconds (Docker's format).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_write_json_round_trip_and_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exit");
        let record = ExitRecord {
            exit_code: 137,
            ..Default::default()
        };
        write_json(&path, &record).unwrap();
        assert_eq!(read_json::<ExitRecord>(&path).unwrap(), Some(record));
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
        fs::write(&path, "{").unwrap();
        let err = read_json::<ExitRecord>(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: corrupt record", path.display())),
            "{err}"
        );
        assert_eq!(
            read_json::<ExitRecord>(&dir.path().join("none")).unwrap(),
            None
        );
    }
}
