//! A real registry for the tests: Debian's `docker-registry` (the CNCF
//! distribution registry) on 127.0.0.1 in the test's network namespace, with
//! its own config and storage, optionally behind htpasswd auth; images pushed
//! with `skopeo`. Killed on drop.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `tester` / `secret` (bcrypt, as the registry's htpasswd wants).
pub const HTPASSWD: &str = "tester:$2y$05$quyEuAeNMbBycSB/Drj71enCV/0BdL6Vwwx1XO6J/86//YyPxqRsW\n";
pub const USER: &str = "tester";
pub const PASSWORD: &str = "secret";

pub fn available() -> bool {
    let found = ["docker-registry", "skopeo"].iter().all(|tool| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !found {
        eprintln!("skipped: needs docker-registry and skopeo (scripts/packages.sh)");
    }
    found
}

pub struct Registry {
    pub dir: PathBuf,
    pub port: u16,
    netns: Option<String>,
    child: Option<Child>,
    pub auth: bool,
}

/// The namespace file of `netns`: a path, or a name under `/run/netns`.
fn netns_path(netns: &str) -> String {
    if netns.starts_with('/') {
        netns.to_string()
    } else {
        format!("/run/netns/{netns}")
    }
}

/// `cmd ARGS` inside `netns` when there is one.
pub fn in_netns(netns: Option<&str>, program: &str) -> Command {
    match netns {
        Some(ns) => {
            let mut c = Command::new("nsenter");
            c.arg(format!("--net={}", netns_path(ns))).arg(program);
            c
        }
        None => Command::new(program),
    }
}

impl Registry {
    /// Starts a registry with storage under `dir` (in `netns`).
    pub fn start(dir: &Path, netns: Option<&str>, auth: bool) -> Registry {
        Registry::start_with(dir, netns, auth, false)
    }

    /// A registry speaking HTTPS with a self-signed certificate made by `openssl`.
    pub fn start_tls(dir: &Path, netns: Option<&str>) -> Registry {
        Registry::start_with(dir, netns, false, true)
    }

    fn start_with(dir: &Path, netns: Option<&str>, auth: bool, tls: bool) -> Registry {
        std::fs::create_dir_all(dir.join("storage")).unwrap();
        let port = free_port(netns);
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("storage").display()
        );
        if tls {
            let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
            let out = Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                ])
                .args([
                    "-subj",
                    "/CN=127.0.0.1",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                ])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            ));
        }
        if auth {
            std::fs::write(dir.join("htpasswd"), HTPASSWD).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: test-realm\n    path: {}\n",
                dir.join("htpasswd").display()
            ));
        }
        std::fs::write(dir.join("config.yml"), config).unwrap();
        let mut registry = Registry {
            dir: dir.to_path_buf(),
            port,
            netns: netns.map(String::from),
            child: None,
            auth,
        };
        registry.spawn();
        registry
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("registry.log"))
            .unwrap();
        let child = in_netns(self.netns.as_deref(), "docker-registry")
            .arg("serve")
            .arg(self.dir.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.responds() {
            assert!(
                Instant::now() < deadline,
                "registry did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn responds(&self) -> bool {
        in_netns(self.netns.as_deref(), "bash")
            .args(["-c", &format!("exec 3<>/dev/tcp/127.0.0.1/{}", self.port)])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default()
    }

    /// Blob downloads the registry served so far.
    pub fn blob_gets(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| {
                l.contains("\"GET /v2/") && l.contains("/blobs/sha256:") && l.contains("\" 200 ")
            })
            .count()
    }

    /// `skopeo copy [--all] SRC docker://HOST/REPO` (with the test credentials when auth is on).
    pub fn push(&self, source: &str, repo: &str, all: bool) {
        let mut cmd = in_netns(self.netns.as_deref(), "skopeo");
        cmd.args(["copy", "--quiet", "--dest-tls-verify=false"]);
        if all {
            cmd.arg("--all");
        }
        if self.auth {
            cmd.arg(format!("--dest-creds={USER}:{PASSWORD}"));
        }
        cmd.arg(source)
            .arg(format!("docker://{}/{repo}", self.host()));
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "skopeo copy: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The manifest digest of `repo` as the registry has it.
    pub fn digest(&self, repo: &str) -> String {
        let mut cmd = in_netns(self.netns.as_deref(), "skopeo");
        cmd.args(["inspect", "--tls-verify=false", "--raw"]);
        if self.auth {
            cmd.arg(format!("--creds={USER}:{PASSWORD}"));
        }
        let out = cmd
            .arg(format!("docker://{}/{repo}", self.host()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo inspect: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "sha256:{:x}",
            <sha2::Sha256 as sha2::Digest>::digest(&out.stdout)
        )
    }

    /// The file holding blob `digest` in the registry's storage.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port(netns: Option<&str>) -> u16 {
    if netns.is_some() {
        // A fresh namespace: any port is free there.
        return 20000 + (std::process::id() % 20000) as u16 + rand_small();
    }
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn rand_small() -> u16 {
    (Instant::now().elapsed().subsec_nanos() % 1000) as u16
}

/// A TCP proxy on 127.0.0.1 (in `netns`) that forwards to `upstream` and
/// cuts every connection after `limit` bytes of response: a registry going
/// away in the middle of a download.
pub fn cutting_proxy(netns: Option<&str>, upstream: u16, limit: usize) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    let netns = netns.map(String::from);
    std::thread::spawn(move || {
        if let Some(ns) = netns {
            // Only this thread (and the ones it starts) enters the namespace.
            let file = std::fs::File::open(netns_path(&ns)).unwrap();
            nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        tx.send(listener.local_addr().unwrap().port()).unwrap();
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let (mut c_read, mut s_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c_read, &mut s_write);
            });
            let (mut s_read, mut c_write) = (server, client);
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                let mut sent = 0;
                while let Ok(n) = s_read.read(&mut buf) {
                    if n == 0 || sent >= limit {
                        break;
                    }
                    let n = n.min(limit - sent);
                    if c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    sent += n;
                }
                let _ = c_write.shutdown(std::net::Shutdown::Both);
                let _ = s_read.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    rx.recv().unwrap()
}
