//! Resource limits: Docker's validation rules (`verifyPlatformContainerResources`)
//! and the `linux.resources` section (`WithResources`), plus rlimits and the
//! OOM score.

use serde_json::{json, Map, Value};

use super::error::SpecError;
use super::model::HostConfig;

/// Smallest memory limit and reservation Docker allows.
const MIN_MEMORY: i64 = 6 * 1024 * 1024;

fn resource(setting: &'static str, value: impl ToString, reason: impl Into<String>) -> SpecError {
    SpecError::Resource {
        setting,
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Docker's `adaptContainerSettings` for resources: swap defaults to twice the memory.
pub fn adapt(host: &mut HostConfig) {
    if host.memory > 0 && host.memory_swap == 0 {
        host.memory_swap = 2 * host.memory;
    }
}

/// Refuses what dockerd refuses, with its texts. `num_cpus` bounds `--cpus`.
pub fn validate(h: &HostConfig, num_cpus: u32) -> Result<(), SpecError> {
    validate_memory(h)?;
    validate_cpu(h, num_cpus)?;
    if h.blkio_weight > 0 && !(10..=1000).contains(&h.blkio_weight) {
        return Err(resource(
            "blkio-weight",
            h.blkio_weight,
            "Range of blkio weight is from 10 to 1000",
        ));
    }
    if h.shm_size < 0 {
        return Err(resource(
            "shm-size",
            h.shm_size,
            "SHM size can not be less than 0",
        ));
    }
    if !(-1000..=1000).contains(&h.oom_score_adj) {
        return Err(resource(
            "oom-score-adj",
            h.oom_score_adj,
            format!(
                "Invalid value {}, range for oom score adj is [-1000, 1000]",
                h.oom_score_adj
            ),
        ));
    }
    Ok(())
}

fn validate_memory(h: &HostConfig) -> Result<(), SpecError> {
    if h.memory != 0 && h.memory < MIN_MEMORY {
        return Err(resource(
            "memory",
            h.memory,
            "Minimum memory limit allowed is 6MB",
        ));
    }
    if h.memory > 0 && h.memory_swap > 0 && h.memory_swap < h.memory {
        return Err(resource(
            "memory-swap",
            h.memory_swap,
            "Minimum memoryswap limit should be larger than memory limit, see usage",
        ));
    }
    if h.memory == 0 && h.memory_swap > 0 {
        return Err(resource(
            "memory-swap",
            h.memory_swap,
            "You should always set the Memory limit when using Memoryswap limit, see usage",
        ));
    }
    if h.memory_swap < -1 {
        return Err(resource(
            "memory-swap",
            h.memory_swap,
            "must be -1 (unlimited) or a size",
        ));
    }
    if let Some(s) = h
        .memory_swappiness
        .filter(|&s| s != -1 && !(0..=100).contains(&s))
    {
        return Err(resource(
            "memory-swappiness",
            s,
            format!("Invalid value: {s}, valid memory swappiness range is 0-100"),
        ));
    }
    if h.memory_reservation != 0 && h.memory_reservation < MIN_MEMORY {
        return Err(resource(
            "memory-reservation",
            h.memory_reservation,
            "Minimum memory reservation allowed is 6MB",
        ));
    }
    if h.memory > 0 && h.memory_reservation > 0 && h.memory < h.memory_reservation {
        return Err(resource(
            "memory",
            h.memory,
            "Minimum memory limit can not be less than memory reservation limit, see usage",
        ));
    }
    Ok(())
}

fn validate_cpu(h: &HostConfig, num_cpus: u32) -> Result<(), SpecError> {
    if h.cpu_shares < 0 {
        return Err(resource(
            "cpu-shares",
            h.cpu_shares,
            format!(
                "invalid CPU shares ({}): value must be a positive integer",
                h.cpu_shares
            ),
        ));
    }
    if h.nano_cpus > 0 && h.cpu_period > 0 {
        return Err(SpecError::Conflict(
            "Conflicting options: Nano CPUs and CPU Period cannot both be set",
        ));
    }
    if h.nano_cpus > 0 && h.cpu_quota > 0 {
        return Err(SpecError::Conflict(
            "Conflicting options: Nano CPUs and CPU Quota cannot both be set",
        ));
    }
    if h.nano_cpus < 0 || h.nano_cpus > i64::from(num_cpus) * 1_000_000_000 {
        return Err(resource(
            "cpus",
            format!("{}", h.nano_cpus as f64 / 1e9),
            format!("range of CPUs is from 0.01 to {num_cpus}.00, as there are only {num_cpus} CPUs available"),
        ));
    }
    if h.cpu_period != 0 && !(1000..=1_000_000).contains(&h.cpu_period) {
        return Err(resource(
            "cpu-period",
            h.cpu_period,
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
        ));
    }
    if h.cpu_quota > 0 && h.cpu_quota < 1000 {
        return Err(resource(
            "cpu-quota",
            h.cpu_quota,
            "CPU cfs quota can not be less than 1ms (i.e. 1000)",
        ));
    }
    Ok(())
}

/// The `linux.resources` section except `devices` (added by the builder).
///
/// ```json
/// {"memory": {"limit": 536870912, "swap": 1073741824},
///  "cpu": {"shares": 512, "period": 100000, "quota": 150000},
///  "pids": {"limit": 100}, "blockIO": {}}
/// ```
pub fn linux_resources(h: &HostConfig) -> Map<String, Value> {
    let mut r = Map::new();
    let memory = memory_section(h);
    if !memory.is_empty() {
        r.insert("memory".into(), Value::Object(memory));
    }
    let cpu = cpu_section(h);
    if !cpu.is_empty() {
        r.insert("cpu".into(), Value::Object(cpu));
    }
    if let Some(limit) = h.pids_limit {
        r.insert(
            "pids".into(),
            json!({ "limit": if limit <= 0 { -1 } else { limit } }),
        );
    }
    let mut block_io = Map::new();
    if h.blkio_weight > 0 {
        block_io.insert("weight".into(), json!(h.blkio_weight));
    }
    r.insert("blockIO".into(), Value::Object(block_io));
    r
}

fn memory_section(h: &HostConfig) -> Map<String, Value> {
    let mut m = Map::new();
    if h.memory > 0 {
        m.insert("limit".into(), json!(h.memory));
    }
    if h.memory_reservation > 0 {
        m.insert("reservation".into(), json!(h.memory_reservation));
    }
    // -1 (unlimited) is expressed by leaving the field out.
    if h.memory_swap > 0 {
        m.insert("swap".into(), json!(h.memory_swap));
    }
    if let Some(s) = h.memory_swappiness.filter(|&s| s >= 0) {
        m.insert("swappiness".into(), json!(s));
    }
    if let Some(disable) = h.oom_kill_disable {
        m.insert("disableOOMKiller".into(), json!(disable));
    }
    m
}

fn cpu_section(h: &HostConfig) -> Map<String, Value> {
    let mut c = Map::new();
    if h.cpu_shares > 0 {
        c.insert("shares".into(), json!(h.cpu_shares));
    }
    if h.nano_cpus > 0 {
        // --cpus N is a CFS quota of N periods of 100ms.
        c.insert("period".into(), json!(100_000));
        c.insert("quota".into(), json!(h.nano_cpus * 100_000 / 1_000_000_000));
    }
    if h.cpu_period > 0 {
        c.insert("period".into(), json!(h.cpu_period));
    }
    if h.cpu_quota != 0 {
        c.insert("quota".into(), json!(h.cpu_quota));
    }
    if !h.cpuset_cpus.is_empty() {
        c.insert("cpus".into(), json!(h.cpuset_cpus));
    }
    if !h.cpuset_mems.is_empty() {
        c.insert("mems".into(), json!(h.cpuset_mems));
    }
    c
}

/// `--ulimit` names Docker accepts, with their OCI rlimit types.
const ULIMITS: [(&str, &str); 15] = [
    ("core", "RLIMIT_CORE"),
    ("cpu", "RLIMIT_CPU"),
    ("data", "RLIMIT_DATA"),
    ("fsize", "RLIMIT_FSIZE"),
    ("locks", "RLIMIT_LOCKS"),
    ("memlock", "RLIMIT_MEMLOCK"),
    ("msgqueue", "RLIMIT_MSGQUEUE"),
    ("nice", "RLIMIT_NICE"),
    ("nofile", "RLIMIT_NOFILE"),
    ("nproc", "RLIMIT_NPROC"),
    ("rss", "RLIMIT_RSS"),
    ("rtprio", "RLIMIT_RTPRIO"),
    ("rttime", "RLIMIT_RTTIME"),
    ("sigpending", "RLIMIT_SIGPENDING"),
    ("stack", "RLIMIT_STACK"),
];

/// Parses `--ulimit name=soft[:hard]` (go-units `ParseUlimit`); -1 is unlimited.
pub fn parse_ulimit(value: &str) -> Result<super::model::Ulimit, SpecError> {
    let bad = |reason: String| SpecError::Ulimit {
        value: value.to_string(),
        reason,
    };
    let (name, limits) = value
        .split_once('=')
        .ok_or_else(|| bad("expected name=soft[:hard]".into()))?;
    if !ULIMITS.iter().any(|(n, _)| *n == name) {
        return Err(bad(format!("invalid ulimit type: {name}")));
    }
    let parts: Vec<&str> = limits.split(':').collect();
    if parts.len() > 2 {
        return Err(bad(
            "too many limit value arguments, can only have up to two, `soft[:hard]`".into(),
        ));
    }
    let number = |t: &str| {
        t.parse::<i64>()
            .ok()
            .filter(|&n| n >= -1)
            .ok_or_else(|| bad(format!("invalid limit value: {t:?}")))
    };
    let soft = number(parts[0])?;
    let hard = match parts.get(1) {
        Some(h) => number(h)?,
        None => soft,
    };
    let as_u64 = |n: i64| if n == -1 { u64::MAX } else { n as u64 };
    if as_u64(soft) > as_u64(hard) {
        return Err(bad(format!(
            "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
        )));
    }
    Ok(super::model::Ulimit {
        name: name.to_string(),
        soft,
        hard,
    })
}

/// `process.rlimits` from `HostConfig.Ulimits` (validated again: JSON bypasses the flag parser).
pub fn rlimits(h: &HostConfig) -> Result<Vec<Value>, SpecError> {
    h.ulimits
        .iter()
        .map(|u| {
            let text = format!("{}={}:{}", u.name, u.soft, u.hard);
            parse_ulimit(&text)?;
            let kind = ULIMITS.iter().find(|(n, _)| *n == u.name).map(|(_, k)| *k);
            let limit = |n: i64| if n == -1 { u64::MAX } else { n as u64 };
            Ok(json!({"type": kind, "soft": limit(u.soft), "hard": limit(u.hard)}))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(f: impl FnOnce(&mut HostConfig)) -> HostConfig {
        let mut h = HostConfig::default();
        f(&mut h);
        adapt(&mut h);
        h
    }

    fn err(h: HostConfig) -> String {
        validate(&h, 2).unwrap_err().to_string()
    }

    #[test]
    fn test_validate_memory_rules() {
        assert_eq!(
            err(host(|h| h.memory = 4 << 20)),
            "memory 4194304: Minimum memory limit allowed is 6MB"
        );
        assert_eq!(
            err(host(|h| {
                h.memory = 64 << 20;
                h.memory_swap = 32 << 20
            })),
            "memory-swap 33554432: Minimum memoryswap limit should be larger than memory limit, see usage"
        );
        assert_eq!(
            err(host(|h| h.memory_swap = 32 << 20)),
            "memory-swap 33554432: You should always set the Memory limit when using Memoryswap limit, see usage"
        );
        assert_eq!(
            err(host(|h| h.memory_reservation = 1 << 20)),
            "memory-reservation 1048576: Minimum memory reservation allowed is 6MB"
        );
        assert_eq!(
            err(host(|h| {
                h.memory = 64 << 20;
                h.memory_reservation = 128 << 20
            })),
            "memory 67108864: Minimum memory limit can not be less than memory reservation limit, see usage"
        );
        assert_eq!(
            err(host(|h| h.memory_swappiness = Some(101))),
            "memory-swappiness 101: Invalid value: 101, valid memory swappiness range is 0-100"
        );
    }

    #[test]
    fn test_validate_cpu_rules() {
        assert_eq!(
            err(host(|h| h.nano_cpus = 3_000_000_000)),
            "cpus 3: range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
        );
        assert_eq!(
            err(host(|h| {
                h.nano_cpus = 1_000_000_000;
                h.cpu_period = 50_000
            })),
            "Conflicting options: Nano CPUs and CPU Period cannot both be set"
        );
        assert_eq!(
            err(host(|h| h.cpu_shares = -2)),
            "cpu-shares -2: invalid CPU shares (-2): value must be a positive integer"
        );
        assert_eq!(
            err(host(|h| h.cpu_period = 10)),
            "cpu-period 10: CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
        );
        assert_eq!(
            err(host(|h| h.cpu_quota = 10)),
            "cpu-quota 10: CPU cfs quota can not be less than 1ms (i.e. 1000)"
        );
        assert_eq!(
            err(host(|h| h.oom_score_adj = 1001)),
            "oom-score-adj 1001: Invalid value 1001, range for oom score adj is [-1000, 1000]"
        );
        assert_eq!(
            err(host(|h| h.blkio_weight = 5)),
            "blkio-weight 5: Range of blkio weight is from 10 to 1000"
        );
    }

    #[test]
    fn test_linux_resources_swap_rules() {
        let r = linux_resources(&host(|h| h.memory = 64 << 20));
        assert_eq!(r["memory"], json!({"limit": 64 << 20, "swap": 128 << 20}));
        let r = linux_resources(&host(|h| {
            h.memory = 64 << 20;
            h.memory_swap = -1
        }));
        assert_eq!(r["memory"], json!({"limit": 64 << 20}));
        let r = linux_resources(&HostConfig::default());
        assert_eq!(Value::Object(r), json!({"blockIO": {}}));
    }

    #[test]
    fn test_linux_resources_cpu_and_pids() {
        let r = linux_resources(&host(|h| {
            h.nano_cpus = 1_500_000_000;
            h.cpu_shares = 512;
            h.pids_limit = Some(0)
        }));
        assert_eq!(
            r["cpu"],
            json!({"shares": 512, "period": 100000, "quota": 150000})
        );
        assert_eq!(r["pids"], json!({"limit": -1}));
    }

    #[test]
    fn test_parse_ulimit() {
        let u = parse_ulimit("nofile=1024:2048").unwrap();
        assert_eq!((u.name.as_str(), u.soft, u.hard), ("nofile", 1024, 2048));
        let u = parse_ulimit("core=-1").unwrap();
        assert_eq!((u.soft, u.hard), (-1, -1));
        let err = |v: &str| parse_ulimit(v).unwrap_err().to_string();
        assert_eq!(
            err("nofile"),
            "invalid ulimit \"nofile\": expected name=soft[:hard]"
        );
        assert_eq!(
            err("bogus=1"),
            "invalid ulimit \"bogus=1\": invalid ulimit type: bogus"
        );
        assert_eq!(
            err("nofile=2:1"),
            "invalid ulimit \"nofile=2:1\": ulimit soft limit must be less than or equal to hard limit: 2 > 1"
        );
        assert_eq!(
            err("nofile=a"),
            "invalid ulimit \"nofile=a\": invalid limit value: \"a\""
        );
        assert_eq!(
            err("nofile=1:2:3"),
            "invalid ulimit \"nofile=1:2:3\": too many limit value arguments, can only have up to two, `soft[:hard]`"
        );
    }

    #[test]
    fn test_rlimits_unlimited_is_max() {
        let h = HostConfig {
            ulimits: vec![parse_ulimit("core=-1").unwrap()],
            ..Default::default()
        };
        assert_eq!(
            rlimits(&h).unwrap(),
            [json!({"type": "RLIMIT_CORE", "soft": u64::MAX, "hard": u64::MAX})]
        );
    }
}
