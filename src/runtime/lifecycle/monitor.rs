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
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::Container;
use libcontainer::syscall::syscall::SyscallType;
use nix::fcntl::OFlag;
use nix::sys::socket::SockType;
use nix::unistd::{pipe2, Pid};
use oci_spec::runtime::{LinuxNamespaceType, Spec};
use serde::{Deserialize, Serialize};

use super::console::ConsoleSocket;
use super::pid_namespace::{host_pid_of_only_child, host_pid_of_self, in_new_pid_namespace};
use super::relay::{Output, Relay, Stdin};
use super::relay_process::{exec_keeping, hand_off, relay_binary_beside, take_back, RELAY_ENV};
use super::remove::{remove_container, RemoveMode};
use crate::runtime::attach::clients::Clients;
use crate::runtime::attach::socket::listen_at;
use crate::runtime::late_filter;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::logs::json_file::JsonFileWriter;
use crate::runtime::protected_exe::protected_copy_of;
use crate::runtime::record::{now_rfc3339, read_json, ContainerRecord, ExitRecord};
use crate::runtime::rootfs;
use crate::runtime::store::Store;
use crate::spec::logging::{log_settings, LogSettings};

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
    if let Ok(pid) = host_pid_of_self() {
        let _ = crate::runtime::record::write_volatile_atomic(
            &dir.join("monitor.pid"),
            pid.to_string().as_bytes(),
        );
    }
    let (pids, relay) = match build(layout, id, &dir, &BuildOptions::default()) {
        Ok((pids, Some(relay))) => (pids, relay),
        Ok((_, None)) => unreachable!("the monitor always relays"),
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
    report(
        &mut sync,
        &SyncMessage {
            pid: pids.host.as_raw(),
            error: String::new(),
            code: 0,
        },
    );
    drop(sync);
    // Short-lived containers finish in this image; one still running after
    // a while is handed to the small relay image (see relay_process.rs),
    // once no stdin is queued for it.
    let mut relay = relay;
    let mut code = None;
    while code.is_none() {
        let deadline = std::time::Instant::now() + RELAY_IMAGE_AFTER;
        code = relay.run_until(pids.own, Some(deadline));
        if code.is_none() && !relay.stdin_pending() {
            break;
        }
    }
    let code = match code {
        Some(code) => code,
        None => {
            let flush = std::time::Instant::now() + std::time::Duration::from_secs(2);
            relay.clients.flush(flush);
            // An unfinished line goes into the log now (as its own message):
            // the relay image starts with an empty line buffer.
            if let Some(log) = &mut relay.log {
                let _ = log.flush_partial();
            }
            relay = match exec_relay_image(id, relay, pids.own) {
                Ok(never) => match never {},
                Err(relay) => *relay,
            };
            super::memory_trim::release_unused_memory();
            relay.run_until_exit(pids.own)
        }
    };
    let Relay { clients, .. } = relay;
    finish_and_tell(layout, id, code, clients)
}

/// The last steps, in the monitor's vassalrun image: record the exit, tell
/// the attached clients the code (whoever learns it finds the container
/// exited, or removed with `--rm`), and clean up; slow clients get a few
/// seconds.
pub fn finish_and_tell(layout: &Layout, id: &str, code: u8, mut clients: Clients) -> u8 {
    let dir = layout.container_dir(id);
    let _ = std::fs::remove_file(ContainerFiles(&dir).attach_socket());
    let tell = || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        clients.finish(code, deadline);
    };
    finish_then_tell(layout, id, &dir, code, Some(tell));
    code
}

/// Becomes the small relay image when it is installed beside vassalrun;
/// gives the relay back when it is not (or the exec fails).
fn exec_relay_image(
    id: &str,
    relay: Relay,
    init_pid: Pid,
) -> Result<std::convert::Infallible, Box<Relay>> {
    let Some(program) = std::env::var_os(RELAY_ENV).map(std::path::PathBuf::from) else {
        return Err(Box::new(relay));
    };
    let Ok(vassalrun) = std::env::current_exe() else {
        return Err(Box::new(relay));
    };
    let log = relay.log.as_ref().map(|log| log.target());
    // The same command line this monitor was started with.
    let mut finish: Vec<String> = std::env::args().collect();
    if let Some(first) = finish.first_mut() {
        *first = vassalrun.display().to_string();
    }
    let handoff = hand_off(relay, init_pid.as_raw(), log, finish);
    let args = vec![
        "monitor".to_string(),
        id.to_string(),
        serde_json::to_string(&handoff).unwrap_or_default(),
    ];
    let error = exec_keeping(&program, &args, &handoff.fds());
    tracing::warn!("exec {}: {error}; relaying in vassalrun", program.display());
    Err(Box::new(take_back(handoff)))
}

