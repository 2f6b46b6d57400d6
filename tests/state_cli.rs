//! The container store under damage and after crashes, through the binary, as
//! root: damaged name files, a create on a full disk, a supervisor killed
//! with SIGKILL followed by `gc`, the import limits, untrusted bytes in
//! messages, and the command check through volumes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::{busybox_tarball, can_run_containers, describe, json_stdout, TestEnv};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A test env with the busybox fixture imported as `bb`.
fn env_with_busybox() -> TestEnv {
    let env = TestEnv::new();
    import_busybox(&env);
    env
}

fn import_busybox(env: &TestEnv) {
    let tarball = busybox_tarball().display().to_string();
    let out = env.run(&["image", "import", &tarball, "bb"]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// `run -d … bb sleep 1000`; the id.
fn run_detached(env: &TestEnv, extra: &[&str]) -> String {
    let args = [&["run", "-d"][..], extra, &["bb", "sleep", "1000"]].concat();
    let out = env.run(&args);
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out).trim().to_string()
}

fn status_of(env: &TestEnv, reference: &str) -> Option<String> {
    let out = env.run(&["inspect", reference]);
    if !out.status.success() {
        return None;
    }
    json_stdout(&out)[0]["State"]["Status"]
        .as_str()
        .map(str::to_string)
}

fn wait_for(timeout: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn is_gone(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    matches!(state, None | Some('Z' | 'X'))
}

fn name_file(env: &TestEnv, name: &str) -> PathBuf {
    env.root().join("names").join(name)
}

#[test]
fn test_damaged_name_file_still_finds_the_running_container() {
    if !can_run_containers() {
        return;
    }
    let env = env_with_busybox();
    let id = run_detached(&env, &["--name", "web"]);
    for damage in [&b""[..], b"garbage\x1b[2J", b"0123"] {
        std::fs::write(name_file(&env, "web"), damage).unwrap();
        assert_eq!(status_of(&env, "web").as_deref(), Some("running"));
        // The lookup repaired the file from the container's record.
        assert_eq!(std::fs::read_to_string(name_file(&env, "web")).unwrap(), id);
    }

    // The name cannot be taken while its container lives, damaged file or not.
    std::fs::write(name_file(&env, "web"), "").unwrap();
    let out = env.run(&["create", "--name", "web", "bb", "true"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("is already in use"),
        "{}",
        describe(&out)
    );
    assert_eq!(env.container_ids(), vec![id.clone()]);

    // gc repairs a missing or damaged file from the records.
    std::fs::remove_file(name_file(&env, "web")).unwrap();
    let out = env.run(&["gc"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("name web (repaired"),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(name_file(&env, "web")).unwrap(), id);
    std::fs::write(name_file(&env, "web"), "zzz").unwrap();
    let out = env.run(&["gc"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["create", "--name", "web", "bb", "true"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(
        env.container_ids(),
        vec![id.clone()],
        "never two with one name"
    );

    // rm -f through a damaged file removes the container it names.
    std::fs::write(name_file(&env, "web"), "").unwrap();
    let out = env.run(&["rm", "-f", "web"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(env.container_ids().is_empty(), "rm -f removed it");
    assert!(!name_file(&env, "web").exists());
}

#[test]
fn test_unreadable_name_file_without_a_container_is_an_error_naming_it() {
    if !can_run_containers() {
        return;
    }
    let env = env_with_busybox();
    let file = name_file(&env, "ghost");
    // A directory where the file should be: reading it fails (EISDIR).
    std::fs::create_dir_all(&file).unwrap();
    for args in [&["inspect", "ghost"][..], &["rm", "-f", "ghost"]] {
        let out = env.run(args);
        assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
        assert!(
            stderr(&out).contains(&file.display().to_string()),
            "{args:?}: {}",
            describe(&out)
        );
        assert!(!stdout(&out).contains("ghost"), "{}", describe(&out));
    }
}

/// A tmpfs of `size` mounted on the test's state root; unmounted (after the
/// test's containers are removed) on drop.
struct SmallRoot {
    env: TestEnv,
}

impl SmallRoot {
    fn new(size: &str) -> SmallRoot {
        let env = TestEnv::new();
        std::fs::create_dir_all(env.root()).unwrap();
        nix::mount::mount(
            Some("tmpfs"),
            &env.root(),
            Some("tmpfs"),
            nix::mount::MsFlags::empty(),
            Some(format!("size={size}").as_str()),
        )
        .expect("mount a tmpfs");
        SmallRoot { env }
    }
}

impl Drop for SmallRoot {
    fn drop(&mut self) {
        for id in self.env.container_ids() {
            let _ = self.env.run(&["rm", "-f", &id]);
        }
        let _ = nix::mount::umount2(&self.env.root(), nix::mount::MntFlags::MNT_DETACH);
    }
}

/// Fills the filesystem of `dir` to the last page.
fn fill(dir: &Path) {
    let _ = std::process::Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", dir.join("fill").display()))
        .arg("bs=4k")
        .stderr(std::process::Stdio::null())
        .status();
}

#[test]
fn test_create_on_a_full_disk_leaves_no_name_and_no_container() {
    if !can_run_containers() {
        return;
    }
    let small = SmallRoot::new("32m");
    let env = &small.env;
    import_busybox(env);
    fill(&env.root());
    let out = env.run(&["create", "--name", "web", "bb", "true"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(!name_file(env, "web").exists(), "no (empty) name file");
    assert!(env.container_ids().is_empty());
    // With room again, the name is free.
    std::fs::remove_file(env.root().join("fill")).unwrap();
    let out = env.run(&["create", "--name", "web", "bb", "true"]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// The container's monitor pid.
fn monitor_pid(env: &TestEnv, id: &str) -> i32 {
    std::fs::read_to_string(env.root().join("containers").join(id).join("monitor.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn cgroup_dirs_of(env: &TestEnv, id: &str) -> Vec<PathBuf> {
    env.cgroup_parent_dirs()
        .into_iter()
        .map(|d| d.join(id))
        .filter(|d| d.exists())
        .collect()
}

#[test]
fn test_rootfs_is_mounted_in_the_monitors_mount_namespace_not_the_hosts() {
    if !can_run_containers() {
        return;
    }
    let env = env_with_busybox();
    let shared = env.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    mount_tmpfs(&shared);
    nix::mount::mount(
        None::<&str>,
        &shared,
        None::<&str>,
        nix::mount::MsFlags::MS_SHARED,
        None::<&str>,
    )
    .unwrap();
    let id = run_detached(&env, &["--name", "box"]);
    let rootfs = env.root().join("containers").join(&id).join("rootfs");
    let rootfs = rootfs.to_str().unwrap();
    let host = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !host.contains(&id),
        "the overlay is not in the host's table"
    );
    let monitor = monitor_pid(&env, &id);
    let own = std::fs::read_to_string(format!("/proc/{monitor}/mountinfo")).unwrap();
    assert!(
        own.lines()
            .any(|l| l.split(' ').nth(4) == Some(rootfs) && l.contains(" - overlay ")),
        "the monitor's namespace has the overlay:\n{own}"
    );
    // Reached from the host through the monitor's namespace: inspect's
    // MergedDir, exec (the command's lookup), cp both ways.
    let merged = stdout(&env.run(&["inspect", "-f", "{{.GraphDriver.Data.MergedDir}}", "box"]));
    let merged = merged.trim();
    assert_eq!(merged, format!("/proc/{monitor}/root{rootfs}"));
    assert!(Path::new(merged).join("bin/busybox").exists());
    let out = env.run(&["exec", "box", "sh", "-c", "echo made > /made"]);
    assert!(out.status.success(), "{}", describe(&out));
    let copied = env.dir.path().join("made");
    let out = env.run(&["cp", "box:/made", copied.to_str().unwrap()]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&copied).unwrap(), "made\n");
    let out = env.run(&["cp", copied.to_str().unwrap(), "box:/back"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["exec", "box", "cat", "/back"]);
    assert_eq!(stdout(&out), "made\n", "{}", describe(&out));
    // A mount made on the host afterwards under a shared mount still reaches
    // the namespace (a slave of the host's), as it reaches containers.
    let late = shared.join("late");
    std::fs::create_dir(&late).unwrap();
    mount_tmpfs(&late);
    let seen = std::fs::read_to_string(format!("/proc/{monitor}/mountinfo"))
        .unwrap()
        .contains(late.to_str().unwrap());
    for dir in [&late, &shared] {
        nix::mount::umount2(dir, nix::mount::MntFlags::MNT_DETACH).unwrap();
    }
    assert!(
        seen,
        "a later host mount propagates into the monitor's namespace"
    );
    let out = env.run(&["rm", "-f", "box"]);
    assert!(out.status.success(), "{}", describe(&out));
    let mounts = common::mounts_anywhere(&id);
    assert!(mounts.is_empty(), "rm -f leaves no mount: {mounts:?}");
}

fn mount_tmpfs(dir: &Path) {
    nix::mount::mount(
        Some("tmpfs"),
        dir,
        Some("tmpfs"),
        nix::mount::MsFlags::empty(),
        None::<&str>,
    )
    .unwrap();
}

#[test]
fn test_gc_reaps_containers_whose_monitor_was_killed() {
    if !can_run_containers() {
        return;
    }
    let env = env_with_busybox();
    let kept = run_detached(&env, &["--name", "kept"]);
    let removed = run_detached(&env, &["--name", "removed", "--rm"]);
    for id in [&kept, &removed] {
        let monitor = monitor_pid(&env, id);
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(monitor),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        wait_for(Duration::from_secs(5), "the monitor to die", || {
            is_gone(monitor)
        });
    }
    wait_for(Duration::from_secs(5), "the containers to die", || {
        status_of(&env, "kept").as_deref() == Some("dead")
            && status_of(&env, "removed").as_deref() == Some("dead")
    });
    // The overlays were mounted in the monitors' mount namespaces, which
    // went with their last processes: a killed monitor leaves no mount.
    for id in [&kept, &removed] {
        let mounts = common::mounts_anywhere(id);
        assert!(mounts.is_empty(), "{id} still mounted: {mounts:?}");
    }

    let out = env.run(&["gc"]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("container {kept} (kept, dead, exit 255 recorded)")),
        "{text}"
    );
    assert!(
        text.contains(&format!("container {removed} (removed, dead, removed)")),
        "{text}"
    );
    // Docker keeps a container lost with its daemon as "Exited (255)"; --rm ones go.
    let inspect = json_stdout(&env.run(&["inspect", "kept"]));
    assert_eq!(inspect[0]["State"]["Status"], "exited");
    assert_eq!(inspect[0]["State"]["ExitCode"], 255);
    assert_eq!(env.container_ids(), vec![kept.clone()]);
    for id in [&kept, &removed] {
        assert!(cgroup_dirs_of(&env, id).is_empty(), "cgroups of {id} left");
    }
    assert!(!env.dir.path().join("run/libcontainer").join(&kept).exists());
    // A second gc has nothing left to do with it; the kept one starts again.
    let out = env.run(&["gc"]);
    assert!(!stdout(&out).contains(&kept), "{}", describe(&out));
    let out = env.run(&["start", "kept"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(status_of(&env, "kept").as_deref(), Some("running"));
}

/// Runs a shell script, which must succeed.
fn sh(script: &str) {
    let status = std::process::Command::new("sh")
        .args(["-c", script])
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
}

fn disk_usage(dir: &Path) -> u64 {
    let out = std::process::Command::new("du")
        .args(["-sk"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

fn images_left(env: &TestEnv) -> Vec<String> {
    ["images/sha256", "images/tmp"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(env.root().join(d))
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn test_import_refuses_bombs_and_keeps_sparse_files_sparse() {
    let env = TestEnv::new();
    let dir = env.dir.path().join("src");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.display();
    // 10 KB of tar declaring a 20 GiB sparse file (and one of 256 MiB);
    // 256 MiB of zeros as a few KB of zstd.
    sh(&format!(
        "cd {d} && truncate -s 20G big && tar --sparse -cf sparse.tar big && rm big && \
         truncate -s 256M small && tar --sparse -cf small.tar small && \
         tar -cf - small | zstd -1 -q > zeros.tar.zst && rm small"
    ));
    let sparse = dir.join("sparse.tar").display().to_string();
    let small = dir.join("small.tar").display().to_string();
    let zeros = dir.join("zeros.tar.zst").display().to_string();

    let out = env.run(&["image", "import", &sparse, "sp"]);
    common::assert_error(
        &out,
        &format!(
            "image import {sparse}: entry big: the image is larger than the maximum image size \
             of 17179869184 bytes (raise --max-image-size to import it)"
        ),
    );
    let out = env.run(&["image", "import", &zeros, "z"]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("decompresses to more than 200 times its size"),
        "{}",
        describe(&out)
    );
    assert!(images_left(&env).is_empty(), "{:?}", images_left(&env));

    // Raised by flag, environment or config.toml; the sparse file stays sparse.
    let out = env.run(&["--max-image-size", "100m", "image", "import", &small]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let out = env.run(&["--max-image-size", "300m", "image", "import", &small, "sp"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(disk_usage(&env.root()) < 10 << 20, "sparse on disk");
    let out = env
        .command()
        .env("VASSALRUN_MAX_EXPANSION_RATIO", "100000")
        .args(["image", "import", &zeros, "z"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(disk_usage(&env.root()) < 10 << 20, "zeros become holes");
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_dir().join("config.toml"),
        "max-image-size = \"1m\"\n",
    )
    .unwrap();
    let out = env.run(&["image", "import", &busybox_tarball().display().to_string()]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("maximum image size of 1048576 bytes"),
        "{}",
        describe(&out)
    );
    let out = env.run(&["--max-image-size", "lots", "image", "ls"]);
    common::assert_error(
        &out,
        "max-image-size: invalid size \"lots\": expected bytes or a size like 16g or 500m",
    );
}

#[test]
fn test_control_characters_from_a_tar_header_are_escaped() {
    let env = TestEnv::new();
    let tar = env.dir.path().join("crafted.tar");
    // A ustar header whose name carries ESC, CR and BEL and escapes the image.
    let mut header = [0u8; 512];
    let name = b"../\x1b[2Jgotcha\r\x07";
    header[..name.len()].copy_from_slice(name);
    header[100..108].copy_from_slice(b"0000644\0");
    header[108..116].copy_from_slice(b"0000000\0");
    header[116..124].copy_from_slice(b"0000000\0");
    header[124..136].copy_from_slice(b"00000000000\0");
    header[136..148].copy_from_slice(b"00000000000\0");
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut bytes = header.to_vec();
    bytes.extend([0u8; 1024]);
    std::fs::write(&tar, bytes).unwrap();
    let out = env.run(&["image", "import", &tar.display().to_string()]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        !out.stderr
            .iter()
            .any(|b| b.is_ascii_control() && *b != b'\n'),
        "raw control bytes: {:?}",
        out.stderr
    );
    assert!(stderr(&out).contains("gotcha"), "{}", describe(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", describe(&out));
}

#[test]
fn test_command_under_a_volume_is_found() {
    if !can_run_containers() {
        return;
    }
    let env = env_with_busybox();
    let volume = env.dir.path().join("probe");
    std::fs::create_dir_all(&volume).unwrap();
    std::fs::write(volume.join("tool"), "#!/bin/sh\necho from-the-volume\n").unwrap();
    sh(&format!("chmod 755 {}", volume.join("tool").display()));
    std::fs::write(volume.join("data"), "x").unwrap();
    let bind = format!("{}:/probe", volume.display());
    let out = env.run(&["run", "--rm", "-v", &bind, "bb", "/probe/tool"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out), "from-the-volume\n");
    let out = env.run(&[
        "run",
        "--rm",
        "-v",
        &bind,
        "-e",
        "PATH=/probe:/bin",
        "bb",
        "tool",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["run", "--rm", "-v", &bind, "bb", "/probe/data"]);
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    let out = env.run(&["run", "--rm", "bb", "/probe/tool"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
}
