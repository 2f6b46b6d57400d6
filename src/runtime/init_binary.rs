//! Finding the init binary bound at `/dev/init` for `--init`: the configured path,
//! else Docker's `docker-init` search, then `tini-static`, then `tini`.
//! A static binary is preferred because it runs in any image.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Directories dockerd searches for `docker-init` before `$PATH`.
const LIBEXEC_DIRS: [&str; 6] = [
    "/usr/local/libexec/docker",
    "/usr/libexec/docker",
    "/usr/local/lib/docker",
    "/usr/lib/docker",
    "/usr/local/libexec",
    "/usr/libexec",
];

fn is_executable_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The init binary to bind, or `None` when none is installed.
pub fn find_init_binary(configured: Option<&Path>, search_path: Option<&str>) -> Option<PathBuf> {
    if let Some(path) = configured {
        return is_executable_file(path).then(|| path.to_path_buf());
    }
    let path_dirs: Vec<PathBuf> = std::env::split_paths(search_path.unwrap_or_default()).collect();
    let docker_init_dirs = LIBEXEC_DIRS
        .iter()
        .map(PathBuf::from)
        .chain(path_dirs.iter().cloned());
    docker_init_dirs
        .map(|d| d.join("docker-init"))
        .chain(
            ["tini-static", "tini"]
                .iter()
                .flat_map(|name| path_dirs.iter().map(move |d| d.join(name))),
        )
        .find(|p| is_executable_file(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exe(path: &Path) {
        std::fs::write(path, "#!/bin/true\n").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn test_find_init_binary_order() {
        let dir = tempfile::tempdir().unwrap();
        let search = dir.path().to_str().unwrap();
        assert_eq!(
            find_init_binary(None, Some(search)).filter(|p| p.starts_with(dir.path())),
            None
        );
        exe(&dir.path().join("tini"));
        exe(&dir.path().join("tini-static"));
        let found = find_init_binary(None, Some(search)).unwrap();
        // A docker-init in a libexec dir of this machine would win; otherwise tini-static.
        if !found.ends_with("docker-init") {
            assert_eq!(found, dir.path().join("tini-static"));
        }
        let configured = dir.path().join("tini");
        assert_eq!(find_init_binary(Some(&configured), None), Some(configured));
        assert_eq!(find_init_binary(Some(&dir.path().join("nope")), None), None);
    }
}
