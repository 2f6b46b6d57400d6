//! `build_spec`: a validated container configuration plus its [`SpecContext`]
//! become an OCI runtime spec, in the order dockerd's `createSpec` applies its
//! options (common → cgroups → resources → sysctls → user → devices → rlimits →
//! namespaces → capabilities → seccomp → mounts → OOM score → NNP → paths).
//!
//! The spec is assembled as JSON, field by field, and then parsed into
//! `oci_spec::runtime::Spec`: oci-spec's builders fill runc-like defaults
//! (`noNewPrivileges: true`, default capabilities, hostname "youki") that must
//! never reach a container, and parsing fills nothing.

use std::collections::BTreeMap;

use oci_spec::runtime::Spec;
use serde_json::{json, Map, Value};

use super::caps::tweak_capabilities;
use super::context::SpecContext;
use super::defaults::{self, DEFAULT_SHM_SIZE, MASKED_PATHS, READONLY_PATHS};
use super::env::{container_env, validate_env};
use super::error::SpecError;
use super::image::{self, process_args};
use super::model::{ContainerConfig, CreateRequest, HostConfig};
use super::mounts::{self, is_under, merge_tmpfs_options, UserMount, UserMountKind};
use super::namespaces::{namespaces, parse_host_or_private, IpcMode, NamespacePlan, NetworkMode};
use super::resources;
use super::security::{self, Security};
use super::user::resolve_user;

/// Where the optional init binary is bound inside the container.
pub const INIT_PATH: &str = "/dev/init";

/// The OCI runtime spec version vassalrun writes.
pub const OCI_VERSION: &str = "1.2.0";

/// Everything derived from the configuration before the JSON is assembled.
struct Plan {
    config: ContainerConfig,
    host: HostConfig,
    args: Vec<String>,
    network: NetworkMode,
    ipc: IpcMode,
    namespaces: NamespacePlan,
    /// `None` when the container shares the host's UTS namespace.
    hostname: Option<String>,
    user_mounts: Vec<UserMount>,
    security: Security,
    caps: Vec<String>,
}

/// Builds the OCI spec `create` runs for this configuration.
pub fn build_spec(request: &CreateRequest, ctx: &SpecContext) -> Result<Spec, SpecError> {
    let value = build_spec_json(request, ctx)?;
    serde_json::from_value(value).map_err(SpecError::Generated)
}

/// [`build_spec`] before parsing into oci-spec types (what the tests compare).
pub fn build_spec_json(request: &CreateRequest, ctx: &SpecContext) -> Result<Value, SpecError> {
    let plan = plan(request, ctx)?;
    let user = resolve_user(&plan.config.user, &plan.host.group_add, &ctx.users)?;
    let hostname = plan.hostname.clone().unwrap_or_default();
    let env = container_env(
        &hostname,
        plan.config.tty,
        &plan.config.env,
        user.home.as_deref(),
    );
    let args = init_args(&plan, ctx)?;

    let mut process = Map::new();
    process.insert("terminal".into(), json!(plan.config.tty));
    process.insert(
        "user".into(),
        json!({"uid": user.uid, "gid": user.gid, "additionalGids": user.additional_gids}),
    );
    process.insert("args".into(), json!(args));
    process.insert("env".into(), json!(env));
    process.insert("cwd".into(), json!(cwd(&plan.config.working_dir)));
    process.insert("capabilities".into(), capabilities(&plan.caps, user.uid));
    process.insert("rlimits".into(), json!(resources::rlimits(&plan.host)?));
    process.insert("oomScoreAdj".into(), json!(plan.host.oom_score_adj));
    // Never write `"noNewPrivileges": false`: libcontainer then loads seccomp
    // after dropping capabilities and the load fails.
    if plan.security.no_new_privileges {
        process.insert("noNewPrivileges".into(), json!(true));
    }
    // libcontainer refuses any profile where AppArmor is off, so the option is
    // ignored there, as dockerd ignores it on such hosts.
    if let Some(profile) = plan
        .security
        .apparmor
        .as_ref()
        .filter(|_| ctx.host.apparmor)
    {
        process.insert("apparmorProfile".into(), json!(profile));
    }

    let mut spec = Map::new();
    spec.insert("ociVersion".into(), json!(OCI_VERSION));
    spec.insert("process".into(), Value::Object(process));
    let mut root = json!({"path": ctx.rootfs});
    if plan.host.readonly_rootfs {
        root["readonly"] = json!(true);
    }
    spec.insert("root".into(), root);
    if let Some(hostname) = &plan.hostname {
        spec.insert("hostname".into(), json!(hostname));
    }
    spec.insert("mounts".into(), json!(oci_mounts(&plan, ctx)));
    spec.insert("linux".into(), Value::Object(linux(&plan, ctx)?));
    Ok(Value::Object(spec))
}

