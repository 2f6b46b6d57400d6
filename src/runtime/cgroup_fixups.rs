//! Resource values that libcgroups 0.7 leaves unwritten, written by vassalrun
//! after libcontainer has built the container (the init still waits for
//! `start`, so they are in force before the user process runs):
//!
//! | value                                   | libcgroups 0.7                 | written here (as runc)   |
//! |-----------------------------------------|--------------------------------|--------------------------|
//! | `memory.disableOOMKiller: true` (v1)    | hard-coded off                 | `memory.oom_control` = 1 |
//! | `memory.swap == memory.limit > 0` (v2)  | skips a swap of 0: stays `max` | `memory.swap.max` = 0    |
//!
//! The other values that map to 0 or "max" were checked against runc and
//! need nothing: v1 and v2 pids (0 → v1 "max", v2 "1", -1 → "max"), cpu
//! quota (≤ 0 → "max", 0 without a period → untouched), v1 swappiness 0
//! (written), v1 swap == limit (memsw = limit, written), memory limit 0
//! (unset, as in runc). cgroup v2 has no OOM-killer switch (runc ignores it
//! there too).

use std::io;
use std::path::{Path, PathBuf};

use oci_spec::runtime::{LinuxMemory, LinuxResources};

/// Where the controllers live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hierarchy {
    /// v1 (or hybrid): one directory per controller under /sys/fs/cgroup.
    V1,
    /// v2 only: one tree at /sys/fs/cgroup.
    Unified,
}

impl Hierarchy {
    /// The host's: unified when /sys/fs/cgroup itself is a cgroup2 root.
    pub fn of_host() -> Hierarchy {
        if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
            Hierarchy::Unified
        } else {
            Hierarchy::V1
        }
    }
}

/// One file to write: `controller` is the v1 controller's directory name
/// (empty on v2), `file` the file in the container's cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixup {
    pub controller: &'static str,
    pub file: &'static str,
    pub value: &'static str,
}

/// The writes `resources` needs on `hierarchy` beyond libcgroups'.
pub fn fixups(resources: &LinuxResources, hierarchy: Hierarchy) -> Vec<Fixup> {
    let Some(memory) = resources.memory() else {
        return Vec::new();
    };
    let mut writes = Vec::new();
    match hierarchy {
        Hierarchy::V1 => {
            if memory.disable_oom_killer() == Some(true) {
                writes.push(Fixup {
                    controller: "memory",
                    file: "memory.oom_control",
                    value: "1",
                });
            }
        }
        Hierarchy::Unified => {
            if let Some(value) = v2_swap_max_override(memory) {
                writes.push(Fixup {
                    controller: "",
                    file: "memory.swap.max",
                    value,
                });
            }
        }
    }
    writes
}

/// cgroup v2 `memory.swap.max` where libcgroups gets it wrong: the OCI
/// `swap` is memory+swap, so `swap == limit` means "no swap at all", i.e. 0;
/// libcgroups computes 0 and then treats 0 as "unset", leaving `max`, so the
/// container swaps without limit (Docker's `-m X --memory-swap X`).
pub fn v2_swap_max_override(memory: &LinuxMemory) -> Option<&'static str> {
    match (memory.limit(), memory.swap()) {
        (Some(limit), Some(swap)) if limit > 0 && swap == limit => Some("0"),
        _ => None,
    }
}

/// The writes `resources` needs on this host: none for most containers, so
/// a caller finds the cgroup's path only when there is something to write.
pub fn needed(resources: &LinuxResources) -> Vec<Fixup> {
    fixups(resources, Hierarchy::of_host())
}

/// Writes `fixups` for the cgroup at `relative` (e.g. `/vassalrun/<id>`);
/// an error names the file.
pub fn apply(relative: &Path, fixups: &[Fixup]) -> Result<(), (PathBuf, io::Error)> {
    let relative = relative.strip_prefix("/").unwrap_or(relative);
    for fixup in fixups {
        let path = Path::new("/sys/fs/cgroup")
            .join(fixup.controller)
            .join(relative)
            .join(fixup.file);
        std::fs::write(&path, fixup.value).map_err(|e| (path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources(json: &str) -> LinuxResources {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn test_v2_swap_equal_to_limit_writes_zero() {
        let r = resources(r#"{"memory":{"limit":16777216,"swap":16777216}}"#);
        assert_eq!(
            fixups(&r, Hierarchy::Unified),
            [Fixup {
                controller: "",
                file: "memory.swap.max",
                value: "0"
            }]
        );
        assert!(
            fixups(&r, Hierarchy::V1).is_empty(),
            "v1 memsw = limit is written"
        );
    }

    #[test]
    fn test_v2_swap_other_values_are_left_to_libcgroups() {
        for json in [
            r#"{"memory":{"limit":16777216,"swap":33554432}}"#,
            r#"{"memory":{"limit":16777216,"swap":-1}}"#,
            r#"{"memory":{"limit":-1,"swap":-1}}"#,
            r#"{"memory":{"limit":16777216}}"#,
            r#"{"memory":{"limit":0,"swap":0}}"#,
            r#"{"memory":{"swap":16777216}}"#,
            r#"{"pids":{"limit":0}}"#,
            r#"{}"#,
        ] {
            assert!(
                fixups(&resources(json), Hierarchy::Unified).is_empty(),
                "{json}"
            );
        }
    }

    #[test]
    fn test_v1_disable_oom_killer() {
        let on = resources(r#"{"memory":{"limit":16777216,"disableOOMKiller":true}}"#);
        assert_eq!(
            fixups(&on, Hierarchy::V1),
            [Fixup {
                controller: "memory",
                file: "memory.oom_control",
                value: "1"
            }]
        );
        let off = resources(r#"{"memory":{"disableOOMKiller":false}}"#);
        assert!(fixups(&off, Hierarchy::V1).is_empty());
        assert!(fixups(&on, Hierarchy::Unified).is_empty(), "no v2 switch");
    }
}
