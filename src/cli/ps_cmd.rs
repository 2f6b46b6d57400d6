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
    /// table, json (one object per line), or a Go template: '{{.Names}}\t{{.Status}}', 'table {{.ID}}\t{{.Names}}'
    #[arg(long, default_value = "table")]
    format: String,
    /// Do not truncate ids and commands
    #[arg(long)]
    no_trunc: bool,
    /// Only containers that match: name=, id=, label=KEY[=VALUE], status=, ancestor= (repeat to combine)
    #[arg(short = 'f', long = "filter", value_name = "KEY=VALUE")]
    filter: Vec<String>,
    /// The N most recently created containers (all states)
    #[arg(short = 'n', long = "last", value_name = "N")]
    last: Option<usize>,
    /// The most recently created container (all states)
    #[arg(short = 'l', long = "latest")]
    latest: bool,
    /// Show the size of each container's changes (and with its image: virtual)
    #[arg(short = 's', long = "size")]
    size: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Print each container through a Go-style template ({{.State.Pid}}, {{json .Config}})
    #[arg(short, long)]
    format: Option<String>,
    /// Containers (name, id or unique id prefix)
    #[arg(required = true)]
    containers: Vec<String>,
}

/// One `ps` row.
struct Row {
    id: String,
    image: String,
    command: String,
    /// RFC 3339, as recorded.
    created_at: String,
    created: String,
    status: String,
    ports: String,
    names: String,
    labels: std::collections::BTreeMap<String, String>,
    running: bool,
    state: &'static str,
    /// The container's own changes (its overlay's upper directory).
    upper: std::path::PathBuf,
    image_rootfs: std::path::PathBuf,
}

fn row(layout: &Layout, id: &str) -> Row {
    let dir = layout.container_dir(id);
    let state = status(layout, id);
    let running = matches!(state, Status::Running { .. });
    let upper = ContainerFiles(&dir).upper();
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
                created_at: record.created.clone(),
                status: status_column(&state, &started),
                ports,
                names: record.name,
                labels: record.request.config.labels.clone(),
                running,
                state: state.name(),
                upper,
                image_rootfs: record.image_rootfs,
            }
        }
        // A corrupt or missing record never hides the container.
        Ok(None) | Err(_) => Row {
            id: id.to_string(),
            image: String::new(),
            command: String::new(),
            created_at: String::new(),
            created: String::new(),
            status: "Dead (unreadable record)".into(),
            ports: String::new(),
            names: String::new(),
            labels: Default::default(),
            running,
            state: state.name(),
            upper,
            image_rootfs: Default::default(),
        },
    }
}

/// `--filter KEY=VALUE`s: the same key repeated matches any of its values,
/// different keys must all match (Docker's rule).
struct Filters(std::collections::BTreeMap<String, Vec<String>>);

impl Filters {
    fn parse(specs: &[String]) -> anyhow::Result<Filters> {
        let mut map = std::collections::BTreeMap::<String, Vec<String>>::new();
        for spec in specs {
            let Some((key, value)) = spec.split_once('=') else {
                anyhow::bail!("invalid filter {spec:?}: expected KEY=VALUE");
            };
            let key = key.trim().to_lowercase();
            if !matches!(
                key.as_str(),
                "name" | "id" | "label" | "status" | "ancestor"
            ) {
                anyhow::bail!("invalid filter {key:?}: vassalrun filters by name, id, label, status and ancestor");
            }
            if key == "status"
                && !matches!(
                    value,
                    "created"
                        | "restarting"
                        | "running"
                        | "removing"
                        | "paused"
                        | "exited"
                        | "dead"
                )
            {
                anyhow::bail!("invalid filter 'status={value}': expected created, restarting, running, removing, paused, exited or dead");
            }
            map.entry(key).or_default().push(value.to_string());
        }
        Ok(Filters(map))
    }

    fn has_status(&self) -> bool {
        self.0.contains_key("status")
    }

    fn keeps(&self, row: &Row) -> bool {
        self.0.iter().all(|(key, values)| {
            values.iter().any(|value| match key.as_str() {
                "name" => row.names.contains(value.trim_start_matches('/')),
                "id" => row.id.starts_with(value.as_str()),
                "status" => row.state == value,
                "ancestor" => {
                    row.image == *value
                        || row.image.strip_suffix(":latest") == Some(value.as_str())
                        || value.strip_suffix(":latest") == Some(row.image.as_str())
                }
                "label" => match value.split_once('=') {
                    Some((k, v)) => row.labels.get(k).is_some_and(|l| l == v),
                    None => row.labels.contains_key(value.as_str()),
                },
                _ => false,
            })
        })
    }
}

