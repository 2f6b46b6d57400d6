//! `vassalrun spec` through the real binary: a table of flag combinations, each
//! checked field by field, the `--config` JSON route against the flag route, and
//! every error's exact one-line message with exit code 125.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{assert_error, busybox_dir, busybox_tarball, describe, json_stdout, TestEnv};
use serde_json::{json, Value};

const DEFAULT_CAPS: [&str; 14] = [
    "CAP_AUDIT_WRITE",
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_MKNOD",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_RAW",
    "CAP_SETFCAP",
    "CAP_SETGID",
    "CAP_SETPCAP",
    "CAP_SETUID",
    "CAP_SYS_CHROOT",
];

/// A test directory with the files the cases refer to as `{dir}/...`.
fn prepared_env() -> TestEnv {
    let env = TestEnv::new();
    let dir = env.dir.path();
    std::fs::create_dir(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("env.list"),
        "# comment\nFROM_FILE=1\n\nSPACED=a b\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("seccomp.json"),
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"#,
    )
    .unwrap();
    let init = dir.join("my-init");
    std::fs::write(&init, "#!/bin/sh\nexec \"$@\"\n").unwrap();
    std::fs::set_permissions(&init, std::fs::Permissions::from_mode(0o755)).unwrap();
    env
}

fn expand(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let img = busybox_dir();
    let tar = busybox_tarball();
    args.iter()
        .map(|a| {
            a.replace("{img}", img.to_str().unwrap())
                .replace("{tar}", tar.to_str().unwrap())
                .replace("{dir}", env.dir.path().to_str().unwrap())
        })
        .collect()
}

fn spec(env: &TestEnv, args: &[&str]) -> Value {
    let mut full = vec!["spec".to_string()];
    full.extend(expand(env, args));
    let out = env.command().args(&full).output().unwrap();
    json_stdout(&out)
}

/// The container id, recovered from `cgroupsPath` (`/<parent>/<id>`).
fn id_of(spec: &Value) -> String {
    let path = spec["linux"]["cgroupsPath"].as_str().unwrap();
    path.rsplit('/').next().unwrap().to_string()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn env_of(spec: &Value) -> Vec<String> {
    strings(&spec["process"]["env"])
}

fn mount<'a>(spec: &'a Value, destination: &str) -> Option<&'a Value> {
    spec["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["destination"] == destination)
}

fn mount_options(spec: &Value, destination: &str) -> Vec<String> {
    strings(
        &mount(spec, destination).unwrap_or_else(|| panic!("no mount {destination}"))["options"],
    )
}

/// The namespace types of a default (unprivileged) container, without the
/// private cgroup namespace it gets last wherever the kernel has them.
fn default_namespace_types(spec: &Value) -> Vec<String> {
    let mut types = namespace_types(spec);
    if std::path::Path::new("/proc/self/ns/cgroup").exists() {
        assert_eq!(types.pop().as_deref(), Some("cgroup"), "{types:?}");
    }
    types
}

fn namespace_types(spec: &Value) -> Vec<String> {
    spec["linux"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_string())
        .collect()
}

fn has_seccomp_rule(spec: &Value, name: &str, action: &str) -> bool {
    spec["linux"]["seccomp"]["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == action && r["names"].as_array().unwrap().iter().any(|n| n == name))
}

struct Case {
    name: &'static str,
    args: &'static [&'static str],
    check: fn(&Value, &TestEnv),
}

