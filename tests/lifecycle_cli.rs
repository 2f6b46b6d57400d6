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
    let out = env.run(&["create", "--name", "web", &img(), "sleep", "30"]);
    assert!(out.status.success(), "{}", describe(&out));
    let id = stdout(&out).trim().to_string();
    assert_eq!(id.len(), 64);
    assert_eq!(env.container_ids(), std::slice::from_ref(&id));

    let out = env.run(&["create", "--name", "web", &img(), "true"]);
    assert_error(
        &out,
        &format!("container name \"/web\" is already in use by {id}"),
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
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(&id), "rm -f unmounts the rootfs");
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
