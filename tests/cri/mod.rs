//! A private containerd with its CRI plugin, vassalrun as the runtime handler
//! `vassalrun`, for tests that speak the kubelet's CRI to it.
//!
//! Everything is the test's own: containerd's root, state, sockets and config
//! in a temp dir, the runc shim's `Root` (vassalrun's `--root`), the pods'
//! cgroup parent, CNI config and IPAM data. containerd runs in the test's own
//! network namespace (entered with `nsenter --net`, nothing else), so the
//! CNI bridge and the pods' veths never touch the host's network. The sandbox
//! image is built from the busybox fixture and imported with `ctr`. [`Cri`]'s
//! Drop kills and removes whatever a failed test left: containerd, shims,
//! vassalrun containers, mounts and cgroups.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use k8s_cri::v1::image_service_client::ImageServiceClient;
use k8s_cri::v1::runtime_service_client::RuntimeServiceClient;
use serde_json::json;
use tonic::transport::{Channel, Endpoint, Uri};

use crate::common::{busybox_tarball, can_run_containers, describe};
use crate::oci::{self, OciEnv};
use crate::oci_image::{config_json, host_arch, oci_layout, tar_dir, Layer};

/// The image every pod and container of the lane runs: busybox whose
/// default command (the "pause" process) is a long `sleep`.
pub const IMAGE: &str = "vassalrun.test/pause:1";

/// The CRI runtime handler name the lane configures.
pub const HANDLER: &str = "vassalrun";

pub struct Cri {
    pub t: OciEnv,
    daemon: Option<Child>,
}