fn take_sync_pipe() -> Option<File> {
    let fd: i32 = std::env::var(SYNC_FD_ENV).ok()?.parse().ok()?;
    std::env::remove_var(SYNC_FD_ENV);
    // Close-on-exec again: the container's init must not hold it (the
    // spawner waits for its EOF if this monitor dies before reporting).
    let _ = nix::fcntl::fcntl(
        fd,
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    );
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

/// Whether the spec gives the container a pid namespace of its own (then the
/// monitor runs as init of a namespace that contains it, see
/// [`super::pid_namespace`]).
pub fn has_own_pid_namespace(spec: &Spec) -> bool {
    spec.linux()
        .as_ref()
        .and_then(|l| l.namespaces().clone())
        .unwrap_or_default()
        .iter()
        .any(|ns| ns.typ() == LinuxNamespaceType::Pid && ns.path().is_none())
}

/// The container init's pid in the monitor's pid namespace (to wait for it)
/// and in the host's (for everyone else).
pub struct InitPids {
    pub own: Pid,
    pub host: Pid,
}

/// How [`build`] differs for a caller other than the monitor (the Emperor
/// wrapper, `inline.rs`): the default is the monitor's.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// The container keeps the caller's stdin, stdout and stderr: no relay, no log.
    pub inherit_stdio: bool,
    /// fds 3..3+N stay open in the container (libcontainer's `preserve_fds`).
    pub preserved_fds: i32,
    /// With a relay: the container's stdin is the caller's fd 0 (the Emperor
    /// wrapper's `docker-socket` or on-demand socket), not `/dev/null`.
    pub keep_stdin: bool,
}

/// Creates the container; returns its init's pids and (unless it inherits
/// the caller's stdio) the relay for its stdio. libcontainer overwrites the
/// caller's `oom_score_adj`, so ours is restored afterwards.
pub fn build(
    layout: &Layout,
    id: &str,
    dir: &Path,
    options: &BuildOptions,
) -> Result<(InitPids, Option<Relay>), String> {
    let oom = std::fs::read_to_string("/proc/self/oom_score_adj").ok();
    let files = ContainerFiles(dir);
    let record: ContainerRecord = read_json(&files.record())
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("container {id}: no record"))?;
    let config = &record.request.config;
    // Parsed once: the cgroup fixups and mounts below run while the init
    // waits for `start`, on every `run`'s critical path.
    let spec: Spec = read_json(&files.spec())
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("container {id}: no spec"))?;
    let builder = ContainerBuilder::new(id.to_string(), SyscallType::Linux)
        .with_root_path(layout.libcontainer_root())
        .and_then(|b| b.validate_id())
        .map_err(|e| format!("container {id}: create: {e}"))?
        .with_preserved_fds(options.preserved_fds);
    let (builder, bundle) = match late_filter::plan(layout.run_dir(), &spec)
        .map_err(|e| format!("container {id}: {e}"))?
    {
        Some(plan) => (
            builder.with_executor(plan.executor),
            show_spec(&files, &plan.shown).map_err(|e| format!("container {id}: {e}"))?,
        ),
        None => (builder, dir.to_path_buf()),
    };
    let (builder, stdio) = if options.inherit_stdio {
        (builder, None)
    } else {
        let (builder, stdio) = wire_stdio(builder, &files, config.tty, config.open_stdin)?;
        let builder = match options.keep_stdin {
            true => builder.with_stdin(
                std::os::fd::AsFd::as_fd(&std::io::stdin())
                    .try_clone_to_owned()
                    .map_err(|e| format!("stdin: {e}"))?,
            ),
            false => builder,
        };
        (builder, Some(stdio))
    };
    let log = match (&stdio, log_settings(&record.request.host.log_config)) {
        (None, _) => None,
        (_, Err(e)) => return Err(e.to_string()),
        (_, Ok(LogSettings::None)) => None,
        (_, Ok(LogSettings::JsonFile { max_size, max_file })) => {
            let log = JsonFileWriter::open_rotating(&files.log(id), max_size, max_file)
                .map_err(|e| format!("log file: {e}"))?;
            Some(match record.request.host.auto_remove {
                true => log.volatile(),
                false => log,
            })
        }
    };
    let attach = match stdio {
        Some(_) => Some(
            listen_at(&files.attach_socket(), SockType::SeqPacket)
                .map_err(|e| format!("attach socket: {e}"))?,
        ),
        None => None,
    };
    // Held until the cgroup exists, so no removal takes its parent meanwhile.
    let cgroup = super::remove::cgroups_path_of(&spec);
    let _parent = cgroup
        .as_deref()
        .map(|c| crate::runtime::cgroup_parent::before_create(layout.run_dir(), c));
    let built = builder
        .as_init(bundle)
        .with_systemd(false)
        .with_detach(true)
        .as_sibling(false)
        .build()
        .map_err(|e| format!("container {id}: create: {e}"));
    if let Some(oom) = oom {
        let _ = std::fs::write("/proc/self/oom_score_adj", oom.trim());
    }
    let mut container = built.inspect_err(|_| remove_sockets(&files))?;
    let finished = apply_cgroup_fixups(&spec, &container)
        .and_then(|()| finish_build(&mut container, id, stdio))
        .and_then(|built| {
            confine_cgroups(&spec, built.0.host)?;
            Ok(built)
        });
    match finished {
        Ok((pids, None)) => Ok((pids, None)),
        Ok((pids, Some((output, stdin)))) => Ok((
            pids,
            Some(Relay {
                output,
                stdin,
                log,
                attach,
                clients: Clients::default(),
            }),
        )),
        Err(e) => {
            // Built but unusable: no container may be left waiting for a start.
            let _ = container.delete(true);
            remove_sockets(&files);
            Err(e)
        }
    }
}

