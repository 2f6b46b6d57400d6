//! `--security-opt` (Docker's `parseSecurityOpt`) and the seccomp and AppArmor
//! decisions that follow from it.

use std::collections::HashSet;

use oci_spec::runtime::{Arch, Capability, LinuxSeccomp};
use serde_json::Value;

use super::context::SpecContext;
use super::error::SpecError;
use super::seccomp::{default_profile, profile_from_json, SeccompError, SeccompHost};

/// Which seccomp filter the container gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SeccompChoice {
    /// Docker's default profile (none for privileged containers).
    #[default]
    Default,
    Unconfined,
    /// A profile given inline as JSON (what the Engine API carries).
    Inline(String),
    /// A profile file; its contents come in [`SpecContext::seccomp_profile`].
    File(String),
}

/// The parsed `--security-opt` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Security {
    pub no_new_privileges: bool,
    pub seccomp: SeccompChoice,
    pub apparmor: Option<String>,
    /// `systempaths=unconfined`: no masked or read-only paths.
    pub unconfined_system_paths: bool,
    pub writable_cgroups: Option<bool>,
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Parses `--security-opt` values with Docker's errors.
pub fn parse(options: &[String]) -> Result<Security, SpecError> {
    let mut security = Security::default();
    for opt in options {
        if opt == "no-new-privileges" {
            security.no_new_privileges = true;
            continue;
        }
        if opt == "disable" {
            continue; // SELinux labelling is never applied by vassalrun.
        }
        let (key, value) = opt
            .split_once('=')
            .or_else(|| opt.split_once(':'))
            .ok_or_else(|| SpecError::SecurityOpt {
                n: 1,
                value: opt.clone(),
            })?;
        let invalid = || SpecError::SecurityOpt {
            n: 2,
            value: opt.clone(),
        };
        match key {
            "no-new-privileges" => {
                security.no_new_privileges = parse_bool(value).ok_or_else(invalid)?
            }
            "writable-cgroups" => {
                security.writable_cgroups = Some(parse_bool(value).ok_or_else(invalid)?)
            }
            "seccomp" => {
                security.seccomp = match value {
                    "unconfined" => SeccompChoice::Unconfined,
                    "builtin" | "" => SeccompChoice::Default,
                    v if v.trim_start().starts_with('{') => SeccompChoice::Inline(v.to_string()),
                    path => SeccompChoice::File(path.to_string()),
                }
            }
            "apparmor" => security.apparmor = Some(value.to_string()),
            "label" => {} // SELinux: accepted and ignored, as dockerd does without SELinux.
            "systempaths" if value == "unconfined" => security.unconfined_system_paths = true,
            _ => return Err(invalid()),
        }
    }
    Ok(security)
}

/// The `linux.seccomp` section, or `None` for an unconfined container.
pub fn seccomp(
    security: &Security,
    privileged: bool,
    caps: &[String],
    ctx: &SpecContext,
) -> Result<Option<Value>, SpecError> {
    let custom = match &security.seccomp {
        SeccompChoice::Unconfined => return Ok(None),
        SeccompChoice::Default if privileged || !ctx.host.seccomp => return Ok(None),
        SeccompChoice::Default => None,
        SeccompChoice::Inline(json) => Some(("seccomp profile".to_string(), json.clone())),
        SeccompChoice::File(path) => {
            let file = ctx.seccomp_profile.as_ref().filter(|f| f.path == *path);
            let file = file.ok_or_else(|| SpecError::SeccompFile(path.clone()))?;
            Some((file.path.clone(), file.contents.clone()))
        }
    };
    if custom.is_some() && !ctx.host.seccomp {
        return Err(SpecError::Conflict(
            "seccomp is not enabled in your kernel, cannot run a custom seccomp profile",
        ));
    }
    let host = SeccompHost {
        arch: ctx.host.arch.clone(),
        kernel: ctx.host.kernel,
    };
    let bounding = bounding_set(caps);
    let profile = match custom {
        None => default_profile(&host, &bounding),
        Some((source, json)) => match profile_from_json(&source, &json, &host, &bounding) {
            Ok(profile) => profile,
            // Docker runs a profile with neither defaultAction nor syscalls unconfined.
            Err(SeccompError::NoFilter { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        },
    };
    let profile = without_x32(profile, ctx.host.x32);
    serde_json::to_value(profile)
        .map(Some)
        .map_err(SpecError::Generated)
}

/// Drops `SCMP_ARCH_X32` when the kernel runs no x32 syscalls: that section of
/// the filter could never match (x32 programs cannot even be executed there),
/// and compiling it is about a third of the whole filter's cost in libseccomp
/// at every container start.
fn without_x32(mut profile: LinuxSeccomp, kernel_runs_x32: bool) -> LinuxSeccomp {
    if kernel_runs_x32 {
        return profile;
    }
    if let Some(arches) = profile.architectures().clone() {
        let kept: Vec<Arch> = arches
            .into_iter()
            .filter(|a| *a != Arch::ScmpArchX32)
            .collect();
        profile.set_architectures(Some(kept));
    }
    profile
}

/// Capability names (`CAP_…`) as the spec's set; unknown names are left out.
pub(crate) fn bounding_set(caps: &[String]) -> HashSet<Capability> {
    caps.iter()
        .filter_map(|c| serde_json::from_value(Value::String(c.clone())).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(opts: &[&str]) -> Result<Security, SpecError> {
        parse(&opts.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn test_x32_section_only_where_the_kernel_runs_x32() {
        let mut profile = LinuxSeccomp::default();
        profile.set_architectures(Some(vec![
            Arch::ScmpArchX86_64,
            Arch::ScmpArchX86,
            Arch::ScmpArchX32,
        ]));
        assert_eq!(
            without_x32(profile.clone(), true).architectures(),
            profile.architectures()
        );
        assert_eq!(
            without_x32(profile, false).architectures().as_deref(),
            Some(&[Arch::ScmpArchX86_64, Arch::ScmpArchX86][..])
        );
    }

    #[test]
    fn test_parse_security_opts() {
        let s = p(&[
            "no-new-privileges",
            "seccomp=unconfined",
            "label=disable",
            "apparmor=x",
        ])
        .unwrap();
        assert!(s.no_new_privileges);
        assert_eq!(s.seccomp, SeccompChoice::Unconfined);
        assert_eq!(s.apparmor.as_deref(), Some("x"));
        let s = p(&[
            "no-new-privileges=false",
            "seccomp=/etc/p.json",
            "systempaths=unconfined",
        ])
        .unwrap();
        assert!(!s.no_new_privileges);
        assert_eq!(s.seccomp, SeccompChoice::File("/etc/p.json".into()));
        assert!(s.unconfined_system_paths);
        assert_eq!(
            p(&["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"])
                .unwrap()
                .seccomp,
            SeccompChoice::Inline("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}".into())
        );
    }

    #[test]
    fn test_parse_security_opt_errors() {
        assert_eq!(
            p(&["bogus"]).unwrap_err().to_string(),
            "invalid --security-opt 1: \"bogus\""
        );
        assert_eq!(
            p(&["foo=bar"]).unwrap_err().to_string(),
            "invalid --security-opt 2: \"foo=bar\""
        );
        assert_eq!(
            p(&["no-new-privileges=maybe"]).unwrap_err().to_string(),
            "invalid --security-opt 2: \"no-new-privileges=maybe\""
        );
    }
}