/// Bytes under `path`, not following symlinks (hard links counted once per name).
fn disk_usage(path: &std::path::Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| entries.flatten().map(|e| disk_usage(&e.path())).sum())
        .unwrap_or(0)
}

/// Docker's `SIZE` column: "2B (virtual 1.2MB)".
fn size_column(
    row: &Row,
    images: &mut std::collections::HashMap<std::path::PathBuf, u64>,
) -> String {
    let own = disk_usage(&row.upper);
    let image = *images
        .entry(row.image_rootfs.clone())
        .or_insert_with(|| disk_usage(&row.image_rootfs));
    format!(
        "{} (virtual {})",
        super::image_cmd::human_size(own),
        super::image_cmd::human_size(own + image)
    )
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
    let filters = Filters::parse(&args.filter)?;
    let last = if args.latest { Some(1) } else { args.last };
    // -n, -l and a status filter look at every container, as Docker's do.
    let all = args.all || last.is_some() || filters.has_status();
    let mut rows: Vec<Row> = store
        .ids()?
        .iter()
        .map(|id| row(&layout, id))
        .filter(|r| all || r.running)
        .filter(|r| filters.keeps(r))
        .collect();
    match last {
        Some(n) => {
            rows.sort_by(|a, b| b.created_at.cmp(&a.created_at));
            rows.truncate(n);
        }
        None => rows.sort_by(|a, b| a.names.cmp(&b.names)),
    }
    let short = !args.no_trunc;
    let sizes: Vec<String> = if args.size {
        let mut images = std::collections::HashMap::new();
        rows.iter().map(|r| size_column(r, &mut images)).collect()
    } else {
        vec![String::new(); rows.len()]
    };
    for_each_row(&rows, &sizes, args, short)
}

/// A row as Docker's `ps --format` templates see it.
fn row_value(r: &Row, size: &str, short: bool) -> Value {
    let labels = r
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    json!({
        "ID": if short { r.id[..12].to_string() } else { r.id.clone() },
        "Image": r.image,
        "Command": format!("\"{}\"", truncate(&r.command, 20, short)),
        "CreatedAt": r.created_at,
        "RunningFor": r.created,
        "Ports": r.ports,
        "State": r.state,
        "Status": r.status,
        "Size": size,
        "Names": r.names,
        "Labels": labels,
        "Mounts": "",
        "Networks": "",
    })
}

fn header_value() -> Value {
    json!({
        "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS",
        "Size": "SIZE", "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS",
    })
}

fn for_each_row(
    rows: &[Row],
    sizes: &[String],
    args: &PsArgs,
    short: bool,
) -> anyhow::Result<ExitCode> {
    if args.quiet {
        for r in rows {
            println!("{}", if short { &r.id[..12] } else { &r.id });
        }
        return Ok(ExitCode::SUCCESS);
    }
    match args.format.as_str() {
        "json" => {
            for r in rows {
                let v: Value = json!({"ID": r.id, "Image": r.image, "Command": r.command, "CreatedAt": r.created,
                    "Status": r.status, "Ports": r.ports, "Names": r.names, "State": r.state});
                println!("{v}");
            }
            return Ok(ExitCode::SUCCESS);
        }
        "table" if !args.size => {}
        "table" => {
            let format = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}";
            return print_template(rows, sizes, format, short);
        }
        format => return print_template(rows, sizes, format, short),
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
    Ok(ExitCode::SUCCESS)
}

fn print_template(
    rows: &[Row],
    sizes: &[String],
    format: &str,
    short: bool,
) -> anyhow::Result<ExitCode> {
    let values: Vec<Value> = rows
        .iter()
        .zip(sizes)
        .map(|(r, size)| row_value(r, size, short))
        .collect();
    super::template::print_rows(format, &values, &header_value()).map_err(anyhow::Error::msg)?;
    Ok(ExitCode::SUCCESS)
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
    /// Container (name, id or unique id prefix)
    container: String,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to a file instead of stdout
    #[arg(short = 'o', long = "output")]
    output: Option<std::path::PathBuf>,
    /// Container (name, id or unique id prefix)
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
            // The temporary file sits beside the output: its failure is the output's.
            let file = std::fs::File::create(&tmp)
                .map_err(|e| anyhow::anyhow!("export -o {}: {e}", path.display()))?;
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
