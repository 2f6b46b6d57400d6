//! `update [--resources FILE|-] [FLAGS] ID`: runc's update — new resource
//! limits for a created, running or paused container, written into its
//! cgroup. `--resources` takes the OCI `LinuxResources` JSON (what containerd
//! passes on stdin for Kubernetes' UpdateContainerResources); the flags, in
//! runc's units (bytes, microseconds), override fields of it.
//!
//! ```json
//! {"memory": {"limit": 134217728}, "cpu": {"shares": 512, "quota": 50000, "period": 100000},
//!  "pids": {"limit": 100}}
//! ```
//!
//! Like runc, only the cgroup changes; the bundle's config.json is the
//! caller's and is left alone.

use std::io::Read;
use std::path::PathBuf;

use libcgroups::common::{create_cgroup_manager, CgroupConfig, CgroupManager, ControllerOpt};
use libcontainer::container::ContainerStatus;
use oci_spec::runtime::LinuxResources;
use serde_json::{json, Value};

use super::lock::IdLock;
use super::state::{load, refresh, validate_id, wrong_state};
use super::{OciContext, OciError};

#[derive(clap::Args, Debug)]
pub struct UpdateArgs {
    /// LinuxResources JSON to apply, from FILE or - (stdin)
    #[arg(short = 'r', long, value_name = "FILE")]
    resources: Option<String>,
    /// Memory limit, bytes
    #[arg(long, value_name = "BYTES", allow_negative_numbers = true)]
    memory: Option<i64>,
    /// Memory plus swap limit, bytes (-1: unlimited)
    #[arg(
        long = "memory-swap",
        value_name = "BYTES",
        allow_negative_numbers = true
    )]
    memory_swap: Option<i64>,
    /// Memory soft limit, bytes
    #[arg(long = "memory-reservation", value_name = "BYTES")]
    memory_reservation: Option<i64>,
    /// CPU shares (relative weight)
    #[arg(long = "cpu-shares")]
    cpu_shares: Option<u64>,
    /// CFS period, microseconds
    #[arg(long = "cpu-period")]
    cpu_period: Option<u64>,
    /// CFS quota, microseconds (-1: unlimited)
    #[arg(long = "cpu-quota", allow_negative_numbers = true)]
    cpu_quota: Option<i64>,
    /// CPUs to run on (0-3, 0,1)
    #[arg(long = "cpuset-cpus")]
    cpuset_cpus: Option<String>,
    /// Memory nodes to use (0-3, 0,1)
    #[arg(long = "cpuset-mems")]
    cpuset_mems: Option<String>,
    /// Maximum number of processes (-1: unlimited)
    #[arg(long = "pids-limit", allow_negative_numbers = true)]
    pids_limit: Option<i64>,
    /// Block IO weight, 10 to 1000
    #[arg(long = "blkio-weight")]
    blkio_weight: Option<u16>,
    /// The container id
    pub id: String,
}

pub fn run_update(ctx: &OciContext, args: &UpdateArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let resources = requested(args)?;
    let _lock = IdLock::acquire(ctx, &args.id)?;
    let mut container = load(ctx, &args.id)?;
    refresh(&mut container)?;
    if container.status() == ContainerStatus::Stopped {
        return Err(wrong_state(&container, "update"));
    }
    let runtime = |e: &dyn std::error::Error| OciError::runtime(&args.id, "update", e);
    let cgroup_path = container.spec().map_err(|e| runtime(&e))?.cgroup_path;
    let manager = create_cgroup_manager(CgroupConfig {
        cgroup_path,
        systemd_cgroup: container.systemd(),
        container_name: args.id.clone(),
    })
    .map_err(|e| runtime(&e))?;
    manager
        .apply(&ControllerOpt {
            resources: &resources,
            disable_oom_killer: false,
            oom_score_adj: None,
            freezer_state: None,
        })
        .map_err(|e| runtime(&e))?;
    Ok(0)
}

/// `--resources` JSON with the flags set over it.
fn requested(args: &UpdateArgs) -> Result<LinuxResources, OciError> {
    let mut value = match &args.resources {
        Some(source) => read_json(source)?,
        None => json!({}),
    };
    let mut set = |section: &str, key: &str, v: Option<Value>| {
        if let Some(v) = v {
            value[section][key] = v;
        }
    };
    set("memory", "limit", args.memory.map(Value::from));
    set("memory", "swap", args.memory_swap.map(Value::from));
    set(
        "memory",
        "reservation",
        args.memory_reservation.map(Value::from),
    );
    set("cpu", "shares", args.cpu_shares.map(Value::from));
    set("cpu", "period", args.cpu_period.map(Value::from));
    set("cpu", "quota", args.cpu_quota.map(Value::from));
    set("cpu", "cpus", args.cpuset_cpus.clone().map(Value::from));
    set("cpu", "mems", args.cpuset_mems.clone().map(Value::from));
    set("pids", "limit", args.pids_limit.map(Value::from));
    set("blockIO", "weight", args.blkio_weight.map(Value::from));
    let path = PathBuf::from(args.resources.as_deref().unwrap_or("--resources"));
    serde_json::from_value(value).map_err(|e| OciError::Spec {
        path,
        reason: e.to_string(),
    })
}

fn read_json(source: &str) -> Result<Value, OciError> {
    let path = PathBuf::from(source);
    let io = |reason| OciError::Io {
        path: path.clone(),
        reason,
    };
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(io)?;
        text
    } else {
        std::fs::read_to_string(&path).map_err(io)?
    };
    serde_json::from_str(&text).map_err(|e| OciError::Spec {
        path: path.clone(),
        reason: e.to_string(),
    })
}
