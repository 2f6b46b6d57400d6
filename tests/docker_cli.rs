//! The docker-compatible entry through the real binary, replaying the command
//! lines Mesos's Docker containerizer and executor issue (apache/mesos
//! `src/docker/docker.cpp`): `--version`, image `inspect` then `pull`, a
//! foreground `run` with Mesos's flags, `inspect --type=container` until
//! `StartedAt` leaves Docker's zero time, `logs`, `stop -t`, `rm -v`, `ps -a`
//! — both as `vassalrun docker …` and through a `docker` symlink.

mod common;

#[path = "common/oci_image.rs"]
mod oci_image;
#[path = "common/registry.rs"]
mod registry;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{busybox_tarball, can_run_containers, describe, json_stdout, TestEnv};
use serde_json::Value;

const SOCKET: &str = "unix:///var/run/docker.sock";
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// How the test calls `docker`.
#[derive(Clone, Copy)]
enum Entry {
    /// `vassalrun --root … docker ARGS`.
    Subcommand,
    /// A `docker` symlink to vassalrun, configured by `VASSALRUN_*` variables
    /// (as an orchestrator would run it).
    Symlink,
}

fn docker(env: &TestEnv, entry: Entry) -> Command {
    match entry {
        Entry::Subcommand => {
            let mut c = env.command();
            c.arg("docker");
            c
        }
        Entry::Symlink => {
            let link = env.dir.path().join("bin/docker");
            if !link.exists() {
                std::fs::create_dir_all(link.parent().unwrap()).unwrap();
                std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_vassalrun"), &link).unwrap();
            }
            let mut c = match &env.netns {
                Some(ns) => {
                    let mut c = Command::new("nsenter");
                    c.arg(format!("--net=/run/netns/{ns}")).arg(&link);
                    c
                }
                None => Command::new(&link),
            };
            for (key, _) in std::env::vars() {
                if key.starts_with("VASSALRUN_") {
                    c.env_remove(key);
                }
            }
            c.env("VASSALRUN_ROOT", env.root())
                .env("VASSALRUN_RUN_DIR", env.dir.path().join("run"))
                .env("VASSALRUN_CONFIG_DIR", env.config_dir())
                .env("VASSALRUN_CGROUP_PARENT", &env.cgroup_parent)
                .stdin(Stdio::null());
            c
        }
    }
}

fn run(env: &TestEnv, entry: Entry, args: &[&str]) -> Output {
    docker(env, entry).args(args).output().expect("run docker")
}

/// Mesos's version check: the last word before the first comma, >= 1.8.0.
fn check_version(env: &TestEnv, entry: Entry) {
    let out = run(env, entry, &["-H", SOCKET, "--version"]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.split(',').next().unwrap();
    let version = first.split(' ').next_back().unwrap();
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(parts.len() == 3 && (parts[0], parts[1]) >= (1, 8), "{text}");
    let out = run(
        env,
        entry,
        &["-H", SOCKET, "version", "--format", "{{.Server.Version}}"],
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), version);
}

/// Mesos's pull: `inspect IMAGE:latest`, on failure `pull`, then `inspect`
/// again, reading `ContainerConfig.Entrypoint` and `.Env`.
fn pull_image(env: &TestEnv, entry: Entry) {
    let out = run(env, entry, &["-H", SOCKET, "inspect", "busybox:latest"]);
    if !out.status.success() {
        let out = run(env, entry, &["-H", SOCKET, "pull", "busybox:latest"]);
        assert!(out.status.success(), "{}", describe(&out));
    }
    let images = json_stdout(&run(
        env,
        entry,
        &["-H", SOCKET, "inspect", "busybox:latest"],
    ));
    let image = &images.as_array().unwrap()[0];
    assert!(
        image["ContainerConfig"].get("Entrypoint").is_some(),
        "{image}"
    );
    assert!(image["ContainerConfig"].get("Env").is_some(), "{image}");
}