/// Merges the image, applies Docker's adaptations and checks every rule.
fn plan(request: &CreateRequest, ctx: &SpecContext) -> Result<Plan, SpecError> {
    let mut config = request.config.clone();
    let mut host = request.host.clone();
    image::merge(&mut config, &ctx.image);
    let args = process_args(&config).ok_or(SpecError::NoCommand)?;
    resources::adapt(&mut host);
    if host.shm_size == 0 {
        host.shm_size = DEFAULT_SHM_SIZE;
    }
    resources::validate(&host, ctx.host.num_cpus)?;
    super::logging::log_settings(&host.log_config)?;
    validate_env(&config.env)?;
    if !config.working_dir.is_empty() && !config.working_dir.starts_with('/') {
        return Err(SpecError::Workdir(config.working_dir.clone()));
    }

    let network = NetworkMode::parse(&host.network_mode)?;
    check_network_conflicts(&network, &config, &host)?;
    let ipc = IpcMode::parse(&host.ipc_mode)?;
    let host_pid = parse_host_or_private("PID", &host.pid_mode)?;
    let host_uts = parse_host_or_private("UTS", &host.uts_mode)?;
    let private_cgroupns = match host.cgroupns_mode.as_str() {
        // Docker defaults to a private namespace on v2 only (v1 hosts once had
        // kernels without one). We take it wherever the kernel has one: with
        // it `/proc/self/cgroup` names no host path and a fresh cgroup mount
        // shows the container's own cgroups only. `--privileged` gets the
        // host's on v1 and a private one on v2, as under Docker.
        "" => ctx.host.cgroup_namespaces && (!host.privileged || ctx.host.cgroup_v2),
        mode => !parse_host_or_private("cgroup namespace", mode)?,
    };
    let netns = match &network {
        NetworkMode::Host => None,
        NetworkMode::Bridge | NetworkMode::None => Some(None),
        NetworkMode::Container(name) => {
            let donor = ctx
                .donor
                .as_ref()
                .ok_or_else(|| SpecError::NoSuchContainer(name.clone()))?;
            Some(Some(donor.netns_path.display().to_string()))
        }
    };
    let hostname = if host_uts {
        None
    } else {
        Some(hostname(&config, &network, ctx)?)
    };
    let user_mounts = mounts::parse_user_mounts(&host)?;
    let security = security::parse(&host.security_opt)?;
    let caps = tweak_capabilities(
        &host.cap_add,
        &host.cap_drop,
        host.privileged,
        &ctx.host.available_caps,
    )?;
    Ok(Plan {
        config,
        host,
        args,
        network,
        ipc,
        namespaces: NamespacePlan {
            network: netns,
            host_pid,
            host_ipc: ipc == IpcMode::Host,
            host_uts,
            private_cgroupns,
        },
        hostname,
        user_mounts,
        security,
        caps,
    })
}

