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
    let out = env.run(&[
        "run",
        "--pull",
        "never",
        "--rm",
        "--network",
        "none",
        "busybox:1.0",
        "true",
    ]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("No such image: busybox:1.0"),
        "{}",
        describe(&out)
    );
}

#[path = "common/oci_image.rs"]
mod oci_image;

use oci_image::{config_json, docker_save, host_arch, oci_layout, tar_dir, three_layers, Layer};
use serde_json::json;

fn app_config() -> serde_json::Value {
    json!({
        "Env": ["PATH=/bin", "GREETING=hi"],
        "Cmd": ["sh", "-c", "ls /data; cat /etc/greeting; test -e /etc/removed || echo removed-gone; pwd; echo $GREETING"],
        "WorkingDir": "/data",
        "Labels": {"org.example": "yes"},
        "ExposedPorts": {"8080/tcp": {}},
        "StopSignal": "SIGUSR1",
        "Healthcheck": {"Test": ["CMD", "true"], "Interval": 5000000000u64},
    })
}

const APP_OUTPUT: &str = "c\nhello from layer 2\nremoved-gone\n/data\nhi\n";

fn count(dir: std::path::PathBuf) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

fn layer_count(env: &TestEnv) -> usize {
    count(env.root().join("images/layers/sha256"))
}

fn run_image(env: &TestEnv, image: &str) -> String {
    ok(env.run(&["run", "--rm", "--network", "none", image]))
}

#[test]
fn test_load_oci_layout_and_docker_save_run_with_whiteouts() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(
        &env.dir.path().join("layout"),
        &layers,
        &config,
        Some("example.com/test/app:1"),
    );
    let out = ok(env.run(&["image", "load", "-i", layout.to_str().unwrap()]));
    assert_eq!(out, "Loaded image: example.com/test/app:1\n");
    assert_eq!(layer_count(&env), 3);
    assert_eq!(run_image(&env, "example.com/test/app:1"), APP_OUTPUT);

    // The image config reaches the spec (Docker's merge rules).
    let spec: serde_json::Value =
        serde_json::from_str(&ok(env.run(&["spec", "example.com/test/app:1"]))).unwrap();
    assert_eq!(spec["process"]["cwd"], "/data", "{spec}");
    let env_list = spec["process"]["env"].as_array().unwrap();
    assert!(env_list.contains(&json!("GREETING=hi")), "{spec}");
    assert_eq!(spec["process"]["args"][0], "sh", "{spec}");
    let spec: serde_json::Value = serde_json::from_str(&ok(env.run(&[
        "spec",
        "--entrypoint",
        "echo",
        "example.com/test/app:1",
    ])))
    .unwrap();
    assert_eq!(
        spec["process"]["args"],
        json!(["echo"]),
        "user entrypoint drops image Cmd"
    );

    // The same image as a docker-save archive: uncompressed layers, other digests.
    let saved = docker_save(
        &env.dir.path().join("saved.tar"),
        &layers,
        &config,
        &["saved/app:2"],
    );
    let out = ok(env.run(&["image", "load", "-i", saved.to_str().unwrap()]));
    assert_eq!(out, "Loaded image: saved/app:2\n");
    assert_eq!(run_image(&env, "saved/app:2"), APP_OUTPUT);
    assert_eq!(run_image(&env, "docker.io/saved/app:2"), APP_OUTPUT);
    // Used as a path, or imported, an image archive is loaded, not taken for a rootfs.
    assert_eq!(run_image(&env, saved.to_str().unwrap()), APP_OUTPUT);
    ok(env.run(&["image", "import", saved.to_str().unwrap(), "imported"]));
    assert_eq!(run_image(&env, "imported"), APP_OUTPUT);

    // An OCI layout tar, from stdin.
    let archive = tar_dir(&layout, &env.dir.path().join("layout.tar"));
    let out = env
        .command()
        .args(["image", "load"])
        .stdin(std::fs::File::open(&archive).unwrap())
        .output()
        .unwrap();
    assert_eq!(ok(out), "Loaded image: example.com/test/app:1\n");
    // Layers are keyed by diff ID: the layout's compressed layers and the
    // docker-save's uncompressed tars are the same three layers.
    assert_eq!(layer_count(&env), 3, "stored once whatever the compression");
    assert_eq!(count(env.root().join("images/tmp")), 0);
}

