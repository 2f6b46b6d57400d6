//! Docker's seccomp profiles turned into OCI `linux.seccomp` values.
//!
//! Docker keeps seccomp profiles in its own format (moby/profiles `seccomp.go`): an OCI
//! `LinuxSeccomp` plus an `archMap`, and syscall rules with `name` or `names`, a `comment`
//! and `includes`/`excludes` conditions on the host architecture, the container's bounding
//! capabilities and the kernel version. `setupSeccomp` (moby/profiles `seccomp_linux.go`)
//! filters those rules for one container and host. This module holds that profile model,
//! Docker's default profile written in it (moby `vendor/github.com/moby/profiles/seccomp/
//! default.json`, Apache-2.0; the two long name lists live in `seccomp/*.txt`), and the one
//! filter both the default and user profiles (`--security-opt seccomp=FILE`) go through.

use std::collections::HashSet;
use std::path::PathBuf;

use oci_spec::runtime::{
    Arch, Capability, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompArgBuilder,
    LinuxSeccompFilterFlag, LinuxSeccompOperator, LinuxSyscall,
};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Names of the unconditional `SCMP_ACT_ALLOW` rule of Docker's default profile.
const DEFAULT_ALLOW_NAMES: &str = include_str!("seccomp/default-allow.txt");
/// Names Docker's default profile allows only with `CAP_SYS_ADMIN` in the bounding set.
const CAP_SYS_ADMIN_NAMES: &str = include_str!("seccomp/cap-sys-admin.txt");

const ALLOW: &str = "SCMP_ACT_ALLOW";
/// `CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
/// CLONE_NEWCGROUP`: the namespace flags `clone` may not use without `CAP_SYS_ADMIN`.
const CLONE_NAMESPACE_FLAGS: u64 = 0x7E02_0000;
/// ENOSYS: makes glibc fall back from `clone3` to `clone`, whose flags can be filtered.
const ENOSYS: u32 = 38;
/// The errno libseccomp and libcontainer use for ERRNO/TRACE without an explicit value.
const EPERM: u32 = 1;

/// What the profile filter needs to know about the host.
#[derive(Debug, Clone)]
pub struct SeccompHost {
    /// `std::env::consts::ARCH` form: "x86_64", "aarch64", ...
    pub arch: String,
    /// Running kernel (major, minor).
    pub kernel: (u32, u32),
}

/// Why a seccomp profile could not be turned into an OCI value.
#[derive(Debug, thiserror::Error)]
pub enum SeccompError {
    /// The file is not JSON or does not have the profile's shape; the serde error gives the
    /// line and column.
    #[error("invalid seccomp profile {path}: {reason}")]
    Json {
        path: String,
        reason: serde_json::Error,
    },
    /// An action that is not one of the OCI `SCMP_ACT_*` names.
    #[error("invalid seccomp profile {path}: unknown action {value:?}")]
    UnknownAction { path: String, value: String },
    /// An argument operator that is not one of the OCI `SCMP_CMP_*` names.
    #[error("invalid seccomp profile {path}: unknown argument operator {value:?}")]
    UnknownOperator { path: String, value: String },
    /// An architecture that is not one of the OCI `SCMP_ARCH_*` names.
    #[error("invalid seccomp profile {path}: unknown architecture {value:?}")]
    UnknownArchitecture { path: String, value: String },
    /// A filter flag that is not one of the OCI `SECCOMP_FILTER_FLAG_*` names.
    #[error("invalid seccomp profile {path}: unknown filter flag {value:?}")]
    UnknownFlag { path: String, value: String },
    /// Docker's `setupSeccomp` refuses `architectures` and `archMap` together.
    #[error(
        "invalid seccomp profile {path}: both 'architectures' and 'archMap' are specified, \
         use either 'architectures' or 'archMap'"
    )]
    ArchitecturesAndArchMap { path: String },
    /// Docker's `setupSeccomp` refuses a rule with both `name` and `names`.
    #[error(
        "invalid seccomp profile {path}: rule {name:?} has both 'name' and 'names', \
         use either 'name' or 'names'"
    )]
    NameAndNames { path: String, name: String },
    /// Syscall rules without a `defaultAction`.
    #[error("invalid seccomp profile {path}: no defaultAction")]
    NoDefaultAction { path: String },
    /// Neither `defaultAction` nor `syscalls`: Docker then runs the container without any
    /// seccomp filter, so a caller wanting Docker's behaviour maps this to "unconfined".
    #[error(
        "seccomp profile {path} has neither defaultAction nor syscalls (Docker runs it unconfined)"
    )]
    NoFilter { path: String },
}

/// A profile in Docker's format; every field is optional like Go's zero values.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    default_action: Option<String>,
    default_errno_ret: Option<u32>,
    architectures: Option<Vec<String>>,
    arch_map: Option<Vec<ArchMapEntry>>,
    flags: Option<Vec<String>>,
    listener_path: Option<String>,
    listener_metadata: Option<String>,
    syscalls: Option<Vec<Rule>>,
}

/// One `archMap` entry: a native architecture and the ones it can also run.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchMapEntry {
    architecture: Option<String>,
    sub_architectures: Option<Vec<String>>,
}

/// One entry of `syscalls`: an OCI syscall rule plus Docker's conditions.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    name: Option<String>,
    names: Option<Vec<String>>,
    action: Option<String>,
    errno_ret: Option<u32>,
    args: Option<Vec<RuleArg>>,
    includes: Option<Filter>,
    excludes: Option<Filter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleArg {
    index: Option<usize>,
    value: Option<u64>,
    value_two: Option<u64>,
    op: Option<String>,
}

/// `includes` (all conditions must hold) or `excludes` (any condition drops the rule).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    caps: Option<Vec<String>>,
    arches: Option<Vec<String>>,
    #[serde(default, deserialize_with = "de_min_kernel")]
    min_kernel: Option<(u32, u32)>,
}

/// Docker's default profile, filtered for this host and the container's bounding set.
pub fn default_profile(host: &SeccompHost, bounding: &HashSet<Capability>) -> LinuxSeccomp {
    // The built-in table only uses names the filter knows; the unit tests run it for every
    // architecture and capability set, so an error here is a bug in the table.
    setup_seccomp(docker_default(), "<docker default profile>", host, bounding)
        .expect("Docker's default seccomp profile is valid")
}

