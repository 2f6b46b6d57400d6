//! What only the runtime knows when a spec is built: where the rootfs is, the
//! container id, the image's defaults and user database, resolved namespaces,
//! generated network files, the init binary, and facts about the host.
//!
//! The builder takes all of it as data, so it does no I/O and is unit-testable.

use std::path::PathBuf;

use serde_json::Value;

use super::image::ImageConfig;
use super::user::UserDb;

/// Inputs of [`super::build_spec`] besides the container configuration.
#[derive(Debug, Clone)]
pub struct SpecContext {
    /// The container id (64 hex digits); its first 12 are the default hostname.
    pub id: String,
    /// Absolute path of the container's root filesystem (its overlay mount point).
    pub rootfs: PathBuf,
    /// Defaults from the image (`Cmd`, `Env`, ...), merged under the user's config.
    pub image: ImageConfig,
    /// The image's `/etc/passwd` and `/etc/group`.
    pub users: UserDb,
    /// The container joined by `--network container:NAME`, resolved by the runtime.
    pub donor: Option<Donor>,
    /// Per-container `/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`, bind-mounted.
    pub network_files: Option<NetworkFiles>,
    /// Host path of the init binary bound at `/dev/init` (needed with `--init`).
    pub init_binary: Option<PathBuf>,
    /// Cgroup parent used when the config names none (`vassalrun` by default).
    pub cgroup_parent: String,
    /// Contents of the `--security-opt seccomp=FILE` file, read by the caller.
    pub seccomp_profile: Option<SeccompFile>,
    pub host: HostFacts,
}

/// A container whose network namespace another joins.
#[derive(Debug, Clone)]
pub struct Donor {
    /// `/proc/<pid>/ns/net` of the donor's init.
    pub netns_path: PathBuf,
    pub hostname: String,
    pub domainname: String,
}

/// The generated network files on the host.
#[derive(Debug, Clone)]
pub struct NetworkFiles {
    pub hosts: PathBuf,
    pub hostname: PathBuf,
    pub resolv_conf: PathBuf,
}

/// A user seccomp profile file: its name (for messages) and contents.
#[derive(Debug, Clone)]
pub struct SeccompFile {
    pub path: String,
    pub contents: String,
}

/// Facts about the host the spec depends on, detected once by [`super::host::detect`].
#[derive(Debug, Clone)]
pub struct HostFacts {
    /// `std::env::consts::ARCH` form.
    pub arch: String,
    /// Running kernel (major, minor).
    pub kernel: (u32, u32),
    pub num_cpus: u32,
    /// Capabilities this host can grant: known to the kernel and in our bounding set.
    pub available_caps: Vec<String>,
    /// The unified cgroup v2 hierarchy is in use.
    pub cgroup_v2: bool,
    /// The kernel has cgroup namespaces (`/proc/self/ns/cgroup`): containers get
    /// a private one by default, on cgroup v1 as on v2.
    pub cgroup_namespaces: bool,
    /// `/proc/sys/net/ipv4/ping_group_range` exists.
    pub has_ping_group_range: bool,
    /// `/proc/sys/net/ipv4/ip_unprivileged_port_start` exists.
    pub has_unprivileged_port_start: bool,
    /// `/sys/devices/system/cpu/cpu<N>/thermal_throttle` paths that exist (masked).
    pub thermal_throttle_paths: Vec<String>,
    /// The host's hostname (a `--network host` container's default).
    pub hostname: String,
    /// AppArmor is enabled (libcontainer refuses profiles otherwise).
    pub apparmor: bool,
    /// The kernel supports seccomp filters.
    pub seccomp: bool,
    /// The kernel runs x32-ABI syscalls (x86_64 kernels with `CONFIG_X86_X32_ABI`
    /// and without `syscall.x32=n`); when it does not, a seccomp filter's x32
    /// section can never match and is left out.
    pub x32: bool,
    /// Host devices given to `--privileged` containers (`linux.devices` entries).
    pub devices: Vec<Value>,
}
