//! `image save`: stored images written as an OCI image layout (a directory or
//! its tar), which `image load`, `skopeo`, `podman load` and `docker load`
//! (25+) read.
//!
//! Layers are re-tarred from their unpacked directories (uncompressed, so a
//! layer's digest is its diff ID), overlayfs's whiteouts turned back into OCI
//! ones (`.wh.NAME`, `.wh..wh..opq`), hard links kept as links. The image
//! configuration is the stored one with its `config` as the store has it now
//! (after any `--change`) and `rootfs.diff_ids` naming the new tars; an
//! imported rootfs becomes a one-layer image.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::index::io_error;
use super::layers::OPAQUE_XATTR;
use super::oci::{Platform, OCI_CONFIG, OCI_INDEX, OCI_LAYER_TAR, OCI_MANIFEST, REF_NAME};
use super::reference::Reference;
use super::store::TempDir;
use super::{digest, Image, ImageError, ImageStore};

/// Counts and hashes what goes through to the file.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A written blob: digest and size.
struct Blob {
    digest: String,
    size: u64,
}

fn blob_path(layout: &Path, d: &str) -> PathBuf {
    layout.join("blobs/sha256").join(digest::hex(d))
}

fn put_bytes(layout: &Path, bytes: &[u8]) -> Result<Blob, ImageError> {
    let d = digest::format(Sha256::new_with_prefix(bytes));
    let path = blob_path(layout, &d);
    fs::write(&path, bytes).map_err(io_error(&path))?;
    Ok(Blob {
        digest: d,
        size: bytes.len() as u64,
    })
}

/// Tars the layer directory `dir` into the layout's blobs.
fn put_layer(layout: &Path, dir: &Path) -> Result<Blob, ImageError> {
    let tmp = layout.join("blobs/layer.tmp");
    let file = File::create(&tmp).map_err(io_error(&tmp))?;
    let mut writer = HashingWriter {
        inner: io::BufWriter::new(file),
        hasher: Sha256::new(),
        size: 0,
    };
    {
        let mut builder = tar::Builder::new(&mut writer);
        write_tree(&mut builder, dir).map_err(io_error(dir))?;
        builder.finish().map_err(io_error(&tmp))?;
    }
    writer.flush().map_err(io_error(&tmp))?;
    let d = digest::format(writer.hasher);
    let path = blob_path(layout, &d);
    fs::rename(&tmp, &path).map_err(io_error(&path))?;
    Ok(Blob {
        digest: d,
        size: writer.size,
    })
}

/// Every entry under `root`, sorted, parents first, never following symlinks.
fn write_tree<W: Write>(builder: &mut tar::Builder<W>, root: &Path) -> io::Result<()> {
    let mut links: HashMap<(u64, u64), PathBuf> = HashMap::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let mut names: Vec<_> = fs::read_dir(root.join(&rel))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()?;
        names.sort();
        let mut subdirs = Vec::new();
        for name in names {
            let rel_path = rel.join(&name);
            let path = root.join(&rel_path);
            let meta = fs::symlink_metadata(&path)?;
            let kind = meta.file_type();
            let mut header = tar::Header::new_gnu();
            header.set_metadata_in_mode(&meta, tar::HeaderMode::Complete);
            if kind.is_char_device() && meta.rdev() == 0 {
                let mut marker = String::from(".wh.");
                marker.push_str(&name.to_string_lossy());
                empty_file(builder, &rel.join(marker), &meta)?;
            } else if kind.is_dir() {
                header.set_size(0);
                builder.append_data(&mut header, &rel_path, io::empty())?;
                if xattr::get(&path, OPAQUE_XATTR)?.as_deref() == Some(b"y") {
                    empty_file(builder, &rel_path.join(".wh..wh..opq"), &meta)?;
                }
                subdirs.push(rel_path);
            } else if kind.is_symlink() {
                let target = fs::read_link(&path)?;
                builder.append_link(&mut header, &rel_path, target)?;
            } else if kind.is_file() {
                if meta.nlink() > 1 {
                    if let Some(first) = links.get(&(meta.dev(), meta.ino())) {
                        header.set_entry_type(tar::EntryType::Link);
                        header.set_size(0);
                        builder.append_link(&mut header, &rel_path, first)?;
                        continue;
                    }
                    links.insert((meta.dev(), meta.ino()), rel_path.clone());
                }
                builder.append_data(&mut header, &rel_path, File::open(&path)?)?;
            } else if kind.is_fifo() {
                header.set_size(0);
                builder.append_data(&mut header, &rel_path, io::empty())?;
            }
        }
        // Reversed onto the stack, so they are written in sorted order.
        pending.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

fn empty_file<W: Write>(
    builder: &mut tar::Builder<W>,
    path: &Path,
    owner: &fs::Metadata,
) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(0);
    header.set_mode(0o644);
    header.set_uid(owner.uid().into());
    header.set_gid(owner.gid().into());
    header.set_mtime(owner.mtime().max(0) as u64);
    builder.append_data(&mut header, path, io::empty())
}

