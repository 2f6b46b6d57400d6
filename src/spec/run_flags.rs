//! The `docker run` flag grammar, shared by every front door that takes flags
//! (`spec`, `create`, `run`, run modules, the docker-compatible entry).
//!
//! Flags are kept as text by clap and converted here, so every bad value is
//! reported as Docker's CLI does: `invalid argument "V" for "-m, --memory" flag: ...`.
//! Flags given beside `--config` JSON override it: single values replace, lists append.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::IpAddr;
use std::path::Path;

use clap::{ArgAction, Args};

use super::error::SpecError;
use super::model::{CreateRequest, EmptyObject};
use super::mounts::{parse_mount_flag, split_tmpfs_flag};
use super::ports::parse_publish;
use super::resources::parse_ulimit;
use super::units::{parse_size, parse_size_or_unlimited};

/// `docker run` flags (the subset vassalrun implements; see the README).
///
/// `Serialize` gives run modules every flag by its field name (= clap id), so
/// they can merge flags and turn them back into arguments without a second
/// list of flags.
#[derive(Args, Debug, Clone, Default, serde::Serialize)]
pub struct RunFlags {
    /// Engine API ContainerCreate JSON (`Config` fields + `HostConfig`); `-` reads stdin
    #[arg(long = "config", value_name = "FILE")]
    pub config: Option<String>,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Set environment variables (bare KEY: take it from this environment, or unset it)
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Vec<String>,
    /// Add metadata: key=value
    #[arg(short = 'l', long = "label")]
    pub label: Vec<String>,
    /// Read labels from a file of key=value lines
    #[arg(long = "label-file", value_name = "FILE")]
    pub label_file: Vec<String>,
    /// Publish a container's port(s): [ip:][hostPort:]containerPort[/proto]
    #[arg(short = 'p', long = "publish")]
    pub publish: Vec<String>,
    /// Publish every exposed port (--expose, the image's EXPOSE) to an ephemeral host port
    #[arg(short = 'P', long = "publish-all", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub publish_all: Option<String>,
    /// IPv4 address of the container on the bridge network (e.g. 172.17.0.10)
    #[arg(long = "ip", value_name = "IP")]
    pub ip: Option<String>,
    /// Expose a port or range without publishing it
    #[arg(long = "expose")]
    pub expose: Vec<String>,
    /// Bind mount: /host/path:/container/path[:ro|rw,propagation]
    #[arg(short = 'v', long = "volume")]
    pub volume: Vec<String>,
    /// Mount: type=bind|tmpfs,source=...,target=...[,readonly][,bind-propagation=...][,tmpfs-size=...][,tmpfs-mode=...]
    #[arg(long = "mount")]
    pub mount: Vec<String>,
    /// Mount a tmpfs: /path[:options]
    #[arg(long = "tmpfs")]
    pub tmpfs: Vec<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long = "workdir")]
    pub workdir: Option<String>,
    /// User: name|uid[:group|gid]
    #[arg(short = 'u', long = "user")]
    pub user: Option<String>,
    /// Additional groups to join
    #[arg(long = "group-add")]
    pub group_add: Vec<String>,
    /// Container host name
    #[arg(short = 'h', long = "hostname")]
    pub hostname: Option<String>,
    /// Container NIS domain name
    #[arg(long = "domainname")]
    pub domainname: Option<String>,
    /// Memory limit (e.g. 512m, 1g)
    #[arg(short = 'm', long = "memory", allow_negative_numbers = true)]
    pub memory: Option<String>,
    /// Memory plus swap limit; -1 for unlimited swap
    #[arg(long = "memory-swap", allow_negative_numbers = true)]
    pub memory_swap: Option<String>,
    /// Memory soft limit
    #[arg(long = "memory-reservation", allow_negative_numbers = true)]
    pub memory_reservation: Option<String>,
    /// Memory swappiness (0 to 100, -1 for the host's)
    #[arg(long = "memory-swappiness", allow_negative_numbers = true)]
    pub memory_swappiness: Option<String>,
    /// Disable the OOM killer
    #[arg(long = "oom-kill-disable", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub oom_kill_disable: Option<String>,
    /// Number of CPUs (e.g. 1.5)
    #[arg(long = "cpus")]
    pub cpus: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long = "cpu-shares", allow_negative_numbers = true)]
    pub cpu_shares: Option<String>,
    /// CFS period in microseconds
    #[arg(long = "cpu-period", allow_negative_numbers = true)]
    pub cpu_period: Option<String>,
    /// CFS quota in microseconds
    #[arg(long = "cpu-quota", allow_negative_numbers = true)]
    pub cpu_quota: Option<String>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-cpus")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes in which to allow execution
    #[arg(long = "cpuset-mems")]
    pub cpuset_mems: Option<String>,
    /// Block IO weight (10 to 1000)
    #[arg(long = "blkio-weight")]
    pub blkio_weight: Option<String>,
    /// Process limit (-1 for unlimited)
    #[arg(long = "pids-limit", allow_negative_numbers = true)]
    pub pids_limit: Option<String>,
    /// Network: bridge, host, none or container:NAME
    #[arg(long = "network", visible_alias = "net")]
    pub network: Option<String>,
    /// DNS server
    #[arg(long = "dns")]
    pub dns: Vec<String>,
    /// DNS search domain
    #[arg(long = "dns-search")]
    pub dns_search: Vec<String>,
    /// DNS option
    #[arg(long = "dns-option", visible_alias = "dns-opt")]
    pub dns_option: Vec<String>,
    /// Add a host-to-IP mapping (host:ip)
    #[arg(long = "add-host")]
    pub add_host: Vec<String>,
    /// PID namespace: host or private
    #[arg(long = "pid")]
    pub pid: Option<String>,
    /// IPC namespace: private, shareable, none or host
    #[arg(long = "ipc")]
    pub ipc: Option<String>,
    /// UTS namespace: host or private
    #[arg(long = "uts")]
    pub uts: Option<String>,
    /// Cgroup namespace: host or private
    #[arg(long = "cgroupns")]
    pub cgroupns: Option<String>,
    /// Parent cgroup for the container
    #[arg(long = "cgroup-parent")]
    pub cgroup_parent: Option<String>,
    /// Run an init (bound at /dev/init) that forwards signals and reaps processes
    #[arg(long = "init", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub init: Option<String>,
    /// Mount the container's root filesystem read-only
    #[arg(long = "read-only", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub read_only: Option<String>,
    /// Write the container ID to the file
    #[arg(long = "cidfile")]
    pub cidfile: Option<String>,
    /// Overwrite the default entrypoint of the image
    #[arg(long = "entrypoint")]
    pub entrypoint: Option<String>,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long = "tty", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub tty: Option<String>,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long = "interactive", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub interactive: Option<String>,
    /// Proxy the signals a foreground run receives to the container
    #[arg(long = "sig-proxy", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub sig_proxy: Option<String>,
    /// The key sequence that detaches from the container (default ctrl-p,ctrl-q)
    #[arg(long = "detach-keys")]
    pub detach_keys: Option<String>,
    /// Pull the image before creating: missing (when not stored), always, never
    #[arg(long = "pull", value_name = "POLICY")]
    pub pull: Option<String>,
    /// Platform to pull for: OS/ARCH[/VARIANT] [default: the host's]
    #[arg(long = "platform")]
    pub platform: Option<String>,
    /// Run the container in the background and print its ID
    #[arg(short = 'd', long = "detach", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub detach: Option<String>,
    /// Remove the container when it exits
    #[arg(long = "rm", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub rm: Option<String>,
    /// Add Linux capabilities
    #[arg(long = "cap-add")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop")]
    pub cap_drop: Vec<String>,
    /// Give extended privileges to this container
    #[arg(long = "privileged", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub privileged: Option<String>,
    /// Security options: no-new-privileges, seccomp=unconfined|FILE, apparmor=, label=, systempaths=unconfined
    #[arg(long = "security-opt")]
    pub security_opt: Vec<String>,
    /// Ulimit: name=soft[:hard]
    #[arg(long = "ulimit")]
    pub ulimit: Vec<String>,
    /// Namespaced kernel parameter: name=value
    #[arg(long = "sysctl")]
    pub sysctl: Vec<String>,
    /// Size of /dev/shm (default 64m)
    #[arg(long = "shm-size")]
    pub shm_size: Option<String>,
    /// Signal to stop the container (default SIGTERM)
    #[arg(long = "stop-signal")]
    pub stop_signal: Option<String>,
    /// Seconds to wait before killing the container on stop
    #[arg(long = "stop-timeout", allow_negative_numbers = true)]
    pub stop_timeout: Option<String>,
    /// Tune the container's OOM preferences (-1000 to 1000)
    #[arg(long = "oom-score-adj", allow_negative_numbers = true)]
    pub oom_score_adj: Option<String>,
    /// Logging driver: json-file (default) or none
    #[arg(long = "log-driver")]
    pub log_driver: Option<String>,
    /// Log driver options: max-size=SIZE, max-file=N
    #[arg(long = "log-opt")]
    pub log_opt: Vec<String>,
}

