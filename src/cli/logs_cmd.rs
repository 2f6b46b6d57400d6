//! `logs [-f] [--tail N] [-t] [--since T] [--until T] CONTAINER`: the container's json-file log, each
//! message on the stream it was written to.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;

use crate::config::Settings;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::lifecycle::status::{monitor_alive, status, Status};
use crate::runtime::logs::follow::Follower;
use crate::runtime::logs::json_file::{Entry, Stream};
use crate::runtime::logs::time_filter::parse_time;
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
    /// Only messages since this time (RFC 3339, date, Unix seconds, or a duration like 10m)
    #[arg(long = "since")]
    since: Option<String>,
    /// Only messages before this time (same forms as --since)
    #[arg(long = "until")]
    until: Option<String>,
    /// Container (name, id or unique id prefix)
    container: String,
}

/// The --since/--until window.
struct Window {
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

impl Window {
    fn parse(args: &LogsArgs) -> anyhow::Result<Window> {
        let now = Utc::now();
        let parse = |flag: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| {
                    parse_time(v, now).map_err(|why| {
                        anyhow::anyhow!("invalid argument {v:?} for \"{flag}\" flag: {why}")
                    })
                })
                .transpose()
        };
        Ok(Window {
            since: parse("--since", &args.since)?,
            until: parse("--until", &args.until)?,
        })
    }

    fn keeps(&self, entry: &Entry) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let Ok(time) = DateTime::parse_from_rfc3339(&entry.time) else {
            return false;
        };
        let time = time.with_timezone(&Utc);
        self.since.is_none_or(|s| time >= s) && self.until.is_none_or(|u| time < u)
    }
}

pub fn run_logs(settings: &Settings, args: &LogsArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(settings);
    let id = Store::new(layout.clone()).resolve(&args.container)?;
    let dir = layout.container_dir(&id);
    let path = ContainerFiles(&dir).log(&id);
    // No log file and no monitor: an Emperor vassal with
    // `docker-log-driver = none`, whose output went only where the
    // Emperor's goes.
    if !path.exists() && !dir.join("monitor.pid").exists() {
        anyhow::bail!(
            "container {}: no container log (log driver none): a uWSGI Emperor vassal's output is in the Emperor's own output (its terminal, --logto or --daemonize log)",
            args.container
        );
    }
    let tail = match args.tail.as_str() {
        "all" => None,
        n => Some(n.parse::<usize>().map_err(|_| {
            anyhow::anyhow!("invalid argument {n:?} for \"-n, --tail\" flag: not a number")
        })?),
    };
    let window = Window::parse(args)?;
    let (mut follower, entries) = Follower::open(&path)?;
    let entries: Vec<Entry> = entries.into_iter().filter(|e| window.keeps(e)).collect();
    let skip = tail.map_or(0, |n| entries.len().saturating_sub(n));
    print_entries(&entries[skip..], args.timestamps)?;
    if !args.follow {
        return Ok(ExitCode::SUCCESS);
    }
    // The log only grows while the container runs; read once more after.
    loop {
        // Between the init's death and the exit record the monitor is still
        // draining output into the log: the log is complete once it recorded
        // the exit (or is gone).
        let running = match status(&layout, &id) {
            Status::Running { .. } | Status::Created => true,
            Status::Exited(_) => false,
            Status::Dead => monitor_alive(&dir),
        };
        let entries: Vec<Entry> = follower
            .next_entries()?
            .into_iter()
            .filter(|e| window.keeps(e))
            .collect();
        print_entries(&entries, args.timestamps)?;
        if !running {
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
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