/// Writes the spec libcontainer is shown into a bundle of its own, its
/// rootfs path made absolute (a relative one names a path in the container's
/// directory); returns that bundle. Rewritten at every build: no fsync.
fn show_spec(files: &ContainerFiles, shown: &Spec) -> Result<PathBuf, String> {
    let bundle = files.shown_bundle();
    let mut shown = shown.clone();
    if let Some(root) = shown.root_mut().as_mut() {
        let path = std::path::absolute(files.0.join(root.path()))
            .map_err(|e| format!("rootfs path: {e}"))?;
        root.set_path(path);
    }
    let json = serde_json::to_vec(&shown).map_err(|e| format!("shown spec: {e}"))?;
    std::fs::create_dir_all(&bundle)
        .and_then(|()| std::fs::write(bundle.join("config.json"), json))
        .map_err(|e| format!("{}: {e}", bundle.display()))?;
    Ok(bundle)
}

/// Writes the resource values libcgroups leaves out (see
/// [`crate::runtime::cgroup_fixups`]), e.g. `-m X --memory-swap X` on v2.
fn apply_cgroup_fixups(spec: &Spec, container: &Container) -> Result<(), String> {
    let Some(resources) = spec.linux().as_ref().and_then(|l| l.resources().as_ref()) else {
        return Ok(());
    };
    let fixups = crate::runtime::cgroup_fixups::needed(resources);
    if fixups.is_empty() {
        return Ok(());
    }
    let config = libcontainer::config::YoukiConfig::load(&container.root)
        .map_err(|e| format!("container {}: cgroup path: {e}", container.id()))?;
    crate::runtime::cgroup_fixups::apply(&config.cgroup_path, &fixups)
        .map_err(|(path, e)| format!("{}: {e}", path.display()))
}

/// The container's streams once it is built, as the relay takes them.
type Streams = (Output, Option<Stdin>);

/// After libcontainer's build: the init's pids (libcontainer's state must
/// hold the host's, while the monitor, as init of its own pid namespace, sees
/// namespace-local ones) and the container's streams.
fn finish_build(
    container: &mut Container,
    id: &str,
    stdio: Option<PendingStdio>,
) -> Result<(InitPids, Option<Streams>), String> {
    let own = container.pid().ok_or("libcontainer returned no pid")?;
    let mut pids = InitPids { own, host: own };
    if nix::unistd::getpid().as_raw() == 1 {
        pids.host = host_pid_of_only_child().map_err(|e| format!("container {id}: {e}"))?;
        container
            .set_pid(pids.host.as_raw())
            .save()
            .map_err(|e| format!("container {id}: saving its pid: {e}"))?;
    }
    let streams = stdio.map(PendingStdio::finish).transpose()?;
    Ok((pids, streams))
}

