//! `logs [-f] [--tail N] [-t] CONTAINER`: the container's json-file log, each
//! message on the stream it was written to.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use crate::config::Settings;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::lifecycle::status::{status, Status};
use crate::runtime::logs::json_file::{read_all_entries, Entry, Stream};
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// Keep printing new output until the container stops
    #[arg(short = 'f', long = "follow")]
    follow: bool,
    /// Only the last N messages ("all" for everything)
    #[arg(short = 'n', long = "tail", default_value = "all")]
    tail: String,
    /// Prefix each message with its time
    #[arg(short = 't', long = "timestamps")]
    timestamps: bool,
    container: String,
}

pub fn run_logs(settings: &Settings, args: &LogsArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(settings);
    let id = Store::new(layout.clone()).resolve(&args.container)?;
    let dir = layout.container_dir(&id);
    let path = ContainerFiles(&dir).log(&id);
    let tail = match args.tail.as_str() {
        "all" => None,
        n => Some(
            n.parse::<usize>()
                .map_err(|_| anyhow::anyhow!("invalid --tail value: {n:?}"))?,
        ),
    };
    let entries = read_all_entries(&path)?;
    let skip = tail.map_or(0, |n| entries.len().saturating_sub(n));
    print_entries(&entries[skip..], args.timestamps)?;
    let mut seen = entries.len();
    // Follow by re-reading: the log only grows while the container runs.
    while args.follow
        && matches!(
            status(&layout, &id),
            Status::Running { .. } | Status::Created
        )
    {
        std::thread::sleep(Duration::from_millis(100));
        let entries = read_all_entries(&path)?;
        print_entries(entries.get(seen..).unwrap_or_default(), args.timestamps)?;
        seen = seen.max(entries.len());
    }
    if args.follow {
        let entries = read_all_entries(&path)?;
        print_entries(entries.get(seen..).unwrap_or_default(), args.timestamps)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_entries(entries: &[Entry], timestamps: bool) -> std::io::Result<()> {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    for entry in entries {
        let sink: &mut dyn Write = match entry.stream {
            Stream::Stdout => &mut out,
            Stream::Stderr => &mut err,
        };
        if timestamps {
            write!(sink, "{} ", entry.time)?;
        }
        sink.write_all(entry.log.as_bytes())?;
    }
    out.flush()?;
    err.flush()
}
