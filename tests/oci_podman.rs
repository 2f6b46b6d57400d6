//! Podman driving vassalrun as its OCI runtime. Podman calls the runtime with
//! runc's arguments only, so it is given `--runtime <dir>/runc`: a two-line
//! script that execs a symlink named `runc` to the binary (the name selects OCI
//! mode) with this test's `--root`. (Podman 4.3 drops `--runtime-flag` when its
//! cleanup process deletes a `--rm` container, and passes no environment, so
//! the script is the only way to a private state root.) Each test has its own
//! Podman storage, runroot, cgroup parent and state root; network tests run
//! Podman inside a network namespace the test makes. Skipped (and saying so)
//! without root, podman or conmon.

mod common;
mod oci;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{busybox_tarball, can_run_containers, describe};
use oci::OciEnv;

const IMAGE: &str = "localhost/vassalrun-busybox";

struct Podman {
    t: OciEnv,
    /// A network namespace (bind-mounted on this file) Podman runs in, if any.
    netns: Option<PathBuf>,
}

impl Podman {
    /// A private Podman with the busybox fixture imported; `None` (skipped)
    /// when this machine cannot run it.
    fn new(own_netns: bool) -> Option<Podman> {
        if !can_run_containers() {
            return None;
        }
        for tool in ["podman", "conmon"] {
            if !oci::command_exists(tool) {
                eprintln!("skipped: {tool} is not installed");
                return None;
            }
        }
        let t = OciEnv::new();
        write_runtime_script(&t);
        // This machine's hard RLIMIT_NOFILE is below Podman's default
        // 1048576 (and root lacks CAP_SYS_RESOURCE): runc fails there too.
        std::fs::write(
            t.dir().join("containers.conf"),
            "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n",
        )
        .unwrap();
        let mut podman = Podman { t, netns: None };
        if own_netns {
            podman.netns = Some(podman.make_netns());
        }
        let out = podman.run(&["import", busybox_tarball().to_str().unwrap(), IMAGE]);
        assert!(out.status.success(), "{}", describe(&out));
        Some(podman)
    }

    fn make_netns(&self) -> PathBuf {
        let file = self.t.dir().join("netns");
        std::fs::write(&file, "").unwrap();
        let status = Command::new("unshare")
            .arg(format!("--net={}", file.display()))
            .args(["ip", "link", "set", "lo", "up"])
            .status()
            .unwrap();
        assert!(status.success(), "unshare --net");
        file
    }

    /// `podman <isolation flags> ARGS` (inside the test's netns if any).
    fn command(&self, args: &[&str]) -> Command {
        let dir = self.t.dir();
        let mut cmd = match &self.netns {
            Some(netns) => {
                let mut c = Command::new("nsenter");
                c.arg(format!("--net={}", netns.display())).arg("podman");
                c
            }
            None => Command::new("podman"),
        };
        self.t.isolate(&mut cmd);
        cmd.env("CONTAINERS_CONF", dir.join("containers.conf"))
            .arg("--root")
            .arg(dir.join("storage"))
            .arg("--runroot")
            .arg(dir.join("runroot"))
            .args(["--cgroup-manager", "cgroupfs", "--events-backend", "file"])
            .arg("--runtime")
            .arg(dir.join("runc"))
            .args(args);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        oci::output_via_files(self.command(args), self.t.dir())
    }

    /// `podman run` flags every container of this test gets.
    fn cgroup_parent(&self) -> String {
        format!("/{}", self.t.env.cgroup_parent)
    }

