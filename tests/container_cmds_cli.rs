//! The everyday Docker commands beyond the lifecycle, through the real binary
//! as root against the busybox fixture: pause/unpause, rename, update, top,
//! stats, events, container prune, image inspect/tag/prune, version.

mod common;

use std::process::Output;

use common::{assert_error, busybox_tarball, can_run_containers, describe, json_stdout, TestEnv};
use serde_json::Value;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out)
}

/// The busybox image imported as `bb`; a detached container NAME running ARGS.
fn detached(env: &TestEnv, name: &str, extra: &[&str], command: &[&str]) -> String {
    let _ = env.run(&["image", "import", busybox_tarball().to_str().unwrap(), "bb"]);
    let mut args = vec!["run", "-d", "--network", "none", "--name", name];
    args.extend_from_slice(extra);
    args.push("bb");
    args.extend_from_slice(command);
    ok(env.run(&args)).trim().to_string()
}

/// The container's cgroup file `file` of controller `controller` (v1) or the
/// unified tree (v2).
fn cgroup_file(env: &TestEnv, id: &str, v1: &str, v2: &str) -> String {
    for dir in env.cgroup_parent_dirs() {
        for file in [v1, v2] {
            if let Ok(text) = std::fs::read_to_string(dir.join(id).join(file)) {
                return text.trim().to_string();
            }
        }
    }
    panic!("no {v1} / {v2} for {id}");
}

fn freezer_state(env: &TestEnv, id: &str) -> String {
    cgroup_file(env, id, "freezer.state", "cgroup.freeze")
}

#[test]
fn test_pause_and_unpause_freeze_the_cgroup() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = detached(&env, "p1", &[], &["sleep", "1000"]);
    assert_eq!(ok(env.run(&["pause", "p1"])), "p1\n");
    let state = &json_stdout(&env.run(&["inspect", "p1"]))[0]["State"];
    assert_eq!(
        (&state["Status"], &state["Running"], &state["Paused"]),
        (&"paused".into(), &true.into(), &true.into())
    );
    let ps = ok(env.run(&["ps"]));
    assert!(ps.contains(" (Paused) "), "{ps}");
    assert!(
        matches!(freezer_state(&env, &id).as_str(), "FROZEN" | "1"),
        "{}",
        freezer_state(&env, &id)
    );
    let again = env.run(&["pause", "p1"]);
    assert_eq!(again.status.code(), Some(1), "{}", describe(&again));
    assert!(
        stdout(&again).is_empty()
            && String::from_utf8_lossy(&again.stderr).contains("is already paused"),
        "{}",
        describe(&again)
    );
    assert_eq!(ok(env.run(&["unpause", "p1"])), "p1\n");
    assert!(matches!(freezer_state(&env, &id).as_str(), "THAWED" | "0"));
    let not_paused = env.run(&["unpause", "p1"]);
    assert!(
        String::from_utf8_lossy(&not_paused.stderr).contains("is not paused"),
        "{}",
        describe(&not_paused)
    );
    // A thawed container still runs commands.
    assert_eq!(ok(env.run(&["exec", "p1", "echo", "alive"])), "alive\n");
    // Stopping a paused container thaws it after each signal, so the SIGKILL
    // after the timeout works (a frozen process ignores it under cgroup v1).
    ok(env.run(&["pause", "p1"]));
    let started = std::time::Instant::now();
    ok(env.run(&["stop", "-t", "1", "p1"]));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let state = &json_stdout(&env.run(&["inspect", "p1"]))[0]["State"];
    assert_eq!(state["Status"], "exited", "{state}");
}

#[test]
fn test_rename_moves_the_name() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = detached(&env, "old", &[], &["sleep", "1000"]);
    detached(&env, "other", &[], &["sleep", "1000"]);
    assert_eq!(ok(env.run(&["rename", "old", "new"])), "");
    let inspected = json_stdout(&env.run(&["inspect", "new"]));
    assert_eq!(inspected[0]["Id"], id.as_str());
    assert_eq!(inspected[0]["Name"], "/new");
    let gone = env.run(&["inspect", "old"]);
    assert_ne!(gone.status.code(), Some(0), "{}", describe(&gone));
    // The old name is free again; a taken name and a bad name are refused.
    detached(&env, "old", &[], &["sleep", "1000"]);
    let taken = env.run(&["rename", "new", "other"]);
    assert_eq!(taken.status.code(), Some(125), "{}", describe(&taken));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("\"/other\" is already in use"));
    assert_error(
        &env.run(&["rename", "new", "bad name"]),
        "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
    );
    assert_error(
        &env.run(&["rename", "new", "new"]),
        "new: Renaming a container with the same name as its current name",
    );
    assert_eq!(
        json_stdout(&env.run(&["inspect", "new"]))[0]["Id"],
        id.as_str()
    );
}

