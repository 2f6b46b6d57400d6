//! One Emperor spawn: read the vassal's attributes, then either exec the
//! host's uWSGI unchanged (no `docker-image`) or run the vassal's uWSGI in a
//! container in the foreground and exit with its status.

use std::ffi::{CString, OsString};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use super::attributes::{plan, request, Plan};
use super::error::WrapperError;
use super::fds::{is_socket, FdLayout};
use super::files::{VassalFiles, CONTAINER_DIR};
use super::invocation::Invocation;
use super::log;
use super::relay::{exec_relay_image, VassalRelay};
use super::socket::bind;
use super::socket_access::SocketAccess;
use crate::config::Settings;
use crate::runtime::layout::{ContainerFiles, Layout};
use crate::runtime::lifecycle::create::{attach_network, create_prepared, CreateOptions};
use crate::runtime::lifecycle::inline::{
    block_and_forward_caught, catch_forwarded_signals, end_inline, start_inline, InlineOptions,
};
use crate::runtime::lifecycle::relay::Output;
use crate::runtime::lifecycle::relay_process::{relay_binary_beside, RELAY_ENV};
use std::os::unix::fs::DirBuilderExt;

/// Exit code for the wrapper's own failures (vassalrun's convention).
pub const EXIT_WRAPPER_ERROR: u8 = 125;

/// Runs the spawn; returns the exit code (the vassal's, when it ran).
pub fn run(args: &[OsString], settings: Result<Settings, String>, restore_signals: fn()) -> u8 {
    let env = |key: &str| std::env::var(key).ok();
    let invocation = match Invocation::parse(args, env) {
        Ok(invocation) => invocation,
        Err(e) => {
            log("?", WrapperError::Invocation(e));
            return EXIT_WRAPPER_ERROR;
        }
    };
    let vassal = invocation.name.clone();
    match run_vassal(args, &invocation, settings, restore_signals) {
        Ok(code) => code,
        Err(e) => {
            log(&vassal, e);
            EXIT_WRAPPER_ERROR
        }
    }
}

fn run_vassal(
    args: &[OsString],
    invocation: &Invocation,
    settings: Result<Settings, String>,
    restore_signals: fn(),
) -> Result<u8, WrapperError> {
    let settings = settings.map_err(WrapperError::Settings)?;
    let cwd = std::env::current_dir().map_err(WrapperError::WorkingDir)?;
    let sections = super::source::sections(invocation, &cwd).map_err(WrapperError::Source)?;
    let plan = plan(&sections.emperor)?;
    if plan.image.is_none() {
        if settings.require_image {
            return Err(WrapperError::ImageRequired);
        }
        return Err(exec_host_uwsgi(&settings.host_uwsgi, args));
    }
    restore_signals();
    reexec_protected(&settings, args)?;
    if let Some(image) = &plan.image {
        crate::runtime::images::pull_policy::ensure(&settings, image, plan.pull, None)
            .map_err(WrapperError::Pull)?;
    }
    let access = match plan.socket {
        Some(_) => SocketAccess {
            mode: plan.socket_mode,
            owner: None,
        }
        .or(SocketAccess::from_entries(&sections.uwsgi).map_err(WrapperError::SocketAccess)?)
        .or(SocketAccess::of_parent().map_err(WrapperError::SocketAccess)?),
        None => SocketAccess::default(),
    };
    create_bind_sources(&plan.bind_sources)?;
    run_container(&settings, invocation, &plan, &cwd, &access)
}

/// `docker-mount = /host:/ctr` creates a missing host directory (mode 755,
/// owned by root), as the Engine API's `Binds` did for the old plugin and
/// as `docker run -v` does.
fn create_bind_sources(sources: &[String]) -> Result<(), WrapperError> {
    for source in sources {
        if std::fs::symlink_metadata(source).is_err() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(source)
                .map_err(|reason| WrapperError::BindSource {
                    path: source.clone(),
                    reason,
                })?;
        }
    }
    Ok(())
}

