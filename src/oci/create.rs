//! `create` (the container waits in status "created" for `start`) and `run`
//! (create, start, and unless `--detach` wait for it, then delete it).
//!
//! The container is built by libcontainer from this process, which is
//! single-threaded (no thread exists before this point) and runs from the
//! protected binary ([`super::protect`]). The init is this process's child
//! until we exit; it is then reparented to the nearest subreaper (conmon, the
//! containerd shim) as with runc.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use libcontainer::config::YoukiConfig;
use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::Container;
use libcontainer::syscall::syscall::SyscallType;
use oci_spec::runtime::Spec;

use super::delete::cleanup_failed_create;
use super::late_seccomp::LateSeccomp;
use super::lock::IdLock;
use super::shown_spec::OriginalMountNs;
use super::state::validate_id;
use super::{OciContext, OciError};

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// The bundle directory (holding config.json)
    #[arg(short = 'b', long, value_name = "DIR", default_value = ".")]
    pub bundle: PathBuf,
    /// A unix socket to receive the pseudoterminal's master (process.terminal)
    #[arg(long = "console-socket", value_name = "PATH")]
    pub console_socket: Option<PathBuf>,
    /// Write the container init's pid to this file
    #[arg(long = "pid-file", value_name = "FILE")]
    pub pid_file: Option<PathBuf>,
    /// Use MS_MOVE + chroot instead of pivot_root (e.g. on a ramdisk)
    #[arg(long = "no-pivot")]
    pub no_pivot: bool,
    /// Accepted for runc compatibility: vassalrun never creates a session keyring
    #[arg(long = "no-new-keyring")]
    pub no_new_keyring: bool,
    /// Pass N more descriptors (3 .. 3+N-1) to the container process
    #[arg(long = "preserve-fds", value_name = "N", default_value_t = 0)]
    pub preserve_fds: u16,
    /// The container id
    pub id: String,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub create: CreateArgs,
    /// Return once started, instead of waiting for the container
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Keep the stopped container (do not delete it after a foreground run)
    #[arg(long)]
    pub keep: bool,
}

/// `create`: leaves the container in status "created".
pub fn run_create(ctx: &OciContext, args: &CreateArgs) -> Result<u8, OciError> {
    create(ctx, args, true)?;
    Ok(0)
}

/// `run`: create + start; in the foreground, waits and exits with its code.
pub fn run_run(ctx: &OciContext, args: &RunArgs) -> Result<u8, OciError> {
    let id = &args.create.id;
    let mut container = create(ctx, &args.create, args.detach)?;
    {
        let _lock = IdLock::acquire(ctx, id)?;
        if let Err(e) = super::start::start(&mut container) {
            let _ = container.delete(true);
            return Err(e);
        }
    }
    if args.detach {
        return Ok(0);
    }
    let pid = container
        .pid()
        .ok_or_else(|| OciError::NotFound(id.to_string()))?;
    let code = super::foreground::wait_forwarding(pid);
    if !args.keep {
        super::delete::delete(ctx, id, true)?;
    }
    Ok(code)
}

/// Validates, takes the id's lock, and builds the container; a failed build
/// leaves nothing behind.
fn create(ctx: &OciContext, args: &CreateArgs, detach: bool) -> Result<Container, OciError> {
    validate_id(&args.id)?;
    if ctx.systemd_cgroup {
        return Err(OciError::Unsupported("--systemd-cgroup"));
    }
    let bundle = std::fs::canonicalize(&args.bundle).map_err(OciError::io(&args.bundle))?;
    let spec = load_spec(&bundle)?;
    super::hooks::check_hooks(&spec)?;
    super::preflight::check(&bundle, &spec, detach, args.console_socket.is_some())?;
    super::protect::ensure_protected(&ctx.protected_dir())?;
    // Private, as runc's: the state names bundles, pids and cgroups.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&ctx.root)
        .map_err(OciError::io(&ctx.root))?;
    let lock = IdLock::acquire(ctx, &args.id)?;
    if ctx.container_dir(&args.id).exists() {
        return Err(OciError::Exists(args.id.clone()));
    }
    // Held until the cgroup exists, so no `delete` takes its parent meanwhile.
    let cgroup = spec.linux().as_ref().and_then(|l| l.cgroups_path().clone());
    let _parent = cgroup
        .map(|c| crate::runtime::cgroup_parent::before_create(&ctx.root, &c.to_string_lossy()));
    let (late_seccomp, runtime_ns) = show_changed_spec(ctx, args, &bundle, &spec)?;
    let built = build(ctx, args, &bundle, detach, late_seccomp)
        .and_then(|container| rejoin(runtime_ns, &args.id).map(|()| container));
    let _ = std::fs::remove_file(shown_spec_scratch(ctx, &args.id));
    built
        .and_then(|container| apply_cgroup_fixups(&spec, &container).map(|()| container))
        .and_then(|container| confine_cgroups(&spec, &container, &args.id).map(|()| container))
        .and_then(|container| super::init_pid::record(&container).map(|()| container))
        .inspect_err(|_| cleanup_failed_create(ctx, &args.id, &lock))
}

