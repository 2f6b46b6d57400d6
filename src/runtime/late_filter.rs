//! A container's seccomp filter installed by vassalrun from its compiled
//! program ([`super::seccomp_cache`]) instead of libcontainer compiling it in
//! every init.
//!
//! libcontainer 0.7 takes no compiled program, so the spec it is shown has no
//! `seccomp` section, and our executor ([`LateFilter`]) installs the program
//! from `validate`, the one executor call libcontainer makes in the init
//! before it reports the container created: after it has set the user,
//! dropped to the process's capabilities and changed to its working
//! directory, before it waits for `start`. So the init waits for `start`
//! already under the filter, as in libcontainer's own path, and everything
//! after the load (the start handshake, `execve`) runs under it.
//!
//! Without no_new_privs installing a filter needs CAP_SYS_ADMIN, so for a
//! process that lacks it the shown spec keeps it in the effective and
//! permitted sets only — never in the bounding set — and the executor drops
//! it right after the load; the `execve` that follows could not pass it on
//! anyway (root's new sets come from the bounding set; other users' from
//! ambient and file capabilities, which the bounding set limits too).
//! Between libcontainer's drop and the load only libcontainer's own steps
//! (chdir, its cwd check) and our executor run in the init, which
//! libcontainer has made non-dumpable; no code of the container's has run.

use std::collections::HashSet;

use libcontainer::workload::{Executor, ExecutorError, ExecutorValidationError};
use oci_spec::runtime::{Capability, LinuxSeccomp, LinuxSeccompAction, Spec};

use super::seccomp_cache::{cacheable, CompiledFilter};

/// The spec libcontainer is shown, and the executor installing the filter.
pub struct Plan {
    pub shown: Spec,
    pub executor: LateFilter,
}

/// `Some` when `spec`'s filter can be installed from its compiled program:
/// a cacheable profile (no notify), and no hooks (they would be given the
/// shown spec's bundle).
pub fn plan(run_dir: &std::path::Path, spec: &Spec) -> Result<Option<Plan>, String> {
    let Some(seccomp) = spec.linux().as_ref().and_then(|l| l.seccomp().clone()) else {
        return Ok(None);
    };
    if !cacheable(&seccomp) || spec.hooks().is_some() {
        return Ok(None);
    }
    let filter = CompiledFilter::for_profile(run_dir, &seccomp)?;
    let mut shown = spec.clone();
    let Some(linux) = shown.linux_mut().as_mut() else {
        return Ok(None);
    };
    linux.set_seccomp(None);
    let drops = keep_sys_admin_for_the_load(&mut shown, &seccomp);
    Ok(Some(Plan {
        shown,
        executor: LateFilter { filter, drops },
    }))
}

/// What the executor gives up once the filter is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drops {
    pub effective: bool,
    pub permitted: bool,
}

/// Widens `shown`'s capabilities so that a filter can be installed without
/// no_new_privs (see the module doc) and says what to drop after the load.
/// No change when no_new_privs is set, when the process already has
/// CAP_SYS_ADMIN, or when it has no capabilities object (libcontainer then
/// leaves the runtime's own, all of them).
pub fn keep_sys_admin_for_the_load(shown: &mut Spec, seccomp: &LinuxSeccomp) -> Drops {
    let Some(process) = shown.process_mut().as_mut() else {
        return Drops::default();
    };
    let Some(mut caps) = process.capabilities().clone() else {
        return Drops::default();
    };
    let has = |set: &Option<HashSet<Capability>>| {
        set.as_ref()
            .is_some_and(|s| s.contains(&Capability::SysAdmin))
    };
    if process.no_new_privileges() == Some(true) || has(caps.effective()) {
        return Drops::default();
    }
    let permitted = has(caps.permitted());
    let keep = |set: Option<HashSet<Capability>>| {
        let mut set = set.unwrap_or_default();
        set.insert(Capability::SysAdmin);
        Some(set)
    };
    caps.set_effective(keep(caps.effective().clone()));
    caps.set_permitted(keep(caps.permitted().clone()));
    process.set_capabilities(Some(caps));
    // Dropping it again needs capget and capset under the filter; a filter
    // refusing them leaves the drop to the execve (not in the bounding set).
    let can_drop = !denies(seccomp, "capset") && !denies(seccomp, "capget");
    Drops {
        effective: can_drop,
        permitted: !permitted && can_drop,
    }
}

/// Whether the filter may refuse `name`: a rule naming it whose action is
/// not allow/log (a rule with argument conditions counts), else the default.
pub fn denies(seccomp: &LinuxSeccomp, name: &str) -> bool {
    let lets_through = |a: LinuxSeccompAction| {
        matches!(
            a,
            LinuxSeccompAction::ScmpActAllow | LinuxSeccompAction::ScmpActLog
        )
    };
    let rules: Vec<_> = seccomp
        .syscalls()
        .iter()
        .flatten()
        .filter(|s| s.names().iter().any(|n| n == name))
        .collect();
    if rules.is_empty() {
        return !lets_through(seccomp.default_action());
    }
    rules.iter().any(|r| !lets_through(r.action()))
}

/// Installs the compiled filter and drops what was kept for it from
/// `validate` (see the module doc); `exec` is libcontainer's default
/// (`execvp`).
#[derive(Clone)]
pub struct LateFilter {
    filter: CompiledFilter,
    drops: Drops,
}

impl LateFilter {
    fn install(&self) -> Result<(), String> {
        self.filter
            .load()
            .map_err(|e| format!("loading the seccomp filter: {e}"))?;
        let sets = [
            (self.drops.effective, caps::CapSet::Effective),
            (self.drops.permitted, caps::CapSet::Permitted),
        ];
        for (drop, set) in sets {
            if drop {
                caps::drop(None, set, caps::Capability::CAP_SYS_ADMIN)
                    .map_err(|e| format!("dropping CAP_SYS_ADMIN: {e}"))?;
            }
        }
        Ok(())
    }
}

impl Executor for LateFilter {
    fn exec(&self, spec: &Spec) -> Result<(), ExecutorError> {
        libcontainer::workload::default::get_executor().exec(spec)
    }

    /// Called once in the init, before it reports the container created: the
    /// command's lookup first (while the init can still read anything it
    /// needs for it), then the filter.
    fn validate(&self, spec: &Spec) -> Result<(), ExecutorValidationError> {
        libcontainer::workload::default::get_executor().validate(spec)?;
        self.install()
            .map_err(ExecutorValidationError::ArgValidationError)
    }
}
