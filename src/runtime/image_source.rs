//! What an IMAGE argument names: a rootfs directory, a rootfs tarball, or an
//! image name (resolved by the image store), and reading its user database.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::in_root::read_in_root;
use crate::spec::user::UserDb;

#[derive(Debug, Error)]
pub enum ImageSourceError {
    #[error("image {path}: {reason}")]
    Read { path: PathBuf, reason: io::Error },
}

/// An IMAGE argument, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    Directory(PathBuf),
    Tarball(PathBuf),
    /// Not a path on this machine: a name for the image store.
    Name(String),
    /// A layered image's lower directories, top-most first.
    Layers(Vec<PathBuf>),
}

impl ImageSource {
    /// Paths win over names: `./app.tar`, `/srv/rootfs` or any existing file or directory.
    pub fn classify(image: &str) -> ImageSource {
        let path = Path::new(image);
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => ImageSource::Directory(absolute(path)),
            Ok(m) if m.is_file() => ImageSource::Tarball(absolute(path)),
            _ => ImageSource::Name(image.to_string()),
        }
    }

    /// A stored image's overlay lower: one directory, or layers joined by `:`.
    pub fn from_lower(lower: &Path) -> ImageSource {
        let dirs = crate::runtime::images::layers::lower_dirs(lower);
        match <[PathBuf; 1]>::try_from(dirs) {
            Ok([dir]) => ImageSource::Directory(dir),
            Err(dirs) => ImageSource::Layers(dirs),
        }
    }

    /// The image's `/etc/passwd` and `/etc/group`; empty for a name not yet resolvable.
    pub fn user_db(&self) -> Result<UserDb, ImageSourceError> {
        match self {
            ImageSource::Directory(dir) => {
                let read = |p: &str| read_in_root(dir, p).map_err(|reason| read_error(dir, reason));
                let passwd = read("/etc/passwd")?.unwrap_or_default();
                let group = read("/etc/group")?.unwrap_or_default();
                Ok(UserDb::parse(&passwd, &group))
            }
            ImageSource::Tarball(path) => {
                tar_user_db(path).map_err(|reason| read_error(path, reason))
            }
            ImageSource::Name(_) => Ok(UserDb::default()),
            ImageSource::Layers(dirs) => {
                let read = |p: &str| {
                    crate::runtime::images::layers::read_in_layers(dirs, p)
                        .map_err(|(dir, reason)| read_error(&dir, reason))
                };
                let passwd = read("/etc/passwd")?.unwrap_or_default();
                let group = read("/etc/group")?.unwrap_or_default();
                Ok(UserDb::parse(&passwd, &group))
            }
        }
    }
}

fn read_error(path: &Path, reason: io::Error) -> ImageSourceError {
    ImageSourceError::Read {
        path: path.to_path_buf(),
        reason,
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Opens a tarball, gunzipping it when it starts with the gzip magic.
pub fn open_tarball(path: &Path) -> io::Result<Box<dyn Read>> {
    let mut file = BufReader::new(File::open(path)?);
    let magic = {
        use std::io::BufRead;
        file.fill_buf()?.get(..2).map(<[u8]>::to_vec)
    };
    Ok(if magic.as_deref() == Some(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Streams the tarball once, keeping `etc/passwd` and `etc/group` (regular files only).
fn tar_user_db(path: &Path) -> io::Result<UserDb> {
    let mut archive = tar::Archive::new(open_tarball(path)?);
    let (mut passwd, mut group) = (String::new(), String::new());
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()?
            .to_string_lossy()
            .trim_start_matches("./")
            .trim_start_matches('/')
            .to_string();
        let target = match name.as_str() {
            "etc/passwd" => &mut passwd,
            "etc/group" => &mut group,
            _ => continue,
        };
        target.clear();
        (&mut entry).take(16 * 1024 * 1024).read_to_string(target)?;
    }
    Ok(UserDb::parse(&passwd, &group))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tarball(dir: &Path, gzip: bool) -> PathBuf {
        let path = dir.join(if gzip { "img.tar.gz" } else { "img.tar" });
        let file = File::create(&path).unwrap();
        let writer: Box<dyn io::Write> = if gzip {
            Box::new(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::fast(),
            ))
        } else {
            Box::new(file)
        };
        let mut builder = tar::Builder::new(writer);
        for (name, text) in [
            ("./etc/passwd", "app:x:7:8::/home/app:/bin/sh\n"),
            ("etc/group", "app:x:8:\n"),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, name, text.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().flush().unwrap();
        path
    }

    #[test]
    fn test_user_db_from_tarballs() {
        let dir = tempfile::tempdir().unwrap();
        for gzip in [false, true] {
            let source = ImageSource::classify(tarball(dir.path(), gzip).to_str().unwrap());
            assert!(matches!(source, ImageSource::Tarball(_)));
            let db = source.user_db().unwrap();
            assert_eq!(db.passwd[0].uid, 7);
            assert_eq!(db.groups[0].gid, 8);
        }
    }

    #[test]
    fn test_classify_name_and_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            ImageSource::classify(dir.path().to_str().unwrap()),
            ImageSource::Directory(_)
        ));
        assert_eq!(
            ImageSource::classify("busybox"),
            ImageSource::Name("busybox".into())
        );
    }
}
