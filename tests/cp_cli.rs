//! `cp` through the real binary, as root: both directions, Docker's landing
//! rules, a stopped container, and symlinks planted in the container that
//! must never lead the copy to host files; `export` of a running container
//! that swaps its files under the walk.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::{assert_error, busybox_tarball, can_run_containers, describe, TestEnv};

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn started(env: &TestEnv, name: &str) {
    ok(env.run(&["image", "import", busybox_tarball().to_str().unwrap(), "bb"]));
    ok(env.run(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        name,
        "bb",
        "sleep",
        "1000",
    ]));
}

fn sh(env: &TestEnv, name: &str, script: &str) -> String {
    ok(env.run(&["exec", name, "sh", "-c", script]))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn test_cp_both_directions() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    started(&env, "c1");
    let host = env.dir.path().join("host");
    fs::create_dir(&host).unwrap();
    // Out: a file into a directory, and under a new name.
    sh(&env, "c1", "mkdir -p /srv/app/sub && echo one > /srv/app/a && echo two > /srv/app/sub/b && chmod 640 /srv/app/a && ln -s a /srv/app/link");
    ok(env.run(&["cp", "c1:/srv/app/a", s(&host)]));
    assert_eq!(fs::read_to_string(host.join("a")).unwrap(), "one\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(host.join("a")).unwrap().permissions().mode() & 0o777,
        0o640
    );
    ok(env.run(&["cp", "c1:/srv/app/a", s(&host.join("renamed"))]));
    assert_eq!(fs::read_to_string(host.join("renamed")).unwrap(), "one\n");
    // A directory: new name → the directory itself; existing dir → inside it.
    ok(env.run(&["cp", "c1:/srv/app", s(&host.join("copy"))]));
    assert_eq!(
        fs::read_to_string(host.join("copy/sub/b")).unwrap(),
        "two\n"
    );
    assert_eq!(
        fs::read_link(host.join("copy/link")).unwrap(),
        Path::new("a")
    );
    ok(env.run(&["cp", "c1:/srv/app", s(&host.join("copy"))]));
    assert_eq!(
        fs::read_to_string(host.join("copy/app/a")).unwrap(),
        "one\n"
    );
    // `/.`: the contents.
    ok(env.run(&["cp", "c1:/srv/app/sub/.", s(&host.join("contents"))]));
    assert_eq!(
        fs::read_to_string(host.join("contents/b")).unwrap(),
        "two\n"
    );
    // In: a file and a directory.
    fs::write(host.join("in.txt"), "from host\n").unwrap();
    ok(env.run(&["cp", s(&host.join("in.txt")), "c1:/tmp/"]));
    assert_eq!(sh(&env, "c1", "cat /tmp/in.txt"), "from host\n");
    ok(env.run(&["cp", s(&host.join("copy")), "c1:/srv/tree"]));
    assert_eq!(
        sh(&env, "c1", "cat /srv/tree/sub/b; readlink /srv/tree/link"),
        "two\na\n"
    );
    // Errors name the path.
    let out = env.run(&["cp", "c1:/nope", s(&host)]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Could not find the file /nope in container")
    );
    let out = env.run(&["cp", s(&host.join("in.txt")), "c1:/no/such/dir/x"]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("destination directory /no/such/dir does not exist"),
        "{}",
        describe(&out)
    );
    assert_error(
        &env.run(&["cp", "a:/x", "b:/y"]),
        "copying between containers is not supported",
    );
    assert_error(
        &env.run(&["cp", "/a", "/b"]),
        "must specify at least one container source",
    );
}

#[test]
fn test_cp_stopped_container() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    started(&env, "c2");
    sh(&env, "c2", "echo kept > /kept");
    ok(env.run(&["stop", "-t", "0", "c2"]));
    let host = env.dir.path().join("out");
    ok(env.run(&["cp", "c2:/kept", s(&host)]));
    assert_eq!(fs::read_to_string(&host).unwrap(), "kept\n");
    fs::write(&host, "changed\n").unwrap();
    ok(env.run(&["cp", s(&host), "c2:/kept"]));
    ok(env.run(&["start", "c2"]));
    assert_eq!(sh(&env, "c2", "cat /kept"), "changed\n");
}

