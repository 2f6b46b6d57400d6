//! `features`: the OCI runtime features document (runtime-spec
//! `features.md`), describing what this build supports:
//!
//! ```json
//! {"ociVersionMin":"1.0.0","ociVersionMax":"1.2.1","hooks":["prestart",…],
//!  "mountOptions":["ro",…],"linux":{"namespaces":[…],"capabilities":[…],
//!  "cgroup":{"v1":true,"v2":true,"systemd":false,…},"seccomp":{…},…},
//!  "annotations":{"org.opencontainers.runtime-spec.features.vassalrun.version":"0.1.0"}}
//! ```

use serde_json::{json, Value};

const NAMESPACES: [&str; 8] = [
    "cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time",
];

const SECCOMP_ACTIONS: [&str; 8] = [
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",
    "SCMP_ACT_TRACE",
];

const SECCOMP_OPERATORS: [&str; 7] = [
    "SCMP_CMP_EQ",
    "SCMP_CMP_GE",
    "SCMP_CMP_GT",
    "SCMP_CMP_LE",
    "SCMP_CMP_LT",
    "SCMP_CMP_MASKED_EQ",
    "SCMP_CMP_NE",
];

/// The recursive options (`mount_setattr(2)` with `AT_RECURSIVE`) that
/// libcontainer's mount code parses, beside its `MountOption::known_options`
/// (which leaves them out). Options neither list names (`nosymfollow`,
/// `tmpcopyup`, `lazytime`, `acl`, `iversion`, `silent`…) would reach the
/// file system as mount data and are not claimed.
const RECURSIVE_MOUNT_OPTIONS: [&str; 18] = [
    "rro",
    "rrw",
    "rnosuid",
    "rsuid",
    "rnodev",
    "rdev",
    "rnoexec",
    "rexec",
    "rnodiratime",
    "rdiratime",
    "rrelatime",
    "rnorelatime",
    "rnoatime",
    "ratime",
    "rstrictatime",
    "rnostrictatime",
    "rnosymfollow",
    "rsymfollow",
];

/// Every mount option create accepts, sorted (runc's order).
fn mount_options() -> Vec<String> {
    let mut options = libcontainer::syscall::linux::MountOption::known_options();
    options.extend(RECURSIVE_MOUNT_OPTIONS.map(String::from));
    options.sort();
    options.dedup();
    options
}

pub fn run_features() -> Result<u8, super::OciError> {
    println!(
        "{}",
        serde_json::to_string_pretty(&features()).expect("features serialize")
    );
    Ok(0)
}

/// The features document.
pub fn features() -> Value {
    json!({
        "ociVersionMin": "1.0.0",
        "ociVersionMax": oci_spec::runtime::VERSION,
        "hooks": ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        "mountOptions": mount_options(),
        "linux": {
            "namespaces": NAMESPACES.as_slice(),
            "capabilities": crate::spec::caps::KNOWN_CAPS.as_slice(),
            "cgroup": { "v1": true, "v2": true, "systemd": false, "systemdUser": false, "rdma": false },
            "seccomp": {
                "enabled": true,
                "actions": SECCOMP_ACTIONS.as_slice(),
                "operators": SECCOMP_OPERATORS.as_slice(),
                "archs": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"]
            },
            "apparmor": { "enabled": super::preflight::apparmor_enabled() },
            "selinux": { "enabled": false },
            "intelRdt": { "enabled": true },
            "mountExtensions": { "idmap": { "enabled": false } }
        },
        "annotations": {
            "org.opencontainers.runtime-spec.features.vassalrun.version": env!("CARGO_PKG_VERSION")
        }
    })
}
