//! The container's environment: Docker's defaults, then the configured variables
//! replacing or appending (a bare `KEY` removes it), then `HOME` as runc sets it.

use super::error::SpecError;

pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn key(entry: &str) -> &str {
    entry.split_once('=').map_or(entry, |(k, _)| k)
}

/// Refuses entries Docker's CLI refuses (`=value`, empty).
pub fn validate_env(env: &[String]) -> Result<(), SpecError> {
    match env.iter().find(|e| key(e).is_empty()) {
        Some(bad) => Err(SpecError::Env(bad.clone())),
        None => Ok(()),
    }
}

/// Docker's `ReplaceOrAppendEnvValues`: `KEY=v` replaces in place or appends;
/// bare `KEY` removes it.
pub fn replace_or_append(defaults: Vec<String>, overrides: &[String]) -> Vec<String> {
    let mut env: Vec<Option<String>> = defaults.into_iter().map(Some).collect();
    for entry in overrides {
        let k = key(entry);
        let slot = env
            .iter_mut()
            .find(|e| e.as_deref().is_some_and(|e| key(e) == k));
        match (slot, entry.contains('=')) {
            (Some(slot), true) => *slot = Some(entry.clone()),
            (Some(slot), false) => *slot = None,
            (None, true) => env.push(Some(entry.clone())),
            (None, false) => {}
        }
    }
    env.into_iter().flatten().collect()
}

/// The full process environment.
pub fn container_env(
    hostname: &str,
    tty: bool,
    configured: &[String],
    home: Option<&str>,
) -> Vec<String> {
    let mut defaults = vec![DEFAULT_PATH.to_string()];
    if !hostname.is_empty() {
        defaults.push(format!("HOSTNAME={hostname}"));
    }
    if tty {
        defaults.push("TERM=xterm".to_string());
    }
    let mut env = replace_or_append(defaults, configured);
    // runc's rule: without a (non-empty) HOME, use the passwd home or "/".
    let home_set = env
        .iter()
        .any(|e| e.strip_prefix("HOME=").is_some_and(|v| !v.is_empty()));
    if !home_set {
        env.retain(|e| key(e) != "HOME");
        let home = home.filter(|h| !h.is_empty()).unwrap_or("/");
        env.push(format!("HOME={home}"));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn test_container_env_defaults() {
        assert_eq!(
            container_env("abc", true, &[], Some("/root")),
            s(&[DEFAULT_PATH, "HOSTNAME=abc", "TERM=xterm", "HOME=/root"])
        );
        assert_eq!(
            container_env("", false, &[], None),
            s(&[DEFAULT_PATH, "HOME=/"])
        );
    }

    #[test]
    fn test_container_env_replace_append_remove() {
        let env = container_env(
            "h",
            false,
            &s(&["PATH=/x", "A=1", "HOSTNAME", "A=2", "HOME=/home/me"]),
            None,
        );
        assert_eq!(env, s(&["PATH=/x", "A=2", "HOME=/home/me"]));
    }

    #[test]
    fn test_container_env_empty_home_is_replaced() {
        let env = container_env("h", false, &s(&["HOME="]), Some("/srv"));
        assert_eq!(env.last().unwrap(), "HOME=/srv");
        assert_eq!(env.iter().filter(|e| e.starts_with("HOME=")).count(), 1);
    }

    #[test]
    fn test_validate_env() {
        assert!(validate_env(&s(&["A=1", "B"])).is_ok());
        assert_eq!(
            validate_env(&s(&["=x"])).unwrap_err().to_string(),
            "invalid environment variable: =x"
        );
    }
}