/// `inspect --type=container NAME` every 100 ms until it succeeds with a start time.
fn inspect_until_started(env: &TestEnv, entry: Entry, name: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = run(
            env,
            entry,
            &["-H", SOCKET, "inspect", "--type=container", name],
        );
        if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let c = v[0].clone();
            if c["State"]["StartedAt"] != ZERO_TIME {
                return c;
            }
        }
        assert!(
            Instant::now() < deadline,
            "never started: {}",
            describe(&out)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn mesos_session(entry: Entry) {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir().join("modules.d")).unwrap();
    std::fs::write(
        env.config_dir().join("docker.toml"),
        format!("[images]\n\"busybox:latest\" = {:?}\n", busybox_tarball()),
    )
    .unwrap();
    std::fs::write(
        env.config_dir().join("modules.d/10-labels.toml"),
        "builtin = \"orchestrator-labels\"\n",
    )
    .unwrap();
    check_version(&env, entry);
    pull_image(&env, entry);

    let sandbox: PathBuf = env.dir.path().join("sandbox");
    std::fs::create_dir_all(&sandbox).unwrap();
    let name = "mesos-0c5e6b3a-1d2f-4c8e-9a7b-5f6e7d8c9b0a";
    let volume = format!("{}:/mnt/mesos/sandbox", sandbox.display());
    let container_name = format!("MESOS_CONTAINER_NAME={name}");
    let script = "echo hello; echo to-err >&2; trap 'echo bye; exit 0' TERM; \
                  while true; do sleep 0.1; done";
    // Docker::run: in the foreground, stdout and stderr to the sandbox files.
    let mut run_child = docker(&env, entry)
        .args([
            "-H",
            SOCKET,
            "run",
            "--cpu-shares",
            "102",
            "--memory",
            "33554432",
        ])
        .args([
            "-e",
            "MESOS_SANDBOX=/mnt/mesos/sandbox",
            "-e",
            &container_name,
        ])
        .args(["-v", &volume, "--net", "host", "--entrypoint", "/bin/sh"])
        .args(["--name", name, "busybox:latest", "-c", script])
        .stdout(std::fs::File::create(sandbox.join("stdout")).unwrap())
        .stderr(std::fs::File::create(sandbox.join("stderr")).unwrap())
        .spawn()
        .unwrap();

    let c = inspect_until_started(&env, entry, name);
    assert_eq!(c["Name"], format!("/{name}"));
    assert_eq!(c["State"]["Running"], true);
    let pid = c["State"]["Pid"].as_i64().unwrap();
    assert!(
        pid > 0 && PathBuf::from(format!("/proc/{pid}")).exists(),
        "{c}"
    );
    assert_eq!(c["HostConfig"]["NetworkMode"], "host");
    assert_eq!(c["NetworkSettings"]["Networks"]["host"]["IPAddress"], "");
    assert_eq!(c["HostConfig"]["Memory"], 33554432);
    assert_eq!(c["HostConfig"]["CpuShares"], 102);
    assert_eq!(c["Config"]["Labels"]["io.vassalrun.orchestrator"], "mesos");
    assert_eq!(c["Config"]["Labels"]["io.vassalrun.entry"], "docker");

    // The recovery path lists containers and takes the last column as the name.
    let out = run(&env, entry, &["-H", SOCKET, "ps", "-a"]);
    let listing = String::from_utf8(out.stdout).unwrap();
    let last_columns: Vec<&str> = listing
        .lines()
        .skip(1)
        .filter_map(|l| l.split(' ').next_back())
        .collect();
    assert_eq!(last_columns, [name], "{listing}");

    // Older agents follow the log; it must end once the container stops.
    let follower = docker(&env, entry)
        .args(["-H", SOCKET, "logs", "--follow", name])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = run(&env, entry, &["logs", name]);
        if String::from_utf8_lossy(&out.stdout).contains("hello") {
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("to-err"),
                "{}",
                describe(&out)
            );
            break;
        }
        assert!(Instant::now() < deadline, "{}", describe(&out));
        std::thread::sleep(Duration::from_millis(100));
    }

    // Docker::stop, then Docker::rm (Mesos always passes -v).
    let out = run(&env, entry, &["-H", SOCKET, "stop", "-t", "3", name]);
    assert!(out.status.success(), "{}", describe(&out));
    let status = run_child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "the foreground run exits with the container"
    );
    let stdout = std::fs::read_to_string(sandbox.join("stdout")).unwrap();
    assert!(
        stdout.contains("hello") && stdout.contains("bye"),
        "{stdout}"
    );
    assert!(std::fs::read_to_string(sandbox.join("stderr"))
        .unwrap()
        .contains("to-err"));
    let followed = follower.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&followed.stdout).contains("bye"),
        "{}",
        describe(&followed)
    );

    let c = json_stdout(&run(
        &env,
        entry,
        &["-H", SOCKET, "inspect", "--type=container", name],
    ));
    assert_eq!(c[0]["State"]["Running"], false);
    assert_eq!(c[0]["State"]["Pid"], 0);
    let out = run(&env, entry, &["-H", SOCKET, "rm", "-v", name]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&env, entry, &["-H", SOCKET, "rm", "-f", "-v", name]);
    assert!(
        out.status.success(),
        "an absent container is removed: {}",
        describe(&out)
    );
    let out = run(
        &env,
        entry,
        &["-H", SOCKET, "inspect", "--type=container", name],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(env.container_ids().is_empty());
    assert!(env.root().join("docker.log").exists());
}

