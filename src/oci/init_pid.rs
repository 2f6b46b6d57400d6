//! Telling a container's init from a process that later got its pid.
//! libcontainer records only the pid and calls a container running while any
//! process has it, so once the init has died and been reaped, a recycled pid
//! would make `state` lie and `kill` signal an unrelated host process. As runc
//! does, `create` records the init's start time (the kernel's, in clock ticks
//! since boot) next to libcontainer's state, and every command compares.

use std::path::Path;

use libcontainer::container::Container;

use super::OciError;

/// The file in the container's state directory holding the start time.
const START_FILE: &str = "vassalrun-init-start";

/// Records the start time of the container's init.
pub fn record(container: &Container) -> Result<(), OciError> {
    let id = container.id();
    let start = container
        .pid()
        .and_then(|pid| proc_stat(pid.as_raw()))
        .map(|(_, start)| start)
        .ok_or_else(|| OciError::NotFound(id.to_string()))?;
    let path = container.root.join(START_FILE);
    crate::runtime::record::write_atomic(&path, start.to_string().as_bytes())
        .map_err(|e| OciError::runtime(id, "record the init's start time", &e))
}

/// Whether the recorded init still runs: its pid is alive, not a zombie, and
/// (when recorded) started when the init did.
pub fn is_running(container: &Container) -> bool {
    let Some(pid) = container.pid() else {
        return false;
    };
    let Some((state, start)) = proc_stat(pid.as_raw()) else {
        return false;
    };
    let recorded = recorded_start(&container.root);
    state != 'Z' && state != 'X' && recorded.is_none_or(|r| r == start)
}

fn recorded_start(dir: &Path) -> Option<u64> {
    std::fs::read_to_string(dir.join(START_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// State and start time of `pid` from `/proc/<pid>/stat`.
fn proc_stat(pid: i32) -> Option<(char, u64)> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// `pid (comm) state ppid … starttime …`: the state is field 3 and the start
/// time field 22; `comm` may hold spaces and parentheses, so fields are
/// counted after the last `)`.
fn parse_stat(stat: &str) -> Option<(char, u64)> {
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let start = fields.get(19)?.parse().ok()?;
    Some((state, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_stat_counts_fields_after_comm() {
        let stat = "42 (a) b) (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(parse_stat(stat), Some(('S', 987654)));
        assert_eq!(parse_stat("42 (x) Z 1"), None);
    }

    #[test]
    fn test_proc_stat_of_this_process() {
        let (state, start) = proc_stat(std::process::id() as i32).unwrap();
        assert!(state == 'R' || state == 'S', "{state}");
        assert!(start > 0);
    }
}
