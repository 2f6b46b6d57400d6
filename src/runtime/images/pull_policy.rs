//! When an IMAGE is pulled before a container is made of it: Docker's
//! `--pull` policies, used by the Emperor's `docker-pull` attribute
//! (`missing` by default, `never`, `always`).
//!
//! The pull runs in a child `vassalrun pull`: downloads use threads, and a
//! process that creates containers must stay single-threaded (libcontainer
//! forks it).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::config::Settings;
use crate::runtime::image_source::ImageSource;

use super::reference::Reference;
use super::ImageStore;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PullPolicy {
    /// Pull when no stored image has the name.
    #[default]
    Missing,
    /// Never pull; a missing image is an error.
    Never,
    /// Pull every time (downloading only what changed).
    Always,
}

impl PullPolicy {
    pub fn parse(text: &str) -> Option<PullPolicy> {
        match text {
            "missing" => Some(PullPolicy::Missing),
            "never" => Some(PullPolicy::Never),
            "always" => Some(PullPolicy::Always),
            _ => None,
        }
    }
}

/// Pulls `image` if `policy` says so; a path, or a name that is no registry
/// reference, is left to `create` (which refuses what it cannot find).
pub fn ensure(settings: &Settings, image: &str, policy: PullPolicy) -> Result<(), String> {
    if policy == PullPolicy::Never || !matches!(ImageSource::classify(image), ImageSource::Name(_))
    {
        return Ok(());
    }
    if Reference::parse(image).is_err() {
        return Ok(());
    }
    if policy == PullPolicy::Missing && ImageStore::of(settings).get(image).is_ok() {
        return Ok(());
    }
    let exe = std::env::current_exe().map_err(|e| format!("pulling {image}: {e}"))?;
    pull_in_child(&exe, settings, image)
}

fn pull_in_child(exe: &Path, settings: &Settings, image: &str) -> Result<(), String> {
    let status = Command::new(exe)
        .arg("--root")
        .arg(&settings.root)
        .arg("--run-dir")
        .arg(&settings.run_dir)
        .arg("--config-dir")
        .arg(&settings.config_dir)
        .args(["pull", "--quiet", image])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("pulling {image}: {}: {e}", exe.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("pulling {image} failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_policies() {
        assert_eq!(PullPolicy::parse("missing"), Some(PullPolicy::Missing));
        assert_eq!(PullPolicy::parse("never"), Some(PullPolicy::Never));
        assert_eq!(PullPolicy::parse("always"), Some(PullPolicy::Always));
        assert_eq!(PullPolicy::parse("sometimes"), None);
        assert_eq!(PullPolicy::default(), PullPolicy::Missing);
    }
}
