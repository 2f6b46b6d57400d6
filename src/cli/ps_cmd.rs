//! `ps` and `inspect`.

use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use crate::config::Settings;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::lifecycle::inspect::{
    command_of, human_duration, inspect, seconds_since, status_column,
};
use crate::runtime::lifecycle::status::{status, Status};
use crate::runtime::record::{read_json, ContainerRecord};
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show all containers (default: running only)
    #[arg(short, long)]
    all: bool,
    /// Only ids
    #[arg(short, long)]
    quiet: bool,
    /// Output format: table or json (one JSON object per line)
    #[arg(long, default_value = "table")]
    format: String,
    /// Do not truncate ids and commands
    #[arg(long)]
    no_trunc: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Print each container through a Go-style template ({{.State.Pid}}, {{json .Config}})
    #[arg(short, long)]
    format: Option<String>,
    #[arg(required = true)]
    containers: Vec<String>,
}

/// One `ps` row.
struct Row {
    id: String,
    image: String,
    command: String,
    created: String,
    status: String,
    ports: String,
    names: String,
    running: bool,
    state: &'static str,
}

fn row(layout: &Layout, id: &str) -> Row {
    let dir = layout.container_dir(id);
    let state = status(layout, id);
    let running = matches!(state, Status::Running { .. });
    match read_json::<ContainerRecord>(&ContainerFiles(&dir).record()) {
        Ok(Some(record)) => {
            let started = std::fs::read_to_string(dir.join("started")).unwrap_or_default();
            // The ports as published (ephemeral ones resolved), while running.
            let endpoint = running
                .then(|| crate::network::setup::endpoint_of(&layout.network_dir(), id))
                .flatten();
            let ports = crate::network::summary::port_lines(endpoint.as_ref())
                .iter()
                .flat_map(|(ctr, hosts)| {
                    hosts
                        .iter()
                        .map(move |(ip, port)| format!("{ip}:{port}->{ctr}"))
                })
                .collect::<Vec<_>>()
                .join(", ");
            Row {
                id: id.to_string(),
                image: record.image.clone(),
                command: command_of(&ContainerFiles(&dir)).join(" "),
                created: format!("{} ago", human_duration(seconds_since(&record.created))),
                status: status_column(&state, &started),
                ports,
                names: record.name,
                running,
                state: state.name(),
            }
        }
        // A corrupt or missing record never hides the container.
        Ok(None) | Err(_) => Row {
            id: id.to_string(),
            image: String::new(),
            command: String::new(),
            created: String::new(),
            status: "Dead (unreadable record)".into(),
            ports: String::new(),
            names: String::new(),
            running,
            state: state.name(),
        },
    }
}

fn truncate(text: &str, n: usize, on: bool) -> String {
    if on && text.chars().count() > n {
        format!("{}…", text.chars().take(n - 1).collect::<String>())
    } else {
        text.to_string()
    }
}

pub fn run_ps(settings: &Settings, args: &PsArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(settings);
    let store = Store::new(layout.clone());
    let mut rows: Vec<Row> = store
        .ids()?
        .iter()
        .map(|id| row(&layout, id))
        .filter(|r| args.all || r.running)
        .collect();
    rows.sort_by(|a, b| a.names.cmp(&b.names));
    let short = !args.no_trunc;
    for_each_row(&rows, args, short);
    Ok(ExitCode::SUCCESS)
}

fn for_each_row(rows: &[Row], args: &PsArgs, short: bool) {
    if args.quiet {
        for r in rows {
            println!("{}", if short { &r.id[..12] } else { &r.id });
        }
        return;
    }
    if args.format == "json" {
        for r in rows {
            let v: Value = json!({"ID": r.id, "Image": r.image, "Command": r.command, "CreatedAt": r.created,
                "Status": r.status, "Ports": r.ports, "Names": r.names, "State": r.state});
            println!("{v}");
        }
        return;
    }
    let header = [
        "CONTAINER ID",
        "IMAGE",
        "COMMAND",
        "CREATED",
        "STATUS",
        "PORTS",
        "NAMES",
    ];
    let table: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                if short {
                    r.id[..12].to_string()
                } else {
                    r.id.clone()
                },
                truncate(&r.image, 22, short),
                format!("\"{}\"", truncate(&r.command, 20, short)),
                r.created.clone(),
                r.status.clone(),
                r.ports.clone(),
                r.names.clone(),
            ]
        })
        .collect();
    print!("{}", align(&header.map(String::from), &table));
}

/// Columns as wide as their widest cell plus three spaces (Docker's
/// tabwriter padding); the last one unpadded.
fn align(header: &[String; 7], rows: &[[String; 7]]) -> String {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<0$}", widths[i] + 3));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_align_pads_to_the_widest_cell() {
        let header = ["A", "B", "C", "D", "E", "F", "G"].map(String::from);
        let row = [
            "1",
            "22",
            "3",
            "4",
            "Exited (0) 2 seconds ago",
            "127.0.0.1:1->2/tcp",
            "n",
        ]
        .map(String::from);
        let text = align(&header, &[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            "1   22   3   4   Exited (0) 2 seconds ago   127.0.0.1:1->2/tcp   n"
        );
        assert_eq!(lines[0].rfind('G'), lines[1].rfind('n'));
    }
}

pub fn run_inspect(settings: &Settings, args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(settings);
    let store = Store::new(layout.clone());
    let mut out = Vec::new();
    let mut failed = false;
    for reference in &args.containers {
        match store
            .resolve(reference)
            .map_err(Into::into)
            .and_then(|id| inspect(&layout, &id))
        {
            Ok(v) => out.push(v),
            Err(e) => {
                eprintln!(
                    "vassalrun: {}",
                    crate::untrusted::escape_controls(&e.to_string())
                );
                failed = true;
            }
        }
    }
    match &args.format {
        Some(template) => {
            for value in &out {
                println!(
                    "{}",
                    super::template::render(template, value).map_err(anyhow::Error::msg)?
                );
            }
        }
        None => println!("{}", serde_json::to_string_pretty(&out)?),
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    container: String,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to a file instead of stdout
    #[arg(short = 'o', long = "output")]
    output: Option<std::path::PathBuf>,
    container: String,
}

pub fn run_diff(settings: &Settings, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(settings);
    let id = Store::new(layout.clone()).resolve(&args.container)?;
    for change in crate::runtime::lifecycle::diff::diff(&layout, &id)? {
        println!("{} {}", change.kind, change.path);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_export(settings: &Settings, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let store = Store::new(Layout::new(settings));
    let id = store.resolve(&args.container)?;
    match &args.output {
        Some(path) => {
            let tmp = path.with_extension("partial");
            let file = std::fs::File::create(&tmp)
                .map_err(|e| anyhow::anyhow!("{}: {e}", tmp.display()))?;
            let result = crate::runtime::lifecycle::export::export(
                &store,
                &id,
                std::io::BufWriter::new(file),
            );
            match result {
                Ok(()) => std::fs::rename(&tmp, path)?,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e.into());
                }
            }
        }
        None if std::io::stdout().is_terminal() => {
            anyhow::bail!("cowardly refusing to write a tar archive to a terminal: use -o FILE or redirect stdout")
        }
        None => crate::runtime::lifecycle::export::export(
            &store,
            &id,
            std::io::BufWriter::new(std::io::stdout().lock()),
        )?,
    }
    Ok(ExitCode::SUCCESS)
}
