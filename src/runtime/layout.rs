//! Where a container's files live.
//!
//! Persistent, under `--root`: `containers/<id>/` holds `container.json` (our
//! record), `config.json` (the OCI spec: the directory is the bundle), the overlay
//! `upper/` and `work/` dirs, the `rootfs/` mount point, the network files and the
//! `exit` record; `names/<name>` holds the id a name belongs to; `events.log` is
//! the event log.
//! Runtime, under `--run-dir`: `libcontainer/<id>/` (libcontainer's state) and
//! `locks/<id>` (the per-container flock), `vassals/<name>/` (an Emperor
//! vassal's copied files).

use std::path::{Path, PathBuf};

use crate::config::Settings;

#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
    run_dir: PathBuf,
}

impl Layout {
    pub fn new(settings: &Settings) -> Layout {
        Layout {
            root: settings.root.clone(),
            run_dir: settings.run_dir.clone(),
        }
    }

    /// Runtime state (locks, sockets, the cgroup parents vassalrun made).
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    pub fn containers_dir(&self) -> PathBuf {
        self.root.join("containers")
    }

    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.containers_dir().join(id)
    }

    /// `--rm` containers that have left the store and whose monitor is
    /// still removing their directory (see
    /// [`crate::runtime::lifecycle::detached_removal`]).
    pub fn removing_dir(&self) -> PathBuf {
        self.root.join("removing")
    }

    pub fn names_dir(&self) -> PathBuf {
        self.root.join("names")
    }

    pub fn name_file(&self, name: &str) -> PathBuf {
        self.names_dir().join(name)
    }

    /// libcontainer's state root (it keeps `<id>/state.json` there).
    pub fn libcontainer_root(&self) -> PathBuf {
        self.run_dir.join("libcontainer")
    }

    /// The network lock and state (leases, published ports).
    pub fn network_dir(&self) -> PathBuf {
        self.run_dir.join("network")
    }

    /// The append-only event log (see [`crate::runtime::events`]).
    pub fn events_file(&self) -> PathBuf {
        self.root.join("events.log")
    }

    /// The Emperor wrapper's copies of each vassal's files
    /// (`vassals/<container name>/`, see `crate::emperor::files`).
    pub fn vassal_files_dir(&self) -> PathBuf {
        self.run_dir.join("vassals")
    }

    pub fn lock_file(&self, id: &str) -> PathBuf {
        self.run_dir.join("locks").join(id)
    }
}

/// Files inside one container directory.
pub struct ContainerFiles<'a>(pub &'a Path);

impl ContainerFiles<'_> {
    pub fn record(&self) -> PathBuf {
        self.0.join("container.json")
    }
    pub fn spec(&self) -> PathBuf {
        self.0.join("config.json")
    }
    /// The bundle libcontainer is given when its spec differs from ours
    /// (the seccomp filter installed by vassalrun, [`super::late_filter`]).
    pub fn shown_bundle(&self) -> PathBuf {
        self.0.join("libcontainer-bundle")
    }
    pub fn rootfs(&self) -> PathBuf {
        self.0.join("rootfs")
    }
    pub fn upper(&self) -> PathBuf {
        self.0.join("upper")
    }
    pub fn work(&self) -> PathBuf {
        self.0.join("work")
    }
    pub fn exit(&self) -> PathBuf {
        self.0.join("exit")
    }
    /// The monitor's attach socket (while it runs).
    pub fn attach_socket(&self) -> PathBuf {
        self.0.join("attach")
    }
    /// Where a `-t` container's init sends its pty master (during create).
    pub fn console_socket(&self) -> PathBuf {
        self.0.join("console")
    }

    /// The json-file log, named as Docker names it.
    pub fn log(&self, id: &str) -> PathBuf {
        self.0.join(format!("{id}-json.log"))
    }

    /// The container's overlay over `image_rootfs`.
    pub fn overlay<'a>(&self, image_rootfs: &'a Path) -> crate::runtime::rootfs::Overlay<'a> {
        crate::runtime::rootfs::Overlay {
            lower: image_rootfs,
            upper: self.upper(),
            work: self.work(),
            target: self.rootfs(),
        }
    }
}
