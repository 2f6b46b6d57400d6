//! vassalrun as the `--emperor-wrapper` of Debian's real uWSGI Emperor (2.0.21),
//! as root: each test runs its own Emperor in a network namespace of its own
//! (`unshare -n` + `nsenter --net=`), with the test's private state root, and
//! talks to vassals through UNIX sockets (or TCP from a thread inside the
//! namespace). Vassals run the uWSGI fixture image built from the machine's
//! packages by `rootfs-fixtures/build-uwsgi.sh`.
//!
//! Every wait has a deadline; the Emperor, its wrappers, the namespace and the
//! containers' state, cgroups and mounts are removed when a test ends, pass or fail.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{describe, TestEnv};
use serde_json::Value;

const HOST_UWSGI: &str = "/usr/bin/uwsgi-core";

/// Whether this machine can run these tests; says "skipped" when not.
fn can_run() -> bool {
    if !common::can_run_containers() {
        return false;
    }
    if !Path::new(HOST_UWSGI).exists() {
        eprintln!("skipped: {HOST_UWSGI} is missing (apt-get install uwsgi-core)");
        return false;
    }
    true
}

fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixtures");
    std::fs::create_dir_all(&dir).expect("fixtures dir");
    dir
}

/// The uWSGI rootfs tarball, built once per machine.
fn uwsgi_tarball() -> PathBuf {
    static TARBALL: OnceLock<PathBuf> = OnceLock::new();
    TARBALL
        .get_or_init(|| {
            let out = fixtures_dir().join("uwsgi.tar");
            if !out.exists() {
                let script =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("rootfs-fixtures/build-uwsgi.sh");
                let status = Command::new(script).arg(&out).status().unwrap();
                assert!(status.success(), "build-uwsgi.sh failed");
            }
            out
        })
        .clone()
}

/// The image name vassals use: imported into each test's store by
/// [`Emperor::start`] (a path would be hashed again by every create).
const IMAGE: &str = "uwsgi";

/// Polls `check` until it returns `Some`, or panics after `timeout` with `what`.
fn wait_for<T>(timeout: Duration, what: &str, check: impl FnMut() -> Option<T>) -> T {
    wait_for_then(timeout, || what.to_string(), check)
}