/// How `KEY` without a value is looked up (the invoking environment, or a fake in tests).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn flag_error(flag: &'static str, value: &str, reason: impl ToString) -> SpecError {
    SpecError::Flag {
        flag,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn parse_bool_flag(flag: &'static str, value: &Option<String>) -> Result<Option<bool>, SpecError> {
    value
        .as_deref()
        .map(|v| match v {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
            _ => Err(flag_error(flag, v, "expected true or false")),
        })
        .transpose()
}

fn parse_int<T: std::str::FromStr>(flag: &'static str, value: &str) -> Result<T, SpecError> {
    value
        .parse()
        .map_err(|_| flag_error(flag, value, "not a valid integer"))
}

fn parse_size_flag(flag: &'static str, value: &str) -> Result<i64, SpecError> {
    parse_size(value).map_err(|e| flag_error(flag, value, e))
}

impl RunFlags {
    /// `--pull` (Docker's policies; `missing` when absent).
    pub fn pull_policy(
        &self,
    ) -> Result<crate::runtime::images::pull_policy::PullPolicy, SpecError> {
        use crate::runtime::images::pull_policy::PullPolicy;
        match self.pull.as_deref() {
            None => Ok(PullPolicy::Missing),
            Some(text) => PullPolicy::parse(text)
                .ok_or_else(|| flag_error("--pull", text, "expected missing, always or never")),
        }
    }

    /// Whether `-d` was given.
    pub fn detach(&self) -> Result<bool, SpecError> {
        Ok(parse_bool_flag("-d, --detach", &self.detach)?.unwrap_or(false))
    }

    /// Whether a foreground run forwards signals (`--sig-proxy`, default true).
    pub fn sig_proxy(&self) -> Result<bool, SpecError> {
        Ok(parse_bool_flag("--sig-proxy", &self.sig_proxy)?.unwrap_or(true))
    }

    /// The detach sequence (`--detach-keys`, default ctrl-p,ctrl-q).
    pub fn detach_keys(&self) -> Result<Vec<u8>, SpecError> {
        let spec = self
            .detach_keys
            .as_deref()
            .unwrap_or(crate::runtime::attach::detach_keys::DEFAULT);
        crate::runtime::attach::detach_keys::parse(spec)
            .map_err(|why| flag_error("--detach-keys", spec, why))
    }

    /// The container name, validated as Docker does.
    pub fn name(&self) -> Result<Option<String>, SpecError> {
        let Some(name) = &self.name else {
            return Ok(None);
        };
        let bare = name.strip_prefix('/').unwrap_or(name);
        let mut chars = bare.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && bare.len() >= 2
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid {
            return Err(SpecError::Name(name.clone()));
        }
        Ok(Some(bare.to_string()))
    }

    /// The request: `--config` JSON if given, with every flag applied over it.
    pub fn to_request(
        &self,
        image: &str,
        command: &[String],
        env: EnvLookup,
    ) -> Result<CreateRequest, SpecError> {
        let base = match &self.config {
            Some(source) => load_config_json(source)?,
            None => CreateRequest::default(),
        };
        self.apply_over(base, image, command, env)
    }

    /// The flags applied over `req` (the `--config` JSON, already read: run
    /// modules read it once, since `--config -` is stdin).
    pub fn apply_over(
        &self,
        mut req: CreateRequest,
        image: &str,
        command: &[String],
        env: EnvLookup,
    ) -> Result<CreateRequest, SpecError> {
        if !image.is_empty() {
            req.config.image = image.to_string();
        }
        if !command.is_empty() {
            req.config.cmd = Some(command.to_vec());
        }
        self.apply_config(&mut req, env)?;
        self.apply_host(&mut req)?;
        self.apply_resources(&mut req)?;
        self.apply_network(&mut req)?;
        Ok(req)
    }

    fn apply_config(&self, req: &mut CreateRequest, env: EnvLookup) -> Result<(), SpecError> {
        let c = &mut req.config;
        for file in &self.env_file {
            c.env.extend(read_env_file(file, env)?);
        }
        for e in &self.env {
            if e.split_once('=').map_or(e.as_str(), |(k, _)| k).is_empty() {
                return Err(SpecError::Env(e.clone()));
            }
            match (e.contains('='), env(e)) {
                (false, Some(v)) => c.env.push(format!("{e}={v}")),
                _ => c.env.push(e.clone()),
            }
        }
        let from_files = read_label_files(&self.label_file)?;
        for l in from_files.iter().chain(&self.label) {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            if k.is_empty() {
                return Err(flag_error("-l, --label", l, "label name is empty"));
            }
            c.labels.insert(k.to_string(), v.to_string());
        }
        set(&mut c.working_dir, &self.workdir);
        set(&mut c.user, &self.user);
        set(&mut c.hostname, &self.hostname);
        set(&mut c.domainname, &self.domainname);
        if let Some(e) = &self.entrypoint {
            // `--entrypoint ""` resets the image's entrypoint (and its Cmd).
            c.entrypoint = Some(vec![e.clone()]);
        }
        if let Some(tty) = parse_bool_flag("-t, --tty", &self.tty)? {
            c.tty = tty;
        }
        if let Some(i) = parse_bool_flag("-i, --interactive", &self.interactive)? {
            c.open_stdin = i;
            // Docker's CLI: stdin attached (not -d) makes it StdinOnce, so
            // the end of the attached client's stdin closes the container's.
            c.stdin_once = i && !self.detach()?;
        }
        if let Some(s) = &self.stop_signal {
            validate_signal(s)?;
            c.stop_signal = s.clone();
        }
        if let Some(t) = &self.stop_timeout {
            c.stop_timeout = Some(parse_int("--stop-timeout", t)?);
        }
        Ok(())
    }

    fn apply_host(&self, req: &mut CreateRequest) -> Result<(), SpecError> {
        let h = &mut req.host;
        h.binds.extend(self.volume.iter().cloned());
        for m in &self.mount {
            h.mounts
                .push(parse_mount_flag(m).map_err(|e| flag_error("--mount", m, e))?);
        }
        for t in &self.tmpfs {
            let (dst, opts) = split_tmpfs_flag(t);
            h.tmpfs.insert(dst, opts);
        }
        h.group_add.extend(self.group_add.iter().cloned());
        h.cap_add.extend(self.cap_add.iter().cloned());
        h.cap_drop.extend(self.cap_drop.iter().cloned());
        h.security_opt.extend(self.security_opt.iter().cloned());
        for u in &self.ulimit {
            let parsed = parse_ulimit(u)?;
            h.ulimits.retain(|x| x.name != parsed.name);
            h.ulimits.push(parsed);
        }
        for s in &self.sysctl {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| flag_error("--sysctl", s, "expected name=value"))?;
            h.sysctls.insert(k.to_string(), v.to_string());
        }
        set(&mut h.pid_mode, &self.pid);
        set(&mut h.ipc_mode, &self.ipc);
        set(&mut h.uts_mode, &self.uts);
        set(&mut h.cgroupns_mode, &self.cgroupns);
        set(&mut h.cgroup_parent, &self.cgroup_parent);
        set(&mut h.container_id_file, &self.cidfile);
        if let Some(init) = parse_bool_flag("--init", &self.init)? {
            h.init = Some(init);
        }
        if let Some(ro) = parse_bool_flag("--read-only", &self.read_only)? {
            h.readonly_rootfs = ro;
        }
        if let Some(rm) = parse_bool_flag("--rm", &self.rm)? {
            h.auto_remove = rm;
        }
        if let Some(p) = parse_bool_flag("--privileged", &self.privileged)? {
            h.privileged = p;
        }
        if let Some(v) = &self.oom_score_adj {
            h.oom_score_adj = parse_int("--oom-score-adj", v)?;
        }
        if let Some(v) = &self.shm_size {
            h.shm_size = parse_size_flag("--shm-size", v)?;
        }
        set(&mut h.log_config.kind, &self.log_driver);
        for opt in &self.log_opt {
            let (k, v) = opt
                .split_once('=')
                .ok_or_else(|| flag_error("--log-opt", opt, "expected key=value"))?;
            h.log_config.config.insert(k.to_string(), v.to_string());
        }
        Ok(())
    }

    /// The resource flags (`-m`, `--cpus`, `--pids-limit`, …) applied to `req`;
    /// also how `update` reads its flags.
    pub fn apply_resources(&self, req: &mut CreateRequest) -> Result<(), SpecError> {
        let h = &mut req.host;
        if let Some(v) = &self.memory {
            h.memory = parse_size_flag("-m, --memory", v)?;
        }
        if let Some(v) = &self.memory_swap {
            h.memory_swap =
                parse_size_or_unlimited(v).map_err(|e| flag_error("--memory-swap", v, e))?;
        }
        if let Some(v) = &self.memory_reservation {
            h.memory_reservation = parse_size_flag("--memory-reservation", v)?;
        }
        if let Some(v) = &self.memory_swappiness {
            h.memory_swappiness = Some(parse_int("--memory-swappiness", v)?);
        }
        if let Some(v) = parse_bool_flag("--oom-kill-disable", &self.oom_kill_disable)? {
            h.oom_kill_disable = Some(v);
        }
        if let Some(v) = &self.cpus {
            h.nano_cpus = parse_cpus(v)?;
        }
        if let Some(v) = &self.cpu_shares {
            h.cpu_shares = parse_int("-c, --cpu-shares", v)?;
        }
        if let Some(v) = &self.cpu_period {
            h.cpu_period = parse_int("--cpu-period", v)?;
        }
        if let Some(v) = &self.cpu_quota {
            h.cpu_quota = parse_int("--cpu-quota", v)?;
        }
        set(&mut h.cpuset_cpus, &self.cpuset_cpus);
        set(&mut h.cpuset_mems, &self.cpuset_mems);
        if let Some(v) = &self.blkio_weight {
            h.blkio_weight = parse_int("--blkio-weight", v)?;
        }
        if let Some(v) = &self.pids_limit {
            h.pids_limit = Some(parse_int("--pids-limit", v)?);
        }
        Ok(())
    }

    fn apply_network(&self, req: &mut CreateRequest) -> Result<(), SpecError> {
        set(&mut req.host.network_mode, &self.network);
        if let Some(all) = parse_bool_flag("-P, --publish-all", &self.publish_all)? {
            req.host.publish_all_ports = all;
        }
        for p in &self.publish {
            let mappings = parse_publish(p).map_err(|e| flag_error("-p, --publish", p, e))?;
            for m in mappings {
                req.config
                    .exposed_ports
                    .entry(m.container_port.clone())
                    .or_default();
                req.host
                    .port_bindings
                    .entry(m.container_port)
                    .or_default()
                    .push(m.binding);
            }
        }
        if let Some(ip) = &self.ip {
            if ip.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(flag_error(
                    "--ip",
                    ip,
                    format!("{ip} is not an IPv4 address"),
                ));
            }
            let network = match req.host.network_mode.as_str() {
                "" | "default" => "bridge".to_string(),
                mode => mode.to_string(),
            };
            req.networking
                .endpoints_config
                .entry(network)
                .or_default()
                .ipam_config = Some(super::model::EndpointIpamConfig {
                ipv4_address: ip.clone(),
            });
        }
        for e in &self.expose {
            expose(&mut req.config.exposed_ports, e)?;
        }
        for d in &self.dns {
            if d.parse::<IpAddr>().is_err() {
                return Err(flag_error("--dns", d, format!("{d} is not an ip address")));
            }
            req.host.dns.push(d.clone());
        }
        req.host.dns_search.extend(self.dns_search.iter().cloned());
        req.host.dns_options.extend(self.dns_option.iter().cloned());
        for h in &self.add_host {
            req.host.extra_hosts.push(parse_extra_host(h)?);
        }
        Ok(())
    }
}

