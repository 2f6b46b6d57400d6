//! The seccomp filter when `process.noNewPrivileges` is not `true`, loaded by
//! vassalrun as the last step before the container process's `execve`.
//!
//! Without no_new_privs, loading a filter needs CAP_SYS_ADMIN. libcontainer
//! 0.7 handles that in two ways that both fail where crun succeeds:
//! - `noNewPrivileges` absent: it loads the filter early, before dropping
//!   capabilities, and then makes syscalls of its own under it (capset,
//!   chdir, getcwd, the start handshake); a profile denying one of them
//!   (e.g. `getcwd`) fails `create` ("failed to unix syscall");
//! - `noNewPrivileges: false`: it loads the filter late, after dropping
//!   capabilities, so without CAP_SYS_ADMIN in the container's set the load
//!   fails ("failed to load seccomp context").
//!
//! For exactly these cases ([`plan`]), libcontainer is given the spec without
//! the filter and with CAP_SYS_ADMIN kept in the effective and permitted sets
//! (not in the bounding set: nothing exec'd can gain it), and an executor
//! ([`LateSeccomp`]) that loads the filter, drops CAP_SYS_ADMIN again and
//! execs the process. Profiles that allow libcontainer's own syscalls (Docker's
//! and Podman's defaults) keep libcontainer's path unchanged.
//!
//! The changed spec reaches libcontainer through [`super::shown_spec`].
//!
//! A process without a `capabilities` object keeps every capability of the
//! runtime (libcontainer then changes none): it has CAP_SYS_ADMIN already, so
//! the spec's capabilities are left absent and nothing is dropped.

use libcontainer::workload::default::DefaultExecutor;
use libcontainer::workload::{Executor, ExecutorError, ExecutorValidationError};
use oci_spec::runtime::{Capability, LinuxSeccomp, LinuxSeccompAction, Spec};

use crate::runtime::late_filter::{denies, keep_sys_admin_for_the_load};

/// Syscalls libcontainer makes after an early filter load, up to `execve`,
/// as strace shows them on libcontainer 0.7 (capabilities, the user lookup
/// through glibc, the executable's lookup, the start handshake). Only traced
/// calls: a name added on a guess makes profiles that merely lack it (e.g.
/// `faccessat2`, absent from older allowlists) take the takeover needlessly.
const RUNTIME_SYSCALLS: [&str; 20] = [
    "capget",
    "capset",
    "prctl",
    "chdir",
    "getcwd",
    "close",
    "read",
    "write",
    "socket",
    "connect",
    "accept4",
    "recvmsg",
    "recvfrom",
    "sendmsg",
    "execve",
    "openat",
    "lseek",
    "fcntl",
    "statx",
    "newfstatat",
];

/// What [`plan`] decided: the spec libcontainer gets, and the executor.
pub struct Plan {
    pub spec: Spec,
    pub executor: LateSeccomp,
}

/// `Some` when `spec`'s filter must be loaded by vassalrun (see module doc).
pub fn plan(spec: &Spec) -> Option<Plan> {
    let seccomp = spec.linux().as_ref()?.seccomp().clone()?;
    let process = spec.process().as_ref()?;
    if seccomp.listener_path().is_some() || is_notify(&seccomp) {
        return None; // the notify fd must go through libcontainer's handshake
    }
    // No capabilities object: libcontainer leaves the runtime's (all) alone.
    let has_sys_admin = process.capabilities().as_ref().is_none_or(|c| {
        c.effective()
            .as_ref()
            .is_some_and(|e| e.contains(&Capability::SysAdmin))
    });
    let needed = match process.no_new_privileges() {
        Some(true) => false,
        Some(false) => !has_sys_admin,
        None => RUNTIME_SYSCALLS.iter().any(|s| denies(&seccomp, s)),
    };
    if !needed {
        return None;
    }
    let mut changed = spec.clone();
    changed.linux_mut().as_mut()?.set_seccomp(None);
    let drops = keep_sys_admin_for_the_load(&mut changed, &seccomp);
    Some(Plan {
        spec: changed,
        executor: LateSeccomp {
            seccomp,
            drop_from_effective: drops.effective,
            drop_from_permitted: drops.permitted,
        },
    })
}

fn is_notify(seccomp: &LinuxSeccomp) -> bool {
    actions(seccomp).any(|a| a == LinuxSeccompAction::ScmpActNotify)
}

fn actions(seccomp: &LinuxSeccomp) -> impl Iterator<Item = LinuxSeccompAction> + '_ {
    seccomp.syscalls().iter().flatten().map(|s| s.action())
}

/// The executor loading the filter right before `execve`.
#[derive(Clone)]
pub struct LateSeccomp {
    seccomp: LinuxSeccomp,
    drop_from_effective: bool,
    drop_from_permitted: bool,
}

impl Executor for LateSeccomp {
    fn exec(&self, spec: &Spec) -> Result<(), ExecutorError> {
        let fail = |what: &str, e: &dyn std::error::Error| {
            ExecutorError::Other(format!("{what}: {}", super::error::error_chain(e)))
        };
        libcontainer::seccomp::initialize_seccomp(&self.seccomp)
            .map_err(|e| fail("loading the seccomp filter", &e))?;
        // CAP_SYS_ADMIN was kept only for that load.
        if self.drop_from_effective {
            caps::drop(
                None,
                caps::CapSet::Effective,
                caps::Capability::CAP_SYS_ADMIN,
            )
            .map_err(|e| fail("dropping CAP_SYS_ADMIN", &e))?;
        }
        if self.drop_from_permitted {
            caps::drop(
                None,
                caps::CapSet::Permitted,
                caps::Capability::CAP_SYS_ADMIN,
            )
            .map_err(|e| fail("dropping CAP_SYS_ADMIN", &e))?;
        }
        DefaultExecutor {}.exec(spec)
    }

