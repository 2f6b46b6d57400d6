//! `events`: container events from vassalrun's event log
//! ([`crate::runtime::events`]). With `--until` it prints the window and
//! exits; without, it prints what happened since `--since` (if given) and
//! then follows the log until interrupted, as `docker events` does.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;

use crate::config::Settings;
use crate::runtime::events::{read_all, Event};
use crate::runtime::layout::Layout;
use crate::runtime::logs::time_filter::parse_time;

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Show events since this time (RFC 3339, date, Unix seconds, or a duration like 10m)
    #[arg(long)]
    since: Option<String>,
    /// Stop at this time (same forms as --since); without it, follow new events
    #[arg(long)]
    until: Option<String>,
    /// Filter: container=NAME|ID, event=ACTION, image=IMAGE, type=container (repeatable)
    #[arg(short, long, value_name = "KEY=VALUE")]
    filter: Vec<String>,
    /// Output format: text, or json (one Docker event object per line; also '{{json .}}')
    #[arg(long, default_value = "text")]
    format: String,
}

/// How often a follow looks for new events.
const POLL: Duration = Duration::from_millis(200);

struct Window {
    since: Option<i64>,
    until: Option<i64>,
}

pub fn run_events(settings: &Settings, args: &EventsArgs) -> anyhow::Result<ExitCode> {
    let json = match args.format.as_str() {
        "json" | "{{json .}}" => true,
        "text" => false,
        other => {
            anyhow::bail!("invalid argument {other:?} for \"--format\" flag: expected text or json")
        }
    };
    let filters = parse_filters(&args.filter)?;
    let now = Utc::now();
    let window = Window {
        since: time_flag("--since", &args.since, now)?,
        until: time_flag("--until", &args.until, now)?,
    };
    let layout = Layout::new(settings);
    // Without --since, only what happens from now on.
    let mut last = window
        .since
        .map_or_else(|| now.timestamp_nanos_opt().unwrap_or(0), |s| s - 1);
    loop {
        let mut out = std::io::stdout().lock();
        for event in read_all(&layout)? {
            if event.time_nano <= last {
                continue;
            }
            if window.until.is_some_and(|u| event.time_nano >= u) {
                break;
            }
            last = event.time_nano;
            if filters.matches(&event) {
                print_event(&mut out, &event, json)?;
            }
        }
        out.flush()?;
        drop(out);
        if window.until.is_some() {
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(POLL);
    }
}

/// A time flag as nanoseconds since the epoch.
fn time_flag(
    flag: &str,
    value: &Option<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<i64>> {
    value
        .as_deref()
        .map(|v| {
            parse_time(v, now)
                .map(|t| t.timestamp_nanos_opt().unwrap_or(i64::MAX))
                .map_err(|why| anyhow::anyhow!("invalid argument {v:?} for \"{flag}\" flag: {why}"))
        })
        .transpose()
}

/// `--filter` values by key; an event must match one value of every key.
struct Filters(BTreeMap<String, Vec<String>>);

fn parse_filters(values: &[String]) -> anyhow::Result<Filters> {
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for value in values {
        let Some((key, wanted)) = value.split_once('=') else {
            anyhow::bail!("invalid argument {value:?} for \"-f, --filter\" flag: bad format of filter (expected name=value)");
        };
        if !matches!(key, "container" | "event" | "image" | "type") {
            anyhow::bail!("invalid argument {value:?} for \"-f, --filter\" flag: invalid filter '{key}' (known: container, event, image, type)");
        }
        filters
            .entry(key.to_string())
            .or_default()
            .push(wanted.to_string());
    }
    Ok(Filters(filters))
}

impl Filters {
    fn matches(&self, event: &Event) -> bool {
        self.0.iter().all(|(key, wanted)| {
            wanted.iter().any(|w| match key.as_str() {
                // A name, the full id or an id prefix, as Docker accepts.
                "container" => {
                    event.name() == w || (!w.is_empty() && event.id.starts_with(w.as_str()))
                }
                "event" => event.action == *w,
                "image" => event.from == *w,
                "type" => event.kind == *w,
                _ => false,
            })
        })
    }
}

/// Docker's text line: `TIME container ACTION ID (key=value, ...)`.
fn print_event(out: &mut impl Write, event: &Event, json: bool) -> std::io::Result<()> {
    if json {
        return writeln!(out, "{}", serde_json::to_string(event)?);
    }
    let time = DateTime::from_timestamp_nanos(event.time_nano).format("%Y-%m-%dT%H:%M:%S%.9fZ");
    let attributes: Vec<String> = event
        .actor
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    writeln!(
        out,
        "{time} {} {} {} ({})",
        event.kind,
        event.action,
        event.id,
        attributes.join(", ")
    )
}
