//! `pull` against a real registry on loopback (Debian's docker-registry, in
//! the test's network namespace), with test images pushed by skopeo: tags and
//! digests, auth, tampered and interrupted downloads, shared layers,
//! multi-platform indexes, and skopeo's docker-archive loaded.

mod common;

#[path = "common/oci_image.rs"]
mod oci_image;
#[path = "common/registry.rs"]
mod registry;

use std::process::Output;

use common::{busybox_tarball, can_run_containers, describe, TestEnv};
use oci_image::{config_json, host_arch, oci_layout, three_layers, Layer};
use registry::Registry;
use serde_json::json;

const APP_OUTPUT: &str = "c\nhello from layer 2\nremoved-gone\n/data\n";

fn app_config() -> serde_json::Value {
    json!({
        "Env": ["PATH=/bin"],
        "Cmd": ["sh", "-c", "ls /data; cat /etc/greeting; test -e /etc/removed || echo removed-gone; pwd"],
        "WorkingDir": "/data",
    })
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn count(dir: std::path::PathBuf) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

/// Nothing of a failed pull is left: no image, no layer, no temporary dir
/// but the partial downloads kept for the next pull.
fn assert_nothing_left(env: &TestEnv) {
    for dir in ["images/sha256", "images/layers/sha256"] {
        assert_eq!(count(env.root().join(dir)), 0, "{dir} not empty");
    }
    let tmp: Vec<_> = std::fs::read_dir(env.root().join("images/tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(tmp.iter().all(|n| n == "partial"), "images/tmp: {tmp:?}");
}

/// The partial download of blob `digest`, if any: its length.
fn partial_len(env: &TestEnv, digest: &str) -> Option<u64> {
    let path = env.root().join("images/tmp/partial").join(&digest[7..]);
    std::fs::metadata(path).ok().map(|m| m.len())
}

fn pull(env: &TestEnv, registry: &Registry, reference: &str) -> Output {
    env.command()
        .args(["pull", "--insecure-registry", &registry.host(), reference])
        .output()
        .unwrap()
}

/// The three-layer app image, pushed as `test/app:1`; its layout.
fn push_app(env: &TestEnv, registry: &Registry) -> std::path::PathBuf {
    let layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(&env.dir.path().join("app"), &layers, &config, None);
    registry.push(&format!("oci:{}", layout.display()), "test/app:1", false);
    layout
}

fn setup() -> Option<(TestEnv, Registry)> {
    if !can_run_containers() || !registry::available() {
        return None;
    }
    let env = TestEnv::new();
    let registry = Registry::start(
        &env.dir.path().join("registry"),
        env.netns.as_deref(),
        false,
    );
    Some((env, registry))
}

#[test]
fn test_pull_by_tag_and_digest_runs_and_second_pull_downloads_nothing() {
    let Some((env, registry)) = setup() else {
        return;
    };
    let layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(&env.dir.path().join("app"), &layers, &config, None);
    registry.push(&format!("oci:{}", layout.display()), "test/app:1", false);
    let host = registry.host();
    let reference = format!("{host}/test/app:1");

    // Plain HTTP only for a registry configured insecure.
    let out = env.run(&["pull", &reference]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("insecure-registries"),
        "{}",
        describe(&out)
    );
    assert_nothing_left(&env);

    let out = ok(pull(&env, &registry, &reference));
    let manifest = registry.digest("test/app:1");
    assert!(
        out.contains(&format!(
            "Digest: {manifest}\nStatus: Downloaded newer image for {reference}\n"
        )),
        "{out}"
    );
    assert_eq!(registry.blob_gets(), 4, "config and three layers");
    let out = ok(env.run(&["run", "--rm", "--network", "none", &reference]));
    assert_eq!(out, APP_OUTPUT);

    let out = ok(pull(&env, &registry, &reference));
    assert!(out.contains("Image is up to date"), "{out}");
    assert_eq!(registry.blob_gets(), 5, "only the config again, no layer");

    // By digest, from the environment's insecure list.
    let digest = registry.digest("test/app:1");
    let by_digest = format!("{host}/test/app@{digest}");
    let out = env
        .command()
        .env("VASSALRUN_INSECURE_REGISTRIES", &host)
        .args(["pull", &by_digest])
        .output()
        .unwrap();
    ok(out);
    assert_eq!(count(env.root().join("images/layers/sha256")), 3);
    let out = ok(env.run(&["run", "--rm", "--network", "none", &by_digest]));
    assert_eq!(out, APP_OUTPUT);

    // A wrong digest is not found; a bad reference is refused.
    let wrong = format!("{host}/test/app@sha256:{}", "0".repeat(64));
    let out = pull(&env, &registry, &wrong);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let out = env.run(&["pull", "Bad/Name"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        stderr(&out).contains("invalid reference format"),
        "{}",
        describe(&out)
    );
}

#[test]
fn test_pull_shared_layers_and_multi_platform_index() {
    let Some((env, registry)) = setup() else {
        return;
    };
    let mut layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let a = oci_layout(&env.dir.path().join("a"), &layers, &config, None);
    registry.push(&format!("oci:{}", a.display()), "test/a:1", false);
    layers.pop();
    layers.push(Layer {
        tar: oci_image::tar_of(&[("other", Some("b only\n"))]),
        gzip: true,
    });
    let config_b = config_json(&layers, host_arch(), json!({"Cmd": ["cat", "/other"]}));
    let b = oci_layout(&env.dir.path().join("b"), &layers, &config_b, None);
    registry.push(&format!("oci:{}", b.display()), "test/b:1", false);
    let host = registry.host();
    ok(pull(&env, &registry, &format!("{host}/test/a:1")));
    let before = registry.blob_gets();
    ok(pull(&env, &registry, &format!("{host}/test/b:1")));
    assert_eq!(
        registry.blob_gets() - before,
        2,
        "config and the one new layer"
    );
    assert_eq!(count(env.root().join("images/layers/sha256")), 4);
    let out = ok(env.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        &format!("{host}/test/b:1"),
    ]));
    assert_eq!(out, "b only\n");

    // A multi-platform index: the host's image is pulled, or the one asked for.
    let dir = env.dir.path().join("multi");
    std::fs::create_dir_all(&dir).unwrap();
    let mine = vec![Layer {
        tar: oci_image::tar_of(&[("which", Some("host\n"))]),
        gzip: true,
    }];
    let other = vec![Layer {
        tar: oci_image::tar_of(&[("which", Some("other\n"))]),
        gzip: true,
    }];
    let m1 = oci_image::put_image(&dir, &mine, &config_json(&mine, host_arch(), json!({})));
    let m2 = oci_image::put_image(&dir, &other, &config_json(&other, "s390x", json!({})));
    let index = oci_image::put_index(&dir, vec![("s390x", m2), (host_arch(), m1)]);
    oci_image::finish_layout(&dir, vec![index], None);
    registry.push(&format!("oci:{}", dir.display()), "test/multi:1", true);
    let reference = format!("{host}/test/multi:1");
    ok(pull(&env, &registry, &reference));
    let image: serde_json::Value = {
        let out = ok(env.run(&["image", "ls", "--format", "json"]));
        out.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| v["Name"] == reference.as_str())
            .unwrap()
    };
    let config_digest = image["Digest"].as_str().unwrap();
    let stored = std::fs::read(
        env.root()
            .join("images/sha256")
            .join(&config_digest[7..])
            .join("config.json"),
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&stored).contains(host_arch()));
    let out = env
        .command()
        .args([
            "pull",
            "--insecure-registry",
            &host,
            "--platform",
            "linux/s390x",
            &reference,
        ])
        .output()
        .unwrap();
    ok(out);
    let out = env
        .command()
        .args([
            "pull",
            "--insecure-registry",
            &host,
            "--platform",
            "linux/riscv64",
            &reference,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("no image for platform linux/riscv64"),
        "{}",
        describe(&out)
    );
}

#[test]
fn test_pull_refuses_tampered_blob_and_resumes_interrupted_download() {
    let Some((env, registry)) = setup() else {
        return;
    };
    let layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(&env.dir.path().join("app"), &layers, &config, None);
    registry.push(&format!("oci:{}", layout.display()), "test/app:1", false);
    let reference = format!("{}/test/app:1", registry.host());

    // A blob whose bytes no longer match its digest is refused, and not kept.
    let busybox_blob = oci_image::sha256(&layers[0].blob());
    let size = layers[0].blob().len() as u64;
    let file = registry.blob_file(&busybox_blob);
    let original = std::fs::read(&file).unwrap();
    let mut bytes = original.clone();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();
    let out = pull(&env, &registry, &reference);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("digest mismatch"),
        "{}",
        describe(&out)
    );
    assert_nothing_left(&env);
    assert_eq!(partial_len(&env, &busybox_blob), None);
    std::fs::write(&file, original).unwrap();

    // Cut mid-download: the busybox layer is far larger than the limit.
    let proxy = registry::cutting_proxy(env.netns.as_deref(), registry.port, 200_000);
    let cut = format!("127.0.0.1:{proxy}/test/app:1");
    let out = env
        .command()
        .args([
            "pull",
            "--insecure-registry",
            &format!("127.0.0.1:{proxy}"),
            &cut,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", describe(&out));
    assert_nothing_left(&env);
    let kept = partial_len(&env, &busybox_blob).expect("the partial download is kept");
    assert!(kept > 0 && kept < size, "{kept} of {size}");
    // `gc` removes partial downloads a day old, not fresher ones.
    let stale = env.root().join("images/tmp/partial").join("a".repeat(64));
    std::fs::write(&stale, "old bytes").unwrap();
    let touched = std::process::Command::new("touch")
        .args(["-d", "2 days ago"])
        .arg(&stale)
        .status()
        .unwrap();
    assert!(touched.success());
    let out = ok(env.run(&["gc"]));
    assert!(
        out.contains(&format!(
            "removed partial download sha256:{}",
            "a".repeat(64)
        )),
        "{out}"
    );
    assert!(!stale.exists());
    assert_eq!(partial_len(&env, &busybox_blob), Some(kept));
    // `image prune` removes partial downloads (kept aside here to go on).
    let partial = env
        .root()
        .join("images/tmp/partial")
        .join(&busybox_blob[7..]);
    let aside = env.dir.path().join("aside");
    std::fs::copy(&partial, &aside).unwrap();
    let out = ok(env.run(&["image", "prune", "-f"]));
    assert!(out.contains("deleted partial downloads: 3"), "{out}");
    assert_eq!(count(env.root().join("images/tmp/partial")), 0);
    std::fs::copy(&aside, &partial).unwrap();

    // The next pull continues where that one stopped: a Range request.
    let before = registry.log().len();
    let out = ok(pull(&env, &registry, &reference));
    assert!(out.contains("Downloaded newer image"), "{out}");
    let log = registry.log()[before..].to_string();
    let resumed: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(&format!("/blobs/{busybox_blob} ")) && l.contains("\" 206 "))
        .collect();
    assert_eq!(resumed.len(), 1, "{log}");
    let served: u64 = resumed[0]
        .split("\" 206 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(
        served,
        size - kept,
        "only the missing bytes: {}",
        resumed[0]
    );
    assert!(
        !log.lines()
            .any(|l| l.contains(&format!("/blobs/{busybox_blob} ")) && l.contains("\" 200 ")),
        "{log}"
    );
    assert_eq!(count(env.root().join("images/tmp/partial")), 0);
    let out = ok(env.run(&["run", "--rm", "--network", "none", &reference]));
    assert_eq!(out, APP_OUTPUT);
}

#[test]
fn test_pull_with_htpasswd_auth() {
    if !can_run_containers() || !registry::available() {
        return;
    }
    let env = TestEnv::new();
    let registry = Registry::start(&env.dir.path().join("registry"), env.netns.as_deref(), true);
    let layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(&env.dir.path().join("app"), &layers, &config, None);
    registry.push(&format!("oci:{}", layout.display()), "test/app:1", false);
    let reference = format!("{}/test/app:1", registry.host());
    let docker_config = env.dir.path().join("docker");
    std::fs::create_dir_all(&docker_config).unwrap();
    let pull_with = |config: Option<&str>| {
        let mut cmd = env.command();
        cmd.env("DOCKER_CONFIG", &docker_config);
        match config {
            Some(text) => std::fs::write(docker_config.join("config.json"), text).unwrap(),
            None => {
                let _ = std::fs::remove_file(docker_config.join("config.json"));
            }
        }
        cmd.args(["pull", "--insecure-registry", &registry.host(), &reference])
            .output()
            .unwrap()
    };
    let out = pull_with(None);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(
        stderr(&out),
        format!("vassalrun: pull access denied for {reference}: repository does not exist or may require 'docker login' (no credentials for it in Docker's config.json)\n")
    );
    let bad = json!({"auths": {registry.host(): {"username": "tester", "password": "wrong"}}});
    let out = pull_with(Some(&bad.to_string()));
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("refused the credentials"),
        "{}",
        describe(&out)
    );
    assert_nothing_left(&env);
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode("tester:secret");
    let good = json!({"auths": {format!("http://{}", registry.host()): {"auth": auth}}});
    ok(pull_with(Some(&good.to_string())));
    let out = ok(env.run(&["run", "--rm", "--network", "none", &reference]));
    assert_eq!(out, APP_OUTPUT);

    // The docker entry's `--config DIR` is where its pulls find credentials.
    let docker_pull = |config: Option<&std::path::Path>| {
        let mut cmd = env.command();
        cmd.env_remove("DOCKER_CONFIG")
            .env("HOME", env.dir.path())
            .env("VASSALRUN_INSECURE_REGISTRIES", registry.host())
            .arg("docker");
        if let Some(dir) = config {
            cmd.arg("--config").arg(dir);
        }
        cmd.args(["pull", &reference]).output().unwrap()
    };
    let out = docker_pull(None);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("pull access denied"),
        "{}",
        describe(&out)
    );
    let out = ok(docker_pull(Some(&docker_config)));
    assert!(out.contains("Status: Image is up to date for"), "{out}");
}