/// [`wait_for`] with a message made at the timeout (e.g. with a log).
fn wait_for_then<T>(
    timeout: Duration,
    what: impl Fn() -> String,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {}",
            what()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A network namespace held by a `sleep` child, loopback up; killed on drop.
struct NetNs {
    holder: Child,
}

impl NetNs {
    fn new() -> NetNs {
        let holder = Command::new("unshare")
            .args(["-n", "sleep", "3600"])
            .stdin(Stdio::null())
            .spawn()
            .expect("unshare -n");
        let ns = NetNs { holder };
        wait_for(Duration::from_secs(5), "the new netns", || {
            let own = std::fs::read_link("/proc/self/ns/net").ok();
            (std::fs::read_link(ns.path()).ok() != own).then_some(())
        });
        let status = Command::new("nsenter")
            .arg(format!("--net={}", ns.path().display()))
            .args(["ip", "link", "set", "lo", "up"])
            .status()
            .unwrap();
        assert!(status.success(), "lo up in the test netns");
        ns
    }

    fn path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/{}/ns/net", self.holder.id()))
    }

    /// Runs `f` on a thread that has joined the namespace.
    fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let ns = std::fs::File::open(self.path()).unwrap();
        std::thread::spawn(move || {
            nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
            f()
        })
        .join()
        .unwrap()
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// A uWSGI Emperor with vassalrun as its wrapper; stopped on drop (SIGINT,
/// then SIGKILL of its process group, which takes the wrappers and, through
/// their PID holders, the containers).
struct Emperor {
    env: TestEnv,
    netns: NetNs,
    child: Option<Child>,
}

impl Emperor {
    fn start() -> Emperor {
        Emperor::start_with(&[])
    }

    /// Starts an Emperor with `extra` environment variables for the wrapper.
    fn start_with(extra: &[(&str, &str)]) -> Emperor {
        Emperor::start_full(extra, &[])
    }

    /// Starts an Emperor with extra environment variables and options.
    fn start_full(extra: &[(&str, &str)], options: &[&str]) -> Emperor {
        Emperor::start_wrapped(Path::new(env!("CARGO_BIN_EXE_vassalrun")), extra, options)
    }

    /// Starts an Emperor whose `--emperor-wrapper` is `wrapper`.
    fn start_wrapped(wrapper: &Path, extra: &[(&str, &str)], options: &[&str]) -> Emperor {
        let env = TestEnv::new();
        std::fs::create_dir_all(env.dir.path().join("vassals")).unwrap();
        std::fs::create_dir_all(env.config_dir()).unwrap();
        let out = env.run(&[
            "image",
            "import",
            &uwsgi_tarball().display().to_string(),
            IMAGE,
        ]);
        assert!(out.status.success(), "{}", describe(&out));
        let netns = NetNs::new();
        let mut emperor = Emperor {
            env,
            netns,
            child: None,
        };
        let log = std::fs::File::create(emperor.log_path()).unwrap();
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net={}", emperor.netns.path().display()))
            .arg(HOST_UWSGI)
            .arg("--emperor")
            .arg(emperor.vassals_dir())
            .arg("--emperor-wrapper")
            .arg(wrapper)
            .arg("--emperor-stats")
            .arg(emperor.stats_path())
            .args(["--emperor-freq", "1"])
            .args(options)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (key, _) in std::env::vars() {
            if key.starts_with("VASSALRUN_") || key.starts_with("UWSGI_") {
                cmd.env_remove(key);
            }
        }
        let e = &emperor.env;
        cmd.env("VASSALRUN_ROOT", e.root())
            .env("VASSALRUN_RUN_DIR", e.dir.path().join("run"))
            .env("VASSALRUN_CONFIG_DIR", e.config_dir())
            .env("VASSALRUN_CGROUP_PARENT", &e.cgroup_parent);
        for (key, value) in extra {
            cmd.env(key, value);
        }
        // Its own process group, so that cleanup can reach every wrapper.
        cmd.process_group(0);
        emperor.child = Some(cmd.spawn().expect("start the Emperor"));
        wait_for(Duration::from_secs(10), "the Emperor's stats", || {
            emperor.try_stats()
        });
        emperor
    }

    fn vassals_dir(&self) -> PathBuf {
        self.env.dir.path().join("vassals")
    }

    fn log_path(&self) -> PathBuf {
        self.env.dir.path().join("emperor.log")
    }

    fn stats_path(&self) -> PathBuf {
        self.env.dir.path().join("stats.sock")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// A socket path in the test's directory.
    fn socket(&self, name: &str) -> PathBuf {
        self.env.dir.path().join(name)
    }

    fn add_vassal(&self, name: &str, text: &str) {
        std::fs::write(self.vassals_dir().join(name), text).unwrap();
    }

    fn try_stats(&self) -> Option<Value> {
        let mut stream = UnixStream::connect(self.stats_path()).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut text = String::new();
        stream.read_to_string(&mut text).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The Emperor's view of vassal `name`.
    fn vassal(&self, name: &str) -> Option<Value> {
        self.try_stats()?["vassals"]
            .as_array()?
            .iter()
            .find(|v| v["id"] == name)
            .cloned()
    }

    /// Waits until the stats show `field` = 1 for `name`.
    fn wait_vassal(&self, name: &str, field: &str) -> Value {
        wait_for(
            Duration::from_secs(30),
            &format!("{name} {field}\n{}", self.log()),
            || self.vassal(name).filter(|v| v[field] == 1),
        )
    }

    /// `vassalrun inspect NAME` (the vassal's container), if it exists.
    fn inspect(&self, name: &str) -> Option<Value> {
        let out = self.env.run(&["inspect", name]);
        if !out.status.success() {
            return None;
        }
        serde_json::from_slice::<Value>(&out.stdout).ok()?[0]
            .as_object()
            .cloned()
            .map(Value::Object)
    }

    /// Asserts that nothing of any container is left: state, names, cgroups, mounts.
    fn assert_clean(&self) {
        assert_clean(&self.env);
    }
}

impl Drop for Emperor {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = child.wait();
        // PDEATHSIG takes the wrappers' PID holders and so their containers;
        // give them a moment before TestEnv's drop removes what is left.
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Asserts that nothing of any container is left: state, names, cgroups, mounts.
fn assert_clean(env: &TestEnv) {
    wait_for(Duration::from_secs(15), "container state to go", || {
        env.container_ids().is_empty().then_some(())
    });
    let names: Vec<_> = std::fs::read_dir(env.root().join("names"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name())
                .filter(|n| !n.to_string_lossy().starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    assert!(names.is_empty(), "names left: {names:?}");
    let state: Vec<_> = std::fs::read_dir(env.dir.path().join("run/libcontainer"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(state.is_empty(), "libcontainer state left: {state:?}");
    for dir in env.cgroup_parent_dirs() {
        let children: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name())
            .collect();
        assert!(
            children.is_empty(),
            "cgroups left in {}: {children:?}",
            dir.display()
        );
    }
    // A `--rm` container's rootfs is unmounted by its monitor just after the
    // container has left the store (the unmount waits for the kernel).
    let root = env.root().display().to_string();
    wait_for(
        Duration::from_secs(15),
        "mounts under the root to go",
        || {
            let mounts = common::mounts_anywhere(&root);
            (!mounts.iter().any(|l| !l.contains("/run/bin/vassalrun"))).then_some(())
        },
    );
}

/// `GET /` on a UNIX socket; the response (empty on failure).
fn http_get_unix(path: &Path) -> String {
    let Ok(mut stream) = UnixStream::connect(path) else {
        return String::new();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.write_all(b"GET / HTTP/1.0\r\nHost: vassal\r\n\r\n");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

fn is_ok(response: &str) -> bool {
    response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200")
}

/// Waits until `GET /` on `path` answers 200.
fn wait_http_ok(emperor: &Emperor, path: &Path) {
    wait_for(
        Duration::from_secs(30),
        &format!("HTTP 200 on {}\n{}", path.display(), emperor.log()),
        || is_ok(&http_get_unix(path)).then_some(()),
    );
}

/// A vassal in the fixture image answering 200 on `docker-socket`.
fn socket_vassal(socket: &Path, extra: &str) -> String {
    format!(
        "[emperor]\ndocker-image = {IMAGE}\ndocker-socket = {}\ndocker-network-mode = none\n{extra}\n\
         [uwsgi]\nhttp-socket = fd://0\nmaster = true\nprocesses = 1\nroute-run = return:200\n",
        socket.display()
    )
}

/// Whether `pid` is gone (or a zombie).
fn is_gone(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    matches!(state, None | Some('Z' | 'X'))
}

/// The pids in the container's cgroup (memory hierarchy).
fn container_pids(env: &TestEnv, id: &str) -> Vec<i32> {
    let procs = Path::new("/sys/fs/cgroup/memory")
        .join(&env.cgroup_parent)
        .join(id)
        .join("cgroup.procs");
    std::fs::read_to_string(procs)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

#[test]
fn test_emperor_container_vassal_answers_reloads_in_place_and_stops_clean() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("app.sock");
    emperor.add_vassal(
        "app.ini",
        &socket_vassal(&socket, "docker-memory = 64m\ndocker-socket-mode = 666"),
    );
    emperor.wait_vassal("app.ini", "ready");
    wait_http_ok(&emperor, &socket);
    let mode = std::fs::metadata(&socket).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o666
    );
    let first = emperor.wait_vassal("app.ini", "loyal");
    assert_eq!(first["accepting"], 1);
    let container = emperor.inspect("app.ini").expect("the vassal's container");
    let id = container["Id"].as_str().unwrap().to_string();
    assert_eq!(
        container["State"]["Status"],
        "running",
        "{}\n{}\n{}",
        describe(&emperor.env.run(&["ps", "-a", "--no-trunc"])),
        container,
        emperor.log()
    );

    // docker-memory is the container cgroup's limit.
    let limit = Path::new("/sys/fs/cgroup/memory")
        .join(&emperor.env.cgroup_parent)
        .join(&id)
        .join("memory.limit_in_bytes");
    assert_eq!(
        std::fs::read_to_string(&limit).unwrap().trim(),
        "67108864",
        "{}",
        limit.display()
    );

    // touch: byte 1, uWSGI re-execs itself in the same container.
    let mtime = std::time::SystemTime::now() + Duration::from_secs(2);
    std::fs::File::options()
        .write(true)
        .open(emperor.vassals_dir().join("app.ini"))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let reloaded = wait_for(Duration::from_secs(30), "the reload", || {
        emperor.vassal("app.ini").filter(|v| v["respawns"] == 1)
    });
    assert_eq!(reloaded["pid"], first["pid"], "the same wrapper");
    wait_http_ok(&emperor, &socket);
    let after = emperor.inspect("app.ini").expect("still there");
    assert_eq!(after["Id"], id.as_str(), "the same container");
    assert_eq!(after["State"]["Pid"], container["State"]["Pid"]);

    // rm: byte 0, the vassal ends, the wrapper removes everything.
    std::fs::remove_file(emperor.vassals_dir().join("app.ini")).unwrap();
    wait_for(Duration::from_secs(30), "the vassal's removal", || {
        emperor
            .log()
            .contains("removed uwsgi instance app.ini")
            .then_some(())
    });
    emperor.assert_clean();
    assert!(!socket.exists(), "the docker-socket file is removed");
}

#[test]
fn test_emperor_vassal_gets_the_emperor_fds_and_nothing_else() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let out = emperor.env.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let socket = emperor.socket("probe.sock");
    emperor.add_vassal(
        "app.ini",
        &socket_vassal(
            &socket,
            &format!(
                "docker-uwsgi = /usr/local/bin/uwsgi-probe\ndocker-mount = {}:/probe",
                out.display()
            ),
        ),
    );
    wait_http_ok(&emperor, &socket);
    let env = std::fs::read_to_string(out.join("env")).unwrap();
    let emperor_fd: i32 = env
        .lines()
        .find_map(|l| l.strip_prefix("UWSGI_EMPEROR_FD="))
        .expect("UWSGI_EMPEROR_FD reaches the vassal")
        .parse()
        .unwrap();
    assert!(!env.contains("UWSGI_EMPEROR_PROXY"), "{env}");
    assert!(!env.contains("VASSALRUN_"), "{env}");
    let fds = std::fs::read_to_string(out.join("fds")).unwrap();
    // `ls -l` lines: `lrwx------ 1 0 0 64 Nov 30 15:40 7 -> socket:[4711]`.
    let fds: Vec<(i32, String)> = fds
        .lines()
        .filter_map(|l| l.split_once(" -> "))
        .map(|(left, target)| {
            let fd = left.rsplit(' ').next().unwrap().parse().unwrap();
            (fd, target.to_string())
        })
        .collect();
    for (fd, target) in &fds {
        match *fd {
            0 => assert!(
                target.starts_with("socket:"),
                "fd 0 is docker-socket: {fds:?}"
            ),
            1 | 2 => {}
            fd if fd == emperor_fd => assert!(target.starts_with("socket:"), "{fds:?}"),
            // The shell's own fd on the script it runs.
            fd => assert!(target.ends_with("uwsgi-probe"), "leaked fd {fd}: {fds:?}"),
        }
    }
    assert!(fds.iter().any(|(fd, _)| *fd == emperor_fd), "{fds:?}");
    // PID 1 is the wrapper's PID holder; the vassal is PID 2; exec joins them.
    let exec = emperor.env.run(&["exec", "app.ini", "cat", "/proc/1/comm"]);
    assert_eq!(
        String::from_utf8_lossy(&exec.stdout),
        "vassalrun-pid1\n",
        "{}",
        describe(&exec)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("pid")).unwrap().trim(),
        "2"
    );
    // Its output is the Emperor's and in its json-file log.
    let logs = emperor.env.run(&["logs", "app.ini"]);
    assert!(logs.status.success(), "{}", describe(&logs));
    assert!(
        String::from_utf8_lossy(&logs.stderr).contains("getting INI configuration"),
        "{}",
        describe(&logs)
    );
    emperor.wait_vassal("app.ini", "loyal");
}

#[test]
fn test_emperor_tcp_docker_socket_answers_in_the_emperors_netns() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start_with(&[("VASSALRUN_DEBUG", "1")]);
    let cidfile = emperor.env.dir.path().join("tcp.cid");
    // Also: a working directory of its own (the vassal name is made absolute),
    // the old docker-proxy (accepted, unused) and docker-cidfile.
    emperor.add_vassal(
        "tcp.ini",
        &socket_vassal(
            Path::new("127.0.0.1:18301"),
            &format!(
                "docker-workdir = /tmp\ndocker-proxy = /x.sock:/y.sock\ndocker-cidfile = {}",
                cidfile.display()
            ),
        ),
    );
    emperor.wait_vassal("tcp.ini", "ready");
    let get = || {
        let mut stream = std::net::TcpStream::connect("127.0.0.1:18301").ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        stream.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    };
    let response = wait_for(Duration::from_secs(30), "HTTP over TCP", || {
        emperor.netns.run(get).filter(|r| is_ok(r))
    });
    assert!(is_ok(&response));
    emperor.wait_vassal("tcp.ini", "loyal");
    let id = emperor.inspect("tcp.ini").unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(std::fs::read_to_string(&cidfile).unwrap(), id);
    let log = emperor.log();
    assert!(
        log.contains("[vassalrun] tcp.ini: docker-proxy is not needed"),
        "{log}"
    );
    // VASSALRUN_DEBUG: the spec, line by line.
    assert!(
        log.contains("[vassalrun] tcp.ini: spec:   \"ociVersion\""),
        "{log}"
    );
    std::fs::remove_file(emperor.vassals_dir().join("tcp.ini")).unwrap();
    emperor.assert_clean();
    assert_eq!(
        std::fs::read_to_string(&cidfile).unwrap(),
        id,
        "the cidfile stays, as Docker's"
    );
}

#[test]
fn test_emperor_on_demand_socket_reaches_the_container_as_fd_0() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start_full(&[], &["--emperor-on-demand-extension", ".socket"]);
    let socket = emperor.socket("ondemand.sock");
    // The Emperor binds the socket named in app.ini.socket and spawns the
    // vassal at the first connection, with the socket as fd 0.
    std::fs::write(
        emperor.vassals_dir().join("app.ini.socket"),
        format!("{}\n", socket.display()),
    )
    .unwrap();
    emperor.add_vassal(
        "app.ini",
        &format!(
            "[emperor]\ndocker-image = {IMAGE}\ndocker-network-mode = none\n\
             [uwsgi]\nhttp-socket = fd://0\nmaster = true\nroute-run = return:200\n"
        ),
    );
    wait_for(Duration::from_secs(20), "the on-demand socket", || {
        socket.exists().then_some(())
    });
    assert!(emperor.env.container_ids().is_empty(), "not spawned yet");
    wait_http_ok(&emperor, &socket);
    emperor.wait_vassal("app.ini", "loyal");
    assert_eq!(emperor.env.container_ids().len(), 1);
}

/// A config-pipe spawn (`emperor://NAME`, as the zeromq, amqp, pg … monitors
/// make), played by the test itself: the wrapper reads the attributes from the
/// pushed config without consuming it, the vassal reads the same config, and
/// closing the Emperor's end of the control fd ends vassal and container.
#[test]
fn test_emperor_config_pipe_vassal_reads_the_pushed_config() {
    if !can_run() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&[
        "image",
        "import",
        &uwsgi_tarball().display().to_string(),
        IMAGE,
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let socket = env.dir.path().join("piped.sock");
    let (mut emperor_end, vassal_end) = UnixStream::pair().unwrap();
    let (mut config_end, vassal_config) = UnixStream::pair().unwrap();
    let body = format!(
        "[emperor]\ndocker-image = {IMAGE}\ndocker-socket = {}\ndocker-network-mode = none\n\
         [uwsgi]\nhttp-socket = fd://0\nmaster = true\nroute-run = return:200\n",
        socket.display()
    );
    let mut packet = vec![115u8];
    packet.extend((body.len() as u16).to_le_bytes());
    packet.push(0);
    packet.extend(body.as_bytes());
    config_end.write_all(&packet).unwrap();
    let log_path = env.dir.path().join("wrapper.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vassalrun"));
    for (key, _) in std::env::vars() {
        if key.starts_with("VASSALRUN_") || key.starts_with("UWSGI_") {
            cmd.env_remove(key);
        }
    }
    use std::os::fd::AsRawFd;
    let (vassal_fd, config_fd) = (vassal_end.as_raw_fd(), vassal_config.as_raw_fd());
    cmd.args(["--ini", "emperor://piped.ini"])
        .current_dir(env.dir.path())
        .env("UWSGI_EMPEROR_FD", "5")
        .env("UWSGI_EMPEROR_FD_CONFIG", "6")
        .env("VASSALRUN_ROOT", env.root())
        .env("VASSALRUN_RUN_DIR", env.dir.path().join("run"))
        .env("VASSALRUN_CONFIG_DIR", env.config_dir())
        .env("VASSALRUN_CGROUP_PARENT", &env.cgroup_parent)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    // SAFETY: only fcntl and dup2 (async-signal-safe) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            // Out of the way first: either may already be 5 or 6.
            let high = |fd| nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_DUPFD(100));
            let (vassal_fd, config_fd) = (high(vassal_fd)?, high(config_fd)?);
            nix::unistd::dup2(vassal_fd, 5)?;
            nix::unistd::dup2(config_fd, 6)?;
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    drop(vassal_end);
    drop(vassal_config);
    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    wait_for_then(
        Duration::from_secs(30),
        || format!("HTTP 200 on {}\n{}", socket.display(), read_log()),
        || is_ok(&http_get_unix(&socket)).then_some(()),
    );
    // The vassal announced itself (byte 1) on the control fd.
    let mut byte = [0u8; 1];
    emperor_end
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    emperor_end.read_exact(&mut byte).unwrap();
    assert_eq!(byte[0], 1);
    // EOF on the control fd: "lost connection with my emperor", the vassal ends.
    drop(emperor_end);
    let status = wait_for(Duration::from_secs(30), "the wrapper's exit", || {
        child.try_wait().unwrap()
    });
    assert!(
        read_log().contains("lost connection with my emperor"),
        "{status:?}\n{}",
        read_log()
    );
    assert_clean(&env);
}

#[test]
fn test_emperor_sigkill_of_the_wrapper_kills_the_container_and_respawn_replaces_it() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("app.sock");
    emperor.add_vassal("app.ini", &socket_vassal(&socket, ""));
    wait_http_ok(&emperor, &socket);
    let first = emperor.wait_vassal("app.ini", "loyal");
    let wrapper = first["pid"].as_i64().unwrap() as i32;
    let old_id = emperor.inspect("app.ini").unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let pids = container_pids(&emperor.env, &old_id);
    assert!(pids.len() >= 2, "master and worker: {pids:?}");

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(wrapper),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    wait_for(
        Duration::from_secs(2),
        "the container's processes to die",
        || pids.iter().all(|p| is_gone(*p)).then_some(()),
    );

    let respawned = wait_for(Duration::from_secs(30), "the respawn", || {
        emperor
            .vassal("app.ini")
            .filter(|v| v["pid"] != first["pid"] && v["ready"] == 1)
    });
    assert_ne!(respawned["pid"], wrapper);
    wait_http_ok(&emperor, &socket);
    let new_id = emperor.inspect("app.ini").unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_id, old_id);
    assert_eq!(
        emperor.env.container_ids(),
        vec![new_id],
        "the stale container is replaced"
    );
}

#[test]
fn test_emperor_signals_to_the_wrapper_stop_or_reload_the_vassal() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("app.sock");
    emperor.add_vassal("app.ini", &socket_vassal(&socket, ""));
    wait_http_ok(&emperor, &socket);
    let first = emperor.wait_vassal("app.ini", "ready");
    let wrapper = nix::unistd::Pid::from_raw(first["pid"].as_i64().unwrap() as i32);
    // SIGHUP stays SIGHUP: a graceful reload in the same wrapper.
    nix::sys::signal::kill(wrapper, nix::sys::signal::Signal::SIGHUP).unwrap();
    // Until the new master is ready, an old worker may still answer, and a
    // signal during the master's re-exec finds uWSGI without its handlers.
    wait_for_then(
        Duration::from_secs(30),
        || format!("the graceful reload\n{}", emperor.log()),
        || {
            let log = emperor.log();
            (log.contains("gracefully (RE)spawned uWSGI master")
                && log.matches("is ready to accept requests").count() >= 2)
                .then_some(())
        },
    );
    wait_http_ok(&emperor, &socket);
    assert_eq!(emperor.vassal("app.ini").unwrap()["pid"], first["pid"]);
    // SIGTERM becomes SIGINT: the vassal shuts down (not a brutal reload).
    nix::sys::signal::kill(wrapper, nix::sys::signal::Signal::SIGTERM).unwrap();
    wait_for_then(
        Duration::from_secs(30),
        || format!("the shutdown\n{}", emperor.log()),
        || emperor.log().contains("goodbye to uWSGI").then_some(()),
    );
    wait_for(Duration::from_secs(10), "the wrapper's exit", || {
        is_gone(wrapper.as_raw()).then_some(())
    });
    // `vassalrun stop` of the respawned vassal: SIGINT too (its stop signal).
    wait_for(Duration::from_secs(30), "the respawn", || {
        emperor
            .vassal("app.ini")
            .filter(|v| v["pid"] != first["pid"] && v["ready"] == 1)
    });
    let out = emperor.env.run(&["stop", "app.ini"]);
    assert!(out.status.success(), "{}", describe(&out));
    wait_for(Duration::from_secs(30), "the second shutdown", || {
        (emperor.log().matches("goodbye to uWSGI").count() >= 2).then_some(())
    });
    assert!(!emperor.log().contains("brutally"), "{}", emperor.log());
}

