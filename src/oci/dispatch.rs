//! The rule that selects OCI mode (runc's grammar) over vassalrun's own
//! Docker-style commands. Both grammars have `create`, `run`, `kill`, `exec`,
//! `ps` and a `--root` flag, so the choice is made before parsing, on argv:
//!
//! 1. `vassalrun oci ARGS…`: OCI mode, always (`oci` must be the first argument).
//! 2. The program's file name is `runc` or ends in `-runc` (a symlink such as
//!    `/usr/local/bin/vassalrun-runc`): OCI mode for every invocation, which is
//!    what Podman, containerd and CRI-O need, since they call the runtime with
//!    runc's arguments only.
//! 3. A runc-only global flag (`--log`, `--log-format`, `--systemd-cgroup`,
//!    `--debug`, `--rootless`, `--criu`) before the command word: OCI mode.
//!
//! Anything else is vassalrun's own grammar, unchanged. (`vassalrun --root X
//! kill ID` is therefore Docker-style: call it as `vassalrun oci` or `runc`.)

use std::ffi::{OsStr, OsString};
use std::path::Path;

/// runc's global flags that vassalrun's own grammar does not have.
const RUNC_ONLY_FLAGS: [&str; 6] = [
    "--log",
    "--log-format",
    "--systemd-cgroup",
    "--debug",
    "--rootless",
    "--criu",
];

/// Global flags of either grammar that take a separate value (`--root DIR`).
const VALUE_FLAGS: [&str; 10] = [
    "--root",
    "--log",
    "--log-format",
    "--rootless",
    "--criu",
    "--run-dir",
    "--log-level",
    "--config-dir",
    "--init-path",
    "--default-cgroup-parent",
];

/// The argv to parse with runc's grammar (program name first) when OCI mode
/// is selected, else `None`.
pub fn oci_argv(args: &[OsString]) -> Option<Vec<OsString>> {
    let (program, rest) = args.split_first()?;
    if rest.first().is_some_and(|a| a == "oci") {
        let mut argv = vec![OsString::from("vassalrun oci")];
        argv.extend_from_slice(&rest[1..]);
        return Some(argv);
    }
    if is_runc_name(program) || has_runc_only_flag(rest) {
        return Some(args.to_vec());
    }
    None
}

fn is_runc_name(program: &OsStr) -> bool {
    let name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name == "runc" || name.ends_with("-runc")
}

/// Whether a runc-only flag comes before the first non-flag argument.
fn has_runc_only_flag(args: &[OsString]) -> bool {
    let mut leading = args.iter().map(|a| a.to_string_lossy());
    while let Some(arg) = leading.next() {
        if !arg.starts_with('-') || arg == "--" {
            return false;
        }
        let name = arg.split('=').next().unwrap_or_default();
        if RUNC_ONLY_FLAGS.contains(&name) {
            return true;
        }
        if !arg.contains('=') && VALUE_FLAGS.contains(&name) {
            leading.next();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn test_oci_argv_table() {
        let oci = [
            "vassalrun oci state c1",
            "/usr/bin/runc --root /r state c1",
            "/usr/local/bin/vassalrun-runc kill c1 9",
            "vassalrun --root /r --log /l create --bundle b c1",
            "vassalrun --log-format=json --log=/l start c1",
            "vassalrun --systemd-cgroup create c1",
            "vassalrun --debug state c1",
        ];
        for line in oci {
            assert!(oci_argv(&argv(line)).is_some(), "{line}");
        }
        let own = [
            "vassalrun run --rm img true",
            "vassalrun --root /r kill c1",
            "vassalrun --log-level debug ps",
            "vassalrun create img --log x",
            "vassalrun exec c1 oci",
            "/usr/bin/vassalrun ps",
            "runcible ps",
        ];
        for line in own {
            assert!(oci_argv(&argv(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn test_oci_argv_strips_the_oci_word() {
        let got = oci_argv(&argv("vassalrun oci --root /r list")).unwrap();
        let want: Vec<OsString> = ["vassalrun oci", "--root", "/r", "list"]
            .map(OsString::from)
            .to_vec();
        assert_eq!(got, want);
    }
}