#[test]
fn test_load_skopeo_docker_archive() {
    if !can_run_containers() || !registry::available() {
        return;
    }
    let env = TestEnv::new();
    let layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(&env.dir.path().join("app"), &layers, &config, None);
    let archive = env.dir.path().join("saved.tar");
    let out = std::process::Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}", layout.display()))
        .arg(format!("docker-archive:{}:skopeo/app:3", archive.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let out = ok(env.run(&["image", "load", "-i", archive.to_str().unwrap()]));
    assert_eq!(out, "Loaded image: skopeo/app:3\n");
    let out = ok(env.run(&["run", "--rm", "--network", "none", "skopeo/app:3"]));
    assert_eq!(out, APP_OUTPUT);
}

/// `run`/`create --pull`: `missing` (the default) pulls an absent image once,
/// `always` asks the registry every time, `never` refuses an absent image.
#[test]
fn test_run_and_create_pull_policies() {
    let Some((env, registry)) = setup() else {
        return;
    };
    push_app(&env, &registry);
    let host = registry.host();
    let reference = format!("{host}/test/app:1");
    let vassalrun = |args: &[&str]| {
        env.command()
            .env("VASSALRUN_INSECURE_REGISTRIES", &host)
            .args(args)
            .output()
            .unwrap()
    };

    let out = vassalrun(&[
        "run",
        "--pull",
        "never",
        "--rm",
        "--network",
        "none",
        &reference,
    ]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).starts_with(&format!("vassalrun: No such image: {reference}")),
        "{}",
        describe(&out)
    );
    assert_eq!(stderr(&out).lines().count(), 1);
    let out = vassalrun(&["run", "--pull", "sometimes", "--rm", &reference]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        stderr(&out).contains("invalid argument \"sometimes\" for \"--pull\" flag"),
        "{}",
        describe(&out)
    );
    assert_eq!(registry.blob_gets(), 0);
    assert!(env.container_ids().is_empty());

    // Missing: pulled by create, its status lines on stderr.
    let out = vassalrun(&["create", "--name", "c1", "--network", "none", &reference]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!("Status: Downloaded newer image for {reference}")),
        "{}",
        describe(&out)
    );
    assert_eq!(registry.blob_gets(), 4);
    let out = ok(vassalrun(&["run", "--rm", "--network", "none", &reference]));
    assert_eq!(out, APP_OUTPUT);
    assert_eq!(registry.blob_gets(), 4, "present: not pulled again");
    let out = ok(vassalrun(&[
        "run",
        "--pull",
        "always",
        "--rm",
        "--network",
        "none",
        &reference,
    ]));
    assert_eq!(out, APP_OUTPUT);
    assert_eq!(
        registry.blob_gets(),
        5,
        "always: the config again, no layer"
    );
    ok(vassalrun(&["rm", "c1"]));

    // An absent image that cannot be pulled: one line, nothing created.
    let missing = format!("{host}/test/absent:1");
    let out = vassalrun(&["run", "--rm", "--network", "none", &missing]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(
        stderr(&out),
        format!("vassalrun: Unable to find image '{missing}' locally: {missing}: not found (manifests/1)\n")
    );
    assert!(env.container_ids().is_empty());
}

