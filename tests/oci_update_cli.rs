//! `vassalrun oci update` (runc's grammar) through the real binary, as root:
//! LinuxResources JSON on stdin (as containerd sends it for Kubernetes'
//! UpdateContainerResources) and runc's flags, written into the cgroup.

mod common;
mod oci;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use common::{can_run_containers, describe};
use oci::{assert_oci_error, OciEnv};

/// The container's cgroup file, v1 `v1` or v2 `v2`.
fn cgroup_file(t: &OciEnv, id: &str, v1: &str, v2: &str) -> String {
    let relative = t.cgroup_path(id);
    let mut dirs = vec![Path::new("/sys/fs/cgroup").join(relative.trim_start_matches('/'))];
    for entry in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        dirs.push(entry.path().join(relative.trim_start_matches('/')));
    }
    for dir in dirs {
        for file in [v1, v2] {
            if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
                return text.trim().to_string();
            }
        }
    }
    panic!("no {v1} / {v2} for {id}");
}

#[test]
fn test_oci_update_resources_from_stdin_and_flags() {
    if !can_run_containers() {
        return;
    }
    let t = OciEnv::new();
    let bundle = t.bundle("upd", &["sleep", "1000"], |_| {});
    t.create("upd", &bundle);
    assert_eq!(t.oci(&["start", "upd"]).status.code(), Some(0));
    let mut child = t
        .command(&["update", "--resources", "-", "upd"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"memory": {"limit": 100663296}, "pids": {"limit": 42}}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        cgroup_file(&t, "upd", "memory.limit_in_bytes", "memory.max"),
        "100663296"
    );
    assert_eq!(cgroup_file(&t, "upd", "pids.max", "pids.max"), "42");
    // A flag on its own changes only its field.
    let out = t.oci(&["update", "--pids-limit", "7", "upd"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(cgroup_file(&t, "upd", "pids.max", "pids.max"), "7");
    assert_eq!(
        cgroup_file(&t, "upd", "memory.limit_in_bytes", "memory.max"),
        "100663296"
    );
    // Bad JSON and unknown containers: runc's one line, exit 1.
    let bad = t.dir().join("bad.json");
    std::fs::write(&bad, "{\"memory\": {\"limit\": \"lots\"}}").unwrap();
    let out = t.oci(&["update", "--resources", bad.to_str().unwrap(), "upd"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.json"),
        "{}",
        describe(&out)
    );
    assert_oci_error(
        &t.oci(&["update", "--pids-limit", "5", "nosuch"]),
        "container nosuch does not exist",
    );
    let pid = t.init_pid("upd");
    assert_eq!(t.oci(&["delete", "--force", "upd"]).status.code(), Some(0));
    t.reap(pid);
}
