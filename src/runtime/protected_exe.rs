//! Protection of the vassalrun binary against being overwritten from inside a
//! container (CVE-2019-5736): a container's init starts as a fork of the
//! monitor, so a container process could open `/proc/<init>/exe` — the vassalrun
//! binary — and write to it. Monitors are therefore executed from a read-only
//! bind mount of the binary (`<run-dir>/bin/vassalrun`): writes through that
//! path fail with EROFS. The mount is made once and reused, so the protection
//! costs a `stat` and an `access` per container, not a copy of the binary; it is
//! redone when the binary on disk changes (an upgrade).

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::unistd::{access, AccessFlags};

use super::store::lock_path;

/// The read-only path to execute vassalrun from, creating the mount if needed.
pub fn protected_exe(run_dir: &Path) -> io::Result<PathBuf> {
    let exe = fs::read_link("/proc/self/exe")?;
    protected_copy_of(run_dir, &exe, "vassalrun")
}

/// The read-only path to execute `binary` from, as `<run-dir>/bin/<name>`
/// (the monitor's relay image is protected the same way).
pub fn protected_copy_of(run_dir: &Path, binary: &Path, name: &str) -> io::Result<PathBuf> {
    let target = run_dir.join("bin").join(name);
    if is_protected_copy(&target, binary)? {
        return Ok(target);
    }
    let dir = run_dir.join("bin");
    fs::create_dir_all(&dir)?;
    let _lock = lock_path(&dir.join(".lock")).map_err(io::Error::other)?;
    if is_protected_copy(&target, binary)? {
        return Ok(target);
    }
    // A stale mount (older binary) is replaced.
    let _ = umount2(&target, MntFlags::MNT_DETACH);
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&target)?;
    mount(
        Some(binary),
        &target,
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )?;
    let read_only = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY;
    if let Err(e) = mount(None::<&str>, &target, None::<&str>, read_only, None::<&str>) {
        let _ = umount2(&target, MntFlags::MNT_DETACH);
        return Err(e.into());
    }
    Ok(target)
}

/// Whether `target` is `binary` itself and cannot be written through.
fn is_protected_copy(target: &Path, binary: &Path) -> io::Result<bool> {
    let Ok(mounted) = fs::metadata(target) else {
        return Ok(false);
    };
    let original = fs::metadata(binary)?;
    let same = mounted.dev() == original.dev() && mounted.ino() == original.ino();
    Ok(same && access(target, AccessFlags::W_OK) == Err(nix::errno::Errno::EROFS))
}
