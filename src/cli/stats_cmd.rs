//! `stats [--no-stream] [-a] [CONTAINER...]`: CPU, memory and pids of running
//! containers from their cgroups (v1 or v2), refreshed every second, or one
//! sample with `--no-stream`.
//!
//! CPU % is CPU time used over wall time between two samples (100% = one
//! CPU busy), which is what Docker's figure amounts to.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::cgroup::{manager, sample, Sample};
use crate::runtime::lifecycle::status::{status, Status};
use crate::runtime::record::ContainerRecord;
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Show all containers (default: running only)
    #[arg(short, long)]
    all: bool,
    /// Print one sample and exit
    #[arg(long = "no-stream")]
    no_stream: bool,
    /// Output format: table or json (one object per container per sample)
    #[arg(long, default_value = "table")]
    format: String,
    /// Do not truncate ids
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Containers (name, id or unique id prefix) [default: all running]
    #[arg(value_name = "CONTAINER")]
    containers: Vec<String>,
}

/// How long `--no-stream` measures CPU use.
const NO_STREAM_INTERVAL: Duration = Duration::from_millis(500);
const STREAM_INTERVAL: Duration = Duration::from_secs(1);

struct Row {
    id: String,
    name: String,
    sample: Option<(Sample, Instant)>,
    cpu_percent: f64,
}

pub fn run_stats(settings: &Settings, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    if !matches!(args.format.as_str(), "table" | "json") {
        anyhow::bail!(
            "invalid argument {:?} for \"--format\" flag: expected table or json",
            args.format
        );
    }
    let store = Store::new(Layout::new(settings));
    let mut rows = containers(&store, args)?;
    let host_memory = host_memory();
    refresh(&store, &mut rows);
    let clear = !args.no_stream && args.format == "table" && std::io::stdout().is_terminal();
    loop {
        std::thread::sleep(if args.no_stream {
            NO_STREAM_INTERVAL
        } else {
            STREAM_INTERVAL
        });
        refresh(&store, &mut rows);
        let mut out = std::io::stdout().lock();
        if clear {
            write!(out, "\x1b[2J\x1b[H")?;
        }
        print(&mut out, &rows, args, host_memory)?;
        out.flush()?;
        if args.no_stream {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

/// The containers asked for (resolved once), or every (running) one.
fn containers(store: &Store, args: &StatsArgs) -> anyhow::Result<Vec<Row>> {
    let ids = if args.containers.is_empty() {
        let mut ids = store.ids()?;
        ids.retain(|id| args.all || matches!(status(&store.layout, id), Status::Running { .. }));
        ids.sort();
        ids
    } else {
        args.containers
            .iter()
            .map(|r| store.resolve(r))
            .collect::<Result<_, _>>()?
    };
    Ok(ids
        .into_iter()
        .map(|id| {
            let name = store
                .record(&id)
                .ok()
                .flatten()
                .map_or_else(String::new, |r: ContainerRecord| r.name);
            Row {
                id,
                name,
                sample: None,
                cpu_percent: 0.0,
            }
        })
        .collect())
}

/// A new sample for each row; a container that is not running shows zeros.
fn refresh(store: &Store, rows: &mut [Row]) {
    for row in rows {
        let now = Instant::now();
        let new = manager(&store.layout, &row.id)
            .and_then(|m| sample(&m, &row.id))
            .ok();
        row.cpu_percent = match (&row.sample, &new) {
            (Some((old, then)), Some(new)) => cpu_percent(old.cpu_ns, new.cpu_ns, now - *then),
            _ => 0.0,
        };
        row.sample = new.map(|s| (s, now));
    }
}

fn cpu_percent(old_ns: u64, new_ns: u64, wall: Duration) -> f64 {
    let wall_ns = wall.as_nanos() as f64;
    if wall_ns <= 0.0 {
        return 0.0;
    }
    new_ns.saturating_sub(old_ns) as f64 / wall_ns * 100.0
}

fn print(
    out: &mut impl Write,
    rows: &[Row],
    args: &StatsArgs,
    host_memory: u64,
) -> std::io::Result<()> {
    if args.format == "table" {
        writeln!(
            out,
            "{:<14}{:<24}{:<9}{:<24}{:<9}PIDS",
            "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %"
        )?;
    }
    for row in rows {
        let sample = row
            .sample
            .as_ref()
            .map(|(s, _)| s.clone())
            .unwrap_or_default();
        let limit = if sample.memory_limit == 0 {
            host_memory
        } else {
            sample.memory_limit
        };
        let mem_percent = if limit == 0 {
            0.0
        } else {
            sample.memory as f64 / limit as f64 * 100.0
        };
        let id = if args.no_trunc {
            &row.id
        } else {
            &row.id[..12]
        };
        if args.format == "json" {
            let v = serde_json::json!({
                "ID": id, "Name": row.name,
                "CPUPerc": format!("{:.2}%", row.cpu_percent),
                "MemUsage": format!("{} / {}", binary_size(sample.memory), binary_size(limit)),
                "MemPerc": format!("{mem_percent:.2}%"),
                "PIDs": sample.pids.to_string(),
                "MemoryBytes": sample.memory, "MemoryLimitBytes": limit, "CPUNanoseconds": sample.cpu_ns,
            });
            writeln!(out, "{v}")?;
        } else {
            writeln!(
                out,
                "{:<14}{:<24}{:<9}{:<24}{:<9}{}",
                id,
                row.name,
                format!("{:.2}%", row.cpu_percent),
                format!("{} / {}", binary_size(sample.memory), binary_size(limit)),
                format!("{mem_percent:.2}%"),
                sample.pids
            )?;
        }
    }
    Ok(())
}

/// Docker's stats sizes: binary units, two decimals (`1.5MiB`, `64MiB`).
fn binary_size(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.2}");
    format!(
        "{}{}",
        text.trim_end_matches('0').trim_end_matches('.'),
        units[unit]
    )
}

/// The host's memory (`MemTotal`), shown as the limit of an unlimited container.
fn host_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            let kib: u64 = l
                .strip_prefix("MemTotal:")?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_binary_size() {
        assert_eq!(binary_size(0), "0B");
        assert_eq!(binary_size(64 << 20), "64MiB");
        assert_eq!(binary_size(1536 * 1024), "1.5MiB");
    }

    #[test]
    fn test_cpu_percent_one_busy_cpu_is_100() {
        let p = cpu_percent(0, 500_000_000, Duration::from_millis(500));
        assert!((p - 100.0).abs() < 0.01, "{p}");
        assert_eq!(cpu_percent(10, 5, Duration::from_secs(1)), 0.0);
    }
}
