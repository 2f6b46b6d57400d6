//! OCI runtime-spec conformance points where libcontainer 0.7 falls short and
//! vassalrun makes up for it, through the real binary as root: hooks that do
//! not read their stdin (SIGPIPE), failing hooks of each kind, the seccomp
//! filter with `noNewPrivileges` true/false/absent, `disableOOMKiller`, swap
//! equal to the limit, and runc's behaviour for lock files, symlinked rootfs
//! and `list` without a root. Each test has its own state root and cgroup
//! parent (see `tests/oci`).

mod common;
mod oci;

use std::path::Path;

use common::{can_run_containers, describe};
use oci::OciEnv;
use serde_json::{json, Value};

/// A hook `sh -c SCRIPT` (hooks get an empty environment: builtins only).
fn sh_hook(script: &str) -> Value {
    json!({"path": "/bin/sh", "args": ["sh", "-c", script]})
}

/// A hook appending `NAME <state JSON from stdin>` to `log`.
fn logging_hook(name: &str, log: &Path) -> Value {
    sh_hook(&format!(
        "read -r s; echo \"{name} $s\" >> {}",
        log.display()
    ))
}

/// The hook names in `log`, in order, with their state.
fn logged(log: &Path) -> Vec<(String, Value)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let (name, state) = l.split_once(' ').unwrap();
            (name.to_string(), serde_json::from_str(state).unwrap())
        })
        .collect()
}

/// `/proc/PID/status` field `key` as a number (hex masks: `SigIgn`...).
fn status_mask(pid: i64, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{key}:")))
        .unwrap();
    u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
}

/// Waits until the container process `pid` runs `comm` (it has exec'd).
fn wait_comm(pid: i64, comm: &str) {
    for _ in 0..250 {
        let now = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if now.trim() == comm {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("process {pid} never ran {comm}");
}

const SIGPIPE_BIT: u64 = 1 << (13 - 1);

#[test]
fn test_hooks_that_do_not_read_stdin_leave_the_runtime_alive() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    // A state bigger than a pipe's buffer: the write to a hook that exits
    // without reading always meets a closed pipe (SIGPIPE, every time).
    let big = "x".repeat(300 * 1024);
    let bundle = t.bundle("pipe", &["sleep", "1000"], |spec| {
        spec["annotations"] = json!({"big": big});
        let t = json!({"path": "/bin/true"});
        spec["hooks"] = json!({
            "prestart": [t], "createRuntime": [t], "poststart": [t], "poststop": [t]
        });
    });
    for round in 0..3 {
        let out = t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "pipe"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            describe(&out)
        );
        let pid = t.init_pid("pipe");
        let out = t.oci(&["start", "pipe"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            describe(&out)
        );
        wait_comm(pid, "sleep");
        // The container process has SIGPIPE at its default: neither ignored
        // nor caught (a handler would not survive exec anyway).
        assert_eq!(
            status_mask(pid, "SigIgn") & SIGPIPE_BIT,
            0,
            "SIGPIPE ignored"
        );
        assert_eq!(
            status_mask(pid, "SigCgt") & SIGPIPE_BIT,
            0,
            "SIGPIPE caught"
        );
        let out = t.oci(&["delete", "--force", "pipe"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            describe(&out)
        );
        t.reap(pid);
        assert!(t.ids().is_empty(), "round {round}: {:?}", t.ids());
    }
}

#[test]
fn test_failing_poststart_and_poststop_hooks_warn_and_the_rest_run() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let log = t.dir().join("hooks.log");
    let bundle = t.bundle("warn", &["sleep", "1000"], |spec| {
        spec["hooks"] = json!({
            "poststart": [sh_hook("exit 3"), logging_hook("poststart", &log)],
            "poststop": [sh_hook("exit 4"), logging_hook("poststop", &log)],
        });
    });
    t.create("warn", &bundle);
    let pid = t.init_pid("warn");
    let out = t.oci(&["start", "warn"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: container warn: poststart hook /bin/sh"),
        "{stderr}"
    );
    assert_eq!(t.status("warn"), "running");

    assert_eq!(t.oci(&["kill", "warn", "KILL"]).status.code(), Some(0));
    t.wait_status("warn", "stopped");
    t.reap(pid);
    let out = t.oci(&["delete", "warn"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: container warn: poststop hook /bin/sh"),
        "{stderr}"
    );
    assert!(t.ids().is_empty(), "{:?}", t.ids());
    assert!(oci::cgroup_dirs_named(&t.cgroup_path("warn")[1..]).is_empty());

    let hooks = logged(&log);
    let names: Vec<&str> = hooks.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["poststart", "poststop"]);
    assert_eq!(hooks[0].1["status"], "running", "{}", hooks[0].1);
    assert_eq!(hooks[0].1["pid"], pid, "{}", hooks[0].1);
    assert_eq!(hooks[1].1["id"], "warn");
    assert_eq!(hooks[1].1["bundle"], bundle.to_str().unwrap());
}

#[test]
fn test_failing_create_hooks_fail_create_and_leave_nothing() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let log = t.dir().join("hooks.log");
    for kind in ["prestart", "createRuntime", "createContainer"] {
        let id = format!("fail-{}", kind.to_lowercase());
        let bundle = t.bundle(&id, &["sleep", "1000"], |spec| {
            // The failing hook comes first: the one after it must not run.
            spec["hooks"] = json!({
                kind: [sh_hook("exit 5"), logging_hook(kind, &log)],
                "poststop": [logging_hook("poststop", &log)],
            });
        });
        let out =
            while_reaping_forks(|| t.oci(&["create", "--bundle", bundle.to_str().unwrap(), &id]));
        assert_eq!(out.status.code(), Some(1), "{kind}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("vassalrun: "), "{kind}: {stderr}");
        assert!(t.ids().is_empty(), "{kind}: {:?}", t.ids());
        let out = t.oci(&["list", "-q"]);
        assert!(out.stdout.is_empty(), "{kind}: {}", describe(&out));
        assert!(
            oci::cgroup_dirs_named(&t.cgroup_path(&id)[1..]).is_empty(),
            "{kind}: cgroup left"
        );
    }
    assert!(logged(&log).is_empty(), "{:?}", logged(&log));
}

/// A hook appending `NAME MOUNT-NAMESPACE <state JSON from stdin>` to `log`.
fn ns_logging_hook(name: &str, log: &Path) -> Value {
    json!({
        "path": "/bin/sh",
        "args": ["sh", "-c", format!(
            "read -r s; echo \"{name} $(readlink /proc/self/ns/mnt) $s\" >> {}",
            log.display()
        )],
        "env": ["PATH=/usr/bin:/bin"],
        "timeout": 10
    })
}

/// Each line of `log` as (hook name, mount namespace, state).
fn ns_logged(log: &Path) -> Vec<(String, String, Value)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let name = parts.next().unwrap().to_string();
            let ns = parts.next().unwrap().to_string();
            (
                name,
                ns,
                serde_json::from_str(parts.next().unwrap()).unwrap(),
            )
        })
        .collect()
}

