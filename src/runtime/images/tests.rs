//! Store tests: tarballs (hostile ones included) built here with the tar crate.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use tar::{EntryType, Header};

use super::*;

const MTIME: u64 = 1_600_000_000;

/// A tarball under construction, with raw (unchecked) names.
struct Tar(tar::Builder<Vec<u8>>);

fn header(kind: EntryType, name: &[u8], size: u64, mode: u32) -> Header {
    let mut header = Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(MTIME);
    header
}

impl Tar {
    fn new() -> Tar {
        Tar(tar::Builder::new(Vec::new()))
    }

    fn append(&mut self, mut header: Header, data: &[u8]) -> &mut Tar {
        header.set_cksum();
        self.0.append(&header, data).unwrap();
        self
    }

    fn dir(&mut self, name: &str, mode: u32) -> &mut Tar {
        self.append(header(EntryType::Directory, name.as_bytes(), 0, mode), b"")
    }

    fn file(&mut self, name: &str, data: &[u8], mode: u32) -> &mut Tar {
        let h = header(EntryType::Regular, name.as_bytes(), data.len() as u64, mode);
        self.append(h, data)
    }

    fn owned_file(&mut self, name: &str, data: &[u8], mode: u32, uid: u64, gid: u64) -> &mut Tar {
        let mut h = header(EntryType::Regular, name.as_bytes(), data.len() as u64, mode);
        h.set_uid(uid);
        h.set_gid(gid);
        self.append(h, data)
    }

    fn link(&mut self, kind: EntryType, name: &str, target: &str) -> &mut Tar {
        let mut h = header(kind, name.as_bytes(), 0, 0o777);
        h.as_old_mut().linkname[..target.len()].copy_from_slice(target.as_bytes());
        self.append(h, b"")
    }

    fn device(&mut self, name: &str) -> &mut Tar {
        let mut h = header(EntryType::Char, name.as_bytes(), 0, 0o666);
        h.set_device_major(1).unwrap();
        h.set_device_minor(3).unwrap();
        self.append(h, b"")
    }

    /// A PAX header for the next entry.
    fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Tar {
        let mut data = Vec::new();
        for (key, value) in records {
            let body = 1 + key.len() + 1 + value.len() + 1;
            let mut len = body + body.to_string().len();
            if len.to_string().len() != body.to_string().len() {
                len += 1;
            }
            data.extend_from_slice(format!("{len} {key}=").as_bytes());
            data.extend_from_slice(value);
            data.push(b'\n');
        }
        let h = header(
            EntryType::XHeader,
            b"././@PaxHeader",
            data.len() as u64,
            0o644,
        );
        self.append(h, &data)
    }

    fn bytes(&mut self) -> Vec<u8> {
        let builder = std::mem::replace(&mut self.0, tar::Builder::new(Vec::new()));
        builder.into_inner().unwrap()
    }

    fn write(&mut self, path: &Path) -> PathBuf {
        fs::write(path, self.bytes()).unwrap();
        path.to_path_buf()
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Zstd frames of raw (stored) blocks, one frame per chunk, plus a skippable frame.
pub fn zstd_raw(data: &[u8], chunks: usize) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(b"skp");
    for part in data.chunks(data.len().div_ceil(chunks)) {
        out.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd]);
        out.push(0x00); // no content size, not single segment, no checksum
        out.push(0x50); // window 1 MiB
        let blocks: Vec<&[u8]> = part.chunks(64 * 1024).collect();
        for (i, block) in blocks.iter().enumerate() {
            let last = u32::from(i + 1 == blocks.len());
            let head = last | ((block.len() as u32) << 3); // raw block type 0
            out.extend_from_slice(&head.to_le_bytes()[..3]);
            out.extend_from_slice(block);
        }
    }
    out
}

