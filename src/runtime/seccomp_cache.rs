//! A container's seccomp filter compiled once per profile and kept as BPF.
//!
//! libcontainer 0.7 builds the filter with libseccomp from the spec's
//! `LinuxSeccomp` inside every container's init (`initialize_seccomp`): for
//! Docker's default profile (~370 syscalls on three architectures) that
//! compile was ~5 ms of every `run`, and its API takes no compiled program.
//! crun keeps the compiled program per profile in a cache; so does this
//! module: [`CompiledFilter::for_profile`] compiles a profile the first time
//! and stores the program under the run dir, keyed by a hash of the profile,
//! the libseccomp version and API level, and the architecture; later runs
//! read it back (~10 KB) and [`CompiledFilter::load`] installs it with one
//! `seccomp(2)` call. [`super::late_filter`] hands it to the container.
//!
//! The compile follows the OCI runtime spec's meaning of a profile, as runc
//! and libcontainer give it to libseccomp: the default action (errno EPERM
//! unless `defaultErrnoRet`), every listed architecture, no no_new_privs
//! from libseccomp, rules whose action equals the default skipped, names the
//! library does not know skipped, argument conditions on one index each per
//! rule (conditions repeating an index become one rule each), the filter
//! flags. `tests` compares the result with the program libcontainer loads.
//!
//! The cache lives under the run dir (a tmpfs on most hosts, so it is gone
//! after a reboot), in a directory of the runtime's user that nobody else
//! may write: one that is a symlink, someone else's, or group- or
//! world-writable is neither read nor written (every run then compiles).
//! An entry is opened without following symlinks and must be a regular file
//! of that user, writable by it alone; it holds the program followed by the
//! SHA-256 of its key and the program, so a torn, altered or misplaced entry
//! fails the check, is compiled again and replaced, and is never loaded.

use std::io::{Read, Seek, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use libseccomp::{
    ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall,
};
use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompFilterFlag, LinuxSeccompOperator,
};
use sha2::{Digest, Sha256};

/// Bumped whenever the compile below changes what it produces.
const FORMAT: &str = "vassalrun-seccomp-bpf-1";
/// One BPF instruction (`struct sock_filter`).
const INSN: usize = 8;
/// The kernel's limit on a classic BPF program (`BPF_MAXINSNS`).
const MAX_INSNS: usize = 4096;
const DIGEST: usize = 32;

/// A profile's program, ready to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledFilter {
    program: Vec<u8>,
    flags: libc::c_ulong,
}

/// Whether a profile can go through the cache: not with `SCMP_ACT_NOTIFY`
/// or a listener, whose descriptor only libcontainer's own load hands on.
pub fn cacheable(seccomp: &LinuxSeccomp) -> bool {
    let notify = std::iter::once(seccomp.default_action())
        .chain(seccomp.syscalls().iter().flatten().map(|s| s.action()))
        .any(|a| a == LinuxSeccompAction::ScmpActNotify);
    let wait_killable = seccomp
        .flags()
        .iter()
        .flatten()
        .any(|f| *f == LinuxSeccompFilterFlag::SeccompFilterFlagWaitKillableRecv);
    !notify && !wait_killable && seccomp.listener_path().is_none()
}

impl CompiledFilter {
    /// The program of `seccomp`, from the cache in `run_dir` or compiled
    /// (and then stored; a cache that cannot be written is only slower).
    pub fn for_profile(run_dir: &Path, seccomp: &LinuxSeccomp) -> Result<Self, String> {
        let flags = filter_flags(seccomp);
        let path = cache_path(run_dir, seccomp)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let usable = private_dir(dir);
        if let Some(program) = usable.then(|| read_cached(&path)).flatten() {
            return Ok(CompiledFilter { program, flags });
        }
        let program = compile(seccomp)?;
        if usable {
            let _ = store(&path, &program);
        } else {
            tracing::warn!(
                "{}: not a directory only this user may write; the seccomp filter is not cached",
                dir.display()
            );
        }
        Ok(CompiledFilter { program, flags })
    }