/// The state on the stdin of prestart, createRuntime and createContainer
/// says "created" (the spec's state after step 2, as crun; runtime-tools'
/// hooks_stdin), each hook runs in the namespaces the spec names (runtime's
/// for the first two, although vassalrun shows libcontainer the changed spec
/// from a private mount namespace), the bundle on disk is untouched, and the
/// container process holds no descriptor of the runtime's mount namespace.
#[test]
fn test_create_hooks_read_state_created_in_their_namespaces() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let log = t.dir().join("hooks.log");
    let sigign = t.dir().join("sigign");
    let bundle = t.bundle("stdin", &["sleep", "1000"], |spec| {
        spec["annotations"] = json!({"org.example": "hook stdin"});
        spec["hooks"] = json!({
            "prestart": [ns_logging_hook("prestart", &log)],
            "createRuntime": [ns_logging_hook("createRuntime", &log), json!({
                "path": "/bin/sh",
                "args": ["sh", "-c", format!("grep ^SigIgn: /proc/self/status > {}", sigign.display())],
                "env": ["PATH=/usr/bin:/bin"]
            })],
            "createContainer": [ns_logging_hook("createContainer", &log)],
            "poststart": [ns_logging_hook("poststart", &log)],
            "poststop": [ns_logging_hook("poststop", &log)],
        });
    });
    let on_disk = std::fs::read(bundle.join("config.json")).unwrap();
    let out = t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "stdin"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let pid = t.init_pid("stdin");
    let state = t.state("stdin");
    assert_eq!(state["status"], "created", "{state}");
    assert_eq!(state["bundle"], bundle.to_str().unwrap(), "{state}");
    let out = t.oci(&["start", "stdin"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    wait_comm(pid, "sleep");
    let fds: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|l| l.display().to_string())
        .collect();
    assert!(!fds.iter().any(|l| l.starts_with("mnt:")), "{fds:?}");
    let container_ns = std::fs::read_link(format!("/proc/{pid}/ns/mnt")).unwrap();
    assert_eq!(
        t.oci(&["delete", "--force", "stdin"]).status.code(),
        Some(0)
    );
    t.reap(pid);
    assert_eq!(std::fs::read(bundle.join("config.json")).unwrap(), on_disk);

    let runtime_ns = std::fs::read_link("/proc/self/ns/mnt").unwrap();
    let hooks = ns_logged(&log);
    let names: Vec<&str> = hooks.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "prestart",
            "createRuntime",
            "createContainer",
            "poststart",
            "poststop"
        ]
    );
    for (name, ns, state) in &hooks {
        assert_eq!(state["id"], "stdin", "{name}: {state}");
        assert_eq!(state["bundle"], bundle.to_str().unwrap(), "{name}: {state}");
        assert_eq!(state["annotations"]["org.example"], "hook stdin", "{name}");
        let (want_status, want_ns) = match name.as_str() {
            "createContainer" => ("created", &container_ns),
            "poststart" => ("running", &runtime_ns),
            "poststop" => ("stopped", &runtime_ns),
            _ => ("created", &runtime_ns),
        };
        assert_eq!(state["status"], want_status, "{name}: {state}");
        assert_eq!(
            ns,
            &want_ns.display().to_string(),
            "{name}: mount namespace"
        );
    }
    // The init's pid as each side sees it: 1 in its own pid namespace.
    assert_eq!(hooks[0].2["pid"], pid, "{}", hooks[0].2);
    assert_eq!(hooks[1].2["pid"], pid, "{}", hooks[1].2);
    assert_eq!(hooks[2].2["pid"], 1, "{}", hooks[2].2);
    assert_eq!(hooks[3].2["pid"], pid, "{}", hooks[3].2);
    // The shim hands the hook SIGPIPE at its default, not Rust's SIG_IGN.
    let line = std::fs::read_to_string(&sigign).unwrap();
    let mask = u64::from_str_radix(line.trim_start_matches("SigIgn:").trim(), 16).unwrap();
    assert_eq!(mask & SIGPIPE_BIT, 0, "{line}");
}