fn set(field: &mut String, flag: &Option<String>) {
    if let Some(v) = flag {
        *field = v.clone();
    }
}

/// `--expose 80`, `--expose 7000-7002/udp`.
fn expose(ports: &mut BTreeMap<String, EmptyObject>, value: &str) -> Result<(), SpecError> {
    let (range, proto) = value.split_once('/').unwrap_or((value, "tcp"));
    let (start, end) = super::ports::parse_range(range)
        .filter(|&(s, _)| s > 0)
        .ok_or_else(|| {
            flag_error(
                "--expose",
                value,
                format!("invalid range format for --expose: {value}"),
            )
        })?;
    let proto = proto.to_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(flag_error(
            "--expose",
            value,
            format!("invalid proto: {proto}"),
        ));
    }
    for port in start..=end {
        ports.entry(format!("{port}/{proto}")).or_default();
    }
    Ok(())
}

/// `--cpus 1.5` → 1500000000 nano CPUs.
fn parse_cpus(value: &str) -> Result<i64, SpecError> {
    let bad = || {
        flag_error(
            "--cpus",
            value,
            format!("failed to parse {value} as a rational number"),
        )
    };
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return Err(bad());
    }
    if frac.len() > 9 {
        return Err(flag_error("--cpus", value, "value is too precise"));
    }
    let int: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let frac_nanos: i64 = format!("{frac:0<9}").parse().map_err(|_| bad())?;
    int.checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(frac_nanos))
        .ok_or_else(bad)
}