const CASES: &[Case] = &[
    Case {
        name: "defaults",
        args: &["{img}", "true"],
        check: |s, env| {
            let id = id_of(s);
            assert_eq!(id.len(), 64);
            assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
            assert_eq!(s["ociVersion"], "1.2.0");
            let rootfs = env.root().join("containers").join(&id).join("rootfs");
            assert_eq!(s["root"], json!({"path": rootfs}));
            assert_eq!(s["hostname"], id[..12]);
            let p = &s["process"];
            assert_eq!(p["args"], json!(["true"]));
            assert_eq!(p["cwd"], "/");
            assert_eq!(p["terminal"], false);
            assert_eq!(
                p["user"],
                json!({"uid": 0, "gid": 0, "additionalGids": [0, 0, 10]})
            );
            assert_eq!(
                env_of(s),
                [
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
                    format!("HOSTNAME={}", &id[..12]),
                    "HOME=/root".to_string()
                ]
            );
            for set in ["bounding", "effective", "permitted"] {
                assert_eq!(strings(&p["capabilities"][set]), DEFAULT_CAPS, "{set}");
            }
            assert_eq!(p["capabilities"]["inheritable"], json!([]));
            assert_eq!(p["capabilities"]["ambient"], json!([]));
            assert_eq!(p["oomScoreAdj"], 0);
            assert!(
                p.get("noNewPrivileges").is_none(),
                "noNewPrivileges must be absent"
            );
            assert!(p.get("apparmorProfile").is_none());
            let destinations: Vec<&str> = s["mounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["destination"].as_str().unwrap())
                .collect();
            assert_eq!(
                destinations,
                [
                    "/proc",
                    "/dev",
                    "/dev/pts",
                    "/sys",
                    "/sys/fs/cgroup",
                    "/dev/mqueue",
                    "/dev/shm",
                    "/etc/resolv.conf",
                    "/etc/hostname",
                    "/etc/hosts"
                ]
            );
            assert_eq!(
                mount_options(s, "/dev/shm"),
                ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]
            );
            assert_eq!(
                mount_options(s, "/sys"),
                ["nosuid", "noexec", "nodev", "ro"]
            );
            let hosts = mount(s, "/etc/hosts").unwrap();
            assert_eq!(
                hosts["source"],
                json!(env.root().join("containers").join(&id).join("hosts"))
            );
            assert_eq!(hosts["options"], json!(["rbind", "rprivate"]));
            let l = &s["linux"];
            assert_eq!(l["cgroupsPath"], format!("/{}/{id}", env.cgroup_parent));
            assert_eq!(
                default_namespace_types(s),
                ["mount", "network", "uts", "pid", "ipc"]
            );
            assert_eq!(l["resources"]["blockIO"], json!({}));
            assert!(l["resources"].get("memory").is_none());
            let rules = l["resources"]["devices"].as_array().unwrap();
            assert_eq!(rules.len(), 8);
            assert_eq!(rules[0], json!({"allow": false, "access": "rwm"}));
            assert_eq!(
                rules[7],
                json!({"allow": false, "type": "c", "major": 10, "minor": 229, "access": "rwm"})
            );
            assert_eq!(l["devices"], json!([]));
            assert!(strings(&l["maskedPaths"]).contains(&"/proc/kcore".to_string()));
            assert_eq!(
                strings(&l["readonlyPaths"]),
                [
                    "/proc/bus",
                    "/proc/fs",
                    "/proc/irq",
                    "/proc/sys",
                    "/proc/sysrq-trigger"
                ]
            );
            assert_eq!(l["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
            assert_eq!(l["seccomp"]["defaultErrnoRet"], 1);
            assert!(has_seccomp_rule(s, "read", "SCMP_ACT_ALLOW"));
            assert!(!has_seccomp_rule(s, "mount", "SCMP_ACT_ALLOW"));
            assert_eq!(l["sysctl"]["net.ipv4.ping_group_range"], "0 2147483647");
            assert_eq!(l["sysctl"]["net.ipv4.ip_unprivileged_port_start"], "0");
        },
    },
    Case {
        name: "name",
        args: &["--name", "web-1", "{img}", "true"],
        check: |s, _| assert_eq!(s["process"]["args"], json!(["true"])),
    },
    Case {
        name: "env",
        args: &[
            "-e",
            "A=1",
            "--env",
            "HOSTNAME",
            "-e",
            "PATH=/bin",
            "{img}",
            "env",
        ],
        check: |s, _| assert_eq!(env_of(s), ["PATH=/bin", "A=1", "HOME=/root"]),
    },
    Case {
        name: "env-file",
        args: &[
            "--env-file",
            "{dir}/env.list",
            "-e",
            "FROM_FILE=2",
            "{img}",
            "env",
        ],
        check: |s, _| {
            let env = env_of(s);
            assert!(env.contains(&"FROM_FILE=2".to_string()), "{env:?}");
            assert!(env.contains(&"SPACED=a b".to_string()), "{env:?}");
        },
    },
    Case {
        name: "label",
        args: &["--label", "a=b", "-l", "flag", "{img}", "true"],
        check: |s, _| assert!(s.get("annotations").is_none()),
    },
    Case {
        name: "publish",
        args: &[
            "-p",
            "8080:80",
            "-p",
            "127.0.0.1::53/udp",
            "--expose",
            "9000",
            "{img}",
            "true",
        ],
        check: |s, _| assert_eq!(namespace_types(s)[1], "network"),
    },
    Case {
        name: "volume",
        args: &[
            "-v",
            "{dir}/data:/data:ro",
            "-v",
            "{dir}/data:/mnt/deep/er:rshared",
            "{img}",
            "true",
        ],
        check: |s, env| {
            let data = mount(s, "/data").unwrap();
            assert_eq!(data["type"], "bind");
            assert_eq!(data["source"], json!(env.dir.path().join("data")));
            assert_eq!(data["options"], json!(["rbind", "ro", "rprivate"]));
            assert_eq!(mount_options(s, "/mnt/deep/er"), ["rbind", "rshared"]);
            let order: Vec<&str> = s["mounts"].as_array().unwrap()[7..]
                .iter()
                .map(|m| m["destination"].as_str().unwrap())
                .collect();
            assert_eq!(
                order,
                [
                    "/data",
                    "/etc/resolv.conf",
                    "/etc/hostname",
                    "/etc/hosts",
                    "/mnt/deep/er"
                ]
            );
        },
    },
    Case {
        name: "mount bind and tmpfs",
        args: &[
            "--mount",
            "type=bind,source={dir}/data,target=/srv,readonly",
            "--mount",
            "type=tmpfs,destination=/cache,tmpfs-size=1m,tmpfs-mode=1770",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(mount_options(s, "/srv"), ["rbind", "ro", "rprivate"]);
            let cache = mount(s, "/cache").unwrap();
            assert_eq!(cache["type"], "tmpfs");
            assert_eq!(
                cache["options"],
                json!([
                    "noexec",
                    "nosuid",
                    "nodev",
                    "rprivate",
                    "size=1048576",
                    "mode=1770"
                ])
            );
        },
    },
    Case {
        name: "tmpfs",
        args: &[
            "--tmpfs",
            "/run:exec,size=64m",
            "--tmpfs",
            "/scratch",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(
                mount_options(s, "/run"),
                ["nosuid", "nodev", "rprivate", "exec", "size=64m"]
            );
            assert_eq!(
                mount_options(s, "/scratch"),
                ["noexec", "nosuid", "nodev", "rprivate"]
            );
        },
    },
    Case {
        name: "workdir",
        args: &["-w", "/srv/app/", "{img}", "pwd"],
        check: |s, _| assert_eq!(s["process"]["cwd"], "/srv/app"),
    },
    Case {
        name: "user by name",
        args: &["-u", "app", "{img}", "id"],
        check: |s, _| {
            assert_eq!(
                s["process"]["user"],
                json!({"uid": 1000, "gid": 1000, "additionalGids": [1000, 10, 29]})
            );
            assert!(env_of(s).contains(&"HOME=/home/app".to_string()));
            let caps = &s["process"]["capabilities"];
            assert_eq!(strings(&caps["bounding"]), DEFAULT_CAPS);
            assert_eq!(caps["effective"], json!([]));
            assert_eq!(caps["permitted"], json!([]));
        },
    },
    Case {
        name: "user numeric with group",
        args: &["-u", "4242:audio", "{img}", "id"],
        check: |s, _| {
            assert_eq!(
                s["process"]["user"],
                json!({"uid": 4242, "gid": 29, "additionalGids": [29]})
            );
            assert!(env_of(s).contains(&"HOME=/".to_string()));
        },
    },
    Case {
        name: "group-add",
        args: &[
            "-u",
            "app",
            "--group-add",
            "daemon",
            "--group-add",
            "777",
            "{img}",
            "id",
        ],
        check: |s, _| {
            assert_eq!(
                s["process"]["user"]["additionalGids"],
                json!([1000, 10, 29, 1, 777])
            )
        },
    },
    Case {
        name: "user from tarball image",
        args: &["-u", "app", "{tar}", "id"],
        check: |s, _| assert_eq!(s["process"]["user"]["uid"], 1000),
    },
    Case {
        name: "image name without store resolves numerically",
        args: &["-u", "33:44", "some-image", "id"],
        check: |s, _| {
            assert_eq!(
                s["process"]["user"],
                json!({"uid": 33, "gid": 44, "additionalGids": [44]})
            )
        },
    },
    Case {
        name: "hostname",
        args: &["-h", "web", "{img}", "hostname"],
        check: |s, _| {
            assert_eq!(s["hostname"], "web");
            assert!(env_of(s).contains(&"HOSTNAME=web".to_string()));
        },
    },
    Case {
        name: "domainname",
        args: &["--domainname", "example.org", "{img}", "true"],
        check: |s, _| assert_eq!(s["linux"]["sysctl"]["kernel.domainname"], "example.org"),
    },
    Case {
        name: "memory doubles swap",
        args: &["-m", "512m", "{img}", "true"],
        check: |s, _| {
            assert_eq!(
                s["linux"]["resources"]["memory"],
                json!({"limit": 536870912, "swap": 1073741824})
            )
        },
    },
    Case {
        name: "memory-swap unlimited",
        args: &["-m", "1.5GB", "--memory-swap", "-1", "{img}", "true"],
        check: |s, _| {
            assert_eq!(
                s["linux"]["resources"]["memory"],
                json!({"limit": 1610612736})
            )
        },
    },
    Case {
        name: "memory-swap and reservation",
        args: &[
            "-m",
            "64m",
            "--memory-swap",
            "100m",
            "--memory-reservation",
            "32m",
            "--memory-swappiness",
            "10",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(
                s["linux"]["resources"]["memory"],
                json!({"limit": 67108864, "swap": 104857600, "reservation": 33554432, "swappiness": 10})
            )
        },
    },
    Case {
        name: "cpus",
        args: &["--cpus", "1.5", "--cpu-shares", "512", "{img}", "true"],
        check: |s, _| {
            assert_eq!(
                s["linux"]["resources"]["cpu"],
                json!({"shares": 512, "period": 100000, "quota": 150000})
            )
        },
    },
    Case {
        name: "cpu period quota cpuset",
        args: &[
            "--cpu-period",
            "50000",
            "--cpu-quota",
            "25000",
            "--cpuset-cpus",
            "0",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(
                s["linux"]["resources"]["cpu"],
                json!({"period": 50000, "quota": 25000, "cpus": "0"})
            )
        },
    },
    Case {
        name: "pids-limit",
        args: &[
            "--pids-limit",
            "100",
            "--blkio-weight",
            "300",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(s["linux"]["resources"]["pids"], json!({"limit": 100}));
            assert_eq!(s["linux"]["resources"]["blockIO"], json!({"weight": 300}));
        },
    },
    Case {
        name: "network host",
        args: &["--network", "host", "{img}", "true"],
        check: |s, _| {
            assert_eq!(default_namespace_types(s), ["mount", "uts", "pid", "ipc"]);
            let host = nix::unistd::gethostname().unwrap().into_string().unwrap();
            assert_eq!(s["hostname"], host);
            assert!(s["linux"]["sysctl"]
                .get("net.ipv4.ping_group_range")
                .is_none());
            assert!(mount(s, "/etc/hosts").is_some());
        },
    },
    Case {
        name: "network none",
        args: &["--net", "none", "{img}", "true"],
        check: |s, _| {
            assert_eq!(
                default_namespace_types(s),
                ["mount", "network", "uts", "pid", "ipc"]
            );
            assert_eq!(
                s["linux"]["sysctl"]["net.ipv4.ip_unprivileged_port_start"],
                "0"
            );
        },
    },
    Case {
        name: "dns and add-host",
        args: &[
            "--dns",
            "192.0.2.53",
            "--dns-search",
            "example.org",
            "--dns-option",
            "ndots:2",
            "--add-host",
            "db:192.0.2.7",
            "{img}",
            "true",
        ],
        check: |s, _| assert!(mount(s, "/etc/resolv.conf").is_some()),
    },
    Case {
        name: "init",
        args: &["--init", "{img}", "sleep", "1"],
        check: |s, env| {
            assert_eq!(
                s["process"]["args"],
                json!(["/dev/init", "--", "sleep", "1"])
            );
            let init = mount(s, "/dev/init").unwrap();
            assert_eq!(init["source"], json!(env.dir.path().join("my-init")));
            assert_eq!(init["options"], json!(["bind", "ro"]));
        },
    },
    Case {
        name: "read-only",
        args: &["--read-only", "{img}", "true"],
        check: |s, _| {
            assert_eq!(s["root"]["readonly"], true);
            assert_eq!(mount_options(s, "/etc/hosts"), ["rbind", "rprivate", "ro"]);
            assert_eq!(mount_options(s, "/dev/shm")[0], "nosuid");
        },
    },
    Case {
        name: "cidfile interactive detach rm",
        args: &[
            "--cidfile",
            "{dir}/cid",
            "-i",
            "-d",
            "--rm",
            "{img}",
            "true",
        ],
        check: |s, env| {
            assert_eq!(s["process"]["terminal"], false);
            assert!(
                !env.dir.path().join("cid").exists(),
                "spec must not write the cidfile"
            );
        },
    },
    Case {
        name: "entrypoint",
        args: &["--entrypoint", "/bin/sh", "{img}", "-c", "echo hi"],
        check: |s, _| assert_eq!(s["process"]["args"], json!(["/bin/sh", "-c", "echo hi"])),
    },
    Case {
        name: "empty entrypoint",
        args: &["--entrypoint", "", "{img}", "echo", "hi"],
        check: |s, _| assert_eq!(s["process"]["args"], json!(["echo", "hi"])),
    },
    Case {
        name: "tty",
        args: &["-it", "{img}", "sh"],
        check: |s, _| {
            assert_eq!(s["process"]["terminal"], true);
            assert!(env_of(s).contains(&"TERM=xterm".to_string()));
        },
    },
    Case {
        name: "cap-add and cap-drop",
        args: &[
            "--cap-add",
            "net_admin",
            "--cap-drop",
            "CAP_MKNOD",
            "--cap-drop",
            "kill",
            "{img}",
            "true",
        ],
        check: |s, _| {
            let caps = strings(&s["process"]["capabilities"]["bounding"]);
            assert!(caps.contains(&"CAP_NET_ADMIN".to_string()));
            assert!(!caps.contains(&"CAP_MKNOD".to_string()));
            assert!(!caps.contains(&"CAP_KILL".to_string()));
            assert_eq!(caps.len(), 13);
        },
    },
    Case {
        name: "cap-drop all",
        args: &["--cap-drop", "ALL", "--cap-add", "chown", "{img}", "true"],
        check: |s, _| {
            assert_eq!(
                s["process"]["capabilities"]["effective"],
                json!(["CAP_CHOWN"])
            )
        },
    },
    Case {
        name: "cap-add sys_admin opens seccomp",
        args: &["--cap-add", "SYS_ADMIN", "{img}", "true"],
        check: |s, _| assert!(has_seccomp_rule(s, "mount", "SCMP_ACT_ALLOW")),
    },
    Case {
        name: "privileged",
        args: &["--privileged", "{img}", "true"],
        check: |s, _| {
            let caps = strings(&s["process"]["capabilities"]["bounding"]);
            assert!(
                caps.len() > 14 && caps.contains(&"CAP_SYS_ADMIN".to_string()),
                "{caps:?}"
            );
            assert!(s["linux"].get("seccomp").is_none());
            assert_eq!(s["linux"]["maskedPaths"], json!([]));
            assert_eq!(s["linux"]["readonlyPaths"], json!([]));
            assert_eq!(mount_options(s, "/sys"), ["nosuid", "noexec", "nodev"]);
            assert_eq!(
                mount_options(s, "/sys/fs/cgroup"),
                ["nosuid", "noexec", "nodev"]
            );
            assert_eq!(
                s["linux"]["resources"]["devices"],
                json!([{"allow": true, "access": "rwm"}])
            );
            let devices = s["linux"]["devices"].as_array().unwrap();
            assert!(
                devices.iter().any(|d| d["path"] == "/dev/null"),
                "host devices listed"
            );
        },
    },
    Case {
        name: "no-new-privileges",
        args: &["--security-opt", "no-new-privileges", "{img}", "true"],
        check: |s, _| assert_eq!(s["process"]["noNewPrivileges"], true),
    },
    Case {
        name: "seccomp unconfined",
        args: &["--security-opt", "seccomp=unconfined", "{img}", "true"],
        check: |s, _| assert!(s["linux"].get("seccomp").is_none()),
    },
    Case {
        name: "seccomp file",
        args: &[
            "--security-opt",
            "seccomp={dir}/seccomp.json",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(s["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ALLOW");
            assert!(has_seccomp_rule(s, "mkdir", "SCMP_ACT_ERRNO"));
        },
    },
    Case {
        name: "ulimit",
        args: &[
            "--ulimit",
            "nofile=1024:2048",
            "--ulimit",
            "core=-1",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(
                s["process"]["rlimits"],
                json!([
                    {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 2048},
                    {"type": "RLIMIT_CORE", "soft": u64::MAX, "hard": u64::MAX}
                ])
            )
        },
    },
    Case {
        name: "sysctl",
        args: &[
            "--sysctl",
            "net.core.somaxconn=1024",
            "--sysctl",
            "kernel.shmmax=1000000",
            "{img}",
            "true",
        ],
        check: |s, _| {
            assert_eq!(s["linux"]["sysctl"]["net.core.somaxconn"], "1024");
            assert_eq!(s["linux"]["sysctl"]["kernel.shmmax"], "1000000");
        },
    },
    Case {
        name: "shm-size",
        args: &["--shm-size", "128m", "{img}", "true"],
        check: |s, _| assert_eq!(mount_options(s, "/dev/shm")[4], "size=134217728"),
    },
    Case {
        name: "stop signal and timeout",
        args: &[
            "--stop-signal",
            "SIGQUIT",
            "--stop-timeout",
            "3",
            "{img}",
            "true",
        ],
        check: |s, _| assert_eq!(s["process"]["args"], json!(["true"])),
    },
    Case {
        name: "oom-score-adj",
        args: &["--oom-score-adj", "-500", "{img}", "true"],
        check: |s, _| assert_eq!(s["process"]["oomScoreAdj"], -500),
    },
    Case {
        name: "pid and uts host",
        args: &["--pid", "host", "--uts", "host", "{img}", "true"],
        check: |s, _| {
            assert_eq!(default_namespace_types(s), ["mount", "network", "ipc"]);
            assert!(
                s.get("hostname").is_none(),
                "no hostname without a UTS namespace"
            );
            assert!(mount(s, "/etc/hostname").is_none());
        },
    },
    Case {
        name: "ipc none drops /dev/shm",
        args: &["--ipc", "none", "{img}", "true"],
        check: |s, _| assert!(mount(s, "/dev/shm").is_none()),
    },
    Case {
        name: "cgroupns private",
        args: &["--cgroupns", "private", "{img}", "true"],
        check: |s, _| assert_eq!(namespace_types(s).last().unwrap(), "cgroup"),
    },
    Case {
        name: "cgroup-parent",
        args: &["--cgroup-parent", "/tenants/a/", "{img}", "true"],
        check: |s, _| {
            assert_eq!(
                s["linux"]["cgroupsPath"],
                format!("/tenants/a/{}", id_of(s))
            )
        },
    },
    Case {
        name: "user /dev mount drops dev defaults",
        args: &["-v", "{dir}/data:/dev", "{img}", "true"],
        check: |s, _| {
            for gone in ["/dev/pts", "/dev/shm", "/dev/mqueue"] {
                assert!(mount(s, gone).is_none(), "{gone}");
            }
            assert_eq!(mount(s, "/dev").unwrap()["type"], "bind");
        },
    },
    Case {
        name: "user bind replaces /etc/hosts",
        args: &["-v", "{dir}/data:/etc/hosts", "{img}", "true"],
        check: |s, env| {
            assert_eq!(
                mount(s, "/etc/hosts").unwrap()["source"],
                json!(env.dir.path().join("data"))
            )
        },
    },
];

#[test]
fn test_spec_flag_table() {
    assert!(
        CASES.len() >= 40,
        "the table must cover at least 40 combinations"
    );
    let env = prepared_env();
    // The init binary is configured so the case does not depend on the host's tini.
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_dir().join("config.toml"),
        format!(
            "init-path = \"{}\"\n",
            env.dir.path().join("my-init").display()
        ),
    )
    .unwrap();
    for case in CASES {
        let spec = spec(&env, case.args);
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (case.check)(&spec, &env)));
        if let Err(e) = result {
            let message = e.downcast_ref::<String>().cloned().unwrap_or_default();
            panic!("case {:?} failed: {message}\nspec: {spec:#}", case.name);
        }
    }
}

