//! `inspect` and `ps`: a container described in Docker's JSON shape, and the
//! human columns of `ps`.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::status::{status, Status};
use super::LifecycleError;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::record::{read_json, ContainerRecord};
use crate::spec::mounts::{parse_user_mounts, UserMountKind};

/// One container as `docker inspect` shows it.
pub fn inspect(layout: &Layout, id: &str) -> Result<Value, LifecycleError> {
    let dir = layout.container_dir(id);
    let files = ContainerFiles(&dir);
    let record: ContainerRecord = read_json(&files.record())?
        .ok_or_else(|| crate::runtime::store::StoreError::NotFound(id.to_string()))?;
    let state = status(layout, id);
    let args = command_of(&files);
    let (path, rest) = args
        .split_first()
        .map_or((String::new(), Vec::new()), |(p, r)| {
            (p.clone(), r.to_vec())
        });
    Ok(json!({
        "Id": record.id,
        "Created": record.created,
        "Path": path,
        "Args": rest,
        "State": state_json(&state, &std::fs::read_to_string(dir.join("started")).unwrap_or_default()),
        "Image": record.image,
        "Name": format!("/{}", record.name),
        "RestartCount": 0,
        "Driver": "overlay",
        "Platform": "linux",
        "Config": record.request.config,
        "HostConfig": record.request.host,
        "Mounts": mounts_json(&record),
        "NetworkSettings": crate::network::summary::network_settings(
            &record.request,
            crate::network::setup::endpoint_of(&layout.network_dir(), id).as_ref(),
        ),
        "GraphDriver": {
            "Name": "overlay",
            "Data": {
                "LowerDir": record.image_rootfs,
                "UpperDir": files.upper(),
                "WorkDir": files.work(),
                "MergedDir": crate::runtime::mount_namespace::rootfs_seen_from_host(&files),
            }
        },
    }))
}

/// The command the container runs, from its OCI spec (image defaults merged),
/// without the `/dev/init --` prefix, as Docker shows it.
pub fn command_of(files: &ContainerFiles) -> Vec<String> {
    let spec: Option<oci_spec::runtime::Spec> = read_json(&files.spec()).ok().flatten();
    let mut args = spec
        .and_then(|s| s.process().clone())
        .and_then(|p| p.args().clone())
        .unwrap_or_default();
    if args.first().map(String::as_str) == Some(crate::spec::build::INIT_PATH) {
        args.drain(..2.min(args.len()));
    }
    args
}

/// Docker's time for "never": orchestrators (Mesos) wait for `StartedAt` to differ from it.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

fn state_json(state: &Status, started: &str) -> Value {
    let (pid, exit) = match state {
        Status::Running { pid, .. } => (*pid, None),
        Status::Exited(exit) => (0, Some(exit)),
        _ => (0, None),
    };
    json!({
        "Status": state.name(),
        "Running": matches!(state, Status::Running { .. }),
        "Paused": matches!(state, Status::Running { paused: true, .. }),
        "Restarting": false,
        "OOMKilled": exit.is_some_and(|e| e.oom_killed),
        "Dead": matches!(state, Status::Dead),
        "Pid": pid,
        "ExitCode": exit.map_or(0, |e| e.exit_code),
        "Error": exit.map_or(String::new(), |e| e.error.clone()),
        "StartedAt": match (state, exit) {
            (_, Some(e)) => e.started_at.clone(),
            (Status::Running { .. }, None) if !started.is_empty() => started.to_string(),
            _ => ZERO_TIME.to_string(),
        },
        "FinishedAt": exit.map_or(ZERO_TIME.to_string(), |e| e.finished_at.clone()),
    })
}

fn mounts_json(record: &ContainerRecord) -> Vec<Value> {
    let Ok(mounts) = parse_user_mounts(&record.request.host) else {
        return Vec::new();
    };
    mounts
        .iter()
        .map(|m| match &m.kind {
            UserMountKind::Bind { source, readonly, propagation, .. } => json!({
                "Type": "bind", "Source": source, "Destination": m.destination,
                "Mode": if *readonly { "ro" } else { "" }, "RW": !readonly, "Propagation": propagation,
            }),
            UserMountKind::Tmpfs { .. } => json!({
                "Type": "tmpfs", "Source": "", "Destination": m.destination, "Mode": "", "RW": true, "Propagation": "",
            }),
        })
        .collect()
}

/// Docker's human durations: "Less than a second", "5 seconds", "About a minute", "3 hours".
pub fn human_duration(seconds: i64) -> String {
    let (minutes, hours, days) = (seconds / 60, seconds / 3600, seconds / 86400);
    match seconds {
        s if s < 1 => "Less than a second".into(),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if days < 14 => format!("{days} days"),
        _ => format!("{} weeks", days / 7),
    }
}

/// Seconds since an RFC 3339 time (0 when it does not parse).
pub fn seconds_since(time: &str) -> i64 {
    DateTime::parse_from_rfc3339(time)
        .map_or(0, |t| (Utc::now() - t.with_timezone(&Utc)).num_seconds())
}

/// The `STATUS` column: `Up 5 seconds`, `Exited (0) 2 minutes ago`, `Created`.
pub fn status_column(state: &Status, started_at: &str) -> String {
    match state {
        Status::Running { paused, .. } => format!(
            "Up {}{}",
            human_duration(seconds_since(started_at)),
            if *paused { " (Paused)" } else { "" }
        ),
        Status::Exited(e) => format!(
            "Exited ({}) {} ago",
            e.exit_code,
            human_duration(seconds_since(&e.finished_at))
        ),
        Status::Created => "Created".into(),
        Status::Dead => "Dead".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_human_duration() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(5), "5 seconds");
        assert_eq!(human_duration(65), "About a minute");
        assert_eq!(human_duration(600), "10 minutes");
        assert_eq!(human_duration(3700), "About an hour");
        assert_eq!(human_duration(7200), "2 hours");
        assert_eq!(human_duration(3 * 86400), "3 days");
    }
}
