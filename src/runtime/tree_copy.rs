//! Copying a file tree between two directories held open, every step
//! relative to a directory descriptor and never following a symlink, for
//! `cp` between a container's rootfs and the host.
//!
//! Why descriptors: a container's files are untrusted. Resolving their paths
//! as strings would let a symlink planted in the container (`/etc -> /`
//! on the host side of a copy, or a link swapped in mid-copy) redirect the
//! copy to host files. Here the starting directories are resolved once (the
//! container's with `RESOLVE_IN_ROOT`, see [`open_dir_in_root`]) and from
//! there each entry is opened with `O_NOFOLLOW` relative to its parent's
//! descriptor: a symlink is copied as a symlink, never followed, on either
//! side. Regular files, directories and symlinks are copied with their
//! permission bits (`0o777`: setuid/setgid bits are dropped); devices,
//! fifos and sockets are skipped. A file is only ever read once it is open
//! and known to be regular, and only ever written as a new entry: whatever
//! the container left at the destination (a device node, a fifo) is
//! unlinked, never opened, since the host process doing the copy is outside
//! the container's device cgroup. Owners are not copied: the copies belong
//! to the user running `cp`, as Docker's without `-a`.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat, openat2, readlinkat, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fchmod, fstatat, mkdirat, FileStat, Mode, SFlag};
use nix::unistd::{symlinkat, unlinkat, UnlinkatFlags};

/// What a path names, without following a final symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
    Symlink,
    Other,
}

fn kind_of(stat: &FileStat) -> Kind {
    match SFlag::from_bits_truncate(stat.st_mode & SFlag::S_IFMT.bits()) {
        SFlag::S_IFDIR => Kind::Dir,
        SFlag::S_IFREG => Kind::File,
        SFlag::S_IFLNK => Kind::Symlink,
        _ => Kind::Other,
    }
}

