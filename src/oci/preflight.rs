//! Checks `create` makes on the bundle before anything exists, where
//! libcontainer would either accept what runc refuses or refuse it in its own
//! words (naming "youki", or a bare "io error: No such file or directory"):
//!
//! - `root.path` must not be a symlink (runc: "rootfs … is a symlink");
//! - `process.terminal` and `--console-socket` must agree: a detached
//!   container with a terminal needs the socket, and the socket is only for a
//!   terminal of a detached container;
//! - `process.apparmorProfile` needs AppArmor enabled on the host and the
//!   profile loaded.

use std::path::Path;

use oci_spec::runtime::Spec;

use super::OciError;

/// Where the kernel says whether AppArmor is on ("Y"/"N"); absent without it.
const APPARMOR_ENABLED: &str = "/sys/module/apparmor/parameters/enabled";
/// The profiles loaded, one `name (mode)` a line.
const APPARMOR_PROFILES: &str = "/sys/kernel/security/apparmor/profiles";

/// Every check, in the order a user would fix them.
pub fn check(
    bundle: &Path,
    spec: &Spec,
    detach: bool,
    console_socket: bool,
) -> Result<(), OciError> {
    check_rootfs(bundle, spec)?;
    check_terminal(spec, detach, console_socket)?;
    check_apparmor(spec)
}

/// `root.path` (relative to the bundle) exists and is not a symlink.
fn check_rootfs(bundle: &Path, spec: &Spec) -> Result<(), OciError> {
    let Some(root) = spec.root() else {
        return Err(invalid("root.path", "missing".into()));
    };
    let path = bundle.join(root.path());
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(invalid(
            "root.path",
            format!("{} is a symlink: give the directory itself", path.display()),
        )),
        Ok(meta) if !meta.is_dir() => Err(invalid(
            "root.path",
            format!("{} is not a directory", path.display()),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(OciError::Io { path, reason: e }),
    }
}

fn check_terminal(spec: &Spec, detach: bool, console_socket: bool) -> Result<(), OciError> {
    let terminal = spec
        .process()
        .as_ref()
        .and_then(|p| p.terminal())
        .unwrap_or(false);
    match (terminal && detach, console_socket) {
        (true, false) => Err(invalid(
            "process.terminal",
            "true, but no --console-socket to pass the terminal to (the container is detached)"
                .into(),
        )),
        (false, true) if !terminal => Err(invalid(
            "--console-socket",
            "given, but process.terminal is false".into(),
        )),
        (false, true) => Err(invalid(
            "--console-socket",
            "given, but the container runs in the foreground with this terminal".into(),
        )),
        _ => Ok(()),
    }
}

fn check_apparmor(spec: &Spec) -> Result<(), OciError> {
    let Some(profile) = spec
        .process()
        .as_ref()
        .and_then(|p| p.apparmor_profile().clone())
        .filter(|p| !p.is_empty())
    else {
        return Ok(());
    };
    if !apparmor_enabled() {
        return Err(invalid(
            "process.apparmorProfile",
            format!("{profile:?}: AppArmor is not enabled on this host"),
        ));
    }
    if !apparmor_profile_loaded(&profile) {
        return Err(invalid(
            "process.apparmorProfile",
            format!("{profile:?}: no such AppArmor profile is loaded (see {APPARMOR_PROFILES})"),
        ));
    }
    Ok(())
}

/// Whether the host's kernel has AppArmor on (for `features` too).
pub fn apparmor_enabled() -> bool {
    std::fs::read_to_string(APPARMOR_ENABLED).is_ok_and(|v| v.starts_with('Y'))
}

/// Whether `profile` is loaded; "unconfined" always is. When the list is
/// unreadable (securityfs not mounted), the kernel is left to judge.
fn apparmor_profile_loaded(profile: &str) -> bool {
    if profile == "unconfined" {
        return true;
    }
    match std::fs::read_to_string(APPARMOR_PROFILES) {
        Ok(list) => list
            .lines()
            .any(|line| line.rsplit_once(" (").map_or(line, |(name, _)| name) == profile),
        Err(_) => true,
    }
}

fn invalid(field: &'static str, reason: String) -> OciError {
    OciError::Invalid { field, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> Spec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn test_terminal_and_console_socket_table() {
        let tty = spec(
            r#"{"ociVersion":"1.0.2","process":{"terminal":true,"cwd":"/","user":{"uid":0,"gid":0}}}"#,
        );
        let no_tty = spec(
            r#"{"ociVersion":"1.0.2","process":{"terminal":false,"cwd":"/","user":{"uid":0,"gid":0}}}"#,
        );
        assert!(check_terminal(&tty, true, true).is_ok());
        assert!(check_terminal(&tty, false, false).is_ok());
        assert!(check_terminal(&no_tty, true, false).is_ok());
        let err = check_terminal(&tty, true, false).unwrap_err().to_string();
        assert!(err.contains("--console-socket"), "{err}");
        assert!(!err.contains("youki"), "{err}");
        let err = check_terminal(&no_tty, true, true).unwrap_err().to_string();
        assert!(err.contains("process.terminal is false"), "{err}");
    }

    #[test]
    fn test_symlinked_rootfs_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::os::unix::fs::symlink("real", dir.path().join("link")).unwrap();
        let real = spec(r#"{"ociVersion":"1.0.2","root":{"path":"real"}}"#);
        let link = spec(r#"{"ociVersion":"1.0.2","root":{"path":"link"}}"#);
        assert!(check_rootfs(dir.path(), &real).is_ok());
        let err = check_rootfs(dir.path(), &link).unwrap_err().to_string();
        assert!(err.contains("is a symlink"), "{err}");
    }
}