/// Runs `f` while reaping the container forks ("youki:[…]") that a failed
/// create orphans to this (subreaper) test process, as conmon or containerd's
/// shim would: on cgroup v1 an unreaped zombie keeps its cgroup busy, so the
/// create's cleanup could not remove it while the test waits for the create.
fn while_reaping_forks<T>(f: impl FnOnce() -> T) -> T {
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                oci::reap_exited_children("youki:");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        let result = f();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    })
}

/// A profile allowing everything but `getcwd`, which libcontainer itself
/// calls after loading a filter early (noNewPrivileges absent).
fn deny_getcwd(spec: &mut Value) {
    spec["linux"]["seccomp"] = json!({
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]
    });
}

#[test]
fn test_seccomp_with_no_new_privileges_true_false_and_absent() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    // busybox's `pwd -P` asks the kernel (getcwd): denied, it prints nothing.
    let probe = "grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status; [ \"$(pwd -P)\" = / ] && echo getcwd-allowed; exit 0";
    for (id, nnp) in [
        ("nnp-true", Some(true)),
        ("nnp-false", Some(false)),
        ("nnp-absent", None),
    ] {
        let bundle = t.bundle(id, &["sh", "-c", probe], |spec| {
            deny_getcwd(spec);
            match nnp {
                Some(v) => spec["process"]["noNewPrivileges"] = v.into(),
                None => {
                    spec["process"]
                        .as_object_mut()
                        .unwrap()
                        .remove("noNewPrivileges");
                }
            }
        });
        let out = t.oci(&["run", "--bundle", bundle.to_str().unwrap(), id]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("Seccomp:\t2"), "{id}: {stdout}");
        assert!(!stdout.contains("getcwd-allowed"), "{id}: {stdout}");
        let want_nnp = if nnp == Some(true) {
            "NoNewPrivs:\t1"
        } else {
            "NoNewPrivs:\t0"
        };
        assert!(stdout.contains(want_nnp), "{id}: {stdout}");
        // The default capabilities of `oci spec` (no CAP_SYS_ADMIN), whatever
        // the runtime needed to load the filter.
        let cap_eff = stdout
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:\t"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap();
        assert_eq!(cap_eff & (1 << 21), 0, "{id}: CAP_SYS_ADMIN kept: {stdout}");
        assert!(t.ids().is_empty(), "{id}: {:?}", t.ids());
    }
}