#[test]
fn test_emperor_vassal_without_image_runs_on_the_host() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("host.sock");
    emperor.add_vassal(
        "host.ini",
        &format!(
            "[emperor]\nsomething-else = 1\n[uwsgi]\nhttp-socket = {}\nroute-run = return:200\n",
            socket.display()
        ),
    );
    wait_http_ok(&emperor, &socket);
    let vassal = emperor.wait_vassal("host.ini", "loyal");
    let pid = vassal["pid"].as_i64().unwrap();
    // The wrapper exec'd the host's uWSGI: same pid, host binary, no container.
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert_eq!(exe, Path::new(HOST_UWSGI));
    assert!(emperor.env.container_ids().is_empty());
}

#[test]
fn test_emperor_require_image_refuses_a_vassal_without_image() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start_with(&[("VASSALRUN_REQUIRE_IMAGE", "1")]);
    let socket = emperor.socket("host.sock");
    emperor.add_vassal(
        "host.ini",
        &format!(
            "[uwsgi]\nhttp-socket = {}\nroute-run = return:200\n",
            socket.display()
        ),
    );
    wait_for(Duration::from_secs(20), "the refusal", || {
        emperor
            .log()
            .contains(
                "[vassalrun] host.ini: no docker-image attribute, and containers are required",
            )
            .then_some(())
    });
    assert!(!is_ok(&http_get_unix(&socket)));
    assert!(emperor.env.container_ids().is_empty());
}

