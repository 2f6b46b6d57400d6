//! The per-container monitor: a process of its own (`vassalrun monitor ID`, in
//! its own session) that creates the container with libcontainer — from a fresh,
//! single-threaded process, as libcontainer requires — is the parent of the
//! container's init, reaps it, records how it ended, and cleans up.
//!
//! Protocol with the command that spawned it: one JSON line on the sync pipe
//! (fd in `VASSALRUN_SYNC_FD`): `{"Pid": N}` once created, or
//! `{"Error": "...", "Code": 125}`; the monitor's exit code is the container's.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::path::Path;

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::Container;
use libcontainer::syscall::syscall::SyscallType;
use serde::{Deserialize, Serialize};

use super::relay::{relay_until_exit, Relay};
use super::remove::{remove_container, RemoveMode};
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::logs::json_file::JsonFileWriter;
use crate::runtime::record::{now_rfc3339, read_json, write_json, ContainerRecord, ExitRecord};
use crate::runtime::rootfs;
use crate::runtime::store::Store;
use crate::spec::logging::{log_settings, LogSettings};
use nix::fcntl::OFlag;
use nix::unistd::pipe2;

/// The environment variable carrying the sync pipe's fd number.
pub const SYNC_FD_ENV: &str = "VASSALRUN_SYNC_FD";

/// The monitor's report to its spawner.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SyncMessage {
    #[serde(default)]
    pub pid: i32,
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub code: u8,
}

/// Runs the monitor of container `id`; returns the process exit code.
pub fn run_monitor(layout: &Layout, id: &str) -> u8 {
    let mut sync = take_sync_pipe();
    // libcontainer passes LISTEN_FDS sockets on to the container: only on purpose.
    std::env::remove_var("LISTEN_FDS");
    std::env::remove_var("LISTEN_PID");
    let dir = layout.container_dir(id);
    let _ = crate::runtime::record::write_atomic(
        &dir.join("monitor.pid"),
        std::process::id().to_string().as_bytes(),
    );
    let (container, relay) = match build(layout, id, &dir, &BuildOptions::default()) {
        Ok(built) => built,
        Err(message) => {
            report(
                &mut sync,
                &SyncMessage {
                    pid: 0,
                    error: message,
                    code: 125,
                },
            );
            return 125;
        }
    };
    let Some(pid) = container.pid() else {
        report(
            &mut sync,
            &SyncMessage {
                pid: 0,
                error: "libcontainer returned no pid".into(),
                code: 125,
            },
        );
        return 125;
    };
    report(
        &mut sync,
        &SyncMessage {
            pid: pid.as_raw(),
            error: String::new(),
            code: 0,
        },
    );
    drop(sync);
    let code = match relay {
        Some(relay) => relay_until_exit(relay, pid),
        None => super::reap::wait_exit(pid),
    };
    finish(layout, id, &dir, code);
    code
}

fn take_sync_pipe() -> Option<File> {
    let fd: i32 = std::env::var(SYNC_FD_ENV).ok()?.parse().ok()?;
    std::env::remove_var(SYNC_FD_ENV);
    // SAFETY: the spawner handed us this fd, open, for our exclusive use.
    Some(unsafe { File::from_raw_fd(fd) })
}

fn report(sync: &mut Option<File>, message: &SyncMessage) {
    if let Some(pipe) = sync {
        let mut line = serde_json::to_vec(message).unwrap_or_default();
        line.push(b'\n');
        let _ = pipe.write_all(&line);
    }
}

/// How [`build`] differs for a caller other than the monitor (the Emperor
/// wrapper, `inline.rs`): the default is the monitor's.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// The container keeps the caller's stdin, stdout and stderr: no relay, no log.
    pub inherit_stdio: bool,
    /// fds 3..3+N stay open in the container (libcontainer's `preserve_fds`).
    pub preserved_fds: i32,
}

/// Creates the container; libcontainer overwrites the caller's `oom_score_adj`,
/// so ours is restored afterwards.
pub fn build(
    layout: &Layout,
    id: &str,
    dir: &Path,
    options: &BuildOptions,
) -> Result<(Container, Option<Relay>), String> {
    let oom = std::fs::read_to_string("/proc/self/oom_score_adj").ok();
    let record: ContainerRecord = read_json(&ContainerFiles(dir).record())
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("container {id}: no record"))?;
    let config = &record.request.config;
    let mut builder = ContainerBuilder::new(id.to_string(), SyscallType::Linux)
        .with_root_path(layout.libcontainer_root())
        .and_then(|b| b.validate_id())
        .map_err(|e| format!("container {id}: create: {e}"))?
        .with_preserved_fds(options.preserved_fds);
    // Without -t the output goes through pipes to the log and the echo; with -t
    // (no console socket yet) the container shares the monitor's terminal.
    let mut relay = None;
    if !config.tty && !options.inherit_stdio {
        let (out_r, out_w) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("stdout pipe: {e}"))?;
        let (err_r, err_w) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("stderr pipe: {e}"))?;
        builder = builder.with_stdout(out_w).with_stderr(err_w);
        if !config.open_stdin {
            let null = std::fs::File::open("/dev/null").map_err(|e| format!("/dev/null: {e}"))?;
            builder = builder.with_stdin(null);
        }
        let log = match log_settings(&record.request.host.log_config).map_err(|e| e.to_string())? {
            LogSettings::None => None,
            LogSettings::JsonFile { max_size, max_file } => Some(
                JsonFileWriter::open_rotating(&ContainerFiles(dir).log(id), max_size, max_file)
                    .map_err(|e| format!("log file: {e}"))?,
            ),
        };
        relay = Some(Relay {
            stdout: out_r,
            stderr: err_r,
            log,
        });
    }
    let result = builder
        .as_init(dir)
        .with_systemd(false)
        .with_detach(!config.tty)
        .as_sibling(false)
        .build()
        .map_err(|e| format!("container {id}: create: {e}"));
    if let Some(oom) = oom {
        let _ = std::fs::write("/proc/self/oom_score_adj", oom.trim());
    }
    result.map(|c| (c, relay))
}