/// A process without a `capabilities` object keeps all of the runtime's
/// (libcontainer changes none); the filter loaded by vassalrun must not take
/// that away (it used to hand such a process oci-spec's three defaults).
#[test]
fn test_late_seccomp_keeps_a_process_without_capabilities_whole() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let probe = "grep -E '^(Seccomp|CapEff):' /proc/self/status; [ \"$(pwd -P)\" = / ] && echo getcwd-allowed; exit 0";
    for (id, nnp) in [("nocaps-false", Some(false)), ("nocaps-absent", None)] {
        let bundle = t.bundle(id, &["sh", "-c", probe], |spec| {
            deny_getcwd(spec);
            let process = spec["process"].as_object_mut().unwrap();
            process.remove("capabilities");
            process.remove("noNewPrivileges");
            if let Some(v) = nnp {
                process.insert("noNewPrivileges".into(), v.into());
            }
        });
        let out = t.oci(&["run", "--bundle", bundle.to_str().unwrap(), id]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("Seccomp:\t2"), "{id}: {stdout}");
        assert!(!stdout.contains("getcwd-allowed"), "{id}: {stdout}");
        let cap_eff = stdout
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:\t"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap();
        assert_ne!(cap_eff & (1 << 21), 0, "{id}: CAP_SYS_ADMIN lost: {stdout}");
        assert_ne!(cap_eff & (1 << 0), 0, "{id}: CAP_CHOWN lost: {stdout}");
    }
}

/// With `noNewPrivileges` absent, a profile refusing `recvfrom` (which
/// libcontainer's start handshake uses after its early load) still runs: the
/// filter is loaded by vassalrun, after the handshake.
#[test]
fn test_seccomp_denying_the_start_handshake_runs() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle(
        "recvfrom",
        &["grep", "Seccomp:", "/proc/self/status"],
        |spec| {
            spec["linux"]["seccomp"] = json!({
                "defaultAction": "SCMP_ACT_ALLOW",
                "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                "syscalls": [{"names": ["recvfrom"], "action": "SCMP_ACT_ERRNO"}]
            });
            spec["process"]
                .as_object_mut()
                .unwrap()
                .remove("noNewPrivileges");
        },
    );
    let out = t.oci(&["run", "--bundle", bundle.to_str().unwrap(), "recvfrom"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Seccomp:\t2"), "{stdout}");
}

/// `noNewPrivileges: false` without CAP_SYS_ADMIN and a profile refusing
/// capset: vassalrun loads the filter (keeping CAP_SYS_ADMIN for that) and
/// leaves it to the `execve` to take CAP_SYS_ADMIN away again.
#[test]
fn test_seccomp_denying_capset_runs_without_cap_sys_admin() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle(
        "capset",
        &[
            "grep",
            "-E",
            "^(Seccomp|CapEff|CapPrm):",
            "/proc/self/status",
        ],
        |spec| {
            spec["linux"]["seccomp"] = json!({
                "defaultAction": "SCMP_ACT_ALLOW",
                "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                "syscalls": [{"names": ["capset"], "action": "SCMP_ACT_ERRNO"}]
            });
            spec["process"]["noNewPrivileges"] = false.into();
        },
    );
    let out = t.oci(&["run", "--bundle", bundle.to_str().unwrap(), "capset"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Seccomp:\t2"), "{stdout}");
    for set in ["CapEff:\t", "CapPrm:\t"] {
        let caps = stdout
            .lines()
            .find_map(|l| l.strip_prefix(set))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap();
        assert_eq!(caps & (1 << 21), 0, "{set} CAP_SYS_ADMIN kept: {stdout}");
    }
}

/// A spec mount binding the bundle's `config.json` into the container (as
/// a bundle that is its own rootfs would hold it) works on both paths that
/// show libcontainer a changed spec (create-time hooks, late seccomp): the
/// bind's source used to be a deleted file there, which the kernel refuses
/// to bind ("failed to prepare rootfs"). (What the container reads there is
/// the changed spec: see docs/conformance.md, "Not done".)
#[test]
fn test_a_spec_mount_of_the_bundles_config_works() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    for id in ["cfg-plain", "cfg-hooks", "cfg-seccomp"] {
        let config = t.dir().join(format!("bundle-{id}")).join("config.json");
        let bundle = t.bundle(id, &["cat", "/etc/group"], |spec| {
            spec["mounts"].as_array_mut().unwrap().push(json!({
                "destination": "/etc/group", "type": "bind",
                "source": config.to_str().unwrap(), "options": ["bind", "ro"]
            }));
            match id {
                "cfg-hooks" => spec["hooks"] = json!({"prestart": [sh_hook("exit 0")]}),
                "cfg-seccomp" => {
                    deny_getcwd(spec);
                    spec["process"]["noNewPrivileges"] = false.into();
                }
                _ => {}
            }
        });
        let out = t.oci(&["run", "--bundle", bundle.to_str().unwrap(), id]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", describe(&out));
        let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            seen["process"]["args"],
            json!(["cat", "/etc/group"]),
            "{id}"
        );
        assert!(t.ids().is_empty(), "{id}: {:?}", t.ids());
        let leftovers: Vec<_> = std::fs::read_dir(t.state_root())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".shown-spec"))
            .collect();
        assert!(leftovers.is_empty(), "{id}: {leftovers:?}");
    }
}

