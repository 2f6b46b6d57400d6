//! Unpacking a rootfs tarball (plain, gzip or zstd, told apart by magic bytes)
//! through the confined [`Writer`], hashing the file's bytes on the way.
//!
//! Names are confined: a leading `/` is dropped, `..` is refused. Numeric
//! uid/gid (PAX `uid`/`gid` included, user names ignored), modes with setuid
//! bits, mtimes (PAX sub-second ones too), symlinks, hard links to earlier
//! entries, FIFOs and `SCHILY.xattr.*` attributes are kept. Character and block
//! devices are skipped: the runtime builds the container's `/dev` itself, and a
//! device node in an image is a way into the host's hardware.
//!
//! A truncated archive is one whose data ends inside an entry, or which ends
//! without the end-of-archive zero block.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use tar::EntryType;
use thiserror::Error;

use super::confined::{Meta, Node, PathError, RelPath, WriteError, Writer};
use super::digest::HashingReader;
use super::progress::Progress;
use crate::config::ImportLimits;

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("truncated tar archive")]
    Truncated,
    #[error("not a tar archive ({0})")]
    NotTar(io::Error),
    #[error("corrupt tar archive: {0}")]
    Corrupt(io::Error),
    #[error("empty tar archive")]
    Empty,
    #[error("{0}-compressed tarballs are not supported (decompress it first)")]
    Compression(&'static str),
    #[error("entry {entry}: {reason}")]
    BadEntry { entry: RelPath, reason: String },
    #[error("not a regular file or directory")]
    NotFileOrDir,
    #[error("contains the image store {0}")]
    ContainsStore(std::path::PathBuf),
    #[error("{0}")]
    Source(io::Error),
    #[error("decompresses to more than {ratio} times its size (refused as an archive bomb after {decoded} bytes from {compressed}; raise --max-expansion-ratio to import it)")]
    Expansion {
        ratio: u64,
        decoded: u64,
        compressed: u64,
    },
    #[error("reading {entry}: {reason}")]
    SourceEntry { entry: RelPath, reason: io::Error },
    #[error(transparent)]
    Path(#[from] PathError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Tells the compression from the first bytes of the file.
fn compression(magic: &[u8]) -> Result<Compression, ImportError> {
    Ok(match magic {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        // A zstd skippable frame (0x184D2A5?, little-endian).
        [low, 0x2a, 0x4d, 0x18, ..] if low & 0xf0 == 0x50 => Compression::Zstd,
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => return Err(ImportError::Compression("xz")),
        [b'B', b'Z', b'h', ..] => return Err(ImportError::Compression("bzip2")),
        [0x04, 0x22, 0x4d, 0x18, ..] => return Err(ImportError::Compression("lz4")),
        _ => Compression::None,
    })
}

/// Decodes every zstd frame of a stream (skippable frames are skipped),
/// checking each frame's checksum when it has one.
struct ZstdFrames<R: BufRead> {
    source: R,
    frame: ruzstd::FrameDecoder,
    active: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        ZstdFrames {
            source,
            frame: ruzstd::FrameDecoder::new(),
            active: false,
        }
    }

    /// A decoder error, or end of input when the source ran out.
    fn error(&mut self, e: impl std::fmt::Display) -> io::Error {
        match self.source.fill_buf() {
            Ok([]) => io::ErrorKind::UnexpectedEof.into(),
            _ => io::Error::other(format!("zstd: {e}")),
        }
    }

    /// Starts the next frame; `Ok(false)` at the end of the stream.
    fn next_frame(&mut self) -> io::Result<bool> {
        use ruzstd::frame::ReadFrameHeaderError;
        use ruzstd::frame_decoder::FrameDecoderError;
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.frame.init(&mut self.source) {
                Ok(()) => {
                    self.active = true;
                    return Ok(true);
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let length = u64::from(length);
                    let skip = &mut (&mut self.source).take(length);
                    if io::copy(skip, &mut io::sink())? < length {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Err(e) => return Err(self.error(e)),
            }
        }
    }

    /// Decodes until `want` bytes can be collected or the frame ends.
    fn decode(&mut self, want: usize) -> io::Result<()> {
        while self.frame.can_collect() < want && !self.frame.is_finished() {
            let more = want - self.frame.can_collect();
            let strategy = ruzstd::BlockDecodingStrategy::UptoBytes(more);
            if let Err(e) = self.frame.decode_blocks(&mut self.source, strategy) {
                return Err(self.error(e));
            }
        }
        if self.frame.is_finished() && self.frame.can_collect() == 0 {
            let (stored, computed) = (
                self.frame.get_checksum_from_data(),
                self.frame.get_calculated_checksum(),
            );
            if matches!((stored, computed), (Some(a), Some(b)) if a != b) {
                return Err(io::Error::other("zstd: checksum mismatch"));
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.active {
                self.decode(buf.len())?;
                let n = self.frame.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                self.active = false;
            }
            if !self.next_frame()? {
                return Ok(0);
            }
        }
    }
}

/// Watches the decompressed stream: whether it ran out, and how many zero bytes end it.
struct TailWatch<R> {
    inner: R,
    eof: bool,
    trailing_zeros: u64,
}

impl<R: Read> Read for TailWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        if n == 0 && !buf.is_empty() {
            self.eof = true;
        }
        match read.iter().rposition(|b| *b != 0) {
            Some(last) => self.trailing_zeros = (n - last - 1) as u64,
            None => self.trailing_zeros += n as u64,
        }
        Ok(n)
    }
}

/// Counts the bytes read from the source file (before decompression).
struct Counting<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.count.set(self.count.get() + amount as u64);
        self.inner.consume(amount);
    }
}

