//! The per-container monitor, through the real binary: output relayed byte for
//! byte to the log, attached clients and a foreground run; pty and pipe modes;
//! stdin; window size; attach and detach keys; a stuck client; exit records
//! written with no vassalrun command running; the container dying with its
//! monitor; logs across rotation and by time.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{busybox_dir, can_run_containers, describe, TestEnv};

fn img() -> String {
    busybox_dir().display().to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits (up to a minute: a hang guard, not a timing assertion) for `done`.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn id_of(env: &TestEnv, name: &str) -> String {
    let out = env.run(&["inspect", "--format", "{{.Id}}", name]);
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out).trim().to_string()
}

fn container_dir(env: &TestEnv, name: &str) -> PathBuf {
    env.root().join("containers").join(id_of(env, name))
}

/// The container's rootfs as the host reaches it (inspect's `MergedDir`: the
/// overlay is mounted in the monitor's own mount namespace).
fn merged_dir(env: &TestEnv, name: &str) -> Option<PathBuf> {
    let out = env.run(&[
        "inspect",
        "--format",
        "{{.GraphDriver.Data.MergedDir}}",
        name,
    ]);
    out.status
        .success()
        .then(|| PathBuf::from(stdout(&out).trim()))
}

fn monitor_pid(env: &TestEnv, name: &str) -> i32 {
    let path = container_dir(env, name).join("monitor.pid");
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Sockets the monitor holds: its attach listener plus one per client.
fn monitor_sockets(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|t| t.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

fn status_of(env: &TestEnv, name: &str) -> String {
    stdout(&env.run(&["inspect", "--format", "{{.State.Status}}", name]))
        .trim()
        .to_string()
}

/// Reads a child's stream to the end on a thread.
fn collect(stream: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut stream = stream;
        let _ = stream.read_to_end(&mut all);
        all
    })
}

fn spawn(mut command: Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Removes the container if the test is stuck, so blocked reads end.
fn hang_guard(env: &TestEnv, name: &str) {
    let root = env.root();
    let own = env.command();
    let program = own.get_program().to_os_string();
    let args: Vec<std::ffi::OsString> = own.get_args().map(|a| a.to_os_string()).collect();
    let name = name.to_string();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(90));
        if root.exists() {
            let _ = Command::new(&program)
                .args(&args)
                .args(["rm", "-f", &name])
                .output();
        }
    });
}

/// An attach client and the threads collecting its stdout and stderr.
type Attached = (Child, JoinHandle<Vec<u8>>, JoinHandle<Vec<u8>>);

fn seq_text(n: usize) -> String {
    (1..=n).map(|i| format!("{i}\n")).collect()
}

#[test]
fn test_output_reaches_log_two_attaches_and_run_byte_for_byte() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    hang_guard(&env, "bytes");
    // stdout: text the log can hold exactly; stderr: random binary.
    let script = "head -c 3000000 /dev/urandom > /x.bin; echo >/ready; \
                  while [ ! -e /go ]; do sleep 0.05; done; seq 1 300000; cat /x.bin >&2";
    let mut run = env.command();
    run.args(["run", "--name", "bytes", &img(), "sh", "-c", script]);
    let mut run = spawn(run);
    let run_out = collect(run.stdout.take().unwrap());
    let run_err = collect(run.stderr.take().unwrap());
    wait_for("the container to be ready", || {
        container_dir_exists(&env, "bytes")
            && merged_dir(&env, "bytes").is_some_and(|root| root.join("ready").exists())
    });
    let monitor = monitor_pid(&env, "bytes");
    // A container still running after a while is relayed from the small
    // image (see relay_process.rs); the run, attached before, stays attached.
    wait_for("the relay image", || {
        std::fs::read_link(format!("/proc/{monitor}/exe"))
            .is_ok_and(|image| image.ends_with("vassalrun-relay"))
    });
    let before = monitor_sockets(monitor);
    let mut attaches: Vec<Attached> = (0..2)
        .map(|_| {
            let mut attach = env.command();
            attach.args(["attach", "bytes"]);
            let mut child = spawn(attach);
            let out = collect(child.stdout.take().unwrap());
            let err = collect(child.stderr.take().unwrap());
            (child, out, err)
        })
        .collect();
    wait_for("two attached clients", || {
        monitor_sockets(monitor) == before + 2
    });
    std::fs::write(merged_dir(&env, "bytes").unwrap().join("go"), "").unwrap();

    let expected_out = seq_text(300000).into_bytes();
    assert_eq!(run.wait().unwrap().code(), Some(0));
    let expected_err = std::fs::read(container_dir(&env, "bytes").join("upper/x.bin")).unwrap();
    assert_eq!(expected_err.len(), 3_000_000);
    assert!(
        run_out.join().unwrap() == expected_out,
        "run stdout differs"
    );
    assert!(
        run_err.join().unwrap() == expected_err,
        "run stderr differs"
    );
    for (mut child, out, err) in attaches.drain(..) {
        assert_eq!(
            child.wait().unwrap().code(),
            Some(0),
            "attach exits with the container"
        );
        assert!(out.join().unwrap() == expected_out, "attach stdout differs");
        assert!(err.join().unwrap() == expected_err, "attach stderr differs");
    }
    let logs = env.run(&["logs", "bytes"]);
    assert!(logs.stdout == expected_out, "log stdout differs");
    assert!(
        !logs.stderr.is_empty(),
        "stderr is logged on its own stream"
    );
}