#[test]
fn test_cp_never_follows_container_symlinks_to_the_host() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    started(&env, "evil");
    let secret_dir = env.dir.path().join("secret");
    fs::create_dir(&secret_dir).unwrap();
    fs::write(secret_dir.join("key"), "host secret\n").unwrap();
    let secret = s(&secret_dir);
    // Absolute and relative links out of the rootfs, as a hostile image would plant.
    sh(&env, "evil", &format!(
        "mkdir -p /x {secret} && echo inside > /x/key && ln -s {secret} /abs && ln -s ../../../../../../../../{secret} /rel && ln -s {secret}/key /filelink && ln -s {secret} /x/dirlink"
    ));
    let host = env.dir.path().join("got");
    fs::create_dir(&host).unwrap();
    // Parent components resolve inside the rootfs: /abs/key is the container's {secret}/key (absent).
    for path in ["/abs/key", "/rel/key"] {
        let out = env.run(&["cp", &format!("evil:{path}"), s(&host)]);
        assert_eq!(out.status.code(), Some(125), "{path}: {}", describe(&out));
    }
    // A final symlink is copied as a link, not as the host file it names.
    ok(env.run(&["cp", "evil:/filelink", s(&host)]));
    assert!(fs::symlink_metadata(host.join("filelink"))
        .unwrap()
        .file_type()
        .is_symlink());
    ok(env.run(&["cp", "evil:/x", s(&host.join("x"))]));
    assert!(fs::symlink_metadata(host.join("x/dirlink"))
        .unwrap()
        .file_type()
        .is_symlink());
    // Copying in through a link must not write into the host directory.
    fs::write(env.dir.path().join("payload"), "overwritten\n").unwrap();
    let _ = env.run(&["cp", s(&env.dir.path().join("payload")), "evil:/abs/key"]);
    let _ = env.run(&["cp", s(&env.dir.path().join("payload")), "evil:/rel/"]);
    let _ = env.run(&["cp", s(&env.dir.path().join("payload")), "evil:/filelink"]);
    assert_eq!(
        fs::read_to_string(secret_dir.join("key")).unwrap(),
        "host secret\n"
    );
    assert_eq!(
        fs::read_dir(&secret_dir).unwrap().count(),
        1,
        "nothing new beside the secret"
    );
    // The link in the container was replaced by the file, inside the container.
    assert_eq!(sh(&env, "evil", "cat /filelink"), "overwritten\n");
    // Writes via /abs/ landed inside the rootfs, at the container's own path.
    assert_eq!(
        sh(&env, "evil", &format!("cat {secret}/key")),
        "overwritten\n"
    );
}

#[test]
fn test_cp_in_replaces_fifos_and_device_nodes_without_opening_them() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    started(&env, "nodes");
    // The host's cp is not under the container's device cgroup: writing
    // through a planted node would reach a host device (here /dev/null's
    // numbers, harmless), and opening a fifo would hang the copy.
    sh(&env, "nodes", "mknod /tmp/dev c 1 3 && mkfifo /tmp/fifo");
    let payload = env.dir.path().join("payload");
    fs::write(&payload, "payload\n").unwrap();
    for target in ["nodes:/tmp/dev", "nodes:/tmp/fifo"] {
        let mut child = env
            .command()
            .args(["cp", s(&payload), target])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("cp to {target} hangs");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        ok(out);
    }
    assert_eq!(
        sh(
            &env,
            "nodes",
            "cat /tmp/dev /tmp/fifo; [ -f /tmp/dev ] && [ -f /tmp/fifo ] && echo regular"
        ),
        "payload\npayload\nregular\n"
    );
}

#[test]
fn test_export_of_a_running_container_never_follows_a_swapped_in_symlink() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    started(&env, "swapper");
    let secret = env.dir.path().join("secret");
    fs::write(&secret, "host secret\n").unwrap();
    // Swap /x/f between a regular file and a link to the host's secret, as
    // fast as the container can, while the host exports it.
    let script = format!(
        "mkdir /x && mknod /x/dev c 1 3 && mkfifo /x/fifo && echo inside > /x/hard && ln /x/hard /x/hard2 && \
         (while :; do echo inside > /x/f.t; mv -f /x/f.t /x/f; ln -sf {} /x/f.l; mv -f /x/f.l /x/f; done) >/dev/null 2>&1 &",
        s(&secret)
    );
    sh(&env, "swapper", &script);
    for _ in 0..40 {
        let out = env.run(&["export", "swapper"]);
        // A swap caught mid-walk may fail the export; it must never leak.
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("host secret"),
            "export followed a link to the host"
        );
        if !out.status.success() {
            continue;
        }
        let mut archive = tar::Archive::new(&out.stdout[..]);
        let kinds: Vec<(String, tar::EntryType)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.path().unwrap().display().to_string(),
                    e.header().entry_type(),
                )
            })
            .filter(|(p, _)| p.starts_with("x/"))
            .collect();
        for (path, kind) in [
            ("x/dev", tar::EntryType::Char),
            ("x/fifo", tar::EntryType::Fifo),
            ("x/hard", tar::EntryType::Regular),
            ("x/hard2", tar::EntryType::Link),
        ] {
            assert!(
                kinds.contains(&(path.to_string(), kind)),
                "{path} as {kind:?} in {kinds:?}"
            );
        }
    }
}