/// Replaces this process with the host's uWSGI, argv\[1..\], env, fds and
/// signal dispositions untouched; returns only on failure.
fn exec_host_uwsgi(uwsgi: &Path, args: &[OsString]) -> WrapperError {
    match exec(uwsgi, uwsgi.as_os_str(), args, true) {
        Err(e) => e,
        Ok(never) => match never {},
    }
}

/// `execv(p)` of `program` with `argv0` and `args[1..]`.
fn exec(
    program: &Path,
    argv0: &std::ffi::OsStr,
    args: &[OsString],
    search_path: bool,
) -> Result<std::convert::Infallible, WrapperError> {
    let c_string = |s: &std::ffi::OsStr| {
        CString::new(s.as_encoded_bytes())
            .map_err(|_| WrapperError::NulByte(s.to_string_lossy().into_owned()))
    };
    let path = c_string(program.as_os_str())?;
    let argv: Vec<CString> = std::iter::once(argv0)
        .chain(args.iter().skip(1).map(OsString::as_os_str))
        .map(c_string)
        .collect::<Result<_, _>>()?;
    let result = if search_path {
        nix::unistd::execvp(&path, &argv)
    } else {
        nix::unistd::execv(&path, &argv)
    };
    result.map_err(|errno| WrapperError::Exec {
        path: program.to_path_buf(),
        errno,
    })
}

/// A container's first process starts as a fork of this one: run from a
/// read-only file (CVE-2019-5736), as monitors do. Execs the read-only bind
/// mount of the binary with the same argv and environment, unless this
/// binary already is one or lies on a read-only mount (then a container
/// cannot write it either, and the spawn saves an exec).
fn reexec_protected(settings: &Settings, args: &[OsString]) -> Result<(), WrapperError> {
    let exe = std::fs::read_link("/proc/self/exe").map_err(WrapperError::Protect)?;
    if on_read_only_mount(&exe) {
        match exe.parent().map(|dir| dir.join("vassalrun-relay")) {
            Some(relay) if relay.is_file() && on_read_only_mount(&relay) => {
                std::env::set_var(RELAY_ENV, relay)
            }
            _ => std::env::remove_var(RELAY_ENV),
        }
        return Ok(());
    }
    let target = crate::runtime::protected_exe::protected_exe(&settings.run_dir)
        .map_err(WrapperError::Protect)?;
    if exe == target {
        return Ok(());
    }
    // The small image of the long-lived processes, protected the same way:
    // found beside this (unprotected) binary, named to the next image.
    let relay = relay_binary_beside(&exe).and_then(|relay| {
        crate::runtime::protected_exe::protected_copy_of(
            &settings.run_dir,
            &relay,
            "vassalrun-relay",
        )
        .ok()
    });
    match relay {
        Some(relay) => std::env::set_var(RELAY_ENV, relay),
        None => std::env::remove_var(RELAY_ENV),
    }
    let argv0 = args.first().cloned().unwrap_or_else(|| "vassalrun".into());
    exec(&target, &argv0, args, false).map(|never| match never {})
}

/// Whether `path` is on a read-only mount (the protected copies are).
fn on_read_only_mount(path: &Path) -> bool {
    nix::sys::statvfs::statvfs(path)
        .is_ok_and(|s| s.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY))
}

