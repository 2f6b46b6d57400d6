//! `update [FLAGS] CONTAINER...`: change containers' resource limits, written
//! into a running container's cgroup and recorded for later starts.

use std::process::ExitCode;

use clap::Args;

use super::for_each_container;
use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::update::{check_flags, update};
use crate::runtime::store::Store;
use crate::spec::run_flags::RunFlags;

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// Memory limit (e.g. 512m, 1g)
    #[arg(short = 'm', long = "memory")]
    memory: Option<String>,
    /// Memory plus swap limit; -1 for unlimited swap
    #[arg(long = "memory-swap", allow_negative_numbers = true)]
    memory_swap: Option<String>,
    /// Memory soft limit
    #[arg(long = "memory-reservation")]
    memory_reservation: Option<String>,
    /// Number of CPUs (CFS quota over a 100 ms period)
    #[arg(long = "cpus")]
    cpus: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long = "cpu-shares", allow_negative_numbers = true)]
    cpu_shares: Option<String>,
    /// CFS period, microseconds
    #[arg(long = "cpu-period", allow_negative_numbers = true)]
    cpu_period: Option<String>,
    /// CFS quota, microseconds
    #[arg(long = "cpu-quota", allow_negative_numbers = true)]
    cpu_quota: Option<String>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-cpus")]
    cpuset_cpus: Option<String>,
    /// Memory nodes in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-mems")]
    cpuset_mems: Option<String>,
    /// Block IO weight, 10 to 1000
    #[arg(long = "blkio-weight")]
    blkio_weight: Option<String>,
    /// Process limit; 0 or -1 for unlimited
    #[arg(long = "pids-limit", allow_negative_numbers = true)]
    pids_limit: Option<String>,
    /// Containers (name, id or unique id prefix)
    #[arg(required = true, value_name = "CONTAINER")]
    containers: Vec<String>,
}

impl UpdateArgs {
    /// The same flags in `run`'s grammar, so they are parsed and checked by
    /// the same code.
    fn run_flags(&self) -> RunFlags {
        RunFlags {
            memory: self.memory.clone(),
            memory_swap: self.memory_swap.clone(),
            memory_reservation: self.memory_reservation.clone(),
            cpus: self.cpus.clone(),
            cpu_shares: self.cpu_shares.clone(),
            cpu_period: self.cpu_period.clone(),
            cpu_quota: self.cpu_quota.clone(),
            cpuset_cpus: self.cpuset_cpus.clone(),
            cpuset_mems: self.cpuset_mems.clone(),
            blkio_weight: self.blkio_weight.clone(),
            pids_limit: self.pids_limit.clone(),
            ..Default::default()
        }
    }
}

pub fn run_update(settings: &Settings, args: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    let flags = args.run_flags();
    // A bad value is the same for every container: refuse it before touching any.
    check_flags(&flags)?;
    Ok(for_each_container(&args.containers, |r| {
        update(&store, &store.resolve(r)?, &flags)?;
        Ok(r.to_string())
    }))
}
