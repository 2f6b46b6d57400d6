//! Detecting [`HostFacts`] from `/proc` and `/sys`; the only I/O the spec pipeline does
//! apart from reading the image's user database and a seccomp profile file.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use serde_json::{json, Value};

use super::caps::KNOWN_CAPS;
use super::context::HostFacts;

/// Reads the facts of the running host. `with_devices` also lists `/dev` (only
/// `--privileged` containers need it).
pub fn detect(with_devices: bool) -> HostFacts {
    HostFacts {
        arch: std::env::consts::ARCH.to_string(),
        kernel: kernel_version(),
        num_cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        available_caps: available_caps(),
        cgroup_v2: is_cgroup_v2(),
        cgroup_namespaces: Path::new("/proc/self/ns/cgroup").exists(),
        has_ping_group_range: Path::new("/proc/sys/net/ipv4/ping_group_range").exists(),
        has_unprivileged_port_start: Path::new("/proc/sys/net/ipv4/ip_unprivileged_port_start")
            .exists(),
        thermal_throttle_paths: thermal_throttle_paths(),
        hostname: nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_default(),
        apparmor: fs::read_to_string("/sys/module/apparmor/parameters/enabled")
            .is_ok_and(|s| s.trim() == "Y"),
        seccomp: fs::read_to_string("/proc/self/status").is_ok_and(|s| s.contains("Seccomp:")),
        x32: kernel_runs_x32(),
        devices: if with_devices {
            host_devices()
        } else {
            Vec::new()
        },
    }
}

/// Whether the kernel runs x32 syscalls: an x32 `getpid` (syscall number with
/// `__X32_SYSCALL_BIT`) succeeds, or fails with ENOSYS where the ABI is absent.
/// Under a seccomp filter of our own the probe could be fatal (a filter without
/// x32 kills such syscalls), so there the answer is yes, as Docker assumes.
fn kernel_runs_x32() -> bool {
    if std::env::consts::ARCH != "x86_64" {
        return false;
    }
    let filtered = fs::read_to_string("/proc/self/status").map_or(true, |status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Seccomp:"))
            .is_none_or(|mode| mode.trim() != "0")
    });
    if filtered {
        return true;
    }
    const X32_SYSCALL_BIT: nix::libc::c_long = 0x4000_0000;
    // SAFETY: getpid takes no arguments and has no side effects.
    unsafe { nix::libc::syscall(X32_SYSCALL_BIT | nix::libc::SYS_getpid) >= 0 }
}

fn kernel_version() -> (u32, u32) {
    let release = nix::sys::utsname::uname()
        .ok()
        .and_then(|u| u.release().to_str().map(str::to_string))
        .unwrap_or_default();
    parse_kernel_release(&release)
}

/// `"6.18.44-fc-v769"` → `(6, 18)`.
pub fn parse_kernel_release(release: &str) -> (u32, u32) {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor)
}

/// Capabilities the kernel knows (`cap_last_cap`) that are in our own bounding set:
/// a container cannot be granted more than its runtime holds.
fn available_caps() -> Vec<String> {
    let last: usize = fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(KNOWN_CAPS.len() - 1);
    let bounding = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapBnd:"))
                .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        })
        .unwrap_or(u64::MAX);
    caps_from_mask(bounding, last)
}

/// Names of the capabilities set in `mask`, up to capability number `last`.
pub fn caps_from_mask(mask: u64, last: usize) -> Vec<String> {
    KNOWN_CAPS
        .iter()
        .enumerate()
        .filter(|&(n, _)| n <= last && mask & (1 << n) != 0)
        .map(|(_, c)| c.to_string())
        .collect()
}

fn is_cgroup_v2() -> bool {
    nix::sys::statfs::statfs("/sys/fs/cgroup")
        .is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::CGROUP2_SUPER_MAGIC)
}

fn thermal_throttle_paths() -> Vec<String> {
    let Ok(entries) = fs::read_dir("/sys/devices/system/cpu") else {
        return Vec::new();
    };
    let mut paths: Vec<String> = entries
        .flatten()
        .map(|e| e.path().join("thermal_throttle"))
        .filter(|p| p.exists())
        .filter_map(|p| p.to_str().map(str::to_string))
        .collect();
    paths.sort();
    paths
}

/// Character and block devices under `/dev`, as `linux.devices` entries
/// (what `--privileged` gives a container; runc's `HostDevices`).
fn host_devices() -> Vec<Value> {
    let mut devices = Vec::new();
    collect_devices(Path::new("/dev"), &mut devices);
    devices
}

fn collect_devices(dir: &Path, out: &mut Vec<Value>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let name = entry.file_name();
        let file_type = meta.file_type();
        if file_type.is_dir() {
            // Mounted per container, or not devices at all.
            if !matches!(
                name.to_str(),
                Some("pts" | "shm" | "fd" | "mqueue" | ".lxc" | ".lxd-mounts" | ".udev")
            ) {
                collect_devices(&path, out);
            }
            continue;
        }
        let kind = if file_type.is_char_device() {
            "c"
        } else if file_type.is_block_device() {
            "b"
        } else {
            continue;
        };
        if path == Path::new("/dev/console") {
            continue;
        }
        let rdev = meta.rdev();
        out.push(json!({
            "path": path,
            "type": kind,
            "major": nix::sys::stat::major(rdev),
            "minor": nix::sys::stat::minor(rdev),
            "fileMode": meta.mode() & 0o7777,
            "uid": meta.uid(),
            "gid": meta.gid(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_kernel_release() {
        assert_eq!(parse_kernel_release("6.18.44-fc-v769"), (6, 18));
        assert_eq!(parse_kernel_release("4.8.0"), (4, 8));
        assert_eq!(parse_kernel_release("garbage"), (0, 0));
    }

    #[test]
    fn test_caps_from_mask() {
        assert_eq!(caps_from_mask(0b1001, 40), ["CAP_CHOWN", "CAP_FOWNER"]);
        assert_eq!(
            caps_from_mask(u64::MAX, 1),
            ["CAP_CHOWN", "CAP_DAC_OVERRIDE"]
        );
    }
}
