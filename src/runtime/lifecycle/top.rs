//! `top`: the processes of a running container's cgroup as `ps -ef` shows
//! them (UID PID PPID C STIME TTY TIME CMD), read from `/proc`. Pids are the
//! host's, as in Docker's `top`.

use std::fs;

use nix::unistd::{sysconf, SysconfVar, Uid, User};

use super::cgroup;
use super::LifecycleError;
use crate::runtime::layout::Layout;

pub const HEADER: [&str; 8] = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];

/// One row per process of container `id`, sorted by pid; a process that
/// exited while being read is left out.
pub fn top(layout: &Layout, id: &str) -> Result<Vec<[String; 8]>, LifecycleError> {
    let manager = cgroup::manager(layout, id)?;
    let mut pids: Vec<i32> = cgroup::pids(&manager, id)?
        .into_iter()
        .map(|p| p.as_raw())
        .collect();
    pids.sort_unstable();
    pids.dedup();
    let clock = Clock::read();
    Ok(pids
        .into_iter()
        .filter_map(|pid| row(pid, &clock))
        .collect())
}

/// What turns `/proc/<pid>/stat` ticks into times.
struct Clock {
    ticks_per_second: u64,
    boot_time: i64,
    now: i64,
}

impl Clock {
    fn read() -> Clock {
        let ticks = sysconf(SysconfVar::CLK_TCK).ok().flatten().unwrap_or(100);
        let boot_time = fs::read_to_string("/proc/stat")
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
            .unwrap_or(0);
        Clock {
            ticks_per_second: ticks.max(1) as u64,
            boot_time,
            now: chrono::Utc::now().timestamp(),
        }
    }
}

/// The fields of `/proc/<pid>/stat` `top` needs.
#[derive(Debug, PartialEq)]
struct Stat {
    comm: String,
    ppid: i32,
    tty_nr: i32,
    cpu_ticks: u64,
    start_ticks: u64,
}

/// Parses `/proc/<pid>/stat`; the command name may hold spaces and ')'.
fn parse_stat(text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = text.get(close + 2..)?.split_whitespace().collect();
    // rest[0] is field 3 (state); field N is rest[N - 3].
    let field = |n: usize| rest.get(n - 3).copied();
    Some(Stat {
        comm,
        ppid: field(4)?.parse().ok()?,
        tty_nr: field(7)?.parse().ok()?,
        cpu_ticks: field(14)?.parse::<u64>().ok()? + field(15)?.parse::<u64>().ok()?,
        start_ticks: field(22)?.parse().ok()?,
    })
}

fn row(pid: i32, clock: &Clock) -> Option<[String; 8]> {
    let proc_dir = format!("/proc/{pid}");
    let stat = parse_stat(&fs::read_to_string(format!("{proc_dir}/stat")).ok()?)?;
    let status = fs::read_to_string(format!("{proc_dir}/status")).ok()?;
    let uid: u32 = status.lines().find_map(|l| {
        l.strip_prefix("Uid:")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })?;
    let cmdline = fs::read(format!("{proc_dir}/cmdline")).unwrap_or_default();
    let started = clock.boot_time + (stat.start_ticks / clock.ticks_per_second) as i64;
    let cpu_seconds = stat.cpu_ticks / clock.ticks_per_second;
    let elapsed = (clock.now - started).max(1) as u64;
    Some([
        user_name(uid),
        pid.to_string(),
        stat.ppid.to_string(),
        (cpu_seconds * 100 / elapsed).to_string(),
        start_time(started, clock.now),
        tty_name(stat.tty_nr),
        cpu_time(cpu_seconds),
        command(&cmdline, &stat.comm),
    ])
}

fn user_name(uid: u32) -> String {
    User::from_uid(Uid::from_raw(uid))
        .ok()
        .flatten()
        .map_or_else(|| uid.to_string(), |u| u.name)
}

/// `HH:MM` today, else `MonDD`, as ps prints STIME.
fn start_time(started: i64, now: i64) -> String {
    use chrono::{DateTime, Local};
    let (Some(start), Some(now)) = (
        DateTime::from_timestamp(started, 0),
        DateTime::from_timestamp(now, 0),
    ) else {
        return "?".into();
    };
    let (start, now) = (start.with_timezone(&Local), now.with_timezone(&Local));
    if start.date_naive() == now.date_naive() {
        start.format("%H:%M").to_string()
    } else {
        start.format("%b%d").to_string()
    }
}

/// `pts/N` for a pseudo-terminal, `?` for none (others by major:minor).
fn tty_name(tty_nr: i32) -> String {
    if tty_nr == 0 {
        return "?".into();
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 if minor < 64 => format!("tty{minor}"),
        _ => format!("{major}:{minor}"),
    }
}

/// `[DD-]HH:MM:SS`, as ps prints TIME.
fn cpu_time(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}-{clock}")
    } else {
        clock
    }
}

/// The command line, or `[comm]` for a process without one (a kernel thread, a zombie).
fn command(cmdline: &[u8], comm: &str) -> String {
    let args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    if args.is_empty() {
        format!("[{comm}]")
    } else {
        args.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_stat_name_with_spaces_and_parens() {
        let text =
            "42 (a) b) S 7 42 42 34816 42 4194560 100 0 0 0 250 50 0 0 20 0 1 0 9000 1000 10";
        let stat = parse_stat(text).unwrap();
        assert_eq!(stat.comm, "a) b");
        assert_eq!(stat.ppid, 7);
        assert_eq!(stat.tty_nr, 34816);
        assert_eq!(stat.cpu_ticks, 300);
        assert_eq!(stat.start_ticks, 9000);
    }

    #[test]
    fn test_tty_name() {
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name(34816), "pts/0");
        assert_eq!(tty_name(34819), "pts/3");
    }

    #[test]
    fn test_cpu_time() {
        assert_eq!(cpu_time(0), "00:00:00");
        assert_eq!(cpu_time(3725), "01:02:05");
        assert_eq!(cpu_time(90_061), "1-01:01:01");
    }

    #[test]
    fn test_command_falls_back_to_comm() {
        assert_eq!(command(b"sleep\x00100\x00", "sleep"), "sleep 100");
        assert_eq!(command(b"", "kworker"), "[kworker]");
    }
}