/// Docker's refusals for a container that joins another's network namespace.
pub fn check_network_conflicts(
    network: &NetworkMode,
    config: &ContainerConfig,
    host: &HostConfig,
) -> Result<(), SpecError> {
    if !matches!(network, NetworkMode::Container(_)) {
        return Ok(());
    }
    let conflict = if !config.hostname.is_empty() {
        Some("conflicting options: hostname and the network mode")
    } else if !host.dns.is_empty() || !host.dns_search.is_empty() || !host.dns_options.is_empty() {
        Some("conflicting options: dns and the network mode")
    } else if !host.extra_hosts.is_empty() {
        Some("conflicting options: custom host-to-IP mapping and the network mode")
    } else if !host.port_bindings.is_empty() {
        Some("conflicting options: port publishing and the container type network mode")
    } else if !config.exposed_ports.is_empty() {
        Some("conflicting options: port exposing and the container type network mode")
    } else {
        None
    };
    conflict.map_or(Ok(()), |c| Err(SpecError::Conflict(c)))
}

/// The container's hostname: configured, the donor's, the host's (host network) or id[:12].
fn hostname(
    config: &ContainerConfig,
    network: &NetworkMode,
    ctx: &SpecContext,
) -> Result<String, SpecError> {
    let name = if !config.hostname.is_empty() {
        config.hostname.clone()
    } else {
        match (network, &ctx.donor) {
            (NetworkMode::Container(_), Some(donor)) => donor.hostname.clone(),
            (NetworkMode::Host, _) => ctx.host.hostname.clone(),
            _ => ctx.id.chars().take(12).collect(),
        }
    };
    if name.len() > 64 {
        return Err(SpecError::HostnameTooLong(name));
    }
    let valid = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && !name.starts_with(['-', '.']);
    if !valid {
        return Err(SpecError::Hostname(name));
    }
    Ok(name)
}

fn cwd(working_dir: &str) -> String {
    if working_dir.is_empty() {
        "/".to_string()
    } else {
        mounts::clean(working_dir)
    }
}

/// `/dev/init -- CMD...` with `--init`, else the command itself.
fn init_args(plan: &Plan, ctx: &SpecContext) -> Result<Vec<String>, SpecError> {
    if plan.host.init != Some(true) {
        return Ok(plan.args.clone());
    }
    if plan.namespaces.host_pid {
        return Err(SpecError::Init(
            "needs a private PID namespace (not --pid host)",
        ));
    }
    if plan
        .user_mounts
        .iter()
        .any(|m| is_under(INIT_PATH, &m.destination))
    {
        return Err(SpecError::Init("cannot be used with a mount on /dev"));
    }
    if ctx.init_binary.is_none() {
        return Err(SpecError::Init(
            "no init binary found (looked for docker-init, tini-static, tini); set --init-path",
        ));
    }
    let mut args = vec![INIT_PATH.to_string(), "--".to_string()];
    args.extend(plan.args.iter().cloned());
    Ok(args)
}

/// Root gets the set in bounding, effective and permitted; other users only in
/// bounding, as execve would give them. Inheritable and ambient are written empty
/// because unset sets are inherited from the runtime.
fn capabilities(caps: &[String], uid: u32) -> Value {
    let held: &[String] = if uid == 0 { caps } else { &[] };
    json!({
        "bounding": caps,
        "effective": held,
        "permitted": held,
        "inheritable": [],
        "ambient": [],
    })
}

fn linux(plan: &Plan, ctx: &SpecContext) -> Result<Map<String, Value>, SpecError> {
    let h = &plan.host;
    let mut linux = Map::new();
    let mut res = resources::linux_resources(h);
    let device_rules = if h.privileged {
        vec![json!({"allow": true, "access": "rwm"})]
    } else {
        defaults::device_cgroup_rules()
    };
    res.insert("devices".into(), json!(device_rules));
    linux.insert("resources".into(), Value::Object(res));
    linux.insert("cgroupsPath".into(), json!(cgroups_path(h, ctx)?));
    linux.insert("sysctl".into(), json!(sysctls(plan, ctx)?));
    let devices = if h.privileged {
        ctx.host.devices.clone()
    } else {
        Vec::new()
    };
    linux.insert("devices".into(), json!(devices));
    linux.insert("namespaces".into(), json!(namespaces(&plan.namespaces)));
    if let Some(seccomp) = security::seccomp(&plan.security, h.privileged, &plan.caps, ctx)? {
        linux.insert("seccomp".into(), seccomp);
    }
    let (masked, readonly) = protected_paths(plan, ctx);
    linux.insert("maskedPaths".into(), json!(masked));
    linux.insert("readonlyPaths".into(), json!(readonly));
    Ok(linux)
}

