//! Finding the container's command in its rootfs before the container is built,
//! so "not found" (127) and "not executable" (126) are Docker's clear errors
//! instead of an opaque failure inside the runtime.

use std::path::Path;

use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, SFlag};

use super::LifecycleError;

/// Checks `command` (a path, or a name searched in `path_env`) inside `rootfs`.
pub fn check_command(rootfs: &Path, command: &str, path_env: &str) -> Result<(), LifecycleError> {
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
    for candidate in candidates {
        match mode_in_root(rootfs, &candidate) {
            Some(mode) if mode & 0o111 != 0 => return Ok(()),
            Some(_) => not_executable = Some(candidate),
            None => {}
        }
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
        assert!(check_command(root.path(), "tool", "/usr/bin:/bin").is_ok());
        assert!(check_command(root.path(), "/bin/tool", "").is_ok());
        let code = |c: &str| match check_command(root.path(), c, "/bin") {
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
        assert_eq!(
            code("/bin"),
            (
                127,
                "exec: \"/bin\": stat /bin: no such file or directory".into()
            )
        );
    }
}