/// A user profile file's contents (`--security-opt seccomp=FILE`), in Docker's profile format
/// (defaultAction, defaultErrnoRet, architectures or archMap, syscalls with name/names, action,
/// args, errnoRet, includes/excludes), converted and filtered exactly like Docker does.
/// `source` is the file name, used only in error messages.
pub fn profile_from_json(
    source: &str,
    json: &str,
    host: &SeccompHost,
    bounding: &HashSet<Capability>,
) -> Result<LinuxSeccomp, SeccompError> {
    let profile = parse_profile(json).map_err(|reason| SeccompError::Json {
        path: source.to_string(),
        reason,
    })?;
    setup_seccomp(profile, source, host, bounding)
}

/// Docker's default profile as a table, one entry per rule, in Docker's order.
fn docker_default() -> Profile {
    let syscalls = vec![
        rule(names_file(DEFAULT_ALLOW_NAMES), ALLOW),
        rule(["process_vm_readv", "process_vm_writev", "ptrace"], ALLOW).min_kernel(4, 8),
        // Everything but AF_ALG (38) and AF_VSOCK (40):
        // {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":38,"op":"SCMP_CMP_LT"}]}
        // {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":39,"op":"SCMP_CMP_EQ"}]}
        // {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_GT"}]}
        rule(["socket"], ALLOW).arg(0, 38, "SCMP_CMP_LT"),
        rule(["socket"], ALLOW).arg(0, 39, "SCMP_CMP_EQ"),
        rule(["socket"], ALLOW).arg(0, 40, "SCMP_CMP_GT"),
        // PER_LINUX, UNAME26, PER_LINUX32, PER_LINUX32|UNAME26, and 0xffffffff (query):
        // {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]}
        rule(["personality"], ALLOW).arg(0, 0x0, "SCMP_CMP_EQ"),
        rule(["personality"], ALLOW).arg(0, 0x8, "SCMP_CMP_EQ"),
        rule(["personality"], ALLOW).arg(0, 0x20000, "SCMP_CMP_EQ"),
        rule(["personality"], ALLOW).arg(0, 0x20008, "SCMP_CMP_EQ"),
        rule(["personality"], ALLOW).arg(0, 0xffff_ffff, "SCMP_CMP_EQ"),
        rule(["sync_file_range2", "swapcontext"], ALLOW).arches(["ppc64le"]),
        rule(
            [
                "arm_fadvise64_64",
                "arm_sync_file_range",
                "sync_file_range2",
                "breakpoint",
                "cacheflush",
                "set_tls",
            ],
            ALLOW,
        )
        .arches(["arm", "arm64"]),
        rule(["arch_prctl"], ALLOW).arches(["amd64", "x32"]),
        rule(["modify_ldt"], ALLOW).arches(["amd64", "x32", "x86"]),
        rule(
            [
                "s390_pci_mmio_read",
                "s390_pci_mmio_write",
                "s390_runtime_instr",
            ],
            ALLOW,
        )
        .arches(["s390", "s390x"]),
        rule(["riscv_flush_icache"], ALLOW).arches(["riscv64"]),
        rule(["open_by_handle_at"], ALLOW).caps(["CAP_DAC_READ_SEARCH"]),
        rule(names_file(CAP_SYS_ADMIN_NAMES), ALLOW).caps(["CAP_SYS_ADMIN"]),
        // Without CAP_SYS_ADMIN, clone may not create namespaces:
        // {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]}
        rule(["clone"], ALLOW)
            .arg(0, CLONE_NAMESPACE_FLAGS, "SCMP_CMP_MASKED_EQ")
            .not_caps(["CAP_SYS_ADMIN"])
            .not_arches(["s390", "s390x"]),
        // s390 passes the clone flags second:
        // {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]}
        rule(["clone"], ALLOW)
            .arg(1, CLONE_NAMESPACE_FLAGS, "SCMP_CMP_MASKED_EQ")
            .arches(["s390", "s390x"])
            .not_caps(["CAP_SYS_ADMIN"]),
        // clone3 passes its flags in memory, out of seccomp's reach, so it fails with ENOSYS:
        // {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}
        rule(["clone3"], "SCMP_ACT_ERRNO")
            .errno(ENOSYS)
            .not_caps(["CAP_SYS_ADMIN"]),
        rule(["reboot"], ALLOW).caps(["CAP_SYS_BOOT"]),
        rule(["chroot"], ALLOW).caps(["CAP_SYS_CHROOT"]),
        rule(["delete_module", "init_module", "finit_module"], ALLOW).caps(["CAP_SYS_MODULE"]),
        rule(["acct"], ALLOW).caps(["CAP_SYS_PACCT"]),
        rule(
            [
                "kcmp",
                "pidfd_getfd",
                "process_madvise",
                "process_vm_readv",
                "process_vm_writev",
                "ptrace",
            ],
            ALLOW,
        )
        .caps(["CAP_SYS_PTRACE"]),
        rule(["iopl", "ioperm"], ALLOW).caps(["CAP_SYS_RAWIO"]),
        rule(
            ["settimeofday", "stime", "clock_settime", "clock_settime64"],
            ALLOW,
        )
        .caps(["CAP_SYS_TIME"]),
        rule(["vhangup"], ALLOW).caps(["CAP_SYS_TTY_CONFIG"]),
        rule(
            [
                "get_mempolicy",
                "mbind",
                "set_mempolicy",
                "set_mempolicy_home_node",
            ],
            ALLOW,
        )
        .caps(["CAP_SYS_NICE"]),
        rule(["syslog"], ALLOW).caps(["CAP_SYSLOG"]),
        rule(["bpf"], ALLOW).caps(["CAP_BPF"]),
        rule(["perf_event_open"], ALLOW).caps(["CAP_PERFMON"]),
    ];
    Profile {
        default_action: Some("SCMP_ACT_ERRNO".to_string()),
        default_errno_ret: Some(EPERM),
        arch_map: Some(default_arch_map()),
        syscalls: Some(syscalls),
        ..Profile::default()
    }
}