#[test]
fn test_update_writes_the_cgroup_and_survives_restart() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = detached(&env, "u1", &["-m", "64m"], &["sleep", "1000"]);
    let memory = || cgroup_file(&env, &id, "memory.limit_in_bytes", "memory.max");
    let pids = || cgroup_file(&env, &id, "pids.max", "pids.max");
    assert_eq!(memory(), (64 << 20).to_string());
    assert_eq!(
        ok(env.run(&["update", "--memory", "96m", "--pids-limit", "33", "u1"])),
        "u1\n"
    );
    assert_eq!(memory(), (96 << 20).to_string());
    assert_eq!(pids(), "33");
    let host = &json_stdout(&env.run(&["inspect", "u1"]))[0]["HostConfig"];
    assert_eq!(host["Memory"], 96 << 20);
    assert_eq!(host["PidsLimit"], 33);
    // Bad values are refused before anything changes.
    assert_error(
        &env.run(&["update", "--memory", "1k", "u1"]),
        "memory 1024: Minimum memory limit allowed is 6MB",
    );
    assert_eq!(memory(), (96 << 20).to_string());
    // Kept over a restart.
    ok(env.run(&["restart", "-t", "0", "u1"]));
    assert_eq!(memory(), (96 << 20).to_string());
    assert_eq!(pids(), "33");
}

#[test]
fn test_top_lists_the_container_processes() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    detached(
        &env,
        "t1",
        &[],
        &["sh", "-c", "sleep 1001 & sleep 1002; true"],
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = ok(env.run(&["top", "t1"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0]
            .split_whitespace()
            .eq(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]),
        "{out}"
    );
    assert!(
        out.contains("sleep 1001") && out.contains("sleep 1002"),
        "{out}"
    );
    assert!(lines[1..].iter().all(|l| l.starts_with("root ")), "{out}");
    assert_eq!(lines.len(), 4, "sh and two sleeps:\n{out}");
    let stopped = env.run(&["top", "nosuch"]);
    assert_eq!(stopped.status.code(), Some(125), "{}", describe(&stopped));
}

#[test]
fn test_stats_no_stream_reports_cgroup_figures() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    detached(
        &env,
        "busy",
        &["-m", "64m", "--cpus", "0.5"],
        &["sh", "-c", "while :; do :; done"],
    );
    detached(&env, "idle", &[], &["sleep", "1000"]);
    let out = ok(env.run(&["stats", "--no-stream", "--format", "json", "busy", "idle"]));
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(rows[0]["Name"], "busy");
    assert_eq!(rows[0]["MemoryLimitBytes"], 64 << 20);
    assert_eq!(rows[0]["PIDs"], "1");
    let cpu: f64 = rows[0]["CPUPerc"]
        .as_str()
        .unwrap()
        .trim_end_matches('%')
        .parse()
        .unwrap();
    // The spinning shell is held to half a CPU by its quota.
    assert!((20.0..=60.0).contains(&cpu), "{out}");
    let idle_cpu: f64 = rows[1]["CPUPerc"]
        .as_str()
        .unwrap()
        .trim_end_matches('%')
        .parse()
        .unwrap();
    assert!(idle_cpu < 5.0, "{out}");
    assert!(rows[0]["MemoryBytes"].as_u64().unwrap() > 0, "{out}");
    // The table, for all running containers.
    let table = ok(env.run(&["stats", "--no-stream"]));
    assert!(table.starts_with("CONTAINER ID  NAME"), "{table}");
    assert!(
        table.contains(" busy ") && table.contains(" idle "),
        "{table}"
    );
    assert!(table.contains("/ 64MiB"), "{table}");
}