/// `--add-host name:ip` or `name=ip`; `ip` may be `host-gateway` or `[v6]`.
fn parse_extra_host(value: &str) -> Result<String, SpecError> {
    let bad = |reason: &'static str| SpecError::ExtraHost {
        value: value.to_string(),
        reason,
    };
    let (name, ip) = value
        .split_once('=')
        .or_else(|| value.split_once(':'))
        .ok_or_else(|| bad("expected host:ip"))?;
    if name.is_empty() {
        return Err(bad("expected host:ip"));
    }
    let ip = ip
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(ip);
    if ip != "host-gateway" && ip.parse::<IpAddr>().is_err() {
        return Err(bad("not an IP address"));
    }
    Ok(format!("{name}:{ip}"))
}

/// Signal names (`SIGTERM`, `TERM`) or numbers, as Docker's `ParseSignal`.
pub fn validate_signal(text: &str) -> Result<(), SpecError> {
    if let Ok(n) = text.parse::<i32>() {
        return if (1..=64).contains(&n) {
            Ok(())
        } else {
            Err(SpecError::Signal(text.to_string()))
        };
    }
    let upper = text.to_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    let realtime = name
        .strip_prefix("SIGRTMIN")
        .is_some_and(|r| r.is_empty() || r.starts_with('+'))
        || name
            .strip_prefix("SIGRTMAX")
            .is_some_and(|r| r.is_empty() || r.starts_with('-'));
    if realtime || name.parse::<nix::sys::signal::Signal>().is_ok() {
        Ok(())
    } else {
        Err(SpecError::Signal(text.to_string()))
    }
}