    /// Installs the filter on the calling thread (`seccomp(2)`,
    /// `SECCOMP_SET_MODE_FILTER`): needs no_new_privs or CAP_SYS_ADMIN.
    pub fn load(&self) -> std::io::Result<()> {
        let mut insns: Vec<libc::sock_filter> = self
            .program
            .chunks_exact(INSN)
            .map(|c| libc::sock_filter {
                code: u16::from_ne_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect();
        let prog = libc::sock_fprog {
            len: insns.len() as libc::c_ushort,
            filter: insns.as_mut_ptr(),
        };
        // SAFETY: `prog` points at `insns`, alive for the call; the kernel
        // copies and checks the program.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                self.flags,
                &prog as *const libc::sock_fprog,
            )
        };
        match rc {
            0 => Ok(()),
            // With TSYNC: the thread that could not be synchronized.
            tid if tid > 0 => Err(std::io::Error::other(format!(
                "thread {tid} could not take the filter"
            ))),
            _ => Err(std::io::Error::last_os_error()),
        }
    }
}

/// The kernel's filter flags for the spec's `flags` (what libseccomp's
/// load passes for the same attributes).
fn filter_flags(seccomp: &LinuxSeccomp) -> libc::c_ulong {
    let flag = |f: &LinuxSeccompFilterFlag| match f {
        LinuxSeccompFilterFlag::SeccompFilterFlagLog => libc::SECCOMP_FILTER_FLAG_LOG,
        LinuxSeccompFilterFlag::SeccompFilterFlagTsync => libc::SECCOMP_FILTER_FLAG_TSYNC,
        LinuxSeccompFilterFlag::SeccompFilterFlagSpecAllow => libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW,
        // Excluded by `cacheable`: only meaningful with a listener.
        LinuxSeccompFilterFlag::SeccompFilterFlagWaitKillableRecv => 0,
    };
    seccomp
        .flags()
        .iter()
        .flatten()
        .map(flag)
        .fold(0, |a, f| a | f)
}

/// `<run_dir>/seccomp/<hash>.bpf`: the hash covers everything the program
/// depends on besides the profile.
fn cache_path(run_dir: &Path, seccomp: &LinuxSeccomp) -> Result<PathBuf, String> {
    let profile = serde_json::to_vec(seccomp).map_err(|e| format!("seccomp profile: {e}"))?;
    let version = libseccomp::ScmpVersion::current()
        .map(|v| format!("{}.{}.{}", v.major, v.minor, v.micro))
        .unwrap_or_default();
    let mut hash = Sha256::new();
    for part in [
        FORMAT.as_bytes(),
        version.as_bytes(),
        &libseccomp::get_api().to_le_bytes(),
        std::env::consts::ARCH.as_bytes(),
        &profile,
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    let name = format!("{:x}.bpf", hash.finalize());
    Ok(run_dir.join("seccomp").join(name))
}

/// Whether `dir` may hold the cache: created here if missing (0700); an
/// existing one must be a real directory of this user that no one else may
/// write.
fn private_dir(dir: &Path) -> bool {
    let _ = std::fs::DirBuilder::new().mode(0o700).create(dir);
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_dir() && owned_and_not_shared(&m))
}

fn owned_and_not_shared(m: &std::fs::Metadata) -> bool {
    m.uid() == nix::unistd::geteuid().as_raw() && m.mode() & 0o022 == 0
}

/// The digest an entry ends with: of its name (the key) and the program.
fn entry_digest(path: &Path, program: &[u8]) -> [u8; DIGEST] {
    let name = path
        .file_name()
        .map(|n| n.as_encoded_bytes())
        .unwrap_or_default();
    let mut hash = Sha256::new();
    hash.update((name.len() as u64).to_le_bytes());
    hash.update(name);
    hash.update(program);
    hash.finalize().into()
}

/// The cached program, if the entry is there, a regular file of this user
/// only it may write, whole and unaltered.
fn read_cached(path: &Path) -> Option<Vec<u8>> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    let size = meta.len() as usize;
    if !meta.file_type().is_file()
        || !owned_and_not_shared(&meta)
        || !(DIGEST + INSN..=DIGEST + MAX_INSNS * INSN).contains(&size)
    {
        return None;
    }
    let mut data = Vec::with_capacity(size);
    file.read_to_end(&mut data).ok()?;
    if data.len() != size || !(size - DIGEST).is_multiple_of(INSN) {
        return None;
    }
    let digest = data.split_off(size - DIGEST);
    (entry_digest(path, &data) == digest.as_slice()).then_some(data)
}

