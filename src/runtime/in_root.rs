//! Reading a file of an untrusted root filesystem without escaping it: symlinks
//! and `..` resolve inside the root (`openat2` with `RESOLVE_IN_ROOT`), so an image
//! whose `/etc/passwd` links to `/etc/shadow` reads its own, not the host's.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;

use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::Mode;

/// Largest file read this way: user databases are small; a huge one is hostile.
const MAX_SIZE: u64 = 16 * 1024 * 1024;

/// Opens `path` (relative to `root`) with every lookup confined to `root`.
fn open_in_root(root: &Path, path: &str) -> nix::Result<File> {
    let dir =
        File::open(root).map_err(|e| nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(0)))?;
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY)
        .mode(Mode::empty())
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let fd = openat2(
        std::os::fd::AsRawFd::as_raw_fd(&dir),
        path.trim_start_matches('/'),
        how,
    )?;
    // SAFETY: openat2 returned a new descriptor that nothing else owns.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// The text of `path` inside `root`, or `None` when it does not exist or is not a regular file.
pub fn read_in_root(root: &Path, path: &str) -> io::Result<Option<String>> {
    let file = match open_in_root(root, path) {
        Ok(f) => f,
        Err(nix::errno::Errno::ENOENT | nix::errno::Errno::ENOTDIR) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    let mut text = String::new();
    file.take(MAX_SIZE).read_to_string(&mut text)?;
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_read_in_root_confines_symlinks() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host secret").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("etc")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret"),
            root.path().join("etc/passwd"),
        )
        .unwrap();
        std::os::unix::fs::symlink("../../../../../../group", root.path().join("etc/group"))
            .unwrap();
        std::fs::write(root.path().join("group"), "inside").unwrap();

        assert_eq!(read_in_root(root.path(), "/etc/passwd").unwrap(), None);
        assert_eq!(
            read_in_root(root.path(), "/etc/group").unwrap().as_deref(),
            Some("inside")
        );
        assert_eq!(read_in_root(root.path(), "/etc/missing").unwrap(), None);
        assert_eq!(read_in_root(root.path(), "/etc").unwrap(), None);
    }
}

/// Creates `path` and its missing parents inside `root`, new directories owned by
/// `uid:gid` with mode 0755 (Docker's `MkdirAllAndChown` for the workdir). Each
/// component is resolved inside `root`, so a symlink in the image cannot redirect
/// the creation outside it. An existing non-directory is an error.
pub fn mkdir_all_in_root(root: &Path, path: &str, uid: u32, gid: u32) -> io::Result<()> {
    let mut current = String::new();
    for component in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
        current.push('/');
        current.push_str(component);
        let dir = File::open(root)?;
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC | OFlag::O_DIRECTORY)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        match openat2(
            std::os::fd::AsRawFd::as_raw_fd(&dir),
            current.trim_start_matches('/'),
            how,
        ) {
            // SAFETY: openat2 returned a new descriptor that nothing else owns.
            Ok(fd) => drop(unsafe { OwnedFd::from_raw_fd(fd) }),
            Err(nix::errno::Errno::ENOENT) => create_component(root, &current, uid, gid)?,
            Err(nix::errno::Errno::ENOTDIR) => {
                return Err(io::Error::other(format!(
                    "Cannot mkdir: {path} is not a directory"
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Creates the last component of `path` in its (already resolved) parent.
fn create_component(root: &Path, path: &str, uid: u32, gid: u32) -> io::Result<()> {
    let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
    let dir = File::open(root)?;
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC | OFlag::O_DIRECTORY)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let target = if parent.is_empty() {
        "."
    } else {
        parent.trim_start_matches('/')
    };
    let fd = openat2(std::os::fd::AsRawFd::as_raw_fd(&dir), target, how)?;
    // SAFETY: openat2 returned a new descriptor that nothing else owns.
    let parent_fd = unsafe { OwnedFd::from_raw_fd(fd) };
    use std::os::fd::AsRawFd;
    match nix::sys::stat::mkdirat(
        Some(parent_fd.as_raw_fd()),
        name,
        Mode::from_bits_truncate(0o755),
    ) {
        Ok(()) | Err(nix::errno::Errno::EEXIST) => {}
        Err(e) => return Err(e.into()),
    }
    nix::unistd::fchownat(
        Some(parent_fd.as_raw_fd()),
        name,
        Some(nix::unistd::Uid::from_raw(uid)),
        Some(nix::unistd::Gid::from_raw(gid)),
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )?;
    Ok(())
}

#[cfg(test)]
mod mkdir_tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn test_mkdir_all_in_root_owner_and_confinement() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).unwrap();
        mkdir_all_in_root(root.path(), "/srv/app", 1000, 1001).unwrap();
        let meta = std::fs::metadata(root.path().join("srv/app")).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (1000, 1001));
        // The absolute symlink resolves inside the root (where its target does not
        // exist, so this fails): nothing may appear outside.
        let _ = mkdir_all_in_root(root.path(), "/escape/x", 0, 0);
        assert!(!outside.path().join("x").exists());
        std::fs::write(root.path().join("file"), "").unwrap();
        let err = mkdir_all_in_root(root.path(), "/file/x", 0, 0).unwrap_err();
        assert_eq!(err.to_string(), "Cannot mkdir: /file/x is not a directory");
    }
}
