//! The vassal's own configuration files, and nothing else of the Emperor's
//! directory, inside its container.
//!
//! The vassals directory holds every vassal's file (with its `docker-env =
//! DB_PASSWORD=…`), so it is never bound into a container. Instead the
//! wrapper copies the vassal's file and its `--inherit`/`--include`
//! templates into a directory of its own under the run dir
//! (`<run-dir>/vassals/<container name>/`, reachable by root only on the host),
//! binds that directory read-only at [`CONTAINER_DIR`], and rewrites the
//! vassal's arguments to those paths. A copy (rather than a bind of the file
//! itself) keeps the host path of the Emperor's directory out of the
//! container's `/proc/self/mountinfo`.
//!
//! The Emperor reloads a vassal whose file changed and the vassal reads it
//! again, so the wrapper keeps the copies fresh: it watches the originals'
//! directories with inotify and copies again (temp file + rename) on every
//! change, before the Emperor's next scan notices it.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::invocation::{in_docker_alphabet, Invocation};

/// Where the vassal's files appear inside its container (and its default
/// working directory).
pub const CONTAINER_DIR: &str = "/vassal";

/// One copied file: its host original and its name in the copy directory.
#[derive(Debug, Clone)]
struct Copied {
    source: PathBuf,
    name: String,
}

/// The vassal's copy directory; removed on drop.
#[derive(Debug)]
pub struct VassalFiles {
    /// `<run-dir>/vassals/<container name>`.
    pub dir: PathBuf,
    files: Vec<Copied>,
}

impl VassalFiles {
    /// Copies the vassal's file (unless its config comes through the config
    /// pipe) and its templates into `parent/<container name>/` and
    /// returns it with the vassal's arguments rewritten to the copies.
    pub fn prepare(
        invocation: &Invocation,
        cwd: &Path,
        parent: &Path,
    ) -> Result<(VassalFiles, Vec<String>), String> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(|e| format!("{}: {e}", parent.display()))?;
        let dir = parent.join(invocation.container_name());
        // A copy left by a wrapper that was killed: ours now.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new()
            .mode(0o755)
            .create(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        // The mode is the umask's otherwise; the container's user must traverse it.
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        let mut files = VassalFiles {
            dir,
            files: Vec::new(),
        };
        let mut args = invocation.args.clone();
        if !invocation.is_piped() {
            let file = invocation.file_name();
            let name = container_file_name(Path::new(file), "vassal");
            files.files.push(Copied {
                source: invocation.file_path(cwd),
                name: name.clone(),
            });
            let inside = format!("{CONTAINER_DIR}/{name}");
            for arg in args.iter_mut().filter(|a| **a == invocation.name) {
                *arg = invocation.name.replacen(file, &inside, 1);
            }
        }
        for (index, template) in invocation.templates.iter().enumerate() {
            let name = format!(
                "template-{index}-{}",
                container_file_name(Path::new(template), "template")
            );
            let inside = format!("{CONTAINER_DIR}/{name}");
            for pair in args.chunks_mut(2) {
                if let [option, value] = pair {
                    if matches!(option.as_str(), "--inherit" | "--include") && value == template {
                        *value = inside.clone();
                        break;
                    }
                }
            }
            files.files.push(Copied {
                source: cwd.join(template),
                name,
            });
        }
        files.refresh_all()?;
        Ok((files, args))
    }

    /// Copies every original again; the first failure is returned.
    pub fn refresh_all(&self) -> Result<(), String> {
        refresh(&self.pairs())
    }

    /// (original, copy) of every file, for the relay image (which refreshes
    /// them with [`refresh`]).
    pub fn pairs(&self) -> Vec<(PathBuf, PathBuf)> {
        self.files
            .iter()
            .map(|f| (f.source.clone(), self.dir.join(&f.name)))
            .collect()
    }

    /// Leaves the directory to whoever removes it later (the relay image).
    pub fn keep(self) -> PathBuf {
        let dir = self.dir.clone();
        std::mem::forget(self);
        dir
    }

    /// An inotify fd watching the originals' directories (renames included);
    /// readable when one of them may have changed.
    pub fn watch(&self) -> std::io::Result<Watch> {
        // SAFETY: inotify_init1 takes flags only and returns a new fd or -1.
        let fd =
            unsafe { nix::libc::inotify_init1(nix::libc::IN_CLOEXEC | nix::libc::IN_NONBLOCK) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: the fd was just created and belongs to nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mask = nix::libc::IN_CLOSE_WRITE
            | nix::libc::IN_MOVED_TO
            | nix::libc::IN_CREATE
            | nix::libc::IN_ATTRIB
            | nix::libc::IN_MODIFY;
        for file in &self.files {
            let Some(dir) = file.source.parent() else {
                continue;
            };
            let Ok(path) = CString::new(dir.as_os_str().as_encoded_bytes()) else {
                continue;
            };
            // SAFETY: a valid fd and a NUL-terminated path that outlives the call.
            unsafe { nix::libc::inotify_add_watch(fd.as_raw_fd(), path.as_ptr(), mask) };
        }
        Ok(Watch(fd))
    }
}

impl Drop for VassalFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Copies every original of `pairs` (original, copy) again; the first
/// failure is returned.
pub fn refresh(pairs: &[(PathBuf, PathBuf)]) -> Result<(), String> {
    for (source, copy) in pairs {
        copy_one(source, copy).map_err(|e| format!("{}: {e}", source.display()))?;
    }
    Ok(())
}

/// The inotify fd of [`VassalFiles::watch`].
pub struct Watch(OwnedFd);

impl Watch {
    /// The fd, for the relay.
    pub fn into_fd(self) -> OwnedFd {
        self.0
    }

    pub fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// Reads (and forgets) the pending events.
    pub fn drain(&self) {
        let mut buffer = [0u8; 4096];
        // SAFETY: reads into a buffer we own, of the length given; non-blocking fd.
        while unsafe { nix::libc::read(self.fd(), buffer.as_mut_ptr().cast(), buffer.len()) } > 0 {}
    }
}

/// `name`'s last component in a form safe as a file name and as a bind path.
fn container_file_name(path: &Path, fallback: &str) -> String {
    let name = in_docker_alphabet(
        &path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    if name.is_empty() || name.starts_with('.') {
        format!("{fallback}{name}")
    } else {
        name
    }
}

/// Copies `source` to `target` through a temp file and a rename (the
/// container sees the old or the new file, never half of one), keeping the
/// original's mode and owner, so the vassal reads it exactly as it could read
/// the original.
fn copy_one(source: &Path, target: &Path) -> std::io::Result<()> {
    let metadata = std::fs::metadata(source)?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let bytes = std::fs::read(source)?;
    let dir = target.parent().unwrap_or(Path::new("/"));
    let tmp = dir.join(format!(".copy.{:016x}", rand::random::<u64>()));
    let result = (|| {
        std::fs::write(&tmp, &bytes)?;
        std::os::unix::fs::chown(&tmp, Some(metadata.uid()), Some(metadata.gid()))?;
        std::fs::set_permissions(
            &tmp,
            std::fs::Permissions::from_mode(metadata.mode() & 0o7777),
        )?;
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
