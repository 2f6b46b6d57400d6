//! `export`: the container's filesystem (image plus its changes) as a tar
//! stream. A stopped container's overlay is mounted for the duration (in a
//! private mount namespace); a running one's is read in its monitor's.
//!
//! A running container can change its files while they are read, so the
//! walk is by descriptor, never by path: each entry is opened relative to
//! its parent with `O_NOFOLLOW` and checked to be the inode that was listed
//! (a file swapped for a symlink to a host file mid-walk is refused, not
//! followed). Device nodes and fifos are written as headers, never opened.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::fcntl::{openat, readlinkat, AtFlags, OFlag};
use nix::sys::stat::{fstat, fstatat, major, minor, FileStat, Mode, SFlag};

use super::LifecycleError;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::mount_namespace::with_rootfs;
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::store::{Store, StoreError};

pub fn export(store: &Store, id: &str, out: impl Write) -> Result<(), LifecycleError> {
    let layout: &Layout = &store.layout;
    let _lock = store.lock(id)?;
    let dir = layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let record: ContainerRecord =
        read_json(&files.record())?.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    with_rootfs(&files, &record.image_rootfs, |root| write_tar(root, out))?.map_err(|e| {
        LifecycleError::Runtime {
            id: id.to_string(),
            step: "export",
            reason: e.to_string(),
        }
    })
}

fn write_tar(root: &Path, out: impl Write) -> io::Result<()> {
    let mut export = Export {
        builder: tar::Builder::new(out),
        links: HashMap::new(),
    };
    let top = File::open(root)?;
    export.dir(top.as_fd(), &mut PathBuf::new())?;
    export.builder.into_inner()?.flush()
}

struct Export<W: Write> {
    builder: tar::Builder<W>,
    /// (device, inode) of files with several links → the first path written.
    links: HashMap<(u64, u64), PathBuf>,
}

impl<W: Write> Export<W> {
    fn dir(&mut self, dir: BorrowedFd<'_>, path: &mut PathBuf) -> io::Result<()> {
        for name in crate::runtime::images::copy_dir::sorted_names(dir)? {
            path.push(&name);
            let result = self.entry(dir, &name, path);
            path.pop();
            result?;
        }
        Ok(())
    }

    fn entry(&mut self, dir: BorrowedFd<'_>, name: &OsStr, path: &mut PathBuf) -> io::Result<()> {
        let stat = match fstatat(Some(dir.as_raw_fd()), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            // Removed while we walk: nothing to write.
            Err(nix::errno::Errno::ENOENT) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let kind = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT;
        let mut header = header_of(&stat);
        match kind {
            SFlag::S_IFDIR => {
                let child = open_same(dir, name, &stat, OFlag::O_DIRECTORY).map_err(named)?;
                header.set_entry_type(tar::EntryType::Directory);
                self.builder.append_data(&mut header, &*path, io::empty())?;
                self.dir(child.as_fd(), path)
            }
            SFlag::S_IFREG => self.file(dir, name, path, &stat, header).map_err(named),
            SFlag::S_IFLNK => {
                let target = readlinkat(Some(dir.as_raw_fd()), name)?;
                header.set_entry_type(tar::EntryType::Symlink);
                self.builder.append_link(&mut header, &*path, target)
            }
            SFlag::S_IFCHR | SFlag::S_IFBLK | SFlag::S_IFIFO => {
                header.set_entry_type(match kind {
                    SFlag::S_IFCHR => tar::EntryType::Char,
                    SFlag::S_IFBLK => tar::EntryType::Block,
                    _ => tar::EntryType::Fifo,
                });
                header.set_device_major(major(stat.st_rdev) as u32)?;
                header.set_device_minor(minor(stat.st_rdev) as u32)?;
                self.builder.append_data(&mut header, &*path, io::empty())
            }
            // Sockets have no tar form.
            _ => Ok(()),
        }
    }

    fn file(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &OsStr,
        path: &Path,
        stat: &FileStat,
        mut header: tar::Header,
    ) -> io::Result<()> {
        let key = (stat.st_dev, stat.st_ino);
        if stat.st_nlink > 1 {
            if let Some(first) = self.links.get(&key) {
                header.set_entry_type(tar::EntryType::Link);
                header.set_size(0);
                let first = first.clone();
                return self.builder.append_link(&mut header, path, first);
            }
            self.links.insert(key, path.to_path_buf());
        }
        // O_NONBLOCK: a fifo swapped in would otherwise block the open.
        let file = File::from(open_same(
            dir,
            name,
            stat,
            OFlag::O_NONBLOCK | OFlag::O_NOCTTY,
        )?);
        header.set_entry_type(tar::EntryType::Regular);
        // The header's size must match what is read, whatever the container does meanwhile.
        let size = stat.st_size as u64;
        header.set_size(size);
        let padded = io::Read::chain(io::Read::take(&file, size), io::repeat(0));
        let mut data = io::Read::take(padded, size);
        self.builder.append_data(&mut header, path, &mut data)
    }
}

/// Opens `name` in `dir` without following a symlink and checks it is still
/// the inode `stat` describes.
fn open_same(
    dir: BorrowedFd<'_>,
    name: &OsStr,
    stat: &FileStat,
    flags: OFlag,
) -> io::Result<OwnedFd> {
    let fd = openat(
        Some(dir.as_raw_fd()),
        name,
        OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | flags,
        Mode::empty(),
    )?;
    // SAFETY: openat returned a new descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let now = fstat(fd.as_raw_fd())?;
    if (now.st_dev, now.st_ino) != (stat.st_dev, stat.st_ino) {
        return Err(io::Error::other("changed while being exported"));
    }
    Ok(fd)
}

fn header_of(stat: &FileStat) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_mode(stat.st_mode & 0o7777);
    header.set_uid(u64::from(stat.st_uid));
    header.set_gid(u64::from(stat.st_gid));
    header.set_mtime(stat.st_mtime.max(0) as u64);
    header.set_size(0);
    header
}
