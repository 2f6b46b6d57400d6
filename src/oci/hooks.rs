//! OCI hooks. libcontainer runs them, each with the state JSON on stdin, in the
//! spec's order and namespaces:
//!
//! | hook            | when                                   | where (namespaces) | run by            |
//! |-----------------|----------------------------------------|--------------------|-------------------|
//! | prestart        | create, after namespaces, before pivot | runtime            | `create`          |
//! | createRuntime   | right after prestart                   | runtime            | `create`          |
//! | createContainer | after createRuntime, before pivot_root | container          | the init (create) |
//! | startContainer  | `start`, just before the user process  | container          | the init          |
//! | poststart       | after `start` has started it           | runtime            | `start`           |
//! | poststop        | `delete`, after the cgroup is removed  | runtime            | `delete`          |
//!
//! What vassalrun adds:
//! - the check before anything is created: a hook whose path is relative or
//!   missing fails `create` with a message naming it, instead of failing
//!   half-way with the container already set up;
//! - the spec's rule for poststart and poststop: a failing hook is a warning
//!   and the hooks after it still run. libcontainer 0.7's `run_hooks` stops at
//!   the first failure, so [`run_each_warning`] hands it one hook at a time,
//!   and `delete` takes the poststop hooks away from libcontainer's own delete
//!   ([`take_poststop`]), which would otherwise stop at the first failure and
//!   fail the delete half-way;
//! - SIGPIPE survived while hooks are fed their state ([`super::sigpipe`]);
//! - the state prestart, createRuntime and createContainer hooks read says
//!   "created", not libcontainer's "creating" ([`super::hook_state`]).
//!
//! prestart, createRuntime and createContainer are left to libcontainer:
//! there the first failure fails `create` (then cleaned up), as the spec says.

use std::path::Path;

use libcontainer::config::YoukiConfig;
use libcontainer::container::State;
use oci_spec::runtime::{Hook, Spec};

use super::OciError;

/// Checks every hook of `spec` names an absolute path to an existing file.
pub fn check_hooks(spec: &Spec) -> Result<(), OciError> {
    let Some(hooks) = spec.hooks() else {
        return Ok(());
    };
    let phases: [&Option<Vec<Hook>>; 6] = [
        hooks.prestart(),
        hooks.create_runtime(),
        hooks.create_container(),
        hooks.start_container(),
        hooks.poststart(),
        hooks.poststop(),
    ];
    phases
        .into_iter()
        .flatten()
        .flatten()
        .try_for_each(|hook| check_path(hook.path()))
}

fn check_path(path: &Path) -> Result<(), OciError> {
    let reason = if !path.is_absolute() {
        "path must be absolute"
    } else if !path.is_file() {
        "no such file"
    } else {
        return Ok(());
    };
    Err(OciError::Hook {
        path: path.to_path_buf(),
        reason,
    })
}

/// Runs `hooks` one by one, each with `state` on its stdin; a failing hook is
/// reported as a warning naming it and the next one runs (poststart,
/// poststop).
pub fn run_each_warning(id: &str, kind: &str, hooks: &[Hook], state: &State) {
    for hook in hooks {
        let one = vec![hook.clone()];
        if let Err(e) = libcontainer::hooks::run_hooks(Some(&one), Some(state), None, None, None) {
            eprintln!(
                "vassalrun: warning: container {id}: {kind} hook {}: {}",
                hook.path().display(),
                super::error::error_chain(&e)
            );
        }
    }
}

/// Removes the poststop hooks from the container's saved config in `dir`
/// (libcontainer's `config.json` there), so libcontainer's delete does not
/// run them, and returns them for the caller to run once the container is
/// gone. Nothing to take (or an unreadable config) gives an empty list.
pub fn take_poststop(dir: &Path) -> Result<Vec<Hook>, OciError> {
    let Ok(mut config) = YoukiConfig::load(dir) else {
        return Ok(Vec::new());
    };
    let Some(hooks) = config.hooks.as_mut() else {
        return Ok(Vec::new());
    };
    let Some(poststop) = hooks.poststop_mut().take() else {
        return Ok(Vec::new());
    };
    config.save(dir).map_err(|e| OciError::Spec {
        path: dir.join("config.json"),
        reason: super::error::error_chain(&e),
    })?;
    Ok(poststop)
}

/// Undoes [`take_poststop`] for a container that could not be deleted
/// (best effort: the delete's own error is what gets reported).
pub fn give_back_poststop(dir: &Path, poststop: Vec<Hook>) {
    let Ok(mut config) = YoukiConfig::load(dir) else {
        return;
    };
    if poststop.is_empty() {
        return;
    }
    let hooks = config.hooks.get_or_insert_with(Default::default);
    hooks.set_poststop(Some(poststop));
    let _ = config.save(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with_prestart(path: &str) -> Spec {
        let json =
            format!(r#"{{"ociVersion":"1.0.2","hooks":{{"prestart":[{{"path":"{path}"}}]}}}}"#);
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn test_check_hooks_table() {
        assert!(check_hooks(&spec_with_prestart("/bin/sh")).is_ok());
        let relative = check_hooks(&spec_with_prestart("bin/sh")).unwrap_err();
        assert_eq!(relative.to_string(), "hook bin/sh: path must be absolute");
        let missing = check_hooks(&spec_with_prestart("/nonexistent/hook")).unwrap_err();
        assert_eq!(missing.to_string(), "hook /nonexistent/hook: no such file");
    }
}