/// Shows libcontainer a changed spec where vassalrun makes up for it (see
/// [`super::shown_spec`]): the late seccomp filter, and the create-time hooks
/// through the state shim. Returns the late-seccomp executor, if any, and
/// the runtime's mount namespace to go back to once the container is built.
fn show_changed_spec(
    ctx: &OciContext,
    args: &CreateArgs,
    bundle: &Path,
    spec: &Spec,
) -> Result<(Option<LateSeccomp>, Option<OriginalMountNs>), OciError> {
    let late = super::late_seccomp::plan(spec);
    let cgroup_mounts = joined_pid_cgroup_mounts(spec);
    if late.is_none() && !super::hook_state::wanted(spec) && cgroup_mounts.is_none() {
        return Ok((None, None));
    }
    let (mut changed, executor) = match late {
        Some(plan) => (plan.spec, Some(plan.executor)),
        None => (spec.clone(), None),
    };
    if let Some(mounts) = cgroup_mounts {
        changed.set_mounts(Some(mounts));
    }
    // Open (and inherited by the hooks libcontainer runs) until `rejoin`.
    let runtime_ns = OriginalMountNs::open(&args.id, 3 + i32::from(args.preserve_fds))?;
    let exe = std::env::current_exe().map_err(OciError::io("/proc/self/exe"))?;
    let changed = super::hook_state::wrap(changed, &exe, runtime_ns.raw());
    let scratch = shown_spec_scratch(ctx, &args.id);
    // The file stays until the container is built (`create` removes it): a
    // spec mount binding the bundle's config.json in needs a source that is
    // not deleted, the kernel refuses to bind a deleted file.
    super::shown_spec::present(&args.id, bundle, &changed, &scratch)
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&scratch);
        })
        .map(|()| (executor, Some(runtime_ns)))
}

/// Where the changed spec is written before it is bound over the bundle's.
fn shown_spec_scratch(ctx: &OciContext, id: &str) -> PathBuf {
    ctx.root.join(format!(".shown-spec-{id}.json"))
}

/// Back in the runtime's mount namespace once the container is built (`run`
/// then starts, waits and deletes there, and runs poststart/poststop hooks
/// there); closes the descriptor.
fn rejoin(runtime_ns: Option<OriginalMountNs>, id: &str) -> Result<(), OciError> {
    let Some(ns) = runtime_ns else {
        return Ok(());
    };
    ns.rejoin().map_err(|e| OciError::Runtime {
        id: id.to_string(),
        step: "rejoin the runtime's mount namespace",
        reason: e.to_string(),
    })
}

/// The spec's mounts with the cgroup v1 mounts of a container joining
/// another's PID namespace written out ([`crate::runtime::joined_pid_cgroup`]),
/// when that is the case.
fn joined_pid_cgroup_mounts(spec: &Spec) -> Option<Vec<oci_spec::runtime::Mount>> {
    // Only then is mountinfo worth reading.
    let joins_pid = spec
        .linux()
        .as_ref()?
        .namespaces()
        .as_ref()?
        .iter()
        .any(|n| n.typ() == oci_spec::runtime::LinuxNamespaceType::Pid && n.path().is_some());
    if !joins_pid {
        return None;
    }
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let hierarchies = crate::runtime::joined_pid_cgroup::hierarchies(&mountinfo);
    crate::runtime::joined_pid_cgroup::mounts_for(spec, &hierarchies)
}

/// The cgroup filesystem as the bundle's mount options say, as runc makes it
/// (see [`crate::runtime::cgroup_mounts`]); on failure `create` removes the
/// container.
fn confine_cgroups(spec: &Spec, container: &Container, id: &str) -> Result<(), OciError> {
    let Some(plan) = crate::runtime::cgroup_mounts::CgroupPlan::of(spec) else {
        return Ok(());
    };
    let pid = container
        .pid()
        .ok_or_else(|| OciError::NotFound(id.to_string()))?;
    crate::runtime::cgroup_mounts::confine(pid, &plan).map_err(|reason| OciError::Runtime {
        id: id.to_string(),
        step: "create",
        reason,
    })
}

/// Writes the resource values libcgroups leaves out (see
/// [`crate::runtime::cgroup_fixups`]) into the built container's cgroup.
fn apply_cgroup_fixups(spec: &Spec, container: &Container) -> Result<(), OciError> {
    let Some(resources) = spec.linux().as_ref().and_then(|l| l.resources().as_ref()) else {
        return Ok(());
    };
    let fixups = crate::runtime::cgroup_fixups::needed(resources);
    if fixups.is_empty() {
        return Ok(());
    }
    let config = YoukiConfig::load(&container.root)
        .map_err(|e| OciError::runtime(container.id(), "read cgroup path", &e))?;
    crate::runtime::cgroup_fixups::apply(&config.cgroup_path, &fixups)
        .map_err(|(path, reason)| OciError::Io { path, reason })
}

/// Parses `config.json` ourselves first, for an error naming the file and field.
fn load_spec(bundle: &Path) -> Result<Spec, OciError> {
    let path = bundle.join("config.json");
    Spec::load(&path).map_err(|e| OciError::Spec {
        path,
        reason: super::error::error_chain(&e),
    })
}

fn build(
    ctx: &OciContext,
    args: &CreateArgs,
    bundle: &Path,
    detach: bool,
    late_seccomp: Option<LateSeccomp>,
) -> Result<Container, OciError> {
    let fail =
        |e: libcontainer::error::LibcontainerError| OciError::runtime(&args.id, "create", &e);
    let builder = ContainerBuilder::new(args.id.clone(), SyscallType::Linux);
    let builder = match late_seccomp {
        Some(executor) => builder.with_executor(executor),
        None => builder,
    };
    builder
        .with_root_path(&ctx.root)
        .map_err(fail)?
        .with_pid_file(args.pid_file.as_ref())
        .map_err(fail)?
        .with_console_socket(args.console_socket.as_ref())
        .with_preserved_fds(i32::from(args.preserve_fds))
        .validate_id()
        .map_err(fail)?
        .as_init(bundle)
        .with_systemd(false)
        .with_detach(detach)
        .with_no_pivot(args.no_pivot)
        .as_sibling(false)
        .build()
        .map_err(fail)
}
