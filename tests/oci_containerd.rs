//! containerd driving vassalrun through its runc shim: a private containerd
//! (its own root, state, sockets and config, CRI plugin off) and
//! `ctr run --rootfs --runc-binary <vassalrun> --runc-root <state root>`.
//! The shim calls the binary by its own name with `--log … --log-format json`
//! first, and that runc-only flag selects OCI mode. Skipped (and saying so)
//! without root, containerd or ctr.

mod common;
mod oci;

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::{busybox_dir, can_run_containers, describe};
use oci::OciEnv;

struct Containerd {
    t: OciEnv,
    daemon: Child,
}

impl Containerd {
    fn start() -> Option<Containerd> {
        if !can_run_containers() {
            return None;
        }
        for tool in ["containerd", "ctr", "containerd-shim-runc-v2"] {
            if !oci::command_exists(tool) {
                eprintln!("skipped: {tool} is not installed (Debian package containerd)");
                return None;
            }
        }
        let t = OciEnv::new();
        let dir = t.dir();
        let config = format!(
            "version = 2\nroot = \"{0}/ctd-root\"\nstate = \"{0}/ctd-state\"\n\
             disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n\
             [grpc]\n  address = \"{0}/ctd.sock\"\n\
             [ttrpc]\n  address = \"{0}/ctd.sock.ttrpc\"\n\
             [debug]\n  address = \"{0}/ctd-debug.sock\"\n",
            dir.display()
        );
        std::fs::write(dir.join("containerd.toml"), config).unwrap();
        let log = std::fs::File::create(dir.join("containerd.log")).unwrap();
        let daemon = Command::new("containerd")
            .arg("--config")
            .arg(dir.join("containerd.toml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let ctd = Containerd { t, daemon };
        for _ in 0..100 {
            if ctd.ctr(&["version"]).status.success() {
                return Some(ctd);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "containerd did not come up: {}",
            std::fs::read_to_string(ctd.t.dir().join("containerd.log")).unwrap_or_default()
        );
    }

    fn socket(&self) -> PathBuf {
        self.t.dir().join("ctd.sock")
    }

    fn ctr(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("ctr");
        self.t.isolate(&mut cmd);
        cmd.arg("--address").arg(self.socket()).args(args);
        oci::output_via_files(cmd, self.t.dir())
    }
}

impl Drop for Containerd {
    /// Stops the daemon, reaps its shims, unmounts what is left under the
    /// test directory and removes the shims' socket directories if empty.
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.daemon.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.daemon.wait();
        oci::reap_exited_children("containerd-shim");
        oci::unmount_under(self.t.dir());
        for dir in [
            "/run/containerd/s",
            "/run/containerd/fifo",
            "/run/containerd",
        ] {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[test]
fn test_containerd_ctr_run_with_runc_binary() {
    let Some(ctd) = Containerd::start() else {
        return;
    };
    let state_root = ctd.t.state_root();
    let cgroup = ctd.t.cgroup_path("ctd1");
    let rootfs = busybox_dir();
    let out = ctd.ctr(&[
        "run",
        "--rm",
        "--rootfs",
        "--runc-binary",
        env!("CARGO_BIN_EXE_vassalrun"),
        "--runc-root",
        state_root.to_str().unwrap(),
        "--cgroup",
        &cgroup,
        "--env",
        "PATH=/bin",
        rootfs.to_str().unwrap(),
        "ctd1",
        "sh",
        "-c",
        "echo hi-from-containerd; exit 3",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi-from-containerd\n");
    // The shim deleted the container: nothing left in the state root
    // (containerd adds its namespace, `default`, to --runc-root).
    let left = std::fs::read_dir(state_root.join("default"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}
