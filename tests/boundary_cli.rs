//! The container boundary, probed from inside real containers through the
//! binary: `run`, `exec`, `exec -t`, `exec -u`, and an OCI bundle under
//! `vassalrun oci run/exec` — and, where runc and crun are installed, the same
//! bundle under them: vassalrun may allow nothing they refuse.
//!
//! The probes (`tests/boundary/probe.sh`) try what an attacker in a default
//! container would: raise its own cgroup limits, make cgroups, see host
//! cgroup paths, create a user namespace, write `/proc/sys` or `/sys`, read
//! masked paths, use inherited descriptors, reach the runtime binary.

mod common;
mod oci;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{busybox_dir, can_run_containers, describe, TestEnv};
use oci::{command_exists, OciEnv};
use serde_json::{json, Value};

const PROBE: &str = include_str!("boundary/probe.sh");

fn img() -> String {
    busybox_dir().display().to_string()
}

/// `name=value` lines of a probe run.
type Probes = BTreeMap<String, String>;

fn parse(out: &Output) -> Probes {
    assert!(out.status.success(), "probe failed: {}", describe(out));
    let probes: Probes = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim_end_matches('\r').split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(
        probes.contains_key("seccomp"),
        "no probes: {}",
        describe(out)
    );
    probes
}

/// The boundary of a default (unprivileged) container, as runc and crun keep
/// it; `where_` names the path in messages.
fn assert_boundary(p: &Probes, where_: &str) {
    for (key, value) in p {
        let attempt = !matches!(key.as_str(), "cgroup_paths" | "cgroup_foreign_roots");
        if key.starts_with("cgroup_") && attempt {
            assert_eq!(value, "refused", "{where_}: {key}\n{p:#?}");
        }
    }
    let expect = [
        ("cgroup_paths", "own"),
        ("cgroup_foreign_roots", ""),
        ("seccomp", "2"),
        ("userns", "refused"),
        ("proc_sys", "ro"),
        ("proc_writable_paths", "none"),
        ("sys", "ro"),
        ("sys_fs_cgroup", "ro"),
        ("masked_leaks", "none"),
        ("leaked_fds", ""),
        ("runtime_in_mounts", "0"),
        ("runtime_in_init_cmdline", "0"),
        ("runtime_exes", "none"),
    ];
    for (key, want) in expect {
        assert_eq!(
            p.get(key).map(String::as_str),
            Some(want),
            "{where_}: {key}\n{p:#?}"
        );
    }
}

/// A directory holding the probe, to bind read-only at `/probe`.
fn probe_dir(env: &TestEnv) -> String {
    let dir = env.dir.path().join("probe");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("probe.sh"), PROBE).unwrap();
    dir.display().to_string()
}

/// A detached `sleep` container with the probe at `/probe`.
fn sleeper(env: &TestEnv, name: &str, extra: &[&str]) {
    let volume = format!("{}:/probe:ro", probe_dir(env));
    let mut args = vec![
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "none",
        "-v",
        &volume,
    ];
    args.extend_from_slice(extra);
    let image = img();
    args.extend([image.as_str(), "sleep", "300"]);
    let out = env.run(&args);
    assert!(out.status.success(), "{}", describe(&out));
}

/// `run --rm [extra] IMAGE sh /probe/probe.sh`: the probe as the container's init.
fn probe_run(env: &TestEnv, extra: &[&str]) -> Output {
    let volume = format!("{}:/probe:ro", probe_dir(env));
    let image = img();
    let mut args = vec!["run", "--rm", "--network", "none", "-v", &volume];
    args.extend_from_slice(extra);
    args.extend([image.as_str(), "sh", "/probe/probe.sh"]);
    env.run(&args)
}

#[test]
fn test_boundary_run() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = probe_run(&env, &[]);
    let p = parse(&out);
    assert_boundary(&p, "run");
    // Docker leaves no_new_privs off unless asked.
    assert_eq!(p["no_new_privs"], "0", "{p:#?}");
}

