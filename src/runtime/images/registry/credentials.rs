//! Registry credentials from Docker's client configuration:
//! `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, its `auths`
//! map (`"auth"`: base64 of `user:password`, or `username`/`password`, or an
//! `identitytoken`). Docker Hub's key is `https://index.docker.io/v1/`.
//! Credential helpers (`credsStore`) are not run.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Default, Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    identitytoken: String,
}

fn config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// The credentials stored for `registry` (`docker.io` or `host[:port]`).
/// An unreadable or invalid file is a warning, not an error: Docker pulls
/// anonymously then too.
pub fn lookup(registry: &str) -> Option<Credentials> {
    let path = config_path()?;
    let text = std::fs::read(&path).ok()?;
    let config: DockerConfig = match serde_json::from_slice(&text) {
        Ok(config) => config,
        Err(e) => {
            tracing::warn!("{}: {e}; pulling without credentials", path.display());
            return None;
        }
    };
    find(&config, registry)
}

fn find(config: &DockerConfig, registry: &str) -> Option<Credentials> {
    let entry = config.auths.iter().find_map(|(key, entry)| {
        (key_host(key) == registry
            || (registry == super::super::reference::DEFAULT_REGISTRY
                && matches!(key_host(key), "index.docker.io" | "registry-1.docker.io")))
        .then_some(entry)
    })?;
    if !entry.auth.is_empty() {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(entry.auth.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (username, password) = text.split_once(':')?;
        return Some(Credentials {
            username: username.to_string(),
            password: password.to_string(),
        });
    }
    if !entry.identitytoken.is_empty() {
        // Docker sends an identity token as the password of user `<token>`.
        return Some(Credentials {
            username: "<token>".to_string(),
            password: entry.identitytoken.clone(),
        });
    }
    (!entry.username.is_empty()).then(|| Credentials {
        username: entry.username.clone(),
        password: entry.password.clone(),
    })
}

/// `https://index.docker.io/v1/` → `index.docker.io`.
fn key_host(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_find_credentials() {
        let config: DockerConfig = serde_json::from_str(
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNzOndvcmQ="},
                "127.0.0.1:5000":{"username":"u","password":"p"}}}"#,
        )
        .unwrap();
        let hub = find(&config, "docker.io").unwrap();
        assert_eq!(hub.username, "user");
        assert_eq!(hub.password, "pass:word");
        assert_eq!(find(&config, "127.0.0.1:5000").unwrap().username, "u");
        assert_eq!(find(&config, "other.example"), None);
    }
}