/// Below this many decompressed bytes no ratio is enforced (small archives
/// of very compressible files are fine).
const RATIO_FLOOR: u64 = 64 << 20;

/// Stops a decompressed stream that outgrows `ratio` times the compressed
/// bytes read (after [`RATIO_FLOOR`]): a bomb is refused after a bounded
/// amount of work, whatever holes the writer leaves.
struct RatioGuard<R> {
    inner: R,
    compressed: std::rc::Rc<std::cell::Cell<u64>>,
    decoded: u64,
    ratio: u64,
    tripped: std::rc::Rc<std::cell::Cell<Option<(u64, u64)>>>,
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.decoded += n as u64;
        let compressed = self.compressed.get().max(1);
        if self.decoded > RATIO_FLOOR && self.decoded / compressed >= self.ratio {
            self.tripped.set(Some((self.decoded, compressed)));
            return Err(io::Error::other("archive bomb"));
        }
        Ok(n)
    }
}

/// Keeps a read error apart from the write errors of the same copy.
struct ReadCapture<R> {
    inner: R,
    error: Option<io::Error>,
}

impl<R: Read> Read for ReadCapture<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            self.error = Some(io::Error::new(e.kind(), e.to_string()));
        })
    }
}

/// Unpacks the tarball at `path` into the existing directory `rootfs`; returns
/// the digest of the file's bytes.
pub fn unpack_tarball(
    path: &Path,
    rootfs: &Path,
    progress: &mut Progress,
    limits: ImportLimits,
) -> Result<String, ImportError> {
    unpack_layer(path, rootfs, progress, limits).map(|d| d.file)
}

/// The two digests of an unpacked tarball.
pub struct Digests {
    /// Of the file's bytes, as read (a registry's blob digest).
    pub file: String,
    /// Of the uncompressed tar stream to its end (a layer's diff ID).
    pub uncompressed: String,
}

/// Hashes the decompressed stream on its way to the tar reader.
struct DecodedHash<R> {
    inner: R,
    hasher: std::rc::Rc<std::cell::RefCell<sha2::Sha256>>,
}

impl<R: Read> Read for DecodedHash<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        sha2::Digest::update(&mut *self.hasher.borrow_mut(), &buf[..n]);
        Ok(n)
    }
}