fn container_dir_exists(env: &TestEnv, name: &str) -> bool {
    env.run(&["inspect", name]).status.success()
}

#[test]
fn test_stdin_round_trip_is_binary_safe() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    hang_guard(&env, "cat");
    let input: Vec<u8> = (0..1_500_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let mut cmd = env.command();
    cmd.args(["run", "--rm", "-i", "--name", "cat", &img(), "cat"]);
    cmd.stdin(Stdio::piped());
    let mut child = spawn(cmd);
    let out = collect(child.stdout.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    let writer = {
        let input = input.clone();
        std::thread::spawn(move || {
            stdin.write_all(&input).unwrap();
        })
    };
    writer.join().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        out.join().unwrap() == input,
        "what cat echoed differs from its input"
    );
    // Without -i the container's stdin is empty.
    let out = env.run(&["run", "--rm", &img(), "sh", "-c", "cat; echo end"]);
    assert_eq!(stdout(&out), "end\n");
}

#[test]
fn test_tty_mode_output_and_log() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&[
        "run",
        "-t",
        "--name",
        "term",
        &img(),
        "sh",
        "-c",
        "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo tty; echo err >&2; printf 'a\\nb\\n'; exit 5",
    ]);
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    // One terminal: everything is stdout, with the terminal's line endings.
    assert_eq!(stdout(&out), "tty\r\nerr\r\na\r\nb\r\n");
    assert!(out.stderr.is_empty(), "{}", describe(&out));
    let logs = env.run(&["logs", "term"]);
    assert_eq!(stdout(&logs), "tty\r\nerr\r\na\r\nb\r\n");
}

fn set_size(fd: &OwnedFd, rows: u16, cols: u16) {
    let size = nix::libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize from the struct we own.
    let rc = unsafe { nix::libc::ioctl(fd.as_raw_fd(), nix::libc::TIOCSWINSZ, &size) };
    assert_eq!(rc, 0);
}

#[test]
fn test_window_size_follows_the_client_terminal() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    hang_guard(&env, "winsz");
    let pty = nix::pty::openpty(None, None).unwrap();
    set_size(&pty.master, 33, 77);
    let before = nix::sys::termios::tcgetattr(&pty.slave).unwrap();
    let mut cmd = env.command();
    cmd.args([
        "run",
        "-t",
        "-i",
        "--name",
        "winsz",
        &img(),
        "sh",
        "-c",
        "while true; do stty size; sleep 0.1; done",
    ]);
    let slave = pty.slave.try_clone().unwrap();
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // The run command gets the pty as its controlling terminal, so resizing
    // it sends the command SIGWINCH, as a user's terminal would.
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid and ioctl are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid()?;
            if nix::libc::ioctl(0, nix::libc::TIOCSCTTY, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let master = std::fs::File::from(pty.master.try_clone().unwrap());
    {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut master = master;
            let mut buf = [0u8; 4096];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    }
    wait_for("the initial size", || {
        seen.lock().unwrap().contains("33 77")
    });
    set_size(&pty.master, 44, 99);
    wait_for("the new size", || seen.lock().unwrap().contains("44 99"));
    env.run(&["kill", "winsz"]);
    assert_eq!(child.wait().unwrap().code(), Some(137));
    let after = nix::sys::termios::tcgetattr(&pty.slave).unwrap();
    assert_eq!(
        before.local_flags, after.local_flags,
        "terminal mode restored"
    );
    assert_eq!(
        before.input_flags, after.input_flags,
        "terminal mode restored"
    );
}