#[test]
fn test_boundary_exec_gets_the_container_profile() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    sleeper(&env, "target", &[]);
    let init = parse(&env.run(&["exec", "target", "sh", "/probe/probe.sh"]));
    assert_boundary(&init, "exec");
    let status = env.run(&["exec", "target", "cat", "/proc/1/status"]);
    let field = |name: &str| {
        String::from_utf8_lossy(&status.stdout)
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!("{name}:"))
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    // Exactly the container's: same capabilities, same no_new_privs.
    assert_eq!(init["cap_eff"], field("CapEff"), "{init:#?}");
    assert_eq!(init["no_new_privs"], field("NoNewPrivs"), "{init:#?}");
    assert_eq!(field("Seccomp"), "2");

    let user = parse(&env.run(&["exec", "-u", "1000", "target", "sh", "/probe/probe.sh"]));
    assert_boundary(&user, "exec -u 1000");
    assert_eq!(user["cap_eff"], "0000000000000000", "{user:#?}");

    // The exec's own settings are checked before anything runs.
    common::assert_error(
        &env.run(&["exec", "-w", "rel", "target", "pwd"]),
        "the working directory 'rel' is invalid, it needs to be an absolute path",
    );
}

#[test]
fn test_boundary_exec_with_no_new_privileges_container() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    sleeper(&env, "nnp", &["--security-opt", "no-new-privileges"]);
    let p = parse(&env.run(&["exec", "nnp", "sh", "/probe/probe.sh"]));
    assert_boundary(&p, "exec in a no-new-privileges container");
    assert_eq!(p["no_new_privs"], "1", "{p:#?}");
}

/// `run --rm [extra] IMAGE sh -c SCRIPT` in `env`; stdout, asserting success.
fn run_script(env: &TestEnv, extra: &[&str], script: &str) -> String {
    let image = img();
    let mut args = vec!["run", "--rm", "--network", "none"];
    args.extend_from_slice(extra);
    args.extend([image.as_str(), "sh", "-c", script]);
    let out = env.run(&args);
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The compiled filters kept in the test's run dir.
fn cached_filters(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let dir = env.dir.path().join("run/seccomp");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The seccomp filter is compiled once per profile and installed from the
/// cache by vassalrun before `execve`: the container gets the same filter,
/// capabilities and no_new_privs as before (CAP_SYS_ADMIN, kept for the
/// load, is gone), for root and other users; a damaged cache entry is
/// never loaded but compiled again.
#[test]
fn test_seccomp_filter_is_compiled_once_and_installed_from_the_cache() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let status = "grep -E '^(CapPrm|CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\\t'; \
                  unshare -U true 2>/dev/null; echo unshare=$?";
    // Docker's default capabilities (CAP_SYS_ADMIN is bit 21: 0x200000).
    let root_view =
        "CapPrm:00000000a80425fb\nCapEff:00000000a80425fb\nNoNewPrivs:0\nSeccomp:2\nunshare=1\n";
    assert_eq!(run_script(&env, &[], status), root_view);
    let cached = cached_filters(&env);
    assert_eq!(cached.len(), 1, "one compiled profile: {cached:?}");
    let first = std::fs::read(&cached[0]).unwrap();
    // Served from the cache: the same entry, the same view.
    assert_eq!(run_script(&env, &[], status), root_view);
    assert_eq!(cached_filters(&env), cached);
    let user_view =
        "CapPrm:0000000000000000\nCapEff:0000000000000000\nNoNewPrivs:0\nSeccomp:2\nunshare=1\n";
    assert_eq!(run_script(&env, &["-u", "1000"], status), user_view);
    let nnp = run_script(&env, &["--security-opt", "no-new-privileges"], status);
    assert!(nnp.contains("NoNewPrivs:1\nSeccomp:2\nunshare=1"), "{nnp}");

    // A damaged entry (a bit flipped) is compiled again, never loaded.
    let mut damaged = first.clone();
    damaged[12] ^= 0x10;
    std::fs::write(&cached[0], &damaged).unwrap();
    assert_eq!(run_script(&env, &[], status), root_view);
    assert_eq!(std::fs::read(&cached[0]).unwrap(), first);

    // A profile of the user's: its own entry, and its rule holds.
    let profile = env.dir.path().join("deny-mkdir.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction":"SCMP_ACT_ALLOW",
            "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#,
    )
    .unwrap();
    let opt = format!("seccomp={}", profile.display());
    let out = run_script(
        &env,
        &["--security-opt", &opt],
        "mkdir /tmp/d 2>&1; grep '^Seccomp:' /proc/self/status",
    );
    assert!(out.contains("Permission denied"), "{out}");
    assert!(out.contains("Seccomp:\t2"), "{out}");
    assert_eq!(
        cached_filters(&env).len(),
        2,
        "Docker's default and the user's"
    );
}

/// A created container's init waits for `start` already under its filter
/// and without the CAP_SYS_ADMIN kept for the filter's load.
#[test]
fn test_created_container_waits_for_start_filtered() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let image = img();
    for (name, user) in [("c-root", "0"), ("c-user", "1000")] {
        let out = env.run(&[
            "create",
            "--name",
            name,
            "--network",
            "none",
            "-u",
            user,
            &image,
            "true",
        ]);
        assert!(out.status.success(), "{}", describe(&out));
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let pid = env
            .cgroup_parent_dirs()
            .iter()
            .map(|d| d.join(&id).join("cgroup.procs"))
            .find_map(|p| {
                std::fs::read_to_string(p)
                    .ok()
                    .filter(|s| !s.trim().is_empty())
            })
            .unwrap_or_else(|| panic!("{name}: no process in the container's cgroup"));
        let pid = pid.lines().next().unwrap().trim();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        assert_eq!(field("Seccomp:"), "2", "{name}: {status}");
        let sys_admin = 1u64 << 21;
        for set in ["CapEff:", "CapPrm:"] {
            let caps = u64::from_str_radix(&field(set), 16).unwrap();
            assert_eq!(caps & sys_admin, 0, "{name}: {set} {caps:x}");
        }
        let out = env.run(&["start", "-a", name]);
        assert!(out.status.success(), "{}", describe(&out));
    }
}

