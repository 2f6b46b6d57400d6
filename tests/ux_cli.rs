//! What a Docker user expects without reading a manual, through the real
//! binary: `exec -it` with a terminal of its own (driven through a real pty),
//! `-it` refused without a terminal, `rm` of a created container, parallel
//! `stop`/`kill`/`rm`, `wait` on `--rm` containers, `--format` templates and
//! `ps` filters, and the messages of the smaller mistakes.

mod common;

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{busybox_dir, can_run_containers, describe, TestEnv};

fn img() -> String {
    busybox_dir().display().to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `vassalrun ARGS`, failing the test unless it succeeds.
fn ok(env: &TestEnv, args: &[&str]) -> String {
    let out = env.run(args);
    assert!(out.status.success(), "{args:?}: {}", describe(&out));
    stdout(&out)
}

/// Waits (up to a minute: a hang guard, not a timing assertion) for `done`.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
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

/// A command whose controlling terminal is a pty the test types into, as a
/// user's terminal would be.
struct Terminal {
    master: OwnedFd,
    slave: OwnedFd,
    seen: Arc<Mutex<String>>,
    child: Child,
}

impl Terminal {
    fn spawn(mut cmd: Command, rows: u16, cols: u16) -> Terminal {
        let pty = nix::pty::openpty(None, None).unwrap();
        set_size(&pty.master, rows, cols);
        let slave = pty.slave.try_clone().unwrap();
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
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
        let child = cmd.spawn().unwrap();
        let seen = Arc::new(Mutex::new(String::new()));
        let mut reader = std::fs::File::from(pty.master.try_clone().unwrap());
        let sink = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Terminal {
            master: pty.master,
            slave: pty.slave,
            seen,
            child,
        }
    }

    fn type_in(&self, text: &str) {
        let mut master = std::fs::File::from(self.master.try_clone().unwrap());
        master.write_all(text.as_bytes()).unwrap();
    }

    fn wait_for_output(&self, text: &str) {
        wait_for(text, || self.seen.lock().unwrap().contains(text));
    }

    fn exit_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the command did not end: {}", self.seen.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The processes of container `name` (busybox `ps` inside it).
fn processes(env: &TestEnv, name: &str) -> String {
    ok(env, &["exec", name, "ps"])
}

#[test]
fn test_exec_it_gets_its_own_terminal() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    ok(
        &env,
        &[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "box",
            &img(),
            "sleep",
            "300",
        ],
    );
    let mut cmd = env.command();
    cmd.args(["exec", "-it", "box", "sh"]);
    let mut term = Terminal::spawn(cmd, 33, 77);
    let before = nix::sys::termios::tcgetattr(&term.slave).unwrap();
    term.type_in("tty; stty size; echo TERM=$TERM\n");
    term.wait_for_output("/dev/pts/");
    term.wait_for_output("33 77");
    term.wait_for_output("TERM=xterm");
    assert!(
        !term.seen.lock().unwrap().contains("job control turned off"),
        "{}",
        term.seen.lock().unwrap()
    );
    // The caller's terminal is raw while attached: no local echo mode.
    let during = nix::sys::termios::tcgetattr(&term.slave).unwrap();
    assert!(!during
        .local_flags
        .contains(nix::sys::termios::LocalFlags::ICANON));
    // A resize reaches the process's terminal (SIGWINCH to this command).
    set_size(&term.master, 44, 99);
    std::thread::sleep(Duration::from_millis(200));
    term.type_in("stty size\n");
    term.wait_for_output("44 99");
    // Ctrl-C goes to the process's terminal, not to this command.
    term.type_in("\x03");
    // (The terminal flushes its input queue on ^C: type after it landed.)
    std::thread::sleep(Duration::from_millis(500));
    term.type_in("echo still-$((40+2))\n");
    term.wait_for_output("still-42");
    term.type_in("exit 3\n");
    assert_eq!(term.exit_code(), Some(3), "{}", term.seen.lock().unwrap());
    let after = nix::sys::termios::tcgetattr(&term.slave).unwrap();
    assert_eq!(before.local_flags, after.local_flags, "terminal restored");
    let ps = processes(&env, "box");
    assert!(!ps.contains(" sh\n"), "no shell left behind: {ps}");

    // Hanging up the caller's terminal ends the shell too (SIGHUP forwarded).
    let mut cmd = env.command();
    cmd.args(["exec", "-it", "box", "sh"]);
    let mut term = Terminal::spawn(cmd, 24, 80);
    term.type_in("echo ready-$((40+2))\n");
    term.wait_for_output("ready-42");
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(term.child.id() as i32),
        nix::sys::signal::Signal::SIGHUP,
    );
    assert_eq!(term.exit_code(), Some(129));
    wait_for("the shell to go", || {
        !processes(&env, "box").contains(" sh\n")
    });

    // The detach keys leave the process running.
    let mut cmd = env.command();
    cmd.args(["exec", "-it", "box", "sh", "-c", "echo up; sleep 200"]);
    let mut term = Terminal::spawn(cmd, 24, 80);
    term.wait_for_output("up");
    term.type_in("\x10\x11");
    assert_eq!(term.exit_code(), Some(0));
    assert!(processes(&env, "box").contains("sleep 200"));
}