#[test]
fn test_emperor_config_file_require_image() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    std::fs::write(
        emperor.env.config_dir().join("config.toml"),
        "[emperor]\nrequire-image = true\n",
    )
    .unwrap();
    emperor.add_vassal("host.ini", "[uwsgi]\nroute-run = return:200\n");
    wait_for(Duration::from_secs(20), "the refusal", || {
        emperor
            .log()
            .contains("[vassalrun] host.ini: no docker-image attribute")
            .then_some(())
    });
}

#[test]
fn test_emperor_bad_attribute_fails_with_a_line_naming_it_and_leaves_nothing() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    emperor.add_vassal(
        "bad.ini",
        &format!(
            "[emperor]\ndocker-image = {IMAGE}\ndocker-memory = lots\n[uwsgi]\nroute-run = return:200\n"
        ),
    );
    emperor.add_vassal(
        "unknown.ini",
        &format!(
            "[emperor]\ndocker-image = {IMAGE}\ndocker-bogus = 1\n[uwsgi]\nroute-run = return:200\n"
        ),
    );
    emperor.add_vassal(
        "noimage.ini",
        "[emperor]\ndocker-image = /nonexistent/image\n[uwsgi]\nroute-run = return:200\n",
    );
    wait_for(Duration::from_secs(20), "the log lines", || {
        let log = emperor.log();
        (log.contains("[vassalrun] bad.ini: docker-memory: invalid argument \"lots\"")
            && log.contains("[vassalrun] unknown.ini: docker-bogus: unknown attribute")
            && log.contains("[vassalrun] noimage.ini: "))
        .then_some(())
    });
    // Each failed spawn is reported once per line, and nothing is left.
    for line in emperor
        .log()
        .lines()
        .filter(|l| l.starts_with("[vassalrun]"))
    {
        assert!(!line.contains('\n'));
    }
    emperor.assert_clean();
}

