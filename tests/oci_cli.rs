//! OCI runtime mode through the real binary on the real kernel, as root: the
//! runc grammar's lifecycle (create → created, start → running, kill →
//! stopped, delete) with its state JSON and exit codes, error cases, a
//! concurrent same-id create, run, exec, the console socket, hooks, pid files,
//! preserved descriptors, features, spec and the dispatch rule. Each test has
//! its own state root, run dir and cgroup parent, cleaned up on drop.

mod common;
mod oci;

use std::fs::File;
use std::io::{IoSliceMut, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{can_run_containers, describe};
use oci::{assert_oci_error, OciEnv};
use serde_json::{json, Value};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn test_oci_lifecycle_state_json_and_exit_codes() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("life", &["sleep", "1000"], |_| {});
    let pid_file = t.dir().join("life.pid");
    let out = t.oci(&[
        "create",
        "--bundle",
        bundle.to_str().unwrap(),
        "--pid-file",
        pid_file.to_str().unwrap(),
        "life",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        describe(&out)
    );

    let state = t.state("life");
    assert_eq!(state["ociVersion"], "1.1.0");
    assert_eq!(state["id"], "life");
    assert_eq!(state["status"], "created");
    assert_eq!(state["bundle"], bundle.to_str().unwrap());
    let pid = state["pid"].as_i64().unwrap();
    assert!(pid > 0, "{state}");
    assert_eq!(
        std::fs::read_to_string(&pid_file).unwrap().trim(),
        pid.to_string()
    );
    // The waiting init is a fork of the protected (read-only) binary.
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert_eq!(exe, t.protected_binary());
    assert_eq!(
        nix::unistd::access(&exe, nix::unistd::AccessFlags::W_OK),
        Err(nix::errno::Errno::EROFS)
    );
    // It sits in the spec's cgroup.
    let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    assert!(cgroup.contains(&t.cgroup_path("life")), "{cgroup}");

    let out = t.oci(&["start", "life"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(t.status("life"), "running");
    assert_oci_error(
        &t.oci(&["start", "life"]),
        "cannot start container life: it is running",
    );
    assert_oci_error(
        &t.oci(&["delete", "life"]),
        "cannot delete container life: it is running",
    );

    // A signal the init survives leaves it running (PID 1 ignores SIGHUP).
    let out = t.oci(&["kill", "life", "HUP"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(t.status("life"), "running");

    let out = t.oci(&["kill", "life", "9"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    t.wait_status("life", "stopped");
    assert_eq!(t.state("life")["pid"], 0);
    assert_oci_error(
        &t.oci(&["kill", "life", "KILL"]),
        "cannot kill container life: it is stopped",
    );
    t.reap(pid);

    let out = t.oci(&["delete", "life"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_oci_error(&t.oci(&["state", "life"]), "container life does not exist");
    assert!(t.ids().is_empty());
    assert!(
        t.env
            .cgroup_parent_dirs()
            .iter()
            .all(|d| !d.join("life").exists()),
        "delete removes the container's cgroup"
    );
}

#[test]
fn test_oci_delete_created_container_and_pause_resume() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("made", &["sleep", "1000"], |_| {});
    t.create("made", &bundle);
    let pid = t.init_pid("made");
    // runc allows deleting a created container: its init is killed.
    let out = t.oci(&["delete", "made"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    t.reap(pid);
    assert!(t.ids().is_empty());

    let bundle = t.bundle("frozen", &["sleep", "1000"], |_| {});
    t.create("frozen", &bundle);
    assert_eq!(t.oci(&["start", "frozen"]).status.code(), Some(0));
    assert_eq!(t.oci(&["pause", "frozen"]).status.code(), Some(0));
    assert_eq!(t.status("frozen"), "paused");
    assert_oci_error(
        &t.oci(&["pause", "frozen"]),
        "cannot pause container frozen: it is paused",
    );
    assert_eq!(t.oci(&["resume", "frozen"]).status.code(), Some(0));
    assert_eq!(t.status("frozen"), "running");
    let pid = t.init_pid("frozen");
    let out = t.oci(&["delete", "--force", "frozen"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    t.reap(pid);
    assert!(t.ids().is_empty());
}

#[test]
fn test_oci_recycled_pid_is_not_taken_for_the_init() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("recycled", &["sleep", "1000"], |_| {});
    t.create("recycled", &bundle);
    assert_eq!(t.oci(&["start", "recycled"]).status.code(), Some(0));
    let pid = t.init_pid("recycled");
    // Pretend the init died and its pid went to a process started later.
    let start_file = t.state_root().join("recycled/vassalrun-init-start");
    assert!(start_file.exists());
    std::fs::write(&start_file, "1").unwrap();
    assert_eq!(t.status("recycled"), "stopped");
    assert_oci_error(
        &t.oci(&["kill", "recycled", "KILL"]),
        "cannot kill container recycled: it is stopped",
    );
    assert!(
        Path::new(&format!("/proc/{pid}")).exists(),
        "the process with the pid was not signalled"
    );
    assert_eq!(
        t.oci(&["delete", "--force", "recycled"]).status.code(),
        Some(0)
    );
    t.reap(pid);
}

#[test]
fn test_oci_errors_name_the_bad_value() {
    let t = OciEnv::new();
    for args in [
        &["state", "nope"][..],
        &["start", "nope"],
        &["kill", "nope"],
        &["delete", "nope"],
        &["pause", "nope"],
        &["exec", "nope", "true"],
    ] {
        assert_oci_error(&t.oci(args), "container nope does not exist");
    }
    // runc: delete --force of an unknown container succeeds.
    assert_eq!(t.oci(&["delete", "--force", "nope"]).status.code(), Some(0));
    assert_oci_error(
        &t.oci(&["state", "a/b"]),
        "invalid container id \"a/b\": use letters, digits and _ + - . only",
    );
    assert_oci_error(&t.oci(&["kill", "x", "SIGNOPE"]), "invalid signal: SIGNOPE");
    let missing = t.dir().join("no-bundle");
    assert_oci_error(
        &t.oci(&["create", "--bundle", missing.to_str().unwrap(), "x"]),
        &format!(
            "{}: No such file or directory (os error 2)",
            missing.display()
        ),
    );
    let out = t.oci(&["create", "--bogus", "x"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vassalrun: unexpected argument '--bogus' found\n"
    );
    // A list of a root that does not exist is an empty table, as runc's is.
    let out = t.oci(&["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        stdout(&out).split_whitespace().collect::<Vec<_>>(),
        ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]
    );
    assert!(!t.state_root().exists(), "list creates no root");
}

#[test]
fn test_oci_log_json_lines_like_runc() {
    let t = OciEnv::new();
    let log = t.dir().join("runtime.log");
    let out = t.oci(&[
        "--log",
        log.to_str().unwrap(),
        "--log-format",
        "json",
        "state",
        "ghost",
    ]);
    assert_oci_error(&out, "container ghost does not exist");
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let line: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(line["level"], "error");
    assert_eq!(line["msg"], "container ghost does not exist");
    let time = line["time"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{time}");
}

#[test]
fn test_oci_debug_log_is_one_json_object_per_line() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("dbg", &["true"], |_| {});
    let log = t.dir().join("debug.log");
    let logged = |args: &[&str]| {
        let mut full = vec![
            "--debug",
            "--log",
            log.to_str().unwrap(),
            "--log-format",
            "json",
        ];
        full.extend_from_slice(args);
        t.oci(&full)
    };
    let out = logged(&["create", "--bundle", bundle.to_str().unwrap(), "dbg"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let pid = t.init_pid("dbg");
    assert_eq!(logged(&["delete", "dbg"]).status.code(), Some(0));
    t.reap(pid);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().count() > 5, "{text}");
    for line in text.lines() {
        let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            entry["level"].is_string() && entry["msg"].is_string() && entry["time"].is_string()
        );
    }
    assert!(text.contains("\"level\":\"debug\""), "{text}");
}

#[test]
fn test_oci_concurrent_create_has_one_winner() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("race", &["sleep", "1000"], |_| {});
    let outs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "race"])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(
        winners,
        1,
        "{:#?}",
        outs.iter().map(describe).collect::<Vec<_>>()
    );
    for loser in outs.iter().filter(|o| !o.status.success()) {
        assert_oci_error(loser, "container race already exists");
    }
    assert_eq!(t.status("race"), "created");
}

#[test]
fn test_oci_run_foreground_exit_code_output_and_cleanup() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle(
        "fg",
        &["sh", "-c", "echo out; echo err >&2; exit 7"],
        |_| {},
    );
    let out = t.oci(&["run", "--bundle", bundle.to_str().unwrap(), "fg"]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    assert_eq!(stdout(&out), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    assert!(
        t.ids().is_empty(),
        "run deletes the container after it exits"
    );

    // A signal-killed init: 128+N.
    let bundle = t.bundle("sig", &["sleep", "1000"], |_| {});
    let mut run = t.command(&["run", "--bundle", bundle.to_str().unwrap(), "sig"]);
    let mut child = run
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_created_then(&t, "sig", "running");
    assert_eq!(t.oci(&["kill", "sig", "KILL"]).status.code(), Some(0));
    assert_eq!(child.wait().unwrap().code(), Some(137));

    // Signals to a foreground run reach the container (its sh traps TERM).
    let trap = "trap 'exit 42' TERM; while :; do sleep 0.05; done";
    let bundle = t.bundle("fwd", &["sh", "-c", trap], |_| {});
    let mut run = t.command(&["run", "--bundle", bundle.to_str().unwrap(), "fwd"]);
    let mut child = run
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_created_then(&t, "fwd", "running");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let run_pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(run_pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(42));
    assert!(t.ids().is_empty(), "{:?}", t.ids());

    // --detach returns with the container running.
    let bundle = t.bundle("bg", &["sleep", "1000"], |_| {});
    let out = t.oci(&["run", "-d", "--bundle", bundle.to_str().unwrap(), "bg"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(t.status("bg"), "running");
}

/// Waits for `id` to exist, then for it to reach `status`.
fn wait_created_then(t: &OciEnv, id: &str, status: &str) {
    for _ in 0..250 {
        if t.state_root().join(id).join("state.json").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    t.wait_status(id, status);
}

#[test]
fn test_oci_exec_args_process_file_and_detach() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("ex", &["sleep", "1000"], |spec| {
        spec["process"]["user"] = json!({"uid": 1000, "gid": 1000});
    });
    assert_oci_error(
        &{
            t.create("ex", &bundle);
            t.oci(&["exec", "ex", "true"])
        },
        "cannot exec in container ex: it is created",
    );
    assert_eq!(t.oci(&["start", "ex"]).status.code(), Some(0));

    let out = t.oci(&[
        "exec",
        "-e",
        "FOO=bar",
        "--cwd",
        "/etc",
        "ex",
        "sh",
        "-c",
        "echo $FOO $(pwd); exit 4",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert_eq!(stdout(&out), "bar /etc\n");

    // As runc: the container's user by default, else --user.
    let out = t.oci(&["exec", "ex", "id", "-u"]);
    assert_eq!(stdout(&out), "1000\n", "{}", describe(&out));
    let out = t.oci(&["exec", "--user", "0:0", "ex", "id", "-u"]);
    assert_eq!(stdout(&out), "0\n", "{}", describe(&out));

    let process = t.dir().join("process.json");
    let spec = json!({
        "terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
        "args": ["sh", "-c", "echo from-process-file"], "env": ["PATH=/bin"]
    });
    std::fs::write(&process, spec.to_string()).unwrap();
    let out = t.oci(&["exec", "--process", process.to_str().unwrap(), "ex"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(stdout(&out), "from-process-file\n");

    let pid_file = t.dir().join("exec.pid");
    let out = t.oci(&[
        "exec",
        "-d",
        "--pid-file",
        pid_file.to_str().unwrap(),
        "ex",
        "sleep",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    assert!(cgroup.contains(&t.cgroup_path("ex")), "{cgroup}");
    let out = t.oci(&["ps", "--format", "json", "ex"]);
    let pids: Vec<i32> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(pids.contains(&pid), "{pids:?}");
    assert_oci_error(
        &t.oci(&["exec", "ex"]),
        "exec needs a command (ARGS) or --process FILE",
    );
    // kill --all reaches the exec'd process too.
    let init = t.init_pid("ex");
    assert_eq!(
        t.oci(&["kill", "--all", "ex", "KILL"]).status.code(),
        Some(0)
    );
    t.reap(i64::from(pid));
    t.wait_status("ex", "stopped");
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "exec'd process killed"
    );
    assert_eq!(t.oci(&["delete", "ex"]).status.code(), Some(0));
    t.reap(init);
}

/// Accepts one connection on `path` and returns the descriptor it carries
/// (SCM_RIGHTS), close-on-exec so other tests' children never inherit it.
fn receive_fd(listener: UnixListener) -> OwnedFd {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
    let (stream, _) = listener.accept().unwrap();
    let mut buf = [0u8; 4096];
    let mut iov = [IoSliceMut::new(&mut buf)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<()>(
        stream.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )
    .unwrap();
    for cmsg in msg.cmsgs().unwrap() {
        if let ControlMessageOwned::ScmRights(fds) = cmsg {
            // SAFETY: the kernel just gave us this descriptor; we own it.
            return unsafe { OwnedFd::from_raw_fd(fds[0]) };
        }
    }
    panic!("no descriptor received on the console socket");
}

#[test]
fn test_oci_console_socket_receives_the_pty_master() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle(
        "tty",
        &[
            "sh",
            "-c",
            "[ -t 0 ] && [ -t 1 ] && echo is-a-tty; sleep 1000",
        ],
        |spec| spec["process"]["terminal"] = true.into(),
    );
    // Without a console socket a terminal container cannot be created.
    let out = t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "tty"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(t.ids().is_empty(), "a failed create leaves nothing");

    let socket = t.dir().join("console.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let receiver = std::thread::spawn(move || receive_fd(listener));
    let out = t.oci(&[
        "create",
        "--bundle",
        bundle.to_str().unwrap(),
        "--console-socket",
        socket.to_str().unwrap(),
        "tty",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let master = File::from(receiver.join().unwrap());
    assert_eq!(t.oci(&["start", "tty"]).status.code(), Some(0));
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    let mut master = master;
    while !seen.contains("is-a-tty") {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    assert!(seen.contains("is-a-tty"), "{seen:?}");
}

/// A hook appending `NAME <hostname it sees> <state JSON from stdin>` to
/// `log`, with shell builtins only (hooks get an empty environment). The
/// hostname tells the UTS namespace it runs in.
fn hook(name: &str, log: &str) -> Value {
    json!({
        "path": "/bin/sh",
        "args": ["sh", "-c", format!(
            "read -r s; read -r h < /proc/sys/kernel/hostname; echo \"{name} $h $s\" >> {log}"
        )]
    })
}

#[test]
fn test_oci_hooks_run_in_order_with_state_on_stdin() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let logs = t.dir().join("hooklog");
    std::fs::create_dir(&logs).unwrap();
    let host_log = logs.join("log");
    let host = host_log.to_str().unwrap().to_string();
    let bundle = t.bundle("hooked", &["sleep", "1000"], |spec| {
        spec["hostname"] = "hooked-host".into();
        // startContainer runs inside the container, after pivot_root: the
        // log directory is mounted there at /tmp.
        spec["mounts"].as_array_mut().unwrap().push(json!({
            "destination": "/tmp", "type": "bind",
            "source": logs.to_str().unwrap(), "options": ["rbind", "rw"]
        }));
        spec["hooks"] = json!({
            "prestart": [hook("prestart", &host)],
            "createRuntime": [hook("createRuntime", &host)],
            "createContainer": [hook("createContainer", &host)],
            "startContainer": [hook("startContainer", "/tmp/log")],
            "poststart": [hook("poststart", &host)],
            "poststop": [hook("poststop", &host)],
        });
    });
    t.create("hooked", &bundle);
    let pid = t.init_pid("hooked");
    assert_eq!(t.oci(&["start", "hooked"]).status.code(), Some(0));
    assert_eq!(t.oci(&["kill", "hooked", "KILL"]).status.code(), Some(0));
    t.wait_status("hooked", "stopped");
    t.reap(pid);
    let out = t.oci(&["delete", "hooked"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    let text = std::fs::read_to_string(&host_log).unwrap();
    let lines: Vec<(&str, &str, Value)> = text
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let (name, host) = (parts.next().unwrap(), parts.next().unwrap());
            (
                name,
                host,
                serde_json::from_str(parts.next().unwrap()).unwrap(),
            )
        })
        .collect();
    let names: Vec<&str> = lines.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        names,
        [
            "prestart",
            "createRuntime",
            "createContainer",
            "startContainer",
            "poststart",
            "poststop"
        ],
        "{text}"
    );
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    for (name, seen, state) in &lines {
        assert_eq!(state["id"], "hooked", "{name}: {state}");
        assert_eq!(state["bundle"], bundle.to_str().unwrap(), "{name}: {state}");
        // createContainer and startContainer run in the container's namespaces.
        let in_container = matches!(*name, "createContainer" | "startContainer");
        let want = if in_container {
            "hooked-host"
        } else {
            host.trim()
        };
        assert_eq!(*seen, want, "{name}");
    }
    assert_eq!(lines[0].2["pid"], pid, "prestart gets the init's pid");
    assert_eq!(lines[4].2["status"], "running", "poststart: {}", lines[4].2);
}

#[test]
fn test_oci_create_refuses_a_missing_hook_before_creating_anything() {
    let t = OciEnv::new();
    let bundle = t.bundle("nohook", &["true"], |spec| {
        spec["hooks"] = json!({"poststop": [{"path": "/nonexistent/hook"}]});
    });
    assert_oci_error(
        &t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "nohook"]),
        "hook /nonexistent/hook: no such file",
    );
    assert!(t.ids().is_empty());
}

/// Runs `vassalrun oci … run` from a shell that first opens fd 3 on `file`.
fn run_with_fd3(t: &OciEnv, file: &Path, run_args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    t.isolate(&mut cmd);
    cmd.arg("-c")
        .arg("exec 3>>\"$0\"; shift; exec \"$@\"")
        .arg(file)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_vassalrun"))
        .arg("oci")
        .arg("--root")
        .arg(t.state_root())
        .args(run_args);
    oci::output_via_files(cmd, t.dir())
}

#[test]
fn test_oci_preserve_fds_passes_exactly_the_asked_descriptors() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let file = t.dir().join("fd3.txt");
    let script = "ls /proc/self/fd | tr '\\n' ' '; echo; echo preserved >&3";
    let bundle = t.bundle("fds", &["sh", "-c", script], |_| {});
    let b = bundle.to_str().unwrap();

    // Without --preserve-fds the caller's fd 3 does not leak in: the listing
    // shows stdio and ls's own directory descriptor only, and fd 3 is closed.
    let out = run_with_fd3(&t, &file, &["run", "--bundle", b, "fds"]);
    assert_eq!(stdout(&out), "0 1 2 3 \n", "{}", describe(&out));
    assert_ne!(out.status.code(), Some(0), "writing to a closed fd 3 fails");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");

    let out = run_with_fd3(
        &t,
        &file,
        &["run", "--preserve-fds", "1", "--bundle", b, "fds"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(stdout(&out), "0 1 2 3 4 \n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "preserved\n");
}

#[test]
fn test_oci_features_spec_version_and_list() {
    let t = OciEnv::new();
    let out = t.oci(&["features"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let features: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(features["ociVersionMin"], "1.0.0");
    assert_eq!(
        features["hooks"],
        json!([
            "prestart",
            "createRuntime",
            "createContainer",
            "startContainer",
            "poststart",
            "poststop"
        ])
    );
    assert!(features["mountOptions"]
        .as_array()
        .unwrap()
        .contains(&json!("ro")));
    assert_eq!(features["linux"]["cgroup"]["v1"], true);
    assert!(features["linux"]["namespaces"]
        .as_array()
        .unwrap()
        .contains(&json!("pid")));

    let bundle = t.dir().join("specbundle");
    std::fs::create_dir(&bundle).unwrap();
    let out = t.oci(&["spec", "-b", bundle.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let spec: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
    assert_eq!(spec["process"]["args"], json!(["sh"]));
    assert_eq!(spec["process"]["terminal"], true);
    assert_eq!(spec["root"], json!({"path": "rootfs", "readonly": true}));
    assert!(spec["ociVersion"].as_str().unwrap().starts_with("1."));
    let path = bundle.join("config.json");
    assert_oci_error(
        &t.oci(&["spec", "-b", bundle.to_str().unwrap()]),
        &format!("{}: File exists (os error 17)", path.display()),
    );

    let out = t.oci(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with("vassalrun version "),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("\nspec: 1."), "{}", stdout(&out));

    std::fs::create_dir_all(t.state_root()).unwrap();
    let out = t.oci(&["list"]);
    assert_eq!(
        stdout(&out),
        "ID   PID   STATUS   BUNDLE   CREATED   OWNER\n"
    );
    let out = t.oci(&["list", "--format", "json"]);
    assert_eq!(stdout(&out), "[]\n");
}

#[test]
fn test_oci_list_shows_containers_and_skips_crash_leftovers() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("listed", &["sleep", "1000"], |_| {});
    t.create("listed", &bundle);
    // A create that died before libcontainer wrote its state.
    let wreck = t.state_root().join("wreck");
    std::fs::create_dir(&wreck).unwrap();
    std::fs::write(wreck.join("state.json"), "{\"id\": ").unwrap();

    let out = t.oci(&["list", "-q"]);
    assert_eq!(stdout(&out), "listed\n", "{}", describe(&out));
    let out = t.oci(&["list", "--format", "json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["id"], "listed");
    assert_eq!(list[0]["status"], "created");

    // delete cleans up what a crashed create left.
    let out = t.oci(&["delete", "wreck"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(!wreck.exists());
}

/// Pids of live processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<i32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(needle) && !stat.contains(") Z ")
        })
        .collect()
}

#[test]
fn test_oci_create_killed_at_any_point_is_cleaned_by_delete() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    for (i, delay_ms) in [0u64, 2, 5, 10, 20, 40, 80, 160].into_iter().enumerate() {
        let id = format!("crash{i}");
        let bundle = t.bundle(&id, &["sleep", "1000"], |_| {});
        let mut cmd = t.command(&["create", "--bundle", bundle.to_str().unwrap(), &id]);
        let mut create = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = create.kill();
        let _ = create.wait();
        let pid = t.init_pid(&id);
        let out = t.oci(&["delete", "--force", &id]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "after {delay_ms} ms: {}",
            describe(&out)
        );
        t.reap(pid);
        assert!(!t.state_root().join(&id).exists(), "after {delay_ms} ms");
        let cgroup = t.cgroup_path(&id);
        for dir in t.env.cgroup_parent_dirs() {
            assert!(
                !dir.join(&id).exists(),
                "after {delay_ms} ms: {cgroup} left"
            );
        }
        let bundle_text = bundle.to_str().unwrap();
        for _ in 0..100 {
            if processes_mentioning(bundle_text).is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(
            processes_mentioning(bundle_text),
            Vec::<i32>::new(),
            "after {delay_ms} ms"
        );
    }
}

#[test]
fn test_oci_dispatch_by_runc_name_and_runc_only_flag() {
    let t = OciEnv::new();
    let link = t.dir().join("runc");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_vassalrun"), &link).unwrap();
    let mut cmd = Command::new(&link);
    t.isolate(&mut cmd);
    let out = cmd
        .arg("--root")
        .arg(t.state_root())
        .args(["state", "ghost"])
        .output()
        .unwrap();
    assert_oci_error(&out, "container ghost does not exist");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vassalrun"));
    t.isolate(&mut cmd);
    let log = t.dir().join("l.json");
    let out = cmd
        .arg("--root")
        .arg(t.state_root())
        .arg("--log")
        .arg(&log)
        .args(["kill", "ghost", "KILL"])
        .output()
        .unwrap();
    assert_oci_error(&out, "container ghost does not exist");

    // vassalrun's own grammar is untouched.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vassalrun"));
    t.isolate(&mut cmd);
    let out = cmd
        .arg("--root")
        .arg(t.dir().join("docker-root"))
        .args(["ps", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}