#[test]
fn test_layers_shared_and_pruned_only_when_unused() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let mut layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    oci_layout(&env.dir.path().join("a"), &layers, &config, Some("app-a:1"));
    layers.pop();
    layers.push(Layer {
        tar: oci_image::tar_of(&[("other", Some("b only\n"))]),
        gzip: true,
    });
    let config_b = config_json(&layers, host_arch(), json!({"Cmd": ["cat", "/other"]}));
    oci_layout(
        &env.dir.path().join("b"),
        &layers,
        &config_b,
        Some("app-b:1"),
    );
    for dir in ["a", "b"] {
        ok(env.run(&[
            "image",
            "load",
            "-i",
            env.dir.path().join(dir).to_str().unwrap(),
        ]));
    }
    assert_eq!(layer_count(&env), 4, "two base layers stored once");
    let rows: Vec<serde_json::Value> = ok(env.run(&["image", "ls", "--format", "json"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for row in &rows {
        assert!(row["SharedSize"].as_u64().unwrap() > 1_000_000, "{row}");
        assert!(row["UniqueSize"].as_u64().unwrap() > 0, "{row}");
    }
    assert_eq!(run_image(&env, "app-b:1"), "b only\n");

    // A container on app-a keeps its layers even when the image is forced out.
    let id = ok(env.run(&["create", "--network", "none", "app-a:1"]));
    let out = env.run(&["image", "rm", "app-a:1"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is using its referenced image"));
    ok(env.run(&["image", "rm", "-f", "app-a:1"]));
    assert_eq!(layer_count(&env), 4, "layers in use by a container stay");
    ok(env.run(&["start", id.trim()]));
    ok(env.run(&["wait", id.trim()]));
    assert!(ok(env.run(&["logs", id.trim()])).contains("hello from layer 2"));
    ok(env.run(&["rm", id.trim()]));
    let out = ok(env.run(&["image", "prune", "-f"]));
    assert!(out.contains("deleted layer: "), "{out}");
    assert_eq!(layer_count(&env), 3, "only app-b's layers remain");
    assert_eq!(run_image(&env, "app-b:1"), "b only\n");
    ok(env.run(&["image", "rm", "app-b:1"]));
    assert_eq!(layer_count(&env), 0);
    assert_eq!(count(env.root().join("images/sha256")), 0);
}

#[test]
fn test_load_multi_platform_index_and_refuse_tampered_blobs() {
    let env = TestEnv::new();
    let dir = env.dir.path().join("multi");
    std::fs::create_dir_all(&dir).unwrap();
    let host = vec![Layer {
        tar: oci_image::tar_of(&[("which", Some("host\n"))]),
        gzip: true,
    }];
    let other = vec![Layer {
        tar: oci_image::tar_of(&[("which", Some("other\n"))]),
        gzip: true,
    }];
    let host_manifest =
        oci_image::put_image(&dir, &host, &config_json(&host, host_arch(), json!({})));
    let other_manifest =
        oci_image::put_image(&dir, &other, &config_json(&other, "s390x", json!({})));
    let index = oci_image::put_index(
        &dir,
        vec![("s390x", other_manifest), (host_arch(), host_manifest)],
    );
    oci_image::finish_layout(&dir, vec![index], Some("multi/app:1"));
    ok(env.run(&["image", "load", "-i", dir.to_str().unwrap()]));
    let layer = std::fs::read_dir(env.root().join("images/layers/sha256"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(
        std::fs::read_to_string(layer.join("root/which")).unwrap(),
        "host\n"
    );
    ok(env.run(&["image", "rm", "multi/app:1"]));
    let out = ok(env.run(&[
        "image",
        "load",
        "--platform",
        "linux/s390x",
        "-i",
        dir.to_str().unwrap(),
    ]));
    assert_eq!(out, "Loaded image: multi/app:1\n");
    let out = env.run(&[
        "image",
        "load",
        "--platform",
        "linux/riscv64",
        "-i",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no image for platform linux/riscv64"));
    ok(env.run(&["image", "rm", "multi/app:1"]));

    // A layer blob whose bytes are not its digest is refused; nothing is left.
    let blob = dir
        .join("blobs/sha256")
        .join(&oci_image::sha256(&host[0].blob())[7..]);
    std::fs::write(
        &blob,
        oci_image::gzip(&oci_image::tar_of(&[("which", Some("evil\n"))])),
    )
    .unwrap();
    let out = env.run(&["image", "load", "-i", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("digest mismatch"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(layer_count(&env), 0);
    assert_eq!(count(env.root().join("images/sha256")), 0);
    assert_eq!(count(env.root().join("images/tmp")), 0);
}

#[test]
fn test_save_round_trips_through_load() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let layers = three_layers(&busybox_tarball());
    let config = config_json(&layers, host_arch(), app_config());
    let layout = oci_layout(
        &env.dir.path().join("layout"),
        &layers,
        &config,
        Some("app:1"),
    );
    ok(env.run(&["image", "load", "-i", layout.to_str().unwrap()]));
    ok(env.run(&[
        "image",
        "import",
        busybox_tarball().to_str().unwrap(),
        "plain",
    ]));
    let out_dir = env.dir.path().join("saved-dir/");
    ok(env.run(&[
        "image",
        "save",
        "-o",
        out_dir.to_str().unwrap(),
        "app:1",
        "plain",
    ]));
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 2, "{index}");
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "docker.io/library/app:1"
    );
    let archive = env.dir.path().join("saved.tar");
    ok(env.run(&["image", "save", "-o", archive.to_str().unwrap(), "app:1"]));

    // Into a fresh store: the whiteouts and the config survive the trip.
    let other = TestEnv::new();
    let out = ok(other.run(&["image", "load", "-i", out_dir.to_str().unwrap()]));
    assert_eq!(out, "Loaded image: app:1\nLoaded image: plain:latest\n");
    assert_eq!(run_image(&other, "app:1"), APP_OUTPUT);
    let out = ok(other.run(&["run", "--rm", "--network", "none", "plain", "echo", "ok"]));
    assert_eq!(out, "ok\n");
    let third = TestEnv::new();
    ok(third.run(&["image", "load", "-i", archive.to_str().unwrap()]));
    assert_eq!(run_image(&third, "app:1"), APP_OUTPUT);

    let out = env.run(&[
        "image",
        "save",
        "-o",
        archive.to_str().unwrap(),
        "missing:1",
    ]);
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(archive.exists(), "a failed save leaves the old file");
}

/// An image of 61 layers (more than one `mount(2)` option page of absolute
/// layer paths holds) runs: every layer is in the container's root.
#[test]
fn test_image_with_sixty_layers_runs() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    let mut layers = vec![Layer {
        tar: std::fs::read(busybox_tarball()).unwrap(),
        gzip: true,
    }];
    for i in 0..60 {
        layers.push(Layer {
            tar: oci_image::tar_of(&[
                ("layers", None),
                (&format!("layers/{i:02}"), Some(&format!("layer {i}\n"))),
            ]),
            gzip: i % 2 == 0,
        });
    }
    let config = config_json(
        &layers,
        host_arch(),
        json!({"Env": ["PATH=/bin"], "Cmd": ["sh", "-c", "ls /layers | wc -l; cat /layers/00 /layers/59"]}),
    );
    let layout = oci_layout(
        &env.dir.path().join("many"),
        &layers,
        &config,
        Some("many:1"),
    );
    let lower_len: usize = 61
        * env
            .root()
            .join("images/layers/sha256/")
            .join("0".repeat(64))
            .join("root")
            .as_os_str()
            .len();
    assert!(
        lower_len > 4096,
        "the test needs more than a page: {lower_len}"
    );
    ok(env.run(&["image", "load", "-i", layout.to_str().unwrap()]));
    assert_eq!(layer_count(&env), 61);
    let out = run_image(&env, "many:1");
    assert_eq!(out.split_whitespace().next(), Some("60"), "{out}");
    assert!(out.ends_with("layer 0\nlayer 59\n"), "{out}");
}
