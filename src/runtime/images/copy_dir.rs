//! Importing a directory: a descriptor-based walk that never follows a symlink
//! (names sorted bytewise, so the walk and its digest are deterministic),
//! feeding the tree digest and, when copying, the confined [`Writer`].
//!
//! Files with several links are copied once and hard-linked after; device
//! nodes and sockets are skipped (and left out of the digest), like device
//! nodes in tarballs.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, BufReader};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::dir::Dir;
use nix::fcntl::{openat, readlinkat, AtFlags, OFlag};
use nix::sys::stat::{fstat, fstatat, FileStat, Mode, SFlag};

use super::confined::{proc_path, Meta, Node, RelPath, Writer};
use super::digest::{HashingReader, TreeEntry, TreeHasher};
use super::progress::Progress;
use super::unpack::ImportError;

/// Walks `source`, copying it through `writer` when given; returns the tree digest.
pub fn copy_dir(
    source: &Path,
    writer: Option<&mut Writer>,
    progress: &mut Progress,
) -> Result<String, ImportError> {
    let root = RelPath::default();
    let fd = openat(
        None,
        source,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| ImportError::Source(e.into()))?;
    let fd = owned(fd);
    let mut walk = Walk {
        tree: TreeHasher::default(),
        writer,
        progress,
        links: HashMap::new(),
    };
    let stat = fstat(fd.as_raw_fd()).map_err(source_error(&root))?;
    let file = File::from(fd);
    let meta = meta(&stat, fd_xattrs(&file).map_err(source_error(&root))?);
    walk.emit(&root, Emitted::Dir, &meta)?;
    walk.dir(file.as_fd(), &mut RelPath::default())?;
    Ok(walk.tree.finish())
}