/// Always absolute, so libcontainer never falls back to systemd naming.
fn cgroups_path(h: &HostConfig, ctx: &SpecContext) -> Result<String, SpecError> {
    let parent = if h.cgroup_parent.is_empty() {
        &ctx.cgroup_parent
    } else {
        &h.cgroup_parent
    };
    let parent = parent.trim_matches('/');
    if parent.split('/').any(|p| p == ".." || p == ".") {
        return Err(SpecError::CgroupParent(parent.to_string()));
    }
    Ok(if parent.is_empty() {
        format!("/{}", ctx.id)
    } else {
        format!("/{parent}/{}", ctx.id)
    })
}

fn sysctls(plan: &Plan, ctx: &SpecContext) -> Result<BTreeMap<String, String>, SpecError> {
    let mut sysctls = BTreeMap::new();
    if plan.network.is_private() {
        if ctx.host.has_ping_group_range {
            sysctls.insert("net.ipv4.ping_group_range".into(), "0 2147483647".into());
        }
        if ctx.host.has_unprivileged_port_start {
            sysctls.insert("net.ipv4.ip_unprivileged_port_start".into(), "0".into());
        }
    }
    for (name, value) in &plan.host.sysctls {
        let refuse = |reason| SpecError::Sysctl {
            name: name.clone(),
            reason,
        };
        if !defaults::sysctl_is_namespaced(name) {
            return Err(refuse("not a namespaced sysctl (allowed: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)"));
        }
        if name.starts_with("net.") && !plan.network.is_private() {
            return Err(refuse("not allowed in host network namespace"));
        }
        if defaults::sysctl_is_ipc(name) && plan.ipc == IpcMode::Host {
            return Err(refuse("not allowed in host IPC namespace"));
        }
        sysctls.insert(name.clone(), value.clone());
    }
    let domainname = match (&plan.network, &ctx.donor) {
        (NetworkMode::Container(_), Some(donor)) if plan.config.domainname.is_empty() => {
            donor.domainname.clone()
        }
        _ => plan.config.domainname.clone(),
    };
    if !domainname.is_empty() {
        if plan.hostname.is_none() {
            return Err(SpecError::Conflict(
                "--domainname needs a private UTS namespace (not --uts host)",
            ));
        }
        sysctls.insert("kernel.domainname".into(), domainname);
    }
    Ok(sysctls)
}

fn protected_paths(plan: &Plan, ctx: &SpecContext) -> (Vec<String>, Vec<String>) {
    if plan.host.privileged || plan.security.unconfined_system_paths {
        return (Vec::new(), Vec::new());
    }
    let masked = plan.host.masked_paths.clone().unwrap_or_else(|| {
        let mut m: Vec<String> = MASKED_PATHS.iter().map(|p| p.to_string()).collect();
        m.extend(ctx.host.thermal_throttle_paths.iter().cloned());
        m
    });
    let readonly = plan
        .host
        .readonly_paths
        .clone()
        .unwrap_or_else(|| READONLY_PATHS.iter().map(|p| p.to_string()).collect());
    (masked, readonly)
}

