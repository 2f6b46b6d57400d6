//! Helpers for the OCI-mode tests: a test's own state root, run dir and cgroup
//! parent (through [`TestEnv`]), bundles over the busybox fixture, and a guard
//! that deletes every container the test made, pass or fail.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;

use serde_json::Value;

use crate::common::{busybox_dir, describe, TestEnv};

/// Orphaned container inits become children of the test process (a
/// subreaper), so they can be reaped here instead of lingering as zombies of
/// a PID 1 that may not reap.
fn become_subreaper() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = nix::sys::prctl::set_child_subreaper(true);
    });
}

pub struct OciEnv {
    pub env: TestEnv,
}

impl OciEnv {
    pub fn new() -> OciEnv {
        become_subreaper();
        OciEnv {
            env: TestEnv::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.env.dir.path()
    }

    /// The `--root` of this test's containers: the default one for its run
    /// dir (`<run-dir>/oci`), which is also where clients that pass no
    /// `--root` (Podman) put them.
    pub fn state_root(&self) -> PathBuf {
        self.run_dir().join("oci")
    }

    pub fn run_dir(&self) -> PathBuf {
        self.dir().join("run")
    }

    /// `vassalrun oci --root <state root> ARGS`, with this test's run dir.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vassalrun"));
        self.isolate(&mut cmd);
        cmd.arg("oci")
            .arg("--root")
            .arg(self.state_root())
            .args(args);
        cmd
    }

