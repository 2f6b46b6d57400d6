//! CVE-2019-5736: a container's init (and an exec'd process) starts as a fork of
//! this very process, so until it execs, `/proc/<pid>/exe` is the vassalrun
//! binary; a process in the container could open that and overwrite the binary
//! on the host. Commands that fork container processes (`create`, `run`,
//! `exec`) therefore first re-execute themselves from the read-only bind mount
//! of the binary that [`protected_exe`] maintains, where writes fail with
//! EROFS, keeping argv (so the dispatch rule still selects OCI mode) and every
//! inherited descriptor (`--preserve-fds`, stdio).

use std::os::unix::process::CommandExt;
use std::path::Path;

use nix::unistd::{access, AccessFlags};

use super::OciError;
use crate::runtime::protected_exe::protected_exe;

/// Set on the re-executed process, so a failed protection cannot loop.
const REEXEC_ENV: &str = "_VASSALRUN_OCI_PROTECTED";

/// Returns when this process runs from a read-only binary; otherwise re-execs
/// from one (and returns only on failure).
pub fn ensure_protected(dir: &Path) -> Result<(), OciError> {
    let marked = std::env::var_os(REEXEC_ENV).is_some();
    // Not inherited by the container or hooks: we are single-threaded here.
    std::env::remove_var(REEXEC_ENV);
    if running_read_only() {
        return Ok(());
    }
    if marked {
        return Err(OciError::Protect(
            "the re-executed binary is still writable".into(),
        ));
    }
    let exe = protected_exe(dir)
        .map_err(|e| OciError::Protect(format!("{}: {e}", dir.join("bin").display())))?;
    let mut args = std::env::args_os();
    let program = args.next().unwrap_or_else(|| "vassalrun".into());
    let e = std::process::Command::new(&exe)
        .arg0(program)
        .args(args)
        .env(REEXEC_ENV, "1")
        .exec();
    Err(OciError::Protect(format!("exec {}: {e}", exe.display())))
}

/// Whether `/proc/self/exe` cannot be written through (read-only mount).
fn running_read_only() -> bool {
    access("/proc/self/exe", AccessFlags::W_OK) == Err(nix::errno::Errno::EROFS)
}