/// Default mounts not shadowed by user mounts, the init binary, then user mounts
/// and network files by path depth (parents first).
fn oci_mounts(plan: &Plan, ctx: &SpecContext) -> Vec<Value> {
    let user_destinations: Vec<&str> = plan
        .user_mounts
        .iter()
        .map(|m| m.destination.as_str())
        .collect();
    let user_dev = user_destinations.iter().any(|d| mounts::clean(d) == "/dev");
    let mut out: Vec<Value> = defaults::default_mounts(plan.host.shm_size)
        .into_iter()
        .filter(|m| {
            let dst = m["destination"].as_str().unwrap_or_default();
            let shadowed = user_destinations.iter().any(|d| mounts::clean(d) == dst);
            let under_user_dev = user_dev && dst.starts_with("/dev/");
            let no_shm = dst == "/dev/shm" && plan.ipc == IpcMode::None;
            !(shadowed || under_user_dev || no_shm)
        })
        .map(|m| adjust_default_mount(m, plan))
        .collect();
    if plan.host.init == Some(true) {
        if let Some(init) = &ctx.init_binary {
            out.push(json!({"destination": INIT_PATH, "type": "bind", "source": init, "options": ["bind", "ro"]}));
        }
    }
    let mut rest: Vec<(String, Value)> = plan
        .user_mounts
        .iter()
        .map(|m| (m.destination.clone(), user_mount(m)))
        .collect();
    for (destination, source) in network_file_mounts(plan, ctx) {
        if !user_destinations
            .iter()
            .any(|d| mounts::clean(d) == destination)
        {
            let mut options = vec!["rbind", "rprivate"];
            if plan.host.readonly_rootfs {
                options.push("ro");
            }
            rest.push((
                destination.to_string(),
                json!({"destination": destination, "type": "bind", "source": source, "options": options}),
            ));
        }
    }
    rest.sort_by_key(|(destination, _)| mounts::depth(destination));
    out.extend(rest.into_iter().map(|(_, m)| m));
    out
}

/// Privileged containers get a writable `/sys` and cgroup tree.
fn adjust_default_mount(mut mount: Value, plan: &Plan) -> Value {
    let writable_cgroups = plan
        .security
        .writable_cgroups
        .unwrap_or(plan.host.privileged);
    let dst = mount["destination"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let make_writable =
        (dst == "/sys" && plan.host.privileged) || (dst == "/sys/fs/cgroup" && writable_cgroups);
    if make_writable {
        if let Some(options) = mount["options"].as_array_mut() {
            options.retain(|o| o != "ro");
        }
    }
    mount
}

fn network_file_mounts<'a>(
    plan: &Plan,
    ctx: &'a SpecContext,
) -> Vec<(&'static str, &'a std::path::Path)> {
    let Some(files) = &ctx.network_files else {
        return Vec::new();
    };
    let mut mounts = vec![("/etc/resolv.conf", files.resolv_conf.as_path())];
    if plan.hostname.is_some() {
        mounts.push(("/etc/hostname", files.hostname.as_path()));
    }
    mounts.push(("/etc/hosts", files.hosts.as_path()));
    mounts
}