#[test]
fn test_emperor_twenty_vassals_start_and_stop_together() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let count = 20;
    let sockets: Vec<PathBuf> = (0..count)
        .map(|i| emperor.socket(&format!("v{i}.sock")))
        .collect();
    for (i, socket) in sockets.iter().enumerate() {
        emperor.add_vassal(&format!("v{i}.ini"), &socket_vassal(socket, ""));
    }
    for socket in &sockets {
        wait_for(
            Duration::from_secs(120),
            &format!("{} to answer\n{}", socket.display(), emperor.log()),
            || is_ok(&http_get_unix(socket)).then_some(()),
        );
    }
    let out = emperor.env.run(&["ps", "-q"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        count,
        "{}\n{}\n{}",
        describe(&out),
        describe(&emperor.env.run(&["ps", "-a"])),
        emperor.log()
    );
    for i in 0..count {
        std::fs::remove_file(emperor.vassals_dir().join(format!("v{i}.ini"))).unwrap();
    }
    wait_for(Duration::from_secs(60), "every removal", || {
        let log = emperor.log();
        (0..count)
            .all(|i| log.contains(&format!("removed uwsgi instance v{i}.ini")))
            .then_some(())
    });
    emperor.assert_clean();
}

/// `docker-port` through bridge networking: the vassal listens on 8080 in its
/// own network namespace; the Emperor's namespace reaches it on 127.0.0.1:18080.
#[test]
fn test_emperor_docker_port_publishes_the_vassal() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    emperor.add_vassal(
        "port.ini",
        &format!(
            "[emperor]\ndocker-image = {IMAGE}\ndocker-port = 127.0.0.1:18080:8080\n\
             [uwsgi]\nhttp-socket = 0.0.0.0:8080\nmaster = true\nroute-run = return:200\n"
        ),
    );
    let get = || {
        let mut stream = std::net::TcpStream::connect("127.0.0.1:18080").ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        stream.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    };
    wait_for(
        Duration::from_secs(30),
        "HTTP through the mapped port",
        || emperor.netns.run(get).filter(|r| is_ok(r)),
    );
    emperor.wait_vassal("port.ini", "loyal");
    // A second vassal on the same host port fails with a clear line.
    emperor.add_vassal(
        "port2.ini",
        &format!(
            "[emperor]\ndocker-image = {IMAGE}\ndocker-port = 127.0.0.1:18080:8080\n\
             [uwsgi]\nhttp-socket = 0.0.0.0:8080\nroute-run = return:200\n"
        ),
    );
    wait_for(Duration::from_secs(30), "the port conflict", || {
        emperor
            .log()
            .lines()
            .any(|l| l.starts_with("[vassalrun] port2.ini:") && l.contains("18080"))
            .then_some(())
    });
    std::fs::remove_file(emperor.vassals_dir().join("port.ini")).unwrap();
    std::fs::remove_file(emperor.vassals_dir().join("port2.ini")).unwrap();
    emperor.assert_clean();
}

#[test]
fn test_emperor_vassals_go_through_run_modules() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let modules = emperor.env.config_dir().join("modules.d");
    std::fs::create_dir_all(&modules).unwrap();
    std::fs::write(
        modules.join("10-vassals.toml"),
        "args = [\"--label\", \"via=module\"]\n[match]\norigin = [\"emperor\"]\n",
    )
    .unwrap();
    std::fs::write(
        modules.join("20-cli-only.toml"),
        "args = [\"--label\", \"cli=only\"]\n[match]\norigin = [\"cli\"]\n",
    )
    .unwrap();
    let socket = emperor.socket("mod.sock");
    emperor.add_vassal("mod.ini", &socket_vassal(&socket, ""));
    emperor.wait_vassal("mod.ini", "ready");
    let container = emperor.inspect("mod.ini").expect("the vassal's container");
    let labels = &container["Config"]["Labels"];
    assert_eq!(labels["via"], "module", "{labels}");
    assert!(labels.get("cli").is_none(), "{labels}");
    std::fs::remove_file(emperor.vassals_dir().join("mod.ini")).unwrap();
    emperor.assert_clean();
}

