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
//! What vassalrun adds is the check before anything is created: a hook whose
//! path is relative or missing fails `create` with a message naming it,
//! instead of failing half-way with the container already set up.

use std::path::Path;

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