/// Reads one line from an attach's stdout.
fn read_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line
}

#[test]
fn test_two_attaches_stdin_and_detach_keys() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    hang_guard(&env, "echoer");
    let script = "while read l; do echo \"got:$l\"; done";
    let out = env.run(&[
        "run",
        "-d",
        "-i",
        "--name",
        "echoer",
        &img(),
        "sh",
        "-c",
        script,
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let monitor = monitor_pid(&env, "echoer");
    let base = monitor_sockets(monitor);

    let mut typing = env.command();
    typing.args(["attach", "echoer"]).stdin(Stdio::piped());
    let mut typing = spawn(typing);
    let mut listening = env.command();
    listening.args(["attach", "--no-stdin", "echoer"]);
    let mut listening = spawn(listening);
    wait_for("two clients", || monitor_sockets(monitor) == base + 2);
    let mut typing_out = BufReader::new(typing.stdout.take().unwrap());
    let mut listening_out = BufReader::new(listening.stdout.take().unwrap());
    let mut keys = typing.stdin.take().unwrap();
    keys.write_all(b"hello\n").unwrap();
    assert_eq!(read_line(&mut typing_out), "got:hello\n");
    assert_eq!(read_line(&mut listening_out), "got:hello\n");
    // ctrl-p ctrl-q: the client leaves, the container stays.
    keys.write_all(b"\x10\x11").unwrap();
    assert_eq!(typing.wait().unwrap().code(), Some(0));
    assert_eq!(status_of(&env, "echoer"), "running");

    let mut other = env.command();
    other
        .args(["attach", "--detach-keys", "ctrl-x", "echoer"])
        .stdin(Stdio::piped());
    let mut other = spawn(other);
    wait_for("the new client", || monitor_sockets(monitor) == base + 2);
    let mut other_keys = other.stdin.take().unwrap();
    other_keys.write_all(b"two\n").unwrap();
    assert_eq!(read_line(&mut listening_out), "got:two\n");
    other_keys.write_all(b"\x18").unwrap();
    assert_eq!(other.wait().unwrap().code(), Some(0));
    assert_eq!(status_of(&env, "echoer"), "running");

    env.run(&["kill", "echoer"]);
    assert_eq!(listening.wait().unwrap().code(), Some(137));
    let out = env.run(&["attach", "echoer"]);
    common::assert_error(
        &out,
        "You cannot attach to a stopped container, start it first",
    );
    let out = env.run(&["attach", "--detach-keys", "ctrl-1", "echoer"]);
    common::assert_error(
        &out,
        "invalid argument \"ctrl-1\" for \"--detach-keys\" flag: unknown key \"ctrl-1\"",
    );
}

#[test]
fn test_stuck_client_never_blocks_the_container() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    hang_guard(&env, "flood");
    let script = "while [ ! -e /go ]; do sleep 0.05; done; \
                  yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 19999980; echo done";
    let out = env.run(&["run", "-d", "--name", "flood", &img(), "sh", "-c", script]);
    assert!(out.status.success(), "{}", describe(&out));
    let dir = container_dir(&env, "flood");
    let monitor = monitor_pid(&env, "flood");
    let base = monitor_sockets(monitor);
    // A client that connects and never reads.
    let stuck = connect_seqpacket(&dir.join("attach"));
    wait_for("the stuck client", || monitor_sockets(monitor) == base + 1);
    std::fs::write(merged_dir(&env, "flood").unwrap().join("go"), "").unwrap();
    let out = env.run(&["wait", "flood"]);
    assert_eq!(stdout(&out), "0\n", "{}", describe(&out));
    let logs = env.run(&["logs", "--tail", "1", "flood"]);
    assert_eq!(stdout(&logs), "done\n");
    let total: usize = env.run(&["logs", "flood"]).stdout.len();
    assert_eq!(total, 19_999_980 + 5);
    // The monitor dropped the client: its socket ends without an exit message.
    let mut received = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = nix::sys::socket::recv(
            stuck.as_raw_fd(),
            &mut buf,
            nix::sys::socket::MsgFlags::empty(),
        )
        .unwrap();
        if n == 0 {
            break;
        }
        assert_ne!(buf[0], 3, "a dropped client gets no exit code");
        received += n;
    }
    assert!(
        received < 19_999_980,
        "the stuck client was dropped, not served"
    );
}

