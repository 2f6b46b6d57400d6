//! Docker-style images through the binary: reference normalisation, layered
//! images loaded from `docker save` and OCI layout archives, layers stored
//! once, whiteouts, the image config reaching the container, save, rm/prune.

mod common;

use std::process::Output;

use common::{busybox_tarball, can_run_containers, describe, TestEnv};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out)
}

#[test]
fn test_normalised_names_find_stored_images() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let tar = busybox_tarball();
    ok(env.run(&["image", "import", tar.to_str().unwrap(), "busybox"]));
    for image in [
        "busybox",
        "busybox:latest",
        "docker.io/library/busybox",
        "library/busybox:latest",
        "index.docker.io/library/busybox:latest",
    ] {
        let out = env.run(&["run", "--rm", "--network", "none", image, "echo", "hi"]);
        assert_eq!(ok(out), "hi\n", "{image}");
    }
    let out = env.run(&["run", "--rm", "--network", "none", "busybox:1.0", "true"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("No such image: busybox:1.0"),
        "{}",
        describe(&out)
    );
}
