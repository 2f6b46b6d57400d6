//! `cp`: files between a container's root filesystem and the host, in either
//! direction, with Docker's rules for where the copy lands. The container's
//! side is resolved inside its rootfs and walked with
//! [`crate::runtime::tree_copy`], so no symlink in the container ever leads
//! the copy to a host file. A stopped container's overlay is mounted for the
//! duration (in a private mount namespace), as for `export`; a running
//! one's is reached in its monitor's mount namespace.
//!
//! The rootfs is the container's image plus its changes; what the container
//! has mounted over it (binds, tmpfs, the network files) is not seen.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use super::LifecycleError;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::mount_namespace::with_rootfs;
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::store::{Store, StoreError};
use crate::runtime::tree_copy::{copy_contents, copy_entry, kind_at, open_dir_in_root, Kind};

/// Which way the copy goes; paths as the user gave them.
pub enum Direction<'a> {
    /// Container path → host path.
    Out { from: &'a str, to: &'a Path },
    /// Host path → container path.
    In { from: &'a Path, to: &'a str },
}

pub fn copy(store: &Store, id: &str, direction: &Direction) -> Result<(), LifecycleError> {
    let _lock = store.lock(id)?;
    let dir = store.layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let record: ContainerRecord =
        read_json(&files.record())?.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    let result = with_rootfs(&files, &record.image_rootfs, |root| match direction {
        Direction::Out { from, to } => copy_out(root, from, to),
        Direction::In { from, to } => copy_in(root, from, to),
    })?;
    result.map_err(|reason| LifecycleError::Runtime {
        id: id.to_string(),
        step: "cp",
        reason,
    })
}

/// `dir/name`, or a directory's contents when the path ends in `/.` (or is `/`).
struct Source {
    parent: OwnedFd,
    name: OsString,
    contents: bool,
    kind: Kind,
}

/// Splits `path` into its parent and last component (`.` for `/` and `x/.`).
fn split(path: &str) -> (&str, &str, bool) {
    let contents = path.ends_with("/.") || path.trim_end_matches('/').is_empty();
    let trimmed = path.trim_end_matches("/.").trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        _ if contents => (trimmed, ".", true),
        Some((parent, name)) => (if parent.is_empty() { "/" } else { parent }, name, false),
        None => (".", trimmed, false),
    }
}

fn source(
    path: &str,
    open_dir: &dyn Fn(&str) -> io::Result<Option<OwnedFd>>,
    missing: &dyn Fn() -> String,
) -> Result<Source, String> {
    let (parent, name, contents) = split(path);
    let parent = open_dir(parent)
        .map_err(|e| format!("{path}: {e}"))?
        .ok_or_else(missing)?;
    let kind = kind_at(parent.as_fd(), OsStr::new(name))
        .map_err(|e| format!("{path}: {e}"))?
        .ok_or_else(missing)?;
    if contents && kind != Kind::Dir {
        return Err(format!("{path}: not a directory"));
    }
    Ok(Source {
        parent,
        name: name.into(),
        contents,
        kind,
    })
}

/// Docker's landing rules: into an existing directory (under the source's
/// name), else as the named path (its parent must exist).
fn land(
    src: &Source,
    dest: &str,
    open_dir: &dyn Fn(&str) -> io::Result<Option<OwnedFd>>,
) -> Result<(), String> {
    let fail = |e: io::Error| format!("{dest}: {e}");
    let source_dir = || -> io::Result<OwnedFd> {
        let fd = nix::fcntl::openat(
            Some(std::os::fd::AsRawFd::as_raw_fd(&src.parent)),
            src.name.as_os_str(),
            nix::fcntl::OFlag::O_RDONLY
                | nix::fcntl::OFlag::O_DIRECTORY
                | nix::fcntl::OFlag::O_NOFOLLOW,
            nix::sys::stat::Mode::empty(),
        )?;
        // SAFETY: openat returned a new descriptor that nothing else owns.
        Ok(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
    };
    if let Some(dir) = open_dir(dest).map_err(fail)? {
        if src.contents {
            return copy_contents(source_dir().map_err(fail)?.as_fd(), dir.as_fd()).map_err(fail);
        }
        return copy_entry(src.parent.as_fd(), &src.name, dir.as_fd(), &src.name).map_err(fail);
    }
    if dest.ends_with('/') && src.kind != Kind::Dir {
        return Err(format!("destination directory {dest} does not exist"));
    }
    let (parent, name, _) = split(dest);
    let parent_dir = open_dir(parent)
        .map_err(fail)?
        .ok_or_else(|| format!("destination directory {parent} does not exist"))?;
    let name = OsStr::new(name);
    if src.kind == Kind::Dir && kind_at(parent_dir.as_fd(), name).map_err(fail)?.is_some() {
        return Err(format!("cannot copy a directory to a file: {dest}"));
    }
    if src.contents {
        nix::sys::stat::mkdirat(
            Some(std::os::fd::AsRawFd::as_raw_fd(&parent_dir)),
            name,
            nix::sys::stat::Mode::from_bits_truncate(0o755),
        )
        .map_err(|e| fail(e.into()))?;
        let made = open_dir(dest)
            .map_err(fail)?
            .ok_or_else(|| format!("{dest}: vanished"))?;
        return copy_contents(source_dir().map_err(fail)?.as_fd(), made.as_fd()).map_err(fail);
    }
    copy_entry(src.parent.as_fd(), &src.name, parent_dir.as_fd(), name).map_err(fail)
}

/// A host directory, symlinks followed (the host's paths are the caller's own).
fn open_host_dir(path: &str) -> io::Result<Option<OwnedFd>> {
    match File::open(path) {
        Ok(f) if f.metadata()?.is_dir() => Ok(Some(f.into())),
        Ok(_) => Ok(None),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn copy_out(root: &Path, from: &str, to: &Path) -> Result<(), String> {
    let in_root = |p: &str| open_dir_in_root(root, p);
    let missing = || format!("Could not find the file {from} in container");
    let src = source(from, &in_root, &missing)?;
    land(&src, &to.to_string_lossy(), &open_host_dir)
}

fn copy_in(root: &Path, from: &Path, to: &str) -> Result<(), String> {
    let from_text = from.to_string_lossy();
    let missing = || format!("could not find the file {from_text} on the host");
    let src = source(&from_text, &open_host_dir, &missing)?;
    let in_root = |p: &str| open_dir_in_root(root, p);
    land(&src, to, &in_root)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn test_split() {
        assert_eq!(split("/etc/hosts"), ("/etc", "hosts", false));
        assert_eq!(split("/etc/"), ("/", "etc", false));
        assert_eq!(split("/hosts"), ("/", "hosts", false));
        assert_eq!(split("hosts"), (".", "hosts", false));
        assert_eq!(split("/"), ("", ".", true));
        assert_eq!(split("/srv/."), ("/srv", ".", true));
    }
}
