//! Capabilities: Docker's 14 defaults, `--cap-add`, `--cap-drop` and `--privileged`
//! (moby `caps.TweakCapabilities`), checked against what this host can grant.

use super::error::SpecError;

/// Docker's default set, in Docker's order.
pub const DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// Every capability Linux defines, indexed by its number.
pub const KNOWN_CAPS: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// `--cap-add`/`--cap-drop` values as Docker normalises them: upper case, `CAP_`
/// prefixed, and `ALL` reported separately.
/// Dropping a capability the host cannot grant anyway is harmless, so drops pass
/// `available = None`.
fn normalize(
    names: &[String],
    available: Option<&[String]>,
) -> Result<(Vec<String>, bool), SpecError> {
    let mut caps = Vec::new();
    let mut all = false;
    for name in names {
        let upper = name.to_uppercase();
        if upper == "ALL" {
            all = true;
            continue;
        }
        let cap = if upper.starts_with("CAP_") {
            upper
        } else {
            format!("CAP_{upper}")
        };
        if !KNOWN_CAPS.contains(&cap.as_str()) {
            return Err(SpecError::Capability {
                name: cap,
                reason: "unknown capability",
            });
        }
        if available.is_some_and(|a| !a.contains(&cap)) {
            return Err(SpecError::Capability {
                name: cap,
                reason: "capability not supported by your kernel or not available in the current environment",
            });
        }
        caps.push(cap);
    }
    Ok((caps, all))
}

/// The container's capability set. `available` lists what this host can grant
/// (known to the kernel and in vassalrun's own bounding set).
pub fn tweak_capabilities(
    adds: &[String],
    drops: &[String],
    privileged: bool,
    available: &[String],
) -> Result<Vec<String>, SpecError> {
    if privileged {
        return Ok(available.to_vec());
    }
    let (drop, drop_all) = normalize(drops, None)?;
    let (add, add_all) = normalize(adds, Some(available))?;
    let mut caps: Vec<String> = if add_all {
        available
            .iter()
            .filter(|c| !drop.contains(c))
            .cloned()
            .collect()
    } else if drop_all {
        add
    } else {
        let mut caps: Vec<String> = DEFAULT_CAPS
            .iter()
            .map(|c| c.to_string())
            .filter(|c| !drop.contains(c))
            .collect();
        caps.extend(add);
        caps
    };
    let mut seen = Vec::new();
    caps.retain(|c| {
        let first = !seen.contains(c);
        seen.push(c.clone());
        first
    });
    Ok(caps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<String> {
        KNOWN_CAPS.iter().map(|c| c.to_string()).collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn test_tweak_capabilities_defaults() {
        assert_eq!(
            tweak_capabilities(&[], &[], false, &all()).unwrap(),
            s(&DEFAULT_CAPS)
        );
    }

    #[test]
    fn test_tweak_capabilities_add_and_drop() {
        let caps = tweak_capabilities(
            &s(&["net_admin", "CAP_SYS_PTRACE"]),
            &s(&["chown", "Cap_Kill"]),
            false,
            &all(),
        )
        .unwrap();
        assert!(caps.contains(&"CAP_NET_ADMIN".to_string()));
        assert!(caps.contains(&"CAP_SYS_PTRACE".to_string()));
        assert!(!caps.contains(&"CAP_CHOWN".to_string()));
        assert!(!caps.contains(&"CAP_KILL".to_string()));
        assert_eq!(caps.len(), 14);
    }

    #[test]
    fn test_tweak_capabilities_all() {
        assert_eq!(
            tweak_capabilities(&s(&["ALL"]), &s(&["sys_admin"]), false, &all())
                .unwrap()
                .len(),
            40
        );
        assert_eq!(
            tweak_capabilities(&s(&["chown"]), &s(&["all"]), false, &all()).unwrap(),
            s(&["CAP_CHOWN"])
        );
        assert_eq!(
            tweak_capabilities(&[], &[], true, &s(&["CAP_CHOWN"])).unwrap(),
            s(&["CAP_CHOWN"])
        );
    }

    #[test]
    fn test_tweak_capabilities_errors() {
        let err = tweak_capabilities(&s(&["bogus"]), &[], false, &all()).unwrap_err();
        assert_eq!(err.to_string(), "unknown capability: \"CAP_BOGUS\"");
        let err =
            tweak_capabilities(&s(&["sys_resource"]), &[], false, &s(&["CAP_CHOWN"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "capability not supported by your kernel or not available in the current environment: \"CAP_SYS_RESOURCE\""
        );
    }
}
