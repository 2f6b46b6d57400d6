//! Shared helpers for the integration tests: the real `vassalrun` binary, a
//! private state root and config dir per test, and the busybox fixture image.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// A test's own state: `--root`, `--run-dir`, `--config-dir` in a temp dir, a
/// cgroup parent and (as root) a network namespace of its own, all removed
/// when the test ends, pass or fail.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    /// This test's own cgroup parent (removed on drop).
    pub cgroup_parent: String,
    /// The network namespace vassalrun runs in (`/run/netns/<name>`), so the
    /// bridges and firewall tables containers get never touch the host's.
    pub netns: Option<String>,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let suffix = dir
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "");
        let netns = format!("vr-test-{suffix}");
        let made = nix::unistd::geteuid().is_root()
            && Command::new("ip")
                .args(["netns", "add", &netns])
                .status()
                .is_ok_and(|s| s.success())
            && Command::new("ip")
                .args(["-n", &netns, "link", "set", "lo", "up"])
                .status()
                .is_ok_and(|s| s.success());
        TestEnv {
            dir,
            cgroup_parent: format!("vassalrun-test-{suffix}"),
            netns: made.then_some(netns),
        }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `vassalrun` with this test's global options, isolated from the host's
    /// `/etc/vassalrun` and `VASSALRUN_*` variables, in the test's network
    /// namespace (entered by `nsenter`, which execs vassalrun: same pid).
    pub fn command(&self) -> Command {
        let mut cmd = match &self.netns {
            Some(ns) => {
                let mut c = Command::new("nsenter");
                c.arg(format!("--net=/run/netns/{ns}"))
                    .arg(env!("CARGO_BIN_EXE_vassalrun"));
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_vassalrun")),
        };
        for (key, _) in std::env::vars() {
            if key.starts_with("VASSALRUN_") {
                cmd.env_remove(key);
            }
        }
        cmd.arg("--root")
            .arg(self.root())
            .arg("--run-dir")
            .arg(self.dir.path().join("run"))
            .arg("--config-dir")
            .arg(self.config_dir())
            .arg("--default-cgroup-parent")
            .arg(&self.cgroup_parent)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `vassalrun ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run vassalrun")
    }

    /// The container ids in this test's state root.
    pub fn container_ids(&self) -> Vec<String> {
        std::fs::read_dir(self.root().join("containers"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Directories of this test's cgroup parent, in every mounted hierarchy.
    pub fn cgroup_parent_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![Path::new("/sys/fs/cgroup").join(&self.cgroup_parent)];
        if let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup") {
            dirs.extend(
                entries
                    .flatten()
                    .map(|e| e.path().join(&self.cgroup_parent)),
            );
        }
        dirs.into_iter().filter(|d| d.is_dir()).collect()
    }
}

impl Drop for TestEnv {
    /// Removes whatever the test left running (containers, mounts, cgroups),
    /// even when it failed half-way.
    fn drop(&mut self) {
        for id in self.container_ids() {
            let _ = self.command().args(["rm", "-f", &id]).output();
        }
        for dir in self.cgroup_parent_dirs() {
            let _ = std::fs::remove_dir(dir);
        }
        // The read-only bind mount of the binary that monitors run from.
        for binary in ["vassalrun", "vassalrun-relay"] {
            let _ = nix::mount::umount2(
                &self.dir.path().join("run/bin").join(binary),
                nix::mount::MntFlags::MNT_DETACH,
            );
        }
        if let Some(ns) = &self.netns {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// What a failed run printed, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Parses stdout as JSON, failing the test with the output on error.
pub fn json_stdout(out: &Output) -> Value {
    assert!(out.status.success(), "{}", describe(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", describe(out)))
}

/// Every mountinfo line containing `needle` in any process's mount namespace,
/// as `pid N: LINE`. A container's rootfs is mounted in its monitor's mount
/// namespace, not the host's: "unmounted" means gone from every one.
pub fn mounts_anywhere(needle: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let pids = entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok());
    let mut found = Vec::new();
    for pid in pids {
        // Processes come and go (and a zombie has no namespace): skip those.
        let info = std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap_or_default();
        found.extend(
            info.lines()
                .filter(|l| l.contains(needle))
                .map(|l| format!("pid {pid}: {l}")),
        );
    }
    found
}

/// Whether this process may create containers (root); tests that need it say
/// "skipped" instead of passing silently.
pub fn can_run_containers() -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    eprintln!("skipped: creating containers needs root");
    false
}

/// Asserts exit code 125 and exactly one stderr line `vassalrun: <message>`.
pub fn assert_error(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(125), "{}", describe(out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        format!("vassalrun: {message}\n"),
        "{}",
        describe(out)
    );
    assert!(out.stdout.is_empty(), "{}", describe(out));
}

fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixtures");
    std::fs::create_dir_all(&dir).expect("fixtures dir");
    dir
}

/// The busybox rootfs tarball, built once per machine by `rootfs-fixtures/build-busybox.sh`.
pub fn busybox_tarball() -> PathBuf {
    static TARBALL: OnceLock<PathBuf> = OnceLock::new();
    TARBALL
        .get_or_init(|| {
            let out = fixtures_dir().join("busybox.tar");
            if !out.exists() {
                let script =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("rootfs-fixtures/build-busybox.sh");
                let status = Command::new(script)
                    .arg(&out)
                    .status()
                    .expect("run build-busybox.sh");
                assert!(
                    status.success(),
                    "build-busybox.sh failed (is busybox-static installed?)"
                );
            }
            out
        })
        .clone()
}

/// The busybox rootfs unpacked into a directory (for directory-image cases).
pub fn busybox_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = fixtures_dir().join("busybox-rootfs");
        if !out.exists() {
            let tmp = tempfile::tempdir_in(fixtures_dir()).expect("temp dir");
            let status = Command::new("tar")
                .arg("-xf")
                .arg(busybox_tarball())
                .arg("-C")
                .arg(tmp.path())
                .status()
                .expect("run tar");
            assert!(status.success(), "unpacking the busybox fixture failed");
            // Another test binary may have won the race; either copy is fine.
            let unpacked = tmp.keep();
            if std::fs::rename(&unpacked, &out).is_err() {
                let _ = std::fs::remove_dir_all(&unpacked);
            }
        }
        out
    })
    .clone()
}