fn connect_seqpacket(path: &std::path::Path) -> OwnedFd {
    use nix::sys::socket::{connect, socket, AddressFamily, SockFlag, SockType, UnixAddr};
    let dir = std::fs::File::open(path.parent().unwrap()).unwrap();
    let short = format!(
        "/proc/self/fd/{}/{}",
        dir.as_raw_fd(),
        path.file_name().unwrap().to_string_lossy()
    );
    let fd = socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    connect(fd.as_raw_fd(), &UnixAddr::new(short.as_str()).unwrap()).unwrap();
    fd
}

fn exit_record(env: &TestEnv, id: &str) -> Option<serde_json::Value> {
    let path = env.root().join("containers").join(id).join("exit");
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

#[test]
fn test_monitor_records_exit_and_oom_with_no_command_running() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&["run", "-d", &img(), "sh", "-c", "sleep 0.2; exit 7"]);
    let id = stdout(&out).trim().to_string();
    wait_for("the exit record", || exit_record(&env, &id).is_some());
    let record = exit_record(&env, &id).unwrap();
    assert_eq!(record["ExitCode"], 7, "{record}");
    assert_eq!(record["OOMKilled"], false, "{record}");

    let hog = "x=aaaaaaaaaaaaaaaa; while true; do x=\"$x$x\"; done";
    let out = env.run(&[
        "run",
        "-d",
        "-m",
        "8m",
        "--memory-swap",
        "8m",
        &img(),
        "sh",
        "-c",
        hog,
    ]);
    let id = stdout(&out).trim().to_string();
    wait_for("the OOM exit record", || exit_record(&env, &id).is_some());
    let record = exit_record(&env, &id).unwrap();
    assert_eq!(record["ExitCode"], 137, "{record}");
    assert_eq!(record["OOMKilled"], true, "{record}");
}

#[test]
fn test_sigkilled_monitor_takes_its_container_along() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&["run", "-d", "--name", "orphan", &img(), "sleep", "1000"]);
    assert!(out.status.success(), "{}", describe(&out));
    let pid: i32 = stdout(&env.run(&["inspect", "--format", "{{.State.Pid}}", "orphan"]))
        .trim()
        .parse()
        .unwrap();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    let monitor = monitor_pid(&env, "orphan");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(monitor),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    wait_for("the container's init to die", || {
        !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
    });
    assert_eq!(status_of(&env, "orphan"), "dead");
    let out = env.run(&["rm", "-f", "orphan"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(env.container_ids().is_empty());
    for parent in env.cgroup_parent_dirs() {
        let children: Vec<_> = std::fs::read_dir(&parent)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .collect();
        assert!(
            children.is_empty(),
            "cgroups left under {}",
            parent.display()
        );
    }
}

#[test]
fn test_foreground_run_without_sig_proxy_leaves_the_container_alone() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    hang_guard(&env, "nsp");
    let script = "trap 'echo got TERM' TERM; echo ready; while true; do sleep 0.1; done";
    let mut cmd = env.command();
    cmd.args([
        "run",
        "--sig-proxy=false",
        "--name",
        "nsp",
        &img(),
        "sh",
        "-c",
        script,
    ]);
    let mut child = spawn(cmd);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    assert_eq!(read_line(&mut out), "ready\n");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(child.wait().unwrap().signal(), Some(15));
    // Time for a forwarded TERM's trap to run (the shell runs it between sleeps).
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(status_of(&env, "nsp"), "running");
    let logs = env.run(&["logs", "nsp"]);
    assert_eq!(
        stdout(&logs),
        "ready\n",
        "the container never saw the signal"
    );
}

