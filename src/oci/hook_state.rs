//! The state the create-time hooks read on stdin says `"created"`, as crun's
//! does, where libcontainer 0.7 says `"creating"` (as runc).
//!
//! The runtime spec numbers the prestart, createRuntime and createContainer
//! hooks steps 3 to 5 of the lifecycle and defines `created` as "the runtime
//! has finished the create operation (after step 2)": the environment exists
//! and the user program has not run. runtime-tools' `hooks_stdin` checks it.
//!
//! libcontainer writes the state of its own container object, which is
//! "creating" until `create` returns, and offers no way to change it. So
//! [`wrap`] puts this binary in front of each such hook: it runs as the hook
//! ([`shim_main`], selected by [`SHIM_ARG0`]), reads the state, changes
//! `"creating"` to `"created"` (and, in the container's namespaces, gives the
//! missing `pid`: the init's as the container sees it, the shim's parent),
//! and execs the real hook with that state as its stdin. The hook keeps its
//! path's program, arguments, environment and timeout (the shim execs in
//! place, so libcontainer's timeout kills the hook itself). The wrapped spec
//! reaches libcontainer through [`super::shown_spec`], whose private mount
//! namespace the shim leaves again for the runtime-side hooks.
//!
//! Left as libcontainer has it (state "creating", like runc): containers
//! without a mount namespace of their own (they would share the private one)
//! and containers asking for shared mount propagation (their mounts would
//! propagate to the private namespace instead of the host's), unless the
//! late seccomp path shows a changed spec anyway; startContainer hooks, which
//! run inside the container's root where this binary is not.

use std::ffi::{CString, OsString};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::sched::{setns, CloneFlags};
use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use nix::unistd::{close, dup2, execv, getppid, lseek, Whence};
use oci_spec::runtime::{Hook, HookBuilder, LinuxNamespaceType, Spec};
use serde_json::Value;

/// The program name (argv[0]) that makes this binary the hook shim.
pub const SHIM_ARG0: &str = "vassalrun-hook-state";

/// Where a wrapped hook runs: in the runtime's namespaces (prestart,
/// createRuntime: the shim first rejoins the runtime's mount namespace) or in
/// the container's (createContainer).
const RUNTIME: &str = "runtime";
const CONTAINER: &str = "container";

/// Whether `spec` has create-time hooks whose state vassalrun may correct on
/// its own account (see the module doc for the cases left alone).
pub fn wanted(spec: &Spec) -> bool {
    let Some(hooks) = spec.hooks() else {
        return false;
    };
    let any = [
        hooks.prestart(),
        hooks.create_runtime(),
        hooks.create_container(),
    ]
    .into_iter()
    .any(|h| h.as_ref().is_some_and(|h| !h.is_empty()));
    any && has_own_mount_namespace(spec) && !asks_shared_propagation(spec)
}

fn has_own_mount_namespace(spec: &Spec) -> bool {
    let namespaces = spec.linux().as_ref().and_then(|l| l.namespaces().as_ref());
    namespaces.is_some_and(|n| n.iter().any(|n| n.typ() == LinuxNamespaceType::Mount))
}

fn asks_shared_propagation(spec: &Spec) -> bool {
    let shared = |p: &str| matches!(p, "shared" | "rshared");
    let rootfs = spec
        .linux()
        .as_ref()
        .and_then(|l| l.rootfs_propagation().as_deref())
        .is_some_and(shared);
    let mounts = spec.mounts().iter().flatten();
    rootfs
        || mounts
            .flat_map(|m| m.options().iter().flatten())
            .any(|o| shared(o))
}

/// `spec` with its prestart, createRuntime and createContainer hooks each
/// run through the shim at `exe` (this binary, read-only); `runtime_ns` is
/// [`super::shown_spec::OriginalMountNs`]'s descriptor.
pub fn wrap(mut spec: Spec, exe: &Path, runtime_ns: RawFd) -> Spec {
    let Some(hooks) = spec.hooks_mut().as_mut() else {
        return spec;
    };
    let through = |list: &Option<Vec<Hook>>, side: &str| {
        list.as_ref().map(|l| {
            l.iter()
                .map(|h| shimmed(h, exe, side, runtime_ns))
                .collect()
        })
    };
    let prestart = through(hooks.prestart(), RUNTIME);
    let create_runtime = through(hooks.create_runtime(), RUNTIME);
    let create_container = through(hooks.create_container(), CONTAINER);
    hooks.set_prestart(prestart);
    hooks.set_create_runtime(create_runtime);
    hooks.set_create_container(create_container);
    spec
}

