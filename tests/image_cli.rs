//! The image store through the binary: import, ls, rm, images by path or name,
//! `--change` defaults reaching the container, and hostile tarballs.

mod common;

use std::io::Write;
use std::process::Output;

use common::{busybox_dir, busybox_tarball, can_run_containers, describe, json_stdout, TestEnv};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn image_dirs(env: &TestEnv) -> usize {
    std::fs::read_dir(env.root().join("images/sha256")).map_or(0, |d| d.count())
}

#[test]
fn test_import_tar_gzip_and_directory() {
    let env = TestEnv::new();
    let tar = busybox_tarball();
    let gz = env.dir.path().join("busybox.tar.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(&std::fs::read(&tar).unwrap()).unwrap();
    encoder.finish().unwrap();

    for (source, name) in [
        (tar.clone(), "plain"),
        (gz.clone(), "gzipped"),
        (busybox_dir(), "fromdir"),
    ] {
        let out = env.run(&["image", "import", source.to_str().unwrap(), name]);
        assert!(out.status.success(), "{}", describe(&out));
        assert!(stdout(&out).starts_with("sha256:"), "{}", describe(&out));
    }
    let out = env.run(&["image", "ls", "--format", "json"]);
    let names: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["Name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for name in ["plain", "gzipped", "fromdir"] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }
    let rootfs = env.root().join("images/sha256");
    let any = std::fs::read_dir(&rootfs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(any.join("rootfs/bin/busybox").is_file());
    assert_eq!(
        std::fs::read_link(any.join("rootfs/bin/sh")).unwrap(),
        std::path::Path::new("busybox")
    );
}

#[test]
fn test_bad_and_hostile_tarballs_leave_nothing() {
    let env = TestEnv::new();
    let bad = env.dir.path().join("bad.tar");
    std::fs::write(&bad, "this is not a tar archive, not at all").unwrap();
    let out = env.run(&["image", "import", bad.to_str().unwrap(), "bad"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("vassalrun: image import {}: ", bad.display())),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);

    // Truncated: a real tarball cut in the middle of an entry.
    let full = std::fs::read(busybox_tarball()).unwrap();
    let cut = env.dir.path().join("cut.tar");
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let out = env.run(&["image", "import", cut.to_str().unwrap(), "cut"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncated"),
        "{}",
        describe(&out)
    );

    // Traversal: an entry climbing out of the image.
    let outside = env.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let evil = env.dir.path().join("evil.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&evil).unwrap());
    let mut header = tar::Header::new_gnu();
    header.set_size(4);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    {
        // Bypass the tar crate's own path checks to write a hostile name.
        let name = b"../../outside/pwned";
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name);
    }
    header.set_cksum();
    builder.append(&header, &b"evil"[..]).unwrap();
    builder.finish().unwrap();
    let out = env.run(&["image", "import", evil.to_str().unwrap(), "evil"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(!outside.join("pwned").exists());

    assert_eq!(image_dirs(&env), 0, "no half image left");
    let tmp = env.root().join("images/tmp");
    assert_eq!(
        std::fs::read_dir(&tmp).map_or(0, |d| d.count()),
        0,
        "no temp dir left"
    );
}

#[test]
fn test_change_defaults_reach_the_container_and_spec() {
    let env = TestEnv::new();
    let out = env.run(&[
        "image",
        "import",
        "--change",
        "CMD [\"sh\", \"-c\", \"echo $GREETING from $(pwd) as $(id -u)\"]",
        "--change",
        "ENV GREETING=hello",
        "--change",
        "WORKDIR /srv/app",
        "--change",
        "USER app",
        busybox_tarball().to_str().unwrap(),
        "greeter",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let spec = json_stdout(&env.run(&["spec", "greeter"]));
    assert_eq!(spec["process"]["cwd"], "/srv/app");
    assert_eq!(spec["process"]["user"]["uid"], 1000);
    assert!(spec["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "GREETING=hello"));
    if !can_run_containers() {
        return;
    }
    let out = env.run(&["run", "--rm", "greeter"]);
    assert_eq!(
        stdout(&out),
        "hello from /srv/app as 1000\n",
        "{}",
        describe(&out)
    );
    let out = env.run(&["run", "--rm", "greeter", "echo", "override"]);
    assert_eq!(stdout(&out), "override\n");
}

#[test]
fn test_image_by_path_is_cached_and_rm_respects_users() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let tar = busybox_tarball();
    let tar = tar.to_str().unwrap();
    assert_eq!(
        stdout(&env.run(&["run", "--rm", tar, "echo", "one"])),
        "one\n"
    );
    let first = std::fs::read_dir(env.root().join("images/sha256"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let inode = std::os::unix::fs::MetadataExt::ino(
        &std::fs::metadata(first.path().join("rootfs")).unwrap(),
    );
    assert_eq!(
        stdout(&env.run(&["run", "--rm", tar, "echo", "two"])),
        "two\n"
    );
    assert_eq!(image_dirs(&env), 1, "the second use does not import again");
    let again = std::os::unix::fs::MetadataExt::ino(
        &std::fs::metadata(first.path().join("rootfs")).unwrap(),
    );
    assert_eq!(inode, again, "the unpacked rootfs is reused");

    env.run(&["image", "import", tar, "shared"]);
    let out = env.run(&["run", "-d", "--name", "user", "shared", "sleep", "300"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["image", "rm", "shared"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(must force) - container "),
        "{}",
        describe(&out)
    );
    env.run(&["rm", "-f", "user"]);
    let out = env.run(&["image", "rm", "shared"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("Untagged: shared"),
        "{}",
        describe(&out)
    );
}