/// Docker's env-file format: `KEY=value` lines, `#` comments, bare `KEY` taken
/// from the environment (dropped when unset).
/// `--label-file`: `key=value` lines, `#` comments and blank lines skipped,
/// read before `-l` (which then wins), as Docker's CLI does.
fn read_label_files(paths: &[String]) -> Result<Vec<String>, SpecError> {
    let mut labels = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).map_err(|e| flag_error("--label-file", path, e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| flag_error("--label-file", path, "contains invalid utf8 bytes"))?;
        labels.extend(
            text.lines()
                .map(str::trim_start)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
    }
    Ok(labels)
}

/// `--env-file`: `KEY=VALUE` lines, `#` comments; a bare `KEY` is taken from `env`.
pub fn read_env_file(path: &str, env: EnvLookup) -> Result<Vec<String>, SpecError> {
    let text = std::fs::read(path).map_err(|e| flag_error("--env-file", path, e))?;
    let text = String::from_utf8(text)
        .map_err(|_| flag_error("--env-file", path, "contains invalid utf8 bytes"))?;
    let mut vars = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (line, None),
        };
        if key.is_empty() {
            return Err(flag_error(
                "--env-file",
                path,
                format!("no variable name on line {}", n + 1),
            ));
        }
        if key.contains(char::is_whitespace) {
            return Err(flag_error(
                "--env-file",
                path,
                format!("variable '{key}' contains whitespaces"),
            ));
        }
        match value {
            Some(v) => vars.push(format!("{key}={v}")),
            None => vars.extend(env(key).map(|v| format!("{key}={v}"))),
        }
    }
    Ok(vars)
}

