//! The CRI lane: a private containerd with its CRI plugin and vassalrun as
//! the runtime handler `vassalrun` (the runc shim with `BinaryName` = the
//! built binary), driven over gRPC in the order a kubelet uses: Version,
//! Status, RunPodSandbox, PodSandboxStatus, ImageStatus, CreateContainer,
//! StartContainer, ContainerStatus, ExecSync, Exec, Attach,
//! UpdateContainerResources, ContainerStats, StopContainer (grace period),
//! RemoveContainer, StopPodSandbox, RemovePodSandbox. Checked on the host:
//! the pods' shared network namespace, limits in the cgroups, the CRI log
//! format, a terminal, OOMKilled, and that nothing is left afterwards; and a
//! pod sharing its PID namespace. Skipped (and
//! saying so) without root, containerd or the CNI plugins.

mod common;
mod cri;
mod oci;
#[path = "common/oci_image.rs"]
mod oci_image;

use std::path::Path;
use std::time::{Duration, Instant};

use k8s_cri::v1 as api;
use k8s_cri::v1::runtime_service_client::RuntimeServiceClient;
use tonic::transport::Channel;

use common::describe;
use cri::{Cri, HANDLER, IMAGE};

type Runtime = RuntimeServiceClient<Channel>;

const MIB: i64 = 1024 * 1024;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn pod_config(cri: &Cri, logs: &Path) -> api::PodSandboxConfig {
    api::PodSandboxConfig {
        metadata: Some(api::PodSandboxMetadata {
            name: "vassals".into(),
            uid: "0f6c1a0e-vassalrun-cri".into(),
            namespace: "default".into(),
            attempt: 0,
        }),
        hostname: "vassals".into(),
        log_directory: logs.display().to_string(),
        linux: Some(api::LinuxPodSandboxConfig {
            cgroup_parent: format!("{}/pod-vassals", cri.cgroup_parent()),
            security_context: Some(api::LinuxSandboxSecurityContext {
                namespace_options: Some(kubelet_namespaces()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The namespaces the kubelet asks for in a pod without
/// `shareProcessNamespace` or host namespaces: network and IPC of the pod,
/// a PID namespace per container.
fn kubelet_namespaces() -> api::NamespaceOption {
    api::NamespaceOption {
        network: api::NamespaceMode::Pod as i32,
        pid: api::NamespaceMode::Container as i32,
        ipc: api::NamespaceMode::Pod as i32,
        ..Default::default()
    }
}

/// A container of the test image running `sh -c script`, in a PID
/// namespace of its own.
fn container(name: &str, script: &str, memory: i64) -> api::ContainerConfig {
    api::ContainerConfig {
        metadata: Some(api::ContainerMetadata {
            name: name.into(),
            attempt: 0,
        }),
        image: Some(api::ImageSpec {
            image: IMAGE.into(),
            ..Default::default()
        }),
        command: vec!["sh".into(), "-c".into()],
        args: vec![script.into()],
        log_path: format!("{name}.log"),
        linux: Some(api::LinuxContainerConfig {
            resources: Some(api::LinuxContainerResources {
                memory_limit_in_bytes: memory,
                ..Default::default()
            }),
            security_context: Some(api::LinuxContainerSecurityContext {
                namespace_options: Some(kubelet_namespaces()),
                ..Default::default()
            }),
        }),
        ..Default::default()
    }
}

/// RunPodSandbox with the `vassalrun` handler.
async fn run_pod(cri: &Cri, rt: &mut Runtime, pod: &api::PodSandboxConfig) -> String {
    rt.run_pod_sandbox(api::RunPodSandboxRequest {
        config: Some(pod.clone()),
        runtime_handler: HANDLER.into(),
    })
    .await
    .unwrap_or_else(|e| panic!("RunPodSandbox: {e}\n{}", cri.daemon_log()))
    .into_inner()
    .pod_sandbox_id
}

async fn create_and_start(
    rt: &mut Runtime,
    pod_id: &str,
    pod: &api::PodSandboxConfig,
    config: api::ContainerConfig,
) -> String {
    let id = rt
        .create_container(api::CreateContainerRequest {
            pod_sandbox_id: pod_id.into(),
            config: Some(config),
            sandbox_config: Some(pod.clone()),
        })
        .await
        .expect("CreateContainer")
        .into_inner()
        .container_id;
    rt.start_container(api::StartContainerRequest {
        container_id: id.clone(),
    })
    .await
    .expect("StartContainer");
    id
}

async fn status(rt: &mut Runtime, id: &str) -> api::ContainerStatus {
    rt.container_status(api::ContainerStatusRequest {
        container_id: id.into(),
        verbose: false,
    })
    .await
    .expect("ContainerStatus")
    .into_inner()
    .status
    .expect("a status")
}

async fn wait_exited(rt: &mut Runtime, id: &str) -> api::ContainerStatus {
    for _ in 0..300 {
        let s = status(rt, id).await;
        if s.state == api::ContainerState::ContainerExited as i32 {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} never exited: {:?}", status(rt, id).await);
}

async fn exec_sync(rt: &mut Runtime, id: &str, script: &str) -> api::ExecSyncResponse {
    rt.exec_sync(api::ExecSyncRequest {
        container_id: id.into(),
        cmd: vec!["sh".into(), "-c".into(), script.into()],
        timeout: 10,
    })
    .await
    .expect("ExecSync")
    .into_inner()
}

/// The container's init pid, from vassalrun's own `state`.
fn runtime_pid(cri: &Cri, id: &str) -> i64 {
    let out = cri.vassalrun(&["state", id]);
    assert!(out.status.success(), "{}", describe(&out));
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["status"], "running", "{state}");
    state["pid"].as_i64().unwrap()
}

/// Waits up to 5 s for `pid` to have exec'd `comm` (`start` returns once
/// the init was told to go, maybe before its execve).
async fn wait_comm(pid: i64, comm: &str) {
    let path = format!("/proc/{pid}/comm");
    for _ in 0..50 {
        if read_trimmed(Path::new(&path)) == comm {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{pid} runs {}, not {comm}", read_trimmed(Path::new(&path)));
}

fn netns_of(pid: i64) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/net"))
        .unwrap()
        .display()
        .to_string()
}

/// The directory of `pid`'s cgroup in the v1 hierarchy of `controller`.
fn cgroup_dir(pid: i64, controller: &str) -> std::path::PathBuf {
    let table = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    for line in table.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
        if controllers.split(',').any(|c| c == controller) {
            // `/sys/fs/cgroup/<controller>` is the mount or (where `cpu` and
            // `cpuacct` share one) a symlink to it.
            return Path::new("/sys/fs/cgroup")
                .join(controller)
                .join(&path[1..]);
        }
    }
    panic!("{pid} has no {controller} cgroup: {table}");
}

fn read_trimmed(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .to_string()
}

/// Asserts every line of a CRI log is `<RFC3339Nano> <stream> <P|F> <msg>`
/// and returns the full-line messages of stdout.
fn cri_log_stdout(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut messages = Vec::new();
    for line in text.lines() {
        let mut parts = line.splitn(4, ' ');
        let (time, stream, tag) = (parts.next(), parts.next(), parts.next());
        let time = time.unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(time).is_ok() && time.contains('.'),
            "not RFC3339Nano: {line:?}"
        );
        assert!(matches!(stream, Some("stdout" | "stderr")), "{line:?}");
        assert!(matches!(tag, Some("F" | "P")), "{line:?}");
        if stream == Some("stdout") {
            messages.push(parts.next().unwrap_or("").to_string());
        }
    }
    messages
}

async fn wait_log_line(path: &Path, wanted: &str) -> Vec<String> {
    for _ in 0..100 {
        if path.exists() {
            let lines = cri_log_stdout(path);
            if lines.iter().any(|l| l == wanted) {
                return lines;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{} never logged {wanted:?}: {:?}",
        path.display(),
        std::fs::read_to_string(path)
    );
}

const APP: &str = r#"trap 'echo got-term' TERM
echo "started $GREETING"
cat /data/hello.txt
while true; do sleep 1; done"#;

#[test]
fn test_cri_kubelet_lifecycle_with_vassalrun_handler() {
    let Some(cri) = Cri::start() else {
        return;
    };
    block_on(kubelet_lifecycle(&cri));
}

async fn kubelet_lifecycle(cri: &Cri) {
    let mut rt = cri.runtime().await;

    // Version: the kubelet's first call.
    let version = rt
        .version(api::VersionRequest {
            version: "v1".into(),
        })
        .await
        .unwrap_or_else(|e| panic!("Version: {e}\n{}", cri.daemon_log()))
        .into_inner();
    assert_eq!(version.runtime_name, "containerd");
    assert_eq!(version.runtime_api_version, "v1");
    // Status: the kubelet's node readiness (runtime and CNI network).
    let conditions = rt
        .status(api::StatusRequest { verbose: false })
        .await
        .expect("Status")
        .into_inner()
        .status
        .unwrap()
        .conditions;
    for kind in ["RuntimeReady", "NetworkReady"] {
        assert!(
            conditions.iter().any(|c| c.r#type == kind && c.status),
            "{kind} not true: {conditions:?}"
        );
    }

    // RunPodSandbox with the handler, then PodSandboxStatus.
    let logs = cri.dir().join("pod-logs");
    std::fs::create_dir_all(&logs).unwrap();
    let pod = pod_config(cri, &logs);
    let pod_id = run_pod(cri, &mut rt, &pod).await;
    let sandbox = rt
        .pod_sandbox_status(api::PodSandboxStatusRequest {
            pod_sandbox_id: pod_id.clone(),
            verbose: false,
        })
        .await
        .expect("PodSandboxStatus")
        .into_inner()
        .status
        .unwrap();
    assert_eq!(sandbox.state, api::PodSandboxState::SandboxReady as i32);
    assert_eq!(sandbox.runtime_handler, HANDLER);
    let pod_ip = sandbox
        .network
        .as_ref()
        .map(|n| n.ip.clone())
        .unwrap_or_default();
    assert!(pod_ip.starts_with("10.233.77."), "{sandbox:?}");
    // vassalrun runs the sandbox: its state root has it, its pause is `sleep`.
    let sandbox_pid = runtime_pid(cri, &pod_id);
    // One runc shim serves the whole pod (so the cleanup checks can fail).
    assert_eq!(cri.shim_pids().len(), 1, "no shim of ours found");
    assert!(cri.shim_socket(&pod_id).exists());
    wait_comm(sandbox_pid, "sleep").await;

    // ImageStatus, as the kubelet checks the image before creating.
    let image = cri
        .images()
        .await
        .image_status(api::ImageStatusRequest {
            image: Some(api::ImageSpec {
                image: IMAGE.into(),
                ..Default::default()
            }),
            verbose: false,
        })
        .await
        .expect("ImageStatus")
        .into_inner();
    assert!(image.image.is_some(), "{IMAGE} unknown to the CRI");

    // CreateContainer with env, args, a read-only mount, limits, a read-only
    // rootfs and a log path; StartContainer; ContainerStatus.
    let data = cri.dir().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("hello.txt"), "hello-from-host\n").unwrap();
    let mut app = container("app", APP, 64 * MIB);
    app.envs = vec![api::KeyValue {
        key: "GREETING".into(),
        value: "hello-cri".into(),
    }];
    app.mounts = vec![api::Mount {
        container_path: "/data".into(),
        host_path: data.display().to_string(),
        readonly: true,
        ..Default::default()
    }];
    let linux = app.linux.as_mut().unwrap();
    let resources = linux.resources.as_mut().unwrap();
    resources.cpu_period = 100_000;
    resources.cpu_quota = 50_000;
    resources.cpu_shares = 512;
    linux.security_context.as_mut().unwrap().readonly_rootfs = true;
    let app_id = create_and_start(&mut rt, &pod_id, &pod, app).await;
    let app_status = status(&mut rt, &app_id).await;
    assert_eq!(
        app_status.state,
        api::ContainerState::ContainerRunning as i32,
        "{app_status:?}"
    );
    assert!(app_status.started_at > 0);
    assert_eq!(
        app_status.log_path,
        logs.join("app.log").display().to_string()
    );
    assert!(
        app_status
            .mounts
            .iter()
            .any(|m| m.container_path == "/data" && m.readonly),
        "{:?}",
        app_status.mounts
    );

    // The CRI log file: every line "<RFC3339Nano> stdout F <msg>".
    let lines = wait_log_line(&logs.join("app.log"), "hello-from-host").await;
    assert_eq!(lines[..2], ["started hello-cri", "hello-from-host"]);

    // The limits reached the container's cgroups (vassalrun applied them).
    let app_pid = runtime_pid(cri, &app_id);
    let memory = cgroup_dir(app_pid, "memory");
    let cpu = cgroup_dir(app_pid, "cpu");
    assert!(
        memory.starts_with(Path::new("/sys/fs/cgroup/memory").join(&cri.cgroup_parent()[1..])),
        "{} is not below the pods' cgroup parent",
        memory.display()
    );
    assert_eq!(
        read_trimmed(&memory.join("memory.limit_in_bytes")),
        (64 * MIB).to_string()
    );
    assert_eq!(read_trimmed(&cpu.join("cpu.cfs_quota_us")), "50000");
    assert_eq!(read_trimmed(&cpu.join("cpu.cfs_period_us")), "100000");
    assert_eq!(read_trimmed(&cpu.join("cpu.shares")), "512");

    // ExecSync: exit code, stdout and stderr apart, the container's env.
    let exec = exec_sync(
        &mut rt,
        &app_id,
        "echo \"$GREETING\"; echo to-stderr >&2; exit 3",
    )
    .await;
    assert_eq!(exec.exit_code, 3, "{exec:?}");
    assert_eq!(String::from_utf8_lossy(&exec.stdout), "hello-cri\n");
    assert_eq!(String::from_utf8_lossy(&exec.stderr), "to-stderr\n");
    // Read-only rootfs and read-only mount, seen from inside.
    let exec = exec_sync(
        &mut rt,
        &app_id,
        "touch /probe 2>/dev/null && echo rootfs-writable || echo rootfs-readonly; \
         touch /data/probe 2>/dev/null && echo data-writable || echo data-readonly; \
         touch /tmp/probe 2>/dev/null || true",
    )
    .await;
    assert_eq!(
        String::from_utf8_lossy(&exec.stdout),
        "rootfs-readonly\ndata-readonly\n",
        "{exec:?}"
    );
    assert!(!data.join("probe").exists());

    // Exec and Attach hand out streaming URLs (the kubelet proxies them).
    let url = rt
        .exec(api::ExecRequest {
            container_id: app_id.clone(),
            cmd: vec!["sh".into()],
            stdout: true,
            stderr: true,
            ..Default::default()
        })
        .await
        .expect("Exec")
        .into_inner()
        .url;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let url = rt
        .attach(api::AttachRequest {
            container_id: app_id.clone(),
            stdout: true,
            ..Default::default()
        })
        .await
        .expect("Attach")
        .into_inner()
        .url;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    // UpdateContainerResources (in-place resize): `vassalrun update`.
    rt.update_container_resources(api::UpdateContainerResourcesRequest {
        container_id: app_id.clone(),
        linux: Some(api::LinuxContainerResources {
            memory_limit_in_bytes: 96 * MIB,
            cpu_period: 100_000,
            cpu_quota: 80_000,
            cpu_shares: 512,
            ..Default::default()
        }),
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("UpdateContainerResources: {e}\n{}", cri.daemon_log()));
    assert_eq!(
        read_trimmed(&memory.join("memory.limit_in_bytes")),
        (96 * MIB).to_string()
    );
    assert_eq!(read_trimmed(&cpu.join("cpu.cfs_quota_us")), "80000");

    // ContainerStats: memory and CPU, read from the container's cgroup.
    let _ = exec_sync(
        &mut rt,
        &app_id,
        "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done",
    )
    .await;
    let stats = rt
        .container_stats(api::ContainerStatsRequest {
            container_id: app_id.clone(),
        })
        .await
        .unwrap_or_else(|e| panic!("ContainerStats: {e}\n{}", cri.daemon_log()))
        .into_inner()
        .stats
        .unwrap();
    let cpu_ns = stats.cpu.as_ref().and_then(|c| c.usage_core_nano_seconds);
    let cpu_ns = cpu_ns.map(|v| v.value).unwrap_or(0);
    let cgroup_cpu_ns: u64 = read_trimmed(&cgroup_dir(app_pid, "cpuacct").join("cpuacct.usage"))
        .parse()
        .unwrap();
    assert!(
        cpu_ns > 0 && cpu_ns <= cgroup_cpu_ns,
        "{stats:?} vs cpuacct.usage {cgroup_cpu_ns}"
    );
    let working_set = stats.memory.as_ref().and_then(|m| m.working_set_bytes);
    let working_set = working_set.map(|v| v.value).unwrap_or(0);
    assert!(
        working_set > 0 && working_set <= 96 * MIB as u64,
        "{stats:?}"
    );

    // A second container in the pod shares the sandbox's network namespace.
    let sidecar_id = create_and_start(
        &mut rt,
        &pod_id,
        &pod,
        container("sidecar", "exec sleep 2147483647", 32 * MIB),
    )
    .await;
    let sidecar_pid = runtime_pid(cri, &sidecar_id);
    let pod_netns = netns_of(sandbox_pid);
    assert_eq!(netns_of(app_pid), pod_netns);
    assert_eq!(netns_of(sidecar_pid), pod_netns);
    assert_ne!(netns_of(std::process::id() as i64), pod_netns);
    let exec = exec_sync(
        &mut rt,
        &sidecar_id,
        "ip -o -4 addr show eth0 || ifconfig eth0",
    )
    .await;
    assert!(
        String::from_utf8_lossy(&exec.stdout).contains(&pod_ip),
        "{exec:?} lacks {pod_ip}"
    );

    // A container with a terminal (`kubectl run -t`): the shim hands vassalrun
    // a console socket, and the terminal's output reaches the CRI log.
    let mut tty = container("tty", "tty; echo tty-done", 32 * MIB);
    tty.tty = true;
    let tty_id = create_and_start(&mut rt, &pod_id, &pod, tty).await;
    let tty_status = wait_exited(&mut rt, &tty_id).await;
    assert_eq!(tty_status.exit_code, 0, "{tty_status:?}");
    let lines = wait_log_line(&logs.join("tty.log"), "tty-done").await;
    assert_eq!(lines, ["/dev/pts/0", "tty-done"]);

    // A container killed by its memory limit reports OOMKilled.
    let hog_id = create_and_start(
        &mut rt,
        &pod_id,
        &pod,
        container("hog", "a=x; while true; do a=\"$a$a\"; done", 16 * MIB),
    )
    .await;
    let hog = wait_exited(&mut rt, &hog_id).await;
    assert_eq!(hog.reason, "OOMKilled", "{hog:?}");
    assert_eq!(hog.exit_code, 137, "{hog:?}");

    // StopContainer with a grace period: SIGTERM (trapped and ignored), then
    // SIGKILL once the period is over.
    let started = Instant::now();
    rt.stop_container(api::StopContainerRequest {
        container_id: app_id.clone(),
        timeout: 2,
    })
    .await
    .expect("StopContainer");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(20),
        "stopped after {waited:?}"
    );
    let app_status = wait_exited(&mut rt, &app_id).await;
    assert_eq!(app_status.exit_code, 137, "{app_status:?}");
    wait_log_line(&logs.join("app.log"), "got-term").await;
    rt.stop_container(api::StopContainerRequest {
        container_id: sidecar_id.clone(),
        timeout: 1,
    })
    .await
    .expect("StopContainer");

    // RemoveContainer, StopPodSandbox, RemovePodSandbox.
    let ids = [&pod_id, &app_id, &sidecar_id, &hog_id, &tty_id].map(String::as_str);
    remove_pod(&mut rt, &ids).await;
    assert_nothing_left(cri, &mut rt, &ids).await;
}

/// RemoveContainer for `ids[1..]`, then StopPodSandbox and RemovePodSandbox
/// for the sandbox `ids[0]`.
async fn remove_pod(rt: &mut Runtime, ids: &[&str]) {
    for id in &ids[1..] {
        rt.remove_container(api::RemoveContainerRequest {
            container_id: id.to_string(),
        })
        .await
        .expect("RemoveContainer");
    }
    rt.stop_pod_sandbox(api::StopPodSandboxRequest {
        pod_sandbox_id: ids[0].into(),
    })
    .await
    .expect("StopPodSandbox");
    rt.remove_pod_sandbox(api::RemovePodSandboxRequest {
        pod_sandbox_id: ids[0].into(),
    })
    .await
    .expect("RemovePodSandbox");
}

/// After the pod is gone: no containers or sandboxes in the CRI, none in
/// vassalrun's state root, no cgroups below the pods' parent, no mounts or
/// shim processes of theirs. `ids[0]` is the sandbox.
async fn assert_nothing_left(cri: &Cri, rt: &mut Runtime, ids: &[&str]) {
    let containers = rt
        .list_containers(api::ListContainersRequest::default())
        .await
        .expect("ListContainers")
        .into_inner()
        .containers;
    assert!(containers.is_empty(), "{containers:?}");
    let pods = rt
        .list_pod_sandbox(api::ListPodSandboxRequest::default())
        .await
        .expect("ListPodSandbox")
        .into_inner()
        .items;
    assert!(pods.is_empty(), "{pods:?}");
    assert_eq!(cri.runtime_ids(), Vec::<String>::new());
    let mut shims = cri.shim_pids();
    for _ in 0..100 {
        if shims.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        oci::reap_exited_children("containerd-shim");
        shims = cri.shim_pids();
    }
    assert!(shims.is_empty(), "shims left: {shims:?}");
    assert!(
        !cri.shim_socket(ids[0]).exists(),
        "the shim's socket is left"
    );
    let cgroups = cri.cgroups_below_parent();
    assert!(cgroups.is_empty(), "cgroups left: {cgroups:?}");
    for id in ids {
        let mounts = cri.mounts_mentioning(id);
        assert!(mounts.is_empty(), "mounts of {id} left: {mounts:?}");
    }
}

/// `shareProcessNamespace: true`: the containers join the sandbox's PID
/// namespace (mode POD), see each other's processes, and still get their own
/// cgroups mounted at /sys/fs/cgroup.
#[test]
fn test_cri_pod_sharing_its_pid_namespace() {
    let Some(cri) = Cri::start() else {
        return;
    };
    block_on(shared_pid_namespace(&cri));
}

/// Moves the last pid handed out in `pid`'s PID namespace to just below a
/// range of 200 pids that no host process has; returns it.
fn set_ns_last_pid_to_free_range(pid: i64) -> i64 {
    let max: i64 = read_trimmed(Path::new("/proc/sys/kernel/pid_max"))
        .parse()
        .unwrap();
    let mut last = max / 2;
    while (last + 1..=last + 200).any(|p| Path::new(&format!("/proc/{p}")).exists()) {
        last += 200;
        assert!(last + 200 < max, "no free range of pids");
    }
    // ns_last_pid is that of the writer's PID namespace: nsenter forks into it.
    let status = std::process::Command::new("nsenter")
        .args(["--target", &pid.to_string(), "--pid", "--"])
        .args([
            "sh",
            "-c",
            &format!("echo {last} > /proc/sys/kernel/ns_last_pid"),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    last
}

/// `pid`'s pid in its own (innermost) PID namespace.
fn ns_pid(pid: i64) -> i64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("NSpid:")).unwrap();
    line.split_whitespace().last().unwrap().parse().unwrap()
}

async fn shared_pid_namespace(cri: &Cri) {
    let mut rt = cri.runtime().await;
    let logs = cri.dir().join("pod-logs");
    std::fs::create_dir_all(&logs).unwrap();
    let shared = api::NamespaceOption {
        pid: api::NamespaceMode::Pod as i32,
        ..kubelet_namespaces()
    };
    let mut pod = pod_config(cri, &logs);
    let linux = pod.linux.as_mut().unwrap();
    linux.security_context.as_mut().unwrap().namespace_options = Some(shared.clone());
    let pod_id = run_pod(cri, &mut rt, &pod).await;
    let sandbox_pid = runtime_pid(cri, &pod_id);
    let mut ids = vec![pod_id.clone()];
    // The containers' pids in the shared namespace are ones the host has no
    // process for (libcontainer once looked them up in the host's /proc).
    let free = set_ns_last_pid_to_free_range(sandbox_pid);
    for name in ["one", "two"] {
        let mut config = container(name, "exec sleep 2147483647", 32 * MIB);
        let security = config.linux.as_mut().unwrap().security_context.as_mut();
        security.unwrap().namespace_options = Some(shared.clone());
        let id = create_and_start(&mut rt, &pod_id, &pod, config).await;
        let pid = runtime_pid(cri, &id);
        assert_eq!(
            std::fs::read_link(format!("/proc/{pid}/ns/pid")).unwrap(),
            std::fs::read_link(format!("/proc/{sandbox_pid}/ns/pid")).unwrap()
        );
        let ns_pid = ns_pid(pid);
        assert!(ns_pid > free, "pid {ns_pid} in the pod, not above {free}");
        assert!(!Path::new(&format!("/proc/{ns_pid}")).exists());
        ids.push(id);
    }
    let last = ids.last().unwrap().clone();
    // The sandbox's pause is pid 1 of the namespace every container sees.
    let exec = exec_sync(
        &mut rt,
        &last,
        "cat /proc/1/comm; ls /sys/fs/cgroup/memory/memory.limit_in_bytes",
    )
    .await;
    assert_eq!(exec.exit_code, 0, "{exec:?}");
    assert_eq!(
        String::from_utf8_lossy(&exec.stdout),
        "sleep\n/sys/fs/cgroup/memory/memory.limit_in_bytes\n"
    );
    // The container's own memory cgroup: its limit, read-only.
    let exec = exec_sync(
        &mut rt,
        &last,
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes || echo refused",
    )
    .await;
    assert_eq!(
        String::from_utf8_lossy(&exec.stdout),
        format!("{}\nrefused\n", 32 * MIB),
        "{exec:?}"
    );
    for id in ids[1..].iter() {
        rt.stop_container(api::StopContainerRequest {
            container_id: id.clone(),
            timeout: 1,
        })
        .await
        .expect("StopContainer");
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    remove_pod(&mut rt, &ids).await;
    assert_nothing_left(cri, &mut rt, &ids).await;
}