/// `hook` as arguments of the shim: `SHIM_ARG0 SIDE FD PATH ARG0 ARGS…`.
fn shimmed(hook: &Hook, exe: &Path, side: &str, runtime_ns: RawFd) -> Hook {
    let path = hook.path().to_string_lossy().into_owned();
    let mut args = vec![
        SHIM_ARG0.to_string(),
        side.to_string(),
        runtime_ns.to_string(),
        path.clone(),
    ];
    match hook.args() {
        Some(a) if !a.is_empty() => args.extend(a.iter().cloned()),
        // libcontainer's arg0 for a hook without args: its path.
        _ => args.push(path),
    }
    let mut builder = HookBuilder::default().path(exe).args(args);
    if let Some(env) = hook.env() {
        builder = builder.env(env.clone());
    }
    if let Some(timeout) = hook.timeout() {
        builder = builder.timeout(timeout);
    }
    builder.build().unwrap_or_else(|_| hook.clone())
}

/// The shim, when this binary runs as [`SHIM_ARG0`]: never returns on
/// success (the hook replaces it); otherwise exits 127 with one line naming
/// what failed.
pub fn shim_main(args: Vec<OsString>) -> u8 {
    match shim(&args) {
        Ok(never) => match never {},
        Err(reason) => {
            eprintln!("vassalrun: hook state: {reason}");
            127
        }
    }
}

fn shim(args: &[OsString]) -> Result<std::convert::Infallible, String> {
    let [_, side, fd, path, hook_args @ ..] = args else {
        return Err("usage: SIDE FD PATH ARG0 [ARG…]".into());
    };
    if hook_args.is_empty() {
        return Err("usage: SIDE FD PATH ARG0 [ARG…]".into());
    }
    let fd: RawFd = fd
        .to_str()
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| format!("invalid descriptor {fd:?}"))?;
    let in_container = match side.to_str() {
        Some(RUNTIME) => false,
        Some(CONTAINER) => true,
        _ => return Err(format!("invalid side {side:?}")),
    };
    if !in_container {
        rejoin_runtime_namespace(fd)?;
    }
    // The hook itself gets no descriptor of the runtime's namespace.
    let _ = close(fd);
    let mut state = Vec::new();
    std::io::stdin()
        .read_to_end(&mut state)
        .map_err(|e| format!("read the state: {e}"))?;
    let state = corrected(&state, in_container);
    feed_stdin(&state)?;
    // Rust's runtime ignored SIGPIPE before `main`; the hook must start with
    // the default, as it would have without the shim (libcontainer's
    // processes catch it, and a caught signal is reset by exec).
    // SAFETY: single-threaded; SIG_DFL installs no handler.
    unsafe {
        nix::libc::signal(nix::libc::SIGPIPE, nix::libc::SIG_DFL);
    }
    let c = |s: &OsString| CString::new(s.as_bytes()).map_err(|_| format!("NUL in {s:?}"));
    let program = c(path)?;
    let argv = hook_args.iter().map(c).collect::<Result<Vec<_>, _>>()?;
    let e = execv(&program, &argv).unwrap_err();
    Err(format!("exec {}: {e}", path.to_string_lossy()))
}

/// Joins the runtime's mount namespace through descriptor `fd`, keeping the
/// working directory's path (setns moves it to the namespace's root).
fn rejoin_runtime_namespace(fd: RawFd) -> Result<(), String> {
    let cwd = std::env::current_dir().ok();
    // SAFETY: `fd` was inherited from `create` for exactly this use and stays
    // open until we close it below.
    let ns = unsafe { BorrowedFd::borrow_raw(fd) };
    setns(ns, CloneFlags::CLONE_NEWNS)
        .map_err(|e| format!("join the runtime's mount namespace: {e}"))?;
    if let Some(cwd) = cwd {
        // Best effort: the directory may not exist outside the private
        // namespace; the hook then starts in `/`, which setns chose.
        let _ = std::env::set_current_dir(cwd);
    }
    Ok(())
}

