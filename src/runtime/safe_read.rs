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