fn run_container(
    settings: &Settings,
    invocation: &Invocation,
    plan: &Plan,
    cwd: &Path,
    access: &SocketAccess,
) -> Result<u8, WrapperError> {
    let vassal = invocation.name.as_str();
    if plan.proxy {
        log(
            vassal,
            "docker-proxy is not needed: the Emperor's fds reach the container directly",
        );
    }
    catch_forwarded_signals();
    // libcontainer passes LISTEN_FDS sockets on to the container: only on purpose.
    std::env::remove_var("LISTEN_FDS");
    std::env::remove_var("LISTEN_PID");
    let keep: Vec<i32> = std::iter::once(invocation.emperor_fd)
        .chain(invocation.config_fd)
        .collect();
    let layout = FdLayout::arrange(&keep).map_err(WrapperError::Fds)?;
    let socket_file = match &plan.socket {
        Some(address) => hand_over_socket(address, plan.socket_mode, access)?,
        None => None,
    };
    let copies = Layout::new(settings).vassal_files_dir();
    let (files, args) =
        VassalFiles::prepare(invocation, cwd, &copies).map_err(WrapperError::Source)?;
    let result = create(settings, invocation, plan, (&files, &args)).and_then(|prepared| {
        start_and_relay(
            settings,
            &prepared,
            files,
            layout,
            &keep,
            socket_file.clone(),
        )
    });
    if let Some(path) = socket_file {
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Binds `docker-socket` and puts it on fd 0 (where the Emperor's on-demand
/// socket would be; both at once cannot work). Returns the UNIX socket's file.
fn hand_over_socket(
    address: &str,
    mode: Option<u32>,
    access: &SocketAccess,
) -> Result<Option<PathBuf>, WrapperError> {
    if is_socket(0) {
        return Err(WrapperError::SocketOnDemand);
    }
    let error = |reason| WrapperError::Socket {
        address: address.to_string(),
        reason,
    };
    let bound = bind(address, mode).map_err(error)?;
    if let Some(path) = &bound.path {
        if let Err(reason) = access.apply(path) {
            let _ = std::fs::remove_file(path);
            return Err(WrapperError::SocketAccess(format!("{address}: {reason}")));
        }
    }
    nix::unistd::dup2(bound.fd.as_raw_fd(), 0).map_err(|e| error(e.into()))?;
    Ok(bound.path)
}

/// Creates the vassal's container (not yet built); returns its id.
fn create(
    settings: &Settings,
    invocation: &Invocation,
    plan: &Plan,
    (files, args): (&VassalFiles, &[String]),
) -> Result<Prepared, WrapperError> {
    let vassal = invocation.name.as_str();
    let options = CreateOptions {
        request: container_request(invocation, plan, args, &files.dir, Some(settings))?,
        name: Some(invocation.container_name()),
        replace: true,
    };
    let prepared = create_prepared(settings, &options)?;
    if plan.debug || std::env::var("VASSALRUN_DEBUG").is_ok_and(|v| !v.is_empty() && v != "0") {
        log_spec(vassal, settings, &prepared.id);
    }
    if let Some(path) = &plan.cidfile {
        // It stays after the vassal ends, as Docker's and the old plugin's.
        if let Err(e) =
            crate::runtime::record::write_file_atomic(Path::new(path), prepared.id.as_bytes())
        {
            log(vassal, format!("docker-cidfile: {path}: {e}"));
        }
    }
    log(
        vassal,
        format!("container {} ({})", prepared.name, &prepared.id[..12]),
    );
    Ok(Prepared {
        created: prepared,
        request: options.request,
    })
}

/// What [`create`] made and [`start_and_relay`] needs.
struct Prepared {
    created: crate::runtime::lifecycle::create::Prepared,
    request: crate::spec::CreateRequest,
}

/// Builds and starts the container, then relays its output until it ends —
/// in the small relay image when it is installed (see [`super::relay`]) —
/// and returns its code after removing it.
fn start_and_relay(
    settings: &Settings,
    prepared: &Prepared,
    files: VassalFiles,
    fds: FdLayout,
    keep: &[i32],
    socket_file: Option<PathBuf>,
) -> Result<u8, WrapperError> {
    let relay_image = std::env::var_os(RELAY_ENV).map(PathBuf::from);
    let started = start_inline(
        settings,
        &prepared.created.id,
        InlineOptions {
            preserved_fds: fds.preserved_fds,
            // Between build and start, as `create` does for a monitor's container.
            before_start: Box::new(|pid| {
                attach_network(
                    settings,
                    &prepared.created.id,
                    &prepared.created.name,
                    &prepared.request,
                    &prepared.created.network,
                    pid.as_raw(),
                )
            }),
            relay: true,
            holder_image: relay_image.as_deref(),
        },
    )?;
    fds.release(keep);
    // fd 0 (docker-socket or on-demand socket) is the container's now.
    if let Ok(null) = std::fs::File::open("/dev/null") {
        let _ = nix::unistd::dup2(null.as_raw_fd(), 0);
    }
    block_and_forward_caught(started.pid);
    let Some(output) = started.relay else {
        return Err(WrapperError::Source(
            "the container has no output pipes".into(),
        ));
    };
    let (stdout, stderr) = match output.output {
        Output::Pipes { stdout, stderr } => (stdout, stderr),
        Output::Terminal { master } => (master.try_clone().map_err(WrapperError::Fds)?, master),
    };
    let watch = files.watch().ok().map(|w| w.into_fd());
    let mut relay = VassalRelay {
        stdout,
        stderr,
        log: output.log,
        attach: output.attach,
        clients: output.clients,
        watch,
        files: files.pairs(),
    };
    if let Some(image) = &relay_image {
        // After a successful exec no destructor runs: the holder lives on,
        // and the relay image removes the files.
        let mut remove = vec![files.dir.clone()];
        remove.extend(socket_file);
        let handoff = relay.hand_off(
            started.pid,
            started.holder.pid(),
            remove,
            finish_command(settings, &prepared.created.id),
        );
        relay = exec_relay_image(image, handoff);
    }
    let code = relay.run(started.pid);
    drop(relay);
    let code = end_inline(settings, &prepared.created.id, started.holder, code)?;
    drop(files);
    Ok(code)
}

/// `vassalrun --root R --run-dir D --config-dir C monitor ID`: what the
/// relay image execs (with `--finish CODE`) to record the exit and remove
/// the container, with this process's settings.
fn finish_command(settings: &Settings, id: &str) -> Vec<String> {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "vassalrun".into());
    vec![
        exe,
        "--root".into(),
        settings.root.display().to_string(),
        "--run-dir".into(),
        settings.run_dir.display().to_string(),
        "--config-dir".into(),
        settings.config_dir.display().to_string(),
        "monitor".into(),
        id.to_string(),
    ]
}

/// The request: the wrapper's own flags (name, entrypoint, `--rm`, the
/// vassal's copied files bound read-only at [`CONTAINER_DIR`], the working
/// directory), then the attributes' flags, then the Emperor's `UWSGI_*`
/// variables. `args` are the vassal's arguments rewritten to the copies.
fn container_request(
    invocation: &Invocation,
    plan: &Plan,
    args: &[String],
    files_dir: &Path,
    settings: Option<&Settings>,
) -> Result<crate::spec::CreateRequest, WrapperError> {
    let mut extra = vec![
        format!("--name={}", invocation.container_name()),
        format!("--entrypoint={}", plan.uwsgi),
        // Removed when the vassal ends; `gc` removes it too when the wrapper
        // was killed (a dead `--rm` container is removed, not kept).
        "--rm".to_string(),
        format!("--volume={}:{CONTAINER_DIR}:ro", files_dir.display()),
    ];
    // `vassalrun stop` must shut a uWSGI master down, not reload it (SIGTERM).
    if !plan.flags.iter().any(|f| f.starts_with("--stop-signal=")) {
        extra.push("--stop-signal=SIGINT".to_string());
    }
    // Without docker-workdir: the image's WorkingDir, or `/` (Docker's
    // default, so the old plugin's); the vassal's arguments are absolute.
    let env = |key: &str| std::env::var(key).ok();
    let mut request = request(plan, &extra, args, &env, settings)?;
    // What the Emperor set (UWSGI_EMPEROR_FD, ...) and passes on (UWSGI_*
    // options), for the vassal; nothing of our own.
    for (key, value) in std::env::vars() {
        if key.starts_with("UWSGI_") {
            request.config.env.push(format!("{key}={value}"));
        }
    }
    Ok(request)
}

/// `VASSALRUN_DEBUG=1`: the generated OCI spec, line by line.
fn log_spec(vassal: &str, settings: &Settings, id: &str) {
    let dir = Layout::new(settings).container_dir(id);
    let spec = std::fs::read_to_string(ContainerFiles(&dir).spec()).unwrap_or_default();
    let pretty = serde_json::from_str::<serde_json::Value>(&spec)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or(spec);
    for line in pretty.lines() {
        eprintln!("[vassalrun] {vassal}: spec: {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation(args: &[&str]) -> Invocation {
        let argv: Vec<OsString> = std::iter::once("vassalrun")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        Invocation::parse(&argv, |k| (k == "UWSGI_EMPEROR_FD").then(|| "7".into())).unwrap()
    }

    fn plan_of(list: &[(&str, &str)]) -> Plan {
        let entries: Vec<(String, String)> = list
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        plan(&entries).unwrap()
    }

    #[test]
    fn test_container_request_binds_only_the_copies_and_rewrites_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let vassals = std::fs::canonicalize(dir.path()).unwrap().join("vassals");
        let templates = vassals.parent().unwrap().join("templates");
        std::fs::create_dir_all(&vassals).unwrap();
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(vassals.join("app.ini"), "[uwsgi]\n").unwrap();
        std::fs::write(vassals.join("other.ini"), "secret\n").unwrap();
        std::fs::write(templates.join("base.ini"), "[uwsgi]\n").unwrap();
        let template = templates.join("base.ini").display().to_string();
        let inv = invocation(&["--ini", "app.ini:zerg", "--inherit", &template]);
        let run = dir.path().join("run/vassals");
        let (files, args) = VassalFiles::prepare(&inv, &vassals, &run).unwrap();
        assert_eq!(
            args,
            vec![
                "--ini",
                "/vassal/app.ini:zerg",
                "--inherit",
                "/vassal/template-0-base.ini"
            ]
        );
        let mut copied: Vec<String> = std::fs::read_dir(&files.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        copied.sort();
        assert_eq!(copied, vec!["app.ini", "template-0-base.ini"]);
        let request = container_request(
            &inv,
            &plan_of(&[("docker-image", "app")]),
            &args,
            &files.dir,
            None,
        )
        .unwrap();
        assert_eq!(
            request.host.binds,
            vec![format!("{}:/vassal:ro", files.dir.display())]
        );
        assert!(request.host.auto_remove);
        assert_eq!(request.config.working_dir, "");
        assert_eq!(
            request.config.entrypoint,
            Some(vec![super::super::attributes::DEFAULT_UWSGI.to_string()])
        );
        assert_eq!(request.config.cmd, Some(args.clone()));
        assert_eq!(request.config.stop_signal, "SIGINT");
        let copy = files.dir.clone();
        drop(files);
        assert!(!copy.exists());
    }

    #[test]
    fn test_container_request_keeps_the_vassals_workdir_and_stop_signal() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(cwd.join("app.ini"), "[uwsgi]\n").unwrap();
        let inv = invocation(&["--ini", "app.ini"]);
        let plan = plan_of(&[
            ("docker-image", "app"),
            ("docker-workdir", "/srv"),
            ("docker-stop-signal", "SIGQUIT"),
            ("docker-uwsgi", "/opt/uwsgi"),
        ]);
        let (files, args) = VassalFiles::prepare(&inv, &cwd, &cwd.join("copies")).unwrap();
        let request = container_request(&inv, &plan, &args, &files.dir, None).unwrap();
        assert_eq!(request.config.working_dir, "/srv");
        assert_eq!(request.config.stop_signal, "SIGQUIT");
        assert_eq!(
            request.config.entrypoint,
            Some(vec!["/opt/uwsgi".to_string()])
        );
        assert_eq!(
            request.config.cmd,
            Some(vec!["--ini".into(), "/vassal/app.ini".into()])
        );
    }
}