/// The v1 memory controller's directory of the test's container `id`.
fn memory_cgroup(t: &OciEnv, id: &str) -> std::path::PathBuf {
    Path::new("/sys/fs/cgroup/memory").join(&t.cgroup_path(id)[1..])
}

fn is_cgroup_v1_memory() -> bool {
    Path::new("/sys/fs/cgroup/memory/memory.oom_control").exists()
}

#[test]
fn test_disable_oom_killer_sets_oom_control() {
    if !can_run_containers() || !is_cgroup_v1_memory() {
        return;
    }
    let t = OciEnv::new();
    for (id, disable) in [("oom-off", true), ("oom-on", false)] {
        let bundle = t.bundle(id, &["sleep", "1000"], |spec| {
            spec["linux"]["resources"]["memory"] =
                json!({"limit": 64 << 20, "disableOOMKiller": disable});
        });
        t.create(id, &bundle);
        let control =
            std::fs::read_to_string(memory_cgroup(&t, id).join("memory.oom_control")).unwrap();
        let want = format!("oom_kill_disable {}", u8::from(disable));
        assert!(control.lines().any(|l| l == want), "{id}: {control}");
        assert_eq!(t.oci(&["delete", "--force", id]).status.code(), Some(0));
    }
}

#[test]
fn test_swap_equal_to_limit_means_no_swap() {
    if !can_run_containers() {
        return;
    }
    let memsw = Path::new("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
    if !memsw.exists() {
        return; // v1 without swap accounting; v2 is proven in the v2 VM lane
    }
    let t = OciEnv::new();
    let limit: i64 = 16 << 20;
    let bundle = t.bundle("noswap", &["sleep", "1000"], |spec| {
        spec["linux"]["resources"]["memory"] = json!({"limit": limit, "swap": limit});
    });
    t.create("noswap", &bundle);
    let dir = memory_cgroup(&t, "noswap");
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f))
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(read("memory.limit_in_bytes"), limit.to_string());
    assert_eq!(read("memory.memsw.limit_in_bytes"), limit.to_string());
    assert_eq!(
        t.oci(&["delete", "--force", "noswap"]).status.code(),
        Some(0)
    );
}

#[test]
fn test_commands_on_an_unknown_id_leave_no_lock_file() {
    let t = OciEnv::new();
    std::fs::create_dir_all(t.state_root()).unwrap();
    let locks = t.state_root().join(".locks");
    for args in [
        ["kill", "ghost"].as_slice(),
        &["start", "ghost"],
        &["pause", "ghost"],
        &["resume", "ghost"],
        &["delete", "ghost"],
        &["delete", "--force", "ghost"],
    ] {
        let out = t.oci(args);
        let want = if args.contains(&"--force") { 0 } else { 1 };
        assert_eq!(
            out.status.code(),
            Some(want),
            "{args:?}: {}",
            describe(&out)
        );
        if want == 1 {
            oci::assert_oci_error(&out, "container ghost does not exist");
        }
        assert!(!locks.join("ghost").exists(), "{args:?} left a lock file");
    }
}