/// [`unpack_tarball`], also hashing the uncompressed stream (read to its end
/// after the archive's last entry, still under the expansion guard).
pub fn unpack_layer(
    path: &Path,
    rootfs: &Path,
    progress: &mut Progress,
    limits: ImportLimits,
) -> Result<Digests, ImportError> {
    let file = File::open(path).map_err(ImportError::Source)?;
    let mut file = BufReader::with_capacity(256 * 1024, file);
    let kind = compression(file.fill_buf().map_err(ImportError::Source)?)?;
    let compressed = std::rc::Rc::new(std::cell::Cell::new(0));
    let counted = Counting {
        inner: file,
        count: compressed.clone(),
    };
    let mut source = HashingReader::new(counted, progress);
    let decoded: Box<dyn Read + '_> = match kind {
        Compression::None => Box::new(&mut source),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(&mut source)),
        Compression::Zstd => Box::new(ZstdFrames::new(BufReader::new(&mut source))),
    };
    let tripped = std::rc::Rc::new(std::cell::Cell::new(None));
    let guarded: Box<dyn Read + '_> = match kind {
        Compression::None => decoded,
        _ => Box::new(RatioGuard {
            inner: decoded,
            compressed,
            decoded: 0,
            ratio: limits.max_ratio,
            tripped: tripped.clone(),
        }),
    };
    let decoded_hash = std::rc::Rc::new(std::cell::RefCell::new(
        <sha2::Sha256 as sha2::Digest>::new(),
    ));
    let mut tail = TailWatch {
        inner: DecodedHash {
            inner: guarded,
            hasher: decoded_hash.clone(),
        },
        eof: false,
        trailing_zeros: 0,
    };
    let mut writer = Writer::new(rootfs).map_err(ImportError::Source)?;
    writer.limit_size(limits.max_size);
    let result = unpack_entries(&mut tail, &mut writer);
    let (eof, zeros) = (tail.eof, tail.trailing_zeros);
    // The padding after the end-of-archive blocks belongs to the diff ID too.
    let drained = match &result {
        Ok(()) => io::copy(&mut tail, &mut io::sink()).map(drop),
        Err(_) => Ok(()),
    };
    drop(tail);
    if let Some((decoded, compressed)) = tripped.get() {
        return Err(ImportError::Expansion {
            ratio: limits.max_ratio,
            decoded,
            compressed,
        });
    }
    match result {
        Err(ImportError::Corrupt(e) | ImportError::NotTar(e))
            if eof || e.kind() == io::ErrorKind::UnexpectedEof =>
        {
            return Err(ImportError::Truncated)
        }
        Err(e) => return Err(e),
        Ok(()) if eof && zeros < 512 => return Err(ImportError::Truncated),
        Ok(()) => {}
    }
    drained.map_err(ImportError::Corrupt)?;
    writer.finish()?;
    let (file, _) = source.finish().map_err(ImportError::Source)?;
    let uncompressed = super::digest::format(decoded_hash.take());
    Ok(Digests { file, uncompressed })
}

fn unpack_entries(data: &mut dyn Read, writer: &mut Writer) -> Result<(), ImportError> {
    let mut archive = tar::Archive::new(data);
    let mut count = 0u64;
    let mut skipped_devices = 0u64;
    for entry in archive.entries().map_err(ImportError::NotTar)? {
        let mut entry = entry.map_err(|e| match count {
            0 => ImportError::NotTar(e),
            _ => ImportError::Corrupt(e),
        })?;
        count += 1;
        let path = RelPath::parse(&entry.path_bytes())?;
        let meta = entry_meta(&mut entry).map_err(|e| bad_entry(&path, e))?;
        let kind = entry.header().entry_type();
        match kind {
            EntryType::Directory => {
                writer.add(&path, Node::Dir, &meta)?;
            }
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                let size = entry.size();
                writer.check_room(&path, size)?;
                let mut data = ReadCapture {
                    inner: &mut entry,
                    error: None,
                };
                let written = writer.add(&path, Node::File(&mut data), &meta);
                if let Some(e) = data.error {
                    // The archive failed, not the disk.
                    return Err(ImportError::Corrupt(e));
                }
                if written? < size {
                    return Err(ImportError::Truncated);
                }
            }
            EntryType::Symlink => {
                let target = link_name(&entry, &path)?;
                writer.add(&path, Node::Symlink(&target), &meta)?;
            }
            EntryType::Link => {
                let target = link_name(&entry, &path)?;
                let target = RelPath::parse(target.as_bytes()).map_err(|_| {
                    let shown = target.to_string_lossy();
                    bad_entry(
                        &path,
                        format!("hard link target {shown:?} escapes the image"),
                    )
                })?;
                writer.add(&path, Node::Hardlink(&target), &meta)?;
            }
            EntryType::Fifo => {
                writer.add(&path, Node::Fifo, &meta)?;
            }
            EntryType::Char | EntryType::Block => skipped_devices += 1,
            other => tracing::debug!("image entry {path}: skipping entry type {other:?}"),
        }
    }
    if count == 0 {
        return Err(ImportError::Empty);
    }
    if skipped_devices > 0 {
        tracing::debug!("image import: skipped {skipped_devices} device nodes");
    }
    Ok(())
}

fn bad_entry(path: &RelPath, reason: impl ToString) -> ImportError {
    ImportError::BadEntry {
        entry: path.clone(),
        reason: reason.to_string(),
    }
}

fn link_name<R: Read>(entry: &tar::Entry<'_, R>, path: &RelPath) -> Result<OsString, ImportError> {
    match entry.link_name_bytes() {
        Some(name) if !name.is_empty() => Ok(OsStr::from_bytes(&name).to_os_string()),
        _ => Err(bad_entry(path, "link without a target")),
    }
}

