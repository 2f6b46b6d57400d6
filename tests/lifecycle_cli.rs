//! Containers run for real through the binary, as root, against the busybox
//! fixture: exit codes, what the process sees inside, create/start/rm, names,
//! concurrency, cgroup limits and cleanup.

mod common;

use std::process::Output;

use common::{assert_error, busybox_dir, can_run_containers, describe, TestEnv};

fn img() -> String {
    busybox_dir().display().to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run(env: &TestEnv, args: &[&str]) -> Output {
    let mut full = vec!["run".to_string(), "--rm".to_string()];
    let image = img();
    for a in args {
        full.push(a.replace("{img}", &image));
    }
    env.command().args(&full).output().unwrap()
}

#[test]
fn test_run_exit_codes() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let code = |args: &[&str]| run(&env, args).status.code();
    assert_eq!(code(&["{img}", "true"]), Some(0));
    assert_eq!(code(&["{img}", "sh", "-c", "exit 3"]), Some(3));
    assert_eq!(code(&["{img}", "false"]), Some(1));
    // A signal-killed command: 128+9 (through the init, since PID 1 ignores SIGKILL from inside).
    assert_eq!(
        code(&["--init", "{img}", "sh", "-c", "kill -9 $$"]),
        Some(137)
    );
    let out = run(&env, &["{img}", "nope"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vassalrun: exec: \"nope\": executable file not found in $PATH\n"
    );
    let out = run(&env, &["{img}", "/etc/passwd"]);
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    assert_eq!(code(&["--bogus", "{img}", "true"]), Some(125));
    assert!(
        env.container_ids().is_empty(),
        "--rm and failed creates leave nothing"
    );
}

#[test]
fn test_run_process_sees_its_spec() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = run(
        &env,
        &["-u", "app", "-w", "/srv/app", "-h", "web", "-e", "GREETING=hi", "{img}", "sh", "-c", "id -u; id -g; pwd; hostname; cat /etc/hostname; echo $HOME $GREETING; stat -c %u /srv/app"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        stdout(&out),
        "1000\n1000\n/srv/app\nweb\nweb\n/home/app hi\n1000\n"
    );
}

#[test]
fn test_run_read_only_rootfs_binds_and_tmpfs() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let data = env.dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("file"), "from host").unwrap();
    let bind = format!("{}:/data:ro", data.display());
    let out = run(&env, &["--read-only", "--tmpfs", "/scratch", "-v", &bind, "{img}", "sh", "-c", "cat /data/file; echo; touch /scratch/ok && echo tmpfs-writable; touch /x 2>/dev/null || echo rootfs-ro; touch /data/y 2>/dev/null || echo bind-ro"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        stdout(&out),
        "from host\ntmpfs-writable\nrootfs-ro\nbind-ro\n"
    );
}

#[test]
fn test_run_writes_do_not_reach_the_image() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = run(
        &env,
        &[
            "{img}",
            "sh",
            "-c",
            "echo changed > /etc/motd-test && rm /bin/true && echo ok",
        ],
    );
    assert_eq!(stdout(&out), "ok\n", "{}", describe(&out));
    assert!(!busybox_dir().join("etc/motd-test").exists());
    assert!(
        busybox_dir().join("bin/true").exists(),
        "the overlay keeps the image read-only"
    );
}

#[test]
fn test_run_init_is_pid_one() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = run(
        &env,
        &[
            "--init",
            "{img}",
            "sh",
            "-c",
            "tr '\\0' ' ' < /proc/1/cmdline",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stdout(&out).starts_with("/dev/init -- sh -c"),
        "{}",
        describe(&out)
    );
}