/// Layers are keyed by their diff ID: an image loaded from a `docker save`
/// archive (uncompressed layers) and pulled from a registry (gzip-compressed)
/// is stored once, and a pulled image sharing its base downloads only its
/// own layer; `image ls` shows shared and unique sizes.
#[test]
fn test_layers_stored_once_across_load_and_pull() {
    let Some((env, registry)) = setup() else {
        return;
    };
    let mut layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(&env.dir.path().join("app"), &layers, &config, None);
    registry.push(&format!("oci:{}", layout.display()), "test/app:1", false);
    let archive = env.dir.path().join("saved.tar");
    let out = std::process::Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}", layout.display()))
        .arg(format!("docker-archive:{}:saved/app:1", archive.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    ok(env.run(&["image", "load", "-i", archive.to_str().unwrap()]));
    assert_eq!(count(env.root().join("images/layers/sha256")), 3);

    let host = registry.host();
    let out = ok(pull(&env, &registry, &format!("{host}/test/app:1")));
    assert!(out.contains("Image is up to date"), "{out}");
    assert_eq!(
        registry.blob_gets(),
        1,
        "the config only: every layer is stored"
    );
    assert_eq!(count(env.root().join("images/layers/sha256")), 3);

    // Another image on the same first two layers.
    layers.pop();
    layers.push(Layer {
        tar: oci_image::tar_of(&[("other", Some("b only\n"))]),
        gzip: true,
    });
    let config_b = config_json(&layers, host_arch(), json!({"Cmd": ["cat", "/other"]}));
    let b = oci_layout(&env.dir.path().join("b"), &layers, &config_b, None);
    registry.push(&format!("oci:{}", b.display()), "test/b:1", false);
    ok(pull(&env, &registry, &format!("{host}/test/b:1")));
    assert_eq!(registry.blob_gets(), 3, "its config and its one own layer");
    assert_eq!(count(env.root().join("images/layers/sha256")), 4);
    let rows: Vec<serde_json::Value> = ok(env.run(&["image", "ls", "--format", "json"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let row = |name: &str| rows.iter().find(|r| r["Name"] == name).unwrap().clone();
    let (app, b) = (row("saved/app:1"), row(&format!("{host}/test/b:1")));
    assert_eq!(app["SharedSize"], b["SharedSize"]);
    let (shared, size) = (
        app["SharedSize"].as_u64().unwrap(),
        app["Size"].as_u64().unwrap(),
    );
    assert!(shared > 1_000_000, "busybox is shared: {app}");
    assert_eq!(app["UniqueSize"].as_u64().unwrap(), size - shared, "{app}");
    assert!(b["UniqueSize"].as_u64().unwrap() > 0, "{b}");
    assert_eq!(
        ok(env.run(&[
            "run",
            "--rm",
            "--network",
            "none",
            &format!("{host}/test/b:1")
        ])),
        "b only\n"
    );
}

/// A registry with a self-signed certificate: refused unless configured
/// insecure, then used over HTTPS without verifying it (Docker's rule).
#[test]
fn test_insecure_registry_with_self_signed_certificate() {
    if !can_run_containers() || !registry::available() {
        return;
    }
    let env = TestEnv::new();
    let registry = Registry::start_tls(&env.dir.path().join("registry"), env.netns.as_deref());
    push_app(&env, &registry);
    let reference = format!("{}/test/app:1", registry.host());
    let out = env.run(&["pull", &reference]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", describe(&out));
    assert_eq!(registry.blob_gets(), 0);
    assert_nothing_left(&env);
    ok(pull(&env, &registry, &reference));
    assert_eq!(
        registry.blob_gets(),
        4,
        "over HTTPS: the registry serves no plain HTTP"
    );
    let out = ok(env.run(&["run", "--rm", "--network", "none", &reference]));
    assert_eq!(out, APP_OUTPUT);
}