fn owned(fd: RawFd) -> OwnedFd {
    // SAFETY: every caller passes a descriptor just returned by open*, owned by no one else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// `name` in `dir`, not following a symlink; `None` when it does not exist.
pub fn kind_at(dir: BorrowedFd, name: &OsStr) -> io::Result<Option<Kind>> {
    match fstatat(
        Some(dir.as_raw_fd()),
        name,
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    ) {
        Ok(stat) => Ok(Some(kind_of(&stat))),
        Err(Errno::ENOENT) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Opens directory `path` inside `root` with every lookup confined to it
/// (symlinks and `..` resolve inside `root`, no mount crossed, no /proc magic
/// links); `Ok(None)` when it does not exist or is not a directory.
pub fn open_dir_in_root(root: &Path, path: &str) -> io::Result<Option<OwnedFd>> {
    let root_dir = File::open(root)?;
    let relative = path.trim_start_matches('/');
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(
            ResolveFlag::RESOLVE_IN_ROOT
                | ResolveFlag::RESOLVE_NO_MAGICLINKS
                | ResolveFlag::RESOLVE_NO_XDEV,
        );
    let target = if relative.is_empty() { "." } else { relative };
    match openat2(root_dir.as_raw_fd(), target, how) {
        Ok(fd) => Ok(Some(owned(fd))),
        Err(Errno::ENOENT | Errno::ENOTDIR) => Ok(None),
        Err(e) => Err(io::Error::from(e)),
    }
}

/// Copies `src_name` in `src_dir` to `dst_name` in `dst_dir`, recursively.
/// An existing directory at the destination is merged into; an existing
/// file or symlink is replaced; a directory never replaces a file.
pub fn copy_entry(
    src_dir: BorrowedFd,
    src_name: &OsStr,
    dst_dir: BorrowedFd,
    dst_name: &OsStr,
) -> io::Result<()> {
    let stat = fstatat(
        Some(src_dir.as_raw_fd()),
        src_name,
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )?;
    let mode = Mode::from_bits_truncate(stat.st_mode & 0o777);
    match kind_of(&stat) {
        Kind::Dir => copy_dir(src_dir, src_name, dst_dir, dst_name, mode),
        Kind::File => copy_file(src_dir, src_name, dst_dir, dst_name, mode),
        Kind::Symlink => copy_symlink(src_dir, src_name, dst_dir, dst_name),
        Kind::Other => {
            tracing::warn!(
                "cp: skipped {:?}: not a file, directory or symlink",
                src_name
            );
            Ok(())
        }
    }
}

/// Copies every entry of directory `src` into directory `dst`.
pub fn copy_contents(src: BorrowedFd, dst: BorrowedFd) -> io::Result<()> {
    for name in entries(src)? {
        copy_entry(src, &name, dst, &name)?;
    }
    Ok(())
}

fn open_dir_at(dir: BorrowedFd, name: &OsStr) -> io::Result<OwnedFd> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    Ok(owned(openat(
        Some(dir.as_raw_fd()),
        name,
        flags,
        Mode::empty(),
    )?))
}

fn entries(dir: BorrowedFd) -> io::Result<Vec<OsString>> {
    Ok(crate::runtime::images::copy_dir::sorted_names(dir)?)
}

fn copy_dir(
    src_dir: BorrowedFd,
    src_name: &OsStr,
    dst_dir: BorrowedFd,
    dst_name: &OsStr,
    mode: Mode,
) -> io::Result<()> {
    match kind_at(dst_dir, dst_name)? {
        None => mkdirat(Some(dst_dir.as_raw_fd()), dst_name, mode)?,
        Some(Kind::Dir) => {}
        Some(_) => {
            return Err(io::Error::other(format!(
                "cannot overwrite non-directory {dst_name:?} with a directory"
            )))
        }
    }
    let src = open_dir_at(src_dir, src_name)?;
    let dst = open_dir_at(dst_dir, dst_name)?;
    fchmod(dst.as_raw_fd(), mode)?;
    copy_contents(src.as_fd_borrowed(), dst.as_fd_borrowed())
}

fn copy_file(
    src_dir: BorrowedFd,
    src_name: &OsStr,
    dst_dir: BorrowedFd,
    dst_name: &OsStr,
    mode: Mode,
) -> io::Result<()> {
    let mut src = File::from(open_regular(src_dir, src_name)?);
    let mut dst = File::from(create_fresh(dst_dir, dst_name, mode)?);
    io::copy(&mut src, &mut dst)?;
    fchmod(dst.as_raw_fd(), mode)?;
    Ok(())
}

/// Opens `name` for reading only if it is a regular file when opened: the
/// entry may have been swapped since it was listed, and the host process
/// doing the copy is not under the container's device cgroup, so a device
/// node planted in the container must never be read. `O_NONBLOCK` keeps a
/// fifo swapped in from blocking the open.
fn open_regular(dir: BorrowedFd, name: &OsStr) -> io::Result<OwnedFd> {
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    let fd = owned(openat(Some(dir.as_raw_fd()), name, flags, Mode::empty())?);
    let stat = nix::sys::stat::fstat(fd.as_raw_fd())?;
    if kind_of(&stat) != Kind::File {
        return Err(io::Error::other(format!(
            "{name:?} is no longer a regular file"
        )));
    }
    let mut status = OFlag::from_bits_truncate(nix::fcntl::fcntl(
        fd.as_raw_fd(),
        nix::fcntl::FcntlArg::F_GETFL,
    )?);
    status.remove(OFlag::O_NONBLOCK);
    nix::fcntl::fcntl(fd.as_raw_fd(), nix::fcntl::FcntlArg::F_SETFL(status))?;
    Ok(fd)
}

/// Creates `name` as a new regular file. Whatever is there (a file, a
/// symlink, a fifo, a device node) is unlinked first, never opened: opening
/// an existing entry would write through a device node into a host device
/// or block on a fifo. `O_EXCL` refuses an entry re-planted in between.
fn create_fresh(dir: BorrowedFd, name: &OsStr, mode: Mode) -> io::Result<OwnedFd> {
    match kind_at(dir, name)? {
        None => {}
        Some(Kind::Dir) => {
            return Err(io::Error::other(format!(
                "cannot overwrite directory {name:?} with a file"
            )))
        }
        Some(_) => unlinkat(Some(dir.as_raw_fd()), name, UnlinkatFlags::NoRemoveDir)?,
    }
    let flags =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    Ok(owned(openat(Some(dir.as_raw_fd()), name, flags, mode)?))
}

fn copy_symlink(
    src_dir: BorrowedFd,
    src_name: &OsStr,
    dst_dir: BorrowedFd,
    dst_name: &OsStr,
) -> io::Result<()> {
    let target = readlinkat(Some(src_dir.as_raw_fd()), src_name)?;
    match kind_at(dst_dir, dst_name)? {
        None => {}
        Some(Kind::Dir) => {
            return Err(io::Error::other(format!(
                "cannot overwrite directory {dst_name:?} with a symlink"
            )))
        }
        Some(_) => unlinkat(
            Some(dst_dir.as_raw_fd()),
            dst_name,
            UnlinkatFlags::NoRemoveDir,
        )?,
    }
    symlinkat(target.as_os_str(), Some(dst_dir.as_raw_fd()), dst_name)?;
    Ok(())
}

/// Borrowing an owned descriptor (shorter at call sites).
trait Borrow {
    fn as_fd_borrowed(&self) -> BorrowedFd<'_>;
}

impl Borrow for OwnedFd {
    fn as_fd_borrowed(&self) -> BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn test_copy_keeps_symlinks_as_links_and_never_follows_them() {
        let src = tempfile::tempdir().unwrap();
        let dst = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(src.path().join("d")).unwrap();
        std::fs::write(src.path().join("d/f"), "data").unwrap();
        std::os::unix::fs::symlink(outside.path(), src.path().join("d/escape")).unwrap();
        // A destination symlink with the name of a source file is replaced.
        std::fs::create_dir(dst.path().join("d")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("victim"), dst.path().join("d/f")).unwrap();
        let s = File::open(src.path()).unwrap();
        let d = File::open(dst.path()).unwrap();
        copy_entry(s.as_fd(), OsStr::new("d"), d.as_fd(), OsStr::new("d")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dst.path().join("d/f")).unwrap(),
            "data"
        );
        assert!(!outside.path().join("victim").exists());
        let link = std::fs::read_link(dst.path().join("d/escape")).unwrap();
        assert_eq!(link, outside.path());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn test_copy_replaces_fifos_and_devices_without_opening_them() {
        let src = tempfile::tempdir().unwrap();
        let dst = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("f"), "data").unwrap();
        std::fs::write(src.path().join("g"), "more").unwrap();
        nix::unistd::mkfifo(&dst.path().join("f"), Mode::from_bits_truncate(0o644)).unwrap();
        // /dev/null's numbers: harmless if the copy wrongly wrote through it.
        nix::sys::stat::mknod(
            &dst.path().join("g"),
            SFlag::S_IFCHR,
            Mode::from_bits_truncate(0o644),
            nix::sys::stat::makedev(1, 3),
        )
        .unwrap();
        let s = File::open(src.path()).unwrap();
        let d = File::open(dst.path()).unwrap();
        copy_contents(s.as_fd(), d.as_fd()).unwrap();
        for (name, text) in [("f", "data"), ("g", "more")] {
            let meta = std::fs::symlink_metadata(dst.path().join(name)).unwrap();
            assert!(meta.file_type().is_file(), "{name}: {meta:?}");
            assert_eq!(
                std::fs::read_to_string(dst.path().join(name)).unwrap(),
                text
            );
        }
    }

    #[test]
    fn test_open_regular_refuses_a_device() {
        let dir = tempfile::tempdir().unwrap();
        nix::sys::stat::mknod(
            &dir.path().join("dev"),
            SFlag::S_IFCHR,
            Mode::from_bits_truncate(0o644),
            nix::sys::stat::makedev(1, 3),
        )
        .unwrap();
        let d = File::open(dir.path()).unwrap();
        let err = open_regular(d.as_fd(), OsStr::new("dev")).unwrap_err();
        assert!(
            err.to_string().contains("no longer a regular file"),
            "{err}"
        );
    }

    #[test]
    fn test_open_dir_in_root_stays_inside() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("inside")).unwrap();
        std::os::unix::fs::symlink("/", root.path().join("up")).unwrap();
        std::os::unix::fs::symlink("../../..", root.path().join("dots")).unwrap();
        for path in ["/up", "/dots", "/../..", "/"] {
            let fd = open_dir_in_root(root.path(), path).unwrap().unwrap();
            let names = entries(fd.as_fd()).unwrap();
            assert!(
                names.contains(&OsString::from("inside")),
                "{path}: {names:?}"
            );
        }
        assert!(open_dir_in_root(root.path(), "/missing").unwrap().is_none());
    }
}
