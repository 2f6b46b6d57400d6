//! Finding the container's command in its rootfs before the container is built,
//! so "not found" (127) and "not executable" (126) are Docker's clear errors
//! instead of an opaque failure inside the runtime.
//!
//! A command under a bind mount's destination (`-v DIR:/probe … /probe/tool`)
//! is looked up in the mount's source, which is what the container will see
//! there; when it is not found there (a symlink may point elsewhere once
//! mounted), the check steps aside and lets the runtime decide, as Docker does.

use std::path::{Path, PathBuf};

use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, SFlag};

use super::LifecycleError;

/// A bind mount of the container: host `source` at `destination` (absolute,
/// inside the container).
#[derive(Debug, Clone)]
pub struct BindMount {
    pub destination: String,
    pub source: PathBuf,
}

/// The spec's bind mounts, for the command check.
pub fn bind_mounts(spec: &oci_spec::runtime::Spec) -> Vec<BindMount> {
    spec.mounts()
        .iter()
        .flatten()
        .filter(|m| {
            m.typ().as_deref() == Some("bind")
                || m.options()
                    .iter()
                    .flatten()
                    .any(|o| o == "bind" || o == "rbind")
        })
        .filter_map(|m| {
            Some(BindMount {
                destination: m.destination().display().to_string(),
                source: m.source().clone()?,
            })
        })
        .collect()
}

/// The bind mount whose destination holds `path` (the deepest one), and the
/// rest of `path` below it.
fn bind_for<'a>(binds: &'a [BindMount], path: &str) -> Option<(&'a BindMount, String)> {
    binds
        .iter()
        .filter_map(|bind| {
            let destination = bind.destination.trim_end_matches('/');
            let rest = path.strip_prefix(destination)?;
            (rest.is_empty() || rest.starts_with('/')).then(|| (bind, rest.to_string()))
        })
        .max_by_key(|(bind, _)| bind.destination.len())
}

/// Checks `command` (a path, or a name searched in `path_env`) inside
/// `rootfs` with `binds` mounted on it.
pub fn check_command(
    rootfs: &Path,
    command: &str,
    path_env: &str,
    binds: &[BindMount],
) -> Result<(), LifecycleError> {
    let candidates: Vec<String> = if command.contains('/') {
        vec![command.to_string()]
    } else {
        path_env
            .split(':')
            .filter(|d| !d.is_empty())
            .map(|d| format!("{d}/{command}"))
            .collect()
    };
    let mut not_executable = None;
    let mut unknown = false;
    for candidate in candidates {
        let mode = match bind_for(binds, &candidate) {
            Some((bind, rest)) => {
                let mode = mode_in_root(&bind.source, &rest);
                unknown |= mode.is_none();
                mode
            }
            None => mode_in_root(rootfs, &candidate),
        };
        match mode {
            Some(mode) if mode & 0o111 != 0 => return Ok(()),
            Some(_) => not_executable = Some(candidate),
            None => {}
        }
    }
    if unknown && not_executable.is_none() {
        return Ok(());
    }
    Err(match not_executable {
        Some(path) => LifecycleError::Command {
            code: 126,
            message: format!("exec: \"{path}\": permission denied"),
        },
        None if command.contains('/') => LifecycleError::Command {
            code: 127,
            message: format!("exec: \"{command}\": stat {command}: no such file or directory"),
        },
        None => LifecycleError::Command {
            code: 127,
            message: format!("exec: \"{command}\": executable file not found in $PATH"),
        },
    })
}

/// The mode of a regular file at `path` inside `rootfs` (symlinks resolved inside it).
fn mode_in_root(rootfs: &Path, path: &str) -> Option<u32> {
    let root = std::fs::File::open(rootfs).ok()?;
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let fd = openat2(
        std::os::fd::AsRawFd::as_raw_fd(&root),
        path.trim_start_matches('/'),
        how,
    )
    .ok()?;
    // SAFETY: openat2 returned a new descriptor that nothing else owns.
    let fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let stat = fstat(std::os::fd::AsRawFd::as_raw_fd(&fd)).ok()?;
    let is_file = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT == SFlag::S_IFREG;
    is_file.then_some(stat.st_mode & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn test_check_command_codes() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("bin")).unwrap();
        let exe = root.path().join("bin/tool");
        std::fs::write(&exe, "").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let plain = root.path().join("bin/data");
        std::fs::write(&plain, "").unwrap();
        assert!(check_command(root.path(), "tool", "/usr/bin:/bin", &[]).is_ok());
        assert!(check_command(root.path(), "/bin/tool", "", &[]).is_ok());
        let code = |c: &str| match check_command(root.path(), c, "/bin", &[]) {
            Err(LifecycleError::Command { code, message }) => (code, message),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code("nope"),
            (
                127,
                "exec: \"nope\": executable file not found in $PATH".into()
            )
        );
        assert_eq!(
            code("/bin/nope"),
            (
                127,
                "exec: \"/bin/nope\": stat /bin/nope: no such file or directory".into()
            )
        );
        assert_eq!(
            code("data"),
            (126, "exec: \"/bin/data\": permission denied".into())
        );
        // Through a bind mount: looked up in its source.
        let volume = tempfile::tempdir().unwrap();
        std::fs::write(volume.path().join("tool"), "").unwrap();
        std::fs::set_permissions(
            volume.path().join("tool"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        std::fs::write(volume.path().join("data"), "").unwrap();
        let binds = [BindMount {
            destination: "/probe/".into(),
            source: volume.path().to_path_buf(),
        }];
        let check = |c: &str, path: &str| check_command(root.path(), c, path, &binds);
        assert!(check("/probe/tool", "").is_ok());
        assert!(check("tool", "/probe").is_ok());
        assert!(check("/probe/missing", "").is_ok(), "left to the runtime");
        assert!(matches!(
            check("/probe/data", ""),
            Err(LifecycleError::Command { code: 126, .. })
        ));
        assert!(matches!(
            check("/probex/tool", ""),
            Err(LifecycleError::Command { code: 127, .. })
        ));
        assert_eq!(
            code("/bin"),
            (
                127,
                "exec: \"/bin\": stat /bin: no such file or directory".into()
            )
        );
    }
}