/// Writes the program and its digest atomically (temporary file, rename)
/// into a directory [`private_dir`] accepted. No fsync: an entry lost in a
/// crash is compiled again.
fn store(path: &Path, program: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.{}", std::process::id(), rand::random::<u64>()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(program)?;
            f.write_all(&entry_digest(path, program))
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Compiles the profile with libseccomp into a BPF program.
pub fn compile(seccomp: &LinuxSeccomp) -> Result<Vec<u8>, String> {
    let ctx = filter_context(seccomp)?;
    // libseccomp 2.5 exports only to a descriptor.
    let mut out = memfd()?;
    ctx.export_bpf(out.as_fd())
        .map_err(|e| format!("seccomp profile: export: {e}"))?;
    let mut program = Vec::new();
    out.rewind()
        .and_then(|()| out.read_to_end(&mut program))
        .map_err(|e| format!("seccomp profile: export: {e}"))?;
    if program.is_empty() || program.len() % INSN != 0 || program.len() > MAX_INSNS * INSN {
        return Err(format!(
            "seccomp profile: the compiled program has {} bytes",
            program.len()
        ));
    }
    Ok(program)
}

fn memfd() -> Result<std::fs::File, String> {
    let fd = nix::sys::memfd::memfd_create(
        c"vassalrun-seccomp",
        nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
    )
    .map_err(|e| format!("seccomp profile: memfd: {e}"))?;
    Ok(std::fs::File::from(fd))
}

/// The libseccomp filter the profile describes (see the module doc).
fn filter_context(seccomp: &LinuxSeccomp) -> Result<ScmpFilterContext, String> {
    let library = |e: libseccomp::error::SeccompError| format!("seccomp profile: {e}");
    filter_rules(seccomp).map_err(|e| match e {
        RulesError::Library(e) => library(e),
        RulesError::Profile(e) => format!("seccomp profile: {e}"),
    })
}

enum RulesError {
    Library(libseccomp::error::SeccompError),
    Profile(String),
}

impl From<libseccomp::error::SeccompError> for RulesError {
    fn from(e: libseccomp::error::SeccompError) -> Self {
        RulesError::Library(e)
    }
}

fn filter_rules(seccomp: &LinuxSeccomp) -> Result<ScmpFilterContext, RulesError> {
    let default = action(seccomp.default_action(), seccomp.default_errno_ret())?;
    let mut ctx = ScmpFilterContext::new(default)?;
    for flag in seccomp.flags().iter().flatten() {
        match flag {
            LinuxSeccompFilterFlag::SeccompFilterFlagLog => ctx.set_ctl_log(true)?,
            LinuxSeccompFilterFlag::SeccompFilterFlagTsync => ctx.set_ctl_tsync(true)?,
            LinuxSeccompFilterFlag::SeccompFilterFlagSpecAllow => ctx.set_ctl_ssb(true)?,
            LinuxSeccompFilterFlag::SeccompFilterFlagWaitKillableRecv => &mut ctx,
        };
    }
    for arch in seccomp.architectures().iter().flatten() {
        ctx.add_arch(scmp_arch(*arch))?;
    }
    // no_new_privs is the spec's `process.noNewPrivileges`, set (or not) by
    // libcontainer; the library must not set it on its own.
    ctx.set_ctl_nnp(false)?;
    for rule in seccomp.syscalls().iter().flatten() {
        let act = action(rule.action(), rule.errno_ret())?;
        if act == default {
            continue; // libseccomp refuses a rule repeating the default
        }
        let conditions: Vec<ScmpArgCompare> = rule
            .args()
            .iter()
            .flatten()
            .map(|a| {
                ScmpArgCompare::new(a.index() as u32, operator(a.op(), a.value_two()), a.value())
            })
            .collect();
        let mut indexes: Vec<u32> = rule
            .args()
            .iter()
            .flatten()
            .map(|a| a.index() as u32)
            .collect();
        indexes.sort_unstable();
        let repeated = indexes.windows(2).any(|w| w[0] == w[1]);
        for name in rule.names() {
            // A name this libseccomp does not know: the kernel has no such
            // call to filter (runc and libcontainer skip it too).
            let Ok(call) = ScmpSyscall::from_name(name) else {
                continue;
            };
            match (conditions.is_empty(), repeated) {
                (true, _) => ctx.add_rule(act, call)?,
                // libseccomp takes one condition per argument index in a rule.
                (false, true) => {
                    for c in &conditions {
                        ctx.add_rule_conditional(act, call, std::slice::from_ref(c))?;
                    }
                    &mut ctx
                }
                (false, false) => ctx.add_rule_conditional(act, call, &conditions)?,
            };
        }
    }
    Ok(ctx)
}

fn action(action: LinuxSeccompAction, errno: Option<u32>) -> Result<ScmpAction, RulesError> {
    let errno = errno.map_or(libc::EPERM, |e| e as i32);
    Ok(match action {
        LinuxSeccompAction::ScmpActKill | LinuxSeccompAction::ScmpActKillThread => {
            ScmpAction::KillThread
        }
        LinuxSeccompAction::ScmpActKillProcess => ScmpAction::KillProcess,
        LinuxSeccompAction::ScmpActTrap => ScmpAction::Trap,
        LinuxSeccompAction::ScmpActErrno => ScmpAction::Errno(errno),
        LinuxSeccompAction::ScmpActTrace => {
            ScmpAction::Trace(u16::try_from(errno).map_err(|_| {
                RulesError::Profile(format!(
                    "SCMP_ACT_TRACE takes a value up to 65535, not {errno}"
                ))
            })?)
        }
        LinuxSeccompAction::ScmpActAllow => ScmpAction::Allow,
        LinuxSeccompAction::ScmpActLog => ScmpAction::Log,
        LinuxSeccompAction::ScmpActNotify => ScmpAction::Notify,
    })
}

fn operator(op: LinuxSeccompOperator, mask: Option<u64>) -> ScmpCompareOp {
    match op {
        LinuxSeccompOperator::ScmpCmpNe => ScmpCompareOp::NotEqual,
        LinuxSeccompOperator::ScmpCmpLt => ScmpCompareOp::Less,
        LinuxSeccompOperator::ScmpCmpLe => ScmpCompareOp::LessOrEqual,
        LinuxSeccompOperator::ScmpCmpEq => ScmpCompareOp::Equal,
        LinuxSeccompOperator::ScmpCmpGe => ScmpCompareOp::GreaterEqual,
        LinuxSeccompOperator::ScmpCmpGt => ScmpCompareOp::Greater,
        LinuxSeccompOperator::ScmpCmpMaskedEq => ScmpCompareOp::MaskedEqual(mask.unwrap_or(0)),
    }
}

fn scmp_arch(arch: Arch) -> ScmpArch {
    match arch {
        Arch::ScmpArchNative => ScmpArch::Native,
        Arch::ScmpArchX86 => ScmpArch::X86,
        Arch::ScmpArchX86_64 => ScmpArch::X8664,
        Arch::ScmpArchX32 => ScmpArch::X32,
        Arch::ScmpArchArm => ScmpArch::Arm,
        Arch::ScmpArchAarch64 => ScmpArch::Aarch64,
        Arch::ScmpArchMips => ScmpArch::Mips,
        Arch::ScmpArchMips64 => ScmpArch::Mips64,
        Arch::ScmpArchMips64n32 => ScmpArch::Mips64N32,
        Arch::ScmpArchMipsel => ScmpArch::Mipsel,
        Arch::ScmpArchMipsel64 => ScmpArch::Mipsel64,
        Arch::ScmpArchMipsel64n32 => ScmpArch::Mipsel64N32,
        Arch::ScmpArchPpc => ScmpArch::Ppc,
        Arch::ScmpArchPpc64 => ScmpArch::Ppc64,
        Arch::ScmpArchPpc64le => ScmpArch::Ppc64Le,
        Arch::ScmpArchS390 => ScmpArch::S390,
        Arch::ScmpArchS390x => ScmpArch::S390X,
        Arch::ScmpArchRiscv64 => ScmpArch::Riscv64,
        Arch::ScmpArchParisc => ScmpArch::Parisc,
        Arch::ScmpArchParisc64 => ScmpArch::Parisc64,
        Arch::ScmpArchLoongarch64 => ScmpArch::Loongarch64,
        Arch::ScmpArchM68k => ScmpArch::M68k,
        Arch::ScmpArchSh => ScmpArch::Sh,
        Arch::ScmpArchSheb => ScmpArch::Sheb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::os::fd::AsRawFd;

    use crate::spec::seccomp::{default_profile, SeccompHost};
    use oci_spec::runtime::Capability;

    /// `PTRACE_SECCOMP_GET_FILTER` (linux/ptrace.h).
    const GET_FILTER: libc::c_uint = 0x420c;

    fn as_root() -> bool {
        nix::unistd::geteuid().is_root()
    }

    /// The program libcontainer itself installs for `seccomp`: loaded in a
    /// forked child, which says so on a pipe and waits; the parent stops it
    /// (ptrace) and reads the filter back. The child uses only `write`,
    /// `read` and `exit_group` under the filter (every test profile allows them).
    fn loaded_by_libcontainer(seccomp: &LinuxSeccomp) -> Vec<u8> {
        let (ready_r, ready_w) = nix::unistd::pipe().expect("pipe");
        let (hold_r, hold_w) = nix::unistd::pipe().expect("pipe");
        // SAFETY: the child only loads the filter and blocks; the test
        // process has no other thread holding allocator locks at this point
        // (nextest runs each test in a process of its own).
        match unsafe { nix::unistd::fork() }.expect("fork") {
            nix::unistd::ForkResult::Child => {
                // SAFETY: plain syscalls in the child.
                unsafe {
                    let traced = libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) == 0;
                    let loaded = libcontainer::seccomp::initialize_seccomp(seccomp).is_ok();
                    let byte = [u8::from(traced && loaded)];
                    libc::write(ready_w.as_raw_fd(), byte.as_ptr().cast(), 1);
                    let mut buf = [0u8; 1];
                    libc::read(hold_r.as_raw_fd(), buf.as_mut_ptr().cast(), 1);
                    libc::_exit(0);
                }
            }
            nix::unistd::ForkResult::Parent { child } => {
                drop((ready_w, hold_r));
                let mut byte = [0u8; 1];
                let mut ready = std::fs::File::from(ready_r);
                ready.read_exact(&mut byte).expect("child ready");
                assert_eq!(byte[0], 1, "the child could not trace or load");
                nix::sys::signal::kill(child, nix::sys::signal::SIGSTOP).expect("stop");
                let flags = Some(nix::sys::wait::WaitPidFlag::WUNTRACED);
                let status = nix::sys::wait::waitpid(child, flags).expect("waitpid");
                assert!(
                    matches!(status, nix::sys::wait::WaitStatus::Stopped(_, _)),
                    "{status:?}"
                );
                let pid = child.as_raw();
                // SAFETY: a NULL buffer asks for the length only.
                let n = unsafe { libc::ptrace(GET_FILTER, pid, 0, std::ptr::null_mut::<u8>()) };
                assert!(
                    n > 0,
                    "PTRACE_SECCOMP_GET_FILTER: {}",
                    std::io::Error::last_os_error()
                );
                let mut buf = vec![0u8; n as usize * INSN];
                // SAFETY: `buf` holds `n` instructions.
                let got = unsafe { libc::ptrace(GET_FILTER, pid, 0, buf.as_mut_ptr()) };
                assert_eq!(got, n);
                let _ = nix::sys::signal::kill(child, nix::sys::signal::SIGKILL);
                let _ = nix::sys::wait::waitpid(child, None);
                drop(hold_w);
                buf
            }
        }
    }

    fn profile(json: &str) -> LinuxSeccomp {
        serde_json::from_str(json).expect("profile")
    }

    fn docker_default() -> LinuxSeccomp {
        let host = SeccompHost {
            arch: std::env::consts::ARCH.to_string(),
            kernel: (6, 1),
        };
        let bounding: HashSet<Capability> = [Capability::Chown, Capability::NetBindService].into();
        default_profile(&host, &bounding)
    }

    /// Our compile gives the very program libcontainer's own load installs,
    /// for Docker's default profile and for profiles using every feature
    /// the translation handles.
    #[test]
    fn test_compiled_program_is_the_one_libcontainer_loads() {
        if !as_root() {
            return;
        }
        let profiles = [
            docker_default(),
            profile(
                r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
                    "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
                    "flags":["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                    "syscalls":[
                      {"names":["read","write","exit_group","no_such_call"],"action":"SCMP_ACT_ALLOW"},
                      {"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
                      {"names":["getpid"],"action":"SCMP_ACT_ERRNO"},
                      {"names":["personality"],"action":"SCMP_ACT_ALLOW",
                       "args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"},
                               {"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
                      {"names":["clone"],"action":"SCMP_ACT_ALLOW",
                       "args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"},
                               {"index":1,"value":5,"op":"SCMP_CMP_GT"}]},
                      {"names":["kill"],"action":"SCMP_ACT_KILL_PROCESS"},
                      {"names":["tkill"],"action":"SCMP_ACT_TRAP"},
                      {"names":["getppid"],"action":"SCMP_ACT_LOG"},
                      {"names":["getuid"],"action":"SCMP_ACT_TRACE","errnoRet":7}
                    ]}"#,
            ),
            profile(
                r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"],
                    "syscalls":[{"names":["chmod","fchmod"],"action":"SCMP_ACT_KILL"},
                                {"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
            ),
        ];
        for (i, seccomp) in profiles.iter().enumerate() {
            let ours = compile(seccomp).expect("compile");
            assert_eq!(ours, loaded_by_libcontainer(seccomp), "profile {i}");
        }
    }

    #[test]
    fn test_the_cache_serves_the_same_program_and_refuses_a_damaged_one() {
        let dir = tempfile::tempdir().unwrap();
        let seccomp = docker_default();
        let first = CompiledFilter::for_profile(dir.path(), &seccomp).unwrap();
        let path = cache_path(dir.path(), &seccomp).unwrap();
        let stored = std::fs::read(&path).unwrap();
        assert_eq!(stored.len(), first.program.len() + DIGEST);
        assert_eq!(
            CompiledFilter::for_profile(dir.path(), &seccomp).unwrap(),
            first
        );

        // One flipped bit in the program: the digest no longer matches.
        let mut damaged = stored.clone();
        damaged[9] ^= 1;
        std::fs::write(&path, &damaged).unwrap();
        assert_eq!(read_cached(&path), None);
        assert_eq!(
            CompiledFilter::for_profile(dir.path(), &seccomp).unwrap(),
            first
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            stored,
            "replaced by a fresh compile"
        );

        // Truncated to a whole number of instructions: refused too.
        std::fs::write(&path, &stored[..stored.len() - DIGEST - INSN]).unwrap();
        assert_eq!(read_cached(&path), None);

        // Another profile has another entry.
        let other = profile(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        assert_ne!(cache_path(dir.path(), &other).unwrap(), path);
    }

    /// The cache is used only in a directory of this user nobody else may
    /// write, and only through regular files of this user (no symlink).
    #[test]
    fn test_a_shared_directory_or_a_foreign_entry_is_never_read() {
        use std::os::unix::fs::PermissionsExt;
        let run = tempfile::tempdir().unwrap();
        let seccomp = docker_default();
        let first = CompiledFilter::for_profile(run.path(), &seccomp).unwrap();
        let path = cache_path(run.path(), &seccomp).unwrap();
        let dir = path.parent().unwrap().to_path_buf();
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert!(read_cached(&path).is_some());

        // Group-writable directory: neither read nor written.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o770)).unwrap();
        assert!(!private_dir(&dir));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            CompiledFilter::for_profile(run.path(), &seccomp).unwrap(),
            first
        );
        assert!(!path.exists(), "no entry written into a shared directory");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();

        // A valid entry reached through a symlink, or writable by others: refused.
        let elsewhere = tempfile::tempdir().unwrap();
        let real = CompiledFilter::for_profile(elsewhere.path(), &seccomp).unwrap();
        assert_eq!(real, first);
        let real_path = cache_path(elsewhere.path(), &seccomp).unwrap();
        std::os::unix::fs::symlink(&real_path, &path).unwrap();
        assert_eq!(read_cached(&path), None);
        std::fs::remove_file(&path).unwrap();
        std::fs::copy(&real_path, &path).unwrap();
        assert!(
            read_cached(&path).is_some(),
            "the same bytes under their own name"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(read_cached(&path), None);

        // The directory itself a symlink: not used.
        let run2 = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(&dir, run2.path().join("seccomp")).unwrap();
        assert!(!private_dir(&run2.path().join("seccomp")));
    }

    /// An entry moved under another profile's name fails its digest.
    #[test]
    fn test_an_entry_under_another_name_is_refused() {
        let run = tempfile::tempdir().unwrap();
        let other = profile(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        CompiledFilter::for_profile(run.path(), &docker_default()).unwrap();
        let from = cache_path(run.path(), &docker_default()).unwrap();
        let to = cache_path(run.path(), &other).unwrap();
        std::fs::rename(&from, &to).unwrap();
        assert_eq!(read_cached(&to), None);
        let fresh = CompiledFilter::for_profile(run.path(), &other).unwrap();
        assert_eq!(fresh.program, compile(&other).unwrap());
    }

    #[test]
    fn test_a_trace_value_beyond_16_bits_is_an_error() {
        let p = profile(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_TRACE","errnoRet":70000}]}"#,
        );
        let err = compile(&p).unwrap_err();
        assert!(err.contains("70000"), "{err}");
    }

    #[test]
    fn test_notify_profiles_are_not_cached() {
        let notify = profile(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/l.sock",
                "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#,
        );
        assert!(!cacheable(&notify));
        assert!(cacheable(&docker_default()));
    }
}
