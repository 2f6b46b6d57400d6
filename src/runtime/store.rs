//! The container store: claiming ids and names, finding a container by name, id
//! or unique id prefix, listing, and the per-container lock.
//!
//! A name is claimed by creating `names/<name>` with `O_EXCL`, so of two
//! concurrent `create`s of one name exactly one wins; the container directory is
//! claimed with a plain `mkdir` for the same reason.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::PathBuf;

use nix::fcntl::{Flock, FlockArg};
use thiserror::Error;

use super::layout::{ContainerFiles, Layout};
use super::record::{
    read_json, write_file_atomic, write_file_volatile, ContainerRecord, Durability, RecordError,
};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("Conflict. The container name \"/{name}\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name (or pass --replace to remove it first).")]
    NameInUse { name: String, id: String },
    #[error("No such container: {0}")]
    NotFound(String),
    #[error("multiple containers found with provided prefix: {0}")]
    Ambiguous(String),
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: io::Error },
    #[error(transparent)]
    Record(#[from] RecordError),
}

fn io_error(path: PathBuf) -> impl FnOnce(io::Error) -> StoreError {
    move |reason| StoreError::Io { path, reason }
}

/// Takes an exclusive flock on `path`, creating it (and its directory).
pub fn lock_path(path: &std::path::Path) -> Result<ContainerLock, StoreError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_error(parent.to_path_buf()))?;
    }
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io_error(path.to_path_buf()))?;
    let lock = Flock::lock(file, FlockArg::LockExclusive)
        .map_err(|(_, e)| io_error(path.to_path_buf())(e.into()))?;
    Ok(ContainerLock(lock))
}