/// The cgroup filesystem read-only and confined, as the spec says (see
/// [`crate::runtime::cgroup_mounts`]), before the container may start.
fn confine_cgroups(spec: &Spec, init: nix::unistd::Pid) -> Result<(), String> {
    match crate::runtime::cgroup_mounts::CgroupPlan::of(spec) {
        Some(plan) => crate::runtime::cgroup_mounts::confine(init, &plan),
        None => Ok(()),
    }
}

/// The sockets a failed build leaves (the console one is consumed on success).
fn remove_sockets(files: &ContainerFiles) {
    let _ = std::fs::remove_file(files.attach_socket());
    let _ = std::fs::remove_file(files.console_socket());
}

/// The container's stdio as the monitor holds it until the container exists.
enum PendingStdio {
    Pipes {
        stdout: OwnedFd,
        stderr: OwnedFd,
        stdin: Option<OwnedFd>,
    },
    Terminal {
        console: ConsoleSocket,
        open_stdin: bool,
    },
}

impl PendingStdio {
    fn finish(self) -> Result<(Output, Option<Stdin>), String> {
        match self {
            PendingStdio::Pipes {
                stdout,
                stderr,
                stdin,
            } => Ok((
                Output::Pipes { stdout, stderr },
                stdin.map(|fd| Stdin::new(fd, false)),
            )),
            PendingStdio::Terminal {
                console,
                open_stdin,
            } => {
                let master = console
                    .receive_master()
                    .map_err(|e| format!("terminal: {e}"))?;
                let stdin = if open_stdin {
                    let copy = master.try_clone().map_err(|e| format!("terminal: {e}"))?;
                    Some(Stdin::new(copy, true))
                } else {
                    None
                };
                Ok((Output::Terminal { master }, stdin))
            }
        }
    }
}

/// With `-t` the container gets a pty whose master comes back through the
/// console socket; without, pipes for stdout and stderr (kept apart all the
/// way), and for stdin with `-i` (else /dev/null).
fn wire_stdio(
    builder: ContainerBuilder,
    files: &ContainerFiles,
    tty: bool,
    open_stdin: bool,
) -> Result<(ContainerBuilder, PendingStdio), String> {
    if tty {
        let console = ConsoleSocket::listen(&files.console_socket())
            .map_err(|e| format!("console socket: {e}"))?;
        let builder = builder.with_console_socket(Some(console.path()));
        return Ok((
            builder,
            PendingStdio::Terminal {
                console,
                open_stdin,
            },
        ));
    }
    let (out_r, out_w) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("stdout pipe: {e}"))?;
    let (err_r, err_w) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("stderr pipe: {e}"))?;
    let mut builder = builder.with_stdout(out_w).with_stderr(err_w);
    let stdin = if open_stdin {
        let (in_r, in_w) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("stdin pipe: {e}"))?;
        builder = builder.with_stdin(in_r);
        Some(in_w)
    } else {
        let null = File::open("/dev/null").map_err(|e| format!("/dev/null: {e}"))?;
        builder = builder.with_stdin(null);
        None
    };
    Ok((
        builder,
        PendingStdio::Pipes {
            stdout: out_r,
            stderr: err_r,
            stdin,
        },
    ))
}