/// The state with `"creating"` made `"created"` and, for a hook in the
/// container's namespaces, the missing pid filled in. Anything that is not a
/// JSON object passes unchanged.
fn corrected(state: &[u8], in_container: bool) -> Vec<u8> {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(state) else {
        return state.to_vec();
    };
    if map.get("status").and_then(Value::as_str) != Some("creating") {
        return state.to_vec();
    }
    map.insert("status".into(), "created".into());
    let pid_missing = map.get("pid").and_then(Value::as_i64).unwrap_or(0) <= 0;
    if in_container && pid_missing {
        map.insert("pid".into(), getppid().as_raw().into());
    }
    serde_json::to_vec(&Value::Object(map)).unwrap_or_else(|_| state.to_vec())
}

/// Makes `state` this process's stdin (a memory file, read from its start).
fn feed_stdin(state: &[u8]) -> Result<(), String> {
    let name = CString::new("oci-state").unwrap_or_default();
    let memfd = memfd_create(&name, MemFdCreateFlag::MFD_CLOEXEC)
        .map_err(|e| format!("memfd for the state: {e}"))?;
    let mut file = std::fs::File::from(memfd);
    file.write_all(state)
        .map_err(|e| format!("write the state: {e}"))?;
    lseek(file.as_raw_fd(), 0, Whence::SeekSet).map_err(|e| format!("rewind the state: {e}"))?;
    dup2(file.as_raw_fd(), 0).map_err(|e| format!("state as stdin: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: &str) -> Spec {
        let json = format!(
            r#"{{"ociVersion":"1.0.2",
               "hooks":{{"prestart":[{{"path":"/bin/h","timeout":3}}],
                         "createContainer":[{{"path":"/bin/c","args":["c","-x"],"env":["A=1"]}}],
                         "poststart":[{{"path":"/bin/p"}}]}},
               "linux":{{"namespaces":[{{"type":"mount"}}]{extra}}}}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn test_wrap_keeps_path_args_env_timeout() {
        let wrapped = wrap(spec(""), Path::new("/r/vassalrun"), 9);
        let hooks = wrapped.hooks().as_ref().unwrap();
        let pre = &hooks.prestart().as_ref().unwrap()[0];
        assert_eq!(pre.path(), Path::new("/r/vassalrun"));
        assert_eq!(
            pre.args().as_ref().unwrap(),
            &[SHIM_ARG0, "runtime", "9", "/bin/h", "/bin/h"]
        );
        assert_eq!(pre.timeout(), Some(3));
        let cc = &hooks.create_container().as_ref().unwrap()[0];
        assert_eq!(
            cc.args().as_ref().unwrap(),
            &[SHIM_ARG0, "container", "9", "/bin/c", "c", "-x"]
        );
        assert_eq!(cc.env().as_ref().unwrap(), &["A=1"]);
        // poststart is untouched.
        let post = &hooks.poststart().as_ref().unwrap()[0];
        assert_eq!(post.path(), Path::new("/bin/p"));
    }

    #[test]
    fn test_wanted_table() {
        assert!(wanted(&spec("")));
        assert!(!wanted(&spec(r#","rootfsPropagation":"rshared""#)));
        let no_mount_ns: Spec = serde_json::from_str(
            r#"{"ociVersion":"1.0.2","hooks":{"prestart":[{"path":"/bin/h"}]},
                "linux":{"namespaces":[{"type":"pid"}]}}"#,
        )
        .unwrap();
        assert!(!wanted(&no_mount_ns));
        let only_poststart: Spec = serde_json::from_str(
            r#"{"ociVersion":"1.0.2","hooks":{"poststart":[{"path":"/p"}]},
                "linux":{"namespaces":[{"type":"mount"}]}}"#,
        )
        .unwrap();
        assert!(!wanted(&only_poststart));
    }

    #[test]
    fn test_corrected_state() {
        let creating =
            br#"{"ociVersion":"1.0.2","id":"a","status":"creating","pid":42,"bundle":"/b"}"#;
        let out: Value = serde_json::from_slice(&corrected(creating, false)).unwrap();
        assert_eq!(out["status"], "created");
        assert_eq!(out["pid"], 42);
        assert_eq!(out["bundle"], "/b");
        let no_pid = br#"{"id":"a","status":"creating"}"#;
        let out: Value = serde_json::from_slice(&corrected(no_pid, true)).unwrap();
        assert_eq!(out["pid"], getppid().as_raw());
        let running = br#"{"id":"a","status":"running","pid":1}"#;
        assert_eq!(corrected(running, true), running.to_vec());
        assert_eq!(corrected(b"not json", true), b"not json".to_vec());
    }
}