fn owned(fd: i32) -> OwnedFd {
    // SAFETY: `fd` was just returned by a successful open call and nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

fn source_error<E: Into<io::Error>>(entry: &RelPath) -> impl FnOnce(E) -> ImportError {
    let entry = entry.clone();
    move |reason| ImportError::SourceEntry {
        entry,
        reason: reason.into(),
    }
}

enum Emitted<'a> {
    Dir,
    Symlink(&'a OsStr),
    Hardlink(&'a RelPath),
    Fifo,
}

struct Walk<'a, 'w> {
    tree: TreeHasher,
    writer: Option<&'w mut Writer>,
    progress: &'a mut Progress,
    /// (device, inode) of files with several links → the first path copied.
    links: HashMap<(u64, u64), RelPath>,
}

impl Walk<'_, '_> {
    fn emit(&mut self, path: &RelPath, what: Emitted<'_>, meta: &Meta) -> Result<(), ImportError> {
        let (node, entry) = match what {
            Emitted::Dir => (Node::Dir, TreeEntry::Dir),
            Emitted::Symlink(t) => (Node::Symlink(t), TreeEntry::Symlink(t)),
            Emitted::Hardlink(t) => (Node::Hardlink(t), TreeEntry::Hardlink(t)),
            Emitted::Fifo => (Node::Fifo, TreeEntry::Fifo),
        };
        if let Some(writer) = self.writer.as_deref_mut() {
            writer.add(path, node, meta)?;
        }
        self.tree.entry(path, entry, meta);
        Ok(())
    }

    fn dir(&mut self, dir: BorrowedFd<'_>, path: &mut RelPath) -> Result<(), ImportError> {
        for name in sorted_names(dir).map_err(source_error(path))? {
            path.push(name.clone());
            let result = self.entry(dir, &name, path);
            path.pop();
            result?;
        }
        Ok(())
    }

    fn entry(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &OsStr,
        path: &mut RelPath,
    ) -> Result<(), ImportError> {
        let stat = match fstatat(Some(dir.as_raw_fd()), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            // Removed while we walk: nothing to copy.
            Err(nix::errno::Errno::ENOENT) => return Ok(()),
            Err(e) => return Err(source_error(path)(e)),
        };
        let kind = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT;
        if kind == SFlag::S_IFDIR {
            let child = self.open(dir, name, path, &stat, OFlag::O_DIRECTORY)?;
            let meta = meta(&stat, fd_xattrs(&child).map_err(source_error(path))?);
            self.emit(path, Emitted::Dir, &meta)?;
            return self.dir(child.as_fd(), path);
        }
        if kind == SFlag::S_IFREG {
            return self.file(dir, name, path, &stat);
        }
        let at = || proc_path(dir, name);
        if kind == SFlag::S_IFLNK {
            let target = readlinkat(Some(dir.as_raw_fd()), name).map_err(source_error(path))?;
            let meta = meta(&stat, path_xattrs(&at()).map_err(source_error(path))?);
            return self.emit(path, Emitted::Symlink(&target), &meta);
        }
        if kind == SFlag::S_IFIFO {
            let meta = meta(&stat, path_xattrs(&at()).map_err(source_error(path))?);
            return self.emit(path, Emitted::Fifo, &meta);
        }
        tracing::debug!("image import: skipping {path} (device node or socket)");
        Ok(())
    }

    fn file(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &OsStr,
        path: &RelPath,
        stat: &FileStat,
    ) -> Result<(), ImportError> {
        let key = (stat.st_dev, stat.st_ino);
        if stat.st_nlink > 1 {
            if let Some(first) = self.links.get(&key).cloned() {
                return self.emit(path, Emitted::Hardlink(&first), &Meta::default());
            }
            self.links.insert(key, path.clone());
        }
        let file = self.open(dir, name, path, stat, OFlag::O_NONBLOCK | OFlag::O_NOCTTY)?;
        let meta = meta(stat, fd_xattrs(&file).map_err(source_error(path))?);
        let mut data =
            HashingReader::new(BufReader::with_capacity(256 * 1024, file), self.progress);
        match self.writer.as_deref_mut() {
            Some(writer) => {
                writer.add(path, Node::File(&mut data), &meta)?;
            }
            None => {
                io::copy(&mut data, &mut io::sink()).map_err(source_error(path))?;
            }
        }
        let (sha, size) = data.sum();
        self.tree.entry(path, TreeEntry::File(size, &sha), &meta);
        Ok(())
    }

    /// Opens `name` without following a symlink, checking it is still what we stat'ed.
    fn open(
        &self,
        dir: BorrowedFd<'_>,
        name: &OsStr,
        path: &RelPath,
        stat: &FileStat,
        flags: OFlag,
    ) -> Result<File, ImportError> {
        let fd = openat(
            Some(dir.as_raw_fd()),
            name,
            OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | flags,
            Mode::empty(),
        )
        .map_err(source_error(path))?;
        let file = File::from(owned(fd));
        let now = fstat(file.as_raw_fd()).map_err(source_error(path))?;
        if (now.st_dev, now.st_ino) != (stat.st_dev, stat.st_ino) {
            return Err(source_error(path)(io::Error::other(
                "changed while being copied",
            )));
        }
        Ok(file)
    }
}

/// The names in directory `dir` (without `.` and `..`), sorted bytewise.
pub(crate) fn sorted_names(dir: BorrowedFd<'_>) -> nix::Result<Vec<OsString>> {
    let mut listing = Dir::openat(
        Some(dir.as_raw_fd()),
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = Vec::new();
    for entry in listing.iter() {
        let name = entry?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            names.push(OsStr::from_bytes(&name).to_os_string());
        }
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(names)
}

fn meta(stat: &FileStat, xattrs: Vec<(OsString, Vec<u8>)>) -> Meta {
    Meta {
        mode: stat.st_mode & 0o7777,
        uid: stat.st_uid,
        gid: stat.st_gid,
        mtime: (
            stat.st_mtime,
            u32::try_from(stat.st_mtime_nsec).unwrap_or(0),
        ),
        xattrs,
    }
}

/// Attributes that vanish between listing and reading are skipped.
fn collect(
    names: impl Iterator<Item = OsString>,
    mut get: impl FnMut(&OsStr) -> io::Result<Option<Vec<u8>>>,
) -> io::Result<Vec<(OsString, Vec<u8>)>> {
    let mut xattrs = Vec::new();
    for name in names {
        if let Some(value) = get(&name)? {
            xattrs.push((name, value));
        }
    }
    xattrs.sort();
    Ok(xattrs)
}

fn unsupported(e: &io::Error) -> bool {
    e.raw_os_error() == Some(nix::errno::Errno::ENOTSUP as i32)
}

fn fd_xattrs(file: &File) -> io::Result<Vec<(OsString, Vec<u8>)>> {
    use xattr::FileExt;
    match file.list_xattr() {
        Ok(names) => collect(names, |n| file.get_xattr(n)),
        Err(e) if unsupported(&e) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

fn path_xattrs(path: &Path) -> io::Result<Vec<(OsString, Vec<u8>)>> {
    match xattr::list(path) {
        Ok(names) => collect(names, |n| xattr::get(path, n)),
        Err(e) if unsupported(&e) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, MetadataExt};

    fn digest(dir: &Path) -> String {
        copy_dir(dir, None, &mut Progress::hidden()).unwrap()
    }

    #[test]
    fn test_copy_dir_digest_is_deterministic_and_sensitive() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("etc")).unwrap();
        std::fs::write(dir.path().join("etc/hostname"), "box\n").unwrap();
        symlink("/etc/hostname", dir.path().join("name")).unwrap();
        let first = digest(dir.path());
        assert_eq!(first, digest(dir.path()));
        std::fs::write(dir.path().join("etc/hostname"), "bux\n").unwrap();
        let f = File::options()
            .write(true)
            .open(dir.path().join("etc/hostname"))
            .unwrap();
        let old = std::fs::metadata(dir.path().join("name"))
            .unwrap()
            .modified()
            .unwrap();
        f.set_modified(old).unwrap();
        assert_ne!(first, digest(dir.path()));
    }

    #[test]
    fn test_copy_dir_copies_links_and_matches_digest() {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("a"), "data").unwrap();
        std::fs::hard_link(src.path().join("a"), src.path().join("b")).unwrap();
        symlink("../../outside", src.path().join("l")).unwrap();
        nix::unistd::mkfifo(&src.path().join("p"), Mode::from_bits_truncate(0o640)).unwrap();
        let dst = tempfile::tempdir().unwrap();
        let mut writer = Writer::new(dst.path()).unwrap();
        let copied = copy_dir(src.path(), Some(&mut writer), &mut Progress::hidden()).unwrap();
        writer.finish().unwrap();
        assert_eq!(copied, digest(src.path()));
        let a = std::fs::metadata(dst.path().join("a")).unwrap();
        assert_eq!(
            a.ino(),
            std::fs::metadata(dst.path().join("b")).unwrap().ino()
        );
        assert_eq!(
            std::fs::read_link(dst.path().join("l")).unwrap(),
            Path::new("../../outside")
        );
        let p = std::fs::symlink_metadata(dst.path().join("p")).unwrap();
        assert_eq!(p.mode() & 0o170777, 0o010640);
        assert_eq!(copied, digest(dst.path()), "a copy has the same digest");
    }
}