/// `vassalrun exec NAME ARGS…` as the test's env; (exit code, stdout, stderr).
fn exec_in(emperor: &Emperor, name: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = emperor.env.run(&[&["exec", name][..], args].concat());
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn test_emperor_vassal_sees_only_its_own_file_and_no_host_paths() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let (a, b) = (emperor.socket("a.sock"), emperor.socket("b.sock"));
    emperor.add_vassal("a.ini", &socket_vassal(&a, "; marker-one"));
    emperor.add_vassal(
        "b.ini",
        &socket_vassal(&b, "docker-env = DB_PASSWORD=hunter2-secret"),
    );
    wait_http_ok(&emperor, &a);
    wait_http_ok(&emperor, &b);
    emperor.wait_vassal("a.ini", "loyal");
    // libcontainer records "running" just after the command starts.
    wait_for(Duration::from_secs(10), "a.ini running", || {
        emperor
            .inspect("a.ini")
            .filter(|c| c["State"]["Status"] == "running")
    });

    // Only its own file, at /vassal; the other vassal's is nowhere.
    let (code, listing, err) = exec_in(&emperor, "a.ini", &["ls", "-a", "/vassal"]);
    assert_eq!(code, Some(0), "{err}\n{}", emperor.log());
    let names: Vec<&str> = listing.split_whitespace().collect();
    assert_eq!(names, vec![".", "..", "a.ini"], "{listing}");
    let (code, _, _) = exec_in(&emperor, "a.ini", &["cat", "/vassal/b.ini"]);
    assert_ne!(code, Some(0));
    let vassals = emperor.vassals_dir().display().to_string();
    let (code, _, _) = exec_in(&emperor, "a.ini", &["cat", &format!("{vassals}/b.ini")]);
    assert_ne!(
        code,
        Some(0),
        "the Emperor's directory is not in the container"
    );
    let (_, grep, _) = exec_in(
        &emperor,
        "a.ini",
        &["grep", "-rl", "hunter2-secret", "/vassal", "/etc", "/tmp"],
    );
    assert!(grep.trim().is_empty(), "{grep}");

    // No host path of the Emperor's directory or of the binary.
    let binary = env!("CARGO_BIN_EXE_vassalrun");
    for file in ["/proc/self/mountinfo", "/proc/1/cmdline", "/proc/2/cmdline"] {
        let (code, text, err) = exec_in(&emperor, "a.ini", &["cat", file]);
        assert_eq!(code, Some(0), "{file}: {err}");
        assert!(!text.contains(&vassals), "{file} shows {vassals}:\n{text}");
        assert!(!text.contains(binary), "{file} shows {binary}:\n{text}");
    }
    let (_, cmdline, _) = exec_in(&emperor, "a.ini", &["cat", "/proc/1/cmdline"]);
    assert!(cmdline.starts_with("vassalrun-pid1\0"), "{cmdline:?}");
    let (_, cmdline, _) = exec_in(&emperor, "a.ini", &["cat", "/proc/2/cmdline"]);
    assert!(cmdline.contains("/vassal/a.ini"), "{cmdline:?}");

    // An edit that replaces the file (as editors and deploy tools do) reaches
    // the copy the vassal reads at its next reload.
    let edited = socket_vassal(&a, "; marker-two");
    let tmp = emperor.vassals_dir().join(".a.ini.new");
    std::fs::write(&tmp, &edited).unwrap();
    std::fs::rename(&tmp, emperor.vassals_dir().join("a.ini")).unwrap();
    wait_for(Duration::from_secs(10), "the refreshed copy", || {
        let (_, text, _) = exec_in(&emperor, "a.ini", &["cat", "/vassal/a.ini"]);
        text.contains("marker-two").then_some(())
    });
    wait_http_ok(&emperor, &a);
}

#[test]
fn test_emperor_sigkill_of_the_emperor_then_gc_leaves_nothing() {
    if !can_run() {
        return;
    }
    let mut emperor = Emperor::start();
    let socket = emperor.socket("app.sock");
    emperor.add_vassal("app.ini", &socket_vassal(&socket, ""));
    wait_http_ok(&emperor, &socket);
    let id = emperor.inspect("app.ini").unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let pids = wait_for_then(
        Duration::from_secs(10),
        || format!("the container's pids\n{}", emperor.log()),
        || Some(container_pids(&emperor.env, &id)).filter(|p| !p.is_empty()),
    );
    let mut child = emperor.child.take().unwrap();
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL).unwrap();
    let _ = child.wait();
    wait_for(
        Duration::from_secs(5),
        "the container's processes to die",
        || pids.iter().all(|p| is_gone(*p)).then_some(()),
    );
    // Dead, not gone: the wrapper had no chance to clean up.
    assert_eq!(emperor.env.container_ids(), vec![id.clone()]);
    let out = emperor.env.run(&["gc"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("container {id} (app.ini, dead, removed)")),
        "{stdout}"
    );
    emperor.assert_clean();
    let copies = emperor.env.dir.path().join("run/vassals");
    let left: Vec<_> = std::fs::read_dir(&copies)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "vassal copies left: {left:?}");
}

#[path = "common/oci_image.rs"]
mod oci_image;
#[path = "common/registry.rs"]
mod registry;

/// `docker-image` names an image in a registry: the wrapper pulls it
/// (`docker-pull` defaults to `missing`) and the vassal runs on it.
#[test]
fn test_emperor_vassal_on_a_pulled_image() {
    if !can_run() || !registry::available() {
        return;
    }
    let emperor = Emperor::start_with(&[("VASSALRUN_INSECURE_REGISTRIES", "127.0.0.0/8")]);
    let ns = emperor.netns.path().display().to_string();
    let registry =
        registry::Registry::start(&emperor.env.dir.path().join("registry"), Some(&ns), false);
    let layers = vec![oci_image::Layer {
        tar: std::fs::read(uwsgi_tarball()).unwrap(),
        gzip: false,
    }];
    let config = oci_image::config_json(&layers, oci_image::host_arch(), serde_json::json!({}));
    let layout = oci_image::oci_layout(
        &emperor.env.dir.path().join("layout"),
        &layers,
        &config,
        None,
    );
    registry.push(
        &format!("oci:{}", layout.display()),
        "vassals/uwsgi:1",
        false,
    );
    let image = format!("{}/vassals/uwsgi:1", registry.host());
    let socket = emperor.socket("pulled.sock");
    emperor.add_vassal(
        "pulled.ini",
        &socket_vassal(&socket, "").replace(
            &format!("docker-image = {IMAGE}\n"),
            &format!("docker-image = {image}\n"),
        ),
    );
    emperor.wait_vassal("pulled.ini", "ready");
    wait_http_ok(&emperor, &socket);
    let out = emperor.env.run(&["image", "ls", "--format", "json"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&image),
        "{}",
        describe(&out)
    );
    std::fs::remove_file(emperor.vassals_dir().join("pulled.ini")).unwrap();
    wait_for(Duration::from_secs(30), "the vassal's removal", || {
        emperor
            .log()
            .contains("removed uwsgi instance pulled.ini")
            .then_some(())
    });
    emperor.assert_clean();
}

/// The mode and owner of a socket file.
fn mode_and_owner(path: &Path) -> (u32, u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).unwrap();
    (meta.mode() & 0o7777, meta.uid(), meta.gid())
}

/// Starts `vassalrun ARGS` with its stdout and stderr in `out`.
fn spawn_vassalrun(env: &TestEnv, args: &[&str], out: &Path) -> Child {
    let file = std::fs::File::create(out).unwrap();
    env.command()
        .args(args)
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("spawn vassalrun")
}

/// Sets the vassal file's mtime ahead: the Emperor reloads it (byte 1).
fn touch_vassal(emperor: &Emperor, name: &str) {
    let mtime = std::time::SystemTime::now() + Duration::from_secs(2);
    std::fs::File::options()
        .write(true)
        .open(emperor.vassals_dir().join(name))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
}

fn remove_vassal(emperor: &Emperor, name: &str) {
    std::fs::remove_file(emperor.vassals_dir().join(name)).unwrap();
    wait_for(Duration::from_secs(30), "the vassal's removal", || {
        emperor
            .log()
            .contains(&format!("removed uwsgi instance {name}"))
            .then_some(())
    });
}