    fn validate(&self, spec: &Spec) -> Result<(), ExecutorValidationError> {
        DefaultExecutor {}.validate(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(nnp: &str, syscalls: &str, default: &str) -> Spec {
        let json = format!(
            r#"{{"ociVersion":"1.0.2",
              "process":{{"cwd":"/","user":{{"uid":0,"gid":0}}{nnp},
                "capabilities":{{"effective":["CAP_CHOWN"],"permitted":["CAP_CHOWN"],
                                 "bounding":["CAP_CHOWN"]}}}},
              "linux":{{"seccomp":{{"defaultAction":"{default}","syscalls":{syscalls}}}}}}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    const DENY_GETCWD: &str = r#"[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO"}]"#;
    const DENY_MKDIR: &str = r#"[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]"#;

    /// A process without a capabilities object keeps all of the runtime's
    /// capabilities; the late path must not hand it a default set instead.
    #[test]
    fn test_plan_without_capabilities_changes_none() {
        let spec = |nnp: &str| -> Spec {
            let json = format!(
                r#"{{"ociVersion":"1.0.2","process":{{"cwd":"/","user":{{"uid":0,"gid":0}}{nnp}}},
                  "linux":{{"seccomp":{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{DENY_GETCWD}}}}}}}"#
            );
            serde_json::from_str(&json).unwrap()
        };
        // noNewPrivileges false: the process has CAP_SYS_ADMIN, libcontainer's
        // own late load works.
        assert!(plan(&spec(r#","noNewPrivileges":false"#)).is_none());
        let plan = plan(&spec("")).expect("absent: getcwd denied");
        let process = plan.spec.process().as_ref().unwrap();
        assert!(process.capabilities().is_none());
        assert!(!plan.executor.drop_from_effective);
        assert!(!plan.executor.drop_from_permitted);
    }

    /// A filter refusing capset: the executor must not call it under the
    /// filter (the execve drops CAP_SYS_ADMIN: not in the bounding set).
    #[test]
    fn test_plan_with_capset_denied_leaves_the_drop_to_execve() {
        let deny_capset = r#"[{"names":["capset"],"action":"SCMP_ACT_ERRNO"}]"#;
        let plan = plan(&spec(
            r#","noNewPrivileges":false"#,
            deny_capset,
            "SCMP_ACT_ALLOW",
        ))
        .expect("noNewPrivileges false without CAP_SYS_ADMIN");
        assert!(!plan.executor.drop_from_effective);
        assert!(!plan.executor.drop_from_permitted);
        let plan = plan_of_mkdir();
        assert!(plan.executor.drop_from_effective);
    }

    fn plan_of_mkdir() -> Plan {
        plan(&spec(
            r#","noNewPrivileges":false"#,
            DENY_MKDIR,
            "SCMP_ACT_ALLOW",
        ))
        .unwrap()
    }

    #[test]
    fn test_plan_table() {
        let allow = "SCMP_ACT_ALLOW";
        let allow_traced = format!(
            r#"[{{"names":{},"action":"SCMP_ACT_ALLOW"}}]"#,
            serde_json::to_string(&RUNTIME_SYSCALLS).unwrap()
        );
        // (noNewPrivileges, rules, default action, taken over by vassalrun)
        let table = [
            (r#","noNewPrivileges":true"#, DENY_GETCWD, allow, false),
            (r#","noNewPrivileges":false"#, DENY_MKDIR, allow, true),
            ("", DENY_GETCWD, allow, true),
            ("", DENY_MKDIR, allow, false),
            // The start handshake and the executable's lookup.
            (
                "",
                r#"[{"names":["recvfrom"],"action":"SCMP_ACT_ERRNO"}]"#,
                allow,
                true,
            ),
            (
                "",
                r#"[{"names":["statx"],"action":"SCMP_ACT_KILL"}]"#,
                allow,
                true,
            ),
            (
                "",
                r#"[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]"#,
                "SCMP_ACT_ERRNO",
                true,
            ),
            // An allowlist holding every traced call keeps libcontainer's
            // path, whatever else it lacks (runtime-tools' default profile
            // has no faccessat2).
            ("", &allow_traced, "SCMP_ACT_ERRNO", false),
        ];
        for (nnp, rules, default, want) in table {
            let got = plan(&spec(nnp, rules, default));
            assert_eq!(got.is_some(), want, "{nnp} {rules} {default}");
            if let Some(plan) = got {
                assert!(plan.spec.linux().as_ref().unwrap().seccomp().is_none());
                let caps = plan
                    .spec
                    .process()
                    .as_ref()
                    .unwrap()
                    .capabilities()
                    .clone()
                    .unwrap();
                assert!(caps
                    .effective()
                    .as_ref()
                    .unwrap()
                    .contains(&Capability::SysAdmin));
                assert!(!caps
                    .bounding()
                    .as_ref()
                    .unwrap()
                    .contains(&Capability::SysAdmin));
            }
        }
    }
}