#[test]
fn test_mesos_session_through_vassalrun_docker() {
    if can_run_containers() {
        mesos_session(Entry::Subcommand);
    }
}

#[test]
fn test_mesos_session_through_a_docker_symlink() {
    if can_run_containers() {
        mesos_session(Entry::Symlink);
    }
}

#[test]
fn test_pull_without_image_or_mapping_asks_the_registry_in_one_clear_error() {
    let env = TestEnv::new();
    let out = run(
        &env,
        Entry::Subcommand,
        &["-H", SOCKET, "pull", "nginx:1.25"],
    );
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    // No network in the test's namespace: the registry cannot be reached.
    assert!(
        stderr.starts_with(
            "vassalrun: https://registry-1.docker.io/v2/library/nginx/manifests/1.25: "
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("insecure-registries"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1.25: Pulling from library/nginx\n"
    );
    assert!(env
        .root()
        .join("images/sha256")
        .read_dir()
        .map_or(true, |mut d| d.next().is_none()));
}

/// `docker pull` from a real registry (Docker's lines, the canonical name
/// last), `docker load` of a `docker save` archive from a file and stdin,
/// and `docker run` of both.
#[test]
fn test_pull_and_load_for_real() {
    if !can_run_containers() || !registry::available() {
        return;
    }
    let env = TestEnv::new();
    let registry = registry::Registry::start(
        &env.dir.path().join("registry"),
        env.netns.as_deref(),
        false,
    );
    let layers = oci_image::three_layers(&busybox_tarball());
    let app = serde_json::json!({"Env": ["PATH=/bin"], "Cmd": ["cat", "/etc/greeting"]});
    let config = oci_image::config_json(&layers, oci_image::host_arch(), app);
    let layout = oci_image::oci_layout(&env.dir.path().join("app"), &layers, &config, None);
    registry.push(&format!("oci:{}", layout.display()), "test/app:1", false);
    let host = registry.host();
    let reference = format!("{host}/test/app:1");
    let pull = |args: &[&str]| {
        docker(&env, Entry::Symlink)
            .env("VASSALRUN_INSECURE_REGISTRIES", &host)
            .args(args)
            .output()
            .unwrap()
    };
    let out = pull(&["pull", &reference]);
    assert!(out.status.success(), "{}", describe(&out));
    let digest = registry.digest("test/app:1");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("1: Pulling from test/app\nDigest: {digest}\nStatus: Downloaded newer image for {reference}\n{reference}\n")
    );
    let out = pull(&["pull", "-q", &reference]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{reference}\n")
    );
    // No tag: Docker's `latest`, which this repository lacks.
    let out = pull(&["pull", &format!("{host}/test/app")]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("Using default tag: latest\nlatest: Pulling from test/app\n"),
        "{}",
        describe(&out)
    );
    let out = pull(&["pull", &reference]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("Status: Image is up to date for {reference}\n")),
        "{}",
        describe(&out)
    );
    let out = run(
        &env,
        Entry::Symlink,
        &["run", "--rm", "--net", "none", &reference],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello from layer 2\n",
        "{}",
        describe(&out)
    );

    // `docker save`'s format, as skopeo writes it.
    let archive = env.dir.path().join("saved.tar");
    let out = Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}", layout.display()))
        .arg(format!("docker-archive:{}:saved/app:2", archive.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(
        &env,
        Entry::Subcommand,
        &["load", "-i", archive.to_str().unwrap()],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Loaded image: saved/app:2\n",
        "{}",
        describe(&out)
    );
    let out = docker(&env, Entry::Symlink)
        .arg("load")
        .stdin(std::fs::File::open(&archive).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Loaded image: saved/app:2\n",
        "{}",
        describe(&out)
    );
    let out = run(
        &env,
        Entry::Subcommand,
        &["run", "--rm", "--net", "none", "saved/app:2"],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello from layer 2\n",
        "{}",
        describe(&out)
    );
    // The loaded archive and the pulled image share their layers.
    assert_eq!(
        env.root()
            .join("images/layers/sha256")
            .read_dir()
            .unwrap()
            .count(),
        3
    );
}

#[test]
fn test_docker_globals_and_errors() {
    let env = TestEnv::new();
    let out = run(
        &env,
        Entry::Subcommand,
        &[
            "-H",
            SOCKET,
            "--config",
            "/nonexistent",
            "-l",
            "warn",
            "version",
            "--format",
            "{{json .}}",
        ],
    );
    let v = json_stdout(&out);
    assert_eq!(v["Server"]["Version"], v["Client"]["Version"]);
    assert_eq!(v["Server"]["ApiVersion"], "1.43");
    let out = run(&env, Entry::Subcommand, &["-l", "loud", "ps"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "vassalrun: invalid argument \"loud\" for \"-l, --log-level\" flag: expected debug, info, warn, error or fatal\n"
    );
    let out = run(
        &env,
        Entry::Subcommand,
        &["run", "--volume-driver=flocker", "busybox", "true"],
    );
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "vassalrun: --volume-driver: volumes are not supported: bind a host directory with -v /host/dir:/container/dir\n"
    );
    // -D logs on stderr.
    let out = run(&env, Entry::Subcommand, &["-D", "-H", SOCKET, "ps"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("ignored (vassalrun has no daemon)"),
        "{stderr}"
    );
    let out = run(
        &env,
        Entry::Subcommand,
        &["info", "--format", "{{.ServerVersion}} {{.Containers}}"],
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "24.0.0 0\n");
}

/// `create`, `start`, `kill --signal=N` (Docker::kill), `wait`, `rm -f -v`,
/// with an image imported by vassalrun under a bare name and asked for in
/// Docker's `:latest` form.
#[test]
fn test_create_start_kill_wait_with_docker_name_forms() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let tarball = busybox_tarball().display().to_string();
    let out = env.run(&["image", "import", &tarball, "busybox"]);
    assert!(out.status.success(), "{}", describe(&out));
    let entry = Entry::Symlink;
    let out = run(&env, entry, &["pull", "docker.io/library/busybox:latest"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Image is up to date for busybox"),
        "{}",
        describe(&out)
    );
    let out = run(
        &env,
        entry,
        &[
            "create",
            "--name",
            "k1",
            "--net",
            "none",
            "busybox:latest",
            "sleep",
            "60",
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let c = json_stdout(&run(
        &env,
        entry,
        &["inspect", "-f", "{{json .State}}", "k1"],
    ));
    assert_eq!(c["Status"], "created");
    assert_eq!(c["StartedAt"], ZERO_TIME);
    assert_eq!(c["Pid"], 0);
    let out = run(&env, entry, &["start", "k1"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(
        &env,
        entry,
        &[
            "inspect",
            "--type",
            "container",
            "--format",
            "{{.State.Running}}",
            "k1",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "true\n",
        "{}",
        describe(&out)
    );
    let out = run(&env, entry, &["-H", SOCKET, "kill", "--signal=9", "k1"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&env, entry, &["wait", "k1"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "137\n",
        "{}",
        describe(&out)
    );
    let out = run(&env, entry, &["-H", SOCKET, "rm", "-f", "-v", "k1"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(env.container_ids().is_empty());
    // An image inspected by --type=container is not found.
    let out = run(&env, entry, &["inspect", "--type=container", "busybox"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vassalrun: No such object: busybox\n"
    );
}
