//! Docker flags through the real binary: the ones vassalrun deliberately
//! lacks (their own message, exit 125), `--label-file`, `-P`, and `exec`'s
//! `--env-file`, `-d` and `--privileged`.

mod common;

use std::process::Output;
use std::time::{Duration, Instant};

use common::{busybox_tarball, can_run_containers, describe, json_stdout, TestEnv};

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn import(env: &TestEnv, changes: &[&str]) {
    let tarball = busybox_tarball();
    let mut args = vec!["image", "import"];
    for c in changes {
        args.extend(["-c", c]);
    }
    args.extend([tarball.to_str().unwrap(), "bb"]);
    ok(env.run(&args));
}

#[test]
fn test_lacking_flags_name_the_alternative() {
    let env = TestEnv::new();
    for (args, start) in [
        (vec!["run", "--restart=always", "bb", "true"], "vassalrun: --restart: restart policies are not supported: the uWSGI Emperor respawns vassals"),
        (vec!["create", "--restart", "always", "bb"], "vassalrun: --restart: "),
        (vec!["update", "--restart", "always", "x"], "vassalrun: --restart: "),
        (vec!["run", "--health-cmd", "true", "bb"], "vassalrun: --health-cmd: health checks are not supported"),
        (vec!["run", "--no-healthcheck", "bb"], "vassalrun: --no-healthcheck: health checks are not supported"),
        (vec!["run", "--disable-content-trust", "bb"], "vassalrun: --disable-content-trust: image signatures are not checked"),
        (vec!["run", "--volumes-from", "x", "bb"], "vassalrun: --volumes-from: volumes are not supported"),
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(125), "{args:?}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(start) && stderr.lines().count() == 1, "{args:?}: {stderr}");
    }
    // A typo is still a typo: clap's usage error, with its tips.
    let out = env.run(&["run", "--restat", "bb"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("vassalrun: unknown flag: --restat\n"),
        "{stderr}"
    );
    assert!(env.container_ids().is_empty());
}

#[test]
fn test_label_file_sets_labels_before_label_flags() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    import(&env, &[]);
    let file = env.dir.path().join("labels");
    std::fs::write(&file, "# comment\n\ntier=web\nowner=ops\n").unwrap();
    let label_file = file.to_str().unwrap();
    ok(env.run(&[
        "create",
        "--name",
        "lf",
        "--network",
        "none",
        "--label-file",
        label_file,
        "-l",
        "owner=dev",
        "bb",
        "true",
    ]));
    let labels = &json_stdout(&env.run(&["inspect", "lf"]))[0]["Config"]["Labels"];
    assert_eq!(labels, &serde_json::json!({"tier": "web", "owner": "dev"}));
    let missing = env.dir.path().join("nope");
    let out = env.run(&["create", "--label-file", missing.to_str().unwrap(), "bb"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--label-file") && stderr.contains("nope"),
        "{stderr}"
    );
    assert_eq!(
        env.container_ids().len(),
        1,
        "a refused create leaves nothing"
    );
}

#[test]
fn test_publish_all_maps_every_exposed_port() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    import(&env, &["EXPOSE 90"]);
    ok(env.run(&[
        "run",
        "-d",
        "--name",
        "pa",
        "-P",
        "--expose",
        "80",
        "-p",
        "127.0.0.1:18099:81",
        "bb",
        "sleep",
        "1000",
    ]));
    let ports = ok(env.run(&["port", "pa"]));
    let lines: Vec<&str> = ports.lines().collect();
    assert_eq!(lines.len(), 3, "{ports}");
    assert!(
        lines.iter().any(|l| l.starts_with("80/tcp -> 0.0.0.0:")),
        "{ports}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("90/tcp -> 0.0.0.0:")),
        "{ports}"
    );
    assert!(lines.contains(&"81/tcp -> 127.0.0.1:18099"), "{ports}");
    let host_port: u16 = ok(env.run(&["port", "pa", "80"]))
        .trim()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(host_port >= 1024, "{ports}");
}

#[test]
fn test_exec_bare_env_takes_the_callers_value_or_removes_the_key() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    import(&env, &[]);
    ok(env.run(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "envs",
        "-e",
        "KEEP=1",
        "-e",
        "GONE=2",
        "bb",
        "sleep",
        "1000",
    ]));
    let out = env
        .command()
        .env("FROM_CALLER", "caller")
        .env_remove("GONE")
        .args([
            "exec",
            "-e",
            "FROM_CALLER",
            "-e",
            "GONE",
            "envs",
            "sh",
            "-c",
        ])
        .arg("echo ${KEEP:-unset} ${FROM_CALLER:-unset} ${GONE:-unset}")
        .output()
        .unwrap();
    assert_eq!(ok(out), "1 caller unset\n");
    let out = env.run(&["exec", "-e", "=x", "envs", "true"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("=x"),
        "{}",
        describe(&out)
    );
}

#[test]
fn test_exec_env_file_detach_and_privileged() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    import(&env, &[]);
    ok(env.run(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "ex",
        "bb",
        "sleep",
        "1000",
    ]));
    let file = env.dir.path().join("env");
    std::fs::write(&file, "# vars\nA=from-file\nB=file\n").unwrap();
    let out = ok(env.run(&[
        "exec",
        "--env-file",
        file.to_str().unwrap(),
        "-e",
        "B=flag",
        "ex",
        "sh",
        "-c",
        "echo $A $B",
    ]));
    assert_eq!(out, "from-file flag\n");
    // Capabilities: the default set, all of them with --privileged.
    let caps = |extra: &[&str]| {
        let mut args = vec!["exec"];
        args.extend_from_slice(extra);
        args.extend(["ex", "sh", "-c", "grep CapEff /proc/self/status"]);
        ok(env.run(&args))
    };
    assert_eq!(caps(&[]), "CapEff:\t00000000a80425fb\n");
    let privileged = caps(&["--privileged"]);
    assert_ne!(privileged, caps(&[]), "{privileged}");
    let mask = u64::from_str_radix(privileged.trim().trim_start_matches("CapEff:\t"), 16).unwrap();
    assert!(
        mask & (1 << 21) != 0,
        "CAP_SYS_ADMIN with --privileged: {privileged}"
    );
    // -d returns at once; the command goes on running in the container.
    let started = Instant::now();
    let out = env.run(&[
        "exec",
        "-d",
        "ex",
        "sh",
        "-c",
        "sleep 1; touch /tmp/done; sleep 1000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        describe(&out)
    );
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while env
        .run(&["exec", "ex", "test", "-e", "/tmp/done"])
        .status
        .code()
        != Some(0)
    {
        assert!(Instant::now() < deadline, "the detached command never ran");
        std::thread::sleep(Duration::from_millis(200));
    }
    let top = ok(env.run(&["top", "ex"]));
    assert!(
        top.contains("sleep 1000\n") && top.lines().count() >= 3,
        "{top}"
    );
}