#[test]
fn test_create_start_rm_lifecycle() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let cidfile = env.dir.path().join("web.cid");
    let out = env.run(&[
        "create",
        "--name",
        "web",
        "--cidfile",
        cidfile.to_str().unwrap(),
        &img(),
        "sleep",
        "30",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let id = stdout(&out).trim().to_string();
    assert_eq!(id.len(), 64);
    assert_eq!(
        std::fs::read_to_string(&cidfile).unwrap(),
        id,
        "--cidfile holds the id"
    );
    assert_eq!(env.container_ids(), std::slice::from_ref(&id));

    let out = env.run(&["create", "--name", "web", &img(), "true"]);
    assert_error(
        &out,
        &format!("Conflict. The container name \"/web\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name (or pass --replace to remove it first)."),
    );

    let out = env.run(&["start", &id[..12]]);
    assert!(out.status.success(), "{}", describe(&out));
    let cgroup = env
        .cgroup_parent_dirs()
        .iter()
        .map(|d| d.join(&id))
        .find(|d| d.is_dir());
    assert!(
        cgroup.is_some(),
        "the container has its cgroup under the test's parent"
    );

    let out = env.run(&["rm", "web"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("You cannot remove a running container"));

    let out = env.run(&["rm", "-f", "web"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(env.container_ids().is_empty());
    assert!(!cgroup.unwrap().exists(), "rm -f removes the cgroup");
    let mounts = common::mounts_anywhere(&id);
    assert!(mounts.is_empty(), "rm -f unmounts the rootfs: {mounts:?}");
    let out = env.run(&["rm", "web"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vassalrun: No such container: web\n"
    );
}

#[test]
fn test_replace_and_restart_of_exited_container() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let first = stdout(&env.run(&[
        "create",
        "--name",
        "job",
        &img(),
        "sh",
        "-c",
        "echo run >> /count; wc -l < /count > /dev/null",
    ]));
    let out = env.run(&["create", "--replace", "--name", "job", &img(), "true"]);
    assert!(out.status.success(), "{}", describe(&out));
    let second = stdout(&out);
    assert_ne!(first, second);
    assert_eq!(env.container_ids(), [second.trim().to_string()]);
    // An exited container starts again.
    for _ in 0..2 {
        let out = env.run(&["start", "job"]);
        assert!(out.status.success(), "{}", describe(&out));
    }
}

#[test]
fn test_concurrent_create_same_name_one_wins() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let image = img();
    let children: Vec<_> = (0..4)
        .map(|_| {
            env.command()
                .args(["create", "--name", "dup", &image, "true"])
                .output()
        })
        .collect();
    let outputs: Vec<Output> = children.into_iter().map(|c| c.unwrap()).collect();
    // The same, truly in parallel.
    let spawned: Vec<_> = (0..4)
        .map(|_| {
            env.command()
                .args(["create", "--name", "par", &image, "true"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let parallel: Vec<Output> = spawned
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for outs in [outputs, parallel] {
        let winners = outs.iter().filter(|o| o.status.success()).count();
        assert_eq!(
            winners,
            1,
            "exactly one create wins: {:?}",
            outs.iter().map(describe).collect::<Vec<_>>()
        );
        for loser in outs.iter().filter(|o| !o.status.success()) {
            assert_eq!(loser.status.code(), Some(125));
            assert!(
                String::from_utf8_lossy(&loser.stderr).contains("is already in use by"),
                "{}",
                describe(loser)
            );
        }
    }
    assert_eq!(env.container_ids().len(), 2);
}

#[test]
fn test_concurrent_rm_force_both_succeed() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&["run", "-d", "--name", "victim", &img(), "sleep", "30"]);
    assert!(out.status.success(), "{}", describe(&out));
    let removers: Vec<_> = (0..2)
        .map(|_| {
            env.command()
                .args(["rm", "-f", "victim"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for r in removers {
        let out = r.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
    }
    assert!(env.container_ids().is_empty());
}

#[test]
fn test_memory_limit_lands_in_cgroup() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&[
        "run",
        "-d",
        "-m",
        "64m",
        "--memory-swap",
        "96m",
        &img(),
        "sleep",
        "30",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let id = stdout(&out).trim().to_string();
    let v1 = std::path::Path::new("/sys/fs/cgroup/memory")
        .join(&env.cgroup_parent)
        .join(&id);
    let v2 = std::path::Path::new("/sys/fs/cgroup")
        .join(&env.cgroup_parent)
        .join(&id);
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).unwrap().trim().to_string();
    if v1.is_dir() {
        assert_eq!(read(v1.join("memory.limit_in_bytes")), "67108864");
        assert_eq!(read(v1.join("memory.memsw.limit_in_bytes")), "100663296");
    } else {
        assert_eq!(read(v2.join("memory.max")), "67108864");
        assert_eq!(read(v2.join("memory.swap.max")), "33554432");
    }
}

#[test]
fn test_container_starts_with_default_signal_dispositions() {
    if !can_run_containers() {
        return;
    }
    // The test runner ignores SIGPIPE (as every Rust program does); an ignored
    // signal survives exec, so this fails unless vassalrun restores the default.
    let env = TestEnv::new();
    let out = run(&env, &["{img}", "grep", "SigIgn", "/proc/self/status"]);
    let mask = stdout(&out)
        .trim()
        .trim_start_matches("SigIgn:")
        .trim()
        .to_string();
    let mask = u64::from_str_radix(&mask, 16).unwrap_or_else(|_| panic!("{}", describe(&out)));
    // Signals 32 and 33 belong to glibc, which refuses to change them.
    assert_eq!(
        mask & !(0b11 << 31),
        0,
        "ignored signals leaked into the container: {mask:#x}"
    );
}

#[test]
fn test_stop_kill_wait_restart() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let trap = "trap 'exit 7' TERM; while true; do sleep 0.1; done";
    let out = env.run(&["run", "-d", "--name", "polite", &img(), "sh", "-c", trap]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["run", "-d", "--name", "stubborn", &img(), "sleep", "300"]);
    assert!(out.status.success(), "{}", describe(&out));

    let out = env.run(&["stop", "polite"]);
    assert_eq!(stdout(&out), "polite\n", "{}", describe(&out));
    assert_eq!(stdout(&env.run(&["wait", "polite"])), "7\n");

    // sleep as PID 1 ignores SIGTERM: stop must fall back to SIGKILL after -t.
    let out = env.run(&["stop", "-t", "1", "stubborn"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&env.run(&["wait", "stubborn"])), "137\n");

    let out = env.run(&["kill", "stubborn"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not running"),
        "{}",
        describe(&out)
    );

    let out = env.run(&["restart", "stubborn"]);
    assert!(out.status.success(), "{}", describe(&out));
    let state = inspect_state(&env, "stubborn");
    assert_eq!(state["Running"], true, "{state}");
    assert!(state["Pid"].as_i64().unwrap() > 0);

    let out = env.run(&["kill", "-s", "TERM", "stubborn"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["kill", "-s", "KILL", "stubborn"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&env.run(&["wait", "stubborn"])), "137\n");
}

fn inspect_state(env: &TestEnv, name: &str) -> serde_json::Value {
    let out = env.run(&["inspect", name]);
    assert!(out.status.success(), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0]["State"].clone()
}

#[test]
fn test_ps_and_inspect() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let up = stdout(&env.run(&[
        "run",
        "-d",
        "--name",
        "up",
        "-p",
        "8080:80",
        &img(),
        "sleep",
        "300",
    ]))
    .trim()
    .to_string();
    let done = stdout(&env.run(&["run", "-d", "--name", "done", &img(), "sh", "-c", "exit 4"]))
        .trim()
        .to_string();
    assert_eq!(stdout(&env.run(&["wait", "done"])), "4\n");
    env.run(&["create", "--name", "fresh", &img(), "true"]);

    assert_eq!(stdout(&env.run(&["ps", "-q"])), format!("{}\n", &up[..12]));
    let all = stdout(&env.run(&["ps", "-a"]));
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 4, "{all}");
    assert!(lines[0].starts_with("CONTAINER ID"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Exited (4)") && l.ends_with("done")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Created") && l.ends_with("fresh")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Up ") && l.contains("0.0.0.0:8080->80/tcp") && l.ends_with("up")),
        "{all}"
    );
    let json_lines = stdout(&env.run(&["ps", "-a", "--format", "json"]));
    let states: Vec<String> = json_lines
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["State"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(states.len(), 3);
    assert!(states.contains(&"running".to_string()) && states.contains(&"exited".to_string()));

    let out = env.run(&["inspect", &done[..8]]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v[0];
    assert_eq!(c["Id"], done);
    assert_eq!(c["Name"], "/done");
    assert_eq!(c["Path"], "sh");
    assert_eq!(c["Args"], serde_json::json!(["-c", "exit 4"]));
    assert_eq!(c["State"]["Status"], "exited");
    assert_eq!(c["State"]["ExitCode"], 4);
    assert_eq!(c["State"]["Running"], false);
    assert!(!c["State"]["FinishedAt"].as_str().unwrap().is_empty());
    assert_eq!(c["HostConfig"]["NetworkMode"], serde_json::Value::Null);
    assert_eq!(
        c["Config"]["Cmd"],
        serde_json::json!(["sh", "-c", "exit 4"])
    );
}

#[test]
fn test_corrupt_record_never_blocks_ps_inspect_rm() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = stdout(&env.run(&["run", "-d", "--name", "broken", &img(), "sleep", "300"]))
        .trim()
        .to_string();
    std::fs::write(
        env.root()
            .join("containers")
            .join(&id)
            .join("container.json"),
        "",
    )
    .unwrap();
    let out = env.run(&["ps", "-a"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stdout(&out).contains(&id[..12]));
    let out = env.run(&["inspect", &id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("corrupt record"),
        "{}",
        describe(&out)
    );
    let out = env.run(&["rm", "-f", &id]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(env.container_ids().is_empty());
    assert!(
        !env.root().join("names").join("broken").exists(),
        "the name is released too"
    );
}

#[test]
fn test_exec_joins_running_container() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&[
        "run",
        "-d",
        "--name",
        "host",
        "-h",
        "exechost",
        &img(),
        "sh",
        "-c",
        "echo marker > /tmp/m; sleep 300",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&[
        "exec",
        "host",
        "sh",
        "-c",
        "hostname; id -u; pwd; cat /tmp/m",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(stdout(&out), "exechost\n0\n/\nmarker\n");
    let out = env.run(&[
        "exec",
        "-u",
        "app",
        "-w",
        "/tmp",
        "-e",
        "FOO=bar",
        "host",
        "sh",
        "-c",
        "id -u; pwd; echo $FOO; exit 5",
    ]);
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    assert_eq!(stdout(&out), "1000\n/tmp\nbar\n");
    let out = env.run(&["exec", "host", "nope"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    env.run(&["stop", "-t", "0", "host"]);
    let out = env.run(&["exec", "host", "true"]);
    assert_error(
        &out,
        &format!("container {} is not running", inspect_id(&env, "host")),
    );
}

fn inspect_id(env: &TestEnv, name: &str) -> String {
    let v: serde_json::Value = serde_json::from_slice(&env.run(&["inspect", name]).stdout).unwrap();
    v[0]["Id"].as_str().unwrap().to_string()
}

#[test]
fn test_oom_kill_is_reported() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let hog = "x=aaaaaaaaaaaaaaaa; while true; do x=\"$x$x\"; done";
    let out = env
        .command()
        .args([
            "run",
            "--name",
            "hog",
            "-m",
            "8m",
            "--memory-swap",
            "8m",
            &img(),
            "sh",
            "-c",
            hog,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(137), "{}", describe(&out));
    let state = inspect_state(&env, "hog");
    assert_eq!(state["OOMKilled"], true, "{state}");
    assert_eq!(state["ExitCode"], 137);
    let out = run(&env, &["-m", "64m", "{img}", "true"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn test_diff_and_export() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let script = "echo x > /etc/newfile; rm /etc/group; mkdir -p /srv/a; echo hi > /home/app/f";
    let out = env.run(&["run", "--name", "changed", &img(), "sh", "-c", script]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = env.run(&["diff", "changed"]);
    assert_eq!(
        stdout(&out),
        "C /etc\nD /etc/group\nA /etc/newfile\nC /home\nC /home/app\nA /home/app/f\nA /srv\nA /srv/a\n",
        "{}",
        describe(&out)
    );
    let tar_path = env.dir.path().join("fs.tar");
    let out = env.run(&["export", "-o", tar_path.to_str().unwrap(), "changed"]);
    assert!(out.status.success(), "{}", describe(&out));
    let mut names = Vec::new();
    let mut archive = tar::Archive::new(std::fs::File::open(&tar_path).unwrap());
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        names.push(entry.path().unwrap().display().to_string());
    }
    assert!(names.contains(&"etc/newfile".to_string()));
    assert!(names.contains(&"bin/busybox".to_string()));
    assert!(
        !names.contains(&"etc/group".to_string()),
        "deleted files are not exported"
    );
    let mounts = common::mounts_anywhere(env.root().to_str().unwrap());
    assert!(
        mounts.is_empty(),
        "export unmounts the stopped container again: {mounts:?}"
    );
    // To stdout as well.
    let out = env.run(&["export", "changed"]);
    assert!(
        out.status.success() && out.stdout.len() > 1024,
        "{}",
        describe(&out)
    );
}

/// Everything a container can leave on the host, for leak checks.
fn leftovers(env: &TestEnv) -> Vec<String> {
    let mut found: Vec<String> = env
        .container_ids()
        .into_iter()
        .map(|id| format!("container dir {id}"))
        .collect();
    // The read-only mount of the binary (run/bin/vassalrun) is meant to stay.
    found.extend(
        common::mounts_anywhere(env.dir.path().to_str().unwrap())
            .into_iter()
            .filter(|l| !l.contains("/run/bin/vassalrun"))
            .map(|l| format!("mount {l}")),
    );
    for parent in env.cgroup_parent_dirs() {
        for entry in std::fs::read_dir(&parent).unwrap().flatten() {
            if entry.path().is_dir() {
                found.push(format!("cgroup {}", entry.path().display()));
            }
        }
    }
    let state = env.dir.path().join("run/libcontainer");
    if let Ok(entries) = std::fs::read_dir(&state) {
        found.extend(
            entries
                .flatten()
                .map(|e| format!("libcontainer state {}", e.path().display())),
        );
    }
    found
}

#[test]
fn test_sigkill_during_create_then_rm_and_gc_leave_nothing() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    for step in 0..12u64 {
        let name = format!("crash{step}");
        let mut child = env
            .command()
            .args(["create", "--name", &name, &img(), "sleep", "300"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(step * 4));
        let _ = child.kill();
        let _ = child.wait();
        let out = env.run(&["rm", "-f", &name]);
        assert!(out.status.success(), "step {step}: {}", describe(&out));
        let out = env.run(&["gc"]);
        assert!(out.status.success(), "step {step}: {}", describe(&out));
        assert_eq!(leftovers(&env), Vec::<String>::new(), "step {step}");
        // The name is free again.
        let out = env.run(&["create", "--name", &name, &img(), "true"]);
        assert!(out.status.success(), "step {step}: {}", describe(&out));
        env.run(&["rm", "-f", &name]);
    }
}

#[test]
fn test_gc_removes_half_created_container_and_stale_state() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = stdout(&env.run(&["create", "--name", "half", &img(), "sleep", "300"]))
        .trim()
        .to_string();
    // Simulate a create killed before its record was written, whose monitor died.
    let dir = env.root().join("containers").join(&id);
    let monitor: i32 = std::fs::read_to_string(dir.join("monitor.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(monitor),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    std::fs::remove_file(dir.join("container.json")).unwrap();
    let running = env.run(&["run", "-d", "--name", "keep", &img(), "sleep", "300"]);
    assert!(running.status.success());
    let out = env.run(&["gc"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains(&format!("container {id} (no record)")),
        "{}",
        describe(&out)
    );
    assert_eq!(env.container_ids().len(), 1, "gc keeps live containers");
    assert_eq!(inspect_state(&env, "keep")["Running"], true);
    env.run(&["rm", "-f", "keep"]);
    assert_eq!(leftovers(&env), Vec::<String>::new());
    assert!(!env.root().join("names/half").exists());
}

#[test]
fn test_no_fd_leaks_into_container() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    // An extra open fd in the invoking process must not reach the container.
    let file = std::fs::File::open("/etc/hostname").unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
    let mut cmd = env.command();
    cmd.args(["run", "--rm", &img(), "ls", "/proc/self/fd"]);
    // SAFETY: clearing FD_CLOEXEC in the child before exec is async-signal-safe.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
            nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
            )?;
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // 0, 1, 2 and the directory ls itself opened.
    assert_eq!(stdout(&out), "0\n1\n2\n3\n", "{}", describe(&out));
    drop(file);
}

#[test]
fn test_init_reaps_orphaned_zombies() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    // The inner shell exits at once, orphaning a short sleep, then PID 1's
    // program becomes `sleep`, which never reaps: without an init the orphan
    // stays a zombie; with --init, the init reaps it.
    let script = "sh -c 'sleep 0.1 &'; exec sleep 300";
    let zombies = |name: &str| {
        let out = env.run(&[
            "exec",
            name,
            "sh",
            "-c",
            "ps -o stat | grep -c '^Z' || true",
        ]);
        stdout(&out)
            .trim()
            .parse::<u32>()
            .unwrap_or_else(|_| panic!("{}", describe(&out)))
    };
    for (name, init, expected) in [("bare", false, 1), ("tini", true, 0)] {
        let mut args = vec!["run", "-d", "--name", name];
        if init {
            args.push("--init");
        }
        let image = img();
        args.extend([image.as_str(), "sh", "-c", script]);
        let out = env.run(&args);
        assert!(out.status.success(), "{}", describe(&out));
        // Wait (bounded) until the orphan has exited: it then shows as a zombie
        // or not at all.
        let orphan_running = || {
            let out = env.run(&[
                "exec",
                name,
                "sh",
                "-c",
                "ps -o stat,args | grep -v '^Z' | grep -c '[[:space:]]sleep 0[.]1$' || true",
            ]);
            stdout(&out).trim() != "0"
        };
        for _ in 0..100 {
            if !orphan_running() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let count = zombies(name);
        assert_eq!(count, expected, "{name}");
    }
}

#[test]
fn test_binary_cannot_be_overwritten_through_proc_exe() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = stdout(&env.run(&["run", "-d", &img(), "sleep", "300"]))
        .trim()
        .to_string();
    let monitor =
        std::fs::read_to_string(env.root().join("containers").join(&id).join("monitor.pid"))
            .unwrap();
    // What a container process reaches as /proc/<init>/exe during creation is the
    // monitor's executable: it must not be writable, even for root.
    let exe = format!("/proc/{}/exe", monitor.trim());
    // (Opening it for writing now would fail with ETXTBSY while it runs; the
    // attack reopens it once the runtime has exited, which the mount refuses.)
    assert_eq!(
        nix::unistd::access(exe.as_str(), nix::unistd::AccessFlags::W_OK),
        Err(nix::errno::Errno::EROFS)
    );
    let target = std::fs::read_link(&exe).unwrap();
    assert!(target.starts_with(env.dir.path()), "{}", target.display());
}

#[test]
fn test_foreground_run_forwards_signals() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let script = "trap 'echo got TERM; exit 9' TERM; echo ready; while true; do sleep 0.1; done";
    let mut child = env
        .command()
        .args(["run", "--rm", "--name", "fg", &img(), "sh", "-c", script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A hang guard, not a timing assertion: if forwarding broke, removing the
    // container closes the pipe so the reads below end (and the test fails).
    let guard_root = env.root();
    let guard_program = env.command().get_program().to_os_string();
    let guard_args: Vec<std::ffi::OsString> =
        env.command().get_args().map(|a| a.to_os_string()).collect();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        if guard_root.exists() {
            let mut rm = std::process::Command::new(guard_program);
            let _ = rm.args(&guard_args).args(["rm", "-f", "fg"]).output();
        }
    });
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    if rest != "got TERM\n" {
        let output = child.wait_with_output().unwrap();
        panic!("signal not forwarded; run: {}", describe(&output));
    }
    assert_eq!(child.wait().unwrap().code(), Some(9));
}

#[test]
fn test_logs_keep_streams_apart() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = env.run(&[
        "run",
        "--name",
        "chatty",
        &img(),
        "sh",
        "-c",
        "echo one; echo two >&2; echo three; printf tail",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // The foreground run shows the output as it happens.
    assert_eq!(stdout(&out), "one\nthree\ntail");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "two\n");
    let out = env.run(&["logs", "chatty"]);
    assert_eq!(stdout(&out), "one\nthree\ntail", "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "two\n");
    // --tail counts messages of both streams (whose relative order is not fixed).
    let out = env.run(&["logs", "--tail", "1", "chatty"]);
    assert_eq!(stdout(&out), "tail");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let out = env.run(&["logs", "-t", "--tail", "1", "chatty"]);
    let line = stdout(&out);
    assert!(line.ends_with("Z tail") && line.starts_with("20"), "{line}");
    // A detached container's output reaches only the log; -f follows it to the end.
    env.run(&[
        "run",
        "-d",
        "--name",
        "later",
        &img(),
        "sh",
        "-c",
        "sleep 0.3; echo late",
    ]);
    let out = env.run(&["logs", "-f", "later"]);
    assert_eq!(stdout(&out), "late\n", "{}", describe(&out));
}

#[test]
fn test_log_rotation_and_driver_none() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let script = "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done";
    let out = env.run(&[
        "run",
        "-d",
        "--name",
        "rot",
        "--log-opt",
        "max-size=2k",
        "--log-opt",
        "max-file=2",
        &img(),
        "sh",
        "-c",
        script,
    ]);
    let id = stdout(&out).trim().to_string();
    assert_eq!(stdout(&env.run(&["wait", "rot"])), "0\n");
    let log = env
        .root()
        .join("containers")
        .join(&id)
        .join(format!("{id}-json.log"));
    assert!(std::fs::metadata(&log).unwrap().len() <= 2048);
    assert!(std::path::Path::new(&format!("{}.1", log.display())).exists());
    assert!(!std::path::Path::new(&format!("{}.2", log.display())).exists());
    let logs = stdout(&env.run(&["logs", "rot"]));
    assert!(logs.ends_with("line 199\n"), "{logs}");
    assert!(
        !logs.contains("line 0\n"),
        "the oldest lines were rotated away"
    );

    let out = env.run(&[
        "run",
        "-d",
        "--name",
        "quiet",
        "--log-driver",
        "none",
        &img(),
        "echo",
        "hi",
    ]);
    let id = stdout(&out).trim().to_string();
    env.run(&["wait", "quiet"]);
    assert!(!env
        .root()
        .join("containers")
        .join(&id)
        .join(format!("{id}-json.log"))
        .exists());
    let out = env.run(&["run", "--log-driver", "syslog", &img(), "true"]);
    assert_error(
        &out,
        "invalid log option \"syslog\": unsupported log driver (json-file or none)",
    );
}

#[test]
fn test_rm_force_without_runtime_state_kills_and_removes_cgroup() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = stdout(&env.run(&["run", "-d", "--name", "orphan", &img(), "sleep", "300"]))
        .trim()
        .to_string();
    let state = inspect_state(&env, "orphan");
    let pid = state["Pid"].as_i64().unwrap() as i32;
    // Lose the monitor and libcontainer's state, as a crash would.
    let dir = env.root().join("containers").join(&id);
    let monitor: i32 = std::fs::read_to_string(dir.join("monitor.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(monitor),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    std::fs::remove_dir_all(env.dir.path().join("run/libcontainer").join(&id)).unwrap();
    let out = env.run(&["rm", "-f", "orphan"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(leftovers(&env), Vec::<String>::new());
    let alive =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "));
    assert!(!alive, "the container's process was killed");
}

/// The monitor tells a foreground `run` the exit code before its teardown is
/// over: a `--rm` container has still left the store (its name free) when
/// the command returns, and a kept one is exited, then removable at once
/// with nothing left behind (the teardown finishes under the container lock).
#[test]
fn test_exit_code_before_teardown_keeps_names_and_state_consistent() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    for round in 0..4 {
        let out = env.run(&[
            "run",
            "--rm",
            "--name",
            "same",
            &img(),
            "sh",
            "-c",
            "exit 7",
        ]);
        assert_eq!(
            out.status.code(),
            Some(7),
            "round {round}: {}",
            describe(&out)
        );
        assert!(
            env.container_ids().is_empty(),
            "round {round}: --rm left its directory"
        );
    }
    let out = env.run(&["run", "--name", "kept", &img(), "sh", "-c", "exit 3"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let state = env.run(&[
        "inspect",
        "--format",
        "{{.State.Status}} {{.State.ExitCode}}",
        "kept",
    ]);
    assert_eq!(stdout(&state).trim(), "exited 3", "{}", describe(&state));
    let id = env.container_ids().pop().expect("the kept container");
    let out = env.run(&["rm", "kept"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(env.container_ids().is_empty());
    let mounts = common::mounts_anywhere(&id);
    assert!(mounts.is_empty(), "the rootfs is unmounted: {mounts:?}");
    assert!(
        env.cgroup_parent_dirs()
            .iter()
            .all(|d| !d.join(&id).exists()),
        "the cgroup is removed"
    );
    let out = env.run(&["run", "--name", "kept", &img(), "true"]);
    assert!(
        out.status.success(),
        "the name is free again: {}",
        describe(&out)
    );
}

/// A `--rm` container's directory that left the store but whose monitor died
/// before deleting it (`removing/<id>`, its rootfs still mounted) is
/// unmounted and deleted by `gc`.
#[test]
fn test_gc_finishes_an_interrupted_detached_removal() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let id = "0".repeat(64);
    let dir = env.root().join("removing").join(&id);
    let rootfs = dir.join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    std::fs::create_dir_all(dir.join("upper/etc")).unwrap();
    std::fs::write(dir.join("upper/etc/file"), "x").unwrap();
    nix::mount::mount(
        Some("tmpfs"),
        &rootfs,
        Some("tmpfs"),
        nix::mount::MsFlags::empty(),
        None::<&str>,
    )
    .unwrap();
    std::fs::write(rootfs.join("inside"), "y").unwrap();
    let out = env.run(&["gc"]);
    let mounted = std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .contains(rootfs.to_str().unwrap());
    if mounted {
        let _ = nix::mount::umount2(&rootfs, nix::mount::MntFlags::MNT_DETACH);
    }
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!mounted, "gc unmounts the rootfs");
    assert!(
        !dir.exists(),
        "gc deletes the directory: {}",
        describe(&out)
    );
    assert!(
        stdout(&out).contains(&id),
        "gc reports it: {}",
        describe(&out)
    );
}