/// Reads `--config FILE` (or `-` for stdin) as a ContainerCreate body; errors
/// name the file and the field path.
pub fn load_config_json(source: &str) -> Result<CreateRequest, SpecError> {
    let text = if source == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| flag_error("--config", source, e))?;
        s
    } else {
        std::fs::read_to_string(Path::new(source)).map_err(|e| flag_error("--config", source, e))?
    };
    parse_config_json(source, &text)
}

/// Parses a ContainerCreate body; `source` names it in errors.
pub fn parse_config_json(source: &str, text: &str) -> Result<CreateRequest, SpecError> {
    let error = |reason: String| SpecError::ConfigJson {
        file: source.to_string(),
        reason,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let request: CreateRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        if matches!(path.as_str(), "." | "?" | "") {
            error(e.inner().to_string())
        } else {
            error(format!("{path}: {}", e.inner()))
        }
    })?;
    de.end().map_err(|e| error(e.to_string()))?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn test_parse_cpus() {
        assert_eq!(parse_cpus("1.5").unwrap(), 1_500_000_000);
        assert_eq!(parse_cpus("2").unwrap(), 2_000_000_000);
        assert_eq!(parse_cpus(".25").unwrap(), 250_000_000);
        assert_eq!(
            parse_cpus("abc").unwrap_err().to_string(),
            "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number"
        );
    }

    #[test]
    fn test_parse_extra_host() {
        assert_eq!(parse_extra_host("db:10.0.0.2").unwrap(), "db:10.0.0.2");
        assert_eq!(parse_extra_host("v6:::1").unwrap(), "v6:::1");
        assert_eq!(
            parse_extra_host("gw=host-gateway").unwrap(),
            "gw:host-gateway"
        );
        assert_eq!(
            parse_extra_host("db").unwrap_err().to_string(),
            "invalid extra host \"db\": expected host:ip"
        );
        assert_eq!(
            parse_extra_host("db:nope").unwrap_err().to_string(),
            "invalid extra host \"db:nope\": not an IP address"
        );
    }

    #[test]
    fn test_validate_signal() {
        for ok in ["SIGTERM", "term", "9", "SIGRTMIN+3", "USR1"] {
            assert!(validate_signal(ok).is_ok(), "{ok}");
        }
        for bad in ["SIGFOO", "0", "65", ""] {
            assert!(validate_signal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn test_to_request_env_lookup_and_removal() {
        let flags = RunFlags {
            env: vec!["A=1".into(), "FROM_HOST".into(), "UNSET".into()],
            ..Default::default()
        };
        let lookup = |k: &str| (k == "FROM_HOST").then(|| "h".to_string());
        let req = flags.to_request("img", &[], &lookup).unwrap();
        assert_eq!(req.config.env, ["A=1", "FROM_HOST=h", "UNSET"]);
        let _ = no_env("x");
    }

    #[test]
    fn test_parse_config_json_errors_name_the_path() {
        let err = parse_config_json("c.json", r#"{"HostConfig": {"Memory": "lots"}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--config c.json: HostConfig.Memory: invalid type: string \"lots\", expected i64 at line 1 column 32"
        );
        let err = parse_config_json("c.json", "{").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--config c.json: EOF while parsing"),
            "{err}"
        );
    }

    #[test]
    fn test_parse_config_json_str_slice() {
        let req =
            parse_config_json("-", r#"{"Cmd": "echo", "Entrypoint": null, "Env": null}"#).unwrap();
        assert_eq!(req.config.cmd, Some(vec!["echo".to_string()]));
        assert_eq!(req.config.entrypoint, None);
    }
}
