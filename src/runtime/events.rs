//! The event log behind `vassalrun events`: what vassalrun did to containers
//! (create, start, die, destroy, pause, unpause, rename, update), one JSON
//! object per line in Docker's event shape, appended to `<root>/events.log`.
//!
//! Why a file: there is no daemon to keep events in memory, and commands that
//! act on a container (the CLI, its monitor, the Emperor wrapper) are separate
//! processes. Each appends one line under an exclusive flock, so lines never
//! interleave. The log is bounded: past [`MAX_BYTES`] the writer renames it to
//! `events.log.1` (replacing the older one), so at most two files exist and
//! readers read both, oldest first. Recording is best effort: a failure is
//! logged and never fails the container operation it describes.
//!
//! ```json
//! {"status":"die","id":"4f…","from":"alpine","Type":"container","Action":"die",
//!  "Actor":{"ID":"4f…","Attributes":{"exitCode":"0","image":"alpine","name":"web"}},
//!  "scope":"local","time":1764694800,"timeNano":1764694800123456789}
//! ```

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};

use super::layout::{ContainerFiles, Layout};
use super::record::{read_json, ContainerRecord};

/// Size past which the log is rotated to `events.log.1`.
pub const MAX_BYTES: u64 = 4 << 20;

/// One event, in the shape `docker events --format '{{json .}}'` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub status: String,
    pub id: String,
    pub from: String,
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Actor")]
    pub actor: Actor,
    pub scope: String,
    pub time: i64,
    #[serde(rename = "timeNano")]
    pub time_nano: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Attributes")]
    pub attributes: BTreeMap<String, String>,
}

/// Who an event is about.
pub struct Subject<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub image: &'a str,
}

impl Event {
    /// A container event happening now; `extra` adds attributes (`exitCode`, …).
    pub fn now(action: &str, subject: &Subject, extra: &[(&str, String)]) -> Event {
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let mut attributes = BTreeMap::from([
            ("image".to_string(), subject.image.to_string()),
            ("name".to_string(), subject.name.to_string()),
        ]);
        for (key, value) in extra {
            attributes.insert(key.to_string(), value.clone());
        }
        Event {
            status: action.to_string(),
            id: subject.id.to_string(),
            from: subject.image.to_string(),
            kind: "container".to_string(),
            action: action.to_string(),
            actor: Actor {
                id: subject.id.to_string(),
                attributes,
            },
            scope: "local".to_string(),
            time: nanos.div_euclid(1_000_000_000),
            time_nano: nanos,
        }
    }

    /// The container's name (without Docker's leading slash).
    pub fn name(&self) -> &str {
        self.actor.attributes.get("name").map_or("", |n| n.as_str())
    }
}

fn log_path(layout: &Layout) -> PathBuf {
    layout.events_file()
}

fn rotated_path(path: &Path) -> PathBuf {
    path.with_extension("log.1")
}

/// Appends `event`; failures are logged, never returned.
pub fn record(layout: &Layout, event: &Event) {
    let path = log_path(layout);
    if let Err(e) = append(&path, event) {
        tracing::warn!("event log {}: {e}", path.display());
    }
}

/// Records `action` for container `id`, reading its name and image from its
/// record (a container without a readable record is not recorded).
pub fn record_for(layout: &Layout, id: &str, action: &str, extra: &[(&str, String)]) {
    let dir = layout.container_dir(id);
    if let Ok(Some(r)) = read_json::<ContainerRecord>(&ContainerFiles(&dir).record()) {
        let subject = Subject {
            id,
            name: &r.name,
            image: &r.image,
        };
        record(layout, &Event::now(action, &subject, extra));
    }
}

fn append(path: &Path, event: &Event) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut line = serde_json::to_vec(event)?;
    line.push(b'\n');
    loop {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let mut locked =
            Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| io::Error::from(e))?;
        if locked.metadata()?.len() < MAX_BYTES {
            // A writer that waited for the lock may hold a file another writer
            // just rotated away: the line then lands in events.log.1, which
            // readers read too.
            return locked.write_all(&line);
        }
        // Rotate, then append to a fresh log on the next turn.
        fs::rename(path, rotated_path(path))?;
    }
}

/// Every recorded event, oldest first; unreadable lines are skipped.
pub fn read_all(layout: &Layout) -> io::Result<Vec<Event>> {
    let path = log_path(layout);
    let mut events = Vec::new();
    for file in [rotated_path(&path), path] {
        match File::open(&file) {
            Ok(f) => events.extend(
                BufReader::new(f)
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| serde_json::from_str::<Event>(&l).ok()),
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    events.sort_by_key(|e| e.time_nano);
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject<'static> {
        Subject {
            id: "abc",
            name: "web",
            image: "alpine",
        }
    }

    #[test]
    fn test_event_shape_is_dockers() {
        let e = Event::now("die", &subject(), &[("exitCode", "3".into())]);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["Action"], "die");
        assert_eq!(v["Type"], "container");
        assert_eq!(v["Actor"]["Attributes"]["exitCode"], "3");
        assert_eq!(v["Actor"]["Attributes"]["name"], "web");
        assert_eq!(v["time"].as_i64().unwrap(), e.time_nano / 1_000_000_000);
    }

    #[test]
    fn test_append_rotates_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.log");
        fs::write(&path, vec![b'x'; MAX_BYTES as usize]).unwrap();
        append(&path, &Event::now("start", &subject(), &[])).unwrap();
        assert_eq!(fs::metadata(rotated_path(&path)).unwrap().len(), MAX_BYTES);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
    }
}