/// Without `docker-workdir` the vassal runs in the image's working directory
/// (`/` for the fixture), as under Docker; its output reaches the Emperor's
/// log, `vassalrun logs`, `logs -f` and `attach` alike.
#[test]
fn test_emperor_vassal_runs_in_the_images_workdir_and_its_output_reaches_logs_and_attach() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("app.sock");
    emperor.add_vassal("app.ini", &socket_vassal(&socket, ""));
    wait_http_ok(&emperor, &socket);
    emperor.wait_vassal("app.ini", "loyal");
    // uWSGI prints its cwd at startup; the Emperor's own line shows the test's.
    let cwd_line = "current working directory: /";
    wait_for_then(
        Duration::from_secs(10),
        || format!("the vassal's cwd line\n{}", emperor.log()),
        || emperor.log().lines().any(|l| l == cwd_line).then_some(()),
    );
    let container = emperor.inspect("app.ini").unwrap();
    let workdir = &container["Config"]["WorkingDir"];
    assert!(workdir.is_null() || workdir == "", "{container}");
    let logs = emperor.env.run(&["logs", "app.ini"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&logs.stdout),
        String::from_utf8_lossy(&logs.stderr)
    );
    assert!(logs.status.success(), "{}", describe(&logs));
    assert!(text.lines().any(|l| l == cwd_line), "{text}");
    assert!(text.contains("getting INI configuration from /vassal/app.ini"));

    let dir = emperor.env.dir.path();
    let mut follow = spawn_vassalrun(
        &emperor.env,
        &["logs", "-f", "app.ini"],
        &dir.join("follow.out"),
    );
    let mut attach = spawn_vassalrun(
        &emperor.env,
        &["attach", "--no-stdin", "--sig-proxy=false", "app.ini"],
        &dir.join("attach.out"),
    );
    std::thread::sleep(Duration::from_millis(500));
    touch_vassal(&emperor, "app.ini");
    for out in ["follow.out", "attach.out"] {
        wait_for_then(
            Duration::from_secs(30),
            || {
                format!(
                    "the reload in {out}: {}",
                    std::fs::read_to_string(dir.join(out)).unwrap_or_default()
                )
            },
            || {
                std::fs::read_to_string(dir.join(out))
                    .unwrap_or_default()
                    .contains("received message 1 from emperor")
                    .then_some(())
            },
        );
    }
    assert!(emperor.log().contains("received message 1 from emperor"));
    wait_http_ok(&emperor, &socket);
    remove_vassal(&emperor, "app.ini");
    // Both end with the container, as under Docker.
    for (what, child) in [("logs -f", &mut follow), ("attach", &mut attach)] {
        let ended = wait_for_then(
            Duration::from_secs(15),
            || format!("{what} to end"),
            || child.try_wait().unwrap(),
        );
        let _ = ended;
    }
    emperor.assert_clean();
}

/// `docker-log-driver = none`: no json-file log (`logs` has nothing to show),
/// the output still goes to the Emperor's log.
#[test]
fn test_emperor_log_driver_none_keeps_only_the_emperors_log() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("quiet.sock");
    emperor.add_vassal(
        "quiet.ini",
        &socket_vassal(&socket, "docker-log-driver = none"),
    );
    wait_http_ok(&emperor, &socket);
    wait_for_then(
        Duration::from_secs(10),
        || {
            format!(
                "the vassal's output in the Emperor's log\n{}",
                emperor.log()
            )
        },
        || {
            emperor
                .log()
                .contains("getting INI configuration from /vassal/quiet.ini")
                .then_some(())
        },
    );
    let container = emperor.inspect("quiet.ini").unwrap();
    assert_eq!(container["HostConfig"]["LogConfig"]["Type"], "none");
    let logs = emperor.env.run(&["logs", "quiet.ini"]);
    assert_eq!(logs.status.code(), Some(125), "{}", describe(&logs));
    assert!(
        String::from_utf8_lossy(&logs.stderr).contains("log driver none"),
        "{}",
        describe(&logs)
    );
    remove_vassal(&emperor, "quiet.ini");
    emperor.assert_clean();
}

/// `docker-mount = /host:/ctr` with a missing host directory creates it, as
/// the Engine API's `Binds` (the old plugin's) and `docker run -v` do.
#[test]
fn test_emperor_docker_mount_creates_a_missing_host_directory() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("mount.sock");
    let data = emperor.env.dir.path().join("data/new/dir");
    emperor.add_vassal(
        "mount.ini",
        &socket_vassal(&socket, &format!("docker-mount = {}:/data", data.display())),
    );
    wait_http_ok(&emperor, &socket);
    let meta = std::fs::metadata(&data).expect("the host directory is created");
    assert!(meta.is_dir());
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o755
    );
    std::fs::write(data.join("hello"), "from the host").unwrap();
    let (code, out, err) = exec_in(&emperor, "mount.ini", &["cat", "/data/hello"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "from the host");
    remove_vassal(&emperor, "mount.ini");
    emperor.assert_clean();
}

/// `docker-socket` gets uWSGI's `chmod-socket`/`chown-socket`: the Emperor's
/// (a bare `--chmod-socket` is 666), overridden by the vassal's `[uwsgi]`
/// options, overridden by `docker-socket-mode`.
#[test]
fn test_emperor_docker_socket_honours_chmod_and_chown_socket() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start_full(&[], &["--chmod-socket", "--chown-socket", "0:1"]);
    let plain = emperor.socket("plain.sock");
    let own = emperor.socket("own.sock");
    let explicit = emperor.socket("explicit.sock");
    emperor.add_vassal("plain.ini", &socket_vassal(&plain, ""));
    emperor.add_vassal(
        "own.ini",
        &format!(
            "{}chmod-socket = 660\nchown-socket = 2:2\n",
            socket_vassal(&own, "")
        ),
    );
    emperor.add_vassal(
        "explicit.ini",
        &format!(
            "{}chmod-socket = 660\n",
            socket_vassal(&explicit, "docker-socket-mode = 600")
        ),
    );
    for socket in [&plain, &own, &explicit] {
        wait_http_ok(&emperor, socket);
    }
    assert_eq!(mode_and_owner(&plain), (0o666, 0, 1));
    assert_eq!(mode_and_owner(&own), (0o660, 2, 2));
    assert_eq!(mode_and_owner(&explicit), (0o600, 0, 1));
    for name in ["plain.ini", "own.ini", "explicit.ini"] {
        remove_vassal(&emperor, name);
    }
    emperor.assert_clean();
}

/// `docker-cidfile` stays after the vassal ends (as Docker's and the old
/// plugin's); `docker-debug` logs the generated spec.
#[test]
fn test_emperor_cidfile_stays_and_docker_debug_logs_the_spec() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("cid.sock");
    let cidfile = emperor.env.dir.path().join("cid.ini.cid");
    emperor.add_vassal(
        "cid.ini",
        &socket_vassal(
            &socket,
            &format!(
                "docker-cidfile = {}\ndocker-debug = true",
                cidfile.display()
            ),
        ),
    );
    wait_http_ok(&emperor, &socket);
    let id = emperor.inspect("cid.ini").unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(std::fs::read_to_string(&cidfile).unwrap(), id);
    assert!(
        emperor
            .log()
            .lines()
            .any(|l| l.starts_with("[vassalrun] cid.ini: spec: ") && l.contains("\"ociVersion\"")),
        "{}",
        emperor.log()
    );
    remove_vassal(&emperor, "cid.ini");
    emperor.assert_clean();
    assert_eq!(
        std::fs::read_to_string(&cidfile).unwrap(),
        id,
        "the cidfile outlives the vassal"
    );
}