    /// Clears the host's `VASSALRUN_*` and points the run dir at this test's.
    pub fn isolate(&self, cmd: &mut Command) {
        for (key, _) in std::env::vars() {
            if key.starts_with("VASSALRUN_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("VASSALRUN_RUN_DIR", self.run_dir())
            .env("VASSALRUN_CONFIG_DIR", self.env.config_dir())
            .stdin(Stdio::null());
    }

    /// Runs `vassalrun oci ARGS` to completion.
    pub fn oci(&self, args: &[&str]) -> Output {
        output_via_files(self.command(args), self.dir())
    }

    /// The cgroup path a container of this test gets.
    pub fn cgroup_path(&self, id: &str) -> String {
        format!("/{}/{id}", self.env.cgroup_parent)
    }

    /// A bundle `<dir>/<id>` whose config.json is `vassalrun oci spec`'s,
    /// running `args` on the busybox fixture without a terminal, in this
    /// test's cgroup parent; `edit` adjusts it further.
    pub fn bundle(&self, id: &str, args: &[&str], edit: impl FnOnce(&mut Value)) -> PathBuf {
        let bundle = self.dir().join(format!("bundle-{id}"));
        std::fs::create_dir_all(&bundle).unwrap();
        let out = self.oci(&["spec", "--bundle", bundle.to_str().unwrap()]);
        assert!(out.status.success(), "{}", describe(&out));
        let path = bundle.join("config.json");
        let mut spec: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        spec["process"]["terminal"] = false.into();
        spec["process"]["args"] = args.iter().map(|a| Value::from(*a)).collect();
        spec["root"]["path"] = busybox_dir().display().to_string().into();
        spec["linux"]["cgroupsPath"] = self.cgroup_path(id).into();
        edit(&mut spec);
        std::fs::write(&path, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
        bundle
    }

    /// `create --bundle B ID`, asserting success.
    pub fn create(&self, id: &str, bundle: &Path) {
        let out = self.oci(&["create", "--bundle", bundle.to_str().unwrap(), id]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }

    /// The container's OCI state, asserting `state` succeeds.
    pub fn state(&self, id: &str) -> Value {
        let out = self.oci(&["state", id]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn status(&self, id: &str) -> String {
        self.state(id)["status"].as_str().unwrap().to_string()
    }

    /// Waits up to 5 s for `id` to reach `status`.
    pub fn wait_status(&self, id: &str, status: &str) {
        for _ in 0..250 {
            if self.status(id) == status {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("{id} never became {status}: {}", self.state(id));
    }

    /// Reaps a container process that was reparented to us, waiting up to
    /// 5 s for it to end (never forever: a failed test must still clean up).
    pub fn reap(&self, pid: i64) {
        use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
        if pid <= 0 {
            return;
        }
        let pid = nix::unistd::Pid::from_raw(pid as i32);
        for _ in 0..250 {
            match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                _ => return,
            }
        }
    }

    /// The ids in the state root.
    pub fn ids(&self) -> Vec<String> {
        std::fs::read_dir(self.state_root())
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for OciEnv {
    /// Deletes (killing) every container left, then reaps their inits; the
    /// TestEnv removes the cgroup parent and the protected-binary mount.
    fn drop(&mut self) {
        for id in self.ids() {
            let pid = self.init_pid(&id);
            let _ = self.oci(&["delete", "--force", &id]);
            self.reap(pid);
        }
        let _ = nix::mount::umount2(&self.protected_binary(), nix::mount::MntFlags::MNT_DETACH);
    }
}

impl OciEnv {
    /// The read-only mount container processes are forked from.
    pub fn protected_binary(&self) -> PathBuf {
        self.state_root().join(".protected/bin/vassalrun")
    }

    /// The init's pid as libcontainer recorded it (also once stopped).
    pub fn init_pid(&self, id: &str) -> i64 {
        std::fs::read(self.state_root().join(id).join("state.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|s| s["pid"].as_i64())
            .unwrap_or(0)
    }
}

/// Runs `cmd` with stdout and stderr in files, not pipes: a created
/// container's init inherits them and keeps them open until `start`, so
/// reading pipes to EOF (`Command::output`) would wait for that.
pub fn output_via_files(mut cmd: Command, dir: &Path) -> Output {
    let out = tempfile::tempfile_in(dir).unwrap();
    let err = tempfile::tempfile_in(dir).unwrap();
    let status = cmd
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .status()
        .expect("run vassalrun oci");
    Output {
        status,
        stdout: read_all(out),
        stderr: read_all(err),
    }
}

fn read_all(mut file: std::fs::File) -> Vec<u8> {
    use std::io::{Read, Seek};
    let mut bytes = Vec::new();
    file.rewind().unwrap();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

/// Asserts exit 1 and one stderr line `vassalrun: <message>`.
pub fn assert_oci_error(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", describe(out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("vassalrun: {message}\n"),
        "{}",
        describe(out)
    );
}

/// Whether `name` is on PATH.
pub fn command_exists(name: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Detaches every mount below `dir`, deepest first.
pub fn unmount_under(dir: &Path) {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let prefix = format!("{}/", dir.display());
    let mut ours: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|m| m.starts_with(&prefix))
        .collect();
    ours.sort_by_key(|m| std::cmp::Reverse(m.len()));
    for mount in ours {
        let _ = nix::mount::umount2(mount, nix::mount::MntFlags::MNT_DETACH);
    }
}

/// Reaps this (subreaper) process's zombie children whose command name
/// starts with `comm`: daemons that double-forked (conmon, containerd's shim)
/// end up here and nobody else waits for them.
pub fn reap_exited_children(comm: &str) {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid …"
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let name = head.split_once('(').map_or("", |(_, n)| n);
        let mut fields = rest.split_whitespace();
        let (state, ppid) = (fields.next(), fields.next());
        if name.starts_with(comm) && state == Some("Z") && ppid == Some(me.as_str()) {
            if let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() {
                let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
            }
        }
    }
}

/// The directories named `name` at the top of every cgroup hierarchy.
pub fn cgroup_dirs_named(name: &str) -> Vec<PathBuf> {
    let root = Path::new("/sys/fs/cgroup");
    let mut dirs = vec![root.join(name)];
    if let Ok(entries) = std::fs::read_dir(root) {
        dirs.extend(entries.flatten().map(|e| e.path().join(name)));
    }
    dirs.into_iter().filter(|d| d.is_dir()).collect()
}
