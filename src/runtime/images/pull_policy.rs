//! When an IMAGE is pulled before a container is made of it: Docker's
//! `--pull` policies, used by `run`/`create --pull` and the Emperor's
//! `docker-pull` attribute (`missing` by default, `never`, `always`).
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
/// reference, is left to `create` (which refuses what it cannot find, as it
/// does an absent image under `never`). `platform` is `--platform`'s text.
pub fn ensure(
    settings: &Settings,
    image: &str,
    policy: PullPolicy,
    platform: Option<&str>,
) -> Result<(), String> {
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
    pull_in_child(&exe, settings, image, platform).map_err(|reason| match policy {
        PullPolicy::Missing => format!("Unable to find image '{image}' locally: {reason}"),
        _ => reason,
    })
}

/// `vassalrun pull IMAGE` in a child. Its status lines go to our stderr, as
/// `docker run` prints a pull's; a failure comes back as its one error line.
/// On a terminal the child has stderr itself, for its progress display.
fn pull_in_child(
    exe: &Path,
    settings: &Settings,
    image: &str,
    platform: Option<&str>,
) -> Result<(), String> {
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal();
    let mut command = Command::new(exe);
    command
        .arg("--root")
        .arg(&settings.root)
        .arg("--run-dir")
        .arg(&settings.run_dir)
        .arg("--config-dir")
        .arg(&settings.config_dir)
        .arg("pull");
    if let Some(platform) = platform {
        command.args(["--platform", platform]);
    }
    command
        .args(["--", image])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if terminal {
            Stdio::inherit()
        } else {
            Stdio::piped()
        });
    let out = command
        .output()
        .map_err(|e| format!("pulling {image}: {}: {e}", exe.display()))?;
    if out.status.success() {
        eprint!("{}", String::from_utf8_lossy(&out.stdout));
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let reason = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.strip_prefix("vassalrun: ").unwrap_or(l).to_string())
        .unwrap_or_else(|| format!("pulling {image} failed ({})", out.status));
    Err(reason)
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
