//! The OCI image format's JSON documents (image-spec v1.1), which Docker's
//! schema 2 documents share field for field: descriptors, manifests, indexes
//! (manifest lists), and the image configuration, whose `config` becomes the
//! store's [`ImageConfig`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::spec::image::{Healthcheck, ImageConfig};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// `Accept` for a manifest request: every kind we can read.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// The machine we run on, in Go's names (`linux/amd64`).
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform {
            architecture: architecture.to_string(),
            os: "linux".to_string(),
            variant: (architecture == "arm64").then(|| "v8".to_string()),
        }
    }

    /// `os/arch[/variant]`.
    pub fn parse(text: &str) -> Option<Platform> {
        let mut parts = text.split('/');
        let os = parts.next().filter(|s| !s.is_empty())?;
        let architecture = parts.next().filter(|s| !s.is_empty())?;
        let variant = parts.next().map(str::to_string);
        if parts.next().is_some() {
            return None;
        }
        Some(Platform {
            architecture: architecture.to_string(),
            os: os.to_string(),
            variant,
        })
    }

    /// Whether an index entry for `other` runs here; a missing variant matches any.
    pub fn matches(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || other.variant.is_none() || self.variant == other.variant)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(v) => write!(f, "/{v}"),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub media_type: String,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub media_type: String,
    pub manifests: Vec<Descriptor>,
}

/// A manifest document of either kind, told apart by its fields (a
/// `mediaType` is optional in OCI documents).
pub enum Document {
    Manifest(Manifest),
    Index(Index),
}

impl Document {
    pub fn parse(bytes: &[u8]) -> Result<Document, String> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("invalid manifest JSON: {e}"))?;
        if value.get("manifests").is_some() {
            serde_json::from_value(value)
                .map(Document::Index)
                .map_err(|e| format!("invalid image index: {e}"))
        } else if value.get("layers").is_some() {
            serde_json::from_value(value)
                .map(Document::Manifest)
                .map_err(|e| format!("invalid image manifest: {e}"))
        } else {
            Err("unsupported manifest (not an OCI or Docker schema 2 manifest or index)".into())
        }
    }
}

/// The image configuration document; only what we use is read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigFile {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub config: Option<RawConfig>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// `config` as images carry it: every field may be missing or `null`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RawConfig {
    user: Option<String>,
    env: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    entrypoint: Option<Vec<String>>,
    working_dir: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    stop_signal: Option<String>,
    healthcheck: Option<Healthcheck>,
}

impl ConfigFile {
    pub fn parse(bytes: &[u8]) -> Result<ConfigFile, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("invalid image config: {e}"))
    }

    /// The runnable defaults, as the store keeps them.
    pub fn image_config(&self) -> ImageConfig {
        let raw = self.config.clone().unwrap_or_default();
        ImageConfig {
            user: raw.user.unwrap_or_default(),
            env: raw.env.unwrap_or_default(),
            cmd: raw.cmd,
            entrypoint: raw.entrypoint,
            working_dir: raw.working_dir.unwrap_or_default(),
            labels: raw.labels.unwrap_or_default(),
            exposed_ports: raw
                .exposed_ports
                .unwrap_or_default()
                .into_keys()
                .map(|k| (k, Default::default()))
                .collect(),
            stop_signal: raw.stop_signal.unwrap_or_default(),
            healthcheck: raw.healthcheck,
        }
    }

    pub fn diff_ids(&self) -> &[String] {
        self.rootfs.as_ref().map_or(&[], |r| &r.diff_ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_config_with_nulls() {
        let config = ConfigFile::parse(
            br#"{"architecture":"amd64","os":"linux","config":{"Env":null,"Cmd":["sh"],
            "Entrypoint":null,"ExposedPorts":{"80/tcp":{}},"Labels":null,"WorkingDir":"/w",
            "Healthcheck":{"Test":["CMD","true"],"Interval":1000000000}},
            "rootfs":{"type":"layers","diff_ids":["sha256:aa"]}}"#,
        )
        .unwrap();
        let image = config.image_config();
        assert_eq!(image.cmd, Some(vec!["sh".to_string()]));
        assert!(image.env.is_empty());
        assert_eq!(image.working_dir, "/w");
        assert!(image.exposed_ports.contains_key("80/tcp"));
        assert_eq!(image.healthcheck.unwrap().test, ["CMD", "true"]);
        assert_eq!(config.diff_ids(), ["sha256:aa"]);
    }

    #[test]
    fn test_platform_matching() {
        let host = Platform::parse("linux/amd64").unwrap();
        assert!(host.matches(&Platform::parse("linux/amd64").unwrap()));
        assert!(!host.matches(&Platform::parse("linux/arm64/v8").unwrap()));
        let v7 = Platform::parse("linux/arm/v7").unwrap();
        assert!(!v7.matches(&Platform::parse("linux/arm/v6").unwrap()));
        assert_eq!(v7.to_string(), "linux/arm/v7");
        assert!(Platform::parse("linux").is_none());
        assert!(Platform::parse("linux/a/b/c").is_none());
    }

    #[test]
    fn test_document_kinds() {
        assert!(matches!(
            Document::parse(br#"{"schemaVersion":2,"manifests":[]}"#),
            Ok(Document::Index(_))
        ));
        assert!(matches!(
            Document::parse(
                br#"{"schemaVersion":2,"config":{"digest":"sha256:a","size":1},"layers":[]}"#
            ),
            Ok(Document::Manifest(_))
        ));
        assert!(Document::parse(br#"{"schemaVersion":1}"#).is_err());
    }
}