#[test]
fn test_start_attach_and_logs_follow_across_rotation() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    hang_guard(&env, "rot");
    let out = env.run(&[
        "create",
        "--name",
        "sa",
        &img(),
        "sh",
        "-c",
        "echo hi; echo oops >&2; exit 4",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["start", "-a", "sa"]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert_eq!(stdout(&out), "hi\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");

    let script = "sleep 0.3; i=0; while [ $i -lt 400 ]; do echo line $i; i=$((i+1)); \
                  [ $((i % 20)) = 0 ] && sleep 0.05; done";
    let out = env.run(&[
        "run",
        "-d",
        "--name",
        "rot",
        "--log-opt",
        "max-size=1k",
        "--log-opt",
        "max-file=8",
        &img(),
        "sh",
        "-c",
        script,
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["logs", "-f", "rot"]);
    let expected: String = (0..400).map(|i| format!("line {i}\n")).collect();
    assert!(
        stdout(&out) == expected,
        "logs -f lost or reordered lines:\n{}",
        stdout(&out)
    );
    let log_dir = container_dir(&env, "rot");
    assert!(
        std::fs::read_dir(&log_dir)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with("-json.log.3")),
        "the log rotated several times"
    );

    // --since/--until select by time.
    assert_eq!(stdout(&env.run(&["logs", "--since", "1h", "sa"])), "hi\n");
    assert_eq!(
        stdout(&env.run(&["logs", "--since", "2999-01-01", "sa"])),
        ""
    );
    assert_eq!(stdout(&env.run(&["logs", "--until", "1h", "sa"])), "");
    let out = env.run(&["logs", "--since", "soon", "sa"]);
    common::assert_error(
        &out,
        "invalid argument \"soon\" for \"--since\" flag: expected an RFC 3339 time, a date, Unix seconds or a duration such as 10m",
    );
}

#[test]
fn test_monitor_relays_itself_without_the_relay_binary() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    // A vassalrun with no vassalrun-relay beside it.
    let lone = env.dir.path().join("lone");
    std::fs::create_dir(&lone).unwrap();
    let exe = lone.join("vassalrun");
    std::fs::copy(env!("CARGO_BIN_EXE_vassalrun"), &exe).unwrap();
    // The test's own command line (possibly behind nsenter), with the copy.
    let own = env.command();
    let mut parts: Vec<std::ffi::OsString> = std::iter::once(own.get_program().to_os_string())
        .chain(own.get_args().map(|a| a.to_os_string()))
        .collect();
    let at = parts
        .iter()
        .position(|a| a.as_os_str() == std::ffi::OsStr::new(env!("CARGO_BIN_EXE_vassalrun")))
        .unwrap();
    parts[at] = exe.into_os_string();
    let mut cmd = Command::new(&parts[0]);
    cmd.args(&parts[1..]).args([
        "run",
        "--name",
        "lone",
        &img(),
        "sh",
        "-c",
        "echo out; echo err >&2; exit 6",
    ]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    assert_eq!(stdout(&out), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    assert_eq!(stdout(&env.run(&["logs", "lone"])), "out\n");
    assert_eq!(status_of(&env, "lone"), "exited");
    // While it runs, the monitor is vassalrun itself.
    let mut detached = Command::new(&parts[0]);
    detached
        .args(&parts[1..])
        .args(["run", "-d", "--name", "lone2", &img(), "sleep", "300"]);
    let out = detached.output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let monitor = monitor_pid(&env, "lone2");
    let image = std::fs::read_link(format!("/proc/{monitor}/exe")).unwrap();
    assert!(image.ends_with("vassalrun"), "{}", image.display());
}
