//! Building a root filesystem from untrusted entries without ever writing
//! outside it or through a symlink.
//!
//! Every entry is created relative to a directory descriptor: its parent is
//! reached one component at a time from the root with `openat2(...,
//! RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`, so a symlink anywhere in a parent
//! path is an error rather than a detour, and the last component is created
//! with `O_EXCL`/`O_NOFOLLOW` (`mkdirat`, `symlinkat`, `mknodat`, `linkat`
//! never follow it). Symlinks are stored as text and may point anywhere.
//!
//! Ownership is numeric and applied only when running as root; modes are set
//! after `chown` (which clears setuid bits) and directory modes and times after
//! all entries (creating children changes a directory's mtime).

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat, openat2, AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{
    fchmod, fchmodat, fstatat, futimens, mkdirat, mknodat, utimensat, FchmodatFlags, Mode, SFlag,
    UtimensatFlags,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{fchown, fchownat, linkat, symlinkat, unlinkat, Gid, Uid, UnlinkatFlags};
use thiserror::Error;

/// A path inside the image: normalized components, never `..`; empty is the root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RelPath(Vec<OsString>);

#[derive(Debug, Error)]
pub enum PathError {
    #[error("entry {0:?}: path escapes the image (\"..\" component)")]
    DotDot(String),
    #[error("entry {0:?}: path contains a NUL byte")]
    Nul(String),
}

impl RelPath {
    /// Normalizes an archive name: a leading `/`, `.` and empty components are
    /// dropped (absolute names land inside the image); `..` is refused.
    pub fn parse(raw: &[u8]) -> Result<RelPath, PathError> {
        let lossy = || String::from_utf8_lossy(raw).into_owned();
        if raw.contains(&0) {
            return Err(PathError::Nul(lossy()));
        }
        let mut components = Vec::new();
        for part in raw.split(|b| *b == b'/') {
            match part {
                b"" | b"." => {}
                b".." => return Err(PathError::DotDot(lossy())),
                name => components.push(OsStr::from_bytes(name).to_os_string()),
            }
        }
        Ok(RelPath(components))
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, name: OsString) {
        self.0.push(name);
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// The components, joined by `/` (no leading slash).
    pub fn to_bytes(&self) -> Vec<u8> {
        let parts: Vec<&[u8]> = self.0.iter().map(|c| c.as_bytes()).collect();
        parts.join(&b'/')
    }

    fn split_last(&self) -> Option<(&OsString, &[OsString])> {
        self.0.split_last()
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

/// Ownership, permissions, time and extended attributes of one entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// Permission bits including setuid, setgid and sticky (`0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Seconds and nanoseconds since the epoch.
    pub mtime: (i64, u32),
    /// Sorted by name.
    pub xattrs: Vec<(OsString, Vec<u8>)>,
}

/// What to create at a path.
pub enum Node<'a> {
    Dir,
    File(&'a mut dyn Read),
    Symlink(&'a OsStr),
    /// A hard link to an entry written earlier.
    Hardlink(&'a RelPath),
    Fifo,
}

#[derive(Debug, Error)]
pub enum WriteError {
    #[error("entry {entry}: parent {parent} is a symlink (refusing to write through it)")]
    SymlinkParent { entry: RelPath, parent: RelPath },
    #[error("entry {entry}: parent {parent} is not a directory")]
    NotDirParent { entry: RelPath, parent: RelPath },
    #[error("entry {entry}: hard link target {target} is not an earlier entry of the image")]
    HardlinkTarget { entry: RelPath, target: RelPath },
    #[error("entry {entry}: would replace a non-empty directory")]
    ReplaceDir { entry: RelPath },
    #[error("entry {entry}: the image root can only be a directory")]
    RootNotDir { entry: RelPath },
    #[error("entry {entry}: the image is larger than the maximum image size of {max} bytes (raise --max-image-size to import it)")]
    TooLarge { entry: RelPath, max: u64 },
    #[error("entry {entry}: {op}: {reason}")]
    Io {
        entry: RelPath,
        op: &'static str,
        reason: io::Error,
    },
}

fn io_err<E: Into<io::Error>>(entry: &RelPath, op: &'static str) -> impl FnOnce(E) -> WriteError {
    let entry = entry.clone();
    move |reason| WriteError::Io {
        entry,
        op,
        reason: reason.into(),
    }
}

/// Copies `data` into `file`, leaving holes where whole chunks are zeros (a
/// sparse tar member, or a file of zeros, stays sparse on disk), and takes
/// the bytes from `budget`. `Err(None)`: the budget ran out.
fn sparse_copy(
    data: &mut dyn Read,
    file: &mut File,
    budget: &mut u64,
) -> Result<u64, Option<io::Error>> {
    use std::io::{Seek, SeekFrom, Write};
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    let mut ends_in_hole = false;
    loop {
        let n = match data.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Some(e)),
        };
        *budget = budget.checked_sub(n as u64).ok_or(None)?;
        let chunk = &buffer[..n];
        ends_in_hole = chunk.iter().all(|b| *b == 0);
        if ends_in_hole {
            file.seek(SeekFrom::Current(n as i64)).map_err(Some)?;
        } else {
            file.write_all(chunk).map_err(Some)?;
        }
        total += n as u64;
    }
    if ends_in_hole {
        // A trailing hole has no data to give the file its length.
        file.set_len(total).map_err(Some)?;
    }
    Ok(total)
}

/// Wraps a descriptor a successful `open*` call returned.
fn owned(fd: RawFd) -> OwnedFd {
    // SAFETY: `fd` was just returned by a successful open call and nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Opens the directory `name` in `dir`, refusing symlinks and anything outside.
fn open_dir_at(dir: BorrowedFd<'_>, name: &OsStr, path_only: bool) -> nix::Result<OwnedFd> {
    let access = if path_only {
        OFlag::O_PATH
    } else {
        OFlag::O_RDONLY
    };
    let how = OpenHow::new()
        .flags(access | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(
            ResolveFlag::RESOLVE_BENEATH
                | ResolveFlag::RESOLVE_NO_SYMLINKS
                | ResolveFlag::RESOLVE_NO_MAGICLINKS,
        );
    openat2(dir.as_raw_fd(), name, how).map(owned)
}

/// The path of `name` in the directory `dir` through `/proc/self/fd`, for the
/// calls that have no `*at` form (`lsetxattr`); only `name` is looked up, and
/// never followed.
pub fn proc_path(dir: BorrowedFd<'_>, name: &OsStr) -> PathBuf {
    Path::new("/proc/self/fd")
        .join(dir.as_raw_fd().to_string())
        .join(name)
}

fn timespec((secs, nsecs): (i64, u32)) -> TimeSpec {
    TimeSpec::new(secs, i64::from(nsecs.min(999_999_999)))
}

fn mode(bits: u32) -> Mode {
    Mode::from_bits_truncate(bits & 0o7777)
}

/// Writes entries into a root directory.
pub struct Writer {
    root: OwnedFd,
    same_owner: bool,
    /// The last parent directory reached, reused by the next entry in it.
    cache: Option<(RelPath, OwnedFd)>,
    /// Directory modes and times, applied by [`Writer::finish`].
    deferred: Vec<(RelPath, u32, (i64, u32))>,
    /// Non-directories written so far: the only valid hard link targets.
    written: HashSet<RelPath>,
    xattr_warned: bool,
    /// Bytes the image's files may still take (see [`Writer::limit_size`]).
    budget: u64,
    max_size: u64,
}

impl Writer {
    /// Writes into the existing directory `root`; ownership is applied only as root.
    pub fn new(root: &Path) -> io::Result<Writer> {
        let fd = openat(
            None,
            root,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Writer {
            root: owned(fd),
            same_owner: nix::unistd::geteuid().is_root(),
            cache: None,
            deferred: Vec::new(),
            written: HashSet::new(),
            xattr_warned: false,
            budget: u64::MAX,
            max_size: u64::MAX,
        })
    }

    /// Caps the sum of the sizes of the files written at `max` bytes: a file
    /// that would go over is refused (holes of sparse files count, as they
    /// become data the moment a container writes them).
    pub fn limit_size(&mut self, max: u64) {
        self.budget = max;
        self.max_size = max;
    }

    /// Refuses, before anything of it is written, a file of `size` bytes
    /// (e.g. the size a tar header declares) that would not fit.
    pub fn check_room(&self, entry: &RelPath, size: u64) -> Result<(), WriteError> {
        if size > self.budget {
            return Err(WriteError::TooLarge {
                entry: entry.clone(),
                max: self.max_size,
            });
        }
        Ok(())
    }

    /// Creates `node` at `path` (replacing a non-directory already there) and
    /// returns the bytes written for a file.
    pub fn add(&mut self, path: &RelPath, node: Node<'_>, meta: &Meta) -> Result<u64, WriteError> {
        let Some((name, parents)) = path.split_last() else {
            return match node {
                Node::Dir => self.root_dir(meta).map(|()| 0),
                _ => Err(WriteError::RootNotDir {
                    entry: path.clone(),
                }),
            };
        };
        let parent = self.parent(path, parents, true)?;
        let is_dir = matches!(node, Node::Dir);
        let exists = self.clear_slot(path, parent.as_fd(), name, is_dir)?;
        let written = match node {
            Node::Dir => self.dir(path, parent.as_fd(), name, exists, meta)?,
            Node::File(data) => self.file(path, parent.as_fd(), name, data, meta)?,
            Node::Symlink(target) => self.symlink(path, parent.as_fd(), name, target, meta)?,
            Node::Hardlink(target) => self.hardlink(path, parent.as_fd(), name, target)?,
            Node::Fifo => self.fifo(path, parent.as_fd(), name, meta)?,
        };
        if !is_dir {
            self.written.insert(path.clone());
        }
        Ok(written)
    }

    /// Applies the deferred directory modes and times.
    pub fn finish(mut self) -> Result<(), WriteError> {
        for (path, bits, mtime) in std::mem::take(&mut self.deferred) {
            let dir = if path.is_root() {
                self.root.try_clone().map_err(io_err(&path, "open"))?
            } else {
                match self.walk(&path, &path.0, false, false) {
                    Ok(fd) => fd,
                    // Replaced by a later entry: nothing left to apply.
                    Err(_) => continue,
                }
            };
            fchmod(dir.as_raw_fd(), mode(bits)).map_err(io_err(&path, "chmod"))?;
            let time = timespec(mtime);
            futimens(dir.as_raw_fd(), &time, &time).map_err(io_err(&path, "set times"))?;
        }
        Ok(())
    }

    /// The directory holding `entry`, creating missing parents (mode 0755).
    fn parent(
        &mut self,
        entry: &RelPath,
        parents: &[OsString],
        create: bool,
    ) -> Result<OwnedFd, WriteError> {
        if let Some((cached, fd)) = &self.cache {
            if cached.0 == parents {
                return fd.try_clone().map_err(io_err(entry, "dup"));
            }
        }
        let fd = self.walk(entry, parents, create, true)?;
        let copy = fd.try_clone().map_err(io_err(entry, "dup"))?;
        self.cache = Some((RelPath(parents.to_vec()), copy));
        Ok(fd)
    }

    /// Opens `components` from the root one at a time, never through a symlink.
    fn walk(
        &self,
        entry: &RelPath,
        components: &[OsString],
        create: bool,
        path_only: bool,
    ) -> Result<OwnedFd, WriteError> {
        let mut current = self.root.try_clone().map_err(io_err(entry, "dup"))?;
        for (i, name) in components.iter().enumerate() {
            let last = i + 1 == components.len();
            let here = || RelPath(components[..=i].to_vec());
            let opened = match open_dir_at(current.as_fd(), name, path_only || !last) {
                Err(Errno::ENOENT) if create => {
                    self.implicit_dir(entry, current.as_fd(), name)?;
                    open_dir_at(current.as_fd(), name, path_only || !last)
                }
                other => other,
            };
            current = match opened {
                Ok(fd) => fd,
                Err(Errno::ELOOP) => {
                    return Err(WriteError::SymlinkParent {
                        entry: entry.clone(),
                        parent: here(),
                    })
                }
                Err(Errno::ENOTDIR) => {
                    return Err(WriteError::NotDirParent {
                        entry: entry.clone(),
                        parent: here(),
                    })
                }
                Err(e) => return Err(io_err(entry, "open parent")(e)),
            };
        }
        Ok(current)
    }

    /// A parent directory the archive did not list: root-owned, mode 0755.
    fn implicit_dir(
        &self,
        entry: &RelPath,
        dir: BorrowedFd<'_>,
        name: &OsStr,
    ) -> Result<(), WriteError> {
        match mkdirat(Some(dir.as_raw_fd()), name, mode(0o755)) {
            Ok(()) => fchmodat(
                Some(dir.as_raw_fd()),
                name,
                mode(0o755),
                FchmodatFlags::FollowSymlink,
            )
            .map_err(io_err(entry, "chmod parent")),
            Err(Errno::EEXIST) => Ok(()),
            Err(e) => Err(io_err(entry, "create parent")(e)),
        }
    }

    /// Makes room for a new entry; `Ok(true)` when a directory stays for a directory.
    fn clear_slot(
        &mut self,
        entry: &RelPath,
        dir: BorrowedFd<'_>,
        name: &OsStr,
        is_dir: bool,
    ) -> Result<bool, WriteError> {
        let stat = match fstatat(Some(dir.as_raw_fd()), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            Err(Errno::ENOENT) => return Ok(false),
            Err(e) => return Err(io_err(entry, "stat")(e)),
        };
        let existing_dir =
            SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR;
        if existing_dir && is_dir {
            return Ok(true);
        }
        let flag = if existing_dir {
            UnlinkatFlags::RemoveDir
        } else {
            UnlinkatFlags::NoRemoveDir
        };
        self.cache = None;
        match unlinkat(Some(dir.as_raw_fd()), name, flag) {
            Ok(()) => Ok(false),
            Err(Errno::ENOTEMPTY | Errno::EEXIST) => Err(WriteError::ReplaceDir {
                entry: entry.clone(),
            }),
            Err(e) => Err(io_err(entry, "replace")(e)),
        }
    }

    fn root_dir(&mut self, meta: &Meta) -> Result<(), WriteError> {
        let entry = RelPath::default();
        let root = File::from(self.root.try_clone().map_err(io_err(&entry, "dup"))?);
        self.chown_fd(&entry, root.as_fd(), meta)?;
        self.xattrs_fd(&entry, &root, meta)?;
        self.deferred.push((entry, meta.mode, meta.mtime));
        Ok(())
    }

    fn dir(
        &mut self,
        entry: &RelPath,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        exists: bool,
        meta: &Meta,
    ) -> Result<u64, WriteError> {
        if !exists {
            mkdirat(Some(parent.as_raw_fd()), name, mode(0o700)).map_err(io_err(entry, "mkdir"))?;
        }
        let dir = File::from(open_dir_at(parent, name, false).map_err(io_err(entry, "open"))?);
        self.chown_fd(entry, dir.as_fd(), meta)?;
        self.xattrs_fd(entry, &dir, meta)?;
        self.deferred.push((entry.clone(), meta.mode, meta.mtime));
        Ok(0)
    }

    fn file(
        &mut self,
        entry: &RelPath,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        data: &mut dyn Read,
        meta: &Meta,
    ) -> Result<u64, WriteError> {
        let fd = openat(
            Some(parent.as_raw_fd()),
            name,
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            mode(0o600),
        )
        .map_err(io_err(entry, "create"))?;
        let mut file = File::from(owned(fd));
        let written = match sparse_copy(data, &mut file, &mut self.budget) {
            Ok(written) => written,
            Err(None) => {
                return Err(WriteError::TooLarge {
                    entry: entry.clone(),
                    max: self.max_size,
                })
            }
            Err(Some(e)) => return Err(io_err(entry, "write")(e)),
        };
        self.chown_fd(entry, file.as_fd(), meta)?;
        fchmod(file.as_raw_fd(), mode(meta.mode)).map_err(io_err(entry, "chmod"))?;
        self.xattrs_fd(entry, &file, meta)?;
        let time = timespec(meta.mtime);
        futimens(file.as_raw_fd(), &time, &time).map_err(io_err(entry, "set times"))?;
        Ok(written)
    }

    fn symlink(
        &mut self,
        entry: &RelPath,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        target: &OsStr,
        meta: &Meta,
    ) -> Result<u64, WriteError> {
        symlinkat(target, Some(parent.as_raw_fd()), name).map_err(io_err(entry, "symlink"))?;
        self.finish_at(entry, parent, name, meta, false)?;
        Ok(0)
    }

    fn fifo(
        &mut self,
        entry: &RelPath,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        meta: &Meta,
    ) -> Result<u64, WriteError> {
        mknodat(
            Some(parent.as_raw_fd()),
            name,
            SFlag::S_IFIFO,
            mode(0o600),
            0,
        )
        .map_err(io_err(entry, "mkfifo"))?;
        self.finish_at(entry, parent, name, meta, true)?;
        Ok(0)
    }

    /// Owner, mode (unless a symlink), xattrs and times of a node without a descriptor.
    fn finish_at(
        &mut self,
        entry: &RelPath,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        meta: &Meta,
        chmod: bool,
    ) -> Result<(), WriteError> {
        let dirfd = Some(parent.as_raw_fd());
        if self.same_owner {
            fchownat(
                dirfd,
                name,
                Some(Uid::from_raw(meta.uid)),
                Some(Gid::from_raw(meta.gid)),
                AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(io_err(entry, "chown"))?;
        }
        if chmod {
            // Not a symlink (we just created it in our private directory).
            fchmodat(dirfd, name, mode(meta.mode), FchmodatFlags::FollowSymlink)
                .map_err(io_err(entry, "chmod"))?;
        }
        let path = proc_path(parent, name);
        for (key, value) in &meta.xattrs {
            let result = xattr::set(&path, key, value);
            self.xattr_result(entry, key, result)?;
        }
        let time = timespec(meta.mtime);
        utimensat(dirfd, name, &time, &time, UtimensatFlags::NoFollowSymlink)
            .map_err(io_err(entry, "set times"))
    }

    fn hardlink(
        &mut self,
        entry: &RelPath,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        target: &RelPath,
    ) -> Result<u64, WriteError> {
        let refused = || WriteError::HardlinkTarget {
            entry: entry.clone(),
            target: target.clone(),
        };
        if !self.written.contains(target) {
            return Err(refused());
        }
        let (target_name, target_parents) = target.split_last().ok_or_else(refused)?;
        let target_dir = self.walk(entry, target_parents, false, true)?;
        linkat(
            Some(target_dir.as_raw_fd()),
            target_name.as_os_str(),
            Some(parent.as_raw_fd()),
            name,
            AtFlags::empty(),
        )
        .map_err(|e| match e {
            Errno::ENOENT | Errno::EPERM => refused(),
            e => io_err(entry, "link")(e),
        })?;
        Ok(0)
    }

    fn chown_fd(&self, entry: &RelPath, fd: BorrowedFd<'_>, meta: &Meta) -> Result<(), WriteError> {
        if !self.same_owner {
            return Ok(());
        }
        fchown(
            fd.as_raw_fd(),
            Some(Uid::from_raw(meta.uid)),
            Some(Gid::from_raw(meta.gid)),
        )
        .map_err(io_err(entry, "chown"))
    }

    fn xattrs_fd(&mut self, entry: &RelPath, file: &File, meta: &Meta) -> Result<(), WriteError> {
        use xattr::FileExt;
        for (key, value) in &meta.xattrs {
            let result = file.set_xattr(key, value);
            self.xattr_result(entry, key, result)?;
        }
        Ok(())
    }

    /// An xattr the filesystem or our privileges do not allow is a warning (as
    /// in Docker); anything else is an error.
    fn xattr_result(
        &mut self,
        entry: &RelPath,
        key: &OsStr,
        result: io::Result<()>,
    ) -> Result<(), WriteError> {
        match result {
            Ok(()) => Ok(()),
            Err(e)
                if matches!(
                    Errno::from_raw(e.raw_os_error().unwrap_or(0)),
                    Errno::ENOTSUP | Errno::EPERM
                ) =>
            {
                if !self.xattr_warned {
                    tracing::warn!(
                        "image entry {entry}: cannot set xattr {}: {e} (further xattr failures are ignored)",
                        key.to_string_lossy()
                    );
                    self.xattr_warned = true;
                }
                Ok(())
            }
            Err(e) => Err(io_err(entry, "set xattr")(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn rel(s: &str) -> RelPath {
        RelPath::parse(s.as_bytes()).unwrap()
    }

    fn meta(mode: u32) -> Meta {
        Meta {
            mode,
            uid: 0,
            gid: 0,
            mtime: (1_000_000, 0),
            xattrs: Vec::new(),
        }
    }

    #[test]
    fn test_relpath_parse_normalizes() {
        assert_eq!(rel("/abs//x/./y/").to_bytes(), b"abs/x/y");
        assert_eq!(rel("./").to_string(), ".");
        assert!(matches!(
            RelPath::parse(b"a/../../etc"),
            Err(PathError::DotDot(_))
        ));
        assert!(matches!(RelPath::parse(b"a\0b"), Err(PathError::Nul(_))));
    }

    #[test]
    fn test_add_creates_implicit_parents() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new(dir.path()).unwrap();
        let n = w
            .add(
                &rel("a/b/c.txt"),
                Node::File(&mut &b"hello"[..]),
                &meta(0o640),
            )
            .unwrap();
        w.finish().unwrap();
        assert_eq!(n, 5);
        let m = std::fs::metadata(dir.path().join("a/b/c.txt")).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o640);
        assert_eq!(m.mtime(), 1_000_000);
        let m = std::fs::metadata(dir.path().join("a/b")).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o755);
    }

    #[test]
    fn test_add_refuses_symlink_parent() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new(dir.path()).unwrap();
        let target = outside.path().as_os_str();
        w.add(&rel("etc"), Node::Symlink(target), &meta(0o777))
            .unwrap();
        let err = w
            .add(&rel("etc/passwd"), Node::File(&mut &b"x"[..]), &meta(0o644))
            .unwrap_err();
        assert!(matches!(err, WriteError::SymlinkParent { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "entry etc/passwd: parent etc is a symlink (refusing to write through it)"
        );
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn test_add_replaces_file_and_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new(dir.path()).unwrap();
        w.add(
            &rel("x"),
            Node::Symlink(OsStr::new("/nowhere")),
            &meta(0o777),
        )
        .unwrap();
        w.add(&rel("x"), Node::File(&mut &b"new"[..]), &meta(0o644))
            .unwrap();
        w.add(&rel("d/f"), Node::File(&mut &b""[..]), &meta(0o644))
            .unwrap();
        let err = w.add(&rel("d"), Node::Fifo, &meta(0o644)).unwrap_err();
        assert!(matches!(err, WriteError::ReplaceDir { .. }), "{err}");
        w.finish().unwrap();
        assert_eq!(std::fs::read(dir.path().join("x")).unwrap(), b"new");
    }

    #[test]
    fn test_add_hardlink_only_to_written_entries() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new(dir.path()).unwrap();
        w.add(&rel("f"), Node::File(&mut &b"data"[..]), &meta(0o644))
            .unwrap();
        w.add(&rel("g"), Node::Hardlink(&rel("/f")), &meta(0))
            .unwrap();
        let err = w
            .add(&rel("h"), Node::Hardlink(&rel("/etc/shadow")), &meta(0))
            .unwrap_err();
        assert!(matches!(err, WriteError::HardlinkTarget { .. }), "{err}");
        let a = std::fs::metadata(dir.path().join("f")).unwrap();
        let b = std::fs::metadata(dir.path().join("g")).unwrap();
        assert_eq!(a.ino(), b.ino());
    }

    #[test]
    fn test_add_root_only_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new(dir.path()).unwrap();
        let err = w
            .add(&rel("./"), Node::Symlink(OsStr::new("/")), &meta(0))
            .unwrap_err();
        assert!(matches!(err, WriteError::RootNotDir { .. }));
        w.add(&rel("."), Node::Dir, &meta(0o750)).unwrap();
        w.finish().unwrap();
        let m = std::fs::metadata(dir.path()).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o750);
    }
}