fn base_tar() -> Tar {
    let mut tar = Tar::new();
    tar.dir("./", 0o755)
        .dir("./etc/", 0o755)
        .file("./etc/hostname", b"box\n", 0o644)
        .file("./bin/sh", b"#!fake shell\n", 0o755);
    tar
}

struct Fixture {
    root: tempfile::TempDir,
    src: tempfile::TempDir,
    store: ImageStore,
}

fn fixture() -> Fixture {
    let root = tempfile::tempdir().unwrap();
    let store = ImageStore::new(root.path());
    Fixture {
        store,
        root,
        src: tempfile::tempdir().unwrap(),
    }
}

impl Fixture {
    fn tarball(&self, name: &str, tar: &mut Tar) -> PathBuf {
        tar.write(&self.src.path().join(name))
    }

    /// Nothing but the committed images: no temporary directories left.
    fn assert_no_leftovers(&self, images: usize) {
        let count = |dir: PathBuf| fs::read_dir(dir).map_or(0, |d| d.count());
        assert_eq!(count(self.store.dir().join("tmp")), 0, "tmp/ is not empty");
        assert_eq!(count(self.store.dir().join("sha256")), images);
    }

    fn import_err(&self, path: &Path) -> String {
        let err = self.store.import(path, None, &[]).unwrap_err();
        assert!(matches!(err, ImageError::Import { .. }), "{err:?}");
        err.to_string()
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn test_import_tarball() {
    let f = fixture();
    let path = f.tarball("rootfs.tar", &mut base_tar());
    let image = f.store.import(&path, Some("base"), &[]).unwrap();
    assert!(digest::is_full(&image.digest));
    let expected = digest::file_digest(&path, &mut progress::Progress::hidden()).unwrap();
    assert_eq!(image.digest, expected, "digest of the tarball bytes");
    assert_eq!(
        fs::read(image.rootfs().join("etc/hostname")).unwrap(),
        b"box\n"
    );
    assert_eq!(image.source, path);
    assert!(image.size > 0);
    assert!(image.created.ends_with('Z') && image.created.contains('T'));
    assert_eq!(image.config, ImageConfig::default());
    assert_eq!(f.store.get("base").unwrap(), image);
    f.assert_no_leftovers(1);
}

#[test]
fn test_import_gzip_and_zstd_by_magic() {
    let f = fixture();
    let plain = base_tar().bytes();
    let gz = f.src.path().join("rootfs.tar");
    fs::write(&gz, gzip(&plain)).unwrap();
    let image = f.store.import(&gz, None, &[]).unwrap();
    assert_eq!(
        fs::read(image.rootfs().join("bin/sh")).unwrap(),
        b"#!fake shell\n"
    );

    let zst = f.src.path().join("rootfs.img");
    fs::write(&zst, zstd_raw(&plain, 3)).unwrap();
    let image = f.store.import(&zst, None, &[]).unwrap();
    assert_eq!(
        fs::read(image.rootfs().join("etc/hostname")).unwrap(),
        b"box\n"
    );
    f.assert_no_leftovers(2);
}

#[test]
fn test_import_directory() {
    let f = fixture();
    let src = f.src.path().join("tree");
    fs::create_dir_all(src.join("etc")).unwrap();
    fs::write(src.join("etc/os-release"), "ID=test\n").unwrap();
    std::os::unix::fs::symlink("/etc/os-release", src.join("os")).unwrap();
    let image = f.store.import(&src, Some("tree"), &[]).unwrap();
    let rootfs = image.rootfs();
    assert_eq!(
        fs::read(rootfs.join("etc/os-release")).unwrap(),
        b"ID=test\n"
    );
    assert_eq!(
        fs::read_link(rootfs.join("os")).unwrap(),
        Path::new("/etc/os-release")
    );
    let again = f.store.import(&src, None, &[]).unwrap();
    assert_eq!(again.digest, image.digest, "same tree, same digest");
    fs::write(src.join("etc/os-release"), "ID=changed\n").unwrap();
    let changed = f.store.import(&src, None, &[]).unwrap();
    assert_ne!(changed.digest, image.digest);
    f.assert_no_leftovers(2);
}

#[test]
fn test_import_directory_holding_the_store() {
    let f = fixture();
    fs::write(f.root.path().join("file"), "x").unwrap();
    let err = f.import_err(f.root.path());
    assert!(err.contains(": contains the image store "), "{err}");
    f.assert_no_leftovers(0);
}

#[test]
fn test_resolve_path_reuses_import() {
    let f = fixture();
    let path = f.tarball("app.tar", &mut base_tar());
    let first = f.store.resolve(path.to_str().unwrap()).unwrap();
    let inode = fs::metadata(first.rootfs()).unwrap().ino();
    fs::write(first.rootfs().join("marker"), "kept").unwrap();
    let second = f.store.resolve(path.to_str().unwrap()).unwrap();
    assert_eq!(second, first);
    assert_eq!(fs::metadata(second.rootfs()).unwrap().ino(), inode);
    assert!(
        second.rootfs().join("marker").exists(),
        "not unpacked again"
    );
    // The same bytes under another file name are the same image.
    let copy = f.src.path().join("copy.tar");
    fs::copy(&path, &copy).unwrap();
    assert_eq!(
        f.store.resolve(copy.to_str().unwrap()).unwrap().digest,
        first.digest
    );
    assert_eq!(f.store.resolve(&first.digest).unwrap().digest, first.digest);
    assert_eq!(
        f.store.resolve(&first.digest[7..15]).unwrap().digest,
        first.digest
    );
    assert_eq!(f.store.list().unwrap().len(), 1);
    f.assert_no_leftovers(1);
}

#[test]
fn test_resolve_concurrent_first_use() {
    let f = fixture();
    let mut tar = base_tar();
    for i in 0..200 {
        tar.file(&format!("./data/{i}"), &[b'x'; 4096], 0o644);
    }
    let path = f.tarball("big.tar", &mut tar);
    let digests: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let root = f.root.path().to_path_buf();
                let path = path.clone();
                s.spawn(move || {
                    let store = ImageStore::new(&root);
                    store.resolve(path.to_str().unwrap()).unwrap().digest
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(digests.windows(2).all(|w| w[0] == w[1]));
    f.assert_no_leftovers(1);
    let image = f.store.get(&digests[0]).unwrap();
    assert_eq!(
        fs::read_dir(image.rootfs().join("data")).unwrap().count(),
        200
    );
}

#[test]
fn test_resolve_errors() {
    let f = fixture();
    assert_eq!(
        f.store.resolve("nope").unwrap_err().to_string(),
        "No such image: nope (pull it with `vassalrun pull nope`, or import a rootfs tarball with `vassalrun image import TARBALL nope`)"
    );
    assert!(matches!(f.store.resolve(""), Err(ImageError::NotFound(_))));
    for i in 0..40 {
        let mut tar = base_tar();
        tar.file("./n", i.to_string().as_bytes(), 0o644);
        f.store
            .import(&f.tarball(&format!("{i}.tar"), &mut tar), None, &[])
            .unwrap();
    }
    // 40 digests: some first hex digit is shared.
    let shared = (0..16)
        .map(|d| format!("{d:x}"))
        .find(|p| {
            f.store
                .list()
                .unwrap()
                .iter()
                .filter(|r| r.digest[7..].starts_with(p.as_str()))
                .count()
                > 1
        })
        .unwrap();
    assert!(matches!(
        f.store.resolve(&shared),
        Err(ImageError::Ambiguous(_))
    ));
}

#[test]
fn test_import_names_move_and_list() {
    let f = fixture();
    let a = f
        .store
        .import(&f.tarball("a.tar", &mut base_tar()), Some("web"), &[])
        .unwrap();
    let mut other = base_tar();
    other.file("./extra", b"1", 0o644);
    let b = f
        .store
        .import(&f.tarball("b.tar", &mut other), Some("web"), &[])
        .unwrap();
    assert_ne!(a.digest, b.digest);
    assert_eq!(
        f.store.get("web").unwrap().digest,
        b.digest,
        "the name moved"
    );
    f.store
        .import(&f.tarball("a2.tar", &mut base_tar()), Some("api"), &[])
        .unwrap();
    let rows = f.store.list().unwrap();
    let mut seen: Vec<(Option<&str>, &str)> = rows
        .iter()
        .map(|r| (r.name.as_deref(), r.digest.as_str()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (Some("api"), a.digest.as_str()),
            (Some("web"), b.digest.as_str())
        ]
    );
    let c = f
        .store
        .import(&f.src.path().join("b.tar"), None, &[])
        .unwrap();
    assert_eq!(c.digest, b.digest);
    assert!(rows.iter().all(|r| r.size > 0 && r.created.ends_with('Z')));
}

#[test]
fn test_import_invalid_names() {
    let f = fixture();
    let path = f.tarball("a.tar", &mut base_tar());
    let hex64 = "a".repeat(64);
    for name in ["", "-x", "a b", "sha256:abc", hex64.as_str(), "../x"] {
        let err = f.store.import(&path, Some(name), &[]).unwrap_err();
        assert!(
            matches!(err, ImageError::InvalidName { .. }),
            "{name}: {err}"
        );
    }
    f.store
        .import(&path, Some("registry.local/app:1.0"), &[])
        .unwrap();
}

#[test]
fn test_remove_name_image_and_in_use() {
    let f = fixture();
    let path = f.tarball("a.tar", &mut base_tar());
    let image = f.store.import(&path, Some("web"), &[]).unwrap();
    f.store.import(&path, Some("api"), &[]).unwrap();
    let unused = |_: &str| None;
    let used = |d: &str| (d == image.digest).then(|| "0123456789ab".to_string());

    // A shared name is only untagged, even while in use.
    let removed = f.store.remove("web", false, used).unwrap();
    assert_eq!(
        removed,
        Removed {
            untagged: strings(&["web"]),
            deleted: None
        }
    );
    assert!(image.rootfs().exists());

    // The last name of an image in use is refused.
    let err = f.store.remove("api", false, used).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "conflict: unable to remove image \"api\" (must force) - container 0123456789ab is using its referenced image {}",
            image.short_digest()
        )
    );
    assert!(f.store.get("api").is_ok());

    let removed = f.store.remove("api", false, unused).unwrap();
    assert_eq!(removed.deleted.as_deref(), Some(image.digest.as_str()));
    assert!(!image.dir.exists());
    assert!(matches!(f.store.get("api"), Err(ImageError::NotFound(_))));
    f.assert_no_leftovers(0);
    assert!(matches!(
        f.store.remove("api", true, unused),
        Err(ImageError::NotFound(_))
    ));
}

#[test]
fn test_remove_force_and_by_digest() {
    let f = fixture();
    let path = f.tarball("a.tar", &mut base_tar());
    let image = f.store.import(&path, Some("one"), &[]).unwrap();
    f.store.import(&path, Some("two"), &[]).unwrap();
    let used = |_: &str| Some("c0ffee".to_string());
    let err = f
        .store
        .remove(image.short_digest(), false, |_| None)
        .unwrap_err();
    assert!(matches!(err, ImageError::SeveralNames { .. }), "{err}");
    assert!(err.to_string().contains("one, two"), "{err}");
    let removed = f.store.remove(&image.digest, true, used).unwrap();
    assert_eq!(removed.untagged, strings(&["one", "two"]));
    assert_eq!(removed.deleted, Some(image.digest.clone()));
    assert!(f.store.list().unwrap().is_empty());
    f.assert_no_leftovers(0);

    let unnamed = f.store.resolve(path.to_str().unwrap()).unwrap();
    let err = f.store.remove(&unnamed.digest, false, used).unwrap_err();
    assert!(matches!(err, ImageError::InUse { .. }), "{err}");
    f.store.remove(&unnamed.digest, true, used).unwrap();
    f.assert_no_leftovers(0);
}

#[test]
fn test_import_changes() {
    let f = fixture();
    let path = f.tarball("a.tar", &mut base_tar());
    let changes = strings(&[
        r#"CMD ["/bin/sh","-c","x"]"#,
        "ENV PATH=/bin",
        "WORKDIR /srv",
        "USER 1000:1000",
        "LABEL a=b",
        "EXPOSE 80/tcp",
        "STOPSIGNAL SIGQUIT",
    ]);
    let image = f.store.import(&path, Some("app"), &changes).unwrap();
    assert_eq!(image.config.cmd, Some(strings(&["/bin/sh", "-c", "x"])));
    assert_eq!(image.config.stop_signal, "SIGQUIT");
    let stored: ImageConfig =
        serde_json::from_slice(&fs::read(image.dir.join("image.json")).unwrap()).unwrap();
    assert_eq!(stored, image.config);
    // Re-importing the content without changes keeps the config; with, replaces it.
    assert_eq!(
        f.store.import(&path, None, &[]).unwrap().config,
        image.config
    );
    let image = f
        .store
        .import(&path, None, &strings(&["CMD serve"]))
        .unwrap();
    assert_eq!(image.config.cmd, Some(strings(&["/bin/sh", "-c", "serve"])));
    assert_eq!(image.config.user, "");

    let err = f
        .store
        .import(&path, Some("x"), &strings(&["FOO bar"]))
        .unwrap_err();
    assert!(err.to_string().contains("unknown instruction FOO"), "{err}");
    assert!(matches!(f.store.get("x"), Err(ImageError::NotFound(_))));
}

#[test]
fn test_import_preserves_metadata() {
    let f = fixture();
    let probe = f.src.path().join("probe");
    fs::write(&probe, "").unwrap();
    let xattrs_work = xattr::set(&probe, "user.probe", b"1").is_ok();
    let mut tar = base_tar();
    tar.dir("./tmp/", 0o1777)
        .owned_file("./usr/bin/su", b"su", 0o4755, 1000, 2000)
        .pax(&[
            ("SCHILY.xattr.user.note", b"hello"),
            ("uid", b"3000000"),
            ("mtime", b"1600000000.25"),
        ])
        .owned_file("./usr/bin/ping", b"ping", 0o755, 0, 0)
        .link(EntryType::Symlink, "./usr/bin/link", "../../etc/hostname")
        .link(EntryType::Symlink, "./abs", "/etc/passwd")
        .link(EntryType::Link, "./usr/bin/su2", "./usr/bin/su")
        .append(header(EntryType::Fifo, b"./run/fifo", 0, 0o620), b"")
        .device("./dev/null")
        .dir("./home/", 0o700);
    let image = f
        .store
        .import(&f.tarball("meta.tar", &mut tar), None, &[])
        .unwrap();
    let root = image.rootfs();
    let meta = |p: &str| fs::symlink_metadata(root.join(p)).unwrap();

    let su = meta("usr/bin/su");
    assert_eq!((su.uid(), su.gid()), (1000, 2000));
    assert_eq!(su.mode() & 0o7777, 0o4755, "setuid survives chown");
    assert_eq!(su.mtime(), MTIME as i64);
    assert_eq!(meta("usr/bin/su2").ino(), su.ino(), "hard link");
    assert_eq!(su.nlink(), 2);

    let ping = meta("usr/bin/ping");
    assert_eq!(ping.uid(), 3_000_000, "PAX uid");
    assert_eq!(
        (ping.mtime(), ping.mtime_nsec()),
        (MTIME as i64, 250_000_000)
    );
    if xattrs_work {
        assert_eq!(
            xattr::get(root.join("usr/bin/ping"), "user.note").unwrap(),
            Some(b"hello".to_vec())
        );
    }
    assert_eq!(
        fs::read_link(root.join("usr/bin/link")).unwrap(),
        Path::new("../../etc/hostname")
    );
    assert_eq!(
        fs::read_link(root.join("abs")).unwrap(),
        Path::new("/etc/passwd")
    );
    assert!(meta("run/fifo").file_type().is_fifo());
    assert_eq!(meta("run/fifo").mode() & 0o777, 0o620);
    assert!(!root.join("dev/null").exists(), "device nodes are skipped");
    assert_eq!(meta("tmp").mode() & 0o7777, 0o1777);
    assert_eq!(meta("home").mode() & 0o7777, 0o700);
    assert_eq!(meta("home").mtime(), MTIME as i64);
    assert_eq!(meta("usr").mode() & 0o7777, 0o755, "implicit parent");
    assert_eq!(meta("").mode() & 0o7777, 0o755);
}

#[test]
fn test_import_directory_preserves_metadata() {
    let f = fixture();
    let mut tar = base_tar();
    tar.owned_file("./usr/bin/su", b"su", 0o4755, 1000, 2000)
        .link(EntryType::Link, "./usr/bin/su2", "usr/bin/su")
        .append(header(EntryType::Fifo, b"./run/fifo", 0, 0o620), b"");
    let first = f
        .store
        .import(&f.tarball("m.tar", &mut tar), None, &[])
        .unwrap();
    // Import the unpacked rootfs as a directory: the same tree comes out.
    let copy = f.store.import(&first.rootfs(), None, &[]).unwrap();
    let meta = |i: &Image, p: &str| fs::symlink_metadata(i.rootfs().join(p)).unwrap();
    for p in ["usr/bin/su", "run/fifo", "etc", ""] {
        let (a, b) = (meta(&first, p), meta(&copy, p));
        assert_eq!(
            (a.mode(), a.uid(), a.gid(), a.mtime(), a.mtime_nsec()),
            (b.mode(), b.uid(), b.gid(), b.mtime(), b.mtime_nsec()),
            "{p}"
        );
    }
    assert_eq!(
        meta(&copy, "usr/bin/su").ino(),
        meta(&copy, "usr/bin/su2").ino()
    );
}

#[test]
fn test_import_dotdot_rejected() {
    let f = fixture();
    let mut tar = base_tar();
    tar.file("../../etc/evil", b"evil", 0o644);
    let err = f.import_err(&f.tarball("dotdot.tar", &mut tar));
    assert!(
        err.contains("entry \"../../etc/evil\": path escapes the image"),
        "{err}"
    );
    assert!(!f.root.path().join("etc/evil").exists());
    assert!(!f.src.path().parent().unwrap().join("etc/evil").exists());
    f.assert_no_leftovers(0);
}

#[test]
fn test_import_absolute_names_confined() {
    let f = fixture();
    let mut tar = base_tar();
    let name = f.src.path().join("abs-evil");
    tar.file(name.to_str().unwrap(), b"evil", 0o644);
    let image = f
        .store
        .import(&f.tarball("abs.tar", &mut tar), None, &[])
        .unwrap();
    assert!(!name.exists(), "written outside the image");
    let inside = image.rootfs().join(name.strip_prefix("/").unwrap());
    assert_eq!(fs::read(inside).unwrap(), b"evil");
}

#[test]
fn test_import_symlink_parent_not_followed() {
    let f = fixture();
    let outside = tempfile::tempdir().unwrap();
    let mut tar = Tar::new();
    tar.link(EntryType::Symlink, "etc", outside.path().to_str().unwrap())
        .file("etc/passwd", b"root::0:0::/:/bin/sh\n", 0o644);
    let err = f.import_err(&f.tarball("symlink.tar", &mut tar));
    assert!(
        err.ends_with("entry etc/passwd: parent etc is a symlink (refusing to write through it)"),
        "{err}"
    );
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    f.assert_no_leftovers(0);

    // A relative symlink that climbs out is refused the same way.
    let mut tar = Tar::new();
    tar.link(EntryType::Symlink, "lib", "../../../../../../tmp")
        .file("lib/x", b"x", 0o644);
    let err = f.import_err(&f.tarball("rel.tar", &mut tar));
    assert!(err.contains("parent lib is a symlink"), "{err}");
    f.assert_no_leftovers(0);
}

#[test]
fn test_import_hardlink_outside_rejected() {
    let f = fixture();
    for (i, target) in ["/etc/shadow", "../outside", "etc/missing"]
        .iter()
        .enumerate()
    {
        let mut tar = base_tar();
        tar.link(EntryType::Link, "./stolen", target);
        let err = f.import_err(&f.tarball(&format!("hl{i}.tar"), &mut tar));
        assert!(err.contains("entry stolen: "), "{err}");
        assert!(err.contains("hard link target"), "{err}");
        f.assert_no_leftovers(0);
    }
}

#[test]
fn test_import_truncated_tarballs() {
    let f = fixture();
    let mut tar = base_tar();
    tar.file("./big", &[7u8; 10_000], 0o644);
    let bytes = tar.bytes();
    // Inside the data, inside a header, and at a block boundary.
    for (i, cut) in [2048 + 700, 2048 + 100, 3072].into_iter().enumerate() {
        let path = f.src.path().join(format!("cut{i}.tar"));
        fs::write(&path, &bytes[..cut]).unwrap();
        let err = f.import_err(&path);
        assert_eq!(
            err,
            format!("image import {}: truncated tar archive", path.display())
        );
        f.assert_no_leftovers(0);
    }
    let gz = gzip(&bytes);
    let path = f.src.path().join("cut.tar.gz");
    fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let err = f.import_err(&path);
    assert_eq!(
        err,
        format!("image import {}: truncated tar archive", path.display())
    );
    f.assert_no_leftovers(0);
}

#[test]
fn test_import_garbage_and_empty() {
    let f = fixture();
    let path = f.src.path().join("garbage.tar");
    fs::write(&path, vec![b'g'; 4096]).unwrap();
    let err = f.import_err(&path);
    assert!(
        err.starts_with(&format!(
            "image import {}: not a tar archive (",
            path.display()
        )),
        "{err}"
    );
    fs::write(&path, b"tiny").unwrap();
    assert!(f.import_err(&path).contains("truncated tar archive"));
    fs::write(&path, b"").unwrap();
    assert!(f.import_err(&path).ends_with("empty tar archive"));
    fs::write(&path, gzip(b"not a tarball at all, but gzip")).unwrap();
    let err = f.import_err(&path);
    assert!(err.contains(path.to_str().unwrap()), "{err}");
    let missing = f.src.path().join("missing.tar");
    let err = f.import_err(&missing);
    assert!(
        err.starts_with(&format!("image import {}: ", missing.display())),
        "{err}"
    );
    f.assert_no_leftovers(0);
}

#[test]
fn test_sweep_removes_dead_imports_only() {
    let f = fixture();
    f.store
        .import(&f.tarball("a.tar", &mut base_tar()), None, &[])
        .unwrap();
    let tmp = f.store.dir().join("tmp");
    let dead = tmp.join("dead");
    fs::create_dir_all(dead.join("rootfs/etc")).unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::open(&dead).unwrap().set_modified(old).unwrap();
    let fresh = tmp.join("fresh");
    fs::create_dir(&fresh).unwrap();
    let mut other = base_tar();
    other.file("./x", b"x", 0o644);
    f.store
        .import(&f.tarball("b.tar", &mut other), None, &[])
        .unwrap();
    assert!(!dead.exists());
    assert!(fresh.exists(), "too recent to be judged dead");
}
