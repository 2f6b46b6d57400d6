//! Image digests: `sha256:<hex>` of a tarball's bytes as read (computed while
//! streaming), or of a deterministic record of a directory tree
//! ([`TreeHasher`]).

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::confined::{Meta, RelPath};
use super::progress::Progress;

pub const PREFIX: &str = "sha256:";

/// `sha256:<hex>` of a finished hash.
pub fn format(hasher: Sha256) -> String {
    let bytes = hasher.finalize();
    let mut text = String::with_capacity(PREFIX.len() + 64);
    text.push_str(PREFIX);
    for byte in bytes {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// The hex part of `sha256:<hex>` (or the text itself without the prefix).
pub fn hex(digest: &str) -> &str {
    digest.strip_prefix(PREFIX).unwrap_or(digest)
}

/// The first 12 hex digits, as Docker shows image ids.
pub fn short(digest: &str) -> &str {
    let hex = hex(digest);
    hex.get(..12).unwrap_or(hex)
}

/// A full digest: `sha256:` and 64 lowercase hex digits.
pub fn is_full(digest: &str) -> bool {
    digest
        .strip_prefix(PREFIX)
        .is_some_and(|h| h.len() == 64 && is_hex(h))
}

pub fn is_hex(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A reader that hashes and counts what passes through and drives a progress bar.
pub struct HashingReader<'p, R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    progress: &'p mut Progress,
}

impl<'p, R: Read> HashingReader<'p, R> {
    pub fn new(inner: R, progress: &'p mut Progress) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            progress,
        }
    }

    /// Reads what is left, then returns the digest and the byte count.
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((format(self.hasher), self.bytes))
    }

    /// The raw sha256 and byte count of what was read so far.
    pub fn sum(self) -> ([u8; 32], u64) {
        (self.hasher.finalize().into(), self.bytes)
    }
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        self.hasher.update(read);
        self.bytes += n as u64;
        self.progress.add(n as u64);
        Ok(n)
    }
}

/// The digest of a file's bytes.
pub fn file_digest(path: &Path, progress: &mut Progress) -> io::Result<String> {
    let file = BufReader::with_capacity(256 * 1024, File::open(path)?);
    HashingReader::new(file, progress).finish().map(|(d, _)| d)
}

/// The digest of a directory tree: one length-prefixed record per entry, in
/// walk order (names sorted bytewise), with each file's content hashed apart.
pub struct TreeHasher(Sha256);

impl Default for TreeHasher {
    fn default() -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"vassalrun-tree-v1\0");
        TreeHasher(hasher)
    }
}

/// What a tree record says about one entry.
pub enum TreeEntry<'a> {
    Dir,
    /// Size and sha256 of the content.
    File(u64, &'a [u8]),
    Symlink(&'a OsStr),
    Hardlink(&'a RelPath),
    Fifo,
}

impl TreeHasher {
    fn bytes(&mut self, data: &[u8]) {
        self.0.update((data.len() as u64).to_le_bytes());
        self.0.update(data);
    }

    pub fn entry(&mut self, path: &RelPath, entry: TreeEntry<'_>, meta: &Meta) {
        let tag: &[u8] = match entry {
            TreeEntry::Dir => b"d",
            TreeEntry::File(..) => b"f",
            TreeEntry::Symlink(_) => b"l",
            TreeEntry::Hardlink(_) => b"h",
            TreeEntry::Fifo => b"p",
        };
        self.0.update(tag);
        self.bytes(&path.to_bytes());
        if let TreeEntry::Hardlink(target) = entry {
            self.bytes(&target.to_bytes());
            return;
        }
        self.0.update(meta.mode.to_le_bytes());
        self.0.update(meta.uid.to_le_bytes());
        self.0.update(meta.gid.to_le_bytes());
        self.0.update(meta.mtime.0.to_le_bytes());
        self.0.update(meta.mtime.1.to_le_bytes());
        self.0.update((meta.xattrs.len() as u64).to_le_bytes());
        for (key, value) in &meta.xattrs {
            self.bytes(key.as_bytes());
            self.bytes(value);
        }
        match entry {
            TreeEntry::File(size, sha) => {
                self.0.update(size.to_le_bytes());
                self.bytes(sha);
            }
            TreeEntry::Symlink(target) => self.bytes(target.as_bytes()),
            _ => {}
        }
    }

    pub fn finish(self) -> String {
        format(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_file_digest_known_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(
            file_digest(&path, &mut Progress::hidden()).unwrap(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn test_short_and_is_full() {
        let d = format!("sha256:{}", "ab".repeat(32));
        assert!(is_full(&d));
        assert_eq!(short(&d), "abababababab");
        assert!(!is_full("sha256:abc"));
        assert!(!is_full(&d.to_uppercase()));
        assert!(is_hex("0af"));
        assert!(!is_hex("xyz"));
        assert!(!is_hex(""));
    }

    #[test]
    fn test_tree_hasher_distinguishes_fields() {
        let path = RelPath::parse(b"a").unwrap();
        let digest = |mode: u32, target: &str| {
            let mut t = TreeHasher::default();
            let meta = Meta {
                mode,
                ..Meta::default()
            };
            t.entry(&path, TreeEntry::Symlink(OsStr::new(target)), &meta);
            t.finish()
        };
        assert_eq!(digest(0o777, "x"), digest(0o777, "x"));
        assert_ne!(digest(0o777, "x"), digest(0o755, "x"));
        assert_ne!(digest(0o777, "x"), digest(0o777, "y"));
    }
}