impl ImageStore {
    /// Writes the images `references` name as an OCI layout in the empty or
    /// new directory `out`.
    pub fn save_layout(&self, references: &[String], out: &Path) -> Result<(), ImageError> {
        fs::create_dir_all(out.join("blobs/sha256")).map_err(io_error(out))?;
        let mut manifests = Vec::new();
        for reference in references {
            let image = self.get(reference)?;
            let mut descriptor = self.save_image(&image, out)?;
            if let Ok(parsed) = Reference::parse(reference) {
                descriptor["annotations"] = json!({
                    REF_NAME: parsed.to_string(),
                    "io.containerd.image.name": parsed.to_string(),
                });
            }
            manifests.push(descriptor);
        }
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        let write = |name: &str, value: &Value| {
            let path = out.join(name);
            fs::write(&path, value.to_string()).map_err(io_error(&path))
        };
        write("index.json", &index)?;
        write("oci-layout", &json!({"imageLayoutVersion": "1.0.0"}))
    }

    /// Writes an OCI layout tar of `references` to `out`.
    pub fn save_archive(
        &self,
        references: &[String],
        out: &mut dyn Write,
    ) -> Result<(), ImageError> {
        self.ensure_dirs()?;
        let work = TempDir::create(&self.tmp_dir())?;
        let layout = work.path.join("layout");
        self.save_layout(references, &layout)?;
        let mut builder = tar::Builder::new(out);
        builder.mode(tar::HeaderMode::Deterministic);
        builder
            .append_dir_all(".", &layout)
            .and_then(|()| builder.finish())
            .map_err(io_error(&layout))?;
        Ok(())
    }

    /// The layers, config and manifest of one image; returns its descriptor.
    fn save_image(&self, image: &Image, out: &Path) -> Result<Value, ImageError> {
        let dirs: Vec<PathBuf> = if image.layers.is_empty() {
            vec![image.rootfs()]
        } else {
            let store = self.layer_store();
            image.layers.iter().map(|d| store.root(d)).collect()
        };
        let mut layers = Vec::new();
        for dir in &dirs {
            layers.push(put_layer(out, dir)?);
        }
        let mut config: Value = match self.raw_config(image)? {
            Some(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({})),
            None => {
                let host = Platform::host();
                json!({"architecture": host.architecture, "os": host.os})
            }
        };
        config["config"] = serde_json::to_value(&image.config).unwrap_or_else(|_| json!({}));
        config["rootfs"] = json!({
            "type": "layers",
            "diff_ids": layers.iter().map(|l| l.digest.clone()).collect::<Vec<_>>(),
        });
        if let Some(object) = config.as_object_mut() {
            // Its entries described the original layers.
            object.remove("history");
        }
        let config = put_bytes(out, config.to_string().as_bytes())?;
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config.digest, "size": config.size},
            "layers": layers.iter().map(|l| json!({
                "mediaType": OCI_LAYER_TAR, "digest": l.digest, "size": l.size,
            })).collect::<Vec<_>>(),
        });
        let manifest = put_bytes(out, manifest.to_string().as_bytes())?;
        Ok(json!({"mediaType": OCI_MANIFEST, "digest": manifest.digest, "size": manifest.size}))
    }
}