/// The processes vassalrun keeps per vassal: the wrapper (the pid the
/// Emperor tracks), in the small relay image, and the PID holder, in the same
/// small image; neither maps the big vassalrun binary. The container's command
/// is the wrapper's other child.
#[test]
fn test_emperor_vassal_keeps_two_small_processes() {
    if !can_run() {
        return;
    }
    let emperor = Emperor::start();
    let socket = emperor.socket("lean.sock");
    emperor.add_vassal("lean.ini", &socket_vassal(&socket, ""));
    wait_http_ok(&emperor, &socket);
    let wrapper = emperor.wait_vassal("lean.ini", "ready")["pid"]
        .as_i64()
        .unwrap() as i32;
    let exe = |pid: i32| {
        std::fs::read_link(format!("/proc/{pid}/exe"))
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    };
    let children = |pid: i32| -> Vec<i32> {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    };
    let relay = emperor.env.dir.path().join("run/bin/vassalrun-relay");
    // The wrapper execs the relay once the container is started, which may
    // come after uWSGI inside is ready (a loaded machine): the steady state.
    wait_for(
        Duration::from_secs(10),
        "the wrapper to exec the relay",
        || (exe(wrapper) == relay.display().to_string()).then_some(()),
    );
    let kids = children(wrapper);
    assert_eq!(kids.len(), 2, "holder and command: {kids:?}");
    let comm = |pid: i32| {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let holder = *kids
        .iter()
        .find(|&&p| comm(p) == "vassalrun-pid1")
        .expect("the PID holder");
    let command = *kids.iter().find(|&&p| p != holder).unwrap();
    assert_eq!(exe(holder), relay.display().to_string());
    assert!(exe(command).ends_with("uwsgi-core"), "{}", exe(command));
    assert!(children(holder).is_empty());
    for pid in [wrapper, holder] {
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
        assert!(
            !maps.lines().any(|l| l.ends_with("/bin/vassalrun")),
            "{pid} maps vassalrun"
        );
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        assert!(status.contains("\nThreads:\t1\n"), "{status}");
    }
    // The holder keeps nothing but stdio (fd 0 is /dev/null).
    let fds: Vec<_> = std::fs::read_dir(format!("/proc/{holder}/fd"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        fds.iter().all(|f| ["0", "1", "2"].contains(&f.as_str())),
        "{fds:?}"
    );
    remove_vassal(&emperor, "lean.ini");
    emperor.assert_clean();
}

/// An HTTP GET from inside the Emperor's network namespace.
fn http_get_tcp(emperor: &Emperor, address: &'static str) -> Option<String> {
    emperor.netns.run(move || {
        let mut stream = std::net::TcpStream::connect(address).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        stream.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    })
}

/// A vassal written for Docker binds to `172.*` (uWSGI's auto-ip): the
/// default bridge is 172.17.0.0/16, or the next of Docker's pools when the
/// host already routes 172.17/16.
#[test]
fn test_emperor_default_bridge_is_dockers_172_17_with_a_fallback() {
    if !can_run() {
        return;
    }
    let vassal = |port: u16| {
        format!(
            "[emperor]\ndocker-image = {IMAGE}\ndocker-port = 127.0.0.1:{port}:8080\n\
             [uwsgi]\nhttp-socket = 172.*:8080\nmaster = true\nroute-run = return:200\n"
        )
    };
    let emperor = Emperor::start();
    emperor.add_vassal("docker.ini", &vassal(18091));
    wait_for(
        Duration::from_secs(30),
        &format!("HTTP through 172.*\n{}", emperor.log()),
        || http_get_tcp(&emperor, "127.0.0.1:18091").filter(|r| is_ok(r)),
    );
    let ip = emperor.inspect("docker.ini").unwrap()["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ip.starts_with("172.17."), "{ip}");
    remove_vassal(&emperor, "docker.ini");
    emperor.assert_clean();

    // 172.17.0.0/16 already routed in this namespace (say, by docker0).
    let taken = Emperor::start();
    let ip_cmd = |args: &[&str]| {
        let status = Command::new("nsenter")
            .arg(format!("--net={}", taken.netns.path().display()))
            .arg("ip")
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "ip {args:?}");
    };
    ip_cmd(&["route", "add", "172.17.0.0/16", "dev", "lo"]);
    taken.add_vassal("fallback.ini", &vassal(18092));
    wait_for(
        Duration::from_secs(30),
        &format!("HTTP through 172.*\n{}", taken.log()),
        || http_get_tcp(&taken, "127.0.0.1:18092").filter(|r| is_ok(r)),
    );
    let ip = taken.inspect("fallback.ini").unwrap()["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ip.starts_with("172.18."), "{ip}");
    remove_vassal(&taken, "fallback.ini");
    taken.assert_clean();
}

/// A vassalrun installed on a read-only mount is run as it is: no exec of
/// a protected copy (one exec less per spawn), the relay image beside it.
#[test]
fn test_emperor_wrapper_on_a_read_only_mount_saves_the_protecting_exec() {
    if !can_run() {
        return;
    }
    let bin = tempfile::tempdir().unwrap();
    let built = Path::new(env!("CARGO_BIN_EXE_vassalrun"));
    let mut mounted = Vec::new();
    for name in ["vassalrun", "vassalrun-relay"] {
        let target = bin.path().join(name);
        std::fs::write(&target, "").unwrap();
        let source = built.with_file_name(name);
        for args in [
            vec!["--bind".to_string(), source.display().to_string()],
            vec!["-o".into(), "remount,bind,ro".into()],
        ] {
            let status = Command::new("mount")
                .args(&args)
                .arg(&target)
                .status()
                .unwrap();
            assert!(status.success(), "mount {args:?} {}", target.display());
        }
        mounted.push(target);
    }
    struct Unmount(Vec<PathBuf>);
    impl Drop for Unmount {
        fn drop(&mut self) {
            for path in &self.0 {
                let _ = Command::new("umount").arg(path).status();
            }
        }
    }
    let _unmount = Unmount(mounted);
    let wrapper = bin.path().join("vassalrun");
    {
        let emperor = Emperor::start_wrapped(&wrapper, &[], &[]);
        let socket = emperor.socket("ro.sock");
        emperor.add_vassal("ro.ini", &socket_vassal(&socket, ""));
        wait_http_ok(&emperor, &socket);
        let pid = emperor.wait_vassal("ro.ini", "ready")["pid"]
            .as_i64()
            .unwrap();
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
        assert_eq!(exe, bin.path().join("vassalrun-relay"));
        assert!(
            !emperor.env.dir.path().join("run/bin/vassalrun").exists(),
            "no protected copy was needed"
        );
        remove_vassal(&emperor, "ro.ini");
        emperor.assert_clean();
    }
}