#[test]
fn test_it_without_a_terminal_is_refused() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let run = |args: &[&str]| {
        let mut child = env
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"hi\n").unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&["run", "--rm", "-it", "--network", "none", &img(), "cat"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(stderr(&out), "vassalrun: the input device is not a TTY\n");
    assert!(env.container_ids().is_empty(), "nothing was created");
    ok(
        &env,
        &[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "box",
            &img(),
            "sleep",
            "300",
        ],
    );
    let out = run(&["exec", "-it", "box", "cat"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(stderr(&out), "vassalrun: the input device is not a TTY\n");
    // start -ai and attach of a terminal container, likewise.
    ok(
        &env,
        &[
            "create",
            "-it",
            "--network",
            "none",
            "--name",
            "term",
            &img(),
            "cat",
        ],
    );
    let out = run(&["start", "-ai", "term"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(stderr(&out), "vassalrun: the input device is not a TTY\n");
    let state = ok(&env, &["inspect", "-f", "{{.State.Status}}", "term"]);
    assert_eq!(state, "created\n", "not started");
    ok(&env, &["start", "term"]);
    let out = run(&["attach", "term"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(stderr(&out), "vassalrun: the input device is not a TTY\n");
    // -i alone reads the pipe; without -i the process's stdin is empty.
    let out = run(&["exec", "-i", "box", "cat"]);
    assert_eq!(stdout(&out), "hi\n", "{}", describe(&out));
    let out = run(&["exec", "box", "cat"]);
    assert_eq!(stdout(&out), "", "{}", describe(&out));
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn test_rm_removes_a_created_container_without_force() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = ok(
        &env,
        &[
            "create",
            "--network",
            "none",
            "--name",
            "fresh",
            &img(),
            "sleep",
            "300",
        ],
    );
    assert_eq!(ok(&env, &["rm", "fresh"]), "fresh\n");
    assert!(env.container_ids().is_empty());
    let mounts = common::mounts_anywhere(id.trim());
    assert!(mounts.is_empty(), "the rootfs is unmounted: {mounts:?}");
    assert!(
        env.cgroup_parent_dirs()
            .iter()
            .all(|d| !d.join(id.trim()).exists()),
        "the cgroup is gone"
    );
    // A running one still needs -f.
    ok(
        &env,
        &[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "busy",
            &img(),
            "sleep",
            "300",
        ],
    );
    let out = env.run(&["rm", "busy"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("You cannot remove a running container"));
}

#[test]
fn test_stop_kill_and_rm_of_several_containers_run_in_parallel() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    for name in ["pa", "pb", "pc"] {
        // sh as PID 1 ignores SIGTERM: each stop waits its full timeout.
        ok(
            &env,
            &[
                "run",
                "-d",
                "--network",
                "none",
                "--name",
                name,
                &img(),
                "sh",
                "-c",
                "sleep 300",
            ],
        );
    }
    let started = Instant::now();
    let out = ok(&env, &["stop", "-t", "2", "pa", "pb", "pc"]);
    let took = started.elapsed();
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(lines, ["pa", "pb", "pc"]);
    assert!(
        took < Duration::from_millis(5000),
        "stop -t 2 of three took {took:?}"
    );
    assert!(
        took >= Duration::from_secs(2),
        "the timeout was waited: {took:?}"
    );
    let ps = ok(&env, &["ps", "-q"]);
    assert!(ps.is_empty(), "{ps}");
    for name in ["pa", "pb"] {
        ok(&env, &["start", name]);
    }
    let out = env.run(&["kill", "pa", "ghost", "pb"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(stderr(&out), "vassalrun: No such container: ghost\n");
    let mut lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    lines.sort();
    assert_eq!(lines, ["pa", "pb"]);
    let out = ok(&env, &["rm", "pa", "pb", "pc"]);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(env.container_ids().is_empty());
}

#[test]
fn test_wait_on_an_rm_container_returns_its_code() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    for round in 0..3 {
        let name = format!("gone{round}");
        ok(
            &env,
            &[
                "run",
                "-d",
                "--rm",
                "--network",
                "none",
                "--name",
                &name,
                &img(),
                "sh",
                "-c",
                "sleep 0.5; exit 7",
            ],
        );
        let out = env.run(&["wait", &name]);
        assert_eq!(stdout(&out), "7\n", "round {round}: {}", describe(&out));
        assert!(out.status.success(), "{}", describe(&out));
        // The name is free at once.
        ok(
            &env,
            &[
                "create",
                "--network",
                "none",
                "--name",
                &name,
                &img(),
                "true",
            ],
        );
        ok(&env, &["rm", &name]);
    }
}

#[test]
fn test_config_body_names_its_image() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let body = env.dir.path().join("create.json");
    std::fs::write(
        &body,
        serde_json::json!({"Image": img(), "Cmd": ["sh", "-c", "exit 4"], "HostConfig": {"NetworkMode": "none"}})
            .to_string(),
    )
    .unwrap();
    let body = body.to_str().unwrap();
    let spec: serde_json::Value =
        serde_json::from_str(&ok(&env, &["spec", "--config", body])).unwrap();
    assert_eq!(
        spec["process"]["args"],
        serde_json::json!(["sh", "-c", "exit 4"])
    );
    let out = env.run(&["run", "--config", body]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let id = ok(&env, &["create", "--config", body]);
    assert_eq!(id.trim().len(), 64);
    ok(&env, &["rm", id.trim()]);
    let empty = env.dir.path().join("noimage.json");
    std::fs::write(&empty, r#"{"Cmd": ["true"]}"#).unwrap();
    common::assert_error(
        &env.run(&["create", "--config", empty.to_str().unwrap()]),
        "no image: give IMAGE or an \"Image\" in the --config body",
    );
}

#[test]
fn test_messages_of_smaller_mistakes() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    common::assert_error(
        &env.run(&["run", "--pull", "never", "nosuch"]),
        "No such image: nosuch (pull it with `vassalrun pull nosuch`, or import a rootfs tarball with `vassalrun image import TARBALL nosuch`)",
    );
    ok(
        &env,
        &[
            "create",
            "--network",
            "none",
            "--name",
            "taken",
            &img(),
            "true",
        ],
    );
    let out = env.run(&["create", "--name", "taken", &img(), "true"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let text = stderr(&out);
    assert!(
        text.contains(
            "You have to remove (or rename) that container to be able to reuse that name"
        ),
        "{text}"
    );
    assert!(text.contains("--replace"), "{text}");
    // export -o into a missing directory names the user's path.
    let target = env.dir.path().join("missing/dir/x.tar");
    let out = env.run(&["export", "-o", target.to_str().unwrap(), "taken"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "vassalrun: export -o {}: No such file or directory (os error 2)\n",
            target.display()
        )
    );
    // Non-root: said up front.
    let out = Command::new(env!("CARGO_BIN_EXE_vassalrun"))
        .args([
            "--root",
            env.root().to_str().unwrap(),
            "run",
            &img(),
            "true",
        ])
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).starts_with("vassalrun: run needs root"),
        "{}",
        describe(&out)
    );
    // Help texts: no blank argument help, no empty default.
    for command in ["stop", "kill", "wait", "rm", "inspect"] {
        let help = ok(&env, &[command, "--help"]);
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with("<CONTAINERS>..."))
            .unwrap_or_else(|| panic!("{command}: {help}"));
        assert!(line.contains("Containers"), "{command}: {line}");
    }
    let help = ok(&env, &["exec", "--help"]);
    assert!(!help.contains("[default: \"\"]"), "{help}");
    // run --help: global options apart from the container's, examples last.
    let help = ok(&env, &["run", "--help"]);
    let global = help
        .find("\nGlobal options:\n")
        .expect("a Global options heading");
    assert!(help.find("--root <DIR>").unwrap() > global, "{help}");
    assert!(help.find("--memory <MEMORY>").unwrap() < global, "{help}");
    assert!(
        help.contains("\nExamples:\n  vassalrun image import"),
        "{help}"
    );
}

use std::os::unix::process::CommandExt as _;

#[test]
fn test_format_templates_and_ps_filters() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    ok(
        &env,
        &["image", "import", busybox_dir().to_str().unwrap(), "bb:1.0"],
    );
    ok(
        &env,
        &[
            "create",
            "--network",
            "none",
            "--name",
            "made",
            "--label",
            "tier=db",
            "bb:1.0",
            "true",
        ],
    );
    std::thread::sleep(Duration::from_millis(1100));
    ok(
        &env,
        &[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "live",
            "--label",
            "tier=web",
            "-l",
            "solo",
            "-e",
            "A=1",
            &img(),
            "sleep",
            "300",
        ],
    );
    // ps --format: a template per row; `table` adds aligned headers.
    assert_eq!(ok(&env, &["ps", "--format", "{{.Names}}"]), "live\n");
    assert_eq!(
        ok(&env, &["ps", "-a", "--format", "{{.Names}}:{{.State}}"]),
        "live:running\nmade:created\n"
    );
    let table = ok(&env, &["ps", "--format", "table {{.Names}}\t{{.State}}"]);
    assert_eq!(table, "NAMES   STATE\nlive    running\n");
    // Filters: name, label, status, id, ancestor; -n, -l.
    let names = |args: &[&str]| {
        let mut full = vec!["ps", "--format", "{{.Names}}"];
        full.extend_from_slice(args);
        ok(&env, &full)
    };
    assert_eq!(names(&["-a", "--filter", "name=ma"]), "made\n");
    assert_eq!(names(&["-a", "--filter", "label=tier=web"]), "live\n");
    assert_eq!(names(&["-a", "--filter", "label=solo"]), "live\n");
    assert_eq!(
        names(&["-a", "-f", "label=tier", "-f", "name=live"]),
        "live\n"
    );
    assert_eq!(names(&["--filter", "status=created"]), "made\n");
    assert_eq!(names(&["-a", "--filter", "ancestor=bb:1.0"]), "made\n");
    let made_id = ok(&env, &["inspect", "-f", "{{.Id}}", "made"]);
    assert_eq!(
        names(&["-a", "--filter", &format!("id={}", &made_id[..10])]),
        "made\n"
    );
    assert_eq!(names(&["-l"]), "live\n");
    assert_eq!(names(&["-n", "2"]), "live\nmade\n");
    let out = env.run(&["ps", "--filter", "colour=red"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(stderr(&out).contains("colour"), "{}", describe(&out));
    // -s: the size of the container's changes and with its image.
    let sized = ok(&env, &["ps", "-s", "--format", "{{.Size}}"]);
    assert!(sized.contains("(virtual "), "{sized}");
    let table = ok(&env, &["ps", "-s"]);
    assert!(table.lines().next().unwrap().ends_with("SIZE"), "{table}");
    // The docker entry's ps takes the same templates.
    assert_eq!(
        ok(&env, &["docker", "ps", "--format", "{{.Names}}"]),
        "live\n"
    );
    // image ls --format.
    assert_eq!(
        ok(
            &env,
            &["image", "ls", "--format", "{{.Repository}} {{.Tag}}"]
        ),
        "bb 1.0\n"
    );
    // inspect -f: Go's text/template.
    let f = |template: &str| ok(&env, &["inspect", "-f", template, "live"]);
    assert_eq!(f("{{.Config.Labels}}"), "map[solo: tier:web]\n");
    assert_eq!(f("{{index .Config.Labels \"tier\"}}"), "web\n");
    assert_eq!(
        f("{{range .Config.Env}}{{if eq . \"A=1\"}}found {{.}}{{end}}{{end}}"),
        "found A=1\n"
    );
    assert_eq!(
        f("{{printf \"%s/%v\" .Name .State.Running}}"),
        "/live/true\n"
    );
    assert_eq!(
        f("{{len .Config.Cmd}} {{join .Config.Cmd \"+\"}}"),
        "2 sleep+300\n"
    );
    assert_eq!(
        f("{{json .Config.Labels}}"),
        "{\"solo\":\"\",\"tier\":\"web\"}\n"
    );
    // A label that is not there is Go's `<no value>`, as Docker prints it.
    assert_eq!(f("{{.Config.Labels.nope}}"), "<no value>\n");
    let out = env.run(&["inspect", "-f", "{{.NoSuch}}", "live"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(stderr(&out).contains("NoSuch"), "{}", describe(&out));
    assert!(out.stdout.is_empty());
    // image inspect -f as well.
    assert_eq!(
        ok(
            &env,
            &[
                "image",
                "inspect",
                "-f",
                "{{.RepoTags}} {{.Config.Labels.nope}}",
                "bb:1.0"
            ]
        ),
        "[bb:1.0] <no value>\n"
    );
}