impl Cri {
    /// Starts the daemon and imports [`IMAGE`]; `None` (and why) when this
    /// host cannot (not root, containerd or ctr missing, no CNI plugins).
    pub fn start() -> Option<Cri> {
        if !can_run_containers() {
            return None;
        }
        for tool in ["containerd", "ctr", "containerd-shim-runc-v2", "nsenter"] {
            if !oci::command_exists(tool) {
                eprintln!(
                    "skipped: {tool} is not installed (Debian packages containerd, util-linux)"
                );
                return None;
            }
        }
        if !Path::new(CNI_BIN_DIR).join("bridge").exists() {
            eprintln!(
                "skipped: {CNI_BIN_DIR}/bridge is missing (Debian containernetworking-plugins)"
            );
            return None;
        }
        if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
            // The lane reads cgroup v1 files; the v2 lane (scripts/test-vm.sh)
            // does not list it.
            eprintln!("skipped: the CRI lane checks cgroup v1 files; this host is cgroup v2 only");
            return None;
        }
        assert_cgroup_hierarchies_mounted();
        let t = OciEnv::new();
        let Some(netns) = t.env.netns.clone() else {
            eprintln!("skipped: no network namespace for containerd");
            return None;
        };
        let mut cri = Cri { t, daemon: None };
        cri.write_config();
        let log = std::fs::File::create(cri.dir().join("containerd.log")).unwrap();
        cri.daemon = Some(
            Command::new("nsenter")
                .arg(format!("--net=/run/netns/{netns}"))
                .arg("containerd")
                .arg("--config")
                .arg(cri.dir().join("containerd.toml"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        cri.wait_up();
        cri.import_image();
        Some(cri)
    }

    pub fn dir(&self) -> &Path {
        self.t.dir()
    }

    pub fn socket(&self) -> PathBuf {
        self.dir().join("ctd.sock")
    }

    /// vassalrun's `--root` for the pods: the shim's `Root` plus containerd's
    /// namespace, `k8s.io`.
    pub fn runtime_root(&self) -> PathBuf {
        self.dir().join("runtime-root/k8s.io")
    }

    /// The pods' cgroup parent (absolute, as the kubelet passes it).
    pub fn cgroup_parent(&self) -> String {
        format!("/{}", self.t.env.cgroup_parent)
    }

    fn write_config(&self) {
        let dir = self.dir();
        let cni_conf = dir.join("cni-conf");
        std::fs::create_dir_all(&cni_conf).unwrap();
        // A bridge in containerd's (the test's) network namespace, leases
        // under the test dir; no masquerading, so no firewall rules.
        let conflist = json!({
            "cniVersion": "0.4.0",
            "name": "vassalrun-cri-test",
            "plugins": [{
                "type": "bridge",
                "bridge": "vrcri0",
                "isGateway": false,
                "ipMasq": false,
                "ipam": {
                    "type": "host-local",
                    "dataDir": dir.join("cni-ipam"),
                    "ranges": [[{"subnet": "10.233.77.0/24"}]],
                },
            }],
        });
        std::fs::write(
            cni_conf.join("10-vassalrun-test.conflist"),
            serde_json::to_vec_pretty(&conflist).unwrap(),
        )
        .unwrap();
        let config = format!(
            r#"version = 2
root = "{d}/ctd-root"
state = "{d}/ctd-state"
# Only what the CRI path needs: no other snapshotters, no /opt/containerd,
# no tracing (the v1 runtime stays: 1.6's tasks service requires it).
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.internal.v1.opt",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]
[grpc]
  address = "{d}/ctd.sock"
[ttrpc]
  address = "{d}/ctd.sock.ttrpc"
[debug]
  address = "{d}/ctd-debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{image}"
  disable_apparmor = true
  # The sandbox asks for oom_score_adj -998; lowering it needs
  # CAP_SYS_RESOURCE, which root lacks on some CI hosts (runc fails there
  # too). This clamps it to containerd's own score instead.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "{handler}"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{handler}]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{handler}.options]
        BinaryName = "{binary}"
        Root = "{d}/runtime-root"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{cni_bin}"
    conf_dir = "{d}/cni-conf"
"#,
            d = dir.display(),
            image = IMAGE,
            handler = HANDLER,
            binary = env!("CARGO_BIN_EXE_vassalrun"),
            cni_bin = CNI_BIN_DIR,
        );
        std::fs::write(dir.join("containerd.toml"), config).unwrap();
    }

    fn wait_up(&self) {
        for _ in 0..150 {
            if self.ctr(&["version"]).status.success() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("containerd did not come up: {}", self.daemon_log());
    }

    pub fn daemon_log(&self) -> String {
        std::fs::read_to_string(self.dir().join("containerd.log")).unwrap_or_default()
    }

    /// `ctr --address <socket> -n k8s.io ARGS`.
    pub fn ctr(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("ctr");
        self.t.isolate(&mut cmd);
        cmd.arg("--address")
            .arg(self.socket())
            .args(["-n", "k8s.io"])
            .args(args);
        oci::output_via_files(cmd, self.dir())
    }

    /// An OCI archive of the busybox fixture whose command is a long sleep
    /// (the pods' "pause" process), imported into the CRI's namespace.
    fn import_image(&self) {
        let layers = [Layer {
            tar: std::fs::read(busybox_tarball()).unwrap(),
            gzip: true,
        }];
        let config = config_json(
            &layers,
            host_arch(),
            json!({"Cmd": ["sleep", "2147483647"], "Env": ["PATH=/bin:/sbin:/usr/bin"]}),
        );
        let layout = oci_layout(
            &self.dir().join("pause-layout"),
            &layers,
            &config,
            Some(IMAGE),
        );
        let archive = tar_dir(&layout, &self.dir().join("pause.tar"));
        let out = self.ctr(&["images", "import", archive.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "ctr images import: {}",
            describe(&out)
        );
        let out = self.ctr(&["images", "ls", "-q"]);
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l == IMAGE),
            "{IMAGE} not imported: {}",
            describe(&out)
        );
    }

    /// A gRPC channel over containerd's unix socket.
    pub async fn channel(&self) -> Channel {
        let socket = self.socket();
        // The URI is required by tonic but unused: the connector dials the socket.
        Endpoint::try_from("http://[::]:50051")
            .unwrap()
            .connect_with_connector(tower::service_fn(move |_: Uri| {
                let socket = socket.clone();
                async move {
                    let stream = tokio::net::UnixStream::connect(socket).await?;
                    Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
                }
            }))
            .await
            .expect("connect to containerd's CRI")
    }

    pub async fn runtime(&self) -> RuntimeServiceClient<Channel> {
        RuntimeServiceClient::new(self.channel().await)
    }

    pub async fn images(&self) -> ImageServiceClient<Channel> {
        ImageServiceClient::new(self.channel().await)
    }

    /// `vassalrun oci --root <runtime root> ARGS`: the runtime's own view.
    pub fn vassalrun(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vassalrun"));
        self.t.isolate(&mut cmd);
        cmd.arg("oci")
            .arg("--root")
            .arg(self.runtime_root())
            .args(args);
        oci::output_via_files(cmd, self.dir())
    }

    /// The container ids in vassalrun's state root.
    pub fn runtime_ids(&self) -> Vec<String> {
        list_dirs(&self.runtime_root())
            .into_iter()
            .filter(|n| !n.starts_with('.'))
            .collect()
    }

    /// Pids of shims serving this test's containerd.
    pub fn shim_pids(&self) -> Vec<i32> {
        self.shims().into_iter().map(|(pid, _)| pid).collect()
    }

    /// `(pid, -id)` of every shim serving this test's containerd (its
    /// `-address` is our socket).
    fn shims(&self) -> Vec<(i32, String)> {
        let address = self.socket().display().to_string();
        let mut shims = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let flag = |name: &str| {
                let at = args.iter().position(|a| a == name)?;
                args.get(at + 1).cloned()
            };
            let is_shim = args.first().is_some_and(|a| a.contains("containerd-shim"));
            if is_shim && flag("-address").as_deref() == Some(address.as_str()) {
                shims.push((pid, flag("-id").unwrap_or_default()));
            }
        }
        shims
    }

    /// The socket a shim for `id` listens on: containerd 1.6 puts it at
    /// `/run/containerd/s/<sha256 of "<address>/<namespace>/<id>">`, outside
    /// our directory, and a killed shim leaves it behind.
    pub fn shim_socket(&self, id: &str) -> PathBuf {
        use sha2::{Digest, Sha256};
        let key = format!("{}/k8s.io/{id}", self.socket().display());
        Path::new("/run/containerd/s").join(format!("{:x}", Sha256::digest(key.as_bytes())))
    }

    /// Every cgroup directory below the pods' parent, in every hierarchy.
    pub fn cgroups_below_parent(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for top in self.t.env.cgroup_parent_dirs() {
            collect_dirs(&top, &mut found);
        }
        found
    }

    /// Mounts whose mount point or source mentions `needle`.
    pub fn mounts_mentioning(&self, needle: &str) -> Vec<String> {
        std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_string)
            .collect()
    }
}