/// Whether the kernel's OOM killer killed a process of the container: the
/// `oom_kill` counter of its memory cgroup (v1 `memory.oom_control`, v2
/// `memory.events`), read before the cgroup is deleted.
fn oom_killed(cgroup: Option<&str>) -> bool {
    let Some(cgroup) = cgroup else {
        return false;
    };
    let relative = cgroup.trim_start_matches('/');
    let candidates = [
        Path::new("/sys/fs/cgroup/memory")
            .join(relative)
            .join("memory.oom_control"),
        Path::new("/sys/fs/cgroup")
            .join(relative)
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
    finish_then_tell(layout, id, dir, code, None::<fn()>);
}

/// [`finish`], calling `tell` (which gives the attached clients the exit
/// code) as soon as what a client may look at next is settled: the exit
/// record, the network and the cgroup released, and for a `--rm` container
/// its departure from the store (name released, directory moved out, see
/// [`super::detached_removal`]). The unmount (an RCU grace period in the
/// kernel) and the directory's deletion happen after: for a kept container
/// still under the container lock, so a `start` or `rm` that follows waits
/// for it. Without `tell` (nobody to tell: `gc`, the Emperor wrapper,
/// which remove their cidfile and the like after this), everything is
/// done in place before returning, in the order a reader expects.
fn finish_then_tell(layout: &Layout, id: &str, dir: &Path, code: u8, tell: Option<impl FnOnce()>) {
    let store = Store::new(layout.clone());
    let Ok(lock) = store.lock(id) else {
        if let Some(tell) = tell {
            tell();
        }
        return;
    };
    if !dir.exists() {
        // `rm -f` stopped waiting for this exit and removed the container
        // (a slow machine): taking the lock made its file again, the only
        // trace left, which `gc` would report.
        store.remove_lock_file(id);
        if let Some(tell) = tell {
            tell();
        }
        return;
    }
    let files = ContainerFiles(dir);
    let cgroup = super::remove::cgroups_path(&files.spec());
    let started_at = std::fs::read_to_string(dir.join("started")).unwrap_or_default();
    let exit = ExitRecord {
        exit_code: i32::from(code),
        started_at,
        finished_at: now_rfc3339(),
        oom_killed: oom_killed(cgroup.as_deref()),
        error: String::new(),
    };
    let auto_remove = read_json::<ContainerRecord>(&files.record())
        .ok()
        .flatten()
        .is_some_and(|r| r.request.host.auto_remove);
    // Network: the port elements and the lease are released before the exit
    // is visible (whoever sees "exited" sees its ports and address free);
    // so are the links, except a told `--rm` container's, whose deletion
    // (a kernel RCU barrier per link) waits until its client has the code.
    // A monitor killed in between leaves the veth to the kernel (it goes
    // with the exited container's network namespace) and an unused bridge
    // to `gc`.
    let network_dir = layout.network_dir();
    let mut links = crate::network::teardown::release(&network_dir, id)
        .ok()
        .flatten();
    if tell.is_none() || !auto_remove {
        remove_links(links.take());
    }
    if let Ok(bytes) = serde_json::to_vec_pretty(&exit) {
        let _ = crate::runtime::record::write_volatile_atomic(&files.exit(), &bytes);
    }
    let exit_code = [("exitCode", code.to_string())];
    crate::runtime::events::record_for(layout, id, "die", &exit_code);
    // The cgroup and libcontainer's state go before the code is told: an
    // exited container keeps no cgroup (nor a parent vassalrun made).
    release_runtime(layout, id, cgroup.as_deref());
    let Some(tell) = tell else {
        let _ = rootfs::unmount(&files.rootfs());
        drop(lock);
        if auto_remove {
            let _ = remove_container(&store, id, RemoveMode::AfterExit);
        }
        return;
    };
    if !auto_remove {
        tell();
        // The unmount waits for a grace period: after the client has its
        // code, still under the container lock (a `start` or `rm` waits).
        let _ = rootfs::unmount(&files.rootfs());
        return;
    }
    match super::detached_removal::leave_store(&store, id) {
        Some(moved) => {
            store.remove_lock_file(id);
            drop(lock);
            tell();
            // The rootfs first: its mount is what a reader of mountinfo
            // waits to see gone; the links only show in `ip link`.
            super::detached_removal::delete(&moved);
            remove_links(links);
        }
        None => {
            let _ = rootfs::unmount(&files.rootfs());
            drop(lock);
            let _ = remove_container(&store, id, RemoveMode::AfterExit);
            tell();
            remove_links(links);
        }
    }
}

/// Deletes a released endpoint's links, if any (best effort, as the rest of
/// the teardown after an exit).
fn remove_links(links: Option<crate::network::teardown::PendingLinks>) {
    if let Some(Err(e)) = links.map(|links| links.remove()) {
        tracing::warn!("network teardown: {e}");
    }
}

/// The exited container's cgroup (and its parents vassalrun made, when
/// empty) and libcontainer's state.
fn release_runtime(layout: &Layout, id: &str, cgroup: Option<&str>) {
    delete_exited(layout, id, cgroup);
    if let Some(cgroup) = cgroup {
        crate::runtime::cgroup_parent::after_remove(layout.run_dir(), cgroup);
    }
}

/// Removes the exited container's cgroup and libcontainer's state.
///
/// libcontainer's `delete` builds a cgroup manager to remove the cgroup, and
/// libcgroups' v1 manager reads `/proc/self/mountinfo` once per controller to
/// find its mount point (12 reads, 0.3 ms each at 80 mounts and 1.6 ms at
/// 240; the API takes no mount points). The cgroup's directories are found
/// here with one directory listing of `/sys/fs/cgroup` instead (the
/// init has exited, so what is left is killed and the directories removed, as
/// libcgroups' `remove` does), then libcontainer's state directory goes.
/// What only libcontainer's `delete` does — poststop hooks, Intel RDT
/// clean-up — and v2-only hosts keep it doing all of it.
fn delete_exited(layout: &Layout, id: &str, cgroup: Option<&str>) {
    let Ok(mut container) = Container::load(layout.libcontainer_root().join(id)) else {
        return;
    };
    let needs_libcontainer = cgroup.is_none()
        || unified_only()
        || container.systemd()
        || container.intel_rdt_dir().is_some()
        || libcontainer::config::YoukiConfig::load(&container.root).map_or(true, |config| {
            config
                .hooks
                .as_ref()
                .and_then(|hooks| hooks.poststop().as_ref())
                .is_some_and(|poststop| !poststop.is_empty())
        });
    if needs_libcontainer {
        let _ = container.delete(true);
        return;
    }
    if let Some(cgroup) = cgroup {
        crate::runtime::cgroups::kill_and_remove(cgroup);
    }
    let _ = std::fs::remove_dir_all(&container.root);
}

/// A cgroup v2-only host: there libcgroups reads no mountinfo, and its
/// manager's `cgroup.kill` is kept.
fn unified_only() -> bool {
    nix::sys::statfs::statfs("/sys/fs/cgroup")
        .is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::CGROUP2_SUPER_MAGIC)
}