/// Owner, mode, mtime and xattrs from the header and its PAX extensions.
fn entry_meta<R: Read>(entry: &mut tar::Entry<'_, R>) -> io::Result<Meta> {
    let header = entry.header();
    let id = |value: u64, what: &str| {
        u32::try_from(value).map_err(|_| io::Error::other(format!("{what} {value} out of range")))
    };
    let mut meta = Meta {
        mode: header.mode()? & 0o7777,
        uid: id(header.uid()?, "uid")?,
        gid: id(header.gid()?, "gid")?,
        mtime: (i64::try_from(header.mtime()?).unwrap_or(i64::MAX), 0),
        xattrs: Vec::new(),
    };
    let Some(extensions) = entry.pax_extensions()? else {
        return Ok(meta);
    };
    for extension in extensions {
        let extension = extension?;
        let key = extension.key_bytes();
        let value = extension.value_bytes();
        let number = || {
            std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        match key {
            b"uid" => meta.uid = id(number().ok_or_else(|| bad_pax("uid"))?, "uid")?,
            b"gid" => meta.gid = id(number().ok_or_else(|| bad_pax("gid"))?, "gid")?,
            b"mtime" => {
                meta.mtime = pax_time(value).ok_or_else(|| bad_pax("mtime"))?;
            }
            _ => {
                if let Some(name) = key.strip_prefix(b"SCHILY.xattr.") {
                    let name = OsStr::from_bytes(name).to_os_string();
                    meta.xattrs.retain(|(k, _)| *k != name);
                    meta.xattrs.push((name, value.to_vec()));
                }
            }
        }
    }
    meta.xattrs.sort();
    Ok(meta)
}

fn bad_pax(key: &str) -> io::Error {
    io::Error::other(format!("invalid PAX {key} value"))
}

/// A PAX time: `<seconds>[.<fraction>]`, possibly negative.
fn pax_time(value: &[u8]) -> Option<(i64, u32)> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
    let secs: i64 = secs.parse().ok()?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
    let nanos: u32 = digits.parse().ok()?;
    if secs < 0 && nanos > 0 {
        // -1.5 is 1.5 s before the epoch: -2 s + 0.5 s.
        return Some((secs.checked_sub(1)?, 1_000_000_000 - nanos));
    }
    Some((secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_compression_by_magic() {
        assert_eq!(compression(&[0x1f, 0x8b, 8]).unwrap(), Compression::Gzip);
        assert_eq!(
            compression(&[0x28, 0xb5, 0x2f, 0xfd, 0]).unwrap(),
            Compression::Zstd
        );
        assert_eq!(compression(b"etc/").unwrap(), Compression::None);
        assert_eq!(compression(b"").unwrap(), Compression::None);
        let err = compression(b"\xfd7zXZ\x00").unwrap_err();
        assert_eq!(
            err.to_string(),
            "xz-compressed tarballs are not supported (decompress it first)"
        );
    }

    #[test]
    fn test_pax_time_fractions() {
        assert_eq!(pax_time(b"12.5"), Some((12, 500_000_000)));
        assert_eq!(pax_time(b"12"), Some((12, 0)));
        assert_eq!(pax_time(b"1.0000000019"), Some((1, 1)));
        assert_eq!(pax_time(b"-1.5"), Some((-2, 500_000_000)));
        assert_eq!(pax_time(b"x"), None);
        assert_eq!(pax_time(format!("{}.5", i64::MIN).as_bytes()), None);
        assert_eq!(pax_time(b"1.x"), None);
    }

    #[test]
    fn test_tail_watch_counts_trailing_zeros() {
        let data = [1u8, 0, 0, 0];
        let mut w = TailWatch {
            inner: &data[..],
            eof: false,
            trailing_zeros: 0,
        };
        let mut buf = [0u8; 2];
        while w.read(&mut buf).unwrap() > 0 {}
        assert!(w.eof);
        assert_eq!(w.trailing_zeros, 3);
    }

    #[test]
    fn test_zstd_frames_decode_and_truncate() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let z = crate::runtime::images::tests::zstd_raw(&data, 3);
        let mut out = Vec::new();
        ZstdFrames::new(&z[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        let err = ZstdFrames::new(&z[..z.len() - 10])
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let garbage = [&z[..], b"garbage!"].concat();
        let err = ZstdFrames::new(&garbage[..])
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(err.to_string().starts_with("zstd: "), "{err}");
    }
}