/// The default profile's `archMap`: native architecture, then what it also runs.
fn default_arch_map() -> Vec<ArchMapEntry> {
    let table: [(&str, &[&str]); 9] = [
        ("SCMP_ARCH_X86_64", &["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
        ("SCMP_ARCH_AARCH64", &["SCMP_ARCH_ARM"]),
        (
            "SCMP_ARCH_MIPS64",
            &["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"],
        ),
        (
            "SCMP_ARCH_MIPS64N32",
            &["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"],
        ),
        (
            "SCMP_ARCH_MIPSEL64",
            &["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"],
        ),
        (
            "SCMP_ARCH_MIPSEL64N32",
            &["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"],
        ),
        ("SCMP_ARCH_S390X", &["SCMP_ARCH_S390"]),
        ("SCMP_ARCH_RISCV64", &[]),
        ("SCMP_ARCH_LOONGARCH64", &[]),
    ];
    table
        .iter()
        .map(|(arch, subs)| ArchMapEntry {
            architecture: Some(arch.to_string()),
            sub_architectures: Some(subs.iter().map(|s| s.to_string()).collect()),
        })
        .collect()
}

/// The names of a `seccomp/*.txt` file: one a line, `#` lines are comments.
fn names_file(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Option<Vec<String>> {
    Some(items.into_iter().map(str::to_string).collect())
}

fn rule<'a>(names: impl IntoIterator<Item = &'a str>, action: &str) -> Rule {
    Rule {
        names: strings(names),
        action: Some(action.to_string()),
        ..Rule::default()
    }
}

/// Builders for the default table, so each rule reads as one line.
impl Rule {
    fn arg(mut self, index: usize, value: u64, op: &str) -> Self {
        self.args.get_or_insert_with(Vec::new).push(RuleArg {
            index: Some(index),
            value: Some(value),
            value_two: None,
            op: Some(op.to_string()),
        });
        self
    }

    fn errno(mut self, errno: u32) -> Self {
        self.errno_ret = Some(errno);
        self
    }

    fn min_kernel(mut self, major: u32, minor: u32) -> Self {
        self.includes.get_or_insert_with(Filter::default).min_kernel = Some((major, minor));
        self
    }

    fn arches<const N: usize>(mut self, arches: [&str; N]) -> Self {
        self.includes.get_or_insert_with(Filter::default).arches = strings(arches);
        self
    }

    fn caps<const N: usize>(mut self, caps: [&str; N]) -> Self {
        self.includes.get_or_insert_with(Filter::default).caps = strings(caps);
        self
    }

    fn not_arches<const N: usize>(mut self, arches: [&str; N]) -> Self {
        self.excludes.get_or_insert_with(Filter::default).arches = strings(arches);
        self
    }

    fn not_caps<const N: usize>(mut self, caps: [&str; N]) -> Self {
        self.excludes.get_or_insert_with(Filter::default).caps = strings(caps);
        self
    }
}

/// Parses Docker's `minKernel` ("<kernel>.<major>", each 0..=255, not "0.0"; "" is 0.0 as in
/// Go, which then matches every kernel). Minor releases and suffixes are not accepted here.
fn parse_kernel_version(text: &str) -> Result<(u32, u32), String> {
    let invalid =
        |why: &str| format!("invalid kernel version: {text:?}, expected \"<kernel>.<major>\"{why}");
    if text.is_empty() {
        return Ok((0, 0));
    }
    let Some((kernel, major)) = text.split_once('.') else {
        return Err(invalid(""));
    };
    let number = |part: &str| -> Result<u32, String> {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(""));
        }
        part.parse::<u8>()
            .map(u32::from)
            .map_err(|_| invalid(": value out of range"))
    };
    match (number(kernel)?, number(major)?) {
        (0, 0) => Err(invalid(": version cannot be 0.0")),
        version => Ok(version),
    }
}

fn de_min_kernel<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(u32, u32)>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse_kernel_version(&text)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

const PROFILE_KEYS: &[&str] = &[
    "defaultAction",
    "defaultErrnoRet",
    "architectures",
    "archMap",
    "flags",
    "listenerPath",
    "listenerMetadata",
    "syscalls",
];
const ARCH_MAP_KEYS: &[&str] = &["architecture", "subArchitectures"];
const RULE_KEYS: &[&str] = &[
    "name", "names", "action", "errnoRet", "args", "comment", "includes", "excludes",
];
const ARG_KEYS: &[&str] = &["index", "value", "valueTwo", "op"];
const FILTER_KEYS: &[&str] = &["caps", "arches", "minKernel"];

/// Decodes a profile like Go's `encoding/json`: unknown keys are ignored, keys match fields
/// case-insensitively, a repeated key keeps its last value.
fn parse_profile(json: &str) -> Result<Profile, serde_json::Error> {
    let mut value: Value = serde_json::from_str(json)?;
    canonicalize_profile(&mut value);
    serde_json::from_value(value).map_err(|error| {
        // `from_value` knows no positions; decoding the text again gives the same complaint
        // with its line and column whenever the keys were already spelled canonically.
        serde_json::from_str::<Profile>(json).err().unwrap_or(error)
    })
}

fn canonicalize_profile(profile: &mut Value) {
    rename_keys(profile, PROFILE_KEYS);
    for entry in array_mut(profile, "archMap") {
        rename_keys(entry, ARCH_MAP_KEYS);
    }
    for rule in array_mut(profile, "syscalls") {
        rename_keys(rule, RULE_KEYS);
        for arg in array_mut(rule, "args") {
            rename_keys(arg, ARG_KEYS);
        }
        for key in ["includes", "excludes"] {
            if let Some(filter) = rule.get_mut(key) {
                rename_keys(filter, FILTER_KEYS);
            }
        }
    }
}

fn array_mut<'a>(value: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    value
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// Renames keys that match a field name only case-insensitively; an exact key wins.
fn rename_keys(value: &mut Value, fields: &[&str]) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    let old = std::mem::take(map);
    let mut renamed = Map::new();
    for (key, item) in old {
        match fields.iter().find(|f| f.eq_ignore_ascii_case(&key)) {
            Some(field) if *field != key => {
                renamed.insert(field.to_string(), item);
            }
            _ => {
                map.insert(key, item);
            }
        }
    }
    for (key, item) in renamed {
        map.entry(key).or_insert(item);
    }
}

/// What the rule conditions are checked against.
struct Target {
    /// Docker's (libseccomp's) name of the native architecture, "" when unknown.
    arch: &'static str,
    /// The native architecture's `archMap` key, if Docker knows one.
    arch_map_key: Option<&'static str>,
    /// The bounding set as Docker spells it ("CAP_SYS_ADMIN").
    caps: HashSet<String>,
    kernel: (u32, u32),
}

