//! What an image contributes to a container: its default command, environment,
//! working directory and user (Docker's image `Config`), and Docker's rules for
//! merging them under the user's configuration (`daemon/commit.go` `merge`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{ContainerConfig, EmptyObject};

/// The runnable defaults an image carries (set with `image import --change`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ImageConfig {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub exposed_ports: BTreeMap<String, EmptyObject>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stop_signal: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
}

/// Docker's `HealthConfig` (durations in nanoseconds), as an image carries it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Healthcheck {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub interval: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub timeout: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub start_period: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub start_interval: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub retries: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn env_key(entry: &str) -> &str {
    entry.split_once('=').map_or(entry, |(k, _)| k)
}

/// Fills what the user left unset from the image, as dockerd does at create.
///
/// A user `--entrypoint` means the image's `Cmd` is not inherited; an entrypoint
/// of `[""]` (from `--entrypoint ""`) clears the image's entrypoint.
pub fn merge(user: &mut ContainerConfig, image: &ImageConfig) {
    if user.user.is_empty() {
        user.user = image.user.clone();
    }
    if user.working_dir.is_empty() {
        user.working_dir = image.working_dir.clone();
    }
    for entry in &image.env {
        if !user.env.iter().any(|e| env_key(e) == env_key(entry)) {
            user.env.push(entry.clone());
        }
    }
    for (k, v) in &image.labels {
        user.labels.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for port in image.exposed_ports.keys() {
        user.exposed_ports.entry(port.clone()).or_default();
    }
    if user.stop_signal.is_empty() {
        user.stop_signal = image.stop_signal.clone();
    }
    if user.healthcheck.is_none() {
        user.healthcheck = image.healthcheck.clone();
    }
    let no_user_entrypoint = user.entrypoint.as_ref().is_none_or(|e| e.is_empty());
    if no_user_entrypoint {
        if user.cmd.as_ref().is_none_or(|c| c.is_empty()) {
            user.cmd = image.cmd.clone();
        }
        if user.entrypoint.is_none() {
            user.entrypoint = image.entrypoint.clone();
        }
    }
    if user.entrypoint.as_deref() == Some(&[String::new()][..]) {
        user.entrypoint = None;
    }
}

/// The process arguments: entrypoint followed by cmd, or `None` when both are empty.
pub fn process_args(config: &ContainerConfig) -> Option<Vec<String>> {
    let mut args: Vec<String> = config.entrypoint.clone().unwrap_or_default();
    args.extend(config.cmd.clone().unwrap_or_default());
    (!args.is_empty()).then_some(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    fn image() -> ImageConfig {
        ImageConfig {
            user: "app".into(),
            env: vec!["PATH=/img".into(), "LANG=C".into()],
            cmd: v(&["serve"]),
            entrypoint: v(&["/entry"]),
            working_dir: "/srv".into(),
            ..Default::default()
        }
    }

    #[test]
    fn test_merge_inherits_unset_fields() {
        let mut c = ContainerConfig {
            env: vec!["LANG=de".into()],
            ..Default::default()
        };
        merge(&mut c, &image());
        assert_eq!(c.user, "app");
        assert_eq!(c.working_dir, "/srv");
        assert_eq!(c.env, ["LANG=de", "PATH=/img"]);
        assert_eq!(process_args(&c), v(&["/entry", "serve"]));
    }

    #[test]
    fn test_merge_user_cmd_keeps_image_entrypoint() {
        let mut c = ContainerConfig {
            cmd: v(&["debug"]),
            ..Default::default()
        };
        merge(&mut c, &image());
        assert_eq!(process_args(&c), v(&["/entry", "debug"]));
    }

    #[test]
    fn test_merge_user_entrypoint_drops_image_cmd() {
        let mut c = ContainerConfig {
            entrypoint: v(&["/bin/sh"]),
            ..Default::default()
        };
        merge(&mut c, &image());
        assert_eq!(process_args(&c), v(&["/bin/sh"]));
    }

    #[test]
    fn test_merge_empty_entrypoint_clears_image_entrypoint() {
        let mut c = ContainerConfig {
            entrypoint: v(&[""]),
            ..Default::default()
        };
        merge(&mut c, &image());
        assert_eq!(c.entrypoint, None);
        assert_eq!(process_args(&c), None, "image Cmd is not inherited");
        let mut c = ContainerConfig {
            entrypoint: v(&[""]),
            cmd: v(&["sh"]),
            ..Default::default()
        };
        merge(&mut c, &image());
        assert_eq!(process_args(&c), v(&["sh"]));
    }

    #[test]
    fn test_process_args_none_when_empty() {
        let mut c = ContainerConfig::default();
        merge(&mut c, &ImageConfig::default());
        assert_eq!(process_args(&c), None);
    }
}
