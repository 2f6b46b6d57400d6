//! A running container's cgroup, through libcgroups' manager (v1 and v2
//! alike): the figures `stats` shows, the processes `top` lists, the limits
//! `update` writes, and freezing for `pause`.
//!
//! The manager is built from libcontainer's saved state (its cgroup path and
//! driver), so the cgroup found is exactly the one libcontainer created.

use libcgroups::common::{
    create_cgroup_manager, AnyCgroupManager, CgroupConfig, CgroupManager, ControllerOpt,
};
use libcontainer::container::Container;
use nix::unistd::Pid;
use oci_spec::runtime::LinuxResources;

use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::layout::Layout;

/// The figures of one sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// Total CPU time used, nanoseconds.
    pub cpu_ns: u64,
    /// Memory in use, without the inactive page cache (as Docker shows it).
    pub memory: u64,
    /// The memory limit; 0 when unlimited.
    pub memory_limit: u64,
    pub pids: u64,
}

fn runtime_error<'a>(
    id: &'a str,
    step: &'static str,
) -> impl FnOnce(String) -> LifecycleError + 'a {
    move |reason| LifecycleError::Runtime {
        id: id.to_string(),
        step,
        reason,
    }
}

/// The manager of running container `id`'s cgroup; refuses a container that
/// is not running (it has no cgroup then).
pub fn manager(layout: &Layout, id: &str) -> Result<AnyCgroupManager, LifecycleError> {
    if !matches!(status(layout, id), Status::Running { .. }) {
        return Err(LifecycleError::NotRunning(id.to_string()));
    }
    let container = Container::load(layout.libcontainer_root().join(id))
        .map_err(|e| runtime_error(id, "cgroup")(e.to_string()))?;
    let cgroup_path = container
        .spec()
        .map_err(|e| runtime_error(id, "cgroup")(e.to_string()))?
        .cgroup_path;
    create_cgroup_manager(CgroupConfig {
        cgroup_path,
        systemd_cgroup: container.systemd(),
        container_name: id.to_string(),
    })
    .map_err(|e| runtime_error(id, "cgroup")(e.to_string()))
}

/// One sample of the container's figures.
pub fn sample(manager: &AnyCgroupManager, id: &str) -> Result<Sample, LifecycleError> {
    let stats = manager
        .stats()
        .map_err(|e| runtime_error(id, "stats")(e.to_string()))?;
    let memory = &stats.memory;
    // Docker subtracts the page cache the kernel can drop at once:
    // v1 `total_inactive_file`, v2 `inactive_file`.
    let inactive = ["total_inactive_file", "inactive_file"]
        .iter()
        .find_map(|k| memory.stats.get(*k).copied())
        .unwrap_or(0);
    Ok(Sample {
        cpu_ns: stats.cpu.usage.usage_total,
        memory: memory.memory.usage.saturating_sub(inactive),
        memory_limit: effective_limit(memory.memory.limit),
        pids: stats.pids.current,
    })
}

/// v1 reports "no limit" as a huge page-rounded number, v2 as u64::MAX.
fn effective_limit(limit: u64) -> u64 {
    if limit >= i64::MAX as u64 / 2 {
        0
    } else {
        limit
    }
}

/// Every process in the container's cgroup (and its sub-cgroups).
pub fn pids(manager: &AnyCgroupManager, id: &str) -> Result<Vec<Pid>, LifecycleError> {
    manager
        .get_all_pids()
        .map_err(|e| runtime_error(id, "top")(e.to_string()))
}

/// Writes `resources` into the running container's cgroup.
pub fn apply(
    manager: &AnyCgroupManager,
    id: &str,
    resources: &LinuxResources,
) -> Result<(), LifecycleError> {
    manager
        .apply(&ControllerOpt {
            resources,
            disable_oom_killer: false,
            oom_score_adj: None,
            freezer_state: None,
        })
        .map_err(|e| runtime_error(id, "update")(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::effective_limit;

    #[test]
    fn test_effective_limit_unlimited_is_zero() {
        assert_eq!(effective_limit(9223372036854771712), 0);
        assert_eq!(effective_limit(u64::MAX), 0);
        assert_eq!(effective_limit(64 << 20), 64 << 20);
    }
}