/// How long a container runs before its monitor swaps to the relay image:
/// long enough that short-lived containers never pay the two `exec`s.
const RELAY_IMAGE_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

/// A monitor that has created its container.
pub struct Spawned {
    pub child: std::process::Child,
    /// The container init's pid (waiting for `start`).
    pub pid: i32,
}

/// The read-only bind mounts the monitor is executed from: vassalrun and,
/// if it is installed beside it, the relay image.
pub struct MonitorBinaries {
    exe: PathBuf,
    relay: Option<PathBuf>,
}

/// Makes (or finds) the [`MonitorBinaries`]. Called in the host's mount
/// namespace, before [`crate::runtime::mount_namespace::enter_private`], so
/// the mounts are made where every later run finds them.
pub fn protected_binaries(settings: &crate::config::Settings) -> Result<MonitorBinaries, String> {
    let exe = crate::runtime::protected_exe::protected_exe(&settings.run_dir)
        .map_err(|e| format!("protecting the vassalrun binary: {e}"))?;
    let relay = std::env::current_exe()
        .ok()
        .and_then(|exe| relay_binary_beside(&exe))
        .and_then(|relay| protected_copy_of(&settings.run_dir, &relay, "vassalrun-relay").ok());
    Ok(MonitorBinaries { exe, relay })
}

/// Starts `vassalrun monitor ID` in its own session and waits until it has
/// created the container (returns the monitor) or failed (returns why).
pub fn spawn_monitor(
    settings: &crate::config::Settings,
    binaries: &MonitorBinaries,
    id: &str,
    own_pid_namespace: bool,
) -> Result<Spawned, String> {
    use std::io::BufRead;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    let (read_end, write_end): (OwnedFd, OwnedFd) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("sync pipe: {e}"))?;
    let write_fd = write_end.as_raw_fd();
    let mut command = Command::new(&binaries.exe);
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
    if let Some(relay) = &binaries.relay {
        command.env(RELAY_ENV, relay);
    }
    // The monitor's own stdio: nowhere (clients attach through its socket).
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
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
    let spawned = if own_pid_namespace {
        in_new_pid_namespace(|| command.spawn())
    } else {
        command.spawn()
    };
    let mut child = spawned.map_err(|e| format!("starting the monitor: {e}"))?;
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