const CNI_BIN_DIR: &str = "/usr/lib/cni";

/// Fails with a clear message when a cgroup v1 hierarchy this process is in
/// is mounted nowhere here (a test elsewhere mounted one, made a cgroup in it
/// and unmounted it): containerd's shim then cannot load any container's
/// cgroups ("cannot find cgroup mount destination"), so ContainerStats
/// returns nothing and OOM kills go unreported.
fn assert_cgroup_hierarchies_mounted() {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mounted: Vec<Vec<String>> = mountinfo
        .lines()
        .filter_map(|l| l.split_once(" - "))
        .filter(|(_, right)| right.starts_with("cgroup "))
        .map(|(_, right)| {
            let options = right.split_whitespace().nth(2).unwrap_or("");
            options.split(',').map(str::to_string).collect()
        })
        .collect();
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    for line in own.lines() {
        let controllers = line.split(':').nth(1).unwrap_or("");
        if controllers.is_empty() {
            continue; // cgroup v2
        }
        let found = mounted.iter().any(|options| {
            controllers
                .split(',')
                .all(|c| options.iter().any(|o| o == c))
        });
        assert!(
            found,
            "the cgroup v1 hierarchy {controllers:?} exists but is mounted nowhere (left by \
             another program?); containerd's shim cannot load container cgroups on such a \
             host. Mount it, remove its empty cgroups and unmount it."
        );
    }
}

fn list_dirs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn collect_dirs(dir: &Path, found: &mut Vec<PathBuf>) {
    for name in list_dirs(dir) {
        let child = dir.join(name);
        collect_dirs(&child, found);
        found.push(child);
    }
}

impl Drop for Cri {
    /// Stops containerd, kills its shims, force-deletes vassalrun's
    /// containers, unmounts what is left under the test dir and removes the
    /// pods' cgroups (deepest first) so the TestEnv can remove the parent.
    fn drop(&mut self) {
        if let Some(mut daemon) = self.daemon.take() {
            let pid = nix::unistd::Pid::from_raw(daemon.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let _ = daemon.wait();
        }
        for id in self.runtime_ids() {
            let _ = self.vassalrun(&["delete", "--force", &id]);
        }
        for (pid, id) in self.shims() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            let _ = std::fs::remove_file(self.shim_socket(&id));
        }
        std::thread::sleep(Duration::from_millis(100));
        oci::reap_exited_children("containerd-shim");
        oci::unmount_under(self.dir());
        for dir in self.cgroups_below_parent() {
            let _ = std::fs::remove_dir(dir);
        }
        for dir in ["/run/containerd/s", "/run/containerd"] {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