fn user_mount(m: &UserMount) -> Value {
    match &m.kind {
        UserMountKind::Bind {
            source,
            readonly,
            propagation,
            recursive,
        } => {
            let mut options = vec![if *recursive { "rbind" } else { "bind" }];
            if *readonly {
                options.push("ro");
            }
            options.push(propagation);
            json!({"destination": m.destination, "type": "bind", "source": source, "options": options})
        }
        UserMountKind::Tmpfs { options } => {
            let mut all: Vec<String> = ["noexec", "nosuid", "nodev", "rprivate"]
                .iter()
                .map(|o| o.to_string())
                .collect();
            all.extend(options.iter().cloned());
            // Validated when the mount list was parsed.
            let merged = merge_tmpfs_options(&all).unwrap_or(all);
            json!({"destination": m.destination, "type": "tmpfs", "source": "tmpfs", "options": merged})
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::spec::context::{Donor, HostFacts};
    use crate::spec::image::ImageConfig;
    use crate::spec::user::UserDb;

    fn ctx() -> SpecContext {
        SpecContext {
            id: "0123456789abcdef".repeat(4),
            rootfs: PathBuf::from("/var/lib/vassalrun/containers/x/rootfs"),
            image: ImageConfig::default(),
            users: UserDb::default(),
            donor: None,
            network_files: None,
            init_binary: None,
            cgroup_parent: "vassalrun".into(),
            seccomp_profile: None,
            host: HostFacts {
                arch: "x86_64".into(),
                kernel: (6, 1),
                num_cpus: 4,
                available_caps: super::super::caps::KNOWN_CAPS
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
                cgroup_v2: false,
                cgroup_namespaces: false,
                has_ping_group_range: true,
                has_unprivileged_port_start: true,
                thermal_throttle_paths: vec!["/sys/devices/system/cpu/cpu0/thermal_throttle".into()],
                hostname: "hosty".into(),
                apparmor: false,
                seccomp: true,
                x32: true,
                devices: Vec::new(),
            },
        }
    }

    fn request(f: impl FnOnce(&mut CreateRequest)) -> CreateRequest {
        let mut r = CreateRequest::default();
        r.config.cmd = Some(vec!["true".into()]);
        f(&mut r);
        r
    }

    #[test]
    fn test_build_spec_json_round_trips_through_oci_spec() {
        // A field oci-spec does not know (a typo) would be dropped by parsing;
        // the round trip must give back exactly what was assembled.
        let requests = [
            request(|_| {}),
            request(|r| {
                r.config.tty = true;
                r.config.domainname = "d".into();
                r.host.memory = 64 << 20;
                r.host.memory_swappiness = Some(5);
                r.host.oom_kill_disable = Some(false);
                r.host.nano_cpus = 500_000_000;
                r.host.pids_limit = Some(10);
                r.host.blkio_weight = 100;
                r.host.readonly_rootfs = true;
                r.host.security_opt = vec!["no-new-privileges".into()];
                r.host.ulimits =
                    vec![crate::spec::resources::parse_ulimit("nofile=10:20").unwrap()];
                r.host.tmpfs = [("/run".to_string(), "size=1m".to_string())].into();
            }),
            request(|r| r.host.privileged = true),
        ];
        for r in requests {
            let value = build_spec_json(&r, &ctx()).unwrap();
            let spec: Spec = serde_json::from_value(value.clone()).unwrap();
            let mut back = serde_json::to_value(&spec).unwrap();
            let mut value = value;
            for v in [&mut back, &mut value] {
                if let Some(Value::Object(sets)) = v.pointer_mut("/process/capabilities") {
                    for set in sets.values_mut() {
                        set.as_array_mut()
                            .unwrap()
                            .sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    }
                }
            }
            assert_eq!(back, value);
        }
    }

    #[test]
    fn test_build_spec_apparmor_only_where_enabled() {
        let r = request(|r| r.host.security_opt = vec!["apparmor=my-profile".into()]);
        let off = build_spec_json(&r, &ctx()).unwrap();
        assert!(off["process"].get("apparmorProfile").is_none());
        let mut on = ctx();
        on.host.apparmor = true;
        let on = build_spec_json(&r, &on).unwrap();
        assert_eq!(on["process"]["apparmorProfile"], "my-profile");
        let default = build_spec_json(&request(|_| {}), &{
            let mut c = ctx();
            c.host.apparmor = true;
            c
        })
        .unwrap();
        assert!(
            default["process"].get("apparmorProfile").is_none(),
            "no profile is loaded by vassalrun"
        );
    }

    #[test]
    fn test_build_spec_joins_donor_network() {
        let mut c = ctx();
        c.donor = Some(Donor {
            netns_path: PathBuf::from("/proc/42/ns/net"),
            hostname: "donorhost".into(),
            domainname: "donor.example".into(),
        });
        let s = build_spec_json(
            &request(|r| r.host.network_mode = "container:web".into()),
            &c,
        )
        .unwrap();
        assert_eq!(
            s["linux"]["namespaces"][1],
            json!({"type": "network", "path": "/proc/42/ns/net"})
        );
        assert_eq!(s["hostname"], "donorhost");
        assert_eq!(
            s["linux"]["sysctl"],
            json!({"kernel.domainname": "donor.example"})
        );
    }

    #[test]
    fn test_build_spec_cgroup_namespace_default_follows_the_kernel() {
        let ns = |c: &SpecContext, r: &CreateRequest| {
            build_spec_json(r, c).unwrap()["linux"]["namespaces"].clone()
        };
        let mut v2 = ctx();
        v2.host.cgroup_namespaces = true;
        assert_eq!(
            ns(&v2, &request(|_| {}))
                .as_array()
                .unwrap()
                .last()
                .unwrap()["type"],
            "cgroup"
        );
        assert_ne!(
            ns(&ctx(), &request(|_| {}))
                .as_array()
                .unwrap()
                .last()
                .unwrap()["type"],
            "cgroup"
        );
        let privileged = request(|r| r.host.privileged = true);
        assert_ne!(
            ns(&v2, &privileged).as_array().unwrap().last().unwrap()["type"],
            "cgroup"
        );
        v2.host.cgroup_v2 = true;
        assert_eq!(
            ns(&v2, &privileged).as_array().unwrap().last().unwrap()["type"],
            "cgroup"
        );
    }

    #[test]
    fn test_build_spec_host_facts_shape_the_spec() {
        let mut c = ctx();
        let s = build_spec_json(&request(|_| {}), &c).unwrap();
        let masked = s["linux"]["maskedPaths"].as_array().unwrap();
        assert_eq!(
            masked.last().unwrap(),
            "/sys/devices/system/cpu/cpu0/thermal_throttle"
        );
        c.host.has_ping_group_range = false;
        c.host.seccomp = false;
        let s = build_spec_json(&request(|_| {}), &c).unwrap();
        assert_eq!(
            s["linux"]["sysctl"],
            json!({"net.ipv4.ip_unprivileged_port_start": "0"})
        );
        assert!(
            s["linux"].get("seccomp").is_none(),
            "no default profile without kernel seccomp"
        );
        let custom = request(|r| {
            r.host.security_opt = vec!["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}".into()]
        });
        assert_eq!(
            build_spec_json(&custom, &c).unwrap_err().to_string(),
            "seccomp is not enabled in your kernel, cannot run a custom seccomp profile"
        );
        c.host.num_cpus = 1;
        let too_many = request(|r| r.host.nano_cpus = 2_000_000_000);
        assert_eq!(
            build_spec_json(&too_many, &c).unwrap_err().to_string(),
            "cpus 2: range of CPUs is from 0.01 to 1.00, as there are only 1 CPUs available"
        );
    }

    #[test]
    fn test_build_spec_image_defaults_merge() {
        let mut c = ctx();
        c.image = ImageConfig {
            cmd: Some(vec!["serve".into()]),
            env: vec!["LANG=C".into()],
            working_dir: "/srv".into(),
            ..Default::default()
        };
        let mut r = CreateRequest::default();
        r.config.env = vec!["A=1".into()];
        let s = build_spec_json(&r, &c).unwrap();
        assert_eq!(s["process"]["args"], json!(["serve"]));
        assert_eq!(s["process"]["cwd"], "/srv");
        let env = s["process"]["env"].as_array().unwrap();
        assert!(env.contains(&json!("A=1")) && env.contains(&json!("LANG=C")));
    }

    #[test]
    fn test_build_spec_inline_seccomp_with_no_filter_is_unconfined() {
        let r = request(|r| r.host.security_opt = vec!["seccomp={}".into()]);
        let s = build_spec_json(&r, &ctx()).unwrap();
        assert!(s["linux"].get("seccomp").is_none());
    }
}