#[test]
fn test_events_records_the_lifecycle() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let _ = env.run(&["image", "import", busybox_tarball().to_str().unwrap(), "bb"]);
    let id = ok(env.run(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "e1",
        "bb",
        "sh",
        "-c",
        "exit 3",
    ]));
    let id = id.trim();
    ok(env.run(&["wait", "e1"]));
    ok(env.run(&["rm", "e1"]));
    let out = ok(env.run(&[
        "events", "--since", "1h", "--until", "0s", "--format", "json",
    ]));
    let events: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["Action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "start", "die", "destroy"], "{out}");
    assert!(events
        .iter()
        .all(|e| e["id"] == id && e["Actor"]["Attributes"]["name"] == "e1"));
    assert_eq!(events[2]["Actor"]["Attributes"]["exitCode"], "3");
    // Filters and the window.
    let dies = ok(env.run(&[
        "events",
        "--since",
        "1h",
        "--until",
        "0s",
        "--filter",
        "event=die",
    ]));
    assert_eq!(dies.lines().count(), 1, "{dies}");
    assert!(
        dies.contains(&format!(
            "container die {id} (exitCode=3, image=bb, name=e1)"
        )),
        "{dies}"
    );
    let none = ok(env.run(&[
        "events",
        "--since",
        "1h",
        "--until",
        "0s",
        "-f",
        "container=zzz",
    ]));
    assert_eq!(none, "");
    let later = ok(env.run(&["events", "--since", "0s", "--until", "0s"]));
    assert_eq!(later, "");
    assert_error(
        &env.run(&["events", "--since", "yesterday", "--until", "0s"]),
        "invalid argument \"yesterday\" for \"--since\" flag: expected an RFC 3339 time, a date, Unix seconds or a duration such as 10m",
    );
}

#[test]
fn test_container_prune_removes_only_stopped() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let running = detached(&env, "keep", &[], &["sleep", "1000"]);
    let exited = detached(&env, "gone", &[], &["true"]);
    ok(env.run(&["wait", "gone"]));
    // Without -f and no "y" on stdin nothing happens.
    ok(env.run(&["container", "prune"]));
    assert_eq!(env.container_ids().len(), 2);
    let out = ok(env.run(&["container", "prune", "-f"]));
    assert!(
        out.starts_with(&format!("Deleted Containers:\n{exited}\n")),
        "{out}"
    );
    assert!(out.contains("Total reclaimed space: "), "{out}");
    assert_eq!(env.container_ids(), vec![running]);
}

#[test]
fn test_image_inspect_tag_and_prune() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let tarball = busybox_tarball();
    let digest = ok(env.run(&[
        "image",
        "import",
        "-c",
        "CMD [\"sh\"]",
        tarball.to_str().unwrap(),
        "bb",
    ]));
    let digest = digest.trim();
    assert_eq!(ok(env.run(&["image", "tag", "bb", "bb2"])), "");
    let inspected = json_stdout(&env.run(&["image", "inspect", "bb2"]));
    assert_eq!(inspected[0]["Id"], digest);
    assert_eq!(inspected[0]["RepoTags"], serde_json::json!(["bb", "bb2"]));
    assert_eq!(inspected[0]["Config"]["Cmd"], serde_json::json!(["sh"]));
    let missing = env.run(&["image", "inspect", "nope"]);
    assert_eq!(missing.status.code(), Some(1), "{}", describe(&missing));
    assert_error(
        &env.run(&["image", "tag", "nope", "x"]),
        "No such image: nope (pull it with `vassalrun pull nope`, or import a rootfs tarball with `vassalrun image import TARBALL nope`)",
    );
    // Prune: named images stay without -a; an image a container uses stays with -a.
    ok(env.run(&["image", "prune", "-f"]));
    assert_eq!(
        json_stdout(&env.run(&["image", "inspect", "bb"]))[0]["Id"],
        digest
    );
    detached(&env, "user", &[], &["sleep", "1000"]);
    let out = ok(env.run(&["image", "prune", "-a", "-f"]));
    assert_eq!(out, "Deleted Images:\n", "{out}");
    ok(env.run(&["rm", "-f", "user"]));
    let out = ok(env.run(&["image", "prune", "-a", "-f"]));
    assert!(out.contains(&format!("deleted: {digest}")), "{out}");
    assert!(ok(env.run(&["image", "ls", "-q"])).is_empty());
}

#[test]
fn test_version_prints_client_version() {
    let env = TestEnv::new();
    let out = ok(env.run(&["version"]));
    assert!(
        out.contains(&format!(
            " Version:           {}\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{out}"
    );
    let json = json_stdout(&env.run(&["version", "--format", "json"]));
    assert_eq!(json["Client"]["Version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn test_events_follows_new_events() {
    if !can_run_containers() {
        return;
    }
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let env = TestEnv::new();
    detached(&env, "before", &[], &["true"]);
    let mut follower = env
        .command()
        .args(["events", "--format", "json", "--filter", "event=create"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The follower starts from now: "before" is not shown, "after" is.
    std::thread::sleep(std::time::Duration::from_millis(500));
    detached(&env, "after", &[], &["true"]);
    let stdout = follower.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !reader.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = follower.kill();
    let _ = follower.wait();
    let line = reader.join().unwrap().unwrap();
    let event: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(event["Action"], "create");
    assert_eq!(event["Actor"]["Attributes"]["name"], "after");
}
