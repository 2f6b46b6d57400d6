//! `list` (runc's table, `--format json`, or `-q` ids) and `ps ID` (the
//! container's processes: pids as JSON, or `ps`'s table filtered to them).

use std::process::Command;

use libcontainer::config::YoukiConfig;

use super::state::{load, oci_state, refresh, validate_id, OciState};
use super::{OciContext, OciError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Output format
    #[arg(short = 'f', long, value_enum, default_value = "table")]
    pub format: Format,
    /// Print only the container ids
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct PsArgs {
    /// Output format
    #[arg(short = 'f', long, value_enum, default_value = "table")]
    pub format: Format,
    /// The container id
    pub id: String,
    /// Options for ps(1) [default: -ef]
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub ps_args: Vec<String>,
}

/// `list`: every container under the state root, sorted by id; none for a
/// missing root, as in runc.
pub fn run_list(ctx: &OciContext, args: &ListArgs) -> Result<u8, OciError> {
    let states = states(ctx)?;
    if args.quiet {
        states.iter().for_each(|s| println!("{}", s.id));
    } else if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string(&states).expect("states serialize")
        );
    } else {
        print_table(&states);
    }
    Ok(0)
}

fn states(ctx: &OciContext) -> Result<Vec<OciState>, OciError> {
    // runc prints an empty table for a root that does not exist (yet).
    let entries = match std::fs::read_dir(&ctx.root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        other => other.map_err(OciError::io(&ctx.root))?,
    };
    let mut ids: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|id| validate_id(id).is_ok())
        .collect();
    ids.sort();
    let mut states = Vec::new();
    for id in ids {
        // A container deleted meanwhile is simply not listed.
        if let Ok(mut container) = load(ctx, &id) {
            refresh(&mut container)?;
            states.push(oci_state(&container));
        }
    }
    Ok(states)
}

fn print_table(states: &[OciState]) {
    let rows: Vec<[String; 6]> = states
        .iter()
        .map(|s| {
            [
                s.id.clone(),
                s.pid.to_string(),
                s.status.to_string(),
                s.bundle.display().to_string(),
                s.created.clone(),
                s.owner.clone(),
            ]
        })
        .collect();
    let header = ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"].map(String::from);
    let mut widths = [0usize; 6];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("   ").trim_end());
    }
}

/// `ps ID`: the pids in the container's cgroup.
pub fn run_ps(ctx: &OciContext, args: &PsArgs) -> Result<u8, OciError> {
    validate_id(&args.id)?;
    let container = load(ctx, &args.id)?;
    let config = YoukiConfig::load(&container.root)
        .map_err(|e| OciError::runtime(&args.id, "read config", &e))?;
    let pids = cgroup_pids(&config.cgroup_path.to_string_lossy());
    if args.format == Format::Json {
        println!("{}", serde_json::to_string(&pids).expect("pids serialize"));
        return Ok(0);
    }
    let ps_args = if args.ps_args.is_empty() {
        vec!["-ef".to_string()]
    } else {
        args.ps_args.clone()
    };
    let out = Command::new("ps")
        .args(&ps_args)
        .output()
        .map_err(OciError::io("ps"))?;
    print!(
        "{}",
        filter_ps(&String::from_utf8_lossy(&out.stdout), &pids)
    );
    Ok(0)
}

/// The pids in every hierarchy of cgroup `relative`, sorted, without duplicates.
fn cgroup_pids(relative: &str) -> Vec<i32> {
    let mut pids: Vec<i32> = crate::runtime::cgroups::cgroup_dirs(relative)
        .iter()
        .filter_map(|dir| std::fs::read_to_string(dir.join("cgroup.procs")).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| l.trim().parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}

/// `ps` output reduced to its header and the lines of `pids` (found by the
/// header's PID column).
fn filter_ps(output: &str, pids: &[i32]) -> String {
    let mut lines = output.lines();
    let Some(header) = lines.next() else {
        return String::new();
    };
    let Some(column) = header.split_whitespace().position(|h| h == "PID") else {
        return output.to_string();
    };
    let mut kept = format!("{header}\n");
    for line in lines {
        let pid = line
            .split_whitespace()
            .nth(column)
            .and_then(|p| p.parse::<i32>().ok());
        if pid.is_some_and(|p| pids.contains(&p)) {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_filter_ps_keeps_header_and_container_pids() {
        let ps = "UID PID PPID CMD\nroot 1 0 init\nroot 42 1 sleep\nroot 43 42 sh\n";
        assert_eq!(filter_ps(ps, &[42]), "UID PID PPID CMD\nroot 42 1 sleep\n");
    }
}