#[test]
fn test_symlinked_rootfs_is_refused_like_runc() {
    let t = OciEnv::new();
    let bundle = t.bundle("linked", &["true"], |_| {});
    std::os::unix::fs::symlink(common::busybox_dir(), bundle.join("rootfs")).unwrap();
    let config = bundle.join("config.json");
    let mut spec: Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    spec["root"]["path"] = "rootfs".into();
    std::fs::write(&config, serde_json::to_vec(&spec).unwrap()).unwrap();
    let out = t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "linked"]);
    oci::assert_oci_error(
        &out,
        &format!(
            "invalid root.path: {}/rootfs is a symlink: give the directory itself",
            std::fs::canonicalize(&bundle).unwrap().display()
        ),
    );
    assert!(t.ids().is_empty());
}

#[test]
fn test_errors_speak_vassalrun() {
    let t = OciEnv::new();
    let bundle = t.bundle("tty", &["true"], |spec| {
        spec["process"]["terminal"] = true.into();
    });
    let out = t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "tty"]);
    oci::assert_oci_error(
        &out,
        "invalid process.terminal: true, but no --console-socket to pass the terminal to (the container is detached)",
    );
    let bundle = t.bundle("aa", &["true"], |spec| {
        spec["process"]["apparmorProfile"] = "no-such-profile".into();
    });
    let out = t.oci(&["create", "--bundle", bundle.to_str().unwrap(), "aa"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr.starts_with("vassalrun: invalid process.apparmorProfile: \"no-such-profile\": "),
        "{stderr}"
    );
    assert!(t.ids().is_empty());
}

#[test]
fn test_features_report_what_this_host_supports() {
    let t = OciEnv::new();
    let out = t.oci(&["features"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let features: Value = serde_json::from_slice(&out.stdout).unwrap();
    let options: Vec<&str> = features["mountOptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for recursive in ["rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow", "rrw"] {
        assert!(options.contains(&recursive), "{recursive}: {options:?}");
    }
    let apparmor = std::fs::read_to_string("/sys/module/apparmor/parameters/enabled")
        .is_ok_and(|v| v.starts_with('Y'));
    assert_eq!(features["linux"]["apparmor"]["enabled"], apparmor);
}

/// The Docker-style path writes the same values: `-m X --memory-swap X` (no
/// swap) and `--oom-kill-disable` (v1) land in the container's cgroup.
#[test]
fn test_docker_style_swap_equal_to_limit_and_oom_kill_disable() {
    if !can_run_containers() || !is_cgroup_v1_memory() {
        return;
    }
    let env = common::TestEnv::new();
    let image = common::busybox_dir().display().to_string();
    let out = env.run(&[
        "run",
        "-d",
        "-m",
        "16m",
        "--memory-swap",
        "16m",
        "--oom-kill-disable",
        &image,
        "sleep",
        "30",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let dir = Path::new("/sys/fs/cgroup/memory")
        .join(&env.cgroup_parent)
        .join(&id);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(read("memory.limit_in_bytes").trim(), "16777216");
    if dir.join("memory.memsw.limit_in_bytes").exists() {
        assert_eq!(read("memory.memsw.limit_in_bytes").trim(), "16777216");
    }
    let control = read("memory.oom_control");
    assert!(
        control.lines().any(|l| l == "oom_kill_disable 1"),
        "{control}"
    );
    let out = env.run(&["rm", "-f", &id]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// A `create` killed half-way (here while its prestart hook runs) leaves a
/// container that `list` shows as stopped, never "creating", and that a
/// plain `delete` removes with its cgroup.
#[test]
fn test_a_killed_create_is_listed_stopped_and_deleted() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let marker = t.dir().join("hook-running");
    let bundle = t.bundle("killed", &["sleep", "1000"], |spec| {
        let script = format!("touch {}; sleep 5", marker.display());
        spec["hooks"] = json!({"prestart": [sh_hook(&script)]});
    });
    let mut create = t.command(&["create", "--bundle", bundle.to_str().unwrap(), "killed"]);
    let mut child = create
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..500 {
        if marker.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(marker.exists(), "the prestart hook never ran");
    child.kill().unwrap();
    child.wait().unwrap();
    let out = t.oci(&["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["id"], "killed", "{list}");
    assert_eq!(list[0]["status"], "stopped", "{list}");
    let out = t.oci(&["delete", "killed"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(t.ids().is_empty(), "{:?}", t.ids());
    assert!(oci::cgroup_dirs_named(&t.cgroup_path("killed")[1..]).is_empty());
}