#[test]
fn test_boundary_exec_tty() {
    if !can_run_containers() || !command_exists("script") {
        return;
    }
    let env = TestEnv::new();
    sleeper(&env, "tty", &[]);
    let cmd = env.command();
    let line: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .chain(["exec", "-t", "tty", "sh", "/probe/probe.sh"].map(String::from))
        .collect();
    // `script` gives the command a terminal; the probe's stdout is that pty.
    let out = Command::new("script")
        .args(["-qec", &line.join(" "), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_boundary(&parse(&out), "exec -t");
}

/// The `vassalrun exec` process (whose forks become the exec'd process)
/// runs from a read-only binary: `/proc/<pid>/exe` cannot be written.
#[test]
fn test_exec_runs_from_a_read_only_binary() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    sleeper(&env, "exe", &[]);
    let mut child = env
        .command()
        .args(["exec", "exe", "sleep", "3"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let exe = format!("/proc/{}/exe", child.id());
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut last = None;
    while Instant::now() < deadline {
        last = std::fs::read_link(&exe).ok();
        if last
            .as_deref()
            .is_some_and(|p| p.starts_with(env.dir.path()))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let writable = nix::unistd::access(exe.as_str(), nix::unistd::AccessFlags::W_OK);
    let _ = child.wait();
    assert!(
        last.as_deref()
            .is_some_and(|p| p.starts_with(env.dir.path())),
        "exec did not re-execute from the protected copy: {last:?}"
    );
    assert_eq!(writable, Err(nix::errno::Errno::EROFS), "{last:?}");
}

/// With the host's cgroup namespace (Docker's default on v1) the container
/// sees host paths in `/proc/self/cgroup`, but its cgroup mounts still show
/// its own cgroups only, read-only (on v2: a bind of its own cgroup, as runc).
#[test]
fn test_boundary_run_in_the_host_cgroup_namespace() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let p = parse(&probe_run(&env, &["--cgroupns", "host"]));
    for (key, value) in &p {
        if key.starts_with("cgroup_") && value == "allowed" {
            panic!("--cgroupns host: {key}\n{p:#?}");
        }
    }
    assert_eq!(p["cgroup_foreign_roots"], "", "{p:#?}");
    assert_eq!(p["sys_fs_cgroup"], "ro", "{p:#?}");
}

/// `--privileged` keeps Docker's behaviour: a writable cgroup tree, no filter.
#[test]
fn test_privileged_keeps_writable_cgroups() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let out = probe_run(&env, &["--privileged"]);
    let p = parse(&out);
    assert_eq!(p["sys_fs_cgroup"], "rw", "{p:#?}");
    assert_eq!(p["cgroup_memory_limit"], "allowed", "{p:#?}");
    assert_eq!(p["seccomp"], "0", "{p:#?}");
}

/// A filter the bundle carries (the default `spec` has none): unshare and
/// setns fail with EPERM.
fn seccomp_profile() -> Value {
    json!({
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["unshare", "setns"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]
    })
}

/// Adds a cgroup namespace to a bundle's spec unless it has one.
fn with_cgroup_namespace(spec: &mut Value) {
    let namespaces = spec["linux"]["namespaces"].as_array_mut().unwrap();
    if !namespaces.iter().any(|n| n["type"] == "cgroup") {
        namespaces.push(json!({"type": "cgroup"}));
    }
}

/// The probe under one OCI runtime (`vassalrun oci` or runc) on `bundle`:
/// `run` of the probe, then `exec` and `exec --process` in a running one.
/// `Err` when the runtime cannot run on this host at all.
fn oci_probes(
    t: &OciEnv,
    runtime: &[String],
    bundle: &Path,
    tag: &str,
) -> Result<Vec<(String, Probes)>, String> {
    let run = |args: &[&str]| -> Output {
        let mut cmd = Command::new(&runtime[0]);
        t.isolate(&mut cmd);
        cmd.args(&runtime[1..]).args(args);
        oci::output_via_files(cmd, t.dir())
    };
    let b = bundle.to_str().unwrap();
    let mut results = Vec::new();
    let probe_run = format!("{tag}-run");
    let out = run(&["run", "--bundle", b, &probe_run]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // crun does not run on a hybrid cgroup host at all.
    if !out.status.success() && stderr.contains("not supported") {
        return Err(format!("{tag}: {}", stderr.trim()));
    }
    results.push((format!("{tag} run"), parse(&out)));
    let _ = run(&["delete", "--force", &probe_run]);

    // A running container of the same bundle, its command replaced by sleep.
    let sleeper_bundle = bundle.with_file_name(format!("{tag}-sleeper"));
    std::fs::create_dir_all(&sleeper_bundle).unwrap();
    let mut spec: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
    let probe_args = spec["process"]["args"].clone();
    spec["process"]["args"] = json!(["sleep", "300"]);
    std::fs::write(
        sleeper_bundle.join("config.json"),
        serde_json::to_vec(&spec).unwrap(),
    )
    .unwrap();
    let id = format!("{tag}-sleeper");
    let out = run(&[
        "run",
        "--detach",
        "--bundle",
        sleeper_bundle.to_str().unwrap(),
        &id,
    ]);
    assert!(out.status.success(), "{tag}: {}", describe(&out));
    let mut exec_args = vec!["exec".to_string(), id.clone()];
    exec_args.extend(
        probe_args
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    let exec_args: Vec<&str> = exec_args.iter().map(String::as_str).collect();
    results.push((format!("{tag} exec"), parse(&run(&exec_args))));

    let mut process = spec["process"].clone();
    process["args"] = probe_args;
    let process_file = t.dir().join(format!("{tag}-process.json"));
    std::fs::write(&process_file, serde_json::to_vec(&process).unwrap()).unwrap();
    let out = run(&["exec", "--process", process_file.to_str().unwrap(), &id]);
    results.push((format!("{tag} exec --process"), parse(&out)));
    let _ = run(&["delete", "--force", &id]);
    Ok(results)
}

/// Probes whose value under another runtime is a refusal or a confinement:
/// vassalrun must give the same.
fn assert_no_less_than(ours: &Probes, other: &Probes, where_: &str) {
    for (key, theirs) in other {
        let strict = match key.as_str() {
            "cgroup_paths" => theirs == "own",
            "seccomp" => theirs == "2",
            "proc_sys" | "sys" | "sys_fs_cgroup" => theirs == "ro",
            "masked_leaks" | "proc_writable_paths" | "runtime_exes" => theirs == "none",
            "leaked_fds" | "cgroup_foreign_roots" => theirs.is_empty(),
            "runtime_in_mounts" | "runtime_in_init_cmdline" => theirs == "0",
            "no_new_privs" | "cap_eff" => true,
            _ => theirs == "refused",
        };
        if strict {
            assert_eq!(
                ours.get(key),
                Some(theirs),
                "{where_}: {key} (theirs: {theirs})\n{ours:#?}"
            );
        }
    }
}

#[test]
fn test_boundary_oci_bundle_matches_runc() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("probe", &["sh", "-c", PROBE], |spec| {
        spec["linux"]["seccomp"] = seccomp_profile();
        with_cgroup_namespace(spec);
    });
    let ours = oci_probes(
        &t,
        &[
            env!("CARGO_BIN_EXE_vassalrun").to_string(),
            "oci".into(),
            "--root".into(),
            t.state_root().display().to_string(),
        ],
        &bundle,
        "vr",
    )
    .unwrap();
    for (where_, p) in &ours {
        assert_boundary(p, where_);
    }
    // runc and crun refuse these from inside; vassalrun must not allow more.
    for other in ["runc", "crun"] {
        if !command_exists(other) {
            eprintln!("{other} not installed: comparison skipped");
            continue;
        }
        let root = t.dir().join(format!("{other}-state"));
        let _cleanup = OtherRuntimeCleanup(other, root.clone());
        let theirs = match oci_probes(
            &t,
            &[other.into(), "--root".into(), root.display().to_string()],
            &bundle,
            other,
        ) {
            Ok(theirs) => theirs,
            Err(why) => {
                eprintln!("comparison skipped: {why}");
                continue;
            }
        };
        for ((where_, ours), (_, theirs)) in ours.iter().zip(&theirs) {
            assert_no_less_than(ours, theirs, &format!("{where_} vs {other}"));
        }
    }
}

/// Deletes the containers another runtime made for the test, pass or fail.
struct OtherRuntimeCleanup(&'static str, std::path::PathBuf);

impl Drop for OtherRuntimeCleanup {
    fn drop(&mut self) {
        for suffix in ["run", "sleeper"] {
            let _ = Command::new(self.0)
                .arg("--root")
                .arg(&self.1)
                .args(["delete", "--force", &format!("{}-{suffix}", self.0)])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// OCI mode honours the bundle's cgroup mount options, as runc: a bundle
/// asking for `rw` gets a writable tree (still the container's own cgroups).
#[test]
fn test_oci_bundle_cgroup_mount_options_are_honoured() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("rw", &["sh", "-c", PROBE], |spec| {
        for mount in spec["mounts"].as_array_mut().unwrap() {
            if mount["type"] == "cgroup" {
                mount["options"] = json!(["nosuid", "noexec", "nodev", "rw"]);
            }
        }
        with_cgroup_namespace(spec);
    });
    let out = t.oci(&["run", "--bundle", bundle.to_str().unwrap(), "rw"]);
    let p = parse(&out);
    assert_eq!(p["sys_fs_cgroup"], "rw", "{p:#?}");
    assert_eq!(p["cgroup_memory_limit"], "allowed", "{p:#?}");
    assert_eq!(p["cgroup_paths"], "own", "{p:#?}");
}