/// Docker's `setupSeccomp`: picks the architectures, drops the rules whose conditions fail
/// and converts the rest to OCI, skipping rules that repeat the default action.
fn setup_seccomp(
    profile: Profile,
    path: &str,
    host: &SeccompHost,
    bounding: &HashSet<Capability>,
) -> Result<LinuxSeccomp, SeccompError> {
    let ctx = Convert { path };
    ctx.check_shape(&profile)?;
    let target = Target::new(host, bounding);
    let default_action = ctx.action(profile.default_action.as_deref().unwrap_or_default())?;
    let default_code = action_code(default_action, profile.default_errno_ret);
    let arches = target.architectures(
        profile.architectures.unwrap_or_default(),
        &profile.arch_map.unwrap_or_default(),
    );
    let mut syscalls = Vec::new();
    for rule in profile.syscalls.unwrap_or_default() {
        let Some(syscall) = ctx.filtered(rule, &target)? else {
            continue;
        };
        // libseccomp refuses a rule whose action is the default one.
        if action_code(syscall.action(), syscall.errno_ret()) != default_code {
            syscalls.push(syscall);
        }
    }
    let flags = profile.flags.unwrap_or_default();
    let mut seccomp = LinuxSeccomp::default();
    seccomp.set_default_action(default_action);
    seccomp.set_default_errno_ret(profile.default_errno_ret);
    seccomp.set_architectures(non_empty(all(&arches, |a| ctx.arch(a))?));
    seccomp.set_flags(non_empty(all(&flags, |f| ctx.flag(f))?));
    seccomp.set_listener_path(
        profile
            .listener_path
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
    );
    seccomp.set_listener_metadata(profile.listener_metadata.filter(|m| !m.is_empty()));
    seccomp.set_syscalls(non_empty(syscalls));
    Ok(seccomp)
}

impl Target {
    fn new(host: &SeccompHost, bounding: &HashSet<Capability>) -> Self {
        let native = native_arch(&host.arch);
        Target {
            arch: native.map_or("", |(docker, _)| docker),
            arch_map_key: native.map(|(_, key)| key),
            caps: bounding.iter().filter_map(cap_name).collect(),
            kernel: host.kernel,
        }
    }

    /// `architectures` as given, or the native entry of `archMap` followed by its
    /// sub-architectures; none when `archMap` has no entry for the native architecture.
    fn architectures(&self, given: Vec<String>, arch_map: &[ArchMapEntry]) -> Vec<String> {
        let Some(native) = self.arch_map_key else {
            return given;
        };
        match arch_map
            .iter()
            .find(|e| e.architecture.as_deref() == Some(native))
        {
            Some(entry) => std::iter::once(native.to_string())
                .chain(entry.sub_architectures.iter().flatten().cloned())
                .collect(),
            None => given,
        }
    }

    /// Docker drops a rule when any `excludes` condition holds.
    fn excluded_by(&self, filter: Option<&Filter>) -> bool {
        let Some(f) = filter else { return false };
        f.arches.iter().flatten().any(|a| a == self.arch)
            || f.caps.iter().flatten().any(|c| self.caps.contains(c))
            || f.min_kernel.is_some_and(|min| self.kernel >= min)
    }

    /// Docker keeps a rule only when every `includes` condition holds.
    fn included_by(&self, filter: Option<&Filter>) -> bool {
        let Some(f) = filter else { return true };
        let arch_ok = match &f.arches {
            Some(arches) if !arches.is_empty() => arches.iter().any(|a| a == self.arch),
            _ => true,
        };
        arch_ok
            && f.caps.iter().flatten().all(|c| self.caps.contains(c))
            && f.min_kernel.is_none_or(|min| self.kernel >= min)
    }
}

/// Maps `std::env::consts::ARCH` (or Docker's own name) to Docker's name, used in
/// `includes`/`excludes` `arches`, and to the `archMap` key (moby/profiles `goToNative` and
/// `nativeToSeccomp`). ARCH does not tell the byte order of mips and powerpc64; this build's
/// is used, which is the host's when `arch` comes from ARCH.
fn native_arch(arch: &str) -> Option<(&'static str, &'static str)> {
    let little = cfg!(target_endian = "little");
    let names = match arch {
        "x86" => ("x86", "SCMP_ARCH_X86"),
        "x86_64" | "amd64" => ("amd64", "SCMP_ARCH_X86_64"),
        "arm" => ("arm", "SCMP_ARCH_ARM"),
        "aarch64" | "arm64" => ("arm64", "SCMP_ARCH_AARCH64"),
        "mips" if little => ("mipsel", "SCMP_ARCH_MIPSEL"),
        "mipsel" => ("mipsel", "SCMP_ARCH_MIPSEL"),
        "mips64" if little => ("mipsel64", "SCMP_ARCH_MIPSEL64"),
        "mips64" => ("mips64", "SCMP_ARCH_MIPS64"),
        "mipsel64" => ("mipsel64", "SCMP_ARCH_MIPSEL64"),
        "powerpc" | "ppc" => ("ppc", "SCMP_ARCH_PPC"),
        "powerpc64" if little => ("ppc64le", "SCMP_ARCH_PPC64LE"),
        "powerpc64" | "ppc64" => ("ppc64", "SCMP_ARCH_PPC64"),
        "ppc64le" => ("ppc64le", "SCMP_ARCH_PPC64LE"),
        "riscv64" => ("riscv64", "SCMP_ARCH_RISCV64"),
        "s390x" => ("s390x", "SCMP_ARCH_S390X"),
        "loongarch64" | "loong64" => ("loong64", "SCMP_ARCH_LOONGARCH64"),
        _ => return None,
    };
    Some(names)
}

/// The capability as Docker's profiles spell it, e.g. "CAP_SYS_ADMIN".
fn cap_name(cap: &Capability) -> Option<String> {
    match serde_json::to_value(cap) {
        Ok(Value::String(name)) => Some(name),
        _ => None,
    }
}

/// The action as libseccomp compares it (`SCMP_ACT_ERRNO(x)` keeps the low 16 bits of x,
/// EPERM when unset), so KILL equals KILL_THREAD and ERRNO(1) differs from ERRNO(38).
fn action_code(action: LinuxSeccompAction, errno: Option<u32>) -> u32 {
    action.as_u32(Some(errno.unwrap_or(EPERM) & 0xffff))
}

fn all<T>(
    values: &[String],
    convert: impl Fn(&str) -> Result<T, SeccompError>,
) -> Result<Vec<T>, SeccompError> {
    values.iter().map(|v| convert(v)).collect()
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// Conversion of profile strings to OCI values, with errors naming the profile.
struct Convert<'a> {
    path: &'a str,
}