/// A held lock; released on drop.
pub struct ContainerLock(#[allow(dead_code)] Flock<File>);

pub struct Store {
    pub layout: Layout,
}

impl Store {
    pub fn new(layout: Layout) -> Store {
        Store { layout }
    }

    /// Claims `name` for `id`, whose directory must already be claimed. A name
    /// left behind by a crashed command (its container directory is gone) is
    /// taken over, unless a container's own record still carries the name (a
    /// damaged name file must not hand a live container's name to another).
    /// Claims are serialised by a lock on the names directory; the file is
    /// written atomically (temp file + rename), so a failed write (ENOSPC)
    /// leaves no empty name file behind.
    pub fn claim_name(&self, name: &str, id: &str) -> Result<(), StoreError> {
        self.claim_name_for(name, id, Durability::Durable)
    }

    /// [`Store::claim_name`]; a `Volatile` name file (a `--rm` container's,
    /// gone with the run) is renamed into place without the fsyncs.
    pub fn claim_name_for(
        &self,
        name: &str,
        id: &str,
        durability: Durability,
    ) -> Result<(), StoreError> {
        let dir = self.layout.names_dir();
        fs::create_dir_all(&dir).map_err(io_error(dir.clone()))?;
        let _lock = lock_path(&dir.join(".lock"))?;
        let path = self.layout.name_file(name);
        match self.read_name_file(name) {
            NameFile::Missing => {}
            NameFile::Owner(owner) if owner == id => return Ok(()),
            NameFile::Owner(owner) if self.owns_a_directory(&owner) => {
                return Err(StoreError::NameInUse {
                    name: name.to_string(),
                    id: owner,
                })
            }
            // Empty, garbled, unreadable or naming a container that is gone:
            // the containers' records decide.
            NameFile::Owner(_) | NameFile::Damaged => {
                if let Some(owner) = self.ids_named(name).into_iter().find(|o| o != id) {
                    return Err(StoreError::NameInUse {
                        name: name.to_string(),
                        id: owner,
                    });
                }
            }
        }
        match durability {
            Durability::Durable => write_file_atomic(&path, id.as_bytes()),
            Durability::Volatile => write_file_volatile(&path, id.as_bytes()),
        }
        .map_err(io_error(path))
    }

    /// What `names/<name>` holds.
    fn read_name_file(&self, name: &str) -> NameFile {
        match fs::read_to_string(self.layout.name_file(name)) {
            Ok(owner) if is_container_id(&owner) => NameFile::Owner(owner),
            Ok(_) => NameFile::Damaged,
            Err(e) if e.kind() == io::ErrorKind::NotFound => NameFile::Missing,
            Err(_) => NameFile::Damaged,
        }
    }

    /// The containers whose own record carries `name` (normally none or one).
    pub fn ids_named(&self, name: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .ids()
            .unwrap_or_default()
            .into_iter()
            .filter(|id| {
                self.record(id)
                    .ok()
                    .flatten()
                    .is_some_and(|r| r.name == name)
            })
            .collect();
        ids.sort();
        ids
    }

    /// Points `names/<name>` at `id` again (what `gc` and a lookup that had to
    /// fall back on the records do); returns whether the file changed.
    pub fn repair_name(&self, name: &str, id: &str) -> Result<bool, StoreError> {
        if !is_valid_name(name) {
            return Ok(false);
        }
        let dir = self.layout.names_dir();
        fs::create_dir_all(&dir).map_err(io_error(dir.clone()))?;
        let _lock = lock_path(&dir.join(".lock"))?;
        let path = self.layout.name_file(name);
        if fs::read_to_string(&path).is_ok_and(|owner| owner == id) {
            return Ok(false);
        }
        write_file_atomic(&path, id.as_bytes()).map_err(io_error(path))?;
        Ok(true)
    }

    /// Releases `name` if it still belongs to `id`.
    pub fn release_name(&self, name: &str, id: &str) {
        let path = self.layout.name_file(name);
        if fs::read_to_string(&path).is_ok_and(|owner| owner == id) {
            let _ = fs::remove_file(path);
        }
    }

    /// Releases every name pointing at `id` (used when its record is unreadable).
    pub fn release_names_of(&self, id: &str) {
        let Ok(entries) = fs::read_dir(self.layout.names_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            if fs::read_to_string(entry.path()).is_ok_and(|owner| owner == id) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Claims the container directory with `mkdir` (fails if it exists).
    pub fn claim_dir(&self, id: &str) -> Result<PathBuf, StoreError> {
        let parent = self.layout.containers_dir();
        fs::create_dir_all(&parent).map_err(io_error(parent))?;
        let dir = self.layout.container_dir(id);
        fs::create_dir(&dir).map_err(io_error(dir.clone()))?;
        Ok(dir)
    }

    /// The id a name, full id or unique id prefix refers to. The name file is
    /// trusted only when it names an existing container whose record carries
    /// that name; otherwise the containers' own records decide (and the name
    /// file is repaired). A name file that cannot be read while no record
    /// carries the name is an error naming the file, never "No such container".
    pub fn resolve(&self, reference: &str) -> Result<String, StoreError> {
        let name = reference.trim_start_matches('/');
        if is_valid_name(name) {
            let path = self.layout.name_file(name);
            let read = fs::read_to_string(&path);
            if let Ok(id) = &read {
                if self.owns_a_directory(id) && self.record_is_named(id, name) {
                    return Ok(id.clone());
                }
            }
            // A full id needs no search through the records.
            if self.owns_a_directory(name) {
                return Ok(name.to_string());
            }
            if let Some(id) = self.ids_named(name).into_iter().next() {
                if let Err(e) = self.repair_name(name, &id) {
                    tracing::warn!("{e}");
                }
                return Ok(id);
            }
            match read {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(StoreError::Io { path, reason: e })
                }
                _ => {}
            }
        }
        if reference.is_empty() || !reference.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound(reference.to_string()));
        }
        let mut matches = self
            .ids()?
            .into_iter()
            .filter(|id| id.starts_with(reference));
        match (matches.next(), matches.next()) {
            (Some(id), None) => Ok(id),
            (Some(_), Some(_)) => Err(StoreError::Ambiguous(reference.to_string())),
            (None, _) => Err(StoreError::NotFound(reference.to_string())),
        }
    }

    /// Whether `id`'s record carries `name`; a container without a readable
    /// record yet (a `create` under way) is given the benefit of the doubt.
    fn record_is_named(&self, id: &str, name: &str) -> bool {
        match self.record(id) {
            Ok(Some(record)) => record.name == name,
            _ => true,
        }
    }

    /// Whether a name file's contents name an existing container. A file a
    /// killed `create` left empty (or garbled) names none: the name is stale.
    pub fn owns_a_directory(&self, owner: &str) -> bool {
        is_container_id(owner) && self.layout.container_dir(owner).exists()
    }

    /// Every container id, in no particular order.
    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        let dir = self.layout.containers_dir();
        match fs::read_dir(&dir) {
            Ok(entries) => Ok(entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| is_container_id(n))
                .collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io_error(dir)(e)),
        }
    }

    /// The container's record; `Ok(None)` when it has none (a crashed `create`).
    pub fn record(&self, id: &str) -> Result<Option<ContainerRecord>, StoreError> {
        let dir = self.layout.container_dir(id);
        Ok(read_json(&ContainerFiles(&dir).record())?)
    }

    /// Takes the container's lock, waiting for whoever holds it.
    pub fn lock(&self, id: &str) -> Result<ContainerLock, StoreError> {
        lock_path(&self.layout.lock_file(id))
    }

    pub fn remove_lock_file(&self, id: &str) {
        let _ = fs::remove_file(self.layout.lock_file(id));
    }
}

/// What a name file holds.
enum NameFile {
    Missing,
    /// A well-formed container id (whose container may be gone).
    Owner(String),
    /// Empty, garbled or unreadable.
    Damaged,
}

/// Docker's container-name alphabet, `[a-zA-Z0-9][a-zA-Z0-9_.-]*`: anything else
/// can never be a name file (and must never become a path under `names/`).
pub fn is_valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// 64 hex digits, as [`crate::runtime::prepare::new_container_id`] makes them.
pub fn is_container_id(text: &str) -> bool {
    text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_empty_or_garbled_name_file_is_stale() {
        let tmp = tempfile::tempdir().unwrap();
        let settings = crate::config::Settings::load(crate::config::Overrides {
            config_dir: Some(tmp.path().join("etc")),
            root: Some(tmp.path().join("root")),
            run_dir: Some(tmp.path().join("run")),
            ..Default::default()
        })
        .unwrap();
        let store = Store::new(Layout::new(&settings));
        let id = "a".repeat(64);
        store.claim_dir(&id).unwrap();
        fs::create_dir_all(store.layout.names_dir()).unwrap();
        // What a create killed between creating and writing the file leaves.
        fs::write(store.layout.name_file("web"), "").unwrap();
        assert!(matches!(store.resolve("web"), Err(StoreError::NotFound(_))));
        store.claim_name("web", &id).unwrap();
        assert_eq!(store.resolve("web").unwrap(), id);
        fs::write(store.layout.name_file("db"), "../..").unwrap();
        assert!(!store.owns_a_directory("../.."));
        assert!(store.owns_a_directory(&id));
    }
}