#[test]
fn test_spec_has_no_side_effects() {
    let env = prepared_env();
    let out = env.run(&[
        "spec",
        "--cidfile",
        &format!("{}/cid", env.dir.path().display()),
        busybox_dir().to_str().unwrap(),
        "true",
    ]);
    json_stdout(&out);
    assert!(!env.root().exists(), "spec must not create the state root");
    assert!(!env.dir.path().join("cid").exists());
}

#[test]
fn test_spec_global_options_from_environment() {
    let env = prepared_env();
    // A bare command: TestEnv passes --default-cgroup-parent and --root, which beat the environment.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vassalrun"))
        .env("VASSALRUN_CGROUP_PARENT", "from-env")
        .env("VASSALRUN_CONFIG_DIR", env.config_dir())
        .args(["spec", "-u", "1", busybox_dir().to_str().unwrap(), "true"])
        .output()
        .unwrap();
    let s = json_stdout(&out);
    assert!(s["linux"]["cgroupsPath"]
        .as_str()
        .unwrap()
        .starts_with("/from-env/"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vassalrun"))
        .env("VASSALRUN_CONFIG_DIR", env.config_dir())
        .args(["spec", "img", "true"])
        .output()
        .unwrap();
    let s = json_stdout(&out);
    assert!(
        s["linux"]["cgroupsPath"]
            .as_str()
            .unwrap()
            .starts_with("/vassalrun/"),
        "the default parent"
    );

    // VASSALRUN_ROOT is overridden by --root, which TestEnv always passes; use a bare command.
    let root = env.dir.path().join("env-root");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vassalrun"))
        .env("VASSALRUN_ROOT", &root)
        .env("VASSALRUN_CONFIG_DIR", env.config_dir())
        .args(["spec", "some-image", "true"])
        .output()
        .unwrap();
    let s = json_stdout(&out);
    assert!(s["root"]["path"]
        .as_str()
        .unwrap()
        .starts_with(root.to_str().unwrap()));
}

/// The `docker run` flags of the flag route and their Engine API JSON must give the same spec.
#[test]
fn test_spec_config_json_equals_flags() {
    let env = prepared_env();
    let data = env.dir.path().join("data");
    let img = busybox_dir();
    let flags: Vec<String> = [
        "-e",
        "A=1",
        "-w",
        "/srv",
        "-u",
        "app",
        "--group-add",
        "daemon",
        "-h",
        "web",
        "--domainname",
        "example.org",
        "-m",
        "64m",
        "--memory-reservation",
        "32m",
        "--cpus",
        "0.5",
        "--cpu-shares",
        "256",
        "--pids-limit",
        "50",
        "-t",
        "--read-only",
        "--cap-add",
        "NET_ADMIN",
        "--cap-drop",
        "MKNOD",
        "--security-opt",
        "no-new-privileges",
        "--ulimit",
        "nofile=100:200",
        "--sysctl",
        "net.core.somaxconn=512",
        "--shm-size",
        "16m",
        "--oom-score-adj",
        "7",
        "--tmpfs",
        "/run:size=1m",
        "--mount",
        "type=tmpfs,target=/cache,tmpfs-size=2048",
        "-p",
        "8080:80",
        "--dns",
        "192.0.2.1",
        "--add-host",
        "db:192.0.2.2",
        "--network",
        "bridge",
        "--entrypoint",
        "/bin/sh",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        "-v".to_string(),
        format!("{}:/data:ro", data.display()),
        img.display().to_string(),
        "-c".to_string(),
        "echo hi".to_string(),
    ])
    .collect();
    let config = json!({
        "Env": ["A=1"], "WorkingDir": "/srv", "User": "app", "Hostname": "web", "Domainname": "example.org",
        "Tty": true, "Entrypoint": ["/bin/sh"], "Cmd": ["-c", "echo hi"], "Image": img,
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {
            "Binds": [format!("{}:/data:ro", data.display())], "GroupAdd": ["daemon"],
            "Memory": 67108864, "MemoryReservation": 33554432, "NanoCpus": 500000000, "CpuShares": 256,
            "PidsLimit": 50, "ReadonlyRootfs": true, "CapAdd": ["NET_ADMIN"], "CapDrop": ["MKNOD"],
            "SecurityOpt": ["no-new-privileges"], "Ulimits": [{"Name": "nofile", "Soft": 100, "Hard": 200}],
            "Sysctls": {"net.core.somaxconn": "512"}, "ShmSize": 16777216, "OomScoreAdj": 7,
            "Tmpfs": {"/run": "size=1m"}, "Mounts": [{"Type": "tmpfs", "Target": "/cache", "TmpfsOptions": {"SizeBytes": 2048}}],
            "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
            "Dns": ["192.0.2.1"], "ExtraHosts": ["db:192.0.2.2"], "NetworkMode": "bridge",
            "LogConfig": {"Type": "json-file", "Config": {}}, "RestartPolicy": {"Name": "no"}
        },
        "NetworkingConfig": {}
    });
    let file = env.dir.path().join("create.json");
    std::fs::write(&file, serde_json::to_string_pretty(&config).unwrap()).unwrap();

    let normalize = |mut s: Value| {
        let id = id_of(&s);
        let text = serde_json::to_string(&s).unwrap().replace(&id, "ID");
        s = serde_json::from_str(&text).unwrap();
        s
    };
    let flag_refs: Vec<&str> = flags.iter().map(String::as_str).collect();
    let from_flags = normalize(spec(&env, &flag_refs));
    let from_json = normalize(spec(
        &env,
        &["--config", file.to_str().unwrap(), img.to_str().unwrap()],
    ));
    assert_eq!(from_json, from_flags);
    // Spot-check that the comparison is about something.
    assert_eq!(from_json["process"]["user"]["uid"], 1000);
    assert_eq!(from_json["linux"]["resources"]["cpu"]["quota"], 50000);

    // The same body on stdin.
    let mut child = env
        .command()
        .args(["spec", "--config", "-", img.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(config.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(normalize(json_stdout(&out)), from_flags);
}

#[test]
fn test_spec_flags_override_config_json() {
    let env = prepared_env();
    let file = env.dir.path().join("create.json");
    std::fs::write(&file, r#"{"Cmd": ["sleep", "9"], "Env": ["A=json"], "Tty": true, "HostConfig": {"Memory": 67108864, "CapAdd": ["NET_ADMIN"]}}"#).unwrap();
    let s = spec(
        &env,
        &[
            "--config",
            file.to_str().unwrap(),
            "-m",
            "128m",
            "-t=false",
            "-e",
            "A=flag",
            "--cap-add",
            "SYS_PTRACE",
            "{img}",
        ],
    );
    assert_eq!(s["process"]["args"], json!(["sleep", "9"]));
    assert_eq!(s["process"]["terminal"], false);
    assert_eq!(s["linux"]["resources"]["memory"]["limit"], 134217728);
    assert!(env_of(&s).contains(&"A=flag".to_string()));
    let caps = strings(&s["process"]["capabilities"]["bounding"]);
    assert!(
        caps.contains(&"CAP_NET_ADMIN".to_string()) && caps.contains(&"CAP_SYS_PTRACE".to_string())
    );
    let s = spec(
        &env,
        &[
            "--config",
            file.to_str().unwrap(),
            "{img}",
            "echo",
            "override",
        ],
    );
    assert_eq!(s["process"]["args"], json!(["echo", "override"]));
}

#[test]
fn test_spec_errors_exact_messages() {
    let env = prepared_env();
    let dir = env.dir.path().display().to_string();
    let bad_json = env.dir.path().join("bad.json");
    std::fs::write(&bad_json, r#"{"HostConfig": {"Memory": "lots"}}"#).unwrap();
    let bad_seccomp = env.dir.path().join("bad-seccomp.json");
    std::fs::write(&bad_seccomp, "{not json").unwrap();
    let cases: Vec<(Vec<String>, String)> = vec![
        (vec!["-m".into(), "-1".into()], "invalid argument \"-1\" for \"-m, --memory\" flag: invalid size: '-1'".into()),
        (vec![], "no command specified".into()),
        (vec!["-p".into(), "70000:80".into()], "invalid argument \"70000:80\" for \"-p, --publish\" flag: invalid hostPort: 70000".into()),
        (vec!["-p".into(), "a:b".into()], "invalid argument \"a:b\" for \"-p, --publish\" flag: invalid containerPort: b".into()),
        (vec!["-p".into(), "80/icmp".into()], "invalid argument \"80/icmp\" for \"-p, --publish\" flag: invalid proto: icmp".into()),
        (vec!["-m".into(), "12x".into()], "invalid argument \"12x\" for \"-m, --memory\" flag: invalid suffix: 'x'".into()),
        (vec!["-m".into(), "4m".into()], "memory 4194304: Minimum memory limit allowed is 6MB".into()),
        (vec!["-m".into(), "64m".into(), "--memory-swap".into(), "32m".into()], "memory-swap 33554432: Minimum memoryswap limit should be larger than memory limit, see usage".into()),
        (vec!["--memory-swap".into(), "1g".into()], "memory-swap 1073741824: You should always set the Memory limit when using Memoryswap limit, see usage".into()),
        (vec!["--shm-size".into(), "big".into()], "invalid argument \"big\" for \"--shm-size\" flag: invalid size: 'big'".into()),
        (vec!["--cpus".into(), "lots".into()], "invalid argument \"lots\" for \"--cpus\" flag: failed to parse lots as a rational number".into()),
        (vec!["--cpus".into(), "1".into(), "--cpu-period".into(), "1000".into()], "Conflicting options: Nano CPUs and CPU Period cannot both be set".into()),
        (vec!["--pids-limit".into(), "many".into()], "invalid argument \"many\" for \"--pids-limit\" flag: not a valid integer".into()),
        (vec!["--oom-score-adj".into(), "2000".into()], "oom-score-adj 2000: Invalid value 2000, range for oom score adj is [-1000, 1000]".into()),
        (vec!["--cap-add".into(), "bogus".into()], "unknown capability: \"CAP_BOGUS\"".into()),
        (vec!["-u".into(), "nobody2".into()], "unable to find user nobody2: no matching entries in passwd file".into()),
        (vec!["-u".into(), "app:nogroup2".into()], "unable to find group nogroup2: no matching entries in group file".into()),
        (vec!["--group-add".into(), "video".into()], "Unable to find group video: no matching entries in group file".into()),
        (vec!["-v".into(), "data:/data".into()], "invalid volume specification: 'data:/data': host path \"data\" is not absolute; named and relative volumes are not supported, use an absolute host path".into()),
        (vec!["-v".into(), format!("{dir}/missing:/data")], format!("invalid mount config for type \"bind\": bind source path does not exist: {dir}/missing")),
        (vec!["-v".into(), format!("{dir}/data:/data:bogus")], format!("invalid volume specification: '{dir}/data:/data:bogus': invalid mode: bogus")),
        (vec!["--mount".into(), "type=volume,target=/x".into()], "invalid mount type \"volume\": only bind and tmpfs are supported".into()),
        (vec!["--mount".into(), "type=bind,src=/tmp".into()], "invalid argument \"type=bind,src=/tmp\" for \"--mount\" flag: target is required".into()),
        (vec!["--tmpfs".into(), "/run:bogus".into()], "invalid tmpfs option \"bogus\"".into()),
        (vec!["-w".into(), "relative".into()], "the working directory 'relative' is invalid, it needs to be an absolute path".into()),
        (vec!["--network".into(), "overlay".into()], "invalid network mode: \"overlay\" (expected bridge, host, none or container:NAME)".into()),
        (vec!["--network".into(), "container:ghost".into()], "No such container: ghost".into()),
        (vec!["--network".into(), "container:ghost".into(), "-h".into(), "x".into()], "conflicting options: hostname and the network mode".into()),
        (vec!["--dns".into(), "resolver".into()], "invalid argument \"resolver\" for \"--dns\" flag: resolver is not an ip address".into()),
        (vec!["--add-host".into(), "db".into()], "invalid extra host \"db\": expected host:ip".into()),
        (vec!["--security-opt".into(), "bogus".into()], "invalid --security-opt 1: \"bogus\"".into()),
        (vec!["--security-opt".into(), "foo=bar".into()], "invalid --security-opt 2: \"foo=bar\"".into()),
        (vec!["--security-opt".into(), format!("seccomp={}", bad_seccomp.display())], format!("invalid seccomp profile {}: key must be a string at line 1 column 2", bad_seccomp.display())),
        (vec!["--ulimit".into(), "nofile=2:1".into()], "invalid ulimit \"nofile=2:1\": ulimit soft limit must be less than or equal to hard limit: 2 > 1".into()),
        (vec!["--sysctl".into(), "kernel.hostname=x".into()], "sysctl \"kernel.hostname\": not a namespaced sysctl (allowed: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)".into()),
        (vec!["--network".into(), "host".into(), "--sysctl".into(), "net.core.somaxconn=1".into()], "sysctl \"net.core.somaxconn\": not allowed in host network namespace".into()),
        (vec!["--stop-signal".into(), "SIGBOGUS".into()], "invalid signal: SIGBOGUS".into()),
        (vec!["--name".into(), "bad name".into()], "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed".into()),
        (vec!["-h".into(), "a".repeat(65)], format!("hostname \"{}\" is too long (maximum 64 bytes)", "a".repeat(65))),
        (vec!["--init".into(), "-v".into(), format!("{dir}/data:/dev")], "--init: cannot be used with a mount on /dev".into()),
        (vec!["--init".into(), "--pid".into(), "host".into()], "--init: needs a private PID namespace (not --pid host)".into()),
        (vec!["-t=maybe".into()], "invalid argument \"maybe\" for \"-t, --tty\" flag: expected true or false".into()),
        (vec!["--config".into(), bad_json.display().to_string()], format!("--config {}: HostConfig.Memory: invalid type: string \"lots\", expected i64 at line 1 column 32", bad_json.display())),
        (vec!["--config".into(), format!("{dir}/none.json")], format!("invalid argument \"{dir}/none.json\" for \"--config\" flag: No such file or directory (os error 2)")),
    ];
    let img = busybox_dir();
    for (flags, message) in cases {
        let mut args = vec!["spec".to_string()];
        args.extend(flags.clone());
        args.push(img.display().to_string());
        if !message.contains("no command specified") {
            args.push("true".into());
        }
        let out = env.command().args(&args).output().unwrap();
        assert_error(&out, &message);
    }
    assert!(!env.root().exists(), "a refused spec leaves no state");
}

/// Usage errors keep clap's whole message: the unknown flag, the "did you
/// mean" tip, the usage line and Docker's pointer to `--help`; exit 125.
#[test]
fn test_usage_errors_keep_tips_usage_and_help_pointer() {
    let env = TestEnv::new();
    let img = busybox_dir().display().to_string();
    let out = env.run(&["spec", "--memroy", "1g", &img, "true"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("vassalrun: unknown flag: --memroy\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tip: a similar argument exists: '--memory'"),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: vassalrun spec"), "{stderr}");
    assert!(
        stderr.ends_with("See 'vassalrun spec --help'.\n"),
        "{stderr}"
    );
    let out = env.run(&["run"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("vassalrun: the following required arguments were not provided:\n  <IMAGE [COMMAND [ARG...]]>"), "{stderr}");
    assert!(stderr.contains("Usage: vassalrun run"), "{stderr}");
    assert!(
        stderr.ends_with("See 'vassalrun run --help'.\n"),
        "{stderr}"
    );
    let out = env.run(&["inpsect", "x"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("vassalrun: unrecognized subcommand 'inpsect'\n"),
        "{stderr}"
    );
    assert!(stderr.contains("'inspect'"), "{stderr}");
    assert!(stderr.ends_with("See 'vassalrun --help'.\n"), "{stderr}");
    assert!(!env.root().exists(), "a usage error leaves no state");
}

#[test]
fn test_spec_help_and_version_exit_zero() {
    let env = TestEnv::new();
    let out = env.run(&["spec", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--publish",
        "--memory-swap",
        "--security-opt",
        "--hostname",
        "--config",
    ] {
        assert!(help.contains(flag), "help lacks {flag}");
    }
    let out = env.run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("vassalrun "));
}

#[test]
fn test_spec_bad_config_file_is_one_line_error() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_dir().join("config.toml"), "root = [\n").unwrap();
    let out = env.run(&["spec", "img", "true"]);
    assert_eq!(out.status.code(), Some(125));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "vassalrun: {}: ",
            env.config_dir().join("config.toml").display()
        )),
        "{stderr}"
    );
}