impl Convert<'_> {
    fn action(&self, value: &str) -> Result<LinuxSeccompAction, SeccompError> {
        value.parse().map_err(|_| SeccompError::UnknownAction {
            path: self.path.into(),
            value: value.into(),
        })
    }

    fn op(&self, value: &str) -> Result<LinuxSeccompOperator, SeccompError> {
        value.parse().map_err(|_| SeccompError::UnknownOperator {
            path: self.path.into(),
            value: value.into(),
        })
    }

    fn arch(&self, value: &str) -> Result<Arch, SeccompError> {
        value
            .parse()
            .map_err(|_| SeccompError::UnknownArchitecture {
                path: self.path.into(),
                value: value.into(),
            })
    }

    fn flag(&self, value: &str) -> Result<LinuxSeccompFilterFlag, SeccompError> {
        value.parse().map_err(|_| SeccompError::UnknownFlag {
            path: self.path.into(),
            value: value.into(),
        })
    }

    /// The profile-level checks of Docker's `setupSeccomp`, and runc's refusal of an
    /// empty default action.
    fn check_shape(&self, profile: &Profile) -> Result<(), SeccompError> {
        let path = self.path.to_string();
        let no_default = profile
            .default_action
            .as_deref()
            .unwrap_or_default()
            .is_empty();
        let has = |list: Option<usize>| list.is_some_and(|n| n > 0);
        if no_default && !has(profile.syscalls.as_ref().map(Vec::len)) {
            return Err(SeccompError::NoFilter { path });
        }
        if has(profile.architectures.as_ref().map(Vec::len))
            && has(profile.arch_map.as_ref().map(Vec::len))
        {
            return Err(SeccompError::ArchitecturesAndArchMap { path });
        }
        if no_default {
            return Err(SeccompError::NoDefaultAction { path });
        }
        Ok(())
    }

    /// The rule as an OCI syscall when its conditions hold on `target`, else `None`.
    fn filtered(&self, rule: Rule, target: &Target) -> Result<Option<LinuxSyscall>, SeccompError> {
        let names = self.names(rule.name, rule.names)?;
        if target.excluded_by(rule.excludes.as_ref()) || !target.included_by(rule.includes.as_ref())
        {
            return Ok(None);
        }
        let args = rule.args.unwrap_or_default();
        let args = args
            .iter()
            .map(|a| self.arg(a))
            .collect::<Result<Vec<_>, _>>()?;
        let mut syscall = LinuxSyscall::default();
        syscall.set_names(names);
        syscall.set_action(self.action(rule.action.as_deref().unwrap_or_default())?);
        syscall.set_errno_ret(rule.errno_ret);
        syscall.set_args(non_empty(args));
        Ok(Some(syscall))
    }

    /// Docker's legacy `name` becomes `names: [name]`; both at once is an error.
    fn names(
        &self,
        name: Option<String>,
        names: Option<Vec<String>>,
    ) -> Result<Vec<String>, SeccompError> {
        let names = names.unwrap_or_default();
        match name.filter(|n| !n.is_empty()) {
            None => Ok(names),
            Some(name) if names.is_empty() => Ok(vec![name]),
            Some(name) => Err(SeccompError::NameAndNames {
                path: self.path.into(),
                name,
            }),
        }
    }

    fn arg(&self, arg: &RuleArg) -> Result<LinuxSeccompArg, SeccompError> {
        let mut out = LinuxSeccompArgBuilder::default()
            .index(arg.index.unwrap_or_default())
            .value(arg.value.unwrap_or_default())
            .op(self.op(arg.op.as_deref().unwrap_or_default())?);
        // Go's `valueTwo` is omitted when 0; libcontainer reads a missing one as 0.
        if let Some(two) = arg.value_two.filter(|v| *v != 0) {
            out = out.value_two(two);
        }
        // The builder defaults every field it is not given, so it has nothing to refuse.
        Ok(out
            .build()
            .expect("LinuxSeccompArgBuilder defaults all fields"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Docker's default bounding set (`caps.DefaultCapabilities`).
    fn docker_caps() -> HashSet<Capability> {
        HashSet::from([
            Capability::Chown,
            Capability::DacOverride,
            Capability::Fsetid,
            Capability::Fowner,
            Capability::Mknod,
            Capability::NetRaw,
            Capability::Setgid,
            Capability::Setuid,
            Capability::Setfcap,
            Capability::Setpcap,
            Capability::NetBindService,
            Capability::SysChroot,
            Capability::Kill,
            Capability::AuditWrite,
        ])
    }

    fn caps_plus(extra: Capability) -> HashSet<Capability> {
        let mut caps = docker_caps();
        caps.insert(extra);
        caps
    }

    fn host(arch: &str) -> SeccompHost {
        SeccompHost {
            arch: arch.to_string(),
            kernel: (6, 8),
        }
    }

    fn x86_64_default() -> LinuxSeccomp {
        default_profile(&host("x86_64"), &docker_caps())
    }

    fn rules(seccomp: &LinuxSeccomp) -> &[LinuxSyscall] {
        seccomp.syscalls().as_deref().unwrap_or_default()
    }

    /// The rules naming `name`, as their OCI JSON.
    fn rules_for(seccomp: &LinuxSeccomp, name: &str) -> Vec<Value> {
        rules(seccomp)
            .iter()
            .filter(|r| r.names().iter().any(|n| n == name))
            .map(|r| serde_json::to_value(r).unwrap())
            .collect()
    }

    /// Whether `name` is allowed without argument conditions.
    fn allows(seccomp: &LinuxSeccomp, name: &str) -> bool {
        rules(seccomp).iter().any(|r| {
            r.action() == LinuxSeccompAction::ScmpActAllow
                && r.args().is_none()
                && r.names().iter().any(|n| n == name)
        })
    }

    fn user_profile(json: &str, host: &SeccompHost) -> Result<LinuxSeccomp, SeccompError> {
        profile_from_json("/etc/vassals/app.json", json, host, &docker_caps())
    }

    #[test]
    fn test_default_profile_x86_64_docker_caps() {
        let seccomp = x86_64_default();
        let value = serde_json::to_value(&seccomp).unwrap();
        assert_eq!(value["defaultAction"], "SCMP_ACT_ERRNO");
        assert_eq!(value["defaultErrnoRet"], 1);
        assert_eq!(
            value["architectures"],
            json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        );
        assert!(value.get("flags").is_none());
        assert!(allows(&seccomp, "read"));
        assert!(allows(&seccomp, "arch_prctl"));
        assert!(allows(&seccomp, "modify_ldt"));
        assert!(
            allows(&seccomp, "chroot"),
            "CAP_SYS_CHROOT is a default cap"
        );
        assert!(rules_for(&seccomp, "mount").is_empty());
        assert!(rules_for(&seccomp, "set_tls").is_empty());
        assert_eq!(
            rules_for(&seccomp, "clone"),
            [json!({"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                "args": [{"index": 0, "value": 0x7E02_0000_u64, "op": "SCMP_CMP_MASKED_EQ"}]})]
        );
        assert_eq!(
            rules_for(&seccomp, "clone3"),
            [json!({"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38})]
        );
    }

    #[test]
    fn test_default_profile_x86_64_rule_count() {
        // allow-all, minKernel 4.8, 3 socket, 5 personality, arch_prctl, modify_ldt, clone,
        // clone3 and chroot survive of moby's 33 rules.
        assert_eq!(rules(&x86_64_default()).len(), 15);
        assert_eq!(docker_default().syscalls.map(|s| s.len()), Some(33));
    }

    #[test]
    fn test_default_profile_allowed_name_count() {
        assert_eq!(names_file(DEFAULT_ALLOW_NAMES).count(), 361);
        assert_eq!(names_file(CAP_SYS_ADMIN_NAMES).count(), 26);
        let seccomp = x86_64_default();
        let first = &rules(&seccomp)[0];
        assert_eq!(first.names().len(), 361);
        assert_eq!(first.names()[0], "accept");
        assert_eq!(first.names()[360], "writev");
    }

    #[test]
    fn test_default_profile_sys_admin() {
        let seccomp = default_profile(&host("x86_64"), &caps_plus(Capability::SysAdmin));
        assert!(allows(&seccomp, "mount"));
        assert!(allows(&seccomp, "clone"));
        assert!(allows(&seccomp, "clone3"));
        assert_eq!(
            rules_for(&seccomp, "clone").len(),
            1,
            "no masked clone rule"
        );
        assert!(rules(&seccomp)
            .iter()
            .all(|r| r.action() != LinuxSeccompAction::ScmpActErrno));
    }

    #[test]
    fn test_default_profile_sys_ptrace() {
        let without = x86_64_default();
        assert!(!allows(&without, "kcmp"));
        assert!(allows(&without, "ptrace"), "kernel >= 4.8 allows ptrace");
        let with = default_profile(&host("x86_64"), &caps_plus(Capability::SysPtrace));
        assert!(allows(&with, "kcmp"));
        assert!(allows(&with, "pidfd_getfd"));
        let old_kernel = SeccompHost {
            kernel: (4, 4),
            ..host("x86_64")
        };
        // Below 4.8 only CAP_SYS_PTRACE allows ptrace.
        assert!(!allows(
            &default_profile(&old_kernel, &docker_caps()),
            "ptrace"
        ));
        assert!(allows(
            &default_profile(&old_kernel, &caps_plus(Capability::SysPtrace)),
            "ptrace"
        ));
    }

    #[test]
    fn test_default_profile_old_kernel() {
        for (kernel, allowed) in [((4, 4), false), ((4, 8), true), ((5, 0), true)] {
            let host = SeccompHost {
                kernel,
                ..host("x86_64")
            };
            let seccomp = default_profile(&host, &docker_caps());
            assert_eq!(allows(&seccomp, "ptrace"), allowed, "{kernel:?}");
            assert_eq!(allows(&seccomp, "process_vm_readv"), allowed, "{kernel:?}");
        }
    }

    #[test]
    fn test_default_profile_aarch64() {
        let seccomp = default_profile(&host("aarch64"), &docker_caps());
        assert_eq!(
            seccomp.architectures().as_deref(),
            Some(&[Arch::ScmpArchAarch64, Arch::ScmpArchArm][..])
        );
        assert!(allows(&seccomp, "set_tls"));
        assert!(allows(&seccomp, "cacheflush"));
        assert!(!allows(&seccomp, "arch_prctl"));
        assert!(!allows(&seccomp, "modify_ldt"));
    }

    #[test]
    fn test_default_profile_socket_args() {
        let expected: Vec<Value> = [
            (38, "SCMP_CMP_LT"),
            (39, "SCMP_CMP_EQ"),
            (40, "SCMP_CMP_GT"),
        ]
        .into_iter()
        .map(|(value, op)| {
            json!({"names": ["socket"], "action": "SCMP_ACT_ALLOW",
                    "args": [{"index": 0, "value": value, "op": op}]})
        })
        .collect();
        assert_eq!(rules_for(&x86_64_default(), "socket"), expected);
    }

    #[test]
    fn test_default_profile_personality_args() {
        let values: Vec<Value> = rules_for(&x86_64_default(), "personality")
            .iter()
            .map(|r| r["args"][0]["value"].clone())
            .collect();
        assert_eq!(
            values,
            json!([0, 8, 0x20000, 0x20008, 0xffff_ffff_u64])
                .as_array()
                .unwrap()[..]
        );
    }

    #[test]
    fn test_default_profile_s390x_clone_arg1() {
        let seccomp = default_profile(&host("s390x"), &docker_caps());
        assert_eq!(
            seccomp.architectures().as_deref(),
            Some(&[Arch::ScmpArchS390x, Arch::ScmpArchS390][..])
        );
        let clone = rules_for(&seccomp, "clone");
        assert_eq!(clone.len(), 1);
        assert_eq!(clone[0]["args"][0]["index"], 1);
        assert!(allows(&seccomp, "s390_runtime_instr"));
    }

    #[test]
    fn test_default_profile_arches_without_arch_map_entry() {
        for arch in ["x86", "powerpc", "sparc64", ""] {
            let seccomp = default_profile(&host(arch), &docker_caps());
            assert_eq!(seccomp.architectures(), &None, "{arch}");
            assert!(!allows(&seccomp, "arch_prctl"), "{arch}");
            assert_eq!(rules_for(&seccomp, "clone").len(), 1, "{arch}");
        }
        assert!(allows(
            &default_profile(&host("x86"), &docker_caps()),
            "modify_ldt"
        ));
    }

    #[test]
    fn test_default_profile_every_arch_and_all_caps() {
        let all_caps: HashSet<Capability> = serde_json::from_value(json!([
            "AUDIT_CONTROL",
            "AUDIT_READ",
            "AUDIT_WRITE",
            "BLOCK_SUSPEND",
            "BPF",
            "CHECKPOINT_RESTORE",
            "CHOWN",
            "DAC_OVERRIDE",
            "DAC_READ_SEARCH",
            "FOWNER",
            "FSETID",
            "IPC_LOCK",
            "IPC_OWNER",
            "KILL",
            "LEASE",
            "LINUX_IMMUTABLE",
            "MAC_ADMIN",
            "MAC_OVERRIDE",
            "MKNOD",
            "NET_ADMIN",
            "NET_BIND_SERVICE",
            "NET_BROADCAST",
            "NET_RAW",
            "PERFMON",
            "SETGID",
            "SETFCAP",
            "SETPCAP",
            "SETUID",
            "SYS_ADMIN",
            "SYS_BOOT",
            "SYS_CHROOT",
            "SYS_MODULE",
            "SYS_NICE",
            "SYS_PACCT",
            "SYS_PTRACE",
            "SYS_RAWIO",
            "SYS_RESOURCE",
            "SYS_TIME",
            "SYS_TTY_CONFIG",
            "SYSLOG",
            "WAKE_ALARM"
        ]))
        .unwrap();
        let arches = [
            "x86",
            "x86_64",
            "arm",
            "aarch64",
            "mips",
            "mips64",
            "mipsel64",
            "powerpc",
            "powerpc64",
            "ppc64le",
            "riscv64",
            "s390x",
            "loongarch64",
            "sparc64",
        ];
        for arch in arches {
            let seccomp = default_profile(&host(arch), &all_caps);
            for name in [
                "mount",
                "reboot",
                "bpf",
                "perf_event_open",
                "open_by_handle_at",
            ] {
                assert!(allows(&seccomp, name), "{arch} {name}");
            }
        }
        assert!(allows(
            &default_profile(&host("ppc64le"), &all_caps),
            "swapcontext"
        ));
        assert!(allows(
            &default_profile(&host("riscv64"), &all_caps),
            "riscv_flush_icache"
        ));
    }

    #[test]
    fn test_default_profile_arch_map_names_parse() {
        for entry in default_arch_map() {
            let names = entry
                .architecture
                .iter()
                .chain(entry.sub_architectures.iter().flatten());
            for name in names {
                let arch: Arch = name.parse().unwrap();
                assert_eq!(serde_json::to_value(arch).unwrap(), json!(name));
            }
        }
    }

    #[test]
    fn test_profile_from_json_names() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
                          "comment": "io"}]}"#;
        let seccomp = user_profile(json, &host("x86_64")).unwrap();
        assert_eq!(
            serde_json::to_value(&seccomp).unwrap(),
            json!({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]})
        );
    }

    #[test]
    fn test_profile_from_json_name() {
        let json = r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
             "args": [{"index": 1, "value": 511, "valueTwo": 0, "op": "SCMP_CMP_GE"}]}]}"#;
        let seccomp = user_profile(json, &host("x86_64")).unwrap();
        assert_eq!(
            serde_json::to_value(&seccomp).unwrap(),
            json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                 "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_GE"}]}]})
        );
    }

    #[test]
    fn test_profile_from_json_name_and_names() {
        let json = r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"name": "mkdir", "names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}"#;
        let err = user_profile(json, &host("x86_64")).unwrap_err();
        assert!(matches!(err, SeccompError::NameAndNames { .. }), "{err}");
        assert!(err.to_string().contains("\"mkdir\""), "{err}");
    }

    #[test]
    fn test_profile_from_json_arch_map() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO",
            "archMap": [
                {"architecture": "SCMP_ARCH_X86_64",
                 "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
                {"architecture": "SCMP_ARCH_RISCV64", "subArchitectures": null}],
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#;
        let arches = |arch: &str| {
            user_profile(json, &host(arch))
                .unwrap()
                .architectures()
                .clone()
        };
        assert_eq!(
            arches("x86_64"),
            Some(vec![
                Arch::ScmpArchX86_64,
                Arch::ScmpArchX86,
                Arch::ScmpArchX32
            ])
        );
        assert_eq!(
            arches("aarch64"),
            Some(vec![Arch::ScmpArchAarch64, Arch::ScmpArchArm])
        );
        assert_eq!(arches("riscv64"), Some(vec![Arch::ScmpArchRiscv64]));
        assert_eq!(arches("s390x"), None);
    }

    #[test]
    fn test_profile_from_json_architectures_and_arch_map() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"],
            "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}"#;
        let err = user_profile(json, &host("x86_64")).unwrap_err();
        assert!(
            matches!(err, SeccompError::ArchitecturesAndArchMap { .. }),
            "{err}"
        );
    }

    #[test]
    fn test_profile_from_json_includes_caps() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["chroot"], "action": "SCMP_ACT_ALLOW",
             "includes": {"caps": ["CAP_SYS_CHROOT"]}},
            {"names": ["mount"], "action": "SCMP_ACT_ALLOW",
             "includes": {"caps": ["CAP_SYS_CHROOT", "CAP_SYS_ADMIN"]}},
            {"names": ["reboot"], "action": "SCMP_ACT_ALLOW",
             "includes": {"caps": ["SYS_CHROOT"]}},
            {"names": ["kill"], "action": "SCMP_ACT_ALLOW",
             "excludes": {"caps": ["CAP_KILL"]}}]}"#;
        let seccomp = user_profile(json, &host("x86_64")).unwrap();
        let names: Vec<&str> = rules(&seccomp)
            .iter()
            .map(|r| r.names()[0].as_str())
            .collect();
        // Docker compares the exact spelling: "SYS_CHROOT" never matches the bounding set.
        assert_eq!(names, ["chroot"]);
        let with_admin = profile_from_json(
            "p.json",
            json,
            &host("x86_64"),
            &caps_plus(Capability::SysAdmin),
        )
        .unwrap();
        assert_eq!(rules(&with_admin).len(), 2);
    }

    #[test]
    fn test_profile_from_json_includes_arches_and_kernel() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["a"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
            {"names": ["b"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
            {"names": ["c"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.10"}},
            {"names": ["d"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "5.10"}},
            {"names": ["e"], "action": "SCMP_ACT_ALLOW", "includes": {}}]}"#;
        let names = |arch: &str, kernel| {
            let host = SeccompHost {
                arch: arch.into(),
                kernel,
            };
            let seccomp = user_profile(json, &host).unwrap();
            rules(&seccomp)
                .iter()
                .map(|r| r.names()[0].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("x86_64", (5, 4)), ["d", "e"]);
        assert_eq!(names("aarch64", (5, 10)), ["a", "b", "c", "e"]);
        assert_eq!(names("aarch64", (6, 1)), ["a", "b", "c", "e"]);
    }

    #[test]
    fn test_profile_from_json_invalid_min_kernel() {
        for bad in ["4", "4.8.1", "a.b", "0.0", "4.256", "+4.8"] {
            let json = format!(
                r#"{{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
                {{"names": ["a"], "action": "SCMP_ACT_ALLOW", "includes": {{"minKernel": "{bad}"}}}}]}}"#
            );
            let err = user_profile(&json, &host("x86_64")).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("invalid kernel version"), "{bad}: {text}");
            assert!(text.contains("line 2"), "{bad}: {text}");
        }
    }

    #[test]
    fn test_profile_from_json_bad_json() {
        let json = "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n}";
        let err = user_profile(json, &host("x86_64")).unwrap_err();
        assert!(matches!(err, SeccompError::Json { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("/etc/vassals/app.json"), "{text}");
        assert!(text.contains("line 4 column 1"), "{text}");
    }

    #[test]
    fn test_profile_from_json_wrong_type() {
        let json =
            "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"syscalls\": [{\"names\": \"read\"}]}";
        let text = user_profile(json, &host("x86_64")).unwrap_err().to_string();
        assert!(text.contains("/etc/vassals/app.json"), "{text}");
        assert!(text.contains("invalid type"), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn test_profile_from_json_unknown_action() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read"], "action": "SCMP_ACT_ALOW"}]}"#;
        let err = user_profile(json, &host("x86_64")).unwrap_err();
        assert!(matches!(err, SeccompError::UnknownAction { .. }), "{err}");
        assert!(err.to_string().contains("\"SCMP_ACT_ALOW\""), "{err}");
        let json = r#"{"defaultAction": "DENY", "syscalls": []}"#;
        let err = user_profile(json, &host("x86_64")).unwrap_err();
        assert!(err.to_string().contains("\"DENY\""), "{err}");
    }

    #[test]
    fn test_profile_from_json_unknown_names() {
        let cases = [
            (r#""architectures": ["SCMP_ARCH_VAX"]"#, "\"SCMP_ARCH_VAX\""),
            (
                r#""flags": ["SECCOMP_FILTER_FLAG_NOPE"]"#,
                "\"SECCOMP_FILTER_FLAG_NOPE\"",
            ),
            (
                r#""syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW",
                    "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]"#,
                "\"SCMP_CMP_ABOUT\"",
            ),
        ];
        for (field, named) in cases {
            let json = format!(r#"{{"defaultAction": "SCMP_ACT_ERRNO", {field}}}"#);
            let text = user_profile(&json, &host("x86_64"))
                .unwrap_err()
                .to_string();
            assert!(text.contains(named), "{text}");
        }
    }

    #[test]
    fn test_profile_from_json_filtered_rule_not_checked() {
        // Docker never converts a dropped rule, so runc never sees its action.
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["a"], "action": "SCMP_ACT_TYPO", "includes": {"arches": ["s390x"]}}]}"#;
        assert!(user_profile(json, &host("x86_64")).is_ok());
    }

    #[test]
    fn test_profile_from_json_skips_default_action() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "syscalls": [
            {"names": ["a"], "action": "SCMP_ACT_ERRNO"},
            {"names": ["b"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
            {"names": ["c"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
            {"names": ["d"], "action": "SCMP_ACT_ALLOW"}]}"#;
        let seccomp = user_profile(json, &host("x86_64")).unwrap();
        let names: Vec<&str> = rules(&seccomp)
            .iter()
            .map(|r| r.names()[0].as_str())
            .collect();
        assert_eq!(names, ["c", "d"]);
        let json = r#"{"defaultAction": "SCMP_ACT_KILL", "syscalls": [
            {"names": ["a"], "action": "SCMP_ACT_KILL_THREAD"},
            {"names": ["b"], "action": "SCMP_ACT_KILL_PROCESS"}]}"#;
        let seccomp = user_profile(json, &host("x86_64")).unwrap();
        assert_eq!(rules(&seccomp).len(), 1);
    }

    #[test]
    fn test_profile_from_json_case_insensitive_keys() {
        let json = r#"{"DefaultAction": "SCMP_ACT_ERRNO", "SYSCALLS": [
            {"Names": ["read"], "Action": "SCMP_ACT_ALLOW", "Includes": {"MinKernel": "3.0"}}],
            "unknownKey": true}"#;
        let seccomp = user_profile(json, &host("x86_64")).unwrap();
        assert!(allows(&seccomp, "read"));
    }

    #[test]
    fn test_profile_from_json_passes_flags_and_listener() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO",
            "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/agent.sock",
            "listenerMetadata": "", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_NOTIFY"}]}"#;
        let value = serde_json::to_value(user_profile(json, &host("x86_64")).unwrap()).unwrap();
        assert_eq!(value["flags"], json!(["SECCOMP_FILTER_FLAG_LOG"]));
        assert_eq!(value["listenerPath"], "/run/agent.sock");
        assert!(value.get("listenerMetadata").is_none());
        assert!(value.get("defaultErrnoRet").is_none());
    }

    #[test]
    fn test_profile_from_json_no_filter() {
        for json in ["{}", r#"{"defaultAction": "", "syscalls": []}"#] {
            let err = user_profile(json, &host("x86_64")).unwrap_err();
            assert!(matches!(err, SeccompError::NoFilter { .. }), "{err}");
        }
        let json = r#"{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#;
        let err = user_profile(json, &host("x86_64")).unwrap_err();
        assert!(matches!(err, SeccompError::NoDefaultAction { .. }), "{err}");
    }

    #[test]
    fn test_profile_from_json_never_panics() {
        let inputs = [
            "",
            "null",
            "[]",
            "1",
            r#"{"syscalls": null, "defaultAction": "SCMP_ACT_LOG"}"#,
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [null]}"#,
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{}]}"#,
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", "args": [{}]}]}"#,
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "errnoRet": -1, "defaultErrnoRet": -1}"#,
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{}], "syscalls": []}"#,
        ];
        for json in inputs {
            let _ = user_profile(json, &host("x86_64"));
        }
    }
}
