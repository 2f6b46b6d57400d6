//! Test images built by the tests themselves: OCI image layouts and
//! `docker save` archives written from the busybox fixture plus small layers
//! (with whiteouts and an opaque directory), and multi-platform indexes.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A tar of `(name, content)` files (`None` content: a directory).
pub fn tar_of(entries: &[(&str, Option<&str>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(1_700_000_000);
        match content {
            Some(text) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(text.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                builder
                    .append_data(&mut header, name, text.as_bytes())
                    .unwrap();
            }
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                header.set_mode(0o755);
                header.set_cksum();
                builder.append_data(&mut header, name, &[][..]).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// One layer: the tar and whether to gzip it in an OCI layout.
pub struct Layer {
    pub tar: Vec<u8>,
    pub gzip: bool,
}

impl Layer {
    pub fn blob(&self) -> Vec<u8> {
        if self.gzip {
            gzip(&self.tar)
        } else {
            self.tar.clone()
        }
    }
    fn media_type(&self) -> &'static str {
        if self.gzip {
            "application/vnd.oci.image.layer.v1.tar+gzip"
        } else {
            "application/vnd.oci.image.layer.v1.tar"
        }
    }
}

/// The three-layer test image: busybox; `data/{a,b}` and `etc/removed`;
/// then `data/` made opaque with `data/c`, and `etc/removed` whited out.
pub fn three_layers(busybox_tar: &Path) -> Vec<Layer> {
    vec![
        Layer {
            tar: std::fs::read(busybox_tar).unwrap(),
            gzip: true,
        },
        Layer {
            tar: tar_of(&[
                ("data", None),
                ("data/a", Some("a\n")),
                ("data/b", Some("b\n")),
                ("etc/removed", Some("gone soon\n")),
                ("etc/greeting", Some("hello from layer 2\n")),
            ]),
            gzip: false,
        },
        Layer {
            tar: tar_of(&[
                ("data", None),
                ("data/.wh..wh..opq", Some("")),
                ("data/c", Some("c\n")),
                ("etc/.wh.removed", Some("")),
            ]),
            gzip: true,
        },
    ]
}

/// The image configuration for `layers`, with `config` as its `config`.
pub fn config_json(layers: &[Layer], arch: &str, config: Value) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256(&l.tar)).collect();
    serde_json::to_vec(&json!({
        "architecture": arch,
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [],
    }))
    .unwrap()
}

pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// Writes `bytes` as a blob of the layout at `dir`; returns its descriptor.
fn put_blob(dir: &Path, media_type: &str, bytes: &[u8]) -> Value {
    let digest = sha256(bytes);
    let path = dir.join("blobs/sha256").join(&digest[7..]);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
}

/// Writes one image manifest (layers and config blobs) into the layout at `dir`.
pub fn put_image(dir: &Path, layers: &[Layer], config: &[u8]) -> Value {
    let config = put_blob(dir, "application/vnd.oci.image.config.v1+json", config);
    let layers: Vec<Value> = layers
        .iter()
        .map(|l| put_blob(dir, l.media_type(), &l.blob()))
        .collect();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": layers,
    });
    put_blob(
        dir,
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&manifest).unwrap(),
    )
}

/// Writes `oci-layout` and `index.json` listing `manifests` (each annotated
/// with `ref_name` when given).
pub fn finish_layout(dir: &Path, manifests: Vec<Value>, ref_name: Option<&str>) {
    let manifests: Vec<Value> = manifests
        .into_iter()
        .map(|mut m| {
            if let Some(name) = ref_name {
                m["annotations"] = json!({"org.opencontainers.image.ref.name": name});
            }
            m
        })
        .collect();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": manifests})).unwrap(),
    )
    .unwrap();
}

/// A multi-platform index in the layout at `dir` over `(arch, manifest)` pairs.
pub fn put_index(dir: &Path, entries: Vec<(&str, Value)>) -> Value {
    let manifests: Vec<Value> = entries
        .into_iter()
        .map(|(arch, mut m)| {
            m["platform"] = json!({"architecture": arch, "os": "linux"});
            m
        })
        .collect();
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    });
    put_blob(
        dir,
        "application/vnd.oci.image.index.v1+json",
        &serde_json::to_vec(&index).unwrap(),
    )
}

/// A single-image OCI layout directory at `dir`.
pub fn oci_layout(dir: &Path, layers: &[Layer], config: &[u8], ref_name: Option<&str>) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let manifest = put_image(dir, layers, config);
    finish_layout(dir, vec![manifest], ref_name);
    dir.to_path_buf()
}

/// A classic `docker save` archive (`manifest.json`, `<hex>.json`, `<n>/layer.tar`).
pub fn docker_save(path: &Path, layers: &[Layer], config: &[u8], tags: &[&str]) -> PathBuf {
    let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
    let mut add = |name: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, bytes).unwrap();
    };
    let config_name = format!("{}.json", &sha256(config)[7..]);
    add(&config_name, config);
    let mut names = Vec::new();
    for (n, layer) in layers.iter().enumerate() {
        let name = format!("{n:064x}/layer.tar");
        add(&name, &layer.tar);
        names.push(name);
    }
    let manifest = json!([{"Config": config_name, "RepoTags": tags, "Layers": names}]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    builder.into_inner().unwrap().flush().unwrap();
    path.to_path_buf()
}

/// A tar of the directory `dir` (an OCI layout archive).
pub fn tar_dir(dir: &Path, out: &Path) -> PathBuf {
    let status = std::process::Command::new("tar")
        .arg("-cf")
        .arg(out)
        .arg("-C")
        .arg(dir)
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    out.to_path_buf()
}