    fn stdout(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "podman {args:?}: {}",
            describe(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Podman {
    /// Removes every container, then Podman's storage mounts and the netns;
    /// the OciEnv removes the cgroup parent and the protected binary's mount.
    fn drop(&mut self) {
        let _ = self.run(&["rm", "--all", "--force", "--time", "0"]);
        let _ = self.run(&["image", "rm", "--all", "--force"]);
        oci::unmount_under(self.t.dir());
        self.remove_conmon_cgroups();
        oci::reap_exited_children("conmon");
    }
}

impl Podman {
    /// Podman puts a container's conmon in `<cgroup parent>/conmon`, and an
    /// exec session's in its default `libpod_parent/conmon`; once they have
    /// exited those can go (the TestEnv then removes our parent). The default
    /// one only if empty: another Podman may be using it.
    fn remove_conmon_cgroups(&self) {
        for default in oci::cgroup_dirs_named("libpod_parent") {
            let _ = std::fs::remove_dir(default.join("conmon"));
            let _ = std::fs::remove_dir(default);
        }
        for dir in self.t.env.cgroup_parent_dirs() {
            let conmon = dir.join("conmon");
            for _ in 0..250 {
                if std::fs::remove_dir(&conmon).is_ok() || !conmon.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

/// `<dir>/runc`: execs `<dir>/bin/runc` (a symlink to vassalrun, whose name
/// selects OCI mode) with this test's state root.
fn write_runtime_script(t: &OciEnv) {
    use std::os::unix::fs::PermissionsExt;
    let link = t.dir().join("bin/runc");
    std::fs::create_dir(t.dir().join("bin")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_vassalrun"), &link).unwrap();
    let script = format!(
        "#!/bin/sh\nexec {} --root {} \"$@\"\n",
        link.display(),
        t.state_root().display()
    );
    let runtime = t.dir().join("runc");
    std::fs::write(&runtime, script).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn test_podman_run_rm_echo() {
    let Some(p) = Podman::new(false) else { return };
    let parent = p.cgroup_parent();
    let out = p.stdout(&[
        "run",
        "--rm",
        "--cgroup-parent",
        &parent,
        IMAGE,
        "echo",
        "hi",
    ]);
    assert_eq!(out, "hi\n");
    // The exit code comes back through conmon.
    let out = p.run(&[
        "run",
        "--rm",
        "--cgroup-parent",
        &parent,
        IMAGE,
        "sh",
        "-c",
        "exit 3",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert_eq!(p.stdout(&["ps", "-a", "-q"]), "");
    assert!(
        p.t.ids().is_empty(),
        "--rm leaves no runtime state: {:?}",
        p.t.ids()
    );
}

#[test]
fn test_podman_detached_exec_stop_rm() {
    let Some(p) = Podman::new(false) else { return };
    let parent = p.cgroup_parent();
    let id = p.stdout(&[
        "run",
        "-d",
        "--name",
        "web",
        "--cgroup-parent",
        &parent,
        "-m",
        "64m",
        IMAGE,
        "sleep",
        "1000",
    ]);
    let id = id.trim();
    // The runtime's own view: running, in our state root.
    let state = p.t.state(id);
    assert_eq!(state["status"], "running");
    assert_eq!(
        p.stdout(&["inspect", "-f", "{{.State.Status}}", "web"]),
        "running\n"
    );

    assert_eq!(
        p.stdout(&["exec", "web", "sh", "-c", "echo in-$(hostname)"]),
        format!("in-{}\n", &id[..12])
    );
    let out = p.run(&["exec", "web", "sh", "-c", "exit 5"]);
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));

    // The memory limit is in the container's cgroup.
    let limit = std::fs::read_to_string(format!(
        "/sys/fs/cgroup/memory{parent}/libpod-{id}/memory.limit_in_bytes"
    ))
    .or_else(|_| std::fs::read_to_string(format!("/sys/fs/cgroup{parent}/libpod-{id}/memory.max")))
    .unwrap();
    assert_eq!(limit.trim(), "67108864");

    p.stdout(&["pause", "web"]);
    assert_eq!(p.t.status(id), "paused");
    p.stdout(&["unpause", "web"]);
    assert_eq!(p.t.status(id), "running");

    let out = p.run(&["stop", "-t", "1", "web"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        p.stdout(&["inspect", "-f", "{{.State.Status}}", "web"]),
        "exited\n"
    );
    let out = p.run(&["rm", "web"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(p.t.ids().is_empty(), "{:?}", p.t.ids());
}

impl Podman {
    /// Runs `podman ARGS` under script(1), which gives it the terminal `-t`
    /// needs; returns what the terminal showed.
    fn in_terminal(&self, args: &[&str]) -> Output {
        let podman = self.command(args);
        let line: Vec<String> = std::iter::once(podman.get_program())
            .chain(podman.get_args())
            .map(|a| format!("'{}'", a.to_string_lossy()))
            .collect();
        let mut cmd = Command::new("script");
        self.t.isolate(&mut cmd);
        cmd.env("CONTAINERS_CONF", self.t.dir().join("containers.conf"))
            .args(["-qec", &line.join(" "), "/dev/null"]);
        oci::output_via_files(cmd, self.t.dir())
    }
}

#[test]
fn test_podman_tty_run_and_exec() {
    let Some(p) = Podman::new(false) else { return };
    if !oci::command_exists("script") {
        eprintln!("skipped: script(1) is not installed");
        return;
    }
    let parent = p.cgroup_parent();
    let is_tty = "[ -t 0 ] && [ -t 1 ] && tty";
    let out = p.in_terminal(&[
        "run",
        "--rm",
        "-t",
        "--cgroup-parent",
        &parent,
        IMAGE,
        "sh",
        "-c",
        is_tty,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("/dev/pts/0"),
        "{}",
        describe(&out)
    );

    p.stdout(&[
        "run",
        "-d",
        "--name",
        "box",
        "--cgroup-parent",
        &parent,
        IMAGE,
        "sleep",
        "1000",
    ]);
    let out = p.in_terminal(&["exec", "-t", "box", "sh", "-c", is_tty]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("/dev/pts/"),
        "{}",
        describe(&out)
    );
}

#[test]
fn test_podman_network_none_and_bridge_with_published_port() {
    let Some(p) = Podman::new(true) else { return };
    let parent = p.cgroup_parent();
    let out = p.stdout(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--cgroup-parent",
        &parent,
        IMAGE,
        "ls",
        "/sys/class/net",
    ]);
    assert_eq!(out, "lo\n");

    let serve = "echo hello-web > /tmp/index.html && exec httpd -f -p 80 -h /tmp";
    p.stdout(&[
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        "8080:80",
        "--cgroup-parent",
        &parent,
        IMAGE,
        "sh",
        "-c",
        serve,
    ]);
    // Podman's bridge gateway in the test's netns, through the port mapping.
    let netns = p.netns.as_ref().unwrap();
    let mut body = String::new();
    for _ in 0..50 {
        let out = Command::new("nsenter")
            .arg(format!("--net={}", netns.display()))
            .args(["busybox", "wget", "-q", "-O", "-", "http://10.88.0.1:8080/"])
            .output()
            .unwrap();
        body = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(body, "hello-web\n");
    let out = p.run(&["rm", "-f", "-t", "0", "web"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}