/// Whether the kernel's OOM killer killed a process of the container: the
/// `oom_kill` counter of its memory cgroup (v1 `memory.oom_control`, v2
/// `memory.events`), read before the cgroup is deleted.
fn oom_killed(spec_path: &Path) -> bool {
    let Ok(Some(spec)) = read_json::<oci_spec::runtime::Spec>(spec_path) else {
        return false;
    };
    let Some(cgroup) = spec.linux().as_ref().and_then(|l| l.cgroups_path().clone()) else {
        return false;
    };
    let relative = cgroup.to_string_lossy().trim_start_matches('/').to_string();
    let candidates = [
        Path::new("/sys/fs/cgroup/memory")
            .join(&relative)
            .join("memory.oom_control"),
        Path::new("/sys/fs/cgroup")
            .join(&relative)
            .join("memory.events"),
    ];
    candidates
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .any(|text| {
            text.lines()
                .filter_map(|l| l.strip_prefix("oom_kill "))
                .any(|n| n.trim().parse::<u64>().is_ok_and(|n| n > 0))
        })
}

/// Records the exit and releases what only a running container needs. Waits for
/// the container lock so a `start` still finishing is never raced.
pub fn finish(layout: &Layout, id: &str, dir: &Path, code: u8) {
    let store = Store::new(layout.clone());
    let Ok(lock) = store.lock(id) else {
        return;
    };
    let files = ContainerFiles(dir);
    let started_at = std::fs::read_to_string(dir.join("started")).unwrap_or_default();
    let exit = ExitRecord {
        exit_code: i32::from(code),
        started_at,
        finished_at: now_rfc3339(),
        oom_killed: oom_killed(&files.spec()),
        error: String::new(),
    };
    let _ = write_json(&files.exit(), &exit);
    if let Ok(mut container) = Container::load(layout.libcontainer_root().join(id)) {
        let _ = container.delete(true);
    }
    let _ = rootfs::unmount(&files.rootfs());
    let auto_remove = read_json::<ContainerRecord>(&files.record())
        .ok()
        .flatten()
        .is_some_and(|r| r.request.host.auto_remove);
    drop(lock);
    if auto_remove {
        let _ = remove_container(&store, id, RemoveMode::AfterExit);
    }
}

/// Where the monitor's (and so the container's) stdio goes until the monitor
/// relays it itself: the invoking terminal for a foreground `run`, else nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorStdio {
    Inherit,
    Null,
}

/// A monitor that has created its container.
pub struct Spawned {
    pub child: std::process::Child,
    /// The container init's pid (waiting for `start`).
    pub pid: i32,
}

/// Starts `vassalrun monitor ID` in its own session and waits until it has
/// created the container (returns the monitor) or failed (returns why).
pub fn spawn_monitor(
    settings: &crate::config::Settings,
    id: &str,
    stdio: MonitorStdio,
) -> Result<Spawned, String> {
    use std::io::BufRead;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    let (read_end, write_end): (OwnedFd, OwnedFd) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("sync pipe: {e}"))?;
    let write_fd = write_end.as_raw_fd();
    let exe = crate::runtime::protected_exe::protected_exe(&settings.run_dir)
        .map_err(|e| format!("protecting the vassalrun binary: {e}"))?;
    let mut command = Command::new(exe);
    command
        .arg("--root")
        .arg(&settings.root)
        .arg("--run-dir")
        .arg(&settings.run_dir)
        .arg("--config-dir")
        .arg(&settings.config_dir)
        .arg("monitor")
        .arg(id)
        .env(SYNC_FD_ENV, write_fd.to_string());
    if stdio == MonitorStdio::Null {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    }
    // SAFETY: only async-signal-safe calls (setsid, fcntl) run between fork and exec.
    unsafe {
        command.pre_exec(move || {
            nix::unistd::setsid()?;
            // A foreground `run` blocks the signals it forwards; the monitor
            // (and so the container) must start with none blocked.
            nix::sys::signal::sigprocmask(
                nix::sys::signal::SigmaskHow::SIG_SETMASK,
                Some(&nix::sys::signal::SigSet::empty()),
                None,
            )?;
            nix::fcntl::fcntl(
                write_fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
            )?;
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("starting the monitor: {e}"))?;
    drop(write_end);
    let mut line = String::new();
    let _ = std::io::BufReader::new(File::from(read_end)).read_line(&mut line);
    match serde_json::from_str::<SyncMessage>(&line) {
        Ok(m) if m.pid > 0 => Ok(Spawned { child, pid: m.pid }),
        Ok(m) => {
            let _ = child.wait();
            Err(m.error)
        }
        Err(_) => {
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            Err(format!(
                "the monitor exited without creating the container ({status})"
            ))
        }
    }
}
