//! `docker version`, `docker --version` and `docker info` answers. The version
//! claimed is the Docker release whose CLI grammar the entry follows, so
//! orchestrators' minimum-version checks (Mesos wants >= 1.8, and 1.12 for
//! `--dns` with host networking) pass; the build names vassalrun.

use serde_json::{json, Value};

use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::status::{status, Status};
use crate::runtime::store::Store;

/// The Docker release (and its Engine API) the entry answers as.
pub const DOCKER_VERSION: &str = "24.0.0";
pub const API_VERSION: &str = "1.43";
pub const MIN_API_VERSION: &str = "1.12";

fn build() -> String {
    format!("vassalrun-{}", env!("CARGO_PKG_VERSION"))
}

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn kernel() -> String {
    nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `docker --version`: `Docker version 24.0.0, build vassalrun-0.1.0`
/// (Mesos takes the last word before the first comma).
pub fn short() -> String {
    format!("Docker version {DOCKER_VERSION}, build {}", build())
}

/// `docker version`'s data, as `--format` sees it.
pub fn version() -> Value {
    let side = |extra: Value| {
        let mut v = json!({
            "Version": DOCKER_VERSION,
            "ApiVersion": API_VERSION,
            "GitCommit": build(),
            "GoVersion": "none (vassalrun is written in Rust)",
            "Os": "linux",
            "Arch": arch(),
        });
        if let (Value::Object(map), Value::Object(more)) = (&mut v, extra) {
            map.extend(more);
        }
        v
    };
    json!({
        "Client": side(json!({"Platform": {"Name": "vassalrun docker entry"}})),
        "Server": side(json!({
            "Platform": {"Name": "vassalrun (daemonless)"},
            "MinAPIVersion": MIN_API_VERSION,
            "KernelVersion": kernel(),
            "Components": [{"Name": "vassalrun", "Version": env!("CARGO_PKG_VERSION")}],
        })),
    })
}

/// `docker version`'s text.
pub fn version_text(v: &Value) -> String {
    let s = |side: &str, key: &str| v[side][key].as_str().unwrap_or_default().to_string();
    format!(
        "Client:\n Version:           {}\n API version:       {}\n Git commit:        {}\n OS/Arch:           {}/{}\n\n\
         Server: vassalrun (daemonless)\n Engine:\n  Version:          {}\n  API version:      {} (minimum version {})\n  Git commit:       {}\n  OS/Arch:          {}/{}\n  Kernel version:   {}\n",
        s("Client", "Version"), s("Client", "ApiVersion"), s("Client", "GitCommit"),
        s("Client", "Os"), s("Client", "Arch"),
        s("Server", "Version"), s("Server", "ApiVersion"), s("Server", "MinAPIVersion"),
        s("Server", "GitCommit"), s("Server", "Os"), s("Server", "Arch"), s("Server", "KernelVersion"),
    )
}

/// `docker info`'s data, as `--format` sees it.
pub fn info(settings: &Settings) -> Value {
    let layout = Layout::new(settings);
    let ids = Store::new(layout.clone()).ids().unwrap_or_default();
    let states: Vec<Status> = ids.iter().map(|id| status(&layout, id)).collect();
    let count = |f: fn(&Status) -> bool| states.iter().filter(|s| f(s)).count();
    let images = crate::runtime::images::ImageStore::of(settings)
        .list()
        .map(|rows| rows.len())
        .unwrap_or(0);
    let cgroup_version = if std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        "2"
    } else {
        "1"
    };
    json!({
        "Containers": states.len(),
        "ContainersRunning": count(|s| matches!(s, Status::Running { .. })),
        "ContainersPaused": 0,
        "ContainersStopped": count(|s| !matches!(s, Status::Running { .. })),
        "Images": images,
        "Driver": "overlay",
        "LoggingDriver": "json-file",
        "CgroupDriver": "cgroupfs",
        "CgroupVersion": cgroup_version,
        "KernelVersion": kernel(),
        "OperatingSystem": "linux",
        "OSType": "linux",
        "Architecture": std::env::consts::ARCH,
        "NCPU": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "DockerRootDir": settings.root,
        "ServerVersion": DOCKER_VERSION,
        "Name": nix::unistd::gethostname().map(|h| h.to_string_lossy().into_owned()).unwrap_or_default(),
    })
}

/// `docker info`'s text.
pub fn info_text(v: &Value) -> String {
    let mut out = String::from("Client:\n Context:    default\n\nServer:\n");
    for (label, key) in [
        ("Containers", "Containers"),
        (" Running", "ContainersRunning"),
        (" Paused", "ContainersPaused"),
        (" Stopped", "ContainersStopped"),
        ("Images", "Images"),
        ("Server Version", "ServerVersion"),
        ("Storage Driver", "Driver"),
        ("Logging Driver", "LoggingDriver"),
        ("Cgroup Driver", "CgroupDriver"),
        ("Cgroup Version", "CgroupVersion"),
        ("Kernel Version", "KernelVersion"),
        ("OSType", "OSType"),
        ("Architecture", "Architecture"),
        ("CPUs", "NCPU"),
        ("Name", "Name"),
        ("Docker Root Dir", "DockerRootDir"),
    ] {
        let value = match &v[key] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push_str(&format!(" {label}: {value}\n"));
    }
    out
}
